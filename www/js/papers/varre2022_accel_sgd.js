// Page of varre2022_accel_sgd: streaming least squares with one fresh sample per step. AcSGD,
// averaged SGD, SGD and stochastic Nesterov side by side on the same samples, against reference
// slopes −1 and −2 and the σ²d/(2t) line; the error split into its bias (σ = 0) and variance
// (θ0 = θ*) parts; AcSGD's four outputs; and the phase diagram over α/β.

import { Chart, alignCurves } from '../plots.js';

const REF = '#777777';
const slopes = [
  { series: 'ref_slope_1', label: () => 'slope −1', color: REF, dash: [6, 4], once: true },
  { series: 'ref_slope_2', label: () => 'slope −2', color: REF, dash: [2, 3], once: true },
];
const varianceLine = { series: 'ref_variance', label: () => 'σ²d/(2t)', color: '#111111', dash: [8, 4], once: true };
const OUTPUT_SHORT = { linear: 'linear average', last: 'last iterate', uniform: 'uniform average', tail: 'tail average' };

/** α/β from 1/(4d) to 1, nine log-spaced values (the phase diagram). */
const ratios = (params) => {
  const lo = Math.log(1 / (4 * Number(params.get('d'))));
  return Array.from({ length: 9 }, (_, k) => Number(Math.exp(lo * (1 - k / 8)).toPrecision(3)));
};

/** The four outputs of the first AcSGD run (or of the first run when none is AcSGD). */
function outputs(host) {
  const lines = [
    ['risk_linear', 'linear average Σ s·x_s / Σ s', '#d62728'],
    ['risk_last', 'last iterate', '#ff7f0e'],
    ['risk_uniform', 'uniform average', '#1f77b4'],
    ['risk_tail', 'tail average (last half)', '#2ca02c'],
  ];
  const chart = new Chart(host, {
    title: 'Outputs of one sequence (first AcSGD run): last iterate and three averages', xLabel: 'iteration t', yLabel: 'f − f*', xLog: true, yLog: true,
    series: lines.map(([, label, color]) => ({ label, color })),
  });
  return {
    reset() {},
    render(runs) {
      const r = runs.find((x) => x.id === 'acsgd') ?? runs[0];
      if (!r) return;
      chart.setData(alignCurves(lines.map(([name]) => ({ x: r.run.seriesX(name), y: r.run.seriesY(name) })), { logX: true, logY: true }));
    },
  };
}

export const page = {
  compare: { param: 'algo', view: 'algos' },
  runLabel: (id, state, label) => (id === 'acsgd' || id === 'agd' ? `${label}, ${OUTPUT_SHORT[state.params.get('output')]}` : label),
  slice: 2000,
  divergence: (r) => ({
    agd: 'stochastic Nesterov (α = β) is expected to blow up with one fresh sample per step, even without noise; this is the instability the paper\'s second step size removes (check ACSGD-3)',
    acsgd: 'α/β is too large for this horizon: the recursion stays stable only for α/β of order 1/d (see the phase diagram below)',
  })[r.id] ?? null,
  figure: [{
    className: 'risk-chart', title: 'Excess risk f(θ̂_t) − f* on the same stream of samples', xLabel: 'iteration t', yLabel: 'f − f*', xLog: true, yLog: true,
    curves: [{ series: 'excess_risk', label: (r) => r.label }, ...slopes, varianceLine],
  }],
  more: {
    heading: 'Bias and variance',
    text: 'Every update is linear in the initial error and the noise, so on one stream of samples the error is the sum of a bias part (started at θ0, no noise: the σ = 0 run) and a variance part (started at θ*, with the noise: the θ0 = θ* run). AcSGD forgets θ0 with slope −2 where averaged SGD manages about −1, and its averaged iterate keeps the variance within a constant of σ²d/(2t); stochastic Nesterov (α = β) blows up and stops. The reference slopes pass through a tenth of f(θ0) − f* at t = 100. Below: the four outputs of the AcSGD sequence (its last iterate keeps a noise floor when σ > 0), and where the error sits among the eigen-directions at the end.',
    charts: [
      {
        className: 'bias-chart', title: 'Bias only (σ = 0, same samples)', xLabel: 'iteration t', yLabel: 'f − f*', xLog: true, yLog: true,
        curves: [{ series: 'bias_risk', label: (r) => r.label }, ...slopes],
      },
      {
        className: 'variance-chart', title: 'Variance only (θ0 = θ*, same samples and noise)', xLabel: 'iteration t', yLabel: 'f − f*', xLog: true, yLog: true,
        curves: [{ series: 'variance_risk', label: (r) => r.label }, varianceLine],
      },
      { className: 'outputs-chart', make: outputs },
      {
        className: 'direction-chart', title: 'Final error per eigen-direction, ½·h_i·(θ̂ − θ*)_i², against h_i (grey)', xLabel: 'direction i', yLabel: 'value', yLog: true, xInteger: true,
        reference: { vector: 'spectrum', label: 'h_i = i^(−p)', color: '#888888' },
        vectors: [{ vector: 'risk_by_direction', label: (r) => r.label, positive: true }],
      },
    ],
  },
  metrics: [
    ['f − f*', 'excess_risk'],
    ['bias part', 'bias_risk'],
    ['variance part', 'variance_risk'],
    ['last iterate', 'risk_last'],
    ['linear average', 'risk_linear'],
    ['σ²d/(2t)', 'variance_reference'],
    ['β (or γ)', 'step'],
    ['α', 'alpha'],
  ],
  sweeps: [{
    title: 'Phase diagram over α/β',
    text: (values) => `AcSGD at α/β ∈ {${values.join(', ')}} (from 1/(4d) to 1), with every other parameter as above, each run to the horizon; averaged SGD is the dashed reference. A run that diverges has no final error and leaves a gap: α/β = 1 is stochastic Nesterov, and the gaps on the right are its instability, which reaches smaller α/β the longer the horizon (stability needs α/β of order 1/d). Below it, α/β trades bias against variance: without noise (σ = 0) or at a short horizon the error falls as α/β grows (faster forgetting; towards small α/β the acceleration fades and the error levels off near averaged SGD's), while with noise and a long horizon the variance, which grows with α/β, takes over.`,
    button: 'Run the α/β sweep',
    className: 'ratio-chart',
    chart: { title: 'Excess risk at the horizon against α/β', xLabel: 'α/β', yLabel: 'f − f* at the horizon', xLog: true, yLog: true },
    param: 'ratio',
    values: ratios,
    lines: [{ option: 'acsgd', label: 'AcSGD', points: true, slice: 5000 }],
    reference: { option: 'avsgd', label: 'averaged SGD', dash: [6, 4], slice: 5000 },
    metric: 'excess_risk',
  }],
};

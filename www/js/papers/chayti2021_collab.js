// Page of chayti2021_collab: personalised collaborative learning on N + 1 users' quadratics. The
// user alone, uniform and α₀-weighted gradient averaging (WGA) and bias correction (BC) side by
// side on the same problem and the same noise of user 0; the error against N with a 1/(N + 1)
// guide; the trajectories in the two flattest directions with WGA's biased fixed point; the
// bias–variance map of WGA over (α₀, N); BC's estimate c_t against the true bias.

import { Chart, scatterData, alignCurves } from '../plots.js';

const GUIDE = '#777777';
const STAR = '#111111';

const byId = (runs, id) => runs.find((r) => r.id === id);

/** x₁ against x₂ for every run (points on the recording grid: dense early, then log-spaced),
 * with each method's fixed point and x* = 0. */
function trajectories(host) {
  const chart = new Chart(host, {
    title: 'Trajectories: x₁ against x₂ (the two flattest directions; d = 2 shows the whole iterate)', xLabel: 'x₁', yLabel: 'x₂', series: [],
  });
  return {
    reset(runs) {
      chart.setSeries([
        ...runs.map((r) => ({ label: r.label, color: r.color, points: true })),
        ...runs.map((r) => ({ label: `fixed point of ${r.label}`, color: r.color, markers: true, dash: [2, 2] })),
        { label: 'x* = 0 (user 0\'s optimum)', color: STAR, markers: true },
      ]);
    },
    render(runs) {
      const paths = runs.map((r) => ({ x: Array.from(r.run.seriesY('x1')), y: Array.from(r.run.seriesY('x2')) }));
      const fixed = runs.map((r) => {
        const v = r.run.vector('fixed_point');
        return { x: [v[0]], y: [v[1]] };
      });
      chart.setData(scatterData([...paths, ...fixed, { x: [0], y: [0] }]));
    },
  };
}

/** BC's estimate c_t: its distance to the true bias c* = ∇f₀(x*) − ∇f̄(x*), and its first two
 * coordinates against c*'s. */
function biasEstimate(host) {
  const gap = new Chart(host, {
    title: 'BC: distance of the estimate c_t to the true bias c* = ∇f₀(x*) − ∇f̄(x*)', xLabel: 'iteration t', yLabel: '‖c_t − c*‖', xLog: true, yLog: true,
    series: [{ label: '‖c_t − c*‖ (BC run)', color: '#d62728' }],
  });
  const coordsHost = document.createElement('div');
  coordsHost.className = 'chart bias-coords-chart';
  host.after(coordsHost);
  const coords = new Chart(coordsHost, {
    title: 'BC: the first two coordinates of c_t and of c*', xLabel: 'iteration t', yLabel: 'value', xLog: true,
    series: [
      { label: 'c_t,1', color: '#1f77b4' },
      { label: 'c_t,2', color: '#ff7f0e' },
      { label: 'c*_1', color: '#1f77b4', dash: [6, 4] },
      { label: 'c*_2', color: '#ff7f0e', dash: [6, 4] },
    ],
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'bc');
      const names = r ? r.run.seriesNames() : [];
      if (!r || !names.includes('bias_gap')) {
        gap.setData([[], []]);
        coords.setData([[], [], [], [], []]);
        return;
      }
      const curve = (n) => ({ x: r.run.seriesX(n), y: r.run.seriesY(n) });
      gap.setData(alignCurves([curve('bias_gap')], { logX: true, logY: true }));
      const data = alignCurves([curve('c1'), curve('c2')], { logX: true });
      const m = r.run.metrics();
      coords.setData([...data, data[0].map(() => m.c_star_1 ?? null), data[0].map(() => m.c_star_2 ?? null)]);
    },
  };
}

const N_VALUES = [0, 1, 3, 7, 15, 31];
const ALPHA0 = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1];

export const page = {
  compare: { param: 'algo', view: 'algos' },
  // Iterations per frame and run: one iteration draws (N + 1)·d normals (d alone).
  slice: { alone: 2000, wga_uniform: 200, wga: 200, bc: 200 },
  figure: [{
    className: 'error-chart', title: 'Mean of ‖x_s − x*‖² over the last half of the iterations so far (x* = 0)', xLabel: 'iteration t', yLabel: 'error', xLog: true, yLog: true,
    curves: [{ series: 'tail_error', label: (r) => r.label }],
  }],
  more: {
    heading: 'Bias against variance',
    text: 'Every user has a noisy gradient of its own quadratic; the collaborators\' minimisers sit at ζ·u_i instead of x* = 0. Averaging all N + 1 gradients divides the noise by N + 1 but pulls the iterate to the weighted fixed point of the others (the dashed points below), so uniform averaging with a coherent bias ends near ζ²(N/(N + 1))², worse than alone. Bias correction adds back a slow estimate c_t of g₀ − ḡ, which cancels the pull and leaves the averaged noise. Below: the squared distance on the recording grid, the trajectories, and BC\'s estimate c_t against the true bias. The table gives the exact stationary error of each method on this problem (a Lyapunov equation per coordinate, derived for this model) beside the measured one.',
    charts: [
      {
        className: 'sq-chart', title: '‖x_t − x*‖² on the recording grid', xLabel: 'iteration t', yLabel: '‖x_t‖²', xLog: true, yLog: true,
        curves: [{ series: 'sq_error', label: (r) => r.label }],
      },
      { className: 'trajectory-chart', make: trajectories, vectors: ['fixed_point'] },
      { className: 'bias-chart', make: biasEstimate },
      {
        className: 'weights-chart', title: 'Weights α₀ … α_N of the gradient average (alone and WGA)', xLabel: 'user i', yLabel: 'α_i', xInteger: true,
        vectors: [{ vector: 'weights', label: (r) => r.label }],
      },
    ],
  },
  metrics: [
    ['error (last half)', 'error'],
    ['exact stationary', 'error_theory'],
    ['bias floor ‖x̄‖²', 'bias_floor'],
    ['variance', 'variance_theory'],
    ['error / alone', 'error_vs_alone'],
    ['alone/(N + 1)', 'speedup_reference'],
    ['‖c_T − c*‖', 'bias_gap'],
    ['‖c*‖', 'bias_norm'],
  ],
  sweeps: [
    {
      title: 'Error against the number of users',
      text: (values) => `Every method at N ∈ {${values.join(', ')}} with the other parameters above, each run to the horizon; the error is the mean of ‖x_t − x*‖² over the last half. Plotted against N + 1, so that N = 0 (alone, where every method coincides) sits at 1 on the log axis. The second chart divides by the exact stationary error of the user alone: a linear speedup follows the 1/(N + 1) guide; WGA with a coherent bias climbs towards ζ²(N/(N + 1))² instead, BC follows the guide as long as its rate a ≪ ημ.`,
      button: 'Run the N sweep',
      param: 'n',
      values: N_VALUES,
      lines: [
        { option: 'alone', points: true, slice: 2000 },
        { option: 'wga_uniform', points: true, slice: 200 },
        { option: 'wga', points: true, slice: 200 },
        { option: 'bc', points: true, slice: 200 },
      ],
      charts: [
        {
          className: 'n-chart', title: 'Error against N + 1', xLabel: 'N + 1 (users)', yLabel: 'error', xLog: true, yLog: true,
          x: 'users', y: [{ metric: 'error' }],
        },
        {
          className: 'speedup-chart', title: 'Error relative to the user alone, against N + 1', xLabel: 'N + 1 (users)', yLabel: 'error / alone (exact)', xLog: true, yLog: true,
          x: 'users', y: [{ metric: 'error_vs_alone' }],
          guides: [{ label: '1/(N + 1): linear speedup', color: GUIDE, dash: [6, 4], y: (x) => 1 / x }],
        },
      ],
    },
    {
      title: 'Bias–variance map of WGA over (α₀, N)',
      text: (values) => `WGA with own weight α₀ ∈ {${values.join(', ')}} (the collaborators share 1 − α₀ as alpha_decay says) at N ∈ {${N_VALUES.join(', ')}}, each run to 10 000 iterations with the other parameters above (the line chart: at the page's N). A small α₀ averages the noise away but inherits the collaborators' bias; α₀ = 1 is the user alone. The best α₀ moves with N and ζ: the trade-off the paper's weights optimise.`,
      button: 'Run the (α₀, N) map',
      param: 'alpha0',
      values: ALPHA0,
      lines: [{ option: 'wga', slice: 200, set: { steps: 10000 } }],
      charts: [{
        className: 'alpha-chart', title: 'WGA error against α₀ at the N above', xLabel: 'α₀', yLabel: 'error', yLog: true,
        y: [{ metric: 'error' }],
      }],
      grid: { param: 'n', values: N_VALUES, metric: 'error', title: 'WGA error over (α₀, N)', xLabel: 'α₀', yLabel: 'N', log: true },
    },
    {
      title: 'The rate a of bias correction',
      text: (values) => `BC with a ∈ {${values.join(', ')}} and the other parameters above; the user alone is the dashed reference. Too slow a rate has not learned the bias within the horizon (the error keeps WGA's bias); too fast a rate lets c_t follow g₀'s own noise, which the correction then re-injects, and BC falls back towards alone (check PCL-5). The speedup needs a ≪ ημ.`,
      button: 'Run the rate sweep',
      param: 'rate',
      values: RATES,
      lines: [{ option: 'bc', label: 'bias correction', points: true, slice: 200 }],
      reference: { option: 'alone', label: 'alone', dash: [6, 4], slice: 2000 },
      charts: [{
        className: 'rate-chart', title: 'BC error at the horizon against its rate a', xLabel: 'a', yLabel: 'error', xLog: true, yLog: true,
        y: [{ metric: 'error' }],
      }],
    },
  ],
};

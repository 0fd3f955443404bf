// Page of even2021_continuized: continuized Nesterov acceleration (E1) and accelerated
// asynchronous gossip (E2), run side by side (the page-level state `experiments`). E1: the Poisson
// event raster of one run with its ODE mixing between jumps, log(f − f*) against time for the
// continuized method (mean log over runs, ±1σ), discrete Nesterov and gradient descent, and the
// random coefficients τ_k against Nesterov's deterministic one. E2: node values of both gossip
// algorithms animated on the graph, the log error against activations, and the rate against n
// on cycles with reference slopes −3 and −2.

import { Chart, alignCurves, markerHook } from '../plots.js';
import { GraphView } from '../canvas-figures.js';

const CONT = '#d62728';
const NEST = '#1f77b4';
const GD = '#7f7f7f';
const STD = '#1f77b4';
const ACC = '#d62728';
const REF = '#111111';

const byId = (runs, id) => runs.find((r) => r.id === id);
const empty = (k) => Array.from({ length: k }, () => []);
const curvesOf = (r, names, opts) => alignCurves(names.map((n) => ({ x: r.run.seriesX(n), y: r.run.seriesY(n) })), opts);

/** The event raster of E1's first run: its Poisson events (dashed lines) and one coordinate of x
 * and z, mixing along the ODE between events and jumping at them. */
function raster(host) {
  let markers = [];
  const chart = new Chart(host, {
    title: 'E1, run 0: Poisson events (dashed) and the ODE mixing of x and z between them (the coordinate of smallest curvature)',
    xLabel: 'continuous time t', yLabel: 'coordinate value',
    series: [{ label: 'x_t', color: CONT }, { label: 'z_t', color: NEST }],
    hooks: markerHook(() => markers),
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e1');
      if (!r) {
        chart.setData(empty(3));
        return;
      }
      const events = Array.from(r.run.vector('raster_events'));
      markers = events.map((x, k) => ({ x, label: k < 3 ? `T${k + 1}` : '', color: '#999999' }));
      chart.setData(['raster_t', 'raster_x', 'raster_z'].map((n) => Array.from(r.run.vector(n))));
    },
  };
}

/** log(f − f*) against time: continuized (geometric mean over runs, ±1σ of the log), Nesterov
 * and GD, with the theorem's bound. */
function decay(host) {
  const lines = [
    ['cont', 'continuized Nesterov (mean of log over runs)', CONT, undefined],
    ['cont_lo', 'continuized −1σ', CONT, [2, 3]],
    ['cont_hi', 'continuized +1σ', CONT, [2, 3]],
    ['nesterov', 'discrete Nesterov', NEST, undefined],
    ['gd', 'gradient descent (step 1/L)', GD, undefined],
    ['bound', 'guarantee of spec §3.1', REF, [8, 4]],
  ];
  const chart = new Chart(host, {
    title: 'E1: f − f* against time (one unit = one expected event = one discrete iteration)', xLabel: 'time t', yLabel: 'f − f*', yLog: true,
    series: lines.map(([, label, color, dash]) => ({ label, color, dash })),
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e1');
      chart.setData(r ? curvesOf(r, lines.map((l) => l[0]), { logY: true }) : empty(lines.length + 1));
    },
  };
}

/** The random coefficient τ_k over runs (mean, 10 % and 90 % quantiles) against the
 * deterministic Nesterov coefficient. */
function taus(host) {
  const names = ['tau_mean', 'tau_lo', 'tau_hi', 'tau_nesterov'];
  const chart = new Chart(host, {
    title: 'E1: the random mixing coefficient τ_k of the k-th event against Nesterov\'s', xLabel: 'event k', yLabel: 'τ_k', xLog: true, yLog: true,
    series: [
      { label: 'mean of τ_k over runs', color: CONT, markers: true },
      { label: '10 % quantile', color: CONT, dash: [2, 3] },
      { label: '90 % quantile', color: CONT, dash: [2, 3] },
      { label: 'Nesterov: 2/(k + 2) (convex) or √q/(1 + √q)', color: REF, dash: [8, 4] },
    ],
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e1');
      if (!r) {
        chart.setData(empty(5));
        return;
      }
      // k + 1 on the log axis (k starts at 0).
      const k = Array.from(r.run.vector('tau_k'), (v) => v + 1);
      chart.setData([k, ...names.map((n) => Array.from(r.run.vector(n)))]);
    },
  };
}

/** Node values of run 0 of both gossip algorithms on the graph, minus the mean, animated. */
function nodes(host) {
  const halves = [0, 1].map(() => {
    const div = document.createElement('div');
    div.className = 'gossip-graph';
    Object.assign(div.style, { display: 'inline-block', width: '49%', verticalAlign: 'top' });
    host.append(div);
    return div;
  });
  const views = [
    new GraphView(halves[0], { title: 'randomized gossip: x_v − x̄', aspect: 0.8 }),
    new GraphView(halves[1], { title: 'accelerated gossip: x_v(t) − x̄ (nodes flowed to t)', aspect: 0.8 }),
  ];
  let shown = null;
  let range = null;
  return {
    reset() {
      shown = null;
      range = null;
    },
    render(runs) {
      const r = byId(runs, 'e2');
      if (!r) return;
      if (shown !== r.run) {
        shown = r.run;
        const graph = { positions: r.run.vector('positions'), edges: Array.from(r.run.vector('edges')) };
        views.forEach((v) => v.setGraph(graph));
      }
      const std = Array.from(r.run.vector('values_std'));
      host.dataset.points = String(std.length); // for readers of the DOM, as plots.js's charts do
      const acc = Array.from(r.run.vector('values_acc'));
      const mean = std.reduce((s, v) => s + v, 0) / std.length;
      const dev = (v) => v.map((x) => x - mean);
      if (!range) {
        const m = Math.max(...dev(std).map(Math.abs)) || 1;
        range = { lo: -m, hi: m, signed: true };
      }
      const m = r.run.metrics();
      const at = `after ${m.activations ?? 0} activations`;
      views[0].setValues(dev(std), { range, caption: `${at}: relative error ${fmtE(m.err_std)}` });
      views[1].setValues(dev(acc), { range, caption: `${at}: relative error ${fmtE(m.err_acc)}` });
    },
  };
}

const fmtE = (v) => (Number.isFinite(v) ? v.toExponential(2) : '—');

/** ‖x − x̄‖²/‖x0 − x̄‖² against activations, both algorithms, with e^{−λ₂t} and e^{−ηt}. */
function errors(host) {
  const lines = [
    ['err_std', 'randomized gossip (mean of log over runs)', STD, undefined],
    ['err_std_lo', 'randomized ±1σ', STD, [2, 3]],
    ['err_std_hi', 'randomized +1σ', STD, [2, 3]],
    ['err_acc', 'accelerated gossip (mean of log over runs)', ACC, undefined],
    ['err_acc_lo', 'accelerated −1σ', ACC, [2, 3]],
    ['err_acc_hi', 'accelerated +1σ', ACC, [2, 3]],
    ['ref_lambda2', 'e^{−λ₂t}', STD, [8, 4]],
    ['ref_eta', 'e^{−ηt} (the accelerated guarantee\'s rate)', ACC, [8, 4]],
  ];
  const chart = new Chart(host, {
    title: 'E2: relative error ‖x − x̄‖² / ‖x0 − x̄‖² against activations', xLabel: 'activations', yLabel: 'relative error', yLog: true,
    series: lines.map(([, label, color, dash]) => ({ label, color, dash })),
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e2');
      chart.setData(r ? curvesOf(r, lines.map((l) => l[0]), { logY: true }) : empty(lines.length + 1));
    },
  };
}

const CYCLE_NS = [10, 14, 20, 28, 40, 56, 80];

export const page = {
  compare: { param: 'experiment', view: 'experiments' },
  // E1: one unit of time for every run (≈ runs × d work); E2: one activation of every run.
  slice: { e1: 40, e2: 1500 },
  runLabel: (id, state, label) => ({ e1: 'E1 (continuized Nesterov)', e2: 'E2 (gossip)' })[id] ?? label,
  divergence: (r) => (r.id === 'e2'
    ? 'accelerated gossip with η and γ′ above their derived values breaks the condition ηγ′ ≤ 1/(R²κ̃) and blows up (spec §3.4); the run stops there'
    : null),
  figure: [
    { className: 'raster-chart', make: raster, vectors: ['raster_events', 'raster_t', 'raster_x', 'raster_z'] },
    { className: 'decay-chart', make: decay },
  ],
  more: {
    heading: 'Random coefficients, and accelerated gossip',
    text: 'Sampled at its Poisson events the continuized process is Nesterov\'s method with random coefficients: in the convex case τ_k = 1 − (T_k/T_{k+1})², whose mean is exactly 2/(k + 2), Nesterov\'s coefficient. Gossip: each edge fires at rate 1/|E|; randomized gossip averages its two ends, accelerated gossip first lets both ends mix their (x, z) along their local ODE over the time since their last update, then moves x by half the difference and z by γ′ times it. The constants η and γ′ are our derivation, not the paper\'s (see fidelity).',
    charts: [
      { className: 'tau-chart', make: taus, vectors: ['tau_k', 'tau_mean', 'tau_lo', 'tau_hi', 'tau_nesterov'] },
      { className: 'graph-chart', make: nodes, vectors: ['positions', 'edges', 'values_std', 'values_acc'] },
      { className: 'gossip-chart', make: errors },
    ],
  },
  metrics: [
    ['E1: continuized decay per unit time', 'decay_cont'],
    ['E1: Nesterov / GD decay per iteration', ['decay_nesterov', 'decay_gd'], (a, b) => `${fmtE(a)} / ${fmtE(b)}`],
    ['E1: √(μ/L)', 'sqrt_q'],
    ['E1: continuized / Nesterov, / GD', ['ratio_to_nesterov', 'ratio_to_gd'], (a, b) => `${a?.toFixed(3) ?? '—'} / ${b?.toFixed(1) ?? '—'}`],
    ['E2: λ₂, χ₂', ['lambda2', 'chi2'], (a, b) => `${fmtE(a)}, ${b?.toFixed(2) ?? '—'}`],
    ['E2: η (derived)', 'eta_pred'],
    ['E2: rate, randomized / accelerated', ['rate_std', 'rate_acc'], (a, b) => `${fmtE(a)} / ${fmtE(b)}`],
    ['E2: speed-up (measured / √(χ₁/χ₂))', ['speedup', 'predicted_speedup'], (a, b) => `${a?.toFixed(2) ?? '—'} / ${b?.toFixed(2) ?? '—'}`],
    ['E2: mean drift (accelerated)', 'drift_acc'],
  ],
  sweeps: [
    {
      title: 'Rate against the size of a cycle',
      text: (values) => `Runs E2 on cycles of n ∈ {${values.join(', ')}} nodes (the other knobs above): randomized gossip's rate per activation falls like λ₂ ≈ 4π²/n³, the accelerated one like η ≈ √2·π/n², so the speed-up grows linearly in n.`,
      button: 'Run the cycle sweep',
      param: 'n',
      values: CYCLE_NS,
      lines: [{ option: 'e2', label: 'cycle', color: ACC, points: true, slice: 4000, set: { graph: 'cycle' } }],
      charts: [{
        className: 'rate-chart', title: 'Fitted rate per activation against n (cycle)', xLabel: 'n', yLabel: 'rate', xLog: true, yLog: true,
        y: [
          { metric: 'rate_std', label: () => 'randomized gossip' },
          { metric: 'rate_acc', label: () => 'accelerated gossip', dash: [6, 3] },
        ],
        guides: [
          { label: 'slope −3: 4π²/n³', color: STD, dash: [8, 4], y: (n) => (4 * Math.PI ** 2) / n ** 3 },
          { label: 'slope −2: √2·π/n²', color: ACC, dash: [8, 4], y: (n) => (Math.SQRT2 * Math.PI) / n ** 2 },
        ],
      }, {
        className: 'speedup-chart', title: 'Speed-up against n (cycle)', xLabel: 'n', yLabel: 'accelerated / randomized', xLog: true, yLog: true,
        y: [{ metric: 'speedup', label: () => 'measured' }, { metric: 'predicted_speedup', label: () => '√(χ₁/χ₂)', dash: [6, 3] }],
      }],
    },
  ],
};

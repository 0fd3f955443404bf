// Page of oufkir2022_closeness: sequential against batch closeness testing. Three experiments run
// side by side (the page-level state `experiments`): the live race of one run of tester (A), the
// E1 Monte-Carlo (A against the exact batch N of (B), n = 2) and the E2 Monte-Carlo (the grid
// tester (C) against its batch version (D), large n). Each chart reads the run it belongs to.

import { Chart, markerHook } from '../plots.js';
import { fmt } from '../page.js';

const SAME = '#1f77b4';
const DIFF = '#d62728';
const BATCH = '#555555';
const REF = '#9467bd';

const byId = (runs, id) => runs.find((r) => r.id === id);
const positive = (v) => Array.from(v, (x) => (Number.isFinite(x) && x > 0 ? x : null));
const finite = (v) => Array.from(v, (x) => (Number.isFinite(x) ? x : null));

/** Adds x = `at` (with gaps in every series) so that a marker there is inside the x range. */
function reach(data, at) {
  if (!Number.isFinite(at) || !data[0].length || at <= data[0][data[0].length - 1]) return data;
  return [[...data[0], at], ...data.slice(1).map((col) => [...col, null])];
}

/** The live race: Z_same and Z_far of one run of tester (A) against β(t, δ), the batch N marked. */
function race(host) {
  let markers = [];
  const chart = new Chart(host, {
    title: 'Live race: Z_same (evidence against H0) and Z_far (against H1) against β(t, δ)', xLabel: 'round t', yLabel: 'statistic',
    series: [
      { label: 'Z_same: above β → "different"', color: DIFF },
      { label: 'Z_far: above β → "same"', color: SAME },
      { label: 'β(t, δ) = ln(1/δ) + 2c·ln(1 + ln(1 + t))', color: '#111111', dash: [6, 4] },
    ],
    hooks: markerHook(() => markers),
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'race');
      if (!r) {
        chart.setData([[], [], [], []]);
        return;
      }
      const m = r.run.metrics();
      markers = [];
      if (m.batch_n) markers.push({ x: m.batch_n, label: `batch N = ${m.batch_n} (exact test B)`, color: BATCH });
      if (m.tau) markers.push({ x: m.tau, label: `τ = ${m.tau}: ${m.decision === 1 ? 'different' : 'same'}`, color: m.decision === 1 ? DIFF : SAME });
      const data = [r.run.seriesX('z_same'), ...['z_same', 'z_far', 'beta'].map((n) => finite(r.run.seriesY(n)))];
      chart.setData(reach(data.map((c) => Array.from(c)), m.batch_n * 1.04));
    },
  };
}

/** Histograms of τ under H0 and H1 at the page's δ (E1), with the batch N marked. */
function histogram(host) {
  let markers = [];
  const chart = new Chart(host, {
    title: 'E1: stopping times τ of tester (A) at the race\'s δ, under H0 and H1', xLabel: 'τ (rounds)', yLabel: 'runs',
    series: [{ label: 'H0: D1 = D2', color: SAME, bars: true }, { label: 'H1: TV = ε', color: DIFF, bars: true }],
    hooks: markerHook(() => markers),
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e1');
      const [h0, h1] = r ? ['tau_h0', 'tau_h1'].map((n) => Array.from(r.run.vector(n))) : [[], []];
      const all = [...h0, ...h1];
      if (!all.length) {
        chart.setData([[], [], []]);
        return;
      }
      const m = r.run.metrics();
      const lo = Math.min(...all);
      const hi = Math.max(...all);
      const bins = 30;
      const width = Math.max(1, Math.ceil((hi - lo + 1) / bins));
      const count = (xs) => {
        const c = new Array(bins).fill(0);
        for (const x of xs) c[Math.min(bins - 1, Math.floor((x - lo) / width))] += 1;
        return c;
      };
      const centres = Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width);
      markers = [
        ...(m.batch_n ? [{ x: m.batch_n, label: `batch N = ${m.batch_n}`, color: BATCH }] : []),
        ...(m.tau_h0_mean ? [{ x: m.tau_h0_mean, label: 'E[τ|H0]', color: SAME }] : []),
        ...(m.tau_h1_mean ? [{ x: m.tau_h1_mean, label: 'E[τ|H1]', color: DIFF }] : []),
      ];
      chart.setData(reach([centres, count(h0), count(h1)], m.batch_n * 1.04));
    },
  };
}

/** R(δ) = N/max(E[τ|H0], E[τ|H1]) against log10(1/δ), with the asymptote 4 (E1). */
function gain(host) {
  const chart = new Chart(host, {
    title: 'E1: gain R = N / max E[τ] of the sequential tester over the best batch test', xLabel: 'log10(1/δ)', yLabel: 'R',
    series: [
      { label: 'R(δ) measured', color: DIFF, markers: true },
      { label: 'asymptote 4 (δ → 0)', color: '#111111', dash: [6, 4] },
      { label: 'R = 1: no gain', color: BATCH, dash: [2, 4] },
    ],
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e1');
      const x = r ? Array.from(r.run.vector('log10_inv_delta')) : [];
      const y = r ? finite(r.run.vector('ratio_by_delta')) : [];
      chart.setData([x, y, x.map(() => 4), x.map(() => 1)]);
    },
  };
}

/** E[τ] of tester (C) against θ, both families, with the batch cost and the reference rates (E2). */
function adaptivity(host) {
  const chart = new Chart(host, {
    title: 'E2: samples of the grid tester (C) against the true distance θ', xLabel: 'θ = TV(D1, D2)', yLabel: 'samples', xLog: true, yLog: true,
    series: [
      { label: 'family B (heavy + disjoint light)', color: DIFF, markers: true },
      { label: 'family A (uniform ± perturbation)', color: '#ff7f0e', markers: true },
      { label: 'batch (D) at ε: 2m(ε, ln 1/δ)', color: BATCH, dash: [6, 4] },
      { label: '(C) under H0 (θ = 0)', color: SAME, dash: [2, 4] },
      { label: 'n^{2/3}·θ^{-4/3}', color: REF, dash: [3, 3] },
      { label: '√n·θ^{-2}', color: '#8c564b', dash: [3, 3] },
      { label: 'n·θ^{-2}', color: '#7f7f7f', dash: [3, 3] },
    ],
  });
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e2');
      if (!r) {
        chart.setData([[], [], [], [], [], [], [], []]);
        return;
      }
      const v = (n) => positive(r.run.vector(n));
      chart.setData([Array.from(r.run.vector('thetas')), ...['samples_b', 'samples_a', 'batch_line', 'h0_line', 'ref_n23', 'ref_sqrt', 'ref_lin'].map(v)]);
    },
  };
}

/** Tester (C) stage by stage on one run: Z_k against its Bernstein threshold. */
function timeline(host) {
  let markers = [];
  const chart = new Chart(host, {
    title: 'E2: one run of tester (C), stage by stage (the family and e2_theta above)', xLabel: 'samples used so far', yLabel: 'statistic', xLog: true,
    series: [
      { label: 'Z_k (closeness statistic)', color: DIFF, markers: true },
      { label: 'threshold √(2VL_k) + (max S − 1)L_k/3', color: '#111111', markers: true, dash: [6, 4] },
    ],
    hooks: markerHook(() => markers),
  });
  const caption = document.createElement('p');
  caption.className = 'stage-caption';
  host.after(caption);
  return {
    reset() {},
    render(runs) {
      const r = byId(runs, 'e2');
      const [x, z, thr, eps, m] = r ? ['stage_samples', 'stage_z', 'stage_thr', 'stage_eps', 'stage_m'].map((n) => Array.from(r.run.vector(n))) : [[], [], [], [], []];
      const metrics = r ? r.run.metrics() : {};
      markers = [];
      if (metrics.batch_expected) markers.push({ x: metrics.batch_expected, label: 'batch (D)', color: BATCH });
      if (x.length && metrics.timeline_decision !== undefined) {
        markers.push({ x: x[x.length - 1], label: metrics.timeline_decision === 1 ? 'rejects: different' : 'ends: same', color: metrics.timeline_decision === 1 ? DIFF : SAME });
      }
      caption.textContent = x.length
        ? `Stages: ${eps.map((e, i) => `k = ${i + 1}: ε_k = ${fmt(e)}, m_k = ${fmt(Math.round(m[i]))}`).join('; ')}.`
        : '';
      chart.setData(reach([x, finite(z), finite(thr)], metrics.batch_expected * 1.1));
    },
  };
}

export const page = {
  compare: { param: 'experiment', view: 'experiments' },
  // One round of the race per slice (it stays visible while E1 and E2 share the frames); one
  // sample path of E1 and one (run, instance) cell of E2.
  slice: { race: 1, e1: 1, e2: 1 },
  runLabel: (id, state, label) => ({ race: 'race (A)', e1: 'E1 (A vs B)', e2: 'E2 (C vs D)' })[id] ?? label,
  figure: [{ className: 'race-chart', make: race }],
  more: {
    heading: 'Sequential against batch, over many runs',
    text: 'E1 (n = 2): the sequential tester (A) under H0 and H1 at δ = 5e-2 … 1e-8, against the smallest N for which the optimal batch threshold test (B) has both errors ≤ δ, computed exactly. E2 (large n): the geometric-grid tester (C), which doubles its effort stage by stage and stops at the first rejection, against its one-stage batch version (D); under H0 it pays a constant factor, when far it stops early. Our testers, not the paper\'s statistics.',
    charts: [
      { className: 'tau-chart', make: histogram, vectors: ['tau_h0', 'tau_h1'] },
      { className: 'gain-chart', make: gain, vectors: ['log10_inv_delta', 'ratio_by_delta'] },
      { className: 'theta-chart', make: adaptivity, vectors: ['thetas', 'samples_a', 'samples_b', 'batch_line', 'h0_line', 'ref_n23', 'ref_sqrt', 'ref_lin'] },
      { className: 'stage-chart', make: timeline, vectors: ['stage_samples', 'stage_z', 'stage_thr', 'stage_eps', 'stage_m'] },
    ],
  },
  metrics: [
    ['τ (race)', 'tau'],
    ['answer', ['decision'], (d) => (d === 1 ? 'different' : d === 0 ? 'same' : '—')],
    ['batch N (exact)', 'batch_n'],
    ['N, normal approx.', 'batch_n_normal'],
    ['E[τ|H0]', 'tau_h0_mean'],
    ['E[τ|H1]', 'tau_h1_mean'],
    ['R = N/max E[τ]', 'ratio'],
    ['errors H0 / H1', ['error_rate_h0', 'error_rate_h1'], (a, b) => `${fmt(a)} / ${fmt(b)}`],
    ['E2: (C) under H0 / batch', 'h0_overhead'],
    ['E2: slope, family B', 'slope_b'],
  ],
  sweeps: [
    {
      title: 'The gain against ε',
      text: (values) => `Runs E1 at ε ∈ {${values.join(', ')}} with the other parameters above (δ of the race): the gain R = N/max E[τ] depends little on ε, because both N and E[τ] scale as 1/ε².`,
      button: 'Run the ε sweep',
      className: 'eps-chart',
      chart: { title: 'R at the race\'s δ against ε', xLabel: 'ε', yLabel: 'R' },
      param: 'eps',
      values: [0.1, 0.15, 0.2, 0.3, 0.4],
      lines: [{ option: 'e1', label: 'R(ε)', color: DIFF, points: true, slice: 2 }],
      metric: 'ratio',
    },
    {
      title: 'The price of not knowing the distance: the grid ratio',
      text: (values) => `Runs E2 with the grid ratio r ∈ {${values.map((v) => Number(v.toFixed(3))).join(', ')}}: under H0, tester (C) pays for every stage before the last, E[τ_seq | H0]/batch; a coarser grid (smaller r) pays less there but overshoots more when far.`,
      button: 'Run the grid-ratio sweep',
      className: 'ratio-chart',
      chart: { title: 'E[τ_seq | H0] / batch against the grid ratio r', xLabel: 'r', yLabel: 'overhead under H0' },
      param: 'grid_ratio',
      values: [0.4, 0.5, 0.6, 0.6666666666666666, 0.75, 0.85],
      lines: [{ option: 'e2', label: 'H0 overhead', color: SAME, points: true, slice: 2 }],
      metric: 'h0_overhead',
    },
  ],
};

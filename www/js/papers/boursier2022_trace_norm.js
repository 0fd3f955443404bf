// Page of boursier2022_trace_norm: multi-task linear regression with a shared low-dimensional
// representation. The trace-norm estimate by FISTA (its rank and errors per iteration, drawn as the
// run plays) against per-task least squares, the method of moments and the oracle on the same data;
// the singular values of Ŵ against the soft-threshold; the meta-learning panel; and the paper's two
// panels (Frobenius error, sine) against T, m or σ, and against the λ multiplier.

import { Chart } from '../plots.js';

const NUC = '#d62728';
const SINGLE = '#1f77b4';
const ORACLE = '#2ca02c';
const MOM = '#9467bd';
const NONE = '#7f7f7f';
const positive = (v) => Array.from(v, (x) => (Number.isFinite(x) && x > 0 ? x : null));

/** Singular values of the last gradient step Z, of Ŵ = Prox(Z) and of W*, with the cut τ. */
function spectrum(host) {
  const chart = new Chart(host, {
    title: 'Singular values: Z = Y − η∇loss before the threshold, Ŵ after it, and W*', xLabel: 'index', yLabel: 'singular value', yLog: true, xInteger: true,
    series: [
      { label: 'Z (last gradient step)', color: SINGLE, points: true },
      { label: 'Ŵ = Prox(Z): (s − τ)₊', color: NUC, points: true },
      { label: 'W* (rank k)', color: ORACLE, points: true },
      { label: 'soft-threshold τ = ηλ/√T', color: '#111111', dash: [6, 4] },
    ],
  });
  return {
    reset() {},
    render(runs) {
      const run = runs[0]?.run;
      if (!run) return;
      const [z, w, truth] = ['singular_values_z', 'singular_values', 'singular_values_true'].map((n) => positive(run.vector(n)));
      const tau = run.metrics().tau;
      chart.setData([z.map((_, i) => i + 1), z, w, truth, z.map(() => tau)]);
    },
  };
}

/** Meta-learning: a new task's ‖ŵ − w*‖² against its number of samples m′, per subspace. */
function meta(host) {
  const lines = [
    ['meta_nuc', 'trace norm subspace', NUC],
    ['meta_single', 'single-task subspace', SINGLE],
    ['meta_mom', 'method-of-moments subspace', MOM],
    ['meta_oracle', 'true subspace B*', ORACLE],
    ['meta_none', 'no subspace (least squares in R^d)', NONE],
  ];
  const chart = new Chart(host, {
    title: 'Meta-learning: a new task fitted inside the learned subspace', xLabel: 'samples of the new task m′', yLabel: 'mean ‖ŵ − w*‖²', yLog: true, xInteger: true,
    series: lines.map(([, label, color]) => ({ label, color, points: true })),
  });
  return {
    reset() {},
    render(runs) {
      const run = runs[0]?.run;
      const x = run ? Array.from(run.vector('meta_m')) : [];
      chart.setData([x, ...lines.map(([name]) => (run && x.length ? positive(run.vector(name)) : []))]);
    },
  };
}

/** The paper's two panels against a swept parameter. */
const panels = (xLabel, xLog) => [
  {
    className: 'sweep-frob', title: 'Normalised Frobenius error ‖Ŵ − W*‖_F/√T', xLabel, yLabel: '‖Ŵ − W*‖_F/√T', xLog,
    y: [
      { metric: 'frob_nuc', label: () => 'trace norm', points: true },
      { metric: 'frob_single', label: () => 'single-task', points: true },
      { metric: 'frob_mom', label: () => 'method of moments', points: true },
      { metric: 'frob_oracle', label: () => 'oracle', points: true, dash: [6, 4] },
    ],
  },
  {
    className: 'sweep-sine', title: 'Sine of the angle to the true subspace', xLabel, yLabel: 'sin θ', xLog, range: [0, 1],
    y: [
      { metric: 'sine_nuc', label: () => 'trace norm', points: true },
      { metric: 'sine_single', label: () => 'single-task', points: true },
      { metric: 'sine_mom', label: () => 'method of moments', points: true },
    ],
  },
];
const SWEEP_LINE = [{ label: 'this setting', slice: 100, set: { meta_tasks: 0 } }];

export const page = {
  run: { id: 'nuc', label: (state) => `T = ${state.params.get('tasks')}, m = ${state.params.get('m')}, d = ${state.params.get('d')}`, color: NUC, slice: 20 },
  figure: [
    {
      className: 'rank-chart', title: 'FISTA: rank of Ŵ per iteration (the true rank k dashed)', xLabel: 'FISTA iteration', yLabel: 'rank',
      curves: [{ series: 'rank', label: () => 'rank of Ŵ', color: NUC }],
      levels: [{ metric: 'k_true', label: 'k', color: ORACLE, dash: [6, 4] }],
    },
    {
      className: 'frob-chart', title: 'Frobenius error per iteration, against the baselines (flat)', xLabel: 'FISTA iteration', yLabel: '‖Ŵ − W*‖_F/√T', yLog: true,
      curves: [{ series: 'frob_nuc', label: () => 'trace norm (FISTA)', color: NUC }],
      levels: [
        { metric: 'frob_single', label: 'single-task', color: SINGLE, dash: [6, 4] },
        { metric: 'frob_mom', label: 'method of moments', color: MOM, dash: [6, 4] },
        { metric: 'frob_oracle', label: 'oracle', color: ORACLE, dash: [6, 4] },
      ],
    },
    {
      className: 'sine-chart', title: 'Sine of the angle between the top-k subspace and B*', xLabel: 'FISTA iteration', yLabel: 'sin θ', range: [0, 1],
      curves: [{ series: 'sine_nuc', label: () => 'trace norm (FISTA)', color: NUC }],
      levels: [
        { metric: 'sine_single', label: 'single-task', color: SINGLE, dash: [6, 4] },
        { metric: 'sine_mom', label: 'method of moments', color: MOM, dash: [6, 4] },
      ],
    },
  ],
  more: {
    heading: 'The soft-threshold and meta-learning',
    text: 'Each FISTA iteration takes a gradient step Z and shrinks its singular values by τ = ηλ/√T: those below τ are cut to zero, which sets the rank of Ŵ. At the theoretical λ the cut keeps more than k directions (the rank chart above); a larger λ multiplier cuts more. Below it, a new task with m′ samples is fitted by least squares inside each learned subspace: a good subspace needs only about k samples, plain least squares in R^d needs d.',
    charts: [
      { className: 'spectrum-chart', make: spectrum, vectors: ['singular_values_z', 'singular_values', 'singular_values_true'] },
      { className: 'meta-chart', make: meta, vectors: ['meta_m', 'meta_nuc', 'meta_single', 'meta_mom', 'meta_oracle', 'meta_none'] },
    ],
  },
  metrics: [
    ['frob: trace norm', 'frob_nuc'],
    ['frob: single-task', 'frob_single'],
    ['frob: method of moments', 'frob_mom'],
    ['frob: oracle', 'frob_oracle'],
    ['σ√(k/(m − k − 1))', 'oracle_reference'],
    ['sine: trace norm', 'sine_nuc'],
    ['sine: single-task', 'sine_single'],
    ['sine: method of moments', 'sine_mom'],
    ['rank of Ŵ', 'rank_nuc'],
    ['λ', 'lambda'],
    ['τ = ηλ/√T', 'tau'],
    ['objective', 'objective'],
  ],
  sweeps: [
    {
      title: 'More tasks (the paper\'s Figs. 1, 2, 4)',
      text: (values) => `Every estimator at T ∈ {${values.join(', ')}} with the other parameters above. The trace-norm error falls towards the oracle's as T grows, and its subspace improves, while single-task least squares does not share anything across tasks and stays flat.`,
      button: 'Run the T sweep',
      param: 'tasks',
      values: [25, 50, 100, 200, 400],
      lines: SWEEP_LINE,
      charts: panels('tasks T', true),
    },
    {
      title: 'Samples per task (Fig. 3)',
      text: (values) => `m ∈ {${values.join(', ')}}. Single-task least squares is flat below d (it fits the minimum-norm solution) and blows up at m = d, where each task solves a square system; the trace norm degrades gracefully.`,
      button: 'Run the m sweep',
      param: 'm',
      values: [5, 6, 8, 10, 12, 15, 19, 24, 30],
      lines: SWEEP_LINE,
      charts: panels('samples per task m', true),
    },
    {
      title: 'Label noise (Fig. 5)',
      text: (values) => `σ ∈ {${values.join(', ')}} (λ follows σ).`,
      button: 'Run the σ sweep',
      param: 'sigma',
      values: [0.001, 0.0018, 0.0032, 0.0058, 0.0104, 0.0186, 0.0334, 0.0599, 0.108, 0.193, 0.346, 0.621, 1.11, 2.0],
      lines: SWEEP_LINE,
      charts: panels('noise σ', true),
    },
    {
      title: 'The λ multiplier',
      text: (values) => `λ = (${values.join(', ')}) × the theoretical λ: a small λ keeps many directions (a high rank, close to single-task least squares), a large one cuts below k and biases the estimate.`,
      button: 'Run the λ sweep',
      param: 'lambda_mult',
      values: [0.1, 0.2, 0.5, 1, 2, 5, 10],
      lines: SWEEP_LINE,
      charts: [
        {
          className: 'lambda-rank', title: 'Rank of Ŵ against the λ multiplier', xLabel: 'λ / λ_theory', yLabel: 'rank', xLog: true,
          y: [{ metric: 'rank_nuc', label: () => 'rank of Ŵ', points: true }, { metric: 'k_true', label: () => 'k', dash: [6, 4] }],
        },
        {
          className: 'lambda-error', title: 'Errors against the λ multiplier', xLabel: 'λ / λ_theory', yLabel: 'value', xLog: true,
          y: [{ metric: 'frob_nuc', label: () => 'frob, trace norm', points: true }, { metric: 'sine_nuc', label: () => 'sine, trace norm', points: true }],
        },
      ],
    },
  ],
};

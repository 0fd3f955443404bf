// Page of andriushchenko2022_sam: SAM on diagonal linear networks. Several algorithms run side by
// side on the same data draw; curves, coefficients and effective initialisations update live.

import { Chart, PALETTE, alignCurves } from '../plots.js';
import { Player } from '../player.js';
import { renderControls } from '../controls.js';
import { renderVerifyPanel } from '../verify.js';
import { makeHash, writeHash, showHashError } from '../state.js';

const ALGOS = [
  { id: 'gd', label: 'GD' },
  { id: 'sgd', label: 'SGD (batch 1)' },
  { id: 'nsam', label: 'n-SAM (ascent ρ∇L)' },
  { id: '1sam', label: '1-SAM (notebook: ascent 2ρ∇ℓₖ)' },
  { id: 'msam', label: 'm-SAM (unified: ascent ρ∇L_G)' },
];
const DEFAULT_ALGOS = ['gd', 'nsam', '1sam'];
const SLICE = 250; // iterations per run per slice of work

const fmt = (v) =>
  v == null || !Number.isFinite(v) ? '—' : Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(3);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs);
  e.append(...children);
  return e;
}

/** Parses the page state (seed, algorithms, schema values) out of the hash values. */
function stateFrom(paper, values) {
  const state = { seed: values.get('seed') ?? '0', algos: DEFAULT_ALGOS, params: new Map(), embed: values.get('embed') === '1' };
  if (values.has('algos')) state.algos = values.get('algos').split(',').filter(Boolean);
  for (const p of paper.schema.params) if (p.name !== 'algo') state.params.set(p.name, values.get(p.name) ?? p.default);
  return state;
}

/** Checks a candidate state with the core; returns an error message or null. */
function validate(b, slug, state) {
  const unknown = state.algos.filter((a) => !ALGOS.some((x) => x.id === a));
  if (unknown.length || state.algos.length === 0)
    return `invalid value for \`algos\`: "${state.algos.join(',')}" (allowed: a non-empty list of ${ALGOS.map((a) => a.id).join(', ')})`;
  const seed = Number(state.seed);
  if (!/^\d+$/.test(state.seed)) return `invalid value for \`seed\`: "${state.seed}" (allowed: a non-negative integer)`;
  try {
    for (const algo of state.algos) b.validateParams(slug, { ...Object.fromEntries(state.params), algo }, seed);
  } catch (e) {
    return String(e.message ?? e);
  }
  return null;
}

export function renderSamPage(root, b, paper, initialValues) {
  const slug = paper.slug;
  let state = stateFrom(paper, new Map());
  let runs = [];

  // ---- layout ----------------------------------------------------------------------------------
  root.replaceChildren();
  const head = el('section', { className: 'paper-head' },
    el('h1', { textContent: paper.title }),
    el('p', { className: 'meta', textContent: `${paper.authors} · ${paper.venue} · arXiv:${paper.arxiv} · official code ${paper.code}` }),
    el('p', { className: 'claim', textContent: paper.claim }),
    el('p', { className: 'fidelity', textContent:
      'Paper fidelity: the algorithms and the notebook preset follow the official code exactly (the notebook preset reproduces its printed test losses to ≥ 6 digits). ' +
      'The exact constants of the paper\'s α∞ theorem are recalled, not checked against the PDF, so this page measures the effective initialisation instead of assuming it. ' +
      'ρ conventions differ: 1-SAM ascends 2ρ∇ℓₖ (notebook), n-SAM and m-SAM ascend ρ∇L (unified; m = 1 equals 1-SAM at ρ/2).' }));
  const controls = el('section', { className: 'controls' });
  const algoBox = el('fieldset', { className: 'algos' }, el('legend', { textContent: 'Algorithms' }));
  const checkboxes = new Map();
  ALGOS.forEach((a, i) => {
    const cb = el('input', { type: 'checkbox', name: `algo-${a.id}`, value: a.id });
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = PALETTE[i];
    checkboxes.set(a.id, cb);
    cb.addEventListener('change', () => {
      const algos = ALGOS.map((x) => x.id).filter((id) => checkboxes.get(id).checked);
      apply({ ...state, algos }, 'control');
    });
    algoBox.append(el('label', {}, cb, swatch, a.label));
  });
  const seedBox = el('input', { type: 'number', name: 'seed', min: 0, step: 1 });
  seedBox.addEventListener('change', () => apply({ ...state, seed: seedBox.value }, 'control'));
  const paramBox = el('div', { className: 'params' });
  const controlError = el('p', { className: 'control-error', role: 'alert', hidden: true });
  controls.append(algoBox, el('label', { className: 'control' }, el('span', { className: 'name', textContent: 'seed' }), seedBox), paramBox, controlError);
  const setters = renderControls(paramBox, paper.schema, state.params, (name, text) => {
    const params = new Map(state.params);
    params.set(name, text);
    apply({ ...state, params }, 'control');
  }, ['algo']);

  const playBtn = el('button', { className: 'play', textContent: 'Play' });
  const stepBtn = el('button', { className: 'step', textContent: 'Step' });
  const resetBtn = el('button', { className: 'reset', textContent: 'Reset' });
  const progress = el('span', { className: 'progress' });
  const bar = el('div', { className: 'player' }, playBtn, stepBtn, resetBtn, progress);

  const lossEl = el('div', { className: 'chart loss-chart' });
  const betaEl = el('div', { className: 'chart beta-chart' });
  const alphaEl = el('div', { className: 'chart alpha-chart' });
  const table = el('table', { className: 'metrics' });
  const notes = el('ul', { className: 'notes' });
  const figure = el('section', { className: 'figure' }, bar, lossEl);
  const more = el('section', { className: 'more' },
    el('h2', { textContent: 'Learned coefficients and effective initialisation' }),
    el('p', { textContent: 'β against the sparse truth β*, and α∞ = √(u² − v²) per coordinate: a smaller α∞ means a sparser (ℓ1-like) implicit bias. The prediction error compares β with the hyperbolic-entropy interpolator of the measured α∞.' }),
    betaEl, alphaEl, table, notes);
  const embed = el('section', { className: 'embed' }, el('h2', { textContent: 'Embed this figure' }));
  const embedCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code' });
  embed.append(el('p', { textContent: 'Paste into a blog post; the link carries every parameter and the seed.' }), embedCode);

  root.append(head, controls, figure, more);
  renderVerifyPanel(root, slug);
  root.append(embed);

  const lossChart = new Chart(lossEl, { title: 'Train (dashed) and test (solid) loss', xLabel: 'iteration', yLabel: 'loss', xLog: true, yLog: true, series: [] });
  const betaChart = new Chart(betaEl, { title: 'β (points) against β* (bars)', xLabel: 'coordinate', yLabel: 'β', series: [] });
  const alphaChart = new Chart(alphaEl, { title: 'Effective initialisation α∞ per coordinate', xLabel: 'coordinate', yLabel: 'α∞', yLog: true, series: [] });

  // ---- runs ------------------------------------------------------------------------------------
  const player = new Player({
    advance: () => {
      let more = false;
      for (const r of runs) {
        if (r.progress.status.state !== 'running') continue;
        r.progress = r.run.step(SLICE);
        more ||= r.progress.status.state === 'running';
      }
      return more;
    },
    render,
    onState: (playing) => {
      playBtn.textContent = playing ? 'Pause' : 'Play';
      root.dataset.playing = playing ? '1' : '0';
    },
  });
  playBtn.addEventListener('click', () => (player.playing ? player.pause() : player.play()));
  stepBtn.addEventListener('click', () => player.step());
  resetBtn.addEventListener('click', () => rebuild());

  function algoLabel(id) {
    const base = ALGOS.find((a) => a.id === id).label;
    return id === 'msam' ? `${base}, m=${state.params.get('m')}` : base;
  }

  function rebuild() {
    player.pause();
    for (const r of runs) r.run.free();
    runs = state.algos.map((algo) => {
      const run = new b.Run(slug, { ...Object.fromEntries(state.params), algo }, Number(state.seed));
      return { algo, run, progress: run.progress(), color: PALETTE[ALGOS.findIndex((a) => a.id === algo)] };
    });
    lossChart.setSeries(runs.flatMap((r) => [
      { label: `${algoLabel(r.algo)} test`, color: r.color },
      { label: `${algoLabel(r.algo)} train`, color: r.color, dash: [6, 4] },
    ]));
    betaChart.setSeries([{ label: 'β*', color: '#888888', bars: true }, ...runs.map((r) => ({ label: algoLabel(r.algo), color: r.color, points: true }))]);
    alphaChart.setSeries(runs.map((r) => ({ label: algoLabel(r.algo), color: r.color, points: true })));
    render();
  }

  function render() {
    const curves = runs.flatMap((r) => ['test_loss', 'train_loss'].map((name) => ({ x: r.run.seriesX(name), y: r.run.seriesY(name) })));
    lossChart.setData(alignCurves(curves, { logX: true, logY: true }));
    const d = Number(state.params.get('d'));
    const xs = Array.from({ length: d }, (_, j) => j);
    const finite = (v) => Array.from(v, (x) => (Number.isFinite(x) ? x : null));
    const betaStar = runs.length ? finite(runs[0].run.vector('beta_star')) : [];
    betaChart.setData([xs, betaStar, ...runs.map((r) => finite(r.run.vector('beta')))]);
    alphaChart.setData([xs, ...runs.map((r) => Array.from(r.run.vector('alpha_eff'), (x) => (x > 0 ? x : null)))]);
    renderTable();
    const done = runs.reduce((s, r) => s + r.progress.done, 0);
    const total = runs.reduce((s, r) => s + r.progress.total, 0);
    progress.textContent = `${done.toLocaleString()} / ${total.toLocaleString()} iterations`;
    root.dataset.done = String(done);
    root.dataset.finished = runs.every((r) => r.progress.status.state !== 'running') ? '1' : '0';
  }

  function renderTable() {
    const cols = [
      ['status', (r, m) => (r.progress.status.state === 'diverged' ? `diverged at step ${r.progress.status.step}` : r.progress.status.state)],
      ['train loss', (r, m) => fmt(m.train_loss)],
      ['test loss', (r, m) => fmt(m.test_loss)],
      ['‖β‖₁', (r, m) => fmt(m.l1_norm)],
      ['median ln(α∞/α)', (r, m) => fmt(m.median_log_alpha_ratio)],
      ['sign flips', (r, m) => fmt(m.sign_flips)],
      ['prediction error', (r, m) => fmt(m.prediction_rel_err)],
    ];
    table.replaceChildren();
    const hr = table.createTHead().insertRow();
    for (const h of ['algorithm', ...cols.map((c) => c[0])]) hr.append(el('th', { textContent: h }));
    const body = table.createTBody();
    notes.replaceChildren();
    for (const r of runs) {
      const m = r.run.metrics();
      const tr = body.insertRow();
      tr.dataset.algo = r.algo;
      tr.insertCell().textContent = algoLabel(r.algo);
      for (const [, f] of cols) tr.insertCell().textContent = f(r, m);
      for (const n of r.run.notes()) notes.append(el('li', { textContent: `${algoLabel(r.algo)}: ${n}` }));
    }
  }

  // ---- state -----------------------------------------------------------------------------------
  function syncControls() {
    for (const [id, cb] of checkboxes) cb.checked = state.algos.includes(id);
    seedBox.value = state.seed;
    for (const [name, text] of state.params) setters.set(name, text);
  }

  function hashOf(s) {
    const entries = [['seed', s.seed], ['algos', s.algos.join(',')], ...s.params];
    if (s.embed) entries.push(['embed', '1']);
    return makeHash(slug, entries);
  }

  function apply(candidate, source) {
    const error = validate(b, slug, candidate);
    if (error) {
      if (source === 'url') showHashError(error);
      controlError.hidden = source === 'url';
      controlError.textContent = error;
      syncControls();
      return false;
    }
    showHashError(null);
    controlError.hidden = true;
    const wasPlaying = player.playing;
    state = candidate;
    writeHash(hashOf(state));
    syncControls();
    const url = new URL(location.href);
    url.hash = hashOf({ ...state, embed: true }).slice(1);
    embedCode.value = `<iframe src="${url.href}" width="720" height="420" style="border:0" title="${paper.title}"></iframe>`;
    root.classList.toggle('embedded', state.embed);
    document.body.classList.toggle('embed-mode', state.embed);
    rebuild();
    if (wasPlaying) player.play();
    return true;
  }

  apply(state, 'control');
  if (initialValues.size) apply(stateFrom(paper, initialValues), 'url');

  return {
    /** A new hash for this page arrived (user edit or navigation). */
    onHash(values) {
      apply(stateFrom(paper, values), 'url');
    },
    dispose() {
      player.pause();
      for (const r of runs) r.run.free();
      runs = [];
    },
  };
}

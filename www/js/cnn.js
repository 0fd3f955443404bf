// The section of a paper page for one of its registry "parts" that train on a real dataset (such
// as the SAM paper's `cnn`): the part's runs (e.g. ERM and SAM) trained side by side in a Worker —
// on WebGPU when the browser exposes it, otherwise on the wasm CPU backend with a visible notice.
// Everything paper-specific (runs, texts, table columns, quick defaults, dataset file) comes from
// the part. Its parameters and page-level state live in the URL hash as `<part>.<name>`, next to
// the page's own, so a link reproduces the run.

import { Chart, PALETTE } from './plots.js';
import { renderControls } from './controls.js';
import { el, fmt, scrollable } from './page.js';

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
  const PREFIX = `${part.name}.`;
  const RUNS = part.runs.map((r) => ({ ...r, color: PALETTE[r.palette] }));
  const pageDefaults = Object.fromEntries(part.page_defaults);
  // The parameters a run sets itself have no control.
  const skip = [...new Set(part.runs.flatMap((r) => r.overrides.map(([k]) => k)))];
  const names = part.schema.params.filter((p) => !skip.includes(p.name)).map((p) => p.name);
  const viewNames = part.view.params.map((p) => p.name);
  /** The section state a link describes (absent keys take the page defaults). */
  const stateFrom = (values) => ({
    params: new Map(names.map((n) => [n, values.get(PREFIX + n) ?? pageDefaults[n] ?? part.schema.params.find((p) => p.name === n).default])),
    view: new Map(part.view.params.map((p) => [p.name, values.get(PREFIX + p.name) ?? p.default])),
  });
  /** Hash entries `<part>.*` of a section state. */
  const entriesOf = (s) => [...s.params, ...s.view].map(([k, v]) => [PREFIX + k, v]);
  let state = stateFrom(new Map());
  const section = el('section', { className: 'cnn-section' });
  section.dataset.state = 'idle';
  const backendNote = el('p', { className: 'backend-note', role: 'status', textContent: 'Backend: chosen when training starts (WebGPU if this browser has it, else the CPU).' });
  const controlsBox = el('div', { className: 'controls' });
  const error = el('p', { className: 'control-error', role: 'alert', hidden: true });
  const paramBox = el('div', { className: 'params' });
  const trainLabel = `Train ${RUNS.map((r) => r.label).join(' and ')}`;
  const trainBtn = el('button', { className: 'cnn-train', textContent: trainLabel });
  const pauseBtn = el('button', { className: 'cnn-pause', textContent: 'Pause', disabled: true });
  const status = el('span', { className: 'progress' });
  const timing = el('p', { className: 'timing' });
  const accEl = el('div', { className: 'chart cnn-accuracy' });
  const lossEl = el('div', { className: 'chart cnn-loss' });
  const table = el('table', { className: 'metrics cnn-metrics' });
  section.append(
    el('h2', { textContent: part.heading }),
    el('p', { textContent: `${part.title}. ${part.text}` }),
    el('p', { className: 'fidelity', textContent: `Reconstruction: ${part.fidelity}` }),
    controlsBox,
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
  // The page-level controls (e.g. the backend) come first, then the part's parameters.
  const viewSetters = renderControls(controlsBox, part.view, state.view, (name, text) => {
    const next = new Map(state.view);
    next.set(name, text);
    apply({ ...state, view: next });
  }, [], PREFIX);
  controlsBox.append(paramBox, error);

  function runParams(s, r) {
    return { ...Object.fromEntries(s.params), ...Object.fromEntries(r.overrides) };
  }

  function validate(s, seed = seedOf()) {
    try {
      b.validateView(paper.slug, part.name, Object.fromEntries(s.view));
      for (const r of RUNS) b.validatePartParams(paper.slug, part.name, runParams(s, r), seed);
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
      sync();
      return;
    }
    state = candidate;
    onChange();
  }

  let worker = null;
  let latest = new Map();
  let failure = null; // the error that stopped the last training, if any
  function sync() {
    for (const [k, v] of state.params) setters.set(k, v);
    for (const [k, v] of state.view) viewSetters.set(k, v);
  }
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
    const xs = latest.get(RUNS[0].id)?.series.test_accuracy.x ?? [];
    section.dataset.epochs = String(xs.length);
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const h of ['run', 'status', 'epoch', 'test acc.', 'best test acc.', ...part.table.map(([h]) => h), 'ms / step (with evaluation)', 'images / s'])
      head.append(el('th', { textContent: h }));
    const body = table.createTBody();
    for (const r of runs) {
      const m = latest.get(r.id);
      const row = body.insertRow();
      row.dataset.run = r.id;
      const st = m.progress.status;
      const shown = st.state === 'diverged' ? `diverged at step ${st.step}` : st.state === 'running' && failure ? 'stopped by an error' : st.state;
      for (const v of [r.label, shown, m.metrics.epochs, m.metrics.test_accuracy,
        m.metrics.best_test_accuracy, ...part.table.map(([, key]) => m.metrics[key]), m.msPerStep, m.imagesPerSec])
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
    const url = new URL(`data/${b.datasetFile(state.params.get('dataset'))}.bin`, location.href).href;
    worker.postMessage({
      type: 'start', slug: paper.slug, part: part.name, seed: seedOf(), backend: state.view.get('backend'), datasetUrl: url,
      runs: RUNS.map((r) => ({ id: r.id, params: runParams(state, r) })),
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
    owns: (key) => key.startsWith(PREFIX) && [...names, ...viewNames].includes(key.slice(PREFIX.length)),
    validate: (values, seed) => validate(stateFrom(values), seed),
    entries: () => entriesOf(state),
    onHash(values) {
      state = stateFrom(values);
      error.hidden = true;
      sync();
    },
    dispose: stop,
  };
}

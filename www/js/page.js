// The scaffold every paper page shares: header (claim, citation, fidelity caveat), controls from
// the schema plus the seed, the play / pause / step / reset bar, URL-hash state validated by the
// core (a bad value shows an inline error and keeps the last valid state), the verify panel and
// the embed snippet. A paper module supplies its runs and its figures.

import { Player } from './player.js';
import { renderControls } from './controls.js';
import { renderVerifyPanel } from './verify.js';
import { makeHash, writeHash, showHashError } from './state.js';

/** Creates an element with properties and children. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

/** Formats a number for tables and readouts. */
export const fmt = (v) =>
  v == null || !Number.isFinite(v)
    ? '—'
    : Number.isInteger(v)
      ? String(v)
      : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4
        ? v.toPrecision(4)
        : v.toExponential(3);

/**
 * @param {object} o
 * @param {HTMLElement} o.root
 * @param {object} o.b            the wasm bindings
 * @param {object} o.paper        registry entry
 * @param {Map} o.initialValues   values from the URL hash
 * @param {string} o.fidelity     the paper-fidelity caveat
 * @param {string[]} [o.skip]     schema parameters the page controls itself
 * @param {object} [o.extra]      page-level state: { defaults: {key: text}, validate(state) -> error|null,
 *                                controls(container, state, set) -> sync(state) }
 * @param {(state) => object[]} o.paramSets   the parameter objects the state will run (validated first)
 * @param {(state, newRun) => Array<{id, label, color, run, slice?}>} o.makeRuns   builds the runs of a
 *   state; `newRun(overrides)` makes a run of the current parameters and seed with some overridden
 * @param {(figure: HTMLElement, more: HTMLElement) => {reset(runs, state), render(runs, state)}} o.figures
 * @param {(more: HTMLElement, values: Map, onChange: () => void, seedOf: () => string) => Array<{entries(), onHash(values), dispose()}>} [o.sections]
 *   extra sections with their own hash entries (e.g. a paper's CNN part)
 */
export function createPage(o) {
  const { root, b, paper } = o;
  const slug = paper.slug;
  const skip = o.skip ?? [];
  const extraKeys = Object.keys(o.extra?.defaults ?? {});
  let runs = [];

  function stateFrom(values) {
    const s = { seed: values.get('seed') ?? '0', params: new Map(), extra: {}, embed: values.get('embed') === '1' };
    for (const p of paper.schema.params) if (!skip.includes(p.name)) s.params.set(p.name, values.get(p.name) ?? p.default);
    for (const k of extraKeys) s.extra[k] = values.get(k) ?? o.extra.defaults[k];
    return s;
  }

  function validate(s) {
    if (!/^\d+$/.test(s.seed)) return `invalid value for \`seed\`: "${s.seed}" (allowed: a non-negative integer)`;
    const extraError = o.extra?.validate?.(s);
    if (extraError) return extraError;
    try {
      for (const params of o.paramSets(s)) b.validateParams(slug, params, Number(s.seed));
    } catch (e) {
      return String(e.message ?? e);
    }
    return null;
  }

  root.replaceChildren();
  const head = el('section', { className: 'paper-head' },
    el('h1', { textContent: paper.title }),
    el('p', { className: 'meta', textContent: `${paper.authors} · ${paper.venue} · arXiv:${paper.arxiv} · code: ${paper.code}` }),
    el('p', { className: 'claim', textContent: paper.claim }),
    el('p', { className: 'fidelity', textContent: `Paper fidelity: ${o.fidelity}` }));
  const controls = el('section', { className: 'controls' });
  const extraBox = el('div', { className: 'extra-controls' });
  const seedBox = el('input', { type: 'number', name: 'seed', min: 0, step: 1 });
  const paramBox = el('div', { className: 'params' });
  const controlError = el('p', { className: 'control-error', role: 'alert', hidden: true });
  controls.append(extraBox, el('label', { className: 'control' }, el('span', { className: 'name', textContent: 'seed' }), seedBox), paramBox, controlError);

  const playBtn = el('button', { className: 'play', textContent: 'Play' });
  const stepBtn = el('button', { className: 'step', textContent: 'Step' });
  const resetBtn = el('button', { className: 'reset', textContent: 'Reset' });
  const progress = el('span', { className: 'progress' });
  const figure = el('section', { className: 'figure' }, el('div', { className: 'player' }, playBtn, stepBtn, resetBtn, progress));
  const more = el('section', { className: 'more' });
  const embedCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code' });
  const elementCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code element-code' });
  const embed = el('section', { className: 'embed' }, el('h2', { textContent: 'Embed this figure' }),
    el('p', { textContent: 'Paste into a blog post, as an iframe or as the <lemma-figure> custom element; either carries every parameter and the seed.' }),
    embedCode, elementCode);
  root.append(head, controls, figure, more);
  const figures = o.figures(figure, more);
  let sections = [];
  renderVerifyPanel(root, slug);
  root.append(embed);

  let state = stateFrom(new Map());
  const newRun = (overrides = {}) => new b.Run(slug, { ...Object.fromEntries(state.params), ...overrides }, Number(state.seed));
  const setters = renderControls(paramBox, paper.schema, state.params, (name, text) => {
    const params = new Map(state.params);
    params.set(name, text);
    apply({ ...state, params }, 'control');
  }, skip);
  const syncExtra = o.extra?.controls?.(extraBox, () => state, (extra) => apply({ ...state, extra: { ...state.extra, ...extra } }, 'control'));
  seedBox.addEventListener('change', () => apply({ ...state, seed: seedBox.value }, 'control'));

  const player = new Player({
    advance: () => {
      let more = false;
      for (const r of runs) {
        if (r.progress.status.state !== 'running') continue;
        r.progress = r.run.step(r.slice ?? 250);
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

  function rebuild() {
    player.pause();
    for (const r of runs) r.run.free();
    runs = o.makeRuns(state, newRun).map((r) => ({ ...r, progress: r.run.progress() }));
    figures.reset(runs, state);
    render();
  }

  function render() {
    figures.render(runs, state);
    const done = runs.reduce((s, r) => s + r.progress.done, 0);
    const total = runs.reduce((s, r) => s + r.progress.total, 0);
    progress.textContent = `${done.toLocaleString()} / ${total.toLocaleString()} iterations`;
    root.dataset.done = String(done);
    root.dataset.finished = runs.every((r) => r.progress.status.state !== 'running') ? '1' : '0';
  }

  function hashOf(s) {
    const entries = [['seed', s.seed], ...Object.entries(s.extra), ...s.params, ...sections.flatMap((x) => x.entries())];
    if (s.embed) entries.push(['embed', '1']);
    return makeHash(slug, entries);
  }

  function sync() {
    seedBox.value = state.seed;
    for (const [name, text] of state.params) setters.set(name, text);
    syncExtra?.(state);
  }

  function apply(candidate, source) {
    const error = validate(candidate);
    if (error) {
      if (source === 'url') showHashError(error);
      controlError.hidden = source === 'url';
      controlError.textContent = error;
      sync();
      return;
    }
    showHashError(null);
    controlError.hidden = true;
    const wasPlaying = player.playing;
    state = candidate;
    writeHash(hashOf(state));
    sync();
    const url = new URL(location.href);
    url.hash = hashOf({ ...state, embed: true }).slice(1);
    embedCode.value = `<iframe src="${url.href}" width="720" height="420" style="border:0" title="${paper.title}"></iframe>`;
    const site = new URL('./', location.href).href;
    const params = hashOf(state).slice(1).replace(`paper=${slug}&`, '');
    elementCode.value = `<script type="module" src="${site}js/embed-element.js"></script>\n<lemma-figure paper="${slug}" params="${params}"></lemma-figure>`;
    root.classList.toggle('embedded', state.embed);
    document.body.classList.toggle('embed-mode', state.embed);
    rebuild();
    if (wasPlaying) player.play();
  }

  sections = o.sections?.(more, o.initialValues, () => writeHash(hashOf(state)), () => state.seed) ?? [];
  apply(state, 'control');
  if (o.initialValues.size) apply(stateFrom(o.initialValues), 'url');

  return {
    /** A run of the current parameters and seed, with `overrides` (for sweeps). */
    newRun,
    /** The current (last valid) state. */
    state: () => state,
    onHash(values) {
      apply(stateFrom(values), 'url');
      for (const x of sections) x.onHash(values);
    },
    dispose() {
      for (const x of sections) x.dispose();
      player.pause();
      for (const r of runs) r.run.free();
      runs = [];
    },
  };
}

/** One parameter object per algorithm of the comma list stored under `key`. */
export function paramsPerAlgorithm(state, key = 'algos') {
  return state.extra[key].split(',').map((algo) => ({ ...Object.fromEntries(state.params), algo }));
}

/** Checkbox toggles for a list of algorithms, stored as a comma list under `key`. */
export function algorithmToggles(key, algos, palette) {
  return {
    validate(s) {
      const list = s.extra[key].split(',').filter(Boolean);
      if (list.length === 0 || list.some((a) => !algos.some((x) => x.id === a)))
        return `invalid value for \`${key}\`: "${s.extra[key]}" (allowed: a non-empty list of ${algos.map((a) => a.id).join(', ')})`;
      return null;
    },
    controls(container, getState, set) {
      const box = el('fieldset', { className: 'algos' }, el('legend', { textContent: 'Algorithms' }));
      const boxes = new Map();
      algos.forEach((a, i) => {
        const cb = el('input', { type: 'checkbox', name: `algo-${a.id}`, value: a.id });
        const swatch = el('span', { className: 'swatch' });
        swatch.style.background = palette[i];
        boxes.set(a.id, cb);
        cb.addEventListener('change', () => set({ [key]: algos.map((x) => x.id).filter((id) => boxes.get(id).checked).join(',') }));
        box.append(el('label', {}, cb, swatch, a.label));
      });
      container.append(box);
      return (s) => {
        const list = s.extra[key].split(',');
        for (const [id, cb] of boxes) cb.checked = list.includes(id);
      };
    },
  };
}

/** Fills a metrics table (one row per run, status first) and the run notes. */
export function metricsTable(table, notes, runs, columns) {
  table.replaceChildren();
  const hr = table.createTHead().insertRow();
  for (const h of ['run', 'status', ...columns.map((c) => c[0])]) hr.append(el('th', { textContent: h }));
  const body = table.createTBody();
  notes.replaceChildren();
  for (const r of runs) {
    const m = r.run.metrics();
    const tr = body.insertRow();
    tr.dataset.algo = r.id;
    tr.insertCell().textContent = r.label;
    const st = r.progress.status;
    tr.insertCell().textContent = st.state === 'diverged' ? `diverged at step ${st.step}` : st.state;
    for (const [, f] of columns) tr.insertCell().textContent = f(m);
    for (const n of r.run.notes()) notes.append(el('li', { textContent: `${r.label}: ${n}` }));
  }
}

/**
 * A "sweep" panel: a button that builds a batch of runs (e.g. one per step size), advances them
 * frame by frame with its own player, and calls `render(runs)` as they progress.
 */
export function sweepSection(container, { title, text, button, makeRuns, render }) {
  const btn = el('button', { className: 'run-sweep', textContent: button });
  const status = el('span', { className: 'progress' });
  const section = el('section', { className: 'sweep' }, el('h2', { textContent: title }), el('p', { textContent: text }), btn, status);
  container.append(section);
  let runs = [];
  const player = new Player({
    advance: () => {
      const next = runs.find((r) => r.progress.status.state === 'running');
      if (!next) return false;
      next.progress = next.run.step(next.slice ?? 500);
      return true;
    },
    render: () => {
      const finished = runs.filter((r) => r.progress.status.state !== 'running').length;
      status.textContent = `${finished} / ${runs.length} runs finished`;
      render(runs);
      if (finished === runs.length) section.dataset.done = '1';
    },
    onState: (playing) => (btn.disabled = playing),
  });
  btn.addEventListener('click', () => {
    for (const r of runs) r.run.free();
    runs = makeRuns().map((r) => ({ ...r, progress: r.run.progress() }));
    delete section.dataset.done;
    player.play();
  });
  return {
    section,
    dispose() {
      player.pause();
      for (const r of runs) r.run.free();
      runs = [];
    },
  };
}

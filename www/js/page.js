// The scaffold every paper page shares: header (claim, citation, fidelity caveat), controls from
// the schema plus the seed, the play / pause / step / reset bar, URL-hash state validated by the
// core (a bad value shows an inline error and keeps the last valid state), the verify panel and
// the embed snippet. A paper module supplies its runs and its figures.

import { Player } from './player.js';
import { renderControls } from './controls.js';
import { renderVerifyPanel } from './verify.js';
import { makeHash, writeHash, showHashError } from './state.js';
import { PALETTE } from './palette.js';

/** Height of the embed (iframe snippet and `<lemma-figure>`): the figure with its player, chart
 * and legend; an embedded page also reports its real height to the host (embed-element.js). */
export const EMBED_HEIGHT = 560;

/** Text as messages quote it, like the core's `schema::quote`: in double quotes, cut after 40
 * characters with an ellipsis. */
export const quote = (text) => (text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text));

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
 * @param {object} o.paper        registry entry; its `view` schema declares the page-level state
 *                                (e.g. `algos`), kept in the URL and validated by the core
 * @param {Map} o.initialValues   values from the URL hash
 * @param {string} o.fidelity     the paper-fidelity caveat
 * @param {string[]} [o.skip]     schema parameters the page controls itself
 * @param {object} [o.defaults]   the page's first view where it differs from the schema defaults
 *                                ({name: text}); every link states all values, so links stay exact
 *                                (page-level state such as `algos` included)
 * @param {(state) => object[]} o.paramSets   the parameter objects the state will run (validated first)
 * @param {(state, newRun) => Array<{id, label, color, run, slice?}>} o.makeRuns   builds the runs of a
 *   state; `newRun(overrides)` makes a run of the current parameters and seed with some overridden
 * @param {(figure: HTMLElement, more: HTMLElement) => {reset(runs, state), render(runs, state)}} o.figures
 * @param {(run) => string|null} [o.outsideTheory]  why a run has left the regime the paper's claim
 *   assumes (shown in a notice above the figure); diverged runs always are
 * @param {(run) => string|null} [o.divergence]  what a diverged run's divergence means, in place of
 *   the generic "the step size is too large for this setting" (e.g. a divergence the paper predicts)
 * @param {(more: HTMLElement, onChange: () => void, seedOf: () => string) => Array<Section>} [o.sections]
 *   extra sections with their own hash entries (e.g. a paper's CNN part). A Section is
 *   { owns(key), validate(values, seed) -> error|null, entries(), onHash(values), dispose() }: the
 *   page validates every key of a link (its own and the sections') before anything is applied.
 */
export function createPage(o) {
  const { root, b, paper } = o;
  const slug = paper.slug;
  const skip = o.skip ?? [];
  const extraKeys = paper.view.params.map((p) => p.name);
  let runs = [];

  function stateFrom(values) {
    const s = { seed: values.get('seed') ?? '0', params: new Map(), extra: {}, embed: values.get('embed') === '1' };
    for (const p of paper.schema.params) if (!skip.includes(p.name)) s.params.set(p.name, values.get(p.name) ?? o.defaults?.[p.name] ?? p.default);
    for (const p of paper.view.params) s.extra[p.name] = values.get(p.name) ?? o.defaults?.[p.name] ?? p.default;
    return s;
  }

  function validate(s) {
    try {
      // The core validates the seed (as typed), the page-level state and every parameter, with
      // one message format.
      b.validateView(slug, '', s.extra);
      for (const params of o.paramSets(s)) b.validateParams(slug, params, s.seed);
    } catch (e) {
      return String(e.message ?? e);
    }
    return null;
  }

  /** The first key of a link that neither the page nor a section knows. */
  function unknownKey(values) {
    const known = new Set(['seed', 'embed', ...extraKeys, ...paper.schema.params.filter((p) => !skip.includes(p.name)).map((p) => p.name)]);
    for (const key of values.keys()) {
      if (known.has(key) || sections.some((x) => x.owns(key))) continue;
      return `unknown parameter ${quote(key)} in the link (allowed: ${[...known].join(', ')}${sections.length ? ', and the section keys shown on the page' : ''})`;
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
  const notice = el('div', { className: 'regime-notice', role: 'status', hidden: true });
  const figure = el('section', { className: 'figure' }, el('div', { className: 'player' }, playBtn, stepBtn, resetBtn, progress), notice);
  const more = el('section', { className: 'more' });
  const embedCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code' });
  const elementCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code element-code' });
  const embed = el('section', { className: 'embed' }, el('h2', { textContent: 'Embed this figure' }),
    el('p', { textContent: 'Paste into a blog post, as an iframe or as the <lemma-figure> custom element; either carries every parameter and the seed.' }),
    embedCode, elementCode);
  root.append(head, controls, figure, more);
  const figures = o.figures(figure, more);
  let sections = [];
  const verifyPanel = renderVerifyPanel(root, paper);
  root.append(embed);

  let state = stateFrom(new Map());
  let disposed = false;
  let built = false;
  const newRun = (overrides = {}) => new b.Run(slug, { ...Object.fromEntries(state.params), ...overrides }, state.seed);
  const setters = renderControls(paramBox, paper.schema, state.params, (name, text) => {
    const params = new Map(state.params);
    params.set(name, text);
    apply({ ...state, params }, 'control');
  }, skip);
  const syncExtra = viewControls(extraBox, paper.view, (extra) => apply({ ...state, extra: { ...state.extra, ...extra } }, 'control'));
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

  /** Lists the runs that left the theory's regime, with what happened and why the claim does not
   * apply to them. */
  function renderNotice() {
    const lines = runs.flatMap((r) => {
      const st = r.progress.status;
      const why = st.state === 'diverged'
        ? `diverged at step ${st.step} (${st.reason ?? 'the iterates blew up'}): ${o.divergence?.(r) ?? 'the step size is too large for this setting, so the run has no limit and the claim says nothing about it'}`
        : o.outsideTheory?.(r);
      return why ? [`${r.label}: ${why}`] : [];
    });
    notice.hidden = lines.length === 0;
    if (notice.dataset.text === lines.join('\n')) return;
    notice.dataset.text = lines.join('\n');
    notice.replaceChildren(el('strong', { textContent: 'Outside the theory’s regime. ' }), ...lines.map((l) => el('span', { className: 'regime-line', textContent: l })));
  }

  function render() {
    figures.render(runs, state);
    renderNotice();
    const done = runs.reduce((s, r) => s + r.progress.done, 0);
    // A diverged run does no more work: it counts up to the step where it stopped (the notice
    // and the table say which run stopped and why).
    const total = runs.reduce((s, r) => s + (r.progress.status.state === 'diverged' ? r.progress.done : r.progress.total), 0);
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
    // A control can still fire `change` while the page is torn down (a focused box loses focus
    // when Back replaces the page); it must not rewrite the next page's URL.
    if (disposed) return;
    // A link's state was validated whole by readLink; a control's change is checked here.
    const error = source === 'link' ? null : validate(candidate);
    if (error) {
      controlError.hidden = false;
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
    updateEmbedCode();
    root.classList.toggle('embedded', state.embed);
    document.body.classList.toggle('embed-mode', state.embed);
    if (built) {
      rebuild();
      if (wasPlaying) player.play();
    } else {
      // The first runs and charts are built in a task of their own, after the page's controls.
      built = true;
      setTimeout(() => disposed || rebuild(), 0);
    }
  }

  function updateEmbedCode() {
    const url = new URL(location.href);
    url.hash = hashOf({ ...state, embed: true }).slice(1);
    embedCode.value = `<iframe src="${url.href}" width="720" height="${EMBED_HEIGHT}" style="border:0" title="${paper.title}"></iframe>`;
    const site = new URL('./', location.href).href;
    const params = hashOf(state).slice(1).replace(`paper=${slug}&`, '');
    elementCode.value = `<script src="${site}js/embed-element.js" defer></script>\n<lemma-figure paper="${slug}" params="${params}"></lemma-figure>`;
  }

  /** A bad link: the banner names the problem, the page keeps its last valid state, and the
   * address bar is rewritten to that state. */
  function rejectLink(error) {
    showHashError(error);
    controlError.hidden = true;
    writeHash(hashOf(state));
    sync();
  }

  /** The state a link describes and the first problem with it (every key: page, extra and
   * section). */
  function readLink(values) {
    const candidate = stateFrom(values);
    const error = unknownKey(values) ?? validate(candidate) ?? sections.map((x) => x.validate(values, candidate.seed)).find(Boolean) ?? null;
    return { candidate, error };
  }

  /** Applies a link; nothing changes unless every key is valid. */
  function fromLink(values) {
    const { candidate, error } = readLink(values);
    if (error) return rejectLink(error);
    for (const x of sections) x.onHash(values);
    apply(candidate, 'link');
  }

  sections = o.sections?.(more, () => {
    if (disposed) return;
    writeHash(hashOf(state));
    updateEmbedCode();
  }, () => state.seed) ?? [];
  // The first view: the link's state when it is valid, else the defaults with the banner (one
  // build either way).
  const first = o.initialValues.size ? readLink(o.initialValues) : { error: null, candidate: null };
  if (first.candidate && !first.error) fromLink(o.initialValues);
  else {
    apply(state, 'control');
    if (first.error) rejectLink(first.error);
  }

  return {
    /** A run of the current parameters and seed, with `overrides` (for sweeps). */
    newRun,
    /** The current (last valid) state. */
    state: () => state,
    onHash: fromLink,
    dispose() {
      disposed = true;
      verifyPanel.dispose();
      for (const x of sections) x.dispose();
      player.pause();
      for (const r of runs) r.run.free();
      runs = [];
    },
  };
}

/** Controls of the page-level state: a subset parameter (e.g. `algos`) is a row of checkboxes,
 * one per option with its label and palette colour; any other one the usual schema control.
 * Returns sync(state). */
function viewControls(container, view, set) {
  const syncs = view.params.filter((spec) => spec.type === 'subset').map((spec) => {
    const box = el('fieldset', { className: spec.name, title: spec.doc }, el('legend', { textContent: 'Algorithms' }));
    const boxes = new Map();
    spec.options.forEach((id, i) => {
      const cb = el('input', { type: 'checkbox', name: `algo-${id}`, value: id });
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = PALETTE[i];
      boxes.set(id, cb);
      cb.addEventListener('change', () => set({ [spec.name]: spec.options.filter((o) => boxes.get(o).checked).join(',') }));
      box.append(el('label', {}, cb, swatch, spec.labels[i] ?? id));
    });
    container.append(box);
    return (s) => {
      const list = s.extra[spec.name].split(',');
      for (const [id, cb] of boxes) cb.checked = list.includes(id);
    };
  });
  const others = view.params.filter((spec) => spec.type !== 'subset');
  if (others.length) {
    const setters = renderControls(container, { params: others }, new Map(others.map((p) => [p.name, p.default])), (name, text) => set({ [name]: text }));
    syncs.push((s) => others.forEach((p) => setters.set(p.name, s.extra[p.name])));
  }
  return (s) => syncs.forEach((sync) => sync(s));
}

/** Fills a metrics table (one row per run, status first) and the run notes. */
export function metricsTable(table, notes, runs, columns) {
  scrollable(table);
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

/** Wraps a wide element (a metrics table) in a box that scrolls sideways on narrow screens instead
 * of widening the page. */
export function scrollable(wide) {
  if (!wide.parentElement || wide.parentElement.classList.contains('scroll-x')) return;
  const box = el('div', { className: 'scroll-x' });
  wide.replaceWith(box);
  box.append(wide);
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

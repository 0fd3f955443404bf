// Renders a paper page from its description (the `page` export of `papers/<slug>.js`): the runs
// it compares, its charts with their series, vectors and metrics by name, its results table and
// its sweeps. The scaffold (header, controls, player, URL state, verify panel, embed) is
// `createPage`; a figure no description covers is a chart with its own `make(host)`.
//
// A description:
//   compare: { param, view }  one run per option listed in the page-level state `view` (e.g.
//                             `algos`), as the parameter `param`; labels and colours follow the
//                             schema's options. Or run: { id, label(state), color, slice }.
//   slice: number | { option: number }   iterations per frame and run (default 250)
//   runLabel(id, state, label)  a run label other than the schema's `label`
//   defaults, outsideTheory, divergence   as in createPage
//   figure: [chart]           the main figure; more: { heading, text, charts: [chart] }
//   metrics: [[heading, name] | [heading, [names…], show(...values)]]   the results table
//   sweeps: [sweep]
// A chart: { className, title, xLabel, yLabel, xLog, yLog, xInteger, range } with one of
//   curves: [{ series | prefix, label(run, name), color?, dash?, once? }]  recorded series per run
//     (`prefix` takes every series of the first run whose name starts with it; `once` draws the
//     curve of the first run only: a reference line every run records alike), plus
//     levels: [{ metric, label, color, dash }] drawn flat and markers(metrics) → [{x, label, color}];
//   vectors: [{ vector, label(run), line?, dash?, positive? }] per run (points unless `line`), with reference / last: a vector
//     of one run ({ vector, label, color, bars?, from(runs) }) before / after them;
//   make(host) → { reset(runs, state), render(runs, state) }  a one-off figure (listing the
//     vectors it reads by name in `vectors`).
// A sweep: { title, text(values), button, className, chart, param, values | values(params),
//   lines: [{ option?, label?, color?, points?, dash?, slice? }], reference?: line (run once,
//   drawn flat), metric, also: [chart with { x: metric, line: option }] }.

import { Chart, PALETTE, alignCurves, markerHook } from './plots.js';
import { createPage, metricsTable, sweepSection, el, fmt } from './page.js';
import { renderCnnSection } from './cnn.js';

const finiteOrNull = (v) => Array.from(v, (x) => (Number.isFinite(x) ? x : null));
const positiveOrNull = (v) => Array.from(v, (x) => (x > 0 ? x : null));
const finished = (r) => r?.progress.status.state === 'finished';

/** Every series, vector and metric name a description refers to (the e2e suite checks that a
 * run of the paper produces them). */
export function namesOf(d) {
  const charts = [...(d.figure ?? []), ...(d.more?.charts ?? []), ...(d.sweeps ?? []).flatMap((s) => s.also ?? [])];
  const series = charts.flatMap((c) => (c.curves ?? []).filter((k) => k.series).map((k) => k.series));
  const prefixes = charts.flatMap((c) => (c.curves ?? []).filter((k) => k.prefix).map((k) => k.prefix));
  const vectors = charts.flatMap((c) => [...(c.vectors ?? []), c.reference, c.last].filter(Boolean).map((v) => v.vector ?? v));
  const metrics = [
    ...(d.metrics ?? []).flatMap(([, names]) => [names].flat()),
    ...charts.flatMap((c) => (c.levels ?? []).map((l) => l.metric)),
    ...(d.sweeps ?? []).flatMap((s) => [s.metric, ...(s.also ?? []).map((a) => a.x)]),
  ];
  return { series, prefixes, vectors, metrics };
}

/** A chart of recorded series (`curves`), of per-coordinate vectors (`vectors`), or a one-off. */
function makeChart(host, spec) {
  if (spec.make) return spec.make(host);
  let markers = [];
  const chart = new Chart(host, {
    title: spec.title, xLabel: spec.xLabel, yLabel: spec.yLabel, xLog: spec.xLog, yLog: spec.yLog,
    xInteger: spec.xInteger, range: spec.range, series: [], hooks: spec.markers ? markerHook(() => markers) : undefined,
  });
  if (spec.vectors) return vectorChart(chart, spec);
  let curves = []; // [{ run, name, label, color, dash }]
  return {
    reset(runs) {
      const of = (r, c, ci) => {
        const names = c.prefix ? r.run.seriesNames().filter((n) => n.startsWith(c.prefix)) : [c.series];
        return names.map((name, i) => ({ run: r, name, label: c.label(r, name), color: typeof c.color === 'function' ? c.color(i) : c.color ?? r.color, dash: c.dash, key: ci }));
      };
      // Each run's curves, then the first run's `once` curves (the shared references).
      curves = [
        ...runs.flatMap((r) => spec.curves.flatMap((c, ci) => (c.once ? [] : of(r, c, ci)))),
        ...(runs.length ? spec.curves.flatMap((c, ci) => (c.once ? of(runs[0], c, ci) : [])) : []),
      ];
      const levels = (spec.levels ?? []).map((l) => ({ label: l.label, color: l.color, dash: l.dash }));
      chart.setSeries([...curves.map(({ label, color, dash }) => ({ label, color, dash })), ...levels]);
      markers = spec.markers?.(runs[0].run.metrics()) ?? [];
    },
    render(runs) {
      const data = alignCurves(curves.map((c) => ({ x: c.run.run.seriesX(c.name), y: c.run.run.seriesY(c.name) })), { logX: spec.xLog, logY: spec.yLog });
      const m = spec.levels ? runs[0].run.metrics() : null;
      for (const l of spec.levels ?? []) data.push(data[0].map(() => m[l.metric]));
      chart.setData(data);
    },
  };
}

function vectorChart(chart, spec) {
  const clean = (v, one) => (one.positive ? positiveOrNull : finiteOrNull)(v);
  const single = (one) => ({ label: one.label, color: one.color, bars: one.bars, points: !one.bars });
  return {
    reset(runs) {
      chart.setSeries([
        ...(spec.reference ? [single(spec.reference)] : []),
        ...runs.flatMap((r) => spec.vectors.map((v) => ({ label: v.label(r), color: r.color, points: !v.line, dash: v.dash }))),
        ...(spec.last ? [single(spec.last)] : []),
      ]);
    },
    render(runs) {
      const of = (one) => {
        const r = one.from ? one.from(runs) : runs[0];
        return r ? clean(r.run.vector(one.vector), one) : [];
      };
      const columns = [
        ...(spec.reference ? [of(spec.reference)] : []),
        ...runs.flatMap((r) => spec.vectors.map((v) => clean(r.run.vector(v.vector), v))),
        ...(spec.last ? [of(spec.last)] : []),
      ];
      const length = runs.length ? runs[0].run.vector(spec.vectors[0].vector).length : 0;
      chart.setData([Array.from({ length }, (_, j) => j), ...columns]);
    },
  };
}

/** A sweep section: the lines of `spec` at every value of its parameter, the final `metric`. */
function renderSweep(more, page, spec, line) {
  const values = () => (typeof spec.values === 'function' ? spec.values(page.state().params) : spec.values);
  const host = el('div', { className: `chart ${spec.className}` });
  const alsoHosts = (spec.also ?? []).map((a) => el('div', { className: `chart ${a.className}` }));
  let swept = [];
  const sweep = sweepSection(more, {
    title: spec.title,
    text: typeof spec.text === 'function' ? spec.text(values()) : spec.text,
    button: spec.button,
    makeRuns: () => {
      swept = values();
      const runOf = (l, overrides) => ({ line: l, slice: l.slice, run: page.newRun({ ...line(l).overrides, ...overrides }) });
      return [
        ...(spec.reference ? [runOf(spec.reference, {})] : []),
        ...swept.flatMap((v) => spec.lines.map((l) => ({ ...runOf(l, { [spec.param]: String(v) }), value: v }))),
      ];
    },
    render(runs) {
      const final = (r, metric = spec.metric) => (finished(r) ? r.run.metrics()[metric] ?? null : null);
      const columns = spec.lines.map((l) => swept.map((v) => final(runs.find((r) => r.line === l && r.value === v))));
      if (spec.reference) {
        const ref = final(runs.find((r) => r.line === spec.reference));
        columns.push(swept.map(() => ref));
      }
      chart.setData([swept, ...columns]);
      (spec.also ?? []).forEach((a, i) => {
        const points = runs.filter((r) => r.line.option === a.line && finished(r)).map((r) => r.run.metrics()).sort((p, q) => p[a.x] - q[a.x]);
        also[i].setData([points.map((m) => m[a.x]), points.map((m) => m[spec.metric])]);
      });
    },
  });
  sweep.section.append(host, ...alsoHosts);
  const seriesOf = (l) => ({ label: line(l).label, color: line(l).color, points: l.points, dash: l.dash });
  const chart = new Chart(host, { ...spec.chart, series: [...spec.lines.map(seriesOf), ...(spec.reference ? [seriesOf(spec.reference)] : [])] });
  const also = (spec.also ?? []).map((a, i) => new Chart(alsoHosts[i], { ...a, series: [seriesOf(spec.lines.find((l) => l.option === a.line))] }));
  return sweep;
}

/** Renders the page of `paper` from its description `d`; returns { onHash, dispose }. */
export function renderPaperPage(root, b, paper, initialValues, d) {
  const compare = d.compare;
  const choice = compare && paper.schema.params.find((p) => p.name === compare.param);
  const optionIndex = (id) => choice.options.indexOf(id);
  const colour = (id) => PALETTE[optionIndex(id)];
  const schemaLabel = (id) => choice.labels[optionIndex(id)] ?? id;
  const sliceOf = (id) => (typeof d.slice === 'object' ? d.slice[id] : d.slice);
  const optionsOf = (state) => state.extra[compare.view].split(',');
  /** A sweep line's label, colour and parameter overrides. */
  const line = (l) => ({
    label: l.label ?? schemaLabel(l.option),
    color: l.color ?? colour(l.option),
    overrides: l.option ? { [compare.param]: l.option } : {},
  });
  const columns = (d.metrics ?? []).map(([heading, names, show]) =>
    [heading, (m) => (show ? show(...names.map((n) => m[n])) : fmt(m[names]))]);

  const page = createPage({
    root,
    b,
    paper,
    initialValues,
    fidelity: paper.fidelity,
    skip: compare ? [compare.param] : [],
    defaults: d.defaults,
    outsideTheory: d.outsideTheory,
    divergence: d.divergence,
    paramSets: (state) => (compare
      ? optionsOf(state).map((id) => ({ ...Object.fromEntries(state.params), [compare.param]: id }))
      : [Object.fromEntries(state.params)]),
    sections: paper.parts.length ? (more, onChange, seedOf) => paper.parts.map((part) => renderCnnSection(more, b, paper, part, onChange, seedOf)) : undefined,
    makeRuns: (state, newRun) => (compare
      ? optionsOf(state).map((id) => ({
        id, label: d.runLabel ? d.runLabel(id, state, schemaLabel(id)) : schemaLabel(id), color: colour(id), slice: sliceOf(id), run: newRun({ [compare.param]: id }),
      }))
      : [{ id: d.run.id, label: d.run.label(state), color: d.run.color, slice: d.run.slice, run: newRun() }]),
    figures(figure, more) {
      const charts = [];
      const add = (parent, spec) => {
        const host = el('div', { className: `chart ${spec.className}` });
        parent.append(host);
        charts.push(makeChart(host, spec));
      };
      for (const spec of d.figure ?? []) add(figure, spec);
      if (d.more) more.append(el('h2', { textContent: d.more.heading }), el('p', { textContent: d.more.text }));
      for (const spec of d.more?.charts ?? []) add(more, spec);
      const table = el('table', { className: 'metrics' });
      const notes = el('ul', { className: 'notes' });
      more.append(table, notes);
      return {
        reset: (runs, state) => charts.forEach((c) => c.reset(runs, state)),
        render(runs, state) {
          for (const c of charts) c.render(runs, state);
          metricsTable(table, notes, runs, columns);
        },
      };
    },
  });

  const more = root.querySelector('.more');
  const sweeps = (d.sweeps ?? []).map((spec) => renderSweep(more, page, spec, line));
  return {
    onHash: page.onHash,
    dispose() {
      for (const s of sweeps) s.dispose();
      page.dispose();
    },
  };
}

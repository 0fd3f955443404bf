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
// A sweep: { title, text | text(values), button, param, values | values(params),
//   lines: [{ option?, label?, color?, points?, dash?, slice?, set? }] (`set`: more parameter
//   overrides of the line), reference?: line (run once, drawn flat), and its charts:
//   charts: [{ className, title, xLabel, yLabel, xLog, yLog, range,
//     y: [{ metric, label?(lineLabel), color?, dash?, points? }]  one series per line and entry
//       (coloured by `color`, else the line's colour, else the palette in turn),
//     x?: metric  (each finished run's final metrics against each other, not against the value),
//     lines?: [option]  (the lines it draws; default all),
//     guides?: [{ label, color?, dash?, y(x) }]  reference curves at the chart's x values }]
//   (or the shorthand `className`, `chart`, `metric`: one chart of one metric), and
//   grid?: { param, values | values(params), metric, className, title, xLabel, yLabel, log?,
//     signed? }: the first line at every (value, grid value) pair, its final `metric` drawn as a
//     heat-map (canvas-figures.js), columns over the sweep's values, rows over the grid's. }

import { Chart, PALETTE, alignCurves, markerHook, scatterData } from './plots.js';
import { Heatmap } from './canvas-figures.js';
import { createPage, metricsTable, sweepSection, el, fmt } from './page.js';
import { renderCnnSection } from './cnn.js';

const finiteOrNull = (v) => Array.from(v, (x) => (Number.isFinite(x) ? x : null));
const positiveOrNull = (v) => Array.from(v, (x) => (x > 0 ? x : null));
const finished = (r) => r?.progress.status.state === 'finished';

/** Every series, vector and metric name a description refers to (the e2e suite checks that a
 * run of the paper produces them). */
export function namesOf(d) {
  const charts = [...(d.figure ?? []), ...(d.more?.charts ?? [])];
  const series = charts.flatMap((c) => (c.curves ?? []).filter((k) => k.series).map((k) => k.series));
  const prefixes = charts.flatMap((c) => (c.curves ?? []).filter((k) => k.prefix).map((k) => k.prefix));
  const vectors = charts.flatMap((c) => [...(c.vectors ?? []), c.reference, c.last].filter(Boolean).map((v) => v.vector ?? v));
  const metrics = [
    ...(d.metrics ?? []).flatMap(([, names]) => [names].flat()),
    ...charts.flatMap((c) => (c.levels ?? []).map((l) => l.metric)),
    ...(d.sweeps ?? []).flatMap((s) => [
      ...sweepCharts(s).flatMap((c) => [...c.y.map((y) => y.metric), ...(c.x ? [c.x] : [])]),
      ...(s.grid ? [s.grid.metric] : []),
    ]),
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

/** The charts of a sweep: its `charts`, or the shorthand `chart` + `metric`. */
const sweepCharts = (spec) => spec.charts ?? [{ ...spec.chart, className: spec.className, y: [{ metric: spec.metric }] }];

/** A sweep section: the lines of `spec` at every value of its parameter (and, with a `grid`, at
 * every pair of values), their final metrics drawn by its charts. */
function renderSweep(more, page, spec, line) {
  const valuesOf = (s) => (typeof s.values === 'function' ? s.values(page.state().params) : s.values);
  const specs = sweepCharts(spec);
  const hosts = specs.map((c) => el('div', { className: `chart ${c.className}` }));
  const gridHost = spec.grid && el('div', { className: `chart ${spec.grid.className ?? 'grid-chart'}` });
  let swept = [];
  let rows = [];
  const sweep = sweepSection(more, {
    title: spec.title,
    text: typeof spec.text === 'function' ? spec.text(valuesOf(spec)) : spec.text,
    button: spec.button,
    makeRuns: () => {
      swept = valuesOf(spec);
      rows = spec.grid ? valuesOf(spec.grid) : [];
      const runOf = (l, overrides) => ({ line: l, slice: l.slice, run: page.newRun({ ...line(l).overrides, ...l.set, ...overrides }) });
      const first = spec.lines[0];
      return [
        ...(spec.reference ? [runOf(spec.reference, {})] : []),
        ...swept.flatMap((v) => spec.lines.map((l) => ({ ...runOf(l, { [spec.param]: String(v) }), value: v }))),
        ...rows.flatMap((w) => swept.map((v) => ({ ...runOf(first, { [spec.param]: String(v), [spec.grid.param]: String(w) }), value: v, row: w }))),
      ];
    },
    render(runs) {
      const final = (r, metric) => (finished(r) ? r.run.metrics()[metric] ?? null : null);
      const lineRuns = runs.filter((r) => r.row === undefined);
      specs.forEach((c, i) => charts[i].setData(sweepData(c, spec, swept, lineRuns, final)));
      if (spec.grid) {
        const cell = (w, v) => final(runs.find((r) => r.row === w && r.value === v), spec.grid.metric);
        const values = rows.flatMap((w) => swept.map((v) => cell(w, v) ?? NaN));
        heatmap.setData({ values, rows: rows.length, cols: swept.length, xValues: swept, yValues: rows });
        gridHost.dataset.points = String(values.filter(Number.isFinite).length);
      }
    },
  });
  sweep.section.append(...hosts, ...(gridHost ? [gridHost] : []));
  const charts = specs.map((c, i) => new Chart(hosts[i], { ...c, series: sweepSeries(c, spec, line) }));
  const heatmap = spec.grid && new Heatmap(gridHost, { ...spec.grid, valueLabel: spec.grid.valueLabel ?? spec.grid.metric });
  return sweep;
}

/** The lines a sweep chart draws. */
const chartLines = (c, spec) => spec.lines.filter((l) => !c.lines || c.lines.includes(l.option));

/** A sweep chart's series: each line × each `y` entry, the reference's (flat) and the guides. */
function sweepSeries(c, spec, line) {
  let next = 0; // series without a colour of their own take the palette in turn
  const one = (l, y) => {
    const name = line(l).label;
    const label = y.label ? y.label(name) : c.y.length > 1 ? `${name}: ${y.metric}` : name;
    const color = y.color ?? line(l).color ?? PALETTE[next++ % PALETTE.length];
    return { label, color, points: y.points ?? l.points, dash: y.dash ?? l.dash };
  };
  return [
    ...chartLines(c, spec).flatMap((l) => c.y.map((y) => one(l, y))),
    ...(spec.reference && !c.x ? c.y.map((y) => one(spec.reference, y)) : []),
    ...(c.guides ?? []).map((g) => ({ label: g.label, color: g.color ?? '#777', dash: g.dash ?? [4, 4] })),
  ];
}

/** A sweep chart's data: final metrics against the swept value, or against the metric `c.x`. */
function sweepData(c, spec, swept, runs, final) {
  const lines = chartLines(c, spec);
  let data;
  if (!c.x) {
    const at = (l, v) => runs.find((r) => r.line === l && r.value === v);
    data = [swept, ...lines.flatMap((l) => c.y.map((y) => swept.map((v) => final(at(l, v), y.metric))))];
    if (spec.reference) {
      const ref = runs.find((r) => r.line === spec.reference);
      data.push(...c.y.map((y) => swept.map(() => final(ref, y.metric))));
    }
  } else {
    const groups = lines.flatMap((l) => {
      const done = runs.filter((r) => r.line === l && finished(r)).map((r) => r.run.metrics());
      return c.y.map((y) => ({ x: done.map((m) => m[c.x]), y: done.map((m) => m[y.metric]) }));
    });
    data = scatterData(groups);
  }
  for (const g of c.guides ?? []) data.push(data[0].map((x) => g.y(x)));
  return data;
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
    label: l.label ?? (l.option && choice ? schemaLabel(l.option) : ''),
    color: l.color ?? (l.option && choice ? colour(l.option) : undefined),
    overrides: l.option && compare ? { [compare.param]: l.option } : {},
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
      more.append(el('div', { className: 'scroll-x' }, table), notes);
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

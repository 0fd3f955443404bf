// Thin helpers over uPlot (the plotting library): log-log loss curves and per-coordinate charts,
// with legends and hover readouts from uPlot itself.

import uPlot from '../vendor/uPlot.esm.js';

export { PALETTE } from './palette.js';

const clampWidth = (w) => Math.max(280, Math.min(w, 900));

/** The width of the last chart the browser laid out (from a ResizeObserver, which never forces a
 * layout). New charts start at it, so building a page of charts does not force one reflow per
 * chart; each chart then follows its own container. */
let knownWidth = null;
const initialWidth = () => knownWidth ?? clampWidth(innerWidth - 64);

/**
 * The smallest value a logarithmic axis draws. A run can produce any positive number (losses of
 * an interpolating model reach 1e-30 and below, in float64 even 1e-300); uPlot's log scales only
 * handle about 1e-32 … 1e32, so values below the floor are drawn at the floor, and the legend
 * and readouts still report the exact number. The chart says so in its floor note.
 */
export const LOG_FLOOR = 1e-30;
const LOG_CEILING = 1e30;

/** Tick spacings of an axis that counts things (epochs, coordinates): whole numbers only. */
const INTEGER_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 1e4, 2e4, 5e4, 1e5, 1e6];

const fmt = (v) => (v == null ? '—' : v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(4))) : v.toExponential(3));

/** A log-axis range inside [LOG_FLOOR, LOG_CEILING]: whole decades for values (`decades`), the
 * data's own extent for the x axis. */
function logRange(min, max, decades) {
  if (min == null || max == null || !(max > 0)) return [0.1, 1];
  const clamp = (v) => Math.min(Math.max(v, LOG_FLOOR), LOG_CEILING);
  if (!decades && clamp(max) > clamp(min)) return [clamp(min), clamp(max)];
  const lo = Math.floor(Math.log10(clamp(min)));
  let hi = Math.ceil(Math.log10(clamp(max)));
  if (hi <= lo) hi = lo + 1;
  return [10 ** lo, 10 ** hi];
}

/** Log-axis ticks: whole decades, thinned to at most ~8 labels (no per-decade subdivisions past
 * three decades), so the tick count is bounded whatever the range. */
function logSplits(u, axisIdx, min, max) {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const span = hi - lo;
  const out = [];
  if (span <= 3) {
    for (let e = lo - 1; e <= hi; e++) for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
    return out;
  }
  const stride = Math.max(1, Math.ceil(span / 8));
  for (let e = lo; e <= hi; e += stride) out.push(10 ** e);
  return out;
}

/** Tick labels: powers of ten as 1e-12 (plain below 1e4), integers without decimals, other
 * values with only the digits they need. */
export function tick(v, log) {
  if (v == null) return '';
  if (log) {
    const e = Math.round(Math.log10(v));
    const mantissa = v / 10 ** e;
    if (Math.abs(e) <= 3) return String(Number(v.toPrecision(2)));
    return Math.abs(mantissa - 1) < 1e-9 ? `1e${e}` : `${Number(mantissa.toPrecision(2))}e${e}`;
  }
  if (Number.isInteger(v) || Math.abs(v - Math.round(v)) < 1e-9 * Math.max(1, Math.abs(v))) return String(Math.round(v));
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(6))) : v.toExponential(2);
}

/** Clamps one data column to the floor of a log axis (nulls and non-positive values become gaps). */
function toLogAxis(column) {
  return column.map((v) => (v == null || !(v > 0) ? null : Math.min(Math.max(v, LOG_FLOOR), LOG_CEILING)));
}

/** A chart whose series can be replaced wholesale; `series` = [{label, color, dash?, bars?, points? (only points), markers? (line and points)}]. */
export class Chart {
  constructor(el, { title, xLabel, yLabel, xLog = false, yLog = false, xInteger = false, range, series, hooks }) {
    this.el = el;
    this.config = { title, xLabel, yLabel, xLog, yLog, xInteger, range, hooks };
    this.plot = null;
    this.raw = [[]];
    this.floorNote = null;
    // The uPlot instance is made in a task of its own (making one lays the page out), or by the
    // first setSeries / setData if that comes sooner; a chart without series waits for them.
    this.series = series;
    if (series.length) setTimeout(() => this.plot || this.setSeries(this.series), 0);
  }

  setSeries(series) {
    this.series = series;
    if (this.plot) this.plot.destroy();
    const { title, xLabel, yLabel, xLog, yLog, xInteger, range, hooks } = this.config;
    // The legend reads the exact (unclamped) values of the last setData.
    const exact = (sidx, didx) => this.raw[sidx]?.[didx];
    const scale = (log, decades) => (log ? { distr: 3, range: (u, min, max) => logRange(min, max, decades) } : { distr: 1, range });
    const axis = (label, log, extra = {}) => ({
      label,
      ...extra,
      ...(log ? { splits: logSplits } : {}),
      values: (u, vals) => vals.map((v) => tick(v, log)),
    });
    const opts = {
      title,
      hooks,
      width: this.width ?? initialWidth(),
      height: 300,
      scales: { x: { time: false, ...scale(xLog, false) }, y: scale(yLog, true) },
      axes: [axis(xLabel, xLog, xInteger ? { incrs: INTEGER_STEPS } : {}), axis(yLabel, yLog, { size: 70 })],
      legend: { live: true },
      series: [
        { label: xLabel, value: (u, v, sidx, didx) => fmt(didx == null ? v : exact(0, didx) ?? v) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? s.color + '55' : undefined,
          dash: s.dash,
          width: s.bars ? 1 : 2,
          paths: s.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : s.points ? () => null : undefined,
          points: s.points || s.markers ? { show: true, size: 7, fill: s.color } : { show: false },
          spanGaps: false,
          value: (u, v, sidx, didx) => fmt(didx == null ? v : exact(i + 1, didx) ?? v),
        })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...series.map(() => [])], this.el);
    if (!this.floorNote) {
      this.floorNote = document.createElement('p');
      this.floorNote.className = 'floor-note';
      this.floorNote.hidden = true;
    }
    this.el.append(this.floorNote);
    if (!this.resizer) {
      // Follow the container's width (window resizes, embeds).
      this.resizer = new ResizeObserver(([entry]) => {
        const w = clampWidth(Math.floor(entry.contentRect.width) || 640);
        knownWidth = this.width = w;
        if (Math.abs(w - this.plot.width) > 4) this.plot.setSize({ width: w, height: this.plot.height });
      });
      this.resizer.observe(this.el);
    }
  }

  /** data = [xs, ys1, ys2, …] with nulls for gaps. On a log axis, values below [`LOG_FLOOR`] are
   * drawn at the floor (a note under the chart says so) and the legend shows the exact value. */
  setData(data) {
    if (!this.plot) this.setSeries(this.series);
    const { xLog, yLog } = this.config;
    this.raw = data;
    let below = false;
    const drawn = data.map((column, i) => {
      if (!(i === 0 ? xLog : yLog)) return column;
      if (!below) below = column.some((v) => v != null && v > 0 && v < LOG_FLOOR);
      return toLogAxis(column);
    });
    this.floorNote.hidden = !below;
    this.floorNote.textContent = below ? `Values below ${LOG_FLOOR.toExponential(0)} are drawn at ${LOG_FLOOR.toExponential(0)}; the legend shows the exact numbers.` : '';
    this.plot.setData(drawn);
    // For tests and readers of the DOM: how many points are drawn and the last x.
    const xs = drawn[0] ?? [];
    this.el.dataset.points = String(xs.length);
    this.el.dataset.lastX = xs.length ? String(xs[xs.length - 1]) : '';
  }
}

/** Scatter data for a [`Chart`] of point series: x sorted ascending (uPlot needs it), each group's
 * y placed at its own points and null elsewhere. Groups that share an x value share its row (uPlot
 * draws only the first of repeated x values); a group's own repeats get rows of their own.
 * `groups` = [{x: [...], y: [...]}, …]. */
export function scatterData(groups) {
  const rows = new Map(); // `${x}#${k}` → row, for the k-th occurrence of x within a group
  const keyed = groups.map((g) => {
    const seen = new Map();
    return g.x.map((x) => {
      const k = seen.get(x) ?? 0;
      seen.set(x, k + 1);
      const key = `${x}#${k}`;
      if (!rows.has(key)) rows.set(key, { x, k });
      return key;
    });
  });
  const order = [...rows.entries()].sort(([, a], [, b]) => a.x - b.x || a.k - b.k);
  const index = new Map(order.map(([key], i) => [key, i]));
  return [
    order.map(([, r]) => r.x),
    ...groups.map((g, gi) => {
      const column = order.map(() => null);
      keyed[gi].forEach((key, i) => { column[index.get(key)] = g.y[i]; });
      return column;
    }),
  ];
}

/** Aligns curves recorded on the same grid: x from the longest, others padded with null; drops
 * x = 0 and non-positive values when the axes are logarithmic. */
export function alignCurves(curves, { logX = false, logY = false } = {}) {
  let xs = [];
  for (const c of curves) if (c.x.length > xs.length) xs = c.x;
  const keep = [];
  for (let i = 0; i < xs.length; i++) if (!logX || xs[i] > 0) keep.push(i);
  const out = [keep.map((i) => xs[i])];
  for (const c of curves) {
    out.push(keep.map((i) => (i < c.y.length && Number.isFinite(c.y[i]) && (!logY || c.y[i] > 0) ? c.y[i] : null)));
  }
  return out;
}

/** Draws dashed vertical marker lines (e.g. predicted escape times) on a uPlot chart. */
export function markerHook(getMarkers) {
  return {
    draw: [
      (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([5, 5]);
        ctx.lineWidth = 1.5;
        ctx.font = `${12 * devicePixelRatio}px sans-serif`;
        for (const m of getMarkers()) {
          const x = u.valToPos(m.x, 'x', true);
          if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = ctx.fillStyle = m.color ?? '#555';
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(m.label, x + 4, u.bbox.top + 14 * devicePixelRatio);
        }
        ctx.restore();
      },
    ],
  };
}

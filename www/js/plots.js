// Thin helpers over uPlot (the plotting library): log-log loss curves and per-coordinate charts,
// with legends and hover readouts from uPlot itself.

import uPlot from '../vendor/uPlot.esm.js';

export const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

function width(el) {
  return Math.max(320, Math.min(el.clientWidth || 640, 900));
}

const fmt = (v) => (v == null ? '—' : v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(3));

/** Axis tick label: on log axes only the powers of ten are labelled. */
function tick(v, log) {
  if (v == null) return '';
  if (log) {
    const e = Math.log10(v);
    return Math.abs(e - Math.round(e)) < 1e-9 ? (Math.abs(e) <= 3 ? String(Number(v.toPrecision(1))) : `1e${Math.round(e)}`) : '';
  }
  return fmt(v);
}

/** A chart whose series can be replaced wholesale; `series` = [{label, color, dash?, bars?, points? (only points), markers? (line and points)}]. */
export class Chart {
  constructor(el, { title, xLabel, yLabel, xLog = false, yLog = false, range, series, hooks }) {
    this.el = el;
    this.config = { title, xLabel, yLabel, xLog, yLog, range, hooks };
    this.plot = null;
    this.setSeries(series);
  }

  setSeries(series) {
    this.series = series;
    if (this.plot) this.plot.destroy();
    const { title, xLabel, yLabel, xLog, yLog, range, hooks } = this.config;
    const opts = {
      title,
      hooks,
      width: width(this.el),
      height: 300,
      scales: { x: { time: false, distr: xLog ? 3 : 1, range }, y: { distr: yLog ? 3 : 1, range } },
      axes: [
        { label: xLabel, values: (u, vals) => vals.map((v) => tick(v, xLog)) },
        { label: yLabel, size: 70, values: (u, vals) => vals.map((v) => tick(v, yLog)) },
      ],
      legend: { live: true },
      series: [
        { label: xLabel, value: (u, v) => fmt(v) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? s.color + '55' : undefined,
          dash: s.dash,
          width: s.bars ? 1 : 2,
          paths: s.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : s.points ? () => null : undefined,
          points: s.points || s.markers ? { show: true, size: 7, fill: s.color } : { show: false },
          spanGaps: false,
          value: (u, v) => fmt(v),
        })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...series.map(() => [])], this.el);
    if (!this.resizer) {
      // Follow the container's width (window resizes, embeds).
      this.resizer = new ResizeObserver(() => {
        const w = width(this.el);
        if (Math.abs(w - this.plot.width) > 4) this.plot.setSize({ width: w, height: this.plot.height });
      });
      this.resizer.observe(this.el);
    }
  }

  /** data = [xs, ys1, ys2, …] with nulls for gaps. */
  setData(data) {
    this.plot.setData(data);
  }
}

/** Scatter data for a [`Chart`] of point series: x sorted ascending (uPlot needs it), each group's
 * y placed at its own points and null elsewhere. `groups` = [{x: [...], y: [...]}, …]. */
export function scatterData(groups) {
  const pts = groups.flatMap((g, gi) => g.x.map((x, i) => [x, gi, g.y[i]]));
  pts.sort((a, b) => a[0] - b[0]);
  return [pts.map((p) => p[0]), ...groups.map((_, gi) => pts.map((p) => (p[1] === gi ? p[2] : null)))];
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

// Figures that are not line charts, drawn on a canvas: a heat-map over a grid of two parameters
// (with a colour bar and a hover readout) and a graph whose nodes are coloured by a value per node
// (animated by calling `setValues` per frame). Every page draws such figures through this module;
// the layout and colour arithmetic are plain functions, unit-tested in `tests/js/`.

/** Stops of the sequential colour ramp (dark blue → teal → green → yellow), as [r, g, b]. */
const SEQUENTIAL = [[32, 36, 92], [33, 102, 142], [30, 152, 138], [104, 196, 96], [240, 226, 80]];
/** Stops of the diverging ramp for signed values: blue at −1, near-white at 0, red at +1. */
const DIVERGING = [[44, 92, 170], [150, 180, 220], [246, 246, 244], [232, 150, 120], [180, 40, 40]];
/** The colour of a missing or non-finite value (a diverged run). */
export const MISSING = [170, 170, 170];

function ramp(stops, t) {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return stops[i].map((a, c) => Math.round(a + (stops[i + 1][c] - a) * f));
}

/** The sequential colour at t ∈ [0, 1] (clamped). */
export const sequential = (t) => ramp(SEQUENTIAL, t);
/** The diverging colour at s ∈ [−1, 1] (clamped): 0 is the middle stop. */
export const diverging = (s) => ramp(DIVERGING, (s + 1) / 2);
export const css = ([r, g, b]) => `rgb(${r},${g},${b})`;

/**
 * The colour range of `values`: { lo, hi, log, signed } over the finite entries (positive ones on a
 * log scale). `signed` ranges are symmetric about zero. An empty or constant set gets a unit span.
 */
export function valueRange(values, { log = false, signed = false } = {}) {
  const usable = Array.from(values).filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (!usable.length) return { lo: log ? 1 : 0, hi: log ? 10 : 1, log, signed };
  if (signed) {
    const m = Math.max(...usable.map(Math.abs)) || 1;
    return { lo: -m, hi: m, log: false, signed };
  }
  let lo = Math.min(...usable);
  let hi = Math.max(...usable);
  if (log) {
    if (hi <= lo) hi = lo * 10;
    return { lo, hi, log, signed };
  }
  if (hi <= lo) hi = lo + 1;
  return { lo, hi, log, signed };
}

/** The position of `v` in `range`, in [0, 1] (or [−1, 1] for a signed range); null if missing. */
export function position(v, range) {
  if (!Number.isFinite(v) || (range.log && !(v > 0))) return null;
  if (range.signed) return Math.min(Math.max(v / range.hi, -1), 1);
  const t = range.log
    ? (Math.log(v) - Math.log(range.lo)) / (Math.log(range.hi) - Math.log(range.lo))
    : (v - range.lo) / (range.hi - range.lo);
  return Math.min(Math.max(t, 0), 1);
}

/** The colour of `v` in `range`. */
export function colourOf(v, range) {
  const t = position(v, range);
  if (t == null) return MISSING;
  return range.signed ? diverging(t) : sequential(t);
}

/** The plot box of a heat-map of `rows × cols` cells inside `width × height` pixels, leaving
 * `margin` = { left, right, top, bottom } for the axes and the colour bar. */
export function heatmapLayout(rows, cols, width, height, margin) {
  const w = Math.max(width - margin.left - margin.right, cols);
  const h = Math.max(height - margin.top - margin.bottom, rows);
  return { x: margin.left, y: margin.top, w, h, cellW: w / cols, cellH: h / rows, rows, cols };
}

/** The cell { row, col } under the pixel (px, py), or null outside the plot box. Row 0 is drawn at
 * the bottom (the y values increase upwards, as on a chart). */
export function cellAt(layout, px, py) {
  const col = Math.floor((px - layout.x) / layout.cellW);
  const fromTop = Math.floor((py - layout.y) / layout.cellH);
  if (col < 0 || col >= layout.cols || fromTop < 0 || fromTop >= layout.rows) return null;
  return { row: layout.rows - 1 - fromTop, col };
}

/** Node positions (x0, y0, x1, y1, …, in any units) mapped into `width × height` pixels with `pad`
 * pixels of border, keeping the aspect ratio; returns Float64Array of pixel coordinates. */
export function fitPositions(positions, width, height, pad) {
  const n = positions.length / 2;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, positions[2 * i]);
    x1 = Math.max(x1, positions[2 * i]);
    y0 = Math.min(y0, positions[2 * i + 1]);
    y1 = Math.max(y1, positions[2 * i + 1]);
  }
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const scale = Math.min(width - 2 * pad, height - 2 * pad) / span;
  const ox = (width - (x1 - x0) * scale) / 2;
  const oy = (height - (y1 - y0) * scale) / 2;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = ox + (positions[2 * i] - x0) * scale;
    out[2 * i + 1] = height - (oy + (positions[2 * i + 1] - y0) * scale); // y up
  }
  return out;
}

const fmt = (v) => (v == null || !Number.isFinite(v) ? '—' : v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2));

/** A canvas sized to its host's width (device pixels), with a title above and a readout line below. */
function canvasIn(host, title, aspect) {
  const heading = document.createElement('div');
  heading.className = 'canvas-title';
  heading.textContent = title ?? '';
  const canvas = document.createElement('canvas');
  const readout = document.createElement('div');
  readout.className = 'canvas-readout';
  host.append(heading, canvas, readout);
  const size = () => {
    const w = Math.max(280, Math.min(host.clientWidth || 600, 900));
    const h = Math.round(w * aspect);
    const dpr = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { ctx, w, h };
  };
  return { canvas, readout, size };
}

function colourBar(ctx, range, x, y, w, h) {
  const steps = 64;
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    const v = range.signed ? -range.hi + 2 * range.hi * t : range.log ? range.lo * (range.hi / range.lo) ** t : range.lo + (range.hi - range.lo) * t;
    ctx.fillStyle = css(colourOf(v, range));
    ctx.fillRect(x, y + h - (i + 1) * (h / steps), w, h / steps + 0.5);
  }
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.fillText(fmt(range.hi), x + w + 4, y + 8);
  ctx.fillText(fmt(range.lo), x + w + 4, y + h);
}

/**
 * A heat-map: `setData({ values, rows, cols, xValues, yValues })` with `values` row-major
 * (row r is y value r, drawn bottom-up). Options: title, xLabel, yLabel, valueLabel, log, signed.
 */
export class Heatmap {
  constructor(host, options) {
    this.options = options;
    this.surface = canvasIn(host, options.title, 0.62);
    this.data = null;
    this.surface.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.surface.canvas.addEventListener('mouseleave', () => { this.surface.readout.textContent = ''; });
    this.surface.canvas.setAttribute('role', 'img');
    this.surface.canvas.setAttribute('aria-label', options.title ?? 'heat-map');
  }

  setData(data) {
    this.data = data;
    this.draw();
  }

  draw() {
    const { ctx, w, h } = this.surface.size();
    ctx.clearRect(0, 0, w, h);
    const d = this.data;
    if (!d || !d.rows || !d.cols) return;
    const o = this.options;
    const range = valueRange(d.values, o);
    const layout = heatmapLayout(d.rows, d.cols, w, h, { left: 58, right: 70, top: 8, bottom: 40 });
    this.layout = layout;
    for (let r = 0; r < d.rows; r++) {
      for (let c = 0; c < d.cols; c++) {
        ctx.fillStyle = css(colourOf(d.values[r * d.cols + c], range));
        const y = layout.y + (d.rows - 1 - r) * layout.cellH;
        ctx.fillRect(layout.x + c * layout.cellW, y, layout.cellW + 0.5, layout.cellH + 0.5);
      }
    }
    ctx.fillStyle = '#333';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    const every = (n, room) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor(room / 40))));
    const xe = every(d.cols, layout.w);
    for (let c = 0; c < d.cols; c += xe) ctx.fillText(fmt(d.xValues?.[c]), layout.x + (c + 0.5) * layout.cellW, layout.y + layout.h + 14);
    ctx.textAlign = 'right';
    const ye = every(d.rows, layout.h);
    for (let r = 0; r < d.rows; r += ye) ctx.fillText(fmt(d.yValues?.[r]), layout.x - 4, layout.y + (d.rows - r - 0.5) * layout.cellH + 4);
    ctx.textAlign = 'center';
    ctx.fillText(o.xLabel ?? '', layout.x + layout.w / 2, h - 6);
    ctx.save();
    ctx.translate(12, layout.y + layout.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(o.yLabel ?? '', 0, 0);
    ctx.restore();
    colourBar(ctx, range, layout.x + layout.w + 10, layout.y, 12, layout.h);
  }

  hover(event) {
    const d = this.data;
    if (!d || !this.layout) return;
    const box = this.surface.canvas.getBoundingClientRect();
    const cell = cellAt(this.layout, event.clientX - box.left, event.clientY - box.top);
    const o = this.options;
    this.surface.readout.textContent = cell
      ? `${o.xLabel ?? 'x'} = ${fmt(d.xValues?.[cell.col])}, ${o.yLabel ?? 'y'} = ${fmt(d.yValues?.[cell.row])}: ${o.valueLabel ?? 'value'} ${fmt(d.values[cell.row * d.cols + cell.col])}`
      : '';
  }
}

/**
 * A graph with a value per node: `setGraph({ positions, edges })` (positions x0, y0, x1, y1, …;
 * edges i0, j0, i1, j1, …), then `setValues(values, { range, caption })` per frame. Nodes are
 * coloured on the diverging ramp (signed values, fixed `range` so an animation keeps its scale).
 */
export class GraphView {
  constructor(host, options = {}) {
    this.options = options;
    this.surface = canvasIn(host, options.title, options.aspect ?? 0.75);
    this.graph = null;
    this.values = null;
    this.surface.canvas.setAttribute('role', 'img');
    this.surface.canvas.setAttribute('aria-label', options.title ?? 'graph');
  }

  setGraph(graph) {
    this.graph = graph;
    this.draw();
  }

  setValues(values, { range, caption } = {}) {
    this.values = values;
    this.range = range ?? valueRange(values, { signed: true });
    this.surface.readout.textContent = caption ?? '';
    this.draw();
  }

  draw() {
    const { ctx, w, h } = this.surface.size();
    ctx.clearRect(0, 0, w, h);
    const g = this.graph;
    if (!g || !g.positions.length) return;
    const n = g.positions.length / 2;
    const barRoom = 60;
    const p = fitPositions(g.positions, w - barRoom, h, 14);
    ctx.strokeStyle = 'rgba(80,80,80,0.35)';
    ctx.lineWidth = n > 200 ? 0.5 : 1;
    ctx.beginPath();
    for (let e = 0; e < g.edges.length; e += 2) {
      const [a, b] = [g.edges[e], g.edges[e + 1]];
      ctx.moveTo(p[2 * a], p[2 * a + 1]);
      ctx.lineTo(p[2 * b], p[2 * b + 1]);
    }
    ctx.stroke();
    const radius = Math.max(2.5, Math.min(9, 180 / Math.sqrt(n)));
    const range = this.range ?? { lo: -1, hi: 1, signed: true };
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = css(this.values ? colourOf(this.values[i], range) : MISSING);
      ctx.beginPath();
      ctx.arc(p[2 * i], p[2 * i + 1], radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.4)';
      ctx.lineWidth = 0.6;
      ctx.stroke();
    }
    colourBar(ctx, range, w - barRoom + 8, 14, 12, h - 28);
  }
}

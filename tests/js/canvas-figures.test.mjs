// Unit tests of the canvas figures' arithmetic (www/js/canvas-figures.js): colour ramps, value
// ranges, heat-map layout and hit-testing, graph fitting. The drawing itself is checked by the
// end-to-end screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sequential, diverging, valueRange, position, colourOf, MISSING, heatmapLayout, cellAt, fitPositions,
} from '../../www/js/canvas-figures.js';

test('ramps hit their end stops and clamp outside [0, 1]', () => {
  assert.deepEqual(sequential(0), [32, 36, 92]);
  assert.deepEqual(sequential(1), [240, 226, 80]);
  assert.deepEqual(sequential(-3), sequential(0));
  assert.deepEqual(sequential(7), sequential(1));
  // halfway between stops 2 and 3 of five: t = 0.625 → (30+104)/2, (152+196)/2, (138+96)/2
  assert.deepEqual(sequential(0.625), [67, 174, 117]);
  assert.deepEqual(diverging(0), [246, 246, 244]);
  assert.deepEqual(diverging(-1), [44, 92, 170]);
  assert.deepEqual(diverging(1), [180, 40, 40]);
});

test('value ranges skip non-finite values, are symmetric when signed, positive when log', () => {
  assert.deepEqual(valueRange([3, NaN, 1, Infinity, 2]), { lo: 1, hi: 3, log: false, signed: false });
  assert.deepEqual(valueRange([-0.5, 2, NaN], { signed: true }), { lo: -2, hi: 2, log: false, signed: true });
  assert.deepEqual(valueRange([0, -1, 1e-3, 10], { log: true }), { lo: 1e-3, hi: 10, log: true, signed: false });
  assert.deepEqual(valueRange([5, 5]), { lo: 5, hi: 6, log: false, signed: false });
  assert.deepEqual(valueRange([]), { lo: 0, hi: 1, log: false, signed: false });
});

test('positions: linear, logarithmic, signed, missing', () => {
  assert.equal(position(2, { lo: 1, hi: 3 }), 0.5);
  assert.ok(Math.abs(position(1e-1, { lo: 1e-3, hi: 10, log: true }) - 0.5) < 1e-12);
  assert.equal(position(-1, { lo: -2, hi: 2, signed: true }), -0.5);
  assert.equal(position(9, { lo: -2, hi: 2, signed: true }), 1);
  assert.equal(position(NaN, { lo: 0, hi: 1 }), null);
  assert.equal(position(-1, { lo: 1, hi: 10, log: true }), null);
  assert.deepEqual(colourOf(NaN, { lo: 0, hi: 1 }), MISSING);
  assert.deepEqual(colourOf(0, { lo: -1, hi: 1, signed: true }), diverging(0));
});

test('heat-map layout and hit-testing: row 0 at the bottom, outside is null', () => {
  const l = heatmapLayout(4, 5, 300, 200, { left: 50, right: 50, top: 0, bottom: 40 });
  assert.deepEqual([l.x, l.y, l.w, l.h, l.cellW, l.cellH], [50, 0, 200, 160, 40, 40]);
  assert.deepEqual(cellAt(l, 51, 1), { row: 3, col: 0 });
  assert.deepEqual(cellAt(l, 249, 159), { row: 0, col: 4 });
  assert.deepEqual(cellAt(l, 130, 90), { row: 1, col: 2 });
  assert.equal(cellAt(l, 49, 10), null);
  assert.equal(cellAt(l, 100, 161), null);
});

test('graph positions fit the box with the aspect kept, y pointing up', () => {
  // a 2 × 1 rectangle of nodes into 100 × 100 px with 10 px padding: scale 40 px per unit
  const p = fitPositions([0, 0, 2, 0, 0, 1, 2, 1], 100, 100, 10);
  assert.deepEqual(Array.from(p), [10, 70, 90, 70, 10, 30, 90, 30]);
  const one = fitPositions([5, 5], 60, 40, 4);
  assert.deepEqual(Array.from(one), [30, 20]);
});

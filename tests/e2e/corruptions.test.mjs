// End-to-end test of the corruption gallery page in the built site (dist/): the full grid renders
// incrementally without long main-thread stalls, hover titles carry the parameters, the browser's
// checksums equal the native golden file, the URL hash drives the state (bad values are reported),
// embedding, drawing and PNG export work. Screenshots go to tests/e2e/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SHOTS, siteSession, closeClean, shoot } from './harness.mjs';

const GOLDEN = new URL('../golden/corruptions.json', import.meta.url);

const site = siteSession();
const openPage = site.openPage;

const done = (page) => page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });

test('gallery card opens the full 5-severity grid without stalling the page', async () => {
  const { page, errors } = await openPage();
  // Watch for main-thread tasks longer than 50 ms from here on.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  });
  await page.click('a.card[data-slug="corruptions"]');
  await page.waitForSelector('.corruption-grid tbody tr');
  await done(page);
  assert.match(page.url(), /#page=corruptions&suite=5sev&source=synthetic&image=0&seed=0$/);
  assert.equal(await page.locator('.corruption-grid tbody tr').count(), 15);
  assert.equal(await page.locator('.corruption-grid tbody tr.done').count(), 15);
  assert.equal(await page.locator('.corruption-grid td[data-severity]').count(), 75);
  // Every cell was painted: no canvas is still all zeros (brightness, fog, … never are).
  const blank = await page.evaluate(() => [...document.querySelectorAll('td[data-severity] canvas')]
    .filter((c) => !c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 !== 3 && v > 0)).length);
  assert.equal(blank, 0);
  const title = await page.locator('td[data-corruption="fog"][data-severity="3"] canvas').getAttribute('title');
  assert.match(title, /Fog · severity 3\nstrength = 2.5, decay = 1.7, plasma_map = 256/);
  assert.match(title, /deviations: /);
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  assert.ok(longest < 250, `a main-thread task took ${longest} ms`);
  await shoot(page, page, { path: SHOTS + 'corruptions-5sev.png', fullPage: true });
  await closeClean(page, errors, 'corruption grid');
});

test('browser checksums equal the native golden file and the canvases show those bytes', async () => {
  const golden = JSON.parse(await readFile(GOLDEN, 'utf8'));
  const key = (c) => `${c.corruption}/${c.severity}`;
  const want = new Map(golden.cells.map((c) => [key(c), c.fnv1a64]));
  const { page, errors } = await openPage('#page=corruptions&suite=mnist-c&source=synthetic&image=5&seed=0');
  await done(page);
  for (const suite of ['5sev', 'mnist-c']) {
    const cells = await page.evaluate(([s, n]) => window.wasmBindings.suiteChecksums(s, n, 0), [suite, golden.images]);
    assert.equal(cells.length, suite === '5sev' ? 75 : 15);
    for (const c of cells) assert.equal(c.fnv1a64, want.get(key(c)), key(c));
  }
  // The MNIST-C grid: one column; the zigzag cell's canvas holds exactly corruptImage's bytes.
  assert.equal(await page.locator('.corruption-grid td[data-severity]').count(), 15);
  const same = await page.evaluate(() => {
    const b = window.wasmBindings;
    const clean = b.syntheticImage(28, 28, 5, 0);
    const want = b.corruptImage('zigzag', 1, clean, 28, 28, 5, 0);
    const c = document.querySelector('td[data-corruption="zigzag"] canvas');
    const got = c.getContext('2d').getImageData(0, 0, 28, 28).data;
    return want.every((v, k) => got[4 * k] === v);
  });
  assert.ok(same);
  await shoot(page, page, { path: SHOTS + 'corruptions-mnist-c.png', fullPage: true });
  await closeClean(page, errors, 'corruption page');
});

test('bad hash values are reported and the page keeps a valid state; embed mode shows the grid only', async () => {
  const { page } = await openPage('#page=corruptions&suite=cifar&seed=0');
  await done(page);
  const banner = page.locator('#hash-error');
  assert.match(await banner.textContent(), /invalid value for `suite`: "cifar" \(allowed: 5sev, mnist-c\)/);
  assert.doesNotMatch(page.url(), /cifar/, 'the address bar shows the state kept');
  assert.equal(await page.locator('.corruption-grid tbody tr').count(), 15);
  await page.evaluate(() => { location.hash = '#page=corruptions&suite=5sev&image=-3'; });
  await page.waitForFunction(() => /`image`/.test(document.getElementById('hash-error').textContent));
  await page.close();

  const { page: embedded, errors } = await openPage('#page=corruptions&suite=mnist-c&source=synthetic&image=2&seed=4&embed=1');
  await done(embedded);
  assert.equal(await embedded.locator('header.site').isVisible(), false);
  assert.equal(await embedded.locator('section.controls').isVisible(), false);
  assert.equal(await embedded.locator('.corruption-grid').isVisible(), true);
  await closeClean(embedded, errors, 'embedded corruption grid');
});

test('dataset source loads the test split or says it is not built; drawing and PNG export work', async () => {
  const { page, errors } = await openPage('#page=corruptions&suite=mnist-c&source=fashion-mnist-small&image=1&seed=0');
  await done(page);
  const caption = await page.locator('.figure > p.note').textContent();
  assert.match(caption, /fashion-mnist\S* test image 1 \(label \d\)|is not built/);
  // Draw a stroke: the clean image is no longer blank and the grid is recomputed.
  await page.selectOption('select[name="source"]', 'drawn');
  await done(page);
  const pad = await page.locator('canvas.draw-pad').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.6, pad.y + pad.height * 0.8, { steps: 8 });
  await page.mouse.up();
  await done(page);
  const lit = await page.evaluate(() => {
    const c = document.querySelector('.corruption-grid tbody td canvas');
    return c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((v, i) => i % 4 === 0 && v > 128).length;
  });
  assert.ok(lit > 10, `only ${lit} bright pixels in the drawn image`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.export')]);
  assert.match(download.suggestedFilename(), /^corruptions-mnist-c-drawn-1-seed0\.png$/);
  const png = await readFile(await download.path());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A missing dataset file is an expected 404 (the page falls back and says so); nothing else.
  const missing = /is not built/.test(caption);
  assert.deepEqual(errors.filter((e) => !(missing && /404/.test(e))), []);
  await page.close();
});

// End-to-end test of the SAM page's CNN section: ERM and SAM train side by side in a Worker, on
// WebGPU where the browser exposes it (Chromium's SwiftShader adapter) and on the wasm CPU
// fallback with a visible notice otherwise; curves, metrics and timing fill in; the hash keeps
// the section's parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SHOTS, serveDist, launch, openPage, closeClean, shoot } from './harness.mjs';

// One short epoch on 200 images in batches of 64: three full batches and a partial one of 8 (the
// m-SAM chunk of 64 takes it whole), enough to exercise every path in seconds.
const SMALL = 'cnn.arch=cnn-s&cnn.train_size=200&cnn.test_size=256&cnn.epochs=1&cnn.batch=64&cnn.m=64&cnn.sharpness_images=64';
// Each backend's ERM and SAM results, to compare the two backends.
const results = {};

let server;
before(async () => {
  server = await serveDist();
});
after(() => server?.close());

async function trainOnce(browser, hash, shot) {
  const { page, errors } = await openPage(browser, server.base, hash);
  const section = page.locator('section.cnn-section');
  await section.waitFor();
  const started = Date.now();
  await page.click('button.cnn-train');
  await page.waitForFunction(() => ['finished', 'error'].includes(document.querySelector('section.cnn-section').dataset.state), null, { timeout: 240_000 });
  const elapsed = Date.now() - started;
  assert.equal(await section.getAttribute('data-state'), 'finished', await page.locator('section.cnn-section .control-error').textContent());
  let measured = 0;
  const found = {};
  for (const run of ['erm', 'sam']) {
    const cells = await page.locator(`table.cnn-metrics tr[data-run="${run}"] td`).allTextContents();
    assert.equal(cells[1], 'finished', `${run}: ${cells}`);
    const [accuracy, s1, s20, ms, ips] = [cells[3], cells[5], cells[6], cells[7], cells[8]].map(Number);
    assert.ok(accuracy > 0 && accuracy <= 1, `${run} accuracy ${cells[3]}`);
    assert.ok(Number.isFinite(s1) && Number.isFinite(s20), `${run} sharpness ${cells[5]} ${cells[6]}`);
    assert.ok(ms > 0 && ips > 0, `${run} timing ${cells[7]} ${cells[8]}`);
    measured += 4 * ms; // four steps per run
    found[run] = { accuracy, s20 };
  }
  // The timing is measured, not the time to queue work: the steps' time accounts for most of the
  // wall time of the training (the rest is loading the data and starting the engine).
  assert.ok(measured <= 1.05 * elapsed && measured >= 0.25 * elapsed, `steps ${measured} ms of ${elapsed} ms wall time`);
  assert.equal(await section.getAttribute('data-epochs'), '1');
  assert.match(await page.locator('section.cnn-section .timing').textContent(), /ms\/step.*images\/s/);
  assert.ok(await page.locator('.cnn-accuracy canvas').count() > 0);
  assert.match(page.url(), /cnn\.train_size=200/);
  await shoot(page, section, { path: SHOTS + shot });
  return { page, errors, section, found };
}

test('CNN section falls back to the CPU with a notice when WebGPU is missing', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors, section, found } = await trainOnce(browser, `#paper=andriushchenko2022_sam&${SMALL}`, 'sam-cnn-cpu.png');
    assert.equal(await section.getAttribute('data-backend'), 'cpu');
    assert.match(await page.locator('.backend-note').textContent(), /CPU fallback — WebGPU unavailable/);
    results.cpu = found;
    await closeClean(page, errors, 'CNN on the CPU');
  } finally {
    await browser.close();
  }
});

test('CNN section trains on WebGPU when the browser has it', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors, section, found } = await trainOnce(browser, `#paper=andriushchenko2022_sam&${SMALL}`, 'sam-cnn-webgpu.png');
    assert.equal(await section.getAttribute('data-backend'), 'webgpu');
    assert.match(await page.locator('.backend-note').textContent(), /Backend: WebGPU/);
    await closeClean(page, errors, 'CNN on WebGPU');
    // Same batches (a partial last one included), same m-SAM chunks: the two backends agree to
    // f32 accumulation-order noise (at most one of 256 test images classified differently).
    if (results.cpu) {
      for (const run of ['erm', 'sam']) {
        const [g, c] = [found[run], results.cpu[run]];
        assert.ok(Math.abs(g.accuracy - c.accuracy) <= 1 / 256 + 1e-9, `${run}: accuracy WebGPU ${g.accuracy} vs CPU ${c.accuracy}`);
        assert.ok(Math.abs(g.s20 - c.s20) <= 0.05 * Math.abs(c.s20) + 1e-3, `${run}: sharpness WebGPU ${g.s20} vs CPU ${c.s20}`);
      }
    }
  } finally {
    await browser.close();
  }
});

test('a bad CNN parameter is refused with the core message and the run keeps its settings', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser, server.base, `#paper=andriushchenko2022_sam&${SMALL}`);
    const box = page.locator('section.cnn-section input[name="cnn.m"]');
    await box.fill('48');
    await box.dispatchEvent('change');
    assert.match(await page.locator('section.cnn-section .control-error').textContent(), /invalid value for `m`: "48" \(allowed: a divisor of batch = 64\)/);
    assert.equal(await box.inputValue(), '64');
    assert.match(page.url(), /cnn\.m=64/);
    await closeClean(page, errors, 'bad CNN parameter');
  } finally {
    await browser.close();
  }
});

test('a training error stops the runs and says why', async () => {
  const browser = await launch();
  try {
    const { page } = await openPage(browser, server.base, `#paper=andriushchenko2022_sam&${SMALL}`);
    await page.route('**/data/fashion-mnist-small.bin', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.click('button.cnn-train');
    await page.waitForSelector('section.cnn-section[data-state="error"]', { timeout: 60_000 });
    assert.match(await page.locator('section.cnn-section .control-error').textContent(), /Training stopped: could not load .*HTTP 404/);
    assert.equal(await page.locator('button.cnn-pause').isDisabled(), true);
    const states = await page.locator('table.cnn-metrics tr[data-run] td:nth-child(2)').allTextContents();
    assert.ok(states.every((s) => s !== 'running'), `statuses ${states}`);
    assert.equal(await page.locator('section.cnn-section .timing').textContent(), '');
  } finally {
    await browser.close();
  }
});

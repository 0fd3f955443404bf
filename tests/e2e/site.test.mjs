// End-to-end test of the built site (dist/): serves it on localhost, drives Debian's Chromium with
// playwright-core, and checks the gallery, the SAM page (play, curves, verify panel, URL errors).
// Screenshots go to tests/e2e/screenshots/.
import { test } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { SHOTS, siteSession, closeClean, watchLongTasks, shoot } from './harness.mjs';

const site = siteSession();
const openPage = site.openPage;

test('gallery lists the papers and opens the SAM page', async () => {
  const { page, errors } = await openPage();
  const card = page.locator('a.card[data-slug="andriushchenko2022_sam"]');
  await card.waitFor();
  await shoot(page, page, { path: SHOTS + 'gallery.png', fullPage: true });
  await card.click();
  await page.waitForSelector('.paper-head h1');
  assert.match(await page.locator('.paper-head h1').textContent(), /Sharpness-Aware/);
  assert.match(page.url(), /#paper=andriushchenko2022_sam&seed=0&algos=/);
  await closeClean(page, errors, 'gallery');
});

test('SAM page plays, updates the curves and reports the checks', async () => {
  const { page, errors } = await openPage('#paper=andriushchenko2022_sam&seed=3&preset=paper&algos=gd,nsam,1sam&steps=3000');
  await page.waitForSelector('.loss-chart canvas');
  const before = Number(await page.locator('main').getAttribute('data-done'));
  assert.equal(before, 0);
  await page.click('button.play');
  await page.waitForFunction(() => document.querySelector('main').dataset.finished === '1', null, { timeout: 60_000 });
  const done = Number(await page.locator('main').getAttribute('data-done'));
  assert.equal(done, 3 * 3000);
  // The metrics table shows finite numbers for every algorithm, and 1-SAM beats GD on this seed.
  const testLoss = async (algo) => Number(await page.locator(`tr[data-algo="${algo}"] td:nth-child(4)`).textContent());
  const [gd, one] = [await testLoss('gd'), await testLoss('1sam')];
  assert.ok(gd > 0 && one > 0 && one < gd, `test losses gd=${gd} 1sam=${one}`);
  await shoot(page, page, { path: SHOTS + 'sam-page.png', fullPage: true });

  // The verify panel runs the diagonal checks, then the CNN checks on the shipped Fashion-MNIST
  // file (minutes on one thread): once SAM-8 reports training progress, stop, and the summary
  // counts hard checks apart from soft ones and from the checks that did not run.
  await page.click('button.run-checks');
  await page.waitForFunction(() => Number(document.querySelectorAll('ol.checks li')[8]?.dataset.progress) > 0, null, { timeout: 300_000 });
  const outcomes = await page.locator('ol.checks li').evaluateAll((lis) => lis.map((li) => li.dataset.outcome ?? null));
  assert.equal(outcomes.length, 14, `outcomes ${outcomes}`);
  assert.ok(outcomes.slice(0, 8).every((o) => ['PASS', 'FAIL', 'NOT_APPLICABLE'].includes(o)), `outcomes ${outcomes}`);
  // The hard diagonal checks (SAM-1 … SAM-4) pass; SAM-3m, SAM-5, SAM-6 (report only) and SAM-7
  // (soft) are shown whatever their outcome.
  assert.deepEqual(outcomes.slice(0, 8).filter((o, i) => [0, 1, 2, 4].includes(i)), ['PASS', 'PASS', 'PASS', 'PASS'], `outcomes ${outcomes}`);
  assert.match(await page.locator('ol.checks li').nth(8).textContent(), /SAM-8 — training cnn-s .*batches/);
  await page.click('button.stop-checks');
  await page.waitForSelector('section.verify[data-done="1"]');
  const summary = await page.locator('.verify-status').textContent();
  assert.match(summary, /^stopped · hard checks: 4\/4 passed · soft and report-only: \d\/4 within their margins · not run: 6 · [\d.]+ s$/, summary);
  assert.doesNotMatch(summary, /needs the Fashion-MNIST file/);
  await shoot(page, page.locator('section.verify'), { path: SHOTS + 'sam-verify.png' });

  const rhoSweep = page.locator('section.sweep').first();
  await rhoSweep.locator('button.run-sweep').click();
  await page.waitForSelector('section.sweep[data-done="1"]', { timeout: 120_000 });
  await shoot(page, rhoSweep, { path: SHOTS + 'sam-rho-sweep.png' });
  await closeClean(page, errors, 'SAM page');
});

test('a bad value in the URL shows an inline error and keeps the last valid state', async () => {
  const { page, errors } = await openPage('#paper=andriushchenko2022_sam&seed=1&rho=0.05');
  await page.waitForSelector('.paper-head h1');
  await page.evaluate(() => (location.hash = '#paper=andriushchenko2022_sam&seed=1&rho=-1'));
  const banner = page.locator('#hash-error');
  await banner.waitFor({ state: 'visible' });
  assert.match(await banner.textContent(), /rho.*-1/);
  assert.equal(await page.locator('input[type=number][name=rho]').inputValue(), '0.05');
  await shoot(page, page, { path: SHOTS + 'sam-bad-url.png' });
  await closeClean(page, errors, 'SAM bad URL');
});

test('SGD page: GD and SGD run, the step-size sweep fills its charts', async () => {
  const { page, errors } = await openPage('#paper=pesme2021_sgd_dln&seed=0&algos=gd,sgd,sgf&steps=4000');
  await page.waitForSelector('.loss-chart canvas');
  await page.click('button.play');
  await page.waitForFunction(() => document.querySelector('main').dataset.finished === '1', null, { timeout: 120_000 });
  assert.equal(Number(await page.locator('main').getAttribute('data-done')), 3 * 4000);
  const cell = async (algo, n) => Number(await page.locator(`tr[data-algo="${algo}"] td:nth-child(${n})`).textContent());
  const [gd, sgd] = [await cell('gd', 4), await cell('sgd', 4)];
  assert.ok(gd > 0 && sgd > 0 && sgd < gd, `test errors gd=${gd} sgd=${sgd}`);
  await shoot(page, page, { path: SHOTS + 'sgd-page.png', fullPage: true });
  await page.click('button.run-sweep');
  await page.waitForSelector('section.sweep[data-done="1"]', { timeout: 120_000 });
  await shoot(page, page.locator('section.sweep'), { path: SHOTS + 'sgd-sweep.png' });
  await closeClean(page, errors, 'SGD page');
});

test('ReLU page: the loss staircase, aligned neurons and the λ sweep', async () => {
  const { page, errors } = await openPage('#paper=boursier2022_relu_flow&seed=0');
  await page.waitForSelector('.direction-chart canvas');
  await page.click('button.play');
  await page.waitForFunction(() => document.querySelector('main').dataset.finished === '1', null, { timeout: 120_000 });
  const vRatio = Number(await page.locator('tr[data-algo="flow"] td:nth-child(4)').textContent());
  assert.ok(vRatio >= 1 && vRatio < 1.02, `V/V* = ${vRatio}`);
  await shoot(page, page, { path: SHOTS + 'relu-page.png', fullPage: true });
  await page.click('button.run-sweep');
  await page.waitForSelector('section.sweep[data-done="1"]', { timeout: 120_000 });
  await shoot(page, page.locator('section.sweep'), { path: SHOTS + 'relu-sweep.png' });
  // A bad value keeps the page usable and names the parameter.
  await page.evaluate(() => (location.hash = '#paper=boursier2022_relu_flow&seed=0&width=1'));
  await page.locator('#hash-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#hash-error').textContent(), /width/);
  await closeClean(page, errors, 'ReLU page');
});

test('the <lemma-figure> custom element works from another origin and fits its figure', async () => {
  const page = await site.browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await watchLongTasks(page);
  // The blog lives on another origin and its host sends no CORS headers: the element's classic
  // script still loads (the snippet the page offers is copied verbatim).
  const { page: source } = await openPage('#paper=boursier2022_relu_flow&seed=1&lambda=1e-4');
  const snippet = await source.locator('textarea.element-code').inputValue();
  const iframeSnippet = await source.locator('textarea.embed-code').first().inputValue();
  await source.close();
  const snippetHeight = Number(/height="(\d+)"/.exec(iframeSnippet)[1]);
  assert.match(snippet, /^<script src="http:\/\/127\.0\.0\.1:\d+\/js\/embed-element\.js" defer><\/script>\n<lemma-figure paper="boursier2022_relu_flow" params="seed=1&/);
  const html = `<!doctype html><title>blog</title><p>A blog post.</p>${snippet}<p>After the figure.</p>`;
  // Another origin (localhost, another port) that sends no CORS headers at all.
  const blog = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise((r) => blog.listen(0, '127.0.0.1', r));
  await page.goto(`http://localhost:${blog.address().port}/post.html`);
  const frame = page.frameLocator('lemma-figure iframe');
  await frame.locator('body[data-ready="1"]').waitFor({ timeout: 30_000 });
  assert.equal(await frame.locator('header.site').isVisible(), false, 'embed mode hides the site chrome');
  assert.equal(await frame.locator('.loss-chart canvas').count(), 1);
  await frame.locator('button.play').click();
  await frame.locator('main[data-finished="1"]').waitFor({ timeout: 60_000 });
  // The frame follows the embedded page's height (posted by the page): the legend is not cut.
  const heights = async () => [
    await page.locator('lemma-figure iframe').evaluate((f) => f.clientHeight),
    await frame.locator('body').evaluate((b) => Math.ceil(b.getBoundingClientRect().height)),
  ];
  let [frameHeight, content] = await heights();
  for (let i = 0; i < 50 && Math.abs(frameHeight - content) > 2; i++) {
    await page.waitForTimeout(200);
    [frameHeight, content] = await heights();
  }
  assert.ok(Math.abs(frameHeight - content) <= 2, `frame ${frameHeight} px, content ${content} px`);
  const legend = await frame.locator('.loss-chart .u-legend').evaluate((l) => l.getBoundingClientRect().bottom);
  assert.ok(legend <= frameHeight, `legend ends at ${legend} px, frame is ${frameHeight} px`);
  // The plain iframe snippet (no script on the host) is tall enough for the same figure.
  assert.ok(content <= snippetHeight, `the iframe snippet's ${snippetHeight} px cut a ${content} px embed`);
  await shoot(page, page, { path: SHOTS + 'embed-element.png' });
  await closeClean(page, errors, 'embed element');
  blog.close();
});

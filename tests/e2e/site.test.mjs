// End-to-end test of the built site (dist/): serves it on localhost, drives Debian's Chromium with
// playwright-core, and checks the gallery and the embeds (the paper pages themselves are walked
// from the registry in papers.test.mjs). Screenshots go to tests/e2e/screenshots/.
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

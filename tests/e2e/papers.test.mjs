// Every registered paper's page, walked from the registry (no per-paper test to write): its smoke
// setting (the registry's `smoke` hash entries) plays to the end and fills every chart; each run
// of the page has every series, vector and metric its page description names; the sweeps run;
// the verify panel reports with every hard check that ran passing; an out-of-range value in the
// link is refused naming the parameter. Screenshots per page in tests/e2e/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOTS, siteSession, closeClean, shoot, uncounted } from './harness.mjs';

const site = siteSession();

/** The registry as the page sees it. */
async function registry() {
  const { page, errors } = await site.openPage();
  const papers = await page.evaluate(() => window.wasmBindings.papers());
  await closeClean(page, errors, 'gallery');
  return papers;
}

const hashOf = (slug, entries) => `#${new URLSearchParams([['paper', slug], ...entries]).toString().replaceAll('%2C', ',')}`;

/** The names a page description refers to that the runs of its smoke setting do not produce
 * (the runs are the test's own work, so their main-thread time is not the page's). */
async function missingNames(page, paper) {
  return uncounted(page, () => page.evaluate(async ({ slug, smoke }) => {
    const b = window.wasmBindings;
    const paper = b.papers().find((p) => p.slug === slug);
    const module = await import(`./js/papers/${slug}.js`);
    if (!module.page) return ['the page module exports no description `page`'];
    const { namesOf } = await import('./js/paper-page.js');
    const wanted = namesOf(module.page);
    const entries = new Map(smoke);
    const seed = entries.get('seed') ?? '0';
    const params = Object.fromEntries(paper.schema.params.filter((p) => entries.has(p.name)).map((p) => [p.name, entries.get(p.name)]));
    const compare = module.page.compare;
    const view = compare && (entries.get(compare.view) ?? paper.view.params.find((p) => p.name === compare.view).default);
    const options = compare ? view.split(',') : [null];
    const seen = { series: new Set(), vectors: new Set(), metrics: new Set() };
    for (const option of options) {
      const run = new b.Run(slug, compare ? { ...params, [compare.param]: option } : params, seed);
      while (run.step(1e6).status.state === 'running');
      for (const n of run.seriesNames()) seen.series.add(n);
      for (const n of run.vectorNames()) seen.vectors.add(n);
      for (const n of Object.keys(run.metrics())) seen.metrics.add(n);
      run.free();
    }
    return [
      ...wanted.series.filter((n) => !seen.series.has(n)).map((n) => `series ${n}`),
      ...wanted.prefixes.filter((p) => ![...seen.series].some((n) => n.startsWith(p))).map((p) => `series ${p}…`),
      ...wanted.vectors.filter((n) => !seen.vectors.has(n)).map((n) => `vector ${n}`),
      ...wanted.metrics.filter((n) => !seen.metrics.has(n)).map((n) => `metric ${n}`),
    ];
  }, { slug: paper.slug, smoke: paper.smoke }));
}

/** Runs the verify panel until every check has reported, or until a check that trains on a real
 * dataset has started (minutes on one thread: it is stopped there); returns the summary line. */
async function verifyPanel(page, slug) {
  await page.click('button.run-checks');
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('ol.checks li')];
    return items.length > 0 && (items.every((li) => li.dataset.outcome) || items.some((li) => Number(li.dataset.progress) > 0));
  }, null, { timeout: 300_000 });
  if (await page.locator('section.verify[data-done="1"]').count() === 0) await page.click('button.stop-checks');
  await page.waitForSelector('section.verify[data-done="1"]');
  await shoot(page, page.locator('section.verify'), { path: `${SHOTS}${slug}-verify.png` });
  return page.locator('.verify-status').textContent();
}

test('every paper page plays its smoke setting, names only what its runs produce, and verifies', async (t) => {
  // LEMMA_E2E_PAPERS=slug,slug narrows the walk while working on a page (CI walks every paper).
  const only = process.env.LEMMA_E2E_PAPERS?.split(',');
  for (const paper of await registry()) {
    if (only && !only.includes(paper.slug)) continue;
    await t.test(paper.slug, async () => {
      const { page, errors } = await site.openPage(hashOf(paper.slug, paper.smoke));
      await page.waitForSelector('.figure .chart canvas');
      assert.equal(Number(await page.locator('main').getAttribute('data-done')), 0);
      await page.click('button.play');
      await page.waitForFunction(() => document.querySelector('main').dataset.finished === '1', null, { timeout: 180_000 });
      const [done, total] = (await page.locator('.figure .player .progress').textContent()).split('/').map((s) => Number(s.replace(/[^\d]/g, '')));
      assert.ok(done > 0 && done === total, `iterations ${done} / ${total}`);
      // Every chart of the figure and of the section below it has points.
      const points = await page.locator('.figure .chart, .more > .chart').evaluateAll((cs) => cs.map((c) => [c.className, Number(c.dataset.points ?? 0)]));
      assert.ok(points.length > 0 && points.every(([, n]) => n > 0), `chart points ${JSON.stringify(points)}`);
      // Every run finished (or diverged, then the notice says so) and shows finite numbers.
      const rows = await page.locator('table.metrics:not(.cnn-metrics) tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      assert.ok(rows.length > 0, 'a results row per run');
      for (const cells of rows) {
        assert.ok(cells[1] === 'finished' || /^diverged at step \d+$/.test(cells[1]), `status ${cells}`);
        assert.ok(cells.slice(2).some((c) => Number.isFinite(Number(c))), `numbers ${cells}`);
      }
      assert.deepEqual(await missingNames(page, paper), [], `names the page refers to and ${paper.slug}'s runs lack`);
      await shoot(page, page, { path: `${SHOTS}${paper.slug}.png`, fullPage: true });

      const sweeps = page.locator('section.sweep');
      for (let i = 0; i < await sweeps.count(); i++) {
        await sweeps.nth(i).locator('button.run-sweep').click();
        await page.waitForFunction((k) => document.querySelectorAll('section.sweep')[k].dataset.done === '1', i, { timeout: 180_000 });
        const swept = await sweeps.nth(i).locator('.chart').evaluateAll((cs) => cs.map((c) => Number(c.dataset.points ?? 0)));
        assert.ok(swept.every((n) => n > 0), `sweep ${i} points ${swept}`);
        await shoot(page, sweeps.nth(i), { path: `${SHOTS}${paper.slug}-sweep-${i}.png` });
      }

      const summary = await verifyPanel(page, paper.slug);
      const [, passed, hard] = /hard checks: (\d+)\/(\d+) passed/.exec(summary) ?? [];
      assert.ok(Number(hard) > 0 && passed === hard, summary);

      // An out-of-range value in the link is refused, naming the parameter; the control keeps
      // the last valid value.
      const spec = paper.schema.params.find((p) => p.type === 'int' || p.type === 'float');
      const kept = await page.locator(`input[type=number][name="${spec.name}"]`).inputValue();
      const others = paper.smoke.filter(([k]) => k !== spec.name);
      await page.evaluate((hash) => (location.hash = hash), hashOf(paper.slug, [...others, [spec.name, String(spec.max * 10 + 1)]]));
      await page.locator('#hash-error').waitFor({ state: 'visible' });
      assert.match(await page.locator('#hash-error').textContent(), new RegExp(`\`${spec.name}\``));
      assert.equal(await page.locator(`input[type=number][name="${spec.name}"]`).inputValue(), kept);
      await closeClean(page, errors, paper.slug);
    });
  }
});

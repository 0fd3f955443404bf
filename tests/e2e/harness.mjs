// Shared set-up of the end-to-end tests: serves dist/ on localhost and starts Debian's Chromium
// through playwright-core (no browser download). Screenshots go to tests/e2e/screenshots/.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const ROOT = new URL('../../dist/', import.meta.url).pathname;
export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const BROWSER = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Serves dist/; resolves to { base, close() }. */
export async function serveDist() {
  await mkdir(SHOTS, { recursive: true });
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(ROOT, path.endsWith('/') ? path + 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Starts Chromium; `webgpu` exposes its software WebGPU adapter (SwiftShader), else no GPU. */
export function launch({ webgpu = false } = {}) {
  return chromium.launch({
    executablePath: BROWSER,
    headless: true,
    args: [...FLAGS, webgpu ? '--enable-unsafe-webgpu' : '--disable-gpu'],
  });
}

/** The longest main-thread task a page may run (ms): longer ones freeze the page for the user. */
export const LONG_TASK_MS = 250;

/** Records every long task (> 50 ms, the browser's definition) of the page in `window.__longTasks`. */
export async function watchLongTasks(page) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The page's main-thread tasks over LONG_TASK_MS so far (an empty list is the goal). */
export async function tasksOverBudget(page) {
  const all = await page.evaluate(() => window.__longTasks ?? []);
  return all.filter((ms) => ms > LONG_TASK_MS);
}

/** Opens `base + hash` and waits for the engine; collects console errors and long tasks. */
export async function openPage(browser, base, hash = '', viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await watchLongTasks(page);
  await page.goto(base + hash);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, errors };
}

/**
 * Takes a screenshot of `target` (the page or a locator) without counting its cost against the
 * page: a full-page capture lays the page out again at its whole height and redraws every chart,
 * work the test causes and no user does, so the long tasks it makes are dropped.
 */
export async function shoot(page, target, options) {
  await uncounted(page, () => target.screenshot(options));
}

/** Runs `work` (e.g. a test's own computation inside the page) and drops the long tasks it
 * caused from the page's record: they are the test's, not the page's. Returns its result. */
export async function uncounted(page, work) {
  const before = await page.evaluate(() => window.__longTasks?.length ?? 0);
  const result = await work();
  await page.waitForTimeout(100); // long-task entries arrive after the task
  await page.evaluate((n) => window.__longTasks?.splice(n), before);
  return result;
}

/** Asserts no page error and no main-thread task over LONG_TASK_MS, then closes the page. */
export async function closeClean(page, errors, what) {
  const long = await tasksOverBudget(page);
  await page.close();
  if (errors.length) throw new Error(`${what}: page errors ${JSON.stringify(errors)}`);
  if (long.length) throw new Error(`${what}: main-thread tasks over ${LONG_TASK_MS} ms: ${long.join(', ')} ms`);
}

/**
 * One served site and one browser for a whole test file: registers the file's before/after hooks
 * and returns { base, browser, openPage(hash, viewport) } (read them inside tests).
 */
export function siteSession(options = {}) {
  const session = { base: null, browser: null, server: null };
  before(async () => {
    session.server = await serveDist();
    session.base = session.server.base;
    session.browser = await launch(options);
  });
  after(async () => {
    await session.browser?.close();
    session.server?.close();
  });
  session.openPage = (hash = '', viewport) => openPage(session.browser, session.base, hash, viewport);
  return session;
}

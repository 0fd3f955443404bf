// Runs a paper's claim checks off the main thread, one at a time, posting each result. The
// datasets the checks train on (`paper.check_datasets`) are fetched from data/ first; the training
// runs inside a check post their progress.
import init, { Verification } from '../lemma-web.js';

let started = null;

/** Fetches data/<name>.bin for each name; a file the site does not ship is left out (its checks
 * then report "not applicable" with the reason) and named in a 'data' message. */
async function fetchDatasets(names) {
  const found = new Map();
  for (const name of names) {
    const url = new URL(`../data/${name}.bin`, import.meta.url);
    self.postMessage({ type: 'data', name, state: 'loading' });
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      found.set(name, new Uint8Array(await response.arrayBuffer()));
      self.postMessage({ type: 'data', name, state: 'loaded' });
    } catch (e) {
      self.postMessage({ type: 'data', name, state: 'missing', message: `could not load data/${name}.bin: ${e.message ?? e}` });
    }
  }
  return found;
}

self.onmessage = async (event) => {
  try {
    started ??= init({ module_or_path: new URL('../lemma-web_bg.wasm', import.meta.url) });
    await started;
    const { slug, datasets } = event.data;
    const data = datasets?.length ? await fetchDatasets(datasets) : new Map();
    let current = null;
    let last = 0;
    const onProgress = (what, progress) => {
      const now = performance.now();
      if (now - last < 200 && progress.status.state === 'running') return;
      last = now;
      self.postMessage({ type: 'progress', id: current, what, done: progress.done, total: progress.total });
    };
    const verification = new Verification(slug, data.size ? data : undefined, onProgress);
    const ids = verification.ids();
    self.postMessage({ type: 'ids', ids });
    for (const id of ids) {
      current = id;
      self.postMessage({ type: 'running', id });
      self.postMessage({ type: 'result', result: verification.step() });
    }
    self.postMessage({ type: 'done' });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message ?? e) });
  }
};

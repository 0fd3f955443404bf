// Runs a paper's claim checks off the main thread, one at a time, posting each result.
import init, { Verification } from '../lemma-web.js';

let started = null;

self.onmessage = async (event) => {
  try {
    started ??= init({ module_or_path: new URL('../lemma-web_bg.wasm', import.meta.url) });
    await started;
    const verification = new Verification(event.data.slug);
    const ids = verification.ids();
    self.postMessage({ type: 'ids', ids });
    for (const id of ids) {
      self.postMessage({ type: 'running', id });
      self.postMessage({ type: 'result', result: verification.step() });
    }
    self.postMessage({ type: 'done' });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message ?? e) });
  }
};

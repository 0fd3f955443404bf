// Entry point: waits for the wasm engine, then routes on the URL hash between the gallery and the
// paper pages.

import { bindings } from './wasm.js';
import { readHash, onHashChange, showHashError } from './state.js';
import { renderGallery } from './gallery.js';
import { renderSamPage } from './papers/andriushchenko2022_sam.js';
import { renderSgdPage } from './papers/pesme2021_sgd_dln.js';
import { renderReluPage } from './papers/boursier2022_relu_flow.js';
import { renderCorruptionsPage } from './corruptions.js';

const PAGES = {
  andriushchenko2022_sam: renderSamPage,
  pesme2021_sgd_dln: renderSgdPage,
  boursier2022_relu_flow: renderReluPage,
};

async function main() {
  const b = await bindings();
  // Let the browser finish the task that evaluated the modules before the first page is built,
  // so neither makes one long main-thread task.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const papers = b.papers();
  const app = document.getElementById('app');
  let current = null; // { slug, page }

  function route({ paper, values }) {
    if (values.get('page') === 'corruptions') paper = 'page:corruptions'; // the corruption gallery
    if (current && current.slug === paper) {
      current.page.onHash(values);
      return;
    }
    current?.page.dispose();
    current = null;
    showHashError(null);
    if (paper === 'page:corruptions') {
      document.title = 'Common corruptions, regenerated — Lemma';
      current = { slug: paper, page: renderCorruptionsPage(app, b, values) };
      scrollTo(0, 0);
      return;
    }
    const meta = papers.find((p) => p.slug === paper);
    if (!paper || !meta || !PAGES[paper]) {
      if (paper) showHashError(`unknown paper "${paper}"`);
      document.title = 'Lemma — optimisation papers you can run';
      renderGallery(app, papers);
      return;
    }
    document.title = `${meta.title} — Lemma`;
    current = { slug: paper, page: PAGES[paper](app, b, meta, values) };
    scrollTo(0, 0);
  }

  onHashChange(route);
  route(readHash());
  reportEmbedHeight();
  document.body.dataset.ready = '1';
}

/** In a frame (an embed), tells the host page our height whenever it changes, so the frame can
 * fit the figure exactly (embed-element.js listens; any host may). */
function reportEmbedHeight() {
  if (window.parent === window) return;
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (Math.abs(height - last) < 2) return;
    last = height;
    window.parent.postMessage({ type: 'lemma-embed-size', height }, '*');
  }).observe(document.body);
}

main().catch((e) => {
  document.getElementById('app').textContent = `The engine failed to start: ${e.message ?? e}`;
  console.error(e);
});

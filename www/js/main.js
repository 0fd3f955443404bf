// Entry point: waits for the wasm engine, then routes on the URL hash between the gallery and the
// paper pages. A paper's page is the description `page` exported by `papers/<slug>.js`, loaded
// when first opened and rendered by paper-page.js. Adding a paper needs no edit here.

import { bindings } from './wasm.js';
import { readHash, onHashChange, showHashError } from './state.js';
import { renderGallery } from './gallery.js';
import { renderCorruptionsPage } from './corruptions.js';

/** The page module of a registered paper (cached by the browser's module map). */
const pageModule = (slug) => import(`./papers/${slug}.js`);
/** The renderer of page descriptions (with the plotting library), loaded with the first page. */
const paperPage = () => import('./paper-page.js');

async function main() {
  const b = await bindings();
  const papers = b.papers();
  const app = document.getElementById('app');
  let current = null; // { slug, page }
  let navigation = 0; // the latest route; an older one still loading its module gives way

  async function route({ paper, values }) {
    const me = ++navigation;
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
    let module = null;
    let renderer = null;
    if (meta) {
      try {
        [module, renderer] = await Promise.all([pageModule(paper), paperPage()]);
      } catch (e) {
        console.error(`the page module of ${paper} failed to load`, e);
      }
      // Evaluating a page's modules (uPlot among them) and building the page are two tasks, so
      // neither blocks the main thread for long.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (me !== navigation) return;
    }
    if (!meta || !module?.page) {
      if (paper) showHashError(meta ? `the page of "${paper}" could not be loaded` : `unknown paper "${paper.slice(0, 40)}"`);
      document.title = 'Lemma — optimisation papers you can run';
      renderGallery(app, papers);
      return;
    }
    document.title = `${meta.title} — Lemma`;
    current = { slug: paper, page: renderer.renderPaperPage(app, b, meta, values, module.page) };
    scrollTo(0, 0);
  }

  onHashChange(route);
  await route(readHash());
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

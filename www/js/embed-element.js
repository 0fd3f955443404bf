// <lemma-figure> — a custom element for blogs: <script type="module" src=".../js/embed-element.js">
// then <lemma-figure paper="boursier2022_relu_flow" params="seed=0&lambda=1e-6"></lemma-figure>.
// It frames the paper's page in embed mode (figure and player only), so the run happens in the
// gallery's own origin with its wasm engine, and the attributes carry every parameter and the seed.

const SITE = new URL('../', import.meta.url);

class LemmaFigure extends HTMLElement {
  static observedAttributes = ['paper', 'page', 'params', 'height'];

  connectedCallback() {
    this.render();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.render();
  }

  render() {
    const paper = this.getAttribute('paper');
    const page = this.getAttribute('page'); // a non-paper page, e.g. page="corruptions"
    if (!paper && !page) {
      this.textContent = '<lemma-figure> needs a paper="slug" (or page="corruptions") attribute';
      return;
    }
    const query = new URLSearchParams(this.getAttribute('params') ?? '');
    if (paper) query.set('paper', paper);
    else query.set('page', page);
    query.set('embed', '1');
    const frame = document.createElement('iframe');
    frame.src = new URL(`index.html#${query}`, SITE).href;
    frame.title = `Lemma: ${paper ?? page}`;
    frame.style.cssText = `border:0;width:100%;height:${Number(this.getAttribute('height')) || 460}px`;
    this.replaceChildren(frame);
  }
}

if (!customElements.get('lemma-figure')) customElements.define('lemma-figure', LemmaFigure);

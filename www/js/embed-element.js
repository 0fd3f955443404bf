// <lemma-figure> — a custom element for blogs. Load this file as a classic script (it needs no
// CORS headers, so any static host serves it, and it works from any origin):
//   <script src="https://…/js/embed-element.js" defer></script>
//   <lemma-figure paper="boursier2022_relu_flow" params="seed=0&lambda=1e-6"></lemma-figure>
// It frames the paper's page in embed mode (figure and player only), so the run happens in the
// gallery's own origin with its wasm engine, and the attributes carry every parameter and the
// seed. The framed page posts its height ({type: 'lemma-embed-size', height}) and the frame
// follows it, so the legend is never cut; `height="…"` fixes the height instead.
(() => {
  const script = document.currentScript;
  if (!script) {
    console.error('<lemma-figure>: load embed-element.js as a classic <script src> (not type="module")');
    return;
  }
  const SITE = new URL('../', script.src);
  const DEFAULT_HEIGHT = 560;

  class LemmaFigure extends HTMLElement {
    static observedAttributes = ['paper', 'page', 'params', 'height'];

    connectedCallback() {
      this.render();
      this.listener ??= (event) => {
        const frame = this.querySelector('iframe');
        if (!frame || event.source !== frame.contentWindow || event.origin !== SITE.origin) return;
        if (event.data?.type !== 'lemma-embed-size' || this.getAttribute('height')) return;
        const height = Number(event.data.height);
        if (Number.isFinite(height) && height > 0) frame.style.height = `${Math.ceil(height)}px`;
      };
      addEventListener('message', this.listener);
    }

    disconnectedCallback() {
      removeEventListener('message', this.listener);
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
      frame.style.cssText = `display:block;border:0;width:100%;height:${Number(this.getAttribute('height')) || DEFAULT_HEIGHT}px`;
      this.replaceChildren(frame);
    }
  }

  if (!customElements.get('lemma-figure')) customElements.define('lemma-figure', LemmaFigure);
})();

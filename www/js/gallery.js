// The gallery: one card per registered paper, built from the core's registry.

export function renderGallery(root, papers) {
  root.replaceChildren();
  const intro = document.createElement('section');
  intro.className = 'intro';
  intro.innerHTML = `<h1>Papers you can run</h1>
    <p>Each card opens a live, seeded reproduction of one paper's claim: move the sliders, press play,
    and run the same claim checks as <code>lemma verify</code> in your browser.</p>`;
  const grid = document.createElement('section');
  grid.className = 'cards';
  for (const p of papers) {
    const card = document.createElement('a');
    card.className = 'card';
    card.href = `#paper=${encodeURIComponent(p.slug)}`;
    card.dataset.slug = p.slug;
    const h = document.createElement('h2');
    h.textContent = p.title;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = `${p.authors} · ${p.venue} · ${p.needs_gpu ? 'WebGPU' : 'CPU'}`;
    const demo = document.createElement('p');
    demo.textContent = p.demo;
    const slug = document.createElement('code');
    slug.textContent = p.slug;
    card.append(h, meta, demo, slug);
    grid.append(card);
  }
  const corruptions = document.createElement('a');
  corruptions.className = 'card';
  corruptions.href = '#page=corruptions';
  corruptions.dataset.slug = 'corruptions';
  corruptions.innerHTML = `<h2>Common corruptions, regenerated</h2>
    <p class="meta">MNIST-C-5sev-repro · MNIST-C-repro · CPU</p>
    <p>Any image under all 15 CIFAR-10-C corruption types at five severities, or MNIST-C's 15 official
    corruptions: the same bytes as <code>lemma corrupt</code>.</p><code>corruptions</code>`;
  grid.append(corruptions);
  root.append(intro, grid);
}

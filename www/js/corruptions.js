// The corruption gallery: one image under every corruption of a suite at every severity, computed
// in wasm by the same Rust code as `lemma corrupt`. Rows are corruptions, columns severities; hover
// a cell for its parameters and deviations; export the grid as PNG. State lives in the hash:
// #page=corruptions&suite=5sev&source=synthetic&image=3&seed=0 (&embed=1 for a bare grid).
// Rows are computed one per animation frame so the page stays responsive.

import { el } from './page.js';
import { writeHash, showHashError } from './state.js';

const SCALE = 3; // on-screen pixels per image pixel
const SOURCES = {
  synthetic: 'synthetic strokes',
  'fashion-mnist-small': 'Fashion-MNIST (test split)',
  mnist: 'MNIST (test split)',
  drawn: 'your drawing / upload',
};
const DEFAULTS = { suite: '5sev', source: 'synthetic', image: '0', seed: '0' };

/** Renders the page; returns { onHash(values), dispose() } like the paper pages. */
export function renderCorruptionsPage(root, b, initialValues) {
  const registry = b.corruptionRegistry();
  const byId = new Map(registry.corruptions.map((c) => [c.id, c]));
  const datasets = new Map(); // name -> Promise<TestImages | null>
  let state = null;
  let disposed = false;
  let drawn = new Uint8Array(28 * 28);
  let generation = 0; // bumps on every redraw so stale frames stop
  let frame = 0;

  root.replaceChildren();
  const head = el('section', { className: 'paper-head' },
    el('h1', { textContent: 'Common corruptions, regenerated' }),
    el('p', { className: 'claim', textContent: 'Every corruption of MNIST-C-5sev-repro (the 15 CIFAR-10-C types at five severities on 28×28 gray images) and of MNIST-C-repro (MNIST-C\'s 15 official corruptions), applied live to one image. The browser and `lemma corrupt` produce identical bytes for the same seed and image index.' }),
    el('p', { className: 'fidelity', textContent: 'Fidelity: regenerated from the definitions, not the released files: the random draws, motion blur (numpy scheme instead of ImageMagick), JPEG (Rust codec), the frost texture (procedural) and a few resampling details differ, hence "-repro". Hover a cell for its deviations.' }));
  const suiteSel = el('select', { name: 'suite' },
    ...registry.suites.map((s) => el('option', { value: s.slug, textContent: s.name })));
  const sourceSel = el('select', { name: 'source' },
    ...Object.entries(SOURCES).map(([v, t]) => el('option', { value: v, textContent: t })));
  const imageBox = el('input', { type: 'number', name: 'image', min: 0, step: 1 });
  const seedBox = el('input', { type: 'number', name: 'seed', min: 0, step: 1 });
  const label = (text, input) => el('label', { className: 'control' }, el('span', { className: 'name', textContent: text }), input);
  const controlError = el('p', { className: 'control-error', role: 'alert', hidden: true });
  const pad = el('canvas', { width: 28, height: 28, className: 'draw-pad', title: 'draw with the mouse' });
  const clearBtn = el('button', { textContent: 'clear', type: 'button' });
  const upload = el('input', { type: 'file', accept: 'image/*', name: 'upload' });
  const drawBox = el('div', { className: 'draw-box' }, pad,
    el('div', {}, el('p', { className: 'note', textContent: 'Draw a digit here, or upload a picture (scaled to 28×28 gray). Drawn images are not stored in the link.' }), clearBtn, upload));
  const controls = el('section', { className: 'controls' },
    label('suite', suiteSel), label('image from', sourceSel), label('image #', imageBox), label('seed', seedBox),
    drawBox, controlError);
  const exportBtn = el('button', { textContent: 'Export PNG', type: 'button', className: 'export' });
  const status = el('span', { className: 'progress', ariaLive: 'polite' });
  const bar = el('div', { className: 'player' }, exportBtn, status);
  const caption = el('p', { className: 'note' });
  const grid = el('table', { className: 'corruption-grid' });
  const figure = el('section', { className: 'figure' }, caption, grid);
  const embedCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code' });
  const elementCode = el('textarea', { readOnly: true, rows: 3, className: 'embed-code element-code' });
  const embed = el('section', { className: 'embed' }, el('h2', { textContent: 'Embed this figure' }), embedCode, elementCode);
  root.append(head, controls, bar, figure, embed);

  function stateFrom(values) {
    const s = {};
    for (const k of Object.keys(DEFAULTS)) s[k] = values.get(k) ?? DEFAULTS[k];
    s.embed = values.get('embed') === '1';
    return s;
  }

  function validate(s) {
    if (!registry.suites.some((x) => x.slug === s.suite)) return `invalid value for \`suite\`: "${s.suite}" (allowed: ${registry.suites.map((x) => x.slug).join(', ')})`;
    if (!(s.source in SOURCES)) return `invalid value for \`source\`: "${s.source}" (allowed: ${Object.keys(SOURCES).join(', ')})`;
    for (const k of ['image', 'seed']) if (!/^\d+$/.test(s[k]) || !Number.isSafeInteger(Number(s[k]))) return `invalid value for \`${k}\`: "${s[k]}" (allowed: a non-negative integer)`;
    return null;
  }

  function hashOf(s) {
    const q = new URLSearchParams({ page: 'corruptions', suite: s.suite, source: s.source, image: s.image, seed: s.seed });
    if (s.embed) q.set('embed', '1');
    return '#' + q.toString();
  }

  function syncControls(s) {
    suiteSel.value = s.suite;
    sourceSel.value = s.source;
    imageBox.value = s.image;
    seedBox.value = s.seed;
    drawBox.hidden = s.source !== 'drawn';
    imageBox.disabled = s.source === 'drawn';
    root.classList.toggle('embedded', s.embed);
    document.body.classList.toggle('embed-mode', s.embed);
    const url = new URL(location.href);
    url.hash = hashOf({ ...s, embed: true }).slice(1);
    embedCode.value = `<iframe src="${url.href}" width="720" height="900" style="border:0" title="Lemma: common corruptions"></iframe>`;
    const site = new URL('./', location.href).href;
    const params = `suite=${s.suite}&source=${s.source}&image=${s.image}&seed=${s.seed}`;
    elementCode.value = `<script src="${site}js/embed-element.js" defer></script>\n<lemma-figure page="corruptions" params="${params}"></lemma-figure>`;
  }

  /** Applies a candidate state: invalid ones keep the last valid state and show why. */
  function apply(candidate, fromHash) {
    if (disposed) return; // a control's late `change` while the page is replaced
    const error = validate(candidate);
    if (error) {
      if (fromHash) showHashError(error);
      controlError.hidden = false;
      controlError.textContent = error;
      if (state) {
        syncControls(state);
        if (fromHash) writeHash(hashOf(state)); // the address bar shows the state kept
      } else apply({ ...DEFAULTS, embed: candidate.embed }, false); // a first link that is bad
      return;
    }
    controlError.hidden = true;
    if (fromHash) showHashError(null);
    state = candidate;
    syncControls(state);
    writeHash(hashOf(state));
    redraw();
  }

  function edit(key, value) {
    apply({ ...state, [key]: String(value) }, false);
  }

  suiteSel.addEventListener('change', () => edit('suite', suiteSel.value));
  sourceSel.addEventListener('change', () => edit('source', sourceSel.value));
  imageBox.addEventListener('change', () => edit('image', imageBox.value));
  seedBox.addEventListener('change', () => edit('seed', seedBox.value));
  exportBtn.addEventListener('click', exportPng);
  setupDrawing();

  /** The dataset's test images, fetched and parsed once (null when the file is not built). */
  function dataset(name) {
    if (!datasets.has(name)) {
      datasets.set(name, fetch(`data/${name}.bin`)
        .then((r) => (r.ok ? r.arrayBuffer() : null))
        .then((buf) => (buf ? new b.TestImages(new Uint8Array(buf)) : null))
        .catch(() => null));
    }
    return datasets.get(name);
  }

  /** Resolves the chosen clean image: { pixels, rows, cols, index, note }. */
  async function cleanImage(s) {
    const index = Number(s.image);
    if (s.source === 'drawn') return { pixels: drawn, rows: 28, cols: 28, index: 0, note: 'your image' };
    if (s.source !== 'synthetic') {
      const d = await dataset(s.source);
      if (d) {
        const i = index % d.count;
        return { pixels: d.image(i), rows: d.rows, cols: d.cols, index: i, note: `${d.name} test image ${i} (label ${d.label(i)})` };
      }
      caption.dataset.fallback = '1';
      const img = b.syntheticImage(28, 28, index, 0);
      return { pixels: img, rows: 28, cols: 28, index, note: `data/${s.source}.bin is not built (run \`lemma data build\`): showing synthetic image ${index} instead` };
    }
    return { pixels: b.syntheticImage(28, 28, index, 0), rows: 28, cols: 28, index, note: `synthetic stroke image ${index}` };
  }

  function paint(canvas, pixels, rows, cols) {
    const ctx = canvas.getContext('2d');
    const data = ctx.createImageData(cols, rows);
    for (let k = 0; k < rows * cols; k++) {
      const v = pixels[k];
      data.data.set([v, v, v, 255], 4 * k);
    }
    ctx.putImageData(data, 0, 0);
  }

  function tooltip(c, severity) {
    const row = c.levels[severity - 1];
    const params = c.params.map((p, i) => `${p} = ${row[i]}`).join(', ');
    return `${c.title} · severity ${severity}\n${params}\n${c.summary}\nsource: ${c.source}\ndeviations: ${c.deviations}`;
  }

  async function redraw() {
    const gen = ++generation;
    cancelAnimationFrame(frame);
    document.body.dataset.done = '0';
    delete caption.dataset.fallback;
    const s = state;
    const suite = registry.suites.find((x) => x.slug === s.suite);
    const img = await cleanImage(s);
    if (gen !== generation) return;
    const { rows, cols } = img;
    const single = suite.entries.every(([, sevs]) => sevs.length === 1);
    const columns = single ? ['setting'] : [1, 2, 3, 4, 5];
    caption.textContent = `${suite.name}: ${img.note}, seed ${s.seed}. ${suite.description}`;
    const canvasFor = (title) => {
      const cv = el('canvas', { width: cols, height: rows, title });
      cv.style.width = `${cols * SCALE}px`;
      cv.style.height = `${rows * SCALE}px`;
      return cv;
    };
    const headRow = el('tr', {}, el('th', { textContent: 'corruption' }), el('th', { textContent: 'clean' }),
      ...columns.map((c) => el('th', { textContent: single ? 'MNIST-C' : `severity ${c}` })));
    const body = [];
    for (const [id, sevs] of suite.entries) {
      const c = byId.get(id);
      const clean = canvasFor('clean image');
      paint(clean, img.pixels, rows, cols);
      const cells = sevs.map((sev) => ({ sev, canvas: canvasFor(tooltip(c, sev)) }));
      const tr = el('tr', { className: 'pending' }, el('th', { textContent: c.title, title: `${c.id} [${c.group}]: ${c.summary}` }),
        el('td', {}, clean), ...cells.map(({ sev, canvas }) => {
          const td = el('td', {}, canvas);
          td.dataset.corruption = id;
          td.dataset.severity = sev;
          return td;
        }));
      body.push({ tr, c, cells });
    }
    grid.replaceChildren(el('thead', {}, headRow), el('tbody', {}, ...body.map((r) => r.tr)));
    let next = 0;
    const step = () => {
      if (gen !== generation) return;
      const started = performance.now();
      // At least one row per frame, more while the frame budget (≈12 ms) lasts.
      do {
        const { tr, c, cells } = body[next++];
        try {
          for (const { sev, canvas } of cells) {
            paint(canvas, b.corruptImage(c.id, sev, img.pixels, rows, cols, img.index, Number(s.seed)), rows, cols);
          }
          tr.className = 'done';
        } catch (e) {
          tr.className = 'failed';
          tr.title = String(e.message ?? e);
        }
      } while (next < body.length && performance.now() - started < 12);
      status.textContent = next < body.length ? `computing… ${next}/${body.length} rows` : `${body.length} rows`;
      if (next < body.length) frame = requestAnimationFrame(step);
      else document.body.dataset.done = '1';
    };
    frame = requestAnimationFrame(step);
  }

  function exportPng() {
    const rows = [...grid.querySelectorAll('tbody tr')];
    const heads = [...grid.querySelectorAll('thead th')].map((th) => th.textContent);
    const first = grid.querySelector('tbody canvas');
    if (!first) return;
    const s = 3;
    const cw = first.width * s;
    const ch = first.height * s;
    const labelW = 130;
    const gap = 6;
    const out = el('canvas', { width: labelW + (heads.length - 1) * (cw + gap), height: 24 + rows.length * (ch + gap) });
    const ctx = out.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = '#1d232b';
    ctx.font = '12px sans-serif';
    heads.slice(1).forEach((h, j) => ctx.fillText(h, labelW + j * (cw + gap), 16));
    ctx.imageSmoothingEnabled = false;
    rows.forEach((tr, i) => {
      const y = 24 + i * (ch + gap);
      ctx.fillText(tr.querySelector('th').textContent, 4, y + ch / 2);
      [...tr.querySelectorAll('canvas')].forEach((cv, j) => ctx.drawImage(cv, labelW + j * (cw + gap), y, cw, ch));
    });
    out.toBlob((blob) => {
      const a = el('a', { href: URL.createObjectURL(blob), download: `corruptions-${state.suite}-${state.source}-${state.image}-seed${state.seed}.png` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }, 'image/png');
  }

  function setupDrawing() {
    pad.style.width = pad.style.height = `${28 * 6}px`;
    const ctx = pad.getContext('2d');
    const reset = () => {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, 28, 28);
      drawn = new Uint8Array(28 * 28);
    };
    reset();
    const capture = () => {
      const d = ctx.getImageData(0, 0, 28, 28).data;
      drawn = new Uint8Array(28 * 28);
      for (let k = 0; k < drawn.length; k++) drawn[k] = Math.round(0.299 * d[4 * k] + 0.587 * d[4 * k + 1] + 0.114 * d[4 * k + 2]);
      if (state?.source === 'drawn') redraw();
    };
    let down = false;
    let last = null;
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * 28, ((e.clientY - r.top) / r.height) * 28];
    };
    pad.addEventListener('pointerdown', (e) => { down = true; last = at(e); pad.setPointerCapture(e.pointerId); });
    pad.addEventListener('pointermove', (e) => {
      if (!down) return;
      const p = at(e);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2.2;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(...last);
      ctx.lineTo(...p);
      ctx.stroke();
      last = p;
    });
    pad.addEventListener('pointerup', () => { down = false; capture(); });
    clearBtn.addEventListener('click', () => { reset(); capture(); });
    upload.addEventListener('change', async () => {
      const file = upload.files?.[0];
      if (!file) return;
      const bitmap = await createImageBitmap(file);
      reset();
      ctx.drawImage(bitmap, 0, 0, 28, 28);
      capture();
    });
  }

  apply(stateFrom(initialValues), true);

  return {
    onHash(values) {
      apply(stateFrom(values), true);
    },
    dispose() {
      disposed = true;
      generation++;
      cancelAnimationFrame(frame);
      document.body.classList.remove('embed-mode');
    },
  };
}

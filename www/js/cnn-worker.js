// Trains the runs of a paper part (e.g. ERM and SAM side by side) off the main thread, so the page
// never freezes: on the part's GPU run when the browser has WebGPU, otherwise on the wasm CPU
// backend. Posts each run's progress, per-epoch curves, metrics and throughput.
import init, { Dataset, Run, GpuRun, requestGpu } from '../lemma-web.js';

let started = null;
let job = 0; // the current job's number; a newer start or a stop ends the older loop
let paused = false;
const datasets = new Map();

async function dataset(url) {
  if (!datasets.has(url)) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
    datasets.set(url, Dataset.fromBytes(new Uint8Array(await response.arrayBuffer())));
  }
  return datasets.get(url);
}

let device = null; // a promise of the GpuDevice, or of null with the reason
function gpu() {
  device ??= requestGpu().then((d) => ({ device: d }), (e) => ({ device: null, reason: String(e?.message ?? e) }));
  return device;
}

/** The adapter as the browser names it (wgpu's info is blank in browsers; WebGPU's own is not). */
async function adapterName(device) {
  try {
    const info = (await navigator.gpu.requestAdapter())?.info;
    const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
    if (name) return name;
  } catch {
    // fall through to wgpu's description
  }
  return device.describe();
}

function snapshot(run) {
  const series = {};
  for (const name of run.seriesNames()) series[name] = { x: run.seriesX(name), y: run.seriesY(name) };
  return { series, metrics: run.metrics() };
}

async function train(msg, me) {
  const data = await dataset(msg.datasetUrl);
  let backend = { kind: 'cpu', adapter: 'wasm CPU backend (single thread)', reason: 'CPU requested in the URL' };
  if (msg.backend !== 'cpu') {
    const g = await gpu();
    backend = g.device
      ? { kind: 'webgpu', adapter: await adapterName(g.device) }
      : { kind: 'cpu', adapter: 'wasm CPU backend (single thread)', reason: `WebGPU unavailable: ${g.reason}` };
  }
  self.postMessage({ type: 'backend', ...backend });
  const g = backend.kind === 'webgpu' ? await gpu() : null;
  const runs = msg.runs.map((r) => ({
    id: r.id,
    run: g ? new GpuRun(g.device, msg.slug, msg.part, r.params, msg.seed, data) : Run.forPart(msg.slug, msg.part, r.params, msg.seed, data),
    seconds: 0,
    steps: 0,
  }));
  const budget = g ? 8 : 1;
  try {
    for (;;) {
      const live = runs.filter((r) => r.progress?.status.state !== 'finished' && r.progress?.status.state !== 'diverged');
      if (live.length === 0 || me !== job) break;
      while (paused && me === job) await new Promise((resolve) => setTimeout(resolve, 100));
      for (const r of live) {
        if (me !== job) break;
        const before = r.run.progress().done;
        const t0 = performance.now();
        // A GPU step resolves once the device has finished it, so this is the real time.
        r.progress = g ? await r.run.step(budget) : r.run.step(budget);
        r.seconds += (performance.now() - t0) / 1000;
        r.steps += r.progress.done - before;
        const state = snapshot(r.run);
        // The core counts the images trained (a partial last batch counts its own).
        self.postMessage({
          type: 'progress', id: r.id, progress: r.progress, ...state,
          msPerStep: r.steps ? (1000 * r.seconds) / r.steps : null,
          imagesPerSec: r.seconds ? state.metrics.images_trained / r.seconds : null,
        });
        // Let pause/stop messages in between slices.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  } finally {
    for (const r of runs) r.run.free();
  }
  if (me === job) self.postMessage({ type: 'done' });
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'pause') paused = true;
  else if (msg.type === 'resume') paused = false;
  else if (msg.type === 'stop') job += 1;
  else if (msg.type === 'start') {
    job += 1;
    paused = false;
    const me = job;
    try {
      started ??= init({ module_or_path: new URL('../lemma-web_bg.wasm', import.meta.url) });
      await started;
      await train(msg, me);
    } catch (e) {
      if (me === job) self.postMessage({ type: 'error', message: String(e?.message ?? e) });
    }
  }
};

// Time of each paper's default run in wasm (Node's V8, the engine of Chromium, running the very
// module Trunk built into dist/) against the native release build (`lemma bench --json`), as a
// ratio. Usage: trunk build --offline && cargo build --release -p lemma-cli && node benches/wasm_vs_native.mjs
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

const root = new URL('../', import.meta.url);
const wasm = await import(new URL('dist/lemma-web.js', root));
await wasm.default({ module_or_path: await readFile(new URL('dist/lemma-web_bg.wasm', root)) });

const native = JSON.parse(execFileSync(new URL('target/release/lemma', root).pathname, ['bench', '--json', '--runs-only']));
const REPEATS = 10;

console.log('paper                        native ms    wasm ms   wasm/native');
for (const p of wasm.papers()) {
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const run = new wasm.Run(p.slug, {}, '0'); // seeds cross as text (schema::parse_seed)
    while (run.step(1e9).status.state === 'running');
    best = Math.min(best, performance.now() - start);
    run.free();
  }
  const n = native.find((r) => r.slug === p.slug).default_run_ms;
  console.log(`${p.slug.padEnd(28)} ${n.toFixed(2).padStart(9)} ${best.toFixed(2).padStart(10)} ${(best / n).toFixed(2).padStart(12)}`);
}

// Time of one CNN training step (batch 128, SGD and SAM, CNN-S and CNN-M, the same synthetic batch)
// in wasm — Node's V8, the engine of Chromium, running the module Trunk built into dist/ — against
// the native release build on one thread (`lemma bench --cnn --one-thread --json`), as a
// ratio; wasm is single-threaded, so this compares code generation, not cores.
// Usage: trunk build --offline && cargo build --release -p lemma-cli &&
//        node benches/cnn_wasm.mjs [DIR]
// DIR (default dist/) holds lemma-web.js and lemma-web_bg.wasm, e.g. a build without simd128 to
// measure what SIMD gives:
//   RUSTFLAGS='-C target-feature=-simd128' cargo build --release --target wasm32-unknown-unknown \
//     -p lemma-web --target-dir target/nosimd && wasm-bindgen --target web --out-name lemma-web \
//     --out-dir target/nosimd/pkg target/nosimd/wasm32-unknown-unknown/release/lemma_web.wasm
//   node benches/cnn_wasm.mjs target/nosimd/pkg
// LEMMA_BIN or CARGO_TARGET_DIR locate lemma.
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const root = new URL('../', import.meta.url);
const dir = pathToFileURL(path.resolve(process.argv[2] ?? new URL('dist', root).pathname) + '/');
const REPEATS = 5;

const wasm = await import(new URL('lemma-web.js', dir));
await wasm.default({ module_or_path: await readFile(new URL('lemma-web_bg.wasm', dir)) });

const target = process.env.CARGO_TARGET_DIR ?? new URL('target', root).pathname;
const lemma = process.env.LEMMA_BIN ?? `${target}/release/lemma`;
const native = JSON.parse(
  execFileSync(lemma, ['bench', '--cnn', '--one-thread', '--json', '--repeats', String(REPEATS)]),
);

console.log(`wasm module: ${new URL('lemma-web_bg.wasm', dir).pathname}`);
console.log('arch   step   native ms    wasm ms   wasm/native');
const ratios = [];
for (const row of native) {
  const bench = new wasm.CnnStepBench(row.arch, row.step);
  bench.run(); // warm-up, as natively
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    bench.run();
    best = Math.min(best, performance.now() - start);
  }
  bench.free();
  const ratio = best / row.ms_per_step;
  ratios.push(ratio);
  console.log(
    `${row.arch.padEnd(6)} ${row.step.padEnd(4)} ${row.ms_per_step.toFixed(1).padStart(11)} ${best.toFixed(1).padStart(10)} ${ratio.toFixed(2).padStart(12)}`,
  );
}
const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
console.log(`geometric mean wasm/native ${geo.toFixed(2)} (native on 1 thread)`);

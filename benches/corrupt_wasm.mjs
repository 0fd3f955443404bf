// Images per second of the full MNIST-C-5sev-repro suite (15 corruptions × 5 severities) in wasm —
// Node's V8 running the module Trunk built into dist/ — against the native release build
// (`lemma bench --corruptions --json`), on the same synthetic 28×28 images, as a ratio. The wasm
// run also checks that its per-cell checksums equal the native ones.
// Usage: trunk build --offline && cargo build --release -p lemma-cli &&
//        node benches/corrupt_wasm.mjs [images, default 10000]   (LEMMA_BIN or CARGO_TARGET_DIR locate lemma)
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

const root = new URL('../', import.meta.url);
const images = Number(process.argv[2] ?? 10_000);
const wasm = await import(new URL('dist/lemma-web.js', root));
await wasm.default({ module_or_path: await readFile(new URL('dist/lemma-web_bg.wasm', root)) });

const target = process.env.CARGO_TARGET_DIR ?? new URL('target', root).pathname;
const lemma = process.env.LEMMA_BIN ?? `${target}/release/lemma`;
const native = JSON.parse(execFileSync(lemma, ['bench', '--corruptions', '--json', '--images', String(images)]));

const start = performance.now();
const cells = wasm.suiteChecksums('5sev', images, 0);
const seconds = (performance.now() - start) / 1000;
const wasmRate = (cells.length * images) / seconds;

const mismatched = cells.filter((c) => c.fnv1a64 !== native.checksums[`${c.corruption}/${c.severity}`]);
console.log(`MNIST-C-5sev-repro, ${images} images × ${cells.length} cells = ${cells.length * images} corrupted images`);
console.log(`native  ${native.images_per_s.toFixed(0).padStart(8)} images/s  (${native.seconds.toFixed(1)} s)`);
console.log(`wasm    ${wasmRate.toFixed(0).padStart(8)} images/s  (${seconds.toFixed(1)} s)`);
console.log(`wasm/native time ratio ${(native.images_per_s / wasmRate).toFixed(2)}`);
console.log(mismatched.length === 0 ? 'checksums: all 75 cells identical to native' : `checksums DIFFER in ${mismatched.length} cells`);
process.exitCode = mismatched.length === 0 ? 0 : 1;

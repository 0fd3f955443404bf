// Access to the wasm bindings that Trunk's loader puts on window.wasmBindings.

let ready = null;

/** Resolves with the lemma-web bindings once the wasm module has started. */
export function bindings() {
  if (!ready) {
    ready = new Promise((resolve) => {
      if (window.wasmBindings) resolve(window.wasmBindings);
      else addEventListener('TrunkApplicationStarted', () => resolve(window.wasmBindings), { once: true });
    });
  }
  return ready;
}

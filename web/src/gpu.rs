//! WebGPU bindings: the kernel self-test (every WGSL kernel against its CPU twin).

use wasm_bindgen::prelude::*;

/// Opens the browser's WebGPU device, runs every kernel check and resolves to an array of
/// `{ name, shapes, max_abs_diff, scale, max_rel_diff, worst_index, tolerance, passed, error }`.
/// Rejects when WebGPU has no adapter.
#[wasm_bindgen(js_name = kernelSelfTest)]
pub async fn kernel_self_test() -> Result<JsValue, JsError> {
    let ctx = lemma::gpu::GpuContext::request()
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    let checks = lemma::gpu::checks::run_all(&ctx).await;
    serde_wasm_bindgen::to_value(&checks).map_err(|e| JsError::new(&e.to_string()))
}

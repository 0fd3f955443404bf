//! WebGPU bindings: the kernel self-test (every WGSL kernel against its CPU twin), a device handle
//! (requested once per page or Worker), and the GPU run of any registry part that has one. Each
//! `step` queues a bounded amount of work and resolves after the device has finished it.

use crate::{
    budget_from, data::Dataset, paper_part, parse_schema_params, seed_from, series_names, series_x,
    series_y, to_js,
};
use lemma::gpu::{GpuContext, GpuExperiment};
use std::sync::Arc;
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

/// An open WebGPU device with the kernels compiled.
#[wasm_bindgen]
pub struct GpuDevice {
    ctx: Arc<GpuContext>,
}

#[wasm_bindgen]
impl GpuDevice {
    /// The adapter as one line (browsers hide most fields; empty ones show as `?`).
    pub fn describe(&self) -> String {
        self.ctx.describe()
    }
}

/// Requests the browser's WebGPU adapter and device and compiles every kernel. Rejects with the
/// reason when WebGPU is unavailable (the page then falls back to the CPU).
#[wasm_bindgen(js_name = requestGpu)]
pub async fn request_gpu() -> Result<GpuDevice, JsError> {
    let ctx = GpuContext::request()
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    // The core shares contexts through `Arc` (threads natively); in the browser, WebGPU objects
    // are not `Send`, and this module never leaves its one thread.
    #[allow(clippy::arc_with_non_send_sync)]
    let ctx = Arc::new(ctx);
    Ok(GpuDevice { ctx })
}

/// A run of a registry part on the GPU (the part's own GPU experiment).
#[wasm_bindgen]
pub struct GpuRun {
    inner: Box<dyn GpuExperiment>,
}

#[wasm_bindgen]
impl GpuRun {
    /// A GPU run of part `part` of `slug` with `{name: value}` parameters, a seed and a dataset.
    #[wasm_bindgen(constructor)]
    pub fn new(
        device: &GpuDevice,
        slug: &str,
        part: &str,
        params: JsValue,
        seed: &str,
        dataset: &Dataset,
    ) -> Result<GpuRun, JsError> {
        let part = paper_part(slug, part)?;
        let params = parse_schema_params(part.schema, params)?;
        let inner = part
            .gpu_experiment(
                Arc::clone(&device.ctx),
                &params,
                seed_from(seed)?,
                dataset.shared(),
            )
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(GpuRun { inner })
    }

    /// Queues up to `budget` work units; resolves to `{done, total, status}`.
    pub async fn step(&mut self, budget: f64) -> Result<JsValue, JsError> {
        let progress = self
            .inner
            .step(budget_from(budget))
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&progress)
    }

    /// Current `{done, total, status}`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.progress())
    }

    /// Names of the recorded series.
    #[wasm_bindgen(js_name = seriesNames)]
    pub fn series_names(&self) -> Vec<String> {
        series_names(self.inner.series())
    }

    /// x values of a series.
    #[wasm_bindgen(js_name = seriesX)]
    pub fn series_x(&self, name: &str) -> Vec<f64> {
        series_x(self.inner.series(), name)
    }

    /// Values of a series.
    #[wasm_bindgen(js_name = seriesY)]
    pub fn series_y(&self, name: &str) -> Vec<f64> {
        series_y(self.inner.series(), name)
    }

    /// Scalar metrics `{name: value}`.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.metrics())
    }
}

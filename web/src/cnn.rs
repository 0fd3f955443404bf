//! WebGPU bindings for the CNN parts: a device handle (requested once per page or Worker) and a
//! GPU run driven by the same pipeline as the CPU run. Each `step` queues a bounded number of
//! training steps and resolves after the GPU work it needs has been read back.

use crate::{data::Dataset, paper_part, parse_schema_params, seed_from, to_js};
use lemma::gpu::GpuContext;
use lemma::papers::andriushchenko2022_sam::cnn::{CnnConfig, gpu};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

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

/// A CNN run on the GPU.
#[wasm_bindgen]
pub struct GpuCnnRun {
    inner: gpu::GpuCnnRun,
}

#[wasm_bindgen]
impl GpuCnnRun {
    /// A GPU run of the SAM paper's `cnn` part with `{name: value}` parameters.
    #[wasm_bindgen(constructor)]
    pub fn new(
        device: &GpuDevice,
        slug: &str,
        part: &str,
        params: JsValue,
        seed: &str,
        dataset: &Dataset,
    ) -> Result<GpuCnnRun, JsError> {
        let part = paper_part(slug, part)?;
        let params = parse_schema_params(part.schema, params)?;
        let config = CnnConfig::from_params(&params).map_err(|e| JsError::new(&e.to_string()))?;
        let inner = gpu::GpuCnnRun::new(
            Arc::clone(&device.ctx),
            config,
            seed_from(seed)?,
            dataset.shared(),
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(GpuCnnRun { inner })
    }

    /// Queues up to `budget` training steps; resolves to `{done, total, status}`.
    pub async fn step(&mut self, budget: f64) -> Result<JsValue, JsError> {
        let budget = if budget.is_finite() && budget > 0.0 {
            budget as u64
        } else {
            0
        };
        let progress = self
            .inner
            .step(budget)
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&progress)
    }

    /// Current `{done, total, status}`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.progress())
    }

    /// Names of the per-epoch series.
    #[wasm_bindgen(js_name = seriesNames)]
    pub fn series_names(&self) -> Vec<String> {
        self.inner.series().iter().map(|s| s.name.clone()).collect()
    }

    /// Epochs of a series.
    #[wasm_bindgen(js_name = seriesX)]
    pub fn series_x(&self, name: &str) -> Vec<f64> {
        self.inner
            .series()
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.x.clone())
            .unwrap_or_default()
    }

    /// Values of a series.
    #[wasm_bindgen(js_name = seriesY)]
    pub fn series_y(&self, name: &str) -> Vec<f64> {
        self.inner
            .series()
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.y.clone())
            .unwrap_or_default()
    }

    /// Scalar metrics `{name: value}`.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.metrics())
    }
}

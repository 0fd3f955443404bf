//! [`GpuContext`]: a device and queue handed in by the host, plus every compute pipeline, created
//! once and cached.

use super::GpuError;
use super::kernels::{Kernel, MAX_GROUPS_PER_DIMENSION, Pipelines, SUM_SQUARES_GROUPS, TILE};
use crate::nn::reference::{ConvDims, GRADIENT_SPLIT, LinearDims, gradient_splits};
use wgpu::util::DeviceExt;

/// The buffers of a conv or linear layer's launches: input and output activations, their
/// gradients, the flat parameters (read), the flat parameter gradients (written) and scratch for
/// the per-split partial weight gradients (at least [`ParamLayerShape::partials_len`] values).
#[derive(Clone, Copy)]
#[allow(missing_docs)] // the names say it
pub struct LayerBuffers<'a> {
    pub x: &'a wgpu::Buffer,
    pub y: &'a wgpu::Buffer,
    pub dx: &'a wgpu::Buffer,
    pub dy: &'a wgpu::Buffer,
    pub params: &'a wgpu::Buffer,
    pub grads: &'a wgpu::Buffer,
    pub partials: &'a wgpu::Buffer,
}

/// A layer with parameters, as its kernels see it: the shape (with the batch) and where its
/// weights and bias start in the flat parameter vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamLayerShape {
    /// Convolution or fully connected, with its shape.
    pub kind: ParamLayerKind,
    /// Offset of the weights in the flat parameters.
    pub w_off: usize,
    /// Offset of the bias in the flat parameters.
    pub b_off: usize,
}

/// The two kinds of layers with parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLayerKind {
    /// `conv.wgsl`.
    Conv(ConvDims),
    /// `linear.wgsl`.
    Linear(LinearDims),
}

/// A conv or linear layer's launches: forward, backward-data, and backward-weight as its two
/// passes (per-split partials, then their sum into the flat gradients, biases included).
#[derive(Clone)]
pub struct ParamLayerOps {
    /// `y` from `x` and the parameters.
    pub forward: Op,
    /// `dx` from `dy` and the parameters.
    pub backward_data: Op,
    /// The partial weight and bias gradients of each split of the batch, then their sum.
    pub backward_weight: [Op; 2],
}

impl ParamLayerShape {
    fn batch(&self) -> usize {
        match self.kind {
            ParamLayerKind::Conv(d) => d.batch,
            ParamLayerKind::Linear(d) => d.batch,
        }
    }

    /// Rows (output channels or features) and columns (weights per row plus the bias) of the
    /// weight gradient.
    fn gradient_matrix(&self) -> (usize, usize) {
        match self.kind {
            ParamLayerKind::Conv(d) => (d.outputs, d.inputs * 9 + 1),
            ParamLayerKind::Linear(d) => (d.outputs, d.inputs + 1),
        }
    }

    /// Values of the per-split partial weight gradients.
    pub fn partials_len(&self) -> usize {
        let (rows, columns) = self.gradient_matrix();
        gradient_splits(self.batch()) * rows * columns
    }

    /// The tiled grids of forward, backward-data and backward-weight: (columns, rows, splits).
    fn grids(&self) -> [(usize, usize, usize); 3] {
        let (rows, columns) = self.gradient_matrix();
        let weight = (columns, rows, gradient_splits(self.batch()));
        match self.kind {
            ParamLayerKind::Conv(d) => {
                let pixels = d.batch * d.height * d.width;
                [(pixels, d.outputs, 1), (pixels, d.inputs, 1), weight]
            }
            ParamLayerKind::Linear(d) => [(d.outputs, d.batch, 1), (d.inputs, d.batch, 1), weight],
        }
    }

    /// Fails when a launch would need more workgroups along a dimension than WebGPU allows.
    pub fn check_grid(&self) -> Result<(), GpuError> {
        for (columns, rows, splits) in self.grids() {
            let largest = columns.div_ceil(TILE).max(rows.div_ceil(TILE)).max(splits);
            if largest > MAX_GROUPS_PER_DIMENSION {
                return Err(GpuError::Input(format!(
                    "{self:?} needs {largest} workgroups along one dimension, more than \
                     {MAX_GROUPS_PER_DIMENSION}; use a smaller batch"
                )));
            }
        }
        Ok(())
    }

    /// The parameter blocks of the layer's kernels and of its split sum.
    fn words(&self) -> (Vec<u32>, Vec<u32>) {
        let (rows, columns) = self.gradient_matrix();
        let layer = match self.kind {
            ParamLayerKind::Conv(d) => vec![
                d.batch,
                d.inputs,
                d.outputs,
                d.height,
                d.width,
                self.w_off,
                self.b_off,
                GRADIENT_SPLIT,
            ],
            ParamLayerKind::Linear(d) => vec![
                d.batch,
                d.inputs,
                d.outputs,
                self.w_off,
                self.b_off,
                GRADIENT_SPLIT,
            ],
        };
        let splits = gradient_splits(self.batch());
        let sum = [rows, columns, splits, self.w_off, self.b_off];
        let as_words = |v: &[usize]| v.iter().map(|&x| x as u32).collect();
        (as_words(&layer), as_words(&sum))
    }
}

/// A device, its queue, what the adapter says about itself, and the cached pipelines.
pub struct GpuContext {
    /// The device the kernels run on.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// Adapter name, backend and driver (empty strings in browsers).
    pub adapter_info: wgpu::AdapterInfo,
    pipelines: Pipelines,
}

/// One recorded kernel launch: pipeline, bound buffers, its parameter block and grid.
#[derive(Clone)]
pub struct Op {
    kernel: Kernel,
    bind_group: wgpu::BindGroup,
    uniform: wgpu::Buffer,
    groups: [u32; 3],
}

impl Op {
    /// The parameter block, for hosts that rewrite it between submits (e.g. the learning rate).
    pub fn uniform(&self) -> &wgpu::Buffer {
        &self.uniform
    }
}

/// How many workgroups a launch needs.
#[derive(Clone, Copy, Debug)]
pub enum Grid {
    /// One invocation per item, 64 per workgroup, folded into two dimensions when there are more
    /// than 65 535 workgroups (the kernels index `gid.x + gid.y · groups.x · 64`).
    Items(usize),
    /// Exactly this many workgroups along x.
    Groups(u32),
    /// A tiled matrix product (`common.wgsl`): one workgroup per [`TILE`] × [`TILE`] block of
    /// the `rows × columns` output (columns along x, rows along y), times `splits` along z.
    Tiles {
        /// Output columns.
        columns: usize,
        /// Output rows.
        rows: usize,
        /// Independent splits of the shared index (backward-weight reductions), else 1.
        splits: usize,
    },
}

impl Grid {
    fn groups(self) -> [u32; 3] {
        let max = MAX_GROUPS_PER_DIMENSION as u32;
        match self {
            Grid::Items(n) => {
                let groups = n.div_ceil(64).max(1) as u32;
                if groups <= max {
                    [groups, 1, 1]
                } else {
                    [max, groups.div_ceil(max), 1]
                }
            }
            Grid::Groups(g) => [g, 1, 1],
            Grid::Tiles {
                columns,
                rows,
                splits,
            } => [columns.div_ceil(TILE), rows.div_ceil(TILE), splits].map(|g| g.max(1) as u32),
        }
    }
}

impl GpuContext {
    /// Builds the context on a device the host opened, compiling every pipeline once.
    pub async fn new(
        device: wgpu::Device,
        queue: wgpu::Queue,
        adapter_info: wgpu::AdapterInfo,
    ) -> Result<Self, GpuError> {
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipelines = Pipelines::new(&device);
        if let Some(error) = scope.pop().await {
            return Err(GpuError::Validation(error.to_string()));
        }
        Ok(Self {
            device,
            queue,
            adapter_info,
            pipelines,
        })
    }

    /// Asks the platform for its default adapter (the first hardware or software one natively,
    /// WebGPU's in the browser), opens a device with default limits and builds the context.
    pub async fn request() -> Result<Self, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("lemma"),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;
        Self::new(device, queue, adapter.get_info()).await
    }

    /// One line naming the adapter (empty fields in browsers are shown as `?`).
    pub fn describe(&self) -> String {
        let info = &self.adapter_info;
        let or = |s: &str| {
            if s.is_empty() {
                "?".to_owned()
            } else {
                s.to_owned()
            }
        };
        format!(
            "{} ({:?}, {:?}, driver {} {})",
            or(&info.name),
            info.backend,
            info.device_type,
            or(&info.driver),
            or(&info.driver_info)
        )
    }

    /// A storage buffer of `len` elements of `T`, zero-filled.
    pub fn buffer<T: bytemuck::Pod>(&self, label: &str, len: usize) -> wgpu::Buffer {
        let size = (len * size_of::<T>()).max(4) as u64;
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: size.next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A storage buffer holding `data`.
    pub fn buffer_from<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        if data.is_empty() {
            return self.buffer::<T>(label, 0);
        }
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(data),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
            })
    }

    /// The launches of a conv or linear layer (`conv.wgsl` / `linear.wgsl` bindings, then
    /// `split_sum.wgsl`'s), for the batch in `shape`.
    pub fn param_layer_ops(&self, shape: &ParamLayerShape, bufs: &LayerBuffers) -> ParamLayerOps {
        let LayerBuffers {
            x,
            y,
            dx,
            dy,
            params: p,
            grads: g,
            partials,
        } = *bufs;
        let [forward, data, weight] = match shape.kind {
            ParamLayerKind::Conv(_) => [
                Kernel::ConvForward,
                Kernel::ConvBackwardData,
                Kernel::ConvBackwardWeight,
            ],
            ParamLayerKind::Linear(_) => [
                Kernel::LinearForward,
                Kernel::LinearBackwardData,
                Kernel::LinearBackwardWeight,
            ],
        };
        let (dims, sum_dims) = shape.words();
        let [f, d, w] = shape.grids().map(|(columns, rows, splits)| Grid::Tiles {
            columns,
            rows,
            splits,
        });
        let (rows, columns) = shape.gradient_matrix();
        ParamLayerOps {
            forward: self.op(forward, &dims, &[(1, x), (2, p), (3, y)], f),
            backward_data: self.op(data, &dims, &[(1, dy), (2, p), (3, dx)], d),
            backward_weight: [
                self.op(weight, &dims, &[(1, x), (2, dy), (3, partials)], w),
                self.op(
                    Kernel::SplitSum,
                    &sum_dims,
                    &[(1, partials), (3, g)],
                    Grid::Items(rows * columns),
                ),
            ],
        }
    }

    /// The two launches of a sum of squares (`sum_squares.wgsl`): `v` (read at binding 1) into
    /// `SUM_SQUARES_GROUPS` `partials`, then into `out`, with the parameter block `params`
    /// (length, offset into `v`, index in `out`).
    pub fn sum_of_squares_ops(
        &self,
        params: &[u32],
        v: &wgpu::Buffer,
        partials: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) -> [Op; 2] {
        [
            self.op(
                Kernel::SumSquaresPartial,
                params,
                &[(1, v), (2, partials)],
                Grid::Groups(SUM_SQUARES_GROUPS),
            ),
            self.op(
                Kernel::SumSquaresFinish,
                params,
                &[(2, partials), (3, out)],
                Grid::Groups(1),
            ),
        ]
    }

    /// Records a launch of `kernel` with the parameter block `params` (32-bit words; `f32` values
    /// as their bits) at binding 0 and `bindings` (binding number, buffer) as storage buffers.
    pub fn op(
        &self,
        kernel: Kernel,
        params: &[u32],
        bindings: &[(u32, &wgpu::Buffer)],
        grid: Grid,
    ) -> Op {
        let mut words = params.to_vec();
        words.resize(params.len().next_multiple_of(4).max(4), 0);
        let uniform = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(kernel.entry()),
                contents: bytemuck::cast_slice(&words),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            });
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        entries.extend(
            bindings
                .iter()
                .map(|&(binding, buffer)| wgpu::BindGroupEntry {
                    binding,
                    resource: buffer.as_entire_binding(),
                }),
        );
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry()),
            layout: &self.pipelines.get(kernel).get_bind_group_layout(0),
            entries: &entries,
        });
        Op {
            kernel,
            bind_group,
            uniform,
            groups: grid.groups(),
        }
    }

    /// Records `ops` in order into one compute pass of `encoder` (wgpu orders the dispatches'
    /// reads after earlier writes).
    pub fn encode<'a>(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        ops: impl IntoIterator<Item = &'a Op>,
    ) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        for op in ops {
            pass.set_pipeline(self.pipelines.get(op.kernel));
            pass.set_bind_group(0, &op.bind_group, &[]);
            let [x, y, z] = op.groups;
            pass.dispatch_workgroups(x, y, z);
        }
    }

    /// A fresh command encoder.
    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default())
    }

    /// Records `ops` and submits them at once.
    pub fn run<'a>(&self, ops: impl IntoIterator<Item = &'a Op>) {
        let mut encoder = self.encoder();
        self.encode(&mut encoder, ops);
        self.queue.submit([encoder.finish()]);
    }

    /// Copies `len` elements of `T` starting at element `offset` of `buffer` back to the host.
    pub async fn read<T: bytemuck::Pod>(
        &self,
        buffer: &wgpu::Buffer,
        offset: usize,
        len: usize,
    ) -> Result<Vec<T>, GpuError> {
        let bytes = (len * size_of::<T>()) as u64;
        let start = (offset * size_of::<T>()) as u64;
        if start + bytes > buffer.size() {
            return Err(GpuError::Input(format!(
                "reading {bytes} bytes at {start} from a buffer of {}",
                buffer.size()
            )));
        }
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: bytes.next_multiple_of(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.encoder();
        encoder.copy_buffer_to_buffer(buffer, start, &staging, 0, bytes);
        self.queue.submit([encoder.finish()]);
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |result| {
            // The receiver only disappears if the caller dropped the future; nothing to do then.
            let _ = sender.send(result);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        receiver
            .await
            .map_err(|_| GpuError::Readback("the map callback was dropped".into()))?
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let values = {
            let view = staging
                .get_mapped_range(..)
                .map_err(|e| GpuError::Readback(e.to_string()))?;
            bytemuck::pod_collect_to_vec::<u8, T>(&view[..bytes as usize])
        };
        staging.unmap();
        Ok(values)
    }

    /// Waits until the queue is idle (natively; in browsers the next readback waits instead).
    pub fn wait(&self) -> Result<(), GpuError> {
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        Ok(())
    }
}

// Fully connected layer y = x·Wᵀ + b (twins: nn::reference::linear_*). Naive: one invocation per
// output value, summing in the reference's order (lavapipe and SwiftShader prefer this to tiling).
// Bindings: 0 dims, 1 `a`, 2 `b` (read), 3 `out` (written); weights/bias at `w_off` / `b_off`.

struct Dims {
    batch: u32,
    inputs: u32,
    outputs: u32,
    w_off: u32,
    b_off: u32,
    unused0: u32,
    unused1: u32,
    unused2: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// a = x [N,I], b = parameters, out = y [N,O].
@compute @workgroup_size(64)
fn forward(grid: Grid) {
    let k = flat(grid);
    if k >= d.batch * d.outputs {
        return;
    }
    let o = k % d.outputs;
    let n = k / d.outputs;
    var acc = b[d.b_off + o];
    let row = n * d.inputs;
    let weights = d.w_off + o * d.inputs;
    for (var i = 0u; i < d.inputs; i++) {
        acc += a[row + i] * b[weights + i];
    }
    out[k] = acc;
}

// a = dy [N,O], b = parameters, out = dx [N,I].
@compute @workgroup_size(64)
fn backward_data(grid: Grid) {
    let k = flat(grid);
    if k >= d.batch * d.inputs {
        return;
    }
    let i = k % d.inputs;
    let n = k / d.inputs;
    var acc = 0.0;
    for (var o = 0u; o < d.outputs; o++) {
        acc += a[n * d.outputs + o] * b[d.w_off + o * d.inputs + i];
    }
    out[k] = acc;
}

// a = x [N,I], b = dy [N,O], out = parameter gradients (weights at w_off).
@compute @workgroup_size(64)
fn backward_weight(grid: Grid) {
    let k = flat(grid);
    if k >= d.outputs * d.inputs {
        return;
    }
    let i = k % d.inputs;
    let o = k / d.inputs;
    var acc = 0.0;
    for (var n = 0u; n < d.batch; n++) {
        acc += b[n * d.outputs + o] * a[n * d.inputs + i];
    }
    out[d.w_off + k] = acc;
}

// a = dy [N,O], out = parameter gradients (bias at b_off).
@compute @workgroup_size(64)
fn backward_bias(grid: Grid) {
    let o = flat(grid);
    if o >= d.outputs {
        return;
    }
    var acc = 0.0;
    for (var n = 0u; n < d.batch; n++) {
        acc += a[n * d.outputs + o];
    }
    out[d.b_off + o] = acc;
}

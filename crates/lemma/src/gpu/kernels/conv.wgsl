// 3×3 convolution, stride 1, zero padding 1, NCHW f32 (twins: nn::reference::conv3x3_*).
// One invocation per output value; sums run in the reference's order, skipping padding taps.
// Bindings: 0 dims, 1 `a`, 2 `b` (read), 3 `out` (written). Weights and bias are read from, and
// their gradients written to, flat parameter buffers at `w_off` / `b_off`.

struct Dims {
    batch: u32,
    inputs: u32,
    outputs: u32,
    height: u32,
    width: u32,
    w_off: u32,
    b_off: u32,
    unused: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Element k of an [N, channels, H, W] tensor: example n, channel c, row i, column j.
struct Pixel {
    n: u32,
    c: u32,
    i: u32,
    j: u32,
}

fn pixel(k: u32, channels: u32) -> Pixel {
    let hw = d.height * d.width;
    return Pixel(k / (hw * channels), (k / hw) % channels, (k / d.width) % d.height, k % d.width);
}

// a = x [N,C,H,W], b = parameters, out = y [N,O,H,W].
@compute @workgroup_size(64)
fn forward(grid: Grid) {
    let k = flat(grid);
    let hw = d.height * d.width;
    if k >= d.batch * d.outputs * hw {
        return;
    }
    let at = pixel(k, d.outputs);
    let n = at.n;
    let o = at.c;
    var acc = b[d.b_off + o];
    for (var c = 0u; c < d.inputs; c++) {
        let plane = (n * d.inputs + c) * hw;
        let kernel = d.w_off + (o * d.inputs + c) * 9u;
        for (var ky = 0u; ky < 3u; ky++) {
            let y = at.i + ky; // input row y − 1
            if y < 1u || y > d.height {
                continue;
            }
            for (var kx = 0u; kx < 3u; kx++) {
                let x = at.j + kx;
                if x < 1u || x > d.width {
                    continue;
                }
                acc += b[kernel + ky * 3u + kx] * a[plane + (y - 1u) * d.width + x - 1u];
            }
        }
    }
    out[k] = acc;
}

// a = dy [N,O,H,W], b = parameters, out = dx [N,C,H,W].
@compute @workgroup_size(64)
fn backward_data(grid: Grid) {
    let k = flat(grid);
    let hw = d.height * d.width;
    if k >= d.batch * d.inputs * hw {
        return;
    }
    let at = pixel(k, d.inputs);
    let n = at.n;
    let c = at.c;
    var acc = 0.0;
    for (var o = 0u; o < d.outputs; o++) {
        let plane = (n * d.outputs + o) * hw;
        let kernel = d.w_off + (o * d.inputs + c) * 9u;
        for (var ky = 0u; ky < 3u; ky++) {
            let y = at.i + 1u; // dy row y − ky
            if y < ky || y - ky >= d.height {
                continue;
            }
            for (var kx = 0u; kx < 3u; kx++) {
                let x = at.j + 1u;
                if x < kx || x - kx >= d.width {
                    continue;
                }
                acc += b[kernel + ky * 3u + kx] * a[plane + (y - ky) * d.width + x - kx];
            }
        }
    }
    out[k] = acc;
}

// a = x [N,C,H,W], b = dy [N,O,H,W], out = parameter gradients (weights at w_off).
@compute @workgroup_size(64)
fn backward_weight(grid: Grid) {
    let k = flat(grid);
    if k >= d.outputs * d.inputs * 9u {
        return;
    }
    let kx = k % 3u;
    let ky = (k / 3u) % 3u;
    let c = (k / 9u) % d.inputs;
    let o = k / (9u * d.inputs);
    let hw = d.height * d.width;
    // Rows i with 0 ≤ i + ky − 1 < H, columns likewise.
    let i0 = select(0u, 1u, ky == 0u);
    let i1 = select(d.height, d.height - 1u, ky == 2u);
    let j0 = select(0u, 1u, kx == 0u);
    let j1 = select(d.width, d.width - 1u, kx == 2u);
    var acc = 0.0;
    for (var n = 0u; n < d.batch; n++) {
        let grad = (n * d.outputs + o) * hw;
        let plane = (n * d.inputs + c) * hw;
        for (var i = i0; i < i1; i++) {
            for (var j = j0; j < j1; j++) {
                acc += b[grad + i * d.width + j] * a[plane + (i + ky - 1u) * d.width + j + kx - 1u];
            }
        }
    }
    out[d.w_off + k] = acc;
}

// a = dy [N,O,H,W], out = parameter gradients (bias at b_off).
@compute @workgroup_size(64)
fn backward_bias(grid: Grid) {
    let o = flat(grid);
    if o >= d.outputs {
        return;
    }
    let hw = d.height * d.width;
    var acc = 0.0;
    for (var n = 0u; n < d.batch; n++) {
        let grad = (n * d.outputs + o) * hw;
        for (var p = 0u; p < hw; p++) {
            acc += a[grad + p];
        }
    }
    out[d.b_off + o] = acc;
}

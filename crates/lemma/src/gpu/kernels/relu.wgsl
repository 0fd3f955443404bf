// ReLU forward and backward (twins: nn::reference::relu_*). One invocation per value.
// Bindings: 0 length, 1 `a`, 2 `b` (read), 3 `out` (written).

struct Len {
    len: u32,
    unused0: u32,
    unused1: u32,
    unused2: u32,
}

@group(0) @binding(0) var<uniform> p: Len;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// a = x, out = max(x, 0) (negative zero and NaN give +0, as in the reference).
@compute @workgroup_size(64)
fn forward(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    let v = a[k];
    out[k] = select(0.0, v, v > 0.0);
}

// a = y (forward output), b = dy, out = dy·[y > 0].
@compute @workgroup_size(64)
fn backward(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    out[k] = select(0.0, b[k], a[k] > 0.0);
}

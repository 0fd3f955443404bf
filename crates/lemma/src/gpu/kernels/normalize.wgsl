// Pixel normalisation 2x − 1 and its backward 2·dy (twins: nn::reference::normalize_*).
// Bindings: 0 (length, input offset), 1 `a` (read from `offset`), 2 `out` (written from 0).

struct Len {
    len: u32,
    offset: u32,
    unused0: u32,
    unused1: u32,
}

@group(0) @binding(0) var<uniform> p: Len;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn forward(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    out[k] = 2.0 * a[p.offset + k] - 1.0;
}

@compute @workgroup_size(64)
fn backward(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    out[k] = 2.0 * a[p.offset + k];
}

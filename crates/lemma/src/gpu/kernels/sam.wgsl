// SAM helpers (twins: nn::reference::{sam_perturb, sam_restore, accumulate}).
// Bindings: 0 (length, value), 1 gradient (read), 2 weights, 3 perturbation e, 4 sum of squares
// of the gradient (read, element 0), 5 accumulator.

struct Scalar {
    len: u32,
    value: f32,
    unused0: u32,
    unused1: u32,
}

@group(0) @binding(0) var<uniform> p: Scalar;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> e: array<f32>;
@group(0) @binding(4) var<storage, read> sum_sq: array<f32>;
@group(0) @binding(5) var<storage, read_write> acc: array<f32>;

// value = rho: s = rho / (sqrt(sum_sq) + 1e-12); e = s·g; w += e.
@compute @workgroup_size(64)
fn perturb(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    let s = p.value / (sqrt(sum_sq[0]) + 1e-12);
    let moved = s * g[k];
    e[k] = moved;
    w[k] = w[k] + moved;
}

// w −= e.
@compute @workgroup_size(64)
fn restore(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    w[k] = w[k] - e[k];
}

// value = scale: acc += scale·g.
@compute @workgroup_size(64)
fn accumulate(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    acc[k] = acc[k] + p.value * g[k];
}

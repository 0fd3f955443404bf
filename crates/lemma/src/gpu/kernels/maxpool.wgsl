// 2×2 max-pooling, stride 2, with argmax indices (twins: nn::reference::maxpool2_*).
// One invocation per output value. Bindings: 0 dims, 1 `a` (read), 2 `out` (written),
// 3 `arg` (argmax index inside the H·W plane; written forward, read backward).

struct Dims {
    planes: u32,
    height: u32,
    width: u32,
    unused: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<u32>;

// Output k's 2×2 window: its plane's offset in the input and the window's top-left index inside
// that plane.
struct Window {
    base: u32,
    first: u32,
}

fn window(k: u32) -> Window {
    let ow = d.width / 2u;
    let plane_out = (d.height / 2u) * ow;
    let i = (k % plane_out) / ow;
    let j = k % ow;
    return Window((k / plane_out) * d.height * d.width, 2u * i * d.width + 2u * j);
}

fn outputs() -> u32 {
    return d.planes * (d.height / 2u) * (d.width / 2u);
}

// a = x [planes, H, W], out = y [planes, H/2, W/2], arg = argmax. Row-major window scan; only a
// strictly larger value replaces the maximum, so ties go to the first.
@compute @workgroup_size(64)
fn forward(grid: Grid) {
    let k = flat(grid);
    if k >= outputs() {
        return;
    }
    let win = window(k);
    let base = win.base;
    var best = win.first;
    let candidates = array<u32, 3>(best + 1u, best + d.width, best + d.width + 1u);
    for (var t = 0u; t < 3u; t++) {
        if a[base + candidates[t]] > a[base + best] {
            best = candidates[t];
        }
    }
    out[k] = a[base + best];
    arg[k] = best;
}

// a = dy [planes, H/2, W/2], arg = argmax, out = dx [planes, H, W]: each invocation writes its
// whole window (dy at the argmax, zero elsewhere), so no value is written twice.
@compute @workgroup_size(64)
fn backward(grid: Grid) {
    let k = flat(grid);
    if k >= outputs() {
        return;
    }
    let win = window(k);
    let first = win.first;
    let taps = array<u32, 4>(first, first + 1u, first + d.width, first + d.width + 1u);
    let g = a[k];
    for (var t = 0u; t < 4u; t++) {
        out[win.base + taps[t]] = select(0.0, g, taps[t] == arg[k]);
    }
}

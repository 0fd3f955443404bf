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

fn flat(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * 64u;
}

// a = x [planes, H, W], out = y [planes, H/2, W/2], arg = argmax. Row-major window scan; only a
// strictly larger value replaces the maximum, so ties go to the first.
@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let k = flat(gid, groups);
    let ow = d.width / 2u;
    let plane_out = (d.height / 2u) * ow;
    if k >= d.planes * plane_out {
        return;
    }
    let plane = k / plane_out;
    let i = (k % plane_out) / ow;
    let j = k % ow;
    let base = plane * d.height * d.width;
    var best = 2u * i * d.width + 2u * j;
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
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let k = flat(gid, groups);
    let ow = d.width / 2u;
    let plane_out = (d.height / 2u) * ow;
    if k >= d.planes * plane_out {
        return;
    }
    let plane = k / plane_out;
    let i = (k % plane_out) / ow;
    let j = k % ow;
    let base = plane * d.height * d.width;
    let first = 2u * i * d.width + 2u * j;
    let window = array<u32, 4>(first, first + 1u, first + d.width, first + d.width + 1u);
    let g = a[k];
    for (var t = 0u; t < 4u; t++) {
        out[base + window[t]] = select(0.0, g, window[t] == arg[k]);
    }
}

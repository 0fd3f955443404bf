// 3×3 convolution, stride 1, zero padding 1, NCHW f32 (twins: nn::reference::conv3x3_*), as
// tiled matrix products (common.wgsl's TILE blocks, 4 × 4 outputs per invocation) whose shared
// index runs in the twin's order; padding taps are staged as zeros.
// Bindings: 0 dims, 1 `a`, 2 `b` (read), 3 `out` (written). Weights and bias are read from flat
// parameter buffers at `w_off` / `b_off`.

struct Dims {
    batch: u32,
    inputs: u32,
    outputs: u32,
    height: u32,
    width: u32,
    w_off: u32,
    b_off: u32,
    // Examples per split of the backward-weight reduction (nn::reference::GRADIENT_SPLIT).
    split: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Value (y − 1, x − 1) of the plane of `a` starting at `plane`, or 0 in the padding (y and x are
// offset by one so that they stay unsigned).
fn padded(plane: u32, y: u32, x: u32) -> f32 {
    if y < 1u || y > d.height || x < 1u || x > d.width {
        return 0.0;
    }
    return a[plane + (y - 1u) * d.width + x - 1u];
}

// y[n,o,i,j] = b[o] + Σ_(c,ky,kx) w[o,c,ky,kx]·x[n,c,i+ky−1,j+kx−1]: rows o, columns the batch's
// pixels (n, i, j), depth (c, ky, kx). a = x [N,C,H,W], b = parameters, out = y [N,O,H,W].
@compute @workgroup_size(8, 8)
fn forward(g: TileGrid) {
    let hw = d.height * d.width;
    let pixels = d.batch * hw;
    let depth = d.inputs * 9u;
    let m0 = g.group.y * TILE;
    let n0 = g.group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var r = 0u; r < 4u; r++) {
        let o = m0 + ty + r * LANES;
        if o < d.outputs {
            acc[r] = vec4(b[d.b_off + o]);
        }
    }
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            let wa = staged_along_depth(g.t, q);
            let o = m0 + wa.x;
            let k = k0 + wa.y;
            var w = 0.0;
            if o < d.outputs && k < depth {
                w = b[d.w_off + o * depth + k];
            }
            tile_a[wa.y * TILE + wa.x] = w;
            let xb = staged_along_tile(g.t, q);
            let p = n0 + xb.x;
            let kb = k0 + xb.y;
            var v = 0.0;
            if p < pixels && kb < depth {
                let n = p / hw;
                let i = (p % hw) / d.width;
                let j = p % d.width;
                let tap = kb % 9u;
                let plane = (n * d.inputs + kb / 9u) * hw;
                v = padded(plane, i + tap / 3u, j + tap % 3u);
            }
            tile_b[xb.y * TILE + xb.x] = v;
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let o = m0 + ty + r * LANES;
        for (var c = 0u; c < 4u; c++) {
            let p = n0 + tx + c * LANES;
            if o < d.outputs && p < pixels {
                out[((p / hw) * d.outputs + o) * hw + p % hw] = acc[r][c];
            }
        }
    }
}

// dx[n,c,i,j] = Σ_(o,ky,kx) w[o,c,ky,kx]·dy[n,o,i−ky+1,j−kx+1]: rows c, columns the batch's
// pixels, depth (o, ky, kx). a = dy [N,O,H,W], b = parameters, out = dx [N,C,H,W].
@compute @workgroup_size(8, 8)
fn backward_data(g: TileGrid) {
    let hw = d.height * d.width;
    let pixels = d.batch * hw;
    let depth = d.outputs * 9u;
    let m0 = g.group.y * TILE;
    let n0 = g.group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            let wa = staged_along_depth(g.t, q);
            let c = m0 + wa.x;
            let k = k0 + wa.y;
            var w = 0.0;
            if c < d.inputs && k < depth {
                w = b[d.w_off + ((k / 9u) * d.inputs + c) * 9u + k % 9u];
            }
            tile_a[wa.y * TILE + wa.x] = w;
            let xb = staged_along_tile(g.t, q);
            let p = n0 + xb.x;
            let kb = k0 + xb.y;
            var v = 0.0;
            if p < pixels && kb < depth {
                let n = p / hw;
                let i = (p % hw) / d.width;
                let j = p % d.width;
                let tap = kb % 9u;
                let plane = (n * d.outputs + kb / 9u) * hw;
                // dy row i − ky + 1 is padded row i − ky + 2 = i + (2 − ky); columns likewise.
                v = padded(plane, i + 2u - tap / 3u, j + 2u - tap % 3u);
            }
            tile_b[xb.y * TILE + xb.x] = v;
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let c = m0 + ty + r * LANES;
        for (var col = 0u; col < 4u; col++) {
            let p = n0 + tx + col * LANES;
            if c < d.inputs && p < pixels {
                out[((p / hw) * d.inputs + c) * hw + p % hw] = acc[r][col];
            }
        }
    }
}

// One split's share of the weight and bias gradients: rows o, columns (c, ky, kx) and a last
// column of ones for the bias, depth the split's (n, i, j):
// partial[s,o,(c,ky,kx)] = Σ_(n in split s, i, j) dy[n,o,i,j]·x[n,c,i+ky−1,j+kx−1] and
// partial[s,o,9C] = Σ dy[n,o,i,j]. Split s = workgroup z covers examples [s·split, (s+1)·split).
// a = x [N,C,H,W], b = dy [N,O,H,W], out = partials [splits, O, 9C + 1] (summed by split_sum.wgsl).
@compute @workgroup_size(8, 8)
fn backward_weight(g: TileGrid) {
    let hw = d.height * d.width;
    let taps = d.inputs * 9u;
    let columns = taps + 1u;
    let first = g.group.z * d.split;
    let depth = (min(first + d.split, d.batch) - first) * hw;
    let m0 = g.group.y * TILE;
    let n0 = g.group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            // Both operands are contiguous along the depth (pixels): stage them alike.
            let s = staged_along_depth(g.t, q);
            let o = m0 + s.x;
            let k = k0 + s.y;
            let n = first + k / hw;
            var grad = 0.0;
            if o < d.outputs && k < depth {
                grad = b[(n * d.outputs + o) * hw + k % hw];
            }
            tile_a[s.y * TILE + s.x] = grad;
            let col = n0 + s.x;
            var v = 0.0;
            if col <= taps && k < depth {
                if col == taps {
                    v = 1.0;
                } else {
                    let i = (k % hw) / d.width;
                    let j = k % d.width;
                    let tap = col % 9u;
                    let plane = (n * d.inputs + col / 9u) * hw;
                    v = padded(plane, i + tap / 3u, j + tap % 3u);
                }
            }
            tile_b[s.y * TILE + s.x] = v;
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    let block = g.group.z * d.outputs * columns;
    for (var r = 0u; r < 4u; r++) {
        let o = m0 + ty + r * LANES;
        for (var c = 0u; c < 4u; c++) {
            let col = n0 + tx + c * LANES;
            if o < d.outputs && col < columns {
                out[block + o * columns + col] = acc[r][c];
            }
        }
    }
}

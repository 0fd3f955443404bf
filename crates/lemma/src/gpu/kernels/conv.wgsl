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

// Pixel p of the batch (p < N·H·W): example, row and column.
struct Pixel {
    n: u32,
    i: u32,
    j: u32,
}

fn pixel(p: u32) -> Pixel {
    let at = p % (d.height * d.width);
    return Pixel(p / (d.height * d.width), at / d.width, at % d.width);
}

// Writes an invocation's 4 × 4 block of an [N, channels, H, W] output: rows r are channels
// c0 + r, columns c the batch's pixels p0 + c (advanced without dividing).
fn store_block(acc: array<vec4<f32>, 4>, c0: u32, channels: u32, p0: u32) {
    let hw = d.height * d.width;
    var n = p0 / hw;
    var at = p0 % hw;
    for (var c = 0u; c < 4u; c++) {
        if n < d.batch {
            for (var r = 0u; r < 4u; r++) {
                if c0 + r < channels {
                    out[(n * channels + c0 + r) * hw + at] = acc[r][c];
                }
            }
        }
        at += 1u;
        if at == hw {
            at = 0u;
            n += 1u;
        }
    }
}

// y[n,o,i,j] = b[o] + Σ_(c,ky,kx) w[o,c,ky,kx]·x[n,c,i+ky−1,j+kx−1]: rows o, columns the batch's
// pixels (n, i, j), depth (c, ky, kx). a = x [N,C,H,W], b = parameters, out = y [N,O,H,W].
@compute @workgroup_size(8, 8)
fn forward(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let hw = d.height * d.width;
    let pixels = d.batch * hw;
    let depth = d.inputs * 9u;
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var r = 0u; r < 4u; r++) {
        let o = m0 + 4u * ty + r;
        if o < d.outputs {
            acc[r] = vec4(b[d.b_off + o]);
        }
    }
    // The invocation stages B's column g.t % TILE (staged_along_tile) at every depth: locate its
    // pixel once.
    let col = n0 + g.t % TILE;
    let at = pixel(col);
    let planes = at.n * d.inputs * hw;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            let wa = staged_along_depth(g.t, q);
            let o = m0 + wa.x;
            let k = k0 + wa.y;
            var w = 0.0;
            if o < d.outputs && k < depth {
                w = b[d.w_off + o * depth + k];
            }
            stage_a(wa.x, wa.y, w);
            let xb = staged_along_tile(g.t, q);
            let kb = k0 + xb.y;
            var v = 0.0;
            if col < pixels && kb < depth {
                let tap = kb % 9u;
                v = padded(planes + (kb / 9u) * hw, at.i + tap / 3u, at.j + tap % 3u);
            }
            stage_b(xb.x, xb.y, v);
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    store_block(acc, m0 + 4u * ty, d.outputs, n0 + 4u * tx);
}

// dx[n,c,i,j] = Σ_(o,ky,kx) w[o,c,ky,kx]·dy[n,o,i−ky+1,j−kx+1]: rows c, columns the batch's
// pixels, depth (o, ky, kx). a = dy [N,O,H,W], b = parameters, out = dx [N,C,H,W].
@compute @workgroup_size(8, 8)
fn backward_data(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let hw = d.height * d.width;
    let pixels = d.batch * hw;
    let depth = d.outputs * 9u;
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    // As in forward: the invocation's staged column of B, located once.
    let col = n0 + g.t % TILE;
    let at = pixel(col);
    let planes = at.n * d.outputs * hw;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            let wa = staged_along_depth(g.t, q);
            let c = m0 + wa.x;
            let k = k0 + wa.y;
            var w = 0.0;
            if c < d.inputs && k < depth {
                w = b[d.w_off + ((k / 9u) * d.inputs + c) * 9u + k % 9u];
            }
            stage_a(wa.x, wa.y, w);
            let xb = staged_along_tile(g.t, q);
            let kb = k0 + xb.y;
            var v = 0.0;
            if col < pixels && kb < depth {
                let tap = kb % 9u;
                // dy row i − ky + 1 is padded row i − ky + 2 = i + (2 − ky); columns likewise.
                let plane = planes + (kb / 9u) * hw;
                v = padded(plane, at.i + 2u - tap / 3u, at.j + 2u - tap % 3u);
            }
            stage_b(xb.x, xb.y, v);
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    store_block(acc, m0 + 4u * ty, d.inputs, n0 + 4u * tx);
}

// One split's share of the weight and bias gradients: rows o, columns (c, ky, kx) and a last
// column of ones for the bias, depth the split's (n, i, j):
// partial[s,o,(c,ky,kx)] = Σ_(n in split s, i, j) dy[n,o,i,j]·x[n,c,i+ky−1,j+kx−1] and
// partial[s,o,9C] = Σ dy[n,o,i,j]. Split s = workgroup z covers examples [s·split, (s+1)·split).
// a = x [N,C,H,W], b = dy [N,O,H,W], out = partials [splits, O, 9C + 1] (summed by split_sum.wgsl).
@compute @workgroup_size(8, 8)
fn backward_weight(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let hw = d.height * d.width;
    let taps = d.inputs * 9u;
    let columns = taps + 1u;
    let first = group.z * d.split;
    let depth = (min(first + d.split, d.batch) - first) * hw;
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    // The invocation stages depth index k0 + g.t % DEPTH (staged_along_depth) of every stage:
    // its example and pixel, advanced by DEPTH pixels per stage without dividing.
    var n = first + (g.t % DEPTH) / hw;
    var i = ((g.t % DEPTH) % hw) / d.width;
    var j = (g.t % DEPTH) % d.width;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        let k = k0 + g.t % DEPTH;
        for (var q = 0u; q < STAGED; q++) {
            // Both operands are contiguous along the depth (pixels): stage them alike.
            let s = staged_along_depth(g.t, q);
            let o = m0 + s.x;
            var grad = 0.0;
            if o < d.outputs && k < depth {
                grad = b[(n * d.outputs + o) * hw + i * d.width + j];
            }
            stage_a(s.x, s.y, grad);
            let col = n0 + s.x;
            var v = 0.0;
            if col <= taps && k < depth {
                if col == taps {
                    v = 1.0;
                } else {
                    let tap = col % 9u;
                    let plane = (n * d.inputs + col / 9u) * hw;
                    v = padded(plane, i + tap / 3u, j + tap % 3u);
                }
            }
            stage_b(s.x, s.y, v);
        }
        j += DEPTH;
        while j >= d.width {
            j -= d.width;
            i += 1u;
        }
        while i >= d.height {
            i -= d.height;
            n += 1u;
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    let block = group.z * d.outputs * columns;
    for (var r = 0u; r < 4u; r++) {
        let o = m0 + 4u * ty + r;
        for (var c = 0u; c < 4u; c++) {
            let col = n0 + 4u * tx + c;
            if o < d.outputs && col < columns {
                out[block + o * columns + col] = acc[r][c];
            }
        }
    }
}

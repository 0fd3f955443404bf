// Fully connected layer y = x·Wᵀ + b (twins: nn::reference::linear_*), as tiled matrix products
// (common.wgsl's TILE blocks, 4 × 4 outputs per invocation) whose shared index runs in the twin's
// order. Bindings: 0 dims, 1 `a`, 2 `b` (read), 3 `out` (written); weights/bias at `w_off` /
// `b_off` of the flat parameters.

struct Dims {
    batch: u32,
    inputs: u32,
    outputs: u32,
    w_off: u32,
    b_off: u32,
    // Examples per split of the backward-weight reduction (nn::reference::GRADIENT_SPLIT).
    split: u32,
    unused0: u32,
    unused1: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// y[n,o] = b[o] + Σ_i x[n,i]·w[o,i]: rows n, columns o, depth i.
// a = x [N,I], b = parameters, out = y [N,O].
@compute @workgroup_size(8, 8)
fn forward(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var c = 0u; c < 4u; c++) {
        let o = n0 + 4u * tx + c;
        if o < d.outputs {
            let bias = b[d.b_off + o];
            for (var r = 0u; r < 4u; r++) {
                acc[r][c] = bias;
            }
        }
    }
    for (var k0 = 0u; k0 < d.inputs; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            // Both operands are contiguous along the depth (inputs): stage them alike.
            let s = staged_along_depth(g.t, q);
            let k = k0 + s.y;
            let n = m0 + s.x;
            var x = 0.0;
            if n < d.batch && k < d.inputs {
                x = a[n * d.inputs + k];
            }
            stage_a(s.x, s.y, x);
            let o = n0 + s.x;
            var w = 0.0;
            if o < d.outputs && k < d.inputs {
                w = b[d.w_off + o * d.inputs + k];
            }
            stage_b(s.x, s.y, w);
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let n = m0 + 4u * ty + r;
        for (var c = 0u; c < 4u; c++) {
            let o = n0 + 4u * tx + c;
            if n < d.batch && o < d.outputs {
                out[n * d.outputs + o] = acc[r][c];
            }
        }
    }
}

// dx[n,i] = Σ_o dy[n,o]·w[o,i]: rows n, columns i, depth o.
// a = dy [N,O], b = parameters, out = dx [N,I].
@compute @workgroup_size(8, 8)
fn backward_data(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var k0 = 0u; k0 < d.outputs; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            let ga = staged_along_depth(g.t, q);
            let n = m0 + ga.x;
            let ka = k0 + ga.y;
            var grad = 0.0;
            if n < d.batch && ka < d.outputs {
                grad = a[n * d.outputs + ka];
            }
            stage_a(ga.x, ga.y, grad);
            let wb = staged_along_tile(g.t, q);
            let i = n0 + wb.x;
            let kb = k0 + wb.y;
            var w = 0.0;
            if i < d.inputs && kb < d.outputs {
                w = b[d.w_off + kb * d.inputs + i];
            }
            stage_b(wb.x, wb.y, w);
        }
        workgroupBarrier();
        multiply_staged(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let n = m0 + 4u * ty + r;
        for (var c = 0u; c < 4u; c++) {
            let i = n0 + 4u * tx + c;
            if n < d.batch && i < d.inputs {
                out[n * d.inputs + i] = acc[r][c];
            }
        }
    }
}

// One split's share of the weight and bias gradients: rows o, columns i and a last column of ones
// for the bias, depth the split's examples n: partial[s,o,i] = Σ_(n in split s) dy[n,o]·x[n,i] and
// partial[s,o,I] = Σ dy[n,o]. Split s = workgroup z covers examples [s·split, (s+1)·split).
// a = x [N,I], b = dy [N,O], out = partials [splits, O, I + 1] (summed by split_sum.wgsl).
@compute @workgroup_size(8, 8)
fn backward_weight(g: TileGrid, @builtin(workgroup_id) group: vec3<u32>) {
    let columns = d.inputs + 1u;
    let first = group.z * d.split;
    let last = min(first + d.split, d.batch);
    let m0 = group.y * TILE;
    let n0 = group.x * TILE;
    let tx = g.local.x;
    let ty = g.local.y;
    var acc: array<vec4<f32>, 4>;
    for (var k0 = first; k0 < last; k0 += DEPTH) {
        for (var q = 0u; q < STAGED; q++) {
            // Both operands are contiguous along the tile (outputs, inputs): stage them alike.
            let s = staged_along_tile(g.t, q);
            let n = k0 + s.y;
            let o = m0 + s.x;
            var grad = 0.0;
            if o < d.outputs && n < last {
                grad = b[n * d.outputs + o];
            }
            stage_a(s.x, s.y, grad);
            let col = n0 + s.x;
            var v = 0.0;
            if col < d.inputs && n < last {
                v = a[n * d.inputs + col];
            } else if col == d.inputs && n < last {
                v = 1.0;
            }
            stage_b(s.x, s.y, v);
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

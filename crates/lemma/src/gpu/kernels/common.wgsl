// Prepended to every file in this folder when its module is built (WGSL has no includes).
// Element-wise entry points run on a 2-D grid of 64-wide workgroups (x, then rows of y).

struct Grid {
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
}

// The invocation's index in the flattened grid.
fn flat(grid: Grid) -> u32 {
    return grid.id.x + grid.id.y * grid.groups.x * 64u;
}

var<workgroup> shared_sum: array<f32, 256>;

// The sum of `value` over a 256-invocation workgroup, `t` being the local index: halving, in the
// same order on every device; every invocation gets the total.
fn workgroup_sum(t: u32, value: f32) -> f32 {
    shared_sum[t] = value;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride /= 2u) {
        if t < stride {
            shared_sum[t] += shared_sum[t + stride];
        }
        workgroupBarrier();
    }
    let total = shared_sum[0];
    workgroupBarrier();
    return total;
}

// Tiled matrix products C = A·B (conv.wgsl, linear.wgsl). A workgroup of LANES × LANES
// invocations computes one TILE × TILE block of C; invocation (tx, ty) holds the 4 × 4 outputs at
// rows 4·ty + r and columns 4·tx + c (r, c < 4). The shared depth is consumed DEPTH terms at a
// time: the workgroup stages A[m0.., k0..k0+DEPTH] and B[k0..k0+DEPTH, n0..] in workgroup memory
// (zeros outside the matrices, which add nothing), then every output adds its DEPTH terms in
// ascending k, so each output is accumulated in exactly the order of a plain loop over k.
const TILE: u32 = 32u;
const DEPTH: u32 = 16u;
const LANES: u32 = 8u;
// Values each invocation stages per tile and stage: TILE · DEPTH / (LANES · LANES).
const STAGED: u32 = 8u;

// A[m0 + mm, k0 + kk] is component mm % 4 of tile_a[kk · LANES + mm / 4]; B[k0 + kk, n0 + nn]
// likewise along nn. Each invocation then reads its four rows and four columns of one depth as
// two vectors (software rasterisers load per invocation, so fewer, wider loads pay).
var<workgroup> tile_a: array<vec4<f32>, 128>;
var<workgroup> tile_b: array<vec4<f32>, 128>;

fn stage_a(mm: u32, kk: u32, value: f32) {
    tile_a[kk * LANES + mm / 4u][mm % 4u] = value;
}

fn stage_b(nn: u32, kk: u32, value: f32) {
    tile_b[kk * LANES + nn / 4u][nn % 4u] = value;
}

// The workgroup's invocations: `t` the local index, (tx, ty) its place in the tile. The tiled
// entry points take `@builtin(workgroup_id) group` as a parameter of its own: a struct holding
// local ids is non-uniform as a whole to Tint's uniformity analysis, and a loop bound taken from
// it makes Chromium reject the barriers inside the loop.
struct TileGrid {
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
}

// Staged value q (< STAGED) of invocation t, as (index along the tile, index along the depth),
// with consecutive invocations on consecutive depths (for operands contiguous in k) ...
fn staged_along_depth(t: u32, q: u32) -> vec2<u32> {
    let e = t + LANES * LANES * q;
    return vec2(e / DEPTH, e % DEPTH);
}

// ... or on consecutive tile positions (for operands contiguous in m or n).
fn staged_along_tile(t: u32, q: u32) -> vec2<u32> {
    let e = t + LANES * LANES * q;
    return vec2(e % TILE, e / TILE);
}

// Adds the staged DEPTH terms to the invocation's 4 × 4 outputs (acc[r][c]: row r, column c).
// The rows live in four plain variables meanwhile: software rasterisers keep a dynamically
// indexed array in memory, which would cost a load and a store per term.
fn multiply_staged(acc: ptr<function, array<vec4<f32>, 4>>, tx: u32, ty: u32) {
    var row0 = (*acc)[0];
    var row1 = (*acc)[1];
    var row2 = (*acc)[2];
    var row3 = (*acc)[3];
    for (var kk = 0u; kk < DEPTH; kk++) {
        let a = tile_a[kk * LANES + ty];
        let b = tile_b[kk * LANES + tx];
        row0 += a.x * b;
        row1 += a.y * b;
        row2 += a.z * b;
        row3 += a.w * b;
    }
    (*acc)[0] = row0;
    (*acc)[1] = row1;
    (*acc)[2] = row2;
    (*acc)[3] = row3;
}

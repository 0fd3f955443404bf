// Two-stage sum of squares (twin: nn::reference::sum_of_squares, which sums in f64).
// Stage 1: 256 workgroups of 256 invocations; each invocation sums v² over a grid-stride loop,
// the workgroup reduces by halving (`workgroup_sum`) and writes one partial. Stage 2: one
// workgroup reduces the 256 partials the same way. Bindings: 0 (length, offset, output index), 1 `v` (read from
// `offset`), 2 partials, 3 output.

struct Len {
    len: u32,
    offset: u32,
    out_index: u32,
    unused: u32,
}

const GROUPS: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Len;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<storage, read_write> result: array<f32>;

@compute @workgroup_size(256)
fn partial(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) group: vec3<u32>) {
    var acc = 0.0;
    for (var k = group.x * 256u + t; k < p.len; k += GROUPS * 256u) {
        let x = v[p.offset + k];
        acc += x * x;
    }
    let total = workgroup_sum(t, acc);
    if t == 0u {
        partials[group.x] = total;
    }
}

@compute @workgroup_size(256)
fn finish(@builtin(local_invocation_index) t: u32) {
    let total = workgroup_sum(t, partials[t]);
    if t == 0u {
        result[p.out_index] = total;
    }
}

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

// Attack updates on a perturbation δ of inputs x in [0, 1] (twins: nn::reference::pgd_*), and
// x + δ. Bindings: 0 parameters, 1 input gradient g (read), 2 clean inputs x (read), 3 δ,
// 4 adversarial inputs x + δ.

struct Attack {
    len: u32,
    per_example: u32,
    alpha: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> p: Attack;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;
@group(0) @binding(4) var<storage, read_write> adversarial: array<f32>;

// δ = clamp(δ + α·sign(g), −ε, ε); δ = clamp(x + δ, 0, 1) − x.
@compute @workgroup_size(64)
fn linf(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    let stepped = clamp(delta[k] + p.alpha * sign(g[k]), -p.eps, p.eps);
    delta[k] = clamp(x[k] + stepped, 0.0, 1.0) - x[k];
}

// One workgroup per example: δ += α·g/(‖g‖ + 1e-12); δ = clamp(x + δ, 0, 1) − x; if ‖δ‖ > ε then
// δ *= ε/‖δ‖.
@compute @workgroup_size(256)
fn l2(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) group: vec3<u32>) {
    let base = group.x * p.per_example;
    var acc = 0.0;
    for (var k = t; k < p.per_example; k += 256u) {
        acc += g[base + k] * g[base + k];
    }
    let scale = p.alpha / (sqrt(workgroup_sum(t, acc)) + 1e-12);
    acc = 0.0;
    for (var k = t; k < p.per_example; k += 256u) {
        let i = base + k;
        let moved = clamp(x[i] + (delta[i] + scale * g[i]), 0.0, 1.0) - x[i];
        delta[i] = moved;
        acc += moved * moved;
    }
    let norm = sqrt(workgroup_sum(t, acc));
    if norm > p.eps {
        let shrink = p.eps / norm;
        for (var k = t; k < p.per_example; k += 256u) {
            delta[base + k] *= shrink;
        }
    }
}

// adversarial = x + δ.
@compute @workgroup_size(64)
fn apply(grid: Grid) {
    let k = flat(grid);
    if k >= p.len {
        return;
    }
    adversarial[k] = x[k] + delta[k];
}

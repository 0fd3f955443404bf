// SGD with momentum and coupled weight decay, PyTorch semantics with dampening 0
// (twin: nn::reference::sgd_momentum): g' = g + wd·w; v = momentum·v + g'; w = w − lr·v.
// Bindings: 0 hyper-parameters, 1 gradient (read), 2 weights, 3 momentum buffer.

struct Hyper {
    len: u32,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
}

@group(0) @binding(0) var<uniform> h: Hyper;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(64)
fn update(grid: Grid) {
    let k = flat(grid);
    if k >= h.len {
        return;
    }
    let grad = g[k] + h.weight_decay * w[k];
    let vel = h.momentum * v[k] + grad;
    v[k] = vel;
    w[k] = w[k] - h.lr * vel;
}

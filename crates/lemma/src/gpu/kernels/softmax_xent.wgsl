// Fused softmax + cross-entropy (twin: nn::reference::softmax_xent), one invocation per example,
// and the running totals of loss and correct predictions.
// Bindings: 0 dims, 1 logits, 2 labels (read from `label_off`), 3 dlogits, 4 per-example loss,
// 5 per-example correct flag, 6 totals [loss-sum bits, correct, examples].

struct Dims {
    batch: u32,
    classes: u32,
    label_off: u32,
    unused: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<u32>;
@group(0) @binding(6) var<storage, read_write> totals: array<u32>;

// loss = m + ln Σ exp(z − m) − z[label]; dz = (softmax − onehot) / N; correct = first argmax is
// the label. Labels are checked on the host before upload.
@compute @workgroup_size(64)
fn forward_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = gid.x;
    if n >= d.batch {
        return;
    }
    let z = n * d.classes;
    let label = labels[d.label_off + n];
    var top = 0u;
    for (var k = 1u; k < d.classes; k++) {
        if logits[z + k] > logits[z + top] {
            top = k;
        }
    }
    let m = logits[z + top];
    var s = 0.0;
    for (var k = 0u; k < d.classes; k++) {
        s += exp(logits[z + k] - m);
    }
    loss[n] = m + log(s) - logits[z + label];
    correct[n] = select(0u, 1u, top == label);
    for (var k = 0u; k < d.classes; k++) {
        let onehot = select(0.0, 1.0, k == label);
        dlogits[z + k] = (exp(logits[z + k] - m) / s - onehot) / f32(d.batch);
    }
}

// One invocation adds this batch's loss sum (ascending n, in f32), correct count and size to the
// totals.
@compute @workgroup_size(1)
fn add_totals() {
    var sum = 0.0;
    var right = 0u;
    for (var n = 0u; n < d.batch; n++) {
        sum += loss[n];
        right += correct[n];
    }
    totals[0] = bitcast<u32>(bitcast<f32>(totals[0]) + sum);
    totals[1] += right;
    totals[2] += d.batch;
}

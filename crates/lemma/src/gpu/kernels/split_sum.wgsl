// Second pass of the split backward-weight reductions of conv.wgsl and linear.wgsl (twin:
// nn::reference::sum_splits): sums the splits' partial gradients, in ascending split from zero,
// into the flat parameter gradients. Partials are [splits, rows, columns] with each row's last
// column the bias; the other columns are the row's weights.
// Bindings: 0 dims, 1 partials (read), 3 flat gradients (written at `w_off` / `b_off`).

struct Dims {
    rows: u32,
    columns: u32,
    splits: u32,
    w_off: u32,
    b_off: u32,
    unused0: u32,
    unused1: u32,
    unused2: u32,
}

@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn finish(grid: Grid) {
    let k = flat(grid);
    let block = d.rows * d.columns;
    if k >= block {
        return;
    }
    var sum = 0.0;
    for (var s = 0u; s < d.splits; s++) {
        sum += partials[s * block + k];
    }
    let row = k / d.columns;
    let col = k % d.columns;
    if col + 1u == d.columns {
        grads[d.b_off + row] = sum;
    } else {
        grads[d.w_off + row * (d.columns - 1u) + col] = sum;
    }
}

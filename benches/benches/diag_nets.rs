//! Criterion bench of the SAM diagonal-network runs (the spec's SAM-diag setup, 10 001 iterations).

use criterion::{Criterion, criterion_group, criterion_main};
use lemma::registry;
use std::hint::black_box;

fn diag_nets(c: &mut Criterion) {
    let paper = registry::find("andriushchenko2022_sam").expect("registered");
    let mut group = c.benchmark_group("andriushchenko2022_sam");
    group.sample_size(10);
    for (name, overrides) in [
        ("gd", vec![("algo", "gd")]),
        ("sgd", vec![("algo", "sgd"), ("gamma", "0.1")]),
        ("nsam", vec![("algo", "nsam"), ("rho", "0.1")]),
        ("1sam", vec![("algo", "1sam"), ("rho", "0.1")]),
    ] {
        let params = paper
            .schema
            .build(overrides.iter().copied())
            .expect("valid");
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut exp = paper.experiment(&params, 3).expect("valid");
                black_box(exp.run_to_end(u64::MAX, &mut |_| {}))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, diag_nets);
criterion_main!(benches);

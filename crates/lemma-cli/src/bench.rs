//! `lemma bench`: wall-clock time of each paper's default run and of its full check list.

use lemma::registry;
use serde_json::json;
use std::time::Instant;

/// Times the default run (best of 5) and one full verification per paper.
pub fn run(json: bool) -> Result<(), super::Failure> {
    let mut rows = Vec::new();
    for paper in registry::papers() {
        let params = paper.schema.defaults();
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let start = Instant::now();
            let mut exp = paper.experiment(&params, 0)?;
            exp.run_to_end(u64::MAX, &mut |_| {});
            best = best.min(start.elapsed().as_secs_f64());
        }
        let start = Instant::now();
        let mut v = paper.verifier();
        while v.step().is_some() {}
        let verify_s = start.elapsed().as_secs_f64();
        if !json {
            println!(
                "{:<28} default run {:>9.2} ms   verify {:>8.2} s",
                paper.slug,
                best * 1e3,
                verify_s
            );
        }
        rows.push(json!({"slug": paper.slug, "default_run_ms": best * 1e3, "verify_s": verify_s}));
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(())
}

//! `lemma bench`: wall-clock time of each paper's default run and of its full check list.

use lemma::registry;
use serde_json::json;
use std::time::Instant;

/// Times the default run (best of 10) and, unless `runs_only`, one full verification per paper.
pub fn run(json: bool, runs_only: bool) -> Result<(), super::Failure> {
    let mut rows = Vec::new();
    for paper in registry::papers() {
        let params = paper.schema.defaults();
        let mut best = f64::INFINITY;
        for _ in 0..10 {
            let start = Instant::now();
            let mut exp = paper.experiment(&params, 0)?;
            exp.run_to_end(u64::MAX, &mut |_| {});
            best = best.min(start.elapsed().as_secs_f64());
        }
        let verify_s = (!runs_only).then(|| {
            let start = Instant::now();
            // No datasets: the CNN checks report "not applicable" here; `lemma verify` times them.
            let mut v = paper.verifier(&lemma::verify::VerifyEnv::default());
            while v.step().is_some() {}
            start.elapsed().as_secs_f64()
        });
        if !json {
            let verify = verify_s
                .map(|s| format!("   verify {s:>8.2} s"))
                .unwrap_or_default();
            println!(
                "{:<28} default run {:>9.2} ms{verify}",
                paper.slug,
                best * 1e3
            );
        }
        rows.push(json!({"slug": paper.slug, "default_run_ms": best * 1e3, "verify_s": verify_s}));
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(())
}

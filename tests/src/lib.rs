//! Cross-host test helpers: the golden-trace runs shared by the native tests and the in-browser
//! (wasm-pack) tests, so both compare the very same numbers against one checked-in file.

use lemma::registry;
use serde_json::{Value, json};

/// The golden file of the SAM diagonal-network runs.
pub const SAM_GOLDEN: &str = include_str!("../golden/andriushchenko2022_sam.json");

/// Seed of the golden runs.
pub const SAM_GOLDEN_SEED: u64 = 7;

/// The golden configurations: every algorithm on the portable RNG, plus the notebook preset
/// (MT19937 data and numpy `randint` sampling).
pub const SAM_GOLDEN_RUNS: &[&[(&str, &str)]] = &[
    &[("algo", "gd"), ("steps", "2000")],
    &[("algo", "sgd"), ("steps", "2000"), ("gamma", "0.1")],
    &[("algo", "nsam"), ("steps", "2000"), ("rho", "0.1")],
    &[("algo", "1sam"), ("steps", "2000"), ("rho", "0.05")],
    &[
        ("algo", "msam"),
        ("steps", "2000"),
        ("rho", "0.2"),
        ("m", "5"),
    ],
    &[
        ("algo", "1sam"),
        ("erm_steps", "1000"),
        ("steps", "1000"),
        ("rho", "0.05"),
    ],
    &[("preset", "notebook"), ("algo", "gd"), ("steps", "1500")],
    &[
        ("preset", "notebook"),
        ("algo", "sgd"),
        ("steps", "1500"),
        ("gamma", "0.1"),
    ],
];

/// Runs one golden configuration and returns its full trace as JSON: every recorded series
/// value and every final metric and vector. Floats are written as the exact bit patterns
/// (hex) so equality is bit-for-bit.
pub fn sam_trace(overrides: &[(&str, &str)]) -> Value {
    let paper = registry::find("andriushchenko2022_sam").expect("registered");
    let params = paper
        .schema
        .build(overrides.iter().copied())
        .expect("valid golden parameters");
    let mut exp = paper
        .experiment(&params, SAM_GOLDEN_SEED)
        .expect("valid golden run");
    exp.run_to_end(u64::MAX, &mut |_| {});
    let bits = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:016x}", x.to_bits()))
            .collect::<Vec<_>>()
    };
    let series: Vec<Value> = exp
        .series()
        .iter()
        .map(|s| json!({"name": s.name, "x": s.x, "y": bits(&s.y)}))
        .collect();
    let metrics: serde_json::Map<String, Value> = exp
        .metrics()
        .into_iter()
        .map(|(k, v)| (k, json!(format!("{:016x}", v.to_bits()))))
        .collect();
    let vectors: Vec<Value> = exp
        .vectors()
        .into_iter()
        .map(|v| json!({"name": v.name, "values": bits(&v.values)}))
        .collect();
    json!({"params": overrides, "series": series, "metrics": metrics, "vectors": vectors})
}

/// All golden traces.
pub fn sam_traces() -> Value {
    Value::Array(SAM_GOLDEN_RUNS.iter().map(|o| sam_trace(o)).collect())
}

/// Compares fresh traces with the golden file; returns the first difference, if any.
pub fn sam_golden_mismatch() -> Option<String> {
    let golden: Value = match serde_json::from_str(SAM_GOLDEN) {
        Ok(v) => v,
        Err(e) => return Some(format!("golden file unreadable: {e}")),
    };
    let fresh = sam_traces();
    let (Some(g), Some(f)) = (golden.as_array(), fresh.as_array()) else {
        return Some("golden file is not an array".into());
    };
    if g.len() != f.len() {
        return Some(format!("{} golden runs, {} fresh", g.len(), f.len()));
    }
    for (i, (a, b)) in g.iter().zip(f).enumerate() {
        if a != b {
            return Some(format!(
                "run {i} ({}) differs from the golden trace",
                b["params"]
            ));
        }
    }
    None
}

//! The `lemma` binary end to end: exit codes, messages, JSON shape and `--out` files.

use std::process::{Command, Output};

fn lemma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemma"))
        .args(args)
        .output()
        .expect("lemma runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_parameter_exits_2_naming_parameter_value_and_range() {
    let o = lemma(&["run", "andriushchenko2022_sam", "--set", "rho=-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: invalid value for `rho`: \"-1\" (allowed: 0 ≤ rho ≤ 10)"
    );
    let o = lemma(&[
        "run",
        "andriushchenko2022_sam",
        "--set",
        "algo=msam",
        "--set",
        "m=3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`m`") && stderr(&o).contains("divisor of n = 20"),
        "{}",
        stderr(&o)
    );
    let o = lemma(&["run", "andriushchenko2022_sam", "--set", "rho"]);
    assert_eq!(o.status.code(), Some(2));
    let o = lemma(&["run", "nope2099_x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown paper `nope2099_x`"));
}

#[test]
fn seeds_are_exact_and_bad_ones_are_quoted_as_typed() {
    let nines = "9".repeat(23);
    let o = lemma(&["run", "pesme2021_sgd_dln", "--seed", &nines]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("invalid value for `seed`: \"{nines}\"")),
        "{}",
        stderr(&o)
    );
    let huge = "7".repeat(100_000);
    let o = lemma(&[
        "run",
        "pesme2021_sgd_dln",
        "--set",
        &format!("gamma={huge}"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let message = stderr(&o);
    assert!(
        message.contains(&format!("\"{}\"…", "7".repeat(40))),
        "{message}"
    );
    assert!(message.len() < 300, "{} characters", message.len());
    // Above 2^53 is a valid seed, kept exactly.
    let o = lemma(&[
        "run",
        "pesme2021_sgd_dln",
        "--seed",
        "9007199254740993",
        "--set",
        "steps=10",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["seed"].as_u64(), Some(9_007_199_254_740_993));
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let o = lemma(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("JSON")
}

/// Values just outside a numeric parameter's range (none for a choice).
fn out_of_range(spec: &serde_json::Value) -> Vec<String> {
    let (min, max) = (spec["min"].as_f64(), spec["max"].as_f64());
    match spec["type"].as_str() {
        Some("int") => [min.map(|v| v as i64 - 1), max.map(|v| v as i64 + 1)]
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect(),
        Some("float") => [
            min.map(|v| v - 1.0 - v.abs()),
            max.map(|v| v + 1.0 + v.abs()),
        ]
        .into_iter()
        .flatten()
        .map(|v| v.to_string())
        .collect(),
        _ => Vec::new(),
    }
}

/// Walks the registry: every numeric parameter of every paper's schema and of every part's, set
/// just below its minimum and just above its maximum, exits 2 with a message naming it.
#[test]
fn every_numeric_parameter_out_of_range_exits_2_naming_it() {
    let papers = json_of(&["list", "--json"]);
    let mut tried = 0;
    for paper in papers.as_array().expect("a list") {
        let slug = paper["slug"].as_str().expect("slug");
        let described = json_of(&["describe", slug, "--json"]);
        let mut schemas = vec![(None, described["schema"].clone())];
        for part in described["parts"].as_array().expect("parts") {
            schemas.push((
                part["name"].as_str().map(String::from),
                part["schema"].clone(),
            ));
        }
        for (part, schema) in schemas {
            for spec in schema["params"].as_array().expect("params") {
                let name = spec["name"].as_str().expect("name");
                for value in out_of_range(spec) {
                    let set = format!("{name}={value}");
                    let mut args = vec!["run", slug, "--set", &set];
                    if let Some(part) = &part {
                        args.extend(["--part", part]);
                    }
                    let o = lemma(&args);
                    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
                    assert!(
                        stderr(&o).contains(&format!("invalid value for `{name}`")),
                        "{args:?}: {}",
                        stderr(&o)
                    );
                    tried += 1;
                }
            }
        }
    }
    assert!(tried >= 50, "only {tried} out-of-range values tried");
}

#[test]
fn every_paper_rejects_bad_parameters_with_exit_2() {
    for (slug, set, name) in [
        ("pesme2021_sgd_dln", "batch=41", "`batch`"),
        ("pesme2021_sgd_dln", "gamma=0", "`gamma`"),
        ("boursier2022_relu_flow", "width=1", "`width`"),
        ("boursier2022_relu_flow", "lambda=2", "`lambda`"),
    ] {
        let o = lemma(&["run", slug, "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{slug} {set}");
        assert!(stderr(&o).contains(name), "{slug} {set}: {}", stderr(&o));
    }
}

#[test]
fn relu_run_reports_theory_landmarks() {
    let o = lemma(&[
        "run",
        "boursier2022_relu_flow",
        "--set",
        "lambda=1e-3",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "loss", "v_ratio", "tau_fast", "tau_slow", "t_fast", "t_slow",
    ] {
        assert!(
            v["metrics"][key].as_f64().is_some_and(f64::is_finite),
            "{key}: {}",
            v["metrics"]
        );
    }
}

#[test]
fn run_json_has_metrics_and_series() {
    let o = lemma(&[
        "run",
        "andriushchenko2022_sam",
        "--set",
        "steps=500",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    for key in ["train_loss", "test_loss", "l1_norm"] {
        assert!(
            v["metrics"][key].as_f64().is_some_and(f64::is_finite),
            "{key}: {}",
            v["metrics"]
        );
    }
    assert_eq!(
        v["series"]["test_loss"]["x"].as_array().map(Vec::len),
        v["series"]["test_loss"]["y"].as_array().map(Vec::len)
    );
    assert_eq!(v["progress"]["done"], 500);
    assert!(o.stderr.is_empty(), "no progress output under --json");
}

#[test]
fn diverging_run_reports_its_step() {
    const DIVERGING: [&str; 6] = [
        "run",
        "andriushchenko2022_sam",
        "--set",
        "gamma=10",
        "--set",
        "alpha=1",
    ];
    let o = lemma(&[&DIVERGING[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["progress"]["status"]["state"], "diverged");
    let step = v["progress"]["status"]["step"].as_u64().unwrap();
    assert_eq!(v["metrics"]["diverged_at"].as_f64(), Some(step as f64));
    let o = lemma(&DIVERGING);
    assert!(
        stderr(&o).contains(&format!("diverged at step {step}")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn out_writes_json_and_csv() {
    let dir = std::env::temp_dir().join(format!("lemma-cli-out-{}", std::process::id()));
    let o = lemma(&[
        "run",
        "andriushchenko2022_sam",
        "--set",
        "steps=200",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let series = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    assert!(series.starts_with("series,iteration,value\n"));
    assert_eq!(
        series
            .lines()
            .filter(|l| l.starts_with("test_loss,"))
            .count(),
        201
    );
    let vectors = std::fs::read_to_string(dir.join("vectors.csv")).unwrap();
    assert_eq!(vectors.lines().count(), 31, "header + d = 30 rows");
    assert!(
        std::fs::read_to_string(dir.join("run.json"))
            .unwrap()
            .contains("\"metrics\"")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn list_and_describe() {
    let o = lemma(&["list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["slug"], "andriushchenko2022_sam");
    let o = lemma(&["describe", "andriushchenko2022_sam", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["schema"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "algo", "gamma", "alpha", "rho", "m", "steps", "n", "d", "k", "n_test",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // The fidelity text and the page labels of choices come from the registry.
    assert!(v["fidelity"].as_str().unwrap().contains("official code"));
    assert_eq!(v["schema"]["params"][1]["labels"][0], "GD");
    let o = lemma(&["describe", "pesme2021_sgd_dln"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("Fidelity: No official code exists."),
        "{text}"
    );
}

//! Claim checks shared by the CLI, the tests and the browser: data, not prose.
//!
//! A [`Check`] has an ID from the paper spec, the claim in one sentence, a kind (hard, soft,
//! report-only) and a function producing a [`CheckResult`] with measured values and the threshold.
//! A [`Verifier`] runs a list of checks one at a time so hosts can show progress between them.

use crate::data::images::Dataset;
use crate::experiment::{Builder, DataBuilder, Experiment, Status};
use crate::schema::{Params, Schema};
use crate::series::Series;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a check's outcome counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A failure fails `lemma verify`.
    Hard,
    /// Reported, never fails the run (the spec calls it soft).
    Soft,
    /// Reported only: the claim is not asserted (reason in the result's note).
    ReportOnly,
}

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// The claim held.
    Pass,
    /// The claim did not hold.
    Fail,
    /// A precondition of the theory was not met, so the claim does not apply.
    NotApplicable,
}

/// One measured quantity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// What was measured (e.g. `seed 0: test(1-SAM)/test(GD)`).
    pub name: String,
    /// The value.
    pub value: f64,
}

/// The result of running one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    /// Check ID from the spec, e.g. `SAM-1`.
    pub id: String,
    /// The claim in one sentence.
    pub claim: String,
    /// Hard, soft or report-only.
    pub kind: CheckKind,
    /// PASS, FAIL or NOT_APPLICABLE.
    pub outcome: Outcome,
    /// The rule, with its thresholds.
    pub threshold: String,
    /// Measured values.
    pub measured: Vec<Measure>,
    /// Extra explanation (why soft, what was not applicable, …).
    pub note: String,
}

impl CheckResult {
    /// Whether this result makes `lemma verify` fail.
    pub fn fails_run(&self) -> bool {
        self.kind == CheckKind::Hard && self.outcome == Outcome::Fail
    }
}

/// A check definition.
pub struct Check<C> {
    /// ID from the spec.
    pub id: &'static str,
    /// The claim in one sentence.
    pub claim: &'static str,
    /// Hard, soft or report-only.
    pub kind: CheckKind,
    /// Runs the check with a shared context (e.g. a cache of runs).
    pub run: fn(&mut C) -> Evaluation,
}

/// What a check function returns; the [`Check`] adds ID, claim and kind.
pub struct Evaluation {
    /// Pass, fail or not applicable.
    pub outcome: Outcome,
    /// The rule, with its thresholds.
    pub threshold: String,
    /// Measured values.
    pub measured: Vec<Measure>,
    /// Explanation.
    pub note: String,
}

/// Collects measures and conditions while a check runs.
#[derive(Default)]
pub struct Tally {
    measured: Vec<Measure>,
    failures: Vec<String>,
    not_applicable: Vec<String>,
}

impl Tally {
    /// Records a measured value.
    pub fn measure(&mut self, name: impl Into<String>, value: f64) {
        self.measured.push(Measure {
            name: name.into(),
            value,
        });
    }

    /// Records a condition; a false one is listed as a failure.
    pub fn require(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.failures.push(what.into());
        }
    }

    /// Marks part of the check as not applicable, with the reason.
    pub fn not_applicable(&mut self, why: impl Into<String>) {
        self.not_applicable.push(why.into());
    }

    /// Number of failed conditions so far.
    pub fn failure_count(&self) -> usize {
        self.failures.len()
    }

    /// Finishes: FAIL if any condition failed, NOT_APPLICABLE if nothing was checkable, else PASS.
    pub fn finish(mut self, threshold: impl Into<String>, note: impl Into<String>) -> Evaluation {
        let mut note = note.into();
        if !self.not_applicable.is_empty() && !self.measured.is_empty() {
            self.measure("cases not applicable", self.not_applicable.len() as f64);
        }
        let outcome = if !self.failures.is_empty() {
            note = join_note(&note, &format!("failed: {}", self.failures.join("; ")));
            Outcome::Fail
        } else if !self.not_applicable.is_empty() && self.measured.is_empty() {
            Outcome::NotApplicable
        } else {
            Outcome::Pass
        };
        if !self.not_applicable.is_empty() {
            note = join_note(
                &note,
                &format!("not applicable: {}", self.not_applicable.join("; ")),
            );
        }
        Evaluation {
            outcome,
            threshold: threshold.into(),
            measured: self.measured,
            note,
        }
    }
}

fn join_note(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a} {b}")
    }
}

/// The end state of one run, as the checks see it.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// Final metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Step at which the run diverged, if it did.
    pub diverged_at: Option<u64>,
    /// The recorded curves (up to the divergence, if any).
    pub series: Vec<Series>,
}

impl RunOutcome {
    /// A metric, NaN when the run did not report it.
    pub fn get(&self, key: &str) -> f64 {
        self.metrics.get(key).copied().unwrap_or(f64::NAN)
    }

    /// The recorded curve called `name`, if the run has one.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    /// Why a theory stated for stable runs does not apply (`common.md` §3 and §9): the run
    /// diverged, or it reported sign flips, which void the hyperbolic characterisation.
    pub fn assumption_not_met(&self) -> Option<String> {
        if let Some(step) = self.diverged_at {
            return Some(format!("diverged at step {step}"));
        }
        let flips = self.get("sign_flips");
        (flips > 0.0).then(|| format!("{flips} sign flip(s)"))
    }
}

/// A paper's runs for its checks, each computed once and shared by every check that needs it.
pub struct RunCache {
    schema: &'static Schema,
    build: Builder,
    base: &'static [(&'static str, &'static str)],
    cache: BTreeMap<String, RunOutcome>,
}

impl RunCache {
    /// An empty cache for the paper with this schema and experiment builder.
    pub fn new(schema: &'static Schema, build: Builder) -> Self {
        Self::with_base(schema, build, &[])
    }

    /// An empty cache whose runs all start from the defaults with `base` applied (e.g. the data
    /// source the checks use), then each run's own overrides.
    pub fn with_base(
        schema: &'static Schema,
        build: Builder,
        base: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            schema,
            build,
            base,
            cache: BTreeMap::new(),
        }
    }

    /// Runs (or recalls) the base configuration with `overrides` on `seed`, to the end.
    pub fn get(&mut self, seed: u64, overrides: &[(&str, &str)]) -> RunOutcome {
        let key = format!("{seed}|{overrides:?}");
        if let Some(o) = self.cache.get(&key) {
            return o.clone();
        }
        let params = self
            .schema
            .build(self.base.iter().chain(overrides).copied())
            .expect("check configurations are valid");
        let mut run =
            (self.build)(&params, seed).expect("check configurations and seeds are valid");
        let progress = run.run_to_end(u64::MAX, &mut |_| {});
        let diverged_at = match progress.status {
            Status::Diverged { step, .. } => Some(step),
            _ => None,
        };
        let o = RunOutcome {
            metrics: run.metrics(),
            diverged_at,
            series: run.series().to_vec(),
        };
        self.cache.insert(key, o.clone());
        o
    }
}

/// Scalar results of a finished run, by name.
pub type Metrics = BTreeMap<String, f64>;

/// The runs of a part's checks that train on a dataset from the host ([`VerifyEnv::datasets`]),
/// each trained to the end once (its progress reported to the host) and shared by every check
/// that needs it: the data-backed twin of [`RunCache`].
pub struct DataRunCache {
    name: &'static str,
    schema: &'static Schema,
    build: DataBuilder,
    dataset: &'static str,
    base: Vec<(&'static str, String)>,
    runs: BTreeMap<String, Metrics>,
    store: Option<Arc<dyn RunStore>>,
}

impl DataRunCache {
    /// An empty cache of runs of `build` on the dataset file `dataset`, each from the schema's
    /// defaults with `base` applied, then the run's own overrides; `name` (e.g. `slug/part`)
    /// and `base` tell its runs apart from other parts' and tiers' in `env`'s store.
    pub fn new(
        env: &VerifyEnv,
        name: &'static str,
        schema: &'static Schema,
        build: DataBuilder,
        dataset: &'static str,
        base: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            name,
            schema,
            build,
            dataset,
            base,
            runs: BTreeMap::new(),
            store: env.store.clone(),
        }
    }

    /// The key of `key` in the store: the part, the dataset and the base setting come first.
    fn stored_key(&self, key: &str) -> String {
        format!("{}|{}|{:?}|{key}", self.name, self.dataset, self.base)
    }

    /// The dataset, or why this host cannot give it.
    pub fn data(&self, env: &VerifyEnv) -> Result<Arc<Dataset>, String> {
        let Some(source) = &env.datasets else {
            return Err(format!(
                "needs data/{}.bin, which this host does not have: run `lemma verify` natively",
                self.dataset
            ));
        };
        source.load(self.dataset)
    }

    /// The parameters of a run: the defaults, `base`, then `overrides`.
    pub fn params(&self, overrides: &[(&str, String)]) -> Params {
        let all = self.base.iter().chain(overrides);
        self.schema
            .build(all.map(|(k, v)| (*k, v.as_str())))
            .expect("check configurations are valid")
    }

    /// The metrics recorded under `key` (a run [`DataRunCache::get`] made, or one remembered).
    /// Looks in the store after memory.
    pub fn recall(&self, key: &str) -> Option<Metrics> {
        self.runs.get(key).cloned().or_else(|| {
            self.store
                .as_ref()
                .and_then(|store| store.load(&self.stored_key(key)))
        })
    }

    /// Keeps `metrics` under `key`: runs a check builds itself (e.g. branched from another).
    /// Also writes them to the store.
    pub fn remember(&mut self, key: String, metrics: Metrics) {
        if let Some(store) = &self.store {
            store.save(&self.stored_key(&key), &metrics);
        }
        self.runs.insert(key, metrics);
    }

    /// Trains `run` to the end, reporting its progress (every 10 work units) as `what`.
    pub fn train(env: &VerifyEnv, run: &mut dyn Experiment, what: &str) {
        run.run_to_end(10, &mut |p| env.report(what, p));
    }

    /// Runs (or recalls) `overrides` on `seed` to the end and returns its metrics; `what` names
    /// it in the progress the host shows.
    pub fn get(
        &mut self,
        env: &VerifyEnv,
        seed: u64,
        overrides: &[(&str, String)],
        what: &str,
    ) -> Result<Metrics, String> {
        let key = format!("{seed}|{overrides:?}");
        if let Some(m) = self.recall(&key) {
            return Ok(m);
        }
        let data = self.data(env)?;
        let mut run =
            (self.build)(&self.params(overrides), seed, data).map_err(|e| e.to_string())?;
        Self::train(env, run.as_mut(), what);
        let m = run.metrics();
        self.remember(key, m.clone());
        Ok(m)
    }
}

/// Marks `seed` not applicable when one of `runs` breaks the theory's assumptions; returns
/// whether it did.
pub fn skip_seed(t: &mut Tally, seed: u64, runs: &[(&str, &RunOutcome)]) -> bool {
    for (name, o) in runs {
        if let Some(why) = o.assumption_not_met() {
            t.not_applicable(format!("seed {seed}: {name} {why}"));
            return true;
        }
    }
    false
}

/// Runs checks one at a time over a shared context.
pub struct Verifier<C> {
    checks: Vec<Check<C>>,
    context: C,
    next: usize,
}

impl<C> Verifier<C> {
    /// A verifier over `checks` sharing `context`.
    pub fn new(checks: Vec<Check<C>>, context: C) -> Self {
        Self {
            checks,
            context,
            next: 0,
        }
    }
}

/// How much work the checks may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A few minutes on 2 CPU cores (CI).
    #[default]
    Smoke,
    /// Part of the full setting that keeps its firm claims, on demand (about a quarter of an
    /// hour on 2 cores for the CNN checks; the same as smoke elsewhere).
    Medium,
    /// The spec's full setting, on demand (can take hours on a CPU).
    Full,
}

impl Tier {
    /// Parses `smoke`, `medium` or `full`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "smoke" => Some(Self::Smoke),
            "medium" => Some(Self::Medium),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

/// Where the checks get real datasets from (the host reads files; the core never does).
pub trait DatasetSource {
    /// The dataset called `name` (e.g. `fashion-mnist-small`), or why it cannot be had.
    fn load(&self, name: &str) -> Result<Arc<Dataset>, String>;
}

/// Where finished check runs are kept between invocations (the host reads and writes the file;
/// the core never does), so that a long tier interrupted part-way resumes from its last finished
/// run. Keys name the paper part, the tier's base setting, the seed and the run's overrides.
pub trait RunStore {
    /// The metrics stored under `key`, if a finished run left them.
    fn load(&self, key: &str) -> Option<Metrics>;
    /// Keeps `metrics` under `key`; a store that cannot write says so to its own user and the
    /// checks go on (the run is still in memory).
    fn save(&self, key: &str, metrics: &Metrics);
}

/// Receives progress of the long runs inside a check: what is training, and its progress.
pub type ProgressSink = Arc<dyn Fn(&str, &crate::experiment::Progress)>;

/// What a host hands the checks: the tier, datasets when it has them, and where to report the
/// progress of long runs.
#[derive(Clone, Default)]
pub struct VerifyEnv {
    /// Smoke or full.
    pub tier: Tier,
    /// Datasets; `None` where the host has none, in which case the checks that need data say so
    /// as "not applicable" with the command that runs them.
    pub datasets: Option<Arc<dyn DatasetSource>>,
    /// Progress of the training runs inside checks (the page's verify panel shows it).
    pub progress: Option<ProgressSink>,
    /// Finished runs from earlier invocations, and where new ones are kept (`lemma verify
    /// --store`); `None` keeps them in memory only.
    pub store: Option<Arc<dyn RunStore>>,
}

impl VerifyEnv {
    /// Reports that the run `what` reached `progress` (nothing when no sink is set).
    pub fn report(&self, what: &str, progress: &crate::experiment::Progress) {
        if let Some(sink) = &self.progress {
            sink(what, progress);
        }
    }
}

/// Several verifiers run one after the other as one.
pub struct Chain(pub Vec<Box<dyn Verify>>);

impl Verify for Chain {
    fn len(&self) -> usize {
        self.0.iter().map(|v| v.len()).sum()
    }

    fn ids(&self) -> Vec<&'static str> {
        self.0.iter().flat_map(|v| v.ids()).collect()
    }

    fn step(&mut self) -> Option<CheckResult> {
        self.0.iter_mut().find_map(|v| v.step())
    }
}

/// Object-safe view of a verifier, so hosts can drive any paper's checks.
pub trait Verify {
    /// Number of checks.
    fn len(&self) -> usize;
    /// Whether there are no checks.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// IDs of all checks, in order.
    fn ids(&self) -> Vec<&'static str>;
    /// Runs the next check; `None` when all have run.
    fn step(&mut self) -> Option<CheckResult>;
}

impl<C> Verify for Verifier<C> {
    fn len(&self) -> usize {
        self.checks.len()
    }

    fn ids(&self) -> Vec<&'static str> {
        self.checks.iter().map(|c| c.id).collect()
    }

    fn step(&mut self) -> Option<CheckResult> {
        let check = self.checks.get(self.next)?;
        self.next += 1;
        let e = (check.run)(&mut self.context);
        Some(CheckResult {
            id: check.id.to_string(),
            claim: check.claim.to_string(),
            kind: check.kind,
            outcome: e.outcome,
            threshold: e.threshold,
            measured: e.measured,
            note: e.note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_outcomes() {
        let mut t = Tally::default();
        t.measure("x", 1.0);
        t.require(true, "fine");
        assert_eq!(t.finish("x ≥ 0", "").outcome, Outcome::Pass);
        let mut t = Tally::default();
        t.measure("x", -1.0);
        t.require(false, "x ≥ 0");
        let e = t.finish("x ≥ 0", "");
        assert_eq!(e.outcome, Outcome::Fail);
        assert_eq!(e.note, "failed: x ≥ 0");
        let mut t = Tally::default();
        t.not_applicable("sign flip");
        assert_eq!(t.finish("", "").outcome, Outcome::NotApplicable);
    }

    #[test]
    fn verifier_runs_checks_in_order_and_soft_failures_do_not_fail_the_run() {
        fn pass(c: &mut u32) -> Evaluation {
            *c += 1;
            Tally::default().finish("-", "")
        }
        fn fail(c: &mut u32) -> Evaluation {
            *c += 1;
            let mut t = Tally::default();
            t.require(false, "no");
            t.finish("-", "")
        }
        let checks = vec![
            Check {
                id: "A-1",
                claim: "a",
                kind: CheckKind::Hard,
                run: pass,
            },
            Check {
                id: "A-2",
                claim: "b",
                kind: CheckKind::Soft,
                run: fail,
            },
        ];
        let mut v = Verifier::new(checks, 0u32);
        assert_eq!(v.ids(), vec!["A-1", "A-2"]);
        let a = v.step().unwrap();
        let b = v.step().unwrap();
        assert!(v.step().is_none());
        assert!(!a.fails_run());
        assert_eq!(b.outcome, Outcome::Fail);
        assert!(!b.fails_run());
    }

    /// A store in memory that counts its writes.
    #[derive(Default)]
    struct MemoryStore(std::sync::Mutex<BTreeMap<String, Metrics>>);

    impl RunStore for MemoryStore {
        fn load(&self, key: &str) -> Option<Metrics> {
            self.0.lock().unwrap().get(key).cloned()
        }
        fn save(&self, key: &str, metrics: &Metrics) {
            self.0
                .lock()
                .unwrap()
                .insert(key.to_string(), metrics.clone());
        }
    }

    static EPOCHS: Schema = Schema {
        params: &[crate::schema::ParamSpec::int(
            "epochs", 1, 100, "3", "epochs",
        )],
    };

    fn never_built(
        _: &Params,
        _: u64,
        _: Arc<Dataset>,
    ) -> Result<Box<dyn Experiment>, crate::experiment::PartError> {
        panic!("a stored run must not be trained again")
    }

    #[test]
    fn data_runs_resume_from_the_store_and_are_kept_per_part_and_base() {
        let store = Arc::new(MemoryStore::default());
        let env = VerifyEnv {
            store: Some(store.clone()),
            ..VerifyEnv::default()
        };
        let base = vec![("epochs", "30".to_string())];
        let mut first = DataRunCache::new(&env, "p/cnn", &EPOCHS, never_built, "d", base.clone());
        let metrics = Metrics::from([
            ("accuracy".to_string(), 0.25),
            ("loss".to_string(), f64::NAN),
        ]);
        first.remember("0|[]".to_string(), metrics.clone());
        let keys: Vec<String> = store.0.lock().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["p/cnn|d|[(\"epochs\", \"30\")]|0|[]"]);

        // A new invocation (a new cache over the same store) gets the run without training it,
        // even where the host has no datasets.
        let mut resumed = DataRunCache::new(&env, "p/cnn", &EPOCHS, never_built, "d", base);
        let got = resumed.get(&env, 0, &[], "run").unwrap();
        assert_eq!(got["accuracy"], 0.25);
        assert!(got["loss"].is_nan());

        // Another tier's base or another part does not see it.
        let other_base = vec![("epochs", "6".to_string())];
        let smoke = DataRunCache::new(&env, "p/cnn", &EPOCHS, never_built, "d", other_base);
        assert!(smoke.recall("0|[]").is_none());
        let other_part = DataRunCache::new(&env, "q/cnn", &EPOCHS, never_built, "d", vec![]);
        assert!(other_part.recall("0|[]").is_none());
    }
}

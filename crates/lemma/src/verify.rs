//! Claim checks shared by the CLI, the tests and the browser: data, not prose.
//!
//! A [`Check`] has an ID from the paper spec, the claim in one sentence, a kind (hard, soft,
//! report-only) and a function producing a [`CheckResult`] with measured values and the threshold.
//! A [`Verifier`] runs a list of checks one at a time so hosts can show progress between them.

use serde::Serialize;

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
}

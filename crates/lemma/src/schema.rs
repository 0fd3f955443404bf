//! Parameter schemas: one declaration per experiment drives validation, the CLI's `--set`, the URL
//! hash and the page's controls.
//!
//! A [`Schema`] lists [`ParamSpec`]s (name, kind with its range, default, doc). [`Params`] holds
//! validated values; every way of building one goes through [`Schema::parse_value`], so a bad value
//! is reported the same way everywhere: the parameter, the value and the allowed range.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The type and allowed range of one parameter.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A finite float in `min..=max`; `log` asks controls for a logarithmic slider.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Whether a slider should move on a log scale.
        log: bool,
    },
    /// One of a fixed list of names.
    Choice {
        /// The allowed names.
        options: &'static [&'static str],
        /// What a page shows for each name (same order), e.g. `SGF (Euler–Maruyama)` for `sgf`;
        /// empty when the names speak for themselves.
        labels: &'static [&'static str],
    },
    /// A non-empty comma list of distinct names from a fixed list (e.g. the algorithms a page
    /// runs side by side).
    Subset {
        /// The allowed names.
        options: &'static [&'static str],
        /// What a page shows for each name (same order); empty when the names speak for
        /// themselves.
        labels: &'static [&'static str],
    },
}

/// A parameter value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Integer value.
    Int(i64),
    /// Float value.
    Float(f64),
    /// Choice value.
    Choice(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Choice(v) => f.write_str(v),
        }
    }
}

/// One parameter of an experiment.
#[derive(Clone, Debug, Serialize)]
pub struct ParamSpec {
    /// Name used by `--set name=value`, the URL hash and the controls.
    pub name: &'static str,
    /// Type and range.
    #[serde(flatten)]
    pub kind: ParamKind,
    /// Default value, as text (parsed through the same path as user input).
    pub default: &'static str,
    /// One-line description shown in `lemma describe` and as the control's tooltip.
    pub doc: &'static str,
}

/// The ordered parameter list of one experiment.
#[derive(Clone, Debug, Serialize)]
pub struct Schema {
    /// Parameters in display order.
    pub params: &'static [ParamSpec],
}

/// A rejected parameter: which one, what was given and what is allowed. The message quotes the
/// text exactly as given, cut to [`QUOTE_CHARS`] characters with an ellipsis.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("invalid value for `{name}`: {quoted} (allowed: {allowed})", quoted = quote(value))]
pub struct ParamError {
    /// Parameter name.
    pub name: String,
    /// The offending value as given.
    pub value: String,
    /// The allowed range or choices, in words.
    pub allowed: String,
}

/// How many characters of a rejected value an error message quotes.
pub const QUOTE_CHARS: usize = 40;

/// `text` in double quotes (escaped as Rust's `Debug` does), cut after [`QUOTE_CHARS`] characters
/// with an ellipsis, so a huge value cannot flood a message or a page.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
    }
}

/// The largest seed: any `u64`.
pub const MAX_SEED: u64 = u64::MAX;

/// Parses a seed given as text (URL hash, CLI, page): a decimal integer `0 ≤ seed ≤ 2⁶⁴ − 1`.
/// The error quotes the text as typed (never a rounded number).
pub fn parse_seed(text: &str) -> Result<u64, ParamError> {
    let digits = text.trim();
    let valid = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    valid
        .then(|| digits.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| ParamError {
            name: "seed".into(),
            value: text.to_string(),
            allowed: format!("integer 0 ≤ seed ≤ {MAX_SEED}"),
        })
}

impl ParamSpec {
    /// The spec of every constructor below: `name` of `kind`, with its default and doc.
    const fn of(
        name: &'static str,
        kind: ParamKind,
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            kind,
            default,
            doc,
        }
    }

    /// An integer parameter in `min..=max`.
    pub const fn int(
        name: &'static str,
        min: i64,
        max: i64,
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        let kind = ParamKind::Int { min, max };
        Self::of(name, kind, default, doc)
    }

    /// A float parameter in `min..=max` with a linear slider.
    pub const fn float(
        name: &'static str,
        min: f64,
        max: f64,
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        let kind = ParamKind::Float {
            min,
            max,
            log: false,
        };
        Self::of(name, kind, default, doc)
    }

    /// A float parameter in `min..=max` with a logarithmic slider.
    pub const fn log_float(
        name: &'static str,
        min: f64,
        max: f64,
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        let kind = ParamKind::Float {
            min,
            max,
            log: true,
        };
        Self::of(name, kind, default, doc)
    }

    /// A choice among `options` (add page labels with [`ParamSpec::labelled`]).
    pub const fn choice(
        name: &'static str,
        options: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        let kind = ParamKind::Choice {
            options,
            labels: &[],
        };
        Self::of(name, kind, default, doc)
    }

    /// A non-empty comma list of distinct `options` (add page labels with
    /// [`ParamSpec::labelled`]).
    pub const fn subset(
        name: &'static str,
        options: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        let kind = ParamKind::Subset {
            options,
            labels: &[],
        };
        Self::of(name, kind, default, doc)
    }

    /// This choice or subset with a page label per option (same order as the options).
    pub const fn labelled(self, labels: &'static [&'static str]) -> Self {
        let kind = match self.kind {
            ParamKind::Choice { options, .. } => ParamKind::Choice { options, labels },
            ParamKind::Subset { options, .. } => ParamKind::Subset { options, labels },
            _ => panic!("only a choice or subset parameter has labels"),
        };
        Self { kind, ..self }
    }

    /// The page label of choice `option` (the option itself when it has none).
    pub fn label<'a>(&self, option: &'a str) -> &'a str
    where
        'static: 'a,
    {
        match &self.kind {
            ParamKind::Choice { options, labels } | ParamKind::Subset { options, labels } => {
                options
                    .iter()
                    .position(|o| *o == option)
                    .and_then(|i| labels.get(i).copied())
                    .unwrap_or(option)
            }
            _ => option,
        }
    }

    /// The allowed values in words, e.g. `0 ≤ rho ≤ 10` or `one of gd, sgd`.
    pub fn allowed(&self) -> String {
        match &self.kind {
            ParamKind::Int { min, max } => format!("integer {min} ≤ {} ≤ {max}", self.name),
            ParamKind::Float { min, max, .. } => format!("{min} ≤ {} ≤ {max}", self.name),
            ParamKind::Choice { options, .. } => format!("one of {}", options.join(", ")),
            ParamKind::Subset { options, .. } => {
                format!("a non-empty comma list of {}", options.join(", "))
            }
        }
    }

    /// Parses and range-checks one value given as text.
    pub fn parse(&self, text: &str) -> Result<Value, ParamError> {
        let err = || ParamError {
            name: self.name.to_string(),
            value: text.to_string(),
            allowed: self.allowed(),
        };
        let text = text.trim();
        match &self.kind {
            ParamKind::Int { min, max } => {
                let v: i64 = text.parse().map_err(|_| err())?;
                if v < *min || v > *max {
                    return Err(err());
                }
                Ok(Value::Int(v))
            }
            ParamKind::Float { min, max, .. } => {
                let v: f64 = text.parse().map_err(|_| err())?;
                if !v.is_finite() || v < *min || v > *max {
                    return Err(err());
                }
                Ok(Value::Float(v))
            }
            ParamKind::Choice { options, .. } => options
                .iter()
                .find(|o| **o == text)
                .map(|o| Value::Choice((*o).to_string()))
                .ok_or_else(err),
            ParamKind::Subset { options, .. } => {
                let names: Vec<&str> = text.split(',').collect();
                let known = names.iter().all(|n| options.contains(n));
                let distinct = names
                    .iter()
                    .enumerate()
                    .all(|(i, n)| !names[..i].contains(n));
                (known && distinct)
                    .then(|| Value::Choice(text.to_string()))
                    .ok_or_else(err)
            }
        }
    }
}

impl Schema {
    /// Looks a parameter up by name.
    pub fn spec(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The default parameter set.
    pub fn defaults(&self) -> Params {
        let mut values = BTreeMap::new();
        for p in self.params {
            let v = p
                .parse(p.default)
                .unwrap_or_else(|e| panic!("schema default for `{}` is invalid: {e}", p.name));
            values.insert(p.name.to_string(), v);
        }
        Params { values }
    }

    /// Parses `name = value` text into `params`, rejecting unknown names and bad values.
    pub fn set(&self, params: &mut Params, name: &str, text: &str) -> Result<(), ParamError> {
        let spec = self.spec(name).ok_or_else(|| ParamError {
            name: name.to_string(),
            value: text.to_string(),
            allowed: format!(
                "a known parameter name: {}",
                self.params
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        params.values.insert(name.to_string(), spec.parse(text)?);
        Ok(())
    }

    /// Builds a parameter set from defaults plus `(name, value)` overrides, in order.
    pub fn build<'a>(
        &self,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Params, ParamError> {
        let mut params = self.defaults();
        for (k, v) in overrides {
            self.set(&mut params, k, v)?;
        }
        Ok(params)
    }
}

/// A validated set of parameter values (every schema parameter is present).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// Float value (an integer parameter is widened).
    pub fn float(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(Value::Float(v)) => *v,
            Some(Value::Int(v)) => *v as f64,
            other => panic!("parameter `{name}` is not numeric: {other:?}"),
        }
    }

    /// Integer value.
    pub fn int(&self, name: &str) -> i64 {
        match self.values.get(name) {
            Some(Value::Int(v)) => *v,
            other => panic!("parameter `{name}` is not an integer: {other:?}"),
        }
    }

    /// Non-negative integer value as `usize` (schemas give such parameters a minimum ≥ 0).
    pub fn count(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or(0)
    }

    /// The names of a subset value, in the order given.
    pub fn subset(&self, name: &str) -> Vec<&str> {
        self.choice(name).split(',').collect()
    }

    /// Choice value.
    pub fn choice(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(Value::Choice(v)) => v,
            other => panic!("parameter `{name}` is not a choice: {other:?}"),
        }
    }

    /// All values in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec::log_float("rho", 0.0, 10.0, "0.1", "radius"),
        ParamSpec::int("steps", 1, 100, "10", "iterations"),
        ParamSpec::choice("algo", &["gd", "sgd"], "gd", "algorithm"),
    ];
    const SCHEMA: Schema = Schema { params: SPECS };

    #[test]
    fn defaults_and_overrides() {
        let p = SCHEMA.build([("rho", "0.5"), ("algo", "sgd")]).unwrap();
        assert_eq!(p.float("rho"), 0.5);
        assert_eq!(p.int("steps"), 10);
        assert_eq!(p.choice("algo"), "sgd");
    }

    #[test]
    fn errors_name_parameter_value_and_range() {
        let e = SCHEMA.build([("rho", "-1")]).unwrap_err();
        assert_eq!(e.name, "rho");
        assert_eq!(e.value, "-1");
        assert_eq!(
            e.to_string(),
            "invalid value for `rho`: \"-1\" (allowed: 0 ≤ rho ≤ 10)"
        );
        assert!(SCHEMA.build([("rho", "NaN")]).is_err());
        assert!(SCHEMA.build([("steps", "1.5")]).is_err());
        assert!(SCHEMA.build([("steps", "101")]).is_err());
        let e = SCHEMA.build([("algo", "adam")]).unwrap_err();
        assert_eq!(e.allowed, "one of gd, sgd");
        let e = SCHEMA.build([("beta", "1")]).unwrap_err();
        assert!(e.allowed.contains("rho, steps, algo"), "{}", e.allowed);
    }

    #[test]
    fn subsets_are_non_empty_distinct_known_names() {
        let spec = ParamSpec::subset("algos", &["gd", "sgd", "sam"], "gd,sam", "compared")
            .labelled(&["GD", "SGD", "SAM"]);
        assert_eq!(spec.parse("sam,gd"), Ok(Value::Choice("sam,gd".into())));
        for bad in ["", "gd,", "gd,gd", "adam", "gd, sgd"] {
            let e = spec.parse(bad).unwrap_err();
            assert_eq!(
                e.allowed, "a non-empty comma list of gd, sgd, sam",
                "{bad:?}"
            );
        }
        assert_eq!(spec.label("sgd"), "SGD");
        assert_eq!(spec.label("other"), "other");
    }

    #[test]
    fn long_values_are_quoted_as_typed_and_cut() {
        let nines = "9".repeat(23);
        let e = SCHEMA.build([("steps", nines.as_str())]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("invalid value for `steps`: \"{nines}\" (allowed: integer 1 ≤ steps ≤ 100)")
        );
        let huge = "1".repeat(100_000);
        let message = SCHEMA
            .build([("rho", huge.as_str())])
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            format!(
                "invalid value for `rho`: \"{}\"… (allowed: 0 ≤ rho ≤ 10)",
                "1".repeat(40)
            )
        );
        assert_eq!(quote("αβγ"), "\"αβγ\"");
        assert_eq!(quote(&"é".repeat(41)), format!("\"{}\"…", "é".repeat(40)));
    }

    #[test]
    fn seeds_parse_exactly_and_errors_quote_the_text() {
        assert_eq!(parse_seed("0"), Ok(0));
        assert_eq!(parse_seed("9007199254740993"), Ok(9_007_199_254_740_993));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "-1", "1.5", "1e3", "+3", "0x10", "18446744073709551616"] {
            let e = parse_seed(bad).unwrap_err();
            assert_eq!(e.value, bad);
        }
        assert_eq!(
            parse_seed("99999999999999999999999")
                .unwrap_err()
                .to_string(),
            "invalid value for `seed`: \"99999999999999999999999\" (allowed: integer 0 ≤ seed ≤ 18446744073709551615)"
        );
    }
}

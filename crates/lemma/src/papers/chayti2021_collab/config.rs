//! Parameters of the personalised collaborative learning experiment (spec §5 defaults at browser
//! scale, §7 knobs) and the validated [`Config`].

use crate::schema::{ParamError, ParamSpec, Params, Schema};

const ALGOS: &[&str] = &["alone", "wga_uniform", "wga", "bc"];
const ALGO_LABELS: &[&str] = &[
    "alone (own gradients only)",
    "WGA, uniform weights 1/(N + 1)",
    "WGA, own weight α₀",
    "bias correction (BC)",
];
const BIASES: &[&str] = &["coherent", "random"];
const BIAS_LABELS: &[&str] = &[
    "coherent: one direction u for every collaborator",
    "random: an independent direction u_i per collaborator",
];

/// Page-level state of `chayti2021_collab`: the methods run side by side on the same problem and
/// the same noise of user 0.
pub const VIEW: Schema = Schema {
    params: &[ParamSpec::subset(
        "algos",
        ALGOS,
        "alone,wga_uniform,wga,bc",
        "Methods the page runs side by side on the same users and the same noise",
    )
    .labelled(ALGO_LABELS)],
};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "algo",
        ALGOS,
        "bc",
        "Method: alone (SGD on g_0), wga_uniform (Σ g_i/(N + 1)), wga (weight α₀ on g_0, the rest \
         shared by the collaborators as alpha_decay says), bc (bias correction with rate a)",
    )
    .labelled(ALGO_LABELS),
    ParamSpec::int(
        "n",
        0,
        255,
        "31",
        "N: number of other users (collaborators)",
    ),
    ParamSpec::float(
        "zeta",
        0.0,
        10.0,
        "1",
        "Bias magnitude ζ: collaborator i's minimiser is ζ·u_i (user 0's is x* = 0)",
    ),
    ParamSpec::choice(
        "bias",
        BIASES,
        "coherent",
        "Bias directions: coherent (one random unit vector u shared by all collaborators) or \
         random (an independent random unit vector u_i each)",
    )
    .labelled(BIAS_LABELS),
    ParamSpec::float(
        "delta",
        0.0,
        0.95,
        "0",
        "Hessian dissimilarity δ: A_i = A ∘ (1 + δ·U_i), U_i ~ U[−1, 1] per diagonal entry",
    ),
    ParamSpec::float(
        "sigma",
        0.0,
        10.0,
        "1",
        "Gradient noise σ: every user's stochastic gradient is ∇f_i(x) + σ·ξ, ξ ~ N(0, I)",
    ),
    ParamSpec::log_float(
        "eta",
        1e-4,
        2.5,
        "0.05",
        "Step size η (above 2/curvature a direction diverges)",
    ),
    ParamSpec::float(
        "alpha0",
        0.0,
        1.0,
        "0.5",
        "WGA: the weight α₀ of the user's own gradient (the collaborators share 1 − α₀; with \
         N = 0 it is 1)",
    ),
    ParamSpec::float(
        "alpha_decay",
        0.0,
        1.0,
        "1",
        "WGA: how the collaborators share 1 − α₀: α_i ∝ ρ^(i − 1), i = 1 … N (1: equally; 0: all \
         on collaborator 1)",
    ),
    ParamSpec::log_float(
        "rate",
        1e-6,
        1.0,
        "5e-4",
        "BC: rate a of the bias estimate c_{t+1} = (1 − a)·c_t + a·(g_0 − ḡ) (needs a ≪ ημ)",
    ),
    ParamSpec::int(
        "steps",
        2,
        2_000_000,
        "20000",
        "Horizon: iterations (the error is the mean of ‖x_t − x*‖² over the second half)",
    ),
    ParamSpec::int(
        "d",
        2,
        100,
        "10",
        "Dimension (A = diag(linspace(0.1, 1, d)); d = 2 shows the whole trajectory)",
    ),
];

/// The parameter schema of `chayti2021_collab`.
pub const SCHEMA: Schema = Schema { params: PARAMS };

/// The smallest and largest curvature of user 0: A = diag(linspace(MU, L, d)).
pub const MU: f64 = 0.1;
/// See [`MU`].
pub const L: f64 = 1.0;

/// The method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// SGD on the user's own stochastic gradient.
    Alone,
    /// Weighted gradient averaging with α_i = 1/(N + 1).
    WgaUniform,
    /// Weighted gradient averaging with own weight α₀.
    Wga,
    /// Bias correction (spec §3.3, our version).
    Bc,
}

/// Bias directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    /// One direction for all collaborators.
    Coherent,
    /// One direction per collaborator.
    Random,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Method.
    pub algo: Algo,
    /// Number of collaborators N.
    pub n: usize,
    /// Bias magnitude ζ.
    pub zeta: f64,
    /// Bias directions.
    pub bias: Bias,
    /// Hessian dissimilarity δ.
    pub delta: f64,
    /// Noise σ.
    pub sigma: f64,
    /// Step η.
    pub eta: f64,
    /// WGA's own weight α₀.
    pub alpha0: f64,
    /// WGA's decay ρ of the collaborators' weights.
    pub alpha_decay: f64,
    /// BC's rate a.
    pub rate: f64,
    /// Iterations.
    pub steps: u64,
    /// Dimension.
    pub d: usize,
}

impl Config {
    /// Builds a configuration. WGA with α₀ = 0 and no collaborator has no weights summing to
    /// one: the rule α₀ = 1 at N = 0 covers it, so no combination of values is refused.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let algo = match p.choice("algo") {
            "alone" => Algo::Alone,
            "wga_uniform" => Algo::WgaUniform,
            "wga" => Algo::Wga,
            _ => Algo::Bc,
        };
        let bias = match p.choice("bias") {
            "random" => Bias::Random,
            _ => Bias::Coherent,
        };
        Ok(Self {
            algo,
            n: p.count("n"),
            zeta: p.float("zeta"),
            bias,
            delta: p.float("delta"),
            sigma: p.float("sigma"),
            eta: p.float("eta"),
            alpha0: p.float("alpha0"),
            alpha_decay: p.float("alpha_decay"),
            rate: p.float("rate"),
            steps: p.int("steps") as u64,
            d: p.count("d"),
        })
    }

    /// User 0's curvatures a_k = MU + (L − MU)·k/(d − 1), k = 0 … d − 1.
    pub fn curvatures(&self) -> Vec<f64> {
        let last = (self.d - 1) as f64;
        (0..self.d)
            .map(|k| MU + (L - MU) * k as f64 / last)
            .collect()
    }

    /// The weights (α₀, α₁, …, α_N) of the gradient average: WGA's, or (1, 0, …, 0) alone;
    /// `None` for BC, which weighs nothing this way. At N = 0 every method is alone.
    pub fn weights(&self) -> Option<Vec<f64>> {
        let n = self.n;
        let mut w = vec![0.0; n + 1];
        match self.algo {
            Algo::Bc if n > 0 => return None,
            _ if n == 0 => w[0] = 1.0,
            Algo::Alone | Algo::Bc => w[0] = 1.0,
            Algo::WgaUniform => w.iter_mut().for_each(|v| *v = 1.0 / (n + 1) as f64),
            Algo::Wga => {
                w[0] = self.alpha0;
                let mut raw = Vec::with_capacity(n);
                let mut p = 1.0;
                for _ in 0..n {
                    raw.push(p);
                    p *= self.alpha_decay;
                }
                let total = raw.iter().fold(0.0, |s, v| s + v);
                for (w, r) in w[1..].iter_mut().zip(&raw) {
                    *w = (1.0 - self.alpha0) * r / total;
                }
            }
        }
        Some(w)
    }

    /// Whether the run uses the collaborators' gradients at all.
    pub fn collaborates(&self) -> bool {
        self.n > 0 && self.algo != Algo::Alone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(overrides: &[(&str, &str)]) -> Config {
        Config::from_params(&SCHEMA.build(overrides.iter().copied()).unwrap()).unwrap()
    }

    #[test]
    fn defaults_are_the_spec_browser_setup() {
        let c = cfg(&[]);
        assert_eq!((c.algo, c.n, c.d, c.steps), (Algo::Bc, 31, 10, 20_000));
        assert_eq!((c.eta, c.sigma, c.zeta, c.rate), (0.05, 1.0, 1.0, 5e-4));
        // linspace(0.1, 1, 10) = 0.1, 0.2, …, 1.
        let a = c.curvatures();
        assert_eq!(a.len(), 10);
        for (k, v) in a.iter().enumerate() {
            assert!((v - 0.1 * (k + 1) as f64).abs() < 1e-15, "{a:?}");
        }
    }

    #[test]
    fn weights_by_hand() {
        let w = |o: &[(&str, &str)]| cfg(o).weights();
        assert_eq!(w(&[("algo", "bc")]), None);
        assert_eq!(w(&[("algo", "bc"), ("n", "0")]), Some(vec![1.0]));
        assert_eq!(
            w(&[("algo", "alone"), ("n", "2")]),
            Some(vec![1.0, 0.0, 0.0])
        );
        assert_eq!(
            w(&[("algo", "wga_uniform"), ("n", "3")]),
            Some(vec![0.25; 4])
        );
        // α₀ = 0.5, N = 2, equal split: (0.5, 0.25, 0.25); at N = 0 α₀ becomes 1.
        assert_eq!(
            w(&[("algo", "wga"), ("n", "2")]),
            Some(vec![0.5, 0.25, 0.25])
        );
        assert_eq!(w(&[("algo", "wga"), ("n", "0")]), Some(vec![1.0]));
        // α₀ = 0.4, ρ = 0.5, N = 3: raw (1, ½, ¼) of total 7/4, times 0.6: (0.6·4/7, 0.6·2/7,
        // 0.6/7); ρ = 0 puts all of 1 − α₀ on collaborator 1.
        let v = w(&[
            ("algo", "wga"),
            ("n", "3"),
            ("alpha0", "0.4"),
            ("alpha_decay", "0.5"),
        ])
        .unwrap();
        let expected = [0.4, 2.4 / 7.0, 1.2 / 7.0, 0.6 / 7.0];
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{v:?}");
        }
        let v = w(&[("algo", "wga"), ("n", "3"), ("alpha_decay", "0")]).unwrap();
        assert_eq!(v, vec![0.5, 0.5, 0.0, 0.0]);
    }
}

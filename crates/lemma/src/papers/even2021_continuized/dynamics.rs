//! The update rules, free of any Monte-Carlo bookkeeping: the continuized Nesterov process
//! (exact discretisation at the Poisson event times, spec §3.2, and the ODE flow between
//! events), the discrete baselines (Nesterov, gradient descent) and the two gossip steps
//! (spec §3.3–3.4). Quadratics are f(x) = ½·Σ h_i x_i² (x* = 0, f* = 0, L = max h).

/// f(x) = ½·Σ h_i x_i², summed left to right.
pub fn quadratic(h: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (h, x) in h.iter().zip(x) {
        s += h * x * x;
    }
    0.5 * s
}

/// The continuized parameters (spec §3.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Continuized {
    /// Convex, L-smooth: η_t = 2/t, η′ = 0, γ = 1/L, γ′_t = t/(2L).
    Convex {
        /// Smoothness L.
        l: f64,
    },
    /// μ-strongly convex: η = η′ = √(μ/L), γ = 1/L, γ′ = 1/√(μL).
    Strong {
        /// Strong convexity μ.
        mu: f64,
        /// Smoothness L.
        l: f64,
    },
}

impl Continuized {
    /// The mixing coefficients (τ, τ′) of the interval from the last event at `s` to the event
    /// at `t`: the ODE moves x to y = x + τ(z − x) and z to z + τ′(y − z) (spec §3.2). Convex:
    /// τ = 1 − (s/t)², τ′ = 0; strongly convex: τ = (1 − e^{−2ηΔ})/2, τ′ = tanh(ηΔ), Δ = t − s.
    pub fn mixing(self, s: f64, t: f64) -> (f64, f64) {
        match self {
            Continuized::Convex { .. } => {
                let r = s / t;
                (1.0 - r * r, 0.0)
            }
            Continuized::Strong { mu, l } => {
                let e = libm::sqrt(mu / l) * (t - s);
                (0.5 * (1.0 - libm::exp(-2.0 * e)), libm::tanh(e))
            }
        }
    }

    /// The steps (γ, γ′) of the gradient jump at event time `t`.
    pub fn steps(self, t: f64) -> (f64, f64) {
        match self {
            Continuized::Convex { l } => (1.0 / l, t / (2.0 * l)),
            Continuized::Strong { mu, l } => (1.0 / l, 1.0 / libm::sqrt(mu * l)),
        }
    }

    /// The factor c by which the ODE contracts x − z from the last event at `s` to time
    /// `t ≥ s`: (s/t)² (convex) or e^{−2η(t − s)} (strongly convex); one per run and time.
    pub fn decay(self, s: f64, t: f64) -> f64 {
        match self {
            Continuized::Convex { .. } => {
                let r = s / t;
                r * r
            }
            Continuized::Strong { mu, l } => libm::exp(-2.0 * libm::sqrt(mu / l) * (t - s)),
        }
    }

    /// One coordinate of x flowed by the ODE with contraction `c` ([`Continuized::decay`]):
    /// z + (x − z)·c (convex: z is constant) or m + (x − m)·c with m = (x + z)/2.
    pub fn flow_x(self, x: f64, z: f64, c: f64) -> f64 {
        match self {
            Continuized::Convex { .. } => z + (x - z) * c,
            Continuized::Strong { .. } => {
                let m = 0.5 * (x + z);
                m + (x - m) * c
            }
        }
    }

    /// One coordinate of z flowed with contraction `c`: z (convex) or m + (z − m)·c.
    pub fn flow_z(self, x: f64, z: f64, c: f64) -> f64 {
        match self {
            Continuized::Convex { .. } => z,
            Continuized::Strong { .. } => {
                let m = 0.5 * (x + z);
                m + (z - m) * c
            }
        }
    }

    /// The event at time `t` after the last one at `s`, in place on (x, z) for the gradient
    /// ∇f(y) = h ⊙ y: y = x + τ(z − x), z⁻ = z + τ′(y − z), x ← y − γ∇f(y), z ← z⁻ − γ′∇f(y).
    /// Returns τ.
    pub fn event(self, h: &[f64], x: &mut [f64], z: &mut [f64], s: f64, t: f64) -> f64 {
        let (tau, tau_p) = self.mixing(s, t);
        let (gamma, gamma_p) = self.steps(t);
        for ((h, x), z) in h.iter().zip(x.iter_mut()).zip(z.iter_mut()) {
            let y = *x + tau * (*z - *x);
            let zm = *z + tau_p * (y - *z);
            let g = h * y;
            *x = y - gamma * g;
            *z = zm - gamma_p * g;
        }
        tau
    }
}

/// The discrete baselines of E1.
#[derive(Clone, Debug, PartialEq)]
pub enum Baseline {
    /// Gradient descent with step 1/L.
    Gd {
        /// Iterate.
        x: Vec<f64>,
    },
    /// Nesterov with constant momentum (1 − √q)/(1 + √q), q = μ/L (strongly convex).
    NesterovStrong {
        /// x_k.
        x: Vec<f64>,
        /// y_k = x_k + β(x_k − x_{k−1}).
        y: Vec<f64>,
        /// β.
        momentum: f64,
    },
    /// Nesterov in its estimate-sequence form with τ_k = 2/(k + 2) (convex):
    /// y = x + τ_k(z − x), x ← y − ∇f(y)/L, z ← z − ∇f(y)/(τ_k L).
    NesterovConvex {
        /// x_k.
        x: Vec<f64>,
        /// z_k.
        z: Vec<f64>,
    },
}

impl Baseline {
    /// The current iterate x_k.
    pub fn x(&self) -> &[f64] {
        match self {
            Baseline::Gd { x }
            | Baseline::NesterovStrong { x, .. }
            | Baseline::NesterovConvex { x, .. } => x,
        }
    }

    /// Iteration k → k + 1 on f = ½·Σ h_i x_i² with smoothness `l`.
    pub fn step(&mut self, h: &[f64], l: f64, k: u64) {
        match self {
            Baseline::Gd { x } => {
                for (x, h) in x.iter_mut().zip(h) {
                    *x -= h * *x / l;
                }
            }
            Baseline::NesterovStrong { x, y, momentum } => {
                for ((x, y), h) in x.iter_mut().zip(y.iter_mut()).zip(h) {
                    let next = *y - h * *y / l;
                    *y = next + *momentum * (next - *x);
                    *x = next;
                }
            }
            Baseline::NesterovConvex { x, z } => {
                let tau = 2.0 / (k as f64 + 2.0);
                for ((x, z), h) in x.iter_mut().zip(z.iter_mut()).zip(h) {
                    let y = *x + tau * (*z - *x);
                    let g = h * y;
                    *x = y - g / l;
                    *z -= g / (tau * l);
                }
            }
        }
    }
}

/// Standard randomized gossip (Boyd et al. 2006): x_v, x_w ← (x_v + x_w)/2.
pub fn average(x: &mut [f64], v: usize, w: usize) {
    let m = 0.5 * (x[v] + x[w]);
    x[v] = m;
    x[w] = m;
}

/// Continuized accelerated gossip's constants (spec §3.4): mixing rate η, steps γ and γ′.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Accelerated {
    /// ODE mixing rate η.
    pub eta: f64,
    /// Step on x (½: exact pairwise averaging).
    pub gamma: f64,
    /// Step on z.
    pub gamma_p: f64,
}

impl Accelerated {
    /// Node `v`'s local ODE over its own elapsed time `dt`: with m = (x + z)/2,
    /// x ← m + (x − m)e^{−2η·dt}, z ← m + (z − m)e^{−2η·dt}.
    pub fn flow(self, x: f64, z: f64, dt: f64) -> (f64, f64) {
        let m = 0.5 * (x + z);
        let e = libm::exp(-2.0 * self.eta * dt);
        (m + (x - m) * e, m + (z - m) * e)
    }

    /// Activation of edge (v, w) at time `t`: both endpoints flow from their last update
    /// (`last`) to t, then with D = x_v − x_w: x_v −= γD, x_w += γD, z_v −= γ′D, z_w += γ′D.
    pub fn activate(
        self,
        x: &mut [f64],
        z: &mut [f64],
        last: &mut [f64],
        v: usize,
        w: usize,
        t: f64,
    ) {
        for u in [v, w] {
            (x[u], z[u]) = self.flow(x[u], z[u], t - last[u]);
            last[u] = t;
        }
        let d = x[v] - x[w];
        x[v] -= self.gamma * d;
        x[w] += self.gamma * d;
        z[v] -= self.gamma_p * d;
        z[w] += self.gamma_p * d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn convex_step_between_two_events_by_hand() {
        // h = (1, ½), L = 1, x = (1, 2), z = (3, −2), events at s = 1 and t = 2:
        // τ = 1 − (1/2)² = ¾; y = x + ¾(z − x) = (2.5, −1); ∇f(y) = (2.5, −0.5);
        // x ← y − ∇f(y) = (0, −0.5); z ← z − (t/2)∇f(y) = (0.5, −1.5).
        let c = Continuized::Convex { l: 1.0 };
        let (mut x, mut z) = (vec![1.0, 2.0], vec![3.0, -2.0]);
        let tau = c.event(&[1.0, 0.5], &mut x, &mut z, 1.0, 2.0);
        assert_eq!(tau, 0.75);
        assert_eq!((x, z), (vec![0.0, -0.5], vec![0.5, -1.5]));
        // The flow from s = 1 to t = 2 reaches y: z + (x − z)(s/t)² = 3 + (1 − 3)/4 = 2.5.
        let k = c.decay(1.0, 2.0);
        assert_eq!(k, 0.25);
        close(c.flow_x(1.0, 3.0, k), 2.5);
        assert_eq!(c.flow_z(1.0, 3.0, k), 3.0);
        // The first event (s = 0) mixes completely: τ_0 = 1 = 2/(0 + 2).
        assert_eq!(c.mixing(0.0, 0.7).0, 1.0);
    }

    #[test]
    fn strongly_convex_step_is_the_exact_ode_flow_then_the_jump() {
        // μ = 0.01, L = 1: η = 0.1; Δ = 2: e^{−2ηΔ} = e^{−0.4}. x = 1, z = 0 mix to
        // m ± ½e^{−0.4} with m = ½: y = ½ + ½e^{−0.4}, z⁻ = ½ − ½e^{−0.4}.
        let c = Continuized::Strong { mu: 0.01, l: 1.0 };
        let e = libm::exp(-0.4);
        let (tau, tau_p) = c.mixing(1.0, 3.0);
        close(tau, 0.5 * (1.0 - e));
        close(tau_p, libm::tanh(0.2));
        let k = c.decay(1.0, 3.0);
        close(k, e);
        close(c.flow_x(1.0, 0.0, k), 0.5 + 0.5 * e);
        close(c.flow_z(1.0, 0.0, k), 0.5 - 0.5 * e);
        // h = 0.5: ∇f(y) = 0.5y; x ← y − 0.5y; z ← z⁻ − γ′·0.5y with γ′ = 1/√(μL) = 10.
        let (mut x, mut z) = (vec![1.0], vec![0.0]);
        c.event(&[0.5], &mut x, &mut z, 1.0, 3.0);
        let y = 0.5 + 0.5 * e;
        close(x[0], 0.5 * y);
        close(z[0], 0.5 - 0.5 * e - 10.0 * 0.5 * y);
    }

    #[test]
    fn baselines_by_hand() {
        // h = (1, ½), L = 1, x0 = (1, 1). GD: x1 = (0, ½).
        let h = [1.0, 0.5];
        let mut gd = Baseline::Gd { x: vec![1.0, 1.0] };
        gd.step(&h, 1.0, 0);
        assert_eq!(gd.x(), &[0.0, 0.5]);
        // Nesterov, β = 0.5: x1 = y0 − ∇f(y0) = (0, ½), y1 = x1 + β(x1 − x0) = (−½, ¼);
        // x2 = y1 − h⊙y1 = (0, ⅛).
        let mut n = Baseline::NesterovStrong {
            x: vec![1.0, 1.0],
            y: vec![1.0, 1.0],
            momentum: 0.5,
        };
        n.step(&h, 1.0, 0);
        n.step(&h, 1.0, 1);
        assert_eq!(n.x(), &[0.0, 0.125]);
        // Convex Nesterov, k = 0: τ = 1, y = z = (1, 1), x1 = (0, ½), z1 = z − ∇f(y) = (0, ½);
        // k = 1: τ = ⅔, y = x1 + ⅔(z1 − x1) = (0, ½), x2 = (0, ¼), z2 = z1 − 1.5·(0, ¼).
        let mut c = Baseline::NesterovConvex {
            x: vec![1.0, 1.0],
            z: vec![1.0, 1.0],
        };
        c.step(&h, 1.0, 0);
        c.step(&h, 1.0, 1);
        assert_eq!(c.x(), &[0.0, 0.25]);
        let Baseline::NesterovConvex { z, .. } = &c else {
            unreachable!()
        };
        close(z[1], 0.5 - 1.5 * 0.25);
        close(quadratic(&h, &[2.0, 2.0]), 3.0);
    }

    #[test]
    fn one_gossip_step_of_each_conserves_the_mean() {
        // Standard: (1, 3, 8) with edge (0, 1) → (2, 2, 8).
        let mut x = vec![1.0, 3.0, 8.0];
        average(&mut x, 0, 1);
        assert_eq!(x, vec![2.0, 2.0, 8.0]);
        // Accelerated, η = 0.1, γ = ½, γ′ = 2; x = (1, 3, 8), z = (1, 5, 8), last = (0, 0, 0),
        // edge (0, 1) at t = 1. Node 0: m = 1, stays (1, 1). Node 1: m = 4, e = e^{−0.2}:
        // x1 = 4 − e, z1 = 4 + e. D = 1 − (4 − e) = e − 3; x0 = 1 − ½D, x1 += ½D (both
        // (1 + x1)/2), z0 = 1 − 2D, z1 = 4 + e + 2D.
        let a = Accelerated {
            eta: 0.1,
            gamma: 0.5,
            gamma_p: 2.0,
        };
        let (mut x, mut z, mut last) = (vec![1.0, 3.0, 8.0], vec![1.0, 5.0, 8.0], vec![0.0; 3]);
        a.activate(&mut x, &mut z, &mut last, 0, 1, 1.0);
        let e = libm::exp(-0.2);
        let d = e - 3.0;
        close(x[0], 1.0 - 0.5 * d);
        close(x[1], 4.0 - e + 0.5 * d);
        close(x[0], x[1]);
        close(z[0], 1.0 - 2.0 * d);
        close(z[1], 4.0 + e + 2.0 * d);
        assert_eq!((x[2], z[2], last), (8.0, 8.0, vec![1.0, 1.0, 0.0]));
        // Σx and Σz are conserved by the jump; the flow conserves each x + z, so Σx changes
        // only with Σ(x − z), which the run keeps at 0 (z(0) = x(0)).
        close(x[0] + x[1], 1.0 + 4.0 - e);
        close(z[0] + z[1], 1.0 + 4.0 + e);
    }
}

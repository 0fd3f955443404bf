//! Recording on log-spaced grids (`common.md` §6), named series for the hosts, and the statistics
//! the checks take of them (Monte-Carlo means, log–log slopes as `common.md` §3 defines them).

use serde::Serialize;

/// Iteration counts at which an experiment of `horizon` iterations records: every count up to
/// `dense` (inclusive), then `log_points` log-spaced counts up to `horizon`, deduplicated, ending
/// at `horizon`.
pub fn log_grid(horizon: u64, dense: u64, log_points: u32) -> Vec<u64> {
    let mut grid: Vec<u64> = (0..=dense.min(horizon)).collect();
    if horizon > dense && log_points > 1 {
        let lo = libm::log10(dense.max(1) as f64);
        let hi = libm::log10(horizon as f64);
        for i in 0..log_points {
            let e = lo + (hi - lo) * f64::from(i) / f64::from(log_points - 1);
            let t = libm::round(libm::pow(10.0, e)) as u64;
            if t > *grid.last().unwrap_or(&0) && t <= horizon {
                grid.push(t);
            }
        }
    }
    if grid.last() != Some(&horizon) {
        grid.push(horizon);
    }
    grid
}

/// One recorded curve: `y[i]` measured at iteration `x[i]`.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Series {
    /// Name, e.g. `train_loss`.
    pub name: String,
    /// Iteration counts.
    pub x: Vec<f64>,
    /// Values.
    pub y: Vec<f64>,
}

impl Series {
    /// An empty series.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// Appends one point.
    pub fn push(&mut self, x: f64, y: f64) {
        self.x.push(x);
        self.y.push(y);
    }
}

/// The ordinary least-squares slope of ln y on ln x over the points with `lo ≤ x ≤ hi`
/// (`common.md` §3: a "fitted slope"). `None` when fewer than two points fall in the window, when
/// they all share one x, or when a y there is not positive and finite (no logarithm).
pub fn log_log_slope(x: &[f64], y: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let mut points = Vec::new();
    for (&x, &y) in x.iter().zip(y) {
        if x < lo || x > hi {
            continue;
        }
        if !(x > 0.0 && y > 0.0 && y.is_finite()) {
            return None;
        }
        points.push((libm::log(x), libm::log(y)));
    }
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().fold(0.0, |s, p| s + p.0) / n;
    let my = points.iter().fold(0.0, |s, p| s + p.1) / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (u, v) in &points {
        sxy += (u - mx) * (v - my);
        sxx += (u - mx) * (u - mx);
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

impl Series {
    /// The pointwise mean of curves recorded at the same abscissae (Monte-Carlo runs of one
    /// setting), named `name`; `None` when there are none or their abscissae differ.
    pub fn mean(name: &str, curves: &[&Series]) -> Option<Series> {
        let first = curves.first()?;
        if curves
            .iter()
            .any(|c| c.x != first.x || c.y.len() != first.x.len())
        {
            return None;
        }
        let n = curves.len() as f64;
        let y = (0..first.x.len())
            .map(|i| curves.iter().fold(0.0, |s, c| s + c.y[i]) / n)
            .collect();
        Some(Series {
            name: name.to_string(),
            x: first.x.clone(),
            y,
        })
    }

    /// The value recorded at abscissa `x`, if there is one.
    pub fn at(&self, x: f64) -> Option<f64> {
        self.x.iter().position(|v| *v == x).map(|i| self.y[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_fit_by_hand() {
        // y = 3·x⁻² exactly: slope −2 whatever the window.
        let x = [1.0, 10.0, 100.0, 1000.0];
        let y: Vec<f64> = x.iter().map(|x| 3.0 / (x * x)).collect();
        let s = log_log_slope(&x, &y, 5.0, 2000.0).unwrap();
        assert!((s + 2.0).abs() < 1e-12, "{s}");
        // Three points (ln x, ln y) = (0, 0), (1, 1), (2, 3) in natural-log units: x̄ = 1,
        // ȳ = 4/3, Σ(u − x̄)(v − ȳ) = (−1)(−4/3) + 0 + (1)(5/3) = 3, Σ(u − x̄)² = 2: slope 1.5.
        let e = std::f64::consts::E;
        let (x, y) = ([1.0, e, e * e], [1.0, e, e * e * e]);
        let s = log_log_slope(&x, &y, 0.5, 10.0).unwrap();
        assert!((s - 1.5).abs() < 1e-12, "{s}");
        // The window drops the first point: the last two give (3 − 1)/(2 − 1) = 2.
        let s = log_log_slope(&x, &y, 2.0, 10.0).unwrap();
        assert!((s - 2.0).abs() < 1e-12, "{s}");
        assert_eq!(log_log_slope(&x, &y, 2.0, 3.0), None, "one point");
        assert_eq!(log_log_slope(&x, &[1.0, 0.0, 1.0], 0.5, 10.0), None, "ln 0");
    }

    #[test]
    fn mean_of_curves_and_lookup() {
        let a = Series {
            name: "a".into(),
            x: vec![0.0, 1.0],
            y: vec![1.0, 3.0],
        };
        let b = Series {
            y: vec![3.0, 5.0],
            ..a.clone()
        };
        let m = Series::mean("m", &[&a, &b]).unwrap();
        assert_eq!((m.name.as_str(), m.y.as_slice()), ("m", &[2.0, 4.0][..]));
        assert_eq!(m.at(1.0), Some(4.0));
        assert_eq!(m.at(0.5), None);
        let short = Series {
            x: vec![0.0],
            y: vec![1.0],
            ..a.clone()
        };
        assert!(Series::mean("m", &[&a, &short]).is_none());
        assert!(Series::mean("m", &[]).is_none());
    }

    #[test]
    fn grid_is_dense_then_log_spaced_and_ends_at_horizon() {
        let g = log_grid(10_001, 100, 200);
        assert_eq!(&g[..3], &[0, 1, 2]);
        assert_eq!(g[100], 100);
        assert_eq!(*g.last().unwrap(), 10_001);
        assert!(g.windows(2).all(|w| w[0] < w[1]));
        // 100 → 10001 in 200 log steps has ratio 1.0234 per step: after the dense part every
        // gap is at least 1, so roughly 200 extra points remain after deduplication.
        assert!((250..=302).contains(&g.len()), "{}", g.len());
        assert_eq!(log_grid(5, 100, 200), vec![0, 1, 2, 3, 4, 5]);
    }
}

//! Recording on log-spaced grids (`common.md` §6) and named series for the hosts.

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

#[cfg(test)]
mod tests {
    use super::*;

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

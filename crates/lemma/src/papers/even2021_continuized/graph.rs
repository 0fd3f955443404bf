//! Graphs of E2 and their gossip constants (spec §3.3): the cycle, the 2-D grid, the random
//! geometric graph and the complete graph; the Laplacian L_p = Σ_{vw∈E} p·(e_v − e_w)(e_v − e_w)ᵀ
//! with p = 1/|E| (time in activations), its smallest positive eigenvalue λ₂ (χ₁ = 1/λ₂), its
//! pseudo-inverse L_p⁺ and χ₂ = max_{vw∈E} ½·(e_v − e_w)ᵀL_p⁺(e_v − e_w). The eigen-decomposition
//! is nalgebra's `SymmetricEigen` (never hand-rolled); L_p⁺ is summed from its eigenpairs in a
//! fixed order.

use super::config::{GraphKind, grid_side};
use crate::rng::Rng;
use nalgebra::{DMatrix, SymmetricEigen};

/// Draws of the random geometric graph before giving up on a connected one.
pub const GEOMETRIC_TRIES: u32 = 200;

/// An undirected simple graph with drawing positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// Nodes.
    pub n: usize,
    /// Edges (v, w) with v < w.
    pub edges: Vec<(usize, usize)>,
    /// Drawing positions, (x, y) per node.
    pub positions: Vec<f64>,
}

fn on_circle(n: usize) -> Vec<f64> {
    let mut p = Vec::with_capacity(2 * n);
    for i in 0..n {
        let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        p.extend([libm::cos(a), libm::sin(a)]);
    }
    p
}

impl Graph {
    /// The cycle 0 – 1 – … – (n − 1) – 0 (n ≥ 3).
    pub fn cycle(n: usize) -> Self {
        let mut edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        edges.push((0, n - 1));
        Self {
            n,
            edges,
            positions: on_circle(n),
        }
    }

    /// The side × side grid (node i at column i mod side, row i / side).
    pub fn grid(side: usize) -> Self {
        let mut edges = Vec::new();
        let mut positions = Vec::new();
        for i in 0..side * side {
            let (c, r) = (i % side, i / side);
            positions.extend([c as f64, r as f64]);
            if c + 1 < side {
                edges.push((i, i + 1));
            }
            if r + 1 < side {
                edges.push((i, i + side));
            }
        }
        Self {
            n: side * side,
            edges,
            positions,
        }
    }

    /// The complete graph on n nodes.
    pub fn complete(n: usize) -> Self {
        let mut edges = Vec::new();
        for v in 0..n {
            for w in v + 1..n {
                edges.push((v, w));
            }
        }
        Self {
            n,
            edges,
            positions: on_circle(n),
        }
    }

    /// One draw of the random geometric graph: n uniform points in [0, 1]², an edge between
    /// points closer than `radius`.
    pub fn geometric_draw(n: usize, radius: f64, rng: &mut Rng) -> Self {
        let positions: Vec<f64> = (0..2 * n).map(|_| rng.uniform()).collect();
        let mut edges = Vec::new();
        for v in 0..n {
            for w in v + 1..n {
                let (dx, dy) = (
                    positions[2 * v] - positions[2 * w],
                    positions[2 * v + 1] - positions[2 * w + 1],
                );
                if dx * dx + dy * dy < radius * radius {
                    edges.push((v, w));
                }
            }
        }
        Self {
            n,
            edges,
            positions,
        }
    }

    /// The graph of `kind` on `n` nodes (`grid`: n a perfect square, checked by the config); the
    /// random geometric graph is redrawn from `rng` until connected, `None` after
    /// [`GEOMETRIC_TRIES`] disconnected draws.
    pub fn of(kind: GraphKind, n: usize, rng: &mut Rng) -> Option<Self> {
        match kind {
            GraphKind::Cycle => Some(Self::cycle(n)),
            GraphKind::Grid => grid_side(n).map(Self::grid),
            GraphKind::Complete => Some(Self::complete(n)),
            GraphKind::Geometric => {
                let radius =
                    2.0 * libm::sqrt(libm::log(n as f64) / (std::f64::consts::PI * n as f64));
                (0..GEOMETRIC_TRIES)
                    .map(|_| Self::geometric_draw(n, radius, rng))
                    .find(Self::connected)
            }
        }
    }

    /// Whether every node is reachable from node 0.
    pub fn connected(&self) -> bool {
        let mut adjacent = vec![Vec::new(); self.n];
        for &(v, w) in &self.edges {
            adjacent[v].push(w);
            adjacent[w].push(v);
        }
        let mut seen = vec![false; self.n];
        let mut stack = vec![0];
        seen[0] = true;
        while let Some(v) = stack.pop() {
            for &w in &adjacent[v] {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen.iter().all(|s| *s)
    }

    /// L_p with p = 1/|E|, row-major n × n.
    pub fn laplacian(&self) -> Vec<f64> {
        let n = self.n;
        let p = 1.0 / self.edges.len() as f64;
        let mut l = vec![0.0; n * n];
        for &(v, w) in &self.edges {
            l[v * n + v] += p;
            l[w * n + w] += p;
            l[v * n + w] -= p;
            l[w * n + v] -= p;
        }
        l
    }
}

/// The gossip constants of a connected graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// Eigenvalues of L_p, increasing (the first is 0 up to rounding).
    pub eigenvalues: Vec<f64>,
    /// The smallest positive eigenvalue λ₂.
    pub lambda2: f64,
    /// χ₁ = 1/λ₂.
    pub chi1: f64,
    /// χ₂ = max over edges of ½·(e_v − e_w)ᵀL_p⁺(e_v − e_w).
    pub chi2: f64,
}

impl Spectrum {
    /// The spectrum of `graph` (connected: exactly one zero eigenvalue).
    pub fn of(graph: &Graph) -> Self {
        let n = graph.n;
        let eig = SymmetricEigen::new(DMatrix::from_row_slice(n, n, &graph.laplacian()));
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|a, b| eig.eigenvalues[*a].total_cmp(&eig.eigenvalues[*b]));
        let eigenvalues: Vec<f64> = order.iter().map(|i| eig.eigenvalues[*i]).collect();
        // L_p⁺ = Σ_{k ≥ 1} u_k u_kᵀ/λ_k over the positive eigenvalues, in increasing order.
        let mut pinv = vec![0.0; n * n];
        for &k in &order[1..] {
            let (lambda, u) = (eig.eigenvalues[k], eig.eigenvectors.column(k));
            for i in 0..n {
                let ui = u[i] / lambda;
                for j in 0..n {
                    pinv[i * n + j] += ui * u[j];
                }
            }
        }
        let chi2 = graph.edges.iter().fold(0.0_f64, |m, &(v, w)| {
            let r = pinv[v * n + v] + pinv[w * n + w] - pinv[v * n + w] - pinv[w * n + v];
            m.max(0.5 * r)
        });
        let lambda2 = eigenvalues[1];
        Self {
            eigenvalues,
            lambda2,
            chi1: 1.0 / lambda2,
            chi2,
        }
    }

    /// The derived mixing rate η = 1/(2√(χ₁χ₂)) (spec §3.4).
    pub fn eta(&self) -> f64 {
        0.5 / libm::sqrt(self.chi1 * self.chi2)
    }

    /// The derived second step γ′ = 1/(2√(λ₂χ₂)).
    pub fn gamma_prime(&self) -> f64 {
        0.5 / libm::sqrt(self.lambda2 * self.chi2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn cycle_and_complete_graph_constants_by_hand() {
        // Cycle on n nodes: L has eigenvalues 2 − 2cos(2πk/n); p = 1/n, so
        // λ₂ = (2 − 2cos(2π/n))/n. Adjacent nodes have effective resistance (n − 1)/n in L,
        // n(n − 1)/n = n − 1 in L_p⁺ = n·L⁺: χ₂ = (n − 1)/2 (spec §5.2: 19.5 at n = 40).
        for n in [5, 20, 40] {
            let s = Spectrum::of(&Graph::cycle(n));
            let l2 = (2.0 - 2.0 * libm::cos(2.0 * std::f64::consts::PI / n as f64)) / n as f64;
            close(s.lambda2, l2, 1e-10);
            close(s.chi2, (n as f64 - 1.0) / 2.0, 1e-10);
            assert!(s.eigenvalues[0].abs() < 1e-12);
        }
        // K_n: L = nI − J, |E| = n(n − 1)/2, λ₂ = n/|E| = 2/(n − 1); L_p⁺ = |E|(I − J/n)/n,
        // an edge's resistance 2|E|/n = n − 1: χ₂ = (n − 1)/2, χ₁ = (n − 1)/2, η = 1/(n − 1).
        let s = Spectrum::of(&Graph::complete(6));
        close(s.lambda2, 0.4, 1e-12);
        close(s.chi2, 2.5, 1e-12);
        close(s.eta(), 0.2, 1e-12);
        close(s.gamma_prime(), 0.5 / libm::sqrt(0.4 * 2.5), 1e-12);
        // Cycle, n = 40: η = 1/(2√(χ₁χ₂)) = 2.81e-3 (spec table).
        close(Spectrum::of(&Graph::cycle(40)).eta(), 2.81e-3, 2e-3);
    }

    #[test]
    fn graphs_have_the_right_edges_and_geometric_graphs_are_connected() {
        let g = Graph::grid(3);
        assert_eq!((g.n, g.edges.len()), (9, 12));
        assert!(g.edges.contains(&(4, 5)) && g.edges.contains(&(4, 7)));
        assert_eq!(Graph::complete(5).edges.len(), 10);
        assert_eq!(Graph::cycle(4).edges, vec![(0, 1), (1, 2), (2, 3), (0, 3)]);
        let disconnected = Graph {
            n: 3,
            edges: vec![(0, 1)],
            positions: vec![0.0; 6],
        };
        assert!(!disconnected.connected() && g.connected());
        let mut rng = Rng::new(1);
        let geo = Graph::of(GraphKind::Geometric, 50, &mut rng).unwrap();
        assert!(geo.connected() && geo.edges.len() > 49);
        // The grid, n = 100: λ₂ = (2 − 2cos(π/10))/|E| with |E| = 180 (spec: 5.44e-4).
        let s = Spectrum::of(&Graph::grid(10));
        close(
            s.lambda2,
            (2.0 - 2.0 * libm::cos(std::f64::consts::PI / 10.0)) / 180.0,
            1e-10,
        );
        close(s.lambda2, 5.44e-4, 2e-3);
        // Row sums of L_p vanish; its trace is 2 (each edge adds 2p).
        let l = Graph::grid(4).laplacian();
        let trace: f64 = (0..16).map(|i| l[i * 16 + i]).sum();
        close(trace, 2.0, 1e-14);
        for i in 0..16 {
            assert!(l[i * 16..(i + 1) * 16].iter().sum::<f64>().abs() < 1e-15);
        }
    }
}

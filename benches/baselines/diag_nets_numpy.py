"""numpy baseline for the SAM diagonal-network runs, written from the maths of the spec
(andriushchenko2022_sam.md §3.3), not from the official code: the same data draw as the notebook
(np.random.seed(0), X then X_test then β*) and the same recording grid, vectorised over examples
the way a numpy user would write it. Used by benches/compare_numpy.py."""

import numpy as np


def notebook_data(n=20, d=30, k=3, n_test=1000, seed=0):
    np.random.seed(seed)
    x = np.random.standard_normal((n, d))
    x_test = np.random.standard_normal((n_test, d))
    beta_star = np.random.standard_normal(d)
    beta_star[k:] = 0.0
    beta_star = np.abs(beta_star) / np.sqrt(beta_star @ beta_star)
    return x, x @ beta_star, x_test, x_test @ beta_star


def half_mse(x, y, beta):
    r = x @ beta - y
    return (r @ r) / (2 * len(y))


def recording_grid(steps):
    dense = np.arange(min(steps, 101))
    logs = np.round(np.logspace(2, np.log10(steps), 200)).astype(int)
    return set(np.unique(np.concatenate([dense, logs])).tolist()) | {steps}


def run(algo, x, y, x_test, y_test, gamma, alpha, rho, steps):
    n, d = x.shape
    u, v = np.full(d, alpha), np.zeros(d)
    grid = recording_grid(steps)
    train, test = [], []
    for t in range(1, steps + 1):
        if algo == "gd":
            g = x.T @ (x @ (u * v) - y) / n
            u, v = u - gamma * g * v, v - gamma * g * u
        elif algo == "sgd":
            i = np.random.randint(n)
            e = (x[i] @ (u * v) - y[i]) * x[i]
            u, v = u - gamma * e * v, v - gamma * e * u
        elif algo == "nsam":
            g = x.T @ (x @ (u * v) - y) / n
            uh, vh = u + rho * g * v, v + rho * g * u
            gh = x.T @ (x @ (uh * vh) - y) / n
            u, v = u - gamma * gh * vh, v - gamma * gh * uh
        elif algo == "1sam":
            r = x @ (u * v) - y
            uh = u + 2 * rho * (r[:, None] * x) * v  # one perturbed copy per example (n × d)
            vh = v + 2 * rho * (r[:, None] * x) * u
            rh = np.einsum("kj,kj->k", x, uh * vh) - y
            gu = (rh[:, None] * x * vh).mean(axis=0)
            gv = (rh[:, None] * x * uh).mean(axis=0)
            u, v = u - gamma * gu, v - gamma * gv
        if t in grid:
            beta = u * v
            train.append(half_mse(x, y, beta))
            test.append(half_mse(x_test, y_test, beta))
    return train, test

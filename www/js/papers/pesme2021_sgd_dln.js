// Page of pesme2021_sgd_dln: GD against SGD (and the stochastic gradient flow) on the w± diagonal
// network; the measured effective initialisation against the paper's α∞ formula; a step-size
// sweep showing "slower convergence, better bias".

const SWEEP_GAMMAS = [0.02, 0.035, 0.05, 0.065, 0.08, 0.1];

export const page = {
  compare: { param: 'algo', view: 'algos' },
  slice: { sgf: 25, gd: 100, sgd: 400 },
  figure: [{
    className: 'loss-chart', title: 'Train loss (dashed) and test error ‖β − β*‖² (solid)', xLabel: 'iteration', yLabel: 'value', xLog: true, yLog: true,
    curves: [
      { series: 'test_error', label: (r) => `${r.label} test error` },
      { series: 'train_loss', label: (r) => `${r.label} train loss`, dash: [6, 4] },
    ],
  }],
  more: {
    heading: 'Effective initialisation and the predicted solution',
    text: 'ln(α∞/α) per coordinate, measured exactly (points) and from the paper\'s formula −2γ·(XᵀX/n)_jj·∫L (line). β against β*, with the interpolator predicted from the formula\'s α∞ once SGD has finished.',
    charts: [
      {
        className: 'alpha-chart', title: 'ln(α∞/α) per coordinate', xLabel: 'coordinate', yLabel: 'ln(α∞/α)', xInteger: true,
        vectors: [
          { vector: 'log_alpha_exact', label: (r) => `${r.label} exact` },
          { vector: 'log_alpha_formula', label: (r) => `${r.label} formula`, line: true, dash: [4, 3] },
        ],
      },
      {
        className: 'beta-chart', title: 'β (points) against β* (bars)', xLabel: 'coordinate', yLabel: 'β', xInteger: true,
        reference: { vector: 'beta_star', label: 'β*', color: '#888888', bars: true },
        vectors: [{ vector: 'beta', label: (r) => r.label }],
        last: { vector: 'beta_pred_formula', label: 'predicted from α∞ (first stochastic run)', color: '#111111', from: (runs) => runs.find((r) => r.id !== 'gd') },
      },
    ],
  },
  metrics: [
    ['train loss', 'train_loss'],
    ['test error', 'test_error'],
    ['‖β‖₁', 'l1_norm'],
    ['γ·∫L', 'gamma_loss_integral'],
    ['median ln(α∞/α) exact', 'median_log_alpha_exact'],
    ['… formula', 'median_log_alpha_formula'],
    ['sign flips', 'sign_flips'],
    ['‖β − β̂(α∞)‖/‖β‖', 'prediction_rel_err_formula'],
    ['‖β − β̂(α)‖/‖β‖', 'prediction_rel_err_gf'],
  ],
  sweeps: [{
    title: 'Slower convergence, better bias',
    text: (gammas) => `Runs GD and SGD at γ ∈ {${gammas.join(', ')}} with the parameters above. SGD's test error falls as γ grows, because its loss integral γ·∫L grows; GD's barely moves.`,
    button: 'Run the step-size sweep',
    param: 'gamma',
    values: SWEEP_GAMMAS,
    lines: [{ option: 'sgd', slice: 1000 }, { option: 'gd', slice: 200 }],
    charts: [
      { className: 'gamma-chart', title: 'Test error against the step size', xLabel: 'γ', yLabel: 'test error', yLog: true, y: [{ metric: 'test_error' }] },
      { className: 'integral-chart', title: 'SGD test error against γ·∫L', xLabel: 'γ·∫L', yLabel: 'test error', yLog: true, x: 'gamma_loss_integral', lines: ['sgd'], y: [{ metric: 'test_error' }] },
    ],
  }],
};

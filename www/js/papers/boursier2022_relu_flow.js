// Page of boursier2022_relu_flow: the gradient flow of a shallow ReLU network on orthonormal
// inputs. The loss staircase against the predicted plateau and escape times, the neurons turning
// towards D₊ and D₋, their norms growing exponentially, and V/V* against the initialisation scale.

import { Chart, scatterData } from '../plots.js';
import { fmt } from '../page.js';

const POS = '#d62728';
const NEG = '#1f77b4';
const SWEEP_LAMBDAS = [1e-8, 1e-6, 1e-4, 1e-2, 0.3];

/** Each neuron's direction projected on D₊ and D₋, coloured by the sign of its output weight. */
function directions(host) {
  const chart = new Chart(host, { title: 'Neuron directions', xLabel: '⟨w/‖w‖, D₊/‖D₊‖⟩', yLabel: '⟨w/‖w‖, D₋/‖D₋‖⟩', range: [-1.05, 1.05],
    series: [{ label: 'positive neurons', color: POS, points: true }, { label: 'negative neurons', color: NEG, points: true }] });
  return {
    reset() {},
    render(runs) {
      const run = runs[0].run;
      const [sign, px, py] = ['neuron_sign', 'proj_pos', 'proj_neg'].map((n) => run.vector(n));
      const pick = (s) => ({ x: Array.from(px).filter((_, j) => sign[j] === s), y: Array.from(py).filter((_, j) => sign[j] === s) });
      chart.setData(scatterData([pick(1), pick(-1)]));
    },
  };
}

export const page = {
  run: { id: 'flow', label: (state) => `gradient flow, λ = ${state.params.get('lambda')}`, color: POS, slice: 200 },
  figure: [{
    className: 'loss-chart', title: 'Training loss with the predicted plateau levels and escape times', xLabel: 'time t', yLabel: 'loss', xLog: true, yLog: true,
    curves: [{ series: 'loss', label: () => 'loss', color: '#111111' }],
    levels: [{ metric: 'l0', label: 'L₀', color: '#999999', dash: [4, 4] }, { metric: 'l_mid', label: 'L_mid', color: '#e08000', dash: [4, 4] }],
    markers: (m) => [{ x: m.tau_fast, label: 'τ_fast', color: '#e08000' }, { x: m.tau_slow, label: 'τ_slow', color: '#e08000' }],
  }],
  more: {
    heading: 'Early alignment and norm growth',
    text: 'Each neuron\'s direction w_j/‖w_j‖ projected on the key directions D₊/‖D₊‖ and D₋/‖D₋‖ (red: positive output weight, blue: negative). Aligned neurons sit at (1, 0) or (0, 1); neurons active on no point of their sign stay frozen near the middle. Below, the norms of the first neurons grow exponentially after the alignment.',
    charts: [
      { className: 'direction-chart', make: directions, vectors: ['neuron_sign', 'proj_pos', 'proj_neg'] },
      {
        className: 'norm-chart', title: 'Neuron norms ‖w_j‖', xLabel: 'time t', yLabel: '‖w_j‖', xLog: true, yLog: true,
        curves: [{ prefix: 'norm_', label: (r, name) => name.replace('norm_', 'neuron '), color: (i) => (i % 2 === 0 ? POS : NEG) }],
      },
    ],
  },
  metrics: [
    ['loss', 'loss'],
    ['V/V*', 'v_ratio'],
    ['t_fast/τ_fast', 't_fast_ratio'],
    ['t_slow/τ_slow', 't_slow_ratio'],
    ['covering neurons + / −', ['cover_pos', 'cover_neg'], (pos, neg) => `${fmt(pos)} / ${fmt(neg)}`],
    ['max |a² − ‖w‖²|', 'balancedness'],
  ],
  sweeps: [{
    title: 'Minimum variation norm as λ → 0',
    text: (lambdas) => `Runs the flow at λ ∈ {${lambdas.join(', ')}} with the parameters above: V/V* falls to 1 as λ shrinks, while the large initialisation λ = 0.3 ends far from the minimum-norm interpolator.`,
    button: 'Run the λ sweep',
    className: 'v-chart',
    chart: { title: 'V/V* against the initialisation scale', xLabel: 'λ', yLabel: 'V/V*', xLog: true },
    param: 'lambda',
    values: SWEEP_LAMBDAS,
    lines: [{ label: 'V/V*', color: POS, points: true, slice: 2000 }],
    metric: 'v_ratio',
  }],
};

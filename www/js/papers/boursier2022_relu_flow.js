// Page of boursier2022_relu_flow: the gradient flow of a shallow ReLU network on orthonormal
// inputs. The loss staircase against the predicted plateau and escape times, the neurons turning
// towards D₊ and D₋, their norms growing exponentially, and V/V* against the initialisation scale.

import { Chart, markerHook, alignCurves, scatterData } from '../plots.js';
import { createPage, metricsTable, sweepSection, el, fmt } from '../page.js';

const POS = '#d62728';
const NEG = '#1f77b4';
const SWEEP_LAMBDAS = [1e-8, 1e-6, 1e-4, 1e-2, 0.3];

const FIDELITY =
  'no official code exists; the model, the balanced initialisation and the 1/2n loss are recalled from the paper, and the escape times τ± = (n/‖D±‖)·ln(1/λ), ' +
  'the plateau level and V* are derived for orthonormal inputs (spec §3.2), not quoted from the PDF. Output signs alternate, so each sign has m/2 neurons.';

export function renderPage(root, b, paper, initialValues) {
  let markers = [];
  const page = createPage({
    root,
    b,
    paper,
    initialValues,
    fidelity: FIDELITY,
    paramSets: (state) => [Object.fromEntries(state.params)],
    makeRuns: (state, newRun) => [
      { id: 'flow', label: `gradient flow, λ = ${state.params.get('lambda')}`, color: POS, slice: 200, run: newRun() },
    ],
    figures(figure, more) {
      const lossEl = el('div', { className: 'chart loss-chart' });
      const dirEl = el('div', { className: 'chart direction-chart' });
      const normEl = el('div', { className: 'chart norm-chart' });
      const table = el('table', { className: 'metrics' });
      const notes = el('ul', { className: 'notes' });
      figure.append(lossEl);
      more.append(
        el('h2', { textContent: 'Early alignment and norm growth' }),
        el('p', { textContent: 'Each neuron\'s direction w_j/‖w_j‖ projected on the key directions D₊/‖D₊‖ and D₋/‖D₋‖ (red: positive output weight, blue: negative). Aligned neurons sit at (1, 0) or (0, 1); neurons active on no point of their sign stay frozen near the middle. Below, the norms of the first neurons grow exponentially after the alignment.' }),
        dirEl, normEl, table, notes);
      const loss = new Chart(lossEl, {
        title: 'Training loss with the predicted plateau levels and escape times', xLabel: 'time t', yLabel: 'loss', xLog: true, yLog: true,
        series: [{ label: 'loss', color: '#111111' }, { label: 'L₀', color: '#999999', dash: [4, 4] }, { label: 'L_mid', color: '#e08000', dash: [4, 4] }],
        hooks: markerHook(() => markers),
      });
      const dirs = new Chart(dirEl, { title: 'Neuron directions', xLabel: '⟨w/‖w‖, D₊/‖D₊‖⟩', yLabel: '⟨w/‖w‖, D₋/‖D₋‖⟩', range: [-1.05, 1.05],
        series: [{ label: 'positive neurons', color: POS, points: true }, { label: 'negative neurons', color: NEG, points: true }] });
      const norms = new Chart(normEl, { title: 'Neuron norms ‖w_j‖', xLabel: 'time t', yLabel: '‖w_j‖', xLog: true, yLog: true, series: [] });
      return {
        reset(runs) {
          const names = runs[0].run.seriesNames().filter((n) => n.startsWith('norm_'));
          norms.setSeries(names.map((n, i) => ({ label: n.replace('norm_', 'neuron '), color: i % 2 === 0 ? POS : NEG })));
          const m = runs[0].run.metrics();
          markers = [{ x: m.tau_fast, label: 'τ_fast', color: '#e08000' }, { x: m.tau_slow, label: 'τ_slow', color: '#e08000' }];
        },
        render(runs) {
          const run = runs[0].run;
          const m = run.metrics();
          const x = run.seriesX('loss');
          const [xs, ys] = alignCurves([{ x, y: run.seriesY('loss') }], { logX: true, logY: true });
          loss.setData([xs, ys, xs.map(() => m.l0), xs.map(() => m.l_mid)]);
          const sign = run.vector('neuron_sign');
          const px = run.vector('proj_pos');
          const py = run.vector('proj_neg');
          const pick = (s) => ({ x: Array.from(px).filter((_, j) => sign[j] === s), y: Array.from(py).filter((_, j) => sign[j] === s) });
          dirs.setData(scatterData([pick(1), pick(-1)]));
          const names = run.seriesNames().filter((n) => n.startsWith('norm_'));
          norms.setData(alignCurves(names.map((n) => ({ x: run.seriesX(n), y: run.seriesY(n) })), { logX: true, logY: true }));
          metricsTable(table, notes, runs, [
            ['loss', (m) => fmt(m.loss)],
            ['V/V*', (m) => fmt(m.v_ratio)],
            ['t_fast/τ_fast', (m) => fmt(m.t_fast_ratio)],
            ['t_slow/τ_slow', (m) => fmt(m.t_slow_ratio)],
            ['covering neurons + / −', (m) => `${fmt(m.cover_pos)} / ${fmt(m.cover_neg)}`],
            ['max |a² − ‖w‖²|', (m) => fmt(m.balancedness)],
          ]);
        },
      };
    },
  });

  const vEl = el('div', { className: 'chart v-chart' });
  const sweep = sweepSection(root.querySelector('.more'), {
    title: 'Minimum variation norm as λ → 0',
    text: `Runs the flow at λ ∈ {${SWEEP_LAMBDAS.join(', ')}} with the parameters above: V/V* falls to 1 as λ shrinks, while the large initialisation λ = 0.3 ends far from the minimum-norm interpolator.`,
    button: 'Run the λ sweep',
    makeRuns: () => SWEEP_LAMBDAS.map((l) => ({ lambda: l, slice: 2000,
      run: page.newRun({ lambda: String(l) }) })),
    render(runs) {
      vChart.setData([SWEEP_LAMBDAS, runs.map((r) => (r.progress.status.state === 'finished' ? r.run.metrics().v_ratio : null))]);
    },
  });
  sweep.section.append(vEl);
  const vChart = new Chart(vEl, { title: 'V/V* against the initialisation scale', xLabel: 'λ', yLabel: 'V/V*', xLog: true, series: [{ label: 'V/V*', color: POS, points: true }] });

  return {
    onHash: page.onHash,
    dispose() {
      sweep.dispose();
      page.dispose();
    },
  };
}

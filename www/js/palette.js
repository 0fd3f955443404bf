// The colours of runs and algorithms, in one place (charts, legends and the algorithm toggles),
// without the plotting library, so modules that only need a colour do not load it.

export const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

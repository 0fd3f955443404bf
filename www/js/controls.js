// Controls generated from a parameter schema: sliders (log-scaled where the schema says so) with a
// number box, number boxes for integers, selects for choices (showing their labels). Values travel as text, exactly as
// in the URL hash and the CLI's --set, and are validated by the core.

const SLIDER_STEPS = 400;

function logSliderRange(spec) {
  const lo = Math.log10(Math.max(spec.min, spec.max * 1e-6, 1e-6));
  const hi = Math.log10(spec.max);
  return { lo, hi };
}

function floatControl(spec, value, onChange) {
  const wrap = document.createElement('span');
  wrap.className = 'float-control';
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = 0;
  slider.max = SLIDER_STEPS;
  const box = document.createElement('input');
  box.type = 'number';
  box.step = 'any';
  box.min = spec.min;
  box.max = spec.max;
  box.name = spec.name;
  const toSlider = (v) => {
    if (spec.log) {
      const { lo, hi } = logSliderRange(spec);
      const t = v > 0 ? (Math.log10(v) - lo) / (hi - lo) : 0;
      return Math.round(Math.min(1, Math.max(0, t)) * SLIDER_STEPS);
    }
    return Math.round(((v - spec.min) / (spec.max - spec.min)) * SLIDER_STEPS);
  };
  const fromSlider = (s) => {
    const t = s / SLIDER_STEPS;
    if (spec.log) {
      const { lo, hi } = logSliderRange(spec);
      return Number((10 ** (lo + t * (hi - lo))).toPrecision(3));
    }
    return Number((spec.min + t * (spec.max - spec.min)).toPrecision(4));
  };
  const set = (text) => {
    box.value = text;
    slider.value = toSlider(Number(text));
  };
  set(value);
  slider.addEventListener('input', () => {
    box.value = fromSlider(Number(slider.value));
  });
  slider.addEventListener('change', () => onChange(spec.name, box.value));
  box.addEventListener('change', () => onChange(spec.name, box.value));
  wrap.append(slider, box);
  return { el: wrap, set };
}

function intControl(spec, value, onChange) {
  const box = document.createElement('input');
  box.type = 'number';
  box.step = 1;
  box.min = spec.min;
  box.max = spec.max;
  box.name = spec.name;
  box.value = value;
  box.addEventListener('change', () => onChange(spec.name, box.value));
  return { el: box, set: (t) => (box.value = t) };
}

function choiceControl(spec, value, onChange) {
  const select = document.createElement('select');
  select.name = spec.name;
  spec.options.forEach((o, i) => {
    const opt = document.createElement('option');
    opt.value = o;
    opt.textContent = spec.labels?.[i] ?? o;
    select.append(opt);
  });
  select.value = value;
  select.addEventListener('change', () => onChange(spec.name, select.value));
  return { el: select, set: (t) => (select.value = t) };
}

/**
 * Renders one labelled control per schema parameter (minus `skip`). Form fields are named
 * `prefix + name` (a page section with its own schema uses a prefix, e.g. `cnn.`, so names stay
 * unique on the page). Returns { set(name, text) } to reflect state changes made elsewhere.
 */
export function renderControls(root, schema, values, onChange, skip = [], prefix = '') {
  const setters = new Map();
  for (const spec of schema.params) {
    if (skip.includes(spec.name)) continue;
    const row = document.createElement('label');
    row.className = 'control';
    row.title = spec.doc;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = spec.name;
    const make = spec.type === 'float' ? floatControl : spec.type === 'int' ? intControl : choiceControl;
    const c = make(spec, values.get(spec.name), onChange);
    for (const field of c.el.matches?.('input, select') ? [c.el] : c.el.querySelectorAll('input[name], select[name]')) field.name = prefix + spec.name;
    row.append(name, c.el);
    root.append(row);
    setters.set(spec.name, c.set);
  }
  return { set: (name, text) => setters.get(name)?.(text) };
}

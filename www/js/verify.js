// The "verify" panel: runs the same checks as `lemma verify <slug>` in a Web Worker and shows
// PASS / FAIL with the measured values as they arrive.

const fmt = (v) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(3));

function badge(result) {
  const span = document.createElement('span');
  const label = { PASS: 'PASS', FAIL: 'FAIL', NOT_APPLICABLE: 'N/A' }[result.outcome];
  const soft = result.kind === 'hard' ? '' : result.kind === 'soft' ? ' (soft)' : ' (report only)';
  span.className = `badge ${result.outcome.toLowerCase()} ${result.kind}`;
  span.textContent = label + soft;
  return span;
}

function renderResult(li, r) {
  li.replaceChildren();
  const head = document.createElement('div');
  head.className = 'check-head';
  const id = document.createElement('strong');
  id.textContent = r.id;
  const claim = document.createElement('span');
  claim.textContent = r.claim;
  head.append(id, badge(r), claim);
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `rule: ${r.threshold}`;
  const table = document.createElement('table');
  for (const m of r.measured) {
    const tr = table.insertRow();
    tr.insertCell().textContent = m.name;
    tr.insertCell().textContent = fmt(m.value);
  }
  details.append(summary, table);
  if (r.note) {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = r.note;
    details.append(note);
  }
  li.append(head, details);
  li.dataset.outcome = r.outcome;
}

export function renderVerifyPanel(root, slug) {
  const section = document.createElement('section');
  section.className = 'verify';
  section.innerHTML = `<h2>Verify the claims</h2>
    <p>Runs every check of <code>lemma verify ${slug}</code> here, in a background worker, on the
    spec's seeds. Hard checks must pass; soft and report-only checks are shown but never fail.</p>`;
  const button = document.createElement('button');
  button.textContent = 'Run all checks';
  button.className = 'run-checks';
  const status = document.createElement('span');
  status.className = 'verify-status';
  const list = document.createElement('ol');
  list.className = 'checks';
  section.append(button, status, list);
  root.append(section);

  button.addEventListener('click', () => {
    button.disabled = true;
    list.replaceChildren();
    const items = new Map();
    const started = performance.now();
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.type === 'ids') {
        for (const id of data.ids) {
          const li = document.createElement('li');
          li.textContent = `${id} — waiting`;
          list.append(li);
          items.set(id, li);
        }
      } else if (data.type === 'running') {
        items.get(data.id).textContent = `${data.id} — running…`;
        status.textContent = `running ${data.id}…`;
      } else if (data.type === 'result') {
        renderResult(items.get(data.result.id), data.result);
      } else if (data.type === 'done' || data.type === 'error') {
        const results = [...items.values()].map((li) => li.dataset.outcome);
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        status.textContent =
          data.type === 'error'
            ? `error: ${data.message}`
            : `${results.filter((o) => o === 'PASS').length}/${results.length} passed in ${secs} s`;
        section.dataset.done = '1';
        button.disabled = false;
        worker.terminate();
      }
    };
    worker.onerror = (e) => {
      status.textContent = `worker failed: ${e.message}`;
      button.disabled = false;
    };
    worker.postMessage({ slug });
  });
}

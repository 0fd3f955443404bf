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

/**
 * The summary line: hard checks (the ones that can fail `lemma verify`) apart from soft and
 * report-only ones, and the checks that did not run (no data, stopped) apart from both.
 */
export function summarise(results, total) {
  const ran = results.filter((r) => r.outcome !== 'NOT_APPLICABLE');
  const hard = ran.filter((r) => r.kind === 'hard');
  const soft = ran.filter((r) => r.kind !== 'hard');
  const notApplicable = results.length - ran.length;
  const notRun = total - results.length;
  const parts = [`hard checks: ${hard.filter((r) => r.outcome === 'PASS').length}/${hard.length} passed`];
  if (soft.length) parts.push(`soft and report-only: ${soft.filter((r) => r.outcome === 'PASS').length}/${soft.length} within their margins`);
  if (notApplicable) parts.push(`not applicable: ${notApplicable}`);
  if (notRun) parts.push(`not run: ${notRun}`);
  return parts.join(' · ');
}

export function renderVerifyPanel(root, paper) {
  const slug = paper.slug;
  const section = document.createElement('section');
  section.className = 'verify';
  const data = paper.check_datasets ?? [];
  section.innerHTML = `<h2>Verify the claims</h2>
    <p>Runs every check of <code>lemma verify ${slug}</code> (smoke tier) here, in a background
    worker, on the spec's seeds. Hard checks must pass; soft and report-only checks are shown but
    never fail.${data.length ? ` The checks that train on real data load ${data.map((d) => `<code>data/${d}.bin</code>`).join(', ')} and take several minutes on one CPU thread; progress is shown below.` : ''}</p>`;
  const button = document.createElement('button');
  button.textContent = 'Run all checks';
  button.className = 'run-checks';
  const stopBtn = document.createElement('button');
  stopBtn.textContent = 'Stop';
  stopBtn.className = 'stop-checks';
  stopBtn.disabled = true;
  const status = document.createElement('span');
  status.className = 'verify-status';
  const list = document.createElement('ol');
  list.className = 'checks';
  section.append(button, stopBtn, status, list);
  root.append(section);

  let worker = null;
  let finish = null;
  button.addEventListener('click', () => {
    button.disabled = true;
    stopBtn.disabled = false;
    delete section.dataset.done;
    list.replaceChildren();
    const items = new Map();
    const results = [];
    const started = performance.now();
    worker = new Worker(new URL('./verify-worker.js', import.meta.url), { type: 'module' });
    finish = (message) => {
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      for (const [id, li] of items) if (!li.dataset.outcome) li.textContent = `${id} — not run`;
      status.textContent = `${message ? message + ' · ' : ''}${summarise(results, items.size)} · ${secs} s`;
      section.dataset.done = '1';
      button.disabled = false;
      stopBtn.disabled = true;
      worker?.terminate();
      worker = null;
      finish = null;
    };
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'data') {
        status.textContent = m.state === 'loading' ? `loading data/${m.name}.bin…` : m.state === 'missing' ? m.message : `loaded data/${m.name}.bin`;
      } else if (m.type === 'ids') {
        for (const id of m.ids) {
          const li = document.createElement('li');
          li.textContent = `${id} — waiting`;
          list.append(li);
          items.set(id, li);
        }
      } else if (m.type === 'running') {
        items.get(m.id).textContent = `${m.id} — running…`;
        status.textContent = `running ${m.id}…`;
      } else if (m.type === 'progress') {
        const li = items.get(m.id);
        if (li && !li.dataset.outcome) {
          li.textContent = `${m.id} — training ${m.what}: ${m.done.toLocaleString()} / ${m.total.toLocaleString()} batches`;
          li.dataset.progress = String(m.done);
        }
      } else if (m.type === 'result') {
        results.push(m.result);
        renderResult(items.get(m.result.id), m.result);
      } else if (m.type === 'done') {
        finish(null);
      } else if (m.type === 'error') {
        finish(`error: ${m.message}`);
      }
    };
    worker.onerror = (e) => finish(`worker failed: ${e.message}`);
    worker.postMessage({ slug, datasets: data });
  });
  stopBtn.addEventListener('click', () => finish?.('stopped'));
  return { dispose: () => worker?.terminate() };
}

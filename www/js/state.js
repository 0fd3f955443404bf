// The URL hash <-> page state. Every parameter and the seed live in the hash, so a link reproduces
// a run exactly. Values are validated by the core (validateParams) before they are applied.

/** Parses `#paper=slug&seed=3&rho=0.1` into { paper, seed, values: Map }. */
export function readHash(hash = location.hash) {
  const query = new URLSearchParams(hash.replace(/^#/, ''));
  const values = new Map();
  for (const [k, v] of query) values.set(k, v);
  const paper = values.get('paper') || null;
  values.delete('paper');
  return { paper, values };
}

/** Builds the hash for a paper page from an ordered list of [name, value] pairs. */
export function makeHash(paper, entries) {
  const query = new URLSearchParams();
  query.set('paper', paper);
  for (const [k, v] of entries) query.set(k, String(v));
  return '#' + query.toString();
}

/** Replaces the hash without adding a history entry. `replaceState` fires no `hashchange`, so
 * nothing needs suppressing: every later `hashchange` (a link, Back, Forward, an edit of the
 * address bar) is the user's and is routed. */
export function writeHash(hash) {
  if (location.hash === hash) return;
  history.replaceState(null, '', hash);
}

/** Calls `onChange` whenever the hash changes by navigation (links, Back/Forward, typing). */
export function onHashChange(onChange) {
  addEventListener('hashchange', () => onChange(readHash()));
}

/** Shows or clears the inline URL error banner. */
export function showHashError(message) {
  const el = document.getElementById('hash-error');
  if (!el) return;
  el.hidden = !message;
  el.textContent = message ? `This link has a bad value, so the page kept its last valid state: ${message}` : '';
}

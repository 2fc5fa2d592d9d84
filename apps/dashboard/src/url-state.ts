/**
 * View state kept in the URL's hash, after the route: `#/sweeps/<id>?accuracy-noise.x=seed`.
 * Written with history.replaceState (no new history entry, no hashchange), so a copied link or
 * a reload shows the same charts.
 */

export function hashRoute(): string {
  return location.hash.split('?')[0];
}

export function hashParams(): URLSearchParams {
  const query = location.hash.split('?')[1];
  return new URLSearchParams(query ?? '');
}

export function setHashParam(name: string, value: string | undefined): void {
  const params = hashParams();
  if (value === undefined || value === '') params.delete(name);
  else params.set(name, value);
  const query = params.toString();
  history.replaceState(null, '', `${hashRoute()}${query ? `?${query}` : ''}`);
}

/**
 * A panel's choices (`<panel>.<key>` in the URL): read once when the page is built, written
 * whenever the user changes one.
 */
export function urlChoices(panel: string): {
  get(key: string): string | undefined;
  set(key: string, value: string | undefined): void;
  entries(prefix: string): [string, string][];
} {
  const params = hashParams();
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    // '-' stands for an explicit empty choice ("no grouping"), which differs from no choice.
    if (name.startsWith(`${panel}.`))
      values.set(name.slice(panel.length + 1), value === '-' ? '' : value);
  }
  return {
    get: (key) => values.get(key),
    set(key, value) {
      if (value === undefined) values.delete(key);
      else values.set(key, value);
      setHashParam(`${panel}.${key}`, value === '' ? '-' : value);
    },
    entries: (prefix) =>
      [...values]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
  };
}

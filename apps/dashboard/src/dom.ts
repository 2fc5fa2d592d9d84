type Child = Node | string | null | undefined | false;

/** Creates an element: `h('a', { href: '#/' }, 'home')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** A labelled drop-down; calls `onChange` with the chosen value. */
export function select(
  label: string,
  name: string,
  options: readonly { value: string; text: string }[],
  value: string,
  onChange: (value: string) => void,
): HTMLLabelElement {
  const element = h('select', { name, 'data-control': name });
  for (const option of options) {
    element.append(
      h('option', { value: option.value, selected: option.value === value }, option.text),
    );
  }
  element.value = value;
  element.addEventListener('change', () => onChange(element.value));
  return h('label', { class: 'control' }, `${label} `, element);
}

export function progressBar(progress: number): HTMLElement {
  const bar = h('div', { class: 'progress', role: 'progressbar' });
  bar.setAttribute('aria-valuenow', String(Math.round(progress * 100)));
  bar.append(h('div', { class: 'progress-fill', style: `width:${(progress * 100).toFixed(1)}%` }));
  return bar;
}

export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Saves a blob as a file (a link with `download`, as a user's click on one would). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

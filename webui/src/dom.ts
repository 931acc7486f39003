/**
 * DOM building without HTML strings: every text goes in through textContent or a text node,
 * so names and values from the network are never interpreted as markup.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

type Handler<E extends Event = Event> = (event: E) => void;

export interface Attrs {
  class?: string;
  id?: string;
  href?: string;
  title?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  role?: string;
  rows?: number;
  min?: number;
  max?: number;
  accept?: string;
  autocomplete?: string;
  disabled?: boolean;
  required?: boolean;
  checked?: boolean;
  selected?: boolean;
  hidden?: boolean;
  multiple?: boolean;
  /** data-* attributes, keyed without the prefix. */
  data?: Record<string, string>;
  aria?: Record<string, string>;
  onclick?: Handler<MouseEvent>;
  onchange?: Handler;
  oninput?: Handler;
  onsubmit?: Handler<SubmitEvent>;
}

const BOOLEAN_ATTRS = ['disabled', 'required', 'checked', 'selected', 'hidden', 'multiple'] as const;
const STRING_ATTRS = ['class', 'id', 'href', 'title', 'type', 'name', 'placeholder', 'for', 'role', 'accept', 'autocomplete'] as const;

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, ...c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const k of STRING_ATTRS) {
      const v = attrs[k];
      if (v !== undefined) el.setAttribute(k, v);
    }
    for (const k of BOOLEAN_ATTRS) if (attrs[k]) el.setAttribute(k, '');
    if (attrs.value !== undefined) (el as unknown as HTMLInputElement).value = attrs.value;
    if (attrs.checked !== undefined) (el as unknown as HTMLInputElement).checked = attrs.checked;
    if (attrs.rows !== undefined) el.setAttribute('rows', String(attrs.rows));
    if (attrs.min !== undefined) el.setAttribute('min', String(attrs.min));
    if (attrs.max !== undefined) el.setAttribute('max', String(attrs.max));
    for (const [k, v] of Object.entries(attrs.data ?? {})) el.dataset[k] = v;
    for (const [k, v] of Object.entries(attrs.aria ?? {})) el.setAttribute(`aria-${k}`, v);
    if (attrs.onclick) el.addEventListener('click', attrs.onclick as Handler);
    if (attrs.onchange) el.addEventListener('change', attrs.onchange);
    if (attrs.oninput) el.addEventListener('input', attrs.oninput);
    if (attrs.onsubmit) el.addEventListener('submit', attrs.onsubmit as Handler);
  }
  append(el, ...children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

/** A table from column titles and rows of cells. */
export function table(head: string[], rows: Child[][], attrs: Attrs = {}): HTMLDivElement {
  // The wrapper scrolls sideways when a cell holds a long unbreakable value.
  return h('div', { class: 'table-wrap' }, h(
    'table',
    { class: `grid ${attrs.class ?? ''}`.trim(), ...(attrs.id ? { id: attrs.id } : {}) },
    h('thead', null, h('tr', null, head.map((t) => h('th', { data: { col: t } }, t)))),
    h(
      'tbody',
      null,
      rows.length === 0 ? h('tr', null, h('td', { class: 'empty' }, 'None')) : rows.map((r) => h('tr', null, r.map((c, i) => h('td', { data: { label: head[i] ?? '' } }, c)))),
    ),
  ));
}

/** Pretty JSON in a <pre>, as text. */
export function jsonBlock(value: unknown): HTMLPreElement {
  return h('pre', { class: 'json' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

export function badge(text: string, tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info' = 'muted'): HTMLSpanElement {
  return h('span', { class: `badge ${tone}` }, text);
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), control, hint ? h('small', { class: 'hint' }, hint) : null);
}

export function formValue(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el && "value" in el ? String((el as { value: unknown }).value).trim() : "";
}

/**
 * The view's own controls and the way to the host, shared by the view's modules. Click handlers
 * obey only buttons made here, never anything in a rendered answer.
 */
import type { WebviewToHost } from '../protocol';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi = acquireVsCodeApi();
export const post = (m: WebviewToHost): void => vscodeApi.postMessage(m);

/** The controls this view made itself: the click handlers obey these and nothing from an answer. */
export const ownControls = new WeakSet<Element>();

export function button(label: string, action: string, title?: string): HTMLButtonElement {
  const b = document.createElement('button');
  ownControls.add(b);
  b.type = 'button';
  b.textContent = label;
  b.dataset.action = action;
  b.dataset.testid = action;
  if (title) b.title = title;
  return b;
}

/**
 * An icon button as VS Code draws them: a codicon, its name for a screen reader (aria-label) and
 * for the mouse (the tooltip, with its key if it has one).
 */
export function iconButton(icon: string, action: string, label: string, key?: string): HTMLButtonElement {
  const b = button('', action, key ? `${label} (${key})` : label);
  b.classList.add('icon');
  b.setAttribute('aria-label', label);
  b.append(codicon(icon));
  return b;
}

/** A codicon glyph, hidden from screen readers (its button has the name). */
export function codicon(name: string): HTMLElement {
  const i = document.createElement('span');
  i.className = `codicon codicon-${name}`;
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** Shows `icon` and says `label` for a moment (Copy: a tick and "Copied"), then puts the button back. */
export function flashIcon(b: HTMLButtonElement, icon: string, label: string): void {
  const glyph = b.querySelector('.codicon');
  const before = { cls: glyph?.className, label: b.getAttribute('aria-label'), title: b.title };
  if (glyph) glyph.className = `codicon codicon-${icon}`;
  b.setAttribute('aria-label', label);
  b.title = label;
  announce(label);
  setTimeout(() => {
    if (glyph && before.cls) glyph.className = before.cls;
    if (before.label) b.setAttribute('aria-label', before.label);
    b.title = before.title;
  }, 1200);
}

/** The view's own button that `e` was a click on, with its action; undefined for anything else. */
export function ownAction(e: Event): { b: HTMLButtonElement; action: string } | undefined {
  const b = (e.target as HTMLElement | null)?.closest?.<HTMLButtonElement>('button[data-action]');
  return b && ownControls.has(b) ? { b, action: b.dataset.action ?? '' } : undefined;
}

export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A new element with its class and, if given, its text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function announce(text: string): void {
  const a = $('announcer');
  a.textContent = '';
  // a fresh text node in a later task makes screen readers speak it even when it repeats
  setTimeout(() => (a.textContent = text), 50);
}

/** "12,345". */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Where a model runs, in words: a Space's models are served by their Space; `ENDPOINT/MODEL` by your endpoint. */
export function servedBy(model: string, where: string): string {
  return model.includes('/') ? `served by your endpoint, ${where}` : `served by the Space ${where}`;
}

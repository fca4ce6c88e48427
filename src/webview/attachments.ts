/**
 * Attachments in the composer: chips for what goes with the next message, their size against
 * the prompt budget, and `#`, which lists what can be attached (the selection, open files, any
 * workspace file) under the caret. The host holds the attachments; this only shows them.
 */
import type { ContextOptionView, PendingContextView } from '../protocol';
import { $, announce, count, el, iconButton, ownAction, post } from './controls';
import { listboxKey } from './listbox';

const els = {
  input: $<HTMLTextAreaElement>('input'),
  options: $<HTMLUListElement>('context-options'),
  chips: $<HTMLElement>('chips'),
  chipList: $<HTMLUListElement>('chip-list'),
  budget: $<HTMLElement>('budget'),
  attach: $<HTMLButtonElement>('attach'),
};

let pending: PendingContextView[] = [];
let budget = 0;

/** The `#word` being typed just before the caret, if any. */
function hashToken(): { start: number; query: string } | undefined {
  const caret = els.input.selectionStart ?? 0;
  if (caret !== els.input.selectionEnd) return undefined;
  const m = /(^|\s)#([^\s#]*)$/.exec(els.input.value.slice(0, caret));
  return m ? { start: caret - m[2].length - 1, query: m[2] } : undefined;
}

// ---- chips and the budget ------------------------------------------------------------------------

/** The attachments for the next message (from the host). */
export function showPending(items: PendingContextView[], promptBudget: number): void {
  const added = items.length > pending.length ? items[items.length - 1] : undefined;
  pending = items;
  budget = promptBudget;
  els.chipList.replaceChildren(
    ...items.map((c) => {
      const li = el('li', `chip ${c.kind}`);
      li.dataset.testid = 'context-chip';
      li.dataset.contextId = c.id;
      const label = el('span', 'chip-label', c.label);
      label.title = `${c.kind === 'selection' ? 'Selection' : 'File'}: ${c.detail}`;
      const size = el('span', 'chip-size', `${count(c.chars)} chars`);
      size.title = `${count(c.chars)} characters`;
      const remove = iconButton('close', 'remove-context', `Remove ${c.label}`);
      remove.setAttribute('aria-label', `Remove ${c.kind === 'selection' ? 'the selection' : 'the file'} ${c.label}`);
      li.append(label, size, remove);
      return li;
    }),
  );
  els.chips.hidden = items.length === 0;
  updateBudget();
  if (added) announce(`Attached ${added.label}, ${count(added.chars)} characters.`);
}

/** "Attached 2,345 characters · with your message 2,400 of 32,000": the budget the prompt is cut to. */
function updateBudget(): void {
  if (!pending.length) return;
  const attached = pending.reduce((n, c) => n + c.chars, 0);
  const total = attached + els.input.value.length;
  const over = budget > 0 && total > budget;
  els.budget.classList.toggle('over', over);
  els.budget.textContent = budget > 0
    ? `${count(attached)} characters attached · with your message ${count(total)} of the ${count(budget)}-character prompt budget${over ? ': over it, so earlier messages are left out and the Space may refuse it' : ''}`
    : `${count(attached)} characters attached (no prompt budget set)`;
}

els.chips.addEventListener('click', (e) => {
  const own = ownAction(e);
  if (own?.action !== 'remove-context') return;
  const li = own.b.closest<HTMLElement>('.chip');
  const id = li?.dataset.contextId;
  if (!id) return;
  // The focus goes to the next chip's remove button, or back to the input.
  const next = (li!.nextElementSibling ?? li!.previousElementSibling)?.querySelector<HTMLButtonElement>('button');
  (next ?? els.input).focus();
  post({ type: 'removeContext', id });
});

els.attach.addEventListener('click', () => {
  closeOptions();
  post({ type: 'pickContext' });
});

// ---- # ---------------------------------------------------------------------------------------------

let options: ContextOptionView[] = [];
let shown: ContextOptionView[] = [];
let active = 0;
let asked = false;

/** What can be attached now (from the host, asked for when `#` is typed). */
export function setOptions(o: ContextOptionView[]): void {
  options = o;
  refresh();
}

function matches(o: ContextOptionView, q: string): boolean {
  const t = q.toLowerCase();
  return !t || o.id === 'search' || o.label.toLowerCase().includes(t) || o.detail.toLowerCase().includes(t) || (o.id === 'selection' && 'selection'.startsWith(t));
}

/** Shows (or hides) the list for the `#word` before the caret. */
function refresh(): void {
  const tok = hashToken();
  if (!tok) return closeOptions();
  if (!asked) {
    asked = true;
    post({ type: 'contextOptions' });
  }
  shown = options.filter((o) => matches(o, tok.query));
  if (!shown.length) return closeOptions(false);
  active = Math.min(active, shown.length - 1);
  els.options.replaceChildren(
    ...shown.map((o, i) => {
      const li = el('li', 'context-option');
      li.id = `context-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.dataset.testid = 'context-option';
      li.dataset.option = o.id;
      li.append(el('span', 'context-option-label', o.label), el('span', 'context-option-detail', o.detail));
      return li;
    }),
  );
  els.options.hidden = false;
  els.input.setAttribute('aria-activedescendant', `context-option-${active}`);
}

function closeOptions(forget = true): void {
  els.options.hidden = true;
  els.options.replaceChildren();
  els.input.removeAttribute('aria-activedescendant');
  shown = [];
  // A later `#` asks again, and shows nothing older than its answer: the selection and the open files change.
  if (forget) {
    asked = false;
    options = [];
  }
}

/** Takes the `#word` out of the message and attaches what was chosen. */
function choose(i: number): void {
  const o = shown[i];
  const tok = hashToken();
  if (!o || !tok) return;
  const caret = els.input.selectionStart ?? 0;
  els.input.value = els.input.value.slice(0, tok.start) + els.input.value.slice(caret);
  els.input.setSelectionRange(tok.start, tok.start);
  els.input.dispatchEvent(new Event('input')); // the draft and the budget follow
  closeOptions();
  post({ type: 'attachContext', option: o.id });
}

/**
 * Keys while the list is open: arrows move, Enter or Tab attaches, Escape closes it (and only
 * it). True when the key was the list's; the composer then does nothing more with it.
 */
export function handleKey(e: KeyboardEvent): boolean {
  return listboxKey(e, {
    size: els.options.hidden ? 0 : shown.length,
    active,
    move: (i) => {
      active = i;
      refresh();
    },
    take: () => {
      choose(active);
      return true;
    },
    close: () => closeOptions(false),
  });
}

els.input.addEventListener('input', () => {
  updateBudget();
  active = hashToken() ? active : 0;
  refresh();
});
els.input.addEventListener('click', refresh);
els.input.addEventListener('blur', () => closeOptions());
// A click on an option must not take the focus from the input (that would close the list first).
els.options.addEventListener('mousedown', (e) => {
  e.preventDefault();
  const li = (e.target as HTMLElement).closest<HTMLElement>('.context-option');
  if (li) choose(Array.from(els.options.children).indexOf(li));
});

/** True when something is attached (a message may then be about it). */
export function hasPending(): boolean {
  return pending.length > 0;
}

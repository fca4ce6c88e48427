/**
 * The History panel: past conversations with their dates, a search across titles and messages
 * (answered by the host), rename, export, delete to the trash; the trash with restore; import.
 */
import type { ConversationSummary, TrashedSummary } from '../protocol';
import { $, button, el, iconButton, ownAction, post } from './controls';

const els = {
  panel: $<HTMLElement>('history'),
  toggle: $<HTMLButtonElement>('toggle-history'),
  list: $<HTMLUListElement>('history-list'),
  search: $<HTMLInputElement>('history-search'),
  trash: $<HTMLDetailsElement>('trash'),
  trashSummary: $<HTMLElement>('trash-summary'),
  trashList: $<HTMLUListElement>('trash-list'),
  title: $<HTMLElement>('title'),
};

/** The open conversation (marked in the list, its title in the toolbar). */
let currentId = '';

export function setCurrent(id: string): void {
  currentId = id;
}

export function showPanel(show: boolean): void {
  els.panel.hidden = !show;
  els.toggle.setAttribute('aria-expanded', String(show));
  if (show) els.search.focus();
}

/** Today: the time; this year: day and month; else the date with its year. */
function shortDate(ms: number): string {
  const d = new Date(ms);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString([], d.getFullYear() === now.getFullYear() ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' });
}

function row(c: ConversationSummary, date: string, dateTitle: string, first: HTMLElement, ...actions: HTMLButtonElement[]): HTMLLIElement {
  const li = el('li', 'history-item');
  li.dataset.conversationId = c.id;
  const when = el('span', 'history-date', date);
  when.dataset.testid = 'history-date';
  when.title = dateTitle;
  li.append(first, when, ...actions);
  return li;
}

function named(b: HTMLButtonElement, label: string): HTMLButtonElement {
  b.setAttribute('aria-label', label);
  return b;
}

export function render(items: ConversationSummary[], trash?: TrashedSummary[]): void {
  const current = items.find((c) => c.id === currentId);
  if (current) els.title.textContent = plainTitle(current.title);
  els.list.replaceChildren();
  if (!items.length) {
    els.list.append(el('li', 'note', 'No past conversations yet.'));
  }
  for (const c of items) {
    const open = button(plainTitle(c.title) || 'Untitled', 'open-conversation', `Open (${new Date(c.updatedAt).toLocaleString()}, ${c.turns} messages)`);
    open.classList.add('history-open');
    const li = row(
      c, shortDate(c.updatedAt), new Date(c.updatedAt).toLocaleString(), open,
      named(iconButton('edit', 'rename-conversation', 'Rename'), `Rename conversation ${c.title}`),
      named(iconButton('export', 'export-conversation', 'Export as Markdown'), `Export conversation ${c.title} as Markdown`),
      named(iconButton('trash', 'delete-conversation', 'Delete (to the trash)'), `Delete conversation ${c.title}`),
    );
    if (c.id === currentId) li.classList.add('current');
    els.list.append(li);
  }
  if (trash) renderTrash(trash);
  if (els.search.value.trim()) post({ type: 'searchHistory', query: els.search.value });
}

function renderTrash(trash: TrashedSummary[]): void {
  els.trash.hidden = trash.length === 0;
  els.trashSummary.textContent = `Trash (${trash.length})`;
  els.trashList.replaceChildren(
    ...trash.map((c) => {
      const title = el('span', 'trashed-title', plainTitle(c.title) || 'Untitled');
      const li = row(
        c, `deleted ${shortDate(c.deletedAt)}`, new Date(c.deletedAt).toLocaleString(), title,
        named(button('Restore', 'restore-conversation', `Restore "${c.title}" and open it`), `Restore conversation ${c.title}`),
        named(button('Delete for good', 'delete-forever', `Delete "${c.title}" for good`), `Delete conversation ${c.title} for good`),
      );
      li.dataset.testid = 'trashed';
      return li;
    }),
  );
}

/** Shows only the conversations the host found for the search (titles and messages), each with where it matched. */
export function showMatches(query: string, ids: string[], snippets: Array<{ id: string; snippet: string }> = []): void {
  if (query !== els.search.value) return; // an older answer
  const keep = new Set(ids);
  const where = new Map(snippets.map((s) => [s.id, s.snippet]));
  let shown = 0;
  for (const li of Array.from(els.list.querySelectorAll<HTMLElement>('.history-item'))) {
    const id = li.dataset.conversationId ?? '';
    li.hidden = !keep.has(id);
    if (!li.hidden) shown++;
    li.querySelector('.history-snippet')?.remove();
    const snippet = query.trim() && where.get(id);
    if (snippet && !li.hidden) {
      const p = el('span', 'history-snippet', '');
      p.dataset.testid = 'history-snippet';
      marked(p, snippet, query.trim());
      li.querySelector('.history-open')!.after(p);
    }
  }
  let none = els.list.querySelector<HTMLElement>('.no-matches');
  if (!shown && query.trim()) {
    if (!none) els.list.append((none = el('li', 'note no-matches')));
    none.textContent = `No conversation mentions "${query.trim()}".`;
  } else none?.remove();
}

/** `text` with each occurrence of `query` in a <mark>. */
function marked(into: HTMLElement, text: string, query: string): void {
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, from)) {
    into.append(text.slice(from, at), el('mark', '', text.slice(at, at + q.length)));
    from = at + q.length;
  }
  into.append(text.slice(from));
}

/** A title as a person reads it: no Markdown marks ("Explain `src/app.py`" reads "Explain src/app.py"). */
export function plainTitle(title: string): string {
  return title
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|\s)[*_](\S(?:.*?\S)?)[*_](?=\s|$|[.,:;!?])/g, '$1$2')
    .replace(/^#{1,6}\s+/, '')
    .replace(/`/g, '')
    .trim() || title;
}

let searchTimer = 0;
els.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => post({ type: 'searchHistory', query: els.search.value }), 150);
});
els.toggle.addEventListener('click', () => showPanel(els.panel.hidden));

els.panel.addEventListener('click', (e) => {
  const own = ownAction(e);
  const item = own?.b.closest<HTMLElement>('.history-item');
  const id = item?.dataset.conversationId;
  switch (own?.action) {
    case 'import-conversation':
      return post({ type: 'importConversation' });
    case 'empty-trash':
      return post({ type: 'emptyTrash' });
  }
  if (!id) return;
  switch (own?.action) {
    case 'open-conversation':
      post({ type: 'openConversation', id });
      showPanel(false);
      return;
    case 'rename-conversation':
      return post({ type: 'renameConversation', id });
    case 'export-conversation':
      return post({ type: 'exportConversation', id });
    case 'delete-conversation':
      // The next row (or the search box) keeps the focus: the row goes away.
      focusNear(item);
      return post({ type: 'deleteConversation', id });
    case 'restore-conversation':
      post({ type: 'restoreConversation', id });
      showPanel(false);
      return;
    case 'delete-forever':
      focusNear(item);
      return post({ type: 'deleteForever', id });
  }
});

/** When a row is about to go: the same control in the next row, else the previous, else the search box. */
let refocusAction: { list: HTMLElement; index: number; action: string } | undefined;
function focusNear(item: HTMLElement | null | undefined): void {
  const list = item?.parentElement;
  const action = (document.activeElement as HTMLElement | null)?.dataset?.action;
  if (!item || !list || !action) return;
  refocusAction = { list, index: Array.from(list.children).indexOf(item), action };
}

/** After the list is drawn again: put the focus back where focusNear said. */
export function restoreFocus(): void {
  const r = refocusAction;
  refocusAction = undefined;
  if (!r || els.panel.hidden) return;
  const rows = Array.from(r.list.querySelectorAll<HTMLElement>('.history-item'));
  const target = rows[Math.min(r.index, rows.length - 1)]?.querySelector<HTMLElement>(`[data-action="${r.action}"]`);
  (target ?? els.search).focus();
}

// Opening the trash brings it into view (it is at the end of a panel that scrolls).
els.trash.addEventListener('toggle', () => {
  if (els.trash.open) els.trash.scrollIntoView({ block: 'nearest' });
});

// Import lives in the panel's own bar, beside the search.
const importButton = button('Import…', 'import-conversation', 'Open a conversation exported as Markdown');
importButton.setAttribute('aria-label', 'Import a conversation from a Markdown file');
$('history-bar').append(importButton);
const emptyButton = button('Empty trash', 'empty-trash', 'Delete every conversation in the trash for good');
els.trash.append(emptyButton);

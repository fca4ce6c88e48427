/**
 * `/` in the composer: a list of the slash commands with what each does, under the caret as `#`'s
 * list is, and the check that refuses a `/word` that is no command (it would go to the model as
 * a plain message, silently doing nothing the user meant).
 */
import { SLASH_COMMANDS, type SlashCommand } from '../protocol';
import { $, el } from './controls';
import { listboxKey } from './listbox';

const els = {
  input: $<HTMLTextAreaElement>('input'),
  list: $<HTMLUListElement>('slash-options'),
};

const NAMES = Object.keys(SLASH_COMMANDS) as SlashCommand[];
let shown: SlashCommand[] = [];
let active = 0;

/** The `/word` the message starts with, while the caret is still in it. */
function typed(): string | undefined {
  const caret = els.input.selectionStart ?? 0;
  if (caret !== els.input.selectionEnd) return undefined;
  const m = /^\/(\w*)$/.exec(els.input.value.slice(0, caret));
  return m && els.input.value.slice(caret).trim() === '' ? m[1] : undefined;
}

function refresh(): void {
  const word = typed();
  shown = word === undefined ? [] : NAMES.filter((n) => n.startsWith(word.toLowerCase()));
  if (!shown.length) return close();
  active = Math.min(active, shown.length - 1);
  els.list.replaceChildren(
    ...shown.map((n, i) => {
      const li = el('li', 'context-option');
      li.id = `slash-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.dataset.testid = 'slash-option';
      li.dataset.command = n;
      li.append(el('span', 'context-option-label', `/${n}`), el('span', 'context-option-detail', SLASH_COMMANDS[n].describe));
      return li;
    }),
  );
  els.list.hidden = false;
  els.input.setAttribute('aria-controls', 'slash-options');
  els.input.setAttribute('aria-activedescendant', `slash-option-${active}`);
}

function close(): void {
  if (els.list.hidden) return;
  els.list.hidden = true;
  els.list.replaceChildren();
  shown = [];
  els.input.setAttribute('aria-controls', 'context-options');
  els.input.removeAttribute('aria-activedescendant');
}

/** Puts "/command " in the input, ready for what follows it. */
function choose(i: number): void {
  const n = shown[i];
  if (!n) return;
  els.input.value = `/${n} `;
  els.input.setSelectionRange(els.input.value.length, els.input.value.length);
  close();
  els.input.dispatchEvent(new Event('input')); // the draft follows
}

/** Keys while the list is open: arrows move, Enter or Tab takes the command, Escape closes the list. */
export function handleKey(e: KeyboardEvent): boolean {
  return listboxKey(e, {
    size: els.list.hidden ? 0 : shown.length,
    active,
    move: (i) => {
      active = i;
      refresh();
    },
    take: (key) => {
      // "/explain" typed whole: Enter sends it, as it would without the list; on a partial one it takes it, as Tab does.
      if (key === 'Enter' && typed()?.toLowerCase() === shown[active]) {
        close();
        return false;
      }
      choose(active);
      return true;
    },
    close,
  });
}

/**
 * Why `text` is not sent, when it starts with a `/word` that is no command ("/test", "/explian"),
 * naming the ones there are. A path ("/etc/hosts …") is a message, not a command.
 */
export function refusal(text: string): string | undefined {
  const m = /^\s*\/(\w+)(?=\s|$)/.exec(text);
  if (!m || (NAMES as string[]).includes(m[1].toLowerCase())) return undefined;
  return `/${m[1]} is not a command. The commands: ${NAMES.map((n) => `/${n}`).join(', ')}.`;
}

els.input.addEventListener('input', () => {
  if (typed() === undefined) active = 0;
  refresh();
});
els.input.addEventListener('blur', close);
els.list.addEventListener('mousedown', (e) => {
  e.preventDefault();
  const li = (e.target as HTMLElement).closest<HTMLElement>('.context-option');
  if (li) choose(Array.from(els.list.children).indexOf(li));
});

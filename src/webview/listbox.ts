/**
 * The keys of a list that opens under the caret (`#` and `/` in the composer): an ARIA listbox
 * driven from the input, which keeps the focus (`aria-activedescendant` names the active option).
 */

export interface Listbox {
  /** How many options are shown: 0 when the list is closed. */
  size: number;
  active: number;
  /** Makes option `i` the active one, and draws it so. */
  move(i: number): void;
  /** Takes the active option (Enter or Tab); false when the key should do what it does without the list. */
  take(key: 'Enter' | 'Tab'): boolean;
  close(): void;
}

/**
 * Arrows move, Enter or Tab takes the active option, Escape closes the list (and only it).
 * True when the key was the list's: it goes no further, and the composer does nothing with it.
 */
export function listboxKey(e: KeyboardEvent, list: Listbox): boolean {
  if (!list.size) return false;
  switch (e.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      list.move((list.active + (e.key === 'ArrowDown' ? 1 : list.size - 1)) % list.size);
      break;
    case 'Enter':
    case 'Tab':
      if (e.shiftKey || !list.take(e.key)) return false;
      break;
    case 'Escape':
      list.close();
      break;
    default:
      return false;
  }
  e.preventDefault();
  e.stopPropagation();
  return true;
}

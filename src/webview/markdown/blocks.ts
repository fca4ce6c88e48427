/**
 * Where a streamed answer's blocks begin and end, taken from markdown-it itself: its top-level
 * block tokens carry the source lines they cover (`map`). No DOM, no second set of CommonMark
 * rules: whatever markdown-it decides for the whole text, this reports.
 */
import type MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';

/** One top-level block: tokens [from, to) and source lines [startLine, endLine). */
export interface BlockGroup {
  from: number;
  to: number;
  startLine: number;
  endLine: number;
  /** The opening token's type: paragraph_open, fence, bullet_list_open, table_open… */
  type: string;
}

/** The top-level blocks of a block-token list, in order. */
export function topLevelGroups(tokens: readonly Token[]): BlockGroup[] {
  const out: BlockGroup[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.level !== 0 || t.nesting === -1) continue;
    let j = i + 1;
    if (t.nesting === 1) {
      // To the closer at level 0 (openers and closers nest, so the first level-0 closer is ours).
      while (j < tokens.length && !(tokens[j].level === 0 && tokens[j].nesting === -1)) j++;
      j++;
    }
    const map = t.map ?? [0, 0];
    out.push({ from: i, to: Math.min(j, tokens.length), startLine: map[0], endLine: map[1], type: t.type });
    i = j - 1;
  }
  return out;
}

/**
 * Line breaks and NUL as markdown-it's own normalisation makes them (CRLF and CR to LF, NUL to
 * U+FFFD), applied piece by piece: a CR that ends one piece waits to see whether a LF follows.
 */
export class Normaliser {
  private cr = false;

  push(piece: string): string {
    if (this.cr) piece = '\r' + piece;
    this.cr = piece.endsWith('\r');
    if (this.cr) piece = piece.slice(0, -1);
    return normalise(piece);
  }

  /** The end of the text: a CR held back is a line break after all. */
  end(): string {
    const out = this.cr ? '\n' : '';
    this.cr = false;
    return out;
  }
}

export function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
}

/** The offset in `text` where line `line` (0-based) starts; the text's length if it has fewer lines. */
export function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

/** markdown-it's block tokens for `src`, without the inline pass (enough for where blocks and items are). */
export function blockTokens(md: MarkdownIt, src: string, env: object): Token[] {
  const tokens: Token[] = [];
  md.block.parse(src, md, env, tokens);
  return tokens;
}

export type ContainerType = 'bullet_list_open' | 'ordered_list_open' | 'table_open';

export function isContainer(type: string): type is ContainerType {
  return type === 'bullet_list_open' || type === 'ordered_list_open' || type === 'table_open';
}

/**
 * The items of a top-level list (its list items) or table (its body rows), in order: tokens
 * [from, to) and source lines [startLine, endLine), as markdown-it's maps give them.
 */
export function itemsOf(tokens: readonly Token[], g: BlockGroup): BlockGroup[] {
  const out: BlockGroup[] = [];
  const list = g.type !== 'table_open';
  // List items sit one level below the list; body rows two below the table (inside tbody).
  const open = list ? 'list_item_open' : 'tr_open';
  const level = list ? 1 : 2;
  let inBody = list;
  for (let i = g.from; i < g.to; i++) {
    const t = tokens[i];
    if (t.type === 'tbody_open') inBody = true;
    if (!inBody || t.type !== open || t.level !== level) continue;
    let j = i + 1;
    while (j < g.to && !(tokens[j].level === level && tokens[j].nesting === -1)) j++;
    const map = t.map ?? [0, 0];
    out.push({ from: i, to: j + 1, startLine: map[0], endLine: map[1], type: t.type });
    i = j;
  }
  return out;
}

/**
 * A tight list hides its items' own paragraphs (markdown-it's markTightParagraphs: the
 * paragraphs two levels below the list). Whether a list is tight is a fact of the whole list, so
 * items parsed apart get it from the caller.
 */
export function setLoose(tokens: readonly Token[], g: BlockGroup, loose: boolean): void {
  const level = tokens[g.from].level + 2;
  for (let i = g.from; i < g.to; i++) {
    const t = tokens[i];
    if (t.level === level && (t.type === 'paragraph_open' || t.type === 'paragraph_close')) t.hidden = !loose;
  }
}

/** Whether the list's item at `item` is shown loose: its own paragraph is not hidden. */
export function itemLoose(tokens: readonly Token[], item: BlockGroup): boolean {
  const p = tokens[item.from + 1];
  return !(p?.type === 'paragraph_open' && p.hidden);
}

/** A one-line list item of the list's own kind, whose text sits 4 columns in, so any sibling line ends it. */
export function probeItem(g: { type: string; markup: string }, indent4 = true): string {
  const marker = g.type === 'ordered_list_open' ? `1${g.markup}` : g.markup;
  return `${marker}${' '.repeat(indent4 ? 4 - marker.length : 1)}x\n`;
}

/**
 * The cells a table row leaves out of the header's count (negative: the extra ones it has),
 * counted as markdown-it's table rule counts them: it ends a table once 65,536 were left out.
 */
export function cellsLeftOut(line: string, columns: number): number {
  const cells = escapedSplit(line.trim());
  if (cells.length && cells[0] === '') cells.shift();
  if (cells.length && cells[cells.length - 1] === '') cells.pop();
  return columns - cells.length;
}

/** markdown-it's table cell split: on each pipe not escaped by a backslash. */
function escapedSplit(str: string): string[] {
  const result: string[] = [];
  let isEscaped = false;
  let lastPos = 0;
  let current = '';
  for (let pos = 0; pos < str.length; pos++) {
    const ch = str.charCodeAt(pos);
    if (ch === 0x7c) {
      if (!isEscaped) {
        result.push(current + str.substring(lastPos, pos));
        current = '';
        lastPos = pos + 1;
      } else {
        current += str.substring(lastPos, pos - 1);
        lastPos = pos;
      }
    }
    isEscaped = ch === 0x5c;
  }
  result.push(current + str.substring(lastPos));
  return result;
}

/** The table rule's limit on cells left out (markdown-it/lib/rules_block/table.mjs). */
export const MAX_AUTOCOMPLETED_CELLS = 0x10000;

/**
 * Where a streamed answer's blocks begin and end, taken from markdown-it itself: its top-level
 * block tokens carry the source lines they cover (`map`). No DOM, no second set of CommonMark
 * rules: whatever markdown-it decides for the whole text, this reports.
 */
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

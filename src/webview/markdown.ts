/**
 * Model output to safe HTML, incrementally. markdown-it parses (raw HTML in the output is shown
 * as text, never run), highlight.js colours code, and DOMPurify sanitises what markdown-it
 * made before it touches the DOM. Images become a button: nothing is fetched without a click.
 *
 * StreamingMarkdown freezes each finished block (text up to a blank line outside a code
 * fence) into its own element and re-renders only the open tail, so a token at the end of a
 * very long answer costs what a token at its start does.
 */
import type { DOMPurify } from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdownLang from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import MarkdownIt from 'markdown-it';

const LANGS = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, def] of Object.entries(LANGS)) if (!hljs.getLanguage(name)) hljs.registerLanguage(name, def);

/** Auto-detection is costly: it reads at most this many characters of a block. */
const AUTO_DETECT_LIMIT = 2_000;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * The language to colour a block in: the fence's own if highlight.js knows it, else (no
 * language given) the best guess from the block's first AUTO_DETECT_LIMIT characters, so a
 * block streamed in pieces and the finished block are coloured alike. '' means plain text.
 */
export function pickLanguage(info: string, code: string): string {
  const language = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (language) return hljs.getLanguage(language) ? language : '';
  try {
    return hljs.highlightAuto(code.slice(0, AUTO_DETECT_LIMIT)).language ?? '';
  } catch {
    return '';
  }
}

/**
 * Code to highlighted (not yet sanitised) HTML in `language` ('' for plain). `atTop` says the
 * highlighter ended outside any construct (comment, string…) that could run on past the end,
 * so the next piece of code can be coloured on its own with the same result as the whole.
 */
function highlightCode(code: string, language: string): { value: string; atTop: boolean } {
  try {
    if (language) {
      const r = hljs.highlight(code, { language, ignoreIllegals: true });
      // `_top` (the mode the highlighter ended in) is not public; without it, assume not at top.
      const top = (r as { _top?: unknown })._top;
      return { value: r.value, atTop: top !== undefined && top === hljs.getLanguage(language) };
    }
  } catch {
    /* fall through to plain text */
  }
  return { value: escapeHtml(code), atTop: true };
}

export function createMarkdown(): MarkdownIt {
  const md: MarkdownIt = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: false,
    highlight: (code, lang) => highlightCode(code, pickLanguage(lang, code)).value,
  });
  // Column alignment as a class: a style attribute would be refused by the webview's CSP (and
  // reported as a violation for every cell) before the sanitiser could drop it.
  md.core.ruler.push('align_classes', (state) => {
    for (const t of state.tokens) {
      if (t.type !== 'th_open' && t.type !== 'td_open') continue;
      const align = /text-align:\s*(left|right|center)/.exec(t.attrGet('style') ?? '')?.[1];
      if (!align) continue;
      t.attrs = (t.attrs ?? []).filter(([name]) => name !== 'style');
      t.attrJoin('class', `md-align-${align}`);
    }
  });
  md.renderer.rules.image = (tokens, idx) => {
    const t = tokens[idx];
    const src = t.attrGet('src') ?? '';
    const alt = t.content || '';
    let host = '';
    try {
      host = new URL(src).host;
    } catch {
      /* relative or invalid: the click handler refuses it */
    }
    const label = `Show image${alt ? `: ${alt}` : ''}${host ? ` (from ${host})` : ''}`;
    return `<button type="button" class="md-image" data-src="${escapeHtml(src)}" data-alt="${escapeHtml(alt)}" title="${escapeHtml(src)}">${escapeHtml(label)}</button>`;
  };
  return md;
}

const SANITIZE = {
  FORBID_TAGS: ['style', 'img', 'iframe', 'form', 'input', 'textarea', 'select', 'object', 'embed', 'svg', 'math', 'script', 'link', 'meta'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'formaction'],
  ALLOW_DATA_ATTR: true,
};

/**
 * markdown -> sanitised HTML; `.code(code, language)` -> the sanitised inside of a code element
 * (for a code block that streams in pieces), and whether the highlighter ended at top level.
 */
export type Render = ((markdown: string) => string) & { code: (code: string, language: string) => { html: string; atTop: boolean } };

/** `purify` is DOMPurify bound to the page's window (or a test DOM's). */
export function createRenderer(purify: DOMPurify): Render {
  const md = createMarkdown();
  const render = (src: string) => purify.sanitize(md.render(src), SANITIZE) as string;
  return Object.assign(render, {
    code: (code: string, language: string) => {
      const h = highlightCode(code, language);
      return { html: purify.sanitize(h.value, SANITIZE) as string, atTop: h.atTop };
    },
  });
}

/** Image sources a click may load: https and inline raster data only. */
export function isLoadableImage(src: string): boolean {
  if (/^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$/i.test(src)) return true;
  try {
    return new URL(src).protocol === 'https:';
  } catch {
    return false;
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** A list item at column 0 with text after its marker: a bullet, or a number and its delimiter. */
const ITEM = /^(?:([-*+])|(\d{1,9})([.)]))[ \t]+\S/;
/** A thematic break, which `- - -` or `* * *` is rather than a list item. */
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/** The top-level list the scan is in: its kind (marker or delimiter), first number, items so far. */
interface ListState {
  kind: string;
  start: number;
  items: number;
  /** Where an item's text starts: lines indented this far belong to the item. */
  indent: number;
}

/** A table's delimiter row, under its header row: `|---|:--:|`. */
const DELIMITER_ROW = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
/** Lines (indented less than 4) that end a table rather than become its next row. */
const TABLE_ENDS = /^(?:#{1,6}(?:[ \t]|$)|>|`{3}|~{3}|[-*+][ \t]|\d{1,9}[.)][ \t]|([-*_])(?:[ \t]*\1){2,}[ \t]*$)/;

/** The cells of a table row, split as markdown-it splits them (at pipes not escaped). */
function cellCount(line: string): number {
  const t = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return t.split(/(?<!\\)\|/).length;
}

/** A table the scan is in: its header and delimiter rows, where they start, and its element once rendered. */
interface TableState {
  header: string;
  headerAt: number;
  rows: number;
  el: HTMLTableElement | null;
}

/** Lines that start a block of their own rather than continue a paragraph. */
const STARTS_BLOCK = /^(?:#|>|\||<|[-*_=]{3}|`{3}|~{3}|[-*+][ \t]|\d{1,9}[.)][ \t])/;

function indentWidth(line: string): number {
  let w = 0;
  for (const ch of line) {
    if (ch === ' ') w++;
    else if (ch === '\t') w += 4 - (w % 4);
    else break;
  }
  return w;
}

/**
 * Inside a code block still streaming, complete lines are frozen in pieces of at least this
 * many characters, so a token at the end of a 2,000-line block costs what one at its start does.
 * A piece ends where the highlighter is at top level (not inside a comment or a string), so the
 * pieces are coloured exactly as the whole block would be; if no such line comes within
 * MAX_OPEN_PIECES pieces, a piece is frozen anyway and the block is rendered whole once closed.
 */
export const CODE_PIECE_CHARS = AUTO_DETECT_LIMIT;
const MAX_OPEN_PIECES = 4;

/** An open code fence that starts a block at column 0 (its own block, whatever came before). */
interface OpenCode {
  /** Where the fence line starts, and where the code after it starts. */
  start: number;
  body: number;
  /** Code before this is frozen into pieces. */
  frozen: number;
  info: string;
}

/** The element showing an open code block piece by piece, once it has grown past one piece. */
interface PiecedCode {
  open: OpenCode;
  language: string;
  block: HTMLElement;
  live: HTMLElement;
  /** Every piece ended at top level: the pieces are exactly the whole block's colouring. */
  exact: boolean;
}

export class StreamingMarkdown {
  private source = '';
  /** Characters of `source` rendered into frozen blocks. */
  private committed = 0;
  /** Characters of `source` scanned for block boundaries (complete lines only). */
  private scanned = 0;
  /** The latest position where a block may end. */
  private boundary = 0;
  private fence: string | null = null;
  private open: OpenCode | null = null;
  /** The last column-0 fence the scan saw closed: where its code ends and its closing line ends. */
  private closed: { open: OpenCode; codeEnd: number; end: number } | null = null;
  private pieced: PiecedCode | null = null;
  private list: ListState | null = null;
  /** Whether the last scanned line was blank. */
  private afterBlank = true;
  /**
   * Where a block starts at a list item inside a list begun earlier: the number the item has in
   * the whole list (for an ordered one), so each block's list goes on counting where the last
   * one stopped, as the whole list would.
   */
  private continuations = new Map<number, number | null>();
  private table: TableState | null = null;
  /** Where a block starts at a row of a table begun earlier: its rows go into that table. */
  private rowsFrom = new Map<number, TableState>();
  /** The open tail's rows, shown in their table until they are frozen. */
  private liveRows: HTMLElement | null = null;
  /** The last line scanned outside a code block, and where it starts (null after a blank line). */
  private prevLine: string | null = null;
  private prevLineAt = 0;
  private readonly tail: HTMLElement;
  /** Characters handed to the renderer by the last update: the per-token cost. */
  lastRenderedChars = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly render: Render,
    private readonly decorate: (el: HTMLElement) => void = () => {},
  ) {
    this.tail = root.ownerDocument.createElement('div');
    this.tail.className = 'md-tail';
    root.appendChild(this.tail);
  }

  get text(): string {
    return this.source;
  }

  /** Replaces everything (a rewrite, or a finished answer loaded from history). */
  set(text: string): void {
    for (const el of Array.from(this.root.querySelectorAll(':scope > .md-block'))) el.remove();
    this.source = '';
    this.committed = this.scanned = this.boundary = 0;
    this.fence = null;
    this.open = this.closed = this.pieced = null;
    this.list = null;
    this.afterBlank = true;
    this.continuations.clear();
    this.table = null;
    this.rowsFrom.clear();
    this.liveRows = null;
    this.prevLine = null;
    this.append(text);
  }

  append(delta: string): void {
    this.source += delta;
    this.scan();
    let rendered = 0;
    const p = this.pieced;
    if (p && p.open !== this.open) {
      // The block it showed has closed (or the source was reset).
      const closed = this.closed?.open === p.open ? this.closed : null;
      if (closed && p.exact && this.committed === p.open.start) {
        rendered += this.settle(p, closed.codeEnd);
        this.committed = closed.end;
      } else {
        p.block.remove(); // the commit below renders it whole, exactly
      }
      this.pieced = null;
    }
    this.liveRows?.replaceChildren();
    if (this.boundary > this.committed) {
      const block = this.root.ownerDocument.createElement('div');
      block.className = 'md-block';
      const chunk = this.source.slice(this.committed, this.boundary);
      this.fill(this.committed, chunk, block, false);
      rendered += chunk.length;
      this.decorate(block);
      this.root.insertBefore(block, this.tail);
      // The block that holds a table's header holds the table the later rows go into.
      const t = this.rowsFrom.get(this.boundary);
      if (t && !t.el && t.headerAt >= this.committed && block.lastElementChild?.tagName === 'TABLE') {
        t.el = block.lastElementChild as HTMLTableElement;
      }
      this.committed = this.boundary;
      for (const at of this.continuations.keys()) if (at < this.committed) this.continuations.delete(at);
      for (const at of this.rowsFrom.keys()) if (at < this.committed) this.rowsFrom.delete(at);
    }
    const open = this.open;
    if (open && open.start === this.committed && (this.pieced || this.scanned - open.body >= CODE_PIECE_CHARS)) {
      rendered += this.updatePieces(open);
      if (this.tail.firstChild) this.tail.innerHTML = '';
    } else {
      const rest = this.source.slice(this.committed);
      this.fill(this.committed, rest, this.tail, true);
      rendered += rest.length;
      this.decorate(this.tail);
    }
    this.lastRenderedChars = rendered;
  }

  /**
   * The answer has ended. A code block it left open (or closed on a last line with no line
   * break) is settled as a finished answer loaded from history would show it.
   */
  finish(): void {
    if (!this.pieced) return;
    // A closing fence on the last line, with no line break after it, still closes the block.
    const last = FENCE.exec(this.source.slice(this.scanned));
    if (last && this.fence && last[1][0] === this.fence[0] && last[1].length >= this.fence.length && last[2].trim() === '') this.append('\n');
    const p = this.pieced;
    if (!p) return;
    this.pieced = null;
    this.open = null;
    if (p.exact) {
      this.settle(p, this.source.length);
      this.committed = this.boundary = this.source.length;
      return;
    }
    p.block.remove();
    this.fill(this.committed, this.source.slice(this.committed), this.tail, true);
    this.decorate(this.tail);
  }

  /**
   * Renders `src`, the source from `at`, into `el`. Rows that continue a table rendered earlier
   * are rendered under its header and moved into that table (the open tail's rows into a part
   * of it replaced at every update), so the table stays one table with its columns aligned.
   */
  private fill(at: number, src: string, el: HTMLElement, open: boolean): void {
    const t = this.rowsFrom.get(at);
    if (t?.el && this.root.contains(t.el) && src) {
      const tmp = this.root.ownerDocument.createElement('div');
      tmp.innerHTML = this.render(t.header + src);
      const rendered = tmp.firstElementChild;
      if (rendered?.tagName === 'TABLE') {
        if (open) this.liveRows?.replaceChildren();
        const into = open ? this.openRows(t.el) : this.frozenRows(t.el);
        for (const tr of Array.from(rendered.querySelectorAll(':scope > tbody > tr'))) into.append(tr);
        rendered.remove();
        el.classList.remove('md-cont');
        el.replaceChildren(...Array.from(tmp.childNodes));
        return;
      }
    }
    el.innerHTML = src ? this.renderFrom(at, src, el) : '';
  }

  private frozenRows(table: HTMLTableElement): HTMLElement {
    const body = Array.from(table.tBodies).find((b) => b !== this.liveRows);
    if (body) return body;
    const created = table.ownerDocument.createElement('tbody');
    table.insertBefore(created, this.liveRows?.parentElement === table ? this.liveRows : null);
    return created;
  }

  private openRows(table: HTMLTableElement): HTMLElement {
    if (this.liveRows?.parentElement !== table) {
      this.liveRows = table.ownerDocument.createElement('tbody');
      table.append(this.liveRows);
    }
    return this.liveRows;
  }

  /**
   * Renders source from `at`. A block that starts inside a list is marked as its continuation
   * (no gap above it), and an ordered one is numbered on from the items before it.
   */
  private renderFrom(at: number, src: string, el: HTMLElement): string {
    const n = this.continuations.get(at);
    el.classList.toggle('md-cont', n !== undefined);
    return this.render(typeof n === 'number' ? src.replace(/^\d+/, String(n)) : src);
  }

  /** Turns a pieced block into a finished one: the last piece in place of the live part. */
  private settle(p: PiecedCode, codeEnd: number): number {
    const text = this.source.slice(p.open.frozen, codeEnd);
    p.live.insertAdjacentHTML('beforebegin', this.render.code(text, p.language).html);
    p.live.remove();
    p.block.classList.remove('md-open-code');
    return text.length;
  }

  /** Freezes complete lines of an open code block in pieces and re-colours only the rest. */
  private updatePieces(open: OpenCode): number {
    const doc = this.root.ownerDocument;
    let p = this.pieced;
    if (!p) {
      const block = doc.createElement('div');
      block.className = 'md-block md-open-code';
      const pre = doc.createElement('pre');
      const code = doc.createElement('code');
      const word = open.info.trim().split(/\s+/)[0];
      if (word) code.className = `language-${word}`;
      const live = doc.createElement('span');
      live.className = 'md-live';
      code.append(live);
      pre.append(code);
      block.append(pre);
      this.decorate(block);
      this.root.insertBefore(block, this.tail);
      const language = pickLanguage(open.info, this.source.slice(open.body, open.body + AUTO_DETECT_LIMIT));
      p = this.pieced = { open, language, block, live, exact: true };
    }
    let rendered = 0;
    const pending = this.scanned - open.frozen;
    if (pending >= CODE_PIECE_CHARS) {
      const text = this.source.slice(open.frozen, this.scanned);
      const piece = this.render.code(text, p.language);
      rendered += text.length;
      if (piece.atTop || pending >= MAX_OPEN_PIECES * CODE_PIECE_CHARS) {
        p.live.insertAdjacentHTML('beforebegin', piece.html);
        open.frozen = this.scanned;
        if (!piece.atTop) p.exact = false;
      }
    }
    const rest = this.source.slice(open.frozen);
    p.live.innerHTML = rest ? this.render.code(rest, p.language).html : '';
    return rendered + rest.length;
  }

  /**
   * Follows top-level lists line by line, so that a long list (with no blank lines, as models
   * write them) is frozen an item at a time instead of being re-rendered whole at every token.
   * A block may start at an item only where the whole text would have the same item of the same
   * list: after an item of that list, never where the line would instead continue a paragraph.
   */
  /** The list ends before this line: after a blank line, this is where a block may end. */
  private endList(): void {
    if (this.list && this.afterBlank) this.boundary = this.scanned;
    this.list = null;
  }

  private listLine(line: string): void {
    const l = this.list;
    const ws = indentWidth(line);
    if (ws > 0) {
      // Indented as far as the item's text: part of the item. Less: lazy paragraph text, or
      // (after a blank line, or as another block) the end of the list.
      if (l && ws < l.indent && (this.afterBlank || STARTS_BLOCK.test(line.trimStart()))) this.endList();
      return;
    }
    const m = THEMATIC_BREAK.test(line) ? null : ITEM.exec(line);
    if (!m) {
      // At column 0, text right after text continues the item's paragraph; anything else ends the list.
      if (this.afterBlank || STARTS_BLOCK.test(line)) this.endList();
      return;
    }
    const kind = m[1] ?? m[3];
    const number = m[2] === undefined ? null : Number(m[2]);
    if (l && l.kind === kind) {
      this.boundary = this.scanned;
      this.continuations.set(this.scanned, number === null ? null : l.start + l.items);
      l.items++;
      return;
    }
    // After text, only a bullet or "1." starts a list; another number continues the text.
    if (this.afterBlank || number === null || number === 1) {
      if (l) this.endList();
      const after = m[0].length - 1 - (m[1] ?? m[2] + m[3]).length; // spaces between marker and text
      this.list = { kind, start: number ?? 1, items: 1, indent: m[0].length - 1 - (after > 4 ? after - 1 : 0) };
    }
  }

  /**
   * Follows tables: once a header and delimiter row are seen (with the same number of cells, as
   * markdown-it needs), a block may start at each later row. Returns whether the line is a row.
   */
  private tableLine(line: string): boolean {
    const t = this.table;
    if (t) {
      if (indentWidth(line) >= 4 || TABLE_ENDS.test(line.trimStart())) {
        this.table = null;
        return false;
      }
      // The first row stays with the header: markdown-it makes no table of a header alone.
      if (t.rows++ > 0) {
        this.boundary = this.scanned;
        this.rowsFrom.set(this.scanned, t);
      }
      return true;
    }
    const prev = this.prevLine;
    if (prev !== null && !this.list && indentWidth(prev) === 0 && prev.includes('|') && line.includes('|') && DELIMITER_ROW.test(line) && cellCount(prev) === cellCount(line)) {
      this.table = { header: `${prev}\n${line}\n`, headerAt: this.prevLineAt, rows: 0, el: null };
    }
    return false;
  }

  private scan(): void {
    const s = this.source;
    for (;;) {
      const nl = s.indexOf('\n', this.scanned);
      if (nl < 0) return;
      const line = s.slice(this.scanned, nl);
      const end = nl + 1;
      let m = FENCE.exec(line);
      if (m && m[1][0] === '`' && m[2].includes('`')) m = null; // inline code, not a fence
      if (this.fence) {
        if (m && m[1][0] === this.fence[0] && m[1].length >= this.fence.length && m[2].trim() === '') {
          this.fence = null;
          if (this.open) {
            this.closed = { open: this.open, codeEnd: this.scanned, end };
            // A closed column-0 fence ends a block; an indented one may sit inside a list item
            // whose text goes on after it.
            this.boundary = end;
          }
          this.open = null;
        }
      } else if (m) {
        this.fence = m[1];
        this.open = null;
        if (line[0] === '`' || line[0] === '~') {
          // At column 0 a fence ends any paragraph, list, quote or table before it, so it can
          // start a block of its own, and its code can be frozen piece by piece.
          this.boundary = this.scanned;
          this.open = { start: this.scanned, body: end, frozen: end, info: m[2] };
        }
      } else if (line.trim() === '') {
        // Inside a list the item may go on after the blank line (a loose item's next
        // paragraph): the next line decides where the block ends.
        if (!this.list) this.boundary = end;
        this.table = null;
      } else if (!this.tableLine(line)) {
        this.listLine(line);
      }
      if (this.fence) this.table = null;
      const text = !this.fence && !m && line.trim() !== '';
      this.prevLine = text ? line : null;
      this.prevLineAt = this.scanned;
      // A fence inside the current item keeps the list; one less indented ends it.
      if (m && this.fence === m[1] && this.list && indentWidth(line) < this.list.indent) this.list = null;
      this.afterBlank = !this.fence && line.trim() === '';
      this.scanned = end;
    }
  }
}

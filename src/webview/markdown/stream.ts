/**
 * Streams Markdown into the DOM so that it ends exactly as markdown-it renders the whole text,
 * at a cost per token that does not grow with the answer.
 *
 * Each update re-parses only the open tail: the text from the start of the last top-level block
 * markdown-it found (blocks.ts). Every block before that one is finished (a later block has
 * begun), so it is frozen into the DOM once, as its own nodes, in place. Facts only the whole
 * text decides are settled when they become known: a reference definition that arrives after a
 * link that uses it re-renders the frozen blocks that may use it. When the answer ends, the tail
 * is rendered whole, so the final DOM is the whole render's, node for node (but for a long code
 * block that streamed in pieces: its pieces stay as boxes, with the whole block's text and colours).
 */
import { AUTO_DETECT_LIMIT, pickLanguage } from './highlight';
import {
  blockTokens, type BlockGroup, cellsLeftOut, isContainer, itemLoose, itemsOf, lineOffset, MAX_AUTOCOMPLETED_CELLS, Normaliser, probeItem, setLoose, topLevelGroups,
} from './blocks';
import type { Token } from 'markdown-it';
import type { ContainerType } from './blocks';
import type { Render } from './render';

/**
 * Inside a code block still streaming, complete lines are frozen in pieces of at least this
 * many characters, so a token at the end of a 2,000-line block costs what one at its start does.
 * A piece ends where the highlighter is at top level (not inside a comment or a string), so the
 * pieces are coloured as the whole block would be; if no such line comes within MAX_OPEN_PIECES
 * pieces, a piece is frozen anyway. Once the block is finished, pieces that all ended at top
 * level are kept as they are, as pieces (only the rest is coloured): rendering a 20,000-token block
 * whole again at the end was a task of over half a second, and dissolving the pieces made the
 * browser lay it all out again. Otherwise the block is rendered whole.
 */
export const CODE_PIECE_CHARS = AUTO_DETECT_LIMIT;
const MAX_OPEN_PIECES = 4;

interface FrozenBlock {
  /** The block's own source, to render it again when the reference definitions change. */
  src: string;
  nodes: ChildNode[];
  /** Frozen in this update, not yet rendered. */
  pending?: boolean;
}

/** An open code block shown piece by piece. */
interface PiecedCode {
  /** Where the block starts in the source: identifies it across updates. */
  at: number;
  /** Its fence's info string. */
  info: string;
  language: string;
  live: HTMLElement;
  /** Characters of its code frozen into pieces. */
  frozen: number;
  /** Every piece ended with the highlighter at top level: the pieces joined are the whole block's colouring. */
  exact: boolean;
}

/** A finished item of the open list or table: a list item, or a table's body row. */
interface FrozenItem {
  /** Its own source, to render it again when the reference definitions change. */
  src: string;
  nodes: ChildNode[];
  /** Frozen in this update, not yet rendered. */
  pending?: boolean;
}

/**
 * A top-level list or table that the open tail begins with, shown item by item: every item
 * before the last one of the complete lines is finished (the next one has begun), so it is
 * frozen into the list's element once, and each update parses only from the first unfinished
 * item on, behind a prefix that makes it parse as it does inside the block.
 */
interface Container {
  type: ContainerType;
  /** The list's marker character ('-', '*', '+', '.' or ')'). */
  markup: string;
  /** Where the block starts in the source. */
  start: number;
  /**
   * Parsed before the unfinished items: for a list, a one-line item of its own kind whose text
   * sits 4 columns in, so the first unfinished item is read as a sibling (never as a lazy
   * line or a nested item); for a table, its header and delimiter rows.
   */
  prefix: string;
  /** Where the first unfinished item starts in the source. */
  at: number;
  /** The list or table element, and the element its items are children of (the list, or the tbody). */
  el: HTMLElement | null;
  parent: HTMLElement | null;
  items: FrozenItem[];
  /** The unfinished items' nodes, and what follows the block in the open tail (rendered each update). */
  live: ChildNode[];
  after: ChildNode[];
  /** A list: a finished item, or the blank line after one, made it loose (a list never turns tight again). */
  loose: boolean;
  /** The looseness the finished items are shown with. */
  shownLoose: boolean;
  /** A table: its header's cells, and the cells its finished rows left out (markdown-it ends a table at 65,536). */
  columns: number;
  leftOut: number;
  /** The frozen reference definitions when it began, restored if it is given up. */
  refs: Record<string, unknown>;
}

/** What the last update did: the cost of a token, in blocks and characters. */
export interface UpdateCost {
  /** Blocks rendered because they were finished (each is rendered once). */
  frozenBlocks: number;
  /** List items and table rows rendered because they were finished (each is rendered once). */
  frozenItems: number;
  /** Finished blocks rendered again (a reference definition arrived). */
  rerenderedBlocks: number;
  /** Characters of source handed to the renderer. */
  renderedChars: number;
}

export class StreamingMarkdown {
  private source = '';
  private norm = new Normaliser();
  /** Where the open tail starts: everything before it is frozen. */
  private frozenAt = 0;
  /** Reference definitions in the frozen text. */
  private refs: Record<string, unknown> = {};
  /** The definitions (all of them, tail included) the frozen blocks were rendered with. */
  private appliedRefs = '{}';
  private frozen: FrozenBlock[] = [];
  private pieced: PiecedCode | null = null;
  /** The list or table the open tail begins with, shown item by item. */
  private open: Container | null = null;
  /** Where a list or table starts that is rendered whole (it could not be followed item by item). */
  private wholeAt = -1;
  private readonly tail: HTMLElement;
  private finished = false;
  lastUpdate: UpdateCost = { frozenBlocks: 0, frozenItems: 0, rerenderedBlocks: 0, renderedChars: 0 };

  constructor(
    private readonly root: HTMLElement,
    private readonly render: Render,
    private readonly decorate: (el: HTMLElement) => void = () => {},
    /** Code piece size (tests use a small one to exercise many pieces quickly). */
    private readonly pieceChars = CODE_PIECE_CHARS,
  ) {
    this.tail = root.ownerDocument.createElement('div');
    this.tail.className = 'md-tail';
    root.appendChild(this.tail);
  }

  get text(): string {
    return this.source;
  }

  /** Characters handed to the renderer by the last update. */
  get lastRenderedChars(): number {
    return this.lastUpdate.renderedChars;
  }

  /** Replaces everything (a rewrite, or a finished answer loaded from history). */
  set(text: string): void {
    for (const b of this.frozen) for (const n of b.nodes) n.remove();
    this.open?.el?.remove();
    this.frozen = [];
    this.source = '';
    this.norm = new Normaliser();
    this.frozenAt = 0;
    this.refs = {};
    this.appliedRefs = '{}';
    this.pieced = null;
    this.open = null;
    this.wholeAt = -1;
    this.tail.replaceChildren();
    this.finished = false;
    if (!this.tail.isConnected) this.root.appendChild(this.tail);
    this.append(text);
  }

  append(delta: string): void {
    if (this.finished) {
      // More text after the end (unusual): go on from the last finished state.
      this.finished = false;
      this.root.appendChild(this.tail);
    }
    this.source += this.norm.push(delta);
    this.update(false);
  }

  /** The answer has ended: the open tail is rendered whole, and the DOM is the whole render's. */
  finish(): void {
    if (this.finished) return;
    this.source += this.norm.end();
    this.update(true);
    // The tail's nodes take its place, so nothing but the rendered blocks stays in the root. (An
    // open list's or table's element is in the root already: moving it would lay it all out again.)
    const nodes = Array.from(this.tail.childNodes);
    for (const n of nodes) this.root.insertBefore(n, this.tail);
    if (this.open?.el) nodes.unshift(this.open.el);
    if (nodes.length) this.frozen.push({ src: this.source.slice(this.frozenAt), nodes });
    this.frozenAt = this.source.length;
    this.tail.remove();
    this.pieced = null;
    this.open = null;
    this.finished = true;
  }

  private update(final: boolean): void {
    const cost: UpdateCost = { frozenBlocks: 0, frozenItems: 0, rerenderedBlocks: 0, renderedChars: 0 };
    const { md } = this.render;
    // Blocks end only at complete lines: a line still arriving ("2" before ". Second") may yet
    // continue the block above it. Closed blocks are never reopened (CommonMark's parsing
    // strategy), so every block before the last one of the complete lines is finished: freeze it.
    const lineEnd = this.source.lastIndexOf('\n') + 1;
    // A list or table that has ended (a later block has begun): its last items are rendered below.
    let closing: Container | null = null;
    if (this.open) {
      const state = this.advance(this.open, lineEnd, cost);
      if (state === 'closed') closing = this.close(this.open, cost);
      else if (state === 'invalid') this.giveUp();
    }
    if (!this.open) {
      const base = this.frozenAt;
      const complete = this.source.slice(base, lineEnd);
      if (complete) {
        const tokens = blockTokens(md, complete, { references: { ...this.refs } });
        const groups = topLevelGroups(tokens);
        const last = groups[groups.length - 1];
        if (groups.length > 1) {
          const cut = lineOffset(complete, last.startLine);
          const chunk = complete.slice(0, cut);
          // Parsed with the frozen definitions, which gain the ones this chunk holds.
          for (const g of topLevelGroups(blockTokens(md, chunk, { references: this.refs }))) {
            const src = chunk.slice(lineOffset(chunk, g.startLine), lineOffset(chunk, g.endLine));
            this.frozen.push({ src, nodes: [], pending: true });
            cost.frozenBlocks++;
            cost.renderedChars += src.length;
          }
          this.frozenAt += cut;
        }
        if (last) this.begin(tokens, last, complete, base, cost);
      }
    }
    // The open tail: from the first unfinished item of an open list or table, or whole.
    let c = this.open;
    let env = { references: { ...this.refs } };
    let tokens: Token[] = [];
    for (;;) {
      tokens = md.parse(c ? c.prefix + this.source.slice(c.at) : this.source.slice(this.frozenAt), env);
      if (!c || this.liveItems(c, tokens)) break;
      this.giveUp();
      c = null;
      env = { references: { ...this.refs } };
    }
    // Definitions in force: the frozen ones, then those in the open tail.
    const all = env.references;
    const older = this.frozen.filter((b) => !b.pending);
    const olderItems = c ? c.items.filter((i) => !i.pending) : [];
    // Inline content (links by reference) is resolved as it is parsed: with every definition.
    for (const b of this.frozen) {
      if (b.pending) {
        b.nodes = this.insert(this.render.tokens(md.parse(b.src, { references: { ...all } }), { references: all }));
        b.pending = false;
      }
    }
    if (closing) this.showItems(closing, closing.loose, all, cost);
    // A list is loose if any of it is: its finished part, or the items still open.
    const loose = c ? c.loose || (c.type !== 'table_open' && itemLoose(tokens, itemsOf(tokens, topLevelGroups(tokens)[0])[0])) : false;
    if (c) {
      this.showItems(c, loose, all, cost);
      // Given up (never seen): start again with the tail rendered whole.
      if (this.open !== c) return this.update(final);
    }
    // A definition arrived (or changed): blocks that may use it are rendered again.
    const key = JSON.stringify(all);
    if (key !== this.appliedRefs) {
      this.appliedRefs = key;
      for (const b of older) {
        if (!b.src.includes(']') || !b.nodes.length) continue;
        const html = this.render.tokens(md.parse(b.src, { references: { ...all } }), { references: all });
        const nodes = this.insert(html, b.nodes[0]);
        for (const n of b.nodes) n.remove();
        b.nodes = nodes;
        cost.rerenderedBlocks++;
        cost.renderedChars += b.src.length;
      }
      for (const item of olderItems) {
        if (!item.src.includes(']') || !c) continue;
        const groups = this.itemNodes(c, c.prefix + item.src, true, loose, all);
        if (groups?.length !== 1) continue;
        for (const n of groups[0]) c.parent!.insertBefore(n, item.nodes[0]);
        for (const n of item.nodes) n.remove();
        item.nodes = groups[0];
        cost.rerenderedBlocks++;
        cost.renderedChars += item.src.length;
      }
    }
    if (c) {
      cost.renderedChars += this.showLive(c, tokens, loose, all);
      this.lastUpdate = cost;
      return;
    }
    // The open tail.
    const open = this.source.slice(this.frozenAt);
    const first = tokens[0];
    const at = this.frozenAt;
    if (!final && tokens.length === 1 && first.type === 'fence' && (this.pieced?.at === at || first.content.length >= this.pieceChars)) {
      cost.renderedChars += this.updatePieces(at, first.info, first.content);
    } else if (final && tokens.length === 1 && first.type === 'fence' && this.pieced?.at === at && this.pieced.exact && this.pieced.info === first.info && this.pieced.language === pickLanguage(first.info, first.content.slice(0, AUTO_DETECT_LIMIT))) {
      cost.renderedChars += this.settlePieces(this.pieced, first.content);
      this.pieced = null;
    } else {
      this.pieced = null;
      this.tail.innerHTML = tokens.length ? this.render.tokens(tokens, { references: all }) : '';
      this.decorate(this.tail);
      cost.renderedChars += open.length;
    }
    this.lastUpdate = cost;
  }

  /** The open tail begins with a list or table of two items or more: it is shown item by item from now on. */
  private begin(tokens: Token[], g: BlockGroup, text: string, base: number, cost: UpdateCost): void {
    const start = base + lineOffset(text, g.startLine);
    // Only blank lines may come before it in the tail (at the very start of an answer).
    if (!isContainer(g.type) || start === this.wholeAt || this.source.slice(this.frozenAt, start).trim()) return;
    const items = itemsOf(tokens, g);
    if (items.length < 2) return;
    const table = g.type === 'table_open';
    const opener = tokens[g.from];
    let columns = 0;
    for (let i = g.from; i < g.to && tokens[i].type !== 'thead_close'; i++) if (tokens[i].type === 'th_open') columns++;
    const c: Container = {
      type: g.type, markup: opener.markup, start, at: start,
      prefix: table ? text.slice(lineOffset(text, g.startLine), lineOffset(text, g.startLine + 2)) : probeItem(opener),
      el: null, parent: null, items: [], live: [], after: [], loose: false, shownLoose: false, columns, leftOut: 0, refs: { ...this.refs },
    };
    this.open = c;
    this.frozenAt = start;
    this.pieced = null;
    this.tail.replaceChildren();
    if (!this.freezeItems(c, base + lineOffset(text, items[items.length - 1].startLine), true, cost)) this.giveUp();
  }

  /**
   * Parses the open list or table from its first unfinished item (complete lines only) and
   * freezes the items a later one has closed. 'closed' when a later block has begun after it.
   */
  private advance(c: Container, lineEnd: number, cost: UpdateCost): 'open' | 'closed' | 'invalid' {
    const text = c.prefix + this.source.slice(c.at, lineEnd);
    const tokens = blockTokens(this.render.md, text, { references: { ...this.refs } });
    const groups = topLevelGroups(tokens);
    const items = this.unfinished(c, tokens, groups[0], text);
    if (!items) return 'invalid';
    const from = (line: number) => c.at + lineOffset(text, line) - c.prefix.length;
    if (groups.length > 1) return this.freezeItems(c, from(groups[0].endLine), false, cost) ? 'closed' : 'invalid';
    if (items.length > 1 && !this.freezeItems(c, from(items[items.length - 1].startLine), true, cost)) return 'invalid';
    return 'open';
  }

  /**
   * The items after the prefix, if the text parses as the open list or table continued from its
   * first unfinished item (by construction it does; anything else gives the item by item way up).
   */
  private unfinished(c: Container, tokens: Token[], g: BlockGroup | undefined, text: string): BlockGroup[] | null {
    if (!g || g.startLine !== 0 || g.type !== c.type || tokens[g.from].markup !== c.markup) return null;
    const items = itemsOf(tokens, g);
    const table = c.type === 'table_open';
    if (!table) items.shift();
    if (!items.length || lineOffset(text, items[0].startLine) !== c.prefix.length) return null;
    if (table) {
      let columns = 0;
      for (let i = g.from; i < g.to && tokens[i].type !== 'thead_close'; i++) if (tokens[i].type === 'th_open') columns++;
      // Rows parsed apart count the cells left out from zero: exact only far from markdown-it's limit.
      let lines = 1;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      if (columns !== c.columns || Math.abs(c.leftOut) + lines * columns >= MAX_AUTOCOMPLETED_CELLS) return null;
    }
    return items;
  }

  /** The open tail parsed from the first unfinished item is the same list or table. */
  private liveItems(c: Container, tokens: Token[]): boolean {
    const text = c.prefix + this.source.slice(c.at);
    return this.unfinished(c, tokens, topLevelGroups(tokens)[0], text) !== null;
  }

  /**
   * Freezes the items from the first unfinished one up to `to` (where the next item, or the end
   * of the block, begins): each is rendered once, below, with every definition then known.
   */
  private freezeItems(c: Container, to: number, continuing: boolean, cost: UpdateCost): boolean {
    const list = c.type !== 'table_open';
    const own = c.at === c.start; // the block's own beginning: no prefix needed
    // A list's last frozen item is followed by a probe item where the next one begins: whether
    // the list is loose so far (blank lines between items count) is read from the probe.
    const probe = list && continuing ? probeItem({ type: c.type, markup: c.markup }, false) : '';
    const head = own ? '' : c.prefix;
    const text = head + this.source.slice(c.at, to) + probe;
    // Parsed with the frozen definitions, which gain the ones these items hold.
    const tokens = blockTokens(this.render.md, text, { references: this.refs });
    const g = topLevelGroups(tokens)[0];
    if (!g || g.type !== c.type) return false;
    const items = itemsOf(tokens, g);
    if (list) {
      c.loose ||= itemLoose(tokens, probe ? items[items.length - 1] : items[0]);
      if (probe) items.pop();
      if (head) items.shift();
    }
    let at = items.length ? c.at + lineOffset(text, items[0].startLine) - head.length : c.at;
    for (const it of items) {
      const end = it === items[items.length - 1] ? to : c.at + lineOffset(text, it.endLine) - head.length;
      const src = this.source.slice(at, end);
      if (!list) c.leftOut += cellsLeftOut(src.replace(/\n$/, ''), c.columns);
      c.items.push({ src, nodes: [], pending: true });
      cost.frozenItems++;
      at = end;
    }
    if (at !== to && items.length) return false;
    c.at = to;
    return true;
  }

  /** The list or table has ended: it becomes a frozen block like any other, out of the tail. */
  private close(c: Container, cost: UpdateCost): Container | null {
    this.open = null;
    for (const n of [...c.live, ...c.after]) n.remove();
    c.live = [];
    c.after = [];
    // Its element is in place already (before the tail): only the line break after it is added.
    const nl = this.root.ownerDocument.createTextNode('\n');
    const nodes: ChildNode[] = c.el ? [c.el, nl] : [];
    if (c.el) this.root.insertBefore(nl, this.tail);
    this.frozen.push({ src: this.source.slice(c.start, c.at), nodes, pending: !c.el });
    this.frozenAt = c.at;
    cost.frozenBlocks++;
    // Never shown (it ended in the update it began): rendered whole, as a pending block.
    return c.el ? c : null;
  }

  /** The open list or table is rendered whole from now on (the tail as before). */
  private giveUp(): void {
    const c = this.open;
    if (!c) return;
    this.open = null;
    this.refs = c.refs;
    this.wholeAt = c.start;
    this.frozenAt = c.start;
    c.el?.remove();
    this.tail.replaceChildren();
  }

  /** Renders the frozen items not shown yet; all of them again if the list turned loose (or tight). */
  private showItems(c: Container, loose: boolean, all: Record<string, unknown>, cost: UpdateCost): void {
    if (!c.el) {
      // The first items, from the block's own beginning: they make the list or table element too.
      const src = (c.type === 'table_open' ? c.prefix : '') + c.items.map((i) => i.src).join('');
      const shown = this.itemNodes(c, src, false, loose, all, (el) => {
        c.el = el;
        c.parent = (c.type === 'table_open' ? el.querySelector(':scope > tbody') : el) as HTMLElement | null;
      });
      if (!shown || !c.parent || shown.length !== c.items.length) return this.giveUpShown(c, all);
      c.items.forEach((item, i) => ((item.nodes = shown[i]), (item.pending = false)));
      // In the root before the tail, never inside it: it is not moved when the answer ends.
      if (this.open === c) this.root.insertBefore(c.el!, this.tail);
      c.shownLoose = loose;
      cost.renderedChars += src.length;
      return;
    }
    if (c.type !== 'table_open' && loose !== c.shownLoose) {
      // Rare: the list turned loose, so its finished items show their paragraphs now.
      const done = c.items.filter((i) => !i.pending);
      const src = done.map((i) => i.src).join('');
      const shown = src ? this.itemNodes(c, src, false, loose, all) : [];
      if (shown && shown.length === done.length) {
        done.forEach((item, i) => {
          for (const n of shown[i]) c.parent!.insertBefore(n, item.nodes[0]);
          for (const n of item.nodes) n.remove();
          item.nodes = shown[i];
        });
        cost.rerenderedBlocks += done.length;
        cost.renderedChars += src.length;
      }
    }
    c.shownLoose = loose;
    const pending = c.items.filter((i) => i.pending);
    if (!pending.length) return;
    const src = pending.map((i) => i.src).join('');
    const shown = this.itemNodes(c, c.prefix + src, true, loose, all);
    if (!shown || shown.length !== pending.length) return this.giveUpShown(c, all);
    const before = c.live[0] ?? null;
    pending.forEach((item, i) => {
      for (const n of shown[i]) c.parent!.insertBefore(n, before);
      item.nodes = shown[i];
      item.pending = false;
    });
    cost.renderedChars += src.length;
  }

  /** Should the items not come out one for one (never seen): the block is rendered whole instead. */
  private giveUpShown(c: Container, all: Record<string, unknown>): void {
    if (this.open === c) return this.giveUp();
    const block = this.frozen.find((b) => b.nodes[0] === c.el && c.el);
    if (!block) return;
    const nodes = this.insert(this.render.tokens(this.render.md.parse(block.src, { references: { ...all } }), { references: all }), block.nodes[0]);
    for (const n of block.nodes) n.remove();
    block.nodes = nodes;
  }

  /**
   * Items rendered from `src` (with the prefix when `prefixed`), each as its nodes: the item's
   * element and the line break after it. `made` gets the list or table element they came in.
   */
  private itemNodes(c: Container, src: string, prefixed: boolean, loose: boolean, all: Record<string, unknown>, made?: (el: HTMLElement) => void): ChildNode[][] | null {
    const { md } = this.render;
    const tokens = md.parse(src, { references: { ...all } });
    const g = topLevelGroups(tokens)[0];
    if (!g || g.type !== c.type) return null;
    if (c.type !== 'table_open') setLoose(tokens, g, loose);
    const box = this.root.ownerDocument.createElement('div');
    box.innerHTML = this.render.tokens(tokens.slice(g.from, g.to), { references: all });
    this.decorate(box);
    const el = box.firstElementChild as HTMLElement | null;
    const parent = c.type === 'table_open' ? el?.querySelector(':scope > tbody') : el;
    if (!el || !parent) return null;
    made?.(el);
    const groups = splitItems(parent);
    if (prefixed && c.type !== 'table_open') groups.shift();
    return groups;
  }

  /** The open items and whatever follows the block in the tail, rendered again. */
  private showLive(c: Container, tokens: Token[], loose: boolean, all: Record<string, unknown>): number {
    const g = topLevelGroups(tokens)[0];
    if (c.type !== 'table_open') setLoose(tokens, g, loose);
    const box = this.root.ownerDocument.createElement('div');
    box.innerHTML = this.render.tokens(tokens, { references: all });
    this.decorate(box);
    const el = box.firstElementChild;
    const parent = c.type === 'table_open' ? el?.querySelector(':scope > tbody') : el;
    const groups = parent ? splitItems(parent) : [];
    if (c.type !== 'table_open') groups.shift();
    for (const n of [...c.live, ...c.after]) n.remove();
    c.live = groups.flat();
    for (const n of c.live) c.parent!.append(n);
    c.after = [];
    for (let n = el?.nextSibling ?? null; n; n = n.nextSibling) c.after.push(n);
    this.tail.append(...c.after);
    return c.prefix.length + this.source.length - c.at;
  }

  /** Puts rendered HTML into the root before `before` (default: the tail), decorated; returns its nodes. */
  private insert(html: string, before: ChildNode = this.tail): ChildNode[] {
    const box = this.root.ownerDocument.createElement('div');
    box.innerHTML = html;
    this.decorate(box);
    const nodes = Array.from(box.childNodes);
    for (const n of nodes) this.root.insertBefore(n, before);
    return nodes;
  }

  /** Freezes complete lines of an open code block in pieces and re-colours only the rest. */
  private updatePieces(at: number, info: string, code: string): number {
    let p = this.pieced;
    if (!p || p.at !== at) {
      const doc = this.root.ownerDocument;
      const pre = doc.createElement('pre');
      const el = doc.createElement('code');
      const word = info.trim().split(/\s+/)[0];
      if (word) el.className = `language-${word}`;
      const live = doc.createElement('span');
      live.className = 'md-live';
      el.append(live);
      pre.append(el);
      this.tail.replaceChildren(pre);
      this.decorate(this.tail);
      p = this.pieced = { at, info, language: pickLanguage(info, code.slice(0, AUTO_DETECT_LIMIT)), live, frozen: 0, exact: true };
    }
    let rendered = 0;
    const complete = code.lastIndexOf('\n') + 1;
    const pending = complete - p.frozen;
    if (pending >= this.pieceChars) {
      const piece = this.render.code(code.slice(p.frozen, complete), p.language);
      rendered += pending;
      if (piece.atTop || pending >= MAX_OPEN_PIECES * this.pieceChars) {
        // A box of its own (chat.css: .md-piece is a block), so the browser lays out only the live
        // lines each frame, not the whole block's text; gone once the block is rendered whole.
        const box = this.root.ownerDocument.createElement('span');
        box.className = 'md-piece';
        box.innerHTML = piece.html;
        p.live.before(box);
        p.frozen = complete;
        if (!piece.atTop) p.exact = false;
      }
    }
    const rest = code.slice(p.frozen);
    p.live.innerHTML = rest ? this.render.code(rest, p.language).html : '';
    return rendered + rest.length;
  }

  /**
   * The finished block from its pieces: the rest coloured into a last piece of its own, and the
   * pieces kept. Their text and colouring are the whole block's (every piece ended at top level);
   * dissolving them into the code element made the browser lay out and paint the whole block again
   * in one task (over 250 ms for 20,000 tokens), and kept, an off-screen piece is neither laid out
   * nor painted (chat.css).
   */
  private settlePieces(p: PiecedCode, code: string): number {
    const rest = code.slice(p.frozen);
    if (rest) {
      const box = this.root.ownerDocument.createElement('span');
      box.className = 'md-piece';
      box.innerHTML = this.render.code(rest, p.language).html;
      p.live.before(box);
    }
    p.live.remove();
    return rest.length;
  }
}

/** A list's or tbody's children as items: each element with the text nodes after it. */
function splitItems(parent: Element): ChildNode[][] {
  const groups: ChildNode[][] = [];
  for (const n of Array.from(parent.childNodes)) {
    if (n.nodeType === 1) groups.push([n]);
    else if (groups.length) groups[groups.length - 1].push(n);
  }
  return groups;
}

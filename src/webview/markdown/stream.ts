/**
 * Streams Markdown into the DOM so that it ends exactly as markdown-it renders the whole text,
 * at a cost per token that does not grow with the answer.
 *
 * Each update re-parses only the open tail: the text from the start of the last top-level block
 * markdown-it found (blocks.ts). Every block before that one is finished (a later block has
 * begun), so it is frozen into the DOM once, as its own nodes, in place. Facts only the whole
 * text decides are settled when they become known: a reference definition that arrives after a
 * link that uses it re-renders the frozen blocks that may use it. When the answer ends, the tail
 * is rendered whole, so the final DOM is the whole render's, node for node.
 */
import { AUTO_DETECT_LIMIT, pickLanguage } from './highlight';
import { lineOffset, Normaliser, topLevelGroups } from './blocks';
import type { Render } from './render';

/**
 * Inside a code block still streaming, complete lines are frozen in pieces of at least this
 * many characters, so a token at the end of a 2,000-line block costs what one at its start does.
 * A piece ends where the highlighter is at top level (not inside a comment or a string), so the
 * pieces are coloured as the whole block would be; if no such line comes within MAX_OPEN_PIECES
 * pieces, a piece is frozen anyway. The block is rendered whole once it is finished.
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
  language: string;
  live: HTMLElement;
  /** Characters of its code frozen into pieces. */
  frozen: number;
}

/** What the last update did: the cost of a token, in blocks and characters. */
export interface UpdateCost {
  /** Blocks rendered because they were finished (each is rendered once). */
  frozenBlocks: number;
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
  private readonly tail: HTMLElement;
  private finished = false;
  lastUpdate: UpdateCost = { frozenBlocks: 0, rerenderedBlocks: 0, renderedChars: 0 };

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
    this.frozen = [];
    this.source = '';
    this.norm = new Normaliser();
    this.frozenAt = 0;
    this.refs = {};
    this.appliedRefs = '{}';
    this.pieced = null;
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
    // The tail's nodes take its place, so nothing but the rendered blocks stays in the root.
    const nodes = Array.from(this.tail.childNodes);
    for (const n of nodes) this.root.insertBefore(n, this.tail);
    if (nodes.length) this.frozen.push({ src: this.source.slice(this.frozenAt), nodes });
    this.frozenAt = this.source.length;
    this.tail.remove();
    this.pieced = null;
    this.finished = true;
  }

  private update(final: boolean): void {
    const cost: UpdateCost = { frozenBlocks: 0, rerenderedBlocks: 0, renderedChars: 0 };
    const { md } = this.render;
    // Blocks end only at complete lines: a line still arriving ("2" before ". Second") may yet
    // continue the block above it. Closed blocks are never reopened (CommonMark's parsing
    // strategy), so every block before the last one of the complete lines is finished: freeze it.
    const complete = this.source.slice(this.frozenAt, this.source.lastIndexOf('\n') + 1);
    if (complete) {
      const groups = topLevelGroups(md.parse(complete, { references: { ...this.refs } }));
      if (groups.length > 1) {
        const cut = lineOffset(complete, groups[groups.length - 1].startLine);
        const chunk = complete.slice(0, cut);
        // Parsed with the frozen definitions, which gain the ones this chunk holds.
        for (const g of topLevelGroups(md.parse(chunk, { references: this.refs }))) {
          const src = chunk.slice(lineOffset(chunk, g.startLine), lineOffset(chunk, g.endLine));
          this.frozen.push({ src, nodes: [], pending: true });
          cost.frozenBlocks++;
          cost.renderedChars += src.length;
        }
        this.frozenAt += cut;
      }
    }
    const env = { references: { ...this.refs } };
    const tokens = md.parse(this.source.slice(this.frozenAt), env);
    // Definitions in force: the frozen ones, then those in the open tail.
    const all = env.references;
    const older = this.frozen.filter((b) => !b.pending);
    // Inline content (links by reference) is resolved as it is parsed: with every definition.
    for (const b of this.frozen) {
      if (b.pending) {
        b.nodes = this.insert(this.render.tokens(md.parse(b.src, { references: { ...all } }), { references: all }));
        b.pending = false;
      }
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
    }
    // The open tail.
    const open = this.source.slice(this.frozenAt);
    const first = tokens[0];
    const at = this.frozenAt;
    if (!final && tokens.length === 1 && first.type === 'fence' && (this.pieced?.at === at || first.content.length >= this.pieceChars)) {
      cost.renderedChars += this.updatePieces(at, first.info, first.content);
    } else {
      this.pieced = null;
      this.tail.innerHTML = tokens.length ? this.render.tokens(tokens, { references: all }) : '';
      this.decorate(this.tail);
      cost.renderedChars += open.length;
    }
    this.lastUpdate = cost;
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
      p = this.pieced = { at, language: pickLanguage(info, code.slice(0, AUTO_DETECT_LIMIT)), live, frozen: 0 };
    }
    let rendered = 0;
    const complete = code.lastIndexOf('\n') + 1;
    const pending = complete - p.frozen;
    if (pending >= this.pieceChars) {
      const piece = this.render.code(code.slice(p.frozen, complete), p.language);
      rendered += pending;
      if (piece.atTop || pending >= MAX_OPEN_PIECES * this.pieceChars) {
        p.live.insertAdjacentHTML('beforebegin', piece.html);
        p.frozen = complete;
      }
    }
    const rest = code.slice(p.frozen);
    p.live.innerHTML = rest ? this.render.code(rest, p.language).html : '';
    return rendered + rest.length;
  }
}

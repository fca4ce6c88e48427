/**
 * The editor-independent half of "Generate at Cursor": where the streamed insertion is while
 * the user keeps editing elsewhere, and which part of the answer goes into the document (only
 * the code when the answer is a fenced block).
 */

/** The [start, end) offsets of our insertion, kept right as other edits land around it. */
export class InsertionTracker {
  constructor(
    public start: number,
    public end: number = start,
  ) {}

  /** Our own text went in at `end`. */
  inserted(length: number): void {
    this.end += length;
  }

  /** Someone else replaced `removed` characters at `offset` with `inserted` characters. */
  otherChange(offset: number, removed: number, inserted: number): void {
    const delta = inserted - removed;
    const changeEnd = offset + removed;
    if (changeEnd <= this.start) {
      // entirely before us (an insertion right at our start counts as before)
      this.start += delta;
      this.end += delta;
    } else if (offset >= this.end) {
      // entirely after us: nothing moves
    } else if (offset >= this.start && changeEnd <= this.end) {
      // inside our text: it grows or shrinks with the edit
      this.end += delta;
    } else {
      // straddles a boundary: keep what is left of ours plus the edit
      this.start = Math.min(this.start, offset);
      this.end = Math.max(offset + inserted, this.end + delta);
    }
  }
}

const FENCE_OPEN = /^[ \t]*(`{3,}|~{3,})[^\n`]*$/;

/**
 * Streams the part of an answer that belongs in the editor. An answer that opens with a code
 * fence gives only the code inside it (no fence lines, nothing after the closing fence);
 * any other answer passes through unchanged.
 */
export class CodeStreamFilter {
  private mode: 'start' | 'code' | 'text' | 'after' = 'start';
  private buf = '';
  private fence = '';
  /** The current, incomplete code line, held while it could still be the closing fence. */
  private line = '';

  get isCode(): boolean {
    return this.mode === 'code' || this.mode === 'after';
  }

  push(delta: string): string {
    switch (this.mode) {
      case 'text':
        return delta;
      case 'after':
        return '';
      case 'code':
        return this.code(delta);
      case 'start': {
        this.buf += delta;
        const lead = this.buf.trimStart();
        if (!lead) return '';
        const nl = lead.indexOf('\n');
        // Until the first line is complete, an answer starting with ` or ~ may be a fence.
        if (nl < 0 && /^[`~]/.test(lead) && lead.length < 400) return '';
        const first = nl < 0 ? lead : lead.slice(0, nl);
        const m = FENCE_OPEN.exec(first);
        if (m && nl >= 0) {
          this.mode = 'code';
          this.fence = m[1];
          const rest = lead.slice(nl + 1);
          this.buf = '';
          return this.code(rest);
        }
        this.mode = 'text';
        const out = this.buf;
        this.buf = '';
        return out;
      }
    }
  }

  /** The end of the answer: whatever is still held back. */
  end(): string {
    if (this.mode === 'start') {
      this.mode = 'text';
      const out = this.buf;
      this.buf = '';
      return out;
    }
    if (this.mode === 'code') {
      const out = !this.line || this.isClosing(this.line) ? '' : (this.newlineOwed ? '\n' : '') + this.line;
      this.line = '';
      this.mode = 'after';
      return out;
    }
    return '';
  }

  /** Part of the current line has gone out already (so it cannot be the closing fence). */
  private lineStarted = false;
  /** The previous line ended: its newline is written only when more code follows. */
  private newlineOwed = false;

  private code(delta: string): string {
    let out = '';
    const segs = delta.split('\n');
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      const complete = i < segs.length - 1;
      if (this.lineStarted) {
        out += seg;
        if (complete) {
          this.lineStarted = false;
          this.newlineOwed = true;
        }
        continue;
      }
      this.line += seg;
      if (complete) {
        if (this.isClosing(this.line)) {
          this.mode = 'after';
          this.line = '';
          return out;
        }
        out += (this.newlineOwed ? '\n' : '') + this.line;
        this.newlineOwed = true;
        this.line = '';
      } else if (this.line && !this.couldClose(this.line)) {
        // Text that cannot become the closing fence goes out at once, for a smooth stream.
        out += (this.newlineOwed ? '\n' : '') + this.line;
        this.newlineOwed = false;
        this.lineStarted = true;
        this.line = '';
      }
    }
    return out;
  }

  private isClosing(line: string): boolean {
    const t = line.trim();
    return t.length >= this.fence.length && t[0] === this.fence[0] && /^([`~])\1*$/.test(t);
  }

  private couldClose(partial: string): boolean {
    const t = partial.trimStart();
    return t === '' || /^([`~])\1*$/.test(t);
  }
}

/** The code of an answer's fenced blocks, joined; undefined when it has none. */
export function extractCode(answer: string): string | undefined {
  const re = /^[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^[ \t]*\1[`~]*[ \t]*$/gm;
  const blocks: string[] = [];
  for (let m = re.exec(answer); m; m = re.exec(answer)) blocks.push(m[2].replace(/\n$/, ''));
  return blocks.length ? blocks.join('\n\n') : undefined;
}

/**
 * Fits the streamed text to the place of the cursor, the way pressing Enter there would:
 * code asked for at the end of a line with text on it starts on a line of its own, and every
 * line after the first takes the indentation of the cursor's line, unless the model indented
 * its code that far already. Streamed or whole, the same text gives the same result.
 */
export class Placement {
  private readonly indent: string;
  private decided = false;
  private held = '';
  private reindent = false;
  /** A line break went out: the indentation goes before the next character that is not one. */
  private owed = false;

  /** `before` and `after`: the text of the cursor's line on either side of the cursor. */
  constructor(
    private readonly before: string,
    private readonly after: string,
  ) {
    this.indent = /^[ \t]*/.exec(before)![0];
  }

  /** The answer's text as the editor should receive it; `isCode` says it came from a fenced block. */
  push(text: string, isCode: boolean): string {
    if (!this.decided) {
      this.held += text;
      // Decide on the first line's own indentation: wait for its first visible character.
      if (!/\S/.test(this.held.split('\n')[0]) && !this.held.includes('\n')) return '';
      text = this.held;
      this.held = '';
      return this.start(text, isCode);
    }
    return this.lines(text);
  }

  /** The end of the answer: text held while undecided goes out as it is. */
  end(): string {
    const out = this.held;
    this.held = '';
    this.decided = true;
    return out;
  }

  /** The whole text placed at once, as the streamed pieces add up to. */
  static place(before: string, after: string, text: string, isCode: boolean): string {
    const p = new Placement(before, after);
    return p.push(text, isCode) + p.end();
  }

  private start(text: string, isCode: boolean): string {
    this.decided = true;
    const own = /^[ \t]*/.exec(text)![0];
    const alreadyIndented = this.indent !== '' && own.startsWith(this.indent);
    this.reindent = this.indent !== '' && !alreadyIndented;
    const cursorInIndent = this.before !== '' && this.before.trim() === '';
    let prefix = '';
    if (isCode && this.before.trim() !== '' && this.after.trim() === '') {
      prefix = '\n' + (alreadyIndented ? '' : this.indent);
    } else if (cursorInIndent && alreadyIndented) {
      text = text.slice(Math.min(own.length, this.before.length)); // the cursor stands there already
    }
    return prefix + this.lines(text);
  }

  private lines(text: string): string {
    if (!this.reindent || !text) return text;
    let out = '';
    for (const ch of text) {
      if (ch === '\n') {
        out += ch;
        this.owed = true;
        continue;
      }
      if (this.owed) {
        out += this.indent;
        this.owed = false;
      }
      out += ch;
    }
    return out;
  }
}

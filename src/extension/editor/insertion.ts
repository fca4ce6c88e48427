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

  /** Our own edit replaced `removed` characters at `offset` (inside the insertion, or at its end) with `inserted` characters. */
  ownEdit(offset: number, removed: number, inserted: number): void {
    this.end = offset + inserted + (this.end - offset - removed);
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

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^\n]*)$/;

/**
 * Streams the part of an answer that belongs in the editor: the code of its first fenced block
 * and nothing else. Text before the fence is held (it may be prose such as "Sure! Here is the
 * function:"), the fence lines never pass, and what follows the closing fence is kept for the
 * chat. An answer with no fence at all gives nothing: prose never lands in the file.
 */
export class CodeStreamFilter {
  private mode: 'start' | 'code' | 'after' = 'start';
  /** Text before the fence, while no fence has opened: held, never written. */
  private held = '';
  private fence = '';
  /** The current, incomplete code line, held while it could still be the closing fence. */
  private line = '';
  /** Everything after the first block's closing fence. */
  private rest = '';

  get isCode(): boolean {
    return this.mode !== 'start';
  }

  /** Text of the answer outside its first code block (prose around it, later blocks). */
  get outside(): string {
    return (this.mode === 'start' ? this.held : this.prose + this.rest).trim();
  }

  private prose = '';

  /** A CR that ended the last piece: it and a LF starting the next are one line break. */
  private cr = false;

  push(delta: string): string {
    // Line breaks as LF (the writer turns them into the document's own).
    if (this.cr) delta = '\r' + delta;
    this.cr = delta.endsWith('\r');
    if (this.cr) delta = delta.slice(0, -1);
    delta = delta.replace(/\r\n?/g, '\n');
    switch (this.mode) {
      case 'after':
        this.rest += delta;
        return '';
      case 'code':
        return this.code(delta);
      case 'start': {
        this.held += delta;
        // Look for a fence line among the complete lines held so far.
        for (let from = 0; ; ) {
          const nl = this.held.indexOf('\n', from);
          if (nl < 0) return '';
          const line = this.held.slice(from, nl).replace(/\r$/, '');
          const m = FENCE_OPEN.exec(line);
          if (m && !(m[1][0] === '`' && m[2].includes('`'))) {
            this.mode = 'code';
            this.fence = m[1];
            this.prose = this.held.slice(0, from);
            const after = this.held.slice(nl + 1);
            this.held = '';
            return this.code(after);
          }
          from = nl + 1;
        }
      }
    }
  }

  /** The end of the answer: the code still held back (a block left open ends with the answer). */
  end(): string {
    if (this.cr) {
      this.cr = false;
      const more = this.push('\n');
      if (more) return more + this.end();
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
          this.rest = segs.slice(i + 1).join('\n');
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
    const t = line.replace(/\r$/, '');
    if (/^ {4}/.test(t)) return false;
    const s = t.trim();
    return s.length >= this.fence.length && s[0] === this.fence[0] && /^([`~])\1*$/.test(s);
  }

  private couldClose(partial: string): boolean {
    const t = partial.trimStart();
    return t === '' || /^([`~])\1*$/.test(t);
  }
}

/** The code of an answer's first fenced block, as the streaming filter gives it; undefined when it has none. */
export function extractCode(answer: string): string | undefined {
  const f = new CodeStreamFilter();
  const code = f.push(answer) + f.end();
  return f.isCode ? code : undefined;
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
  /** The replaced text ended with a line break (whole lines, a whole file): the code keeps one there. */
  private keepFinalNewline = false;
  /** The last character that went out. */
  private last = '';

  /**
   * `before` and `after`: the text of the cursor's line on either side of the cursor (or of the
   * selection being replaced). `lead` goes out before the first character: the indentation of a
   * replaced selection that started in its line's indentation, which the replacement removes.
   */
  constructor(
    private readonly before: string,
    private readonly after: string,
    private readonly lead = '',
  ) {
    this.indent = /^[ \t]*/.exec(before)![0];
  }

  /**
   * The placement for replacing `selected` (empty: inserting at the cursor), `before` and `after`
   * being the rest of its first and last lines. A selection that starts in the indentation is
   * replaced by code indented as the selection was; every path (Generate, Insert, Replace) places
   * code through this one function.
   */
  static forTarget(before: string, selected: string, after: string): Placement {
    const lead = before.trim() === '' && selected ? /^[ \t]*/.exec(selected)![0] : '';
    const p = new Placement(before + lead, after, lead);
    p.keepFinalNewline = selected.endsWith('\n');
    return p;
  }

  /** The answer's text as the editor should receive it; `isCode` says it came from a fenced block. */
  push(text: string, isCode: boolean): string {
    const out = this.placed(text, isCode);
    if (out) this.last = out[out.length - 1];
    return out;
  }

  private placed(text: string, isCode: boolean): string {
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

  /**
   * The end of the answer: text held while undecided goes out as it is, and a line break when
   * the replaced text ended with one (a whole file keeps its final newline).
   */
  end(): string {
    let out = this.held;
    this.held = '';
    this.decided = true;
    if (out) this.last = out[out.length - 1];
    if (this.keepFinalNewline && this.last !== '' && this.last !== '\n') out += '\n';
    this.last = out ? out[out.length - 1] : this.last;
    return out;
  }

  /** The whole text placed at once, as the streamed pieces add up to. */
  static place(before: string, after: string, text: string, isCode: boolean, selected = ''): string {
    const p = Placement.forTarget(before, selected, after);
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
    return this.lead + prefix + this.lines(text);
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

/**
 * Streaming text into a document, with one owner: `streamIntoEditor` applies each piece in
 * order (awaiting the edit before it), stops writing the moment its token is cancelled, and
 * resolves only when the document is final. However slowly the pieces came (VS Code closes an
 * undo group when edits pause), the user gets exactly one undo step: the streamed edits are
 * taken back and the final text is applied as one edit, so one Undo restores the original.
 */
import * as vscode from 'vscode';
import { InsertionTracker } from './insertion';

export type EditorStreamEvent =
  /** More text, to go at the end of what was written so far. */
  | { type: 'append'; text: string }
  /** What the whole insertion must end up as (the answer was rewritten, or settled at its end). */
  | { type: 'final'; text: string };

export interface EditorStreamResult {
  /** The text the insertion holds now (in the document's line endings). */
  text: string;
  /** The token was cancelled: writing stopped there, and what had landed stays. */
  cancelled: boolean;
  /** Where the insertion is now. */
  range: vscode.Range;
}

/**
 * Streams `events` into `range` of `editor`'s document (an empty range inserts; a selection is
 * replaced once the first text comes). The user may keep editing elsewhere meanwhile.
 */
export async function streamIntoEditor(
  editor: vscode.TextEditor,
  range: vscode.Range,
  events: AsyncIterable<EditorStreamEvent>,
  token: vscode.CancellationToken,
  /** Told where the insertion is after each piece lands (the review highlights it as it grows). */
  onProgress?: (range: vscode.Range) => void,
): Promise<EditorStreamResult> {
  const w = new StreamWriter(editor.document, range);
  let final: string | undefined;
  let cancelled = token.isCancellationRequested;
  const iterator = events[Symbol.asyncIterator]();
  try {
    while (!cancelled) {
      let next: IteratorResult<EditorStreamEvent>;
      try {
        next = await iterator.next();
      } catch (err) {
        // Cancelling stops the source too; its "stopped" error is the cancellation itself.
        if (!token.isCancellationRequested) throw err;
        cancelled = true;
        break;
      }
      if (token.isCancellationRequested) cancelled = true;
      if (next.done || cancelled) break;
      const ev = next.value;
      if (ev.type === 'append') {
        await w.append(ev.text, token);
        onProgress?.(w.range());
      } else final = ev.text;
      if (token.isCancellationRequested) cancelled = true;
    }
  } finally {
    // Closing the source stops the request behind it (a cancelled or failed insertion asks no more).
    if (cancelled) await iterator.return?.().catch(() => undefined);
    try {
      await w.settle(cancelled ? undefined : final);
    } finally {
      w.dispose();
    }
  }
  return { text: w.text(), cancelled, range: w.range() };
}

class StreamWriter implements vscode.Disposable {
  private readonly tracker: InsertionTracker;
  private readonly original: string;
  /** The edit we are applying, to tell it from the user's own edits in the change events. */
  private expected: { offset: number; removed: number; text: string } | undefined;
  private wrote = false;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly doc: vscode.TextDocument,
    range: vscode.Range,
  ) {
    this.tracker = new InsertionTracker(doc.offsetAt(range.start), doc.offsetAt(range.end));
    this.original = doc.getText(range);
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== this.doc) return;
      // Offsets are into the document before the change: apply from the end.
      for (const c of [...e.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset)) {
        const exp = this.expected;
        if (exp && c.rangeOffset === exp.offset && c.rangeLength === exp.removed && c.text === exp.text) {
          this.expected = undefined;
          this.tracker.ownEdit(exp.offset, exp.removed, exp.text.length);
        } else {
          this.tracker.otherChange(c.rangeOffset, c.rangeLength, c.text.length);
        }
      }
    });
  }

  /** The document's own line endings: the editor would convert ours, and the tracker must see the same text. */
  private eol(text: string): string {
    return this.doc.eol === vscode.EndOfLine.CRLF ? text.replace(/\r?\n/g, '\r\n') : text;
  }

  range(): vscode.Range {
    return new vscode.Range(this.doc.positionAt(this.tracker.start), this.doc.positionAt(this.tracker.end));
  }

  text(): string {
    return this.doc.getText(this.range());
  }

  async append(text: string, token: vscode.CancellationToken): Promise<void> {
    if (!text) return;
    text = this.eol(text);
    // The first text replaces the selection; later text goes at the end of what was written.
    await this.edit(() => (this.wrote ? { offset: this.tracker.end, removed: 0 } : { offset: this.tracker.start, removed: this.tracker.end - this.tracker.start }), text, false, token);
    this.wrote = true;
  }

  /**
   * Makes the insertion one undo step: takes the streamed edits back (restoring the original
   * text), then applies what the insertion ends as in one edit of its own. `final` (undefined:
   * keep what was written) is in the answer's line endings.
   */
  async settle(final: string | undefined): Promise<void> {
    if (!this.wrote && (final === undefined || final === this.original)) return;
    const result = final === undefined ? this.text() : this.eol(final);
    if (this.wrote) {
      await this.edit(() => ({ offset: this.tracker.start, removed: this.tracker.end - this.tracker.start }), this.original, true);
      this.wrote = false;
    }
    if (result !== this.original) {
      await this.edit(() => ({ offset: this.tracker.start, removed: this.tracker.end - this.tracker.start }), result, true);
    }
  }

  /**
   * Applies one edit where `at()` says at the moment of applying it. An edit is refused when the
   * document changed in between (the user typed): the tracker has seen that change once the
   * event is delivered, so try again, up to a bound.
   */
  private async edit(at: () => { offset: number; removed: number }, text: string, ownUndoStep: boolean, token?: vscode.CancellationToken): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (token?.isCancellationRequested) return;
      const { offset, removed } = at();
      this.expected = { offset, removed, text };
      const range = new vscode.Range(this.doc.positionAt(offset), this.doc.positionAt(offset + removed));
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === this.doc);
      let ok: boolean;
      if (editor) {
        ok = await editor.edit((b) => b.replace(range, text), { undoStopBefore: ownUndoStep, undoStopAfter: ownUndoStep });
      } else {
        const we = new vscode.WorkspaceEdit();
        we.replace(this.doc.uri, range, text);
        ok = await vscode.workspace.applyEdit(we);
      }
      if (ok) {
        // VS Code delivers an edit's change event before the edit's promise resolves, so the
        // tracker has it already; an edit that changed nothing sends no event.
        this.expected = undefined;
        return;
      }
      this.expected = undefined;
      if (this.doc.isClosed || attempt >= 20) {
        throw new Error(this.doc.isClosed ? 'the document was closed' : 'the editor kept refusing the edit (is the file read-only?)');
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  dispose(): void {
    this.sub.dispose();
  }
}

/**
 * "Qwen: Generate at Cursor": streams the answer into the document as it arrives. The text
 * keeps landing at the end of what was inserted, wherever the user edits meanwhile; all of it
 * is one undo step; a fenced answer inserts only its code.
 */
import * as vscode from 'vscode';
import { describeError, isAbort } from '../provider/errors';
import type { ChatMessage } from '../provider/prompt';
import type { ProviderEvent } from '../provider/types';
import { CodeStreamFilter, extractCode, InsertionTracker, Placement } from './insertion';
import { generateMessage } from './prompts';
import { statusText } from './statusText';

export type StreamFn = (messages: ChatMessage[], signal: AbortSignal) => AsyncIterable<ProviderEvent>;

/** Writes text at the end of the tracked insertion, one edit at a time, merged into one undo step. */
class StreamedInsertion implements vscode.Disposable {
  readonly tracker: InsertionTracker;
  private pending = '';
  private writing: Promise<void> = Promise.resolve();
  private expected: { offset: number; text: string } | undefined;
  private first = true;
  private readonly sub: vscode.Disposable;

  constructor(private readonly doc: vscode.TextDocument, at: vscode.Position) {
    this.tracker = new InsertionTracker(doc.offsetAt(at));
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== this.doc) return;
      // Changes arrive with offsets into the document before the change; apply from the end.
      const changes = [...e.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
      for (const c of changes) {
        const exp = this.expected;
        if (exp && c.rangeLength === 0 && c.rangeOffset === exp.offset && c.text === exp.text) {
          this.expected = undefined;
          this.tracker.inserted(c.text.length);
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

  write(text: string): Promise<void> {
    if (!text) return this.writing;
    this.pending += this.eol(text);
    this.writing = this.writing.then(() => this.flush());
    return this.writing;
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    if (!text) return;
    this.pending = '';
    // An edit is refused when the document changed between preparing and applying it (the user
    // typed meanwhile). The tracker has seen that change by the next tick, so try again there.
    for (let attempt = 0; ; attempt++) {
      const offset = this.tracker.end;
      this.expected = { offset, text };
      const at = this.doc.positionAt(offset);
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === this.doc);
      let ok: boolean;
      if (editor) {
        ok = await editor.edit((b) => b.insert(at, text), { undoStopBefore: this.first, undoStopAfter: false });
      } else {
        const we = new vscode.WorkspaceEdit();
        we.insert(this.doc.uri, at, text);
        ok = await vscode.workspace.applyEdit(we);
      }
      if (ok) {
        this.first = false;
        return;
      }
      this.expected = undefined;
      if (this.doc.isClosed || attempt >= 20) {
        throw new Error(this.doc.isClosed ? 'the document was closed' : 'the editor kept refusing the edit (is the file read-only?)');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Replaces the whole insertion (the code-only fix-up at the end), closing the undo step. */
  async replaceAll(text: string): Promise<void> {
    await this.writing;
    text = this.eol(text);
    const range = new vscode.Range(this.doc.positionAt(this.tracker.start), this.doc.positionAt(this.tracker.end));
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === this.doc);
    this.expected = undefined;
    if (editor) await editor.edit((b) => b.replace(range, text), { undoStopBefore: false, undoStopAfter: true });
    else {
      const we = new vscode.WorkspaceEdit();
      we.replace(this.doc.uri, range, text);
      await vscode.workspace.applyEdit(we);
    }
  }

  /** The insertion's text now. */
  text(): string {
    return this.doc.getText(new vscode.Range(this.doc.positionAt(this.tracker.start), this.doc.positionAt(this.tracker.end)));
  }

  /** Whether the insertion holds `text` (in the document's line endings). */
  holds(text: string): boolean {
    return this.text() === this.eol(text);
  }

  async done(): Promise<void> {
    await this.writing;
  }

  dispose(): void {
    this.sub.dispose();
  }
}

export async function generateAtCursor(opts: {
  stream: StreamFn;
  systemPrompt: string;
  log: vscode.LogOutputChannel;
  instruction?: string;
}): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file and place the cursor where the code should go.');
    return;
  }
  const instruction =
    opts.instruction ??
    (await vscode.window.showInputBox({
      title: 'Qwen: Generate at Cursor',
      prompt: editor.selection.isEmpty ? 'What should Qwen write here?' : 'What should Qwen write here? (the selection goes along as context)',
      placeHolder: 'e.g. a function that parses ISO dates',
      ignoreFocusOut: true,
    }));
  if (!instruction?.trim()) return;
  const doc = editor.document;
  const context = editor.selection.isEmpty ? undefined : doc.getText(editor.selection);
  const fileName = vscode.workspace.asRelativePath(doc.uri, false);
  const messages: ChatMessage[] = [
    { role: 'system', content: opts.systemPrompt },
    { role: 'user', content: generateMessage(instruction, doc.languageId, fileName, context) },
  ];
  const at = editor.selection.active;
  const line = doc.lineAt(at.line).text;
  const [before, after] = [line.slice(0, at.character), line.slice(at.character)];
  const insertion = new StreamedInsertion(doc, at);
  const filter = new CodeStreamFilter();
  const placement = new Placement(before, after);
  let full = '';
  let failed: unknown;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Qwen: generating', cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        try {
          for await (const ev of opts.stream(messages, ac.signal)) {
            if (ev.type === 'status') {
              const t = statusText(ev.status);
              if (t) progress.report({ message: t });
            } else if (ev.type === 'text') {
              full += ev.delta;
              insertion.write(placement.push(filter.push(ev.delta), filter.isCode)).catch(() => undefined); // surfaced by the final write
            } else {
              full = ev.text; // rewrite or done: the final text decides below
            }
          }
          await insertion.write(placement.push(filter.end(), filter.isCode) + placement.end());
        } finally {
          sub.dispose();
        }
      },
    );
    await insertion.done();
    // Whatever streamed, the document ends with what the answer means: code only when it has code.
    const code = extractCode(full);
    const answer = code ?? (filter.isCode ? undefined : full);
    const wanted = answer === undefined ? undefined : Placement.place(before, after, answer, code !== undefined);
    if (wanted !== undefined && !insertion.holds(wanted)) await insertion.replaceAll(wanted);
    opts.log.info(`generated ${full.length} characters at the cursor`);
  } catch (err) {
    failed = err;
  } finally {
    insertion.dispose();
  }
  if (failed !== undefined) {
    await insertion.done().catch(() => undefined);
    if (isAbort(failed)) {
      opts.log.info('generation cancelled; the partial text stays (Undo removes it)');
      return;
    }
    const d = describeError(failed);
    opts.log.error(`generate at cursor failed: ${d.message}`);
    const choice = await vscode.window.showErrorMessage(`Qwen: ${d.message} ${d.hint}`, ...(d.retryable ? ['Retry'] : []));
    if (choice === 'Retry') await generateAtCursor({ ...opts, instruction });
  }
}

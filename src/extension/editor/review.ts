/**
 * Review before keep: code Qwen writes into a file (Generate at Cursor, and the chat's Insert and
 * Replace selection) stays highlighted, with Keep / Undo / Regenerate above it (CodeLens), until
 * the user decides. A change that replaced code also offers Show Diff (VS Code's own diff editor,
 * the old text against the new) and shows the old text on hover. The change is accepted or
 * rejected as a whole. `qwenChat.reviewChanges: false` keeps the direct mode (no review).
 *
 * The insertion is already one undo step when a review starts (editorStream.ts); Undo here
 * applies the old text back as one more edit, so it works whatever the user did elsewhere since.
 * Typing inside the reviewed code makes it the user's: the review ends and the code is kept.
 */
import * as vscode from 'vscode';
import { InsertionTracker } from './insertion';

export type ReviewKind = 'generate' | 'insert' | 'replace';

interface Review {
  id: number;
  doc: vscode.TextDocument;
  tracker: InsertionTracker;
  /** The text the change replaced ('' for an insertion), in the document's line endings. */
  oldText: string;
  kind: ReviewKind;
  state: 'streaming' | 'ready';
  /** What was asked, for the hover and the log. */
  label: string;
  stop?: () => void;
  /** Asks again for the same place: the range the old text is back in. */
  regenerate?: (range: vscode.Range) => Promise<void>;
}

/** A streaming change: where it is so far, then ready for review (or gone). */
export interface ReviewHandle {
  /** The change's range while it streams. */
  update(range: vscode.Range): void;
  /** The change is final and lies at `range`: offer Keep / Undo (/ Regenerate). */
  ready(range: vscode.Range): void;
  /** Nothing to review (nothing was written, or it failed before writing). */
  end(): void;
}

const SCHEME = 'qwen-review';

export class ReviewController implements vscode.CodeLensProvider, vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reviews = new Map<number, Review>();
  private nextId = 1;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly added = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    isWholeLine: true,
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private readonly streaming = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    isWholeLine: true,
    opacity: '0.85',
  });
  /** The "before" side of an open Show Diff, by review id. */
  private readonly diffs = new Map<string, string>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly enabled: () => boolean,
  ) {
    this.disposables.push(
      this.added,
      this.streaming,
      this.lensesChanged,
      vscode.languages.registerCodeLensProvider({ scheme: '*' }, this),
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        for (const r of this.reviews.values()) if (r.doc === d) this.keep(r, 'the file was closed');
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.paint()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.updateContext()),
      vscode.window.onDidChangeTextEditorSelection(() => this.updateContext()),
    );
    const cmd = (id: string, fn: (r: Review) => unknown) =>
      this.disposables.push(
        vscode.commands.registerCommand(id, async (arg?: unknown) => {
          const r = this.find(arg);
          if (!r) return void vscode.window.setStatusBarMessage('Qwen: no change to review here', 3_000);
          await fn(r);
        }),
      );
    cmd('qwenChat.review.keep', (r) => this.keep(r));
    cmd('qwenChat.review.undo', (r) => this.undo(r));
    cmd('qwenChat.review.regenerate', (r) => this.regenerate(r));
    cmd('qwenChat.review.diff', (r) => this.diff(r));
  }

  /**
   * A change starts streaming into `doc` at `range` (which holds `oldText`). Returns undefined in
   * direct mode. An earlier review in the same place is kept first: a new change never waits on it.
   */
  begin(doc: vscode.TextDocument, range: vscode.Range, o: { kind: ReviewKind; label: string; stop?: () => void; regenerate?: (range: vscode.Range) => Promise<void>; oldText?: string }): ReviewHandle | undefined {
    if (!this.enabled()) return undefined;
    const r: Review = {
      id: this.nextId++,
      doc,
      tracker: new InsertionTracker(doc.offsetAt(range.start), doc.offsetAt(range.end)),
      oldText: o.oldText ?? doc.getText(range),
      kind: o.kind,
      state: 'streaming',
      label: o.label,
      stop: o.stop,
      regenerate: o.regenerate,
    };
    for (const other of this.reviews.values()) {
      if (other.doc === doc && other.state === 'ready' && this.overlaps(other, r.tracker.start, r.tracker.end)) this.keep(other, 'a new change started there');
    }
    this.reviews.set(r.id, r);
    this.refresh();
    const set = (range: vscode.Range) => {
      r.tracker.start = doc.offsetAt(range.start);
      r.tracker.end = doc.offsetAt(range.end);
    };
    return {
      update: (range) => {
        if (!this.reviews.has(r.id)) return;
        set(range);
        this.paint();
      },
      ready: (range) => {
        if (!this.reviews.has(r.id)) return;
        set(range);
        if (r.tracker.end === r.tracker.start && r.oldText === '') return this.keep(r, 'nothing was written');
        r.state = 'ready';
        r.stop = undefined;
        this.log.info(`review: ${r.label} is ready at ${this.where(r)} (Keep / Undo${r.regenerate ? ' / Regenerate' : ''})`);
        this.refresh();
      },
      end: () => this.keep(r, 'nothing to review'),
    };
  }

  /** A change made at once (the chat's Insert / Replace selection): ready for review now. */
  show(doc: vscode.TextDocument, range: vscode.Range, oldText: string, kind: ReviewKind, label: string): void {
    this.begin(doc, range, { kind, label, oldText })?.ready(range);
  }

  /** The pending reviews of a document, for tests and the status bar: their ranges and states. */
  pending(doc: vscode.TextDocument): Array<{ id: number; range: vscode.Range; state: 'streaming' | 'ready'; oldText: string }> {
    return [...this.reviews.values()].filter((r) => r.doc === doc).map((r) => ({ id: r.id, range: this.range(r), state: r.state, oldText: r.oldText }));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const r of this.reviews.values()) {
      if (r.doc !== doc) continue;
      const at = new vscode.Range(this.range(r).start, this.range(r).start);
      if (r.state === 'streaming') {
        lenses.push(new vscode.CodeLens(at, { title: '$(loading~spin) Qwen is writing…  $(debug-stop) Stop (Esc)', tooltip: 'Stop writing: what arrived stays for review', command: 'qwenChat.stop' }));
        continue;
      }
      lenses.push(new vscode.CodeLens(at, { title: '$(check) Keep (Ctrl+Enter)', tooltip: `Keep Qwen's change: ${r.label}`, command: 'qwenChat.review.keep', arguments: [r.id] }));
      lenses.push(new vscode.CodeLens(at, { title: '$(discard) Undo (Ctrl+Shift+Backspace)', tooltip: r.oldText ? 'Put the old code back' : 'Remove the inserted code', command: 'qwenChat.review.undo', arguments: [r.id] }));
      if (r.regenerate) lenses.push(new vscode.CodeLens(at, { title: '$(refresh) Regenerate', tooltip: 'Undo this change and ask Qwen again', command: 'qwenChat.review.regenerate', arguments: [r.id] }));
      if (r.oldText) lenses.push(new vscode.CodeLens(at, { title: '$(diff) Show Diff', tooltip: 'Compare the old code with the new in a diff editor', command: 'qwenChat.review.diff', arguments: [r.id] }));
    }
    return lenses;
  }

  /** The "before" side of a diff: the document as it was before the change. */
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.diffs.get(uri.query) ?? '';
  }

  /** Ends a review and leaves the text as it is (kept, edited, or nothing to review). */
  keep(r: Review, why = 'kept'): void {
    if (!this.reviews.delete(r.id)) return;
    this.log.info(`review: ${r.label}: ${why}`);
    this.refresh();
  }

  async undo(r: Review): Promise<boolean> {
    if (!this.reviews.has(r.id)) return false;
    this.reviews.delete(r.id);
    const range = this.range(r);
    const we = new vscode.WorkspaceEdit();
    we.replace(r.doc.uri, range, r.oldText);
    const ok = await vscode.workspace.applyEdit(we);
    this.log.info(`review: ${r.label}: ${ok ? `undone at ${this.where(r)}` : 'undo refused by the editor'}`);
    if (!ok) {
      this.reviews.set(r.id, r);
      void vscode.window.showWarningMessage('Qwen: the editor refused to undo the change (is the file read-only?).');
    }
    this.refresh();
    return ok;
  }

  async regenerate(r: Review): Promise<void> {
    const again = r.regenerate;
    const start = r.tracker.start;
    if (!again || !(await this.undo(r))) return;
    await again(new vscode.Range(r.doc.positionAt(start), r.doc.positionAt(start + r.oldText.length)));
  }

  async diff(r: Review): Promise<void> {
    const range = this.range(r);
    const text = r.doc.getText();
    const before = text.slice(0, r.doc.offsetAt(range.start)) + r.oldText + text.slice(r.doc.offsetAt(range.end));
    const key = `review-${r.id}-${r.doc.version}`;
    this.diffs.set(key, before);
    const name = r.doc.uri.path.split('/').pop() || 'file';
    const left = vscode.Uri.from({ scheme: SCHEME, path: `/${name}`, query: key });
    await vscode.commands.executeCommand('vscode.diff', left, r.doc.uri, `${name}: before ↔ after Qwen's change`, { preview: true });
  }

  /** Closes the Show Diff tabs of reviews that ended (Keep, Undo, or edited). */
  private closeDiffTabs(keys: Set<string>): void {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === SCHEME && keys.has(t.input.original.query));
    if (tabs.length) void Promise.resolve(vscode.window.tabGroups.close(tabs)).catch((e: unknown) => this.log.warn(`review: closing the diff: ${String(e)}`));
  }

  private find(arg: unknown): Review | undefined {
    if (typeof arg === 'number') return this.reviews.get(arg);
    // From a keybinding: the ready review at the cursor in the active editor, else its only one.
    const ed = vscode.window.activeTextEditor;
    const mine = this.readyHere();
    return mine.find((r) => r.doc === ed?.document && this.range(r).contains(ed.selection.active)) ?? (mine.length === 1 ? mine[0] : mine[mine.length - 1]);
  }

  /** The ready reviews the user is looking at: in the active editor, or in the active Show Diff tab. */
  private readyHere(): Review[] {
    const ed = vscode.window.activeTextEditor;
    const inEditor = ed ? this.readyIn(ed.document) : [];
    if (inEditor.length) return inEditor;
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (!(tab instanceof vscode.TabInputTextDiff) || tab.original.scheme !== SCHEME) return [];
    const id = Number(/^review-(\d+)-/.exec(tab.original.query)?.[1]);
    return [...this.reviews.values()].filter((r) => r.id === id && r.state === 'ready');
  }

  /** The ready reviews a document shows: its own, or the one whose Show Diff "before" side it is. */
  private readyIn(doc: vscode.TextDocument): Review[] {
    const ready = [...this.reviews.values()].filter((r) => r.state === 'ready');
    if (doc.uri.scheme !== SCHEME) return ready.filter((r) => r.doc === doc);
    const id = Number(/^review-(\d+)-/.exec(doc.uri.query)?.[1]);
    return ready.filter((r) => r.id === id);
  }

  private range(r: Review): vscode.Range {
    return new vscode.Range(r.doc.positionAt(r.tracker.start), r.doc.positionAt(r.tracker.end));
  }

  /** Where a change is, for the log: its lines and characters. */
  private where(r: Review): string {
    const range = this.range(r);
    return `lines ${range.start.line + 1}-${range.end.line + 1} (${r.tracker.end - r.tracker.start} characters)`;
  }

  private overlaps(r: Review, start: number, end: number): boolean {
    return start <= r.tracker.end && end >= r.tracker.start;
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    let any = false;
    for (const r of [...this.reviews.values()]) {
      if (r.doc !== e.document || r.state !== 'ready') continue;
      // Offsets are into the document before the change: apply from the end.
      for (const c of [...e.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset)) {
        const inside = c.rangeOffset < r.tracker.end && c.rangeOffset + c.rangeLength > r.tracker.start;
        const within = c.rangeLength === 0 && c.rangeOffset > r.tracker.start && c.rangeOffset < r.tracker.end;
        if (inside || within) {
          // The user edited the change (or undid it): it is theirs now.
          this.keep(r, 'edited by you, so kept as it is now');
          break;
        }
        r.tracker.otherChange(c.rangeOffset, c.rangeLength, c.text.length);
        any = true;
      }
    }
    if (any) this.paint();
  }

  private refresh(): void {
    // A diff's "before" side is kept while its review lasts; its tab goes with it (it would show a stale change).
    const gone = new Set<string>();
    for (const key of this.diffs.keys()) if (!this.reviews.has(Number(key.split('-')[1]))) gone.add(key);
    for (const key of gone) this.diffs.delete(key);
    if (gone.size) this.closeDiffTabs(gone);
    this.paint();
    this.lensesChanged.fire();
    this.updateContext();
  }

  private paint(): void {
    for (const ed of vscode.window.visibleTextEditors) {
      const added: vscode.DecorationOptions[] = [];
      const streaming: vscode.DecorationOptions[] = [];
      for (const r of this.reviews.values()) {
        if (r.doc !== ed.document) continue;
        let range = this.range(r);
        // A whole-line highlight must not spill onto the line after a change that ends with a line break.
        if (range.end.character === 0 && range.end.line > range.start.line) range = new vscode.Range(range.start, r.doc.lineAt(range.end.line - 1).range.end);
        if (r.state === 'streaming') streaming.push({ range });
        else added.push({ range, hoverMessage: this.hover(r) });
      }
      ed.setDecorations(this.added, added);
      ed.setDecorations(this.streaming, streaming);
    }
  }

  private hover(r: Review): vscode.MarkdownString {
    const cmds = ['qwenChat.review.keep', 'qwenChat.review.undo', 'qwenChat.review.regenerate', 'qwenChat.review.diff'];
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: cmds };
    md.appendMarkdown(`**Qwen's change** (${r.kind === 'generate' ? 'Generate at Cursor' : r.kind === 'insert' ? 'Insert' : 'Replace selection'}): `);
    md.appendText(r.label);
    md.appendMarkdown('\n\n');
    const link = (title: string, cmd: string) => `[${title}](command:${cmd}?${encodeURIComponent(JSON.stringify([r.id]))})`;
    md.appendMarkdown([link('Keep', cmds[0]), link('Undo', cmds[1]), ...(r.regenerate ? [link('Regenerate', cmds[2])] : []), ...(r.oldText ? [link('Show Diff', cmds[3])] : [])].join(' · '));
    if (r.oldText) {
      md.appendMarkdown('\n\nIt replaced:\n');
      md.appendCodeblock(r.oldText.length > 4_000 ? `${r.oldText.slice(0, 4_000)}\n…` : r.oldText, r.doc.languageId);
    }
    return md;
  }

  private updateContext(): void {
    const on = this.readyHere().length > 0;
    void vscode.commands.executeCommand('setContext', 'qwenChat.reviewing', on);
  }

  dispose(): void {
    this.reviews.clear();
    for (const d of this.disposables) d.dispose();
  }
}

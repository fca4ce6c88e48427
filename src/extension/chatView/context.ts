/**
 * What the user attached to the next chat message: the selection, the active file, other open
 * files, any workspace file. It lives in the host (the view only shows chips), survives the view
 * being hidden and the window reloading (workspace state), and is taken whole when the message
 * is sent. A file's text is read again at that moment, so it goes as it is then.
 */
import * as vscode from 'vscode';
import { activeEditor } from '../editor/target';
import type { ContextOptionView, HostToWebview, PendingContextView } from '../../protocol';
import type { StoredContext } from '../../chat/model';

/** A file larger than this is refused: far past any prompt a Space takes. */
export const MAX_ATTACH_BYTES = 1024 * 1024;
const STATE_KEY = 'qwenChat.pendingContext';

type Pending = StoredContext & { id: string };

function lineSpan(sel: vscode.Selection): { start: number; end: number } {
  // A whole-line selection ends at column 0 of the next line, which it does not include.
  const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
  return { start: sel.start.line + 1, end: endLine + 1 };
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

export class ContextAttachments {
  private items: Pending[];
  private seq = 0;
  /** Counts every change: a caller can tell whether something was attached. */
  changes = 0;

  constructor(
    private readonly state: vscode.Memento,
    private readonly post: (m: HostToWebview) => void,
    /** The prompt budget in characters (qwenChat.maxPromptCharacters; 0: none). */
    private readonly budget: () => number,
  ) {
    const saved = state.get<Pending[]>(STATE_KEY, []);
    this.items = Array.isArray(saved) ? saved.filter((x) => x && typeof x.text === 'string' && typeof x.id === 'string') : [];
  }

  /** The chips as the view shows them, with the budget they count against. */
  view(): Extract<HostToWebview, { type: 'context' }> {
    const items: PendingContextView[] = this.items.map(({ id, kind, label, detail, chars }) => ({ id, kind, label, detail, chars }));
    return { type: 'context', items, budget: this.budget() };
  }

  private changed(): void {
    this.changes++;
    void this.state.update(STATE_KEY, this.items.length ? this.items : undefined);
    this.post(this.view());
  }

  private add(item: StoredContext): void {
    // The same file, or the same lines of it, once: the newer one replaces the older.
    const same = (x: Pending) => x.uri === item.uri && x.kind === item.kind && (item.kind === 'file' || (x.lines?.start === item.lines?.start && x.lines?.end === item.lines?.end));
    this.items = [...this.items.filter((x) => !same(x)), { ...item, id: `c${Date.now().toString(36)}${++this.seq}` }];
    this.changed();
  }

  /** Attaches the selection of `editor` (the active editor by default). Returns why not, or undefined. */
  addSelection(editor = activeEditor()): string | undefined {
    if (!editor || editor.selection.isEmpty) return 'Select some code in an editor first.';
    const doc = editor.document;
    const text = doc.getText(editor.selection);
    const lines = lineSpan(editor.selection);
    const path = vscode.workspace.asRelativePath(doc.uri, false);
    const where = lines.start === lines.end ? `${lines.start}` : `${lines.start}-${lines.end}`;
    this.add({ kind: 'selection', label: `${baseName(path)}:${where}`, detail: `${path}, ${lines.start === lines.end ? 'line' : 'lines'} ${where}`, chars: text.length, uri: doc.uri.toString(), path, languageId: doc.languageId, text, lines });
    return undefined;
  }

  /** Attaches a whole file (open or not). Returns why not, or undefined. */
  async addFile(uri: vscode.Uri): Promise<string | undefined> {
    try {
      const { text, languageId } = await readText(uri);
      const path = vscode.workspace.asRelativePath(uri, false);
      this.add({ kind: 'file', label: baseName(path), detail: path, chars: text.length, uri: uri.toString(), path, languageId, text });
      return undefined;
    } catch (err) {
      return `${vscode.workspace.asRelativePath(uri, false)} cannot be attached: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  remove(id: string): void {
    const before = this.items.length;
    this.items = this.items.filter((x) => x.id !== id);
    if (this.items.length !== before) this.changed();
  }

  /** Everything attached, for the message being sent now; the chips are cleared. Files are read again. */
  async take(): Promise<StoredContext[]> {
    if (!this.items.length) return [];
    const out: StoredContext[] = [];
    for (const { id: _id, ...item } of this.items) {
      if (item.kind === 'file') {
        const now = await readText(vscode.Uri.parse(item.uri)).catch(() => undefined);
        if (now) Object.assign(item, { text: now.text, chars: now.text.length, languageId: now.languageId });
      }
      out.push(item);
    }
    this.items = [];
    this.changed();
    return out;
  }

  /** What `#` offers: the selection, the open files (the active one first), and a search. */
  options(): ContextOptionView[] {
    const out: ContextOptionView[] = [];
    const ed = activeEditor();
    if (ed && !ed.selection.isEmpty) {
      const l = lineSpan(ed.selection);
      out.push({ id: 'selection', label: 'Selection', detail: `${vscode.workspace.asRelativePath(ed.document.uri, false)}, lines ${l.start}-${l.end}` });
    }
    const seen = new Set<string>();
    const files: vscode.Uri[] = [];
    if (ed && ed.document.uri.scheme !== 'untitled') files.push(ed.document.uri);
    for (const g of vscode.window.tabGroups.all) for (const t of g.tabs) if (t.input instanceof vscode.TabInputText) files.push(t.input.uri);
    for (const uri of files) {
      if (seen.has(uri.toString()) || uri.scheme === 'output') continue;
      seen.add(uri.toString());
      const path = vscode.workspace.asRelativePath(uri, false);
      out.push({ id: `file:${uri.toString()}`, label: baseName(path), detail: uri.toString() === ed?.document.uri.toString() ? `${path} (active file)` : path });
    }
    out.push({ id: 'search', label: 'Other file…', detail: 'Search the workspace for a file' });
    return out;
  }

  /** Acts on a `#` choice (or the Add button's search). Returns why it failed, or undefined. */
  async choose(option: string): Promise<string | undefined> {
    // The view is not trusted: it may name only what options() offers now, never any file it likes.
    if (!this.options().some((o) => o.id === option)) return 'That is no longer open. Type # again, or use Attach… to pick a file.';
    if (option === 'selection') return this.addSelection();
    if (option === 'search') return this.pickFiles();
    return this.addFile(vscode.Uri.parse(option.slice('file:'.length), true));
  }

  /** VS Code's own picker: the options above, then any workspace file (several at once). */
  async pickFiles(): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { option?: string; uri?: vscode.Uri };
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Attach to your message to Qwen';
    qp.placeholder = 'Search files by name';
    qp.canSelectMany = true;
    qp.matchOnDescription = true;
    qp.busy = true;
    const quick: Item[] = this.options()
      .filter((o) => o.id !== 'search')
      .map((o) => ({ label: o.id === 'selection' ? '$(selection) Selection' : `$(file) ${o.label}`, description: o.detail, option: o.id }));
    qp.items = quick;
    qp.show();
    void vscode.workspace.findFiles('**/*', '**/{node_modules,.git}/**', 5000).then((uris) => {
      const open = new Set(quick.map((q) => q.option));
      const more = uris
        .filter((u) => !open.has(`file:${u.toString()}`))
        .map((u) => ({ label: `$(file) ${baseName(u.path)}`, description: vscode.workspace.asRelativePath(u, false), uri: u }))
        .sort((a, b) => a.description.localeCompare(b.description));
      qp.items = [...quick, { label: 'Workspace files', kind: vscode.QuickPickItemKind.Separator }, ...more];
      qp.busy = false;
    }, () => (qp.busy = false));
    const picked = await new Promise<readonly Item[]>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems.length ? qp.selectedItems : qp.activeItems));
      qp.onDidHide(() => resolve([]));
    });
    qp.dispose();
    const errors: string[] = [];
    for (const p of picked) {
      const err = p.option ? await this.choose(p.option) : p.uri ? await this.addFile(p.uri) : undefined;
      if (err) errors.push(err);
    }
    return errors.length ? errors.join(' ') : undefined;
  }
}

/** A document's text as the editor has it (unsaved changes included), or the file's. */
async function readText(uri: vscode.Uri): Promise<{ text: string; languageId: string }> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { text: open.getText(), languageId: open.languageId };
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.type & vscode.FileType.Directory) throw new Error('it is a folder; attach the files in it');
  if (stat.size > MAX_ATTACH_BYTES) throw new Error(`it is ${(stat.size / 1024 / 1024).toFixed(1)} MB, more than the ${MAX_ATTACH_BYTES / 1024 / 1024} MB that can be attached`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.includes(0)) throw new Error('it is not a text file');
  const doc = await vscode.workspace.openTextDocument(uri);
  return { text: doc.getText(), languageId: doc.languageId };
}

/** The sidebar chat: a webview view that renders the ChatSession and forwards the user's actions. */
import * as vscode from 'vscode';
import { assertNever, type HostToWebview, isSafeExternalLink, parseWebviewMessage, TRASH_DAYS, type WebviewToHost } from '../../protocol';
import { newId } from '../../chat/model';
import type { ChatSession } from '../../chat/session';
import { ChatPresenter } from './presenter';
import type { ContextAttachments } from './context';
import { exportFileName, fromMarkdown, importedTitle, MAX_IMPORT_BYTES, openableUri, TranscriptError } from '../../chat/transcript';
import { isOpenableSetting } from '../../chat/statusText';
import { chatHtml, nonce } from './html';

export interface EditorActions {
  /** What is attached to the next message. */
  context: ContextAttachments;
  insertCode(code: string): Promise<void>;
  replaceSelection(code: string): Promise<void>;
  /** A slash command (/explain, /fix, /tests, /doc) as the message to send, or why it cannot be. */
  slash?(text: string): { text: string; system?: string; label: string } | { error: string } | undefined;
}

/** A model of the picker: its setting name, a friendly label ("Qwen3 32B"), its Space, and whether it is the default. */
export interface ModelChoice {
  name: string;
  space: string;
  label?: string;
  isDefault?: boolean;
}

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'qwenChat.chatView';
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The input is to take the focus once the view is ready (it was asked for before it loaded). */
  private focusPending = false;
  /** The session's events as the view's messages (made with the session, on the view's first message). */
  private presenter: ChatPresenter | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: () => Promise<ChatSession>,
    private readonly editor: EditorActions,
    private readonly log: vscode.LogOutputChannel,
    private readonly models?: {
      list: () => { models: ModelChoice[]; current: string };
      pick: (model: string) => Thenable<void>;
    },
    /** Fetches an image the user agreed to load, as a data: URL. */
    private readonly fetchImage?: (src: string) => Promise<string>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    view.webview.html = chatHtml({
      cspSource: view.webview.cspSource,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css')).toString(),
      codiconUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
      katexUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'katex.js')).toString(),
      nonce: nonce(),
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseWebviewMessage(raw);
        if (!msg) {
          this.log.warn(`ignored a malformed message from the chat view`);
          return;
        }
        this.handle(msg).catch((err: unknown) => this.log.error(`chat view: ${String(err)}`));
      }),
      // Shown again: a cheap look at the history folder, for what another window saved meanwhile.
      view.onDidChangeVisibility(() => {
        if (view.visible) void this.session().then((s) => s.refreshFromDisk()).catch((err: unknown) => this.log.error(`history: ${String(err)}`));
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
    );
  }

  /** Posts to the view if it is showing; when it is not, the next `ready` sends the whole state. */
  post(m: HostToWebview): void {
    if (this.view && this.ready) void this.view.webview.postMessage(m);
  }

  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
  }

  /** Shows the view with the cursor in its input (Qwen: Focus Chat Input, Ctrl+Alt+I). */
  async focusInput(): Promise<void> {
    await this.reveal();
    if (this.ready) this.post({ type: 'focusInput' });
    else this.focusPending = true;
  }

  /** After Insert or Replace the editor takes the focus, so the review's keys (Ctrl+Enter keeps) work at once. */
  private async focusEditor(): Promise<void> {
    const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (ed) await vscode.window.showTextDocument(ed.document, { viewColumn: ed.viewColumn, preserveFocus: false, preview: false });
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    this.log.trace(`chat view: ${msg.type}`);
    const session = await this.session();
    this.presenter ??= new ChatPresenter(session, (m) => this.post(m));
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post(await this.presenter.init());
        if (this.models) this.post({ type: 'models', ...this.models.list() });
        this.post(this.editor.context.view());
        if (this.focusPending) this.post({ type: 'focusInput' });
        this.focusPending = false;
        return;
      case 'loadImage': {
        let host = '';
        try {
          const u = new URL(msg.src);
          if (u.protocol !== 'https:') throw new Error('not https');
          host = u.host;
        } catch {
          this.post({ type: 'image', id: msg.id, error: 'Only https images load.' });
          return;
        }
        const ok = await vscode.window.showWarningMessage(
          `Load the image from ${host}?`,
          { modal: true, detail: `Loading it contacts ${host} and tells it your IP address:\n${msg.src}` },
          'Load image',
        );
        if (ok !== 'Load image' || !this.fetchImage) {
          this.post({ type: 'image', id: msg.id, error: `Not loaded from ${host}.` });
          return;
        }
        try {
          this.post({ type: 'image', id: msg.id, dataUrl: await this.fetchImage(msg.src) });
        } catch (err) {
          this.post({ type: 'image', id: msg.id, error: `The image from ${host} did not load: ${err instanceof Error ? err.message : String(err)}` });
        }
        return;
      }
      case 'pickModel':
        if (this.models?.list().models.some((m) => m.name === msg.model)) await this.models.pick(msg.model);
        return;
      case 'chooseModel':
        return this.chooseModel();
      case 'addEndpoint':
        return void vscode.commands.executeCommand('qwenChat.addEndpoint');
      case 'openSetting':
        if (isOpenableSetting(msg.setting)) await vscode.commands.executeCommand('workbench.action.openSettings', msg.setting);
        return;
      case 'send': {
        const slash = this.editor.slash?.(msg.text);
        if (slash && 'error' in slash) {
          this.post({ type: 'draft', text: msg.text });
          void vscode.window.showInformationMessage(`Qwen: ${slash.error}`);
          return;
        }
        const context = await this.editor.context.take();
        if (slash) return session.sendOrQueue(slash.text, { label: slash.label, context, ...(slash.system ? { system: slash.system } : {}) });
        return session.sendOrQueue(msg.text, { context });
      }
      case 'contextOptions':
        return this.post({ type: 'contextOptions', options: this.editor.context.options() });
      case 'attachContext':
        return this.said(await this.editor.context.choose(msg.option));
      case 'pickContext':
        return this.said(await this.editor.context.pickFiles());
      case 'removeContext':
        return this.editor.context.remove(msg.id);
      case 'openAttachment': {
        const a = session.attachment(msg.turnId, msg.index);
        if (!a) return;
        const range = a.lines ? new vscode.Range(a.lines.start - 1, 0, a.lines.end - 1, Number.MAX_SAFE_INTEGER) : undefined;
        try {
          if (!openableUri(a.uri)) throw new Error('not a file');
          await vscode.window.showTextDocument(vscode.Uri.parse(a.uri, true), { ...(range ? { selection: range } : {}), preview: true });
        } catch {
          // The file is gone or moved: show what was sent, so it is not lost.
          const doc = await vscode.workspace.openTextDocument({ content: a.text, language: a.languageId || 'plaintext' });
          await vscode.window.showTextDocument(doc, { preview: true });
          void vscode.window.showInformationMessage(`${a.path} could not be opened; this is the text that was attached.`);
        }
        return;
      }
      case 'exportConversation':
        return this.exportConversation(session, msg.id);
      case 'importConversation':
        return this.importConversation(session);
      case 'restoreConversation':
        if (!(await session.restore(msg.id))) void vscode.window.showWarningMessage('That conversation is no longer in the trash.');
        return;
      case 'deleteForever': {
        const title = await session.titleOf(msg.id);
        const ok = await vscode.window.showWarningMessage(`Delete "${title ?? 'Untitled'}" for good?`, { modal: true, detail: 'It cannot be restored afterwards.' }, 'Delete for Good');
        if (ok === 'Delete for Good') await session.deleteForever(msg.id);
        return;
      }
      case 'emptyTrash': {
        const n = (await session.trash()).length;
        if (!n) return;
        const ok = await vscode.window.showWarningMessage(`Delete the ${n === 1 ? 'conversation' : `${n} conversations`} in the trash for good?`, { modal: true, detail: 'They cannot be restored afterwards.' }, 'Empty Trash');
        if (ok === 'Empty Trash') await session.emptyTrash();
        return;
      }
      case 'cancelQueued':
        return session.cancelQueued(msg.id);
      case 'resumeQueue':
        return session.resumeQueue();
      case 'stop':
        return session.stop();
      case 'skipWait':
        return session.skipWait();
      case 'regenerate':
      case 'retry':
        return session.regenerate();
      case 'edit':
        return session.edit(msg.turnId, msg.text);
      case 'searchHistory': {
        const hits = await session.searchHits(msg.query);
        return this.post({ type: 'historyMatches', query: msg.query, ids: hits.map((h) => h.id), snippets: hits.flatMap((h) => (h.snippet ? [{ id: h.id, snippet: h.snippet }] : [])) });
      }
      case 'renameConversation': {
        const title = await session.titleOf(msg.id);
        const next = await vscode.window.showInputBox({ title: 'Rename conversation', value: title ?? '', prompt: 'The name shown in History', validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') });
        if (next?.trim()) await session.rename(msg.id, next);
        return;
      }
      case 'switchVersion':
        return session.showVersion(msg.turnId, msg.index);
      case 'newConversation':
        await session.newConversation();
        return this.post({ type: 'focusInput' });
      case 'openConversation':
        return session.open(msg.id);
      case 'deleteConversation': {
        // No confirmation: it goes to the trash, and the notification's Restore brings it back.
        const title = (await session.titleOf(msg.id)) ?? 'Untitled';
        await session.delete(msg.id);
        void vscode.window.showInformationMessage(`Moved "${title}" to the trash. History keeps it there for ${TRASH_DAYS} days.`, 'Restore').then(async (a) => {
          if (a === 'Restore' && !(await session.restore(msg.id))) void vscode.window.showWarningMessage(`"${title}" is no longer in the trash.`);
        });
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        vscode.window.setStatusBarMessage('Copied to the clipboard', 2000);
        return;
      // The editor takes the focus first, then the code lands: the review's keys work at once, and
      // nothing moves the focus after the user sees the code (and goes on to something else).
      case 'insertCode':
        await this.focusEditor();
        return this.editor.insertCode(msg.code);
      case 'replaceSelection':
        await this.focusEditor();
        return this.editor.replaceSelection(msg.code);
      case 'openLink':
        if (!isSafeExternalLink(msg.href)) {
          this.log.warn(`refused to open a link with an unsafe scheme`);
          void vscode.window.showWarningMessage('Qwen Chat only opens http, https and mailto links.');
          return;
        }
        // VS Code's own flow: it asks, showing the URL, unless the domain is trusted; then opens once.
        this.log.info(`openExternal ${msg.href.slice(0, 200)}`);
        await vscode.env.openExternal(vscode.Uri.parse(msg.href, true));
        return;
      default:
        assertNever(msg);
    }
  }

  /** An error's "Pick another model": the models in VS Code's quick pick, the current one marked. */
  private async chooseModel(): Promise<void> {
    if (!this.models) return;
    const { models, current } = this.models.list();
    const picked = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.label ?? m.name, description: [m.name === current ? 'current' : '', m.isDefault ? 'default' : ''].filter(Boolean).join(', '), detail: m.space, name: m.name })),
      { title: 'Pick another model', placeHolder: 'The model to ask (then Retry)' },
    );
    if (picked) await this.models.pick(picked.name);
  }

  /** Shows what went wrong with an action the user took in the view, if anything did. */
  said(problem: string | undefined): void {
    if (problem) void vscode.window.showWarningMessage(`Qwen: ${problem}`);
  }

  /** Asks where, then writes the conversation as Markdown (see transcript.ts). */
  async exportConversation(session: ChatSession, id: string): Promise<void> {
    const ex = await session.exportMarkdown(id);
    if (!ex) return void vscode.window.showWarningMessage('That conversation could not be read.');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Export "${ex.title}" as Markdown`,
      saveLabel: 'Export',
      filters: { Markdown: ['md'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, exportFileName(ex.title)) } : {}),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(ex.markdown));
    this.log.info(`exported a conversation to ${target.toString()}`);
    const open = await vscode.window.showInformationMessage(`Exported "${ex.title}" to ${vscode.workspace.asRelativePath(target, false)}.`, 'Open');
    if (open === 'Open') await vscode.window.showTextDocument(target);
  }

  /** Asks for a file that Export wrote, and opens it as a new conversation. */
  async importConversation(session: ChatSession): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import a conversation exported by Qwen Chat',
      openLabel: 'Import',
      canSelectMany: false,
      filters: { Markdown: ['md', 'markdown'], 'All files': ['*'] },
      ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
    });
    const file = picked?.[0];
    if (!file) return;
    const name = vscode.workspace.asRelativePath(file, false);
    try {
      const stat = await vscode.workspace.fs.stat(file);
      if (stat.size > MAX_IMPORT_BYTES) throw new TranscriptError(`it is ${(stat.size / 1024 / 1024).toFixed(0)} MB, larger than any conversation Qwen Chat exports.`);
      const c = fromMarkdown(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), newId);
      c.title = importedTitle(c.title);
      await session.importConversation(c);
      void vscode.window.showInformationMessage(`Imported "${c.title}" (${c.turns.length} messages) from ${name}.`);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.log.warn(`import of ${name} failed: ${why}`);
      void vscode.window.showErrorMessage(`Qwen Chat could not import ${name}: ${why}`);
    }
  }

  dispose(): void {
    this.presenter?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The sidebar chat: a webview view that renders the ChatSession and forwards the user's actions. */
import * as vscode from 'vscode';
import { activeEditor } from '../editor/target';
import type { ChatSession } from '../../chat/session';
import { isOpenableSetting } from '../../chat/statusText';
import { assertNever, type HostToWebview, parseWebviewMessage, type WebviewToHost } from '../../protocol';
import {
  chooseModel,
  copyText,
  deleteForever,
  emptyTrash,
  exportConversation,
  importConversation,
  loadImage,
  type ModelList,
  openAttachment,
  openLink,
  renameConversation,
  restoreConversation,
  trashConversation,
} from './actions';
import type { ContextAttachments } from './context';
import { chatHtml, nonce } from './html';
import { ChatPresenter } from './presenter';

export interface EditorActions {
  /** What is attached to the next message. */
  context: ContextAttachments;
  insertCode(code: string): Promise<void>;
  replaceSelection(code: string): Promise<void>;
  /** A slash command (/explain, /fix, /tests, /doc) as the message to send, or why it cannot be. */
  slash?(text: string): { text: string; system?: string; label: string } | { error: string } | undefined;
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
    private readonly models?: ModelList,
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
    const ed = activeEditor();
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
      case 'loadImage':
        return this.post({ type: 'image', id: msg.id, ...(await loadImage(msg.src, this.fetchImage)) });
      case 'pickModel':
        if (this.models?.list().models.some((m) => m.name === msg.model)) await this.models.pick(msg.model);
        return;
      case 'chooseModel':
        return this.models && chooseModel(this.models);
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
        return a && openAttachment(a);
      }
      case 'exportConversation':
        return exportConversation(session, msg.id, this.log);
      case 'importConversation':
        return importConversation(session, this.log);
      case 'restoreConversation':
        return restoreConversation(session, msg.id);
      case 'deleteForever':
        return deleteForever(session, msg.id);
      case 'emptyTrash':
        return emptyTrash(session);
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
      case 'renameConversation':
        return renameConversation(session, msg.id);
      case 'switchVersion':
        return session.showVersion(msg.turnId, msg.index);
      case 'newConversation':
        await session.newConversation();
        return this.post({ type: 'focusInput' });
      case 'openConversation':
        return session.open(msg.id);
      case 'deleteConversation':
        return trashConversation(session, msg.id);
      case 'copy':
        return copyText(msg.text);
      // The editor takes the focus first, then the code lands: the review's keys work at once, and
      // nothing moves the focus after the user sees the code (and goes on to something else).
      case 'insertCode':
        await this.focusEditor();
        return this.editor.insertCode(msg.code);
      case 'replaceSelection':
        await this.focusEditor();
        return this.editor.replaceSelection(msg.code);
      case 'openLink':
        return openLink(msg.href, this.log);
      default:
        assertNever(msg);
    }
  }

  /** Shows what went wrong with an action the user took in the view, if anything did. */
  said(problem: string | undefined): void {
    if (problem) void vscode.window.showWarningMessage(`Qwen: ${problem}`);
  }

  dispose(): void {
    this.presenter?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

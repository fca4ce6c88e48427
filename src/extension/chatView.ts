/** The sidebar chat: a webview view that renders the ChatSession and forwards the user's actions. */
import * as vscode from 'vscode';
import { assertNever, type HostToWebview, isSafeExternalLink, parseWebviewMessage, type WebviewToHost } from '../protocol';
import type { ChatSession } from './chatSession';
import { chatHtml, nonce } from './webviewHtml';

export interface EditorActions {
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

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: () => Promise<ChatSession>,
    private readonly editor: EditorActions,
    private readonly log: vscode.LogOutputChannel,
    private readonly models?: {
      list: () => { models: Array<{ name: string; space: string }>; current: string };
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

  private async handle(msg: WebviewToHost): Promise<void> {
    this.log.trace(`chat view: ${msg.type}`);
    const session = await this.session();
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post(await session.init());
        if (this.models) this.post({ type: 'models', ...this.models.list() });
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
      case 'send': {
        const slash = this.editor.slash?.(msg.text);
        if (slash && 'error' in slash) {
          this.post({ type: 'draft', text: msg.text });
          void vscode.window.showInformationMessage(`Qwen: ${slash.error}`);
          return;
        }
        if (slash) return session.sendOrQueue(slash.text, { label: slash.label, ...(slash.system ? { system: slash.system } : {}) });
        return session.sendOrQueue(msg.text);
      }
      case 'cancelQueued':
        return session.cancelQueued(msg.id);
      case 'stop':
        return session.stop();
      case 'regenerate':
      case 'retry':
        return session.regenerate();
      case 'edit':
        return session.edit(msg.turnId, msg.text);
      case 'searchHistory':
        return this.post({ type: 'historyMatches', query: msg.query, ids: await session.search(msg.query) });
      case 'renameConversation': {
        const title = await session.titleOf(msg.id);
        const next = await vscode.window.showInputBox({ title: 'Rename conversation', value: title ?? '', prompt: 'The name shown in History', validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') });
        if (next?.trim()) await session.rename(msg.id, next);
        return;
      }
      case 'switchVersion':
        return session.showVersion(msg.turnId, msg.index);
      case 'newConversation':
        return session.newConversation();
      case 'openConversation':
        return session.open(msg.id);
      case 'deleteConversation': {
        const title = await session.titleOf(msg.id);
        const ok = await vscode.window.showWarningMessage(`Delete the conversation "${title ?? 'Untitled'}"?`, { modal: true, detail: 'Its messages and their versions are deleted from this computer.' }, 'Delete');
        if (ok === 'Delete') await session.delete(msg.id);
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        vscode.window.setStatusBarMessage('Copied to the clipboard', 2000);
        return;
      case 'insertCode':
        return this.editor.insertCode(msg.code);
      case 'replaceSelection':
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

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The sidebar chat: its view, what is attached to the next message, the chat's Insert and
 * Replace, and the commands that act on the chat (attach, export, import, new, focus).
 */
import * as vscode from 'vscode';
import { modelLabel } from '../../chat/statusText';
import { DEFAULT_MODEL } from '../../provider/spaces';
import type { SurfaceDeps } from '../commands';
import { placeCode } from '../editor/placeCode';
import { slashRequest } from '../editor/target';
import { exportConversation, importConversation } from './actions';
import { ContextAttachments } from './context';
import { ChatViewProvider } from './provider';

export function registerChatView(context: vscode.ExtensionContext, d: SurfaceDeps): { view: ChatViewProvider; attachments: ContextAttachments; placeCode: (code: string, replace: boolean) => Promise<void> } {
  const { backend, settings, log, session, review, command } = d;
  let view: ChatViewProvider | undefined;
  const place = (code: string, replace: boolean) => placeCode(review, code, replace);
  const attachments = new ContextAttachments(context.workspaceState, (m) => view?.post(m), () => settings.value.maxPromptCharacters);
  const editorActions = {
    context: attachments,
    insertCode: (code: string) => place(code, false),
    replaceSelection: (code: string) => place(code, true),
    // /explain, /fix, /tests, /doc in the chat view: about the selection, or else the active file.
    slash: (text: string) => slashRequest(text, settings.value.explainPrompt),
  };
  const models = {
    list: () => ({ models: backend.models().map((m) => ({ name: m.id, space: m.where, label: m.family === 'space' ? modelLabel(m.id) : m.id, isDefault: m.id === DEFAULT_MODEL })), current: settings.value.model }),
    pick: (model: string) => vscode.workspace.getConfiguration('qwenChat').update('model', model, vscode.ConfigurationTarget.Global),
  };
  const v = (view = new ChatViewProvider(context.extensionUri, session, editorActions, log, models, (src) => backend.fetchImage(src)));
  context.subscriptions.push(
    settings.onChange(() => {
      v.post({ type: 'models', ...models.list() });
      v.post(attachments.view()); // the prompt budget may have changed
    }),
  );
  context.subscriptions.push(v, vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, v));

  /**
   * Attaches what `add` adds: the chat comes forward with the input focused when anything was
   * (not when the user cancelled a picker), and whatever could not be attached is said.
   */
  const attach = async (add: () => Promise<string | undefined> | string | undefined) => {
    const before = attachments.changes;
    const problem = await add();
    v.said(problem);
    if (attachments.changes === before) return;
    await v.reveal();
    v.post({ type: 'focusInput' });
  };
  command('qwenChat.addSelectionToChat', () => attach(() => attachments.addSelection()));
  // From the explorer (one file, or all that are selected), an editor tab, or the active editor.
  command('qwenChat.addFileToChat', (arg, all) => {
    const uris = Array.isArray(all) && all.length ? (all as vscode.Uri[]) : arg instanceof vscode.Uri ? [arg] : vscode.window.activeTextEditor ? [vscode.window.activeTextEditor.document.uri] : [];
    if (!uris.length) return attach(() => attachments.pickFiles());
    return attach(async () => {
      const problems: string[] = [];
      for (const u of uris) {
        const p = await attachments.addFile(u);
        if (p) problems.push(p);
      }
      return problems.join(' ') || undefined;
    });
  });
  command('qwenChat.exportConversation', async () => {
    const s = await session();
    if (!s.conversation.turns.length) return void vscode.window.showInformationMessage('This conversation is empty: there is nothing to export yet.');
    await exportConversation(s, s.conversation.id, log);
  });
  command('qwenChat.importConversation', async () => {
    await v.reveal();
    await importConversation(await session(), log);
  });
  // The user asked for a new conversation: it is for typing in, so the input gets the focus (always;
  // the session itself never moves the focus, as code calling it may be working in an editor).
  command('qwenChat.newConversation', async () => {
    await v.reveal();
    await (await session()).newConversation();
    v.post({ type: 'focusInput' });
  });
  command('qwenChat.focusInput', () => v.focusInput());
  return { view: v, attachments, placeCode: place };
}

/**
 * activate() only composes: the settings, the backend, the chat session (made the first time the
 * view or a command needs it), then one registration per surface (the sidebar, the editor
 * commands, VS Code's Chat) and the model and key commands. Every registration goes into
 * context.subscriptions.
 */
import * as vscode from 'vscode';
import { ChatSession } from '../chat/session';
import { HistoryStore } from '../chat/store';
import { Backend, TOKEN_KEY } from './backend';
import type { ContextAttachments } from './chatView/context';
import { registerChatView } from './chatView/register';
import { checkModels } from './checkModels';
import { commandRegistrar } from './commands';
import { registerDemoFaults } from './demoFaults';
import { registerEditorCommands } from './editor/register';
import { ReviewController } from './editor/review';
import { addEndpoint, type AddEndpointArgs, removeEndpoint } from './endpoints';
import { SettingsStore } from './settings';
import { registerVsCodeChat } from './vscodeChat/register';

export interface QwenChatApi {
  session: () => Promise<ChatSession>;
  /** The chat view's Insert and Replace selection actions (for tests). */
  placeCode: (code: string, replace: boolean) => Promise<void>;
  /** Changes awaiting Keep / Undo (for tests). */
  review: ReviewController;
  /** What is attached to the next chat message (for tests). */
  attachments: ContextAttachments;
}

export function activate(context: vscode.ExtensionContext): QwenChatApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Qwen Chat', { log: true });
  const settings = new SettingsStore();
  context.subscriptions.push(log, settings);
  // Restricted Mode: package.json's restrictedConfigurations keep a workspace from redirecting prompts.
  log.info(`activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'})`);
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('workspace trusted')));

  const backend = new Backend(context.secrets, settings, log);
  context.subscriptions.push(backend);

  let sessionPromise: Promise<ChatSession> | undefined;
  const session = () =>
    (sessionPromise ??= (async () => {
      // Every window's extension host has its own store on this folder: it watches for the others' changes.
      const store = new HistoryStore(vscode.Uri.joinPath(context.globalStorageUri, 'conversations').fsPath, {
        onError: (e) => log.error(`history: ${String(e)}`),
        watch: true,
      });
      const s = new ChatSession({
        store,
        backend: { stream: (messages, { signal, onAttempt }) => backend.stream(messages, signal, { onAttempt }) },
        log,
        systemPrompt: () => settings.value.systemPrompt,
        maxPromptChars: () => settings.value.maxPromptCharacters,
      });
      // Escape and Qwen: Stop answer while an answer streams.
      const answering = (busy: boolean) => void vscode.commands.executeCommand('setContext', 'qwenChat.answering', busy);
      context.subscriptions.push(s.onDidChange((e) => (e.type === 'busy' ? answering(e.busy) : e.type === 'reset' && answering(e.snapshot.busy))));
      await s.reopenLast();
      context.subscriptions.push(s.followOtherWindows(), { dispose: () => void s.dispose().finally(() => store.close()) });
      return s;
    })());

  const review = new ReviewController(log, () => settings.value.reviewChanges);
  context.subscriptions.push(review);
  const command = commandRegistrar(context, log);

  const chat = registerChatView(context, { backend, settings, log, session, review, command });
  const editor = registerEditorCommands({ backend, settings, log, session, review, command, revealChat: () => chat.view.reveal() });
  // Stops whatever is running: a Generate at Cursor, and the chat's answer.
  command('qwenChat.stop', async () => {
    editor.stopGenerating();
    if (sessionPromise) (await sessionPromise).stop();
  });
  command('qwenChat.setToken', async () => {
    const value = await vscode.window.showInputBox({
      title: 'Hugging Face token',
      prompt: 'Optional: a token raises your quota and opens private Spaces. It is kept in VS Code\'s secret storage.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (!v.trim() || /^hf_[A-Za-z0-9]{10,}$/.test(v.trim()) ? undefined : 'A Hugging Face token starts with hf_'),
    });
    if (!value?.trim()) return;
    await context.secrets.store(TOKEN_KEY, value.trim());
    void vscode.window.showInformationMessage('Hugging Face token saved.');
  });
  command('qwenChat.clearToken', async () => {
    await context.secrets.delete(TOKEN_KEY);
    void vscode.window.showInformationMessage('Hugging Face token removed.');
  });
  command('qwenChat.showLog', () => log.show());
  command('qwenChat.checkModels', async () => {
    const s = settings.value;
    await checkModels({ spaces: s.spaces, hubUrl: s.hubUrl || undefined, ...backend.httpOptions(), hfToken: await backend.hfToken(), log, backend });
  });
  command('qwenChat.addEndpoint', (arg) => addEndpoint(backend, context.secrets, log, (arg && typeof arg === 'object' ? arg : {}) as AddEndpointArgs));
  command('qwenChat.removeEndpoint', (arg) => removeEndpoint(backend, log, typeof arg === 'string' ? arg : undefined));

  registerDemoFaults(context);
  registerVsCodeChat(context, backend, settings, log);

  log.info(`activate() took ${(performance.now() - started).toFixed(1)} ms`);
  // Tests in a real VS Code reach the session through the extension's exports.
  return { session, placeCode: chat.placeCode, review, attachments: chat.attachments };
}

export function deactivate(): void {
  // Disposables in context.subscriptions save the history and stop streams.
}

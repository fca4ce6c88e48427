/**
 * activate() only wires things: every registration goes into context.subscriptions, and the
 * chat session is created the first time the view or a command needs it.
 */
import * as vscode from 'vscode';
import type { ChatMessage } from '../provider/prompt';
import { DEFAULT_MODEL } from '../provider/spaces';
import { Backend, TOKEN_KEY } from './backend';
import { addEndpoint, type AddEndpointArgs, removeEndpoint } from './endpoints';
import { checkModels } from './checkModels';
import { registerDemoFaults } from './demoFaults';
import { endpointChatModels, QwenChatModels, spaceModels } from './vscodeChat/languageModels';
import { registerParticipant } from './vscodeChat/participant';
import { ChatSession } from '../chat/session';
import { exportConversation, importConversation } from './chatView/actions';
import { ChatViewProvider } from './chatView/provider';
import { ContextAttachments } from './chatView/context';
import { generateAtCursor } from './editor/generate';
import { placeCode } from './editor/placeCode';
import { codeTarget, slashRequest } from './editor/target';
import { HistoryStore } from '../chat/store';
import { explainMessage } from '../chat/prompts';
import { modelLabel } from '../chat/statusText';
import { ReviewController } from './editor/review';
import { SettingsStore } from './settings';


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
  const stream = (messages: ChatMessage[], signal: AbortSignal, defaultSystem?: string, model?: string) => backend.stream(messages, signal, { defaultSystem, model });

  let view: ChatViewProvider | undefined;
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

  const placeCodeHere = (code: string, replace: boolean) => placeCode(review, code, replace);
  const attachments = new ContextAttachments(context.workspaceState, (m) => view?.post(m), () => settings.value.maxPromptCharacters);
  const editorActions = {
    context: attachments,
    insertCode: (code: string) => placeCodeHere(code, false),
    replaceSelection: (code: string) => placeCodeHere(code, true),
    // /explain, /fix, /tests, /doc in the chat view: about the selection, or else the active file.
    slash: (text: string) => slashRequest(text, settings.value.explainPrompt),
  };
  const models = {
    list: () => ({ models: backend.models().map((m) => ({ name: m.id, space: m.where, label: m.family === 'space' ? modelLabel(m.id) : m.id, isDefault: m.id === DEFAULT_MODEL })), current: settings.value.model }),
    pick: (model: string) => vscode.workspace.getConfiguration('qwenChat').update('model', model, vscode.ConfigurationTarget.Global),
  };
  const fetchImage = (src: string) => backend.fetchImage(src);
  view = new ChatViewProvider(context.extensionUri, session, editorActions, log, models, fetchImage);
  context.subscriptions.push(settings.onChange(() => {
    view?.post({ type: 'models', ...models.list() });
    view?.post(attachments.view()); // the prompt budget may have changed
  }));
  context.subscriptions.push(view, vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, view));

  const command = (id: string, fn: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await fn(...args);
        } catch (err) {
          log.error(`${id}: ${err instanceof Error ? err.message : String(err)}`);
          void vscode.window.showErrorMessage(`Qwen Chat: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );

  command('qwenChat.explainSelection', async () => {
    const t = codeTarget({ wholeFile: false, editor: vscode.window.activeTextEditor });
    if (!t) return void vscode.window.showInformationMessage('Select some code to explain first.');
    const s = await session();
    await view!.reveal();
    await s.send(explainMessage(t.code, t.language, t.file), { system: settings.value.explainPrompt, label: 'Explain selection' });
  });
  // An optional { instruction } argument skips the input box (keybindings with args, tests).
  let generating: vscode.CancellationTokenSource | undefined;
  command('qwenChat.generateAtCursor', (arg) => {
    const instruction = typeof (arg as { instruction?: unknown })?.instruction === 'string' ? (arg as { instruction: string }).instruction : undefined;
    return generateAtCursor({
      stream: (m, signal) => stream(m, signal),
      systemPrompt: settings.value.generatePrompt,
      log,
      instruction,
      running: (cts) => {
        generating = cts;
        void vscode.commands.executeCommand('setContext', 'qwenChat.generating', cts !== undefined);
      },
      toChat: async (question, answer, note, by) => (await session()).record(question, answer, { label: 'Generate at Cursor', note, ...by }),
      review,
    });
  });
  /**
   * Attaches what `add` adds: the chat comes forward with the input focused when anything was
   * (not when the user cancelled a picker), and whatever could not be attached is said.
   */
  const attach = async (add: () => Promise<string | undefined> | string | undefined) => {
    const before = attachments.changes;
    const problem = await add();
    view!.said(problem);
    if (attachments.changes === before) return;
    await view!.reveal();
    view!.post({ type: 'focusInput' });
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
    await view!.reveal();
    await importConversation(await session(), log);
  });
  // The user asked for a new conversation: it is for typing in, so the input gets the focus (always;
  // the session itself never moves the focus, as code calling it may be working in an editor).
  command('qwenChat.newConversation', async () => {
    await view!.reveal();
    await (await session()).newConversation();
    view!.post({ type: 'focusInput' });
  });
  command('qwenChat.focusInput', () => view!.focusInput());
  // Stops whatever is running: a Generate at Cursor, and the chat's answer.
  command('qwenChat.stop', async () => {
    generating?.cancel();
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

  // VS Code's own Chat: Qwen's models in the model picker (with tool calling), and @qwen.
  // Each model's last known state (the router's memory, Check Models) shows in VS Code's picker.
  const lmProvider = new QwenChatModels((messages, signal, model, tools) => backend.stream(messages, signal, { model, tools }), log, {
    // The model chosen in the settings comes first, so VS Code's picker starts on it.
    models: () => {
      const all = [...spaceModels(), ...endpointChatModels(backend.models())];
      return [...all.filter((m) => m.id === settings.value.model), ...all.filter((m) => m.id !== settings.value.model)];
    },
    health: (m) => backend.health.describe(m),
    onDidChangeHealth: backend.onDidChangeModels,
  });
  context.subscriptions.push(lmProvider, vscode.lm.registerLanguageModelChatProvider(QwenChatModels.vendor, lmProvider), settings.onChange(() => lmProvider.changed()));
  // Models are loaded only when something asks: say they are there, and ask once, so the chat's
  // picker offers and selects one by itself.
  lmProvider.changed();
  void Promise.resolve(vscode.lm.selectChatModels({ vendor: QwenChatModels.vendor })).catch(() => undefined);
  registerDemoFaults(context);
  context.subscriptions.push(
    registerParticipant(context, (messages, signal, model) => stream(messages, signal, undefined, model), () => settings.value, log, { where: (m) => backend.models().find((x) => x.id === m)?.where ?? m }),
  );

  log.info(`activate() took ${(performance.now() - started).toFixed(1)} ms`);
  // Tests in a real VS Code reach the session through the extension's exports.
  return { session, placeCode: placeCodeHere, review, attachments };
}

export function deactivate(): void {
  // Disposables in context.subscriptions save the history and stop streams.
}

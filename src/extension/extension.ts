/**
 * activate() only wires things: every registration goes into context.subscriptions, and the
 * chat session is created the first time the view or a command needs it.
 */
import * as vscode from 'vscode';
import { Http, redactUrl } from '../provider/gradio/http';
import type { ChatMessage } from '../provider/prompt';
import { DEFAULT_MODEL, MODELS, QwenSpaces, spaceFor, urlFor } from '../provider/spaces';
import { checkSpaces } from './checkSpaces';
import { QwenChatModels } from './languageModels';
import { registerParticipant } from './participant';
import { ChatSession } from './chatSession';
import { ChatViewProvider } from './chatView';
import { ContextAttachments } from './context';
import { generateAtCursor } from './generate';
import { Placement } from './insertion';
import { HistoryStore } from './historyStore';
import { explainMessage, parseSlash, SLASH_COMMANDS, slashMessage } from './prompts';
import { modelLabel } from './statusText';
import { ReviewController } from './review';
import { SettingsStore } from './settings';

const TOKEN_KEY = 'qwenChat.huggingFaceToken';
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

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

  let token: string | undefined;
  let tokenLoaded = false;
  const getToken = async () => {
    if (!tokenLoaded) {
      token = await context.secrets.get(TOKEN_KEY);
      tokenLoaded = true;
    }
    return token;
  };
  context.subscriptions.push(context.secrets.onDidChange((e) => e.key === TOKEN_KEY && (tokenLoaded = false)));

  /** The provider with the current settings, proxy and token; the one way out to the Space. */
  async function* stream(messages: ChatMessage[], signal: AbortSignal, defaultSystem?: string, model?: string) {
    const s = settings.value;
    const hfToken = await getToken();
    const m = model ?? s.model;
    log.info(
      `asking ${m} at ${redactUrl(urlFor(m, s.spaces))} (fallback ${s.fallback ? 'on' : 'off'}; proxy: ${s.proxy.proxy ? redactUrl(s.proxy.proxy) : s.proxy.source}; token: ${hfToken ? 'set' : 'none'})`,
    );
    yield* QwenSpaces.stream(m, messages, {
      spaces: s.spaces,
      fallback: s.fallback,
      ...(s.fallbackOrder.length ? { fallbackOrder: s.fallbackOrder } : {}),
      ...(s.hubUrl ? { hubUrl: s.hubUrl } : {}),
      signal,
      proxy: s.proxy.proxy,
      noProxy: s.proxy.noProxy,
      strictSSL: s.proxy.strictSSL,
      hfToken,
      idleTimeoutMs: s.requestTimeoutSeconds * 1000,
      defaultSystemPrompt: defaultSystem,
    });
  }

  let view: ChatViewProvider | undefined;
  let sessionPromise: Promise<ChatSession> | undefined;
  const session = () =>
    (sessionPromise ??= (async () => {
      const store = new HistoryStore(vscode.Uri.joinPath(context.globalStorageUri, 'conversations').fsPath, {
        onError: (e) => log.error(`history: ${String(e)}`),
      });
      const s = new ChatSession({
        store,
        backend: { stream: (messages, { signal }) => stream(messages, signal) },
        post: (m) => {
          if (m.type === 'busy' || m.type === 'init') void vscode.commands.executeCommand('setContext', 'qwenChat.answering', m.busy);
          view?.post(m);
        },
        log,
        systemPrompt: () => settings.value.systemPrompt,
        maxPromptChars: () => settings.value.maxPromptCharacters,
      });
      await s.reopenLast();
      context.subscriptions.push({ dispose: () => void s.dispose() });
      return s;
    })());

  const review = new ReviewController(log, () => settings.value.reviewChanges);
  context.subscriptions.push(review);

  /** Puts code at the cursor or over the selection, placed as Generate at Cursor places it, for review. */
  async function placeCode(code: string, replace: boolean): Promise<void> {
    const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!ed) return void vscode.window.showInformationMessage(replace ? 'Open a file and select the code to replace.' : 'Open a file to insert the code into.');
    const range = replace ? new vscode.Range(ed.selection.start, ed.selection.end) : new vscode.Range(ed.selection.active, ed.selection.active);
    const doc = ed.document;
    const before = doc.lineAt(range.start.line).text.slice(0, range.start.character);
    const after = doc.lineAt(range.end.line).text.slice(range.end.character);
    const oldText = doc.getText(range);
    let text = Placement.place(before, after, code, true, oldText);
    if (doc.eol === vscode.EndOfLine.CRLF) text = text.replace(/\r?\n/g, '\r\n');
    const start = doc.offsetAt(range.start);
    if (!(await ed.edit((b) => b.replace(range, text)))) throw new Error('the editor refused the edit (is the file read-only?)');
    const placed = new vscode.Range(doc.positionAt(start), doc.positionAt(start + text.length));
    review.show(doc, placed, oldText, replace ? 'replace' : 'insert', replace ? 'Replace selection, from the chat' : 'Insert, from the chat');
  }
  const attachments = new ContextAttachments(context.workspaceState, (m) => view?.post(m), () => settings.value.maxPromptCharacters);
  const editorActions = {
    context: attachments,
    insertCode: (code: string) => placeCode(code, false),
    replaceSelection: (code: string) => placeCode(code, true),
    // /explain, /fix, /tests, /doc in the chat view: about the selection, or else the active file.
    slash: (text: string) => {
      const cmd = parseSlash(text);
      if (!cmd) return undefined;
      const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
      if (!ed) return { error: `/${cmd.command} works on the selection or the active file: open a file first. Your message is back in the input.` };
      const code = ed.selection.isEmpty ? ed.document.getText() : ed.document.getText(ed.selection);
      const file = vscode.workspace.asRelativePath(ed.document.uri, false);
      const label = `${SLASH_COMMANDS[cmd.command].label}${ed.selection.isEmpty ? ` (${file})` : ''}`;
      return { text: slashMessage(cmd.command, cmd.rest, code, ed.document.languageId, file), label, ...(cmd.command === 'explain' ? { system: settings.value.explainPrompt } : {}) };
    },
  };
  const models = {
    list: () => ({ models: MODELS.map((name) => ({ name, space: spaceFor(name).shape.spaceId, label: modelLabel(name), isDefault: name === DEFAULT_MODEL })), current: settings.value.model }),
    pick: (model: string) => vscode.workspace.getConfiguration('qwenChat').update('model', model, vscode.ConfigurationTarget.Global),
  };
  const fetchImage = async (src: string): Promise<string> => {
    const s = settings.value;
    const http = new Http({ proxy: s.proxy.proxy, noProxy: s.proxy.noProxy, strictSSL: s.proxy.strictSSL, idleTimeoutMs: 20_000 });
    try {
      const res = await http.send(src, { accept: 'image/png,image/jpeg,image/gif,image/webp', what: 'loading the image' });
      const type = String(res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!/^image\/(png|jpeg|gif|webp)$/.test(type)) throw new Error(`it is ${type || 'of no stated type'}, not a PNG, JPEG, GIF or WebP image`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > MAX_IMAGE_BYTES) throw new Error(`it is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
        chunks.push(c as Buffer);
      }
      return `data:${type};base64,${Buffer.concat(chunks).toString('base64')}`;
    } finally {
      await http.close();
    }
  };
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
    const ed = vscode.window.activeTextEditor;
    if (!ed || ed.selection.isEmpty) {
      void vscode.window.showInformationMessage('Select some code to explain first.');
      return;
    }
    const code = ed.document.getText(ed.selection);
    const file = vscode.workspace.asRelativePath(ed.document.uri, false);
    const s = await session();
    await view!.reveal();
    await s.send(explainMessage(code, ed.document.languageId, file), { system: settings.value.explainPrompt, label: 'Explain selection' });
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
    await view!.exportConversation(s, s.conversation.id);
  });
  command('qwenChat.importConversation', async () => {
    await view!.reveal();
    await view!.importConversation(await session());
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
  command('qwenChat.checkSpaces', async () => {
    const s = settings.value;
    await checkSpaces({ spaces: s.spaces, hubUrl: s.hubUrl || undefined, proxy: s.proxy.proxy, noProxy: s.proxy.noProxy, strictSSL: s.proxy.strictSSL, hfToken: await getToken(), log });
  });

  // VS Code's own Chat: Qwen's models in the model picker (with tool calling), and @qwen.
  const lmProvider = new QwenChatModels((messages, signal, model) => stream(messages, signal, undefined, model), log);
  context.subscriptions.push(lmProvider, vscode.lm.registerLanguageModelChatProvider(QwenChatModels.vendor, lmProvider), settings.onChange(() => lmProvider.changed()));
  // Models are loaded only when something asks: say they are there, and ask once, so the chat's
  // picker offers and selects one by itself.
  lmProvider.changed();
  void Promise.resolve(vscode.lm.selectChatModels({ vendor: QwenChatModels.vendor })).catch(() => undefined);
  context.subscriptions.push(registerParticipant(context, (messages, signal, model) => stream(messages, signal, undefined, model), () => settings.value, log));

  log.info(`activate() took ${(performance.now() - started).toFixed(1)} ms`);
  // Tests in a real VS Code reach the session through the extension's exports.
  return { session, placeCode, review, attachments };
}

export function deactivate(): void {
  // Disposables in context.subscriptions save the history and stop streams.
}

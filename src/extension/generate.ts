/**
 * "Qwen: Generate at Cursor": streams the code of the answer into the document as it arrives
 * (through streamIntoEditor: in order, one undo step, nothing after Cancel). Only the first
 * fenced block lands; prose never does: an answer with more than that code goes to the chat.
 */
import * as vscode from 'vscode';
import { describeError, isAbort } from '../provider/errors';
import type { ChatMessage } from '../provider/prompt';
import type { ProviderEvent } from '../provider/types';
import { type EditorStreamEvent, streamIntoEditor } from './editorStream';
import { CodeStreamFilter, extractCode, Placement } from './insertion';
import { generateMessage } from './prompts';
import { statusText } from './statusText';

export type StreamFn = (messages: ChatMessage[], signal: AbortSignal) => AsyncIterable<ProviderEvent>;

export interface GenerateOptions {
  stream: StreamFn;
  systemPrompt: string;
  log: vscode.LogOutputChannel;
  instruction?: string;
  /** Cancels the running generation from elsewhere (Escape, the Stop command). */
  running?: (cts: vscode.CancellationTokenSource | undefined) => void;
  /** Where an answer that is not only code goes: the chat, with a note. */
  toChat?: (question: string, answer: string, note: string) => Promise<void>;
}

export async function generateAtCursor(opts: GenerateOptions): Promise<void> {
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
  // The code goes at the cursor (the selection is context, not replaced).
  const at = editor.selection.active;
  const line = doc.lineAt(at.line).text;
  const before = line.slice(0, at.character);
  const after = line.slice(at.character);
  const filter = new CodeStreamFilter();
  const placement = Placement.forTarget(before, '', after);
  let full = '';
  let result: { cancelled: boolean } | undefined;
  let failed: unknown;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Qwen: generating', cancellable: true },
      async (progress, progressToken) => {
        const cts = new vscode.CancellationTokenSource();
        const ac = new AbortController();
        const subs = [progressToken.onCancellationRequested(() => cts.cancel()), cts.token.onCancellationRequested(() => ac.abort())];
        opts.running?.(cts);
        async function* events(): AsyncGenerator<EditorStreamEvent> {
          for await (const ev of opts.stream(messages, ac.signal)) {
            if (ev.type === 'status') {
              const t = statusText(ev.status);
              if (t) progress.report({ message: t });
            } else if (ev.type === 'text') {
              full += ev.delta;
              const text = placement.push(filter.push(ev.delta), filter.isCode);
              if (text) yield { type: 'append', text };
            } else if (ev.type === 'rewrite' || ev.type === 'done') {
              full = ev.text; // a rewrite, or the final text: it decides what the document ends as
            }
          }
          const tail = placement.push(filter.end(), filter.isCode) + placement.end();
          if (tail && filter.isCode) yield { type: 'append', text: tail };
          // Whatever streamed, the document ends with the first code block of the final answer.
          const code = extractCode(full);
          yield { type: 'final', text: code === undefined ? '' : Placement.place(before, after, code, true) };
        }
        try {
          result = await streamIntoEditor(editor, new vscode.Range(at, at), events(), cts.token);
        } finally {
          opts.running?.(undefined);
          for (const s of subs) s.dispose();
          cts.dispose();
        }
      },
    );
  } catch (err) {
    failed = err;
  }
  if (failed === undefined && result) {
    if (result.cancelled) {
      opts.log.info('generation cancelled; what arrived stays (one Undo removes it)');
      vscode.window.setStatusBarMessage('Qwen: generation stopped; the document is final', 5_000);
      return;
    }
    opts.log.info(`generated ${full.length} characters at the cursor`);
    const f = new CodeStreamFilter();
    f.push(full);
    f.end();
    if (!f.isCode || f.outside) {
      const note = f.isCode
        ? `The first code block went into ${fileName}; the rest of the answer is here.`
        : `Qwen answered without a code block, so nothing was written into ${fileName}.`;
      await opts.toChat?.(`Generate at Cursor: ${instruction}`, full, note);
      if (!f.isCode) void vscode.window.showInformationMessage(`Qwen: ${note} The answer is in the chat.`);
    }
    vscode.window.setStatusBarMessage('Qwen: generated; the document is final', 5_000);
    return;
  }
  if (failed !== undefined) {
    if (isAbort(failed)) {
      opts.log.info('generation cancelled; what arrived stays (one Undo removes it)');
      return;
    }
    const d = describeError(failed);
    opts.log.error(`generate at cursor failed: ${d.message}`);
    const choice = await vscode.window.showErrorMessage(`Qwen: ${d.message} ${d.hint}`, ...(d.retryable ? ['Retry'] : []));
    if (choice === 'Retry') await generateAtCursor({ ...opts, instruction });
  }
}

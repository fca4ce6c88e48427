/**
 * "Qwen: Generate at Cursor": streams the code of the answer into the document as it arrives
 * (through streamIntoEditor: in order, one undo step, nothing after Cancel). Only the first
 * fenced block lands; prose never does: an answer with more than that code goes to the chat.
 * With a selection, the answer rewrites it. The change is then offered for review (Keep / Undo /
 * Regenerate, and Show Diff for a rewrite) unless `qwenChat.reviewChanges` is off.
 */
import * as vscode from 'vscode';
import { Answer } from '../../provider/answer';
import { describeError, isAbort } from '../../provider/errors';
import type { ChatMessage } from '../../provider/prompt';
import type { ProviderEvent } from '../../provider/types';
import { type EditorStreamEvent, type EditorStreamResult, streamIntoEditor } from './editorStream';
import { CodeStreamFilter, extractCode, Placement } from './insertion';
import { generateMessage } from '../../chat/prompts';
import type { ReviewController } from './review';
import { statusText } from '../../chat/statusText';

export type StreamFn = (messages: ChatMessage[], signal: AbortSignal) => AsyncIterable<ProviderEvent>;

export interface GenerateOptions {
  stream: StreamFn;
  systemPrompt: string;
  log: vscode.LogOutputChannel;
  instruction?: string;
  /** Cancels the running generation from elsewhere (Escape, the Stop command). */
  running?: (cts: vscode.CancellationTokenSource | undefined) => void;
  /** Where an answer that is not only code goes: the chat, with a note and the model that answered. */
  toChat?: (question: string, answer: string, note: string, answeredBy?: { model: string; space: string }) => Promise<void>;
  /** Offers the change for review when it is final. */
  review?: ReviewController;
  /** Where to write instead of the active editor's cursor or selection (Regenerate). */
  target?: { doc: vscode.TextDocument; range: vscode.Range };
}

export async function generateAtCursor(opts: GenerateOptions): Promise<void> {
  const editor = opts.target ? await vscode.window.showTextDocument(opts.target.doc) : vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file and place the cursor where the code should go.');
    return;
  }
  const range = opts.target?.range ?? new vscode.Range(editor.selection.start, editor.selection.end);
  const instruction =
    opts.instruction ??
    (await vscode.window.showInputBox({
      title: 'Qwen: Generate at Cursor',
      prompt: range.isEmpty ? 'What should Qwen write here?' : 'How should Qwen rewrite the selection? (you review the change before keeping it)',
      placeHolder: range.isEmpty ? 'e.g. a function that parses ISO dates' : 'e.g. add type hints',
      ignoreFocusOut: true,
    }));
  if (!instruction?.trim()) return;
  const doc = editor.document;
  // With a selection, the answer replaces it; without one, it goes in at the cursor.
  const selected = doc.getText(range);
  const fileName = vscode.workspace.asRelativePath(doc.uri, false);
  const messages: ChatMessage[] = [
    { role: 'system', content: opts.systemPrompt },
    { role: 'user', content: generateMessage(instruction, doc.languageId, fileName, selected || undefined) },
  ];
  const before = doc.lineAt(range.start.line).text.slice(0, range.start.character);
  const after = doc.lineAt(range.end.line).text.slice(range.end.character);
  const filter = new CodeStreamFilter();
  const placement = Placement.forTarget(before, selected, after);
  let cts: vscode.CancellationTokenSource | undefined;
  const review = opts.review?.begin(doc, range, {
    kind: selected ? 'replace' : 'generate',
    label: instruction,
    stop: () => cts?.cancel(),
    regenerate: async (again) => generateAtCursor({ ...opts, instruction, target: { doc, range: again } }),
  });
  let full = '';
  let answeredBy: { model: string; space: string } | undefined;
  let result: EditorStreamResult | undefined;
  let failed: unknown;
  try {
    await vscode.window.withProgress(
      // One title, then the status words: "Qwen: 2nd in queue…", "Qwen: Generating…".
      { location: vscode.ProgressLocation.Notification, title: 'Qwen', cancellable: true },
      async (progress, progressToken) => {
        progress.report({ message: range.isEmpty ? 'writing at the cursor…' : 'rewriting the selection…' });
        const source = (cts = new vscode.CancellationTokenSource());
        const subs = [progressToken.onCancellationRequested(() => source.cancel())];
        opts.running?.(source);
        const answer = new Answer((signal) => opts.stream(messages, signal), { token: source.token });
        async function* events(): AsyncGenerator<EditorStreamEvent> {
          for await (const ev of answer) {
            full = answer.text; // with a rewrite, or the final text: it decides what the document ends as
            if (ev.type === 'status') {
              const t = statusText(ev.status);
              if (t) progress.report({ message: t });
            } else if (ev.type === 'model') {
              answeredBy = { model: ev.model, space: ev.spaceId };
            } else if (ev.type === 'text') {
              const text = placement.push(filter.push(ev.delta), filter.isCode);
              if (text) yield { type: 'append', text };
            }
          }
          if (answer.state === 'error') throw answer.error;
          if (answer.state === 'stopped') return; // what arrived stays; nothing more is written
          const tail = placement.push(filter.end(), filter.isCode) + placement.end();
          if (tail && filter.isCode) yield { type: 'append', text: tail };
          // Whatever streamed, the document ends with the first code block of the final answer.
          const code = extractCode(full);
          yield { type: 'final', text: code === undefined ? selected : Placement.place(before, after, code, true, selected) };
        }
        try {
          result = await streamIntoEditor(editor, range, events(), source.token, (r) => review?.update(r));
        } finally {
          opts.running?.(undefined);
          for (const s of subs) s.dispose();
          source.dispose();
        }
      },
    );
  } catch (err) {
    failed = err;
  }
  // A change is offered for review; nothing changed (prose only, stopped before any code): no review.
  if (failed === undefined && result && !(result.text === selected && result.range.start.isEqual(range.start))) review?.ready(result.range);
  else review?.end();
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
      await opts.toChat?.(`Generate at Cursor: ${instruction}`, full, note, answeredBy);
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

/**
 * `@qwen` in VS Code's Chat view: answers with the Qwen Spaces (whatever model the picker has),
 * showing the queue with `stream.progress`, the files it was given as references, and the model
 * that answered. `/explain` and `/fix` take the selection, or the active file.
 */
import * as vscode from 'vscode';
import { describeError, isAbort } from '../provider/errors';
import type { ChatMessage } from '../provider/prompt';
import { spaceFor } from '../provider/spaces';
import { explainMessage, fixMessage } from './prompts';
import { DEFAULT_EXPLAIN_PROMPT, type Settings } from './settings';
import { statusText } from './statusText';
import type { ModelStream } from './languageModels';

export const PARTICIPANT_ID = 'qwenChat.qwen';

/** The code a slash command works on: the selection, or the whole active file. */
function target(): { code: string; language: string; file: string; location: vscode.Location | vscode.Uri } | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return undefined;
  const file = vscode.workspace.asRelativePath(ed.document.uri, false);
  if (!ed.selection.isEmpty) {
    return { code: ed.document.getText(ed.selection), language: ed.document.languageId, file, location: new vscode.Location(ed.document.uri, ed.selection) };
  }
  return { code: ed.document.getText(), language: ed.document.languageId, file, location: ed.document.uri };
}

function historyMessages(context: vscode.ChatContext): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const turn of context.history) {
    if (turn instanceof vscode.ChatRequestTurn) out.push({ role: 'user', content: turn.prompt });
    else if (turn instanceof vscode.ChatResponseTurn) {
      const text = turn.response.map((p) => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : '')).join('');
      if (text.trim()) out.push({ role: 'assistant', content: text });
    }
  }
  return out;
}

export function registerParticipant(context: vscode.ExtensionContext, stream: ModelStream, settings: () => Settings, log: vscode.LogOutputChannel): vscode.Disposable {
  const handler: vscode.ChatRequestHandler = async (request, chatContext, response, token) => {
    const s = settings();
    // The picker's model when it is one of ours; otherwise the model chosen in the settings.
    const model = request.model?.vendor === 'qwen-space' ? request.model.id : s.model;
    const messages: ChatMessage[] = [];
    let prompt = request.prompt;
    if (request.command === 'explain' || request.command === 'fix') {
      const t = target();
      if (!t) {
        response.markdown('Open a file (and select code, or not for the whole file) first.');
        return {};
      }
      response.reference(t.location);
      if (request.command === 'explain') {
        messages.push({ role: 'system', content: s.explainPrompt || DEFAULT_EXPLAIN_PROMPT });
        prompt = explainMessage(t.code, t.language, t.file) + (request.prompt.trim() ? `\n\n${request.prompt}` : '');
      } else {
        prompt = fixMessage(t.code, t.language, t.file, request.prompt);
      }
    } else if (s.systemPrompt.trim()) messages.push({ role: 'system', content: s.systemPrompt });
    for (const ref of request.references) {
      if (ref.value instanceof vscode.Uri || ref.value instanceof vscode.Location) response.reference(ref.value);
    }
    messages.push(...historyMessages(chatContext), { role: 'user', content: prompt });
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    let answered = model;
    try {
      response.progress(`Asking ${model} (${spaceFor(model).shape.spaceId})…`);
      for await (const ev of stream(messages, ac.signal, model)) {
        if (ev.type === 'status') {
          const t = statusText(ev.status);
          if (t) response.progress(t);
        } else if (ev.type === 'model') {
          answered = ev.model;
          if (ev.fallbackReason) response.progress(`${ev.fallbackReason}; ${ev.model} answers.`);
        } else if (ev.type === 'text') response.markdown(ev.delta);
        else if (ev.type === 'rewrite') response.markdown(`\n\n*(The Space rewrote its answer; the final text:)*\n\n${ev.text}`);
      }
      response.markdown(`\n\n---\n*Answered by ${answered} (${spaceFor(answered).shape.spaceId}).*`);
      return { metadata: { model: answered } };
    } catch (err) {
      if (isAbort(err) || token.isCancellationRequested) return { metadata: { model: answered, stopped: true } };
      const d = describeError(err);
      log.error(`@qwen failed: ${d.message}`);
      return { errorDetails: { message: `${d.message} ${d.hint}` } };
    } finally {
      sub.dispose();
    }
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  return participant;
}

/**
 * `@qwen` in VS Code's Chat view: answers with the Qwen Spaces (whatever model the picker has),
 * showing the queue with `stream.progress`, the files it was given as references, and the model
 * that answered. `/explain` and `/fix` take the selection, or the active file. The text goes out
 * at a human cadence (TextBatcher): VS Code renders the whole response again on every call.
 * Reasoning is not part of the answer: VS Code's thinking block needs a proposed API in a
 * participant, so a progress line says the model is thinking, and the reasoning stays out.
 */
import * as vscode from 'vscode';
import { Answer } from '../../provider/answer';
import type { ChatMessage } from '../../provider/prompt';
import { spaceFor } from '../../provider/spaces';
import { explainMessage, fixMessage } from '../../chat/prompts';
import { codeTarget, targetLocation } from '../editor/target';
import { DEFAULT_EXPLAIN_PROMPT, type Settings } from '../settings';
import { statusText } from '../../chat/statusText';
import type { ModelStream } from './languageModels';
import { answerFooter, type AnswerMetadata, historyAnswer } from './participantHistory';
import { type BatcherOptions, TextBatcher } from '../../chat/textBatcher';

export const PARTICIPANT_ID = 'qwenChat.qwen';

function historyMessages(context: vscode.ChatContext): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const turn of context.history) {
    if (turn instanceof vscode.ChatRequestTurn) out.push({ role: 'user', content: turn.prompt });
    else if (turn instanceof vscode.ChatResponseTurn) {
      const shown = turn.response.map((p) => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : '')).join('');
      // The answer only: not the footer this extension wrote under it.
      const text = historyAnswer(shown, turn.result.metadata as AnswerMetadata | undefined);
      if (text.trim()) out.push({ role: 'assistant', content: text });
    }
  }
  return out;
}

export interface ParticipantOptions {
  batching?: BatcherOptions;
  /** Where a model runs, in words (a Space id, or "Ollama at 127.0.0.1:11434"). */
  where?: (model: string) => string;
}

export function registerParticipant(
  context: vscode.ExtensionContext,
  stream: ModelStream,
  settings: () => Settings,
  log: vscode.LogOutputChannel,
  o: ParticipantOptions = {},
): vscode.Disposable {
  const whereOf = (m: string): string => {
    try {
      return o.where?.(m) ?? spaceFor(m).shape.spaceId;
    } catch {
      return m;
    }
  };
  const handler: vscode.ChatRequestHandler = async (request, chatContext, response, token) => {
    const s = settings();
    // The picker's model when it is one of ours; otherwise the model chosen in the settings.
    const model = request.model?.vendor === 'qwen-space' ? request.model.id : s.model;
    const messages: ChatMessage[] = [];
    let prompt = request.prompt;
    if (request.command === 'explain' || request.command === 'fix') {
      const t = codeTarget({ wholeFile: true });
      if (!t) {
        response.markdown('Open a file (and select code, or not for the whole file) first.');
        return {};
      }
      response.reference(targetLocation(t));
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
    let thinking = false;
    const text = new TextBatcher(
      {
        text: (t) => response.markdown(t),
        thinking: () => {
          if (thinking) return;
          thinking = true;
          response.progress('Thinking…');
        },
        restart: (note) => response.markdown(note),
      },
      o.batching,
    );
    let answered = model;
    let where: string | undefined;
    response.progress(`Asking ${model} (${whereOf(model)})…`);
    // Stop: what waits goes out first (nothing is held back), then the Space is told.
    const answer = await new Answer((signal) => stream(messages, signal, model), { token, onStop: () => text.flush() }).run({
      status: (status) => {
        const t = statusText(status);
        if (t) response.progress(t);
      },
      model: (ev) => {
        if (ev.fallbackReason) {
          text.flush();
          response.progress(`${ev.fallbackReason}; ${ev.model} answers.`);
        }
        answered = ev.model;
        where = ev.where ?? ev.spaceId;
      },
      text: (delta) => text.text(delta),
      rewrite: (t) => text.rewrite(t),
      reasoning: (delta) => text.thinking(delta),
    });
    text.end();
    const kept = text.restarts ? { answer: text.answer } : {};
    if (answer.state === 'done') {
      response.markdown(answerFooter(answered, where ?? whereOf(answered)));
      return { metadata: { model: answered, ...kept } satisfies AnswerMetadata };
    }
    if (answer.state === 'stopped') return { metadata: { model: answered, stopped: true, ...kept } satisfies AnswerMetadata };
    const d = answer.described!;
    log.error(`@qwen failed: ${d.message}`);
    return { errorDetails: { message: `${d.message} ${d.hint}` }, metadata: { model: answered, ...kept } satisfies AnswerMetadata };
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  return participant;
}

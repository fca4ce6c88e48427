/** The editor commands: Explain Selection (into the chat) and Generate at Cursor (into the document, for review). */
import * as vscode from 'vscode';
import { explainMessage } from '../../chat/prompts';
import type { SurfaceDeps } from '../commands';
import { generateAtCursor } from './generate';
import { codeTarget } from './target';

export interface EditorDeps extends SurfaceDeps {
  /** Brings the chat forward (Explain Selection answers there). */
  revealChat: () => Promise<void>;
}

/** Registers the commands; returns how to stop a running Generate at Cursor. */
export function registerEditorCommands(d: EditorDeps): { stopGenerating: () => void } {
  const { backend, settings, log, session, review, command } = d;
  command('qwenChat.explainSelection', async () => {
    const t = codeTarget({ wholeFile: false });
    if (!t) return void vscode.window.showInformationMessage('Select some code to explain first.');
    const s = await session();
    await d.revealChat();
    await s.send(explainMessage(t.code, t.language, t.file), { system: settings.value.explainPrompt, label: 'Explain selection' });
  });
  // An optional { instruction } argument skips the input box (keybindings with args, tests).
  let generating: vscode.CancellationTokenSource | undefined;
  command('qwenChat.generateAtCursor', (arg) => {
    const instruction = typeof (arg as { instruction?: unknown })?.instruction === 'string' ? (arg as { instruction: string }).instruction : undefined;
    return generateAtCursor({
      stream: (m, signal) => backend.stream(m, signal, {}),
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
  return { stopGenerating: () => generating?.cancel() };
}

/** What every surface's registration is given, and one way to register a command. */
import * as vscode from 'vscode';
import type { ChatSession } from '../chat/session';
import type { Backend } from './backend';
import type { ReviewController } from './editor/review';
import type { SettingsStore } from './settings';

/** What activate() hands each surface. */
export interface SurfaceDeps {
  backend: Backend;
  settings: SettingsStore;
  log: vscode.LogOutputChannel;
  /** The chat session, made the first time it is needed. */
  session: () => Promise<ChatSession>;
  review: ReviewController;
  command: RegisterCommand;
}

export type RegisterCommand = (id: string, fn: (...args: unknown[]) => unknown) => void;

/** Registers a command whose failure is logged and shown, never lost in a rejected promise. */
export function commandRegistrar(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): RegisterCommand {
  return (id, fn) =>
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
}

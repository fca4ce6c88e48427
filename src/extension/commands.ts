/** One way to register a command: its failure is logged and shown, never lost in a rejected promise. */
import * as vscode from 'vscode';

export type RegisterCommand = (id: string, fn: (...args: unknown[]) => unknown) => void;

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

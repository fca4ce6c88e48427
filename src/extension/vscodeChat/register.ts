/** VS Code's own Chat: Qwen's models in the model picker (with tool calling), and `@qwen`. */
import * as vscode from 'vscode';
import type { Backend } from '../backend';
import type { SettingsStore } from '../settings';
import { endpointChatModels, QwenChatModels, spaceModels } from './languageModels';
import { registerParticipant } from './participant';

export function registerVsCodeChat(context: vscode.ExtensionContext, backend: Backend, settings: SettingsStore, log: vscode.LogOutputChannel): void {
  // VS Code's own Chat: Qwen's models in the model picker (with tool calling), and @qwen.
  // Each model's last known state (the router's memory, Check Models) shows in VS Code's picker.
  const lmProvider = new QwenChatModels((messages, signal, model, tools) => backend.stream(messages, signal, { model, tools }), log, {
    // The model chosen in the settings comes first, so VS Code's picker starts on it.
    models: () => {
      // The endpoints' real context windows, once: the list changes (and is read again) when they come.
      void backend.learnContextWindows();
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
  context.subscriptions.push(
    registerParticipant(context, (messages, signal, model) => backend.stream(messages, signal, { model }), () => settings.value, log, { where: (m) => backend.models().find((x) => x.id === m)?.where ?? m }),
  );
}

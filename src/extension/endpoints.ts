/**
 * "Qwen: Add Model Endpoint…" and "Qwen: Remove Model Endpoint…": your own key (Hugging Face
 * Inference Providers, Model Studio, OpenRouter), your own machine (Ollama, LM Studio, llama.cpp)
 * or your own cluster (vLLM, SGLang, TGI). The command asks only what the choice needs, tries
 * `/models` at once and says what it found or what is wrong; the endpoint goes into the user's
 * settings (readable, editable by hand) and its key into SecretStorage, bound to its origin.
 */
import * as vscode from 'vscode';
import { describeError } from '../provider/errors';
import { listModels, type EndpointModel } from '../provider/openai/client';
import { ENDPOINT_PRESETS, type EndpointPreset, presetById } from '../provider/openai/presets';
import type { EndpointSetting } from '../provider/router';
import { type Backend, TOKEN_KEY } from './backend';

/** What a test (or a keybinding) may pass to skip the prompts. */
export interface AddEndpointArgs {
  preset?: string;
  name?: string;
  baseUrl?: string;
  apiKey?: string;
  models?: string[];
}

const OTHER = 'other';

function validUrl(v: string): string | undefined {
  try {
    const u = new URL(v.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Use an http:// or https:// URL.';
    return undefined;
  } catch {
    return 'Type the server\'s base URL, for example http://gpu-box:8000/v1';
  }
}

function freeName(base: string, taken: readonly EndpointSetting[]): string {
  if (!taken.some((e) => e.name === base)) return base;
  for (let i = 2; ; i++) if (!taken.some((e) => e.name === `${base}-${i}`)) return `${base}-${i}`;
}

async function saveEndpoints(list: EndpointSetting[]): Promise<void> {
  await vscode.workspace.getConfiguration('qwenChat').update('endpoints', list, vscode.ConfigurationTarget.Global);
}

export async function addEndpoint(backend: Backend, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel, args: AddEndpointArgs = {}): Promise<EndpointSetting | undefined> {
  let preset: EndpointPreset | undefined;
  if (args.preset) preset = presetById(args.preset);
  else if (!args.baseUrl) {
    const items: Array<vscode.QuickPickItem & { id: string }> = [
      { label: 'Your own key', kind: vscode.QuickPickItemKind.Separator, id: '' },
      ...ENDPOINT_PRESETS.filter((p) => p.key === 'required').map((p) => ({ label: p.label, description: p.baseUrl, detail: `Needs a key${p.keyEnv ? ` (${p.keyEnv})` : ''}. Qwen models: ${p.models.slice(0, 3).map((m) => m.id).join(', ')}…`, id: p.id })),
      { label: 'Your own machine', kind: vscode.QuickPickItemKind.Separator, id: '' },
      ...ENDPOINT_PRESETS.filter((p) => p.local).map((p) => ({ label: p.label, description: p.baseUrl, detail: 'No key; the server runs on this machine.', id: p.id })),
      { label: 'Your own server or cluster', kind: vscode.QuickPickItemKind.Separator, id: '' },
      ...ENDPOINT_PRESETS.filter((p) => !p.local && p.key !== 'required').map((p) => ({ label: p.label, description: 'your URL', detail: 'Your server\'s URL, and its key if it has one.', id: p.id })),
      { label: 'Other OpenAI-compatible server…', description: 'your URL', detail: 'Any server with /v1/models and /v1/chat/completions.', id: OTHER },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Qwen: Add Model Endpoint (1/3): where is Qwen served?', matchOnDetail: true, ignoreFocusOut: true });
    if (!pick) return undefined;
    preset = presetById(pick.id);
  }
  let baseUrl = args.baseUrl ?? preset?.baseUrl;
  if (!baseUrl || (!args.baseUrl && !preset?.baseUrl)) {
    baseUrl = await vscode.window.showInputBox({
      title: `Qwen: Add Model Endpoint (2/3): ${preset?.label ?? 'OpenAI-compatible server'}`,
      prompt: 'The base URL of its OpenAI-compatible API, /v1 included',
      placeHolder: 'http://gpu-box:8000/v1',
      ignoreFocusOut: true,
      validateInput: validUrl,
    });
    if (!baseUrl) return undefined;
  }
  baseUrl = baseUrl.trim().replace(/\/+$/, '');
  const name = args.name ?? freeName(preset?.id ?? OTHER, backend.endpoints);
  // The key: the Hugging Face token for the HF router; else asked where the server takes one.
  let apiKey = args.apiKey;
  if (apiKey === undefined && preset?.id === 'hf') {
    apiKey = await secrets.get(TOKEN_KEY);
    if (!apiKey) {
      apiKey = await vscode.window.showInputBox({ title: 'Qwen: Add Model Endpoint (3/3): your Hugging Face token', prompt: 'It is kept in VS Code\'s secret storage and sent only to Hugging Face over HTTPS.', password: true, ignoreFocusOut: true, validateInput: (v) => (/^hf_\w{10,}$/.test(v.trim()) ? undefined : 'A Hugging Face token starts with hf_') });
      if (!apiKey) return undefined;
      apiKey = apiKey.trim();
      await secrets.store(TOKEN_KEY, apiKey);
    }
  } else if (apiKey === undefined && preset?.key !== 'none' && !preset?.local) {
    const required = preset?.key === 'required';
    apiKey = await vscode.window.showInputBox({
      title: `Qwen: Add Model Endpoint (3/3): the key for ${preset?.label ?? baseUrl}`,
      prompt: `${required ? 'The API key' : 'Its API key, if it has one (leave empty for none)'}. It is kept in VS Code's secret storage and sent only to ${new URL(baseUrl).origin}.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (required && !v.trim() ? 'This service needs a key.' : undefined),
    });
    if (apiKey === undefined) return undefined;
    apiKey = apiKey.trim() || undefined;
  }
  // Try it at once: what it serves, or what is wrong.
  let found: EndpointModel[];
  for (;;) {
    try {
      found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Qwen: asking ${baseUrl} for its models…`, cancellable: true }, (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return listModels({ name, baseUrl: baseUrl!, ...(preset ? { preset: preset.id } : {}), ...(apiKey ? { apiKey } : {}) }, { ...backend.httpOptions(), signal: ac.signal, idleTimeoutMs: 20_000 });
      });
      break;
    } catch (err) {
      const d = describeError(err);
      log.warn(`add endpoint ${name}: ${d.message}`);
      if (args.models) {
        found = args.models.map((id) => ({ id }));
        break;
      }
      const retry = 'Try again';
      const anyway = 'Add it anyway';
      const pick = await vscode.window.showErrorMessage(`Qwen: ${baseUrl} did not list its models: ${d.message}`, { detail: d.hint }, retry, anyway);
      if (pick === retry) continue;
      if (pick !== anyway) return undefined;
      found = (preset?.models ?? []).map((m) => ({ id: m.id }));
      break;
    }
  }
  let models = args.models;
  if (!models) {
    const qwen = found.filter((m) => /qwen|qwq/i.test(m.id));
    const picked = await vscode.window.showQuickPick(
      found.map((m) => ({ label: m.id, description: [m.label, m.contextTokens ? `${Math.round(m.contextTokens / 1024)}K context` : '', m.fromPreset ? 'known Qwen model' : ''].filter(Boolean).join(' · '), picked: (qwen.length ? qwen : found).slice(0, 4).includes(m) })),
      { title: `Qwen: ${found.length} model${found.length === 1 ? '' : 's'} at ${baseUrl}: which to offer?`, canPickMany: true, ignoreFocusOut: true, placeHolder: 'Qwen models first; any other can be picked too' },
    );
    if (!picked?.length) return undefined;
    models = picked.map((p) => p.label);
  }
  const entry: EndpointSetting = { name, ...(preset ? { preset: preset.id } : {}), baseUrl, models };
  if (apiKey && preset?.id !== 'hf') await backend.storeKey(name, apiKey, baseUrl);
  await saveEndpoints([...backend.endpoints.filter((e) => e.name !== name), entry]);
  log.info(`endpoint ${name} added: ${baseUrl} with ${models.length} models${apiKey ? ' and a key' : ''}`);
  const use = 'Use it now';
  void vscode.window.showInformationMessage(`Qwen: added ${preset?.label ?? name} with ${models.length} model${models.length === 1 ? '' : 's'} (${models.slice(0, 2).map((m) => `${name}/${m}`).join(', ')}${models.length > 2 ? ', …' : ''}).`, use).then(async (p) => {
    if (p === use) await vscode.workspace.getConfiguration('qwenChat').update('model', `${name}/${models![0]}`, vscode.ConfigurationTarget.Global);
  });
  return entry;
}

export async function removeEndpoint(backend: Backend, log: vscode.LogOutputChannel, name?: string): Promise<void> {
  const list = backend.endpoints;
  if (!list.length) return void vscode.window.showInformationMessage('Qwen: there is no endpoint to remove. Qwen: Add Model Endpoint… adds one.');
  const target =
    name ??
    (await vscode.window.showQuickPick(
      list.map((e) => ({ label: e.name, description: e.baseUrl ?? presetById(e.preset ?? '')?.baseUrl, detail: (e.models ?? []).join(', ') })),
      { title: 'Qwen: Remove Model Endpoint', placeHolder: 'Its models leave the pickers, and its key is deleted' },
    ))?.label;
  if (!target) return;
  await backend.deleteKey(target);
  await saveEndpoints(list.filter((e) => e.name !== target));
  log.info(`endpoint ${target} removed, with its key`);
  void vscode.window.showInformationMessage(`Qwen: removed ${target} and its key.`);
}

/**
 * Settings and secrets -> the router's options, in one place: the one way out to a model for the
 * sidebar, the editor commands and VS Code's Chat. It keeps the router's health memory and the
 * Hub's stages across requests, lists every model (the Spaces', then each endpoint's), and holds
 * each endpoint's key bound to the origin it was entered for.
 */
import * as vscode from 'vscode';
import { Http, mayCarryHfToken, redactUrl } from '../provider/gradio/http';
import { HealthMemory } from '../provider/health';
import { HubStages } from '../provider/hub';
import { describeError } from '../provider/errors';
import { listModels } from '../provider/openai/client';
import { presetById } from '../provider/openai/presets';
import type { ChatMessage } from '../provider/prompt';
import { allModels, type EndpointSetting, type ModelRef, resolveEndpoints, resolveModel, type ResolvedEndpoint, routeStream, whereOf } from '../provider/router';
import type { ToolSpec } from '../provider/toolCalls';
import type { ProviderEvent } from '../provider/types';
import type { SettingsStore } from './settings';

export const TOKEN_KEY = 'qwenChat.huggingFaceToken';
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** A stored endpoint key: the key, and the origin it may go to. */
interface StoredKey {
  key: string;
  origin: string;
}

export function endpointKeyName(name: string): string {
  return `qwenChat.endpointKey.${name}`;
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

export interface ModelEntry {
  id: string;
  /** Where it runs, in words: "Qwen/Qwen2.5", "Ollama (this machine) at 127.0.0.1:11434". */
  where: string;
  family: 'space' | 'endpoint';
  /** The context window where the endpoint or preset says it. */
  contextTokens?: number;
  /** Tool calls go as the OpenAI `tools` parameter (else Qwen's `<tool_call>` text format). */
  nativeTools: boolean;
}

export interface StreamOptions {
  model?: string;
  defaultSystem?: string;
  tools?: readonly ToolSpec[];
  /** Ask before sending a key to an origin it was not entered for (false where VS Code only lists). */
  interactive?: boolean;
  onAttempt?: (attempt: { model: string; skip: () => void }) => void;
}

export class Backend implements vscode.Disposable {
  readonly health = new HealthMemory();
  readonly hubStages = new HubStages();
  private token: string | undefined;
  private tokenLoaded = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly modelsChanged = new vscode.EventEmitter<void>();
  /** The model list changed (settings) or a model's health did. */
  readonly onDidChangeModels = this.modelsChanged.event;
  /** Each endpoint model's context window as its server's /models said it (`ENDPOINT/MODEL` -> tokens). */
  private readonly liveContext = new Map<string, number>();
  private learning: Promise<void> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly settings: SettingsStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.modelsChanged,
      secrets.onDidChange((e) => e.key === TOKEN_KEY && (this.tokenLoaded = false)),
      settings.onChange(() => {
        this.learning = undefined; // endpoints may have come or gone: ask their /models again
        this.modelsChanged.fire();
      }),
    );
    const sub = this.health.onDidChange(() => this.modelsChanged.fire());
    this.disposables.push({ dispose: () => sub.dispose() });
  }

  async hfToken(): Promise<string | undefined> {
    if (!this.tokenLoaded) {
      this.token = await this.secrets.get(TOKEN_KEY);
      this.tokenLoaded = true;
    }
    return this.token;
  }

  get endpoints(): EndpointSetting[] {
    return this.settings.value.endpoints;
  }

  /** Every model the pickers offer: the Spaces' models, then each declared endpoint's. */
  models(): ModelEntry[] {
    return allModels(this.endpoints).map(({ id, ref }) => ({
      id,
      where: whereOf(ref),
      family: ref.kind,
      ...((this.liveContext.get(id) ?? contextOf(ref)) ? { contextTokens: this.liveContext.get(id) ?? contextOf(ref) } : {}),
      nativeTools: ref.kind === 'endpoint' && (ref.endpoint.preset?.nativeTools ?? true),
    }));
  }

  /**
   * Asks each declared endpoint's /models, once per settings change, for the real context windows
   * (vLLM's max_model_len, OpenRouter's context_length, ...), so the pickers' maxInputTokens is the
   * server's. Never asks the user anything (the key goes only where it was entered for); a server
   * that does not say keeps the preset's window. The list changes when it learned something.
   */
  learnContextWindows(): Promise<void> {
    return (this.learning ??= (async () => {
      let learned = false;
      for (const ep of resolveEndpoints(this.endpoints).filter((e) => e.declared)) {
        try {
          const apiKey = await this.keyFor(ep, false);
          const models = await listModels({ name: ep.name, baseUrl: ep.baseUrl, ...(ep.preset ? { preset: ep.preset.id } : {}), ...(apiKey ? { apiKey } : {}) }, { ...this.httpOptions(), idleTimeoutMs: 10_000 });
          for (const m of models) {
            const id = `${ep.name}/${m.id}`;
            if (m.fromPreset || !m.contextTokens || this.liveContext.get(id) === m.contextTokens) continue;
            this.liveContext.set(id, m.contextTokens);
            learned = true;
          }
        } catch (err) {
          this.log.info(`endpoint ${ep.name}: its /models did not give the context windows (${describeError(err).message})`);
        }
      }
      if (learned) this.modelsChanged.fire();
    })());
  }

  /** The model a name stands for, or undefined for a name the list no longer has. */
  model(id: string): ModelRef | undefined {
    try {
      return resolveModel(id, resolveEndpoints(this.endpoints));
    } catch {
      return undefined;
    }
  }

  httpOptions() {
    const s = this.settings.value;
    return { proxy: s.proxy.proxy, noProxy: s.proxy.noProxy, strictSSL: s.proxy.strictSSL };
  }

  /**
   * The key for an endpoint, only for the origin it was entered for. The Hugging Face preset uses
   * the Hugging Face token, and only where the token may go. A key entered for another origin is
   * sent only once the user confirms the new one (never while VS Code only lists models).
   */
  async keyFor(ep: ResolvedEndpoint, interactive: boolean): Promise<string | undefined> {
    if (ep.preset?.id === 'hf') {
      const t = await this.hfToken();
      if (t && !mayCarryHfToken(`${ep.baseUrl}/chat/completions`)) {
        this.log.warn(`endpoint ${ep.name}: not sending the Hugging Face token to ${redactUrl(ep.baseUrl)}: it goes only to Hugging Face over HTTPS`);
        return undefined;
      }
      return t;
    }
    const raw = await this.secrets.get(endpointKeyName(ep.name));
    if (!raw) return undefined;
    let stored: StoredKey;
    try {
      stored = JSON.parse(raw) as StoredKey;
    } catch {
      return undefined;
    }
    const origin = originOf(ep.baseUrl);
    if (stored.origin === origin) return stored.key;
    this.log.warn(`endpoint ${ep.name}: its key was entered for ${stored.origin}, and it now points at ${origin}: the key is not sent until you confirm`);
    if (!interactive) return undefined;
    const send = 'Send the key there';
    const pick = await vscode.window.showWarningMessage(
      `The endpoint "${ep.name}" now points at ${origin}, but its key was entered for ${stored.origin}. Send the key to ${origin}?`,
      { modal: true, detail: 'A settings file (a workspace\'s too) can change an endpoint\'s URL. Send the key only if you made this change.' },
      send,
    );
    if (pick !== send) return undefined;
    await this.storeKey(ep.name, stored.key, ep.baseUrl);
    return stored.key;
  }

  async storeKey(name: string, key: string, baseUrl: string): Promise<void> {
    await this.secrets.store(endpointKeyName(name), JSON.stringify({ key, origin: originOf(baseUrl) } satisfies StoredKey));
  }

  async deleteKey(name: string): Promise<void> {
    await this.secrets.delete(endpointKeyName(name));
  }

  /** The answer from the chosen model (or the settings' model), falling back as the settings say. */
  async *stream(messages: ChatMessage[], signal: AbortSignal, o: StreamOptions = {}): AsyncGenerator<ProviderEvent> {
    const s = this.settings.value;
    const hfToken = await this.hfToken();
    const m = o.model ?? s.model;
    this.log.info(`asking ${m} (fallback ${s.fallback ? 'on' : 'off'}; proxy: ${s.proxy.proxy ? redactUrl(s.proxy.proxy) : s.proxy.source}; token: ${hfToken ? 'set' : 'none'})`);
    yield* routeStream(m, messages, {
      spaces: s.spaces,
      endpoints: s.endpoints,
      keyFor: (ep) => this.keyFor(ep, o.interactive !== false),
      health: this.health,
      hubStages: this.hubStages,
      fallback: s.fallback,
      ...(s.fallbackOrder.length ? { fallbackOrder: s.fallbackOrder } : {}),
      ...(s.hubUrl ? { hubUrl: s.hubUrl } : {}),
      ...(o.tools?.length ? { tools: o.tools } : {}),
      ...(o.onAttempt ? { onAttempt: o.onAttempt } : {}),
      signal,
      ...this.httpOptions(),
      hfToken,
      idleTimeoutMs: s.requestTimeoutSeconds * 1000,
      defaultSystemPrompt: o.defaultSystem,
    });
  }

  /** An image from an answer, as a data: URL, after the user agreed to load it. */
  async fetchImage(src: string): Promise<string> {
    const http = new Http({ ...this.httpOptions(), idleTimeoutMs: 20_000 });
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
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function contextOf(ref: ModelRef): number | undefined {
  if (ref.kind === 'space') return ref.id === 'qwen-2.5-1m' ? 1_000_000 : 32_768;
  return presetById(ref.endpoint.preset?.id ?? '')?.models.find((m) => m.id === ref.model)?.contextTokens;
}

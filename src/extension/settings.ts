/** The extension's settings through one typed accessor, re-read when the configuration changes. */
import * as vscode from 'vscode';
import type { EndpointSetting } from '../provider/router';
import { resolveProxy, type ProxyChoice } from './proxy';

export const DEFAULT_EXPLAIN_PROMPT =
  'You are an expert programmer explaining code to a colleague. Explain what the given code does, step by step, ' +
  'point out anything surprising or risky, and keep it concise. Use Markdown; quote code in fenced blocks.';
export const DEFAULT_GENERATE_PROMPT =
  'You are a coding assistant writing code straight into the user\'s file. Reply with only the code to insert, ' +
  'in one fenced code block, with no explanation before or after it.';

/** About 8,000 tokens: room for a long conversation, and for the answer in the model's context. */
export const DEFAULT_MAX_PROMPT_CHARACTERS = 32_000;

export interface Settings {
  spaceUrl: string;
  model: string;
  fallback: boolean;
  fallbackOrder: string[];
  /** Model (or Space id) -> URL; qwenChat.spaceUrl, when set, is the Qwen2.5 Space's entry. */
  spaces: Record<string, string>;
  /** The Hub to ask for a Space's stage; '' asks huggingface.co for Spaces at their own URL. */
  hubUrl: string;
  systemPrompt: string;
  explainPrompt: string;
  generatePrompt: string;
  requestTimeoutSeconds: number;
  maxPromptCharacters: number;
  proxy: ProxyChoice;
  /** Offer code written into a file for review (Keep / Undo / Regenerate) before it is kept. */
  reviewChanges: boolean;
  /** OpenAI-compatible endpoints, from the user's settings only: a workspace cannot add or move one. */
  endpoints: EndpointSetting[];
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('qwenChat');
  const http = vscode.workspace.getConfiguration('http');
  return {
    spaceUrl: c.get<string>('spaceUrl', 'https://qwen-qwen2-5.hf.space').trim() || 'https://qwen-qwen2-5.hf.space',
    model: c.get<string>('model', 'qwen-2.5'),
    fallback: c.get<boolean>('fallback', true),
    fallbackOrder: c.get<string[]>('fallbackOrder', []).filter((x) => typeof x === 'string'),
    spaces: spacesSetting(c.get<Record<string, unknown>>('spaces', {}), c.get<string>('spaceUrl', '').trim()),
    hubUrl: c.get<string>('hubUrl', '').trim(),
    systemPrompt: c.get<string>('systemPrompt', ''),
    explainPrompt: c.get<string>('explainPrompt', '').trim() || DEFAULT_EXPLAIN_PROMPT,
    generatePrompt: c.get<string>('generatePrompt', '').trim() || DEFAULT_GENERATE_PROMPT,
    requestTimeoutSeconds: Math.max(5, c.get<number>('requestTimeoutSeconds', 60)),
    maxPromptCharacters: Math.max(0, Math.floor(c.get<number>('maxPromptCharacters', DEFAULT_MAX_PROMPT_CHARACTERS) || 0)),
    proxy: resolveProxy({
      override: c.get<string>('proxy', ''),
      httpProxy: http.get<string>('proxy', ''),
      noProxy: http.get<string[]>('noProxy', []),
      strictSSL: http.get<boolean>('proxyStrictSSL', true),
      proxySupport: http.get<string>('proxySupport', 'override'),
      env: process.env,
    }),
    reviewChanges: c.get<boolean>('reviewChanges', true),
    endpoints: endpointsSetting(c.inspect<unknown[]>('endpoints')?.globalValue),
  };
}

/** The endpoints as the user wrote them, keeping only well-formed entries. */
export function endpointsSetting(raw: unknown): EndpointSetting[] {
  if (!Array.isArray(raw)) return [];
  const out: EndpointSetting[] = [];
  for (const e of raw as Array<Record<string, unknown>>) {
    if (!e || typeof e !== 'object' || typeof e.name !== 'string' || !/^[\w.-]+$/.test(e.name.trim())) continue;
    const models = Array.isArray(e.models) ? e.models.filter((m): m is string => typeof m === 'string' && !!m.trim()) : undefined;
    out.push({
      name: e.name.trim(),
      ...(typeof e.preset === 'string' && e.preset ? { preset: e.preset } : {}),
      ...(typeof e.baseUrl === 'string' && e.baseUrl.trim() ? { baseUrl: e.baseUrl.trim() } : {}),
      ...(models?.length ? { models } : {}),
    });
  }
  return out;
}

function spacesSetting(raw: Record<string, unknown>, spaceUrl: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (spaceUrl && spaceUrl !== 'https://qwen-qwen2-5.hf.space') out['qwen-2.5'] = spaceUrl;
  for (const [k, v] of Object.entries(raw ?? {})) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}

/** Holds the current settings; `onChange` fires after they were re-read. */
export class SettingsStore implements vscode.Disposable {
  private current = readSettings();
  private readonly emitter = new vscode.EventEmitter<Settings>();
  readonly onChange = this.emitter.event;
  private readonly sub = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('qwenChat') || e.affectsConfiguration('http')) {
      this.current = readSettings();
      this.emitter.fire(this.current);
    }
  });

  get value(): Settings {
    return this.current;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

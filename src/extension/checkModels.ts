/**
 * "Qwen: Check Models": every Space's stage (from the Hub), its queue and a one-token round trip,
 * and each endpoint's models and a one-token round trip, side by side, so a user can see which
 * models answer right now. What it finds goes into the router's health memory, so the pickers
 * (VS Code's too) show it and fallback tries a dead model last.
 */
import * as vscode from 'vscode';
import { checkEndpoint, checkSpace, type ModelCheck } from '../provider/check';
import { type HttpOptions } from '../provider/gradio/http';
import { resolveEndpoints, whereOf } from '../provider/router';
import { SPACES } from '../provider/spaces';
import type { Backend } from './backend';

/** At most this many models per endpoint are checked (each costs a one-token request). */
const PER_ENDPOINT = 4;

export async function checkModels(o: HttpOptions & { spaces: Record<string, string>; hubUrl?: string; log: vscode.LogOutputChannel; backend: Backend }): Promise<ModelCheck[]> {
  const { log, backend, ...http } = o;
  backend.hubStages.clear();
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Qwen: checking the models', cancellable: true },
    async (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      const spaces = SPACES.map((s) => checkSpace(s.models[0], { ...http, signal: ac.signal }));
      const endpoints = resolveEndpoints(backend.endpoints)
        .filter((e) => e.declared)
        .flatMap((e) =>
          e.models.slice(0, PER_ENDPOINT).map(async (m) => {
            const ref = { kind: 'endpoint' as const, id: `${e.name}/${m}`, endpoint: e, model: m };
            return checkEndpoint(e, m, whereOf(ref), await backend.keyFor(e, false), { ...http, signal: ac.signal });
          }),
        );
      return Promise.all([...spaces, ...endpoints]);
    },
  );
  for (const r of results) {
    log.info(`check: ${r.model} ${r.where} ${r.url}: ${r.stage}, queue ${r.queue ?? '?'}, ${r.firstTokenMs !== undefined ? `first token in ${r.firstTokenMs} ms` : `failed: ${r.error}`}`);
    const ok = r.firstTokenMs !== undefined;
    // A Space's check speaks for every model it serves.
    const models = SPACES.find((s) => s.models[0] === r.model)?.models ?? [r.model];
    for (const m of models) backend.health.record(m, ok ? 'ok' : 'unavailable', ok ? undefined : r.error ?? r.stage);
  }
  const pick = await vscode.window.showQuickPick(
    results.map((r) => ({
      label: `${r.firstTokenMs !== undefined ? '$(check)' : '$(error)'} ${r.model}`,
      description: `${r.where} · ${r.stage}`,
      detail: `${r.firstTokenMs !== undefined ? `answered in ${r.firstTokenMs} ms` : `no answer: ${r.error}`}${r.queue !== null || !r.model.includes('/') ? ` · queue ${r.queue ?? 'unknown'}` : ''} · ${r.url}`,
      model: r.model,
    })),
    { title: 'Qwen models right now (pick one to use it)', placeHolder: 'Spaces: stage from the Hub, queue size, a one-token round trip. Endpoints: their models and a round trip.' },
  );
  if (pick) await vscode.workspace.getConfiguration('qwenChat').update('model', pick.model, vscode.ConfigurationTarget.Global);
  return results;
}

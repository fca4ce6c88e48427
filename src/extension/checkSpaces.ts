/**
 * "Qwen: Check Spaces": every known Space's stage (from the Hub), its queue, and the time of a
 * one-token round trip, side by side, so a user can see which models answer right now.
 */
import * as vscode from 'vscode';
import { describeError } from '../provider/errors';
import { fetchConfig, joinUrl, normaliseSpaceUrl } from '../provider/gradio/config';
import { Http, type HttpOptions, readText } from '../provider/gradio/http';
import { STAGE_WORDS, spaceStage } from '../provider/hub';
import { SPACES, urlFor } from '../provider/spaces';

export interface SpaceCheck {
  model: string;
  spaceId: string;
  url: string;
  stage: string;
  queue: number | null;
  /** Milliseconds to the first text of a one-token question; undefined when it failed. */
  firstTokenMs?: number;
  error?: string;
}

/** Checks one Space: stage, queue size, and a one-token round trip. */
export async function checkSpace(model: string, o: HttpOptions & { spaces: Record<string, string>; hubUrl?: string; signal?: AbortSignal }): Promise<SpaceCheck> {
  const space = SPACES.find((s) => s.allModels.includes(model))!;
  const url = normaliseSpaceUrl(urlFor(model, o.spaces));
  const out: SpaceCheck = { model, spaceId: space.shape.spaceId, url, stage: 'unknown', queue: null };
  const http = new Http({ ...o, idleTimeoutMs: 30_000 });
  try {
    const hub = o.hubUrl ?? (url === normaliseSpaceUrl(space.url) ? 'https://huggingface.co' : undefined);
    const stage = hub ? await spaceStage(http, hub, space.shape.spaceId, o.signal) : undefined;
    out.stage = stage ? (STAGE_WORDS[stage] ?? stage.toLowerCase()) : 'not known (the Hub did not answer)';
    try {
      const config = await fetchConfig(http, url, o.signal);
      const res = await http.send(joinUrl(url, typeof config.api_prefix === 'string' ? config.api_prefix : '', 'queue/status'), { signal: o.signal, what: 'reading the queue' });
      const q = JSON.parse(await readText(res.body, 65_536)) as { queue_size?: unknown };
      out.queue = typeof q.queue_size === 'number' ? q.queue_size : null;
    } catch {
      /* the round trip below says what is wrong */
    }
    const t0 = performance.now();
    const ac = new AbortController();
    o.signal?.addEventListener('abort', () => ac.abort(), { once: true });
    try {
      for await (const ev of space.stream(model, [{ role: 'user', content: 'Reply with the single word: ok' }], { ...o, baseUrl: url, signal: ac.signal, wakeTimeoutMs: 0, hubUrl: null })) {
        if (ev.type === 'text' || ev.type === 'done') {
          out.firstTokenMs = Math.round(performance.now() - t0);
          ac.abort(); // one token is enough: the rest is cancelled at the Space
          break;
        }
      }
    } catch (err) {
      if (out.firstTokenMs === undefined) out.error = describeError(err).message;
    }
  } finally {
    await http.close();
  }
  return out;
}

export async function checkSpaces(o: HttpOptions & { spaces: Record<string, string>; hubUrl?: string; log: vscode.LogOutputChannel }): Promise<SpaceCheck[]> {
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Qwen: checking the Spaces', cancellable: true },
    async (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return Promise.all(SPACES.map((s) => checkSpace(s.models[0], { ...o, signal: ac.signal })));
    },
  );
  for (const r of results) o.log.info(`check: ${r.model} ${r.spaceId} ${r.url}: ${r.stage}, queue ${r.queue ?? '?'}, ${r.firstTokenMs !== undefined ? `first token in ${r.firstTokenMs} ms` : `failed: ${r.error}`}`);
  const pick = await vscode.window.showQuickPick(
    results.map((r) => ({
      label: `${r.firstTokenMs !== undefined ? '$(check)' : '$(error)'} ${r.model}`,
      description: `${r.spaceId} · ${r.stage}`,
      detail: `${r.firstTokenMs !== undefined ? `answered in ${r.firstTokenMs} ms` : `no answer: ${r.error}`} · queue ${r.queue ?? 'unknown'} · ${r.url}`,
      model: r.model,
    })),
    { title: 'Qwen Spaces right now (pick one to use it)', placeHolder: 'Stage from the Hub, queue size, and a one-token round trip' },
  );
  if (pick) await vscode.workspace.getConfiguration('qwenChat').update('model', pick.model, vscode.ConfigurationTarget.Global);
  return results;
}

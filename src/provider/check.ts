/**
 * What "Check Models" asks of each model, without VS Code: a Space's stage (from the Hub), its
 * queue and a one-token round trip; an endpoint's model list and a one-token round trip. The
 * round trip goes through the same stream a chat uses, and is cancelled after the first token.
 */
import { Answer, type AnswerSource } from './answer';
import { describeError } from './errors';
import { fetchConfig, joinUrl, normaliseSpaceUrl } from './gradio/config';
import { Http, type HttpOptions, readText } from './gradio/http';
import { STAGE_WORDS, spaceStage } from './hub';
import { type Endpoint, listModels, streamChat } from './openai/client';
import type { ResolvedEndpoint } from './router';
import { SPACES, urlFor } from './spaces';

export interface ModelCheck {
  model: string;
  /** Where it runs: a Space id, or an endpoint's label and host. */
  where: string;
  url: string;
  /** The Space's stage in words, or what the endpoint's /models said. */
  stage: string;
  queue: number | null;
  /** Milliseconds to the first text of a one-token question; undefined when it failed. */
  firstTokenMs?: number;
  error?: string;
}

const QUESTION = [{ role: 'user', content: 'Reply with the single word: ok' }];

/** Times the first text of `events`, then stops the request. */
async function firstToken(events: AnswerSource, out: ModelCheck, signal?: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const answer = new Answer(events, { ...(signal ? { signal } : {}) });
  for await (const ev of answer) {
    if (ev.type === 'text' || ev.type === 'reasoning' || ev.type === 'done') {
      out.firstTokenMs = Math.round(performance.now() - t0);
      answer.stop(); // one token is enough: the rest is cancelled at the server
      break;
    }
  }
  if (answer.state === 'error') out.error = answer.described!.message;
}

/** Checks one Space: stage, queue size, and a one-token round trip. */
export async function checkSpace(model: string, o: HttpOptions & { spaces: Record<string, string>; hubUrl?: string; signal?: AbortSignal }): Promise<ModelCheck> {
  const space = SPACES.find((s) => s.allModels.includes(model))!;
  const url = normaliseSpaceUrl(urlFor(model, o.spaces));
  const out: ModelCheck = { model, where: space.shape.spaceId, url, stage: 'unknown', queue: null };
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
    await firstToken((signal) => space.stream(model, QUESTION, { ...o, baseUrl: url, signal, wakeTimeoutMs: 0, hubUrl: null }), out, o.signal);
  } finally {
    await http.close();
  }
  return out;
}

/** Checks an endpoint's model: its /models (does it list the model?), and a one-token round trip. */
export async function checkEndpoint(ep: ResolvedEndpoint, model: string, where: string, apiKey: string | undefined, o: HttpOptions & { signal?: AbortSignal }): Promise<ModelCheck> {
  const out: ModelCheck = { model: `${ep.name}/${model}`, where, url: ep.baseUrl, stage: 'unknown', queue: null };
  const e: Endpoint = { name: ep.name, baseUrl: ep.baseUrl, ...(ep.preset ? { preset: ep.preset.id } : {}), ...(apiKey ? { apiKey } : {}) };
  const { hfToken: _t, ...http } = o;
  try {
    const models = await listModels(e, { ...http, idleTimeoutMs: 20_000 });
    const listed = models.some((m) => m.id === model);
    out.stage = models.every((m) => m.fromPreset) ? 'serving (no model list)' : listed ? `serving ${models.length} model${models.length === 1 ? '' : 's'}` : `does not list ${model}`;
  } catch (err) {
    out.stage = 'not answering';
    out.error = describeError(err).message;
    return out;
  }
  await firstToken((signal) => streamChat(e, model, QUESTION, { ...http, signal, idleTimeoutMs: 30_000, maxTokens: 8 }), out, o.signal);
  return out;
}

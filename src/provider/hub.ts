/**
 * A Space's health, from the Hugging Face Hub: `GET {hub}/api/spaces/{owner}/{name}` and its
 * `runtime.stage` (the check @gradio/client makes before it connects). A paused or broken Space
 * fails at once with its stage in words; a sleeping one is woken by the call that follows; a
 * building or starting one is waited for. No answer from the Hub changes nothing.
 */
import { QwenError } from './errors';
import { joinUrl } from './gradio/config';
import { type Http, readText } from './gradio/http';
import type { ProviderEvent } from './types';

const HUB_TIMEOUT_MS = 5_000;
const STARTING_POLL_MS = 2_000;
const STARTING_TIMEOUT_MS = 180_000;

/** What each stage means to a user. */
export const STAGE_WORDS: Record<string, string> = {
  RUNNING: 'running',
  RUNNING_BUILDING: 'running (a new version is building)',
  RUNNING_APP_STARTING: 'running (restarting)',
  SLEEPING: 'asleep',
  STOPPED: 'stopped',
  BUILDING: 'building',
  APP_STARTING: 'starting',
  PAUSED: 'paused by its owner',
  BUILD_ERROR: 'broken (its build failed)',
  RUNTIME_ERROR: 'broken (it crashed)',
  CONFIG_ERROR: 'broken (its configuration is invalid)',
  NO_APP_FILE: 'empty (it has no app)',
  DELETING: 'being deleted',
  NOT_FOUND: 'gone (the Hub does not know it)',
};

const FINAL = new Set(['PAUSED', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'DELETING', 'NOT_FOUND']);

/** Whether a stage means the Space will not answer until its owner acts (paused, broken, gone). */
export function isFinalStage(stage: string | undefined): boolean {
  return stage !== undefined && FINAL.has(stage);
}
const STARTING = new Set(['BUILDING', 'APP_STARTING']);

/**
 * The Space's stage, `NOT_FOUND` when the Hub says it has no such Space, or undefined when the
 * Hub does not answer (or answers something else).
 */
export async function spaceStage(http: Http, hubUrl: string, spaceId: string, signal?: AbortSignal): Promise<string | undefined> {
  const ac = new AbortController();
  const both = signal ? AbortSignal.any([signal, ac.signal]) : ac.signal;
  let timer: NodeJS.Timeout | undefined;
  // A bound of our own: a proxy that drops the tunnel makes the transport retry, whatever its signal says.
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new QwenError('timeout', 'The Hub did not answer in time.'));
    }, HUB_TIMEOUT_MS);
  });
  try {
    const ask = (async () => {
      const res = await http.send(joinUrl(hubUrl, 'api/spaces', spaceId), { signal: both, what: 'asking the Hub about the Space' });
      const j = JSON.parse(await readText(res.body, 1 << 20)) as { runtime?: { stage?: unknown } };
      return typeof j.runtime?.stage === 'string' ? j.runtime.stage : undefined;
    })();
    ask.catch(() => undefined);
    return await Promise.race([ask, late]);
  } catch (err) {
    if (signal?.aborted) throw new QwenError('aborted', 'Stopped.', { cause: err });
    // The Hub's own 404 carries a JSON error ("Repository not found"); a bare 404 may be a wrong Hub URL.
    if (err instanceof QwenError && err.details.status === 404 && err.details.spaceMessage) return 'NOT_FOUND';
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** How long the Hub's answers are kept for the router's check before a first request. */
export const HUB_STAGES_TTL_MS = 3 * 60_000;

/**
 * Every Space's stage, asked of the Hub at once and in parallel, and kept for a few minutes, so
 * the first answer skips a paused, broken or deleted Space without a request to it.
 */
export class HubStages {
  private readonly cache = new Map<string, { stage: string | undefined; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The stages of `spaceIds` at `hubUrl` (undefined where the Hub did not say); `fresh`: asked just now, not kept from before. */
  async stages(http: Http, hubUrl: string, spaceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, { stage: string | undefined; fresh: boolean }>> {
    const out = new Map<string, { stage: string | undefined; fresh: boolean }>();
    await Promise.all(
      spaceIds.map(async (id) => {
        const key = `${hubUrl}#${id}`;
        const hit = this.cache.get(key);
        if (hit && this.now() - hit.at < HUB_STAGES_TTL_MS) return void out.set(id, { stage: hit.stage, fresh: false });
        // Each caller asks with its own connection and signal: a Stop in one request never fails another's.
        const stage = await spaceStage(http, hubUrl, id, signal);
        // Kept: a Space that runs or sleeps. Asked again: no answer, and a Space that is paused, broken
        // or gone (skipped without a request to it, and noticed at once when its owner brings it back).
        if (stage !== undefined && !isFinalStage(stage)) this.cache.set(key, { stage, at: this.now() });
        out.set(id, { stage, fresh: true });
      }),
    );
    return out;
  }

  /** Forgets every answer (Check Models asks afresh). */
  clear(): void {
    this.cache.clear();
  }
}

/** Before the first call: fails at once for a paused or broken Space, waits while one builds or starts. */
export async function* checkHealth(http: Http, hubUrl: string, spaceId: string, _label: string, signal?: AbortSignal): AsyncGenerator<ProviderEvent, void> {
  const t0 = Date.now();
  for (;;) {
    const stage = await spaceStage(http, hubUrl, spaceId, signal);
    if (stage === undefined) return;
    if (FINAL.has(stage)) {
      throw new QwenError('not-ready', `${spaceId} is ${STAGE_WORDS[stage]}.`, { stage });
    }
    if (!STARTING.has(stage)) return; // running, or asleep: the call itself wakes it
    if (Date.now() - t0 > STARTING_TIMEOUT_MS) {
      throw new QwenError('not-ready', `${spaceId} is still ${STAGE_WORDS[stage]} after ${Math.round((Date.now() - t0) / 1000)} s.`, { stage });
    }
    yield { type: 'status', status: { stage: 'space-starting', space: spaceId, stage_: STAGE_WORDS[stage] ?? stage.toLowerCase() } };
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, STARTING_POLL_MS);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new QwenError('aborted', 'Stopped.'));
      }, { once: true });
    });
  }
}

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
};

const FINAL = new Set(['PAUSED', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'DELETING']);
const STARTING = new Set(['BUILDING', 'APP_STARTING']);

/** The Space's stage, or undefined when the Hub does not answer (or answers something else). */
export async function spaceStage(http: Http, hubUrl: string, spaceId: string, signal?: AbortSignal): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(HUB_TIMEOUT_MS);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await http.send(joinUrl(hubUrl, 'api/spaces', spaceId), { signal: both, what: 'asking the Hub about the Space' });
    const j = JSON.parse(await readText(res.body, 1 << 20)) as { runtime?: { stage?: unknown } };
    return typeof j.runtime?.stage === 'string' ? j.runtime.stage : undefined;
  } catch (err) {
    if (signal?.aborted) throw new QwenError('aborted', 'Stopped.', { cause: err });
    return undefined;
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

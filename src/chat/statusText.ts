/** Queue and progress status as a person reads it: "3rd in queue of 7, about 12 s". */
import type { TurnError as ErrorView } from './model';
import { describeError, QwenError } from '../provider/errors';
import type { SpaceStatus } from '../provider/types';

export function ordinal(n: number): string {
  const s = n % 100;
  if (s >= 11 && s <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

export function duration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/** The text to show for a status, or null when it changes nothing a person needs to see. */
export function statusText(s: SpaceStatus): string | null {
  switch (s.stage) {
    case 'connecting':
      return 'Connecting to the Space…';
    case 'waking':
      return s.waitedSeconds < 1
        ? 'The Space is asleep or starting; waking it up (this can take a minute or two)…'
        : `Waiting for the Space to wake up… ${duration(s.waitedSeconds)} so far (gives up after ${duration(s.timeoutSeconds)})`;
    case 'queued': {
      // Gradio's rank counts the jobs ahead: rank 0 is next in line.
      const place = s.position + 1;
      const of = s.queueSize && s.queueSize > 1 ? ` of ${s.queueSize}` : '';
      const eta = s.etaSeconds !== null && s.etaSeconds > 0 ? `, about ${duration(s.etaSeconds)}` : '';
      return `${ordinal(place)} in queue${of}${eta}`;
    }
    case 'started':
      return 'Generating…';
    case 'progress':
      return s.fraction !== null ? `Working… ${Math.round(s.fraction * 100)}%` : 'Working…';
    case 'log':
      return s.message || null;
    case 'warning':
      return null;
    case 'alive':
      return `Still waiting; the Space is alive (${duration(s.waitedSeconds)} so far)…`;
    case 'space-starting':
      return `${s.space} is ${s.stage_}; waiting for it…`;
    case 'fallback':
      return `${s.reason}; asking ${s.to} instead…`;
  }
}

/** The settings an error may name, which "Open setting" may open. */
const SETTING = /\b(qwenChat\.[A-Za-z]+|http\.proxy(?:StrictSSL)?)\b/;

/** Whether the view may open this setting for the user (a message from the view is not trusted). */
export function isOpenableSetting(id: string): boolean {
  return new RegExp(`^${SETTING.source}$`).test(id);
}

/**
 * An answer's error as the view shows it: what happened, the way out (a paused Space is not told
 * to wait), and the actions that fit: Retry, "Open setting" for a setting the error names, "Pick
 * another model" when another may answer. When every Space failed: one line, the way out first,
 * what each Space said folded under it.
 */
export function errorView(err: unknown): ErrorView {
  const d = describeError(err);
  const q = err instanceof QwenError ? err : undefined;
  const view: ErrorView = { message: d.message, hint: d.hint, retryable: d.retryable };
  if (d.retryAfterSeconds !== undefined) view.retryAt = Date.now() + d.retryAfterSeconds * 1000;
  const all = /^([\s\S]*?) No other model could answer either \(([\s\S]*)\)\.$/.exec(d.message);
  const paused = q?.details.stage === 'PAUSED' || (q?.kind === 'not-ready' && /paused/i.test(d.message));
  if (paused) {
    view.hint = 'A paused Space stays paused until its owner restarts it: waiting will not bring it back. Pick another model.';
    view.retryable = false;
  }
  if (all) {
    // The chosen model's error is the one to act on: its words in one line, the way out first,
    // what the other Spaces said folded under it.
    view.message = all[1];
    view.hint = `${view.hint} No other model could answer either.`.trim();
    view.details = all[2].split('; ').map((r) => `${r[0].toUpperCase()}${r.slice(1)}.`).join('\n');
  }
  const setting = SETTING.exec(view.hint)?.[1];
  if (setting) view.setting = setting;
  if (all || paused || (q && ['not-ready', 'busy', 'not-found', 'timeout', 'space-error', 'unexpected', 'bad-model', 'rate-limited'].includes(q.kind))) view.otherModel = true;
  // A free Space that is down, paused or full: your own endpoint keeps you working (not for an endpoint's own error).
  if (view.otherModel && !q?.details.endpoint) view.addEndpoint = true;
  return view;
}

/** Sizes the names leave out: the model each Space serves by that name. */
const SIZES: Record<string, string> = { 'qwen-2.5': '72B', 'qwen-2.5-1m': '(14B)' };

/** A model's name as a person reads it: "qwen-3-30b-a3b" is "Qwen3 30B-A3B", "qwen-2.5" is "Qwen2.5 72B". */
export function modelLabel(name: string): string {
  const m = /^qwen-(\d+(?:\.\d+)?)(?:-(.+))?$/.exec(name);
  if (!m) return name;
  if (name === 'qwen-3-235b') return 'Qwen3 235B-A22B';
  const rest = (m[2] ?? '').replace(/^max$/, 'Max').replace(/^1m$/, '1M').replace(/\d+(?:\.\d+)?b(-a\d+b)?/g, (x) => x.toUpperCase());
  const size = SIZES[name];
  return `Qwen${m[1]}${rest ? ` ${rest}` : ''}${size ? ` ${size}` : ''}`;
}

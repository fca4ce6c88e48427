/**
 * What the router remembers of each model's health: the last time it answered or was
 * unavailable, and why. A model unavailable in the last few minutes is tried after the others;
 * VS Code's picker and Check Models show the last known state ("queue full 2 min ago").
 */

export type HealthState = 'ok' | 'unavailable';

export interface HealthRecord {
  state: HealthState;
  /** When it was seen (ms since the epoch). */
  at: number;
  /** For `unavailable`: the reason in words ("Qwen2.5 is busy (its queue is full)"). */
  reason?: string;
}

/** How long an unavailable model is tried after the others. */
export const UNHEALTHY_MS = 5 * 60_000;

export class HealthMemory {
  private readonly records = new Map<string, HealthRecord>();
  private readonly listeners = new Set<(model: string) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records what was seen; listeners hear of it only when the state changed. */
  record(model: string, state: HealthState, reason?: string): void {
    const before = this.records.get(model);
    this.records.set(model, { state, at: this.now(), ...(reason ? { reason } : {}) });
    if (before?.state !== state || before.reason !== reason) for (const l of this.listeners) l(model);
  }

  get(model: string): HealthRecord | undefined {
    return this.records.get(model);
  }

  /** Whether the model was unavailable within the last `UNHEALTHY_MS`. */
  recentlyUnavailable(model: string): HealthRecord | undefined {
    const r = this.records.get(model);
    return r && r.state === 'unavailable' && this.now() - r.at < UNHEALTHY_MS ? r : undefined;
  }

  /** "queue full 2 min ago", "answered just now": the last known state in a few words. */
  describe(model: string): string | undefined {
    const r = this.records.get(model);
    if (!r) return undefined;
    const ago = agoText(this.now() - r.at);
    return r.state === 'ok' ? `answered ${ago}` : `${r.reason ? shortReason(r.reason) : 'unavailable'} ${ago}`;
  }

  onDidChange(listener: (model: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

export function agoText(ms: number): string {
  if (ms < 60_000) return 'just now';
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 24 ? `${h} h ago` : `${Math.round(h / 24)} d ago`;
}

/** "Qwen2.5 is busy (its queue is full)" -> "queue full": a failure's reason in the picker's few words. */
function shortReason(reason: string): string {
  if (/queue is full|\bbusy\b/i.test(reason)) return 'queue full';
  if (/paused by its owner/i.test(reason)) return 'paused';
  if (/broken|gone \(the Hub|being deleted/i.test(reason)) return 'gone or broken';
  if (/could not be reached|refused|cannot find the host|could not connect/i.test(reason)) return 'unreachable';
  if (/asleep|starting|building|web page instead/i.test(reason)) return 'asleep or starting';
  if (/stopped answering|timed? ?out/i.test(reason)) return 'stopped answering';
  if (/\bkey\b|refused access|401|403/i.test(reason)) return 'key refused';
  return 'down';
}

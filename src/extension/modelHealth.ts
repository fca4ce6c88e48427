/**
 * What is last known of each model's health, said the way the model picker shows it ("queue
 * full 2 min ago"). The language model provider takes any `health(model)` source and a change
 * event; this small memory is the one the extension feeds today (answers, failures, Check
 * Spaces), until the router keeps its own. No vscode here.
 */

export interface ModelHealth {
  /** A few words: "answering", "queue full", "down", "paused", "asleep". */
  state: string;
  /** Whether the model answered (true) or failed (false) when this was learnt. */
  ok: boolean;
  /** When it was learnt (ms since the epoch). */
  at: number;
}

export type HealthSource = (model: string) => ModelHealth | undefined;

export class HealthMemory {
  private readonly byModel = new Map<string, ModelHealth>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  readonly get: HealthSource = (model) => this.byModel.get(model);

  /** Remembers `state` for the model; listeners hear of it only when the state or its outcome changed. */
  record(model: string, state: string, ok: boolean): void {
    const old = this.byModel.get(model);
    this.byModel.set(model, { state, ok, at: this.now() });
    if (!old || old.state !== state || old.ok !== ok) for (const l of this.listeners) l();
  }

  /** Subscribes to changes (the shape of vscode.Event, so it can be passed as one). */
  readonly onDidChange = (listener: () => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
}

/** "just now", "2 min ago", "3 h ago", "2 days ago". */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** The last known state in words: "queue full 2 min ago"; undefined when nothing is known. */
export function healthText(h: ModelHealth | undefined, now: number): string | undefined {
  return h ? `${h.state} ${ago(h.at, now)}` : undefined;
}

/** A failure's few words for the picker, from the error's kind (provider/errors' QwenErrorKind). */
export function failureState(kind: string | undefined, stage?: string): string {
  if (stage === 'PAUSED') return 'paused';
  switch (kind) {
    case 'busy':
      return 'queue full';
    case 'rate-limited':
      return 'rate limited';
    case 'not-ready':
      return 'not running';
    case 'timeout':
      return 'not answering';
    case 'connection':
    case 'proxy':
    case 'tls':
      return 'unreachable';
    case 'auth':
      return 'refused';
    default:
      return 'failed';
  }
}

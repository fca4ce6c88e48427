/** What the provider reports besides text: where the request is, as the Space tells it. */
export type SpaceStatus =
  | { stage: 'connecting'; url: string }
  /** The Space showed a web page (asleep or starting) instead of its API; waiting for it to come up. */
  | { stage: 'waking'; waitedSeconds: number; timeoutSeconds: number; said: string }
  | { stage: 'queued'; position: number; queueSize: number | null; etaSeconds: number | null }
  | { stage: 'started'; etaSeconds: number | null }
  | { stage: 'progress'; fraction: number | null; description: string | null }
  | { stage: 'log'; level: string; message: string }
  | { stage: 'warning'; message: string };

/** One thing that happened during a streamed answer. */
export type ProviderEvent =
  | { type: 'status'; status: SpaceStatus }
  /** More answer text; `text` is the whole answer so far. */
  | { type: 'text'; delta: string; text: string }
  /** The Space changed text it had already sent; `text` replaces the whole answer so far. */
  | { type: 'rewrite'; text: string }
  | { type: 'done'; text: string };

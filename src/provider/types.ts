/** What the provider reports besides text: where the request is, as the Space tells it. */
export type SpaceStatus =
  | { stage: 'connecting'; url: string }
  /** The Space showed a web page (asleep or starting) instead of its API; waiting for it to come up. */
  | { stage: 'waking'; waitedSeconds: number; timeoutSeconds: number; said: string; next?: string }
  | { stage: 'queued'; position: number; queueSize: number | null; etaSeconds: number | null }
  | { stage: 'started'; etaSeconds: number | null }
  | { stage: 'progress'; fraction: number | null; description: string | null }
  | { stage: 'log'; level: string; message: string }
  | { stage: 'warning'; message: string }
  /** Only heartbeats have come since joining: the Space is alive, the request still waits. */
  | { stage: 'alive'; waitedSeconds: number }
  /** The Hub says the Space is building or starting: waiting for it. */
  | { stage: 'space-starting'; space: string; stage_: string; next?: string }
  /** The chosen model's Space was unavailable; the next model is tried. */
  | { stage: 'fallback'; from: string; to: string; reason: string };

/** One thing that happened during a streamed answer. */
export type ProviderEvent =
  | { type: 'status'; status: SpaceStatus }
  /** More answer text; `text` is the whole answer so far. */
  | { type: 'text'; delta: string; text: string }
  /** The Space changed text it had already sent; `text` replaces the whole answer so far. */
  | { type: 'rewrite'; text: string }
  /** The model's reasoning (Qwen3's thinking), kept apart from the answer; `text` is all of it so far. */
  | { type: 'reasoning'; delta: string; text: string }
  /** Which model answers, and why an earlier choice did not (set when it fell back). */
  /**
   * Which model answers, where it runs (`where`: a Space id, or "Ollama at 127.0.0.1:11434"; also in
   * `spaceId` for the views that name a Space), and why an earlier choice did not (set when it fell back).
   */
  | { type: 'model'; model: string; label: string; spaceId: string; where?: string; fallbackReason?: string }
  /** A whole tool call from an endpoint's native `tool_calls` (assembled from its streamed fragments). */
  | { type: 'tool-call'; call: { id: string; name: string; arguments: Record<string, unknown> } }
  /** Token counts, when the endpoint sends them. */
  | { type: 'usage'; promptTokens?: number; completionTokens?: number }
  | { type: 'done'; text: string };

/**
 * The one consumer of a provider event stream. Every surface that asks a model (the chat
 * session, `@qwen`, the language model provider, Generate at Cursor, Check Models) runs its
 * stream through an `Answer`, which:
 * - bridges a cancellation (an AbortSignal, or anything shaped like VS Code's CancellationToken)
 *   to the request's own AbortController, letting the caller flush what it holds first;
 * - keeps what is known so far: the text (rewrites and the final text included), the reasoning,
 *   the model that answered and where;
 * - never throws: it ends `done`, `stopped` (Stop, however it surfaced) or `error`, with the
 *   error worded once (describeError).
 * It sits in the provider, below the chat core, because Check Models (check.ts) uses it too.
 */
import { describeError, type ErrorDescription, isAbort } from './errors';
import type { ProviderEvent, SpaceStatus } from './types';

/** VS Code's CancellationToken, structurally (the provider does not import vscode). */
export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export type AnswerSource = (signal: AbortSignal) => AsyncIterable<ProviderEvent>;
export type ModelEvent = Extract<ProviderEvent, { type: 'model' }>;
export type ToolCallEvent = Extract<ProviderEvent, { type: 'tool-call' }>['call'];

export interface AnswerOptions {
  /** Stops the answer when aborted. */
  signal?: AbortSignal;
  /** Stops the answer when cancelled (VS Code's token). */
  token?: CancelToken;
  /** Told first when a stop is asked for, before the request is aborted: let out what waits. */
  onStop?: () => void;
}

/** What a surface does with each kind of event; each is optional. */
export interface AnswerHandlers {
  /** More text. */
  text?(delta: string): void;
  /** The text so far is replaced (a Space that rewrote its answer, or a final text that differs). */
  rewrite?(text: string): void;
  reasoning?(delta: string, all: string): void;
  /** Which model answers, where, and why an earlier choice did not. */
  model?(ev: ModelEvent): void;
  status?(status: SpaceStatus): void;
  toolCall?(call: ToolCallEvent): void;
}

export type AnswerState = 'streaming' | 'done' | 'stopped' | 'error';

export class Answer implements AsyncIterable<ProviderEvent> {
  state: AnswerState = 'streaming';
  text = '';
  reasoning = '';
  /** The model that answered (the last `model` event). */
  answeredBy: ModelEvent | undefined;
  /** Why it failed, when `state` is 'error': the error itself, and in words. */
  error: unknown;
  described: ErrorDescription | undefined;
  private readonly ac = new AbortController();
  private started = false;

  constructor(
    private readonly source: AnswerSource,
    private readonly o: AnswerOptions = {},
  ) {}

  /** Stops the answer: what the caller holds goes out first (onStop), then the request is aborted. */
  stop(): void {
    if (this.ac.signal.aborted) return;
    this.o.onStop?.();
    this.ac.abort();
  }

  get stopped(): boolean {
    return this.ac.signal.aborted;
  }

  /** The events, as they come, each recorded first. Ends (never throws) when the answer ends. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ProviderEvent> {
    if (this.started) throw new Error('an answer is read once');
    this.started = true;
    const onAbort = () => this.stop();
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    const sub = this.o.token?.onCancellationRequested(onAbort);
    try {
      if (this.o.signal?.aborted || this.o.token?.isCancellationRequested) this.stop();
      for await (const ev of this.source(this.ac.signal)) {
        switch (ev.type) {
          case 'text':
            this.text += ev.delta;
            break;
          case 'rewrite':
          case 'done':
            if (ev.text === this.text) {
              if (ev.type === 'rewrite') continue; // nothing changed
              break;
            }
            this.text = ev.text;
            if (ev.type === 'done') {
              // A final text that differs is a rewrite for whoever shows the text.
              yield { type: 'rewrite', text: ev.text };
            }
            break;
          case 'reasoning':
            this.reasoning = ev.text;
            break;
          case 'model':
            this.answeredBy = ev;
            break;
        }
        yield ev;
      }
      this.state = this.ac.signal.aborted ? 'stopped' : 'done';
    } catch (err) {
      if (isAbort(err) || this.ac.signal.aborted) this.state = 'stopped';
      else {
        this.state = 'error';
        this.error = err;
        this.described = describeError(err);
      }
    } finally {
      this.o.signal?.removeEventListener('abort', onAbort);
      sub?.dispose();
    }
  }

  /** Reads the whole answer, handing each event to its handler. Resolves when it ends (never rejects). */
  async run(on: AnswerHandlers = {}): Promise<this> {
    for await (const ev of this) {
      switch (ev.type) {
        case 'text':
          on.text?.(ev.delta);
          break;
        case 'rewrite':
          on.rewrite?.(ev.text);
          break;
        case 'reasoning':
          on.reasoning?.(ev.delta, ev.text);
          break;
        case 'model':
          on.model?.(ev);
          break;
        case 'status':
          on.status?.(ev.status);
          break;
        case 'tool-call':
          on.toolCall?.(ev.call);
          break;
      }
    }
    return this;
  }
}

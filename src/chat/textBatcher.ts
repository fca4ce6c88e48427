/**
 * Paces a streamed answer for VS Code's own Chat. VS Code renders the whole response again on
 * every part it gets, so a part per token costs it minutes on a long answer (issue 27). This
 * gathers the text (and the reasoning) and lets it out at a human cadence: the first piece at
 * once, then at most one update per interval, which grows with what is already shown (each
 * update costs VS Code more as the answer grows), and everything at the end or on Stop.
 *
 * It also decides what a rewrite does (the Space changed text it had already sent): text still
 * waiting here is simply replaced; once changed text has gone out it cannot be taken back, so
 * the answer says so and the final text follows whole (`REWRITE_NOTE`).
 *
 * No vscode here: the adapters give it a sink, and tests give it a clock.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Where paced text goes. Without `thinking`, reasoning is dropped (never mixed into the answer). */
export interface BatchSink {
  text(text: string): void;
  thinking?(text: string): void;
  /** Text already shown was rewritten: `note` says so, and the final text follows from its start. */
  restart(note: string): void;
}

export interface BatcherOptions {
  clock?: Clock;
  /** Milliseconds between updates, given how many characters have gone out so far. */
  intervalMs?: (shownChars: number) => number;
  /** Let out at once when this many characters wait, whatever the interval. */
  maxPending?: number;
}

/**
 * 100 ms at first, growing to a second over a long answer (22,500 characters shown and more):
 * VS Code lays out the whole response again on each update, so each costs more as the answer
 * grows, while its own renderer still shows the words flowing at the rate they came.
 */
export function defaultInterval(shownChars: number): number {
  return Math.min(1000, 100 + shownChars / 25);
}

export const REWRITE_NOTE = '\n\n---\n*The Space rewrote this answer while sending it; its final text follows.*\n\n';

/** A tag being written at the end (`<`, `<det`, `</tool_ca`): held back while streaming, as it may yet be cleaned away. */
const OPEN_TAG = /<[A-Za-z_/][\w/-]{0,30}$|<$/;

export class TextBatcher {
  private readonly clock: Clock;
  private readonly intervalMs: (shown: number) => number;
  private readonly maxPending: number;
  /** The answer text let out since the start (or since the last restart). */
  private shown = '';
  /** Characters let out in all, text and reasoning. */
  private shownChars = 0;
  private pendingText = '';
  private pendingThinking = '';
  private lastOut = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private ended = false;
  /** How many times text already shown had to be restarted after a rewrite. */
  restarts = 0;
  /** Updates let out (for tests and the bench). */
  updates = 0;

  constructor(
    private readonly sink: BatchSink,
    o: BatcherOptions = {},
  ) {
    this.clock = o.clock ?? systemClock;
    this.intervalMs = o.intervalMs ?? defaultInterval;
    this.maxPending = o.maxPending ?? 16_384;
  }

  /** The whole answer as it will read once everything waiting is out (the current segment). */
  get answer(): string {
    return this.shown + this.pendingText;
  }

  text(delta: string): void {
    if (this.ended || !delta) return;
    if (this.pendingThinking) this.out(true);
    this.pendingText += delta;
    this.kick();
  }

  thinking(delta: string): void {
    if (this.ended || !delta || !this.sink.thinking) return;
    if (this.pendingText) this.out(true);
    this.pendingThinking += delta;
    this.kick();
  }

  /** The answer so far is `whole`, replacing what came before. */
  rewrite(whole: string): void {
    if (this.ended) return;
    if (whole.startsWith(this.shown)) {
      // Only text still waiting here changed: nobody saw it.
      if (this.pendingThinking && whole.length > this.shown.length) this.out(true);
      this.pendingText = whole.slice(this.shown.length);
      this.kick();
      return;
    }
    if (this.pendingThinking) this.out(true);
    this.cancelTimer();
    this.restarts++;
    this.sink.restart(REWRITE_NOTE);
    this.shown = '';
    this.pendingText = whole;
    this.out(false);
  }

  /** Lets out everything waiting now (Stop, an error, the end). */
  flush(): void {
    if (!this.ended) this.out(true);
  }

  /** Lets out everything waiting; nothing is taken after this. */
  end(): void {
    if (this.ended) return;
    this.out(true);
    this.ended = true;
  }

  private kick(): void {
    const waiting = this.pendingText.length + this.pendingThinking.length;
    if (!waiting) return;
    if (waiting >= this.maxPending) return this.out(false);
    if (this.timer !== undefined) return;
    const now = this.clock.now();
    const due = this.lastOut + this.intervalMs(this.shownChars);
    if (now >= due) return this.out(false);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.out(false);
    }, due - now);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Lets out what waits; `all` includes a tag still being written at the end. */
  private out(all: boolean): void {
    this.cancelTimer();
    let sent = false;
    if (this.pendingThinking) {
      const t = this.pendingThinking;
      this.pendingThinking = '';
      this.sink.thinking?.(t);
      this.shownChars += t.length;
      sent = true;
    }
    if (this.pendingText) {
      let t = this.pendingText;
      let keep = '';
      const tag = all ? null : OPEN_TAG.exec(t);
      if (tag) {
        keep = t.slice(tag.index);
        t = t.slice(0, tag.index);
      }
      this.pendingText = keep;
      if (t) {
        this.shown += t;
        this.shownChars += t.length;
        this.sink.text(t);
        sent = true;
      }
    }
    if (sent) {
      this.updates++;
      this.lastOut = this.clock.now();
    }
  }
}

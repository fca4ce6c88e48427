/**
 * A server-sent-events reader per the HTML spec's event-stream rules: lines end in CRLF, LF or
 * CR; `data:` lines of one event are joined with LF; a blank line dispatches; comments and
 * unknown fields are skipped. UTF-8 is decoded as a stream so a character split across two
 * chunks survives. A long line costs one copy (its pieces are joined once), and one event is
 * bounded (DEFAULT_MAX_EVENT_BYTES) so a runaway stream fails clearly.
 */

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** An event larger than this fails clearly rather than exhausting memory (a Gradio event holds the whole chat). */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024 * 1024;

export class SseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`an event larger than ${Math.round(limit / (1024 * 1024))} MB`);
  }
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  /**
   * The current line, still without its end, as the pieces it arrived in: joined once when the
   * line ends, so a 10 MB line costs one copy, not one per chunk (`buffer +=` is quadratic).
   */
  private pieces: string[] = [];
  private pieceChars = 0;
  private dataLines: string[] = [];
  private dataChars = 0;
  private eventName = '';
  private lastId: string | undefined;
  private sawField = false;
  /** A CR ended the previous chunk: a LF starting the next one belongs to it. */
  private pendingCR = false;

  /** `maxEventChars` bounds one event's size (characters of its data). */
  constructor(private readonly maxEventChars = DEFAULT_MAX_EVENT_BYTES) {}

  /** Feeds bytes (or text) and returns the events they complete. Throws SseTooLarge past the bound. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.pendingCR && text.charCodeAt(0) === 10) text = text.slice(1);
    this.pendingCR = false;
    const out: SseEvent[] = [];
    let start = 0;
    const len = text.length;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      let line = text.slice(start, i);
      if (this.pieces.length) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
        this.pieceChars = 0;
      }
      if (c === 13) {
        if (i + 1 < len) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.pendingCR = true;
      }
      start = i + 1;
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    if (start < len) {
      const rest = start === 0 ? text : text.slice(start);
      this.pieces.push(rest);
      this.pieceChars += rest.length;
      if (this.pieceChars + this.dataChars > this.maxEventChars) throw new SseTooLarge(this.maxEventChars);
    }
    return out;
  }

  /** Ends the stream. Per the spec an event not closed by a blank line is dropped; we report that. */
  end(): { incomplete: boolean } {
    const tail = this.decoder.decode();
    const incomplete = this.pieces.length > 0 || tail.length > 0 || this.sawField;
    this.pieces = [];
    this.pieceChars = 0;
    this.dataLines = [];
    this.dataChars = 0;
    this.sawField = false;
    return { incomplete };
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (!this.sawField) return undefined;
      const ev: SseEvent = { event: this.eventName || 'message', data: this.dataLines.length === 1 ? this.dataLines[0] : this.dataLines.join('\n') };
      if (this.lastId !== undefined) ev.id = this.lastId;
      this.dataLines = [];
      this.dataChars = 0;
      this.eventName = '';
      this.sawField = false;
      return ev;
    }
    if (line.charCodeAt(0) === 58 /* : */) return undefined; // comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        this.dataChars += value.length;
        if (this.dataChars > this.maxEventChars) throw new SseTooLarge(this.maxEventChars);
        this.sawField = true;
        break;
      case 'event':
        this.eventName = value;
        this.sawField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        break; // `retry` and unknown fields do not concern a one-shot reader
    }
    return undefined;
  }
}

/** Reads SSE events from a byte stream. Ends when the stream ends; `onEnd` learns whether it cut an event. */
export async function* readSse(
  body: AsyncIterable<Uint8Array>,
  onEnd?: (info: { incomplete: boolean }) => void,
): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for await (const chunk of body) {
    for (const ev of parser.push(chunk)) yield ev;
  }
  onEnd?.(parser.end());
}

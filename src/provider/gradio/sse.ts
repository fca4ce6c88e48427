/**
 * A server-sent-events reader per the HTML spec's event-stream rules: lines end in CRLF, LF or
 * CR; `data:` lines of one event are joined with LF; a blank line dispatches; comments and
 * unknown fields are skipped. UTF-8 is decoded as a stream so a character split across two
 * chunks survives, and no line length is imposed (a Gradio final message holds the whole chat).
 */

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** Where in `buffer` the search for the next line end resumes, so long lines are scanned once. */
  private scanFrom = 0;
  private dataLines: string[] = [];
  private eventName = '';
  private lastId: string | undefined;
  private sawField = false;
  /** A CR ended the previous chunk: a LF starting the next one belongs to it. */
  private pendingCR = false;

  /** Feeds bytes (or text) and returns the events they complete. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      let i = this.scanFrom;
      const len = this.buffer.length;
      while (i < len) {
        const c = this.buffer.charCodeAt(i);
        if (c === 10 || c === 13) break;
        i++;
      }
      if (i >= len) {
        this.scanFrom = len;
        break;
      }
      const line = this.buffer.slice(start, i);
      let next = i + 1;
      if (this.buffer.charCodeAt(i) === 13) {
        if (next < len) {
          if (this.buffer.charCodeAt(next) === 10) next++;
        } else {
          this.pendingCR = true;
        }
      }
      start = next;
      this.scanFrom = next;
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    if (start > 0) {
      this.buffer = this.buffer.slice(start);
      this.scanFrom -= start;
    }
    return out;
  }

  /** Ends the stream. Per the spec an event not closed by a blank line is dropped; we report that. */
  end(): { incomplete: boolean } {
    const tail = this.decoder.decode();
    const incomplete = this.buffer.length > 0 || tail.length > 0 || this.sawField;
    this.buffer = '';
    this.scanFrom = 0;
    this.dataLines = [];
    this.sawField = false;
    return { incomplete };
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (!this.sawField) return undefined;
      const ev: SseEvent = { event: this.eventName || 'message', data: this.dataLines.join('\n') };
      if (this.lastId !== undefined) ev.id = this.lastId;
      this.dataLines = [];
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

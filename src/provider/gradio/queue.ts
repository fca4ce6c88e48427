/**
 * One queued call to a Gradio function: join, read the session's event stream, rebuild the
 * outputs from streamed diffs, report queue status, and end on `process_completed`. Anything
 * else that ends the stream is an error. Aborting closes the stream at once and tells the Space.
 */
import { randomBytes } from 'node:crypto';
import { QwenError, stripHtml } from '../errors';
import type { SpaceStatus } from '../types';
import type { ChatEndpoint } from './config';
import { joinUrl } from './config';
import { applyDiff, DiffError, isDiffOpList } from './diff';
import type { Http } from './http';
import { bodyMessage, pageText, readText } from './http';
import { classify, parseMessage } from './messages';
import { SseParser, SseTooLarge } from './sse';

export type QueueEvent =
  | { type: 'status'; status: SpaceStatus }
  /** Full output values; `ops` are the diff ops that produced them, when this update was a diff. */
  | { type: 'output'; data: unknown[]; final: boolean; ops?: unknown[] };

export function newSessionHash(): string {
  return randomBytes(5).toString('hex'); // 10 lowercase hex characters, like gpt4free
}

const CANCEL_TIMEOUT_MS = 3_000;

export async function* submit(
  http: Http,
  ep: ChatEndpoint,
  data: unknown[],
  opts: { signal?: AbortSignal; sessionHash?: string } = {},
): AsyncGenerator<QueueEvent> {
  const { signal } = opts;
  const sessionHash = opts.sessionHash ?? newSessionHash();
  const api = (path: string) => joinUrl(ep.root, ep.apiPrefix, path);
  if (signal?.aborted) throw new QwenError('aborted', 'Stopped.');

  // 1. Join the queue.
  const joinUrlStr = api('queue/join');
  const joinRes = await http.send(joinUrlStr, {
    method: 'POST',
    signal,
    what: 'joining the queue',
    body: { data, event_data: null, fn_index: ep.fnIndex, trigger_id: ep.triggerId, session_hash: sessionHash },
  });
  let eventId: string;
  try {
    const text = await readText(joinRes.body);
    if (/^\s*</.test(text) || /html/i.test(String(joinRes.headers['content-type'] ?? ''))) {
      const said = bodyMessage('text/html', text);
      throw new QwenError('not-ready', `The Space answered joining the queue with a web page: it may be asleep, building or paused.${said ? ` It said: ${said}` : ''}`, {
        status: joinRes.statusCode,
        spaceMessage: said,
        page: pageText(text),
      });
    }
    const j = JSON.parse(text) as { event_id?: unknown };
    if (typeof j.event_id !== 'string' || !j.event_id) throw new Error('no event_id');
    eventId = j.event_id;
  } catch (err) {
    if (signal?.aborted) throw new QwenError('aborted', 'Stopped.');
    if (err instanceof QwenError) throw err;
    throw new QwenError('protocol', `The Space's answer to joining the queue had no event id.`, { cause: err });
  }

  const joinedAt = Date.now();
  let completed = false;
  let serverClosed = false;
  let body: (AsyncIterable<Uint8Array> & { destroy?: (e?: Error) => void }) | undefined;
  try {
    // 2. Open the session's event stream (join first: Gradio buffers messages until we connect).
    const dataUrl = `${api('queue/data')}?session_hash=${encodeURIComponent(sessionHash)}`;
    const res = await http.send(dataUrl, { signal, accept: 'text/event-stream', what: 'opening the event stream' });
    body = res.body;
    const ct = String(res.headers['content-type'] ?? '');
    if (!/text\/event-stream/i.test(ct)) {
      const text = await readText(res.body, 2000).catch(() => '');
      throw new QwenError('protocol', `The Space's event stream is not an event stream (${ct || 'no content type'}): ${stripHtml(text).slice(0, 200)}`);
    }

    const diffs = ep.protocol !== 'sse_v1';
    let outputs: unknown[] | undefined;
    let diffBroken = false;
    const parser = new SseParser();
    const iterator = res.body[Symbol.asyncIterator]();
    for (;;) {
      let chunk: IteratorResult<Uint8Array>;
      try {
        chunk = await iterator.next();
      } catch (err) {
        const e = http.networkError(err, dataUrl, 'reading the answer', signal);
        // A connection that drops once the answer is flowing is a cut stream, not an unreachable host.
        if (e.kind === 'connection') throw new QwenError('stream-ended', `The connection to the Space dropped before the answer was complete (${e.message})`, { cause: err });
        throw e;
      }
      if (chunk.done) break;
      let frames;
      try {
        frames = parser.push(chunk.value);
      } catch (err) {
        if (!(err instanceof SseTooLarge)) throw err;
        throw new QwenError('protocol', `The Space sent ${err.message}; the answer is too large to read.`, { cause: err });
      }
      for (const sse of frames) {
        const msg = parseMessage(sse.data);
        if (!msg) {
          yield status({ stage: 'warning', message: `Skipped a malformed event from the Space: ${sse.data.slice(0, 120)}` });
          continue;
        }
        const meaning = classify(msg, eventId);
        switch (meaning.type) {
          case 'heartbeat':
            // Only heartbeats so far: say the Space is alive, so a long wait is not a silent one.
            if (!outputs) yield status({ stage: 'alive', waitedSeconds: Math.round((Date.now() - joinedAt) / 1000) });
            break;
          case 'closed':
            serverClosed = true;
            throw new QwenError('stream-ended', 'The Space closed the stream before the answer was complete.');
          case 'update':
            yield status(meaning.status);
            break;
          case 'error':
            if (meaning.final) completed = true;
            throw meaning.error;
          case 'cancelled':
            completed = true;
            if (signal?.aborted) throw new QwenError('aborted', 'Stopped.');
            throw new QwenError('stream-ended', 'The Space cancelled the request before it finished.');
          case 'output': {
            const { data: incoming, final } = meaning;
            let ops: unknown[] | undefined;
            if (final || !outputs || !diffs) {
              // Full values: the first generating message, every completed one, and all of sse_v1.
              outputs = incoming.slice();
              diffBroken = false;
            } else if (!diffBroken) {
              try {
                outputs = outputs.map((prev, i) => {
                  const ops = incoming[i];
                  if (isDiffOpList(ops)) return applyDiff(prev, ops);
                  throw new DiffError(`output ${i} is not a list of diff ops`);
                });
                ops = incoming;
              } catch (err) {
                // Keep what we have; process_completed brings the full value and repairs it.
                diffBroken = true;
                yield status({ stage: 'warning', message: `Could not apply an update from the Space (${(err as Error).message}); the full answer will arrive at the end.` });
                break;
              }
            } else {
              break;
            }
            if (final) completed = true;
            yield { type: 'output', data: outputs, final, ops };
            if (final) return;
            break;
          }
          case 'ignore':
            break;
        }
      }
    }
    const { incomplete } = parser.end();
    throw new QwenError(
      'stream-ended',
      `The connection to the Space ended before the answer was complete${incomplete ? ' (in the middle of an event)' : ''}.`,
    );
  } finally {
    body?.destroy?.();
    if (!completed && !serverClosed) {
      // Tell the Space, so it stops generating for nobody. Bounded, and never masks the real error.
      await http
        .send(api('cancel'), {
          method: 'POST',
          signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
          what: 'cancelling',
          body: { session_hash: sessionHash, fn_index: ep.fnIndex, event_id: eventId },
        })
        .then((r) => r.body.dump())
        .catch(() => undefined);
    }
  }
}

function status(s: SpaceStatus): QueueEvent {
  return { type: 'status', status: s };
}

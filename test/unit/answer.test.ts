/** The one consumer of an answer stream (src/provider/answer.ts), on scripted event streams and on the local Space. */
import assert from 'node:assert/strict';
import { Answer, type AnswerSource } from '../../src/provider/answer';
import { QwenError } from '../../src/provider/errors';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import type { ProviderEvent } from '../../src/provider/types';
import { LocalSpace } from '../fixtures/space';
import { waitFor } from '../support/wait';

/** A source that yields `events`, then throws `end` if given; it honours its signal between events. */
function scripted(events: ProviderEvent[], end?: unknown): AnswerSource {
  return async function* (signal) {
    for (const ev of events) {
      if (signal.aborted) throw new QwenError('aborted', 'Stopped.');
      yield ev;
      await new Promise((r) => setImmediate(r));
    }
    if (end) throw end;
  };
}

/** A token shaped like VS Code's CancellationToken. */
class Token {
  isCancellationRequested = false;
  private listeners: Array<() => unknown> = [];
  disposed = 0;
  onCancellationRequested(l: () => unknown) {
    this.listeners.push(l);
    return { dispose: () => void this.disposed++ };
  }
  cancel() {
    this.isCancellationRequested = true;
    for (const l of this.listeners) l();
  }
}

describe('the answer consumer', () => {
  it('keeps the text, the reasoning and who answered, and ends done', async () => {
    const a = await new Answer(
      scripted([
        { type: 'model', model: 'qwen-2.5', label: 'Qwen', spaceId: 'Qwen/Qwen2.5' },
        { type: 'reasoning', delta: 'Hm', text: 'Hm' },
        { type: 'text', delta: 'Hello', text: 'Hello' },
        { type: 'text', delta: ' world', text: 'Hello world' },
        { type: 'done', text: 'Hello world' },
      ]),
    ).run();
    assert.equal(a.state, 'done');
    assert.equal(a.text, 'Hello world');
    assert.equal(a.reasoning, 'Hm');
    assert.equal(a.answeredBy?.model, 'qwen-2.5');
  });

  it('hands a final text that differs from what streamed to whoever shows the text, as a rewrite', async () => {
    const rewrites: string[] = [];
    const a = await new Answer(scripted([{ type: 'text', delta: 'Helo', text: 'Helo' }, { type: 'done', text: 'Hello' }])).run({ rewrite: (t) => rewrites.push(t) });
    assert.deepEqual(rewrites, ['Hello']);
    assert.equal(a.text, 'Hello');
  });

  it('words a failure once and never throws', async () => {
    const a = await new Answer(scripted([{ type: 'text', delta: 'Part', text: 'Part' }], new QwenError('busy', 'The queue is full.'))).run();
    assert.equal(a.state, 'error');
    assert.equal(a.text, 'Part', 'what came before the failure is kept');
    assert.match(a.described?.message ?? '', /queue is full/);
    assert.match(a.described?.hint ?? '', /busy/i);
  });

  it('a cancelled token lets the caller flush first, then stops the request: stopped, not an error', async () => {
    const token = new Token();
    const order: string[] = [];
    let n = 0;
    const a = new Answer(
      async function* (signal) {
        signal.addEventListener('abort', () => order.push('aborted'));
        for (;;) {
          if (signal.aborted) throw new QwenError('aborted', 'Stopped.');
          yield { type: 'text', delta: 'x', text: 'x'.repeat(++n) } as ProviderEvent;
          await new Promise((r) => setImmediate(r));
        }
      },
      { token, onStop: () => order.push('flushed') },
    );
    await a.run({ text: () => n === 3 && token.cancel() });
    assert.equal(a.state, 'stopped');
    assert.deepEqual(order, ['flushed', 'aborted']);
    assert.equal(a.text, 'xxx');
    assert.equal(token.disposed, 1, 'its listener is let go');
  });

  it('an AbortSignal already aborted stops it before anything is asked', async () => {
    const ac = new AbortController();
    ac.abort();
    let asked = false;
    const a = await new Answer(async function* (signal) {
      asked = !signal.aborted;
      if (signal.aborted) throw new QwenError('aborted', 'Stopped.');
      yield { type: 'done', text: '' } as ProviderEvent;
    }, { signal: ac.signal }).run();
    assert.equal(a.state, 'stopped');
    assert.equal(asked, false);
  });

  it('stopping a real Space\'s answer cancels it at the Space', async () => {
    const space = new LocalSpace({ tokenDelayMs: 30, answer: () => Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ') });
    await space.start();
    try {
      const a = new Answer((signal) => Qwen_Qwen_2_5.stream('', [{ role: 'user', content: 'Count' }], { baseUrl: space.url, signal, proxy: null }));
      await a.run({ text: () => a.text.length > 20 && a.stop() });
      assert.equal(a.state, 'stopped');
      assert.doesNotMatch(a.text, /w199/);
      await waitFor('the Space to hear of it', () => space.stats.cancels.length + space.stats.disconnects > 0, { timeoutMs: 10_000 });
    } finally {
      await space.stop();
    }
  });
});

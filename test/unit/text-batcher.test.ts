import assert from 'node:assert/strict';
import { ModelResponse, type ResponsePart } from '../../src/extension/vscodeChat/modelResponse';
import { answerFooter, historyAnswer } from '../../src/extension/vscodeChat/participantHistory';
import { type Clock, defaultInterval, REWRITE_NOTE, TextBatcher } from '../../src/chat/textBatcher';

/** A clock that moves only when the test says so, running what falls due on the way. */
class TestClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

function setup(o: { interval?: number; thinking?: boolean } = {}) {
  const clock = new TestClock();
  const out: string[] = [];
  const b = new TextBatcher(
    {
      text: (t) => out.push(t),
      ...(o.thinking === false ? {} : { thinking: (t: string) => out.push(`[think:${t}]`) }),
      restart: (note) => out.push(note),
    },
    { clock, intervalMs: () => o.interval ?? 100 },
  );
  return { clock, out, b };
}

describe('TextBatcher: VS Code\'s Chat gets text at a human cadence', () => {
  it('lets the first text out at once, then gathers tokens until the interval has passed', () => {
    const { clock, out, b } = setup();
    b.text('Hello');
    assert.deepEqual(out, ['Hello'], 'the first token is not held');
    for (let i = 0; i < 20; i++) {
      clock.advance(5);
      b.text(` w${i}`);
    }
    // 100 ms after the first update, the 19 tokens that came meanwhile go out as one.
    assert.equal(out.length, 2);
    assert.equal(out[1], Array.from({ length: 19 }, (_, i) => ` w${i}`).join(''));
    clock.advance(100);
    assert.deepEqual(out.slice(2), [' w19']);
  });

  it('gives one update per interval on a fast stream, whatever the token count', () => {
    const { clock, out, b } = setup();
    for (let i = 0; i < 3000; i++) {
      b.text('x');
      clock.advance(5); // a token every 5 ms for 15 s
    }
    b.end();
    assert.equal(out.join(''), 'x'.repeat(3000));
    assert.ok(out.length <= 15_000 / 100 + 2, `${out.length} updates for 3000 tokens`);
  });

  it('sends a token that comes after a pause at once, not an interval later', () => {
    const { clock, out, b } = setup();
    b.text('a');
    clock.advance(2000); // the Space is slow
    b.text('b');
    assert.deepEqual(out, ['a', 'b']);
  });

  it('lets everything out at the end and on flush (Stop), and takes nothing after the end', () => {
    const { clock, out, b } = setup();
    b.text('a');
    b.text('b');
    b.text('c');
    assert.deepEqual(out, ['a']);
    b.flush();
    assert.deepEqual(out, ['a', 'bc'], 'nothing is held back after a Stop');
    b.text('d');
    b.end();
    b.text('e');
    clock.advance(1000);
    assert.deepEqual(out, ['a', 'bc', 'd']);
    assert.equal(clock.pending, 0, 'no timer is left behind');
  });

  it('lets a large burst out at once rather than after the interval', () => {
    const clock = new TestClock();
    const out: string[] = [];
    const b = new TextBatcher({ text: (t) => out.push(t), restart: () => undefined }, { clock, intervalMs: () => 100, maxPending: 1000 });
    b.text('a');
    b.text('y'.repeat(1000));
    assert.deepEqual(out, ['a', 'y'.repeat(1000)]);
  });

  it('spaces updates further apart as the answer grows (each costs VS Code more)', () => {
    assert.equal(defaultInterval(0), 100);
    assert.ok(defaultInterval(10_000) > defaultInterval(1_000));
    assert.equal(defaultInterval(1_000_000), 1000);
  });

  it('holds back a tag still being written while streaming, and lets it out at the end', () => {
    const { clock, out, b } = setup();
    b.text('one ');
    b.text('two <det');
    clock.advance(100);
    assert.deepEqual(out, ['one ', 'two ']);
    b.end();
    assert.deepEqual(out, ['one ', 'two ', '<det']);
  });

  it('keeps reasoning apart from the text, in order, and drops it where there is nowhere to show it', () => {
    const { clock, out, b } = setup();
    b.thinking('hmm');
    b.thinking(' so');
    clock.advance(100);
    b.text('Answer');
    b.end();
    assert.deepEqual(out, ['[think:hmm]', '[think: so]', 'Answer']);
    const bare = setup({ thinking: false });
    bare.b.thinking('secret reasoning');
    bare.b.text('Answer');
    bare.b.end();
    assert.deepEqual(bare.out, ['Answer'], 'reasoning is never mixed into the answer');
  });

  describe('rewrites', () => {
    it('replaces text that was still waiting, silently: nobody saw it', () => {
      const { clock, out, b } = setup();
      b.text('Hello');
      b.text(' wrold');
      b.rewrite('Hello world');
      clock.advance(100);
      b.end();
      assert.deepEqual(out, ['Hello', ' world']);
      assert.equal(b.restarts, 0);
    });

    it('once changed text has gone out, says so and gives the final text whole', () => {
      const { clock, out, b } = setup();
      b.text('The answer is 4');
      b.text('2.');
      b.rewrite('The answer is 42, really.');
      assert.equal(b.restarts, 0, 'the shown part still stands');
      clock.advance(100);
      b.rewrite('Actually: 43.');
      b.text(' Done.');
      b.end();
      assert.equal(b.restarts, 1);
      assert.equal(out.join(''), `The answer is 42, really.${REWRITE_NOTE}Actually: 43. Done.`);
      assert.equal(b.answer, 'Actually: 43. Done.', 'the final text is known for the history');
    });

    it('absorbs a cleaned-away tag that was held back (Qwen2.5-1M\'s thinking markup)', () => {
      const { clock, out, b } = setup();
      b.text('Sure. <det');
      clock.advance(100);
      b.rewrite('Sure. ');
      b.text('Here.');
      b.end();
      assert.deepEqual(out.join(''), 'Sure. Here.');
      assert.equal(b.restarts, 0);
    });
  });
});

describe('ModelResponse: the language model provider\'s parts', () => {
  function run(events: Array<Parameters<ModelResponse['event']>[0] | 'tick' | 'stop'>, o: { tools: boolean; thinking: boolean }) {
    const clock = new TestClock();
    const parts: ResponsePart[] = [];
    const r = new ModelResponse((p) => parts.push(p), { ...o, clock, intervalMs: () => 100 });
    for (const e of events) {
      if (e === 'tick') clock.advance(100);
      else if (e === 'stop') r.flush();
      else r.event(e);
    }
    return { parts, r };
  }
  const text = (delta: string) => ({ type: 'text' as const, delta, text: '' });

  it('keeps tool calls in order with the text around them, however the text was batched', () => {
    const answer = 'Let me read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>\nThen more.';
    for (const size of [1, 3, 1000]) {
      const events: Array<ReturnType<typeof text> | 'tick'> = [];
      for (let i = 0; i < answer.length; i += size) events.push(text(answer.slice(i, i + size)), ...(i % 30 === 0 ? (['tick'] as const) : []));
      const { parts, r } = run(events, { tools: true, thinking: true });
      r.end();
      const merged: ResponsePart[] = [];
      for (const p of parts) {
        const last = merged[merged.length - 1];
        if (p.kind === 'text' && last?.kind === 'text') last.text += p.text;
        else merged.push(p.kind === 'text' ? { ...p } : p);
      }
      assert.deepEqual(merged, [
        { kind: 'text', text: 'Let me read it.\n' },
        { kind: 'call', call: { name: 'read_file', arguments: { path: 'a.py' } } },
        { kind: 'text', text: '\nThen more.' },
      ], `chunks of ${size}`);
    }
  });

  it('sends reasoning as thinking, closed when the answer starts, and never as text', () => {
    const { parts, r } = run([{ type: 'reasoning', delta: 'Let me think', text: '' }, 'tick', text('Yes.')], { tools: false, thinking: true });
    r.end();
    assert.deepEqual(parts, [
      { kind: 'thinking', text: 'Let me think' },
      { kind: 'thinking', text: '', done: true },
      { kind: 'text', text: 'Yes.' },
    ]);
    const without = run([{ type: 'reasoning', delta: 'Let me think', text: '' }, text('Yes.')], { tools: false, thinking: false });
    without.r.end();
    assert.deepEqual(without.parts, [{ kind: 'text', text: 'Yes.' }]);
  });

  it('lets what waits out on Stop', () => {
    const { parts } = run([text('a'), text('b'), text('c'), 'stop'], { tools: false, thinking: false });
    assert.equal(parts.map((p) => (p.kind === 'text' ? p.text : '')).join(''), 'abc');
  });

  it('makes far fewer parts than tokens on a long answer', () => {
    const events: Array<ReturnType<typeof text> | 'tick'> = [];
    for (let i = 0; i < 3000; i++) {
      events.push(text(` t${i}`));
      if (i % 20 === 19) events.push('tick'); // 20 tokens per 100 ms
    }
    const { parts, r } = run(events, { tools: false, thinking: false });
    r.end();
    assert.ok(parts.length <= 151, `${parts.length} parts for 3000 tokens`);
  });
});

describe('@qwen\'s history', () => {
  it('leaves its own footer out of the next prompt', () => {
    const shown = `Closures capture variables.${answerFooter('qwen-2.5', 'Qwen/Qwen2.5')}`;
    assert.equal(historyAnswer(shown, { model: 'qwen-2.5' }), 'Closures capture variables.');
    assert.equal(historyAnswer('A stopped answer', { stopped: true }), 'A stopped answer');
  });

  it('takes the final text of a rewritten answer, not what was shown', () => {
    assert.equal(historyAnswer(`old${REWRITE_NOTE}new${answerFooter('m', 's')}`, { answer: 'new' }), 'new');
  });
});

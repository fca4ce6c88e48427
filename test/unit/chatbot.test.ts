import assert from 'node:assert/strict';
import { appendedText, lastBotText, TextTracker } from '../../src/provider/gradio/chatbot';

describe('answer text from chatbot values', () => {
  it('reads every chatbot shape a Qwen Space uses', () => {
    const mgr = (text: string | null) => ({ id: null, text, flushing: null, avatar: '', files: null });
    assert.equal(lastBotText([[mgr('q'), mgr('a1')], [mgr('q2'), mgr('a2')]]), 'a2');
    assert.equal(lastBotText([['q', 'plain']]), 'plain');
    assert.equal(lastBotText([['q', null]]), undefined);
    assert.equal(lastBotText([[mgr('q'), [mgr('part 1'), mgr('part 2')]]]), 'part 1\n\npart 2');
    assert.equal(lastBotText([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'm' }]), 'm');
    assert.equal(lastBotText([{ role: 'assistant', content: 'old' }, { role: 'user', content: 'q' }]), undefined);
    assert.equal(lastBotText([]), undefined);
  });

  it('turns snapshots into deltas and reports a rewrite instead of garbage', () => {
    const t = new TextTracker();
    assert.deepEqual(t.update('Hel'), { kind: 'delta', delta: 'Hel' });
    assert.deepEqual(t.update('Hello'), { kind: 'delta', delta: 'lo' });
    assert.deepEqual(t.update('Hello'), { kind: 'none' });
    assert.deepEqual(t.update('HELLO!'), { kind: 'rewrite', text: 'HELLO!' });
    assert.equal(t.text, 'HELLO!');
  });

  it('takes the append fast path only when the ops grew the answer by exactly their text', () => {
    const t = new TextTracker();
    t.update('ab');
    assert.equal(appendedText([['append', [0, 1, 'text'], 'c'], ['append', [0, 1, 'text'], 'd']]), 'cd');
    assert.deepEqual(t.append('cd', 'abcd'), { kind: 'delta', delta: 'cd' });
    // an append to the user's message leaves the answer as it was: no fast path
    assert.equal(t.append('zz', 'abcd'), undefined);
    assert.equal(appendedText([['append', [0, 0, 'text'], 'x'], ['append', [0, 1, 'text'], 'y']]), undefined);
    assert.equal(appendedText([['replace', [0, 1, 'text'], 'x']]), undefined);
    assert.equal(appendedText([]), undefined);
  });
});

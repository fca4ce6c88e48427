import assert from 'node:assert/strict';
import { applyDiff, DiffError, type DiffOp } from '../../src/provider/gradio/diff';
import { gradioDiff } from '../fixtures/gradio-diff';

const msg = (text: string) => ({ id: null, text, flushing: null, avatar: '', files: [] });

describe('streamed diffs', () => {
  it('appends to the bot text at [0, 1, "text"], as the Qwen Space streams', () => {
    const v = [[msg('hi'), msg('Hel')]];
    const out = applyDiff(v, [['append', [0, 1, 'text'], 'lo!']]) as Array<Array<{ text: string }>>;
    assert.equal(out[0][1].text, 'Hello!');
  });

  it('replaces, adds and deletes in lists and objects', () => {
    const ops: DiffOp[] = [
      ['replace', [0], 'A'],
      ['add', [2], 'c'],
      ['delete', [1], null],
      ['add', [2], { k: 1 }],
      ['add', [2, 'j'], 2],
      ['delete', [2, 'k'], null],
    ];
    assert.deepEqual(applyDiff(['a', 'b'], ops), ['A', 'c', { j: 2 }]);
  });

  it('treats an empty path as the whole value', () => {
    assert.equal(applyDiff('abc', [['append', [], 'def']]), 'abcdef');
    assert.deepEqual(applyDiff([1], [['replace', [], [2]]]), [2]);
  });

  it('fails clearly on a path that does not exist or an unknown op', () => {
    assert.throws(() => applyDiff([[msg('a')]], [['append', [3, 1, 'text'], 'x']]), DiffError);
    assert.throws(() => applyDiff(['a'], [['frobnicate', [0], 'x']]), /unknown diff op/);
    assert.throws(() => applyDiff({ a: 1 }, [['append', ['a'], 'x']]), /cannot append/);
  });

  it('rebuilds every value from the ops Gradio\'s own diff produces', () => {
    // Snapshots like a chat: growing text, a new pair, a rewrite, a shrink.
    const snapshots: unknown[] = [
      ['', [[msg('q'), msg('')]], 'sys'],
      ['', [[msg('q'), msg('Hello')]], 'sys'],
      ['', [[msg('q'), msg('Hello, wor')]], 'sys'],
      ['', [[msg('q'), msg('Hello, world')], [msg('q2'), null]], 'sys'],
      ['', [[msg('q'), msg('HELLO')], [msg('q2'), msg('x')]], 'sys2'],
      ['', [[msg('q'), msg('HELLO')]], 'sys2'],
    ];
    let state: unknown = structuredClone(snapshots[0]);
    for (let i = 1; i < snapshots.length; i++) {
      const ops = gradioDiff(snapshots[i - 1], snapshots[i]);
      state = applyDiff(state, ops as DiffOp[]);
      assert.deepEqual(state, snapshots[i], `after snapshot ${i}`);
    }
  });
});

/** The merge of two windows' copies of one conversation (merge.ts): nothing either added is lost. */
import assert from 'node:assert/strict';
import { detachVersion, switchVersion } from '../../src/chat/versions';
import { mergeConversations, turnIds } from '../../src/chat/merge';
import type { StoredConversation, StoredTurn } from '../../src/chat/model';

const t = (id: string, role: 'user' | 'assistant', text: string, at: number, extra: Partial<StoredTurn> = {}): StoredTurn => ({ id, role, text, state: 'done', createdAt: at, ...extra });
const conv = (turns: StoredTurn[], title = 'Chat'): StoredConversation => ({ version: 1, id: 'c', title, createdAt: 1, updatedAt: 1, turns });
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const texts = (turns: readonly StoredTurn[]) => turns.map((x) => x.text);
/** Every branch of the tree as text paths, sorted: what a user can reach with the version arrows. */
function paths(turns: StoredTurn[]): string[] {
  const out: string[] = [];
  const walk = (list: StoredTurn[], prefix: string[]): void => {
    for (let i = 0; i < list.length; i++) {
      const v = list[i].versions;
      if (v) for (const [k, b] of v.all.entries()) if (k !== v.active && b) walk(b, [...prefix, ...texts(list.slice(0, i))]);
    }
    out.push([...prefix, ...texts(list)].join(' / '));
  };
  walk(turns, []);
  return out.sort();
}
const base = (c: StoredConversation) => ({ ids: turnIds(c.turns), title: c.title });

describe('merging two windows\' copies of a conversation', () => {
  const start = () => conv([t('q1', 'user', 'q1', 1), t('a1', 'assistant', 'a1', 2)]);

  it('two new answers at the same place become two versions, the same in both windows', () => {
    const seen = start();
    const a = copy(seen);
    const b = copy(seen);
    a.turns.push(t('qa', 'user', 'from A', 10), t('aa', 'assistant', 'answer A', 11));
    b.turns.push(t('qb', 'user', 'from B', 20), t('ab', 'assistant', 'answer B', 21));
    const inA = copy(a);
    const inB = copy(b);
    assert.equal(mergeConversations(inA, b, base(seen)), true);
    assert.equal(mergeConversations(inB, a, base(seen)), true);
    const want = ['q1 / a1 / from A / answer A', 'q1 / a1 / from B / answer B'];
    assert.deepEqual(paths(inA.turns), want);
    assert.deepEqual(paths(inB.turns), want);
    assert.deepEqual(texts(inA.turns), ['q1', 'a1', 'from A', 'answer A'], 'each window keeps showing its own');
    assert.deepEqual(texts(inB.turns), ['q1', 'a1', 'from B', 'answer B']);
    assert.deepEqual(inB.turns[2].versions?.all.map((x) => x && texts(x)), [['from A', 'answer A'], null], 'older version first');
  });

  it('keeps the turn objects of this window, so an answer streaming here goes on streaming into the merge', () => {
    const mine = start();
    const streaming = t('s', 'assistant', 'partial answer so far', 5, { state: 'streaming' });
    mine.turns.push(t('q2', 'user', 'q2', 4), streaming);
    // The other window read it earlier, mid-stream (shorter, interrupted), and added nothing else.
    const disk = copy(mine);
    disk.turns[3] = { ...disk.turns[3], text: 'partial', state: 'stopped', interrupted: true };
    mergeConversations(mine, disk, base(start()));
    assert.equal(mine.turns[3], streaming);
    assert.equal(streaming.text, 'partial answer so far');
    assert.equal(streaming.state, 'streaming');
  });

  it('takes a further copy of an answer another window streamed, shown as cut off until it ends there', () => {
    const mine = start();
    mine.turns.push(t('q2', 'user', 'q2', 4), t('s', 'assistant', 'par', 5, { state: 'stopped', interrupted: true }));
    const disk = copy(mine);
    disk.turns[3] = t('s', 'assistant', 'partial answer, longer', 5, { state: 'streaming' });
    assert.equal(mergeConversations(mine, disk, base(mine)), true);
    assert.equal(mine.turns[3].text, 'partial answer, longer');
    assert.equal(mine.turns[3].state, 'stopped');
    const ended = copy(disk);
    ended.turns[3] = t('s', 'assistant', 'the whole answer', 5, { endedAt: 9 });
    mergeConversations(mine, ended, base(mine));
    assert.deepEqual([mine.turns[3].text, mine.turns[3].state, mine.turns[3].interrupted], ['the whole answer', 'done', undefined]);
  });

  it('what this window removed stays removed; what the other added after stays', () => {
    const seen = conv([t('q1', 'user', 'q1', 1), t('err', 'assistant', '', 2, { state: 'error' })]);
    const mine = copy(seen);
    mine.turns.pop(); // Retry replaced a failed, empty answer
    mine.turns.push(t('a2', 'assistant', 'the retried answer', 3));
    const disk = copy(seen);
    disk.title = 'Renamed elsewhere';
    mergeConversations(mine, disk, base(seen));
    assert.deepEqual(paths(mine.turns), ['q1 / the retried answer']);
    assert.equal(mine.title, 'Renamed elsewhere', 'a rename in the other window is taken');
  });

  it('versions made in both windows are all kept, and merging again changes nothing', () => {
    const seen = start();
    const a = copy(seen);
    const va = detachVersion(a.turns, 1);
    a.turns.push(t('a1-A', 'assistant', 'regenerated in A', 10, { versions: va }));
    const b = copy(seen);
    const vb = detachVersion(b.turns, 1);
    b.turns.push(t('a1-B', 'assistant', 'regenerated in B', 20, { versions: vb }));
    const inA = copy(a);
    mergeConversations(inA, b, base(seen));
    assert.deepEqual(paths(inA.turns), ['q1 / a1', 'q1 / regenerated in A', 'q1 / regenerated in B']);
    assert.equal(mergeConversations(inA, copy(b), base(b)), false, 'nothing new the second time');
    // Every version can be shown, as the view's arrows do.
    assert.equal(switchVersion(inA.turns, 1, 0), true);
    assert.equal(inA.turns[1].text, 'a1');
  });
});

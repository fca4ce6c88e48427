import assert from 'node:assert/strict';
import type { HostToWebview, TurnView } from '../../src/protocol';
import { ChatState } from '../../src/webview/state';

const q = (id: string, text: string): TurnView => ({ id, role: 'user', text, state: 'done' });
const a = (id: string, text: string, o: Partial<TurnView> = {}): TurnView => ({ id, role: 'assistant', text, state: 'streaming', ...o });
const init = (id: string, turns: TurnView[], o: { busy?: boolean; queue?: Array<{ id: string; text: string }>; title?: string } = {}): HostToWebview => ({
  type: 'init', conversation: { id, title: o.title ?? 'T', turns }, history: [], busy: o.busy ?? false, ...(o.queue ? { queue: o.queue } : {}),
});

describe('the chat view\'s state (apply, without a DOM)', () => {
  it('opens a conversation: its turns in order, its title, busy and queue, and which one it was before', () => {
    const s = new ChatState();
    assert.deepEqual(s.apply(init('c1', [q('u1', 'Hi'), a('a1', 'Hello', { state: 'done' })], { title: 'Greeting', busy: true, queue: [{ id: 'q1', text: 'More?' }] })), { kind: 'conversation', from: '', busyChanged: true });
    assert.equal(s.conversationId, 'c1');
    assert.equal(s.title, 'Greeting');
    assert.deepEqual(s.order, ['u1', 'a1']);
    assert.deepEqual(s.views().map((t) => t.text), ['Hi', 'Hello']);
    assert.equal(s.busy, true);
    assert.deepEqual(s.queue, [{ id: 'q1', text: 'More?' }]);
    assert.ok(s.isLast('a1') && !s.isLast('u1'));
    // Another conversation replaces it all, and says which one was open; busy as it was is no change.
    assert.deepEqual(s.apply(init('c2', [q('x1', 'Other')], { busy: true })), { kind: 'conversation', from: 'c1', busyChanged: false });
    assert.deepEqual(s.order, ['x1']);
    assert.equal(s.turns.has('u1'), false);
    assert.deepEqual(s.queue, [], 'no queue sent: none');
  });

  it('ignores a delta before its turn, then appends deltas to the turn, then leaves it alone for a History message', () => {
    const s = new ChatState();
    s.apply(init('c1', [q('u1', 'Hi')]));
    assert.deepEqual(s.apply({ type: 'delta', turnId: 'a1', delta: 'lost' }), { kind: 'none' });
    assert.deepEqual(s.apply({ type: 'turn', turn: a('a1', '') }), { kind: 'turn', id: 'a1', added: true });
    assert.deepEqual(s.apply({ type: 'delta', turnId: 'a1', delta: 'Hel' }), { kind: 'text', id: 'a1', delta: 'Hel' });
    s.apply({ type: 'delta', turnId: 'a1', delta: 'lo' });
    assert.equal(s.turns.get('a1')?.text, 'Hello');
    assert.deepEqual(s.order, ['u1', 'a1']);
    assert.deepEqual(s.apply({ type: 'history', items: [{ id: 'c1', title: 'T', updatedAt: 1, turns: 2 }] }), { kind: 'none' });
    assert.equal(s.turns.get('a1')?.text, 'Hello');
    assert.deepEqual(s.order, ['u1', 'a1']);
  });

  it('takes a turn sent again whole in place, not as another one at the end', () => {
    const s = new ChatState();
    s.apply(init('c1', [q('u1', 'Hi'), a('a1', 'Hel')]));
    assert.deepEqual(s.apply({ type: 'turn', turn: a('a1', 'Hello', { model: 'qwen-2.5' }) }), { kind: 'turn', id: 'a1', added: false });
    assert.deepEqual(s.order, ['u1', 'a1']);
    assert.equal(s.turns.get('a1')?.model, 'qwen-2.5');
  });

  it('replaces an answer\'s text on a rewrite, never a user\'s message', () => {
    const s = new ChatState();
    s.apply(init('c1', [q('u1', 'Hi'), a('a1', '<tool_call>{')]));
    assert.deepEqual(s.apply({ type: 'rewrite', turnId: 'a1', text: 'Calling a tool.' }), { kind: 'rewrite', id: 'a1' });
    assert.equal(s.turns.get('a1')?.text, 'Calling a tool.');
    assert.deepEqual(s.apply({ type: 'rewrite', turnId: 'u1', text: 'x' }), { kind: 'none' });
    assert.equal(s.turns.get('u1')?.text, 'Hi');
  });

  it('keeps what turnMeta does not say, and changes what it does', () => {
    const s = new ChatState();
    s.apply(init('c1', [a('a1', '', { model: 'qwen-2.5', space: 'Qwen/Qwen2.5' })]));
    assert.deepEqual(s.apply({ type: 'turnMeta', turnId: 'a1', reasoning: 'Thinking' }), { kind: 'meta', id: 'a1' });
    s.apply({ type: 'turnMeta', turnId: 'a1', model: 'qwen-2.5-max', fallbackReason: 'The Qwen2.5 Space is paused.' });
    const t = s.turns.get('a1')!;
    assert.deepEqual([t.model, t.space, t.fallbackReason, t.reasoning], ['qwen-2.5-max', 'Qwen/Qwen2.5', 'The Qwen2.5 Space is paused.', 'Thinking']);
  });

  it('holds an answer\'s status line until it is taken away or the answer ends', () => {
    const s = new ChatState();
    s.apply(init('c1', [q('u1', 'Hi'), a('a1', '')], { busy: true }));
    assert.deepEqual(s.apply({ type: 'status', turnId: 'a1', text: 'Waking the Space…', skipTo: 'qwen-2.5-max' }), { kind: 'status', id: 'a1' });
    assert.deepEqual(s.status.get('a1'), { text: 'Waking the Space…', skipTo: 'qwen-2.5-max' });
    s.apply({ type: 'status', turnId: 'a1', text: null });
    assert.equal(s.status.has('a1'), false);
    s.apply({ type: 'status', turnId: 'a1', text: '2nd in queue' });
    assert.deepEqual(s.status.get('a1'), { text: '2nd in queue' });
    assert.deepEqual(s.apply({ type: 'turnEnd', turnId: 'a1', state: 'error', error: { message: 'Down', hint: '', retryable: true }, endedAt: 5 }), { kind: 'end', id: 'a1' });
    const t = s.turns.get('a1')!;
    assert.deepEqual([t.state, t.error?.message, t.endedAt], ['error', 'Down', 5]);
    assert.equal(s.status.has('a1'), false, 'the status goes with the end');
    s.apply({ type: 'status', turnId: 'gone', text: 'For another conversation' });
    assert.equal(s.status.has('gone'), false, 'no status for a turn not here');
    assert.deepEqual(s.apply({ type: 'turnEnd', turnId: 'gone', state: 'done' }), { kind: 'none' });
  });

  it('says when busy changes (the queue is then held or released), not when it is said again', () => {
    const s = new ChatState();
    s.apply(init('c1', []));
    assert.deepEqual(s.apply({ type: 'busy', busy: true }), { kind: 'busy', changed: true });
    assert.equal(s.busy, true);
    assert.deepEqual(s.apply({ type: 'busy', busy: true }), { kind: 'busy', changed: false });
    assert.deepEqual(s.apply({ type: 'busy', busy: false }), { kind: 'busy', changed: true });
    assert.equal(s.busy, false);
  });

  it('takes the queue as the host sends it, emptied too', () => {
    const s = new ChatState();
    s.apply(init('c1', [], { busy: true }));
    assert.deepEqual(s.apply({ type: 'queue', items: [{ id: 'q1', text: 'And then?' }, { id: 'q2', text: 'Also' }] }), { kind: 'queue' });
    assert.deepEqual(s.queue.map((x) => x.id), ['q1', 'q2']);
    s.apply({ type: 'queue', items: [] });
    assert.deepEqual(s.queue, []);
  });

  it('changes nothing for the messages that are other parts\' (models, attachments, images, focus)', () => {
    const s = new ChatState();
    s.apply(init('c1', [q('u1', 'Hi')], { queue: [{ id: 'q1', text: 'x' }] }));
    const before = JSON.stringify({ id: s.conversationId, order: s.order, turns: s.views(), busy: s.busy, queue: s.queue });
    const others: HostToWebview[] = [
      { type: 'models', models: [{ name: 'qwen-2.5', space: 'Qwen/Qwen2.5' }], current: 'qwen-2.5' },
      { type: 'context', items: [], budget: 0 },
      { type: 'contextOptions', options: [] },
      { type: 'draft', text: 'kept' },
      { type: 'image', id: '1', dataUrl: 'data:image/png;base64,AA==' },
      { type: 'historyMatches', query: 'x', ids: [] },
      { type: 'focusInput' },
    ];
    for (const m of others) assert.deepEqual(s.apply(m), { kind: 'none' }, m.type);
    assert.equal(JSON.stringify({ id: s.conversationId, order: s.order, turns: s.views(), busy: s.busy, queue: s.queue }), before);
  });
});

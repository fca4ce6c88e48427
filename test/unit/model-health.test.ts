import assert from 'node:assert/strict';
import { ago, failureState, HealthMemory, healthText } from '../../src/extension/modelHealth';

describe('model health for the picker', () => {
  it('says the last known state and how long ago it was learnt', () => {
    const min = 60_000;
    assert.equal(healthText({ state: 'queue full', ok: false, at: 0 }, 2 * min + 5_000), 'queue full 2 min ago');
    assert.equal(healthText({ state: 'answered', ok: true, at: 0 }, 10_000), 'answered just now');
    assert.equal(ago(0, 3 * 60 * min), '3 h ago');
    assert.equal(ago(0, 72 * 60 * min), '3 days ago');
    assert.equal(healthText(undefined, 0), undefined);
  });

  it('tells its listeners when a model\'s state changes, not when the same state is learnt again', () => {
    let t = 0;
    const h = new HealthMemory(() => t);
    let changes = 0;
    const sub = h.onDidChange(() => changes++);
    h.record('qwen-2.5', 'answered', true);
    t = 1000;
    h.record('qwen-2.5', 'answered', true);
    assert.equal(changes, 1);
    assert.equal(h.get('qwen-2.5')?.at, 1000, 'the time is still updated');
    h.record('qwen-2.5', failureState('busy'), false);
    assert.equal(changes, 2);
    assert.equal(h.get('qwen-2.5')?.state, 'queue full');
    sub.dispose();
    h.record('qwen-2.5', 'down', false);
    assert.equal(changes, 2);
  });

  it('names a paused Space as paused, whatever the error kind', () => {
    assert.equal(failureState('not-ready', 'PAUSED'), 'paused');
    assert.equal(failureState('connection'), 'unreachable');
  });
});

import assert from 'node:assert/strict';
import { agoText, HealthMemory } from '../../src/provider/health';

describe('model health for the pickers', () => {
  it('says the last known state and how long ago it was learnt', () => {
    const min = 60_000;
    let t = 0;
    const h = new HealthMemory(() => t);
    h.record('qwen-2.5', 'unavailable', 'Qwen2.5 is busy (its queue is full)');
    t = 2 * min + 5_000;
    assert.equal(h.describe('qwen-2.5'), 'queue full 2 min ago');
    h.record('qwen-2.5-max', 'ok');
    t += 10_000;
    assert.equal(h.describe('qwen-2.5-max'), 'answered just now');
    assert.equal(agoText(3 * 60 * min), '3 h ago');
    assert.equal(agoText(72 * 60 * min), '3 d ago');
    assert.equal(h.describe('never-seen'), undefined);
  });

  it('tells its listeners when a model\'s state changes, not when the same state is learnt again', () => {
    let t = 0;
    const h = new HealthMemory(() => t);
    let changes = 0;
    const sub = h.onDidChange(() => changes++);
    h.record('qwen-2.5', 'ok');
    t = 1000;
    h.record('qwen-2.5', 'ok');
    assert.equal(changes, 1);
    assert.equal(h.get('qwen-2.5')?.at, 1000, 'the time is still updated');
    h.record('qwen-2.5', 'unavailable', 'Qwen2.5 is busy (its queue is full)');
    assert.equal(changes, 2);
    sub.dispose();
    h.record('qwen-2.5', 'ok');
    assert.equal(changes, 2);
  });

  it('names a paused Space as paused, and a host that cannot be found as unreachable', () => {
    const h = new HealthMemory(() => 0);
    h.record('a', 'unavailable', 'Qwen Qwen-2.5 (Qwen/Qwen2.5) is paused by its owner');
    h.record('b', 'unavailable', 'Cannot find the host qwen-qwen3-demo.hf.space while reading its config.');
    assert.equal(h.describe('a'), 'paused just now');
    assert.equal(h.describe('b'), 'unreachable just now');
  });
});

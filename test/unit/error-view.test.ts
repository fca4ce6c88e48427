import assert from 'node:assert/strict';
import { errorView, isOpenableSetting, modelLabel } from '../../src/chat/statusText';
import { QwenError } from '../../src/provider/errors';

describe('an answer\'s error as the view shows it', () => {
  it('tells a paused Space that waiting will not help, offers another model and no Retry', () => {
    const v = errorView(new QwenError('not-ready', 'Qwen/Qwen2.5 is paused by its owner.', { stage: 'PAUSED' }));
    assert.equal(v.message, 'Qwen/Qwen2.5 is paused by its owner.');
    assert.match(v.hint, /paused until its owner restarts it: waiting will not bring it back/);
    assert.doesNotMatch(v.hint, /asleep|wait a minute/i);
    assert.equal(v.retryable, false);
    assert.equal(v.otherModel, true);
  });

  it('offers your own endpoint when a free Space let you down, not when your endpoint failed', () => {
    assert.equal(errorView(new QwenError('busy', 'The Space is busy: Queue is full. No other model could answer either (Qwen3-Demo could not be reached).')).addEndpoint, true);
    assert.equal(errorView(new QwenError('not-ready', 'Qwen/Qwen2.5 is paused by its owner.', { stage: 'PAUSED' })).addEndpoint, true);
    assert.equal(errorView(new QwenError('busy', 'gpu is loading the model.', { endpoint: 'gpu' })).addEndpoint, undefined);
    assert.equal(errorView(new QwenError('auth', 'The Space refused access (401).')).addEndpoint, undefined);
  });

  it('offers "Open setting" for the setting an error names, besides Retry', () => {
    const timeout = errorView(new QwenError('timeout', 'The Space sent nothing for 60 s.'));
    assert.equal(timeout.setting, 'qwenChat.requestTimeoutSeconds');
    assert.equal(timeout.retryable, true);
    assert.equal(timeout.otherModel, true);
    assert.equal(errorView(new QwenError('proxy', 'The proxy refused the connection.')).setting, 'qwenChat.proxy');
    assert.equal(errorView(new QwenError('not-found', 'No such Space.')).setting, 'qwenChat.spaceUrl');
    assert.equal(errorView(new Error('odd')).setting, undefined);
  });

  it('says in one line when every Space failed: the chosen one\'s error and the way out, what each other said folded', () => {
    const v = errorView(new QwenError('busy', 'The Space is busy: Queue is full. No other model could answer either (Qwen2.5-Max-Demo is busy (its queue is full); Qwen3-Demo could not be reached).'));
    assert.equal(v.message, 'The Space is busy: Queue is full.');
    assert.equal(v.hint, 'The Space is busy. Try again in a minute. No other model could answer either.');
    assert.equal(v.details, 'Qwen2.5-Max-Demo is busy (its queue is full).\nQwen3-Demo could not be reached.');
    assert.equal(v.otherModel, true);
    const url = errorView(new QwenError('not-found', 'The Space answered 404. No other model could answer either (Qwen3-Demo could not be reached).', { status: 404 }));
    assert.equal(url.setting, 'qwenChat.spaceUrl', 'a setting the chosen model\'s error names is still offered');
  });

  it('opens only Qwen Chat\'s settings and http.proxy for the view', () => {
    assert.ok(isOpenableSetting('qwenChat.proxy'));
    assert.ok(isOpenableSetting('http.proxy'));
    assert.ok(!isOpenableSetting('terminal.integrated.shell.linux'));
    assert.ok(!isOpenableSetting('qwenChat.proxy; rm'));
  });
});

describe('model names as a person reads them', () => {
  it('names each model with its size, not its setting name', () => {
    assert.equal(modelLabel('qwen-2.5'), 'Qwen2.5 72B');
    assert.equal(modelLabel('qwen-3-30b-a3b'), 'Qwen3 30B-A3B');
    assert.equal(modelLabel('qwen-3-235b'), 'Qwen3 235B-A22B');
    assert.equal(modelLabel('qwen-3-1.7b'), 'Qwen3 1.7B');
    assert.equal(modelLabel('qwen-2.5-max'), 'Qwen2.5 Max');
    assert.equal(modelLabel('qwen-2.5-1m'), 'Qwen2.5 1M (14B)');
    assert.equal(modelLabel('something-else'), 'something-else');
  });
});

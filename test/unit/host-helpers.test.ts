import assert from 'node:assert/strict';
import { resolveProxy } from '../../src/extension/proxy';
import { duration, statusText } from '../../src/chat/statusText';
import { isSafeExternalLink, parseWebviewMessage } from '../../src/protocol';

describe('status text', () => {
  it('says where you are in the queue the way a person would', () => {
    assert.equal(statusText({ stage: 'queued', position: 2, queueSize: 7, etaSeconds: 12.3 }), '3rd in queue of 7, about 12 s');
    assert.equal(statusText({ stage: 'queued', position: 0, queueSize: 1, etaSeconds: null }), '1st in queue');
    assert.equal(statusText({ stage: 'queued', position: 10, queueSize: null, etaSeconds: 200 }), '11th in queue, about 3 min');
    assert.equal(statusText({ stage: 'started', etaSeconds: null }), 'Generating…');
    assert.equal(statusText({ stage: 'warning', message: 'x' }), null);
    assert.match(statusText({ stage: 'waking', waitedSeconds: 0, timeoutSeconds: 180, said: '' })!, /^The Space is asleep or starting; waking it up/);
    assert.equal(statusText({ stage: 'waking', waitedSeconds: 25, timeoutSeconds: 180, said: '' }), 'Waiting for the Space to wake up… 25 s so far (gives up after 3 min)');
    assert.equal(duration(0.2), '1 s');
  });
});

describe('proxy choice', () => {
  const base = { override: '', httpProxy: '', noProxy: [], strictSSL: true, env: {} };
  it('prefers qwenChat.proxy, then http.proxy, then the environment', () => {
    assert.equal(resolveProxy({ ...base, override: 'http://a:1', httpProxy: 'http://b:2' }).proxy, 'http://a:1');
    assert.equal(resolveProxy({ ...base, httpProxy: 'http://b:2', env: { HTTPS_PROXY: 'http://c:3' } }).proxy, 'http://b:2');
    const env = resolveProxy({ ...base, env: { HTTPS_PROXY: 'http://c:3', NO_PROXY: 'localhost' } });
    assert.deepEqual([env.proxy, env.source, env.noProxy], [undefined, 'environment', 'localhost']);
    assert.equal(resolveProxy(base).proxy, null);
  });
  it('"none" forces a direct connection; http.proxySupport off ignores http.proxy; noProxy lists merge', () => {
    assert.equal(resolveProxy({ ...base, override: 'none', httpProxy: 'http://b:2' }).proxy, null);
    assert.equal(resolveProxy({ ...base, httpProxy: 'http://b:2', proxySupport: 'off' }).proxy, null);
    assert.equal(resolveProxy({ ...base, httpProxy: 'http://b:2', noProxy: ['a.com', 'b.com'], env: { no_proxy: 'c.com' } }).noProxy, 'a.com,b.com,c.com');
    assert.equal(resolveProxy({ ...base, strictSSL: false, httpProxy: 'http://b:2' }).strictSSL, false);
  });
});

describe('messages from the webview', () => {
  it('accepts well-formed messages and drops anything else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'hi' }), { type: 'send', text: 'hi' });
    assert.deepEqual(parseWebviewMessage({ type: 'stop', extra: 1 }), { type: 'stop' });
    assert.equal(parseWebviewMessage({ type: 'send' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'runCommand', id: 'x' }), undefined);
    assert.equal(parseWebviewMessage('send'), undefined);
    assert.equal(parseWebviewMessage({ type: 'openLink', href: 5 }), undefined);
  });
  it('keeps only a message\'s declared fields, of their declared kinds, and knows no inherited names', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'hi', command: 'workbench.action.terminal.new' }), { type: 'send', text: 'hi' });
    assert.deepEqual(parseWebviewMessage({ type: 'switchVersion', turnId: 't', index: 2 }), { type: 'switchVersion', turnId: 't', index: 2 });
    assert.equal(parseWebviewMessage({ type: 'switchVersion', turnId: 't', index: 1.5 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'switchVersion', turnId: 't', index: '1' }), undefined);
    for (const inherited of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) assert.equal(parseWebviewMessage({ type: inherited }), undefined, inherited);
  });
  it('opens only web and mail links', () => {
    assert.equal(isSafeExternalLink('https://example.com/a'), true);
    assert.equal(isSafeExternalLink('mailto:a@b.c'), true);
    for (const bad of ['javascript:alert(1)', 'command:workbench.action.terminal.new', 'file:///etc/passwd', 'vscode://x', 'not a url']) {
      assert.equal(isSafeExternalLink(bad), false, bad);
    }
  });
});

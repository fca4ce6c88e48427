import assert from 'node:assert/strict';
import { answer, question, WebviewPage } from './webview-dom';

describe('the chat view under jsdom', () => {
  let page: WebviewPage;
  afterEach(() => page?.close());

  it('boots and draws a conversation', () => {
    page = new WebviewPage();
    assert.deepEqual(page.sent('ready').length, 1);
    page.init([question('u1', 'Hello'), answer('a1', 'Hi **there**')]);
    assert.equal(page.$('.turn.assistant strong')?.textContent, 'there');
  });

  it('queues a follow-up without a note in the composer row: the queue above the input says it', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hello'), answer('a1', 'Hi', { state: 'streaming' })], { busy: true });
    page.type('And then?');
    page.key('Enter');
    assert.deepEqual(page.sent('send').map((m) => m.text), ['And then?']);
    assert.equal(page.$('[data-testid="composer-note"]')?.textContent, '');
    page.receive({ type: 'queue', items: [{ id: 'q1', text: 'And then?' }] });
    assert.match(page.$('[data-testid="queued"]')?.textContent ?? '', /And then\?/);
  });
});

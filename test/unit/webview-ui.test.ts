import assert from 'node:assert/strict';
import { answer, question, WebviewPage } from './webview-dom';

describe('the chat view under jsdom', () => {
  let page: WebviewPage;
  afterEach(() => page?.close());

  it('offers to answer with the next model while a Space wakes, and says so to the host once', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hello'), answer('a1', '', { state: 'streaming' })], { busy: true });
    page.receive({ type: 'status', turnId: 'a1', text: 'Waiting for the Space to wake up… 12 s so far', skipTo: 'qwen-2.5-max' });
    const skip = page.$('[data-testid="skip-wait"]') as HTMLButtonElement;
    assert.equal(skip.textContent, 'Answer with qwen-2.5-max now');
    skip.click();
    skip.click();
    assert.equal(page.sent('skipWait').length, 1);
    // The next status line (the other model's) has no such button.
    page.receive({ type: 'status', turnId: 'a1', text: 'Generating…' });
    assert.equal(page.$('[data-testid="skip-wait"]'), null);
  });

  it('offers "Add your own endpoint" on an error that says so, and asks the host for the setup', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hello'), answer('a1', '', { state: 'error', error: { message: 'Every Space is down.', hint: 'Pick another model.', retryable: true, otherModel: true, addEndpoint: true } })]);
    const add = page.$('.turn.assistant [data-action="add-endpoint"]') as HTMLButtonElement;
    assert.equal(add.textContent?.trim(), 'Add your own endpoint');
    add.click();
    assert.equal(page.sent('addEndpoint').length, 1);
  });

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

  it('draws its buttons as codicons, each with a name for screen readers and a tooltip', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hi'), answer('a1', 'Here:\n\n```ts\nconst x = 1;\n```', { startedAt: 1, endedAt: 2001, space: 'Qwen/Qwen2.5', model: 'qwen-2.5' })]);
    const code = page.$('.turn.assistant .code-block')!;
    const tools = Array.from(code.querySelectorAll('button')).map((b) => [b.dataset.action, b.getAttribute('aria-label'), b.querySelector('.codicon')?.className]);
    assert.deepEqual(tools, [
      ['copy-code', 'Copy code', 'codicon codicon-copy'],
      ['insert-code', 'Insert at the cursor', 'codicon codicon-insert'],
      ['replace-selection', 'Replace the editor selection', 'codicon codicon-replace'],
    ]);
    assert.equal(code.querySelector('.code-lang')?.textContent, 'ts');
    const answerTools = page.$$('.turn.assistant .turn-tools button').map((b) => b.getAttribute('aria-label'));
    assert.deepEqual(answerTools, ['Regenerate (this answer stays as a version)', 'Copy answer as Markdown']);
    for (const b of page.$$('button')) {
      const name = b.getAttribute('aria-label') ?? b.textContent?.trim();
      assert.ok(name, `a button with no name: ${b.outerHTML}`);
      if (b.classList.contains('icon')) assert.ok(b.title, `an icon button with no tooltip: ${b.outerHTML}`);
    }
    for (const id of ['send', 'stop', 'attach', 'toggle-history']) assert.ok(page.$(`[data-testid="${id}"] .codicon`), `${id} is an icon`);
  });

  it('keeps an answer\'s model, time, length and duration on one compact line, the Space in its tooltip', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hi'), answer('a1', 'Hello there', { startedAt: Date.now() - 8200, endedAt: Date.now(), space: 'Qwen/Qwen2.5', model: 'qwen-2.5' })]);
    assert.equal(page.$('[data-testid="answer-model"]')?.textContent, 'Qwen · qwen-2.5');
    const meta = page.$('[data-testid="answer-meta"]')!;
    assert.match(meta.textContent ?? '', /^\d{1,2}:\d{2}( [AP]M)? · 11 characters · 8\.2 s$/);
    assert.equal(meta.title, 'Served by the Space Qwen/Qwen2.5');
  });

  it('lists the slash commands after /, with what each does, and Tab or Enter takes one', () => {
    page = new WebviewPage();
    page.init();
    page.type('/');
    const rows = page.$$('[data-testid="slash-option"]').map((li) => li.textContent);
    assert.deepEqual(rows.map((r) => r?.split(/\s|(?=[A-Z])/)[0]), ['/explain', '/fix', '/tests', '/doc']);
    for (const r of rows) assert.match(r ?? '', /^\/\w+[A-Z].*(selection|file)/, 'each says what it works on');
    assert.equal(page.$('#input')?.getAttribute('aria-activedescendant'), 'slash-option-0');
    page.type('/te');
    assert.deepEqual(page.$$('[data-testid="slash-option"]').map((li) => li.dataset.command), ['tests']);
    page.key('Enter');
    assert.equal((page.$('#input') as HTMLTextAreaElement).value, '/tests ', 'Enter takes the command; it does not send');
    assert.equal(page.sent('send').length, 0);
    assert.equal(page.$('[data-testid="slash-options"]')?.hidden, true);
    page.type('/tests pytest');
    page.key('Enter');
    assert.deepEqual(page.sent('send').map((m) => m.text), ['/tests pytest']);
  });

  it('refuses an unknown /command in the view, naming the commands, and keeps the text', () => {
    page = new WebviewPage();
    page.init();
    page.type('/test this');
    page.key('Enter');
    assert.equal(page.sent('send').length, 0, 'not sent to the model');
    assert.equal(page.$('[data-testid="composer-note"]')?.textContent, '/test is not a command. The commands: /explain, /fix, /tests, /doc.');
    assert.equal((page.$('#input') as HTMLTextAreaElement).value, '/test this');
    page.type('/etc/hosts: what is this file?');
    assert.equal(page.$('[data-testid="composer-note"]')?.textContent, '', 'the note goes once the text changes');
    page.key('Enter');
    assert.deepEqual(page.sent('send').map((m) => m.text), ['/etc/hosts: what is this file?'], 'a path is a message');
  });

  it('offers Retry, Open setting and Pick another model on an error, and folds the details', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hi'), answer('a1', '', { state: 'error', error: { message: 'No Qwen Space can answer right now.', hint: 'Check the proxy setting (qwenChat.proxy).', retryable: true, setting: 'qwenChat.proxy', otherModel: true, details: 'A failed.\nB failed.' } })]);
    const box = page.$('[data-testid="error"]')!;
    assert.deepEqual(Array.from(box.querySelectorAll('button')).map((b) => b.textContent), ['Retry', 'Open setting', 'Pick another model']);
    assert.equal(box.querySelector('details')?.open, false);
    assert.equal(box.querySelector('details pre')?.textContent, 'A failed.\nB failed.');
    page.click(box.querySelector('[data-action="open-setting"]')!);
    page.click(box.querySelector('[data-action="choose-model"]')!);
    assert.deepEqual(page.sent('openSetting').map((m) => m.setting), ['qwenChat.proxy']);
    assert.equal(page.sent('chooseModel').length, 1);
  });

  it('keeps a draft with its conversation: a new one starts empty, and going back brings the draft back', () => {
    page = new WebviewPage();
    page.init([], { id: 'c1' });
    page.type('half a thought');
    page.init([], { id: 'c2' });
    const input = page.$('#input') as HTMLTextAreaElement;
    assert.equal(input.value, '', 'the draft does not follow into another conversation');
    page.type('about c2');
    page.init([], { id: 'c1' });
    assert.equal(input.value, 'half a thought');
    // And across a reload of the view.
    const state = page.state;
    page.close();
    page = new WebviewPage({ state });
    page.init([], { id: 'c2' });
    assert.equal((page.$('#input') as HTMLTextAreaElement).value, 'about c2');
  });

  it('holds a follow-up queued after Stop, with Send now', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hi'), answer('a1', 'Hel', { state: 'streaming' })], { busy: true });
    page.receive({ type: 'queue', items: [{ id: 'q1', text: 'And then?' }] });
    assert.equal(page.$('[data-testid="resume-queue"]'), null, 'while the answer streams it goes by itself');
    page.receive({ type: 'turnEnd', turnId: 'a1', state: 'stopped' });
    page.receive({ type: 'busy', busy: false });
    const send = page.$('[data-testid="queued"] [data-testid="resume-queue"]')!;
    assert.equal(send.getAttribute('aria-label'), 'Send now');
    page.click(send);
    assert.equal(page.sent('resumeQueue').length, 1);
  });

  it('shows friendly model names in the picker, the default marked, the setting name in the tooltip', () => {
    page = new WebviewPage();
    page.init();
    page.receive({ type: 'models', models: [{ name: 'qwen-2.5', space: 'Qwen/Qwen2.5', label: 'Qwen2.5 (72B)', isDefault: true }, { name: 'qwen-3-30b-a3b', space: 'Qwen/Qwen3-Demo', label: 'Qwen3 30B-A3B' }], current: 'qwen-3-30b-a3b' });
    const options = Array.from((page.$('#model') as HTMLSelectElement).options).map((o) => [o.value, o.textContent, o.title]);
    assert.deepEqual(options, [
      ['qwen-2.5', 'Qwen2.5 (72B) · default', 'qwen-2.5, served by the Space Qwen/Qwen2.5'],
      ['qwen-3-30b-a3b', 'Qwen3 30B-A3B', 'qwen-3-30b-a3b, served by the Space Qwen/Qwen3-Demo'],
    ]);
    assert.equal((page.$('#model') as HTMLSelectElement).value, 'qwen-3-30b-a3b');
  });

  it('shows History titles without raw Markdown, and a search hit with where it matched', () => {
    page = new WebviewPage();
    page.receive({ type: 'init', conversation: { id: 'c1', title: 'Explain selection: Explain this python code from `src/app.py`:', turns: [] }, history: [
      { id: 'c1', title: 'Explain selection: Explain this python code from `src/app.py`:', updatedAt: Date.now(), turns: 2 },
      { id: 'c2', title: 'A **bold** [link](https://x.example) question', updatedAt: Date.now(), turns: 2 },
    ], trash: [], busy: false });
    assert.deepEqual(page.$$('.history-open').map((b) => b.textContent), ['Explain selection: Explain this python code from src/app.py:', 'A bold link question']);
    assert.equal(page.$('[data-testid="conversation-title"]')?.textContent, 'Explain selection: Explain this python code from src/app.py:');
    const search = page.$('#history-search') as HTMLInputElement;
    search.value = 'marmalade';
    page.receive({ type: 'historyMatches', query: 'marmalade', ids: ['c2'], snippets: [{ id: 'c2', snippet: '…The secret word is Marmalade.' }] });
    const hit = page.$$('.history-item').filter((li) => !li.hidden);
    assert.equal(hit.length, 1);
    assert.equal(hit[0].querySelector('[data-testid="history-snippet"]')?.textContent, '…The secret word is Marmalade.');
    assert.equal(hit[0].querySelector('mark')?.textContent, 'Marmalade');
  });

  it('says an answer cut off by a reload or a crash was interrupted, not that VS Code closed', () => {
    page = new WebviewPage();
    page.init([question('u1', 'Hi'), answer('a1', 'Half', { state: 'stopped', interrupted: true })]);
    assert.match(page.$('.turn.assistant .turn-footer')?.textContent ?? '', /Interrupted: the window closed or reloaded before the answer finished\./);
  });
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toMessages } from '../../src/chat/prompts';
import type { Backend, ChatSession } from '../../src/chat/session';
import { snippetAt } from '../../src/chat/store';
import { toView } from '../../src/extension/chatView/presenter';
import { presenterOf, viewedSession } from '../support/viewed-session';
import type { StoredConversation } from '../../src/chat/model';
import { HistoryStore } from '../../src/chat/store';
import type { HostToWebview } from '../../src/protocol';
import { clearEndpointCache } from '../../src/provider/qwen';
import { routeStream } from '../../src/provider/router';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';
import { waitFor } from './provider.test';
import { waitFor as sharedWaitFor } from '../support/wait';

const silentLog = { info() {}, warn() {}, error() {} };

function backendFor(url: string): Backend {
  return { stream: (messages, { signal }) => Qwen_Qwen_2_5.stream('', messages, { baseUrl: url, signal, proxy: null }) };
}

describe('chat session (the sidebar chat without VS Code)', () => {
  let space: LocalSpace;
  let dir: string;
  let posted: HostToWebview[];
  const make = (saveDelayMs = 50, maxPromptChars = 0) => {
    const store = new HistoryStore(dir, { saveDelayMs });
    const session = viewedSession({ store, backend: backendFor(space.url), post: (m) => posted.push(m), log: silentLog, systemPrompt: () => 'Be helpful.', maxPromptChars: () => maxPromptChars });
    return { store, session };
  };
  beforeEach(async () => {
    clearEndpointCache();
    space = new LocalSpace({ tokenDelayMs: 2 });
    await space.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-history-'));
    posted = [];
  });
  afterEach(async () => {
    await space.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('while the chosen Space sleeps, offers the next model and answers with it the moment the user asks', async () => {
    const max = new LocalSpace({ shape: 'qwen2.5-max', tokenDelayMs: 2, answer: () => 'Max answers at once.' });
    await max.start();
    try {
      space.sleeping = true; // and it never wakes in this test
      const store = new HistoryStore(dir, { saveDelayMs: 50 });
      const session = viewedSession({
        store,
        backend: { stream: (messages, { signal, onAttempt }) => routeStream('qwen-2.5', messages, { spaces: { 'qwen-2.5': space.url, 'qwen-2.5-max': max.url }, fallbackOrder: ['qwen-2.5-max'], hubUrl: null, wakePollMs: 50, proxy: null, signal, onAttempt }) },
        post: (m) => {
          posted.push(m);
          // The user clicks "Answer with qwen-2.5-max now" when the view offers it.
          if (m.type === 'status' && m.skipTo) session.skipWait();
        },
        log: silentLog,
        systemPrompt: () => 'Be helpful.',
      });
      await session.send('Hello?');
      const offer = posted.find((m) => m.type === 'status' && m.skipTo) as { text: string; skipTo: string } | undefined;
      assert.equal(offer?.skipTo, 'qwen-2.5-max');
      assert.match(offer?.text ?? '', /wake|asleep/i);
      const last = session.conversation.turns.at(-1)!;
      assert.equal(last.text, 'Max answers at once.');
      assert.equal(last.model, 'qwen-2.5-max');
      assert.match(last.fallbackReason ?? '', /you chose not to wait for Qwen2\.5/);
      await session.dispose();
    } finally {
      await max.stop();
    }
  });

  it('streams an answer to the view as deltas and ends it done', async () => {
    const { session } = make();
    await session.send('Hi there');
    const deltas = posted.filter((m) => m.type === 'delta').map((m) => (m as { delta: string }).delta);
    assert.ok(deltas.length >= 2, 'the answer should arrive in pieces');
    assert.equal(deltas.join(''), scriptedAnswer('Hi there'));
    const end = posted.find((m) => m.type === 'turnEnd');
    assert.deepEqual(end && { state: (end as { state: string }).state }, { state: 'done' });
    assert.ok(posted.some((m) => m.type === 'status' && m.text === '1st in queue'), 'queue position shown');
    assert.equal(session.conversation.title, 'Hi there');
  });

  it('a view that reloads mid-answer gets every character once: snapshot, then the rest', async () => {
    const store = new HistoryStore(dir, { saveDelayMs: 50 });
    let session!: ChatSession;
    let snapshot: string | undefined;
    let after = '';
    const real = backendFor(space.url);
    const backend: Backend = {
      async *stream(messages, opts) {
        let n = 0;
        for await (const ev of real.stream(messages, opts)) {
          yield ev;
          // The session has just batched this token; now the view reloads and asks for everything.
          if (ev.type === 'text' && ++n === 5) {
            const init = (await presenterOf(session).init()) as Extract<HostToWebview, { type: 'init' }>;
            snapshot = init.conversation.turns[1].text;
          }
        }
      },
    };
    session = viewedSession({
      store, backend, log: silentLog, systemPrompt: () => '',
      post: (m) => {
        if (snapshot !== undefined && m.type === 'delta') after += m.delta;
      },
    });
    await session.send('Hi there');
    assert.ok(snapshot && snapshot.length > 0);
    assert.equal(snapshot + after, scriptedAnswer('Hi there'));
  });

  it('stop keeps the partial answer, marks it stopped, and tells the Space', async () => {
    await space.stop();
    space = new LocalSpace({ tokenDelayMs: 40, answer: () => scriptedAnswer('300 words') });
    await space.start();
    const { session } = make();
    const sending = session.send('long');
    await waitFor(() => session.conversation.turns[1]?.text.length > 20);
    session.stop();
    await sending;
    const answer = session.conversation.turns[1];
    assert.equal(answer.state, 'stopped');
    assert.ok(answer.text.length > 20 && scriptedAnswer('300 words').startsWith(answer.text));
    await waitFor(() => space.stats.cancels.length === 1);
  });

  it('an error shows the Space\'s message with a hint, and Retry asks again', async () => {
    space.faults.push({ kind: 'error', afterTokens: 2, message: 'GPU task aborted' });
    const { session } = make();
    await session.send('Hi there');
    const failed = session.conversation.turns[1];
    assert.equal(failed.state, 'error');
    assert.match(failed.error!.message, /GPU task aborted/);
    assert.equal(failed.error!.retryable, true);
    await session.regenerate();
    assert.equal(session.conversation.turns.length, 2);
    assert.equal(session.conversation.turns[1].state, 'done');
    assert.equal(session.conversation.turns[1].text, scriptedAnswer('Hi there'));
  });

  it('edit and resend drops the later turns and sends the edited history', async () => {
    const { session } = make();
    await session.send('first');
    await session.send('second');
    const firstId = session.conversation.turns[0].id;
    await session.edit(firstId, 'first, edited');
    assert.deepEqual(session.conversation.turns.map((t) => t.role), ['user', 'assistant']);
    assert.equal(space.stats.joins.at(-1)!.data[0], 'first, edited');
    assert.equal(session.conversation.turns[1].text, scriptedAnswer('first, edited'));
  });

  it('sends earlier turns folded into the prompt, with the chat\'s system prompt', async () => {
    const { session } = make();
    await session.send('one');
    await session.send('two');
    const data = space.stats.joins.at(-1)!.data;
    assert.equal(data[0], `User: one\nAssistant: ${scriptedAnswer('one')}\nUser: two\nAssistant:`);
    assert.equal(data[2], 'Be helpful.');
  });

  it('leaves the oldest turns out of a prompt over the limit, and says so under the answer', async () => {
    // The local Space's answer quotes the first line of the prompt it got.
    const fits = `User: two\nAssistant: ${scriptedAnswer('User: one')}\nUser: three\nAssistant:`;
    const { session } = make(50, fits.length);
    await session.send('one');
    await session.send('two');
    assert.equal(session.conversation.turns[3].note, undefined, 'everything fitted so far');
    await session.send('three');
    const prompt = space.stats.joins.at(-1)!.data[0] as string;
    assert.equal(prompt, fits);
    assert.equal(space.stats.joins.at(-1)!.data[2], 'Be helpful.', 'the system prompt always goes');
    const note = session.conversation.turns[5].note!;
    assert.match(note, /^The 2 oldest messages were left out of the prompt to keep it under [\d,]+ characters/);
    const shown = posted.find((m) => m.type === 'turn' && m.turn.id === session.conversation.turns[5].id);
    assert.equal(shown?.type === 'turn' && shown.turn.note, note, 'the view shows it under the answer');
    assert.equal(session.conversation.turns.length, 6, 'nothing is removed from the conversation itself');
  });

  it('saves as it streams: a crash mid-answer loses nothing but the last moment', async () => {
    await space.stop();
    space = new LocalSpace({ tokenDelayMs: 30, answer: () => scriptedAnswer('200 words') });
    await space.start();
    const { session } = make(50);
    const sending = session.send('long');
    await waitFor(() => session.conversation.turns[1]?.text.length > 200);
    // Until the throttled save has written more than 100 characters of the answer to disk.
    await sharedWaitFor('a save with the answer in it', async () => ((await new HistoryStore(dir).load(session.conversation.id))?.turns[1]?.text.length ?? 0) > 100, { timeoutMs: 10_000 });
    // "crash": read the files as a new window would, while the answer is still streaming
    const fresh = new HistoryStore(dir);
    const reopened = viewedSession({ store: fresh, backend: backendFor(space.url), post: () => {}, log: silentLog, systemPrompt: () => '' });
    await reopened.reopenLast();
    const saved = reopened.conversation.turns[1];
    assert.equal(reopened.conversation.id, session.conversation.id);
    assert.ok(saved.text.length > 100, `only ${saved.text.length} chars were saved`);
    assert.equal(saved.state, 'stopped', 'an interrupted answer comes back as stopped');
    assert.equal(saved.interrupted, true, 'and says it was interrupted, not stopped by the user');
    assert.equal(toView(reopened.conversation).turns[1].interrupted, true, 'the view is told');
    session.stop();
    await sending;
  });

  it('lists, reopens and deletes past conversations', async () => {
    const { session, store } = make();
    await session.send('alpha');
    const alpha = session.conversation.id;
    await session.newConversation();
    await session.send('beta');
    const list = await store.list();
    assert.deepEqual(list.map((c) => c.title), ['beta', 'alpha']);
    await session.open(alpha);
    assert.equal(session.conversation.turns[0].text, 'alpha');
    await session.delete(alpha);
    assert.deepEqual((await store.list()).map((c) => c.title), ['beta']);
    assert.equal(session.conversation.turns.length, 0, 'deleting the open conversation starts a new one');
  });

  it('never moves the focus itself: code calling it may be working in an editor (the command focuses the input)', async () => {
    const { session } = make();
    await session.send('one');
    posted = [];
    await session.newConversation();
    await session.newConversation(); // already empty: stays as it is
    assert.equal(session.conversation.turns.length, 0);
    assert.deepEqual(posted.filter((m) => m.type === 'focusInput'), []);
  });

  it('a deleted conversation waits in the trash and comes back whole, open, with its answer', async () => {
    const { session, store } = make();
    await session.send('keep me');
    const id = session.conversation.id;
    const answer = session.conversation.turns[1].text;
    await session.delete(id);
    assert.deepEqual((await store.list()).map((c) => c.id), []);
    assert.deepEqual((await store.listTrash()).map((c) => [c.id, c.title]), [[id, 'keep me']]);
    const h = posted.filter((m) => m.type === 'init').at(-1) as Extract<HostToWebview, { type: 'init' }>;
    assert.deepEqual(h.trash?.map((t) => t.id), [id], 'the view is shown the trash');
    // Another window (a new store on the same folder) sees the same trash.
    assert.deepEqual((await new HistoryStore(dir).listTrash()).map((c) => c.id), [id]);
    assert.equal(await session.restore(id), true);
    assert.equal(session.conversation.id, id, 'restoring opens it');
    assert.deepEqual(session.conversation.turns.map((t) => t.text), ['keep me', answer]);
    assert.deepEqual((await store.list()).map((c) => c.id), [id]);
    assert.deepEqual(await store.listTrash(), []);
    assert.equal(await session.restore(id), false, 'a second restore finds nothing');
  });

  it('sends what is attached before the message, keeps it with the turn, and shows the view only its size', async () => {
    const { session } = make();
    const context = [{ kind: 'selection' as const, label: 'app.py:2-3', detail: 'src/app.py, lines 2-3', chars: 16, uri: 'file:///w/src/app.py', path: 'src/app.py', languageId: 'python', text: '    return a + b', lines: { start: 2, end: 3 } }];
    await session.send('Why add?', { context });
    const prompt = String(space.stats.joins.at(-1)!.data[0]);
    assert.equal(prompt, '`src/app.py`, lines 2-3:\n```python\n    return a + b\n```\n\nWhy add?');
    assert.deepEqual(session.conversation.turns[0].context, context, 'kept with the message (for History, export and Edit)');
    const view = toView(session.conversation).turns[0];
    assert.deepEqual(view.context, [{ kind: 'selection', label: 'app.py:2-3', detail: 'src/app.py, lines 2-3', chars: 16 }]);
    assert.equal(JSON.stringify(posted).includes('return a + b'), false, 'the attached text itself never goes to the view');
    // A follow-up is sent with the whole conversation: the attachment goes along with its message.
    await session.send('And subtract?');
    assert.match(String(space.stats.joins.at(-1)!.data[0]), /```python\n {4}return a \+ b\n```\n\nWhy add\?/);
  });

  it('exports the open conversation as Markdown and imports it back as a new one', async () => {
    const { session, store } = make();
    await session.send('Export me');
    const orig = session.conversation;
    const ex = (await session.exportMarkdown(orig.id))!;
    assert.equal(ex.title, 'Export me');
    const { fromMarkdown } = await import('../../src/chat/transcript');
    const { newId } = await import('../../src/chat/model');
    await session.importConversation(fromMarkdown(ex.markdown, newId));
    assert.notEqual(session.conversation.id, orig.id);
    assert.deepEqual(session.conversation.turns.map((t) => [t.role, t.text]), orig.turns.map((t) => [t.role, t.text]));
    assert.equal((await store.list()).length, 2);
    assert.equal((await new HistoryStore(dir).load(session.conversation.id))?.turns.length, 2, 'saved, not only shown');
  });

  describe('versions instead of deletion', () => {
    const texts = (session: ChatSession) => session.conversation.turns.map((t) => t.text);

    it('Regenerate keeps the old answer as version 1 of 2, and the view can switch back', async () => {
      const { session } = make();
      await session.send('one');
      const first = session.conversation.turns[1].text;
      space.opts.answer = () => 'a second answer';
      await session.regenerate();
      const [, a] = session.conversation.turns;
      assert.equal(a.text, 'a second answer');
      assert.deepEqual(toView(session.conversation).turns[1].version, { index: 1, count: 2 });
      posted = [];
      await session.showVersion(a.id, 0);
      assert.deepEqual(texts(session), ['one', first]);
      const init = posted.find((m) => m.type === 'init') as Extract<HostToWebview, { type: 'init' }>;
      assert.deepEqual(init.conversation.turns[1].version, { index: 0, count: 2 });
      // The prompt follows the version shown.
      await session.send('two');
      assert.match(String(space.stats.joins.at(-1)!.data[0]), new RegExp(`Assistant: ${first.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });

    it('Edit & resend makes a new version of the message; the old one keeps every turn after it', async () => {
      const { session } = make();
      await session.send('first');
      await session.send('second');
      await session.send('third');
      const before = texts(session);
      const secondId = session.conversation.turns[2].id;
      space.opts.answer = () => 'the edited answer';
      await session.edit(secondId, 'second, edited');
      assert.deepEqual(texts(session), [...before.slice(0, 2), 'second, edited', 'the edited answer']);
      const edited = session.conversation.turns[2];
      assert.deepEqual(toView(session.conversation).turns[2].version, { index: 1, count: 2 });
      await session.showVersion(edited.id, 0);
      assert.deepEqual(texts(session), before, 'the old message and every turn after it are back');
      // And forward again, to the edited branch.
      await session.showVersion(session.conversation.turns[2].id, 1);
      assert.deepEqual(texts(session), [...before.slice(0, 2), 'second, edited', 'the edited answer']);
    });

    it('versions are saved: a reopened conversation still has them, and files without versions open as before', async () => {
      const { session, store } = make();
      await session.send('q');
      space.opts.answer = () => 'another';
      await session.regenerate();
      await store.flush();
      const reopened = make().session;
      await reopened.reopenLast();
      assert.deepEqual(toView(reopened.conversation).turns[1].version, { index: 1, count: 2 });
      await reopened.showVersion(reopened.conversation.turns[1].id, 0);
      assert.equal(reopened.conversation.turns[1].text, scriptedAnswer('q'));
      // A file from before versions: no `versions` anywhere.
      const old: StoredConversation = { version: 1, id: 'old1', title: 'Old', createdAt: 1, updatedAt: 2, turns: [{ id: 'u', role: 'user', text: 'hi', state: 'done', createdAt: 1 }, { id: 'a', role: 'assistant', text: 'hello', state: 'done', createdAt: 2 }] };
      await fs.writeFile(path.join(dir, 'old1.json'), JSON.stringify(old));
      const s2 = new HistoryStore(dir);
      const loaded = await s2.load('old1');
      assert.deepEqual(toView(loaded!).turns.map((t) => [t.text, t.version]), [['hi', undefined], ['hello', undefined]]);
    });
  });

  it('finds conversations by their title or any message, old versions too, and renames them', async () => {
    const { session, store } = make();
    space.opts.answer = () => 'Use a pineapple.';
    await session.send('What fruit?');
    space.opts.answer = () => 'Use an apple.';
    await session.regenerate(); // the pineapple answer is now an older version
    const fruit = session.conversation.id;
    await session.newConversation();
    space.opts.answer = undefined;
    await session.send('Something else');
    assert.deepEqual(await session.search('PINEAPPLE'), [fruit], 'an older version is searched too');
    assert.deepEqual(await session.searchHits('pineapple'), [{ id: fruit, snippet: 'Use a pineapple.' }], 'with where it matched');
    assert.deepEqual(await session.search('something'), [session.conversation.id]);
    assert.deepEqual(await session.search('nothing like this'), []);
    const long = `${'word '.repeat(30)}the pineapple again${' more'.repeat(30)}`;
    assert.equal(snippetAt(long, long.indexOf('pineapple'), 9), '…word word word word word word word the pineapple again more more more more more more more more more more…', 'a few whole words either side');
    await session.rename(fruit, '  Fruit talk  ');
    assert.equal((await store.list()).find((c) => c.id === fruit)?.title, 'Fruit talk');
    assert.deepEqual(await session.search('fruit talk'), [fruit]);
  });

  it('records a Generate at Cursor answer in the chat with the model that gave it', async () => {
    const { session } = make();
    await session.record('Generate at Cursor: a parser', 'Here is prose and code.', { label: 'Generate at Cursor', note: 'The first code block went into a.py.', model: 'qwen-2.5', space: 'Qwen/Qwen2.5' });
    const view = toView(session.conversation).turns[1];
    assert.equal(view.model, 'qwen-2.5');
    assert.equal(view.space, 'Qwen/Qwen2.5');
  });

  describe('a follow-up typed while an answer streams', () => {
    it('is queued, shown, and sent when the answer ends, in order', async () => {
      space.opts.tokenDelayMs = 20;
      const { session } = make();
      const first = session.sendOrQueue('first question');
      // Started at the Space, not only busy (busy comes first: the message is saved before it goes).
      await sharedWaitFor('the answer to start', () => session.busy && space.stats.joins.length === 1);
      await session.sendOrQueue('a follow-up');
      const q = posted.filter((m) => m.type === 'queue').at(-1) as Extract<HostToWebview, { type: 'queue' }>;
      assert.deepEqual(q.items.map((i) => i.text), ['a follow-up']);
      assert.equal(space.stats.joins.length, 1, 'not sent while the answer streams');
      await first;
      await sharedWaitFor('the follow-up to be answered', () => session.conversation.turns.length === 4 && session.conversation.turns[3].state === 'done', { timeoutMs: 20_000 });
      assert.deepEqual(session.conversation.turns.map((t) => t.text).filter((_, i) => i % 2 === 0), ['first question', 'a follow-up']);
      assert.equal((posted.filter((m) => m.type === 'queue').at(-1) as Extract<HostToWebview, { type: 'queue' }>).items.length, 0);
      await session.dispose(); // its last save is written before the folder goes
    });

    it('can be cancelled, and goes back to the input when the conversation is left', async () => {
      space.opts.tokenDelayMs = 20;
      const { session } = make();
      const first = session.sendOrQueue('first question');
      // Started at the Space, not only busy (the message is saved, synced, first).
      await sharedWaitFor('the answer to start', () => session.busy && space.stats.joins.length === 1);
      await session.sendOrQueue('never mind');
      const id = (posted.filter((m) => m.type === 'queue').at(-1) as Extract<HostToWebview, { type: 'queue' }>).items[0].id;
      session.cancelQueued(id);
      await session.sendOrQueue('keep me');
      await session.newConversation();
      await first;
      assert.deepEqual(posted.filter((m) => m.type === 'draft'), [{ type: 'draft', text: 'keep me' }]);
      assert.equal(space.stats.joins.length, 1, 'neither queued message was sent');
      await session.dispose(); // its last save is written before the folder goes
    });

    it('stays queued after Stop (Stop means halt) until the user sends it', async () => {
      space.opts.tokenDelayMs = 20;
      space.opts.answer = () => scriptedAnswer('200 words');
      const { session } = make();
      const first = session.sendOrQueue('first question');
      await sharedWaitFor('the answer to start', () => session.conversation.turns[1]?.text.length > 10);
      await session.sendOrQueue('a follow-up');
      session.stop();
      await first;
      // The answer's end schedules the queue's next message in an immediate: let it run.
      await new Promise(setImmediate);
      await new Promise(setImmediate);
      assert.equal(session.conversation.turns[1].state, 'stopped');
      assert.equal(session.conversation.turns.length, 2, 'the follow-up was not sent');
      assert.equal(session.busy, false);
      assert.deepEqual((posted.filter((m) => m.type === 'queue').at(-1) as Extract<HostToWebview, { type: 'queue' }>).items.map((i) => i.text), ['a follow-up'], 'still shown as queued');
      space.opts.answer = undefined;
      session.resumeQueue();
      await sharedWaitFor('the follow-up to be answered', () => session.conversation.turns.length === 4 && session.conversation.turns[3].state === 'done', { timeoutMs: 20_000 });
      assert.equal(session.conversation.turns[2].text, 'a follow-up');
      await session.dispose();
    });
  });

  it('toMessages leaves failed answers out and uses the last user turn\'s system prompt', () => {
    const msgs = toMessages(
      [
        { id: '1', role: 'user', text: 'q1', state: 'done', createdAt: 0 },
        { id: '2', role: 'assistant', text: 'partial', state: 'error', createdAt: 0 },
        { id: '3', role: 'user', text: 'explain', state: 'done', createdAt: 0, system: 'Explain code.' },
      ],
      'default',
    );
    assert.deepEqual(msgs, [
      { role: 'system', content: 'Explain code.' },
      { role: 'user', content: 'q1' },
      { role: 'user', content: 'explain' },
    ]);
  });
});

describe('history store', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-store-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  const conv = (id: string, text: string): StoredConversation => ({ version: 1, id, title: text, createdAt: 1, updatedAt: Date.now(), turns: [{ id: 't', role: 'user', text, state: 'done', createdAt: 1 }] });

  it('rebuilds a lost or damaged index from the conversation files', async () => {
    const s = new HistoryStore(dir);
    await s.saveNow(conv('a1', 'one'));
    await s.saveNow(conv('b2', 'two'));
    await fs.writeFile(path.join(dir, 'index.json'), '{not json');
    const errors: unknown[] = [];
    const again = new HistoryStore(dir, { onError: (e) => errors.push(e) });
    assert.deepEqual((await again.list()).map((c) => c.id).sort(), ['a1', 'b2']);
    assert.equal(errors.length, 1);
  });

  it('keeps a damaged conversation file aside instead of overwriting it', async () => {
    const s = new HistoryStore(dir);
    await s.saveNow(conv('a1', 'one'));
    await fs.writeFile(path.join(dir, 'a1.json'), '{"version":1,"turns":[');
    const again = new HistoryStore(dir, { onError: () => {} });
    assert.equal(await again.load('a1'), undefined);
    const names = await fs.readdir(dir);
    assert.ok(names.some((n) => n.startsWith('a1.json.corrupt-')));
  });

  it('refuses ids that could escape its folder', async () => {
    const s = new HistoryStore(dir);
    await assert.rejects(s.saveNow(conv('../evil', 'x')), /bad conversation id/);
  });

  it('keeps a deleted conversation in trash/ for 30 days, then lets it go', async () => {
    let now = Date.now();
    const s = new HistoryStore(dir, { now: () => now });
    await s.saveNow(conv('a1', 'one'));
    await s.setCurrent('a1');
    await s.delete('a1');
    assert.equal(await s.currentId(), undefined, 'it is no longer the open one');
    assert.deepEqual(await fs.readdir(path.join(dir, 'trash')), ['a1.json']);
    assert.equal(await s.load('a1'), undefined, 'not in the list or the search');
    // A lost index is rebuilt with the trash too.
    await fs.rm(path.join(dir, 'index.json'), { force: true }); // (only a cache now: there may be none)
    const rebuilt = new HistoryStore(dir, { now: () => now, onError: () => {} });
    assert.deepEqual((await rebuilt.listTrash()).map((t) => t.id), ['a1']);
    now += 29 * 86_400_000;
    assert.deepEqual((await new HistoryStore(dir, { now: () => now }).listTrash()).map((t) => t.id), ['a1'], 'still there after 29 days');
    now += 2 * 86_400_000;
    const later = new HistoryStore(dir, { now: () => now });
    assert.deepEqual(await later.listTrash(), [], 'gone after 31 days');
    await later.flush();
    assert.deepEqual(await fs.readdir(path.join(dir, 'trash')), [], 'its file too');
  });

  it('deletes from the trash for good, one or all', async () => {
    const s = new HistoryStore(dir);
    for (const id of ['a1', 'b2', 'c3']) await s.saveNow(conv(id, id));
    for (const id of ['a1', 'b2', 'c3']) await s.delete(id);
    await s.deleteForever('b2');
    assert.deepEqual((await s.listTrash()).map((t) => t.id).sort(), ['a1', 'c3']);
    await s.emptyTrash();
    assert.deepEqual(await s.listTrash(), []);
    assert.deepEqual(await fs.readdir(path.join(dir, 'trash')), []);
    assert.equal(await s.restore('a1'), undefined);
  });

  it('puts a conversation\'s unsaved last words into the trash with it', async () => {
    const s = new HistoryStore(dir, { saveDelayMs: 60_000 });
    const c = conv('a1', 'first');
    await s.saveNow(c);
    c.turns[0].text = 'latest';
    s.save(c); // not written yet
    await s.delete('a1');
    const back = await s.restore('a1');
    assert.equal(back?.turns[0].text, 'latest');
  });

  it('writes the newest snapshot last when saves overlap', async () => {
    const s = new HistoryStore(dir, { saveDelayMs: 5 });
    const c = conv('a1', 'v1');
    s.save(c);
    c.turns[0].text = 'v2';
    const p = s.saveNow(c);
    c.turns[0].text = 'v3';
    s.save(c);
    await p;
    await s.flush();
    const onDisk = JSON.parse(await fs.readFile(path.join(dir, 'a1.json'), 'utf8')) as StoredConversation;
    assert.equal(onDisk.turns[0].text, 'v3');
  });
});

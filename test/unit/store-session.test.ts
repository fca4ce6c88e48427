/**
 * The chat session with a store shared by another window (a process of its own): the other
 * window's changes show without a reload, the view says so, and a write that cannot be done
 * (full disk, read-only folder) is said and done later, the conversation kept meanwhile.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../../src/chat/session';
import { viewedSession } from '../support/viewed-session';
import type { StoredConversation } from '../../src/chat/model';
import { HistoryStore } from '../../src/chat/store';
import type { HostToWebview } from '../../src/protocol';
import { clearEndpointCache } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { LocalSpace, scriptedAnswer } from '../fixtures/space';
import { nextEvent, waitFor } from '../support/wait';

const FULL = 'Could not save the conversation: the disk is full. It stays open here and is saved when there is room.';

/** Another window: a process with its own store on `dir`, asked to do one thing. */
async function inOtherWindow(dir: string, op: string, ...args: unknown[]): Promise<unknown> {
  const child: ChildProcess = fork(path.join(__dirname, '../fixtures/store-worker.js'), [dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await new Promise((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; value?: unknown; error?: string }) => {
        if (m.ready) child.send({ seq: 1, op, args });
        else if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.value);
      });
      child.once('exit', (code) => reject(new Error(`the other window exited ${code}`)));
    });
  } finally {
    child.kill();
  }
}

function backendFor(url: string): Backend {
  return { stream: (messages, { signal }) => Qwen_Qwen_2_5.stream('', messages, { baseUrl: url, signal, proxy: null }) };
}

describe('a chat session sharing its history with another window', function () {
  this.timeout(30_000);
  let space: LocalSpace;
  let dir: string;
  let posted: HostToWebview[];
  let logged: string[];
  const log = { info: (m: string) => logged.push(`info ${m}`), warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };
  const statuses = () => posted.flatMap((m) => (m.type === 'status' ? [m.text] : []));
  const make = (store: HistoryStore) => {
    const session = viewedSession({ store, backend: backendFor(space.url), post: (m) => posted.push(m), log, systemPrompt: () => '' });
    const follow = session.followOtherWindows();
    return { session, follow };
  };

  beforeEach(async () => {
    clearEndpointCache();
    space = new LocalSpace({ tokenDelayMs: 1 });
    await space.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-shared-'));
    posted = [];
    logged = [];
  });
  afterEach(async () => {
    await space.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists a conversation another window saved, without a reload, and never announces its own saves', async () => {
    const store = new HistoryStore(dir, { watch: true });
    const { session, follow } = make(store);
    try {
      await session.send('mine');
      posted = [];
      const seen = nextEvent(store.onDidChangeExternally);
      await inOtherWindow(dir, 'saveMany', 'other', 1);
      assert.deepEqual((await seen).ids, ['other0'], 'only the other window\'s conversation, not this one\'s own save');
      const list = await waitFor('the list posted to the view', () => posted.find((m): m is Extract<HostToWebview, { type: 'history' }> => m.type === 'history'));
      assert.deepEqual(list.items.map((c) => c.title).sort(), ['mine', 'other number 0']);
      // And deleted there: out of the list here, into the trash.
      const gone = nextEvent(store.onDidChangeExternally);
      await inOtherWindow(dir, 'delete', 'other0');
      assert.deepEqual((await gone).ids, ['other0']);
      assert.deepEqual((await store.list()).map((c) => c.title), ['mine']);
      assert.deepEqual((await store.listTrash()).map((c) => c.title), ['other number 0']);
    } finally {
      follow.dispose();
      store.close();
    }
  });

  it('the open conversation continued in another window: its turns come in, and the view says so', async () => {
    const store = new HistoryStore(dir, { watch: true });
    const { session, follow } = make(store);
    try {
      await session.send('hello');
      const c = (await inOtherWindow(dir, 'load', session.conversation.id)) as StoredConversation;
      c.turns.push({ id: 'q-elsewhere', role: 'user', text: 'asked in the other window', state: 'done', createdAt: Date.now() });
      c.turns.push({ id: 'a-elsewhere', role: 'assistant', text: 'answered in the other window', state: 'done', createdAt: Date.now(), endedAt: Date.now() });
      posted = [];
      await inOtherWindow(dir, 'saveNow', c);
      const init = await waitFor('the view drawn again', () => posted.find((m): m is Extract<HostToWebview, { type: 'init' }> => m.type === 'init'));
      assert.deepEqual(init.conversation.turns.map((t) => t.text), ['hello', scriptedAnswer('hello'), 'asked in the other window', 'answered in the other window']);
      assert.deepEqual(statuses(), ['Updated from another window']);
      // This window goes on from there, and saves it all.
      await session.send('and here');
      const saved = (await new HistoryStore(dir).load(session.conversation.id))!;
      assert.deepEqual(saved.turns.map((t) => t.text).slice(2, 5), ['asked in the other window', 'answered in the other window', 'and here']);
    } finally {
      follow.dispose();
      store.close();
    }
  });

  it('a full disk: the view and the log say so, the conversation stays open, and it is saved when there is room', async () => {
    let full = true;
    const open = fs.open;
    fs.open = (async (file: Parameters<typeof fs.open>[0], ...rest: unknown[]) => {
      if (full && String(file).startsWith(dir) && String(file).endsWith('.tmp')) throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(file)}'`), { code: 'ENOSPC' });
      return (open as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.open;
    const store = new HistoryStore(dir, { saveDelayMs: 10, retryDelayMs: 100 });
    const { session, follow } = make(store);
    try {
      await session.send('Hi there');
      assert.equal(statuses().at(-1), FULL, 'said under the conversation');
      assert.ok(logged.includes(`error ${FULL}`), 'and in the log');
      assert.deepEqual(session.conversation.turns.map((t) => t.text), ['Hi there', scriptedAnswer('Hi there')], 'it stays open, whole');
      assert.deepEqual(await new HistoryStore(dir).list(), [], 'nothing could be written');
      full = false; // room again: the next try writes it, without anything else done
      const saved = await waitFor('the conversation on disk', () => new HistoryStore(dir).load(session.conversation.id));
      assert.deepEqual(saved.turns.map((t) => [t.text, t.state]), [['Hi there', 'done'], [scriptedAnswer('Hi there'), 'done']]);
      await waitFor('the notice taken away', () => statuses().at(-1) === null);
    } finally {
      fs.open = open;
      follow.dispose();
      store.close();
    }
  });

  it('a folder that cannot be written (a file where it should be): said, kept, and written on the next save once it can be', async () => {
    const folder = path.join(dir, 'conversations');
    await fs.writeFile(folder, 'not a folder');
    const store = new HistoryStore(folder, { saveDelayMs: 10, retryDelayMs: 60_000 });
    const { session, follow } = make(store);
    try {
      await session.send('Hi there');
      assert.match(statuses().at(-1) ?? '', /^Could not save the conversation: .*conversations \(or a folder above it\) is a file, not a folder\. It stays open here and is saved when it can be\.$/);
      assert.ok(logged.some((l) => l.startsWith('error Could not save the conversation')));
      await fs.rm(folder);
      await store.flush(); // the next save
      const saved = (await new HistoryStore(folder).load(session.conversation.id))!;
      assert.deepEqual(saved.turns.map((t) => t.text), ['Hi there', scriptedAnswer('Hi there')]);
    } finally {
      follow.dispose();
      store.close();
    }
  });
});

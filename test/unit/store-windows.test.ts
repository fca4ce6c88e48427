/**
 * Several VS Code windows on one history folder, as the issue measured them: each "window" is its
 * own process (test/fixtures/store-worker.ts) with its own HistoryStore, and nothing one of them
 * writes may be lost or hidden from the others or from a window opened later.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredConversation, StoredTurn } from '../../src/chat/model';
import { HistoryStore } from '../../src/chat/store';
import type { ConversationSummary, TrashedSummary } from '../../src/protocol';

const WORKER = path.join(__dirname, '../fixtures/store-worker.js');

/** One window: a process with its own store on `dir`. */
class Window {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(dir: string) {
    this.child = fork(WORKER, [dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve) => this.child.once('message', () => resolve()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.on('message', (m: { seq?: number; value?: unknown; error?: string }) => {
      const w = m.seq !== undefined ? this.waiting.get(m.seq) : undefined;
      if (!w) return;
      this.waiting.delete(m.seq!);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.value);
    });
    void this.exited.then(({ code, signal }) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the window's process ended (${signal ?? code})`));
      this.waiting.clear();
    });
  }

  async call<T = unknown>(op: string, ...args: unknown[]): Promise<T> {
    await this.ready;
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('the window\'s process has ended'));
      this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ seq, op, args }, (err) => {
        if (!err) return;
        this.waiting.delete(seq);
        reject(err);
      });
    });
  }

  list = () => this.call<ConversationSummary[]>('list');
  listTrash = () => this.call<TrashedSummary[]>('listTrash');
  load = (id: string) => this.call<StoredConversation | null>('load', id);
  saveNow = (c: StoredConversation) => this.call('saveNow', c);

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function turn(id: string, role: 'user' | 'assistant', text: string, at: number): StoredTurn {
  return { id, role, text, state: 'done', createdAt: at, ...(role === 'assistant' ? { endedAt: at } : {}) };
}

function conv(id: string, text: string, at = Date.now()): StoredConversation {
  return { version: 1, id, title: text, createdAt: at, updatedAt: at, turns: [turn(`${id}-q`, 'user', text, at), turn(`${id}-a`, 'assistant', `an answer to ${text}`, at)] };
}

const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id).sort();

describe('history shared by several windows (a process each, one folder)', function () {
  this.timeout(60_000);
  let dir: string;
  let windows: Window[];
  const open = () => {
    const w = new Window(dir);
    windows.push(w);
    return w;
  };
  /** A window opened later: a fresh store, reading only what is on disk. */
  const later = () => new HistoryStore(dir, { onError: () => undefined });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-windows-'));
    windows = [];
  });
  afterEach(async () => {
    for (const w of windows) w.close();
    await Promise.all(windows.map((w) => w.exited));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('A saves, then B saves: a window opened later lists both, and each window lists the other\'s', async () => {
    const a = open();
    const b = open();
    await a.list();
    await b.list(); // both have read the folder, as two open windows have
    await a.saveNow(conv('fromA', 'saved in A'));
    await b.saveNow(conv('fromB', 'saved in B'));
    assert.deepEqual(ids(await later().list()), ['fromA', 'fromB']);
    assert.deepEqual(ids(await a.list()), ['fromA', 'fromB'], 'A sees B\'s without a reload');
    assert.deepEqual(ids(await b.list()), ['fromA', 'fromB']);
  });

  it('delete in A, then save in B: the conversation stays deleted and is in the trash, with what B added', async () => {
    const seed = open();
    await seed.saveNow(conv('gone', 'delete me'));
    await seed.saveNow(conv('kept', 'keep me'));
    const a = open();
    const b = open();
    const inB = (await b.load('gone'))!; // open in B too
    await a.list();
    await b.list();
    await a.call('delete', 'gone');
    await b.saveNow(conv('other', 'something else'));
    const fresh = later();
    assert.deepEqual(ids(await fresh.list()), ['kept', 'other']);
    assert.deepEqual(ids(await fresh.listTrash()), ['gone']);
    // B still had it open and answered once more: it stays in the trash, and the answer is kept there.
    inB.turns.push(turn('late-q', 'user', 'one more', Date.now()), turn('late-a', 'assistant', 'the late answer', Date.now()));
    await b.saveNow(inB);
    assert.deepEqual(ids(await later().list()), ['kept', 'other']);
    assert.deepEqual(ids(await b.list()), ['kept', 'other'], 'B lists it no more');
    assert.deepEqual(ids(await b.listTrash()), ['gone'], 'B sees it in the trash');
    const restored = (await later().restore('gone'))!;
    assert.deepEqual(restored.turns.map((t) => t.text), ['delete me', 'an answer to delete me', 'one more', 'the late answer']);
  });

  it('the same conversation answered in both windows keeps both answers, as versions of the turn', async () => {
    const seed = open();
    await seed.saveNow(conv('shared', 'first question', 1_000));
    await seed.call('setCurrent', 'shared');
    const a = open();
    const b = open();
    // Both windows open the conversation that was open last, as they do at start.
    const inA = (await a.load((await a.call<string>('currentId'))))!;
    const inB = (await b.load((await b.call<string>('currentId'))))!;
    inA.turns.push(turn('qa', 'user', 'asked in A', 2_000), turn('aa', 'assistant', 'answered in A', 2_000));
    inB.turns.push(turn('qb', 'user', 'asked in B', 3_000), turn('ab', 'assistant', 'answered in B', 3_000));
    await a.saveNow(inA);
    await b.saveNow(inB);
    const c = (await later().load('shared'))!;
    assert.deepEqual(c.turns.map((t) => t.text), ['first question', 'an answer to first question', 'asked in B', 'answered in B'], 'the last writer\'s branch is shown');
    const v = c.turns[2].versions!;
    assert.equal(v.all.length, 2, 'and the other window\'s is a version of the same turn');
    assert.deepEqual(v.all[0]?.map((t) => t.text), ['asked in A', 'answered in A']);
    assert.equal(v.active, 1);
    // A saves again (it still shows its own branch): nothing of B's is lost either way.
    inA.turns.push(turn('qa2', 'user', 'A goes on', 4_000), turn('aa2', 'assistant', 'A\'s second answer', 4_000));
    await a.saveNow(inA);
    const again = (await later().load('shared'))!;
    assert.deepEqual(again.turns.map((t) => t.text).slice(2), ['asked in A', 'answered in A', 'A goes on', 'A\'s second answer']);
    assert.deepEqual(again.turns[2].versions?.all.map((x) => x?.map((t) => t.text) ?? null), [null, ['asked in B', 'answered in B']]);
  });

  it('a rename in one window and a new answer in the other are both kept', async () => {
    const seed = open();
    await seed.saveNow(conv('c1', 'question'));
    const a = open();
    const b = open();
    const inA = (await a.load('c1'))!;
    const inB = (await b.load('c1'))!;
    inA.title = 'Renamed in A';
    await a.saveNow(inA);
    inB.turns.push(turn('q2', 'user', 'follow-up in B', Date.now()), turn('a2', 'assistant', 'answer in B', Date.now()));
    await b.saveNow(inB);
    const c = (await later().load('c1'))!;
    assert.equal(c.title, 'Renamed in A');
    assert.deepEqual(c.turns.map((t) => t.text).slice(2), ['follow-up in B', 'answer in B']);
    assert.deepEqual((await b.list()).map((x) => x.title), ['Renamed in A']);
  });

  it('what one window deletes, restores or empties from the trash, the other sees', async () => {
    const a = open();
    const b = open();
    await a.saveNow(conv('x', 'to and fro'));
    await a.saveNow(conv('y', 'for good'));
    await b.list();
    await b.listTrash();
    await a.call('delete', 'x');
    await a.call('delete', 'y');
    assert.deepEqual(ids(await b.listTrash()), ['x', 'y']);
    const back = await b.call<StoredConversation | null>('restore', 'x');
    assert.equal(back?.title, 'to and fro', 'B restores what A deleted');
    assert.deepEqual(ids(await a.list()), ['x']);
    await b.call('emptyTrash');
    assert.deepEqual(await a.listTrash(), []);
    assert.deepEqual(ids(await later().list()), ['x']);
    assert.deepEqual(await later().listTrash(), []);
  });

  it('a window killed between writing a conversation and the index: the conversation is still listed', async () => {
    const first = open();
    await first.saveNow(conv('before', 'saved before'));
    await first.call('flush');
    const doomed = open();
    await doomed.list();
    await doomed.call('dieAtIndexWrite');
    // It dies as it puts index.json in place (or, if it writes none, lives on).
    await Promise.race([doomed.saveNow(conv('lost', 'saved as it died')).then(() => doomed.call('flush')).catch(() => undefined), doomed.exited]);
    assert.deepEqual(ids(await later().list()), ['before', 'lost']);
    assert.deepEqual(ids(await first.list()), ['before', 'lost'], 'and a window that was open meanwhile lists it too');
  });

  it('25 saves from each of two windows at once: all 50 are listed, everywhere', async () => {
    const a = open();
    const b = open();
    await Promise.all([a.list(), b.list()]);
    await Promise.all([a.call('saveMany', 'a', 25), b.call('saveMany', 'b', 25)]);
    const want = [...Array.from({ length: 25 }, (_, i) => `a${i}`), ...Array.from({ length: 25 }, (_, i) => `b${i}`)].sort();
    assert.deepEqual(ids(await later().list()), want);
    assert.deepEqual(ids(await a.list()), want);
    assert.deepEqual(ids(await b.list()), want);
  });

  it('an import in one window while the other saves: both listed', async () => {
    const a = open();
    const b = open();
    await Promise.all([a.list(), b.list()]);
    // An import is a new conversation saved at once (transcript.ts makes it; the store only saves it).
    await Promise.all([a.saveNow(conv('imported', 'from a file')), b.saveNow(conv('typed', 'typed in B'))]);
    assert.deepEqual(ids(await later().list()), ['imported', 'typed']);
    assert.deepEqual(ids(await b.list()), ['imported', 'typed']);
  });
});

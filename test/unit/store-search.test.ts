/** Search over many conversations: a keystroke reads no conversation file; a changed one is read once. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredConversation } from '../../src/chat/model';
import { HistoryStore } from '../../src/chat/store';

const conv = (i: number, word: string): StoredConversation => ({
  version: 1, id: `c${i}`, title: `Conversation ${i}`, createdAt: i, updatedAt: i,
  turns: [
    { id: `q${i}`, role: 'user', text: `Question ${i} about ${word}`, state: 'done', createdAt: i },
    { id: `a${i}`, role: 'assistant', text: `An answer that mentions ${word} ${i} times`, state: 'done', createdAt: i, endedAt: i },
  ],
});

describe('history search over many conversations', () => {
  let dir: string;
  let reads: string[];
  const open = fs.open;
  const readFile = fs.readFile;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-search-'));
    reads = [];
    // Counts what is read of conversation files (the index and current.json are not conversations).
    const count = (file: unknown) => {
      const f = String(file);
      if (f.startsWith(dir) && /[\\/][A-Za-z0-9_-]+\.json$/.test(f) && !/(index|current)\.json$/.test(f)) reads.push(path.basename(f));
    };
    fs.open = ((file: Parameters<typeof fs.open>[0], ...rest: unknown[]) => (count(file), (open as (...a: unknown[]) => unknown)(file, ...rest))) as typeof fs.open;
    fs.readFile = ((file: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => (count(file), (readFile as (...a: unknown[]) => unknown)(file, ...rest))) as typeof fs.readFile;
  });
  afterEach(async () => {
    fs.open = open;
    fs.readFile = readFile;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads each conversation once, then no file per keystroke; one another window changed is read again, only it', async () => {
    const words = ['marmalade', 'pineapple', 'quince', 'zebra'];
    for (let i = 0; i < 300; i++) await fs.writeFile(path.join(dir, `c${i}.json`), JSON.stringify(conv(i, words[i % 4])));
    const store = new HistoryStore(dir);
    const first = await store.search('zebra');
    assert.equal(first.length, 75);
    assert.ok(reads.length <= 300, `${reads.length} reads for the first search`);
    reads = [];
    for (const q of ['m', 'ma', 'mar', 'marm']) await store.search(q);
    assert.equal((await store.search('marmalade')).length, 75);
    assert.equal((await store.search('quince 10 times')).length, 1);
    assert.deepEqual(reads, [], 'no conversation file read while typing');
    // Another window answers in one of them.
    const other = new HistoryStore(dir);
    const c7 = (await other.load('c7'))!;
    reads = [];
    c7.turns.push({ id: 'q-new', role: 'user', text: 'now about a wombat', state: 'done', createdAt: 8 });
    await other.saveNow(c7);
    reads = [];
    assert.deepEqual(await store.search('wombat'), ['c7']);
    assert.deepEqual(reads, ['c7.json'], 'only the changed conversation is read');
  });
});

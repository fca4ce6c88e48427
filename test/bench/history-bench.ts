/**
 * History search over many conversations, as typed: each keystroke is a search. The store's
 * search (texts cached by file identity, the folder only stat'ed) against the naive baseline of
 * reading and parsing every conversation file per keystroke, in the same run on the same folder.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredConversation, StoredTurn } from '../../src/chat/model';
import { HistoryStore } from '../../src/chat/store';

export interface HistorySearchBench {
  conversations: number;
  /** The searches timed: one per keystroke of the query typed. */
  keystrokes: number;
  /** The store's first search (it reads every file once to fill its cache). */
  firstSearchMs: number;
  /** Median per keystroke, after the first search, with the folder watched (as the extension runs it). */
  cachedMsPerKeystroke: number;
  /** The same without a watcher (where one cannot be had): the folder is listed and every file stat'ed per keystroke. */
  unwatchedMsPerKeystroke: number;
  naiveMsPerKeystroke: number;
  /** Conversation files read per keystroke: the store's (0 when nothing changed) and the baseline's. */
  cachedReadsPerKeystroke: number;
  naiveReadsPerKeystroke: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function conversation(i: number, turns: number): StoredConversation {
  const t: StoredTurn[] = [];
  for (let k = 0; k < turns; k++) {
    t.push({ id: `q${i}-${k}`, role: 'user', text: `Question ${k} of conversation ${i}: how do I parse dates in Python ${i % 7}?`, state: 'done', createdAt: i });
    t.push({ id: `a${i}-${k}`, role: 'assistant', text: `Use datetime.fromisoformat for ISO dates. ${'Some explanation follows here. '.repeat(20)}${i === 500 ? 'marmalade' : ''}`, state: 'done', createdAt: i, endedAt: i });
  }
  return { version: 1, id: `c${i}`, title: `Conversation ${i}`, createdAt: i, updatedAt: i, turns: t };
}

/** What every keystroke cost before: read and parse every conversation, search its messages. */
async function naiveSearch(dir: string, q: string): Promise<{ ids: string[]; reads: number }> {
  const ids: string[] = [];
  let reads = 0;
  const hit = (turns: readonly StoredTurn[]): boolean => turns.some((t) => t.text.toLowerCase().includes(q) || (t.versions?.all ?? []).some((v) => v !== null && hit(v)));
  for (const n of await fs.readdir(dir)) {
    if (!n.endsWith('.json') || n === 'index.json' || n === 'current.json') continue;
    reads++;
    const c = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as StoredConversation;
    if (c.title.toLowerCase().includes(q) || hit(c.turns)) ids.push(c.id);
  }
  return { ids, reads };
}

/**
 * Times typing `query` into History's search over `conversations` conversations of
 * `turnsEach` exchanges each: the store against the naive baseline, per keystroke.
 */
export async function benchHistorySearch(opts: { conversations?: number; turnsEach?: number; query?: string } = {}): Promise<HistorySearchBench> {
  const n = opts.conversations ?? 1_000;
  const turns = opts.turnsEach ?? 5;
  const query = opts.query ?? 'marmalade';
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qwen-history-bench-'));
  try {
    for (let i = 0; i < n; i++) await fs.writeFile(path.join(dir, `c${i}.json`), JSON.stringify(conversation(i, turns)));
    const store = new HistoryStore(dir, { watch: true });
    const unwatched = new HistoryStore(dir);
    let t0 = performance.now();
    await store.search(query.slice(0, 1));
    const firstSearchMs = performance.now() - t0;
    await unwatched.search(query.slice(0, 1));
    const cached: number[] = [];
    const plain: number[] = [];
    const naive: number[] = [];
    let cachedReads = 0;
    let naiveReads = 0;
    for (let k = 1; k <= query.length; k++) {
      const q = query.slice(0, k);
      const before = store.stats.fileReads;
      t0 = performance.now();
      const got = await store.search(q);
      cached.push(performance.now() - t0);
      cachedReads += store.stats.fileReads - before;
      t0 = performance.now();
      await unwatched.search(q);
      plain.push(performance.now() - t0);
      t0 = performance.now();
      const base = await naiveSearch(dir, q);
      naive.push(performance.now() - t0);
      naiveReads += base.reads;
      if (got.length !== base.ids.length) throw new Error(`"${q}": the store found ${got.length}, the baseline ${base.ids.length}`);
    }
    store.close();
    return {
      conversations: n,
      keystrokes: query.length,
      firstSearchMs,
      cachedMsPerKeystroke: median(cached),
      unwatchedMsPerKeystroke: median(plain),
      naiveMsPerKeystroke: median(naive),
      cachedReadsPerKeystroke: cachedReads / query.length,
      naiveReadsPerKeystroke: naiveReads / query.length,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

// `node out/test/bench/history-bench.js` prints it alone.
if (require.main === module) {
  void benchHistorySearch().then((r) => console.log(JSON.stringify(r, null, 2)));
}

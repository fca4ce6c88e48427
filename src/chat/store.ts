/**
 * Conversations on disk, shared by every VS Code window: each window's extension host has its own
 * HistoryStore on the same folder (the extension's global storage). So the files are the truth:
 * one JSON file per conversation, `trash/` for deleted ones (a trashed file's mtime is when it was
 * deleted), `current.json` for the conversation open last. `index.json` is only a cache of the
 * list (titles by file identity), checked against the folder on every look, never the only record.
 *
 * - Every write is a temp file, fsync (for the writes that matter), then rename: a crash leaves
 *   the old file or the new one. While an answer streams, saves are throttled and not synced; a
 *   crash loses at most the last throttle tick.
 * - A conversation is written under its own lock file, after reading what another window wrote
 *   since this one last read or wrote it, and merging (merge.ts): both answers are kept.
 * - A window learns of the others' changes by watching the folder (or by refresh()), and tells
 *   its user through onDidChangeExternally.
 * - A write that fails (full disk, read-only folder) keeps the conversation pending in memory,
 *   says so through onSaveProblem, and is tried again later and on every save.
 *
 * No `vscode` import: the host passes the folder (its globalStorageUri).
 */
import { randomUUID } from 'node:crypto';
import { type FSWatcher, promises as fs, type Stats, watch } from 'node:fs';
import path from 'node:path';
import { type ConversationSummary, type StoredConversation, type StoredTurn, summarize, TRASH_DAYS, type TrashedSummary } from './model';
import { type Disposable, Emitter } from './emitter';
import { type MergeBase, mergeConversations, turnIds } from './merge';

export type { Disposable };

const DAY_MS = 86_400_000;

/** What another window changed on disk. */
export interface ExternalChange {
  /** Conversations another window wrote, deleted, restored or deleted for good. */
  ids: string[];
  /** Of those, the ones whose copy in this window (given to saveNow or sync) now holds the other window's turns too. */
  merged: string[];
}

/** Saving failed (undefined: it works again). The conversation stays pending and is written when it can be. */
export interface SaveProblem {
  /** For the user: what happened and what becomes of the conversation. */
  message: string;
  code?: string;
}

/** What sync() found of the open conversation on disk. */
export type SyncResult = 'unchanged' | 'merged' | 'trashed' | 'gone';


export class SaveError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Files in the folder that are not conversations. */
const RESERVED = new Set(['index', 'current']);
const LOCK_STALE_MS = 10_000;

/** A conversation file's text, checked; an answer cut off by a crash comes back stopped and interrupted. Throws on anything else. */
function parseConversation(text: string, raw = false): StoredConversation {
  const c = JSON.parse(text) as StoredConversation;
  if (c.version !== 1 || !Array.isArray(c.turns)) throw new Error('unknown conversation format');
  if (raw) return c;
  for (const t of c.turns) {
    if (t.state !== 'streaming') continue;
    t.state = 'stopped';
    t.interrupted = true;
  }
  return c;
}


/** A line of a message around a match: a few words either side, on one line. */
export function snippetAt(text: string, at: number, length: number): string {
  const from = Math.max(0, at - 40);
  const to = Math.min(text.length, at + length + 60);
  // Whole words only: a word cut at either end is left out.
  let cut = text.slice(from, to);
  if (from > 0 && /\S/.test(text[from - 1])) cut = cut.replace(/^\S*/, '');
  if (to < text.length && /\S/.test(text[to])) cut = cut.replace(/\S*$/, '');
  cut = cut.replace(/\s+/g, ' ').trim();
  return `${from > 0 ? '…' : ''}${cut}${to < text.length ? '…' : ''}`;
}

/** Every message of every version, one per line block, for search (matched lower-cased, shown as written). */
function searchText(c: StoredConversation): string {
  const out: string[] = [];
  const walk = (turns: readonly StoredTurn[]): void => {
    for (const t of turns) {
      out.push(t.text);
      for (const v of t.versions?.all ?? []) if (v) walk(v);
    }
  };
  walk(c.turns);
  return out.join('\n\u0000');
}

/** A file's identity: a rename makes a new inode, and a write changes size or mtime. */
function keyOf(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function statOf(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return [];
    throw err;
  }
}

function idOf(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined;
  const id = name.slice(0, -5);
  return ID_RE.test(id) && !RESERVED.has(id) ? id : undefined;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/** What the user is told when a write failed: what happened, and that nothing is lost. */
export function describeSaveError(err: unknown, dir: string): SaveError {
  if (err instanceof SaveError) return err;
  const code = errno(err);
  const later = 'It stays open here and is saved when it can be.';
  let why: string;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new SaveError('Could not save the conversation: the disk is full. It stays open here and is saved when there is room.', code);
    case 'EROFS':
      why = `the disk holding ${dir} is read-only`;
      break;
    case 'EACCES':
    case 'EPERM':
      why = `there is no permission to write to ${dir}`;
      break;
    case 'ENOTDIR':
    case 'EEXIST':
      why = `${dir} (or a folder above it) is a file, not a folder`;
      break;
    default:
      why = err instanceof Error ? err.message : String(err);
  }
  return new SaveError(`Could not save the conversation: ${why}. ${later}`, code);
}

/** A conversation file as this window last looked at it. */
interface Entry {
  key: string;
  /** Undefined: the file could not be read as a conversation. */
  summary?: ConversationSummary;
  /** For search; filled the first time a search needs it. */
  text?: string;
  /** `text` lower-cased, made once per text. */
  lower?: string;
  /** This window's own write (its order), so an older scan does not overwrite it. */
  seq: number;
}

interface TrashEntry extends Entry {
  deletedAt: number;
}

/** The cache file: the list as it was, each entry valid only while its file's key is the same. */
interface IndexCache {
  version: 2;
  live: Array<{ id: string; key: string; summary: ConversationSummary }>;
  trash: Array<{ id: string; key: string; summary: ConversationSummary; deletedAt: number }>;
}

/** index.json as versions before 0.2.x wrote it (the only record then): read once, for `current` and the trash's dates. */
interface LegacyIndex {
  version: 1;
  current?: string;
  items: ConversationSummary[];
  trash?: TrashedSummary[];
}

export interface HistoryStoreOptions {
  /** How long streamed saves wait (the throttle tick). */
  saveDelayMs?: number;
  onError?: (err: unknown) => void;
  now?: () => number;
  /** Watch the folder for other windows' writes (the extension does; tests that want events do). */
  watch?: boolean;
  /** How long after a failed write to try again (doubling up to a minute). */
  retryDelayMs?: number;
}

export class HistoryStore {
  /** Conversation files read (the list's check of the folder only stats them). */
  readonly stats = { fileReads: 0 };
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Conversations changed here and not yet on disk. */
  private readonly latest = new Map<string, StoredConversation>();
  private chain: Promise<void> = Promise.resolve();
  private readonly live = new Map<string, Entry>();
  private readonly trashed = new Map<string, TrashEntry>();
  /** Per conversation: the file's key and turns as this window last read or wrote it (merge base). */
  private readonly bases = new Map<string, MergeBase & { key: string }>();
  private seq = 0;
  private seeded: Promise<void> | undefined;
  private legacyCurrent: string | undefined;
  private current: { id: string | undefined } | undefined;
  private scanned = false;
  private scanTail: Promise<unknown> = Promise.resolve();
  private queuedScan: Promise<void> | undefined;
  private cacheDirty = false;
  /** Bumped by every change the watcher sees; the cached list is fresh while it equals scannedGeneration. */
  private generation = 0;
  private scannedGeneration = -1;
  private watchers: FSWatcher[] = [];
  private watchStarted: Promise<void> | undefined;
  private watching = false;
  private checkTimer: NodeJS.Timeout | undefined;
  /** The conversations the watcher named since the last look (undefined: one it could not name). */
  private named: Set<string> | undefined = new Set();
  private problem: SaveProblem | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;
  private readonly changed = new Emitter<ExternalChange>();
  private readonly problems = new Emitter<SaveProblem | undefined>();
  /** Another window changed conversations on disk (debounced; never for this window's own writes). */
  readonly onDidChangeExternally = this.changed.event;
  /** A write failed, or (undefined) writes work again. */
  readonly onSaveProblem = this.problems.event;

  constructor(
    readonly dir: string,
    private readonly opts: HistoryStoreOptions = {},
  ) {
    this.retryDelay = opts.retryDelayMs ?? 5_000;
  }

  private file(id: string): string {
    if (!ID_RE.test(id) || RESERVED.has(id)) throw new Error(`bad conversation id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  private trashFile(id: string): string {
    return path.join(this.dir, 'trash', path.basename(this.file(id)));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  // ---- reading the folder ----------------------------------------------------------------------

  /** Reads a file with the key of exactly the bytes read (a rename in between cannot mix them up). */
  private async readKeyed(file: string): Promise<{ text: string; key: string; st: Stats } | undefined> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, 'r');
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
      throw err;
    }
    try {
      const st = await fh.stat();
      this.stats.fileReads++;
      return { text: await fh.readFile('utf8'), key: keyOf(st), st };
    } finally {
      await fh.close();
    }
  }

  /** The cache file, once: entries for files that have not changed since need no reading. */
  private seed(): Promise<void> {
    return (this.seeded ??= (async () => {
      let text: string;
      try {
        text = await fs.readFile(path.join(this.dir, 'index.json'), 'utf8');
      } catch (err) {
        if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') this.opts.onError?.(err);
        return;
      }
      try {
        const j = JSON.parse(text) as IndexCache | LegacyIndex;
        if (j.version === 2 && Array.isArray(j.live) && Array.isArray(j.trash)) {
          for (const e of j.live) if (idOf(`${e.id}.json`) && typeof e.key === 'string') this.live.set(e.id, { key: e.key, summary: e.summary, seq: 0 });
          for (const e of j.trash) if (idOf(`${e.id}.json`) && typeof e.key === 'string') this.trashed.set(e.id, { key: e.key, summary: e.summary, deletedAt: e.deletedAt, seq: 0 });
        } else if (j.version === 1 && Array.isArray(j.items)) {
          await this.migrate(j);
        } else throw new Error('unknown index format');
      } catch (err) {
        // Only a cache: the list is read from the files.
        this.opts.onError?.(new Error(`the history index could not be read (${err instanceof Error ? err.message : String(err)}); the list is read from the conversation files`));
      }
    })());
  }

  /** An index from before: the open conversation, and when each trashed one was deleted (as its file's mtime now). */
  private async migrate(j: LegacyIndex): Promise<void> {
    if (typeof j.current === 'string' && ID_RE.test(j.current)) this.legacyCurrent = j.current;
    for (const t of j.trash ?? []) {
      if (!ID_RE.test(t.id) || typeof t.deletedAt !== 'number') continue;
      await fs.utimes(this.trashFile(t.id), t.deletedAt / 1000, t.deletedAt / 1000).catch(() => undefined);
    }
    this.cacheDirty = true;
  }

  /**
   * Checks the cached list against the folder: a directory listing and a stat per file; only
   * files that changed are read. Changes found that this window did not make are announced.
   * A scan asked for while one runs runs after it (it may have missed the change asked about).
   */
  private scan(): Promise<void> {
    if (this.queuedScan) return this.queuedScan;
    const run = this.scanTail.catch(() => undefined).then(() => {
      this.queuedScan = undefined;
      return this.runScan();
    });
    this.queuedScan = run;
    this.scanTail = run;
    return run;
  }

  /** Only the conversations the watcher named: a stat or two each, not the whole folder. */
  private scanNamed(only: ReadonlySet<string>, generation: number): Promise<void> {
    const run = this.scanTail.catch(() => undefined).then(() => this.runScan(only, generation));
    this.scanTail = run;
    return run;
  }

  /** `upTo`: the watcher's count of changes that `only` covers (a whole-folder look covers all until it starts). */
  private async runScan(only?: ReadonlySet<string>, upTo?: number): Promise<void> {
    await this.seed();
    if (only && !this.scanned) only = undefined; // the first look is always the whole folder
    const generation = only ? upTo! : this.generation;
    const seqAtStart = this.seq;
    const readsAtStart = this.stats.fileReads;
    const changed = new Set<string>();
    const look = async <E extends Entry>(dir: string, map: Map<string, E>, make: (r: { key: string; st: Stats; c?: StoredConversation }) => E): Promise<void> => {
      const ids = only ? [...only] : (await names(dir)).map(idOf).filter((x): x is string => x !== undefined);
      const seen = new Set<string>();
      await eachLimited(ids, 32, async (id) => {
        const file = path.join(dir, `${id}.json`);
        const st = await statOf(file);
        if (!st) return;
        seen.add(id);
        const had = map.get(id);
        if (had && had.key === keyOf(st)) return;
        const r = await this.readKeyed(file);
        if (!r) {
          seen.delete(id);
          return;
        }
        const now = map.get(id);
        if (now && now.seq > seqAtStart) return; // this window wrote it meanwhile: its entry is newer
        let c: StoredConversation | undefined;
        try {
          c = parseConversation(r.text);
          if (c.id !== id) throw new Error(`${id}.json holds conversation ${JSON.stringify(c.id)}`);
        } catch (err) {
          if (!had || had.key !== r.key) this.opts.onError?.(err);
          c = undefined;
        }
        map.set(id, make({ key: r.key, st: r.st, c }));
        this.cacheDirty = true;
        if (this.bases.get(id)?.key !== r.key) changed.add(id);
      });
      for (const id of [...map.keys()]) {
        if (seen.has(id) || (only && !only.has(id)) || map.get(id)!.seq > seqAtStart) continue;
        map.delete(id);
        this.cacheDirty = true;
        changed.add(id);
      }
    };
    await look(this.dir, this.live, ({ key, c }) => ({ key, seq: 0, ...(c ? { summary: summarize(c), text: searchText(c) } : {}) }));
    await look(path.join(this.dir, 'trash'), this.trashed, ({ key, st, c }) => ({ key, seq: 0, deletedAt: st.mtimeMs, ...(c ? { summary: summarize(c) } : {}) }));
    const reads = this.stats.fileReads - readsAtStart;
    this.scannedGeneration = generation;
    const first = !this.scanned;
    this.scanned = true;
    // A rebuild (a new or lost cache, many files changed) is worth keeping for the next window.
    if (reads >= 16) await this.enqueue(() => this.writeCache()).catch((err) => this.opts.onError?.(err));
    if (!first && changed.size) this.changed.fire({ ids: [...changed], merged: [] });
  }

  /** The cached list, checked against the folder unless the watcher says nothing changed since. */
  private async fresh(): Promise<void> {
    if (this.opts.watch && !this.closed) await (this.watchStarted ??= this.startWatching());
    if (this.watching && this.scanned && this.scannedGeneration === this.generation) return;
    await this.scan();
  }

  private async startWatching(): Promise<void> {
    try {
      await fs.mkdir(path.join(this.dir, 'trash'), { recursive: true });
      for (const d of [this.dir, path.join(this.dir, 'trash')]) {
        const w = watch(d, { persistent: false }, (_e, name) => this.seen(name ? String(name) : undefined));
        w.on('error', () => this.stopWatching());
        this.watchers.push(w);
      }
      this.watching = true;
    } catch (err) {
      // Without a watcher every look at the list checks the folder: slower, as correct.
      this.stopWatching();
      this.opts.onError?.(new Error(`not watching the history folder for other windows (${err instanceof Error ? err.message : String(err)}); it is checked on every look instead`));
    }
  }

  private stopWatching(): void {
    this.watching = false;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** A change in the folder: a conversation file (not a temp file, a lock or the cache). */
  private seen(name: string | undefined): void {
    if (name !== undefined && !idOf(name)) return;
    this.generation++;
    // A change the watcher could not name: the whole folder is looked at.
    if (this.named) {
      if (name === undefined) this.named = undefined;
      else this.named.add(idOf(name)!);
    }
    if (this.checkTimer) clearTimeout(this.checkTimer);
    // Debounced: one look after a burst of writes.
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      const named = this.named;
      this.named = new Set();
      if (!this.closed) (named ? this.scanNamed(named, this.generation) : this.scan()).catch((err) => this.opts.onError?.(err));
    }, 100);
    this.checkTimer.unref?.();
  }

  /** Looks at the folder now (a view became visible): what other windows changed is announced. */
  async refresh(): Promise<void> {
    await this.scan();
  }

  /**
   * Keeps the cache file up to date (not synced: it is only a cache). Only once this window has
   * checked the whole folder: a cache of what it happens to know would make others read more.
   */
  private async writeCache(): Promise<void> {
    if (!this.cacheDirty || !this.scanned || this.closed) return;
    this.cacheDirty = false;
    const cache: IndexCache = {
      version: 2,
      live: [...this.live].filter(([, e]) => e.summary).map(([id, e]) => ({ id, key: e.key, summary: e.summary! })),
      trash: [...this.trashed].filter(([, e]) => e.summary).map(([id, e]) => ({ id, key: e.key, summary: e.summary!, deletedAt: e.deletedAt })),
    };
    await atomicWrite(path.join(this.dir, 'index.json'), JSON.stringify(cache), false);
  }

  // ---- the list, the trash, search -------------------------------------------------------------

  async list(): Promise<ConversationSummary[]> {
    await this.fresh();
    return [...this.live.values()].flatMap((e) => (e.summary ? [e.summary] : [])).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Deleted conversations, most recently deleted first. */
  async listTrash(): Promise<TrashedSummary[]> {
    await this.fresh();
    this.purgeTrash();
    return [...this.trashed.values()].flatMap((e) => (e.summary ? [{ ...e.summary, deletedAt: e.deletedAt }] : [])).sort((a, b) => b.deletedAt - a.deletedAt);
  }

  /** Conversations deleted more than TRASH_DAYS ago are gone for good. */
  private purgeTrash(): void {
    const cutoff = this.now() - TRASH_DAYS * DAY_MS;
    for (const [id, e] of [...this.trashed]) {
      if (e.deletedAt >= cutoff) continue;
      this.trashed.delete(id);
      this.cacheDirty = true;
      void this.enqueue(() =>
        this.locked(id, async () => {
          const st = await statOf(this.trashFile(id));
          if (st && st.mtimeMs < cutoff) await fs.rm(this.trashFile(id), { force: true });
        }),
      ).catch((err) => this.opts.onError?.(err));
    }
  }

  /**
   * Conversations whose title or any message (any version) holds `query`, case-insensitively,
   * newest first. Messages are searched in a cache kept by file identity: a file is read again
   * only when it changed, so a keystroke reads no files at all. `open`: the conversation shown,
   * searched as it is in memory.
   */
  async search(query: string, open?: StoredConversation): Promise<string[]> {
    return (await this.searchHits(query, open)).map((h) => h.id);
  }

  /** The same, each with the words around the first match in a message ("…the secret word is marmalade…"). */
  async searchHits(query: string, open?: StoredConversation): Promise<Array<{ id: string; snippet?: string }>> {
    const q = query.trim().toLowerCase();
    const items = await this.list();
    if (!q) return items.map((c) => ({ id: c.id }));
    const inMemory = (id: string) => (open?.id === id ? open : this.latest.get(id));
    const missing = items.filter((c) => !inMemory(c.id) && this.live.get(c.id)?.text === undefined);
    await eachLimited(missing, 16, async (c) => {
      const r = await this.readKeyed(this.file(c.id)).catch(() => undefined);
      const e = this.live.get(c.id);
      if (!r || !e) return;
      try {
        const conv = parseConversation(r.text);
        // Only for the file the list knows: a newer one is the next scan's (and is announced by it).
        if (e.key === r.key) (e.text = searchText(conv)), (e.lower = undefined);
      } catch {
        /* damaged: not a match */
      }
    });
    const out: Array<{ id: string; snippet?: string }> = [];
    for (const c of items) {
      const m = inMemory(c.id);
      const e = this.live.get(c.id);
      const text = m ? searchText(m) : e?.text ?? '';
      const lower = m || !e ? text.toLowerCase() : (e.lower ??= text.toLowerCase());
      const at = lower.indexOf(q);
      if (at >= 0) {
        // Within the one message that matched (they are joined by "\n\0").
        const from = text.lastIndexOf('\u0000', at) + 1;
        const end = text.indexOf('\n\u0000', at);
        const message = text.slice(from, end < 0 ? undefined : end);
        out.push({ id: c.id, snippet: snippetAt(message, at - from, q.length) });
      } else if (c.title.toLowerCase().includes(q)) out.push({ id: c.id });
    }
    return out;
  }


  // ---- the open conversation -------------------------------------------------------------------

  async currentId(): Promise<string | undefined> {
    if (this.current) return this.current.id;
    try {
      const j = JSON.parse(await fs.readFile(path.join(this.dir, 'current.json'), 'utf8')) as { id?: unknown };
      return typeof j.id === 'string' && ID_RE.test(j.id) ? j.id : undefined;
    } catch {
      await this.seed();
      return this.legacyCurrent;
    }
  }

  /** Remembers the open conversation for the next start. Never fails: at worst the next start opens another. */
  async setCurrent(id: string | undefined): Promise<void> {
    this.current = { id };
    await this.enqueue(() => atomicWrite(path.join(this.dir, 'current.json'), JSON.stringify({ version: 1, id: id ?? null }), false)).catch((err) => this.opts.onError?.(err));
  }

  /** Loads a conversation; an answer cut off by a crash comes back as stopped and interrupted, its text kept. */
  async load(id: string): Promise<StoredConversation | undefined> {
    const pending = this.latest.get(id);
    if (pending) return pending;
    const file = this.file(id);
    const r = await this.readKeyed(file).catch((err) => (this.opts.onError?.(err), undefined));
    if (!r) return undefined;
    try {
      const c = parseConversation(r.text);
      this.bases.set(id, { key: r.key, ids: turnIds(c.turns), title: c.title });
      return c;
    } catch (err) {
      // Keep the damaged file for the user rather than overwrite it later.
      this.opts.onError?.(err);
      await fs.rename(file, `${file}.corrupt-${Date.now()}`).catch(() => undefined);
      return undefined;
    }
  }

  /**
   * Takes into `c` (the conversation open in this window) what another window wrote of it since
   * this one last read or wrote it: in memory only; the next save writes the merged conversation.
   */
  async sync(c: StoredConversation): Promise<SyncResult> {
    let result: SyncResult = 'gone';
    await this.enqueue(async () => {
      let where: 'live' | 'trash' = 'live';
      let r = await this.readKeyed(this.file(c.id));
      if (!r) {
        r = await this.readKeyed(this.trashFile(c.id));
        where = 'trash';
      }
      if (!r) return;
      const base = this.bases.get(c.id);
      let merged = false;
      if (r.key !== base?.key) {
        const disk = parseConversation(r.text, true);
        merged = mergeConversations(c, disk, base);
        this.bases.set(c.id, { key: r.key, ids: turnIds(disk.turns), title: disk.title });
      }
      result = where === 'trash' ? 'trashed' : merged ? 'merged' : 'unchanged';
    });
    return result;
  }

  // ---- writing ---------------------------------------------------------------------------------

  /** Saves soon (throttled): for every streamed token. */
  save(c: StoredConversation): void {
    this.latest.set(c.id, c);
    if (this.timers.has(c.id)) return;
    const t = setTimeout(() => {
      this.timers.delete(c.id);
      void this.persist(c, false).catch(() => undefined);
    }, this.opts.saveDelayMs ?? 400);
    this.timers.set(c.id, t);
  }

  /** Saves at once, synced to the disk: when an answer ends, a message is sent, or the extension stops. */
  async saveNow(c: StoredConversation): Promise<void> {
    const t = this.timers.get(c.id);
    if (t) clearTimeout(t);
    this.timers.delete(c.id);
    await this.persist(c, true);
  }

  /** `say`: a failure is told at once (a write that matters), not only when it is a new one. */
  private async persist(c: StoredConversation, durable: boolean, say = durable): Promise<void> {
    this.latest.set(c.id, c);
    this.file(c.id); // a bad id fails here, before anything is written
    try {
      await this.enqueue(() => this.write(c, durable));
    } catch (err) {
      throw this.failed(err, say);
    }
    this.succeeded();
    if (this.latest.get(c.id) === c && !this.timers.has(c.id)) this.latest.delete(c.id);
  }

  /** Writes `c` where it is (the list, or the trash if another window deleted it), merged with what another window wrote. */
  private async write(c: StoredConversation, durable: boolean): Promise<void> {
    const id = c.id;
    let merged = false;
    await this.locked(id, async () => {
      const live = this.file(id);
      let target = live;
      let st = await statOf(live);
      if (!st) {
        // Deleted in another window while open here: it stays deleted, and what was added here goes into the trash with it.
        const tst = await statOf(this.trashFile(id));
        if (tst) {
          target = this.trashFile(id);
          st = tst;
        }
      }
      const base = this.bases.get(id);
      if (st && keyOf(st) !== base?.key) {
        const r = await this.readKeyed(target);
        let disk: StoredConversation | undefined;
        try {
          disk = r && parseConversation(r.text, true);
        } catch (err) {
          this.opts.onError?.(err);
          await fs.rename(target, `${target}.corrupt-${Date.now()}`).catch(() => undefined);
        }
        if (disk) merged = mergeConversations(c, disk, base);
      }
      const ids = turnIds(c.turns);
      const title = c.title;
      const summary = summarize(c);
      const text = searchText(c);
      await atomicWrite(target, JSON.stringify(c), durable);
      if (target !== live) await fs.utimes(target, st!.atime, st!.mtime);
      const after = await fs.stat(target);
      const key = keyOf(after);
      this.bases.set(id, { key, ids, title });
      const seq = ++this.seq;
      if (target === live) this.live.set(id, { key, summary, text, seq });
      else this.trashed.set(id, { key, summary, deletedAt: after.mtimeMs, seq });
      this.cacheDirty = true;
    });
    await this.writeCache().catch((err) => this.opts.onError?.(err));
    if (merged) this.changed.fire({ ids: [id], merged: [id] });
  }

  /** Moves a conversation to the trash: out of the list, restorable for TRASH_DAYS days. */
  async delete(id: string): Promise<void> {
    const pending = this.latest.get(id);
    if (pending) await this.saveNow(pending); // its newest text goes into the trash with it
    await this.enqueue(() =>
      this.locked(id, async () => {
        const from = this.file(id);
        const to = this.trashFile(id);
        if (!(await statOf(from))) return; // another window deleted it already
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.rename(from, to);
        const when = this.now() / 1000;
        await fs.utimes(to, when, when);
        await syncDir(this.dir);
        await syncDir(path.dirname(to));
        const st = await fs.stat(to);
        const had = this.live.get(id);
        this.live.delete(id);
        const seq = ++this.seq;
        this.trashed.set(id, { key: keyOf(st), deletedAt: st.mtimeMs, seq, ...(had?.summary ? { summary: had.summary } : {}) });
        const base = this.bases.get(id);
        if (base) this.bases.set(id, { ...base, key: keyOf(st) });
        this.cacheDirty = true;
        if (!had?.summary) {
          // Not listed here yet (written by another window): its summary from the file.
          const r = await this.readKeyed(to);
          try {
            if (r) this.trashed.set(id, { key: r.key, deletedAt: st.mtimeMs, seq, summary: summarize(parseConversation(r.text)) });
          } catch (err) {
            this.opts.onError?.(err);
          }
        }
      }),
    );
    await this.enqueue(() => this.writeCache()).catch((err) => this.opts.onError?.(err));
    if ((await this.currentId()) === id) await this.setCurrent(undefined);
  }

  /** Brings a conversation back from the trash; undefined when it is not there (any more). */
  async restore(id: string): Promise<StoredConversation | undefined> {
    let back = false;
    await this.enqueue(() =>
      this.locked(id, async () => {
        const from = this.trashFile(id);
        const to = this.file(id);
        if (!(await statOf(from))) return;
        const live = await this.readKeyed(to);
        if (live) {
          // Both exist (another window wrote it anew meanwhile): one conversation with what both hold.
          const trashed = await this.readKeyed(from);
          const c = parseConversation(live.text, true);
          if (trashed) mergeConversations(c, parseConversation(trashed.text, true));
          await atomicWrite(to, JSON.stringify(c), true);
          await fs.rm(from, { force: true });
        } else {
          await fs.rename(from, to);
          await syncDir(this.dir);
        }
        this.trashed.delete(id);
        this.cacheDirty = true;
        back = true;
      }),
    );
    await this.enqueue(() => this.writeCache()).catch((err) => this.opts.onError?.(err));
    if (!back) return undefined;
    const c = await this.load(id);
    const base = this.bases.get(id);
    if (c && base) this.live.set(id, { key: base.key, summary: summarize(c), text: searchText(c), seq: ++this.seq });
    return c;
  }

  /** Deletes a trashed conversation for good. */
  async deleteForever(id: string): Promise<void> {
    await this.enqueue(() =>
      this.locked(id, async () => {
        await fs.rm(this.trashFile(id), { force: true });
        this.trashed.delete(id);
        this.cacheDirty = true;
      }),
    );
    await this.enqueue(() => this.writeCache()).catch((err) => this.opts.onError?.(err));
  }

  /** Deletes everything in the trash for good: what is there now, whichever window put it there. */
  async emptyTrash(): Promise<void> {
    await this.scan();
    for (const id of [...this.trashed.keys()]) await this.deleteForever(id);
  }

  /** Writes everything still pending: on deactivate. */
  async flush(): Promise<void> {
    await Promise.all([...this.latest.values()].map((c) => this.saveNow(c)));
    await this.enqueue(() => this.writeCache()).catch((err) => this.opts.onError?.(err));
    await this.chain;
  }

  /** Stops watching and retrying (the pending conversations were flushed by the caller). */
  close(): void {
    this.closed = true;
    this.stopWatching();
    for (const t of [this.checkTimer, this.retryTimer]) if (t) clearTimeout(t);
    for (const t of this.timers.values()) clearTimeout(t);
  }

  // ---- failures --------------------------------------------------------------------------------

  /** A failed write: said (at once for a write that matters, once for streamed ones), and tried again later. */
  private failed(err: unknown, say: boolean): SaveError {
    const e = describeSaveError(err, this.dir);
    const isNew = this.problem?.message !== e.message;
    this.problem = { message: e.message, ...(e.code ? { code: e.code } : {}) };
    if (say || isNew) this.problems.fire(this.problem);
    if (!this.retryTimer && !this.closed) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.retryDelay = Math.min(this.retryDelay * 2, 60_000);
        for (const c of this.latest.values()) if (!this.timers.has(c.id)) void this.persist(c, true, false).catch(() => undefined);
      }, this.retryDelay);
      this.retryTimer.unref?.();
    }
    return e;
  }

  private succeeded(): void {
    if (!this.problem) return;
    this.problem = undefined;
    this.retryDelay = this.opts.retryDelayMs ?? 5_000;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.problems.fire(undefined);
    // Whatever else waited for room goes now too.
    for (const c of this.latest.values()) if (!this.timers.has(c.id)) void this.persist(c, true, false).catch(() => undefined);
  }

  // ---- one writer at a time ----------------------------------------------------------------------

  /** Writes from this window run one at a time, in order, so an older snapshot never lands after a newer one. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Runs `fn` holding the conversation's lock file, so no other window writes it meanwhile. A lock
   * left by a window that died (its process is gone, or it is older than LOCK_STALE_MS) is taken over.
   */
  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(this.dir, `${id}.lock`);
    const token = `${process.pid} ${randomUUID()}`;
    for (let tries = 0; ; tries++) {
      let fh: fs.FileHandle | undefined;
      try {
        fh = await fs.open(lock, 'wx');
      } catch (err) {
        const code = errno(err);
        if (code === 'ENOENT' && tries < 3) {
          await fs.mkdir(this.dir, { recursive: true });
          continue;
        }
        if (code !== 'EEXIST') throw err;
        if (await breakStaleLock(lock)) continue;
        if (tries > 3_000) throw new Error(`the conversation ${id} stays locked by another window (${lock})`);
        await new Promise((r) => setTimeout(r, Math.min(25, 1 + tries)));
        continue;
      }
      try {
        await fh.writeFile(token);
      } catch (err) {
        await fh.close().catch(() => undefined);
        await fs.rm(lock, { force: true });
        throw err;
      }
      await fh.close();
      break;
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true }).catch(() => undefined);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

async function breakStaleLock(lock: string): Promise<boolean> {
  const st = await statOf(lock);
  if (!st) return true; // released meanwhile: try again
  const held = await fs.readFile(lock, 'utf8').catch(() => '');
  const pid = Number(held.split(' ')[0]);
  const dead = Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid);
  if (!dead && Date.now() - st.mtimeMs < LOCK_STALE_MS) return false;
  await fs.rm(lock, { force: true });
  return true;
}

/** Makes a rename in `dir` itself reach the disk (where the platform allows it). */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    /* not possible on every platform (Windows): the rename is still atomic */
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** A temp file, written (and synced, when `durable`), then renamed over `file`: a crash leaves one or the other. */
async function atomicWrite(file: string, data: string, durable: boolean): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data, 'utf8');
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (durable) await syncDir(path.dirname(file));
}

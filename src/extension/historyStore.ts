/**
 * Conversations on disk, one JSON file each plus an index, written atomically (temp file and
 * rename) so a crash mid-write never leaves a broken file. While an answer streams, saves are
 * throttled; an answer survives a crash up to the last throttle tick. A deleted conversation
 * goes to `trash/` and can be restored for TRASH_DAYS days. No `vscode` import: the host passes
 * the folder (its globalStorageUri).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type ContextRef, type ConversationSummary, TRASH_DAYS, type TrashedSummary, type TurnView } from '../protocol';

const DAY_MS = 86_400_000;

/** A turn as the view shows it, plus what only the host needs. */
export interface StoredTurn extends Omit<TurnView, 'version' | 'context'> {
  /** What the user attached to this message: sent with it, shown as chips under it. */
  context?: StoredContext[];
  /** The system prompt this user turn was sent with, when not the chat's default. */
  system?: string;
  createdAt: number;
  /**
   * Other versions of this turn, each with the turns that followed it (Regenerate and Edit &
   * resend make a new version instead of deleting). `all[active]` is null: that version is the
   * conversation's own turns from here on. Files written before versions simply have none.
   */
  versions?: TurnVersions;
}

/** An attachment as sent: its text as it was when the message went. */
export interface StoredContext extends ContextRef {
  /** The document's URI (to open it again from the chip). */
  uri: string;
  /** The path shown to the model and the user, relative to the workspace. */
  path: string;
  languageId: string;
  text: string;
  /** A selection's lines, 1-based and inclusive. */
  lines?: { start: number; end: number };
}

export interface TurnVersions {
  all: Array<StoredTurn[] | null>;
  active: number;
}

export interface StoredConversation {
  version: 1;
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: StoredTurn[];
}

interface Index {
  version: 1;
  current?: string;
  items: ConversationSummary[];
  /** Deleted conversations, their files in trash/, until restored or TRASH_DAYS have passed. */
  trash?: TrashedSummary[];
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A conversation file's text, checked; an answer cut off by a crash comes back stopped and interrupted. Throws on anything else. */
function parseConversation(text: string): StoredConversation {
  const c = JSON.parse(text) as StoredConversation;
  if (c.version !== 1 || !Array.isArray(c.turns)) throw new Error('unknown conversation format');
  for (const t of c.turns) {
    if (t.state !== 'streaming') continue;
    t.state = 'stopped';
    t.interrupted = true;
  }
  return c;
}

export function summarize(c: StoredConversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, turns: c.turns.length };
}

export class HistoryStore {
  private index: Index | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly latest = new Map<string, StoredConversation>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly opts: { saveDelayMs?: number; onError?: (err: unknown) => void; now?: () => number } = {},
  ) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`bad conversation id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  private trashFile(id: string): string {
    return path.join(this.dir, 'trash', path.basename(this.file(id)));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private async readIndex(): Promise<Index> {
    if (this.index) return this.index;
    try {
      const j = JSON.parse(await fs.readFile(path.join(this.dir, 'index.json'), 'utf8')) as Index;
      if (j.version !== 1 || !Array.isArray(j.items)) throw new Error('unknown index format');
      this.index = j;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.onError?.(err);
      this.index = await this.rebuildIndex();
    }
    this.purgeTrash(this.index);
    return this.index;
  }

  /** Conversations deleted more than TRASH_DAYS ago are gone for good. */
  private purgeTrash(idx: Index): void {
    const cutoff = this.now() - TRASH_DAYS * DAY_MS;
    const old = (idx.trash ?? []).filter((t) => t.deletedAt < cutoff);
    if (!old.length) return;
    idx.trash = idx.trash!.filter((t) => t.deletedAt >= cutoff);
    void this.enqueue(async () => {
      for (const t of old) await fs.rm(this.trashFile(t.id), { force: true });
      await this.writeIndex();
    });
  }

  /** Reads every conversation file: used when the index is missing or damaged. */
  private async rebuildIndex(): Promise<Index> {
    const items: ConversationSummary[] = [];
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return { version: 1, items };
    }
    for (const n of names) {
      if (!n.endsWith('.json') || n === 'index.json') continue;
      const c = await this.load(n.slice(0, -5));
      if (c) items.push(summarize(c));
    }
    items.sort((a, b) => b.updatedAt - a.updatedAt);
    // The trash too: a lost index must not lose what can still be restored (its deletion time is the file's).
    const trash: TrashedSummary[] = [];
    for (const n of await fs.readdir(path.join(this.dir, 'trash')).catch(() => [] as string[])) {
      if (!n.endsWith('.json')) continue;
      const file = path.join(this.dir, 'trash', n);
      try {
        const c = parseConversation(await fs.readFile(file, 'utf8'));
        if (!ID_RE.test(c.id)) throw new Error(`bad conversation id in ${n}`);
        trash.push({ ...summarize(c), deletedAt: (await fs.stat(file)).mtimeMs });
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    return { version: 1, items, ...(trash.length ? { trash } : {}) };
  }

  async list(): Promise<ConversationSummary[]> {
    return [...(await this.readIndex()).items].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async currentId(): Promise<string | undefined> {
    return (await this.readIndex()).current;
  }

  async setCurrent(id: string | undefined): Promise<void> {
    const idx = await this.readIndex();
    idx.current = id;
    await this.enqueue(() => this.writeIndex());
  }

  /** Loads a conversation; an answer cut off by a crash comes back as stopped and interrupted, its text kept. */
  async load(id: string): Promise<StoredConversation | undefined> {
    const pending = this.latest.get(id);
    if (pending) return pending;
    let text: string;
    try {
      text = await fs.readFile(this.file(id), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return parseConversation(text);
    } catch (err) {
      // Keep the damaged file for the user rather than overwrite it later.
      this.opts.onError?.(err);
      await fs.rename(this.file(id), `${this.file(id)}.corrupt-${Date.now()}`).catch(() => undefined);
      return undefined;
    }
  }

  /** Saves soon (throttled): for every streamed token. */
  save(c: StoredConversation): void {
    this.latest.set(c.id, c);
    if (this.timers.has(c.id)) return;
    const t = setTimeout(() => {
      this.timers.delete(c.id);
      void this.saveNow(c).catch((e) => this.opts.onError?.(e));
    }, this.opts.saveDelayMs ?? 400);
    this.timers.set(c.id, t);
  }

  /** Saves at once: when an answer ends, a message is sent, or the extension stops. */
  async saveNow(c: StoredConversation): Promise<void> {
    const t = this.timers.get(c.id);
    if (t) clearTimeout(t);
    this.timers.delete(c.id);
    this.latest.set(c.id, c);
    const idx = await this.readIndex();
    const s = summarize(c);
    const i = idx.items.findIndex((x) => x.id === c.id);
    if (i >= 0) idx.items[i] = s;
    else idx.items.push(s);
    const json = JSON.stringify(c);
    await this.enqueue(async () => {
      await atomicWrite(this.file(c.id), json);
      await this.writeIndex();
    });
    if (this.latest.get(c.id) === c && !this.timers.has(c.id)) this.latest.delete(c.id);
  }

  /** Deleted conversations, most recently deleted first. */
  async listTrash(): Promise<TrashedSummary[]> {
    return [...((await this.readIndex()).trash ?? [])].sort((a, b) => b.deletedAt - a.deletedAt);
  }

  /** Moves a conversation to the trash: out of the list, restorable for TRASH_DAYS days. */
  async delete(id: string): Promise<void> {
    const pending = this.latest.get(id);
    if (pending) await this.saveNow(pending); // its newest text goes into the trash with it
    const idx = await this.readIndex();
    const item = idx.items.find((x) => x.id === id);
    idx.items = idx.items.filter((x) => x.id !== id);
    if (idx.current === id) idx.current = undefined;
    if (item) idx.trash = [...(idx.trash ?? []).filter((x) => x.id !== id), { ...item, deletedAt: this.now() }];
    await this.enqueue(async () => {
      await fs.mkdir(path.join(this.dir, 'trash'), { recursive: true });
      await fs.rename(this.file(id), this.trashFile(id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await this.writeIndex();
    });
  }

  /** Brings a conversation back from the trash; undefined when it is not there (any more). */
  async restore(id: string): Promise<StoredConversation | undefined> {
    const idx = await this.readIndex();
    const item = idx.trash?.find((x) => x.id === id);
    if (!item) return undefined;
    let moved = false;
    await this.enqueue(async () => {
      moved = await fs.rename(this.trashFile(id), this.file(id)).then(() => true, () => false);
    });
    idx.trash = idx.trash!.filter((x) => x.id !== id);
    const c = moved ? await this.load(id) : undefined;
    if (c) {
      idx.items = [...idx.items.filter((x) => x.id !== id), summarize(c)];
    }
    await this.enqueue(() => this.writeIndex());
    return c;
  }

  /** Deletes a trashed conversation for good. */
  async deleteForever(id: string): Promise<void> {
    const idx = await this.readIndex();
    idx.trash = (idx.trash ?? []).filter((x) => x.id !== id);
    await this.enqueue(async () => {
      await fs.rm(this.trashFile(id), { force: true });
      await this.writeIndex();
    });
  }

  /** Deletes everything in the trash for good: every file, then the index once. */
  async emptyTrash(): Promise<void> {
    const idx = await this.readIndex();
    const gone = idx.trash ?? [];
    idx.trash = [];
    await this.enqueue(async () => {
      for (const t of gone) await fs.rm(this.trashFile(t.id), { force: true });
      await this.writeIndex();
    });
  }

  /** Writes everything still pending: on deactivate. */
  async flush(): Promise<void> {
    await Promise.all([...this.latest.values()].map((c) => this.saveNow(c)));
    await this.chain;
  }

  private async writeIndex(): Promise<void> {
    if (this.index) await atomicWrite(path.join(this.dir, 'index.json'), JSON.stringify(this.index));
  }

  /** Writes run one at a time, in order, so an older snapshot never lands after a newer one. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch((e) => this.opts.onError?.(e));
    return run;
  }
}

async function atomicWrite(file: string, data: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, data, 'utf8');
  await fs.rename(tmp, file);
}

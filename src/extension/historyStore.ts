/**
 * Conversations on disk, one JSON file each plus an index, written atomically (temp file and
 * rename) so a crash mid-write never leaves a broken file. While an answer streams, saves are
 * throttled; an answer survives a crash up to the last throttle tick. No `vscode` import: the
 * host passes the folder (its globalStorageUri).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConversationSummary, TurnView } from '../protocol';

/** A turn as the view shows it, plus what only the host needs. */
export interface StoredTurn extends Omit<TurnView, 'version'> {
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
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

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
    private readonly opts: { saveDelayMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`bad conversation id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
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
    return this.index;
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
    return { version: 1, items };
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
      const c = JSON.parse(text) as StoredConversation;
      if (c.version !== 1 || !Array.isArray(c.turns)) throw new Error('unknown conversation format');
      for (const t of c.turns) {
        if (t.state !== 'streaming') continue;
        t.state = 'stopped';
        t.interrupted = true;
      }
      return c;
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

  async delete(id: string): Promise<void> {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    this.latest.delete(id);
    const idx = await this.readIndex();
    idx.items = idx.items.filter((x) => x.id !== id);
    if (idx.current === id) idx.current = undefined;
    await this.enqueue(async () => {
      await fs.rm(this.file(id), { force: true });
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

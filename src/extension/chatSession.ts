/**
 * The chat behind the sidebar view: the current conversation, one answer streaming at a time,
 * stop, regenerate, retry, edit-and-resend, and the conversation list. It knows nothing of
 * VS Code or of Gradio: it talks to a `Backend` (the provider) and posts typed messages to the
 * webview, saving every change to the HistoryStore as it streams.
 */
import { randomUUID } from 'node:crypto';
import type { ConversationView, HostToWebview, TrashedSummary, TurnView } from '../protocol';
import { isAbort } from '../provider/errors';
import { type ChatMessage, fitPrompt } from '../provider/prompt';
import type { ProviderEvent } from '../provider/types';
import type { ExternalChange, HistoryStore, SaveProblem, StoredContext, StoredConversation, StoredTurn, TurnVersions } from './historyStore';
export { snippetAt } from './historyStore';
import { withContext } from './prompts';
import { toMarkdown } from './transcript';
import { errorView, statusText } from './statusText';

export interface Backend {
  /** `onAttempt`: told of each model tried, with a way to stop waiting for it. */
  stream(messages: ChatMessage[], opts: { signal: AbortSignal; onAttempt?: (attempt: { model: string; skip: () => void }) => void }): AsyncIterable<ProviderEvent>;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface SessionDeps {
  store: HistoryStore;
  backend: Backend;
  post: (m: HostToWebview) => void;
  log: Logger;
  /** The chat's system prompt setting, read when a request starts. */
  systemPrompt: () => string;
  /** The longest prompt to send, in characters; older turns are left out to fit. 0: no limit. */
  maxPromptChars?: () => number;
  /** Told when an answer finishes (for editor-side notifications). */
  onAnswerEnd?: (turn: StoredTurn) => void;
}

export const newId = () => randomUUID().replace(/-/g, '').slice(0, 16);

export function newConversation(): StoredConversation {
  const now = Date.now();
  return { version: 1, id: newId(), title: 'New conversation', createdAt: now, updatedAt: now, turns: [] };
}


export function titleFrom(text: string): string {
  const line = text.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/\s+/g, ' ').trim() || text.trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New conversation';
}

export function toView(c: StoredConversation): ConversationView {
  return { id: c.id, title: c.title, turns: c.turns.map(turnView) };
}

/** What a message is sent with besides its text. */
export interface SendOptions {
  system?: string;
  label?: string;
  /** Attachments: sent with the message, kept with it. */
  context?: StoredContext[];
}

function turnView(t: StoredTurn): TurnView {
  const { system: _system, createdAt, versions, context, ...view } = t;
  return {
    ...view,
    ...(context?.length ? { context: context.map(({ kind, label, detail, chars }) => ({ kind, label, detail, chars })) } : {}),
    ...(versions && versions.all.length > 1 ? { version: { index: versions.active, count: versions.all.length } } : {}),
    ...(t.role === 'assistant' ? { startedAt: createdAt } : {}),
  };
}

/**
 * Takes the turns from `i` on out of the conversation, keeping them as a version of turn `i`,
 * and returns the versions for the turn that replaces it (the new version, made active).
 */
export function detachVersion(turns: StoredTurn[], i: number): TurnVersions {
  const old = turns.splice(i);
  const { versions, ...head } = old[0];
  const v: TurnVersions = versions ? { all: [...versions.all], active: versions.active } : { all: [null], active: 0 };
  v.all[v.active] = [head, ...old.slice(1)];
  v.all.push(null);
  v.active = v.all.length - 1;
  return v;
}

/** Shows version `to` of turn `i`: the turns from `i` on become that version's. False if there is no such version. */
export function switchVersion(turns: StoredTurn[], i: number, to: number): boolean {
  const v = turns[i]?.versions;
  if (!v || to < 0 || to >= v.all.length || to === v.active || !v.all[to]) return false;
  const old = turns.splice(i);
  const { versions: _v, ...head } = old[0];
  const next = v.all[to]!;
  const all = [...v.all];
  all[v.active] = [head, ...old.slice(1)];
  all[to] = null;
  turns.push({ ...next[0], versions: { all, active: to } }, ...next.slice(1));
  return true;
}

/** The conversation as the provider's messages: finished turns only, failed answers left out. */
export function toMessages(turns: readonly StoredTurn[], defaultSystem: string): ChatMessage[] {
  const lastUser = [...turns].reverse().find((t) => t.role === 'user');
  const system = lastUser?.system ?? defaultSystem;
  const msgs: ChatMessage[] = [];
  if (system.trim()) msgs.push({ role: 'system', content: system });
  for (const t of turns) {
    if (t.role === 'assistant' && (t.state === 'error' || !t.text.trim())) continue;
    msgs.push({ role: t.role, content: t.context?.length ? withContext(t.text, t.context) : t.text });
  }
  return msgs;
}

/** The answer streaming now: how to stop it, and when it has ended. */
interface Running {
  ac: AbortController;
  done: Promise<void>;
}

export class ChatSession {
  conversation: StoredConversation = newConversation();
  private running: Running | undefined;
  /** Ends the wait for the model being tried, while an answer runs. */
  private skipWaiting: (() => void) | undefined;
  /** Follow-ups typed while an answer streamed: sent one by one when it ends. */
  private queue: Array<{ id: string; text: string; opts?: SendOptions }> = [];
  private pendingDelta: { turnId: string; text: string } | undefined;
  private deltaTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SessionDeps) {}

  /** Opens the conversation that was open last time (after a reload or a crash). */
  async reopenLast(): Promise<void> {
    const id = await this.deps.store.currentId();
    const c = id ? await this.deps.store.load(id) : undefined;
    if (c) this.conversation = c;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * The whole state, for a view that (re)loads. Text still waiting in the delta batch is part of
   * the snapshot, so the batch is dropped here: sending it too would show it twice.
   */
  async init(): Promise<HostToWebview> {
    this.dropPendingDelta();
    const conversation = toView(this.conversation);
    return { type: 'init', conversation, history: await this.deps.store.list(), trash: await this.deps.store.listTrash(), busy: this.busy, queue: this.queueView() };
  }

  /** The conversation list and the trash, after either changed. */
  private async postHistory(): Promise<void> {
    this.post({ type: 'history', items: await this.deps.store.list(), trash: await this.deps.store.listTrash() });
  }

  /**
   * A message typed in the chat view: sent now, or, while an answer streams, queued and sent
   * when the answer ends (editor commands call send() and replace the running answer instead).
   */
  async sendOrQueue(text: string, opts?: SendOptions): Promise<void> {
    if (!text.trim()) return;
    if (!this.busy && this.queue.length === 0) return this.send(text, opts);
    this.queue.push({ id: newId(), text, ...(opts ? { opts } : {}) });
    this.deps.post({ type: 'queue', items: this.queueView() });
    if (!this.busy) void this.sendQueued();
  }

  private queueView(): Array<{ id: string; text: string }> {
    return this.queue.map((q) => {
      const text = q.opts?.label ? `${q.opts.label}: ${q.text.split('\n')[0]}` : q.text;
      const n = q.opts?.context?.length ?? 0;
      return { id: q.id, text: n ? `${text} (+${n} attached)` : text };
    });
  }

  /** Sends the queued follow-ups held after Stop (the queue's Send now). */
  resumeQueue(): void {
    if (!this.busy && this.queue.length) void this.sendQueued();
  }

  /** Takes a queued follow-up back; the view puts its text back in the input. */
  cancelQueued(id: string): void {
    const before = this.queue.length;
    this.queue = this.queue.filter((q) => q.id !== id);
    if (this.queue.length !== before) this.deps.post({ type: 'queue', items: this.queueView() });
  }

  /** Leaving a conversation: its queued follow-ups go back to the input, not into another conversation. */
  private returnQueue(): void {
    if (!this.queue.length) return;
    const text = this.queue.map((q) => q.text).join('\n\n');
    this.queue = [];
    this.deps.post({ type: 'queue', items: [] });
    this.deps.post({ type: 'draft', text });
  }

  private async sendQueued(): Promise<void> {
    const next = this.queue.shift();
    if (!next) return;
    this.deps.post({ type: 'queue', items: this.queueView() });
    await this.send(next.text, next.opts).catch((e) => this.deps.log.error(`sending a queued message: ${String(e)}`));
  }

  /** Sends a user message and streams the answer. Waits for the answer to end. */
  async send(text: string, opts: SendOptions = {}): Promise<void> {
    if (!text.trim()) return;
    await this.stopAndWait();
    const c = this.conversation;
    const turn: StoredTurn = {
      id: newId(), role: 'user', text, state: 'done', createdAt: Date.now(),
      ...(opts.system ? { system: opts.system } : {}), ...(opts.label ? { label: opts.label } : {}), ...(opts.context?.length ? { context: opts.context } : {}),
    };
    if (c.turns.length === 0) c.title = titleFrom(opts.label ? `${opts.label}: ${text}` : text);
    c.turns.push(turn);
    this.post({ type: 'turn', turn: turnView(turn) });
    await this.answer();
  }

  /**
   * Adds a finished exchange that did not come through the chat (an editor command's answer
   * that was not only code), so nothing the model said is lost.
   */
  async record(question: string, answer: string, opts: { label?: string; note?: string; model?: string; space?: string } = {}): Promise<void> {
    const c = this.conversation;
    const now = Date.now();
    const q: StoredTurn = { id: newId(), role: 'user', text: question, state: 'done', createdAt: now, ...(opts.label ? { label: opts.label } : {}) };
    const a: StoredTurn = {
      id: newId(), role: 'assistant', text: answer, state: 'done', createdAt: now,
      ...(opts.note ? { note: opts.note } : {}), ...(opts.model ? { model: opts.model } : {}), ...(opts.space ? { space: opts.space } : {}),
    };
    if (c.turns.length === 0) c.title = titleFrom(question);
    c.turns.push(q, a);
    c.updatedAt = now;
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    await this.deps.store.setCurrent(c.id).catch(() => undefined);
    this.post(await this.init());
  }

  /** Throws away the last answer and asks again. */
  async regenerate(): Promise<void> {
    await this.stopAndWait();
    const c = this.conversation;
    const last = c.turns[c.turns.length - 1];
    if (!last) return;
    // The Space said when to try again: wait until then (Stop ends the wait).
    const wait = last.role === 'assistant' && last.error?.retryAt ? last.error.retryAt - Date.now() : 0;
    if (wait > 0 && !(await this.waitToRetry(last, wait))) return;
    let versions: TurnVersions | undefined;
    if (last.role === 'assistant') {
      // The old answer stays as a version ("‹ 1/2 ›"); an error that said nothing is just replaced.
      if (last.state === 'error' && !last.text.trim()) versions = c.turns.pop()!.versions;
      else versions = detachVersion(c.turns, c.turns.length - 1);
      this.post(await this.init());
    }
    if (c.turns.length && c.turns[c.turns.length - 1].role === 'user') await this.answer(versions);
  }

  /**
   * Edits a user message and asks again: the edited message and its answer are a new version of
   * that turn; the old message and every turn after it stay as the earlier version.
   */
  async edit(turnId: string, text: string): Promise<void> {
    if (!text.trim()) return;
    await this.stopAndWait();
    const c = this.conversation;
    const i = c.turns.findIndex((t) => t.id === turnId && t.role === 'user');
    if (i < 0) return;
    const { versions: _old, ...was } = c.turns[i];
    const versions = detachVersion(c.turns, i);
    c.turns.push({ ...was, id: newId(), text, createdAt: Date.now(), versions });
    if (i === 0) c.title = titleFrom(text);
    this.post(await this.init());
    await this.answer();
  }

  /** Shows another version of a turn, with the turns that followed it; saved as the one shown. */
  async showVersion(turnId: string, index: number): Promise<void> {
    await this.stopAndWait();
    const c = this.conversation;
    const i = c.turns.findIndex((t) => t.id === turnId);
    if (i < 0 || !switchVersion(c.turns, i, index)) return;
    c.updatedAt = Date.now();
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    this.post(await this.init());
  }

  stop(): void {
    this.running?.ac.abort();
  }

  /** Stops waiting for the model being tried (a sleeping Space): the next one answers now. */
  skipWait(): void {
    if (this.running) this.skipWaiting?.();
  }

  /** Waits `ms` before a retry, counting down in the failed answer's status; false when stopped. */
  private async waitToRetry(turn: StoredTurn, ms: number): Promise<boolean> {
    const ac = new AbortController();
    let resolveDone!: () => void;
    this.running = { ac, done: new Promise<void>((r) => (resolveDone = r)) };
    this.post({ type: 'busy', busy: true });
    const until = Date.now() + ms;
    try {
      while (!ac.signal.aborted && Date.now() < until) {
        this.post({ type: 'status', turnId: turn.id, text: `Waiting ${Math.ceil((until - Date.now()) / 1000)} s before trying again, as the Space asked…` });
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(1000, Math.max(0, until - Date.now())));
          ac.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
      }
      return !ac.signal.aborted;
    } finally {
      this.running = undefined;
      this.post({ type: 'status', turnId: turn.id, text: null });
      this.post({ type: 'busy', busy: false });
      resolveDone();
    }
  }

  async stopAndWait(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.ac.abort();
    await r.done;
  }

  /** Starts a new, empty conversation (an empty one stays as it is). Where the focus goes is the caller's: see the command. */
  async newConversation(): Promise<void> {
    this.returnQueue();
    await this.stopAndWait();
    if (this.conversation.turns.length === 0) return;
    this.conversation = newConversation();
    await this.deps.store.setCurrent(undefined);
    this.post(await this.init());
  }

  async open(id: string): Promise<void> {
    if (id === this.conversation.id) return;
    this.returnQueue();
    await this.stopAndWait();
    const c = await this.deps.store.load(id);
    if (!c) {
      this.deps.log.warn(`conversation ${id} could not be read`);
      await this.postHistory();
      return;
    }
    await this.show(c);
  }

  /** Conversations whose title or any message (any version) holds `query`, case-insensitively (the store keeps the texts: no file read per keystroke). */
  search(query: string): Promise<string[]> {
    return this.deps.store.search(query, this.conversation);
  }

  /** The same, each with the words around where its messages match ("…the secret word is marmalade…"). */
  searchHits(query: string): Promise<Array<{ id: string; snippet?: string }>> {
    return this.deps.store.searchHits(query, this.conversation);
  }


  async rename(id: string, title: string): Promise<void> {
    const t = title.trim();
    if (!t) return;
    const c = id === this.conversation.id ? this.conversation : await this.deps.store.load(id);
    if (!c) return;
    c.title = t.length > 120 ? `${t.slice(0, 119)}…` : t;
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    if (c === this.conversation) this.post(await this.init());
    else await this.postHistory();
  }

  /** A conversation's title, in the list or in the trash. */
  async titleOf(id: string): Promise<string | undefined> {
    return [...(await this.deps.store.list()), ...(await this.deps.store.listTrash())].find((c) => c.id === id)?.title;
  }

  /** Moves a conversation to the trash; the open one is replaced by a new, empty conversation. */
  async delete(id: string): Promise<void> {
    if (id === this.conversation.id) {
      this.returnQueue();
      await this.stopAndWait();
      await this.deps.store.delete(id);
      this.conversation = newConversation();
      this.post(await this.init());
      return;
    }
    await this.deps.store.delete(id);
    await this.postHistory();
  }

  /** Brings a conversation back from the trash and opens it. False when it is no longer there. */
  async restore(id: string): Promise<boolean> {
    const c = await this.deps.store.restore(id);
    if (!c) {
      await this.postHistory();
      return false;
    }
    await this.show(c);
    return true;
  }

  trash(): Promise<TrashedSummary[]> {
    return this.deps.store.listTrash();
  }

  async deleteForever(id: string): Promise<void> {
    await this.deps.store.deleteForever(id);
    await this.postHistory();
  }

  async emptyTrash(): Promise<void> {
    await this.deps.store.emptyTrash();
    await this.postHistory();
  }

  /** A conversation read from an export: saved as a new one and opened. */
  async importConversation(c: StoredConversation): Promise<void> {
    // A failed save (full disk) is said in the view; the conversation opens anyway and is saved later.
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    await this.show(c);
  }

  /** The conversation as Markdown (see transcript.ts); undefined when there is no such conversation. */
  async exportMarkdown(id: string): Promise<{ title: string; markdown: string } | undefined> {
    const c = id === this.conversation.id ? this.conversation : await this.deps.store.load(id);
    return c && { title: c.title, markdown: toMarkdown(c) };
  }

  /** The `index`th attachment of a message in the open conversation. */
  attachment(turnId: string, index: number): StoredContext | undefined {
    return this.conversation.turns.find((t) => t.id === turnId)?.context?.[index];
  }

  /** Makes `c` the open conversation (what follows from leaving the one open now included). */
  private async show(c: StoredConversation): Promise<void> {
    if (c.id !== this.conversation.id) {
      this.returnQueue();
      await this.stopAndWait();
    }
    this.conversation = c;
    await this.deps.store.setCurrent(c.id);
    this.post(await this.init());
  }

  /**
   * Other VS Code windows share the history: what they change shows here without a reload (the
   * list; the open conversation takes in what they added to it, both answers kept), and a save
   * that fails is said in the view. The extension calls this once; dispose to stop.
   */
  followOtherWindows(): { dispose(): void } {
    const subs = [
      this.deps.store.onDidChangeExternally((e) => void this.changedElsewhere(e).catch((err) => this.deps.log.error(`history from another window: ${String(err)}`))),
      this.deps.store.onSaveProblem((p) => this.saveProblem(p)),
    ];
    return { dispose: () => subs.forEach((d) => d.dispose()) };
  }

  /** A cheap look at the folder (the view became visible): another window may have written. */
  refreshFromDisk(): Promise<void> {
    return this.deps.store.refresh();
  }

  private async changedElsewhere(e: ExternalChange): Promise<void> {
    const c = this.conversation;
    let said: string | undefined;
    if (e.merged.includes(c.id)) said = 'Updated from another window';
    else if (e.ids.includes(c.id)) {
      const r = await this.deps.store.sync(c);
      if (r === 'merged') said = 'Updated from another window';
      else if (r === 'trashed') said = 'Moved to the trash in another window. Restore it from the trash in History to keep it listed.';
    }
    if (!said || c !== this.conversation) return this.postHistory();
    this.deps.log.info(`conversation ${c.id}: ${said}`);
    this.post(await this.init());
    this.notice(said);
  }

  private saveProblem(p: SaveProblem | undefined): void {
    if (p) this.deps.log.error(p.message);
    else this.deps.log.info('history: saving works again; what waited is saved');
    if (p || !this.busy) this.notice(p?.message ?? null);
  }

  /** A line under the conversation's last turn (its status line), until the view is drawn again. */
  private notice(text: string | null): void {
    const last = this.conversation.turns[this.conversation.turns.length - 1];
    if (last) this.post({ type: 'status', turnId: last.id, text });
  }

  /** Saves everything (deactivate). */
  async dispose(): Promise<void> {
    this.stop();
    await this.running?.done;
    await this.deps.store.flush();
  }

  private post(m: HostToWebview): void {
    if (m.type !== 'delta') this.flushDelta();
    this.deps.post(m);
  }

  /** Deltas are batched for a frame: a long answer is thousands of tokens. */
  private postDelta(turnId: string, delta: string): void {
    if (this.pendingDelta && this.pendingDelta.turnId !== turnId) this.flushDelta();
    if (this.pendingDelta) this.pendingDelta.text += delta;
    else this.pendingDelta = { turnId, text: delta };
    this.deltaTimer ??= setTimeout(() => this.flushDelta(), 16);
  }

  private dropPendingDelta(): void {
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
    this.pendingDelta = undefined;
  }

  private flushDelta(): void {
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
    const p = this.pendingDelta;
    this.pendingDelta = undefined;
    if (p) this.deps.post({ type: 'delta', turnId: p.turnId, delta: p.text });
  }

  private async answer(versions?: TurnVersions): Promise<void> {
    const c = this.conversation;
    const max = this.deps.maxPromptChars?.() ?? 0;
    const { messages, dropped } = fitPrompt(toMessages(c.turns, this.deps.systemPrompt()), max);
    const turn: StoredTurn = { id: newId(), role: 'assistant', text: '', state: 'streaming', createdAt: Date.now(), ...(versions ? { versions } : {}) };
    if (dropped > 0) {
      turn.note = `The ${dropped === 1 ? 'oldest message was' : `${dropped} oldest messages were`} left out of the prompt to keep it under ${max.toLocaleString('en-US')} characters (setting qwenChat.maxPromptCharacters).`;
      this.deps.log.info(`prompt: left out the ${dropped} oldest messages to fit ${max} characters`);
    }
    c.turns.push(turn);
    c.updatedAt = Date.now();
    const ac = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    this.running = { ac, done };
    this.post({ type: 'turn', turn: turnView(turn) });
    this.post({ type: 'busy', busy: true });
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    await this.deps.store.setCurrent(c.id).catch(() => undefined);
    await this.postHistory();
    const visible = () => this.conversation === c;
    try {
      const onAttempt = (a: { model: string; skip: () => void }) => (this.skipWaiting = a.skip);
      for await (const ev of this.deps.backend.stream(messages, { signal: ac.signal, onAttempt })) {
        switch (ev.type) {
          case 'text':
            turn.text += ev.delta;
            if (visible()) this.postDelta(turn.id, ev.delta);
            this.deps.store.save(c);
            break;
          case 'rewrite':
          case 'done':
            if (ev.text !== turn.text) {
              turn.text = ev.text;
              if (visible()) this.post({ type: 'rewrite', turnId: turn.id, text: ev.text });
              this.deps.store.save(c);
            }
            break;
          case 'model':
            turn.model = ev.model;
            turn.space = ev.spaceId;
            if (ev.fallbackReason) turn.fallbackReason = `${ev.fallbackReason}; answered by ${ev.model}`;
            this.deps.log.info(`answered by ${ev.model} (${ev.spaceId})${ev.fallbackReason ? `: ${ev.fallbackReason}` : ''}`);
            if (visible()) this.post({ type: 'turnMeta', turnId: turn.id, model: turn.model, space: turn.space, ...(turn.fallbackReason ? { fallbackReason: turn.fallbackReason } : {}) });
            this.deps.store.save(c);
            break;
          case 'reasoning':
            turn.reasoning = ev.text;
            if (visible()) this.post({ type: 'turnMeta', turnId: turn.id, reasoning: ev.text });
            this.deps.store.save(c);
            break;
          case 'status': {
            if (ev.status.stage === 'warning') this.deps.log.warn(ev.status.message);
            const text = statusText(ev.status);
            const skipTo = 'next' in ev.status ? ev.status.next : undefined;
            if (text !== null && visible()) this.post({ type: 'status', turnId: turn.id, text, ...(skipTo ? { skipTo } : {}) });
            break;
          }
        }
      }
      turn.state = 'done';
    } catch (err) {
      if (isAbort(err) || ac.signal.aborted) {
        turn.state = 'stopped';
        this.deps.log.info('answer stopped by the user');
      } else {
        turn.state = 'error';
        turn.error = errorView(err);
        this.deps.log.error(`answer failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      c.updatedAt = Date.now();
      turn.endedAt = c.updatedAt;
      this.running = undefined;
      this.skipWaiting = undefined;
      if (visible()) {
        this.post({ type: 'status', turnId: turn.id, text: null });
        this.post({ type: 'turnEnd', turnId: turn.id, state: turn.state as 'done', endedAt: turn.endedAt, ...(turn.error ? { error: turn.error } : {}) });
        this.post({ type: 'busy', busy: false });
      }
      await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
      await this.postHistory();
      this.deps.onAnswerEnd?.(turn);
      resolveDone();
      // A follow-up typed meanwhile goes now, after this answer (and into its conversation); after
      // Stop it stays queued: Stop means halt. The next message sent (or Send now) takes it along.
      if (this.queue.length && visible() && turn.state !== 'stopped') setImmediate(() => void (!this.running && this.sendQueued()));
    }
  }
}

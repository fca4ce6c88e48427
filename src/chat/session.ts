/**
 * The open conversation: one answer streaming at a time, follow-ups queued behind it, stop,
 * regenerate, retry (honouring Retry-After), edit-and-resend with versions, and the conversation
 * list (open, search, rename, trash, import and export). It knows nothing of VS Code, of Gradio or
 * of the webview: it asks a `Backend` (the provider's router), reads the answer through the one
 * consumer (provider/answer.ts), saves every change to the store as it streams, and fires
 * `SessionEvent`s. The sidebar's presenter (extension/chatView/presenter.ts) turns those into the
 * webview's messages.
 */
import { Answer } from '../provider/answer';
import type { ChatMessage } from '../provider/prompt';
import { fitPrompt } from '../provider/prompt';
import type { ProviderEvent } from '../provider/types';
import { Emitter } from './emitter';
import {
  type ConversationSummary,
  newConversation,
  newId,
  type StoredContext,
  type StoredConversation,
  type StoredTurn,
  titleFrom,
  type TrashedSummary,
  type TurnVersions,
} from './model';
import { toMessages } from './prompts';
import { errorView, statusText } from './statusText';
import type { ExternalChange, HistoryStore, SaveProblem } from './store';
import { toMarkdown } from './transcript';
import { detachVersion, switchVersion } from './versions';

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
  log: Logger;
  /** The chat's system prompt setting, read when a request starts. */
  systemPrompt: () => string;
  /** The longest prompt to send, in characters; older turns are left out to fit. 0: no limit. */
  maxPromptChars?: () => number;
  /** Told when an answer finishes (for editor-side notifications). */
  onAnswerEnd?: (turn: StoredTurn) => void;
}

/** What a message is sent with besides its text. */
export interface SendOptions {
  system?: string;
  label?: string;
  /** Attachments: sent with the message, kept with it. */
  context?: StoredContext[];
}

/** A follow-up waiting for the answer to end, in words ("Fix: the loop (+1 attached)"). */
export interface QueuedItem {
  id: string;
  text: string;
}

/** Everything a view needs to draw the chat from nothing. */
export interface SessionSnapshot {
  conversation: StoredConversation;
  history: ConversationSummary[];
  trash: TrashedSummary[];
  busy: boolean;
  queue: QueuedItem[];
}

/** What changed, in the chat's terms. Fired synchronously, in order. */
export type SessionEvent =
  /** The open conversation changed as a whole (opened, new, edited, a version shown): draw it again. */
  | { type: 'reset'; snapshot: SessionSnapshot }
  /** The conversation list or the trash changed. */
  | { type: 'list'; history: ConversationSummary[]; trash: TrashedSummary[] }
  /** A turn was added to the open conversation. */
  | { type: 'turn'; turn: StoredTurn }
  | { type: 'text'; turnId: string; delta: string }
  | { type: 'rewrite'; turnId: string; text: string }
  /** The model that answers, and why an earlier choice did not. */
  | { type: 'answeredBy'; turnId: string; model: string; space: string; fallbackReason?: string }
  | { type: 'reasoning'; turnId: string; text: string }
  /** A line under a turn (the queue, a wait, a notice); null clears it. `skipTo`: the model that answers at once if asked. */
  | { type: 'status'; turnId: string; text: string | null; skipTo?: string }
  | { type: 'answerEnd'; turn: StoredTurn }
  | { type: 'busy'; busy: boolean }
  | { type: 'queue'; items: QueuedItem[] }
  /** Text for the input box that must not be lost (the queue of a conversation left behind). */
  | { type: 'draft'; text: string };

/** The answer streaming now: how to stop it, and when it has ended. */
interface Running {
  stop: () => void;
  done: Promise<void>;
}

export class ChatSession {
  conversation: StoredConversation = newConversation();
  private running: Running | undefined;
  /** Ends the wait for the model being tried, while an answer runs. */
  private skipWaiting: (() => void) | undefined;
  /** Follow-ups typed while an answer streamed: sent one by one when it ends. */
  private queue: Array<{ id: string; text: string; opts?: SendOptions }> = [];
  private readonly changes = new Emitter<SessionEvent>();
  /** What changed: the presenter of each view listens. */
  readonly onDidChange = this.changes.event;

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

  /** The whole state, for a view that (re)loads. */
  async snapshot(): Promise<SessionSnapshot> {
    return { conversation: this.conversation, history: await this.deps.store.list(), trash: await this.deps.store.listTrash(), busy: this.busy, queue: this.queueView() };
  }

  /** The open conversation changed as a whole. */
  private async reset(): Promise<void> {
    this.fire({ type: 'reset', snapshot: await this.snapshot() });
  }

  /** The conversation list and the trash, after either changed. */
  private async listChanged(): Promise<void> {
    this.fire({ type: 'list', history: await this.deps.store.list(), trash: await this.deps.store.listTrash() });
  }

  /**
   * A message typed in the chat view: sent now, or, while an answer streams, queued and sent
   * when the answer ends (editor commands call send() and replace the running answer instead).
   */
  async sendOrQueue(text: string, opts?: SendOptions): Promise<void> {
    if (!text.trim()) return;
    if (!this.busy && this.queue.length === 0) return this.send(text, opts);
    this.queue.push({ id: newId(), text, ...(opts ? { opts } : {}) });
    this.fire({ type: 'queue', items: this.queueView() });
    if (!this.busy) void this.sendQueued();
  }

  private queueView(): QueuedItem[] {
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
    if (this.queue.length !== before) this.fire({ type: 'queue', items: this.queueView() });
  }

  /** Leaving a conversation: its queued follow-ups go back to the input, not into another conversation. */
  private returnQueue(): void {
    if (!this.queue.length) return;
    const text = this.queue.map((q) => q.text).join('\n\n');
    this.queue = [];
    this.fire({ type: 'queue', items: [] });
    this.fire({ type: 'draft', text });
  }

  private async sendQueued(): Promise<void> {
    const next = this.queue.shift();
    if (!next) return;
    this.fire({ type: 'queue', items: this.queueView() });
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
    this.fire({ type: 'turn', turn });
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
    await this.reset();
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
      await this.reset();
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
    await this.reset();
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
    await this.reset();
  }

  stop(): void {
    this.running?.stop();
  }

  /** Stops waiting for the model being tried (a sleeping Space): the next one answers now. */
  skipWait(): void {
    if (this.running) this.skipWaiting?.();
  }

  /** Waits `ms` before a retry, counting down in the failed answer's status; false when stopped. */
  private async waitToRetry(turn: StoredTurn, ms: number): Promise<boolean> {
    const ac = new AbortController();
    let resolveDone!: () => void;
    this.running = { stop: () => ac.abort(), done: new Promise<void>((r) => (resolveDone = r)) };
    this.fire({ type: 'busy', busy: true });
    const until = Date.now() + ms;
    try {
      while (!ac.signal.aborted && Date.now() < until) {
        this.fire({ type: 'status', turnId: turn.id, text: `Waiting ${Math.ceil((until - Date.now()) / 1000)} s before trying again, as the Space asked…` });
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(1000, Math.max(0, until - Date.now())));
          ac.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
      }
      return !ac.signal.aborted;
    } finally {
      this.running = undefined;
      this.fire({ type: 'status', turnId: turn.id, text: null });
      this.fire({ type: 'busy', busy: false });
      resolveDone();
    }
  }

  async stopAndWait(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.stop();
    await r.done;
  }

  /** Starts a new, empty conversation (an empty one stays as it is). Where the focus goes is the caller's: see the command. */
  async newConversation(): Promise<void> {
    this.returnQueue();
    await this.stopAndWait();
    if (this.conversation.turns.length === 0) return;
    this.conversation = newConversation();
    await this.deps.store.setCurrent(undefined);
    await this.reset();
  }

  async open(id: string): Promise<void> {
    if (id === this.conversation.id) return;
    this.returnQueue();
    await this.stopAndWait();
    const c = await this.deps.store.load(id);
    if (!c) {
      this.deps.log.warn(`conversation ${id} could not be read`);
      await this.listChanged();
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
    if (c === this.conversation) await this.reset();
    else await this.listChanged();
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
      await this.reset();
      return;
    }
    await this.deps.store.delete(id);
    await this.listChanged();
  }

  /** Brings a conversation back from the trash and opens it. False when it is no longer there. */
  async restore(id: string): Promise<boolean> {
    const c = await this.deps.store.restore(id);
    if (!c) {
      await this.listChanged();
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
    await this.listChanged();
  }

  async emptyTrash(): Promise<void> {
    await this.deps.store.emptyTrash();
    await this.listChanged();
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
    await this.reset();
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
    if (!said || c !== this.conversation) return this.listChanged();
    this.deps.log.info(`conversation ${c.id}: ${said}`);
    await this.reset();
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
    if (last) this.fire({ type: 'status', turnId: last.id, text });
  }

  /** Saves everything (deactivate). */
  async dispose(): Promise<void> {
    this.stop();
    await this.running?.done;
    await this.deps.store.flush();
  }

  private fire(e: SessionEvent): void {
    this.changes.fire(e);
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
    const answer = new Answer((signal) => this.deps.backend.stream(messages, { signal, onAttempt: (a) => (this.skipWaiting = a.skip) }));
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    this.running = { stop: () => answer.stop(), done };
    this.fire({ type: 'turn', turn });
    this.fire({ type: 'busy', busy: true });
    await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
    await this.deps.store.setCurrent(c.id).catch(() => undefined);
    await this.listChanged();
    const visible = () => this.conversation === c;
    const changed = (e: SessionEvent) => {
      if (visible()) this.fire(e);
      this.deps.store.save(c);
    };
    try {
      await answer.run({
        text: (delta) => {
          turn.text += delta;
          changed({ type: 'text', turnId: turn.id, delta });
        },
        rewrite: (text) => {
          turn.text = text;
          changed({ type: 'rewrite', turnId: turn.id, text });
        },
        model: (ev) => {
          turn.model = ev.model;
          turn.space = ev.spaceId;
          if (ev.fallbackReason) turn.fallbackReason = `${ev.fallbackReason}; answered by ${ev.model}`;
          this.deps.log.info(`answered by ${ev.model} (${ev.spaceId})${ev.fallbackReason ? `: ${ev.fallbackReason}` : ''}`);
          changed({ type: 'answeredBy', turnId: turn.id, model: turn.model, space: turn.space, ...(turn.fallbackReason ? { fallbackReason: turn.fallbackReason } : {}) });
        },
        reasoning: (_delta, all) => {
          turn.reasoning = all;
          changed({ type: 'reasoning', turnId: turn.id, text: all });
        },
        status: (status) => {
          if (status.stage === 'warning') this.deps.log.warn(status.message);
          const text = statusText(status);
          const skipTo = 'next' in status ? status.next : undefined;
          if (text !== null && visible()) this.fire({ type: 'status', turnId: turn.id, text, ...(skipTo ? { skipTo } : {}) });
        },
      });
      turn.state = answer.state === 'streaming' ? 'done' : answer.state;
      if (answer.state === 'stopped') this.deps.log.info('answer stopped by the user');
      if (answer.state === 'error') {
        turn.error = errorView(answer.error);
        this.deps.log.error(`answer failed: ${answer.described?.message ?? String(answer.error)}`);
      }
    } finally {
      c.updatedAt = Date.now();
      turn.endedAt = c.updatedAt;
      this.running = undefined;
      this.skipWaiting = undefined;
      if (visible()) {
        this.fire({ type: 'status', turnId: turn.id, text: null });
        this.fire({ type: 'answerEnd', turn });
        this.fire({ type: 'busy', busy: false });
      }
      await this.deps.store.saveNow(c).catch((e) => this.deps.log.error(`saving: ${String(e)}`));
      await this.listChanged();
      this.deps.onAnswerEnd?.(turn);
      resolveDone();
      // A follow-up typed meanwhile goes now, after this answer (and into its conversation); after
      // Stop it stays queued: Stop means halt. The next message sent (or Send now) takes it along.
      if (this.queue.length && visible() && turn.state !== 'stopped') setImmediate(() => void (!this.running && this.sendQueued()));
    }
  }
}

/**
 * The sidebar's presenter: the chat session's events as the webview's messages. The session
 * speaks of stored turns and conversations; the view's wire format (src/protocol.ts) is made
 * here and only here. Answer text is batched for a frame (a long answer is thousands of tokens),
 * and every other message lets the batch out first, so the view sees things in order.
 * No vscode import: it is tested in plain Node.
 */
import type { StoredConversation, StoredTurn } from '../../chat/model';
import type { SessionEvent, SessionSnapshot } from '../../chat/session';
import type { ConversationView, HostToWebview, TurnView } from '../../protocol';

/** A stored turn as the view shows it: without what only the host needs. */
export function turnView(t: StoredTurn): TurnView {
  const { system: _system, createdAt, versions, context, ...view } = t;
  return {
    ...view,
    ...(context?.length ? { context: context.map(({ kind, label, detail, chars }) => ({ kind, label, detail, chars })) } : {}),
    ...(versions && versions.all.length > 1 ? { version: { index: versions.active, count: versions.all.length } } : {}),
    ...(t.role === 'assistant' ? { startedAt: createdAt } : {}),
  };
}

export function toView(c: StoredConversation): ConversationView {
  return { id: c.id, title: c.title, turns: c.turns.map(turnView) };
}

/** What the presenter needs of the session. */
export interface PresentedSession {
  onDidChange(listener: (e: SessionEvent) => void): { dispose(): void };
  snapshot(): Promise<SessionSnapshot>;
}

/** How long answer text waits to be sent with what follows it, in ms (about a frame). */
const DELTA_BATCH_MS = 16;

export class ChatPresenter {
  private pending: { turnId: string; text: string } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly sub: { dispose(): void };

  constructor(
    private readonly session: PresentedSession,
    private readonly post: (m: HostToWebview) => void,
  ) {
    this.sub = session.onDidChange((e) => this.present(e));
  }

  /**
   * The whole state, for a view that (re)loads. Text still waiting in the batch is part of the
   * conversation now, so the batch is dropped: sending it too would show it twice.
   */
  async init(): Promise<HostToWebview> {
    return this.initFrom(await this.session.snapshot());
  }

  private initFrom(s: SessionSnapshot): HostToWebview {
    this.drop();
    return { type: 'init', conversation: toView(s.conversation), history: s.history, trash: s.trash, busy: s.busy, queue: s.queue };
  }

  private present(e: SessionEvent): void {
    switch (e.type) {
      case 'text':
        return this.delta(e.turnId, e.delta);
      case 'reset':
        return this.send(this.initFrom(e.snapshot));
      case 'list':
        return this.send({ type: 'history', items: e.history, trash: e.trash });
      case 'turn':
        return this.send({ type: 'turn', turn: turnView(e.turn) });
      case 'rewrite':
        return this.send({ type: 'rewrite', turnId: e.turnId, text: e.text });
      case 'answeredBy':
        return this.send({ type: 'turnMeta', turnId: e.turnId, model: e.model, space: e.space, ...(e.fallbackReason ? { fallbackReason: e.fallbackReason } : {}) });
      case 'reasoning':
        return this.send({ type: 'turnMeta', turnId: e.turnId, reasoning: e.text });
      case 'status':
        return this.send({ type: 'status', turnId: e.turnId, text: e.text, ...(e.skipTo ? { skipTo: e.skipTo } : {}) });
      case 'answerEnd': {
        const t = e.turn;
        return this.send({ type: 'turnEnd', turnId: t.id, state: t.state as 'done', endedAt: t.endedAt ?? Date.now(), ...(t.error ? { error: t.error } : {}) });
      }
      case 'busy':
        return this.send({ type: 'busy', busy: e.busy });
      case 'queue':
        return this.send({ type: 'queue', items: e.items });
      case 'draft':
        return this.send({ type: 'draft', text: e.text });
      default: {
        const never: never = e;
        throw new Error(`unknown session event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Any message but answer text: the text waiting goes first. */
  private send(m: HostToWebview): void {
    this.flush();
    this.post(m);
  }

  private delta(turnId: string, delta: string): void {
    if (this.pending && this.pending.turnId !== turnId) this.flush();
    if (this.pending) this.pending.text += delta;
    else this.pending = { turnId, text: delta };
    this.timer ??= setTimeout(() => this.flush(), DELTA_BATCH_MS);
  }

  private drop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    const p = this.pending;
    this.drop();
    if (p) this.post({ type: 'delta', turnId: p.turnId, delta: p.text });
  }

  dispose(): void {
    this.flush();
    this.sub.dispose();
  }
}

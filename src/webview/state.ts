/**
 * The chat view's state in one object: the open conversation (its turns in order, its title),
 * whether an answer is streaming, the follow-ups queued behind it, and each answer's status
 * line. `apply` takes a message from the host and says what it changed; the parts (the
 * transcript, the composer) redraw only that. No DOM here: it runs, and is tested, in Node.
 *
 * Messages that are not about this state (the History list, the attachments, the models, an
 * image the user asked for) change nothing here and go to the part that owns them.
 */
import { assertNever, type HostToWebview, type QueuedView, type TurnView } from '../protocol';

/** What a host message changed. */
export type Change =
  /** Another conversation (or the same one drawn again): every turn, the title, busy and the queue. `from` is the one before ('' at first). */
  | { kind: 'conversation'; from: string; busyChanged: boolean }
  /** A turn arrived (`added`), or a known turn's view was sent again whole. */
  | { kind: 'turn'; id: string; added: boolean }
  /** Text appended to a turn while it streams. */
  | { kind: 'text'; id: string; delta: string }
  /** An answer's text replaced whole. */
  | { kind: 'rewrite'; id: string }
  /** What is known of an answer besides its text: model, Space, fallback reason, reasoning. */
  | { kind: 'meta'; id: string }
  /** An answer's status line ("3rd in queue…") was said, or taken away (for a turn not here too: nothing then changed). */
  | { kind: 'status'; id: string }
  /** An answer ended: done, stopped or failed. */
  | { kind: 'end'; id: string }
  /** Busy was said again; `changed` when it is not what it was (the queue is then held or released). */
  | { kind: 'busy'; changed: boolean }
  /** The queued follow-ups. */
  | { kind: 'queue' }
  /** Nothing here: the message is another part's. */
  | { kind: 'none' };

export interface Status {
  text: string;
  /** The model that answers at once if the user stops waiting for a sleeping Space. */
  skipTo?: string;
}

const NONE: Change = { kind: 'none' };

export class ChatState {
  /** The open conversation; '' until the host says which. */
  conversationId = '';
  title = '';
  /** Every turn of the open conversation by id, as the host sent it and the messages since changed it. */
  readonly turns = new Map<string, TurnView>();
  /** The turns' ids, first to last. */
  order: string[] = [];
  /** An answer is streaming: what the user sends now is queued. */
  busy = false;
  /** Follow-ups waiting for the answer to end (held after Stop, when not busy). */
  queue: QueuedView[] = [];
  /** Each answer's status line while it has one. */
  readonly status = new Map<string, Status>();

  /** The turns in order. */
  views(): TurnView[] {
    return this.order.map((id) => this.turns.get(id)!);
  }

  isLast(id: string): boolean {
    return this.order[this.order.length - 1] === id;
  }

  /** Takes in a message from the host and says what changed. */
  apply(m: HostToWebview): Change {
    switch (m.type) {
      case 'init': {
        const from = this.conversationId;
        const busyChanged = m.busy !== this.busy;
        this.conversationId = m.conversation.id;
        this.title = m.conversation.title;
        this.turns.clear();
        for (const t of m.conversation.turns) this.turns.set(t.id, t);
        this.order = m.conversation.turns.map((t) => t.id);
        this.status.clear();
        this.busy = m.busy;
        this.queue = m.queue ?? [];
        return { kind: 'conversation', from, busyChanged };
      }
      case 'turn': {
        const added = !this.turns.has(m.turn.id);
        this.turns.set(m.turn.id, m.turn);
        if (added) this.order.push(m.turn.id);
        return { kind: 'turn', id: m.turn.id, added };
      }
      case 'delta': {
        const t = this.turns.get(m.turnId);
        if (!t) return NONE;
        t.text += m.delta;
        return { kind: 'text', id: m.turnId, delta: m.delta };
      }
      case 'rewrite': {
        const t = this.turns.get(m.turnId);
        if (t?.role !== 'assistant') return NONE;
        t.text = m.text;
        return { kind: 'rewrite', id: m.turnId };
      }
      case 'turnMeta': {
        const t = this.turns.get(m.turnId);
        if (!t) return NONE;
        if (m.model !== undefined) t.model = m.model;
        if (m.fallbackReason !== undefined) t.fallbackReason = m.fallbackReason;
        if (m.space !== undefined) t.space = m.space;
        if (m.reasoning !== undefined) t.reasoning = m.reasoning;
        return { kind: 'meta', id: m.turnId };
      }
      case 'status': {
        if (!this.turns.has(m.turnId)) return { kind: 'status', id: m.turnId };
        if (m.text) this.status.set(m.turnId, { text: m.text, ...(m.skipTo ? { skipTo: m.skipTo } : {}) });
        else this.status.delete(m.turnId);
        return { kind: 'status', id: m.turnId };
      }
      case 'turnEnd': {
        const t = this.turns.get(m.turnId);
        if (!t) return NONE;
        t.state = m.state;
        t.error = m.error;
        if (m.endedAt) t.endedAt = m.endedAt;
        this.status.delete(m.turnId);
        return { kind: 'end', id: m.turnId };
      }
      case 'busy': {
        const changed = m.busy !== this.busy;
        this.busy = m.busy;
        return { kind: 'busy', changed };
      }
      case 'queue':
        this.queue = m.items;
        return { kind: 'queue' };
      case 'historyMatches':
      case 'context':
      case 'contextOptions':
      case 'draft':
      case 'image':
      case 'models':
      case 'history':
      case 'focusInput':
        return NONE;
      default:
        return assertNever(m);
    }
  }
}

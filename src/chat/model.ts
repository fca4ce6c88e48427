/**
 * The chat's own model: a conversation, its turns and their versions, what was attached, and the
 * names of things. This is the format on disk (store.ts writes it) and the chat core's language;
 * the webview's messages (src/protocol.ts) are derived from it, never the other way round.
 * Plain data and small pure functions only: no Node, no DOM (the webview bundle reads the
 * constants through the protocol).
 */

export type TurnState = 'streaming' | 'done' | 'stopped' | 'error';

/** A failed answer, in words, with what the user can do about it. */
export interface TurnError {
  message: string;
  hint: string;
  retryable: boolean;
  /** When the Space said to try again (429 Retry-After), as epoch milliseconds: Retry waits until then. */
  retryAt?: number;
  /** The setting the error names: the view offers "Open setting" for it. */
  setting?: string;
  /** Another model may answer: the view offers "Pick another model". */
  otherModel?: boolean;
  /** A free Space let the user down: the view offers "Add your own endpoint" (your key, your machine, your cluster). */
  addEndpoint?: boolean;
  /** What each Space said, when every one failed: shown folded under the one line. */
  details?: string;
}

/** Something attached to a message: a selection or a file, and its size in characters. */
export interface ContextRef {
  kind: 'selection' | 'file';
  /** "app.py:10-24" or "app.py". */
  label: string;
  /** Where it is: the workspace-relative path (and lines). */
  detail: string;
  chars: number;
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

/** One message of a conversation, as kept. */
export interface StoredTurn {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  state: TurnState;
  error?: TurnError;
  /** A label shown above a user turn that came from an editor command ("Explain selection"). */
  label?: string;
  /** A stopped answer that was cut off by VS Code closing or crashing, not by Stop. */
  interrupted?: boolean;
  /** A note under an answer, e.g. that older turns were left out of its prompt. */
  note?: string;
  /** The model that answered, and why an earlier choice did not. */
  model?: string;
  fallbackReason?: string;
  /** Where the model that answered runs: a Space id ("Qwen/Qwen2.5") or an endpoint. */
  space?: string;
  /** The model's reasoning (Qwen3), shown folded. */
  reasoning?: string;
  /** What the user attached to this message: sent with it, shown as chips under it. */
  context?: StoredContext[];
  /** The system prompt this user turn was sent with, when not the chat's default. */
  system?: string;
  /** When the turn was made (epoch ms); for an answer, when it started. */
  createdAt: number;
  /** When the answer ended (epoch ms). */
  endedAt?: number;
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

/** A conversation in the list. */
export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
}

/** How long a deleted conversation can be restored from the trash. */
export const TRASH_DAYS = 30;

/** A conversation in the trash: restorable until TRASH_DAYS after `deletedAt`. */
export interface TrashedSummary extends ConversationSummary {
  deletedAt: number;
}

/**
 * The chat's slash commands: the view offers them after `/` and refuses any other; the host
 * turns each into the editor command's prompt about the selection (or the active file).
 */
export const SLASH_COMMANDS = {
  explain: { label: 'Explain selection', describe: 'Explain the selection (or the active file)' },
  fix: { label: 'Fix', describe: 'Fix the selection (or the active file); say what is wrong after /fix' },
  tests: { label: 'Write tests', describe: 'Write unit tests for the selection (or the active file); a framework may follow, /tests pytest' },
  doc: { label: 'Document', describe: 'Add documentation comments to the selection (or the active file)' },
} as const;
export type SlashCommand = keyof typeof SLASH_COMMANDS;

/** A new id: 16 hex digits (Web Crypto, in Node and in the webview alike). */
export const newId = (): string => globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 16);

export function newConversation(): StoredConversation {
  const now = Date.now();
  return { version: 1, id: newId(), title: 'New conversation', createdAt: now, updatedAt: now, turns: [] };
}

/** A conversation's title from its first message: one line, code blocks left out, at most 60 characters. */
export function titleFrom(text: string): string {
  const line = text.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/\s+/g, ' ').trim() || text.trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New conversation';
}

export function summarize(c: StoredConversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, turns: c.turns.length };
}

/**
 * The messages between the extension host and the chat webview: one discriminated union each
 * way, shared by both bundles. Both sides switch on `type` with an exhaustiveness check.
 */

import type { ContextRef, ConversationSummary, StoredTurn, TrashedSummary, TurnError, TurnState } from './chat/model';

// The chat's model is the chat core's (src/chat/model.ts); the view's shapes are derived from it.
export { SLASH_COMMANDS, TRASH_DAYS } from './chat/model';
export type { ContextRef, ConversationSummary, SlashCommand, TrashedSummary, TurnState } from './chat/model';
/** A failed answer as the view shows it (the chat core's TurnError). */
export type ErrorView = TurnError;

/** A turn as the view shows it: the stored turn without what only the host needs. */
export interface TurnView extends Omit<StoredTurn, 'context' | 'system' | 'createdAt' | 'versions'> {
  /** This turn has versions (Regenerate, Edit & resend): which one is shown, of how many. */
  version?: { index: number; count: number };
  /** What the user attached to this message. */
  context?: ContextRef[];
  /** When the answer started (epoch ms), for its time and how long it took. */
  startedAt?: number;
}

export interface ConversationView {
  id: string;
  title: string;
  turns: TurnView[];
}

/** An attachment waiting to go with the next message (a chip above the input). */
export interface PendingContextView extends ContextRef {
  id: string;
}

/** What `#` offers to attach: the selection, an open file, or a search of the workspace. */
export interface ContextOptionView {
  /** 'selection', 'file:<uri>' or 'search'. */
  id: string;
  label: string;
  detail: string;
}

export interface QueuedView {
  id: string;
  text: string;
}

export type HostToWebview =
  | { type: 'init'; conversation: ConversationView; history: ConversationSummary[]; trash?: TrashedSummary[]; busy: boolean; queue?: QueuedView[] }
  /** Follow-ups typed while an answer streams, sent in order when it ends. */
  | { type: 'queue'; items: QueuedView[] }
  /** Text for the input box that must not be lost (queued messages of a conversation left behind). */
  | { type: 'draft'; text: string }
  /** The conversations whose title or messages hold `query` (case-insensitive). */
  | { type: 'historyMatches'; query: string; ids: string[]; snippets?: Array<{ id: string; snippet: string }> }
  | { type: 'turn'; turn: TurnView }
  | { type: 'delta'; turnId: string; delta: string }
  | { type: 'rewrite'; turnId: string; text: string }
  /** What is known of an answer besides its text: the model that answered, its reasoning so far. */
  | { type: 'turnMeta'; turnId: string; model?: string; space?: string; fallbackReason?: string; reasoning?: string }
  /** An image the user asked to load: its data, fetched by the host after the user agreed, or why not. */
  | { type: 'image'; id: string; dataUrl?: string; error?: string }
  /** The models to pick from, and the one picked. */
  | { type: 'models'; models: Array<{ name: string; space: string; label?: string; isDefault?: boolean }>; current: string }
  /** `skipTo`: the model that answers at once if the user stops waiting (a button under the status). */
  | { type: 'status'; turnId: string; text: string | null; skipTo?: string }
  | { type: 'turnEnd'; turnId: string; state: Exclude<TurnState, 'streaming'>; error?: ErrorView; endedAt?: number }
  | { type: 'history'; items: ConversationSummary[]; trash?: TrashedSummary[] }
  | { type: 'busy'; busy: boolean }
  /** The attachments for the next message, and the prompt budget (characters; 0: none) they count against. */
  | { type: 'context'; items: PendingContextView[]; budget: number }
  /** What `#` can attach now. */
  | { type: 'contextOptions'; options: ContextOptionView[] }
  | { type: 'focusInput' };

/**
 * Every message the webview may send, defined once: the TypeScript type below and the runtime
 * check in parseWebviewMessage both come from this table, so adding a message touches one place.
 * A field is 'string' or 'integer'.
 */
const WEBVIEW_MESSAGES = {
  ready: {},
  send: { text: 'string' },
  stop: {},
  /** Stop waiting for a sleeping Space: the next model answers now. */
  skipWait: {},
  regenerate: {},
  retry: {},
  edit: { turnId: 'string', text: 'string' },
  newConversation: {},
  openConversation: { id: 'string' },
  /** Moves a conversation to the trash (it can be restored for TRASH_DAYS days). */
  deleteConversation: { id: 'string' },
  copy: { text: 'string' },
  insertCode: { code: 'string' },
  replaceSelection: { code: 'string' },
  openLink: { href: 'string' },
  pickModel: { model: 'string' },
  loadImage: { id: 'string', src: 'string' },
  /** Show another version of a turn (and what followed it). */
  switchVersion: { turnId: 'string', index: 'integer' },
  /** Take a queued follow-up back (its text returns to the input). */
  cancelQueued: { id: 'string' },
  /** Send the follow-ups held in the queue after Stop. */
  resumeQueue: {},
  searchHistory: { query: 'string' },
  renameConversation: { id: 'string' },
  /** Saves a conversation as a Markdown file (the host asks where). */
  exportConversation: { id: 'string' },
  /** Reads a conversation from a Markdown file the host asks for. */
  importConversation: {},
  restoreConversation: { id: 'string' },
  /** Deletes a conversation in the trash for good (after the host asks). */
  deleteForever: { id: 'string' },
  emptyTrash: {},
  /** Asks what `#` can attach now (answered with contextOptions). */
  contextOptions: {},
  /** Attaches one of those options ('search' opens VS Code's file picker). */
  attachContext: { option: 'string' },
  /** The Add context button: VS Code's picker of the selection, open and workspace files. */
  pickContext: {},
  removeContext: { id: 'string' },
  /** An error's "Open setting": the Settings editor at that setting (qwenChat.* and http.proxy only). */
  openSetting: { setting: 'string' },
  /** An error's "Pick another model": VS Code's quick pick of the models. */
  chooseModel: {},
  addEndpoint: {},
  /** Opens what was attached to a sent message (its `index`th attachment) in the editor. */
  openAttachment: { turnId: 'string', index: 'integer' },
} as const satisfies Record<string, Record<string, FieldKind>>;

type FieldKind = 'string' | 'integer';
type FieldType<K> = K extends 'string' ? string : K extends 'integer' ? number : never;
type Spec = typeof WEBVIEW_MESSAGES;
export type WebviewToHost = {
  [T in keyof Spec]: { type: T } & { -readonly [F in keyof Spec[T]]: FieldType<Spec[T][F]> };
}[keyof Spec];

export function assertNever(x: never): never {
  throw new Error(`unhandled message: ${JSON.stringify(x)}`);
}

/**
 * Checks a message from the webview before the host acts on it: the webview is not trusted.
 * The result holds the message's own fields only, each of its declared kind.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !Object.hasOwn(WEBVIEW_MESSAGES, m.type)) return undefined;
  const fields: Record<string, FieldKind> = WEBVIEW_MESSAGES[m.type as keyof Spec];
  const out: Record<string, unknown> = { type: m.type };
  for (const [k, kind] of Object.entries(fields)) {
    const v = m[k];
    if (kind === 'string' ? typeof v !== 'string' : !Number.isInteger(v)) return undefined;
    out[k] = v;
  }
  return out as WebviewToHost;
}

/** Links the host may open for the user: web and mail only, never file:, command: or javascript:. */
export function isSafeExternalLink(href: string): boolean {
  try {
    const u = new URL(href);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:';
  } catch {
    return false;
  }
}

/**
 * A conversation as a Markdown file a person can read anywhere, and back. Pure: no `vscode`.
 *
 * Each turn starts with an HTML comment that Markdown viewers hide, holding the turn's data as
 * JSON, then a heading for people. The comments carry a boundary token that occurs nowhere in
 * the conversation's text (as MIME multipart does), so no message, however it is written, can
 * be taken for a turn marker on import. The file reads as the conversation reads now; the other
 * versions of a turn (Regenerate, Edit & resend), each with the turns that followed it, ride in
 * its marker's data, so an import gives back every version.
 */
import { randomBytes } from 'node:crypto';
import type { TurnError as ErrorView, TurnState } from './model';
import type { StoredContext, StoredConversation, StoredTurn, TurnVersions } from './model';

const FORMAT = 'qwen-chat export v1';
/** Larger than any conversation the chat makes; a file over it is not one of ours. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export class TranscriptError extends Error {}

/** JSON that cannot end the comment it sits in: every `>` is escaped, which JSON allows inside strings. */
function commentJson(v: unknown): string {
  return JSON.stringify(v).replace(/>/g, '\\u003e');
}

function boundaryFor(c: StoredConversation): string {
  const all = JSON.stringify(c);
  for (;;) {
    const b = randomBytes(6).toString('hex');
    if (!all.includes(b)) return b;
  }
}

/** Text that reads as itself in Markdown: no HTML, links, emphasis or code from a title. */
function plain(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>&]/g, '\\$&');
}

function heading(t: StoredTurn): string {
  if (t.role === 'user') return `## You${t.label ? ` · ${t.label}` : ''}`;
  const state = t.state === 'stopped' ? ' (stopped)' : t.state === 'error' ? ' (failed)' : '';
  return `## Qwen${t.model ? ` · ${t.model}` : ''}${state}`;
}

/** The turn's data besides its text, as the marker holds it: its other versions whole (text and all). */
function meta(t: StoredTurn): Record<string, unknown> {
  const { id: _id, text: _text, versions, interrupted: _i, ...rest } = t;
  return versions && versions.all.length > 1 ? { ...rest, versions: { active: versions.active, all: versions.all.map((v) => v && v.map(whole)) } } : rest;
}

/** A turn of another version: everything but its id, its text included. */
function whole(t: StoredTurn): Record<string, unknown> {
  return { ...meta(t), text: t.text };
}

export function toMarkdown(c: StoredConversation): string {
  const b = boundaryFor(c);
  const out = [`# ${plain(c.title)}`, '', `<!-- ${FORMAT} ${b} ${commentJson({ title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt })} -->`, ''];
  for (const t of c.turns) {
    out.push(`<!-- qwen-chat ${b} ${commentJson(meta(t))} -->`, heading(t), '');
    for (const a of t.context ?? []) out.push(`> Attached: \`${a.detail}\` (${a.chars.toLocaleString('en-US')} characters)`, '');
    out.push(t.text, '');
  }
  return out.join('\n');
}

const STATES: readonly TurnState[] = ['done', 'stopped', 'error'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Only the fields a turn has, each of its type: the file is the user's, and may have been edited. */
function turnFrom(m: Record<string, unknown>, text: string, newId: () => string, line: number): StoredTurn {
  const role = m.role;
  if (role !== 'user' && role !== 'assistant') throw new TranscriptError(`line ${line}: a turn's role must be "user" or "assistant"`);
  const state = STATES.includes(m.state as TurnState) ? (m.state as TurnState) : m.state === 'streaming' ? 'stopped' : 'done';
  const t: StoredTurn = { id: newId(), role, text, state, createdAt: num(m.createdAt) ?? Date.now() };
  for (const k of ['label', 'note', 'model', 'space', 'fallbackReason', 'reasoning', 'system'] as const) {
    const v = str(m[k]);
    if (v !== undefined) t[k] = v;
  }
  const endedAt = num(m.endedAt);
  if (endedAt !== undefined) t.endedAt = endedAt;
  const e = m.error as Record<string, unknown> | undefined;
  if (state === 'error' && e && typeof e === 'object') {
    const err: ErrorView = { message: str(e.message) ?? 'The answer failed.', hint: str(e.hint) ?? '', retryable: e.retryable === true };
    t.error = err;
  }
  const versions = versionsFrom(m.versions, newId, line);
  if (versions) t.versions = versions;
  if (Array.isArray(m.context)) {
    const ctx: StoredContext[] = [];
    for (const a of m.context as Array<Record<string, unknown>>) {
      if (!a || typeof a !== 'object' || typeof a.text !== 'string') continue;
      const kind = a.kind === 'selection' ? 'selection' : 'file';
      const p = str(a.path) ?? 'attachment';
      const start = num((a.lines as Record<string, unknown> | undefined)?.start);
      const end = num((a.lines as Record<string, unknown> | undefined)?.end);
      ctx.push({
        kind, label: str(a.label) ?? p, detail: str(a.detail) ?? p, chars: a.text.length, uri: openableUri(str(a.uri)), path: p, languageId: str(a.languageId) ?? '', text: a.text,
        ...(start !== undefined && end !== undefined ? { lines: { start, end } } : {}),
      });
    }
    if (ctx.length) t.context = ctx;
  }
  return t;
}

/**
 * A turn's other versions, checked as the file is the user's: one null (the version the file's
 * turns are) at `active`, and every other a list of turns. Anything else is left out.
 */
function versionsFrom(v: unknown, newId: () => string, line: number): TurnVersions | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { all, active } = v as { all?: unknown; active?: unknown };
  if (!Array.isArray(all) || all.length < 2 || typeof active !== 'number' || all[active] !== null) return undefined;
  if (all.some((x, i) => (i === active ? x !== null : !Array.isArray(x) || x.length === 0))) return undefined;
  const out: TurnVersions = { active, all: [] };
  for (const x of all as Array<Array<Record<string, unknown>> | null>) {
    if (x === null) {
      out.all.push(null);
      continue;
    }
    if (!x.every((t) => t && typeof t === 'object' && typeof t.text === 'string')) return undefined;
    out.all.push(x.map((t) => turnFrom(t, t.text as string, newId, line)));
  }
  return out;
}

/** The title of an imported conversation: marked, so it is told from its original in History. */
export function importedTitle(title: string): string {
  return / \(imported\)$/.test(title) ? title : `${title} (imported)`;
}

/**
 * Reads a file that toMarkdown wrote (perhaps edited since, or with Windows line endings) into a
 * new conversation with new ids. Anything else is refused with a TranscriptError that says why.
 */
export function fromMarkdown(source: string, newId: () => string): StoredConversation {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const headerRe = new RegExp(`^<!-- ${FORMAT} ([0-9a-f]{6,64}) (\\{.*\\}) -->$`);
  const h = lines.findIndex((l) => headerRe.test(l));
  if (h < 0) throw new TranscriptError('This is not a conversation exported by Qwen Chat: its "qwen-chat export v1" line is missing.');
  const [, boundary, headJson] = headerRe.exec(lines[h])!;
  const head = parseJson(headJson, h + 1);
  // Any line that starts as a marker is one: a damaged one is reported, not read as text.
  const markerRe = new RegExp(`^<!-- qwen-chat ${boundary} (.*) -->$`);
  const starts: number[] = [];
  for (let i = h + 1; i < lines.length; i++) if (markerRe.test(lines[i])) starts.push(i);
  const turns: StoredTurn[] = [];
  starts.forEach((at, k) => {
    const m = parseJson(markerRe.exec(lines[at])![1], at + 1);
    // After the marker: the heading, a blank line, a note per attachment (each with a blank
    // line), the text, and the blank line that toMarkdown adds after it.
    let from = at + 1;
    if (/^## (You|Qwen)\b/.test(lines[from] ?? '')) from++;
    if (lines[from] === '') from++;
    let notes = Array.isArray(m.context) ? m.context.length : 0;
    while (notes-- > 0 && /^> Attached: /.test(lines[from] ?? '') && lines[from + 1] === '') from += 2;
    const to = k + 1 < starts.length ? starts[k + 1] : lines.length;
    const body = lines.slice(from, to).join('\n').replace(/\n$/, '');
    turns.push(turnFrom(m, body, newId, at + 1));
  });
  const now = Date.now();
  const title = str(head.title)?.trim() || (lines.find((l) => l.startsWith('# '))?.slice(2).trim() ?? '') || 'Imported conversation';
  return { version: 1, id: newId(), title: title.slice(0, 120), createdAt: num(head.createdAt) ?? now, updatedAt: now, turns };
}

/**
 * A file may come from anyone: of its attachments' URIs only files (local or remote) are kept,
 * to be opened from the chip; any other scheme is dropped, and the chip shows the text that was sent.
 */
export function openableUri(uri: string | undefined): string {
  return uri && /^(file|vscode-remote):\/\//i.test(uri) ? uri : '';
}

function parseJson(s: string, line: number): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* said below */
  }
  throw new TranscriptError(`line ${line}: the turn's data is not valid JSON (was the comment edited?)`);
}

/** A file name for the export: the title, without characters file systems refuse. */
export function exportFileName(title: string): string {
  const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80).replace(/[. ]+$/, '');
  return `${base || 'conversation'}.md`;
}

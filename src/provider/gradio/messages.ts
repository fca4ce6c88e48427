/** The messages Gradio's queue stream carries (`gradio/server_messages.py`), as the provider reads them. */
import { QwenError, stripHtml } from '../errors';
import type { SpaceStatus } from '../types';

export interface GradioOutput {
  data?: unknown[];
  is_generating?: boolean;
  error?: string | null;
  title?: string | null;
  [k: string]: unknown;
}

export type GradioMessage =
  | { msg: 'estimation'; event_id: string | null; rank?: number | null; queue_size?: number | null; rank_eta?: number | null }
  | { msg: 'process_starts'; event_id: string | null; eta?: number | null }
  | { msg: 'progress'; event_id: string | null; progress_data?: Array<{ index?: number; length?: number | null; unit?: string; progress?: number | null; desc?: string | null }> | null }
  | { msg: 'log'; event_id: string | null; log?: string; level?: string; title?: string | null }
  | { msg: 'process_generating' | 'process_streaming' | 'process_completed'; event_id: string | null; output?: GradioOutput; success?: boolean; title?: string | null }
  | { msg: 'heartbeat'; event_id: null }
  | { msg: 'close_stream'; event_id: null }
  | { msg: 'unexpected_error'; event_id: string | null; message?: string; success?: false; session_not_found?: boolean }
  | { msg: string; event_id?: string | null; [k: string]: unknown };

export function parseMessage(data: string): GradioMessage | undefined {
  let j: unknown;
  try {
    j = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!j || typeof j !== 'object' || typeof (j as { msg?: unknown }).msg !== 'string') return undefined;
  return j as GradioMessage;
}

/**
 * What one message of the session's stream means for the call whose event id is `eventId`: pure,
 * as `handle_message` is in Gradio's own client (`client/js/src/helpers/api_info.ts`). The caller
 * keeps the state (the outputs so far, diffs, whether the call completed) and does the I/O.
 */
export type WireMeaning =
  /** A keep-alive of the session: the Space is alive. */
  | { type: 'heartbeat' }
  /** The server closed the session's stream (`close_stream`). */
  | { type: 'closed' }
  /** Queue position, start, progress, a log line, or a message of ours skipped with a warning. */
  | { type: 'update'; status: SpaceStatus }
  /** Our call's outputs: whole values, or lists of diff ops; `final` on process_completed. */
  | { type: 'output'; data: unknown[]; final: boolean }
  /** process_completed with no output (`output: {}`): the call was cancelled. */
  | { type: 'cancelled' }
  /** The call failed: the app's own error (`final` when it came as process_completed), or an unexpected error. */
  | { type: 'error'; error: QwenError; final: boolean }
  /** Another call's message, or a kind not ours to judge (newer Gradio versions). */
  | { type: 'ignore' };

export function classify(msg: GradioMessage, eventId: string): WireMeaning {
  if (msg.event_id === null || msg.event_id === undefined) {
    // Messages of the session rather than of one call.
    switch (msg.msg) {
      case 'heartbeat':
        return { type: 'heartbeat' };
      case 'close_stream':
        return { type: 'closed' };
      case 'unexpected_error':
        return { type: 'error', error: unexpected(msg), final: false };
      default:
        return { type: 'ignore' };
    }
  }
  if (msg.event_id !== eventId) return { type: 'ignore' }; // another event of this session: not ours
  switch (msg.msg) {
    case 'estimation': {
      const e = msg as Extract<GradioMessage, { msg: 'estimation' }>;
      return update({ stage: 'queued', position: num(e.rank) ?? 0, queueSize: num(e.queue_size), etaSeconds: num(e.rank_eta) });
    }
    case 'process_starts':
      return update({ stage: 'started', etaSeconds: num((msg as { eta?: unknown }).eta) });
    case 'progress': {
      const p = (msg as Extract<GradioMessage, { msg: 'progress' }>).progress_data?.[0];
      const fraction = p ? (typeof p.progress === 'number' ? p.progress : p.length ? (p.index ?? 0) / p.length : null) : null;
      return update({ stage: 'progress', fraction, description: p?.desc ?? null });
    }
    case 'log': {
      const l = msg as Extract<GradioMessage, { msg: 'log' }>;
      return update({ stage: 'log', level: String(l.level ?? 'info'), message: stripHtml(String(l.log ?? '')) });
    }
    case 'unexpected_error':
      return { type: 'error', error: unexpected(msg), final: false };
    case 'process_generating':
    case 'process_streaming':
    case 'process_completed': {
      const p = msg as { msg: string; output?: GradioOutput; success?: boolean; title?: string | null };
      const final = p.msg === 'process_completed';
      if (p.success === false || (p.output && 'error' in p.output && p.output.error !== undefined && !Array.isArray(p.output.data))) {
        return { type: 'error', error: spaceError(p.output, p.title), final };
      }
      const data = p.output?.data;
      if (final && !Array.isArray(data)) return { type: 'cancelled' };
      if (!Array.isArray(data)) return update({ stage: 'warning', message: 'Skipped an event from the Space with no output data.' });
      return { type: 'output', data, final };
    }
    default:
      return { type: 'ignore' };
  }
}

function update(status: SpaceStatus): WireMeaning {
  return { type: 'update', status };
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function unexpected(msg: object): QwenError {
  const m = msg as { message?: unknown; session_not_found?: unknown };
  const text = stripHtml(String(m.message ?? '')) || 'no details given';
  if (m.session_not_found || /session not found/i.test(text)) {
    return new QwenError('unexpected', `The Space lost track of this request (${text}). It may have restarted.`, { spaceMessage: text });
  }
  return new QwenError('unexpected', `The Space reported an unexpected error: ${text}`, { spaceMessage: text });
}

function spaceError(output: GradioOutput | undefined, title: string | null | undefined): QwenError {
  const raw = output?.error;
  // Gradio hides an app's exception text unless show_error is on: `null`, or "None" on 4.17-4.23.
  const hidden = raw === null || raw === undefined || raw === 'None' || String(raw).trim() === '';
  const text = hidden ? '' : stripHtml(String(raw));
  const head = title && title !== 'Error' ? `${stripHtml(title)}: ` : '';
  return new QwenError(
    'space-error',
    hidden ? 'The Space raised an error and did not say why (it hides error details).' : `The Space raised an error: ${head}${text}`,
    { spaceMessage: text || undefined },
  );
}

/** The messages Gradio's queue stream carries (`gradio/server_messages.py`), as the provider reads them. */

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

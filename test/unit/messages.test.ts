/**
 * What each message of Gradio's queue stream means, decided by the pure `classify`, on the
 * messages as a Gradio server sends them (the local Space's, and `gradio/server_messages.py`'s
 * progress and log shapes).
 */
import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';
import { classify, type GradioMessage, parseMessage, type WireMeaning } from '../../src/provider/gradio/messages';

const OURS = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER = 'f'.repeat(32);

/** The message as it comes off the wire: a frame's JSON, read by parseMessage. */
function wire(msg: Record<string, unknown>): GradioMessage {
  const m = parseMessage(JSON.stringify(msg));
  assert.ok(m, 'the message parses');
  return m;
}

function meaning(msg: Record<string, unknown>, eventId = OURS): WireMeaning {
  return classify(wire(msg), eventId);
}

function error(msg: Record<string, unknown>): { error: QwenError; final: boolean } {
  const m = meaning(msg);
  assert.equal(m.type, 'error', JSON.stringify(m));
  const e = m as Extract<WireMeaning, { type: 'error' }>;
  assert.ok(e.error instanceof QwenError);
  return e;
}

const generating = (data: unknown[]) => ({
  msg: 'process_generating',
  event_id: OURS,
  output: { data, is_generating: true, duration: 0.2, average_duration: null, render_config: null, changed_state_ids: [] },
  success: true,
});

describe('classify: what a Gradio queue message means', () => {
  describe('messages of the session', () => {
    it('a heartbeat says the Space is alive', () => {
      assert.deepEqual(meaning({ msg: 'heartbeat', event_id: null }), { type: 'heartbeat' });
    });

    it('close_stream says the server closed the stream', () => {
      assert.deepEqual(meaning({ msg: 'close_stream', event_id: null }), { type: 'closed' });
    });

    it('an unexpected error of the session is an error, in the Space\'s words', () => {
      const e = error({ msg: 'unexpected_error', event_id: null, message: 'Server stopped <b>unexpectedly</b>.', success: false });
      assert.equal(e.final, false);
      assert.equal(e.error.kind, 'unexpected');
      assert.equal(e.error.message, 'The Space reported an unexpected error: Server stopped unexpectedly.');
      assert.equal(e.error.details.spaceMessage, 'Server stopped unexpectedly.');
    });

    it('a session the Space no longer knows (Gradio 4 and Gradio 5 wording) says it may have restarted', () => {
      for (const msg of [
        { msg: 'unexpected_error', event_id: null, message: '404: Session not found.', success: false },
        { msg: 'unexpected_error', event_id: null, message: '404: Not Found', success: false, session_not_found: true },
      ]) {
        const e = error(msg);
        assert.equal(e.error.kind, 'unexpected');
        assert.match(e.error.message, /^The Space lost track of this request \(404: .*\)\. It may have restarted\.$/);
      }
    });

    it('any other message without an event id is not ours (the queue status answer, newer kinds)', () => {
      assert.deepEqual(meaning({ msg: 'estimation', event_id: null, rank: null, queue_size: 3, rank_eta: null }), { type: 'ignore' });
      assert.deepEqual(meaning({ msg: 'something_new' }), { type: 'ignore' });
    });
  });

  describe('messages of another call of the session', () => {
    it('are all ignored, even an error or a completion', () => {
      const foreign = [
        { msg: 'estimation', event_id: OTHER, rank: 5, queue_size: 9, rank_eta: 99 },
        { msg: 'process_generating', event_id: OTHER, output: { data: ['', [['x', 'NOT YOURS']], ''], is_generating: true }, success: true },
        { msg: 'process_completed', event_id: OTHER, output: { error: 'not yours either' }, success: false },
        { msg: 'unexpected_error', event_id: OTHER, message: 'not yours', success: false },
      ];
      for (const msg of foreign) assert.deepEqual(meaning(msg), { type: 'ignore' }, msg.msg);
    });
  });

  describe('messages of our call', () => {
    it('estimation: the place in the queue, its size and the wait', () => {
      assert.deepEqual(meaning({ msg: 'estimation', event_id: OURS, rank: 2, queue_size: 7, rank_eta: 12.5 }), {
        type: 'update',
        status: { stage: 'queued', position: 2, queueSize: 7, etaSeconds: 12.5 },
      });
      assert.deepEqual(meaning({ msg: 'estimation', event_id: OURS, rank: null, queue_size: null, rank_eta: null }), {
        type: 'update',
        status: { stage: 'queued', position: 0, queueSize: null, etaSeconds: null },
      });
    });

    it('process_starts: started, with its estimate', () => {
      assert.deepEqual(meaning({ msg: 'process_starts', event_id: OURS, eta: 3 }), { type: 'update', status: { stage: 'started', etaSeconds: 3 } });
      assert.deepEqual(meaning({ msg: 'process_starts', event_id: OURS, eta: null }), { type: 'update', status: { stage: 'started', etaSeconds: null } });
    });

    it('progress: a fraction from `progress`, or from index and length, and its description', () => {
      const unit = { index: null, length: null, unit: 'steps', progress: 0.25, desc: 'Loading' };
      assert.deepEqual(meaning({ msg: 'progress', event_id: OURS, progress_data: [unit] }), { type: 'update', status: { stage: 'progress', fraction: 0.25, description: 'Loading' } });
      const counted = { index: 3, length: 12, unit: 'steps', progress: null, desc: null };
      assert.deepEqual(meaning({ msg: 'progress', event_id: OURS, progress_data: [counted] }), { type: 'update', status: { stage: 'progress', fraction: 0.25, description: null } });
      assert.deepEqual(meaning({ msg: 'progress', event_id: OURS, progress_data: [] }), { type: 'update', status: { stage: 'progress', fraction: null, description: null } });
    });

    it('log: its level and text, HTML taken out', () => {
      assert.deepEqual(meaning({ msg: 'log', event_id: OURS, log: 'GPU <b>quota</b> low', level: 'warning', duration: 10, visible: true, title: 'Warning' }), {
        type: 'update',
        status: { stage: 'log', level: 'warning', message: 'GPU quota low' },
      });
    });

    it('process_generating and process_streaming: output values, not final', () => {
      const data = ['', [['Hi', 'Hello']], 'system'];
      assert.deepEqual(meaning(generating(data)), { type: 'output', data, final: false });
      const ops = [[], [['append', [0, 1, 'text'], ' there']], []];
      assert.deepEqual(meaning({ ...generating(ops), msg: 'process_streaming' }), { type: 'output', data: ops, final: false });
    });

    it('process_completed: the final output values', () => {
      const data = ['', [['Hi', 'Hello there']], 'system'];
      const msg = { msg: 'process_completed', event_id: OURS, output: { data, is_generating: false, duration: 0.1, average_duration: 0.1, render_config: null, changed_state_ids: [] }, success: true };
      assert.deepEqual(meaning(msg), { type: 'output', data, final: true });
    });

    it('process_completed with no output is a cancelled call', () => {
      assert.deepEqual(meaning({ msg: 'process_completed', event_id: OURS, output: {}, success: true }), { type: 'cancelled' });
      assert.deepEqual(meaning({ msg: 'process_completed', event_id: OURS, success: true }), { type: 'cancelled' });
    });

    it('a generating message with no output data is skipped with a warning', () => {
      assert.deepEqual(meaning({ msg: 'process_generating', event_id: OURS, output: { is_generating: true }, success: true }), {
        type: 'update',
        status: { stage: 'warning', message: 'Skipped an event from the Space with no output data.' },
      });
    });

    it('the app\'s own error: final when it completes the call, its title and text in words', () => {
      const done = error({ msg: 'process_completed', event_id: OURS, output: { error: 'CUDA out of memory' }, success: false });
      assert.equal(done.final, true);
      assert.equal(done.error.kind, 'space-error');
      assert.equal(done.error.message, 'The Space raised an error: CUDA out of memory');
      assert.equal(done.error.details.spaceMessage, 'CUDA out of memory');
      const titled = error({ msg: 'process_completed', event_id: OURS, output: { error: 'Too long', title: 'Input' }, success: false, title: 'Input' });
      assert.equal(titled.error.message, 'The Space raised an error: Input: Too long');
      const midway = error({ msg: 'process_generating', event_id: OURS, output: { error: 'boom' }, success: false });
      assert.equal(midway.final, false);
      // An error key beside no data is an error even when `success` is missing.
      assert.equal(error({ msg: 'process_completed', event_id: OURS, output: { error: 'late' } }).error.message, 'The Space raised an error: late');
    });

    it('an error the app hides (show_error off: null, or "None" on Gradio 4.17-4.23) says so', () => {
      for (const hidden of [null, 'None', ' ']) {
        const e = error({ msg: 'process_completed', event_id: OURS, output: { error: hidden }, success: false });
        assert.equal(e.error.message, 'The Space raised an error and did not say why (it hides error details).');
        assert.equal(e.error.details.spaceMessage, undefined);
      }
    });

    it('an unexpected error of our call is an error that does not complete it', () => {
      const e = error({ msg: 'unexpected_error', event_id: OURS, message: 'worker died', success: false });
      assert.equal(e.final, false);
      assert.equal(e.error.message, 'The Space reported an unexpected error: worker died');
    });

    it('kinds this client does not know (newer Gradio versions) are not ours to judge', () => {
      assert.deepEqual(meaning({ msg: 'process_paused', event_id: OURS }), { type: 'ignore' });
      // Keep-alives and closes come for the session, never for one call.
      assert.deepEqual(meaning({ msg: 'heartbeat', event_id: OURS }), { type: 'ignore' });
    });
  });

  it('is pure: the message is left as it was, and the same message means the same thing', () => {
    const msg = wire(generating(['', [['Hi', 'Hello']], 'system']));
    const before = JSON.stringify(msg);
    const first = classify(msg, OURS);
    assert.deepEqual(classify(msg, OURS), first);
    assert.equal(JSON.stringify(msg), before);
  });
});

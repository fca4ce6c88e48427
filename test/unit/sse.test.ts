import assert from 'node:assert/strict';
import { SseParser } from '../../src/provider/gradio/sse';

const enc = (s: string) => new TextEncoder().encode(s);

describe('SSE reader', () => {
  it('reads Gradio frames: one data line, a blank line after each', () => {
    const p = new SseParser();
    const evs = p.push(enc('data: {"msg":"heartbeat","event_id":null}\n\ndata: {"msg":"close_stream"}\n\n'));
    assert.deepEqual(evs.map((e) => e.data), ['{"msg":"heartbeat","event_id":null}', '{"msg":"close_stream"}']);
  });

  it('keeps a UTF-8 character that is split across two chunks', () => {
    const p = new SseParser();
    const bytes = enc('data: "naïve 你好 👾"\n\n');
    const out = [];
    for (let i = 0; i < bytes.length; i++) out.push(...p.push(bytes.subarray(i, i + 1)));
    assert.equal(out.length, 1);
    assert.equal(out[0].data, '"naïve 你好 👾"');
  });

  it('accepts CRLF, CR and LF line ends, including a CRLF split between chunks', () => {
    const p = new SseParser();
    const out = [...p.push('data: a\r\n\r\ndata: b\r\rdata: c\r'), ...p.push('\n\r\n')];
    assert.deepEqual(out.map((e) => e.data), ['a', 'b', 'c']);
  });

  it('joins multi-line data with LF, skips comments, keeps event names and ids', () => {
    const p = new SseParser();
    const out = p.push(': comment\nevent: generating\nid: 7\ndata: one\ndata:two\n\n');
    assert.deepEqual(out, [{ event: 'generating', data: 'one\ntwo', id: '7' }]);
  });

  it('reads a line far longer than any chunk without a limit', () => {
    const p = new SseParser();
    const big = 'x'.repeat(3_000_000);
    const frame = `data: ${big}\n\n`;
    const out = [];
    for (let i = 0; i < frame.length; i += 16_384) out.push(...p.push(frame.slice(i, i + 16_384)));
    assert.equal(out.length, 1);
    assert.equal(out[0].data.length, big.length);
  });

  it('reports an event cut off by the end of the stream', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('data: {"msg":"process_gen'), []);
    assert.equal(p.end().incomplete, true);
    const q = new SseParser();
    q.push('data: x\n\n');
    assert.equal(q.end().incomplete, false);
  });
});

/**
 * How the markdown tests feed an answer to the streaming renderer, and what they compare: the
 * root's HTML when the answer has ended against markdown-it's render of the whole text.
 */
import type { Render } from '../../src/webview/markdown/render';
import { StreamingMarkdown } from '../../src/webview/markdown/stream';

/** A small seeded generator (mulberry32), so random chunkings are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ways of feeding `text`: each a name and its pieces (one piece per update). */
export function feeds(text: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [['whole', [text]], ['a character at a time', text.split('')]];
  for (const seed of [1, 2]) {
    const r = rng(seed * 7919 + text.length);
    const pieces: string[] = [];
    for (let i = 0; i < text.length; ) {
      const n = 1 + Math.floor(r() * 12);
      pieces.push(text.slice(i, i + n));
      i += n;
    }
    out.push([`random chunks of 1-12 (seed ${seed})`, pieces]);
  }
  out.push(['a line at a time', text.match(/[^\n]*\n|[^\n]+$/g) ?? []]);
  // Split inside every surrogate pair and between every CR and LF.
  const cuts: number[] = [];
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0xdc00 && c <= 0xdfff) || (text[i] === '\n' && text[i - 1] === '\r')) cuts.push(i);
  }
  if (cuts.length) {
    const pieces: string[] = [];
    let at = 0;
    for (const c of cuts) {
      pieces.push(text.slice(at, c));
      at = c;
    }
    pieces.push(text.slice(at));
    out.push(['split in surrogate pairs and CRLF', pieces]);
  }
  return out;
}

/** The root's HTML once `pieces` have streamed in and the answer has ended. */
export function finalHtml(render: Render, pieces: string[], doc: Document): string {
  const root = doc.createElement('div');
  const sm = new StreamingMarkdown(root, render);
  for (const p of pieces) sm.append(p);
  sm.finish();
  return root.innerHTML;
}

/** markdown-it's render of the whole text, serialised by the same DOM. */
export function wholeHtml(render: Render, text: string, doc: Document): string {
  const box = doc.createElement('div');
  box.innerHTML = render(text);
  return box.innerHTML;
}

/** The history path: a finished answer reopened (set, then finish), as the view shows it. */
export function reopenedHtml(render: Render, text: string, doc: Document): string {
  const root = doc.createElement('div');
  const sm = new StreamingMarkdown(root, render);
  sm.set(text);
  sm.finish();
  return root.innerHTML;
}

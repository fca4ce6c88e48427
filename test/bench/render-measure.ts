/**
 * Webview rendering cost, measured the same way under jsdom (in Node) and in a real Chromium
 * (bundled by bench.ts): an answer is appended a frame's worth of tokens at a time, yielding
 * between frames as a browser does, and the time of each append is kept.
 */
import type { Render } from '../../src/webview/markdown/render';
import { StreamingMarkdown } from '../../src/webview/markdown/stream';

/** A long answer like a model writes: paragraphs, lists and code blocks. */
export function proseAnswer(blocks: number): string {
  const out: string[] = [];
  for (let i = 0; i < blocks; i++) {
    if (i % 5 === 4) out.push('```ts', `function f${i}(x: number): number {`, '  return x * 2; // double', '}', '```', '');
    else if (i % 5 === 2) out.push(`- item ${i} with **bold** text`, `- another item with \`code\``, '');
    else out.push(`Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(8).trim()}.`, '');
  }
  return out.join('\n');
}

/** About `tokens` tokens of everything a long answer holds: prose, 50 code blocks, lists and tables. */
export function mixedAnswer(tokens: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < tokens; i++) {
    let block: string;
    if (i % 4 === 1) block = ['```ts', ...Array.from({ length: Math.max(3, Math.round(tokens / 50 / 12)) }, (_, k) => `const v${i}_${k} = compute(${k}, "s"); // step ${k}`), '```', ''].join('\n');
    else if (i % 4 === 2) block = [`1. first **point** ${i}`, `2. second with \`code\``, `3. third point`, ''].join('\n');
    else if (i % 4 === 3) block = ['| a | b |', '|---|--:|', `| ${i} | **${i * 2}** |`, `| x | y |`, ''].join('\n');
    else block = `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(6).trim()}.\n`;
    out.push(block);
    n += (block.match(/\S+/g) ?? []).length;
  }
  return out.join('\n');
}

/** A numbered list with no blank lines between its items, as models write step lists. */
export function listAnswer(items: number): string {
  return `Steps:\n\n${Array.from({ length: items }, (_, i) => `${i + 1}. Do the **thing** number ${i} with \`code\` and some words here`).join('\n')}\n`;
}

/** A table with many rows, as models write comparisons. */
export function tableAnswer(rows: number): string {
  return `| name | value | note |\n|:-----|------:|------|\n${Array.from({ length: rows }, (_, i) => `| row ${i} | **${i * 2}** | \`x${i}\` and a few words |`).join('\n')}\n`;
}

/** An answer that is one long code block. */
export function codeAnswer(lines: number): string {
  const code = Array.from({ length: lines }, (_, i) => `export function f${i}(x: number): string { return "v" + (x * ${i}).toString(); } // ${i}`);
  return `Here is the module:\n\n\`\`\`ts\n${code.join('\n')}\n\`\`\`\n`;
}

export interface RenderFigures {
  chars: number;
  tokens: number;
  frames: number;
  /** Mean ms per frame over the first and the last `window` frames (the last frame apart). */
  firstMs: number;
  lastMs: number;
  /** The last frame (it closes the answer's last block). */
  closeMs: number;
  /** Re-rendering everything since the answer's last block began, per frame, near the end: the cost without incremental rendering. */
  wholeMs: number;
  /** Per token, over the first and the last tenth of the frames. */
  firstTenthMsPerToken: number;
  lastTenthMsPerToken: number;
  /** The longest single frame. */
  longestMs: number;
}

export async function measureStreaming(doc: Document, render: Render, answer: string, perFrame: number, pause: () => Promise<void>, window = 200, into?: HTMLElement, layout = false): Promise<RenderFigures> {
  const tokens = answer.match(/\s*\S+\s*/g) ?? [];
  const frames: string[] = [];
  for (let i = 0; i < tokens.length; i += perFrame) frames.push(tokens.slice(i, i + perFrame).join(''));
  const root = doc.createElement('div');
  (into ?? doc.body).append(root);
  const sm = new StreamingMarkdown(root, render);
  const times: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const t0 = performance.now();
    sm.append(frames[i]);
    if (layout) void root.getBoundingClientRect().height; // the frame's layout too, as the browser does before painting
    times.push(performance.now() - t0);
    if (i % 10 === 9) await pause();
  }
  root.remove();
  const longestMs = Math.max(...times);
  const closeMs = times.pop()!;
  const tenth = Math.max(1, Math.floor(times.length / 10));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Without incremental rendering every frame re-renders the answer (for prose, the whole of it;
  // for a code block, the whole open block): timed on a few frames near the end.
  const el = doc.createElement('div');
  const whole: number[] = [];
  for (let i = 5; i > 0; i--) {
    const src = frames.slice(0, frames.length - i).join('');
    const t0 = performance.now();
    el.innerHTML = render(src);
    whole.push(performance.now() - t0);
    await pause();
  }
  return {
    chars: answer.length, tokens: tokens.length, frames: frames.length, firstMs: avg(times.slice(0, window)), lastMs: avg(times.slice(-window)), closeMs, wholeMs: avg(whole),
    firstTenthMsPerToken: avg(times.slice(0, tenth)) / perFrame, lastTenthMsPerToken: avg(times.slice(-tenth)) / perFrame, longestMs,
  };
}

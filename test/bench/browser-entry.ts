/** Bundled by bench.ts and run in Chromium: the webview's renderer with the browser's DOMPurify. */
import DOMPurify from 'dompurify';
import { createRenderer } from '../../src/webview/markdown/render';
import { StreamingMarkdown } from '../../src/webview/markdown/stream';
import { codeAnswer, listAnswer, measureStreaming, mixedAnswer, proseAnswer, tableAnswer } from './render-measure';

const render = createRenderer(DOMPurify);
const answers = { prose: proseAnswer, code: codeAnswer, list: listAnswer, table: tableAnswer, mixed: mixedAnswer };
const pause = () => new Promise<void>((r) => setTimeout(r, 0));
const w = window as unknown as Record<string, unknown>;
w.measure = (kind: keyof typeof answers, size: number, perFrame: number) => measureStreaming(document, render, answers[kind](size), perFrame, pause);

/** A message list as the chat view has it (its CSS: each turn skips layout while off screen). */
function messageList(contentVisibility = true): HTMLElement {
  const cv = contentVisibility ? '.turn{content-visibility:auto;contain-intrinsic-size:auto 300px}' : '';
  document.body.innerHTML = `<style>.messages{height:600px;overflow:auto}${cv}</style><main class="messages"></main>`;
  return document.querySelector('.messages') as HTMLElement;
}

function finishedTurn(list: HTMLElement, text: string): void {
  const el = document.createElement('article');
  el.className = 'turn';
  list.append(el);
  const sm = new StreamingMarkdown(el, render);
  sm.set(text);
  sm.finish();
}

/** The frame cost of streaming one more answer after `turns` finished ones, layout included. */
w.longChat = async (turns: number, perFrame: number, contentVisibility: boolean) => {
  const list = messageList(contentVisibility);
  const past = mixedAnswer(300);
  for (let i = 0; i < turns; i++) {
    finishedTurn(list, past);
    if (i % 20 === 19) await pause();
  }
  list.scrollTop = list.scrollHeight;
  const turn = document.createElement('article');
  turn.className = 'turn';
  list.append(turn);
  return measureStreaming(document, render, mixedAnswer(2_000), perFrame, pause, 200, turn, true);
};

/** Reopening a conversation of `n` messages: ms until the frame after the last one is rendered. */
w.restore = async (n: number) => {
  const list = messageList();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) finishedTurn(list, i % 2 ? mixedAnswer(120) : `Question ${i}: how do I do thing ${i}?`);
  list.scrollTop = list.scrollHeight;
  await new Promise((r) => requestAnimationFrame(() => r(undefined)));
  return performance.now() - t0;
};

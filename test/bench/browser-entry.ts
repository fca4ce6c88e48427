/** Bundled by bench.ts and run in Chromium: the webview's renderer with the browser's DOMPurify. */
import DOMPurify from 'dompurify';
import { createRenderer } from '../../src/webview/markdown/render';
import { codeAnswer, listAnswer, measureStreaming, proseAnswer, tableAnswer } from './render-measure';

const render = createRenderer(DOMPurify);
const answers = { prose: proseAnswer, code: codeAnswer, list: listAnswer, table: tableAnswer };
(window as unknown as { measure: unknown }).measure = (kind: keyof typeof answers, size: number, perFrame: number) =>
  measureStreaming(document, render, answers[kind](size), perFrame, () => new Promise((r) => setTimeout(r, 0)));

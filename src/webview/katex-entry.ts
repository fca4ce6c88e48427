/** dist/katex.js: KaTeX for the chat view, loaded the first time an answer holds math (see markdown/math.ts). */
import katex from 'katex';

(globalThis as { qwenKatex?: typeof katex }).qwenKatex = katex;
window.dispatchEvent(new Event('qwen-katex'));

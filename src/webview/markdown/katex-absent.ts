/**
 * Stands in for `katex` in dist/webview.js: the markdown plugin imports it, but the view writes
 * placeholders and loads the real KaTeX (dist/katex.js) only when an answer holds math.
 */
export default {
  renderToString(): string {
    throw new Error('KaTeX is loaded apart (dist/katex.js)');
  },
};

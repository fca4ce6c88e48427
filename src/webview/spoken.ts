/** The text of an answer for a screen reader. Pure: tested without a DOM. */

/**
 * What a screen reader says of an answer: its text from the Markdown source (never the toolbar
 * buttons' labels), with each code block summarised as "code block, python, 12 lines".
 */
export function spoken(markdown: string): string {
  return markdown
    .replace(/^ {0,3}(`{3,}|~{3,})([^\n]*)\n([\s\S]*?)(?:^ {0,3}\1[`~]*[ \t]*$|(?![\s\S]))/gm, (_m, _f, info: string, code: string) => {
      const lines = code.replace(/\n$/, '').split('\n').length;
      const lang = info.trim().split(/\s+/)[0];
      return ` (code block${lang ? `, ${lang}` : ''}, ${lines} line${lines === 1 ? '' : 's'}) `;
    })
    .replace(/[*_`#>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}


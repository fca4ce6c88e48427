import assert from 'node:assert/strict';
import { CodeStreamFilter, extractCode, InsertionTracker, Placement } from '../../src/extension/editor/insertion';

function streamThrough(answer: string, chunk: number): string {
  const f = new CodeStreamFilter();
  let out = '';
  for (let i = 0; i < answer.length; i += chunk) out += f.push(answer.slice(i, i + chunk));
  return out + f.end();
}

describe('Generate at Cursor: what goes into the document', () => {
  const fenced = '```python\ndef add(a, b):\n    return a + b\n```\n\nThis adds two numbers.';

  it('inserts only the code of an answer that opens with a fence, at any chunking', () => {
    for (const chunk of [1, 2, 3, 5, 7, 100]) {
      assert.equal(streamThrough(fenced, chunk), 'def add(a, b):\n    return a + b', `chunk ${chunk}`);
    }
  });

  it('never lets prose into the file: an answer with no fence gives nothing, and keeps it for the chat', () => {
    for (const answer of ['x = 1\ny = 2', '`x` is a name', '  \nplain', 'Use ```js``` inline']) {
      const f = new CodeStreamFilter();
      let out = '';
      for (const ch of answer) out += f.push(ch);
      out += f.end();
      assert.equal(out, '', JSON.stringify(answer));
      assert.equal(f.isCode, false);
      assert.equal(f.outside, answer.trim());
    }
  });

  it('holds prose before the fence and streams only the code after it', () => {
    const answer = 'Sure! Here is the function:\n\n```python\ndef f():\n    return 1\n```\nIt returns one.';
    for (const chunk of [1, 2, 3, 5, 1000]) assert.equal(streamThrough(answer, chunk), 'def f():\n    return 1', `chunk ${chunk}`);
    const f = new CodeStreamFilter();
    f.push(answer);
    f.end();
    assert.equal(f.outside, 'Sure! Here is the function:\n\nIt returns one.');
  });

  it('lands only the first of several code blocks; the rest stays outside, for the chat', () => {
    const answer = '```js\na();\n```\nand\n```\nb();\n```\n';
    for (const chunk of [1, 4, 1000]) assert.equal(streamThrough(answer, chunk), 'a();', `chunk ${chunk}`);
    const f = new CodeStreamFilter();
    f.push(answer);
    f.end();
    assert.match(f.outside, /^and\n```\nb\(\);\n```$/);
  });

  it('keeps code whose lines start with backticks, and an unclosed fence\'s code', () => {
    assert.equal(streamThrough('~~~\nlet s = `a`;\n`` not a fence\n~~~', 1), 'let s = `a`;\n`` not a fence');
    assert.equal(streamThrough('```js\nconst a = 1;\nconst b', 3), 'const a = 1;\nconst b');
  });

  it('streams a code line before it is complete, so text appears as it arrives', () => {
    const f = new CodeStreamFilter();
    assert.equal(f.push('```ts\ncon'), 'con');
    assert.equal(f.push('st x'), 'st x');
    assert.equal(f.push(' = 1;\n'), ' = 1;');
    assert.equal(f.push('``'), '', 'a possible closing fence is held back');
    assert.equal(f.push('`\nafter'), '');
    assert.equal(f.end(), '');
  });

  it('extracts the first fenced block from an answer with prose around it, as the stream does', () => {
    assert.equal(extractCode('Here:\n```js\na();\n```\nand\n```\nb();\n```\n'), 'a();');
    assert.equal(extractCode('Here:\r\n```js\r\na();\r\nb();\r\n```\r\n'), 'a();\nb();');
    assert.equal(streamThrough('```js\r\na();\r\nb();\r\n```\r\n', 1), 'a();\nb();', 'a CRLF split across pieces');
    assert.equal(extractCode('no code'), undefined);
  });
});

describe('Generate at Cursor: where the insertion is while the user edits', () => {
  it('moves with edits before it, ignores edits after it, grows with edits inside it', () => {
    const t = new InsertionTracker(100);
    t.ownEdit(t.end, 0, 10); // [100, 110)
    t.otherChange(5, 0, 3); // user types 3 chars above
    assert.deepEqual([t.start, t.end], [103, 113]);
    t.otherChange(50, 10, 0); // user deletes 10 chars above
    assert.deepEqual([t.start, t.end], [93, 103]);
    t.otherChange(200, 0, 5); // below: nothing
    assert.deepEqual([t.start, t.end], [93, 103]);
    t.otherChange(95, 2, 6); // inside
    assert.deepEqual([t.start, t.end], [93, 107]);
    t.otherChange(93, 0, 1); // right at the start counts as before
    assert.deepEqual([t.start, t.end], [94, 108]);
    t.ownEdit(t.end, 0, 2);
    assert.deepEqual([t.start, t.end], [94, 110]);
  });

  it('keeps a sane range when an edit straddles its start', () => {
    const t = new InsertionTracker(10, 20);
    t.otherChange(5, 10, 0); // deletes [5, 15)
    assert.deepEqual([t.start, t.end], [5, 10]);
  });
});

/** The answer streamed through the fence filter and the placement, as Generate at Cursor does. */
function placedStream(before: string, after: string, answer: string, chunk: number): string {
  const f = new CodeStreamFilter();
  const p = new Placement(before, after);
  let out = '';
  for (let i = 0; i < answer.length; i += chunk) out += p.push(f.push(answer.slice(i, i + chunk)), f.isCode);
  return out + p.push(f.end(), f.isCode) + p.end();
}

describe('Generate at Cursor: fitting the text to the cursor', () => {
  const code = 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))';
  const fenced = '```python\n' + code + '\n```';

  it('starts code on a line of its own at the end of a line, indented like that line', () => {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      assert.equal(
        placedStream('    return x', '', fenced, chunk),
        '\n    def add(a, b):\n        return a + b\n\n    print(add(1, 2))',
        `chunk ${chunk}`,
      );
    }
  });

  it('indents the lines after the first when the cursor stands in the indentation (no spaces on blank lines)', () => {
    assert.equal(Placement.place('    ', '', code, true), 'def add(a, b):\n        return a + b\n\n    print(add(1, 2))');
    assert.equal(placedStream('    ', '', fenced, 2), 'def add(a, b):\n        return a + b\n\n    print(add(1, 2))');
  });

  it('leaves code the model indented already as it is, not indenting it twice', () => {
    const indented = '    if a:\n        b()';
    assert.equal(Placement.place('    ', '', indented, true), 'if a:\n        b()');
    assert.equal(Placement.place('    x = 1', '', indented, true), '\n    if a:\n        b()');
  });

  it('changes nothing at the start of an unindented line, or for prose in the middle of a line', () => {
    assert.equal(Placement.place('', '', code, true), code);
    assert.equal(Placement.place('', 'rest', code, true), code);
    assert.equal(Placement.place('The answer is', '', ' forty-two.', false), ' forty-two.', 'prose continues the line');
    assert.equal(Placement.place('x = ', ' + 1', 'compute()', true), 'compute()', 'code between text stays inline');
  });

  it('re-indents a replaced multi-line selection like Insert does (Python, YAML, Makefile tabs)', () => {
    // The selection starts in the indentation of its line: the replacement keeps that indentation.
    const py = 'if ok:\n    return 1\nreturn 2';
    assert.equal(Placement.place('', '', py, true, '    old()\n    older()'), '    if ok:\n        return 1\n    return 2');
    assert.equal(Placement.place('    ', '', py, true, 'old()'), 'if ok:\n        return 1\n    return 2');
    const yaml = 'name: x\nitems:\n  - a';
    assert.equal(Placement.place('', '', yaml, true, '  key: old\n  other: 1'), '  name: x\n  items:\n    - a');
    const make = 'build:\n\tcc main.c';
    assert.equal(Placement.place('', '', make, true, '\tstep one\n\tstep two'), '\tbuild:\n\t\tcc main.c');
    // Already indented by the model: not indented twice.
    assert.equal(Placement.place('', '', '    a()\n    b()', true, '    x()'), '    a()\n    b()');
  });

  it('gives streamed and whole text the same result whatever the chunks', () => {
    const answers = [fenced, code, '  \n\n  a\nb', 'one line', '```\nx\n```'];
    for (const [before, after] of [['', ''], ['    ', ''], ['\tfoo()', ''], ['  a', 'b']] as const) {
      for (const a of answers) {
        const f = new CodeStreamFilter();
        const whole = f.push(a) + f.end();
        const expected = Placement.place(before, after, whole, f.isCode);
        for (const chunk of [1, 2, 5]) assert.equal(placedStream(before, after, a, chunk), expected, `${JSON.stringify([before, after, a])} by ${chunk}`);
      }
    }
  });

  it('keeps the final newline when the code replaces a whole file (or whole lines)', () => {
    assert.equal(Placement.place('', '', 'x = 2', true, 'x = 1\ny = 1\n'), 'x = 2\n');
    assert.equal(Placement.place('', '', 'x = 2\n', true, 'x = 1\n'), 'x = 2\n', 'one, not two');
    assert.equal(Placement.place('', '', 'x = 2', true, 'x = 1'), 'x = 2', 'none where there was none');
    const streamed = Placement.forTarget('', 'a\nb\n', '');
    assert.equal(streamed.push('c', true) + streamed.push('\nd', true) + streamed.end(), 'c\nd\n', 'streamed, the same');
  });
});

import assert from 'node:assert/strict';
import { ToolCallParser, type ToolStreamPart, toolsPrompt } from '../../src/provider/toolCalls';

function streamed(text: string, chunk: number): ToolStreamPart[] {
  const p = new ToolCallParser();
  const out: ToolStreamPart[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...p.push(text.slice(i, i + chunk)));
  out.push(...p.end());
  // Adjacent text parts are one text, however the pieces fell.
  const merged: ToolStreamPart[] = [];
  for (const part of out) {
    const last = merged[merged.length - 1];
    if (part.type === 'text' && last?.type === 'text') last.text += part.text;
    else merged.push(part.type === 'text' ? { ...part } : part);
  }
  return merged;
}

describe('tool calls in Qwen\'s format', () => {
  const answer = 'Let me read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/app.py", "lines": [1, 20]}}\n</tool_call>\nThen <tool_call>{"name":"grep","arguments":"{\\"q\\":\\"x\\"}"}</tool_call> done.';

  it('parses calls out of a streamed answer, at any chunking, keeping the text around them', () => {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      assert.deepEqual(streamed(answer, chunk), [
        { type: 'text', text: 'Let me read it.\n' },
        { type: 'call', call: { name: 'read_file', arguments: { path: 'src/app.py', lines: [1, 20] } } },
        { type: 'text', text: '\nThen ' },
        { type: 'call', call: { name: 'grep', arguments: { q: 'x' } } },
        { type: 'text', text: ' done.' },
      ], `chunk ${chunk}`);
    }
  });

  it('gives back a block that is not a call as text, and text that only looks like the tag', () => {
    assert.deepEqual(streamed('a <tool_call>not json</tool_call> b', 2), [
      { type: 'text', text: 'a ' },
      { type: 'bad-call', text: '<tool_call>not json</tool_call>' },
      { type: 'text', text: ' b' },
    ]);
    assert.deepEqual(streamed('x < y and <tool_ca', 1), [{ type: 'text', text: 'x < y and <tool_ca' }]);
    assert.deepEqual(streamed('<tool_call>{"name":"a","arguments":{}}', 3), [{ type: 'call', call: { name: 'a', arguments: {} } }], 'a call the answer left open');
  });

  it('describes every tool with its schema when they fit, in Qwen\'s system prompt format', () => {
    const tools = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }];
    const { text, withSchema } = toolsPrompt(tools, 10_000);
    assert.equal(withSchema, 1);
    assert.match(text, /^# Tools\n[\s\S]*<tools>\n\{"type":"function","function":\{"name":"read_file","description":"Read a file","parameters":\{"type":"object"/);
    assert.match(text, /<tool_call>\n\{"name": <function-name>, "arguments": <args-json-object>\}\n<\/tool_call>$/);
  });

  it('fits a long tool list into the budget: every name and description, full schemas first for the tools the request names', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field${i}`, { type: 'string', description: 'x'.repeat(40) }])) };
    const tools = Array.from({ length: 40 }, (_, i) => ({ name: `tool_${i}`, description: `Does thing ${i}`, inputSchema: big }));
    const budget = 12_000;
    const { text, withSchema } = toolsPrompt(tools, budget, 'please use tool_33 on it');
    assert.ok(text.length <= budget, `${text.length} characters`);
    for (const t of tools) assert.ok(text.includes(`"name":"${t.name}","description":"${t.description}"`), t.name);
    assert.ok(withSchema >= 1 && withSchema < tools.length, `${withSchema} with schemas`);
    assert.match(text, /"name":"tool_33","description":"Does thing 33","parameters"/, 'the named tool gets its schema');
  });
});

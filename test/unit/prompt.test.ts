import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';
import { buildPrompt, DEFAULT_SYSTEM_PROMPT, formatPrompt } from '../../src/provider/prompt';

describe('prompt building (as gpt4free format_prompt)', () => {
  it('sends a single message as it is, with the system prompt apart', () => {
    assert.deepEqual(buildPrompt([{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }]), { prompt: 'Hi', system: 'Be brief' });
  });

  it('folds earlier turns into one prompt ending in "Assistant:"', () => {
    const p = formatPrompt([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
    ]);
    assert.equal(p, 'User: Hi\nAssistant: Hello!\nUser: How are you?\nAssistant:');
  });

  it('capitalises roles like Python and drops empty turns', () => {
    const p = formatPrompt([
      { role: 'USER', content: 'a' },
      { role: 'assistant', content: '   ' },
      { role: 'user', content: [{ type: 'text', text: 'b' }, { type: 'image_url' }, 'c'] },
    ]);
    assert.equal(p, 'User: a\nUser: bc\nAssistant:');
  });

  it('joins system and developer messages, or uses the Space default', () => {
    assert.equal(buildPrompt([{ role: 'system', content: 'A' }, { role: 'developer', content: 'B' }, { role: 'user', content: 'x' }]).system, 'A\nB');
    assert.equal(buildPrompt([{ role: 'user', content: 'x' }]).system, DEFAULT_SYSTEM_PROMPT);
  });

  it('refuses a conversation with no user message instead of crashing', () => {
    assert.throws(() => formatPrompt([{ role: 'system', content: 'only' }]), (e: unknown) => e instanceof QwenError && e.kind === 'bad-request');
  });
});

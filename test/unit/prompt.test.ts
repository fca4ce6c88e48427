import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';
import { buildPrompt, type ChatMessage, DEFAULT_SYSTEM_PROMPT, fitPrompt, formatPrompt } from '../../src/provider/prompt';

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

  describe('fitting a long conversation into the limit', () => {
    const convo: ChatMessage[] = [
      { role: 'system', content: 'Sys' },
      { role: 'user', content: 'a'.repeat(100) },
      { role: 'assistant', content: 'b'.repeat(100) },
      { role: 'user', content: 'c'.repeat(100) },
      { role: 'assistant', content: 'd'.repeat(100) },
      { role: 'user', content: 'last question' },
    ];

    it('sends everything when it fits or when there is no limit', () => {
      assert.deepEqual(fitPrompt(convo, 0), { messages: convo, dropped: 0 });
      const all = fitPrompt(convo, formatPrompt(convo).length);
      assert.equal(all.dropped, 0);
      assert.equal(formatPrompt(all.messages), formatPrompt(convo));
    });

    it('leaves out the oldest turns first, keeps the system prompt, and starts with a user turn', () => {
      for (let max = 1; max < formatPrompt(convo).length; max += 7) {
        const { messages, dropped } = fitPrompt(convo, max);
        const turns = messages.filter((m) => m.role !== 'system');
        assert.equal(messages[0].content, 'Sys', `max ${max}`);
        assert.equal(turns.at(-1)!.content, 'last question', 'the last message always goes');
        assert.equal(turns[0].role, 'user');
        assert.deepEqual(turns, convo.slice(1).slice(dropped), 'what is kept is the newest part, in order');
        if (turns.length > 1) assert.ok(formatPrompt(messages).length <= max, `max ${max}: ${formatPrompt(messages).length}`);
      }
      // One message short of the whole: the first user message and its answer go, together.
      assert.equal(fitPrompt(convo, formatPrompt(convo).length - 1).dropped, 2);
    });

    it('sends the last message whole even when it alone is over the limit', () => {
      const huge: ChatMessage[] = [{ role: 'user', content: 'old' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'z'.repeat(5_000) }];
      const { messages, dropped } = fitPrompt(huge, 1_000);
      assert.equal(dropped, 2);
      assert.deepEqual(messages, [huge[2]]);
    });
  });
});


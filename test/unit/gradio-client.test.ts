import assert from 'node:assert/strict';
import { clearEndpointCache } from '../../src/provider/qwen';
import { Qwen_Qwen_2_5 } from '../../src/provider/spaces';
import { LocalSpace } from '../fixtures/space';

// The official JavaScript client is the referee for the local Space: if it gets the same answer
// our provider gets, the fixture speaks Gradio's protocol and not just our reading of it.
describe('the local Space against the official @gradio/client', () => {
  for (const apiPrefix of ['', '/gradio_api'] as const) {
    it(`gives @gradio/client and the provider the same answer (${apiPrefix || 'Gradio 4 layout'})`, async () => {
      const { Client } = await import('@gradio/client');
      const space = new LocalSpace({ apiPrefix, tokenDelayMs: 1, answer: (q, s) => `Answer to ${q} under "${s}": 1 2 3 ✓` });
      const url = await space.start();
      try {
        const client = await Client.connect(`${url}/`);
        let last: unknown[] | undefined;
        let updates = 0;
        for await (const m of client.submit('/model_chat', ['Ping', [], 'Be brief', '72B'])) {
          if (m.type === 'data') {
            last = m.data as unknown[];
            updates++;
          }
        }
        client.close();
        const official = (last?.[1] as Array<[unknown, { text: string }]>)[0][1].text;
        clearEndpointCache();
        let ours = '';
        for await (const f of Qwen_Qwen_2_5.createAsyncGenerator('', [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Ping' }], { baseUrl: url })) ours += f;
        assert.equal(official, 'Answer to Ping under "Be brief": 1 2 3 ✓');
        assert.equal(ours, official);
        assert.ok(updates > 3, 'the official client should have seen streamed updates');
      } finally {
        await space.stop();
      }
    });
  }
});

import assert from 'node:assert/strict';
import { QwenError } from '../../src/provider/errors';

/** The QwenError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<QwenError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof QwenError, `expected a QwenError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

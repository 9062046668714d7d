// worker-protocol.test.mjs: how an error crosses between the engine's
// Worker and the page (js/src/engine/worker-protocol.ts, from the unbundled
// js/build-tsc): every error class of errors.ts that is made from a message
// comes back as that class (instanceof, name, message), whatever classes are
// added later; other names (a DOMException's, TypeError) come back as an
// Error of that name. And where there is no Worker (Node), WorkerEngineHost
// says so with UnsupportedError. The messages themselves are exercised in
// Chromium by tests/browser/worker-host.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as errors from '../../js/build-tsc/errors.js';
import { WorkerEngineHost } from '../../js/build-tsc/engine/worker-engine-host.js';
import { crossingError, rebuiltError } from '../../js/build-tsc/engine/worker-protocol.js';

/** What crosses a postMessage: structured clone keeps plain data only. */
const cross = (error) => rebuiltError(structuredClone(crossingError(error)));

test('every errors.ts class made from a message crosses as itself', () => {
  const classes = Object.values(errors).filter(
    (value) => typeof value === 'function' && (value === errors.IndexieError || value.prototype instanceof errors.IndexieError),
  );
  const crossed = [];
  for (const ErrorClass of classes) {
    if (ErrorClass === errors.BulkError || ErrorClass === errors.ModifyError) continue; // made of failures, never from the engine
    const original = new ErrorClass('what happened');
    const back = cross(original);
    assert.equal(back.constructor, ErrorClass, original.name);
    assert.ok(back instanceof errors.IndexieError);
    assert.equal(back.name, original.name);
    assert.equal(back.message, 'what happened');
    crossed.push(original.name);
  }
  assert.ok(crossed.includes('DatabaseInUseError') && crossed.includes('ConstraintError') && crossed.length >= 25, crossed.join());
});

test('other errors cross as an Error of their name; a thrown non-error as an Error of its text', () => {
  const typeError = cross(new TypeError('not a function'));
  assert.equal(typeError.name, 'TypeError');
  assert.equal(typeError.message, 'not a function');
  assert.ok(!(typeError instanceof errors.IndexieError));
  const domException = cross(new DOMException('the file is locked', 'NoModificationAllowedError'));
  assert.deepEqual([domException.name, domException.message], ['NoModificationAllowedError', 'the file is locked']);
  const thrown = cross('a string');
  assert.deepEqual([thrown.name, thrown.message], ['Error', 'a string']);
});

test('WorkerEngineHost where there is no Worker (Node): UnsupportedError; a bad cache size: InvalidArgumentError', async () => {
  assert.equal(typeof globalThis.Worker, 'undefined');
  await assert.rejects(WorkerEngineHost.open('db', { storage: 'memory' }), errors.UnsupportedError);
  await assert.rejects(WorkerEngineHost.open('db', { storage: 'opfs', cacheKiB: 0.5 }), errors.InvalidArgumentError);
});

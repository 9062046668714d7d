// error-codes.test.mjs: the engine's status codes and the JS error classes
// agree. core/include/indexie/status_codes.def is the one list of codes (the
// C++ enum and names are generated from it); js/src/errors.ts maps each
// code's name to an error class. This fails when a code is added, renamed or
// removed on one side only, or when a class is not exported by the package.
// errors.ts's internals come from the unbundled build (js/build-tsc/, which
// `npm run build` in js/ makes and never ships); the package is imported by name.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as indexie from 'indexie';
import { ENGINE_ERROR_CLASSES, engineError } from '../../js/build-tsc/errors.js';
import * as unbundled from '../../js/build-tsc/index.js';

const DEF = new URL('../../core/include/indexie/status_codes.def', import.meta.url);

/** The JS names listed in status_codes.def, in order. */
function codesInDef(text) {
  return [...text.matchAll(/^INDEXIE_STATUS_CODE\(\s*k\w+\s*,\s*"(\w+)"/gm)].map((match) => match[1]);
}

/** What differs between the C++ list and the JS map (empty when they agree). */
function disagreements(cppNames, jsMap) {
  const js = Object.keys(jsMap);
  return [
    ...cppNames.filter((name) => !js.includes(name)).map((name) => `${name}: in status_codes.def, not mapped in errors.ts`),
    ...js.filter((name) => !cppNames.includes(name)).map((name) => `${name}: mapped in errors.ts, not in status_codes.def`),
  ];
}

test('status_codes.def and errors.ts list the same codes', () => {
  const names = codesInDef(readFileSync(DEF, 'utf8'));
  assert.ok(names.length >= 15, `parsed ${names.length} codes from status_codes.def`);
  assert.deepEqual(disagreements(names, ENGINE_ERROR_CLASSES), []);
});

test('each code becomes the exported error class of its own name', () => {
  for (const [code, ErrorClass] of Object.entries(ENGINE_ERROR_CLASSES)) {
    // errors.ts is not an entry of the bundled package: its classes are
    // checked in the unbundled build (js/build-tsc), and the package itself
    // must export a class of the same name, an IndexieError.
    assert.equal(unbundled[code], ErrorClass, `js/src/index.ts exports ${code}`);
    assert.equal(typeof indexie[code], 'function', `the package exports ${code}`);
    assert.equal(indexie[code].name, code);
    assert.ok(indexie[code].prototype instanceof indexie.IndexieError, `the package's ${code} is an IndexieError`);
    const error = engineError(code, 'why');
    assert.ok(error instanceof ErrorClass && error instanceof unbundled.IndexieError, code);
    assert.equal(error.name, code);
    assert.equal(error.message, 'why');
  }
  // A name the JS side does not know (a newer engine) is still an error, not a crash.
  assert.equal(engineError('NoSuchCodeError', 'x').name, 'InternalError');
  assert.equal(engineError('toString', 'x').name, 'InternalError');
});

test('negative control: a code on one side only is reported', () => {
  const names = codesInDef(readFileSync(DEF, 'utf8'));
  assert.deepEqual(disagreements([...names, 'BrandNewError'], ENGINE_ERROR_CLASSES), [
    'BrandNewError: in status_codes.def, not mapped in errors.ts',
  ]);
  const { DataError: _dropped, ...fewer } = ENGINE_ERROR_CLASSES;
  assert.deepEqual(disagreements(names, fewer), ['DataError: in status_codes.def, not mapped in errors.ts']);
});

// types.test.mjs: the package's TypeScript types, checked by the compiler
// (the pinned typescript of the root devDependencies). tests/types holds
// programs that use the public API as apps do, assert what tsc infers, and
// mark wrong uses with @ts-expect-error; they must compile against the built
// declarations (js/dist/*.d.ts, through the package name). A negative
// control shows the check can fail: a program with a type error must not compile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const typesDir = join(root, 'tests', 'types');

function compile(project) {
  const result = spawnSync(tsc, ['-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('tests/types compiles: the inferred types are as asserted, and every @ts-expect-error line is an error', () => {
  const { status, output } = compile(typesDir);
  assert.equal(status, 0, `tsc -p tests/types failed:\n${output}`);
});

test('the types compile in a project with lib ES2020 + DOM, strict, without skipLibCheck (no esnext lib needed)', () => {
  const { status, output } = compile(join(typesDir, 'tsconfig.es2020.json'));
  assert.equal(status, 0, `tsc -p tests/types/tsconfig.es2020.json failed:\n${output}`);
});

test('negative control: a wrong use of a typed table does not compile', () => {
  const dir = mkdtempSync(join(typesDir, '.negative-'));
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { skipLibCheck: true }, files: ['wrong.ts'] }),
    );
    writeFileSync(
      join(dir, 'wrong.ts'),
      [
        "import { Indexie, type EntityTable } from 'indexie';",
        'interface User { id: number; name: string }',
        "const db = new Indexie('negative') as Indexie & { users: EntityTable<User, 'id'> };",
        "export const fine = db.users.add({ name: 'Ada' });",
        'export const wrong = db.users.add({ name: 42 });',
        '',
      ].join('\n'),
    );
    const { status, output } = compile(dir);
    assert.notEqual(status, 0, `tsc accepted a program with a type error:\n${output}`);
    assert.match(output, /wrong\.ts\(5,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/, output);
    assert.equal(output.match(/error TS/g)?.length, 1, `expected exactly the one error on line 5:\n${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

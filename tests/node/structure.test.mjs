// structure.test.mjs: the shape of js/src, checked from its import graph.
// Every .ts file is parsed (TypeScript's parser) for import and export-from
// statements, `import type` included, dynamic import() and import('…') types;
// each relative specifier is resolved to a file. Then:
//   1. no import cycle between files (type-only imports count: a cycle of
//      types is still two files that cannot be understood one without the
//      other);
//   2. every import follows the layering below: a file imports only from its
//      own layer or a lower one, never from a sibling of the same rank;
//   3. a file over MAX_LINES lines says why in its header comment, on a line
//      containing "Size:"; and every file starts with a header comment.
// The last test is the negative control: the same checks on a small made-up
// tree with a cycle, an upward import and a long file must report each.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'js', 'src');
const MAX_LINES = 400;

/**
 * The layers, lowest first. A folder of js/src is the layer of its name; the
 * files at the root are mapped one by one (ROOT_FILES). Layers in one row
 * have the same rank: they may not import each other.
 */
export const LAYERS = [
  ['errors'], // errors.ts: every error class
  ['values'], // keys, key paths, the value codec
  ['engine'], // the engine seam: requests, the host, the wasm module (engine/ and two root files)
  // One engine for all tabs of a database (election, routing batches to the owner, its arbiter).
  ['tabs'],
  // The engine's dedicated Worker (its entry answering engine/worker-protocol.ts, the OPFS file
  // backend, and the tabs' engine owner run there), over tabs/.
  ['worker'],
  ['transactions'], // Transaction's machinery, async context, locks, events
  ['hooks', 'live-query', 'persistence'], // layers over the engine, side by side
  ['portability'], // bringing data in and out: migration, export/import, the database file, storage health
  ['db'], // what the facade runs on
  ['sync'], // sync layers over db/ (sync/outbox: REST outbox sync; sync/electric: ElectricSQL shapes)
  ['api'], // the public classes
  ['entry'], // the package's entry points
];

/**
 * Files at the root of js/src, and their layer. wasm-module.ts and the glue's
 * types stay beside the glue and the .wasm at the package root (see
 * wasm-module.ts); errors.ts is the lowest layer, imported by all.
 */
export const ROOT_FILES = {
  'errors.ts': 'errors',
  'indexie-core.d.ts': 'engine',
  'wasm-module.ts': 'engine',
  'index.ts': 'entry',
  'react.ts': 'entry',
};

const RANK = new Map(LAYERS.flatMap((row, rank) => row.map((layer) => [layer, rank])));

/** Every .ts file under `dir`, as paths relative to it with '/' separators. */
function sourceFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return sourceFiles(dir, path);
      return entry.name.endsWith('.ts') ? [path] : [];
    })
    .sort();
}

/** The module specifiers `text` imports or re-exports from, with their line and whether only types are imported. */
function importsOf(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (literal, typeOnly) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const { line } = source.getLineAndCharacterOfPosition(literal.getStart(source));
    found.push({ specifier: literal.text, line: line + 1, typeOnly });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, Boolean(node.importClause?.isTypeOnly));
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file `specifier` (imported by `from`) names, or undefined; null for a package (not a relative path). */
function resolve(from, specifier, files) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|ts)$/, '');
  return [`${stem}.ts`, `${stem}.d.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
}

/** The layer of a file: its folder's name, or ROOT_FILES for a file at the root. */
function layerOf(file) {
  const slash = file.indexOf('/');
  return slash < 0 ? ROOT_FILES[file] : file.slice(0, slash);
}

/**
 * The cycles of the graph, one per strongly connected component: the
 * shortest path from its first file back to itself, and the component's
 * files when more cycles run through them.
 */
function cycles(graph) {
  // Tarjan's strongly connected components.
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const connect = (node) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const { to } of graph.get(node)) {
      if (!indices.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), indices.get(to)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);

  const found = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...members].sort()[0];
    if (members.size === 1 && !graph.get(start).some(({ to }) => to === start)) continue;
    // The shortest way from `start` back to itself inside the component (breadth first).
    const cameFrom = new Map();
    const queue = [start];
    let closing;
    while (queue.length > 0 && !closing) {
      const node = queue.shift();
      for (const edge of graph.get(node)) {
        if (!members.has(edge.to)) continue;
        if (edge.to === start) {
          closing = { from: node, edge };
          break;
        }
        if (!cameFrom.has(edge.to)) {
          cameFrom.set(edge.to, { from: node, edge });
          queue.push(edge.to);
        }
      }
    }
    const steps = [closing];
    for (let step = closing; step.from !== start; step = cameFrom.get(step.from)) steps.unshift(cameFrom.get(step.from));
    const path = [
      start,
      ...steps.map(({ from, edge }) => `${edge.to}  (${from}:${edge.line}${edge.typeOnly ? ', import type' : ''})`),
    ].join('\n    -> ');
    // Other cycles run through the same files: name them all, so none is fixed blindly.
    const others = members.size > steps.length ? `\n    (one of the cycles among ${[...members].sort().join(', ')})` : '';
    found.push(path + others);
  }
  return found;
}

function layerTable() {
  return (
    LAYERS.map((row, rank) => `  ${rank}: ${row.join(', ')}`).join('\n') +
    `\n  root files: ${Object.entries(ROOT_FILES)
      .map(([file, layer]) => `${file} = ${layer}`)
      .join(', ')}`
  );
}

/** Checks the tree under `dir`: lists of problems, each a sentence saying what and where. */
export function checkStructure(dir) {
  const files = sourceFiles(dir);
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, []]));
  const problems = { unresolved: [], cycles: [], layering: [], sizes: [], headers: [] };
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const layer = layerOf(file);
    if (!RANK.has(layer)) {
      problems.layering.push(
        `${file} is in no layer: add its folder (or, at the root, the file) to LAYERS / ROOT_FILES in tests/node/structure.test.mjs`,
      );
    }
    for (const { specifier, line, typeOnly } of importsOf(file, text)) {
      const target = resolve(file, specifier, known);
      if (target === null) continue;
      if (target === undefined) {
        problems.unresolved.push(`${file}:${line} imports '${specifier}', which is no file of js/src`);
        continue;
      }
      graph.get(file).push({ to: target, line, typeOnly });
      const targetLayer = layerOf(target);
      if (!RANK.has(layer) || !RANK.has(targetLayer) || layer === targetLayer) continue;
      if (RANK.get(targetLayer) >= RANK.get(layer)) {
        const why = RANK.get(targetLayer) === RANK.get(layer) ? 'a sibling of the same rank' : 'a higher layer';
        problems.layering.push(
          `${file}:${line} (layer ${layer}) imports${typeOnly ? ' type' : ''} ${target} (layer ${targetLayer}), ${why}: ` +
            'a layer imports only from its own layer and the layers below it',
        );
      }
    }
    const lines = text.split('\n');
    const count = lines.length - (text.endsWith('\n') ? 1 : 0);
    const header = [];
    for (const raw of lines) {
      const line = raw.trim();
      if (!(line.startsWith('//') || line.startsWith('/*') || line.startsWith('*'))) break;
      header.push(line);
    }
    if (header.length === 0) problems.headers.push(`${file} starts with no header comment saying what it is for`);
    if (count > MAX_LINES && !header.some((line) => line.includes('Size:'))) {
      problems.sizes.push(`${file} has ${count} lines (over ${MAX_LINES}) and its header gives no reason (a line with "Size:")`);
    }
  }
  problems.cycles = cycles(graph);
  return { files, problems };
}

const { files, problems } = checkStructure(SRC);

test('js/src is parsed: every relative import names a file of js/src', () => {
  assert.ok(files.length > 40, `found only ${files.length} .ts files under ${SRC}`);
  assert.equal(problems.unresolved.length, 0, `unresolved imports:\n  ${problems.unresolved.join('\n  ')}`);
});

test('no import cycles between the files of js/src (import type included)', () => {
  assert.equal(
    problems.cycles.length,
    0,
    `import cycles (each from its first file around to it again):\n  ${problems.cycles.join('\n  ')}`,
  );
});

test('every import follows the layering: a layer imports only from itself and the layers below', () => {
  assert.equal(
    problems.layering.length,
    0,
    `layering broken:\n  ${problems.layering.join('\n  ')}\nthe layers, lowest first:\n${layerTable()}`,
  );
});

test(`every file starts with a header comment, and one over ${MAX_LINES} lines says why ("Size:")`, () => {
  const found = [...problems.headers, ...problems.sizes];
  assert.equal(found.length, 0, found.join('\n'));
});

test('negative control: a cycle, an upward import, a sibling import and a long file without a reason are each reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'indexie-structure-'));
  try {
    const write = (path, text) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write('errors.ts', '// errors.ts: fixture\nexport class E {}\n');
    write('values/a.ts', "// values/a.ts: fixture\nimport type { B } from './b.js';\nexport interface A { b?: B }\n");
    write('values/b.ts', "// values/b.ts: fixture\nimport type { A } from './a.js';\nexport interface B { a?: A }\n");
    write('hooks/up.ts', "// hooks/up.ts: fixture\nimport { X } from '../api/x.js';\nexport const up = X;\n");
    write('hooks/side.ts', "// hooks/side.ts: fixture\nexport type { P } from '../persistence/p.js';\n");
    write('persistence/p.ts', '// persistence/p.ts: fixture\nexport type P = number;\n');
    write('api/x.ts', `// api/x.ts: fixture\nimport { E } from '../errors.js';\nexport const X = E;\n${'//\n'.repeat(MAX_LINES)}`);
    write('api/long.ts', `// api/long.ts: fixture\n// Size: a reason\n${'//\n'.repeat(MAX_LINES)}`);
    const { problems: found } = checkStructure(dir);
    assert.equal(found.cycles.length, 1, found.cycles.join('\n'));
    assert.match(
      found.cycles[0],
      /^values\/a\.ts\n {4}-> values\/b\.ts {2}\(values\/a\.ts:2, import type\)\n {4}-> values\/a\.ts {2}\(values\/b\.ts:2, import type\)$/,
    );
    assert.equal(found.layering.length, 2, found.layering.join('\n'));
    assert.match(
      found.layering[0],
      /^hooks\/side\.ts:2 \(layer hooks\) imports type persistence\/p\.ts \(layer persistence\), a sibling of the same rank/,
    );
    assert.match(found.layering[1], /^hooks\/up\.ts:2 \(layer hooks\) imports api\/x\.ts \(layer api\), a higher layer/);
    assert.deepEqual(found.sizes, [
      `api/x.ts has ${MAX_LINES + 3} lines (over ${MAX_LINES}) and its header gives no reason (a line with "Size:")`,
    ]);
    assert.deepEqual(found.headers, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

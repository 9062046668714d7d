// pack.mjs: the package as users get it. packTarball() runs `npm pack` in js/
// (on the js/dist that scripts/build.sh built) into a fresh temp dir and
// unpacks the tarball there (`tar xzf`), so the package tests exercise the
// published files only, never the source tree or the workspace link.
// Run directly (`node tests/package/pack.mjs`) it prints where it put them.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JS = join(ROOT, 'js');

/**
 * Packs js/ and unpacks the tarball. Resolves to
 * { dir, tarball, packageDir (the unpacked `package/`), files, cleanup() }.
 */
export async function packTarball() {
  for (const file of ['index.js', 'indexie-core.wasm']) {
    if (!existsSync(join(JS, 'dist', file))) throw new Error(`js/dist/${file} is missing: run scripts/build.sh first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'indexie-pack-'));
  try {
    const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--json', '--silent'], { cwd: JS });
    const [info] = JSON.parse(stdout);
    const tarball = join(dir, info.filename);
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await run('tar', ['xzf', tarball, '-C', unpacked]);
    return {
      dir,
      tarball,
      packageDir: join(unpacked, 'package'),
      files: info.files.map((f) => f.path),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { tarball, packageDir, files } = await packTarball();
  console.log(`tarball:  ${tarball}\nunpacked: ${packageDir}\n${files.length} files`);
}

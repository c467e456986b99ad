/**
 * The daemon as it ships, plain JavaScript, for memory figures: run from
 * source, tsx's loader (a thread of its own and its transpile caches) adds
 * tens of megabytes that an installed arenad does not carry.
 *
 * Each file of src/ is transpiled on its own (typescript's transpileModule,
 * no type check, so a type error elsewhere in the tree does not stop it)
 * into a temp folder, beside a package.json with the project's name and
 * version and a link to the repository's node_modules, so that the
 * dependencies resolve as they do from dist/.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CompiledDaemon {
  /** The entry point: `<dir>/dist/daemon/main.js`. */
  readonly entry: string;
  remove(): Promise<void>;
}

export async function compileDaemon(): Promise<CompiledDaemon> {
  const dir = await mkdtemp(path.join(tmpdir(), 'arena-bench-build-'));
  try {
    const sourceRoot = path.join(repoRoot, 'src');
    for (const entry of await readdir(sourceRoot, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const output = ts.transpileModule(await readFile(file, 'utf8'), {
        fileName: file,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
      });
      const target = path.join(dir, 'dist', path.relative(sourceRoot, file)).replace(/\.ts$/, '.js');
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, output.outputText);
    }
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: manifest.name, version: manifest.version, type: 'module' }));
    await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { entry: path.join(dir, 'dist', 'daemon', 'main.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { RemoteError } from '../../src/control/control-client.js';
import { ERROR_CODES, isErrorCode } from '../../src/core/error-codes.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every `'E_...'` string literal in the TypeScript under a folder, with the file it is in. */
function codeLiterals(dir: string): Array<{ code: string; file: string }> {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      return [...text.matchAll(/['"`](E_[A-Z_]+)['"`]/g)].map((match) => ({ code: match[1]!, file }));
    });
}

test('every error code written anywhere in src/ is one of core/error-codes.ts', (t) => {
  const literals = codeLiterals(path.join(repoRoot, 'src'));
  t.true(literals.length > 50, 'the scan finds the codes');
  const unknown = literals.filter(({ code }) => !isErrorCode(code)).map(({ code, file }) => `${code} in ${file}`);
  t.deepEqual(unknown, []);
});

test('every code of the list is given somewhere: none is left over from code that is gone', (t) => {
  const used = new Set(
    [...codeLiterals(path.join(repoRoot, 'src')), ...codeLiterals(path.join(repoRoot, 'scripts'))]
      .filter(({ file }) => file !== path.join('core', 'error-codes.ts'))
      .map(({ code }) => code),
  );
  t.deepEqual(
    Object.values(ERROR_CODES).filter((code) => !used.has(code)),
    [],
  );
});

test('each code is listed once, under one name', (t) => {
  const codes = Object.values(ERROR_CODES);
  t.is(new Set(codes).size, codes.length);
  t.true(codes.every((code) => /^E_[A-Z]+(_[A-Z]+)*$/.test(code)));
  t.true(isErrorCode('E_PATH'));
  t.false(isErrorCode('E_PATHS'));
});

test("a daemon's error code this client does not know becomes E_UNKNOWN, keeping the code in the message", (t) => {
  const known = new RemoteError('E_PINNED', 'loras/a.safetensors is pinned');
  t.is(known.code, 'E_PINNED');
  t.is(known.message, 'loras/a.safetensors is pinned');
  const newer = new RemoteError('E_FROM_THE_FUTURE', 'something a later daemon refuses');
  t.is(newer.code, 'E_UNKNOWN');
  t.is(newer.message, 'something a later daemon refuses (E_FROM_THE_FUTURE)');
});

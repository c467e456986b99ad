import test from 'ava';
import { ArenaError } from '../../src/core/arena-error.js';
import {
  CacheIoError,
  CopyAbortedError,
  NoSpaceError,
  PathError,
  SourceChangedError,
  SourceMissingError,
  SourceOutsideError,
  SourceReadError,
  VerifyError,
} from '../../src/cache/errors.js';

const fsError = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

test('each cache error keeps its name, its code and whether waiting helps', (t) => {
  const errors = [
    [new PathError('loras/../x', 'it leaves the root'), 'PathError', 'E_PATH', undefined],
    [new SourceOutsideError('/nas/a', '/etc/shadow', ['/nas']), 'SourceOutsideError', 'E_PATH', undefined],
    [new SourceMissingError('/nas/a'), 'SourceMissingError', 'E_SOURCE_MISSING', true],
    [new SourceReadError('/nas/a', { cause: fsError('EACCES') }), 'SourceReadError', 'E_SOURCE_READ', false],
    [new SourceChangedError('/nas/a', 'size 1 -> 2'), 'SourceChangedError', 'E_SOURCE_CHANGED', true],
    [new NoSpaceError('loras/a'), 'NoSpaceError', 'E_NO_SPACE', true],
    [new CacheIoError('/ssd/loras/a', 'write', { cause: fsError('EROFS') }), 'CacheIoError', 'E_CACHE_IO', false],
    [new VerifyError('loras/a', 'sha256', 'aa', 'bb'), 'VerifyError', 'E_VERIFY', true],
    [new CopyAbortedError('loras/a'), 'CopyAbortedError', 'E_ABORTED', false],
  ] as const;
  for (const [error, name, code, retryable] of errors) {
    t.true(error instanceof ArenaError, name);
    t.is(error.name, name);
    t.is(error.code, code, name);
    t.is('retryable' in error ? error.retryable : undefined, retryable, name);
  }
});

test('the errors of a failed file name its errno code when the cause has one, and only then', (t) => {
  t.regex(new SourceMissingError('/nas/a', { cause: fsError('ESTALE') }).message, /^The library file \/nas\/a could not be read \(ESTALE\);/);
  t.regex(new SourceMissingError('/nas/a').message, /^The library file \/nas\/a could not be read;/);
  t.regex(new SourceReadError('/nas/a', { cause: fsError('EISDIR') }).message, /cannot be read \(EISDIR\); check its permissions/);
  t.regex(new SourceReadError('/nas/a', { cause: new Error('odd') }).message, /cannot be read; check its permissions/);
  t.regex(new CacheIoError('/ssd/a', 'rename', { cause: fsError('EIO') }).message, /^Could not rename \/ssd\/a in the cache \(EIO\);/);
  t.regex(new CacheIoError('/ssd/a', 'rename', { cause: 'not an error' }).message, /^Could not rename \/ssd\/a in the cache;/);
});

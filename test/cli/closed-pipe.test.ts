import { EventEmitter } from 'node:events';
import test from 'ava';
import { endQuietlyWhenReaderLeaves } from '../../src/cli/closed-pipe.js';

function streams() {
  const written: string[] = [];
  const stdout = new EventEmitter();
  const stderr = Object.assign(new EventEmitter(), { write: (text: string) => written.push(text) });
  const exits: number[] = [];
  endQuietlyWhenReaderLeaves({ stdout, stderr }, (code) => exits.push(code));
  return { stdout, stderr, written, exits };
}

function failure(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

test('a reader that went away (EPIPE on stdout or stderr) ends the command with 0 and says nothing', (t) => {
  const out = streams();
  out.stdout.emit('error', failure('EPIPE'));
  t.deepEqual(out.exits, [0]);
  t.deepEqual(out.written, []);
  const err = streams();
  err.stderr.emit('error', failure('EPIPE'));
  t.deepEqual(err.exits, [0]);
});

test('any other failure to write the output is an error: one line, exit 1', (t) => {
  const full = streams();
  full.stdout.emit('error', failure('ENOSPC'));
  t.deepEqual(full.exits, [1]);
  t.deepEqual(full.written, ['arenactl: cannot write the output: write ENOSPC\n']);
  const stderrGone = streams();
  stderrGone.stderr.emit('error', failure('EIO'));
  t.deepEqual(stderrGone.exits, [1]);
  t.deepEqual(stderrGone.written, [], 'nothing more is written to a stderr that fails');
});

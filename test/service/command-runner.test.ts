import test from 'ava';
import { runChecked, systemRunner } from '../../src/service/command-runner.js';

test('the runner reports the exit code and output, and a missing program as 127, without throwing', async (t) => {
  const ran = await systemRunner.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  t.like(ran, { exitCode: 3, stdout: 'out', stderr: 'err', missing: false });
  const missing = await systemRunner.run('no-such-program-arena', []);
  t.like(missing, { exitCode: 127, missing: true });
  t.regex(missing.stderr, /no-such-program-arena: command not found/);
});

test('the runner streams output to callbacks as it comes (journalctl -f)', async (t) => {
  const chunks: string[] = [];
  const errors: string[] = [];
  const ran = await systemRunner.run('sh', ['-c', 'echo one; echo two; echo oops >&2'], { onStdout: (text) => chunks.push(text), onStderr: (text) => errors.push(text) });
  t.is(ran.exitCode, 0);
  t.is(chunks.join(''), 'one\ntwo\n');
  t.is(errors.join(''), 'oops\n');
});

test('runChecked throws with the command and its last output lines', async (t) => {
  await t.throwsAsync(runChecked(systemRunner, 'sh', ['-c', 'echo "Unit arenad.service not found." >&2; exit 5']), {
    message: '`sh -c echo "Unit arenad.service not found." >&2; exit 5` failed with exit code 5: Unit arenad.service not found.',
  });
  t.is((await runChecked(systemRunner, 'true', [])).exitCode, 0);
});

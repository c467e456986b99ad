/** The control socket and another local user: needs root to own a folder as someone else, or to act as someone else. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { silentLogger } from '../../../src/log/logger.js';
import { CommandRegistry } from '../../../src/control/command-registry.js';
import { ControlServer } from '../../../src/control/control-server.js';
import { SocketPathError } from '../../../src/control/socket-path.js';
import { bundleForOtherUser } from '../../helpers/bundle-for-other-user.js';
import { tempDir } from '../../helpers/temp-dir.js';

const uid = process.getuid!();

/** A control server listening on a socket in a fresh folder, closed when the test ends; resolves with the socket's path. */
async function listening(t: ExecutionContext): Promise<string> {
  const socketPath = path.join(await tempDir(t), 'run', 'arenad.sock');
  const server = new ControlServer({ socketPath, registry: new CommandRegistry(), logger: silentLogger, uid });
  await server.listen();
  t.teardown(() => server.close(100));
  return socketPath;
}

test('the daemon refuses a socket folder that another user owns', async (t) => {
  const dir = await tempDir(t);
  const folder = path.join(dir, 'theirs');
  fs.mkdirSync(folder, { mode: 0o700 });
  fs.chownSync(folder, uid + 1000, uid + 1000);
  const server = new ControlServer({ socketPath: path.join(folder, 's.sock'), registry: new CommandRegistry(), logger: silentLogger, uid });
  const error = await t.throwsAsync(server.listen(), { instanceOf: SocketPathError });
  t.regex(error.message, new RegExp(`socket folder ${folder} is owned by uid ${uid + 1000}, not by this user \\(uid ${uid}\\)`));
  // Another user made the folder first: the refusal says how to get out of the way.
  t.regex(error.message, /Set XDG_RUNTIME_DIR to your runtime folder .*, or control\.socket \(ARENA_SOCKET\)/);
  t.false(fs.existsSync(path.join(folder, 's.sock')));
});

test('a socket this user may not open is a permission problem, not "daemon not running"', async (t) => {
  const socketPath = await listening(t);
  // As root only a process without CAP_DAC_OVERRIDE is refused: try as another user, through a child. That user
  // may not be able to read this checkout (in a 0700 home), so it runs the client bundled into a folder it can read.
  const { execa } = await import('execa');
  const client = await bundleForOtherUser(t, fileURLToPath(new URL('../../../src/control/control-client.ts', import.meta.url)));
  const script = `import(${JSON.stringify(pathToFileURL(client).href)}).then(({ ControlClient }) => ControlClient.connect(${JSON.stringify(socketPath)})).then(() => console.log('connected'), (e) => console.log(e.code, e.message))`;
  fs.chmodSync(path.dirname(socketPath), 0o755);
  const result = await execa(process.execPath, ['--input-type=module', '-e', script], {
    uid: 65534,
    gid: 65534,
    cwd: path.dirname(client),
    reject: false,
  });
  t.regex(result.stdout, /^E_PERMISSION permission denied on .*: the daemon runs, but this user may not use its socket; join the socket's group/);
});

import { ControlClient, DaemonUnreachableError } from '../../control/control-client.js';
import type { HelloResult } from '../../control/contract/daemon.js';
import { VERSION } from '../../package-info.js';
import type { CliCommand } from '../cli-command.js';

async function daemonHello(socketPath: string): Promise<HelloResult | null> {
  let client: ControlClient;
  try {
    client = await ControlClient.connect(socketPath);
  } catch (error) {
    if (error instanceof DaemonUnreachableError) return null;
    throw error;
  }
  try {
    return await client.hello();
  } finally {
    client.close();
  }
}

export const versionCommand: CliCommand = {
  path: ['version'],
  description: 'Print the version of arenactl, and of the running daemon if there is one.',
  async run({ output, socketPath }) {
    const hello = await daemonHello(socketPath);
    const daemon = hello ? { version: hello.version, pid: hello.pid, protocol: hello.protocol } : null;
    if (output.json) {
      output.document({ arenactl: VERSION, daemon, socket: socketPath });
    } else {
      output.line(`arenactl ${VERSION}`);
      output.line(daemon ? `arenad ${daemon.version} (pid ${daemon.pid}, protocol ${daemon.protocol})` : `arenad not running (${socketPath})`);
    }
    return 0;
  },
};

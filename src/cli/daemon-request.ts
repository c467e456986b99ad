import { ControlClient } from '../control/control-client.js';

/** One request on a fresh connection: connect, ask, close. */
export async function requestDaemon<T>(socketPath: string, cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  const client = await ControlClient.connect(socketPath);
  try {
    return await client.request<T>(cmd, args);
  } finally {
    client.close();
  }
}

/**
 * Socket round trip: the latency of `status` requests on the control socket
 * of a real daemon, with several clients asking at once (arenactl, the
 * ComfyUI nodes and a monitoring script, say).
 */
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ControlClient } from '../../src/control/control-client.js';
import { startDaemon, type BenchDaemon } from './bench-daemon.js';
import { markdownTable, type BenchLog, type BenchReport } from './report.js';
import { distribution, formatMs } from './stats.js';

export interface SocketBenchOptions {
  readonly clients: number;
  /** Requests per client, each sent when its previous reply arrived. */
  readonly requests: number;
  readonly warmupRequests: number;
}

export const SOCKET_FULL: SocketBenchOptions = { clients: 10, requests: 500, warmupRequests: 50 };
export const SOCKET_QUICK: SocketBenchOptions = { clients: 10, requests: 100, warmupRequests: 20 };

const LIBRARY_MODELS = 200;

export async function runSocketRoundTrip(options: SocketBenchOptions, log: BenchLog): Promise<BenchReport> {
  const home = await mkdtemp(path.join(tmpdir(), 'arena-bench-socket-'));
  let daemon: BenchDaemon | undefined;
  const clients: ControlClient[] = [];
  try {
    const nas = path.join(home, 'nas');
    for (let index = 0; index < LIBRARY_MODELS; index += 1) {
      const file = path.join(nas, index % 4 === 0 ? 'checkpoints' : 'loras', `model-${index}.safetensors`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, '');
      await truncate(file, 1_000_000 + index);
    }
    const comfy = path.join(home, 'ComfyUI');
    await mkdir(path.join(comfy, 'user', 'default', 'workflows'), { recursive: true });
    await mkdir(path.join(comfy, 'output'), { recursive: true });
    daemon = await startDaemon({ home, env: { ARENA_COMFY_ROOT: comfy, ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: path.join(home, 'ssd') } });
    await daemon.waitForStatus((status) => status.state !== 'starting' && status.library.models === LIBRARY_MODELS, 'the library scanned');
    for (let index = 0; index < options.clients; index += 1) clients.push(await ControlClient.connect(daemon.socketPath));

    const ask = async (client: ControlClient, count: number, into?: number[]) => {
      for (let request = 0; request < count; request += 1) {
        const started = performance.now();
        await client.request('status');
        into?.push(performance.now() - started);
      }
    };
    await Promise.all(clients.map((client) => ask(client, options.warmupRequests)));
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(clients.map((client) => ask(client, options.requests, latencies)));
    const seconds = (performance.now() - started) / 1000;
    const result = distribution(latencies);
    const rate = latencies.length / seconds;
    log(
      `  ${latencies.length} status requests from ${options.clients} clients: p50 ${formatMs(result.median)}, p99 ${formatMs(result.p99)}, ${rate.toFixed(0)} requests/s`,
    );
    return {
      name: 'socket',
      title: 'Socket round trip',
      summary: [
        {
          metric: `status round trip, ${options.clients} concurrent clients, p50 / p99`,
          value: `${formatMs(result.median)} / ${formatMs(result.p99)}`,
        },
      ],
      details: [
        `A real daemon (TypeScript source through tsx) with a library of ${LIBRARY_MODELS} models and an idle cache. ${options.clients} clients ` +
          `(src/control/control-client.ts, each its own connection) send \`status\` requests at the same time, each client the next one as soon as ` +
          `its reply arrives: ${options.warmupRequests} warm-up requests each, then ${options.requests} counted each. ` +
          'The clients run in the bench process, so a reply waits for both event loops; the latency is from the write of the request line to the parsed reply.',
        '',
        ...markdownTable(
          ['requests', 'p50', 'p95', 'p99', 'max', 'throughput'],
          [
            [
              String(result.count),
              formatMs(result.median),
              formatMs(result.p95),
              formatMs(result.p99),
              formatMs(result.max),
              `${rate.toFixed(0)} requests/s`,
            ],
          ],
        ),
      ],
    };
  } finally {
    for (const client of clients) client.close();
    await daemon?.stop();
    await rm(home, { recursive: true, force: true });
  }
}

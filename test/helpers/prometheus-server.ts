import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { freePort } from './free-port.js';
import { eventually } from './raw-socket.js';
import { tempDir } from './temp-dir.js';

export interface PrometheusHandle {
  readonly port: number;
  /** Everything Prometheus logged so far. */
  output(): string;
  /** An instant query through /api/v1/query: each series' labels and value. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/**
 * A real Prometheus server (Debian's `prometheus` package) on a free
 * loopback port, with its config and TSDB in a temp folder, scraping the
 * given job every second. It is killed when the test ends, pass or fail.
 */
export async function startPrometheus(t: ExecutionContext, job: { name: string; target: string }): Promise<PrometheusHandle> {
  const dir = await tempDir(t, 'arena-prometheus-');
  const config = path.join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed for a config this small.
  fs.writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [{ job_name: job.name, static_configs: [{ targets: [job.target] }] }],
    }),
  );
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  child.once('error', (error) => (output += `\nspawning prometheus failed: ${error.message}`));
  // Registered before anything can fail, so Prometheus never outlives the test.
  t.teardown(async () => {
    if (running) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  const base = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (!running) throw new Error(`prometheus exited:\n${output}`);
      return fetch(`${base}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
    },
    30_000,
    () => `Prometheus ready on ${base} (output:\n${output})`,
  );
  return {
    port,
    output: () => output,
    async query(expr) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as QueryResponse;
      if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
      return body.data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
    },
  };
}

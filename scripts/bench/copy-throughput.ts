/**
 * Compares the cache copier (sha256 verification, fsync, rename into place)
 * with `cp` on one 1 GiB file of random bytes, in two conditions:
 *   - hot: the source is in the page cache, as it is right after being
 *     written; both sides read from memory;
 *   - cold: the source's own pages are dropped before each run
 *     (`dd iflag=nocache count=0`, which advises the kernel for that one
 *     file only), so both sides read it from the disk, as from a NAS.
 * The whole page cache is left alone. Runs alternate, with a `sync` before
 * each, so that neither side pays for the other's write-back. `cp` does not
 * fsync; `cp+fsync` adds `sync FILE` to compare like with like.
 *
 *   node --import tsx scripts/bench/copy-throughput.ts [rounds]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheTree } from '../../src/cache/cache-tree.js';
import { copyIntoCache } from '../../src/cache/copier.js';

const FILE_BYTES = 1024 ** 3;
const rounds = Number(process.argv[2] ?? 3);

type Runner = () => Promise<void>;

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const chunk = randomBytes(Math.min(16 * 1024 * 1024, bytes - written));
      await handle.write(chunk, 0, chunk.length, written);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
}

function dropFromPageCache(path: string): void {
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
}

/** Megabytes per second of one run, with dirty data flushed beforehand. */
async function measure(run: Runner, cold: string | undefined): Promise<number> {
  execFileSync('sync');
  if (cold !== undefined) dropFromPageCache(cold);
  const started = performance.now();
  await run();
  return FILE_BYTES / 1e6 / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'arena-bench-'));
  try {
    const source = join(dir, 'source.safetensors');
    await writeRandomFile(source, FILE_BYTES);
    const sourceStats = await stat(source);
    const tree = new CacheTree(join(dir, 'cache'));
    await tree.ensure();
    const cpTarget = join(dir, 'cp-copy.safetensors');

    const cp: Runner = async () => {
      execFileSync('cp', [source, cpTarget]);
    };
    const cpFsync: Runner = async () => {
      execFileSync('cp', [source, cpTarget]);
      execFileSync('sync', [cpTarget]);
    };
    const copier: Runner = async () => {
      await copyIntoCache(tree, {
        source,
        expected: { size: sourceStats.size, mtimeMs: sourceStats.mtimeMs },
        category: 'checkpoints',
        name: 'bench.safetensors',
        verify: 'sha256',
      });
    };
    const cases: Array<{ label: string; run: Runner; cold: boolean; output: string }> = [
      { label: 'hot cp', run: cp, cold: false, output: cpTarget },
      { label: 'hot cp+fsync', run: cpFsync, cold: false, output: cpTarget },
      { label: 'hot copier', run: copier, cold: false, output: tree.pathOf('checkpoints', 'bench.safetensors') },
      { label: 'cold cp', run: cp, cold: true, output: cpTarget },
      { label: 'cold copier', run: copier, cold: true, output: tree.pathOf('checkpoints', 'bench.safetensors') },
    ];
    const results = new Map<string, number[]>(cases.map(({ label }) => [label, []]));

    for (let round = 1; round <= rounds; round += 1) {
      const line: string[] = [];
      for (const { label, run, cold, output } of cases) {
        const speed = await measure(run, cold ? source : undefined);
        await rm(output);
        results.get(label)!.push(speed);
        line.push(`${label} ${speed.toFixed(0)}`);
      }
      console.log(`round ${round} (MB/s): ${line.join(', ')}`);
    }
    const m = (label: string) => median(results.get(label)!);
    console.log(`median (MB/s): ${cases.map(({ label }) => `${label} ${m(label).toFixed(0)}`).join(', ')}`);
    console.log(
      `copier/cp: hot ${(m('hot copier') / m('hot cp')).toFixed(2)}, ` +
        `hot vs cp+fsync ${(m('hot copier') / m('hot cp+fsync')).toFixed(2)}, ` +
        `cold ${(m('cold copier') / m('cold cp')).toFixed(2)} (target >= 0.80)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

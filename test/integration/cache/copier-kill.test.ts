import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CacheTree } from '../../../src/cache/cache-tree.js';
import { Ledger } from '../../../src/cache/ledger.js';
import { reconcileCache } from '../../../src/cache/recovery.js';
import { removeCachedCopy } from '../../../src/cache/removal.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { ChildArgs } from '../../helpers/cache-copy-child.js';
import { MiB, describeSource, listDir, sha256Of, tempDir, writeRandomFile } from '../../helpers/cache-fixtures.js';

const CHILD = fileURLToPath(new URL('../../helpers/cache-copy-child.ts', import.meta.url));
const FILE_BYTES = 24 * MiB;
const KEY = 'checkpoints/sdxl/model.safetensors';

/** When to kill the child: once it reports this many bytes copied, or once the file is placed. */
type KillPoint = { afterBytes: number } | 'after-place' | 'never';

/** Runs the copy child; resolves with how it ended. */
function runChild(args: ChildArgs, kill: KillPoint): Promise<{ signal: NodeJS.Signals | null; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (kill === 'never' || child.killed) return;
    const copied = /^progress (\d+)$/.exec(line);
    if (kill === 'after-place' ? line === 'placed' : copied !== null && Number(copied[1]) >= kill.afterBytes) {
      child.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** The state recovery must leave: staging empty; files and ledger entries one to one, every file complete. */
async function assertConsistent(t: ExecutionContext, tree: CacheTree, ledger: Ledger, data: Buffer, label: string) {
  t.deepEqual(await listDir(tree.stagingDir), [], `${label}: staging is empty`);
  const files = await tree.listFiles();
  t.deepEqual(
    files.map((file) => `${file.category}/${file.name}`).sort(),
    ledger
      .entries()
      .map((entry) => `${entry.category}/${entry.name}`)
      .sort(),
    `${label}: the ledger lists exactly the files on disk`,
  );
  for (const file of files) {
    t.is<number | undefined, number | undefined>(file.size, ledger.get(`${file.category}/${file.name}`)?.size, `${label}: sizes agree`);
    t.true((await readFile(file.path)).equals(data), `${label}: ${file.path} is complete, not partial`);
  }
}

test('a copy killed with SIGKILL at random points never leaves a partial file, and a retry completes', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'nas', 'checkpoints', 'sdxl', 'model.safetensors');
  const data = await writeRandomFile(source, FILE_BYTES);
  const library = await describeSource(source);
  const tree = new CacheTree(join(dir, 'cache'));
  const ledgerFile = join(dir, 'state', 'ledger.json');
  const args: ChildArgs = {
    root: tree.root,
    ledgerFile,
    source,
    category: 'checkpoints',
    name: 'sdxl/model.safetensors',
    chunkBytes: MiB,
    writeDelayMs: 15,
    pauseAfterPlaceMs: 0,
  };
  const recover = async () => {
    const ledger = await Ledger.load(ledgerFile, silentLogger);
    const report = await reconcileCache({
      tree,
      ledger,
      lookupSource: (category, name) => (`${category}/${name}` === KEY ? library : undefined),
      verify: 'sha256',
      logger: silentLogger,
    });
    return { ledger, report };
  };

  // Even rounds start from an empty cache, odd ones with a complete copy that the killed re-copy must not harm.
  const killPoints: KillPoint[] = [0, 1, 2, 3, 5].map(() => ({ afterBytes: Math.floor(Math.random() * FILE_BYTES) }));
  killPoints.splice(4, 0, 'after-place');
  let partialsRemoved = 0;
  for (const [round, kill] of killPoints.entries()) {
    const label = `round ${round}, kill ${JSON.stringify(kill)}`;
    t.log(label);
    if (round % 2 === 0) {
      const { ledger } = await recover();
      if (ledger.has(KEY)) await removeCachedCopy(tree, ledger, KEY, 'start the round from an empty cache');
      await ledger.close();
    }

    const killed = await runChild({ ...args, pauseAfterPlaceMs: kill === 'after-place' ? 60_000 : 0 }, kill);
    const { ledger, report } = await recover();
    partialsRemoved += report.stagingRemoved;
    t.log(`  the child ended by ${killed.signal ?? `exit ${killed.code}`}; recovery: ${JSON.stringify(report)}`);
    await assertConsistent(t, tree, ledger, data, `${label}, after the kill (${killed.signal ?? `exit ${killed.code}`})`);
    if (kill === 'after-place') {
      t.deepEqual(report.adopted, [KEY], 'a file placed but not yet recorded is verified and adopted');
    }
    if (round % 2 === 1) t.true(ledger.has(KEY), `${label}: the complete copy from before survived`);

    const retried = await runChild({ ...args, writeDelayMs: 0 }, 'never');
    t.is(retried.code, 0, `${label}: the retry finished`);
    const after = await Ledger.load(ledgerFile, silentLogger);
    await assertConsistent(t, tree, after, data, `${label}, after the retry`);
    t.is(after.get(KEY)?.sha256, sha256Of(data));
  }
  t.true(partialsRemoved >= 1, 'the kills did catch copies in flight, whose partial files recovery removed');
});

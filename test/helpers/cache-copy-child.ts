/**
 * A copy in a process of its own, for the SIGKILL tests: copies one file
 * into the cache the way the daemon does (copy, then record in the ledger)
 * and reports each step on stdout, so that the parent can kill it at a
 * chosen point.
 *
 *   node --import tsx test/helpers/cache-copy-child.ts '<json of ChildArgs>'
 */
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheTree } from '../../src/cache/cache-tree.js';
import { copyIntoCache, type CopyRequest } from '../../src/cache/copier.js';
import { nodeCopyIo } from '../../src/cache/copy-io.js';
import { entryForCopy } from '../../src/cache/ledger-entry.js';
import { Ledger } from '../../src/cache/ledger.js';
import { silentLogger } from '../../src/log/logger.js';

export interface ChildArgs {
  root: string;
  ledgerFile: string;
  source: string;
  category: string;
  name: string;
  chunkBytes: number;
  /** Slows every write, so that a kill lands mid-copy. */
  writeDelayMs: number;
  /** Waits between the rename and the ledger write: the window where a crash leaves an unrecorded file. */
  pauseAfterPlaceMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const tree = new CacheTree(args.root);
await tree.ensure();
const ledger = await Ledger.load(args.ledgerFile, silentLogger);
const stats = await stat(args.source);
const request: CopyRequest = {
  source: args.source,
  expected: { size: stats.size, mtimeMs: stats.mtimeMs },
  category: args.category,
  name: args.name,
  verify: 'sha256',
  onProgress: (copied) => process.stdout.write(`progress ${copied}\n`),
};
const result = await copyIntoCache(tree, request, {
  chunkBytes: args.chunkBytes,
  io: {
    write: async (target, buffer, position) => {
      await sleep(args.writeDelayMs);
      return nodeCopyIo.write(target, buffer, position);
    },
  },
});
process.stdout.write('placed\n');
await sleep(args.pauseAfterPlaceMs);
ledger.set(entryForCopy(request, result, Date.now(), ledger.get(result.key)));
ledger.addBytesCopied(result.size);
await ledger.close();
process.stdout.write('recorded\n');

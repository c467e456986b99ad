/**
 * Catalog scan and idle memory: how long a full scan of a large library takes
 * (the folders collected as the daemon collects them, then `buildCatalog`),
 * and how much memory the daemon holds once it has started with that library
 * as its root and gone idle.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCatalog } from '../../src/library/build-catalog.js';
import { collectModelFolders } from '../../src/library/model-folders.js';
import { startDaemon } from './bench-daemon.js';
import { compileDaemon } from './compiled-daemon.js';
import { libraryLayout, writeLibrary } from './library-layout.js';
import { markdownTable, type BenchLog, type BenchReport, type SummaryRow } from './report.js';
import { distribution, formatMs, median } from './stats.js';
import { DAEMON_NODE_FLAGS } from '../../src/service/node-flags.js';

export type DaemonRuntime = 'compiled' | 'tsx';

export interface CatalogScanOptions {
  /** Library sizes, in model files. */
  readonly sizes: readonly number[];
  readonly scanRuns: number;
  /**
   * How to run the daemon whose memory is sampled on each library: as it
   * ships (`compiled`), from source through tsx as the tests run it, or not at all.
   */
  readonly runtimes: readonly DaemonRuntime[];
  /**
   * How long the daemon is left idle after it is ready, before the samples.
   * V8 hands back the memory of the start-up scan when its memory reducer
   * runs, which was about 30 s after the daemon went quiet here; a shorter
   * wait measures the scan's leftovers rather than the idle daemon.
   */
  readonly settleMs: number;
  readonly rssSamples: number;
}

export const CATALOG_FULL: CatalogScanOptions = {
  sizes: [10_000, 100_000],
  scanRuns: 5,
  runtimes: ['compiled', 'tsx'],
  settleMs: 45_000,
  rssSamples: 5,
};
export const CATALOG_QUICK: CatalogScanOptions = { sizes: [10_000, 30_000], scanRuns: 3, runtimes: ['compiled'], settleMs: 4_000, rssSamples: 3 };

const SCAN_TARGET_MS = 5000;
const RSS_TARGET_BYTES = 150 * 1024 * 1024;
const TARGET_SIZE = 100_000;

interface DaemonResult {
  readonly runtime: DaemonRuntime;
  readonly readyMs: number;
  readonly rss: number[];
  readonly anonRss: number[];
  readonly peakRss: number;
}

interface SizeResult {
  readonly models: number;
  readonly files: number;
  readonly createMs: number;
  readonly scans: number[];
  readonly daemons: DaemonResult[];
}

export async function runCatalogScan(options: CatalogScanOptions, log: BenchLog): Promise<BenchReport> {
  const compiled = options.runtimes.includes('compiled') ? await compileDaemon() : undefined;
  try {
    const results: SizeResult[] = [];
    for (const size of options.sizes) results.push(await measureSize(size, options, compiled?.entry, log));
    return report(options, results);
  } finally {
    await compiled?.remove();
  }
}

async function measureSize(size: number, options: CatalogScanOptions, compiledEntry: string | undefined, log: BenchLog): Promise<SizeResult> {
  const home = await mkdtemp(path.join(tmpdir(), 'arena-bench-library-'));
  try {
    const root = path.join(home, 'nas');
    const created = performance.now();
    const files = writeLibrary(root, libraryLayout(size));
    const createMs = performance.now() - created;
    log(`  ${size} models (${files} files) created in ${formatMs(createMs)}`);

    const scans: number[] = [];
    // One scan more than counted: the first warms the dentry and inode caches, as a running system has them.
    for (let run = 0; run <= options.scanRuns; run += 1) {
      const started = performance.now();
      const { folders } = await collectModelFolders({ libraryRoots: [root], exclude: [] });
      const catalog = await buildCatalog(folders);
      const ms = performance.now() - started;
      const counted = catalog.counts().models;
      if (counted !== size) throw new Error(`the scan found ${counted} models, expected ${size}`);
      if (run > 0) scans.push(ms);
      log(`  ${run === 0 ? 'warm-up scan' : `scan ${run}/${options.scanRuns}`}: ${formatMs(ms)}`);
    }
    const daemons: DaemonResult[] = [];
    for (const runtime of options.runtimes) {
      daemons.push(await measureDaemon(home, root, size, runtime === 'compiled' ? compiledEntry : undefined, runtime, options, log));
    }
    return { models: size, files, createMs, scans, daemons };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function measureDaemon(
  home: string,
  root: string,
  size: number,
  compiledEntry: string | undefined,
  runtime: DaemonRuntime,
  options: CatalogScanOptions,
  log: BenchLog,
): Promise<DaemonResult> {
  const daemonHome = await mkdtemp(path.join(home, `daemon-${runtime}-`));
  const started = performance.now();
  const daemon = await startDaemon({
    home: daemonHome,
    env: { ARENA_LIBRARY_ROOTS: root, ARENA_CACHE_ROOT: path.join(daemonHome, 'ssd'), ARENA_LOG_LEVEL: 'info' },
    ...(compiledEntry === undefined ? {} : { compiledEntry }),
  });
  try {
    await daemon.waitForStatus(
      (status) => status.state !== 'starting' && status.library.models === size,
      `${size} models in the daemon's library`,
      300_000,
    );
    const readyMs = performance.now() - started;
    log(`  daemon (${runtime}) ready with ${size} models after ${formatMs(readyMs)}; idle for ${options.settleMs / 1000} s`);
    await sleep(options.settleMs);
    const rss: number[] = [];
    const anonRss: number[] = [];
    for (let sample = 0; sample < options.rssSamples; sample += 1) {
      if (sample > 0) await sleep(1000);
      rss.push(daemon.rssBytes());
      anonRss.push(daemon.anonRssBytes());
    }
    // The kernel updates VmHWM lazily; it can trail the samples by a page or two.
    const peakRss = Math.max(daemon.peakRssBytes(), ...rss);
    log(`  daemon (${runtime}) idle RSS ${rss.map(mib).join(', ')}, of which anonymous ${anonRss.map(mib).join(', ')} (peak ${mib(peakRss)})`);
    return { runtime, readyMs, rss, anonRss, peakRss };
  } finally {
    await daemon.stop();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function report(options: CatalogScanOptions, results: SizeResult[]): BenchReport {
  const largest = results.reduce((best, result) => (result.models > best.models ? result : best));
  const atTarget = largest.models >= TARGET_SIZE;
  const scanMedian = median(largest.scans);
  const summary: SummaryRow[] = [
    {
      metric: `full scan of ${largest.models.toLocaleString('en')} models, median`,
      value: formatMs(scanMedian),
      target: atTarget ? '< 5 s' : `< 5 s at ${TARGET_SIZE.toLocaleString('en')} (not run at this size)`,
      ...(atTarget ? { met: scanMedian < SCAN_TARGET_MS } : {}),
    },
  ];
  // The target is for the daemon as it ships; from source through tsx when that is all that ran.
  const measured = largest.daemons.find((daemon) => daemon.runtime === 'compiled') ?? largest.daemons[0];
  if (measured !== undefined) {
    const idle = median(measured.rss);
    summary.push({
      metric: `daemon idle RSS with ${largest.models.toLocaleString('en')} models (${measured.runtime === 'compiled' ? 'compiled JS' : 'source via tsx'})`,
      value: mib(idle),
      target: atTarget ? '< 150 MB' : `< 150 MB at ${TARGET_SIZE.toLocaleString('en')} (not run at this size)`,
      ...(atTarget ? { met: idle < RSS_TARGET_BYTES } : {}),
    });
  }
  const scanRows = results.map((result) => {
    const scans = distribution(result.scans);
    return [
      result.models.toLocaleString('en'),
      result.files.toLocaleString('en'),
      formatMs(result.createMs),
      formatMs(scans.median),
      formatMs(scans.max),
    ];
  });
  const daemonRows = results.flatMap((result) =>
    result.daemons.map((daemon) => [
      result.models.toLocaleString('en'),
      daemon.runtime === 'compiled' ? 'compiled JS (as shipped)' : 'source via tsx',
      formatMs(daemon.readyMs),
      mib(median(daemon.rss)),
      mib(median(daemon.anonRss)),
      mib(daemon.peakRss),
    ]),
  );
  return {
    name: 'scan',
    title: 'Catalog scan and idle RSS',
    summary,
    details: [
      'Each library is generated on the temp filesystem: models spread over ten categories (46 % LoRAs, 10 % checkpoints, ...), each sorted into ' +
        'base-model and theme subfolders of 60 files, with realistic sizes as sparse files; beside a quarter of the models lie a `.preview.png` ' +
        'and a `.civitai.info`, which the scan must pass over. ' +
        `A scan is \`collectModelFolders\` with the library as its one root, then \`buildCatalog\`; ${options.scanRuns} counted scans after one warm-up scan, ` +
        'so the dentry and inode caches are warm, as on a running system (the page cache is not dropped for this one).',
      '',
      ...markdownTable(['models', 'files', 'created in', 'scan median', 'scan max'], scanRows),
      '',
      ...(daemonRows.length === 0
        ? ['No daemon was started.']
        : [
            'Then a daemon starts with that library as `library.roots`, an empty SSD cache and no ComfyUI. *compiled JS* is the daemon as it ships ' +
              "(src/ transpiled to plain JavaScript and run with `node`); *source via tsx* is how the tests run it, and tsx's loader adds its own " +
              `thread and caches. Both run with the Node flags the daemon ships with (${DAEMON_NODE_FLAGS.join(' ')}). ` +
              `"Ready" is the time from spawning it until \`status\` shows every model. After ${options.settleMs / 1000} s idle ` +
              '(V8 returns the memory the start-up scan used when its memory reducer runs, some 30 s after the daemon goes quiet), ' +
              `VmRSS is read from /proc/<pid>/status ${options.rssSamples} times a second apart (the median is shown), with its anonymous part ` +
              '(RssAnon: the JavaScript and native heaps, without the mapped node binary and libraries); the peak is VmHWM.',
            '',
            ...markdownTable(['models', 'daemon', 'ready after', 'idle RSS', 'of it anonymous', 'peak RSS'], daemonRows),
          ]),
    ],
  };
}

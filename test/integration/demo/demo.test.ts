import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { DETAIL_LORA, LIBRARY, NEEDED, keyOf } from '../../../scripts/demo/demo-models.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface DemoRun {
  readonly code: number | null;
  readonly output: string;
  /** The temp folder the demo said it worked in. */
  readonly workspace: string;
  /** Where TMPDIR pointed: the demo's folder must be gone from it. */
  readonly tmpdir: string;
}

const WORKSPACE_LINE = /^Everything happens in (\S+) and is removed at the end\.$/m;

/**
 * Runs the demo as a user would, with TMPDIR pointed at a folder of the
 * test's own. `whenOutput` sees the output as it grows and may signal the
 * demo process.
 */
async function runDemo(t: ExecutionContext, command: readonly string[], whenOutput?: (output: string, pid: number) => void): Promise<DemoRun> {
  const tmpdir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'arena-demo-test-'));
  t.teardown(() => fs.promises.rm(tmpdir, { recursive: true, force: true }));
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: tmpdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const grow = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    whenOutput?.(output, child.pid!);
  };
  child.stdout.on('data', grow);
  child.stderr.on('data', grow);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const workspace = WORKSPACE_LINE.exec(output)?.[1] ?? '';
  return { code, output, workspace, tmpdir };
}

function assertCleanedUp(t: ExecutionContext, run: DemoRun): void {
  t.true(run.workspace.startsWith(path.join(run.tmpdir, 'arena-demo-')), `the demo works under TMPDIR (${run.workspace})`);
  t.false(fs.existsSync(run.workspace), 'the demo removed its temp folder');
  t.deepEqual(
    fs.readdirSync(run.tmpdir).filter((name) => name.startsWith('arena-demo-')),
    [],
    'nothing of the demo is left in TMPDIR',
  );
}

/** The text of one step, from its heading to the next. */
function stepText(output: string, title: string): string {
  const start = output.search(new RegExp(`^\\[\\d+/\\d+\\] ${title}$`, 'm'));
  if (start < 0) return '';
  const next = output.slice(start + 1).search(/^\[\d+\/\d+\] /m);
  return next < 0 ? output.slice(start) : output.slice(start, start + 1 + next);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test.serial('npm run demo: status ready, the saved workflow prefetched, ls, stats with hits, an eviction, a trim, and no trace left', async (t) => {
  const run = await runDemo(t, ['npm', 'run', '--silent', 'demo']);
  t.is(run.code, 0, run.output);
  t.false(run.output.includes('\x1b['), 'no colour codes when stdout is not a terminal');

  const start = stepText(run.output, 'Start Arena');
  t.regex(start, /^ {2}arenad \S+ · ready · pid \d+/m, 'arenactl status says ready');
  t.regex(start, new RegExp(`library +${LIBRARY.length} models`), 'the whole library is indexed');

  const save = stepText(run.output, 'Save the workflow in ComfyUI');
  for (const model of NEEDED) t.regex(save, new RegExp(`^ +done .*${escape(keyOf(model))} .*sha256 verified$`, 'm'), `${keyOf(model)} copied`);
  t.notRegex(save, /film-grain/, 'the bypassed LoRA is not copied');
  const listing = save.slice(save.indexOf('$ arenactl ls'));
  for (const model of NEEDED) t.regex(listing, new RegExp(`^ +cached +${escape(keyOf(model))} `, 'm'), `ls lists ${keyOf(model)}`);

  const generate = stepText(run.output, 'Generate an image');
  t.regex(generate, new RegExp(`hits +${NEEDED.length} of ${NEEDED.length} model loads`), 'stats counts the run as hits');

  const free = stepText(run.output, 'Free some room');
  const evicted = escape(keyOf(DETAIL_LORA));
  t.regex(free, new RegExp(`^ +evicted ${evicted} \\(`, 'm'));
  const after = free.slice(free.indexOf('$ arenactl ls'));
  t.notRegex(after, new RegExp(evicted), 'ls no longer lists the evicted LoRA');
  for (const model of NEEDED.filter((model) => model !== DETAIL_LORA))
    t.regex(after, new RegExp(`^ +cached +${escape(keyOf(model))} +\\S+ MB +1 `, 'm'));

  const trim = stepText(run.output, 'Let Arena choose what goes');
  t.regex(trim, /^ {2}removed \d+ models?, /m, 'arenactl trim removed something');
  const trimmed = [...trim.matchAll(/^ {4}(\S+\/\S+) /gm)].map((match) => match[1]!);
  t.true(trimmed.length > 0, trim);
  const afterTrim = trim.slice(trim.indexOf('$ arenactl ls'));
  for (const key of trimmed) t.notRegex(afterTrim, new RegExp(escape(key)), `ls no longer lists ${key}`);

  t.regex(run.output, /arenad stopped \(exit code 0\)/);
  t.regex(run.output, /Demo finished in \d+\.\d s\.$/m);
  assertCleanedUp(t, run);
});

test.serial('a daemon that does not come up fails the demo in one line, with the end of its log', async (t) => {
  const run = await runDemo(t, ['npm', 'run', '--silent', 'demo', '--', '--cache.maxBytes', 'banana']);
  t.is(run.code, 1, run.output);
  t.regex(run.output, /^demo failed: arenad exited with code 1 before it was ready$/m);
  t.regex(run.output, /^ {2}arenad: cache\.maxBytes = "banana".*expected a size/m, "the daemon's own words follow");
  t.notRegex(run.output, /Demo finished/);
  assertCleanedUp(t, run);
});

test.serial('Ctrl-C while the daemon runs stops it and removes the temp folder', async (t) => {
  let daemonPid: number | undefined;
  const run = await runDemo(t, [process.execPath, '--import', 'tsx', 'scripts/demo/index.ts'], (output, pid) => {
    const match = / · ready · pid (\d+)/.exec(output);
    if (match && daemonPid === undefined) {
      daemonPid = Number(match[1]);
      process.kill(pid, 'SIGINT');
    }
  });
  t.is(run.code, 130, run.output);
  t.regex(run.output, /^interrupted \(SIGINT\): stopping arenad/m);
  t.not(daemonPid, undefined);
  t.throws(() => process.kill(daemonPid!, 0), { code: 'ESRCH' }, 'the daemon is gone');
  assertCleanedUp(t, run);
});

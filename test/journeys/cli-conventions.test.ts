/**
 * arenactl as a newcomer meets it: output piped into head, -V, several
 * prefetch targets at once, a typo'd workflow name, predict with the daemon
 * down, and the wording of status, trim, stats and sizes. Each journey runs
 * the built binaries in a real bash pipeline (pipefail on).
 */
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { arenactlJson, checkpointWorkflow, downloadModel, makeWorld, repoRoot, sh, startArenad, until, type World } from './helpers/product.js';

const MB = 1_000_000;

/** Waits until the daemon's catalog holds `count` models: a file written seconds ago counts once it has settled. */
async function waitForModels(world: World, count: number): Promise<void> {
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models >= count,
    30_000,
    () => `${count} models in the daemon's catalog`,
  );
}

/** What a terminal shows, without its control sequences (colours, cursor moves) and carriage returns. */
function plainText(screen: string): string {
  return stripVTControlCharacters(screen).replaceAll('\r', '\n');
}

/**
 * `| head -1` as people type it, and `| true`, a reader that leaves before
 * arenactl writes anything: what head does once it has its line, without the
 * race. A command that wrote all of its output before head left exits with
 * its own status (doctor exits 1 when a check fails); one that met the closed
 * pipe exits 0. Neither prints anything on stderr.
 */
async function assertQuietOnClosedPipe(t: ExecutionContext, world: World, command: string): Promise<void> {
  const own = await sh(world, `${command} > /dev/null`);
  const head = await sh(world, `${command} | head -1`);
  t.is(head.stderr, '', `${command} | head -1`);
  t.true(head.code === 0 || head.code === own.code, `${command} | head -1 exited ${head.code}`);
  t.not(head.stdout, '', `${command} | head -1 prints its first line`);
  const gone = await sh(world, `${command} | true`);
  t.is(gone.stderr, '', `${command} | true`);
  t.is(gone.code, 0, `${command} | true`);
}

test.serial('output into a pipe that closes early ends quietly, with and without a daemon', async (t) => {
  const world = await makeWorld(t);
  fs.writeFileSync(path.join(world.home, 'wf.json'), checkpointWorkflow('a.safetensors', 'b.safetensors'));
  for (const command of ['arenactl config show', 'arenactl doctor', 'arenactl predict wf.json', 'arenactl --help', 'arenactl version']) {
    await assertQuietOnClosedPipe(t, world, command);
  }
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 2 * MB);
  await startArenad(t, world);
  await waitForModels(world, 1);
  await sh(world, 'arenactl prefetch checkpoints/a.safetensors --wait');
  for (const command of [
    'arenactl status',
    'arenactl doctor',
    'arenactl predict wf.json',
    'arenactl ls',
    'arenactl stats',
    'arenactl config show',
    'arenactl --help',
  ]) {
    await assertQuietOnClosedPipe(t, world, command);
  }
});

test.serial('-V prints the version as --version does, for arenactl and arenad', async (t) => {
  const world = await makeWorld(t);
  for (const binary of ['arenactl', 'arenad']) {
    const long = await sh(world, `${binary} --version`);
    const short = await sh(world, `${binary} -V`);
    t.is(short.code, 0, `${binary} -V: ${short.stderr}`);
    t.is(short.stderr, '');
    t.regex(short.stdout, /^\d+\.\d+\.\d+\n$/);
    t.is(short.stdout, long.stdout);
  }
});

test.serial('prefetch --wait on a terminal: ETA with its unit, then one summary line; with --json only the document', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 30 * MB);
  downloadModel(path.join(world.nas, 'loras', 'b.safetensors'), 12 * MB);
  downloadModel(path.join(world.nas, 'vae', 'c.safetensors'), 5 * MB);
  await startArenad(t, world);
  await waitForModels(world, 3);
  // `script` gives arenactl a terminal, as in an interactive shell.
  const tty = await sh(world, `script -qec 'arenactl prefetch checkpoints/a.safetensors loras/b.safetensors --wait' /dev/null`);
  const screen = plainText(tty.stdout);
  t.is(tty.code, 0, screen);
  t.regex(screen, /ETA \d+ (s|min)\b/, 'the progress line gives the ETA with its unit');
  t.notRegex(screen, /ETA \d+(\s*\||\s*$)/m, 'never a bare number of seconds');
  const last = screen.trimEnd().split('\n').at(-1)!;
  t.regex(last, /^cached 2 models, 42\.0 MB in \d+(\.\d)? s \(\d+(\.\d)? [kMG]B\/s\)$/, screen);

  const json = await sh(world, `script -qec 'arenactl prefetch vae/c.safetensors checkpoints/a.safetensors --wait --json' /dev/null`);
  t.is(json.code, 0, json.stdout);
  const document = JSON.parse(plainText(json.stdout)) as { summary: { copied: number; bytes: number; alreadyCached: number } };
  t.like(document.summary, { copied: 1, bytes: 5 * MB, alreadyCached: 1 });
});

test.serial('prefetch takes several targets, workflows and CATEGORY/NAME mixed, and waits for them all', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 3 * MB);
  downloadModel(path.join(world.nas, 'checkpoints', 'w.safetensors'), 2 * MB);
  downloadModel(path.join(world.nas, 'loras', 'b.safetensors'), 1 * MB);
  downloadModel(path.join(world.nas, 'vae', 'c.safetensors'), 1 * MB);
  fs.writeFileSync(path.join(world.home, 'portrait.json'), checkpointWorkflow('w.safetensors', 'a.safetensors'));
  await startArenad(t, world);
  await waitForModels(world, 4);

  const text = await sh(world, 'arenactl prefetch portrait.json loras/b.safetensors vae/c.safetensors --wait | cat');
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^cached 4 models, 7\.0 MB in /m);

  const body = await arenactlJson<{
    targets: Array<{ target: string; kind: string; keys: string[] }>;
    outcomes: Array<{ key: string; status: string }>;
  }>(world, 'prefetch portrait.json checkpoints/a.safetensors loras/b.safetensors');
  t.deepEqual(body.targets, [
    { target: 'portrait.json', kind: 'workflow', keys: ['checkpoints/w.safetensors', 'checkpoints/a.safetensors'], unresolved: [] },
    { target: 'checkpoints/a.safetensors', kind: 'model', keys: ['checkpoints/a.safetensors'], unresolved: [] },
    { target: 'loras/b.safetensors', kind: 'model', keys: ['loras/b.safetensors'], unresolved: [] },
  ]);
  // Each model once, however many targets name it.
  t.deepEqual(
    body.outcomes.map((outcome) => [outcome.key, outcome.status]),
    [
      ['checkpoints/w.safetensors', 'cached'],
      ['checkpoints/a.safetensors', 'cached'],
      ['loras/b.safetensors', 'cached'],
    ],
  );
});

test.serial('prefetch of a workflow file that is not there says "no such file", with or without a daemon', async (t) => {
  const world = await makeWorld(t);
  for (const target of ['missing.json', 'renders/out.png', 'shot.WEBP']) {
    const down = await sh(world, `arenactl prefetch ${target}`);
    t.is(down.stderr, `arenactl: no such file: ${target}\n`);
    t.is(down.code, 1);
  }
  await startArenad(t, world);
  const up = await sh(world, 'arenactl prefetch missing.json loras/x.safetensors');
  t.is(up.stderr, 'arenactl: no such file: missing.json\n');
  t.is(up.code, 1);
  const word = await sh(world, 'arenactl prefetch portrait');
  t.is(word.code, 2);
  t.regex(word.stderr, /"portrait" is neither a workflow file \(\.json, \.png, \.webp\) nor CATEGORY\/NAME/);
  // A model file in the current folder is still a model key, not a workflow to parse.
  downloadModel(path.join(world.home, 'checkpoints', 'here.safetensors'), 1 * MB);
  const key = await sh(world, 'arenactl prefetch checkpoints/here.safetensors');
  t.notRegex(key.stderr, /not a workflow/);
  t.regex(key.stderr, /checkpoints\/here\.safetensors/);
  t.is(key.code, 1, 'a model that is in no library root is an error');
});

test.serial('predict with the daemon down resolves against the configured roots, and exits 4 for a missing model', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.comfy, 'models', 'checkpoints', 'a.safetensors'), 1 * MB);
  downloadModel(path.join(world.nas, 'loras', 'b.safetensors'), 1 * MB);
  const extra = path.join(world.base, 'extra');
  downloadModel(path.join(extra, 'vae', 'c.safetensors'), 1 * MB);
  fs.writeFileSync(path.join(world.comfy, 'extra_model_paths.yaml'), `more:\n  base_path: ${extra}\n  vae: vae\n`);
  const workflow = (...names: Array<[string, string]>) =>
    JSON.stringify({
      nodes: names.map(([type, name], index) => ({ id: index + 1, type, mode: 0, widgets_values: [name, 1, 1], inputs: [], properties: {} })),
      links: [],
      version: 0.4,
    });
  fs.writeFileSync(
    path.join(world.home, 'ok.json'),
    workflow(['CheckpointLoaderSimple', 'a.safetensors'], ['LoraLoader', 'b.safetensors'], ['VAELoader', 'c.safetensors']),
  );
  fs.writeFileSync(path.join(world.home, 'typo.json'), workflow(['CheckpointLoaderSimple', 'a.safetensors'], ['LoraLoader', 'bb.safetensors']));

  const ok = await sh(world, 'arenactl predict ok.json');
  t.is(ok.code, 0, ok.stderr);
  t.true(ok.stdout.includes(path.join(world.comfy, 'models', 'checkpoints', 'a.safetensors')), ok.stdout);
  t.true(ok.stdout.includes(path.join(world.nas, 'loras', 'b.safetensors')), ok.stdout);
  t.true(ok.stdout.includes(path.join(extra, 'vae', 'c.safetensors')), ok.stdout);

  const typo = await sh(world, 'arenactl predict typo.json');
  t.is(typo.code, 4, typo.stdout + typo.stderr);
  t.regex(typo.stdout, /unresolved: .*bb\.safetensors.* is not in the library/);
  const json = await sh(world, 'arenactl predict typo.json --json');
  t.is(json.code, 4);
  t.like(JSON.parse(json.stdout), { catalog: 'config', unresolved: [{ name: 'bb.safetensors', reason: 'not-found' }] });

  // --library wins over the configured roots.
  const elsewhere = path.join(world.base, 'elsewhere');
  downloadModel(path.join(elsewhere, 'loras', 'bb.safetensors'), 1 * MB);
  downloadModel(path.join(elsewhere, 'checkpoints', 'a.safetensors'), 1 * MB);
  const library = await sh(world, `arenactl predict typo.json --library ${elsewhere} | head -1`);
  t.is(library.code, 0, library.stderr);

  // With a running daemon it asks the daemon, and exits 4 the same way.
  await startArenad(t, world);
  await waitForModels(world, 3);
  const daemon = await sh(world, 'arenactl predict typo.json --json');
  t.is(daemon.code, 4, daemon.stderr);
  t.is((JSON.parse(daemon.stdout) as { catalog: string }).catalog, 'daemon');
});

test.serial('predict with nothing to resolve against lists the references and exits 0', async (t) => {
  const world = await makeWorld(t, { noLibraryRoot: true });
  fs.rmSync(world.comfy, { recursive: true });
  fs.writeFileSync(path.join(world.home, 'wf.json'), checkpointWorkflow('a.safetensors'));
  const result = await sh(world, 'arenactl predict wf.json');
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /checkpoints\s+a\.safetensors/);
  t.regex(result.stderr, /nothing was looked up/);
});

test.serial('status names each problem once: a missing NAS is one line, and the "now" line does not repeat it', async (t) => {
  const gone = '/nonexistent-nas-for-arena-journeys';
  const world = await makeWorld(t, { env: { ARENA_LIBRARY_ROOTS: gone } });
  fs.writeFileSync(path.join(world.comfy, 'extra_model_paths.yaml'), `nas:\n  base_path: ${gone}\n  checkpoints: checkpoints\n  loras: loras\n`);
  await startArenad(t, world);
  const status = await sh(world, 'arenactl status');
  t.is(status.code, 0);
  const mentions = status.stdout.split('\n').filter((line) => line.includes(gone));
  t.is(mentions.length, 1, status.stdout);
  const body = await arenactlJson<{ problems: string[] }>(world, 'status');
  for (const problem of body.problems) t.is(status.stdout.split(problem).length - 1, 1, `"${problem}" once in:\n${status.stdout}`);
  // The comfy line names the URL once.
  const comfy = status.stdout.split('\n').find((line) => line.startsWith('comfy'))!;
  t.is(comfy.split('http://127.0.0.1:8188').length - 1, 1, comfy);
});

test.serial("README's example of a problem is the text status really prints", async (t) => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const example = /\(for example `(model root (\/\S+) \(library\.roots\) is missing[^`]*)`\)/.exec(readme.replaceAll(/\s*\n\s*/g, ' '));
  t.truthy(example, 'README quotes a missing-root problem');
  const gone = '/nonexistent-nas-for-arena-journeys';
  const world = await makeWorld(t, { env: { ARENA_LIBRARY_ROOTS: gone } });
  await startArenad(t, world);
  const body = await arenactlJson<{ problems: string[] }>(world, 'status');
  t.true(body.problems.includes(example![1]!.replace(example![2]!, gone)), body.problems.join('\n'));
});

test.serial('trim names its target: the low-water mark of the quota, or why there is none', async (t) => {
  const world = await makeWorld(t);
  for (const name of ['a', 'b', 'c']) downloadModel(path.join(world.nas, 'checkpoints', `${name}.safetensors`), 16 * MB);
  const daemon = await startArenad(t, world, { args: '--cache.maxBytes 50MB' });
  await waitForModels(world, 3);
  const empty = await sh(world, 'arenactl trim');
  t.is(empty.stdout, 'nothing to trim: the cache (0 B) is already under its target of 45.0 MB (low water, 90% of 50.0 MB)\n');
  await sh(world, 'arenactl prefetch checkpoints/a.safetensors checkpoints/b.safetensors checkpoints/c.safetensors --wait');
  const dry = await sh(world, 'arenactl trim --dry-run');
  t.is(dry.code, 0);
  t.regex(dry.stdout, /^would remove 1 model, 16\.0 MB, to trim the cache to 45\.0 MB \(low water, 90% of 50\.0 MB\):\n/);
  const to = await sh(world, 'arenactl trim --dry-run --to 20MB');
  t.regex(to.stdout, /^would remove 2 models, 32\.0 MB, to trim the cache to 20\.0 MB \(--to\):\n/);
  await daemon.stop();

  await startArenad(t, world);
  const unlimited = await sh(world, 'arenactl trim');
  t.regex(
    unlimited.stdout,
    /^nothing to trim: the cache \(48\.0 MB\) has no size quota \(cache\.maxBytes is 0\); it is trimmed only when the disk has less than \S+ \S+ free \(cache\.minFreeBytes\)\n$/,
  );
});

test.serial('stats says which counters are since the daemon started and which are all-time', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 2 * MB);
  const daemon = await startArenad(t, world);
  await waitForModels(world, 1);
  await sh(world, 'arenactl prefetch checkpoints/a.safetensors --wait');
  await daemon.stop();
  await startArenad(t, world);
  const text = await sh(world, 'arenactl stats');
  t.is(text.code, 0);
  t.regex(text.stdout, /^since arenad started \(.+ ago\):\n {2}copies +0 done, 0 failed\n/m);
  t.regex(text.stdout, /^all time:\n(?: {2}.*\n)* {2}copied +2\.0 MB\n/m);
  const body = await arenactlJson<{
    prefetch: { completed: number; bytesCopied: number };
    since: { daemonStartedAt: string; daemonStart: string[]; allTime: string[] };
  }>(world, 'stats');
  t.is(body.prefetch.completed, 0);
  t.is(body.prefetch.bytesCopied, 2 * MB);
  t.true(body.since.daemonStart.includes('prefetch.completed'));
  t.true(body.since.allTime.includes('prefetch.bytesCopied'));
  t.true(Date.now() - Date.parse(body.since.daemonStartedAt) < 120_000);
});

test.serial('sizes: 5G in the config shows as 5.0 GB everywhere, and 22 MB cached shows as 22.0 MB', async (t) => {
  const world = await makeWorld(t);
  const config = path.join(world.base, 'arena.yaml');
  fs.writeFileSync(config, 'cache:\n  maxBytes: 5G\n');
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 22 * MB);
  await startArenad(t, world, { args: `--config ${config}` });
  await waitForModels(world, 1);
  await sh(world, 'arenactl prefetch checkpoints/a.safetensors --wait');
  const shown = await sh(world, 'arenactl config show | grep maxBytes');
  t.regex(shown.stdout, /^cache\.maxBytes\s+5\.0 GB \(5000000000\)\s/);
  const stats = await sh(world, 'arenactl stats');
  t.regex(stats.stdout, /cache +22\.0 MB \/ 5\.0 GB in 1 file,/);
  const status = await arenactlJson<{ summary: string }>(world, 'status');
  t.regex(status.summary, /^cache 22\.0 MB \/ 5\.0 GB · /);
});

test.serial('messages: a bad workflow is named once, counts agree with their nouns', async (t) => {
  const world = await makeWorld(t);
  fs.writeFileSync(path.join(world.home, 'notes.json'), '{"a": 1}');
  const bad = await sh(world, 'arenactl predict notes.json');
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^arenactl: notes\.json is not a workflow: the JSON has no "nodes" array/);
  t.notRegex(bad.stderr, /not a workflow: not a workflow/);
  fs.writeFileSync(path.join(world.home, 'one.json'), checkpointWorkflow('a.safetensors'));
  const one = await sh(world, 'arenactl predict one.json');
  t.regex(one.stdout, /UI workflow, 1 model reference\b(?!s)/);
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 1 * MB);
  await startArenad(t, world);
  await waitForModels(world, 1);
  await sh(world, 'arenactl prefetch checkpoints/a.safetensors --wait');
  const stats = await sh(world, 'arenactl stats');
  t.regex(stats.stdout, / in 1 file,/);
  const status = await sh(world, 'arenactl status');
  t.regex(status.stdout, /^library +1 model, 1\.0 MB in \d+ folders?/m);
  // A workflow's model that no category holds: the workflow named, the resolver's sentence said once.
  const custom = {
    nodes: [{ id: 7, type: 'SomeCustomLoader', mode: 0, widgets_values: ['zz.safetensors'], inputs: [], properties: {} }],
    links: [],
    version: 0.4,
  };
  fs.writeFileSync(path.join(world.home, 'custom.json'), JSON.stringify(custom));
  const typo = await sh(world, 'arenactl prefetch custom.json');
  t.is(typo.code, 0, typo.stderr);
  t.regex(typo.stderr, /^custom\.json: "zz\.safetensors" \(node 7, SomeCustomLoader\) is not in the library/m);
  t.is(typo.stderr.split('not in the library').length - 1, 1, typo.stderr);
});

test.serial('help: every command group says what it is for', async (t) => {
  const world = await makeWorld(t);
  for (const group of ['history', 'update', 'config', 'service', 'comfy']) {
    const help = await sh(world, `arenactl ${group} --help`);
    t.is(help.code, 0);
    const description = help.stdout.split('\n')[2]!;
    t.notRegex(description, new RegExp(`^${group} commands$`));
    t.true(description.length > 30, description);
    const listing = await sh(world, 'arenactl --help');
    t.notRegex(listing.stdout, new RegExp(`${group} commands`));
  }
});

test.serial('comfy link --dry-run shows the section and writes nothing; migrate suggests comfy link only while it is missing', async (t) => {
  const world = await makeWorld(t);
  const file = path.join(world.comfy, 'extra_model_paths.yaml');
  const dry = await sh(world, 'arenactl comfy link --dry-run');
  t.is(dry.code, 0, dry.stderr);
  t.false(fs.existsSync(file), 'nothing written');
  t.regex(dry.stdout, /^would create .*extra_model_paths\.yaml with the section arena_cache:\n/);
  t.regex(dry.stdout, /\n {2}arena_cache:\n {4}base_path: .*\n {4}is_default: true\n/);
  const json = await arenactlJson<{ dryRun: boolean; changed: boolean; action: string }>(world, 'comfy link --dry-run');
  t.like(json, { dryRun: true, changed: true, action: 'created' });
  t.false(fs.existsSync(file));

  const before = await sh(world, 'arenactl migrate --dry-run');
  t.regex(before.stdout, /arenactl comfy link/);
  const link = await sh(world, 'arenactl comfy link');
  t.is(link.code, 0, link.stderr);
  const linked = await sh(world, 'arenactl comfy link --dry-run');
  t.regex(linked.stdout, /already lists the Arena cache/);
  const after = await sh(world, 'arenactl migrate --dry-run');
  t.is(after.code, 0, after.stderr);
  t.notRegex(after.stdout, /comfy link/);
});

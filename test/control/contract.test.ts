/**
 * The socket contract against the real daemon: every command's answer, and
 * every event it pushes, read strictly with the contract's schema. A field
 * the code sends that the contract does not list, or one of the wrong type,
 * fails here, so the schemas (and docs/protocol.md, tested against them)
 * cannot drift from what the daemon does.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { ControlClient } from '../../src/control/control-client.js';
import { COMMAND_NAMES, SOCKET_COMMANDS, type CommandName, type CommandResult, type RequestArgs } from '../../src/control/contract/commands.js';
import { EVENT_NAMES, arenaEvent, readEvent } from '../../src/control/contract/events.js';
import type { EventMessage } from '../../src/control/protocol.js';
import { spawnDaemon, type DaemonHandle } from '../helpers/daemon-process.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { randomModel } from '../helpers/fake-hub-harness.js';
import { writeModel } from '../helpers/model-files.js';
import { eventually } from '../helpers/raw-socket.js';
import { strictly } from '../helpers/strict-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const MB = 1024 * 1024;
const TOY = 'checkpoints/toy.safetensors';

/** A failed strict read, as one line per issue: where, and what was wrong. */
function problems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

/** Asks the daemon, reads the answer strictly with the command's result schema, and remembers that the command was checked. */
function checker(t: ExecutionContext, daemon: DaemonHandle, checked: Set<CommandName>) {
  return async <Name extends CommandName>(name: Name, ...args: RequestArgs<Name>): Promise<CommandResult<Name>> => {
    const result = await daemon.request(name, ...args);
    const read = strictly(SOCKET_COMMANDS[name].result).safeParse(result);
    t.true(read.success, `${name}: ${read.success ? '' : problems(read.error)}\n${JSON.stringify(result)}`);
    checked.add(name);
    return result;
  };
}

test('every command answers in the shape of its result schema, and every event in the shape of its own', async (t) => {
  const home = await tempDir(t, 'arena-contract-');
  const nas = path.join(home, 'nas');
  const manifest = path.join(home, 'manifest.yaml');
  writeModel(path.join(nas, 'checkpoints', 'sdxl.safetensors'), 2 * MB);
  writeModel(path.join(nas, 'loras', 'a.safetensors'), MB);
  writeModel(path.join(nas, 'loras', 'unknown.safetensors'), 4096);
  // A tracked model with a newer version on the hub, an untracked one CivitAI knows, and a malformed entry.
  const hub = await FakeHub.start(t);
  const v1 = randomModel(MB);
  hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(path.join(nas, TOY), v1);
  const past = new Date(Date.now() - 3_600_000);
  await fs.utimes(path.join(nas, TOY), past, past);
  hub.publishHf('acme/toy', 'toy.safetensors', randomModel(MB));
  const known = randomModel(8192);
  hub.publishCivitai(4321, { name: 'v2.0', files: [{ name: 'known.safetensors', bytes: known }] });
  await fs.writeFile(path.join(nas, 'loras', 'known.safetensors'), known);
  await fs.utimes(path.join(nas, 'loras', 'known.safetensors'), past, past);
  await fs.writeFile(
    manifest,
    stringify({
      models: [
        { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } },
        { target: 'loras/broken.safetensors', civitai: {} },
      ],
    }),
  );

  const daemon = await spawnDaemon(t, {
    home,
    env: {
      ARENA_LIBRARY_ROOTS: nas,
      ARENA_CACHE_ROOT: path.join(home, 'ssd'),
      ARENA_UPDATES_MANIFEST: manifest,
      ARENA_UPDATE_WINDOWS: 'Sat 02:00-05:00',
      ARENA_HF_ENDPOINT: hub.endpoint,
      ARENA_CIVITAI_ENDPOINT: hub.endpoint,
    },
  });
  await daemon.waitForState((status) => status.library.models === 5, 'the library scanned');
  const events: EventMessage[] = [];
  const listener = await ControlClient.connect(daemon.socketPath);
  t.teardown(() => listener.close());
  await listener.subscribe([], (event) => events.push(event));

  const checked = new Set<CommandName>();
  const ask = checker(t, daemon, checked);
  const hello = await ask('hello', { protocol: 1 });
  t.deepEqual(hello.commands, [...COMMAND_NAMES].sort(), 'the daemon answers exactly the commands of the contract');
  t.deepEqual(await ask('subscribe', { topics: ['prefetch', 'update.installed'] }), { subscribed: ['prefetch', 'update.installed'] });
  await ask('config.show');
  await ask('history.file');
  const resolution = await ask('resolve', {
    workflow: {
      format: 'api',
      container: 'json',
      refs: [
        { category: 'checkpoints', name: 'sdxl.safetensors', nodeId: '4', nodeType: 'CheckpointLoaderSimple', input: 'ckpt_name', via: 'loader' },
        { category: 'loras', name: 'a.safetensor', nodeId: '5', nodeType: 'LoraLoader', input: 'lora_name', via: 'loader' },
        { category: null, name: 'unknown.safetensors', nodeId: '6', nodeType: 'CustomLoader', via: 'custom' },
      ],
      inactive: [{ category: 'loras', name: 'a.safetensors', nodeId: '7', nodeType: 'LoraLoader', input: 'lora_name', via: 'loader' }],
      warnings: [],
    },
  });
  t.like(resolution.refs[0], { key: 'checkpoints/sdxl.safetensors', bytes: 2 * MB });
  t.like(resolution.unresolved[0], { name: 'a.safetensor', reason: 'not-found' });

  const queued = await ask('prefetch', { models: [{ category: 'checkpoints', name: 'sdxl.safetensors' }] });
  t.like(queued.outcomes[0], { status: 'queued', bytes: 2 * MB });
  await ask('ls');
  t.like((await ask('prefetch', { models: [{ category: 'loras', name: 'later.safetensors' }], wantMissing: true })).outcomes[0], {
    status: 'wanted',
    reason: 'missing',
  });
  t.like(
    (await ask('prefetch', { models: [{ category: 'loras', name: 'zz.safetensors' }], priority: 'warm', origin: 'contract test' })).outcomes[0],
    {
      status: 'skipped',
      reason: 'not-found',
    },
  );
  t.like(await ask('pin', { key: 'loras/a.safetensors' }), { key: 'loras/a.safetensors' });
  await eventually(
    async () => (await daemon.request('ls')).entries.filter((entry) => entry.state === 'cached').length === 2,
    30_000,
    'both copies cached',
  );
  t.true((await ask('ls')).entries.every((entry) => entry.state === 'cached'));
  await ask('stats');
  const status = await ask('status');
  t.is(status.wanted.length, 1, 'the status lists the wanted model');
  t.like(await ask('unpin', { key: 'loras/a.safetensors' }), { pinned: false });
  t.like(await ask('evict', { key: 'checkpoints/sdxl.safetensors' }), { bytes: 2 * MB });
  t.like(await ask('trim', { dryRun: true, toBytes: 0 }), { dryRun: true, targetBytes: 0 });

  const check = await ask('update.check');
  t.deepEqual(check.entries.map((entry) => entry.status).sort(), ['available', 'error']);
  await ask('update.status');
  t.like((await ask('update.run', { targets: [TOY] })).entries[0], { target: TOY, status: 'updated' });
  await ask('update.history');
  const identified = await ask('update.identify');
  t.like(
    identified.files.find((file) => file.target === 'loras/known.safetensors'),
    { civitai: { modelId: 4321 } },
  );
  t.like(await ask('update.rollback', { target: TOY }), { target: TOY });
  t.deepEqual([...checked].sort(), [...COMMAND_NAMES].sort(), 'every command of the contract was checked');

  daemon.signal('SIGTERM');
  await eventually(() => events.some((event) => event.event === 'daemon.stopping'), 30_000, 'the stopping event');
  const strictEvent = strictly(arenaEvent);
  for (const event of events) {
    const read = strictEvent.safeParse(event);
    t.true(read.success, `${event.event}: ${read.success ? '' : problems(read.error)}\n${JSON.stringify(event)}`);
  }
  const seen = new Set(events.map((event) => event.event));
  for (const name of [
    'prefetch.queued',
    'prefetch.started',
    'prefetch.done',
    'cache.evicted',
    'wanted.added',
    'update.checked',
    'update.installed',
    'update.rolledback',
  ]) {
    t.true(seen.has(name), `${name} was pushed`);
  }
  t.true(
    [...seen].every((name) => (EVENT_NAMES as readonly string[]).includes(name)),
    `only events of the contract: ${[...seen].join(', ')}`,
  );
});

test('a strict read refuses a field the schema does not name, however deep', (t) => {
  const stats = {
    hits: 1,
    misses: 0,
    hitRatio: 1,
    cache: { bytes: 1, files: 1, maxBytes: 0, freeBytes: 1 },
    prefetch: { queued: 0, active: 0, completed: 1, failed: 0, bytesCopied: 1 },
    evictions: 0,
  };
  const schema = strictly(SOCKET_COMMANDS.stats.result);
  t.true(schema.safeParse(stats).success);
  t.false(schema.safeParse({ ...stats, cache: { ...stats.cache, extra: 1 } }).success);
  t.true(
    SOCKET_COMMANDS.stats.result.safeParse({ ...stats, added: 'in a later version' }).success,
    'the contract itself lets an older client read a newer daemon',
  );
});

test('readEvent types the events of the contract and skips what it cannot read', (t) => {
  const done = readEvent({ event: 'prefetch.done', key: 'loras/a.safetensors', bytes: 10, durationMs: 5, bytesPerSecond: 2000 });
  t.is(done?.event === 'prefetch.done' ? done.bytes + done.durationMs : undefined, 15);
  t.is(
    readEvent({ event: 'prefetch.done', key: 'loras/a.safetensors', bytes: '10', durationMs: 5, bytesPerSecond: 2000 }),
    undefined,
    'a number sent as a string',
  );
  t.is(readEvent({ event: 'prefetch.later', key: 'loras/a.safetensors' }), undefined, 'an event of a newer daemon');
  t.is(readEvent('prefetch.done'), undefined);
});

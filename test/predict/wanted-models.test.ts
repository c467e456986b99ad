import test from 'ava';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { PrefetchPriority } from '../../src/core/admission.js';
import { silentLogger } from '../../src/log/logger.js';
import { WANTED_FILE, WantedModels, type WantedEvent } from '../../src/predict/wanted-models.js';
import { MemoryCatalog, type MemoryFile } from '../helpers/memory-catalog.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A library stand-in: a catalog the test fills, files it says are settling, and the commit events. */
class FakeLibrary extends EventEmitter {
  files: MemoryFile[] = [];
  settlingFiles = new Set<string>();
  get catalog() {
    return new MemoryCatalog(this.files);
  }
  settling(category: string | null, name: string) {
    return this.settlingFiles.has(`${category}/${name}`) ? { path: `/nas/${category}/${name}`, bytes: 1 } : undefined;
  }
  land(file: MemoryFile): void {
    this.files.push(file);
    this.emit('added', this.catalog.lookup(file.category, file.name));
  }
}

interface Requested {
  models: Array<{ category: string; name: string }>;
  priority: PrefetchPriority;
  origin: string;
  pin: boolean;
}

async function setup(t: Parameters<typeof tempDir>[0], library = new FakeLibrary(), stateDir?: string) {
  const dir = stateDir ?? (await tempDir(t, 'arena-wanted-'));
  const requested: Requested[] = [];
  const events: WantedEvent[] = [];
  const wanted = new WantedModels({
    stateDir: dir,
    library,
    request: (models, priority, origin, pin) => requested.push({ models, priority, origin, pin }),
    logger: silentLogger,
  });
  wanted.on('event', (event) => events.push(event));
  await wanted.start();
  t.teardown(() => wanted.stop());
  return { wanted, library, requested, events, dir };
}

test('a wanted model is requested once its file is committed, at its first priority and for its origin', async (t) => {
  const { wanted, library, requested, events } = await setup(t);
  library.settlingFiles.add('checkpoints/a.safetensors');
  wanted.note('workflow w.json saved', [{ category: 'checkpoints', name: 'a.safetensors' }], { priority: 'workflow', replace: true });
  t.like(wanted.list()[0], { category: 'checkpoints', name: 'a.safetensors', reason: 'settling', origin: 'workflow w.json saved' });
  library.settlingFiles.clear();
  t.is(wanted.list()[0]!.reason, 'missing', 'the reason is what the library says now');
  library.land({ category: 'loras', name: 'a.safetensors' });
  t.deepEqual(requested, [], 'a file of another category is not it');
  library.land({ category: 'checkpoints', name: 'a.safetensors' });
  t.deepEqual(requested, [
    { models: [{ category: 'checkpoints', name: 'a.safetensors' }], priority: 'workflow', origin: 'workflow w.json saved', pin: false },
  ]);
  t.deepEqual(wanted.list(), []);
  t.deepEqual(
    events.map((event) => event.event),
    ['wanted.added', 'wanted.released'],
  );
});

test('the list is saved and read back; what arrived while the daemon was down is requested at start', async (t) => {
  const first = await setup(t);
  first.wanted.note(
    'w.json',
    [
      { category: 'checkpoints', name: 'a.safetensors' },
      { category: 'vae', name: 'v.safetensors' },
    ],
    { priority: 'workflow', replace: true },
  );
  await first.wanted.stop();
  const saved = JSON.parse(fs.readFileSync(path.join(first.dir, WANTED_FILE), 'utf8')) as { entries: unknown[] };
  t.is(saved.entries.length, 2);

  const library = new FakeLibrary();
  library.files.push({ category: 'vae', name: 'v.safetensors' });
  const second = await setup(t, library, first.dir);
  t.deepEqual(
    second.requested.map((request) => request.models),
    [[{ category: 'vae', name: 'v.safetensors' }]],
  );
  t.deepEqual(
    second.wanted.list().map((entry) => entry.name),
    ['a.safetensors'],
  );
});

test('an unreadable saved list starts empty rather than failing the start', async (t) => {
  const dir = await tempDir(t, 'arena-wanted-');
  fs.writeFileSync(path.join(dir, WANTED_FILE), '{"version": 1, "entries": [{"category": 3}');
  const { wanted } = await setup(t, new FakeLibrary(), dir);
  t.deepEqual(wanted.list(), []);
  wanted.note('w', [{ category: 'loras', name: 'x.safetensors' }], { priority: 'warm', replace: false });
  await eventually(
    () => fs.readFileSync(path.join(dir, WANTED_FILE), 'utf8').includes('x.safetensors'),
    2000,
    () => 'the list saved over the bad file',
  );
});

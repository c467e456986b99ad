import test from 'ava';
import sinon from 'sinon';
import { Settler } from '../../src/library/settle.js';
import type { ScannedModel } from '../../src/library/scan.js';

function file(size: number, mtimeMs: number, name = 'big.safetensors'): ScannedModel {
  return { category: 'checkpoints', name, folder: '/lib/checkpoints', path: `/lib/checkpoints/${name}`, size, mtimeMs };
}

/** A settler over a fake disk whose file state the test sets. */
function setup() {
  const clock = sinon.useFakeTimers();
  const disk = new Map<string, ScannedModel>();
  const committed: ScannedModel[] = [];
  const settler = new Settler({
    settleMs: 2000,
    restat: (observed) => Promise.resolve(disk.get(observed.name)),
    commit: (model) => committed.push(model),
    onError: (error) => {
      throw error;
    },
  });
  const write = (model: ScannedModel) => {
    disk.set(model.name, model);
    settler.observe(model);
  };
  return { clock, disk, committed, settler, write };
}

test.serial('a file counts only after it stayed unchanged for settleMs', async (t) => {
  const { clock, committed, write } = setup();
  t.teardown(() => clock.restore());
  write(file(100, 1));
  await clock.tickAsync(1500);
  write(file(200, 2));
  await clock.tickAsync(1500);
  write(file(300, 3));
  await clock.tickAsync(1999);
  t.deepEqual(committed, [], 'still being written');
  await clock.tickAsync(1);
  t.deepEqual(committed, [file(300, 3)]);
});

test.serial('a file that grew without an event is caught by the check and waits for settleMs after its last write', async (t) => {
  const { clock, committed, disk, write } = setup();
  t.teardown(() => clock.restore());
  write(file(100, 1));
  // Written again at 1800 ms, with no event: the check at 2000 sees the change.
  await clock.tickAsync(1800);
  disk.set('big.safetensors', file(150, 1800));
  await clock.tickAsync(200);
  t.deepEqual(committed, []);
  await clock.tickAsync(1799);
  t.deepEqual(committed, [], 'not before settleMs after the last write');
  await clock.tickAsync(1);
  t.deepEqual(committed, [file(150, 1800)]);
});

test.serial('a change that ended long before the check saw it waits a quarter window, not a whole one', async (t) => {
  const { clock, committed, disk, write } = setup();
  t.teardown(() => clock.restore());
  write(file(100, 1));
  // The rest arrived at 10 ms (a poll, or a folder the watch did not cover yet) and nothing since.
  disk.set('big.safetensors', file(150, 10));
  await clock.tickAsync(2000);
  t.deepEqual(committed, []);
  await clock.tickAsync(499);
  t.deepEqual(committed, []);
  await clock.tickAsync(1);
  t.deepEqual(committed, [file(150, 10)]);
});

test.serial('a file that keeps changing is checked again and again and never counts while it does', async (t) => {
  const { clock, committed, disk, write } = setup();
  t.teardown(() => clock.restore());
  write(file(0, 0));
  for (let step = 1; step <= 20; step += 1) {
    await clock.tickAsync(400);
    disk.set('big.safetensors', file(step * 100, step * 400));
  }
  t.deepEqual(committed, []);
  await clock.tickAsync(2000);
  t.deepEqual(committed, [file(2000, 8000)]);
});

test.serial('seeing the same state again does not push the deadline back', async (t) => {
  const { clock, committed, settler, write } = setup();
  t.teardown(() => clock.restore());
  write(file(100, 1));
  await clock.tickAsync(1900);
  settler.observe(file(100, 1));
  await clock.tickAsync(100);
  t.deepEqual(committed, [file(100, 1)]);
});

test.serial('a file that vanished before settling is dropped, and forget cancels pending files', async (t) => {
  const { clock, committed, disk, settler, write } = setup();
  t.teardown(() => clock.restore());
  write(file(100, 1, 'a.safetensors'));
  write(file(100, 1, 'b.safetensors'));
  disk.delete('a.safetensors');
  settler.forget((model) => model.name === 'b.safetensors');
  t.false(settler.isPending(file(100, 1, 'b.safetensors')));
  await clock.tickAsync(5000);
  t.deepEqual(committed, []);
  t.false(settler.isPending(file(100, 1, 'a.safetensors')));
});

test.serial('a failing check is reported, not thrown', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const errors: unknown[] = [];
  const settler = new Settler({
    settleMs: 10,
    restat: () => Promise.reject(new Error('EIO')),
    commit: () => t.fail('nothing settles'),
    onError: (error) => errors.push(error),
  });
  settler.observe(file(1, 1));
  await clock.tickAsync(10);
  t.is(errors.length, 1);
  t.false(settler.isPending(file(1, 1)));
});

import test from 'ava';
import sinon from 'sinon';
import { systemClock, type UpdateClock } from '../../src/update/update-clock.js';
import { fakeUpdateClock as fakeClock } from '../helpers/fake-hub-harness.js';
import type { WindowSpan } from '../../src/update/window-calendar.js';
import { WindowScheduler } from '../../src/update/window-scheduler.js';
import { at, windows } from '../helpers/update-windows.js';

// Every test here is serial: the last one fakes the process's own timers.

function recorder(text: string, clock: UpdateClock): { scheduler: WindowScheduler; opened: WindowSpan[]; closed: WindowSpan[] } {
  const opened: WindowSpan[] = [];
  const closed: WindowSpan[] = [];
  const scheduler = new WindowScheduler({ windows: windows(text), clock, onOpen: (span) => opened.push(span), onClose: (span) => closed.push(span) });
  return { scheduler, opened, closed };
}

test.serial('a window opens and closes on the clock, and the next one is scheduled', (t) => {
  const { clock, updateClock } = fakeClock(at(3, 12));
  const { scheduler, opened, closed } = recorder('Sat 02:00-05:00', updateClock);
  scheduler.start();
  t.teardown(() => scheduler.stop());
  t.deepEqual(opened, []);
  t.deepEqual(scheduler.next, { opensAt: at(4, 2), closesAt: at(4, 5) });

  clock.tick(at(4, 2) - at(3, 12) - 1);
  t.deepEqual(opened, [], 'not a millisecond early');
  clock.tick(1);
  t.deepEqual(opened, [{ opensAt: at(4, 2), closesAt: at(4, 5) }]);
  t.deepEqual(scheduler.current, { opensAt: at(4, 2), closesAt: at(4, 5) });

  clock.tick(3 * 3_600_000);
  t.deepEqual(closed, [{ opensAt: at(4, 2), closesAt: at(4, 5) }]);
  t.is(scheduler.current, undefined);
  t.deepEqual(scheduler.next, { opensAt: at(11, 2), closesAt: at(11, 5) });

  clock.tick(at(11, 2) - at(4, 5));
  t.is(opened.length, 2);
});

test.serial('starting inside a window opens it at once', (t) => {
  const { updateClock } = fakeClock(at(4, 3));
  const { scheduler, opened } = recorder('Sat 02:00-05:00', updateClock);
  scheduler.start();
  t.teardown(() => scheduler.stop());
  t.deepEqual(opened, [{ opensAt: at(4, 2), closesAt: at(4, 5) }]);
});

test.serial('a window that another holds open does not close in between', (t) => {
  const { clock, updateClock } = fakeClock(at(4, 1));
  const { scheduler, opened, closed } = recorder('Sat 02:00-05:00, 0 4 * * 6 2h', updateClock);
  scheduler.start();
  t.teardown(() => scheduler.stop());
  clock.tick(at(4, 5, 30) - at(4, 1));
  t.is(opened.length, 1);
  t.deepEqual(closed, []);
  clock.tick(at(4, 6) - at(4, 5, 30));
  t.is(closed.length, 1);
});

test.serial('stop cancels what is scheduled', (t) => {
  const { clock, updateClock } = fakeClock(at(3, 12));
  const { scheduler, opened } = recorder('Sat 02:00-05:00', updateClock);
  scheduler.start();
  scheduler.stop();
  clock.tick(7 * 86_400_000);
  t.deepEqual(opened, []);
});

test.serial('the system clock fires through node-schedule, days ahead, and can be cancelled', (t) => {
  const clock = sinon.useFakeTimers({ now: at(3, 12), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  let fired = 0;
  let cancelledFired = 0;
  systemClock.at(at(4, 2), () => (fired += 1));
  const cancel = systemClock.at(at(4, 3), () => (cancelledFired += 1));
  cancel();
  clock.tick(at(4, 2) - at(3, 12) - 1000);
  t.is(fired, 0);
  clock.tick(2000);
  t.is(fired, 1);
  clock.tick(2 * 3_600_000);
  t.is(cancelledFired, 0);
  t.is(systemClock.now(), clock.now);
});

import test from 'ava';

// The tests with fake timers run serially: sinon installs one clock per process.
import sinon from 'sinon';
import { NotifyChannel, oneLineStatus, systemdNotifyArgs, type NotifyMessage } from '../../src/daemon/notify-channel.js';
import { ServiceNotifications } from '../../src/daemon/notify-service.js';
import { LoopWatchdog, watchdogTimeoutMs } from '../../src/daemon/watchdog.js';
import { silentLogger } from '../../src/log/logger.js';
import { recordingLogger } from '../predict/recording-logger.js';

/** A sender that records each message and finishes only when told, so a test sees what queues behind it. */
function gatedSender() {
  const sent: NotifyMessage[] = [];
  const gates: Array<() => void> = [];
  return {
    sent,
    send: (message: NotifyMessage) =>
      new Promise<void>((resolve) => {
        sent.push({ ...message });
        gates.push(resolve);
      }),
    release() {
      gates.shift()?.();
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('systemd-notify gets --pid and one KEY=VALUE argument per field; STATUS is one line', (t) => {
  t.deepEqual(systemdNotifyArgs({ READY: '1', STATUS: 'cache 1 GB\nidle' }, 42), ['--pid=42', 'READY=1', 'STATUS=cache 1 GB idle']);
  t.is(oneLineStatus('x'.repeat(1000)).length, 400);
});

test('messages go out one at a time, in order; status and watchdog lines wait and ride along with the next message', async (t) => {
  const sender = gatedSender();
  const channel = new NotifyChannel(sender.send, silentLogger);
  const first = channel.post({ READY: '1', STATUS: 'ready' });
  // Not awaited here: they queue behind the first message; each resolves once the message it rides in is sent.
  const riding = [channel.post({ STATUS: 'copying a' }), channel.post({ WATCHDOG: '1' }), channel.post({ STATUS: 'copying b' })];
  await tick();
  t.deepEqual(sender.sent, [{ READY: '1', STATUS: 'ready' }], 'one systemd-notify at a time');
  sender.release();
  await first;
  await tick();
  t.deepEqual(sender.sent[1], { STATUS: 'copying b', WATCHDOG: '1' }, 'three posts became one run, with the latest status');
  sender.release();
  await channel.idle();
  await Promise.all(riding);
  t.is(sender.sent.length, 2);
});

test('two state changes never share a message, so systemd sees RELOADING before READY', async (t) => {
  const sender = gatedSender();
  const channel = new NotifyChannel(sender.send, silentLogger);
  const posts = [
    channel.post({ STATUS: 'busy' }),
    channel.post({ RELOADING: '1' }),
    channel.post({ READY: '1', STATUS: 'ready' }),
    channel.post({ STOPPING: '1' }),
  ];
  for (let index = 0; index < 4; index++) {
    await tick();
    sender.release();
  }
  await channel.idle();
  await Promise.all(posts);
  t.deepEqual(sender.sent, [{ STATUS: 'busy' }, { RELOADING: '1' }, { READY: '1', STATUS: 'ready' }, { STOPPING: '1' }]);
});

test('a failing systemd-notify is logged once per run of failures and never thrown', async (t) => {
  const log = recordingLogger();
  let fail = true;
  const channel = new NotifyChannel(() => (fail ? Promise.reject(new Error('notify socket refused')) : Promise.resolve()), log.logger);
  await channel.post({ STATUS: 'a' });
  await channel.post({ STATUS: 'b' });
  t.is(log.at('warn').length, 1);
  t.true(log.has('warn', /telling systemd failed/));
  fail = false;
  await channel.post({ STATUS: 'c' });
  t.true(log.has('info', /work again/));
});

test('without the systemd-notify binary the channel says so once and stops trying', async (t) => {
  const log = recordingLogger();
  let runs = 0;
  const channel = new NotifyChannel(() => {
    runs += 1;
    return Promise.reject(Object.assign(new Error('spawn systemd-notify ENOENT'), { code: 'ENOENT' }));
  }, log.logger);
  await channel.post({ READY: '1' });
  await channel.post({ WATCHDOG: '1' });
  t.is(runs, 1);
  t.true(log.has('warn', /systemd-notify is not installed/));
});

test('watchdogTimeoutMs reads WATCHDOG_USEC, and only for the process WATCHDOG_PID names', (t) => {
  t.is(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000' }, 7), 30_000);
  t.is(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 30_000);
  t.is(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7), undefined, 'a child that inherited the variables is not watched');
  t.is(watchdogTimeoutMs({}, 7), undefined);
  t.is(watchdogTimeoutMs({ WATCHDOG_USEC: 'soon' }, 7), undefined);
});

test.serial('the watchdog pings at half the timeout while the loop runs freely', (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  let pings = 0;
  const watchdog = new LoopWatchdog({ timeoutMs: 8000, ping: () => (pings += 1), logger: silentLogger });
  watchdog.start();
  clock.tick(0);
  t.is(pings, 1, 'the first ping goes out at once');
  clock.tick(3999);
  t.is(pings, 1);
  clock.tick(1000);
  t.is(pings, 2);
  clock.tick(40_000);
  t.is(pings, 12, 'one every 4 s');
  watchdog.stop();
  clock.tick(40_000);
  t.is(pings, 12);
});

test.serial('a loop that ran late holds the ping back until it runs freely again', (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const log = recordingLogger();
  let pings = 0;
  const watchdog = new LoopWatchdog({ timeoutMs: 8000, ping: () => (pings += 1), logger: log.logger });
  watchdog.start();
  clock.tick(0);
  t.is(pings, 1);
  // The loop is stuck for 5 s: no timer fires meanwhile, and the next probe finds itself 5 s late.
  clock.setSystemTime(Date.now() + 5000);
  clock.tick(1000);
  t.is(pings, 1, 'no ping from a loop that was just blocked');
  t.true(log.has('warn', /event loop was blocked/));
  clock.tick(1000);
  t.is(pings, 2, 'the next probe on time pings');
  t.true(log.has('info', /runs freely again/));
  watchdog.stop();
});

test('outside systemd nothing is sent and no timer runs', async (t) => {
  const send = sinon.fake.resolves(undefined);
  const notifications = new ServiceNotifications({ env: { WATCHDOG_USEC: '1000000' }, pid: 1, logger: silentLogger, summary: () => 'idle', send });
  t.false(notifications.enabled);
  notifications.start();
  await notifications.ready();
  await notifications.reloading();
  await notifications.reloaded();
  await notifications.stopping();
  await notifications.close();
  t.is(send.callCount, 0);
});

test.serial('under systemd: status while starting, READY=1 with the summary, status only on change, RELOADING then READY, STOPPING', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const sent: NotifyMessage[] = [];
  let summary = 'starting';
  const notifications = new ServiceNotifications({
    env: { NOTIFY_SOCKET: '/run/systemd/notify' },
    pid: 1,
    logger: silentLogger,
    summary: () => summary,
    statusIntervalMs: 5000,
    send: (message) => {
      sent.push({ ...message });
      return Promise.resolve();
    },
  });
  t.true(notifications.enabled);
  await notifications.reloading();
  t.deepEqual(sent, [], 'a reload before start-up is complete says nothing');
  notifications.start();
  await clock.tickAsync(0);
  t.deepEqual(sent, [{ STATUS: 'starting' }]);

  summary = 'cache 0 B · idle';
  await notifications.ready();
  t.deepEqual(sent.at(-1), { READY: '1', STATUS: 'cache 0 B · idle' });
  await clock.tickAsync(15_000);
  t.is(sent.length, 2, 'an unchanged summary is not sent again');
  summary = 'cache 0 B · copying a.safetensors 10%';
  await clock.tickAsync(5000);
  t.deepEqual(sent.at(-1), { STATUS: 'cache 0 B · copying a.safetensors 10%' });

  await notifications.reloading();
  await notifications.reloaded();
  t.deepEqual(sent.slice(-2), [{ RELOADING: '1', STATUS: 'reloading the configuration' }, { READY: '1', STATUS: 'cache 0 B · copying a.safetensors 10%' }]);

  await notifications.stopping();
  t.deepEqual(sent.at(-1), { STOPPING: '1', STATUS: 'stopping' });
  const count = sent.length;
  summary = 'something new';
  await clock.tickAsync(20_000);
  t.is(sent.length, count, 'no status updates while stopping');
  await notifications.close();
});

test.serial('with WATCHDOG_USEC the pings go out through the same channel', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const sent: NotifyMessage[] = [];
  const notifications = new ServiceNotifications({
    env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '2000000' },
    pid: 1,
    logger: silentLogger,
    summary: () => 'idle',
    send: (message) => {
      sent.push({ ...message });
      return Promise.resolve();
    },
  });
  notifications.start();
  await clock.tickAsync(5000);
  t.true(sent.filter((message) => message.WATCHDOG === '1').length >= 4, JSON.stringify(sent));
  await notifications.close();
  const count = sent.length;
  await clock.tickAsync(5000);
  t.is(sent.length, count, 'close ends the pings');
});

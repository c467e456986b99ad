/**
 * Journey: arenad was killed (a crash, an OOM kill), and two starts follow
 * at once: the service manager's and the user's own. Both find the lock
 * the dead daemon left; exactly one may take it and run, and the other
 * says which arenad holds the state folder.
 */
import test from 'ava';
import path from 'node:path';
import { makeWorld, sh, startArenad, until, type RunningDaemon } from './helpers/product.js';

const RUNNING = /arenad \S+ (ready|degraded) pid=/;

test.serial('two arenads started together after a SIGKILL: one runs, the other names it and exits 1', async (t) => {
  const world = await makeWorld(t);
  let killed = await startArenad(t, world);
  for (let round = 0; round < 3; round += 1) {
    killed.process.kill('SIGKILL');
    await killed.exited;
    const starts = ['first', 'second'].map((name) =>
      startArenad(t, world, { ready: false, env: { ARENA_SOCKET: path.join(world.base, `${name}-${round}.sock`) } }),
    );
    const daemons: RunningDaemon[] = await Promise.all(starts);
    // Node sets the exit code (or the signal) of a child that has ended.
    const ended = (daemon: RunningDaemon) => daemon.process.exitCode !== null || daemon.process.signalCode !== null;
    await until(
      () => daemons.every((daemon) => ended(daemon) || RUNNING.test(daemon.output())),
      60_000,
      () => daemons.map((daemon) => daemon.output()).join('\n---\n'),
    );
    const running = daemons.filter((daemon) => RUNNING.test(daemon.output()));
    t.is(running.length, 1, `round ${round}: exactly one runs`);
    const [winner] = running;
    const loser = daemons.find((daemon) => daemon !== winner)!;
    t.is(await loser.exited, 1);
    t.regex(
      loser.output(),
      new RegExp(`not started: another arenad \\(pid ${winner!.process.pid}, running since .*\\) already uses ${world.stateDir}`),
    );
    const socket = path.join(world.base, `${daemons.indexOf(winner!) === 0 ? 'first' : 'second'}-${round}.sock`);
    const status = await sh(world, 'arenactl status --json', { env: { ARENA_SOCKET: socket } });
    t.regex(status.stdout, new RegExp(`"pid":\\s*${winner!.process.pid}`), `round ${round}: the one that runs answers`);
    killed = winner!;
  }
});

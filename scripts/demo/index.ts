/**
 * `npm run demo`: ComfyUI Arena at work in under a minute, in a throwaway
 * folder. It builds a ComfyUI install with a fake NAS library, starts the
 * daemon on it, and walks through saving a workflow, the prefetch, a run's
 * hits and an eviction, with the real arenactl output. Everything lives in
 * one temp folder (under $TMPDIR), removed at the end, on failure and on
 * Ctrl-C.
 *
 *   npm run demo [-- ARENAD_FLAGS...]     e.g. npm run demo -- --prefetch.verify size
 *
 * Exits 0 when every step happened, 1 when one did not (with the reason and
 * the end of the daemon's log), 130 when interrupted.
 */
import { messageOf } from '../../src/core/arena-error.js';
import { DemoSession } from './demo-session.js';
import { Narrator } from './narrator.js';
import { createSandbox, removeSandbox } from './sandbox.js';
import { STEPS } from './steps.js';

const LOG_TAIL_LINES = 30;
const INTERRUPTED = 130;

async function main(daemonArgs: readonly string[]): Promise<number> {
  const startedAt = performance.now();
  const narrator = new Narrator(process.stdout, process.env);
  const sandbox = await createSandbox();
  const session = new DemoSession(sandbox, narrator, daemonArgs);

  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await session.stopDaemon();
      await removeSandbox(sandbox);
    })());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      narrator.status('');
      narrator.failure(`\ninterrupted (${signal}): stopping arenad and removing ${sandbox.root}`);
      narrator.mute();
      session.interrupt();
      // The narrator is muted by now; a clean-up that fails leaves the sandbox behind, which the user must hear about.
      void cleanUp()
        .catch((error: unknown) => process.stderr.write(`demo: could not clean up ${sandbox.root}: ${messageOf(error)}\n`))
        .finally(() => process.exit(INTERRUPTED));
    });
  }

  narrator.title('ComfyUI Arena demo');
  narrator.say(`Everything happens in ${sandbox.root} and is removed at the end.`);
  try {
    for (const [index, step] of STEPS.entries()) {
      narrator.step(index + 1, STEPS.length, step.title);
      for (const line of step.story) narrator.say(line);
      await step.run(session);
    }
  } catch (error) {
    // An interruption makes children fail too; the signal handler reports and exits.
    if (interrupted) return new Promise<never>(() => undefined);
    narrator.failure(`\ndemo failed: ${messageOf(error).replace(/\s*\n\s*/g, ' ')}`);
    const tail = await session.daemonLogTail(LOG_TAIL_LINES);
    if (tail) {
      narrator.say(`the last lines of arenad's log:`);
      narrator.output(tail);
    }
    await cleanUp();
    return 1;
  }
  await cleanUp();
  narrator.say(`\nRemoved ${sandbox.root}.`);
  narrator.good(`Demo finished in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${messageOf(error)}\n`);
    process.exitCode = 1;
  },
);

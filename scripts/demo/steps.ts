import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../src/core/byte-size.js';
import { saveWorkflowLikeComfy, writeOutputImageLikeComfy } from './comfy-actions.js';
import { CopyFollower } from './copy-follower.js';
import { DETAIL_LORA, LIBRARY, NEEDED, keyOf, portraitPrompt, portraitWorkflow } from './demo-models.js';
import { DemoError } from './demo-error.js';
import type { DemoSession } from './demo-session.js';
import { writeLibraryModel } from './sandbox.js';

/**
 * One scene of the demo: a title, a few plain words on what the user does
 * and what Arena does about it, then the real thing. The demo runs them in
 * order; a new scene is one more entry in STEPS.
 */
export interface DemoStep {
  readonly title: string;
  readonly story: readonly string[];
  run(session: DemoSession): Promise<void>;
}

const READY_WITHIN_MS = 30_000;
const RUN_COUNTED_WITHIN_MS = 20_000;

const setTheScene: DemoStep = {
  title: 'A ComfyUI install with its models on a NAS',
  story: [
    'A throwaway ComfyUI folder, a "NAS" folder of models and an empty "SSD" cache.',
    'The models are real files of random bytes, shrunk about 40x so that the demo is quick.',
  ],
  async run(session) {
    const { sandbox, narrator } = session;
    for (const model of LIBRARY) {
      session.throwIfInterrupted();
      const file = await writeLibraryModel(sandbox, model);
      narrator.output(`${path.relative(sandbox.root, file).padEnd(58)} ${formatBytes(model.bytes).padStart(7)}  ${model.role}`);
    }
  },
};

const startArena: DemoStep = {
  title: 'Start Arena',
  story: [
    'arenad is the background daemon (here a child of this demo, its log in arenad.log).',
    'It indexes the library, watches ComfyUI, and answers arenactl on a socket.',
    'No ComfyUI server runs in the demo, so status finds its queue unreachable: Arena works without it.',
  ],
  async run(session) {
    const daemon = session.startDaemon();
    session.narrator.status('  … arenad is starting and indexing the library');
    await daemon.waitUntilReady(LIBRARY.length, READY_WITHIN_MS).finally(() => session.narrator.status(''));
    await session.arenactl('status');
  },
};

const askWhatItNeeds: DemoStep = {
  title: 'What does a workflow need?',
  story: [
    'arenactl predict reads a workflow (or a PNG that ComfyUI saved) and finds each model in the library.',
    'The film-grain LoRA is bypassed in this graph, so it is not needed.',
  ],
  async run(session) {
    await writeFile(path.join(session.sandbox.root, 'portrait.json'), JSON.stringify(portraitWorkflow(), null, 2));
    await session.arenactl('predict', 'portrait.json');
  },
};

const saveInComfy: DemoStep = {
  title: 'Save the workflow in ComfyUI',
  story: [
    'You press Save: ComfyUI writes user/default/workflows/portrait.json (a temp file, then a rename).',
    'Arena sees the save and copies the models the workflow needs from the NAS to the SSD,',
    'each into a staging file first, verified, and only then renamed into place.',
  ],
  async run(session) {
    const { narrator, sandbox } = session;
    const follower = await CopyFollower.open(sandbox.socket, narrator);
    try {
      await saveWorkflowLikeComfy(sandbox.workflows, 'portrait.json', portraitWorkflow());
      const copied = await follower.untilSettled({ firstQueuedMs: 20_000, allDoneMs: 45_000 });
      narrator.good(`${copied.length} models are on the SSD before you press Queue.`);
    } finally {
      follower.close();
    }
    await session.arenactl('ls');
  },
};

const generate: DemoStep = {
  title: 'Generate an image',
  story: [
    "You press Queue (the demo plays ComfyUI's part): it loads the models, from the SSD now, and saves",
    'output/ComfyUI_00001_.png with the prompt inside. Arena reads the image: each model already on the SSD is a hit.',
  ],
  async run(session) {
    await writeOutputImageLikeComfy(session.sandbox.output, portraitPrompt(), portraitWorkflow());
    await session.waitFor('the run in output/ComfyUI_00001_.png to be counted', RUN_COUNTED_WITHIN_MS, async () => {
      const stats = await session.request('stats');
      return stats.hits + stats.misses >= NEEDED.length;
    });
    await session.arenactl('stats');
  },
};

const freeRoom: DemoStep = {
  title: 'Free some room',
  story: [
    'Done with the detail LoRA for now? Evicting it removes the SSD copy at once;',
    'the NAS file stays, and ComfyUI would simply load it from there again.',
  ],
  async run(session) {
    await session.arenactl('evict', keyOf(DETAIL_LORA));
    await session.arenactl('ls');
  },
};

/** Small enough that the trim has to choose between the models still on the SSD. */
const TRIM_TO = '100MB';

const trim: DemoStep = {
  title: 'Let Arena choose what goes',
  story: [
    'When the cache passes its quota, and every night, Arena trims it by itself: the models worth least',
    `per byte go first. arenactl trim does it now (--dry-run would only list them). Down to ${TRIM_TO}:`,
  ],
  async run(session) {
    await session.arenactl('trim', '--to', TRIM_TO);
    await session.arenactl('ls');
  },
};

const stopArena: DemoStep = {
  title: 'Stop Arena',
  story: ['SIGTERM stops the daemon cleanly, as systemd or launchd would: it finishes its work and saves its ledger.'],
  async run(session) {
    const exit = await session.stopDaemon();
    if (exit?.code !== 0) throw new DemoError(`arenad did not stop cleanly: exit code ${exit?.code ?? 'none'}, signal ${exit?.signal ?? 'none'}`);
    session.narrator.good('arenad stopped (exit code 0).');
  },
};

export const STEPS: readonly DemoStep[] = [setTheScene, startArena, askWhatItNeeds, saveInComfy, generate, freeRoom, trim, stopArena];

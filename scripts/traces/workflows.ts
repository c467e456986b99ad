/**
 * Workflows built from the library, as a user builds them: a base model
 * with what its family needs (VAE; T5 and clip_l for Flux), zero to three
 * LoRAs, sometimes a ControlNet, a refiner or an upscaler, and a pool of
 * LoRAs the user swaps in and out while working. A new workflow is often
 * made for a model that just came out.
 */
import type { Family, LibraryModel, Precision } from './model-library.js';
import type { TraceRandom } from './random.js';
import type { UserProfile } from './user-profiles.js';

export interface Workflow {
  readonly id: string;
  readonly family: Family;
  /** Every model the workflow loads, the LoRAs in `loras` included. */
  readonly models: readonly string[];
  /** The LoRAs it loads as saved. */
  readonly loras: readonly string[];
  /** LoRAs the user swaps in during a session. */
  readonly loraPool: readonly string[];
  /** Seconds from the start of the trace. */
  readonly createdAt: number;
  /** How much the user likes it, before novelty and drift (Zipf by rank). */
  readonly baseWeight: number;
  /** The workflow this user tends to open after this one. */
  successor?: string;
}

/** How a user's favourite LoRAs are drawn: Zipf over a shuffled order, fixed per user and family. */
export class LoraTaste {
  readonly #orders = new Map<Family, string[]>();
  readonly #random: TraceRandom;

  constructor(random: TraceRandom) {
    this.#random = random;
  }

  pick(family: Family, available: readonly LibraryModel[], count: number, exclude: ReadonlySet<string> = new Set()): string[] {
    let order = this.#orders.get(family);
    if (order === undefined)
      this.#orders.set(
        family,
        (order = this.#random.shuffled(available.filter((model) => model.family === family && model.role === 'lora').map((model) => model.key))),
      );
    const ready = new Set(available.map((model) => model.key));
    const candidates = order.filter((key) => ready.has(key) && !exclude.has(key));
    const chosen: string[] = [];
    while (chosen.length < count && chosen.length < candidates.length) {
      const left = candidates.filter((key) => !chosen.includes(key));
      chosen.push(left[this.#random.weightedIndex(left.map((_, rank) => 1 / (rank + 1)))]!);
    }
    return chosen;
  }
}

export interface WorkflowMaker {
  readonly random: TraceRandom;
  readonly profile: UserProfile;
  readonly library: readonly LibraryModel[];
  readonly taste: LoraTaste;
  /** Base models some workflow already uses: a new workflow prefers one that is new. */
  readonly usedBases: Set<string>;
}

export function makeWorkflow(maker: WorkflowMaker, id: string, at: number, baseWeight: number): Workflow {
  const { random, profile, library } = maker;
  const available = library.filter((model) => model.availableFrom <= at);
  const families = Object.entries(profile.families) as Array<[Family, number]>;
  const family = families[random.weightedIndex(families.map(([, share]) => share))]![0];
  const of = (role: string, precision?: Precision) =>
    available.filter((model) => model.family === family && model.role === role && (precision === undefined || model.precision === precision));

  const precision: Precision | undefined = family === 'flux' ? (random.chance(profile.fluxFp16Share) ? 'fp16' : 'fp8') : undefined;
  const bases = of('base', precision);
  // Half the new workflows are made for the newest model nobody uses yet, as when a model has just come out.
  const fresh = bases.filter((model) => !maker.usedBases.has(model.key)).sort((a, b) => b.availableFrom - a.availableFrom);
  const base = fresh.length > 0 && random.chance(0.5) ? fresh[0]! : random.pick(bases);
  maker.usedBases.add(base.key);

  const models = [base.key];
  if (family === 'flux') {
    const t5Precision: Precision = precision === 'fp16' ? (random.chance(0.8) ? 'fp16' : 'fp8') : random.chance(0.8) ? 'fp8' : 'fp16';
    models.push(of('t5', t5Precision)[0]!.key, of('clip_l')[0]!.key, of('vae')[0]!.key);
  } else if (random.chance(family === 'sdxl' ? 0.5 : 0.4)) {
    models.push(random.pick(of('vae')).key);
  }
  if (family === 'sdxl' && random.chance(0.1)) models.push(of('refiner')[0]!.key);
  const loras = maker.taste.pick(family, available, random.weightedIndex([0.2, 0.35, 0.3, 0.15]));
  models.push(...loras);
  if (random.chance(family === 'flux' ? 0.1 : 0.2)) models.push(random.pick(of('controlnet')).key);
  if (random.chance(0.35)) models.push(random.pick(available.filter((model) => model.role === 'upscaler')).key);
  const loraPool = maker.taste.pick(family, available, random.int(2, 6), new Set(loras));
  return { id, family, models, loras, loraPool, createdAt: at, baseWeight };
}

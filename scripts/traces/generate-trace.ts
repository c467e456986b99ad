/**
 * A synthetic usage trace: one user, several weeks, in the format of
 * `arenactl simulate`. Deterministic for a given profile, seed and length.
 *
 * The user works in sessions (weekday evenings, weekend afternoons and
 * evenings). A session opens a workflow picked by popularity (Zipf by the
 * user's liking, a boost for new workflows that fades over days, and a
 * weekly random drift), works on it for a while, then moves on, often to the
 * workflow that usually follows it. ComfyUI keeps loaded models in memory,
 * so a run lists only what it read from disk: all of a workflow's models at
 * its first run in a session (less what the previous workflow had loaded),
 * then only a LoRA swapped in, and nothing for most runs. Some first runs
 * come a little after a save of the workflow, most do not; a new workflow is
 * usually saved first; some saves are workflows found elsewhere that are
 * not run that day, or ever.
 */
import type { TraceEvent } from '../../src/core/simulate/trace.js';
import { buildLibrary, libraryBytes, type LibraryModel } from './model-library.js';
import { clamp, TraceRandom } from './random.js';
import type { UserProfile } from './user-profiles.js';
import { LoraTaste, makeWorkflow, type Workflow, type WorkflowMaker } from './workflows.js';

export interface TraceSpec {
  readonly profile: UserProfile;
  readonly seed: number;
  readonly weeks: number;
}

export interface GeneratedTrace {
  readonly events: TraceEvent[];
  readonly libraryBytes: number;
  readonly libraryModels: number;
  readonly workflows: number;
  readonly sessions: number;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** A new workflow is this much more likely to be picked when just made; the boost halves every 4 days. */
const NOVELTY_BOOST = 4;
const NOVELTY_HALF_LIFE = 4 * DAY;
/** Spread of the weekly random walk of each workflow's popularity (in log units). */
const WEEKLY_DRIFT = 0.5;
/** Seconds of generation per run, by family and precision. */
const GENERATION_SECONDS = { sd15: 5, sdxl: 15, flux: 40 } as const;
/** Mean seconds the user looks, tweaks and queues again between runs. */
const THINK_SECONDS = 45;
/** Chance that a session's workflow change goes to the workflow that usually follows, not a fresh pick. */
const FOLLOW_HABIT = 0.5;
/** Chance that a new workflow is saved before its first run (it was just built). */
const SAVE_NEW = 0.7;

export function generateTrace(spec: TraceSpec): GeneratedTrace {
  return new TraceGenerator(spec).generate();
}

class TraceGenerator {
  readonly #profile: UserProfile;
  readonly #random: TraceRandom;
  readonly #days: number;
  readonly #library: LibraryModel[];
  readonly #sizes: Map<string, number>;
  readonly #maker: WorkflowMaker;
  readonly #workflows: Workflow[] = [];
  readonly #events: TraceEvent[] = [];
  /** Per workflow: its popularity's log offset for each week, drawn as the weeks come. */
  readonly #drift = new Map<string, number[]>();
  readonly #ranBefore = new Set<string>();
  #counter = 0;
  #sessions = 0;

  constructor(spec: TraceSpec) {
    this.#profile = spec.profile;
    this.#random = new TraceRandom(spec.seed);
    this.#days = spec.weeks * 7;
    this.#library = buildLibrary(this.#random, this.#days);
    this.#sizes = new Map(this.#library.map((model) => [model.key, model.bytes]));
    this.#maker = { random: this.#random, profile: this.#profile, library: this.#library, taste: new LoraTaste(this.#random), usedBases: new Set() };
  }

  generate(): GeneratedTrace {
    for (let rank = 1; rank <= this.#profile.initialWorkflows; rank += 1) this.#newWorkflow(0, 1 / rank);
    const arrivals = this.#arrivals();
    let waitingToTry: Workflow | undefined;
    let lastEnd = 0;
    for (let day = 0; day < this.#days; day += 1) {
      for (const start of this.#sessionStarts(day)) {
        if (start < lastEnd + 30 * MINUTE) continue;
        while (arrivals.length > 0 && arrivals[0]! <= start) {
          const at = arrivals.shift()!;
          waitingToTry = this.#newWorkflow(at, this.#midRankWeight());
        }
        const end = start + clamp(this.#random.logNormal(this.#profile.sessionMinutes, 0.5), 15, 300) * MINUTE;
        const first = waitingToTry !== undefined && this.#random.chance(0.8) ? waitingToTry : undefined;
        waitingToTry = undefined;
        this.#session(start, end, first);
        lastEnd = end;
      }
      if (this.#random.chance(this.#profile.browseSave)) this.#browseSave(day * DAY + this.#random.uniform(12, 23) * HOUR);
    }
    const events = this.#events
      .map((event, index) => ({ event, index }))
      .sort((a, b) => a.event.t - b.event.t || a.index - b.index)
      .map(({ event }) => event);
    return {
      events,
      libraryBytes: libraryBytes(this.#library),
      libraryModels: this.#library.length,
      workflows: this.#workflows.length,
      sessions: this.#sessions,
    };
  }

  /** When new workflows are made: a steady rate over the trace. */
  #arrivals(): number[] {
    const times: number[] = [];
    for (
      let at = this.#random.exponential(this.#profile.daysPerNewWorkflow * DAY);
      at < this.#days * DAY;
      at += this.#random.exponential(this.#profile.daysPerNewWorkflow * DAY)
    ) {
      times.push(at);
    }
    return times;
  }

  #newWorkflow(at: number, baseWeight: number): Workflow {
    this.#counter += 1;
    const workflow = makeWorkflow(this.#maker, `w${String(this.#counter).padStart(2, '0')}`, at, baseWeight);
    const others = this.#workflows.filter((other) => other.family === workflow.family);
    if (others.length > 0) {
      workflow.successor = this.#random.pick(others).id;
      // The one it joins may come to lead to it, as a user's habits change.
      if (this.#random.chance(0.3)) this.#random.pick(others).successor = workflow.id;
    }
    this.#workflows.push(workflow);
    return workflow;
  }

  /** A new workflow joins somewhere in the middle of the user's liking. */
  #midRankWeight(): number {
    return 1 / this.#random.int(2, Math.max(2, Math.ceil(this.#workflows.length / 2)));
  }

  #sessionStarts(day: number): number[] {
    const { weekdayEvening, weekendAfternoon, weekendEvening } = this.#profile;
    const evening = () => day * DAY + clamp(this.#random.normal(20.5, 0.75), 18, 22.5) * HOUR;
    if (day % 7 < 5) return this.#random.chance(weekdayEvening) ? [evening()] : [];
    const starts: number[] = [];
    if (this.#random.chance(weekendAfternoon)) starts.push(day * DAY + clamp(this.#random.normal(14.5, 1.2), 10, 17) * HOUR);
    if (this.#random.chance(weekendEvening)) starts.push(evening());
    return starts;
  }

  #popularity(workflow: Workflow, at: number): number {
    const week = Math.floor(at / (7 * DAY));
    let walk = this.#drift.get(workflow.id);
    if (walk === undefined) this.#drift.set(workflow.id, (walk = [0]));
    while (walk.length <= week) walk.push(walk.at(-1)! + this.#random.normal(0, WEEKLY_DRIFT));
    const novelty = workflow.createdAt > 0 ? 1 + NOVELTY_BOOST * 2 ** (-(at - workflow.createdAt) / NOVELTY_HALF_LIFE) : 1;
    return workflow.baseWeight * novelty * Math.exp(walk[week]!);
  }

  #pick(at: number, except?: Workflow): Workflow {
    const candidates = this.#workflows.filter((workflow) => workflow.createdAt <= at && workflow !== except);
    return candidates[this.#random.weightedIndex(candidates.map((workflow) => this.#popularity(workflow, at)))]!;
  }

  #session(start: number, end: number, first: Workflow | undefined): void {
    this.#sessions += 1;
    let loaded = new Set<string>();
    let current = first ?? this.#pick(start);
    let at = start;
    while (at < end) {
      const segmentEnd = Math.min(end, at + this.#random.exponential(this.#profile.minutesPerWorkflow * MINUTE));
      const saveChance = this.#ranBefore.has(current.id) ? this.#profile.saveBeforeRun : SAVE_NEW;
      if (this.#random.chance(saveChance)) {
        this.#emit(at, 'save', current, current.models);
        at += clamp(this.#random.logNormal(75, 1), 5, 15 * MINUTE);
      } else {
        at += this.#random.uniform(10, 60);
      }
      this.#ranBefore.add(current.id);
      const loras = [...current.loras];
      const inUse = () => new Set([...current.models.filter((key) => !current.loras.includes(key)), ...loras]);
      this.#emit(
        at,
        'run',
        current,
        [...inUse()].filter((key) => !loaded.has(key)),
      );
      loaded = inUse();
      if (this.#random.chance(0.15)) this.#emit(this.#random.uniform(at, Math.max(at, segmentEnd)), 'save', current, current.models);
      for (;;) {
        at += GENERATION_SECONDS[current.family] + this.#random.exponential(THINK_SECONDS);
        if (at >= segmentEnd) break;
        const swapIn = loras.length > 0 && this.#random.chance(this.#profile.loraSwap) ? this.#swapCandidate(current, loras) : undefined;
        if (swapIn !== undefined) loras[this.#random.int(0, loras.length - 1)] = swapIn;
        this.#emit(at, 'run', current, swapIn === undefined ? [] : [swapIn]);
        loaded = inUse();
      }
      at = Math.max(at, segmentEnd);
      if (at >= end) break;
      const habit = current.successor === undefined ? undefined : this.#workflows.find((workflow) => workflow.id === current.successor);
      current = habit !== undefined && this.#random.chance(FOLLOW_HABIT) ? habit : this.#pick(at, current);
    }
  }

  #swapCandidate(workflow: Workflow, loras: readonly string[]): string | undefined {
    const choices = [...workflow.loraPool, ...workflow.loras].filter((key) => !loras.includes(key));
    return choices.length === 0 ? undefined : this.#random.pick(choices);
  }

  /** A workflow found elsewhere, saved in the evening; half the time it joins the user's workflows, else it is never run. */
  #browseSave(at: number): void {
    const joins = this.#random.chance(0.5);
    if (joins) this.#counter += 1;
    const id = joins ? `w${String(this.#counter).padStart(2, '0')}` : `found-${String(this.#events.length)}`;
    const workflow = makeWorkflow(this.#maker, id, at, this.#midRankWeight());
    this.#emit(at, 'save', workflow, workflow.models);
    if (joins) this.#workflows.push(workflow);
  }

  #emit(at: number, type: 'save' | 'run', workflow: Workflow, keys: readonly string[]): void {
    const models = keys.map((key) => ({ key, bytes: this.#sizes.get(key)! }));
    this.#events.push({ t: Math.round(at * 1000) / 1000, type, workflow: workflow.id, models });
  }
}

/**
 * The users the generator plays: which model families they use, how often
 * and how long they work, how often they make new workflows, save, and swap
 * LoRAs. Our own guesses at typical ComfyUI users, not measurements.
 */
import type { Family } from './model-library.js';

export interface UserProfile {
  readonly name: string;
  readonly description: string;
  /** Share of new workflows in each family. */
  readonly families: Readonly<Partial<Record<Family, number>>>;
  /** For Flux workflows: the share that use the fp16 model (and mostly the fp16 T5). */
  readonly fluxFp16Share: number;
  /** Chance of an evening session on a weekday. */
  readonly weekdayEvening: number;
  /** Chances of an afternoon and of an evening session on Saturday and Sunday. */
  readonly weekendAfternoon: number;
  readonly weekendEvening: number;
  /** Median session length in minutes (log-normal, spread 0.5). */
  readonly sessionMinutes: number;
  /** Workflows the user has when the trace starts. */
  readonly initialWorkflows: number;
  /** Mean days between two new workflows. */
  readonly daysPerNewWorkflow: number;
  /** Chance that the user saves a known workflow before its first run in a session. */
  readonly saveBeforeRun: number;
  /** Chance that a later run swaps one LoRA for another. */
  readonly loraSwap: number;
  /** Mean minutes spent on one workflow before switching to another within a session. */
  readonly minutesPerWorkflow: number;
  /** Chance per day of saving a workflow found elsewhere without running it that day. */
  readonly browseSave: number;
}

export const PROFILES: readonly UserProfile[] = [
  {
    name: 'sdxl-hobbyist',
    description: 'SDXL with some SD 1.5: a few weekday evenings and weekends, sessions of about an hour',
    families: { sdxl: 0.85, sd15: 0.15 },
    fluxFp16Share: 0,
    weekdayEvening: 0.35,
    weekendAfternoon: 0.5,
    weekendEvening: 0.4,
    sessionMinutes: 70,
    initialWorkflows: 10,
    daysPerNewWorkflow: 6,
    saveBeforeRun: 0.3,
    loraSwap: 0.15,
    minutesPerWorkflow: 35,
    browseSave: 0.1,
  },
  {
    name: 'flux-power',
    description: 'Flux, fp16 and fp8, with some SDXL: most evenings and both weekend days, long sessions',
    families: { flux: 0.8, sdxl: 0.2 },
    fluxFp16Share: 0.6,
    weekdayEvening: 0.85,
    weekendAfternoon: 0.8,
    weekendEvening: 0.7,
    sessionMinutes: 120,
    initialWorkflows: 12,
    daysPerNewWorkflow: 3,
    saveBeforeRun: 0.4,
    loraSwap: 0.2,
    minutesPerWorkflow: 45,
    browseSave: 0.2,
  },
  {
    name: 'mixed',
    description: 'SD 1.5, SDXL and Flux fp8: half the evenings and most weekends',
    families: { sd15: 0.2, sdxl: 0.45, flux: 0.35 },
    fluxFp16Share: 0.2,
    weekdayEvening: 0.5,
    weekendAfternoon: 0.7,
    weekendEvening: 0.5,
    sessionMinutes: 90,
    initialWorkflows: 14,
    daysPerNewWorkflow: 4,
    saveBeforeRun: 0.35,
    loraSwap: 0.15,
    minutesPerWorkflow: 40,
    browseSave: 0.15,
  },
];

export function profileNamed(name: string): UserProfile | undefined {
  return PROFILES.find((profile) => profile.name === name);
}

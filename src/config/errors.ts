import { ArenaError } from '../core/arena-error.js';
import type { ConfigProblem } from './sources.js';

/** A configuration that cannot be used: one line per problem, each naming key, value, source and what was expected. */
export class ConfigError extends ArenaError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((problem) => problem.message);
    super('E_CONFIG', lines.length === 1 ? lines[0]! : `${lines.length} configuration problems:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Thrown by a format when a value does not fit; the loader adds key and source. Never leaves the config module. */
export class InvalidValue extends Error {
  constructor(readonly detail?: string) {
    super(detail ?? 'invalid value');
    this.name = 'InvalidValue';
  }
}

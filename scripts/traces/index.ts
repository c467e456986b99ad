/**
 * Writes synthetic usage traces for `arenactl simulate`.
 *
 *   node --import tsx scripts/traces/index.ts --profile flux-power [--seed 7] [--weeks 6] [--out FILE]
 *   node --import tsx scripts/traces/index.ts --standard DIR
 *
 * Without --out the trace goes to stdout; a summary goes to stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../src/core/byte-size.js';
import { formatTrace } from '../../src/core/simulate/trace.js';
import { generateTrace, type GeneratedTrace } from './generate-trace.js';
import { standardTraces } from './standard-traces.js';
import { PROFILES, profileNamed } from './user-profiles.js';

const USAGE = `Usage: node --import tsx scripts/traces/index.ts --profile NAME [--seed N] [--weeks N] [--out FILE]
       node --import tsx scripts/traces/index.ts --standard DIR

  --profile NAME  ${PROFILES.map((profile) => `${profile.name} (${profile.description})`).join('\n                  ')}
  --seed N        the random seed (default 1): the same seed gives the same trace
  --weeks N       how long the trace runs (default 6)
  --out FILE      write the trace here instead of stdout
  --standard DIR  write the benchmark's traces (one per profile) into DIR
`;

function summary(name: string, trace: GeneratedTrace): string {
  const runs = trace.events.filter((event) => event.type === 'run');
  const reads = runs.reduce((sum, event) => sum + event.models.length, 0);
  const bytes = runs.reduce((sum, event) => sum + event.models.reduce((total, model) => total + model.bytes, 0), 0);
  const distinct = new Set(runs.flatMap((event) => event.models.map((model) => model.key))).size;
  return `${name}: ${trace.sessions} sessions, ${runs.length} runs, ${trace.events.length - runs.length} saves, ${reads} model reads (${formatBytes(bytes)}, ${distinct} distinct models), ${trace.workflows} workflows; library ${trace.libraryModels} models, ${formatBytes(trace.libraryBytes)}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    const value = argv[index + 1];
    if (!['--profile', '--seed', '--weeks', '--out', '--standard'].includes(flag) || value === undefined) {
      process.stderr.write(`traces: ${value === undefined ? `${flag} needs a value` : `unknown argument "${flag}"`}\n\n${USAGE}`);
      return 2;
    }
    options.set(flag, value);
    index += 1;
  }
  const standard = options.get('--standard');
  if (standard !== undefined) {
    await mkdir(standard, { recursive: true });
    for (const { name, trace } of standardTraces()) {
      const file = path.join(standard, `${name}.ndjson`);
      await writeFile(file, formatTrace(trace.events));
      process.stderr.write(`${summary(name, trace)}\n  → ${file}\n`);
    }
    return 0;
  }
  const profile = profileNamed(options.get('--profile') ?? '');
  const seed = Number(options.get('--seed') ?? '1');
  const weeks = Number(options.get('--weeks') ?? '6');
  if (profile === undefined || !Number.isInteger(seed) || !Number.isInteger(weeks) || weeks < 1) {
    process.stderr.write(
      `traces: ${profile === undefined ? 'choose a --profile' : '--seed and --weeks take whole numbers (weeks 1 or more)'}\n\n${USAGE}`,
    );
    return 2;
  }
  const trace = generateTrace({ profile, seed, weeks });
  const text = formatTrace(trace.events);
  const out = options.get('--out');
  if (out === undefined) process.stdout.write(text);
  else await writeFile(out, text);
  process.stderr.write(`${summary(profile.name, trace)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`traces: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

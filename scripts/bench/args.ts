/** The command line of `npm run bench`. */

export const BENCH_NAMES = ['copy', 'save-latency', 'scan', 'resolve', 'socket', 'policy'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export type BenchArgs =
  | { readonly kind: 'run'; readonly quick: boolean; readonly only?: readonly BenchName[]; readonly out: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

export const DEFAULT_OUT = 'docs/benchmarks.md';

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--only NAME[,NAME...]] [--out FILE]

  --quick        smaller sizes and fewer rounds (under 2 minutes); figures are indicative only
  --only NAMES   run only these benchmarks: ${BENCH_NAMES.join(', ')} (repeatable)
  --out FILE     where to write the report, relative to the repository (default ${DEFAULT_OUT})
  --help         show this
`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let out = DEFAULT_OUT;
  const only: BenchName[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++index];
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--quick':
        quick = true;
        break;
      case '--only': {
        const names = value();
        if (names === undefined || names === '') return { kind: 'usage-error', message: '--only needs benchmark names' };
        for (const name of names.split(',')) {
          if (!(BENCH_NAMES as readonly string[]).includes(name)) {
            return { kind: 'usage-error', message: `unknown benchmark "${name}"; expected one of ${BENCH_NAMES.join(', ')}` };
          }
          if (!only.includes(name as BenchName)) only.push(name as BenchName);
        }
        break;
      }
      case '--out': {
        const file = value();
        if (file === undefined || file === '') return { kind: 'usage-error', message: '--out needs a file name' };
        out = file;
        break;
      }
      default:
        return { kind: 'usage-error', message: `unknown argument "${arg}"` };
    }
  }
  return only.length > 0 ? { kind: 'run', quick, only, out } : { kind: 'run', quick, out };
}

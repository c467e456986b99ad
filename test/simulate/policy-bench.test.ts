/** The policy benchmark's code at a tiny size; its figures belong to `npm run bench`, not to tests. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { policyChart } from '../../scripts/bench/policy-chart.js';
import { runPolicyBench, TABLE_END, TABLE_START, writeTable } from '../../scripts/bench/policy.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a one-week run reports every trace and policy, and the targets with their figures', async (t) => {
  const lines: string[] = [];
  const report = await runPolicyBench({ weeks: 1, capacitiesGb: [64], writeDocs: false }, (line) => lines.push(line));
  t.is(report.name, 'policy');
  t.is(report.summary.length, 3 * 2, 'a byte-hit and a bytes-copied row per trace');
  for (const row of report.summary) {
    t.regex(row.value, /^\d+\.\d+×?$/, row.metric);
    t.is(typeof row.met, 'boolean');
  }
  const table = report.details.filter((line) => /^\| (sdxl-hobbyist|flux-power|mixed) \|/.test(line));
  t.is(table.length, 3 * 4, 'lru, belady, arena and arena without saves for each trace');
  t.true(lines.some((line) => /arena, no saves/.test(line)));
});

test('the chart has a bar per trace, capacity, policy and metric, with the figure in its tooltip', (t) => {
  const rows = ['a', 'b'].flatMap((trace) =>
    [32, 64].flatMap((capacityGb) => ['lru', 'arena'].map((policy) => ({ trace, capacityGb, policy, hitRatio: 0.5, byteHitRatio: 0.25 }))),
  );
  const svg = policyChart(rows, ['lru', 'arena'], 'tiny <test>');
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.regex(svg, /<\/svg>\n$/);
  t.is(svg.match(/<rect [^>]*><title>/g)?.length, rows.length * 2);
  t.true(svg.includes('b, 64 GB, arena: byte hit ratio 0.250'));
  t.true(svg.includes('tiny &lt;test&gt;'));
});

test('the table goes between the markers of docs/policy.md and nowhere else', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'policy.md');
  fs.writeFileSync(file, `# Title\n\n${TABLE_START}\nold table\n${TABLE_END}\n\nafter\n`);
  await writeTable(file, ['| new |', '| --- |']);
  t.is(fs.readFileSync(file, 'utf8'), `# Title\n\n${TABLE_START}\n| new |\n| --- |\n${TABLE_END}\n\nafter\n`);
  fs.writeFileSync(file, 'no markers\n');
  await t.throwsAsync(writeTable(file, ['x']), { message: /has no <!-- policy-bench:start -->/ });
});

test('docs/policy.md has the markers the benchmark writes between', (t) => {
  const doc = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'policy.md'), 'utf8');
  t.true(doc.indexOf(TABLE_START) >= 0 && doc.indexOf(TABLE_END) > doc.indexOf(TABLE_START));
});

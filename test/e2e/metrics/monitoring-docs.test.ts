import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * The PromQL and YAML of docs/monitoring.md and the Grafana dashboard, checked
 * by promtool, so that a user who copies them gets something Prometheus
 * accepts. That each metric they name exists is checked against a real
 * scrape in test/e2e/prometheus-scrape.test.ts.
 */
const doc = fs.readFileSync(new URL('../../../docs/monitoring.md', import.meta.url), 'utf8');
const dashboard = JSON.parse(fs.readFileSync(new URL('../../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as unknown;

function codeBlocks(language: string): string[] {
  return [...doc.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!);
}

/** The queries of the ```promql blocks: separated by blank lines, `#` lines are their captions. */
function docQueries(): string[] {
  return codeBlocks('promql').flatMap((block) =>
    block
      .split(/\n\s*\n/)
      .map((chunk) =>
        chunk
          .split('\n')
          .filter((line) => !line.trim().startsWith('#'))
          .join('\n')
          .trim(),
      )
      .filter((query) => query !== ''),
  );
}

function dashboardExpressions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(dashboardExpressions);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'expr' && typeof value === 'string' ? [value] : dashboardExpressions(value)));
}

/** Grafana fills these in before a query reaches Prometheus. */
function withGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '2m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h').replaceAll('$instance', '.+');
}

/** Runs `promtool check rules` on recording rules of the given expressions; promtool parses each one. */
async function checkExpressions(t: ExecutionContext, expressions: readonly string[]): Promise<void> {
  const dir = await tempDir(t);
  const file = path.join(dir, 'queries.yml');
  const rules = expressions.map((expr, index) => ({ record: `arena_doc:query_${index}`, expr }));
  // JSON is YAML.
  fs.writeFileSync(file, JSON.stringify({ groups: [{ name: 'doc', rules }] }));
  const result = await execa('promtool', ['check', 'rules', file], { reject: false });
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  t.regex(result.stdout, new RegExp(`SUCCESS: ${expressions.length} rules found`));
}

test('the alert examples are valid Prometheus rules', async (t) => {
  const [alerts] = codeBlocks('yaml').filter((block) => block.startsWith('groups:'));
  t.truthy(alerts, 'the doc has an alert rules block');
  const dir = await tempDir(t);
  const file = path.join(dir, 'arena-alerts.yml');
  fs.writeFileSync(file, alerts!);
  const result = await execa('promtool', ['check', 'rules', file], { reject: false });
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const names = [...alerts!.matchAll(/- alert: (\w+)/g)].map((match) => match[1]);
  t.true(names.length >= 3);
  t.regex(result.stdout, new RegExp(`SUCCESS: ${names.length} rules found`));
  for (const topic of ['ArenaCacheFilesystemNearlyFull', 'ArenaLibraryRootDown', 'ArenaUpdatesFailing']) t.true(names.includes(topic), topic);
});

test('the scrape config, with the alert rules beside it, is a valid Prometheus config', async (t) => {
  const config = codeBlocks('yaml').find((block) => block.includes('scrape_configs:'));
  const alerts = codeBlocks('yaml').find((block) => block.startsWith('groups:'));
  t.truthy(config);
  const dir = await tempDir(t);
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config!);
  fs.writeFileSync(path.join(dir, 'arena-alerts.yml'), alerts!);
  const result = await execa('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { reject: false });
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  t.regex(config!, /job_name: arena/);
});

test('every query in the doc parses', async (t) => {
  const queries = docQueries();
  t.true(queries.length >= 5);
  t.true(
    queries.some((query) => query.includes('arena_cache_hits_total[1h]')),
    'the hit ratio over an hour',
  );
  t.true(
    queries.some((query) => /increase\(arena_prefetch_copied_bytes_total\[1d\]\)/.test(query)),
    'bytes copied per day',
  );
  await checkExpressions(t, queries);
});

test('every query of the Grafana dashboard parses, with its Grafana variables filled in', async (t) => {
  const expressions = dashboardExpressions(dashboard);
  t.true(expressions.length >= 8);
  await checkExpressions(t, expressions.map(withGrafanaVariables));
});

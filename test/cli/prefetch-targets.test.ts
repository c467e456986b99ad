import path from 'node:path';
import test from 'ava';
import { UsageError } from '../../src/cli/cli-errors.js';
import { isWorkflowFileName } from '../../src/cli/model-arguments.js';
import { readTargets } from '../../src/cli/prefetch-targets.js';
import { writeFile } from '../helpers/platform.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a workflow file is told by its extension, whatever exists in the current folder', (t) => {
  for (const name of ['a.json', 'renders/out.PNG', 'x.webp', '/abs/wf.Json']) t.true(isWorkflowFileName(name), name);
  for (const name of ['checkpoints/x.safetensors', 'loras/style', 'portrait', 'configs/x.yaml']) t.false(isWorkflowFileName(name), name);
});

test('targets: workflows are read, models parsed, in the order given', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(
    path.join(home, 'wf.json'),
    JSON.stringify({ nodes: [{ id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['a.safetensors'] }], links: [] }),
  );
  const targets = await readTargets(['loras/b.safetensors', file]);
  t.deepEqual(
    targets.map((target) => [target.kind, target.target]),
    [
      ['model', 'loras/b.safetensors'],
      ['workflow', file],
    ],
  );
});

test('targets: a missing workflow file is "no such file", whatever follows it', async (t) => {
  const home = await tempDir(t);
  const missing = path.join(home, 'missing.json');
  const error = await t.throwsAsync(readTargets([missing, 'loras/x.safetensors']));
  t.is(error?.message, `no such file: ${missing}`);
});

test('targets: a word that is neither a workflow file nor CATEGORY/NAME is a usage error naming both forms', async (t) => {
  const error = await t.throwsAsync(readTargets(['loras/x.safetensors', 'portrait']), { instanceOf: UsageError });
  t.is(error?.message, '"portrait" is neither a workflow file (.json, .png, .webp) nor CATEGORY/NAME, such as loras/style.safetensors');
});

import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, readManifest } from '../../src/update/manifest.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeFile } from '../helpers/platform.js';

const exampleManifest = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'manifest.example.yaml');

test('entries name their target, their source and how many versions to keep', (t) => {
  const manifest = parseManifest(
    [
      'models:',
      '  - target: checkpoints/toy.safetensors',
      '    hf: {repo: acme/toy, file: toy.safetensors, revision: v2}',
      '    keep: 3',
      '  - target: clip\\sub\\t5.safetensors',
      '    hf: {repo: acme/t5, file: t5.safetensors}',
      '  - target: loras/style.safetensors',
      '    root: /mnt/nas/models',
      '    civitai: {modelId: 1234, track: latest, baseModel: SDXL 1.0}',
      '  - target: loras/fixed.safetensors',
      '    civitai: {versionId: 5678}',
    ].join('\n'),
    'm.yaml',
  );
  t.deepEqual(manifest.problems, []);
  t.like(manifest.entries[0], {
    target: 'checkpoints/toy.safetensors',
    source: { hub: 'hf', repo: 'acme/toy', revision: 'v2' },
    keep: 3,
    index: 1,
    line: 2,
  });
  t.like(manifest.entries[1], {
    target: 'text_encoders/sub/t5.safetensors',
    category: 'text_encoders',
    name: 'sub/t5.safetensors',
    source: { revision: 'main' },
    keep: 1,
  });
  t.like(manifest.entries[2], { root: '/mnt/nas/models', source: { hub: 'civitai', modelId: 1234, baseModel: 'SDXL 1.0' } });
  t.like(manifest.entries[3], { source: { hub: 'civitai', versionId: 5678 } });
});

test('each malformed entry is reported with its position, and the good entries are kept', (t) => {
  const manifest = parseManifest(
    [
      'models:',
      '  - target: checkpoints/good.safetensors',
      '    hf: {repo: acme/good, file: good.safetensors}',
      '  - target: checkpoints/both.safetensors',
      '    hf: {repo: acme/x, file: x.safetensors}',
      '    civitai: {modelId: 1}',
      '  - target: loras/none.safetensors',
      '  - target: loras/typo.safetensors',
      '    civitai: {modelid: 1}',
      '  - target: /etc/passwd',
      '    civitai: {modelId: 1}',
      '  - target: checkpoints/good.safetensors',
      '    civitai: {modelId: 2}',
      '  - target: loras/conflict.safetensors',
      '    civitai: {versionId: 3, track: latest}',
      '  - target: loras/keep.safetensors',
      '    keep: -1',
      '    civitai: {modelId: 4}',
      '  - just a string',
    ].join('\n'),
    'm.yaml',
  );
  t.deepEqual(
    manifest.entries.map((entry) => entry.target),
    ['checkpoints/good.safetensors'],
  );
  const byIndex = new Map(manifest.problems.map((problem) => [problem.index, problem]));
  t.is(manifest.problems.length, 8);
  t.like(byIndex.get(2), { line: 4, target: 'checkpoints/both.safetensors' });
  t.regex(byIndex.get(2)!.message, /exactly one source/);
  t.regex(byIndex.get(3)!.message, /exactly one source/);
  t.regex(byIndex.get(4)!.message, /modelid/);
  t.regex(byIndex.get(5)!.message, /not CATEGORY\/NAME inside the library/);
  t.regex(byIndex.get(6)!.message, /already tracked by entry 1/);
  t.regex(byIndex.get(7)!.message, /drop track, or drop versionId/);
  t.regex(byIndex.get(8)!.message, /keep/);
  t.is(byIndex.get(9)!.target, undefined);
});

test('a manifest that is not YAML, or has no models list, is one error naming the file', async (t) => {
  t.throws(() => parseManifest('models: [\n', 'broken.yaml'), { code: 'E_MANIFEST', message: /broken\.yaml is not valid YAML \(line \d+\)/ });
  t.throws(() => parseManifest('other: 1\n', 'empty.yaml'), { code: 'E_MANIFEST', message: /no "models:" list/ });
  t.throws(() => parseManifest('models: {a: 1}\n', 'map.yaml'), { code: 'E_MANIFEST', message: /must be a list/ });
  const dir = await tempDir(t);
  await t.throwsAsync(readManifest(path.join(dir, 'missing.yaml')), { code: 'E_MANIFEST', message: /cannot read the manifest .*missing\.yaml/ });
  const file = writeFile(path.join(dir, 'ok.yaml'), 'models:\n  - target: loras/a.safetensors\n    civitai: {modelId: 9}\n');
  t.is((await readManifest(file)).entries.length, 1);
});

test('the example manifest in config/ is valid', async (t) => {
  const manifest = await readManifest(exampleManifest);
  t.deepEqual(manifest.problems, []);
  t.is(manifest.entries.length, 6);
});

import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCatalog } from '../../src/library/build-catalog.js';
import { collectModelFolders } from '../../src/library/model-folders.js';
import { tempDir, writeModel } from '../helpers/library-files.js';

test('ComfyUI lookup order decides which file a name resolves to', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  // text_encoders is looked up before clip, and unet before diffusion_models.
  await writeModel(path.join(comfy, 'models', 'clip', 't5xxl.safetensors'), 1);
  await writeModel(path.join(comfy, 'models', 'text_encoders', 't5xxl.safetensors'), 2);
  await writeModel(path.join(comfy, 'models', 'diffusion_models', 'flux.safetensors'), 3);
  await writeModel(path.join(comfy, 'models', 'unet', 'flux.safetensors'), 4);
  // An is_default section comes ahead of models/; a plain one after it.
  await writeModel(path.join(comfy, 'models', 'loras', 'style.safetensors'), 5);
  await writeModel(path.join(base, 'fast', 'loras', 'style.safetensors'), 6);
  await writeModel(path.join(base, 'nas', 'loras', 'style.safetensors'), 7);
  await writeModel(path.join(base, 'nas', 'loras', 'nas-only.safetensors'), 8);
  await writeFile(
    path.join(comfy, 'extra_model_paths.yaml'),
    `nas:\n  base_path: ${base}/nas\n  loras: loras\nfast:\n  base_path: ${base}/fast\n  is_default: true\n  loras: loras\n`,
  );
  const { folders, problems } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [], exclude: [] });
  t.deepEqual(problems, []);
  const catalog = await buildCatalog(folders);
  t.is(catalog.lookup('text_encoders', 't5xxl.safetensors')?.size, 2);
  t.is(catalog.lookup('clip', 't5xxl.safetensors')?.size, 2);
  t.is(catalog.lookup('diffusion_models', 'flux.safetensors')?.size, 4);
  t.is(catalog.lookup('loras', 'style.safetensors')?.size, 6);
  t.is(catalog.lookup('loras', 'nas-only.safetensors')?.path, path.join(base, 'nas', 'loras', 'nas-only.safetensors'));
  t.deepEqual(catalog.counts().categories.loras, { models: 2, bytes: 14 });
});

test('a one-shot catalog of a library root needs no daemon, and a missing folder just contributes nothing', async (t) => {
  const base = await tempDir(t);
  await writeModel(path.join(base, 'lib', 'checkpoints', 'sd15', 'a.ckpt'), 10);
  await writeModel(path.join(base, 'lib', 'ipadapter', 'ip.bin'), 20);
  const { folders } = await collectModelFolders({ libraryRoots: [path.join(base, 'lib'), path.join(base, 'gone')], exclude: [] });
  const catalog = await buildCatalog(folders);
  t.deepEqual([...catalog.entries()].map((entry) => `${entry.category}/${entry.name}`).sort(), ['checkpoints/sd15/a.ckpt', 'ipadapter/ip.bin']);
});

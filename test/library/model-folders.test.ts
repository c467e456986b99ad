import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { collectModelFolders, type ModelFolder } from '../../src/library/model-folders.js';
import { tempDir } from '../helpers/library-files.js';

/** The lookup list of one category, as `origin:dir` with dirs relative to `base`. */
function lookupList(folders: ModelFolder[], category: string, base: string): string[] {
  return folders.filter((folder) => folder.category === category).map((folder) => `${folder.origin}:${path.relative(base, folder.dir)}`);
}

async function makeDirs(base: string, ...dirs: string[]): Promise<void> {
  for (const dir of dirs) await mkdir(path.join(base, dir), { recursive: true });
}

test('models/ gives each category its default folders in ComfyUI order, plus custom subfolders', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(comfy, 'models/checkpoints', 'models/clip', 'models/ipadapter', 'models/.cache', 'models/unet');
  await writeFile(path.join(comfy, 'models', 'stray.txt'), 'not a folder');
  const { folders, problems } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [], exclude: [] });
  t.deepEqual(problems, []);
  t.deepEqual(lookupList(folders, 'text_encoders', comfy), ['models:models/text_encoders', 'models:models/clip']);
  t.deepEqual(lookupList(folders, 'diffusion_models', comfy), ['models:models/unet', 'models:models/diffusion_models']);
  t.deepEqual(lookupList(folders, 'controlnet', comfy), ['models:models/controlnet', 'models:models/t2i_adapter']);
  t.deepEqual(lookupList(folders, 'ipadapter', comfy), ['models:models/ipadapter']);
  t.false(folders.some((folder) => folder.dir.includes('.cache') || folder.category === 'stray.txt'));
  t.true(folders.every((folder) => folder.root === path.join(comfy, 'models')));
});

test('extra_model_paths.yaml: multi-line values, a relative base_path, legacy keys and custom categories', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(base, 'ComfyUI/models', 'a1111/models/Lora', 'a1111/models/LyCORIS', 'a1111/models/CLIP', 'a1111/unet', 'a1111/ip');
  await writeFile(
    path.join(comfy, 'extra_model_paths.yaml'),
    [
      'a111:',
      '  base_path: ../a1111',
      '  loras: |',
      '    models/Lora',
      '    models/LyCORIS',
      '  clip: models/CLIP',
      '  unet: unet',
      '  ipadapter: ip',
      '',
    ].join('\n'),
  );
  const { folders, problems } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [], exclude: [] });
  t.deepEqual(problems, []);
  t.deepEqual(lookupList(folders, 'loras', base), [
    'models:ComfyUI/models/loras',
    'extra_model_paths.yaml#a111:a1111/models/Lora',
    'extra_model_paths.yaml#a111:a1111/models/LyCORIS',
  ]);
  t.deepEqual(lookupList(folders, 'text_encoders', base).at(-1), 'extra_model_paths.yaml#a111:a1111/models/CLIP');
  t.deepEqual(lookupList(folders, 'diffusion_models', base).at(-1), 'extra_model_paths.yaml#a111:a1111/unet');
  t.deepEqual(lookupList(folders, 'ipadapter', base), ['extra_model_paths.yaml#a111:a1111/ip']);
  t.false(folders.some((folder) => folder.category === 'clip' || folder.category === 'unet'));
});

test('is_default sections go to the front, in ComfyUI insertion order, and move a folder already listed', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(base, 'ComfyUI/models/loras', 'fast/one', 'fast/two', 'nas/loras');
  await writeFile(
    path.join(comfy, 'extra_model_paths.yaml'),
    [
      'nas:',
      `  base_path: ${path.join(base, 'nas')}`,
      '  loras: loras',
      'fast:',
      `  base_path: ${path.join(base, 'fast')}`,
      '  is_default: true',
      '  loras: |',
      '    one',
      '    two',
      'promote:',
      `  loras: ${path.join(base, 'nas', 'loras')}`,
      '  is_default: true',
      '',
    ].join('\n'),
  );
  const { folders } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [], exclude: [] });
  // Each is_default folder is inserted at index 0 in turn, so a section's own lines end up reversed.
  t.deepEqual(lookupList(folders, 'loras', base), [
    'extra_model_paths.yaml#nas:nas/loras',
    'extra_model_paths.yaml#fast:fast/two',
    'extra_model_paths.yaml#fast:fast/one',
    'models:ComfyUI/models/loras',
  ]);
});

test('base_path expands ~, $VAR and ${VAR}; an unset variable stays as written', async (t) => {
  const base = await tempDir(t);
  const home = path.join(base, 'home');
  await makeDirs(base, 'home/models/loras', 'vault/ckpt', 'conf');
  const yaml = path.join(base, 'conf', 'paths.yaml');
  await writeFile(
    yaml,
    [
      'home:',
      '  base_path: ~/models',
      '  loras: loras',
      'vault:',
      '  base_path: $VAULT_ROOT/${VAULT_SUB}',
      '  checkpoints: ckpt',
      'unset:',
      '  base_path: $NOT_SET_ANYWHERE',
      '  vae: vae',
      '',
    ].join('\n'),
  );
  const { folders, problems, missing } = await collectModelFolders({
    extraConfigFiles: [yaml],
    libraryRoots: [],
    exclude: [],
    env: { VAULT_ROOT: base, VAULT_SUB: 'vault' },
    homeDir: home,
  });
  t.deepEqual(
    folders.map((folder) => `${folder.category}:${folder.dir}`),
    [
      `loras:${path.join(home, 'models', 'loras')}`,
      `checkpoints:${path.join(base, 'vault', 'ckpt')}`,
      // Relative after all (ComfyUI resolves it against the YAML's folder).
      `vae:${path.join(base, 'conf', '$NOT_SET_ANYWHERE', 'vae')}`,
    ],
  );
  t.deepEqual(problems, []);
  t.deepEqual(missing, [`${yaml} section 'unset': base_path ${path.join(base, 'conf', '$NOT_SET_ANYWHERE')} is missing`]);
});

test('without base_path, relative folders resolve against the YAML file and absolute ones stay', async (t) => {
  const base = await tempDir(t);
  await makeDirs(base, 'conf/rel', 'abs');
  const yaml = path.join(base, 'conf', 'extra.yaml');
  await writeFile(yaml, `s:\n  loras: |\n    rel\n    ${path.join(base, 'abs')}\n`);
  const { folders } = await collectModelFolders({ extraConfigFiles: [yaml], libraryRoots: [], exclude: [] });
  t.deepEqual(
    folders.map((folder) => folder.dir),
    [path.join(base, 'conf', 'rel'), path.join(base, 'abs')],
  );
});

test('a YAML list is a problem with its line, and the rest of the file still counts', async (t) => {
  const base = await tempDir(t);
  await makeDirs(base, 'lib/ckpt', 'lib/a', 'lib/b');
  const yaml = path.join(base, 'extra_model_paths.yaml');
  await writeFile(
    yaml,
    ['lib:', `  base_path: ${path.join(base, 'lib')}`, '  checkpoints: ckpt', '  loras:', '    - a', '    - b', '  vae:', ''].join('\n'),
  );
  const { folders, problems } = await collectModelFolders({ extraConfigFiles: [yaml], libraryRoots: [], exclude: [] });
  t.deepEqual(
    folders.map((folder) => folder.category),
    ['checkpoints'],
  );
  t.is(problems.length, 2);
  t.regex(problems[0]!, /extra_model_paths\.yaml line 5: a YAML list is not allowed for 'loras'; use a multi-line string/);
  t.regex(problems[1]!, /line 7: 'vae' in section 'lib' must be a folder path/);
});

test('malformed YAML is one problem with the file and line, not a throw', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(comfy, 'models/loras');
  await writeFile(path.join(comfy, 'extra_model_paths.yaml'), 'nas:\n  base_path: /x\n  loras: "unterminated\n  vae: vae\n');
  const { folders, problems } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [], exclude: [] });
  t.true(
    folders.some((folder) => folder.category === 'loras'),
    'models/ still counts',
  );
  t.true(problems.length >= 1);
  t.regex(problems[0]!, new RegExp(`^${path.join(comfy, 'extra_model_paths.yaml').replace(/[.]/g, '\\.')} line \\d+: `));
});

test('a section folder that does not exist is reported, once per missing base_path', async (t) => {
  const base = await tempDir(t);
  await makeDirs(base, 'nas/loras');
  const yaml = path.join(base, 'extra.yaml');
  await writeFile(
    yaml,
    [
      'nas:',
      `  base_path: ${path.join(base, 'nas')}`,
      '  loras: loras',
      '  checkpoints: checkpoints',
      'gone:',
      `  base_path: ${path.join(base, 'unmounted')}`,
      '  loras: loras',
      '  vae: vae',
      '',
    ].join('\n'),
  );
  const { folders, problems, missing } = await collectModelFolders({ extraConfigFiles: [yaml], libraryRoots: [], exclude: [] });
  t.is(folders.length, 4, 'missing folders stay listed, to be picked up when they appear');
  t.deepEqual(problems, [], 'absence is not a mistake in the file');
  t.deepEqual(missing, [
    `${yaml} section 'nas': folder ${path.join(base, 'nas', 'checkpoints')} is missing`,
    `${yaml} section 'gone': base_path ${path.join(base, 'unmounted')} is missing`,
  ]);
});

test('the cache root is excluded, even registered as an is_default section, and raises no problem', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  const cache = path.join(base, 'ssd', 'arena');
  await makeDirs(base, 'ComfyUI/models/loras', 'ssd/arena/loras');
  await writeFile(
    path.join(comfy, 'extra_model_paths.yaml'),
    `arena_cache:\n  base_path: ${cache}\n  is_default: true\n  loras: loras\n  checkpoints: checkpoints\n`,
  );
  const { folders, problems, missing } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [cache], exclude: [cache] });
  t.false(folders.some((folder) => folder.dir.startsWith(cache)));
  t.deepEqual(problems, []);
  t.deepEqual(missing, []);
});

test('library roots add their default folders and custom subfolders after the YAML; a missing root is a problem', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(base, 'ComfyUI/models/loras', 'nas/loras', 'nas/animatediff_models');
  await writeFile(path.join(comfy, 'extra_model_paths.yaml'), `x:\n  loras: ${path.join(base, 'x')}\n`);
  await makeDirs(base, 'x');
  const nas = path.join(base, 'nas');
  const gone = path.join(base, 'gone');
  const { folders, missing } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [nas, gone], exclude: [] });
  t.deepEqual(lookupList(folders, 'loras', base), [
    'models:ComfyUI/models/loras',
    'extra_model_paths.yaml#x:x',
    'library.roots:nas/loras',
    'library.roots:gone/loras',
  ]);
  t.deepEqual(lookupList(folders, 'animatediff_models', base), ['library.roots:nas/animatediff_models']);
  t.is(folders.find((folder) => folder.dir === path.join(nas, 'loras'))?.root, nas);
  t.deepEqual(missing, [`library root ${gone} (library.roots) is missing`]);
});

test('a folder listed twice keeps its first place', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  await makeDirs(base, 'ComfyUI/models/loras', 'other');
  await writeFile(
    path.join(comfy, 'extra_model_paths.yaml'),
    `a:\n  loras: ${path.join(base, 'other')}\nb:\n  base_path: ${comfy}\n  loras: models/loras\n`,
  );
  const { folders } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [comfy + '/models'], exclude: [] });
  t.deepEqual(lookupList(folders, 'loras', base), ['models:ComfyUI/models/loras', 'extra_model_paths.yaml#a:other']);
});

test("an extra config file that cannot be read is a problem; ComfyUI's own may be absent", async (t) => {
  const base = await tempDir(t);
  const missing = path.join(base, 'nope.yaml');
  const { problems } = await collectModelFolders({ comfyRoot: base, extraConfigFiles: [missing], libraryRoots: [], exclude: [] });
  t.is(problems.length, 1);
  t.regex(problems[0]!, new RegExp(`^${missing.replace(/[.]/g, '\\.')}: cannot be read`));
});

import test from 'ava';
import path from 'node:path';
import { comfyRelativePath, isOutputImageFile, isSavedWorkflowFile } from '../../src/predict/comfy-paths.js';

const user = path.join('/comfy', 'user');
const at = (...parts: string[]) => path.join(user, ...parts);

test('saved workflows are the .json files below a workflows folder of a user folder', (t) => {
  t.true(isSavedWorkflowFile(user, at('default', 'workflows', 'portrait.json')));
  t.true(isSavedWorkflowFile(user, at('alice_1', 'workflows', 'a', 'b', 'deep.JSON')));
  t.false(isSavedWorkflowFile(user, at('default', 'workflows', 'tmpk2j3h4g5')));
  t.false(isSavedWorkflowFile(user, at('default', 'workflows', '._portrait.json')));
  t.false(isSavedWorkflowFile(user, at('default', 'workflows', 'notes.txt')));
  t.false(isSavedWorkflowFile(user, at('default', 'comfy.settings.json')));
  t.false(isSavedWorkflowFile(user, at('workflows', 'x.json')));
  t.false(isSavedWorkflowFile(user, at('default', 'subgraphs', 'workflows.json')));
  t.false(isSavedWorkflowFile(user, path.join('/comfy', 'other', 'default', 'workflows', 'x.json')));
  t.false(isSavedWorkflowFile(user, user));
});

test('output images are PNG and WebP files, and origins are relative to the comfy root', (t) => {
  t.true(isOutputImageFile('/comfy/output/ComfyUI_00001_.png'));
  t.true(isOutputImageFile('/comfy/output/anim/x.WEBP'));
  t.false(isOutputImageFile('/comfy/output/x.jpg'));
  t.false(isOutputImageFile('/comfy/output/.x.png'));
  t.is(comfyRelativePath('/comfy', '/comfy/user/default/workflows/a b.json'), 'user/default/workflows/a b.json');
});

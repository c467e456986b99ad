import test from 'ava';
import { isImageComplete } from '../../src/predict/image-completeness.js';
import { comfyPng, comfyWebp } from '../helpers/fake-comfy-files.js';

const prompt = '{"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}}}';

test('a PNG is complete once it ends with its IEND chunk', (t) => {
  const png = comfyPng({ prompt });
  t.true(isImageComplete(png));
  for (const cut of [0, 4, 8, 33, png.length - 12, png.length - 1]) t.false(isImageComplete(png.subarray(0, cut)), `cut at ${cut}`);
});

test('a WebP is complete once it holds the size its RIFF header announces', (t) => {
  const webp = comfyWebp({ prompt });
  t.true(isImageComplete(webp));
  for (const cut of [0, 11, 12, 30, webp.length - 1]) t.false(isImageComplete(webp.subarray(0, cut)), `cut at ${cut}`);
});

test('anything else is never complete', (t) => {
  t.false(isImageComplete(Buffer.from('{"nodes": []}')));
});

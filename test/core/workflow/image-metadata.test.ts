import test from 'ava';
import { Buffer } from 'node:buffer';
import { extractImageMetadata, parseWorkflowBytes, WorkflowError } from '../../../src/core/workflow/index.js';
import { iTXt, pngChunk, pngWith, riffChunk, tEXt, webpWithExif, zTXt } from '../../helpers/image-bytes.js';
import { refLines } from '../../helpers/workflow-fixtures.js';

const PROMPT = JSON.stringify({ '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'ran.safetensors' } } });
const WORKFLOW = JSON.stringify({ nodes: [{ id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['saved.safetensors'] }], links: [] });
/** Non-ASCII names survive only when the text is decoded as UTF-8. */
const UNICODE_PROMPT = JSON.stringify({ '7': { class_type: 'LoraLoader', inputs: { lora_name: 'stil\\aquarelle_été.safetensors' } } });

test('PNG tEXt: the prompt (what ran) is preferred; prefer ui reads the workflow', (t) => {
  const png = pngWith(tEXt('prompt', PROMPT), tEXt('workflow', WORKFLOW));
  const byDefault = parseWorkflowBytes(png);
  t.is(byDefault.container, 'png');
  t.is(byDefault.format, 'api');
  t.deepEqual(refLines(byDefault.refs), ['4 checkpoints ran.safetensors']);
  const ui = parseWorkflowBytes(png, { prefer: 'ui' });
  t.is(ui.format, 'ui');
  t.deepEqual(refLines(ui.refs), ['4 checkpoints saved.safetensors']);
});

test('PNG iTXt, uncompressed and compressed, is read as UTF-8', (t) => {
  for (const compressed of [false, true]) {
    const parsed = parseWorkflowBytes(pngWith(iTXt('prompt', UNICODE_PROMPT, compressed)));
    t.deepEqual(refLines(parsed.refs), ['7 loras stil\\aquarelle_été.safetensors'], `compressed: ${compressed}`);
  }
});

test('PNG zTXt is inflated', (t) => {
  const parsed = parseWorkflowBytes(pngWith(zTXt('workflow', WORKFLOW)));
  t.is(parsed.format, 'ui');
  t.deepEqual(refLines(parsed.refs), ['4 checkpoints saved.safetensors']);
});

test('PNG tEXt holding UTF-8 bytes (against the spec, but common) is decoded as UTF-8', (t) => {
  const chunk = pngChunk('tEXt', Buffer.concat([Buffer.from('prompt\0', 'latin1'), Buffer.from(UNICODE_PROMPT, 'utf8')]));
  t.deepEqual(refLines(parseWorkflowBytes(pngWith(chunk)).refs), ['7 loras stil\\aquarelle_été.safetensors']);
});

test('extractImageMetadata returns both texts as embedded, ignoring other keywords', (t) => {
  const png = pngWith(tEXt('parameters', 'a1111 stuff'), tEXt('workflow', WORKFLOW), zTXt('prompt', PROMPT));
  t.deepEqual(extractImageMetadata(png), { container: 'png', workflow: WORKFLOW, prompt: PROMPT });
});

test('an unusable preferred metadata falls back to the other, with a warning', (t) => {
  const cutPrompt = PROMPT.slice(0, 27);
  const parsed = parseWorkflowBytes(pngWith(tEXt('prompt', cutPrompt), tEXt('workflow', WORKFLOW)));
  t.is(parsed.format, 'ui');
  t.deepEqual(refLines(parsed.refs), ['4 checkpoints saved.safetensors']);
  t.deepEqual(parsed.warnings, [`PNG prompt metadata is unusable (truncated JSON at byte ${cutPrompt.length}); used the workflow metadata instead`]);
});

test('a PNG whose only metadata is unusable says why', (t) => {
  const error = t.throws(() => parseWorkflowBytes(pngWith(tEXt('workflow', '[1, 2]'))), { instanceOf: WorkflowError });
  t.is(error.message, 'PNG workflow metadata is unusable (not a workflow: the JSON is an array)');
});

test('a PNG without metadata is rejected with a clear reason', (t) => {
  const error = t.throws(() => parseWorkflowBytes(pngWith(tEXt('Software', 'GIMP'))), { instanceOf: WorkflowError });
  t.is(error.message, 'PNG has no workflow or prompt metadata');
  t.is(error.code, 'E_WORKFLOW');
});

test('PNG structure is checked: first chunk, chunk type, CRC of the text read', (t) => {
  const good = pngWith(tEXt('prompt', PROMPT));
  const noIhdr = Buffer.concat([good.subarray(0, 8), tEXt('prompt', PROMPT)]);
  t.is(t.throws(() => parseWorkflowBytes(noIhdr))?.message, 'not a valid PNG: the first chunk is tEXt, not IHDR');
  const badType = Buffer.from(good);
  badType.write('1HDR', 12, 'latin1');
  t.is(t.throws(() => parseWorkflowBytes(badType))?.message, 'not a valid PNG: the chunk at byte 8 has an invalid type');
  const badCrc = Buffer.from(good);
  const textChunkStart = 8 + 25;
  badCrc.writeUInt8(badCrc.readUInt8(textChunkStart + 18) ^ 0xff, textChunkStart + 18); // flip a byte inside the prompt text
  t.regex(t.throws(() => parseWorkflowBytes(badCrc))?.message ?? '', /^corrupt PNG: the tEXt chunk "prompt" at byte 33 fails its CRC check$/);
});

test('a PNG cut short keeps the metadata it already holds; cut before the metadata it is truncated', (t) => {
  const png = pngWith(tEXt('prompt', PROMPT));
  const cutInImageData = png.subarray(0, png.length - 20);
  t.deepEqual(refLines(parseWorkflowBytes(cutInImageData).refs), ['4 checkpoints ran.safetensors']);
  const cutInText = png.subarray(0, 8 + 25 + 30);
  t.is(t.throws(() => parseWorkflowBytes(cutInText))?.message, 'truncated PNG: the tEXt chunk at byte 33 runs past the end of the file');
});

test('a corrupt compressed chunk is reported, not thrown as a zlib error', (t) => {
  const chunk = pngChunk('zTXt', Buffer.concat([Buffer.from('prompt\0\0', 'latin1'), Buffer.from('not zlib at all')]));
  const error = t.throws(() => parseWorkflowBytes(pngWith(chunk)), { instanceOf: WorkflowError });
  t.regex(error.message, /^corrupt PNG: the zTXt chunk "prompt" at byte 33 does not inflate \(.+\)$/);
});

for (const littleEndian of [true, false]) {
  for (const exifHeader of [true, false]) {
    test(`WebP EXIF (${littleEndian ? 'II' : 'MM'}, ${exifHeader ? 'with' : 'without'} Exif header): prompt in 0x0110, workflow in 0x010F`, (t) => {
      const webp = webpWithExif(
        [
          { tag: 0x010f, text: `workflow:${WORKFLOW}` },
          { tag: 0x0110, text: `prompt:${UNICODE_PROMPT}` },
        ],
        { littleEndian, exifHeader },
      );
      t.deepEqual(extractImageMetadata(webp), { container: 'webp', workflow: WORKFLOW, prompt: UNICODE_PROMPT });
      const parsed = parseWorkflowBytes(webp);
      t.is(parsed.container, 'webp');
      t.deepEqual(refLines(parsed.refs), ['7 loras stil\\aquarelle_été.safetensors']);
      t.deepEqual(refLines(parseWorkflowBytes(webp, { prefer: 'ui' }).refs), ['4 checkpoints saved.safetensors']);
    });
  }
}

test('WebP tags are told apart by their prefix, not their number (further extra_pnginfo keys shift the tags)', (t) => {
  const webp = webpWithExif(
    [
      { tag: 0x010e, text: `workflow:${WORKFLOW}` },
      { tag: 0x010f, text: 'other_key:{}' },
    ],
    { littleEndian: true, exifHeader: false },
  );
  t.deepEqual(extractImageMetadata(webp), { container: 'webp', workflow: WORKFLOW });
});

test('a WebP without an EXIF chunk has no metadata; a broken EXIF is reported', (t) => {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), riffChunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0]))]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  const plain = Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body]);
  t.is(t.throws(() => parseWorkflowBytes(plain))?.message, 'WebP has no workflow or prompt metadata');
  const broken = Buffer.concat([plain, riffChunk('EXIF', Buffer.from('XX*\0garbage!'))]);
  t.is(t.throws(() => parseWorkflowBytes(broken))?.message, 'corrupt WebP: the EXIF chunk has no TIFF byte-order mark');
});

test('extractImageMetadata rejects bytes that are not an image', (t) => {
  const error = t.throws(() => extractImageMetadata(Buffer.from('{"nodes": []}')), { instanceOf: WorkflowError });
  t.is(error.message, 'not a PNG or WebP image');
});

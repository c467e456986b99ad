import test from 'ava';
import { canonicalJson, runIdOf } from '../../src/predict/run-id.js';
import { readPredictFixture } from '../helpers/fake-comfy-files.js';

test('canonical JSON sorts object keys at every depth and keeps array order', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  t.is(canonicalJson([2, 1]), '[2,1]');
  t.is(canonicalJson('é\n'), '"é\\n"');
  t.is(canonicalJson({ gone: undefined, kept: 0 }), '{"kept":0}');
});

test('the run id is the sha256 of the canonical form: key order and whitespace do not change it, values do', async (t) => {
  const text = await readPredictFixture('portrait-api.json');
  const prompt = JSON.parse(text) as Record<string, unknown>;
  const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(prompt).reverse()))) as unknown;
  const id = runIdOf(prompt);
  t.regex(id, /^[0-9a-f]{64}$/);
  t.is(runIdOf(reordered), id);
  t.is(runIdOf(JSON.parse(JSON.stringify(prompt, null, 2))), id);
  const otherSeed = JSON.parse(text) as Record<string, { inputs: Record<string, unknown> }>;
  otherSeed['3']!.inputs['seed'] = 1;
  t.not(runIdOf(otherSeed), id);
  t.not(runIdOf([1, 2]), runIdOf([2, 1]));
});

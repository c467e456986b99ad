import test from 'ava';
import { formatTrace, parseTrace } from '../../src/core/simulate/trace.js';
import { TraceError } from '../../src/core/simulate/errors.js';

const line = (value: unknown) => JSON.stringify(value);

test('a trace is read line by line, keys normalised as the daemon keys them, each key once per event', (t) => {
  const text = [
    line({ t: 0, type: 'save', workflow: 'w1', models: [{ key: 'checkpoints\\sdxl\\a.safetensors', bytes: 10 }] }),
    '',
    line({
      t: 12.5,
      type: 'run',
      workflow: 'w1',
      models: [
        { key: 'clip/t5.safetensors', bytes: 5 },
        { key: 'clip/t5.safetensors', bytes: 5 },
      ],
      extra: 'ignored',
    }),
  ].join('\n');
  t.deepEqual(parseTrace(text), [
    { t: 0, type: 'save', workflow: 'w1', models: [{ key: 'checkpoints/sdxl/a.safetensors', bytes: 10 }] },
    { t: 12.5, type: 'run', workflow: 'w1', models: [{ key: 'text_encoders/t5.safetensors', bytes: 5 }] },
  ]);
});

test('formatTrace writes what parseTrace reads', (t) => {
  const events = parseTrace(`${line({ t: 1, type: 'run', workflow: 'w', models: [{ key: 'loras/x.safetensors', bytes: 3 }] })}\n`);
  t.deepEqual(parseTrace(formatTrace(events)), events);
  t.is(formatTrace([]), '');
});

test('every mistake names the file, the line and what is wrong, as one typed error', (t) => {
  const good = line({ t: 0, type: 'run', workflow: 'w', models: [] });
  const cases: Array<[string, RegExp]> = [
    [`${good}\n{"t": 1,`, /^my\.ndjson line 2 is not JSON: .*; each line must be one event/],
    [
      `${good}\n\n${line({ t: 1, type: 'queue', workflow: 'w', models: [] })}`,
      /^my\.ndjson line 3: type: Invalid enum value\. Expected 'save' \| 'run', received 'queue'$/,
    ],
    [
      line({ t: 1, type: 'run', models: [{ key: 'loras/x', bytes: -1 }] }),
      /^my\.ndjson line 1: workflow: Required; models\.0\.bytes: Number must be greater than or equal to 0$/,
    ],
    [line({ t: -1, type: 'run', workflow: 'w', models: [] }), /^my\.ndjson line 1: t: Number must be greater than or equal to 0$/],
    [
      `${line({ t: 5, type: 'run', workflow: 'w', models: [] })}\n${good}`,
      /^my\.ndjson line 2: t 0 comes before the previous event's 5; a trace must be in time order$/,
    ],
    [
      line({ t: 0, type: 'run', workflow: 'w', models: [{ key: 'no-category.safetensors', bytes: 1 }] }),
      /^my\.ndjson line 1: "no-category\.safetensors" is not a model key; expected category\/name/,
    ],
    [
      line({ t: 0, type: 'run', workflow: 'w', models: [{ key: 'loras/../../etc/passwd', bytes: 1 }] }),
      /line 1: "loras\/\.\.\/\.\.\/etc\/passwd" is not a model key/,
    ],
  ];
  for (const [text, message] of cases) {
    const error = t.throws(() => parseTrace(text, 'my.ndjson'), { instanceOf: TraceError });
    t.regex(error?.message ?? '', message);
    t.is(error?.code, 'E_TRACE');
  }
  t.is(t.throws(() => parseTrace(`${good}\n${good}\nnope`), { instanceOf: TraceError })?.line, 3);
});

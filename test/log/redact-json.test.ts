import test from 'ava';
import { clearSecrets, redactJson, registerSecret } from '../../src/log/redact.js';

const TOKEN = 'hf_redactJsonToken0123456789';

test.serial('redactJson redacts registered secrets and bearer credentials in every string, keys included, and keeps the shape', (t) => {
  clearSecrets();
  registerSecret(TOKEN);
  t.teardown(clearSecrets);
  const value = {
    entries: [{ target: 'loras/x.safetensors', status: 'error', error: { code: 'E_HUB_AUTH', message: `refused (token ${TOKEN})` } }],
    credentials: { hf: true, civitai: false },
    token: null,
    [`by-${TOKEN}`]: 1,
    note: 'Authorization: Bearer abc.def-ghi',
    when: new Date(0),
    skipped: undefined,
  };
  t.deepEqual(redactJson(value), {
    entries: [{ target: 'loras/x.safetensors', status: 'error', error: { code: 'E_HUB_AUTH', message: 'refused (token [REDACTED])' } }],
    credentials: { hf: true, civitai: false },
    token: null,
    'by-[REDACTED]': 1,
    note: 'Authorization: Bearer [REDACTED]',
    when: '1970-01-01T00:00:00.000Z',
  } as unknown as typeof value);
});

test.serial('redactJson leaves values without secrets equal, and passes undefined through', (t) => {
  const value = { a: [1, 'two', { three: false }], b: null };
  t.deepEqual(redactJson(value), value);
  t.is(redactJson(undefined), undefined);
});

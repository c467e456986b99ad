import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { loadCredentials } from '../../src/config/credentials.js';
import { createLogger } from '../../src/log/logger.js';
import { clearSecrets } from '../../src/log/redact.js';
import { tempDir } from '../helpers/temp-dir.js';

test.afterEach(() => clearSecrets());

test('tokens come from the environment first, then from systemd credential files', async (t) => {
  const dir = await tempDir(t);
  fs.writeFileSync(path.join(dir, 'hf-token'), 'hf_fromfile123456\n');
  fs.writeFileSync(path.join(dir, 'civitai-token'), 'civitai_fromfile987\n');
  t.deepEqual(loadCredentials({ CREDENTIALS_DIRECTORY: dir }), { hfToken: 'hf_fromfile123456', civitaiToken: 'civitai_fromfile987' });
  t.deepEqual(loadCredentials({ CREDENTIALS_DIRECTORY: dir, HF_TOKEN: 'hf_fromenv654321' }), {
    hfToken: 'hf_fromenv654321',
    civitaiToken: 'civitai_fromfile987',
  });
  t.deepEqual(loadCredentials({}), {});
});

test('a loaded token is redacted by the logger wherever it appears', async (t) => {
  loadCredentials({ HF_TOKEN: 'hf_supersecretvalue42' });
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const handle = createLogger({ level: 'debug', style: 'journal', stream });
  handle.logger.warn('download of https://hub/x failed: 401 for hf_supersecretvalue42', { url: 'https://cdn/x?sig=hf_supersecretvalue42' });
  await handle.close();
  t.false(text.includes('hf_supersecretvalue42'));
  t.regex(text, /\[REDACTED\]/);
});

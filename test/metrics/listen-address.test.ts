import test from 'ava';
import { formatListenAddress, parseListenAddress } from '../../src/metrics/index.js';

test('HOST:PORT, a host name and a bracketed IPv6 address parse; off is off', (t) => {
  t.deepEqual(parseListenAddress('127.0.0.1:9777'), { host: '127.0.0.1', port: 9777 });
  t.deepEqual(parseListenAddress(' 0.0.0.0:80 '), { host: '0.0.0.0', port: 80 });
  t.deepEqual(parseListenAddress('gpu-box.lan:9100'), { host: 'gpu-box.lan', port: 9100 });
  t.deepEqual(parseListenAddress('[::1]:9777'), { host: '::1', port: 9777 });
  t.is(parseListenAddress('off'), 'off');
  t.is(parseListenAddress('OFF'), 'off');
});

test('anything else does not parse', (t) => {
  for (const text of ['', '9777', 'localhost', '::1:9777', '127.0.0.1:99999', '127.0.0.1:', 'a b:1', 'http://127.0.0.1:9777']) {
    t.is(parseListenAddress(text), undefined, text);
  }
});

test('an address prints as users write it, IPv6 in brackets', (t) => {
  t.is(formatListenAddress({ host: '127.0.0.1', port: 9777 }), '127.0.0.1:9777');
  t.is(formatListenAddress({ host: '::1', port: 9777 }), '[::1]:9777');
  for (const text of ['127.0.0.1:9777', '[::1]:9777', 'gpu-box.lan:9100']) {
    const parsed = parseListenAddress(text);
    t.is(typeof parsed === 'object' ? formatListenAddress(parsed) : parsed, text);
  }
});

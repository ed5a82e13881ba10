// The uncompressed high-level ServerKey ckms writes (src/tfhe/wire/
// wire_server_key.h) against node-tfhe@1.7.0.
//
// node-tfhe 1.7.0 exposes TfheServerKey with only new() and free(): it can
// neither deserialize nor serialize a ServerKey (its wasm exports have no
// tfheserverkey_safe_* function), TfheCompressedServerKey has no
// decompress(), and FheUint types have no arithmetic (only compact-list
// expansion uses a server key). What can be checked here is therefore:
//   - ckms writes a ServerKey and reads it back byte for byte (oracle);
//   - node-tfhe accepts the client key and the CompressedServerKey ckms
//     writes for the same keyset (re-serializing both to the same bytes);
//   - the checks node-tfhe cannot do yet (load ckms's ServerKey and
//     re-serialize it; serialize its own ServerKey and have ckms round-trip
//     it) run as soon as the binding has the methods, and are reported as
//     skipped until then.
// The layout itself is checked field by field against the tfhe-rs 1.7.0
// sources in tests/unit/wire/test_wire_server_key.c.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const tfhe = require('node-tfhe');
const { Oracle } = require('./lib/oracle');

const LIMIT = 1n << 33n;

function setup(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-sk-'));
  const oracle = new Oracle('server_key');
  t.after(() => {
    oracle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, oracle, file: (n) => path.join(dir, n) };
}

const canRead = typeof tfhe.TfheServerKey.safe_deserialize === 'function';
const canWrite = typeof tfhe.TfheServerKey.prototype.safe_serialize === 'function';

test('ckms writes a test-set ServerKey it reads back byte for byte, and node-tfhe ' +
     'accepts the keyset it belongs to', async (t) => {
  const d = setup(t);
  const [set, size] = await d.oracle.call('keygen', 'test', crypto.randomBytes(16).toString('hex'),
                                          d.dir);
  assert.equal(set, 'test');
  const skBytes = fs.readFileSync(d.file('server_key.bin'));
  assert.equal(skBytes.length, Number(size));
  const [rset, mask] = await d.oracle.call('roundtrip', d.file('server_key.bin'),
                                           d.file('back.bin'));
  assert.equal(rset, 'test');
  assert.equal(mask, 'ffe', 'every server-side component (both drift keys too), no CPK');
  assert.ok(Buffer.compare(fs.readFileSync(d.file('back.bin')), skBytes) === 0);

  const ckBytes = fs.readFileSync(d.file('client_key.bin'));
  const ck = tfhe.TfheClientKey.safe_deserialize(ckBytes, LIMIT);
  assert.ok(Buffer.compare(Buffer.from(ck.safe_serialize(LIMIT)), ckBytes) === 0);
  const cskBytes = fs.readFileSync(d.file('compressed_server_key.bin'));
  const csk = tfhe.TfheCompressedServerKey.safe_deserialize(cskBytes, LIMIT);
  assert.ok(Buffer.compare(Buffer.from(csk.safe_serialize(LIMIT)), cskBytes) === 0);

  if (!canRead) {
    t.diagnostic('node-tfhe 1.7.0 cannot deserialize a ServerKey (TfheServerKey has no ' +
                 'safe_deserialize); loading ckms\'s ServerKey into node-tfhe is skipped');
    return;
  }
  const sk = tfhe.TfheServerKey.safe_deserialize(skBytes, LIMIT);
  tfhe.set_server_key(sk);
  if (canWrite) assert.ok(Buffer.compare(Buffer.from(sk.safe_serialize(LIMIT)), skBytes) === 0);
});

test('ckms round-trips a ServerKey node-tfhe writes', { skip: canWrite ? false :
  'node-tfhe 1.7.0 cannot serialize a ServerKey (TfheServerKey has no safe_serialize)' },
async (t) => {
  const d = setup(t);
  await d.oracle.call('keygen', 'test', crypto.randomBytes(16).toString('hex'), d.dir);
  const ck = tfhe.TfheClientKey.safe_deserialize(fs.readFileSync(d.file('client_key.bin')),
                                                 LIMIT);
  const bytes = Buffer.from(tfhe.TfheServerKey.new(ck).safe_serialize(LIMIT));
  fs.writeFileSync(d.file('node.bin'), bytes);
  await d.oracle.call('roundtrip', d.file('node.bin'), d.file('node_back.bin'));
  assert.ok(Buffer.compare(fs.readFileSync(d.file('node_back.bin')), bytes) === 0);
});

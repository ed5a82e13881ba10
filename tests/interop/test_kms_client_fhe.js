// `kms-client fhe` (keygen, encrypt, decrypt, inspect) against node-tfhe@1.7.0
// (TFHE-rs 1.7.0 in WASM), driving the kms-client binary as a child process:
//   - node-tfhe reads the TfheClientKey, TfheCompactPublicKey and
//     TfheCompressedServerKey that `fhe keygen` writes (and re-serializes them
//     to the same bytes); the same seed gives the same keys; the uncompressed
//     ServerKey (which node-tfhe cannot deserialize) is read back by inspect;
//   - node-tfhe decrypts FheBool / FheUint8 / FheUint64 / FheInt64 that
//     `fhe encrypt --client-key` makes, and reads, expands and decrypts the
//     CompactCiphertextList `fhe encrypt --public-key` makes;
//   - `fhe decrypt` returns the values node-tfhe encrypted: compact lists
//     under ckms's public key, FheBool / FheUint8..256 / FheInt8..256 under a
//     node-tfhe default-config client key and under a ckms test-set key;
//   - the four client-key formats round-trip through `fhe decrypt`, and
//     `fhe inspect` names every object's type;
//   - bad inputs give exit status 1 or 2, a message on stderr, nothing on stdout.
// The default parameter set is exercised once (keygen ~7 s) except in
// sanitizer builds, where keyset generation is several times slower (set
// CKMS_FHE_DEFAULT=1 to run it there too).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const tfhe = require('node-tfhe');

const binDir = process.env.CKMS_BIN_DIR || path.join(__dirname, '..', '..', 'build', 'bin');
const KMS_CLIENT = path.join(binDir, 'kms-client');
const LIMIT = 1n << 32n;

function sanitized() {
  try {
    return fs.readFileSync(KMS_CLIENT).includes('__asan_init');
  } catch {
    return false;
  }
}

// Runs `kms-client fhe ...`; returns {status, stdout, stderr}.
function fhe(...args) {
  const r = spawnSync(KMS_CLIENT, ['fhe', ...args], { encoding: 'utf8', timeout: 300000 });
  if (r.error) throw r.error;
  // sanitizer builds: UBSan reports do not change the exit status
  assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/, `kms-client fhe ${args.join(' ')}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Runs it and demands success; returns stdout.
function ok(...args) {
  const r = fhe(...args);
  assert.equal(r.status, 0, `kms-client fhe ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// Runs it and demands a clean failure (status 1 or 2, message, no output).
function fails(what, ...args) {
  const r = fhe(...args);
  assert.ok(r.status === 1 || r.status === 2, `${what}: status ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr, /^kms-client fhe \w+: \S/, `${what}: message on stderr`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  return r;
}

function tmpDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-fhe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return (name) => path.join(dir, name);
}

function randomValue(bits, signed) {
  let v = BigInt('0x' + crypto.randomBytes(Math.ceil(bits / 8)).toString('hex')) &
          ((1n << BigInt(bits)) - 1n);
  if (signed && (v >> BigInt(bits - 1))) v -= 1n << BigInt(bits);
  return v;
}

// node-tfhe takes numbers up to 32 bits, BigInts above.
const js = (v, bits) => (bits <= 32 ? Number(v) : v);
const same = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

// `fhe keygen` into a fresh directory; returns the file paths and node-tfhe keys.
function keygen(file, params, ...extra) {
  const dir = file(`keys-${params}-${crypto.randomBytes(4).toString('hex')}`);
  ok('keygen', '--params', params, '--out-dir', dir, ...extra);
  const f = (n) => path.join(dir, n);
  return { dir, ck: f('client_key.bin'), pk: f('public_key.bin'), sk: f('server_key.bin') };
}

function nodeKeys(k) {
  const ckBytes = fs.readFileSync(k.ck);
  const pkBytes = fs.readFileSync(k.pk);
  const ck = tfhe.TfheClientKey.safe_deserialize(ckBytes, LIMIT);
  const pk = tfhe.TfheCompactPublicKey.safe_deserialize(pkBytes, LIMIT);
  assert.ok(same(ck.safe_serialize(LIMIT), ckBytes), 'node-tfhe re-serializes the client key');
  assert.ok(same(pk.safe_serialize(LIMIT), pkBytes), 'node-tfhe re-serializes the public key');
  return { ck, pk };
}

const INTS = [
  ['FheUint8', 'euint8', 8, false], ['FheUint16', 'euint16', 16, false],
  ['FheUint32', 'euint32', 32, false], ['FheUint64', 'euint64', 64, false],
  ['FheUint128', 'euint128', 128, false], ['FheUint256', 'euint256', 256, false],
  ['FheInt8', 'eint8', 8, true], ['FheInt16', 'eint16', 16, true],
  ['FheInt32', 'eint32', 32, true], ['FheInt64', 'eint64', 64, true],
  ['FheInt128', 'eint128', 128, true], ['FheInt256', 'eint256', 256, true],
];

// node-tfhe encrypts every type with ck; `fhe decrypt` with ckFile prints it.
function nodeEncryptsCkmsDecrypts(file, ck, ckFile, label) {
  for (const [cls, type, bits, signed] of INTS) {
    const v = randomValue(bits, signed);
    const ct = file(`${label}-${cls}`);
    fs.writeFileSync(ct, tfhe[cls].encrypt_with_client_key(js(v, bits), ck).safe_serialize(LIMIT));
    assert.equal(ok('decrypt', '--client-key', ckFile, '--ciphertext', ct, '--type', type),
                 `${v}\n`, `${label} ${cls}`);
  }
  for (const b of [true, false]) {
    const ct = file(`${label}-bool`);
    fs.writeFileSync(ct, tfhe.FheBool.encrypt_with_client_key(b, ck).safe_serialize(LIMIT));
    assert.equal(ok('decrypt', '--client-key', ckFile, '--ciphertext', ct, '--json'),
                 `{"type":"ebool","value":"${b}"}\n`);
  }
}

// `fhe encrypt --client-key` (small-expanded), node-tfhe decrypts.
function ckmsEncryptsNodeDecrypts(file, k, ck) {
  const cases = [['FheUint8', 'euint8', 8, false], ['FheUint64', 'euint64', 64, false],
                 ['FheInt64', 'eint64', 64, true]];
  for (const [cls, type, bits, signed] of cases) {
    const v = randomValue(bits, signed);
    const out = file(`ckms-${cls}`);
    ok('encrypt', '--client-key', k.ck, '--type', type, '--value', String(v), '--out', out,
       '--force');
    const ct = tfhe[cls].safe_deserialize(fs.readFileSync(out), LIMIT);
    assert.equal(BigInt(ct.decrypt(ck)), v, `${cls} ${v}`);
  }
  for (const b of ['true', 'false', '1', '0']) {
    const out = file('ckms-bool');
    ok('encrypt', '--client-key', k.ck, '--type', 'ebool', '--value', b, '--out', out, '--force');
    const ct = tfhe.FheBool.safe_deserialize(fs.readFileSync(out), LIMIT);
    assert.equal(ct.decrypt(ck), b === 'true' || b === '1');
  }
}

// node-tfhe builds compact lists with ckms's public key; `fhe decrypt` prints them.
function nodeListCkmsDecrypts(file, k, pk) {
  for (const packed of [false, true]) {
    const builder = tfhe.CompactCiphertextList.builder(pk);
    const v32 = randomValue(32, false);
    const v8 = randomValue(8, true);
    const v64 = randomValue(64, false);
    builder.push_u32(Number(v32));
    builder.push_boolean(true);
    builder.push_i8(Number(v8));
    builder.push_u64(v64);
    const list = packed ? builder.build_packed() : builder.build();
    const out = file(`node-list-${packed}`);
    fs.writeFileSync(out, list.safe_serialize(LIMIT));
    assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', out),
                 `${v32}\ntrue\n${v8}\n${v64}\n`, `packed ${packed}`);
    assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', out, '--index', '2',
                    '--json'), `{"type":"eint8","value":"${v8}"}\n`);
    assert.match(ok('inspect', out), /type\s+high_level_api::CompactCiphertextList\n/);
  }
}

test('keygen: node-tfhe reads the test-set keys; same seed, same keys; no overwrite', (t) => {
  const file = tmpDir(t);
  const seed = crypto.randomBytes(16).toString('hex');
  const a = keygen(file, 'test', '--seed', seed);
  const b = keygen(file, 'test', '--seed', seed);
  for (const f of ['ck', 'pk', 'sk'])
    assert.ok(same(fs.readFileSync(a[f]), fs.readFileSync(b[f])), `${f}: same seed, same bytes`);
  assert.equal(fs.statSync(a.ck).mode & 0o777, 0o600, 'the client key is private');
  nodeKeys(a);
  assert.match(ok('inspect', a.sk), /type\s+high_level_api::CompressedXofKeySet\n/);

  // never overwritten, unless --force
  const before = fs.readFileSync(a.ck);
  const r = fails('keygen over existing keys', 'keygen', '--params', 'test', '--out-dir', a.dir);
  assert.match(r.stderr, /exists; refusing to overwrite/);
  assert.ok(same(fs.readFileSync(a.ck), before));
  ok('keygen', '--params', 'test', '--out-dir', a.dir, '--force');
  assert.ok(!same(fs.readFileSync(a.ck), before), '--force writes new keys');
});

test('keygen --server-key-format compressed-server-key: node-tfhe parses it', (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'test', '--server-key-format', 'compressed-server-key',
                   '--tag', '6b6579');
  const bytes = fs.readFileSync(k.sk);
  const csk = tfhe.TfheCompressedServerKey.safe_deserialize(bytes, LIMIT);
  assert.ok(same(csk.safe_serialize(LIMIT), bytes), 'node-tfhe re-serializes it to the same bytes');
  const info = ok('inspect', k.sk);
  assert.match(info, /type\s+high_level_api::CompressedServerKey\n/);
  assert.match(info, /tag\s+6b6579\n/);
  nodeKeys(k);
});

test('keygen --uncompressed writes a ServerKey that inspect reads', (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'test', '--uncompressed');
  const info = ok('inspect', k.sk);
  assert.match(info, /type\s+high_level_api::ServerKey\n/);
  assert.match(info, /parameters\s+test \(INSECURE\)\n/);
  assert.match(info, /compute BSK/);
  nodeKeys(k); // the other two files as usual
});

test('ckms test-set keys: ckms and node-tfhe encrypt and decrypt each other', (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'test');
  const { ck, pk } = nodeKeys(k);
  ckmsEncryptsNodeDecrypts(file, k, ck);
  nodeListCkmsDecrypts(file, k, pk);
  nodeEncryptsCkmsDecrypts(file, ck, k.ck, 'ckms-test-key');

  // a compact list ckms builds: node-tfhe reads it byte for byte and expands
  // it (casting with a server key it derives from ckms's client key)
  tfhe.set_server_key(tfhe.TfheServerKey.new(ck));
  const v = randomValue(16, false);
  const out = file('ckms-list');
  ok('encrypt', '--public-key', k.pk, '--type', 'euint16', '--value', String(v), '--out', out);
  const bytes = fs.readFileSync(out);
  const list = tfhe.CompactCiphertextList.safe_deserialize(bytes, LIMIT);
  assert.ok(same(list.safe_serialize(LIMIT), bytes));
  assert.equal(BigInt(list.expand().get_uint16(0).decrypt(ck)), v);
  assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', out), `${v}\n`);
});

test('node-tfhe default-config client key: fhe decrypt reads its ciphertexts', (t) => {
  const file = tmpDir(t);
  const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  const ckFile = file('node_ck.bin');
  fs.writeFileSync(ckFile, ck.safe_serialize(LIMIT));
  assert.match(ok('inspect', ckFile), /parameters\s+message_2_carry_2\n/);
  nodeEncryptsCkmsDecrypts(file, ck, ckFile, 'node-default');
});

test('every client-key format round-trips and inspect names it', (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'test');
  const formats = [
    ['small-expanded', { euint64: 'FheUint', eint8: 'FheInt', ebool: 'FheBool' }],
    ['small-compressed', 'CompressedCiphertextList'],
    ['big-expanded', { euint64: 'SquashedNoiseFheUint', eint8: 'SquashedNoiseFheInt',
                       ebool: 'SquashedNoiseFheBool' }],
    ['big-compressed', 'CompressedSquashedNoiseCiphertextList'],
  ];
  const values = [['euint64', '18446744073709551615'], ['eint8', '-128'], ['ebool', 'true'],
                  ['euint256', String((1n << 256n) - 3n)], ['eint256', String(-(1n << 255n))],
                  ['euint8', '0x7f'], ['eint64', String(randomValue(64, true))]];
  for (const [format, names] of formats) {
    for (const [type, value] of values) {
      const out = file(`${format}-${type}`);
      ok('encrypt', '--client-key', k.ck, '--type', type, '--value', value, '--out', out,
         '--format', format);
      const want = value.startsWith('0x') ? String(BigInt(value)) : value;
      assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', out, '--json'),
                   `{"type":"${type}","value":"${want}"}\n`, `${format} ${type}`);
      const name = typeof names === 'string' ? names : names[type];
      if (name !== undefined)
        assert.match(ok('inspect', out), new RegExp(`type\\s+high_level_api::${name}\\n`));
    }
  }
  assert.match(ok('inspect', k.ck), /type\s+high_level_api::ClientKey\n/);
  assert.match(ok('inspect', k.pk), /type\s+high_level_api::CompactPublicKey\n/);
  // a public key makes compact lists only; compact lists need a public key
  fails('public key, expanded format', 'encrypt', '--public-key', k.pk, '--type', 'euint8',
        '--value', '1', '--out', file('x'), '--format', 'small-expanded');
  fails('client key, compact list', 'encrypt', '--client-key', k.ck, '--type', 'euint8',
        '--value', '1', '--out', file('x'), '--format', 'compact-list');
});

test('bad inputs: clear errors, exit status 1 or 2', (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'test');
  const ct = file('ct');
  ok('encrypt', '--client-key', k.ck, '--type', 'euint64', '--value', '7', '--out', ct);
  const bytes = fs.readFileSync(ct);
  fs.writeFileSync(file('truncated'), bytes.subarray(0, bytes.length - 9));
  fs.writeFileSync(file('garbage'), crypto.randomBytes(300));
  fs.writeFileSync(file('empty'), Buffer.alloc(0));

  const dec = (f, ...more) => ['decrypt', '--client-key', k.ck, '--ciphertext', f, ...more];
  for (const f of ['truncated', 'garbage', 'empty', 'missing'])
    fails(`decrypt ${f}`, ...dec(file(f)));
  assert.match(fails('wrong type', ...dec(ct, '--type', 'euint32')).stderr, /euint64/);
  fails('a key as a ciphertext', ...dec(k.pk));
  fails('a ciphertext as a client key', 'decrypt', '--client-key', ct, '--ciphertext', ct);
  fails('missing client key', 'decrypt', '--client-key', file('nope'), '--ciphertext', ct);
  for (const f of ['truncated', 'garbage', 'empty', 'missing'])
    fails(`inspect ${f}`, 'inspect', file(f));

  const enc = (type, value) => ['encrypt', '--client-key', k.ck, '--type', type, '--value', value,
                                '--out', file(`v-${crypto.randomBytes(4).toString('hex')}`)];
  for (const [type, value] of [['euint8', '256'], ['euint8', '-1'], ['eint8', '128'],
                               ['eint8', '-129'], ['euint64', '0x10000000000000000'],
                               ['euint8', '12a'], ['ebool', '2'], ['euint8', ''],
                               ['euint7', '1'], ['euint256', String(1n << 256n)]])
    fails(`encrypt ${type} ${value}`, ...enc(type, value));
  ok(...enc('eint8', '-128'));
  ok(...enc('euint256', String((1n << 256n) - 1n)));
  // an existing output is not overwritten
  assert.match(fails('overwrite', 'encrypt', '--client-key', k.ck, '--type', 'euint8',
                     '--value', '1', '--out', ct).stderr, /refusing to overwrite/);
  assert.ok(same(fs.readFileSync(ct), bytes));

  // usage errors are status 2
  assert.equal(fails('no subcommand args', 'keygen').status, 2);
  assert.equal(fails('bad option', 'decrypt', '--nope').status, 2);
  assert.equal(fails('bad params', 'keygen', '--params', 'huge', '--out-dir', file('d')).status, 2);
  assert.equal(fhe('nosuch').status, 2);
  for (const sub of ['keygen', 'encrypt', 'decrypt', 'inspect'])
    assert.match(ok(sub, '--help'), /^usage: kms-client fhe /);
  assert.match(ok('--help'), /keygen/);
});

test('default parameters: keygen, node-tfhe interop', {
  skip: sanitized() && !process.env.CKMS_FHE_DEFAULT &&
        'keyset generation is slow under the sanitizers (CKMS_FHE_DEFAULT=1 runs it)',
}, (t) => {
  const file = tmpDir(t);
  const k = keygen(file, 'default');
  const { ck, pk } = nodeKeys(k);
  const info = ok('inspect', k.sk);
  assert.match(info, /type\s+high_level_api::CompressedXofKeySet\n/);
  assert.match(info, /parameters\s+default\n/);
  ckmsEncryptsNodeDecrypts(file, k, ck);
  nodeListCkmsDecrypts(file, k, pk);
  const v = randomValue(64, false);
  const ct = file('u64');
  fs.writeFileSync(ct, tfhe.FheUint64.encrypt_with_client_key(v, ck).safe_serialize(LIMIT));
  assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', ct), `${v}\n`);
  for (const format of ['small-compressed', 'big-expanded', 'big-compressed']) {
    const out = file(format);
    ok('encrypt', '--client-key', k.ck, '--type', 'euint64', '--value', String(v), '--out', out,
       '--format', format);
    assert.equal(ok('decrypt', '--client-key', k.ck, '--ciphertext', out), `${v}\n`, format);
  }
});

// TFHE-rs 1.7 byte formats against node-tfhe@1.7.0 (TFHE-rs 1.7.0 in WASM),
// both ways:
//   node-tfhe writes -> ckms reads it, writes it back byte for byte, and
//     decrypts it with the node-tfhe client key: ClientKey (default config,
//     dedicated-CPK config, custom small parameters), CompactPublicKey,
//     FheBool / FheUint8..256 / FheInt8, FheInt64, CompactCiphertextList
//     (plain and packed), and ProvenCompactCiphertextList fixtures with PkeV1
//     and PkeV2 proofs (a CRS takes node-tfhe a minute or more to make, so the
//     lists were made once, from the deterministic client key of seed 42);
//   ckms writes -> node-tfhe reads and re-serializes it to the same bytes:
//     ClientKey and CompactPublicKey of the "test" and "default" sets, and
//     node-tfhe decrypts ckms's FheUint8/64, FheInt64 and FheBool, builds
//     compact lists with ckms's public key that ckms decrypts, and expands
//     (casts) and decrypts compact lists ckms builds (test set).
// Objects go through files in a temporary directory (ckms-oracle-tfhe).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const tfhe = require('node-tfhe');
const { Oracle } = require('./lib/oracle');

const LIMIT = 1n << 32n;
const FIXTURES = path.join(__dirname, '..', '..', 'fuzz', 'corpus', 'fuzz_wire_compact_list');

class Dir {
  constructor(t) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-wire-'));
    this.oracle = new Oracle('tfhe');
    t.after(() => {
      this.oracle.close();
      fs.rmSync(this.dir, { recursive: true, force: true });
    });
  }

  file(name) { return path.join(this.dir, name); }

  write(name, bytes) {
    fs.writeFileSync(this.file(name), bytes);
    return this.file(name);
  }

  // ckms reads the bytes as `kind` and writes them back: nothing may change.
  async roundtrip(kind, name, bytes) {
    this.write(name, bytes);
    const [info] = await this.oracle.call('roundtrip', kind, this.file(name),
                                          this.file(`${name}.ckms`));
    const back = fs.readFileSync(this.file(`${name}.ckms`));
    assert.ok(Buffer.compare(back, Buffer.from(bytes)) === 0,
              `${kind} ${name}: ckms wrote ${back.length} bytes that differ from node-tfhe's ` +
              `${bytes.length}`);
    return info;
  }

  async decrypt(ck, ct, index = 0) {
    const [type, hex, count] = await this.oracle.call('decrypt', this.file(ck), this.file(ct),
                                                      String(index));
    return { type, value: fromLe(hex, type), count: Number(count) };
  }
}

// The oracle's little-endian plaintext bytes (sign-extended for Int types).
function fromLe(hex, type) {
  const bytes = Buffer.from(hex === '-' ? '' : hex, 'hex');
  if (type === 'Bool') return bytes[0] === 1;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  const top = BigInt(8 * bytes.length);
  if (type.startsWith('Int') && v >> (top - 1n)) v -= 1n << top;
  return v;
}

function toLeHex(v, bytes) {
  let x = BigInt(v);
  if (x < 0n) x += 1n << BigInt(8 * bytes);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out.toString('hex');
}

function randomValue(bits, signed) {
  let v = BigInt('0x' + crypto.randomBytes(Math.ceil(bits / 8)).toString('hex')) &
          ((1n << BigInt(bits)) - 1n);
  if (signed && (v >> BigInt(bits - 1))) v -= 1n << BigInt(bits);
  return v;
}

// node-tfhe takes numbers up to 32 bits, BigInts above.
const js = (v, bits) => (bits <= 32 ? Number(v) : v);

const kmsPke = () => new tfhe.ShortintCompactPublicKeyEncryptionParameters(
  tfhe.ShortintCompactPublicKeyEncryptionParametersName
    .V1_7_PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128);

const seed = () => BigInt('0x' + crypto.randomBytes(8).toString('hex'));

test('ckms reads node-tfhe client keys and ciphertexts byte for byte and decrypts them',
     async (t) => {
  const d = new Dir(t);
  const ck = tfhe.TfheClientKey.generate_with_seed(tfhe.TfheConfigBuilder.default().build(),
                                                   seed());
  assert.equal(await d.roundtrip('client_key', 'ck', ck.safe_serialize(LIMIT)),
               'message_2_carry_2');
  const cases = [
    ['FheUint8', 8, false], ['FheUint16', 16, false], ['FheUint32', 32, false],
    ['FheUint64', 64, false], ['FheUint128', 128, false], ['FheUint256', 256, false],
    ['FheInt8', 8, true], ['FheInt64', 64, true],
  ];
  for (const [cls, bits, signed] of cases) {
    const v = randomValue(bits, signed);
    const bytes = tfhe[cls].encrypt_with_client_key(js(v, bits), ck).safe_serialize(LIMIT);
    assert.equal(await d.roundtrip('radix', cls, bytes), cls.slice(3));
    const got = await d.decrypt('ck', cls);
    assert.equal(got.type, cls.slice(3));
    assert.equal(got.value, v, `${cls} ${v}`);
  }
  for (const b of [true, false]) {
    const bytes = tfhe.FheBool.encrypt_with_client_key(b, ck).safe_serialize(LIMIT);
    await d.roundtrip('radix', `bool${b}`, bytes);
    assert.equal((await d.decrypt('ck', `bool${b}`)).value, b);
  }
});

test('ckms reads node-tfhe compact public keys and compact lists, and decrypts the lists',
     async (t) => {
  const d = new Dir(t);
  const cfg = tfhe.TfheConfigBuilder.default().use_dedicated_compact_public_key_parameters(kmsPke())
    .build();
  const ck = tfhe.TfheClientKey.generate_with_seed(cfg, seed());
  assert.equal(await d.roundtrip('client_key', 'ck', ck.safe_serialize(LIMIT)), 'custom');
  const pk = tfhe.TfheCompactPublicKey.new(ck);
  assert.equal(await d.roundtrip('cpk', 'pk', pk.safe_serialize(LIMIT)), 'n=2048');
  // the default config's key under the compute key (NoCasting) too
  const ck0 = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  await d.roundtrip('cpk', 'pk0', tfhe.TfheCompactPublicKey.new(ck0).safe_serialize(LIMIT));

  const kinds = [['u8', 8, false], ['u16', 16, false], ['u64', 64, false], ['i8', 8, true],
                 ['i32', 32, true], ['u128', 128, false], ['i2', 2, true], ['u4', 4, false]];
  for (const packed of [false, true]) {
    const builder = tfhe.CompactCiphertextList.builder(pk);
    const want = [];
    for (let i = 0; i < 6; i++) {
      if (crypto.randomInt(4) === 0) {
        const b = crypto.randomInt(2) === 1;
        builder.push_boolean(b);
        want.push(['Bool', b]);
        continue;
      }
      const [k, bits, signed] = kinds[crypto.randomInt(kinds.length)];
      const v = randomValue(bits, signed);
      builder[`push_${k}`](js(v, bits));
      want.push([`${signed ? 'Int' : 'Uint'}${bits}`, v]);
    }
    const list = packed ? builder.build_packed() : builder.build();
    const name = packed ? 'packed' : 'plain';
    assert.equal(await d.roundtrip('compact_list', name, list.safe_serialize(LIMIT)), '6');
    for (let i = 0; i < want.length; i++) {
      const got = await d.decrypt('ck', name, i);
      assert.deepEqual([got.type, got.value], want[i], `${name} element ${i}`);
      assert.equal(got.count, want.length);
    }
  }
  // a default-config list is under the compute key, decrypted with it
  const b0 = tfhe.CompactCiphertextList.builder(tfhe.TfheCompactPublicKey.new(ck0));
  b0.push_u16(40000);
  b0.push_i8(-5);
  d.write('ck0', ck0.safe_serialize(LIMIT));
  await d.roundtrip('compact_list', 'nocast', b0.build().safe_serialize(LIMIT));
  assert.equal((await d.decrypt('ck0', 'nocast', 0)).value, 40000n);
  assert.equal((await d.decrypt('ck0', 'nocast', 1)).value, -5n);
});

test('ckms reads a node-tfhe client key with custom small parameters', async (t) => {
  const d = new Dir(t);
  const u = tfhe.Shortint.try_new_t_uniform(2);
  const params = tfhe.Shortint.new_parameters(16, 1, 256, u, u, 24, 1, 37, 1, 4n, 4n, 5n, -40.5,
                                              64, tfhe.ShortintEncryptionKeyChoice.Big);
  const ck = tfhe.TfheClientKey.generate_with_seed(
    tfhe.TfheConfigBuilder.with_custom_parameters(params).build(), seed());
  assert.equal(await d.roundtrip('client_key', 'ck', ck.safe_serialize(LIMIT)), 'custom');
  const v = randomValue(16, false);
  await d.roundtrip('radix', 'u16',
                    tfhe.FheUint16.encrypt_with_client_key(Number(v), ck).safe_serialize(LIMIT));
  assert.equal((await d.decrypt('ck', 'u16')).value, v);
  await d.roundtrip('radix', 'i8',
                    tfhe.FheInt8.encrypt_with_client_key(-100, ck).safe_serialize(LIMIT));
  assert.equal((await d.decrypt('ck', 'i8')).value, -100n);
});

// Fixtures made once by node-tfhe (the CRS takes it a minute or more): CRS
// for 8 bits, so the three elements (u8 213, true, i2 -1) span two proved
// lists; the client key of seed 42 with the config's PKE parameters.
const PROVEN = [
  ['proven_v2_two_lists.bin', 'V1_7_PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128',
   'PkeV2 proofs with ZkComputeLoad.Proof'],
  ['proven_v1_two_lists.bin', 'V1_7_PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128_ZKV1',
   'PkeV1 proofs with ZkComputeLoad.Verify'],
];

for (const [file, pke, what] of PROVEN) {
  test(`ckms reads a node-tfhe ProvenCompactCiphertextList (${what}) and decrypts it`,
       async (t) => {
    const d = new Dir(t);
    const params = new tfhe.ShortintCompactPublicKeyEncryptionParameters(
      tfhe.ShortintCompactPublicKeyEncryptionParametersName[pke]);
    const cfg = tfhe.TfheConfigBuilder.default()
      .use_dedicated_compact_public_key_parameters(params).build();
    const ck = tfhe.TfheClientKey.generate_with_seed(cfg, 42n);
    d.write('ck', ck.safe_serialize(LIMIT));
    const bytes = fs.readFileSync(path.join(FIXTURES, file));
    const list = tfhe.ProvenCompactCiphertextList.safe_deserialize(bytes, LIMIT);
    assert.equal(list.len(), 3);
    assert.equal(await d.roundtrip('compact_list', 'proven', bytes), '3');
    const want = [['Uint8', 213n], ['Bool', true], ['Int2', -1n]];
    for (let i = 0; i < 3; i++) {
      const got = await d.decrypt('ck', 'proven', i);
      assert.deepEqual([got.type, got.value], want[i]);
    }
  });
}

for (const params of ['test', 'default']) {
  test(`node-tfhe reads the ${params}-set keys and ciphertexts ckms writes`, async (t) => {
    const d = new Dir(t);
    const s = crypto.randomBytes(16).toString('hex');
    assert.deepEqual(await d.oracle.call('keygen', params, s, d.dir), [params]);
    const ckBytes = fs.readFileSync(d.file('client_key.bin'));
    const pkBytes = fs.readFileSync(d.file('public_key.bin'));
    const ck = tfhe.TfheClientKey.safe_deserialize(ckBytes, LIMIT);
    const pk = tfhe.TfheCompactPublicKey.safe_deserialize(pkBytes, LIMIT);
    assert.ok(Buffer.compare(Buffer.from(ck.safe_serialize(LIMIT)), ckBytes) === 0,
              'node-tfhe re-serializes the client key to the same bytes');
    assert.ok(Buffer.compare(Buffer.from(pk.safe_serialize(LIMIT)), pkBytes) === 0,
              'node-tfhe re-serializes the public key to the same bytes');

    const cases = [['FheUint8', 2, 8], ['FheUint64', 5, 64], ['FheInt64', 26, 64]];
    for (const [cls, id, bits] of cases) {
      const v = randomValue(bits, cls.startsWith('FheInt'));
      await d.oracle.call('encrypt', d.file('client_key.bin'), String(id),
                          toLeHex(v, bits / 8), d.file(cls));
      const ct = tfhe[cls].safe_deserialize(fs.readFileSync(d.file(cls)), LIMIT);
      assert.equal(BigInt(ct.decrypt(ck)), v, `${params} ${cls}`);
    }
    for (const b of [0, 1]) {
      await d.oracle.call('encrypt', d.file('client_key.bin'), '0', toLeHex(b, 1),
                          d.file('bool'));
      const ct = tfhe.FheBool.safe_deserialize(fs.readFileSync(d.file('bool')), LIMIT);
      assert.equal(ct.decrypt(ck), b === 1);
    }

    for (const packed of [false, true]) {
      const builder = tfhe.CompactCiphertextList.builder(pk);
      const v32 = randomValue(32, false);
      const v8 = randomValue(8, true);
      builder.push_u32(Number(v32));
      builder.push_boolean(true);
      builder.push_i8(Number(v8));
      const list = packed ? builder.build_packed() : builder.build();
      d.write('list', list.safe_serialize(LIMIT));
      assert.equal((await d.decrypt('client_key.bin', 'list', 0)).value, v32);
      assert.equal((await d.decrypt('client_key.bin', 'list', 1)).value, true);
      assert.equal((await d.decrypt('client_key.bin', 'list', 2)).value, v8);
    }

    // node-tfhe expands and decrypts compact lists ckms builds with its
    // public key (casting with a server key node-tfhe derives from ckms's
    // client key; the test set's takes it well under a second)
    if (params !== 'test') return;
    tfhe.set_server_key(tfhe.TfheServerKey.new(ck));
    for (const packed of ['0', '1']) {
      const v16 = randomValue(16, false);
      const v64 = randomValue(64, true);
      await d.oracle.call('encrypt_list', d.file('public_key.bin'), packed, d.file('ckms_list'),
                          `3:${toLeHex(v16, 2)}`, '0:01', `26:${toLeHex(v64, 8)}`);
      const bytes = fs.readFileSync(d.file('ckms_list'));
      const list = tfhe.CompactCiphertextList.safe_deserialize(bytes, LIMIT);
      assert.ok(Buffer.compare(Buffer.from(list.safe_serialize(LIMIT)), bytes) === 0);
      const x = list.expand();
      assert.equal(BigInt(x.get_uint16(0).decrypt(ck)), v16, `packed ${packed}`);
      assert.equal(x.get_bool(1).decrypt(ck), true);
      assert.equal(BigInt(x.get_int64(2).decrypt(ck)), v64);
    }
  });
}

// Cross-checks ckms's ML-KEM-512 against @noble/post-quantum (ml_kem512) on
// random inputs: identical keys from (d, z), identical ciphertexts and shared
// secrets from (ek, m), each side decapsulating the other's ciphertext, and
// identical implicit-rejection secrets for tampered ciphertexts.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { Oracle, hex } = require('./lib/oracle');

const ROUNDS = 200;
const Q = 3329;

const toHex = (b) => Buffer.from(b).toString('hex');

// Flips one random bit of a copy of buf.
function flipBit(buf) {
  const out = Buffer.from(buf);
  const i = crypto.randomInt(out.length);
  out[i] ^= 1 << crypto.randomInt(8);
  return out;
}

// Sets 12-bit coefficient i of a ByteEncode_12 string (in place).
function setCoeff(buf, off, i, v) {
  const p = off + 3 * (i >> 1);
  if (i % 2 === 0) {
    buf[p] = v & 0xff;
    buf[p + 1] = (buf[p + 1] & 0xf0) | (v >> 8);
  } else {
    buf[p + 1] = (buf[p + 1] & 0x0f) | ((v & 0x0f) << 4);
    buf[p + 2] = v >> 4;
  }
}

test('ML-KEM-512 agrees with @noble/post-quantum', async (t) => {
  const { ml_kem512: noble } = await import('@noble/post-quantum/ml-kem.js');
  const oracle = new Oracle('mlkem');
  t.after(() => oracle.close());
  for (let r = 0; r < ROUNDS; r++) {
    const d = crypto.randomBytes(32);
    const z = crypto.randomBytes(32);
    const m = crypto.randomBytes(32);

    const keys = noble.keygen(Buffer.concat([d, z]));
    const [ekHex, dkHex] = await oracle.call('keygen', d, z);
    assert.equal(ekHex, toHex(keys.publicKey), `ek, round ${r}`);
    assert.equal(dkHex, toHex(keys.secretKey), `dk, round ${r}`);
    const ek = hex(ekHex);
    const dk = hex(dkHex);

    const enc = noble.encapsulate(ek, m);
    const [ctHex, ssHex] = await oracle.call('encaps', ek, m);
    assert.equal(ctHex, toHex(enc.cipherText), `ct, round ${r}`);
    assert.equal(ssHex, toHex(enc.sharedSecret), `ss, round ${r}`);

    // each side decapsulates the other's ciphertext (identical here, but
    // decapsulation runs independently on both)
    const [ssC] = await oracle.call('decaps', dk, enc.cipherText);
    assert.equal(ssC, ssHex);
    assert.equal(toHex(noble.decapsulate(hex(ctHex), keys.secretKey)), ssHex);

    // a tampered ciphertext: the same implicit-rejection secret on both sides
    const bad = flipBit(hex(ctHex));
    const [ssBad] = await oracle.call('decaps', dk, bad);
    assert.equal(ssBad, toHex(noble.decapsulate(bad, keys.secretKey)), `rejection, round ${r}`);
    assert.notEqual(ssBad, ssHex);
  }
});

test('randomised keygen/encaps from ckms decapsulate in noble and back', async (t) => {
  const { ml_kem512: noble } = await import('@noble/post-quantum/ml-kem.js');
  const oracle = new Oracle('mlkem');
  t.after(() => oracle.close());
  for (let r = 0; r < 20; r++) {
    // keys from noble's own randomness, ciphertext from ours
    const keys = noble.keygen();
    const m = crypto.randomBytes(32);
    const [ctHex, ssHex] = await oracle.call('encaps', keys.publicKey, m);
    assert.equal(toHex(noble.decapsulate(hex(ctHex), keys.secretKey)), ssHex);
    // and a noble ciphertext with random m decapsulated by ckms
    const enc = noble.encapsulate(keys.publicKey);
    const [ss] = await oracle.call('decaps', keys.secretKey, enc.cipherText);
    assert.equal(ss, toHex(enc.sharedSecret));
  }
});

test('both reject an ek with a coefficient >= q, and a dk with a wrong H(ek)', async (t) => {
  const { ml_kem512: noble } = await import('@noble/post-quantum/ml-kem.js');
  const oracle = new Oracle('mlkem');
  t.after(() => oracle.close());
  const keys = noble.keygen(crypto.randomBytes(64));
  const m = crypto.randomBytes(32);
  for (const v of [Q, Q + 1, 4095]) {
    const ek = Buffer.from(keys.publicKey);
    setCoeff(ek, 0, crypto.randomInt(512), v);
    assert.throws(() => noble.encapsulate(ek, m));
    await assert.rejects(oracle.call('encaps', ek, m), (e) => e.code === 'invalid_argument');
    await assert.rejects(oracle.call('check_ek', ek), (e) => e.code === 'invalid_argument');
  }
  const ct = noble.encapsulate(keys.publicKey, m).cipherText;
  const dk = Buffer.from(keys.secretKey);
  dk[768 + 800 + crypto.randomInt(32)] ^= 0x80; // the H(ek) field
  assert.throws(() => noble.decapsulate(ct, dk));
  await assert.rejects(oracle.call('decaps', dk, ct), (e) => e.code === 'invalid_argument');
});

// Parts of dk outside the hash check may hold 12-bit values >= q; both sides
// then read them modulo q (ByteDecode_12) and must still agree.
test('out-of-range coefficients inside dk are read the same way', async (t) => {
  const { ml_kem512: noble } = await import('@noble/post-quantum/ml-kem.js');
  const { sha3_256 } = await import('@noble/hashes/sha3.js');
  const oracle = new Oracle('mlkem');
  t.after(() => oracle.close());
  for (let r = 0; r < 20; r++) {
    const keys = noble.keygen(crypto.randomBytes(64));
    const { cipherText } = noble.encapsulate(keys.publicKey, crypto.randomBytes(32));
    const dk = Buffer.from(keys.secretKey);
    setCoeff(dk, 0, crypto.randomInt(512), Q + crypto.randomInt(4096 - Q)); // in s
    if (r % 2 === 1) {
      setCoeff(dk, 768, crypto.randomInt(512), Q + crypto.randomInt(4096 - Q)); // in ek
      Buffer.from(sha3_256(dk.subarray(768, 1568))).copy(dk, 1568);
    }
    const [ss] = await oracle.call('decaps', dk, cipherText);
    assert.equal(ss, toHex(noble.decapsulate(cipherText, dk)), `round ${r}`);
  }
});

// The user-decryption envelope against node-tkms 0.12.8 (the reference KMS's
// own client code compiled to WebAssembly): key encodings are read and
// written identically, and each side decrypts what the other encrypts.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const tkms = require('node-tkms');
const { Oracle, hex } = require('./lib/oracle');

const ROUNDS = 40;
const msgLength = () => [0, 1, 15, 16, 17, 200, 4096][crypto.randomInt(7)];

test('node-tkms reads ckms keys and decrypts ckms ciphertexts', async (t) => {
  const oracle = new Oracle('mlkem_pke');
  t.after(() => oracle.close());
  for (let i = 0; i < ROUNDS; i++) {
    const [pkHex, skHex] = await oracle.call('keygen', crypto.randomBytes(32), crypto.randomBytes(32));
    const pkBytes = hex(pkHex), skBytes = hex(skHex);
    assert.equal(pkBytes.length, tkms.ml_kem_pke_pk_len() + 69);
    const pk = tkms.u8vec_to_ml_kem_pke_pk(pkBytes);
    const sk = tkms.u8vec_to_ml_kem_pke_sk(skBytes);
    // node-tkms re-encodes both keys to exactly our bytes
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(pk)), pkBytes);
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_sk_to_u8vec(sk)), skBytes);
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(tkms.ml_kem_pke_get_pk(sk))), pkBytes);

    const msg = crypto.randomBytes(msgLength());
    const [ct] = await oracle.call('encrypt', pkBytes, msg, crypto.randomBytes(32), crypto.randomBytes(12));
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_decrypt(hex(ct), sk)), msg);
    const [ct2] = await oracle.call('encrypt_random', pkBytes, msg);
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_decrypt(hex(ct2), sk)), msg);
  }
});

test('ckms reads node-tkms keys and decrypts node-tkms ciphertexts', async (t) => {
  const oracle = new Oracle('mlkem_pke');
  t.after(() => oracle.close());
  for (let i = 0; i < ROUNDS; i++) {
    const sk = tkms.ml_kem_pke_keygen();
    const pk = tkms.ml_kem_pke_get_pk(sk);
    const pkBytes = Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(pk));
    const skBytes = Buffer.from(tkms.ml_kem_pke_sk_to_u8vec(sk));
    const msg = crypto.randomBytes(msgLength());
    const ct = Buffer.from(tkms.ml_kem_pke_encrypt(msg, pk));
    const [pt] = await oracle.call('decrypt', skBytes, ct);
    assert.deepEqual(hex(pt), msg);
    // and ckms encrypts to a node-tkms key
    const [ct2] = await oracle.call('encrypt_random', pkBytes, msg);
    assert.deepEqual(Buffer.from(tkms.ml_kem_pke_decrypt(hex(ct2), sk)), msg);
  }
});

test('tampered node-tkms ciphertexts are rejected by ckms', async (t) => {
  const oracle = new Oracle('mlkem_pke');
  t.after(() => oracle.close());
  const sk = tkms.ml_kem_pke_keygen();
  const skBytes = Buffer.from(tkms.ml_kem_pke_sk_to_u8vec(sk));
  const ct = Buffer.from(tkms.ml_kem_pke_encrypt(Buffer.from('share'), tkms.ml_kem_pke_get_pk(sk)));
  // nonce, KEM ciphertext, payload and tag positions
  for (const pos of [0, 11, 20, 400, 787, 796, ct.length - 1]) {
    const bad = Buffer.from(ct);
    bad[pos] ^= 0x01;
    await assert.rejects(oracle.call('decrypt', skBytes, bad), /verification_failed/);
  }
  // truncated and extended framing
  await assert.rejects(oracle.call('decrypt', skBytes, ct.subarray(0, ct.length - 1)), /invalid_argument/);
  await assert.rejects(oracle.call('decrypt', skBytes, Buffer.concat([ct, Buffer.from([0])])), /invalid_argument/);
});

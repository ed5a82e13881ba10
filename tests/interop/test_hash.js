// Cross-checks ckms's Keccak sponge against @noble/hashes on random inputs:
// Keccak-256, SHA3-256/512, and SHAKE128/256 read in several pieces.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { Oracle } = require('./lib/oracle');

const ROUNDS = 300;

function randomLength() {
  // bias towards lengths around the sponge rates (72, 136, 168) and multiples
  const pick = crypto.randomInt(4);
  if (pick === 0) return crypto.randomInt(0, 8);
  if (pick === 1) return [71, 72, 73, 135, 136, 137, 167, 168, 169][crypto.randomInt(9)];
  return crypto.randomInt(0, 1200);
}

test('hashes agree with @noble/hashes', async (t) => {
  const sha3 = await import('@noble/hashes/sha3.js');
  const oracle = new Oracle('hash');
  t.after(() => oracle.close());
  const cases = [
    ['keccak256', sha3.keccak_256],
    ['sha3_256', sha3.sha3_256],
    ['sha3_512', sha3.sha3_512],
  ];
  for (let i = 0; i < ROUNDS; i++) {
    const msg = crypto.randomBytes(randomLength());
    for (const [cmd, fn] of cases) {
      const [got] = await oracle.call(cmd, msg);
      assert.equal(got, Buffer.from(fn(msg)).toString('hex'), `${cmd} of ${msg.length} bytes`);
    }
  }
});

test('SHAKE squeezed in pieces agrees with one @noble/hashes output', async (t) => {
  const sha3 = await import('@noble/hashes/sha3.js');
  const oracle = new Oracle('hash');
  t.after(() => oracle.close());
  for (const [cmd, fn] of [['shake128', sha3.shake128], ['shake256', sha3.shake256]]) {
    for (let i = 0; i < ROUNDS; i++) {
      const msg = crypto.randomBytes(randomLength());
      const pieces = Array.from({ length: 1 + crypto.randomInt(5) }, () => crypto.randomInt(0, 400));
      const total = pieces.reduce((a, b) => a + b, 0);
      const want = Buffer.from(fn(msg, { dkLen: total })).toString('hex');
      const got = await oracle.call(cmd, msg, ...pieces.map(String));
      assert.equal(got.map((h) => (h === '-' ? '' : h)).join(''), want, `${cmd} pieces ${pieces}`);
    }
  }
});

// Cross-checks ckms's secp256k1 / Ethereum address / EIP-712 code against
// ethers 6.17 (and @noble/curves for the SHA-256 "internal" signature):
// for every struct the KMS signs, on random values and random domains, ethers
// computes the same hashStruct and digest, makes the same RFC 6979 signature
// with the same key, and verifyTypedData recovers the C signer's address.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { ethers } = require('ethers');
const { Oracle, hex } = require('./lib/oracle');

const ROUNDS = 60; // per struct type

const rnd = (n) => crypto.randomBytes(n);
const h0x = (b) => '0x' + Buffer.from(b).toString('hex');
const toUint = (b) => BigInt(h0x(b));

// Byte strings of random length, empty about one time in four.
function randomBytes(max = 300) {
  return crypto.randomInt(4) === 0 ? Buffer.alloc(0) : rnd(crypto.randomInt(1, max));
}

function randomString() {
  const alphabet = ['a', 'Z', '0', ' ', '-', 'é', '€', '😀', 'Decryption', 'KMS'];
  let s = '';
  const n = crypto.randomInt(0, 6);
  for (let i = 0; i < n; i++) s += alphabet[crypto.randomInt(alphabet.length)];
  return s;
}

function randomSecretKey() {
  // a uniform 32-byte string is a valid key with overwhelming probability
  for (;;) {
    const sk = rnd(32);
    try { new ethers.SigningKey(sk); return sk; } catch { /* out of range */ }
  }
}

// A random domain, for ethers and as the five oracle arguments.
function randomDomain() {
  const name = randomString();
  const version = randomString();
  const chainBytes = rnd(crypto.randomInt(1, 33));
  const chainId = toUint(chainBytes);
  const contract = rnd(20);
  const salt = crypto.randomInt(2) === 0 ? null : rnd(32);
  const domain = { name, version, chainId, verifyingContract: ethers.getAddress(h0x(contract)) };
  if (salt) domain.salt = h0x(salt);
  // the chain ID goes to C minimal or zero-padded, to exercise both
  const chainArg = crypto.randomInt(2) === 0 ? chainBytes : Buffer.concat([Buffer.alloc(32 - chainBytes.length), chainBytes]);
  const args = [Buffer.from(name, 'utf8'), Buffer.from(version, 'utf8'), chainArg, contract, salt ?? '-'];
  return { domain, args };
}

const randomHandles = () => Array.from({ length: crypto.randomInt(0, 6) }, () => rnd(32));

const TYPES = {
  PublicDecryptVerification: {
    PublicDecryptVerification: [
      { name: 'ctHandles', type: 'bytes32[]' }, { name: 'decryptedResult', type: 'bytes' },
      { name: 'extraData', type: 'bytes' }],
  },
  UserDecryptResponseVerification: {
    UserDecryptResponseVerification: [
      { name: 'publicKey', type: 'bytes' }, { name: 'ctHandles', type: 'bytes32[]' },
      { name: 'userDecryptedShare', type: 'bytes' }, { name: 'extraData', type: 'bytes' }],
  },
  KeygenVerification: {
    KeygenVerification: [
      { name: 'prepKeygenId', type: 'uint256' }, { name: 'keyId', type: 'uint256' },
      { name: 'keyDigests', type: 'KeyDigest[]' }, { name: 'extraData', type: 'bytes' }],
    KeyDigest: [{ name: 'keyType', type: 'uint8' }, { name: 'digest', type: 'bytes' }],
  },
  CrsgenVerification: {
    CrsgenVerification: [
      { name: 'crsId', type: 'uint256' }, { name: 'maxBitLength', type: 'uint256' },
      { name: 'crsDigest', type: 'bytes' }, { name: 'extraData', type: 'bytes' }],
  },
  PrepKeygenVerification: {
    PrepKeygenVerification: [{ name: 'prepKeygenId', type: 'uint256' }, { name: 'extraData', type: 'bytes' }],
  },
  UserDecryptionLinker: {
    UserDecryptionLinker: [
      { name: 'publicKey', type: 'bytes' }, { name: 'handles', type: 'bytes32[]' },
      { name: 'userAddress', type: 'address' }],
  },
};

// Random message for each type: [oracle command, oracle arguments after the
// domain, ethers value].
const MAKERS = {
  PublicDecryptVerification() {
    const hs = randomHandles(), result = randomBytes(), extra = randomBytes(70);
    return ['sign_public_decrypt', [Buffer.concat(hs), result, extra],
      { ctHandles: hs.map(h0x), decryptedResult: h0x(result), extraData: h0x(extra) }];
  },
  UserDecryptResponseVerification() {
    const pk = randomBytes(900), hs = randomHandles(), share = randomBytes(), extra = randomBytes(70);
    return ['sign_user_decrypt_response', [pk, Buffer.concat(hs), share, extra],
      { publicKey: h0x(pk), ctHandles: hs.map(h0x), userDecryptedShare: h0x(share), extraData: h0x(extra) }];
  },
  KeygenVerification() {
    const prep = rnd(32), key = rnd(32), extra = randomBytes(70);
    const digests = Array.from({ length: crypto.randomInt(0, 4) },
      () => ({ keyType: crypto.randomInt(4), digest: randomBytes(64) }));
    const wire = Buffer.concat(digests.map((d) => {
      const head = Buffer.alloc(5);
      head[0] = d.keyType;
      head.writeUInt32BE(d.digest.length, 1);
      return Buffer.concat([head, d.digest]);
    }));
    return ['sign_keygen', [prep, key, wire, extra],
      { prepKeygenId: toUint(prep), keyId: toUint(key),
        keyDigests: digests.map((d) => ({ keyType: d.keyType, digest: h0x(d.digest) })), extraData: h0x(extra) }];
  },
  CrsgenVerification() {
    const id = rnd(32), digest = randomBytes(64), extra = randomBytes(70);
    const bits = crypto.randomInt(2) === 0 ? 2n ** BigInt(crypto.randomInt(0, 12))
      : BigInt.asUintN(64, BigInt(h0x(rnd(8))));
    return ['sign_crsgen', [id, bits.toString(), digest, extra],
      { crsId: toUint(id), maxBitLength: bits, crsDigest: h0x(digest), extraData: h0x(extra) }];
  },
  PrepKeygenVerification() {
    const id = rnd(32), extra = randomBytes(70);
    return ['sign_prep_keygen', [id, extra], { prepKeygenId: toUint(id), extraData: h0x(extra) }];
  },
  UserDecryptionLinker() {
    const pk = randomBytes(900), hs = randomHandles(), user = rnd(20);
    return ['sign_linker', [pk, Buffer.concat(hs), user],
      { publicKey: h0x(pk), handles: hs.map(h0x), userAddress: ethers.getAddress(h0x(user)) }];
  },
};

let oracle;
test.before(() => { oracle = new Oracle('eth'); });
test.after(() => oracle.close());

for (const primary of Object.keys(TYPES)) {
  test(`${primary}: ethers agrees on hashStruct, digest, signature and signer`, async () => {
    const types = TYPES[primary];
    const encoder = ethers.TypedDataEncoder.from(types);
    for (let i = 0; i < ROUNDS; i++) {
      const sk = randomSecretKey();
      const wallet = new ethers.Wallet(h0x(sk));
      const { domain, args } = randomDomain();
      const [cmd, structArgs, value] = MAKERS[primary]();
      const [structHash, digest, sig, signer] = await oracle.call(cmd, sk, ...args, ...structArgs);
      const what = `${primary} round ${i}`;
      assert.equal('0x' + structHash, encoder.hashStruct(primary, value), `${what}: hashStruct`);
      assert.equal('0x' + digest, ethers.TypedDataEncoder.hash(domain, types, value), `${what}: digest`);
      assert.equal('0x' + signer, wallet.address.toLowerCase(), `${what}: signer`);
      // same key, same digest: RFC 6979 gives ethers the very same signature
      assert.equal('0x' + sig, wallet.signingKey.sign('0x' + digest).serialized, `${what}: signature`);
      assert.equal(ethers.verifyTypedData(domain, types, value, '0x' + sig), wallet.address, `${what}: verify`);
    }
  });
}

test('domain separators agree with ethers, with and without salt', async () => {
  for (let i = 0; i < 50; i++) {
    const { domain, args } = randomDomain();
    const [ds] = await oracle.call('domain_separator', ...args);
    assert.equal('0x' + ds, ethers.TypedDataEncoder.hashDomain(domain));
  }
});

test('addresses and recovery agree with ethers Wallet', async () => {
  for (let i = 0; i < 50; i++) {
    const sk = randomSecretKey();
    const wallet = new ethers.Wallet(h0x(sk));
    const [addr, checksummed, pk] = await oracle.call('address', sk);
    assert.equal(checksummed, wallet.address);
    assert.equal('0x' + addr, wallet.address.toLowerCase());
    assert.equal('0x' + pk, wallet.signingKey.publicKey);
    // C recovers ethers' signatures, with v as 27/28 and as 0/1
    const digest = rnd(32);
    const s = wallet.signingKey.sign(digest);
    const sig65 = Buffer.from(ethers.getBytes(s.serialized));
    const [rec] = await oracle.call('recover', digest, sig65);
    assert.equal('0x' + rec, wallet.address.toLowerCase());
    sig65[64] -= 27;
    const [rec01] = await oracle.call('recover', digest, sig65);
    assert.equal(rec01, rec);
    const [csig] = await oracle.call('sign_digest', sk, digest);
    assert.equal('0x' + csig, s.serialized);
    // the high-S twin is refused
    const sHigh = ethers.getBytes(ethers.toBeHex(ethers.N - BigInt(s.s), 32));
    const twin = Buffer.concat([sig65.subarray(0, 32), Buffer.from(sHigh), Buffer.from([28 - s.yParity])]);
    await assert.rejects(oracle.call('recover', digest, twin), (e) => e.code === 'verification_failed' && /low-S/.test(e.message));
  }
});

test('EIP-55 checksums agree with ethers.getAddress', async () => {
  for (let i = 0; i < 200; i++) {
    const a = rnd(20);
    const lower = h0x(a);
    const [c] = await oracle.call('checksum', a);
    assert.equal(c, ethers.getAddress(lower));
    const [back] = await oracle.call('parse', c, 'checksummed');
    assert.equal('0x' + back, lower);
    // without the prefix, any case: both accept
    const [bare] = await oracle.call('parse', lower.slice(2), 'any');
    assert.equal('0x' + bare, lower);
    // ethers accepts a single-case string without checking; the KMS (alloy
    // parse_checksummed) wants the exact EIP-55 form
    assert.equal(ethers.getAddress(lower), c);
    if (lower !== c) await assert.rejects(oracle.call('parse', lower, 'checksummed'), /checksum/);
  }
});

test('bad checksums: C rejects what ethers rejects', async () => {
  let flipped = 0;
  for (let i = 0; i < 200; i++) {
    const good = ethers.getAddress(h0x(rnd(20)));
    const letters = [...good].map((ch, j) => (j >= 2 && /[a-fA-F]/.test(ch) ? j : -1)).filter((j) => j >= 0);
    if (letters.length < 2) continue; // flipping the only letter leaves no mixed case
    const j = letters[crypto.randomInt(letters.length)];
    const ch = good[j];
    const bad = good.slice(0, j) + (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) + good.slice(j + 1);
    const stillMixed = /[a-f]/.test(bad.slice(2)) && /[A-F]/.test(bad.slice(2));
    if (!stillMixed) continue; // ethers accepts single-case strings without a checksum
    assert.throws(() => ethers.getAddress(bad), /bad address checksum/);
    await assert.rejects(oracle.call('parse', bad, 'checksummed'), /checksum/);
    // without the checksum requirement the bytes still parse
    const [any] = await oracle.call('parse', bad, 'any');
    assert.equal('0x' + any, good.toLowerCase());
    flipped++;
  }
  assert.ok(flipped > 100, `only ${flipped} mixed-case mutations tried`);
  // malformed strings: both reject
  for (const bad of ['0x123', '0x' + 'g'.repeat(40), '0x' + 'a'.repeat(41), '0xZZ' + 'a'.repeat(38)]) {
    assert.throws(() => ethers.getAddress(bad));
    await assert.rejects(oracle.call('parse', bad, 'any'));
    await assert.rejects(oracle.call('parse', bad, 'checksummed'));
  }
});

test('internal signature (SHA-256 then sign) agrees with @noble/curves', async () => {
  const { secp256k1 } = await import('@noble/curves/secp256k1.js');
  const { sha256 } = await import('@noble/hashes/sha2.js');
  for (let i = 0; i < 50; i++) {
    const sk = randomSecretKey();
    const msg = randomBytes(500);
    const [sig] = await oracle.call('sign_sha256', sk, msg);
    const want = secp256k1.sign(sha256(msg), sk, { prehash: false, lowS: true });
    assert.equal(sig, Buffer.from(want).toString('hex'));
    const pk = secp256k1.getPublicKey(sk, i % 2 === 0); // compressed and uncompressed
    assert.ok(secp256k1.verify(hex(sig), sha256(msg), pk, { prehash: false }));
    assert.deepEqual(await oracle.call('verify_sha256', pk, msg, hex(sig)), []);
    const other = Buffer.concat([msg, Buffer.from([1])]);
    await assert.rejects(oracle.call('verify_sha256', pk, other, hex(sig)), /verif/);
  }
});

// Centralized user decryption against node-tkms 0.12.8 (the reference KMS's
// client compiled to WebAssembly, what relayer-sdk runs): ckms builds the
// whole UserDecryptionResponse (oracle_userdec.c over
// src/service/user_decrypt_payload.c and src/crypto/signcrypt.c) and
// process_user_decryption_resp_from_js opens it and returns the plaintexts.
// The layout is also taken apart here independently (payload bincode, the
// signcryption's inner msg ‖ sig ‖ digest, ethers for both EIP-712 hashes,
// @noble/curves for the ECDSA signatures), and node-tkms must reject every
// tampered response.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { ethers } = require('ethers');
const tkms = require('node-tkms');
const { Oracle, hex } = require('./lib/oracle');

const Bool = 0, Uint8 = 2, Uint64 = 5, Uint256 = 8;
const TYPE_BYTES = { [Bool]: 1, [Uint8]: 1, [Uint64]: 8, [Uint256]: 32 };

const rnd = (n) => crypto.randomBytes(n);
const h0x = (b) => '0x' + Buffer.from(b).toString('hex');
const plain = (b) => Buffer.from(b).toString('hex');

function randomSecretKey() {
  for (;;) {
    const sk = rnd(32);
    try { new ethers.SigningKey(sk); return sk; } catch { /* out of range */ }
  }
}

const randomAddress = () => ethers.getAddress(h0x(rnd(20)));

// A little-endian plaintext of the type's width (Bool is 0 or 1).
function randomPlaintext(type) {
  if (type === Bool) return { type, le: Buffer.from([crypto.randomInt(2)]) };
  return { type, le: rnd(TYPE_BYTES[type]) };
}

// One user with an ephemeral node-tkms key pair, one server, one request.
function scenario(types, { salt = false, extra = Buffer.alloc(0), shortHandle = false } = {}) {
  const sk = tkms.ml_kem_pke_keygen();
  const pk = tkms.ml_kem_pke_get_pk(sk);
  const serverSk = randomSecretKey();
  const chainId = Buffer.alloc(32);
  chainId.writeUInt32BE(crypto.randomInt(1, 2 ** 31), 28);
  const handles = types.map((_, i) => (shortHandle && i === 0 ? rnd(20) : rnd(32)));
  return {
    sk, pk,
    encKey: Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(pk)),
    encSk: Buffer.from(tkms.ml_kem_pke_sk_to_u8vec(sk)),
    serverSk,
    serverAddress: new ethers.Wallet(h0x(serverSk)).address,
    clientAddress: randomAddress(),
    domain: {
      name: 'Decryption', version: '1', chainId, contract: randomAddress(),
      salt: salt ? rnd(32) : null,
    },
    handles,
    pts: types.map(randomPlaintext),
    extra,
  };
}

const domainArgs = (d) => [Buffer.from(d.name), Buffer.from(d.version), d.chainId, d.contract, d.salt ?? '-'];
const handleList = (hs) => (hs.length === 0 ? '-' : hs.map((h) => 'h' + plain(h)).join(','));
const ptList = (pts) => pts.map((p) => `${p.type}:${plain(p.le)}`).join(',');

async function build(oracle, s) {
  const [share, extSig, sig, vk, link] = await oracle.call('build', s.serverSk, s.clientAddress,
    s.encKey, ...domainArgs(s.domain), handleList(s.handles), ptList(s.pts), s.extra);
  return { share: hex(share), extSig: hex(extSig), sig: hex(sig), vk: hex(vk), link: hex(link) };
}

async function resign(oracle, s, share, extra = s.extra) {
  const [sig] = await oracle.call('resign', s.serverSk, s.encKey, ...domainArgs(s.domain), share, extra);
  return hex(sig);
}

// ---- the JS objects process_user_decryption_resp_from_js reads (js_api.rs,
// user_decryption_wasm.rs at v0.12.8): hex strings, snake_case ----

function jsRequest(s, over = {}) {
  return {
    signature: undefined,
    client_address: s.clientAddress,
    enc_key: plain(over.encKey ?? s.encKey),
    ciphertext_handles: (over.handles ?? s.handles).map(plain),
    eip712_verifying_contract: s.domain.contract,
  };
}

function jsDomain(s) {
  return {
    name: s.domain.name,
    version: s.domain.version,
    chain_id: Array.from(s.domain.chainId),
    verifying_contract: s.domain.contract,
    salt: s.domain.salt ? Array.from(s.domain.salt) : null,
  };
}

const jsResponse = (share, extSig, extra = '') =>
  [{ signature: plain(extSig), payload: plain(share), extra_data: plain(extra) }];

function tkmsOpen(s, share, extSig, { serverAddress = s.serverAddress, request = jsRequest(s) } = {}) {
  const client = tkms.new_client([tkms.new_server_id_addr(1, serverAddress)], s.clientAddress, 'default');
  return tkms.process_user_decryption_resp_from_js(client, request, jsDomain(s),
    jsResponse(share, extSig), s.pk, s.sk, true);
}

function assertPlaintexts(got, pts) {
  assert.equal(got.length, pts.length);
  got.forEach((p, i) => {
    assert.equal(p.fhe_type, pts[i].type);
    // node-tkms hands plaintexts to JS big-endian
    assert.deepEqual(Buffer.from(p.bytes), Buffer.from(pts[i].le).reverse());
  });
}

// ---- an independent reading of the payload (UserDecryptionResponsePayload
// with serde + bincode legacy: u64 lengths, fixed-width little-endian) ----

function parsePayload(b) {
  let o = 0;
  const u32 = () => { const v = b.readUInt32LE(o); o += 4; return v; };
  const i32 = () => { const v = b.readInt32LE(o); o += 4; return v; };
  const bytes = () => {
    const n = Number(b.readBigUInt64LE(o)); o += 8;
    const v = b.subarray(o, o + n); o += n; return v;
  };
  const vk = bytes(), digest = bytes();
  const n = Number(b.readBigUInt64LE(o)); o += 8;
  const cts = [];
  for (let i = 0; i < n; i++) cts.push({ fheType: i32(), ct: bytes(), handle: bytes(), packing: u32() });
  const partyId = u32(), degree = u32();
  assert.equal(o, b.length, 'payload has trailing bytes');
  return { vk, digest, cts, partyId, degree };
}

function encodePayload(p) {
  const u32 = (v) => { const x = Buffer.alloc(4); x.writeUInt32LE(v); return x; };
  const i32 = (v) => { const x = Buffer.alloc(4); x.writeInt32LE(v); return x; };
  const u64 = (v) => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(v)); return x; };
  const bytes = (v) => Buffer.concat([u64(v.length), v]);
  return Buffer.concat([bytes(p.vk), bytes(p.digest), u64(p.cts.length),
    ...p.cts.map((c) => Buffer.concat([i32(c.fheType), bytes(c.ct), bytes(c.handle), u32(c.packing)])),
    u32(p.partyId), u32(p.degree)]);
}

const ethDomain = (s) => {
  const d = { name: s.domain.name, version: s.domain.version, chainId: BigInt(h0x(s.domain.chainId)),
    verifyingContract: s.domain.contract };
  if (s.domain.salt) d.salt = h0x(s.domain.salt);
  return d;
};
const pad32 = (h) => Buffer.concat([Buffer.alloc(32 - h.length), h]);

const LINKER = { UserDecryptionLinker: [
  { name: 'publicKey', type: 'bytes' }, { name: 'handles', type: 'bytes32[]' },
  { name: 'userAddress', type: 'address' }] };
const RESPONSE = { UserDecryptResponseVerification: [
  { name: 'publicKey', type: 'bytes' }, { name: 'ctHandles', type: 'bytes32[]' },
  { name: 'userDecryptedShare', type: 'bytes' }, { name: 'extraData', type: 'bytes' }] };

// ---- tests ----

const CASES = [
  ['Bool', [Bool]], ['Uint8', [Uint8]], ['Uint64', [Uint64]], ['Uint256', [Uint256]],
  ['a mix in one response', [Bool, Uint8, Uint64, Uint256, Uint8, Bool]],
];

for (const [name, types] of CASES) {
  test(`node-tkms opens a ckms response: ${name}`, async (t) => {
    const oracle = new Oracle('userdec');
    t.after(() => oracle.close());
    for (let round = 0; round < 4; round++) {
      const s = scenario(types, { salt: round % 2 === 1, shortHandle: round === 2 });
      const r = await build(oracle, s);
      assertPlaintexts(tkmsOpen(s, r.share, r.extSig), s.pts);
      // and ckms's own client side opens it too
      const opened = await oracle.call('open', s.encSk, s.clientAddress, s.encKey,
        ...domainArgs(s.domain), handleList(s.handles), r.share, r.extSig, s.extra, s.serverAddress);
      assert.deepEqual(opened, s.pts.map((p) => `${p.type}:${plain(p.le)}`));
    }
  });
}

test('the response bytes, taken apart independently', async (t) => {
  const { secp256k1 } = await import('@noble/curves/secp256k1.js');
  const { sha256 } = await import('@noble/hashes/sha2.js');
  const { shake256 } = await import('@noble/hashes/sha3.js');
  const oracle = new Oracle('userdec');
  t.after(() => oracle.close());
  const digest = (...parts) => Buffer.from(shake256(Buffer.concat([Buffer.from('SIGNCRYP'), ...parts]), { dkLen: 32 }));
  const u64 = (v) => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(v)); return x; };

  for (let round = 0; round < 6; round++) {
    const s = scenario([Bool, Uint8, Uint64, Uint256], { salt: round % 2 === 0 });
    const r = await build(oracle, s);
    const serverPk = Buffer.from(ethers.SigningKey.computePublicKey(h0x(s.serverSk), true).slice(2), 'hex');

    // link = EIP-712 hash of UserDecryptionLinker, as ethers computes it
    const link = ethers.TypedDataEncoder.hash(ethDomain(s), LINKER,
      { publicKey: s.encKey, handles: s.handles.map(pad32), userAddress: s.clientAddress });
    assert.equal(h0x(r.link), link);
    assert.deepEqual(await oracle.call('link', s.clientAddress, s.encKey, ...domainArgs(s.domain),
      handleList(s.handles)), [plain(r.link)]);

    // payload fields
    const p = parsePayload(r.share);
    assert.deepEqual(p.vk, Buffer.concat([u64(33), serverPk]));
    assert.deepEqual(r.vk, p.vk);
    assert.deepEqual(p.digest, r.link);
    assert.equal(p.partyId, 1);
    assert.equal(p.degree, 0);
    assert.equal(p.cts.length, s.pts.length);
    assert.deepEqual(encodePayload(p), r.share);

    // external signature: ethers recovers the server over the response struct
    // (publicKey = the 869-byte enc_key, extraData empty)
    const signer = ethers.verifyTypedData(ethDomain(s), RESPONSE, { publicKey: s.encKey,
      ctHandles: s.handles.map(pad32), userDecryptedShare: r.share, extraData: '0x' }, h0x(r.extSig));
    assert.equal(signer, s.serverAddress);
    assert.ok(r.extSig[64] === 27 || r.extSig[64] === 28);

    // deprecated internal signature: ECDSA-SHA256("USER_DEC" ‖ share), low-S
    const signed = Buffer.concat([Buffer.from('USER_DEC'), r.share]);
    assert.ok(secp256k1.verify(r.sig, sha256(signed), serverPk, { prehash: false, lowS: true }));

    // each signcryption: node-tkms's plain ML-KEM decryption gives
    // msg ‖ sig ‖ SHAKE256("SIGNCRYP" ‖ bincode(PublicSigKey))
    const ek = s.encKey.subarray(69);
    p.cts.forEach((c, i) => {
      assert.equal(c.fheType, s.pts[i].type);
      assert.equal(c.packing, 1);
      assert.deepEqual(c.handle, s.handles[i]);
      const inner = Buffer.from(tkms.ml_kem_pke_decrypt(c.ct, s.sk));
      const msg = inner.subarray(0, inner.length - 96);
      const sig = inner.subarray(inner.length - 96, inner.length - 32);
      assert.deepEqual(inner.subarray(inner.length - 32), digest(u64(33), serverPk));
      // msg = bincode SigncryptionPayload{TypedPlaintext{bytes, fhe_type}, link}
      const le = s.pts[i].le;
      const typeLe = Buffer.alloc(4); typeLe.writeInt32LE(s.pts[i].type);
      assert.deepEqual(msg, Buffer.concat([u64(le.length), le, typeLe, u64(32), r.link]));
      const clientAddr = Buffer.from(s.clientAddress.slice(2), 'hex');
      const toSign = Buffer.concat([Buffer.from('USER_DEC'), msg, clientAddr, digest(u64(800), ek)]);
      assert.ok(secp256k1.verify(sig, sha256(toSign), serverPk, { prehash: false, lowS: true }));
    });
  }
});

test('node-tkms rejects tampered or mismatched responses', async (t) => {
  const oracle = new Oracle('userdec');
  t.after(() => oracle.close());
  const s = scenario([Uint8, Uint64, Bool]);
  const r = await build(oracle, s);
  const p = parsePayload(r.share);
  const openC = (share, extSig, extra = s.extra) => oracle.call('open', s.encSk, s.clientAddress,
    s.encKey, ...domainArgs(s.domain), handleList(s.handles), share, extSig, extra, s.serverAddress);
  // node-tkms must refuse, for the reason given (its error text)
  const rejects = (reason, fn) => assert.throws(fn, (e) => reason.test(String(e.message)));

  // control: re-encoding and re-signing an untouched payload still opens
  const same = encodePayload(p);
  assertPlaintexts(tkmsOpen(s, same, await resign(oracle, s, same)), s.pts);

  // a payload changed after signing (party_id here) fails the EIP-712 check
  const moved = encodePayload({ ...p, partyId: 2 });
  rejects(/External PT signature verification failed/, () => tkmsOpen(s, moved, r.extSig));
  await assert.rejects(openC(moved, r.extSig), /verification_failed/);
  // the external signature itself flipped
  // (a changed r may not even be a curve point: recovery then fails outright)
  const badSig = Buffer.from(r.extSig); badSig[10] ^= 1;
  rejects(/External PT signature verification failed|signature error/, () => tkmsOpen(s, r.share, badSig));
  await assert.rejects(openC(r.share, badSig), /verification_failed/);

  // a signcryption byte flipped (nonce, KEM ciphertext, AES payload, tag),
  // then the payload properly re-signed by the server: decryption fails
  // (HybridKemCt: nonce 0..12, u64 length, KEM ciphertext 20..788, u64
  // length, AES-GCM payload from 796, tag in the last 16 bytes)
  for (const pos of [0, 11, 30, 500, 787, 796, p.cts[1].ct.length - 40, p.cts[1].ct.length - 1]) {
    const ct = Buffer.from(p.cts[1].ct); ct[pos] ^= 1;
    const cts = p.cts.map((c, i) => (i === 1 ? { ...c, ct } : c));
    const share = encodePayload({ ...p, cts });
    const sig = await resign(oracle, s, share);
    rejects(/signcryption decryption failed/, () => tkmsOpen(s, share, sig));
    await assert.rejects(openC(share, sig), /verification_failed|invalid_argument/);
  }

  // a signcryption made by another server, spliced in and re-signed by the
  // trusted one: its inner key digest and signature are not the trusted server's
  const other = { ...s, serverSk: randomSecretKey() };
  const po = parsePayload((await build(oracle, other)).share);
  const spliced = encodePayload({ ...p, cts: p.cts.map((c, i) => (i === 0 ? po.cts[0] : c)) });
  const splicedSig = await resign(oracle, s, spliced);
  rejects(/unexpected verification key digest/, () => tkmsOpen(s, spliced, splicedSig));
  await assert.rejects(openC(spliced, splicedSig), /verification_failed/);

  // a signcryption by the same server for another request (its inner link
  // differs), spliced in and re-signed
  const elsewhere = { ...s, handles: s.handles.map((h, i) => (i === 0 ? rnd(32) : h)) };
  const pe = parsePayload((await build(oracle, elsewhere)).share);
  const relinked = encodePayload({ ...p, cts: p.cts.map((c, i) => (i === 1 ? pe.cts[1] : c)) });
  const relinkedSig = await resign(oracle, s, relinked);
  rejects(/signcryption link does not match/, () => tkmsOpen(s, relinked, relinkedSig));
  await assert.rejects(openC(relinked, relinkedSig), /link/);

  // the wrong digest (link), re-signed
  const wrongLink = encodePayload({ ...p, digest: rnd(32) });
  const wrongLinkSig = await resign(oracle, s, wrongLink);
  rejects(/link mismatch/, () => tkmsOpen(s, wrongLink, wrongLinkSig));
  await assert.rejects(openC(wrongLink, wrongLinkSig), /verification_failed/);

  // a client that trusts another server address
  rejects(/server address is not consistent/, () => tkmsOpen(s, r.share, r.extSig, { serverAddress: randomAddress() }));

  // the user's request named other handles, or another key: the link differs
  const otherHandles = s.handles.map((h, i) => (i === 2 ? rnd(32) : h));
  rejects(/link mismatch/, () => tkmsOpen(s, r.share, r.extSig, { request: jsRequest(s, { handles: otherHandles }) }));
  const otherKey = Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(tkms.ml_kem_pke_get_pk(tkms.ml_kem_pke_keygen())));
  rejects(/link mismatch/, () => tkmsOpen(s, r.share, r.extSig, { request: jsRequest(s, { encKey: otherKey }) }));
  await assert.rejects(oracle.call('open', s.encSk, s.clientAddress, s.encKey, ...domainArgs(s.domain),
    handleList(otherHandles), r.share, r.extSig, s.extra, s.serverAddress), /verification_failed/);

  // the untouched response is still fine
  assertPlaintexts(tkmsOpen(s, r.share, r.extSig), s.pts);
});

test('non-empty extra_data: node-tkms 0.12.8 verifies only an empty one', async (t) => {
  const oracle = new Oracle('userdec');
  t.after(() => oracle.close());
  const s = scenario([Uint64], { extra: Buffer.from('02' + '11'.repeat(64), 'hex') });
  const r = await build(oracle, s);
  // ethers sees the server's signature over the extra data it was given
  const signer = ethers.verifyTypedData(ethDomain(s), RESPONSE, { publicKey: s.encKey,
    ctHandles: s.handles.map(pad32), userDecryptedShare: r.share, extraData: s.extra }, h0x(r.extSig));
  assert.equal(signer, s.serverAddress);
  // node-tkms 0.12.8 hashes extraData = 0x whatever the response carries
  assert.throws(() => tkmsOpen(s, r.share, r.extSig), (e) => /External PT signature verification failed/.test(e.message));
  // ckms's client side verifies with the extra data it is given
  const opened = await oracle.call('open', s.encSk, s.clientAddress, s.encKey, ...domainArgs(s.domain),
    handleList(s.handles), r.share, r.extSig, s.extra, s.serverAddress);
  assert.deepEqual(opened, [`${Uint64}:${plain(s.pts[0].le)}`]);
});

test('requests ckms refuses', async (t) => {
  const oracle = new Oracle('userdec');
  t.after(() => oracle.close());
  const s = scenario([Uint8]);
  const link = (over) => {
    const x = { ...s, ...over, domain: { ...s.domain, ...(over.domain ?? {}) } };
    return oracle.call('link', x.clientAddress, x.encKey, ...domainArgs(x.domain), handleList(x.handles));
  };
  await link({});
  // the same hex digits with the checksum broken
  const unchecksummed = (a) => (a.toLowerCase() !== a ? a.toLowerCase() : '0x' + a.slice(2).toUpperCase());
  await assert.rejects(link({ clientAddress: unchecksummed(s.clientAddress) }), /client address/);
  await assert.rejects(link({ domain: { contract: unchecksummed(s.domain.contract) } }), /verifying contract/);
  await assert.rejects(link({ domain: { contract: s.clientAddress } }), /same as the verifying contract/);
  await assert.rejects(link({ domain: { salt: rnd(31) } }), /salt/);
  await assert.rejects(link({ domain: { chainId: Buffer.concat([Buffer.from([1]), rnd(32)]) } }), /chain/);
  await assert.rejects(link({ handles: [rnd(33)] }), /too long/);
  await assert.rejects(link({ handles: [] }), /no ciphertexts/);
  await assert.rejects(link({ encKey: s.encKey.subarray(0, 868) }), /enc_key/);
  await assert.rejects(link({ encKey: rnd(869) }), /enc_key/);
});

// End to end: kms-gen-keys and kms-server run as real processes on
// 127.0.0.1 (file vaults in a temp dir, the private one encrypted under a
// KEK from the environment), driven through @grpc/grpc-js with ckms's own
// proto/ files, and every result checked with independent implementations:
//   - ethers verifies each EIP-712 signature (PrepKeygenVerification,
//     KeygenVerification, PublicDecryptVerification) against the address
//     the server published in its public vault (VerfAddress);
//   - @noble/hashes recomputes the key digests SHAKE256("PDAT_KEY" ‖ file);
//   - node-tfhe encrypts with the server's published CompactPublicKey and
//     expands the list to FheBool / FheUint8 / FheUint64 / FheUint256
//     (SmallExpanded ciphertexts);
//   - node-tkms 0.12.8 opens the user-decryption response.
// Then bad input (status codes, the server keeps serving), id reuse, and a
// kill -9 + restart that must keep the key.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, execFileSync } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ethers } = require('ethers');
const tfhe = require('node-tfhe');
const tkms = require('node-tkms');
const { Oracle } = require('./lib/oracle');

const binDir = process.env.CKMS_BIN_DIR || path.join(__dirname, '..', '..', 'build', 'bin');
const protoDir = path.join(__dirname, '..', '..', 'proto');
const def = protoLoader.loadSync(['kms.v1.proto', 'kms-service.v1.proto',
  'metastore-status.v1.proto', 'health.v1.proto'],
{ keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] });
const pkg = grpc.loadPackageDefinition(def);

const LIMIT = 1n << 32n;
const MAX_MSG = 8 << 20; // the server's grpc_max_message_size in this test
const Bool = 0, Uint8 = 2, Uint64 = 5, Uint256 = 8;
const SIGNING_KEY_ID = '60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee';
const KEY_TYPE = { ServerKey: 0, PublicKey: 1, CompressedXofKeySet: 3 };

const rnd = (n) => crypto.randomBytes(n);
const newId = () => rnd(32).toString('hex');
const h0x = (b) => '0x' + Buffer.from(b).toString('hex');

// ---- the server process ----------------------------------------------------

class Server {
  constructor(dir) {
    this.dir = dir;
    this.cfg = path.join(dir, 'kms.toml');
    this.env = { ...process.env, CKMS_TEST_KEK: rnd(32).toString('hex') };
    fs.writeFileSync(this.cfg, [
      '[service]', 'listen_address = "127.0.0.1"', 'listen_port = 50051',
      `grpc_max_message_size = ${MAX_MSG}`,
      '[public_vault.storage.file]', `path = "${dir}/keys"`,
      '[private_vault.storage.file]', `path = "${dir}/keys"`,
      '[private_vault.encryption]', 'kek_env = "CKMS_TEST_KEK"',
      '[request_store]', 'result_wait_secs = 2', ''].join('\n'));
  }

  genKeys() {
    const out = execFileSync(path.join(binDir, 'kms-gen-keys'), ['--config', this.cfg],
      { env: this.env, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop());
  }

  start(extra = ['--allow-test-params']) {
    this.proc = spawn(path.join(binDir, 'kms-server'),
      ['--config', this.cfg, '--port', '0', '--log-level', 'warn', ...extra],
      { env: this.env, stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve({ code, sig })));
    return new Promise((resolve, reject) => {
      const rl = readline.createInterface({ input: this.proc.stdout });
      rl.on('line', (line) => {
        const m = /^kms-server listening on (\S+)$/.exec(line);
        if (m) { this.addr = m[1]; resolve(m[1]); }
      });
      this.proc.on('exit', (code) => reject(new Error(`kms-server exited early (${code})`)));
    });
  }

  clients() {
    const opts = { 'grpc.max_send_message_length': 64 << 20, 'grpc.max_receive_message_length': 64 << 20 };
    const creds = grpc.credentials.createInsecure();
    return {
      core: new pkg.kms_service.v1.CoreServiceEndpoint(this.addr, creds, opts),
      ms: new pkg.metastore_status.v1.MetaStoreStatusService(this.addr, creds, opts),
      health: new pkg.grpc.health.v1.Health(this.addr, creds, opts),
    };
  }
}

// A promise for one unary call; rejects with the gRPC error (err.code).
function call(client, method, req, deadlineMs = 30000) {
  return new Promise((resolve, reject) => {
    client[method](req, { deadline: Date.now() + deadlineMs }, (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

async function expectCode(promise, code, re) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `status ${err.code} (${err.details}) instead of ${code}`);
    assert.ok(err.details && err.details.length > 0, 'the status has a message');
    if (re) assert.match(err.details, re);
    return true;
  });
}

// Polls a Get…Result until it is no longer UNAVAILABLE.
async function poll(client, method, id, timeoutMs = 600000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call(client, method, { request_id: id });
    } catch (e) {
      if (e.code !== grpc.status.UNAVAILABLE || Date.now() > end) throw e;
    }
  }
}

// ---- request pieces ----------------------------------------------------------

function makeDomain(name = 'Decryption') {
  const chainId = 31337 + crypto.randomInt(1000);
  const contract = ethers.getAddress(h0x(rnd(20)));
  const cid = Buffer.alloc(32);
  cid.writeUInt32BE(chainId, 28);
  return {
    msg: { name, version: '1', chain_id: cid, verifying_contract: contract },
    ethers: { name, version: '1', chainId, verifyingContract: contract },
  };
}

const typedCt = (ct, type, handle = rnd(32)) =>
  ({ ciphertext: Buffer.from(ct), fhe_type: type, external_handle: handle, ciphertext_format: 'SmallExpanded' });

// ---- the test ----------------------------------------------------------------

test('kms-server: key generation, public and user decryption over gRPC', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-e2e-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const srv = new Server(dir);
  t.after(() => { if (srv.proc && srv.proc.exitCode === null) srv.proc.kill('SIGKILL'); });

  // the server refuses to start without a signing key, with a hint
  const noKey = spawn(path.join(binDir, 'kms-server'), ['--config', srv.cfg, '--port', '0'],
    { env: srv.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let noKeyErr = '';
  noKey.stderr.on('data', (d) => { noKeyErr += d; });
  const noKeyCode = await new Promise((resolve) => noKey.on('exit', resolve));
  assert.equal(noKeyCode, 1);
  assert.match(noKeyErr, /kms-gen-keys/);

  const gen = srv.genKeys();
  assert.equal(gen.signing_key_id, SIGNING_KEY_ID);
  const address = fs.readFileSync(path.join(dir, 'keys', 'PUB', 'VerfAddress', SIGNING_KEY_ID), 'utf8');
  assert.equal(address, gen.address);
  await srv.start();
  let { core, ms, health } = srv.clients();

  const preprocId = newId(), keyId = newId();
  const kdom = makeDomain('KMSGeneration');

  await t.test('KeyGenPreproc + GetKeyGenPreprocResult (PrepKeygenVerification)', async () => {
    const extra = Buffer.from([0x00]);
    await call(core, 'KeyGenPreproc', { request_id: { request_id: preprocId }, params: 'test',
      domain: kdom.msg, extra_data: extra, signing_schemes: ['ECDSA256K1'] });
    const r = await call(core, 'GetKeyGenPreprocResult', { request_id: preprocId });
    assert.equal(r.preprocessing_id.request_id, preprocId);
    const signer = ethers.verifyTypedData(kdom.ethers,
      { PrepKeygenVerification: [{ name: 'prepKeygenId', type: 'uint256' }, { name: 'extraData', type: 'bytes' }] },
      { prepKeygenId: BigInt('0x' + preprocId), extraData: extra }, h0x(r.external_signature));
    assert.equal(signer, address);
    assert.equal(r.signatures.length, 1);
    assert.equal(r.signatures[0].scheme, 'ECDSA256K1');
    assert.deepEqual(r.signatures[0].signature, r.external_signature);
    // the same id again
    await expectCode(call(core, 'KeyGenPreproc', { request_id: { request_id: preprocId }, params: 'test',
      domain: kdom.msg }), grpc.status.ALREADY_EXISTS);
  });

  const verifyKeygen = (r, pre, kid, extra) => ethers.verifyTypedData(kdom.ethers, {
    KeygenVerification: [{ name: 'prepKeygenId', type: 'uint256' }, { name: 'keyId', type: 'uint256' },
      { name: 'keyDigests', type: 'KeyDigest[]' }, { name: 'extraData', type: 'bytes' }],
    KeyDigest: [{ name: 'keyType', type: 'uint8' }, { name: 'digest', type: 'bytes' }],
  }, {
    prepKeygenId: BigInt('0x' + pre), keyId: BigInt('0x' + kid),
    keyDigests: r.key_digests.map((d) => ({ keyType: KEY_TYPE[d.key_type], digest: d.digest })),
    extraData: extra,
  }, h0x(r.external_signature));

  const keyExtra = Buffer.concat([Buffer.from([0x01]), rnd(32)]);
  let keyResult;
  await t.test('KeyGen (test parameters, CompressedAll) + GetKeyGenResult (KeygenVerification)', async () => {
    await call(core, 'KeyGen', { request_id: { request_id: keyId }, preproc_id: { request_id: preprocId },
      domain: kdom.msg, extra_data: keyExtra });
    // the preprocessing is consumed, and the key id is taken
    await expectCode(call(core, 'KeyGen', { request_id: { request_id: newId() },
      preproc_id: { request_id: preprocId }, domain: kdom.msg }), grpc.status.NOT_FOUND);
    const preproc2 = newId();
    await call(core, 'KeyGenPreproc', { request_id: { request_id: preproc2 }, params: 'test', domain: kdom.msg });
    await expectCode(call(core, 'KeyGen', { request_id: { request_id: keyId },
      preproc_id: { request_id: preproc2 }, domain: kdom.msg }), grpc.status.ALREADY_EXISTS);
    keyResult = await poll(core, 'GetKeyGenResult', keyId);
    assert.equal(keyResult.request_id.request_id, keyId);
    assert.equal(keyResult.preprocessing_id.request_id, preprocId);
    assert.deepEqual(keyResult.key_digests.map((d) => d.key_type), ['PublicKey', 'CompressedXofKeySet']);
    const { shake256 } = await import('@noble/hashes/sha3.js');
    for (const d of keyResult.key_digests) {
      const file = fs.readFileSync(path.join(dir, 'keys', 'PUB', d.key_type, keyId));
      const want = shake256(Buffer.concat([Buffer.from('PDAT_KEY'), file]), { dkLen: 32 });
      assert.deepEqual(Buffer.from(d.digest), Buffer.from(want), `${d.key_type} digest`);
    }
    assert.equal(verifyKeygen(keyResult, preprocId, keyId, keyExtra), address);
    assert.equal(keyResult.signatures.length, 0, 'no signing_schemes asked: no signatures[]');
  });

  // ---- ciphertexts under the server's key, made by node-tfhe ----
  process.env.CKMS_TEST_KEK = srv.env.CKMS_TEST_KEK; // the oracle reads the private vault
  const oracle = new Oracle('kms_vault');
  t.after(() => oracle.proc.stdin.end());
  await oracle.call('client_key', srv.cfg, keyId, path.join(dir, 'ck.bin'));
  const ck = tfhe.TfheClientKey.safe_deserialize(fs.readFileSync(path.join(dir, 'ck.bin')), LIMIT);
  tfhe.set_server_key(tfhe.TfheServerKey.new(ck));
  const pk = tfhe.TfheCompactPublicKey.safe_deserialize(
    fs.readFileSync(path.join(dir, 'keys', 'PUB', 'PublicKey', keyId)), LIMIT);
  const values = { b: true, u8: crypto.randomInt(256), u64: rnd(8).readBigUInt64LE(), u256: BigInt(h0x(rnd(32))) };
  const builder = tfhe.CompactCiphertextList.builder(pk);
  builder.push_boolean(values.b);
  builder.push_u8(values.u8);
  builder.push_u64(values.u64);
  builder.push_u256(values.u256);
  const x = builder.build().expand();
  const cts = {
    b: x.get_bool(0).safe_serialize(LIMIT), u8: x.get_uint8(1).safe_serialize(LIMIT),
    u64: x.get_uint64(2).safe_serialize(LIMIT), u256: x.get_uint256(3).safe_serialize(LIMIT),
  };
  const expectLe = [[Bool, Buffer.from([1])], [Uint8, Buffer.from([values.u8])],
    [Uint64, (() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(values.u64); return b; })()],
    [Uint256, Buffer.from(values.u256.toString(16).padStart(64, '0'), 'hex').reverse()]];

  const ddom = makeDomain('Decryption');
  const pubRequest = (id, extra = Buffer.alloc(0)) => {
    const handles = [rnd(32), rnd(32), rnd(20), rnd(32)];
    return {
      request_id: { request_id: id }, key_id: { request_id: keyId }, domain: ddom.msg, extra_data: extra,
      ciphertexts: [typedCt(cts.b, Bool, handles[0]), typedCt(cts.u8, Uint8, handles[1]),
        typedCt(cts.u64, Uint64, handles[2]), typedCt(cts.u256, Uint256, handles[3])],
      signing_schemes: ['ECDSA256K1'],
    };
  };

  function checkPublic(resp, req) {
    const pl = resp.payload;
    assert.equal(pl.request_id.request_id, req.request_id.request_id);
    assert.equal(pl.plaintexts.length, 4);
    pl.plaintexts.forEach((p, i) => {
      assert.equal(p.fhe_type, expectLe[i][0]);
      assert.deepEqual(Buffer.from(p.bytes), expectLe[i][1], `plaintext ${i}`);
    });
    // verification_key = bincode(PublicSigKey): u64le(33) ‖ compressed point of the address's key
    const vk = Buffer.from(pl.verification_key);
    assert.equal(vk.readBigUInt64LE(0), 33n);
    assert.equal(ethers.computeAddress(h0x(vk.subarray(8))), address);
    const words = pl.plaintexts.map((p) => BigInt(h0x(Buffer.from(p.bytes).reverse())));
    const decryptedResult = ethers.AbiCoder.defaultAbiCoder().encode(words.map(() => 'uint256'), words);
    const signer = ethers.verifyTypedData(ddom.ethers, {
      PublicDecryptVerification: [{ name: 'ctHandles', type: 'bytes32[]' },
        { name: 'decryptedResult', type: 'bytes' }, { name: 'extraData', type: 'bytes' }],
    }, {
      ctHandles: req.ciphertexts.map((c) => ethers.zeroPadValue(c.external_handle, 32)),
      decryptedResult, extraData: req.extra_data,
    }, h0x(resp.external_signature));
    assert.equal(signer, address);
    assert.deepEqual(Buffer.from(resp.extra_data), Buffer.from(req.extra_data));
    assert.equal(resp.signature.length, 64);
    assert.equal(resp.signatures.length, 1);
    assert.deepEqual(resp.signatures[0].signature, resp.external_signature);
  }

  await t.test('PublicDecrypt + GetPublicDecryptionResult, PublicDecryptSync', async () => {
    const id = newId();
    const req = pubRequest(id, Buffer.from([0x00]));
    await call(core, 'PublicDecrypt', req);
    checkPublic(await call(core, 'GetPublicDecryptionResult', { request_id: id }), req);
    await expectCode(call(core, 'PublicDecrypt', req), grpc.status.ALREADY_EXISTS);
    // Sync on a known id attaches to its result; on a new one decrypts
    checkPublic(await call(core, 'PublicDecryptSync', req), req);
    const req2 = pubRequest(newId(), keyExtra);
    checkPublic(await call(core, 'PublicDecryptSync', req2), req2);
  });

  await t.test('UserDecrypt + GetUserDecryptionResult, opened by node-tkms 0.12.8', async () => {
    const sk = tkms.ml_kem_pke_keygen();
    const upk = tkms.ml_kem_pke_get_pk(sk);
    const encKey = Buffer.from(tkms.ml_kem_pke_pk_to_u8vec(upk));
    const clientAddress = ethers.getAddress(h0x(rnd(20)));
    const handles = [rnd(32), rnd(32), rnd(32), rnd(32)];
    const id = newId();
    const req = {
      request_id: { request_id: id }, key_id: { request_id: keyId }, client_address: clientAddress,
      enc_key: encKey, domain: ddom.msg, extra_data: Buffer.alloc(0),
      typed_ciphertexts: [typedCt(cts.b, Bool, handles[0]), typedCt(cts.u8, Uint8, handles[1]),
        typedCt(cts.u64, Uint64, handles[2]), typedCt(cts.u256, Uint256, handles[3])],
    };
    await call(core, 'UserDecrypt', req);
    await expectCode(call(core, 'UserDecrypt', req), grpc.status.ALREADY_EXISTS);
    const resp = await call(core, 'GetUserDecryptionResult', { request_id: id });
    const open = (r) => {
      const share = shareOf(r);
      const client = tkms.new_client([tkms.new_server_id_addr(1, address)], clientAddress, 'default');
      return tkms.process_user_decryption_resp_from_js(client, {
        signature: undefined, client_address: clientAddress, enc_key: encKey.toString('hex'),
        ciphertext_handles: handles.map((h) => h.toString('hex')), eip712_verifying_contract: ddom.msg.verifying_contract,
      }, {
        name: ddom.msg.name, version: '1', chain_id: Array.from(ddom.msg.chain_id),
        verifying_contract: ddom.msg.verifying_contract, salt: null,
      }, [{ signature: Buffer.from(r.external_signature).toString('hex'), payload: share.toString('hex'), extra_data: '' }],
      upk, sk, true);
    };
    // ethers checks the EIP-712 signature itself, over the share bytes as sent
    const shareOf = (r) => {
      const pl = r.payload;
      const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
      const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b; };
      const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
      const bytes = (v) => Buffer.concat([u64(v.length), Buffer.from(v)]);
      return Buffer.concat([bytes(pl.verification_key), bytes(pl.digest), u64(pl.signcrypted_ciphertexts.length),
        ...pl.signcrypted_ciphertexts.map((c) => Buffer.concat([i32(c.fhe_type), bytes(c.signcrypted_ciphertext),
          bytes(c.external_handle), u32(c.packing_factor)])), u32(pl.party_id), u32(pl.degree)]);
    };
    const userSigner = ethers.verifyTypedData(ddom.ethers, {
      UserDecryptResponseVerification: [
        { name: 'publicKey', type: 'bytes' }, { name: 'ctHandles', type: 'bytes32[]' },
        { name: 'userDecryptedShare', type: 'bytes' }, { name: 'extraData', type: 'bytes' }],
    }, {
      publicKey: encKey, ctHandles: handles.map((h) => h0x(h)), userDecryptedShare: shareOf(resp),
      extraData: '0x',
    }, h0x(resp.external_signature));
    assert.equal(userSigner, address, 'UserDecryptResponseVerification signer');
    const got = open(resp);
    assert.equal(got.length, 4);
    got.forEach((p, i) => {
      assert.equal(p.fhe_type, expectLe[i][0]);
      assert.deepEqual(Buffer.from(p.bytes), Buffer.from(expectLe[i][1]).reverse(), `user plaintext ${i}`);
    });
    const got2 = open(await call(core, 'UserDecryptSync', { ...req, request_id: { request_id: newId() } }));
    assert.equal(got2.length, 4);
  });

  await t.test('bad input gets the right status and the server keeps serving', async () => {
    const base = () => pubRequest(newId());
    const INVALID = grpc.status.INVALID_ARGUMENT;
    for (const bad of ['', 'xyz', '00'.repeat(32), 'ab'.repeat(31), 'g'.repeat(64), 'ab'.repeat(33)]) {
      await expectCode(call(core, 'PublicDecrypt', { ...base(), request_id: { request_id: bad } }), INVALID, /request_id/);
      await expectCode(call(core, 'GetPublicDecryptionResult', { request_id: bad }), INVALID);
    }
    await expectCode(call(core, 'PublicDecrypt', { ...base(), request_id: null }), INVALID);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), key_id: { request_id: newId() } }),
      grpc.status.NOT_FOUND, /not found/);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [] }), INVALID, /no ciphertexts/);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [typedCt(rnd(300), Uint64)] }), INVALID);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [typedCt(cts.u8, Uint64)] }), INVALID);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [typedCt(cts.u8, 1000)] }), INVALID, /fhe_type/);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [typedCt(cts.u8, Uint8, rnd(33))] }), INVALID, /32/);
    await expectCode(call(core, 'PublicDecrypt', { ...base(), domain: null }), INVALID, /domain/);
    await expectCode(call(core, 'PublicDecrypt', { ...base(),
      domain: { ...ddom.msg, verifying_contract: ddom.msg.verifying_contract.toLowerCase() } }), INVALID);
    await expectCode(call(core, 'UserDecrypt', { request_id: { request_id: newId() }, key_id: { request_id: keyId },
      client_address: 'not an address', enc_key: rnd(10), domain: ddom.msg,
      typed_ciphertexts: [typedCt(cts.u8, Uint8)] }), INVALID);
    await expectCode(call(core, 'GetPublicDecryptionResult', { request_id: newId() }), grpc.status.NOT_FOUND);
    await expectCode(call(core, 'GetKeyGenResult', { request_id: newId() }), grpc.status.NOT_FOUND);
    await expectCode(call(core, 'AbortKeyGen', { request_id: newId() }), grpc.status.NOT_FOUND);
    await expectCode(call(core, 'KeyGenPreproc', { request_id: { request_id: newId() }, params: 'default',
      domain: kdom.msg, signing_schemes: ['MLDSA44'] }), grpc.status.UNIMPLEMENTED);
    await expectCode(call(core, 'CrsGen', { request_id: { request_id: newId() } }), grpc.status.UNIMPLEMENTED);
    await expectCode(call(core, 'GetEpochResult', { request_id: newId() }), grpc.status.UNIMPLEMENTED);
    // oversize: refused by gRPC before the handler
    await expectCode(call(core, 'PublicDecrypt', { ...base(), ciphertexts: [typedCt(Buffer.alloc(MAX_MSG + 1024), Uint64)] }),
      grpc.status.RESOURCE_EXHAUSTED);
    // a failed id may be retried: garbage first, then the right ciphertext
    const retry = base();
    const good = retry.ciphertexts;
    await expectCode(call(core, 'PublicDecrypt', { ...retry, ciphertexts: [typedCt(rnd(50), Uint8)] }), INVALID);
    await call(core, 'PublicDecrypt', { ...retry, ciphertexts: good });
    checkPublic(await call(core, 'GetPublicDecryptionResult', retry.request_id), retry);
    // still serving
    const h = await call(health, 'Check', { service: '' });
    assert.equal(h.status, 'SERVING');
    const last = pubRequest(newId());
    checkPublic(await call(core, 'PublicDecryptSync', last), last);
  });

  await t.test('status services', async () => {
    const hs = await call(core, 'GetHealthStatus', {});
    assert.equal(hs.node_type, 'NODE_TYPE_CENTRALIZED');
    assert.deepEqual(hs.my_fhe_key_ids, [keyId]); // before the AbortKeyGen test adds one
    const info = await call(ms, 'GetMetaStoreInfo', {});
    const byType = Object.fromEntries(info.meta_stores.map((m) => [m.type, m]));
    assert.ok(byType.PUBLIC_DECRYPTION.current_count >= 3);
    assert.equal(byType.KEY_GENERATION.capacity, -1);
    const st = await call(ms, 'GetRequestStatuses', { request_ids: [keyId] });
    assert.deepEqual(st.statuses.map((s) => [s.meta_store_type, s.status]), [['KEY_GENERATION', 'COMPLETED']]);
    const list = await call(ms, 'ListRequests', { meta_store_type: 'PUBLIC_DECRYPTION', max_results: 2 });
    assert.equal(list.requests.length, 2);
    assert.ok(list.next_page_token);
  });

  let keyA;
  const allKeys = () => (keyA ? [keyId, keyA].sort() : [keyId]);
  await t.test('AbortKeyGen stops a key generation and leaves nothing behind', async () => {
    // one key-generation thread: B waits behind A and is aborted before it starts
    const preA = newId(), preB = newId(), kid = newId();
    keyA = newId();
    for (const pre of [preA, preB]) {
      await call(core, 'KeyGenPreproc', { request_id: { request_id: pre }, params: 'test', domain: kdom.msg });
    }
    await call(core, 'KeyGen', { request_id: { request_id: keyA }, preproc_id: { request_id: preA }, domain: kdom.msg,
      keyset_config: { keyset_type: 'Standard', standard_keyset_config: { compressed_key_config: 'CompressedNone' } } });
    await call(core, 'KeyGen', { request_id: { request_id: kid }, preproc_id: { request_id: preB }, domain: kdom.msg });
    await call(core, 'AbortKeyGen', { request_id: preB });
    await expectCode(poll(core, 'GetKeyGenResult', kid), grpc.status.ABORTED, /abort/i);
    // A was CompressedNone: a ServerKey instead of the CompressedXofKeySet
    try {
      const ra = await poll(core, 'GetKeyGenResult', keyA);
      assert.deepEqual(ra.key_digests.map((d) => d.key_type), ['ServerKey', 'PublicKey']);
      assert.ok(fs.existsSync(path.join(dir, 'keys', 'PUB', 'ServerKey', keyA)));
      assert.ok(!fs.existsSync(path.join(dir, 'keys', 'PUB', 'CompressedXofKeySet', keyA)));
      assert.equal(verifyKeygen(ra, preA, keyA, Buffer.alloc(0)), address);
    } catch (e) {
      // until the TFHE-rs ServerKey writer lands (src/tfhe/wire): a clean failure
      if (e.code !== grpc.status.UNIMPLEMENTED || !/ServerKey/.test(e.details)) throw e;
      t.diagnostic(`CompressedNone not available yet: ${e.details}`);
      for (const type of ['PublicKey', 'ServerKey']) {
        assert.ok(!fs.existsSync(path.join(dir, 'keys', 'PUB', type, keyA)), `${type} removed`);
      }
      keyA = null;
    }
    const km = await call(core, 'GetKeyMaterialAvailability', {});
    assert.deepEqual(km.fhe_key_ids, allKeys());
    for (const type of ['PublicKey', 'CompressedXofKeySet', 'ServerKey']) {
      assert.ok(!fs.existsSync(path.join(dir, 'keys', 'PUB', type, kid)), `${type} removed`);
    }
    const st = await call(ms, 'GetRequestStatuses', { request_ids: [kid] });
    assert.equal(st.statuses[0].status, 'FAILED');
    await expectCode(call(core, 'AbortKeyGen', { request_id: preB }), grpc.status.NOT_FOUND);
  });

  await t.test('kill -9 and restart: the key is still there and still decrypts', async () => {
    srv.proc.kill('SIGKILL');
    await srv.exited;
    for (const c of [core, ms, health]) c.close();
    // restarted with an environment override: a key generation now costs
    // more tokens than the admission bucket holds
    srv.env.KMS_CORE__RATE_LIMITER_CONF__KEYGEN = '60000';
    await srv.start();
    ({ core, ms, health } = srv.clients());
    const pre = newId();
    await call(core, 'KeyGenPreproc', { request_id: { request_id: pre }, params: 'test', domain: kdom.msg });
    await expectCode(call(core, 'KeyGen', { request_id: { request_id: newId() }, preproc_id: { request_id: pre },
      domain: kdom.msg }), grpc.status.RESOURCE_EXHAUSTED);
    const km = await call(core, 'GetKeyMaterialAvailability', {});
    assert.deepEqual(km.fhe_key_ids, allKeys());
    assert.match(km.storage_info, /encrypted/);
    const again = await call(core, 'GetKeyGenResult', { request_id: keyId });
    assert.deepEqual(again.key_digests, keyResult.key_digests);
    assert.deepEqual(again.external_signature, keyResult.external_signature);
    const req = pubRequest(newId());
    checkPublic(await call(core, 'PublicDecryptSync', req), req);
    // graceful stop
    srv.proc.kill('SIGTERM');
    const { code } = await srv.exited;
    assert.equal(code, 0);
    for (const c of [core, ms, health]) c.close();
  });
});

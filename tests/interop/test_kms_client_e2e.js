// kms-client end to end against a real kms-server on 127.0.0.1 (test
// parameters, file vaults in a temp dir, private vault encrypted under a
// KEK file): key-gen, encrypt, public-decrypt and user-decrypt through the
// CLI, asserting the JSON lines it prints. Independent checks:
//   - the plaintexts are the values encrypted (JavaScript BigInt decimal);
//   - ethers re-verifies the PublicDecryptVerification signature from the
//     printed handles, values and signature against the address
//     kms-gen-keys published;
//   - a @grpc/grpc-js proxy between kms-client and the server flips one
//     bit of a signature: kms-client must refuse the answer (exit 1);
//   - a wrong --server-address or a wrong domain makes it fail too;
//   - kill -9 and restart: key-material still lists the key, and an old
//     ciphertext still decrypts.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, execFile, execFileSync } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ethers } = require('ethers');

const binDir = process.env.CKMS_BIN_DIR || path.join(__dirname, '..', '..', 'build', 'bin');
const protoDir = path.join(__dirname, '..', '..', 'proto');
const CLIENT = path.join(binDir, 'kms-client');

// The domain kms-client uses by default (the reference core-client's).
const DOMAIN = {
  name: 'Authorization token', version: '1', chainId: 8006n,
  verifyingContract: '0x66f9664f97F2b50F62D13eA064982f936dE76657',
};
const TYPE_BITS = { ebool: 1, euint8: 8, euint16: 16, euint32: 32, euint64: 64, euint128: 128, euint256: 256 };

const randomValue = (type) => (type === 'ebool'
  ? BigInt(crypto.randomInt(2))
  : BigInt('0x' + crypto.randomBytes(TYPE_BITS[type] / 8).toString('hex')));

// ---- processes -------------------------------------------------------------

class Server {
  constructor(dir) {
    this.dir = dir;
    this.cfg = path.join(dir, 'kms.toml');
    fs.writeFileSync(this.cfg, [
      '[service]', 'listen_address = "127.0.0.1"', 'listen_port = 50051',
      '[public_vault.storage.file]', `path = "${dir}/keys"`,
      '[private_vault.storage.file]', `path = "${dir}/keys"`,
      '[private_vault.encryption]', `kek_file = "${dir}/kek"`,
      '[request_store]', 'result_wait_secs = 5', ''].join('\n'));
  }

  genKeys() {
    const out = execFileSync(path.join(binDir, 'kms-gen-keys'), ['--config', this.cfg, '--create-kek'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop());
  }

  start() {
    this.proc = spawn(path.join(binDir, 'kms-server'),
      ['--config', this.cfg, '--port', '0', '--log-level', 'warn', '--allow-test-params'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve({ code, sig })));
    return new Promise((resolve, reject) => {
      readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
        const m = /^kms-server listening on (\S+)$/.exec(line);
        if (m) { this.addr = m[1]; resolve(m[1]); }
      });
      this.proc.on('exit', (code) => reject(new Error(`kms-server exited early (${code})`)));
    });
  }

  async kill(signal) {
    this.proc.kill(signal);
    return this.exited;
  }
}

// Runs kms-client; resolves to {status, stdout, stderr}.
function client(args, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve) => {
    execFile(CLIENT, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ status, stdout, stderr });
      });
  });
}

async function ok(args) {
  const r = await client(args);
  assert.equal(r.status, 0, `kms-client ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  assert.ok(lines.length > 0, 'kms-client printed a result');
  for (const l of lines) assert.ok('request_id' in l, `a line without request_id: ${JSON.stringify(l)}`);
  return lines;
}

// ---- a tampering proxy -----------------------------------------------------

// Forwards every CoreServiceEndpoint call to `target`; `tamper(method, resp)`
// may change the response on the way back.
async function startProxy(target, tamper) {
  const def = protoLoader.loadSync(['kms.v1.proto', 'kms-service.v1.proto'],
    { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [protoDir] });
  const pkg = grpc.loadPackageDefinition(def);
  const Service = pkg.kms_service.v1.CoreServiceEndpoint;
  const upstream = new Service(target, grpc.credentials.createInsecure());
  const impl = {};
  for (const method of Object.keys(Service.service)) {
    impl[method] = (callObj, cb) => {
      upstream[method](callObj.request, (err, resp) => {
        if (err) return cb(err);
        cb(null, tamper(method, resp));
      });
    };
  }
  const server = new grpc.Server();
  server.addService(Service.service, impl);
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0',
    grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { addr: `127.0.0.1:${port}`, close: () => { server.forceShutdown(); upstream.close(); } };
}

// ---- checks ----------------------------------------------------------------

// ethers' own verification of a printed public-decryption line.
function ethersSigner(line, extraData = '0x') {
  const words = line.plaintexts.map((p) => BigInt(p.value));
  const decryptedResult = ethers.AbiCoder.defaultAbiCoder().encode(words.map(() => 'uint256'), words);
  const types = {
    PublicDecryptVerification: [
      { name: 'ctHandles', type: 'bytes32[]' },
      { name: 'decryptedResult', type: 'bytes' },
      { name: 'extraData', type: 'bytes' },
    ],
  };
  const value = { ctHandles: line.plaintexts.map((p) => p.handle), decryptedResult, extraData };
  return ethers.verifyTypedData(DOMAIN, types, value, line.external_signature);
}

function assertValues(line, expected) {
  assert.equal(line.plaintexts.length, expected.length);
  line.plaintexts.forEach((p, i) => {
    assert.equal(p.fhe_type, expected[i].type);
    assert.equal(p.value, expected[i].value.toString(), `${expected[i].type} #${i}`);
    assert.equal(p.handle, expected[i].handle);
  });
}

// ---- the flow --------------------------------------------------------------

test('kms-client drives a kms-server end to end', { timeout: 600000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-client-e2e-'));
  const server = new Server(dir);
  const keys = server.genKeys();
  await server.start();
  const pubDir = path.join(dir, 'keys');
  t.after(async () => {
    if (server.proc.exitCode === null) await server.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const conn = () => ['--addr', server.addr];
  const verify = ['--pub-dir', pubDir];

  await t.test('--help on every command, usage errors exit 2', async () => {
    for (const cmd of ['key-gen', 'key-gen-result', 'encrypt', 'public-decrypt', 'user-decrypt',
      'key-material', 'health']) {
      const r = await client([cmd, '--help']);
      assert.equal(r.status, 0, cmd);
      assert.match(r.stdout, new RegExp(`usage: kms-client ${cmd}`));
      assert.equal((await client([cmd, '--no-such-option'])).status, 2, cmd);
    }
    assert.equal((await client(['public-decrypt', ...conn(), ...verify, '--key-id', 'zz',
      '--ct-hex', 'euint8:00'])).status, 2);
    assert.equal((await client(['public-decrypt', ...conn(), '--key-id', 'ab'.repeat(32),
      '--ct-hex', 'euint8:00'])).status, 2, 'verification needs an address');
    assert.equal((await client(['encrypt', '--key-id', 'ab'.repeat(32), '--pub-dir', pubDir,
      '--type', 'euint8', '--value', '256'])).status, 2, 'a value too large for its type');
  });

  // key generation
  const kg = await ok(['key-gen', '--params', 'test', ...conn(), ...verify]);
  assert.equal(kg.length, 2);
  const [prep, key] = kg;
  assert.equal(prep.step, 'preprocessing');
  assert.equal(prep.verified, true);
  assert.equal(key.step, 'keygen');
  assert.match(key.request_id, /^[0-9a-f]{64}$/);
  assert.equal(key.key_id, key.request_id);
  assert.equal(key.preprocessing_id, prep.request_id);
  assert.equal(key.verified, true);
  assert.equal(key.digests_checked, true);
  assert.equal(key.signer, keys.address);
  assert.deepEqual(key.key_digests.map((d) => d.key_type), ['PublicKey', 'CompressedXofKeySet']);
  const keyId = key.key_id;

  await t.test('health and key-material list the key', async () => {
    const [h] = await ok(['health', ...conn()]);
    assert.equal(h.node_type, 'centralized');
    assert.deepEqual(h.fhe_key_ids, [keyId]);
    const [m] = await ok(['key-material', ...conn()]);
    assert.deepEqual(m.fhe_key_ids, [keyId]);
  });

  await t.test('key-gen-result fetches the same signed result', async () => {
    const [again] = await ok(['key-gen-result', '--key-id', keyId, ...conn(), ...verify]);
    assert.deepEqual(again.key_digests, key.key_digests);
    assert.equal(again.external_signature, key.external_signature);
    // another domain: the signature cannot verify
    const r = await client(['key-gen-result', '--key-id', keyId, '--chain-id', '1', ...conn(), ...verify]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /KeygenVerification/);
  });

  // encryption: each type once, in both formats the server decrypts
  const plain = [];
  for (const [type, format] of [['ebool', 'small-compressed'], ['euint8', 'small-compressed'],
    ['euint64', 'small-expanded'], ['euint256', 'small-compressed'], ['euint16', 'small-expanded']]) {
    const value = randomValue(type);
    const file = path.join(dir, `${type}.ct`);
    const [line] = await ok(['encrypt', '--key-id', keyId, '--pub-dir', pubDir, '--type', type,
      '--value', type === 'ebool' ? (value ? 'true' : 'false') : '0x' + value.toString(16),
      '--out', file, '--format', format]);
    assert.equal(line.fhe_type, type);
    assert.equal(line.format, format === 'small-compressed' ? 'SmallCompressed' : 'SmallExpanded');
    assert.equal(line.bytes, fs.statSync(file).size);
    assert.equal(line.handle, ethers.keccak256(fs.readFileSync(file)));
    plain.push({ type, value, file, handle: line.handle });
  }
  const cts = plain.flatMap((p) => ['--ct', `${p.type}:${p.file}`]);

  await t.test('encrypt never overwrites --out without --force', async () => {
    const file = plain[1].file;
    const before = fs.readFileSync(file);
    const args = ['encrypt', '--key-id', keyId, '--pub-dir', pubDir, '--type', 'euint8',
      '--value', '7', '--out', file];
    const r = await client(args);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /exists; refusing to overwrite/);
    assert.ok(before.equals(fs.readFileSync(file)), 'the file is untouched');
    const other = path.join(dir, 'forced.ct');
    fs.writeFileSync(other, 'old');
    const [line] = await ok([...args.slice(0, -1), other, '--force']);
    assert.equal(line.handle, ethers.keccak256(fs.readFileSync(other)));
  });

  await t.test('public-decrypt: values, signature checked by kms-client and by ethers', async () => {
    const [line] = await ok(['public-decrypt', '--key-id', keyId, ...cts, ...conn(), ...verify]);
    assert.equal(line.key_id, keyId);
    assert.equal(line.verified, true);
    assert.equal(line.signer, keys.address);
    assertValues(line, plain);
    assert.equal(ethersSigner(line), keys.address);
    // the sync variant and a hex ciphertext give the same
    const hex = fs.readFileSync(plain[1].file).toString('hex');
    const [sync] = await ok(['public-decrypt', '--sync', '--key-id', keyId,
      '--ct-hex', `euint8:${hex}`, '--server-address', keys.address, ...conn()]);
    assertValues(sync, [plain[1]]);
  });

  await t.test('public-decrypt with extra_data signs it verbatim', async () => {
    const extra = '0x01' + 'ab'.repeat(32);
    const [line] = await ok(['public-decrypt', '--key-id', keyId, '--ct', `euint8:${plain[1].file}`,
      '--extra-data', extra, ...conn(), ...verify]);
    assert.equal(ethersSigner(line, extra), keys.address);
  });

  await t.test('user-decrypt: the values, opened and verified', async () => {
    const user = ethers.Wallet.createRandom().address;
    const [line] = await ok(['user-decrypt', '--key-id', keyId, ...cts, '--client-address', user,
      ...conn(), ...verify]);
    assert.equal(line.verified, true);
    assert.equal(line.client_address, user);
    assert.equal(line.signer, keys.address);
    assertValues(line, plain);
  });

  await t.test('the wrong server address fails verification', async () => {
    const other = ethers.Wallet.createRandom().address;
    for (const cmd of ['public-decrypt', 'user-decrypt']) {
      const r = await client([cmd, '--key-id', keyId, '--ct', `euint8:${plain[1].file}`,
        '--server-address', other, ...conn()]);
      assert.equal(r.status, 1, cmd);
      assert.equal(r.stdout, '', `${cmd} printed no result`);
      // --no-verify accepts it (and says it did not verify)
      const [line] = await ok([cmd, '--key-id', keyId, '--ct', `euint8:${plain[1].file}`,
        '--no-verify', ...conn()]);
      assert.equal(line.verified, false);
    }
    const r = await client(['key-gen-result', '--key-id', keyId, '--server-address', other, ...conn()]);
    assert.equal(r.status, 1);
  });

  await t.test('a tampered signature on the wire is refused', async () => {
    const flip = (b) => { const c = Buffer.from(b); c[10] ^= 1; return c; };
    const proxy = await startProxy(server.addr, (method, resp) => {
      if (method === 'GetPublicDecryptionResult' || method === 'GetUserDecryptionResult' ||
          method === 'GetKeyGenResult') {
        resp.external_signature = flip(resp.external_signature);
      }
      return resp;
    });
    try {
      const via = ['--addr', proxy.addr, ...verify];
      for (const cmd of ['public-decrypt', 'user-decrypt']) {
        const r = await client([cmd, '--key-id', keyId, '--ct', `euint8:${plain[1].file}`, ...via]);
        assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
        assert.equal(r.stdout, '');
      }
      const r = await client(['key-gen-result', '--key-id', keyId, ...via]);
      assert.equal(r.status, 1);
    } finally {
      proxy.close();
    }
    // an untouched answer through the same kind of proxy passes
    const clean = await startProxy(server.addr, (m, resp) => resp);
    try {
      const [line] = await ok(['public-decrypt', '--key-id', keyId, '--ct', `euint8:${plain[1].file}`,
        '--addr', clean.addr, ...verify]);
      assertValues(line, [plain[1]]);
    } finally {
      clean.close();
    }
  });

  await t.test('a tampered published key object fails the digest check', async () => {
    const copy = path.join(dir, 'pubcopy');
    fs.cpSync(path.join(pubDir, 'PUB'), copy, { recursive: true });
    const f = path.join(copy, 'PublicKey', keyId);
    const b = fs.readFileSync(f);
    b[b.length - 1] ^= 1;
    fs.writeFileSync(f, b);
    const r = await client(['key-gen-result', '--key-id', keyId, '--pub-dir', copy, ...conn()]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not hash to the signed PublicKey digest/);
  });

  await t.test('kill -9 and restart: the key survives', async () => {
    const { sig } = await server.kill('SIGKILL');
    assert.equal(sig, 'SIGKILL');
    await server.start();
    const [m] = await ok(['key-material', ...conn()]);
    assert.deepEqual(m.fhe_key_ids, [keyId]);
    const [line] = await ok(['public-decrypt', '--key-id', keyId, ...cts, ...conn(), ...verify]);
    assertValues(line, plain);
    const [u] = await ok(['user-decrypt', '--key-id', keyId, ...cts, ...conn(), ...verify]);
    assertValues(u, plain);
  });

  await server.kill('SIGTERM');
});

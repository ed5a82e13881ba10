// kms-gen-keys end to end: the binary creates the node's signing key in an
// encrypted file vault and publishes VerfKey, VerfAddress, TypedVerfKey and
// TypedVerfAddress under SIGNING_KEY_ID. Checked independently of ckms:
//   - SIGNING_KEY_ID = SHAKE256("REQST_ID" || u64le(14) || "SIGNING_KEY_ID")[..32]
//     (@noble/hashes), the reference's derive_request_id;
//   - the published VerfAddress (EIP-55 text) is the address ethers computes
//     from the point in the published PublicSigKey, and the JSON line says
//     the same;
//   - a second run keeps the key, --overwrite replaces it, a public key
//     without its private key is refused, bad usage exits with 2.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ethers } = require('ethers');

const BIN = path.join(process.env.CKMS_BIN_DIR || '../../build/bin', 'kms-gen-keys');

function run(args, env = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r;
}

function runJson(args) {
  const r = run(args);
  assert.equal(r.status, 0, `kms-gen-keys ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0]);
}

async function signingKeyId() {
  const { shake256 } = await import('@noble/hashes/sha3.js');
  const name = Buffer.from('SIGNING_KEY_ID');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(name.length));
  const input = Buffer.concat([Buffer.from('REQST_ID'), len, name]);
  return Buffer.from(shake256(input, { dkLen: 32 })).toString('hex');
}

// safe_serialize(PublicSigKey): header ("0.5", Versioned, "0.1", name),
// u32 version 0, Vec<u8> of the 33-byte compressed point.
function parsePublicSigKey(buf) {
  let off = 0;
  const str = () => {
    const n = Number(buf.readBigUInt64LE(off));
    off += 8;
    const s = buf.subarray(off, off + n).toString('latin1');
    off += n;
    return s;
  };
  assert.equal(str(), '0.5');
  assert.equal(buf.readUInt32LE(off), 0);
  off += 4;
  assert.equal(str(), '0.1');
  assert.equal(str(), 'PublicSigKey');
  assert.equal(buf.readUInt32LE(off), 0);
  off += 4;
  assert.equal(Number(buf.readBigUInt64LE(off)), 33);
  off += 8;
  const point = buf.subarray(off, off + 33);
  assert.equal(off + 33, buf.length);
  return point;
}

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckms-gen-keys-'));
  const cfg = path.join(dir, 'server.toml');
  fs.writeFileSync(cfg, [
    '[public_vault.storage.file]',
    `path = "${dir}/keys"`,
    '[private_vault.storage.file]',
    `path = "${dir}/keys"`,
    '[private_vault.encryption]',
    `kek_file = "${dir}/kek"`,
    '',
  ].join('\n'));
  return { dir, cfg };
}

function published(dir, id) {
  const read = (type) => fs.readFileSync(path.join(dir, 'keys', 'PUB', type, id));
  return {
    verfKey: read('VerfKey'),
    typedVerfKey: read('TypedVerfKey'),
    address: read('VerfAddress').toString('utf8'),
    typedAddress: read('TypedVerfAddress').toString('utf8'),
  };
}

function checkPublished(dir, id, out) {
  const p = published(dir, id);
  const point = parsePublicSigKey(p.verfKey);
  assert.deepEqual(parsePublicSigKey(p.typedVerfKey), point);
  const addr = ethers.computeAddress('0x' + point.toString('hex'));
  assert.equal(p.address, addr); // EIP-55 text, no newline
  assert.equal(p.typedAddress, addr);
  assert.equal(out.address, addr);
  assert.equal(out.verification_key, point.toString('hex'));
  return addr;
}

test('--help and bad usage', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: kms-gen-keys --config FILE/);
  assert.match(r.stdout, /--overwrite/);
  assert.equal(run([]).status, 2);
  assert.equal(run(['--config', 'x', '--show-existing', '--overwrite']).status, 2);
  assert.equal(run(['--config', 'x', 'extra']).status, 2);
  const missing = run(['--config', '/nonexistent/ckms.toml']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /kms-gen-keys: /);
});

test('creates, keeps, shows and replaces the signing key', async () => {
  const { dir, cfg } = setup();
  try {
    const id = await signingKeyId();
    assert.equal(id, '60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee');

    // no KEK yet: the private vault cannot be opened
    assert.equal(run(['--config', cfg]).status, 1);
    const created = runJson(['--config', cfg, '--create-kek']);
    assert.equal(created.status, 'created');
    assert.equal(created.signing_key_id, id);
    assert.equal(fs.statSync(path.join(dir, 'kek')).mode & 0o077, 0);
    const addr = checkPublished(dir, id, created);

    // the private key is encrypted at rest
    const sk = fs.readFileSync(path.join(dir, 'keys', 'PRIV', 'SigningKey', id));
    assert.equal(sk.subarray(0, 4).toString('latin1'), 'CKVE');
    assert.ok(!sk.includes(Buffer.from('PrivateSigKey')));

    // a second run keeps everything
    const before = published(dir, id);
    const again = runJson(['--config', cfg]);
    assert.equal(again.status, 'existing');
    assert.equal(again.address, addr);
    assert.deepEqual(published(dir, id), before);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'keys', 'PRIV', 'SigningKey', id)), sk);

    // a lost public object is published again from the same key
    fs.unlinkSync(path.join(dir, 'keys', 'PUB', 'TypedVerfAddress', id));
    assert.equal(runJson(['--config', cfg]).status, 'existing');
    assert.deepEqual(published(dir, id), before);

    const shown = runJson(['--config', cfg, '--show-existing']);
    assert.equal(shown.status, 'existing');
    assert.equal(shown.address, addr);

    // --overwrite: a new key, published in place of the old one
    const replaced = runJson(['--config', cfg, '--overwrite']);
    assert.equal(replaced.status, 'replaced');
    assert.notEqual(replaced.address, addr);
    checkPublished(dir, id, replaced);

    // a published key whose private key is gone: refused, nothing changed
    const now = published(dir, id);
    fs.unlinkSync(path.join(dir, 'keys', 'PRIV', 'SigningKey', id));
    const orphan = run(['--config', cfg]);
    assert.equal(orphan.status, 1);
    assert.match(orphan.stderr, /--overwrite/);
    assert.deepEqual(published(dir, id), now);
    assert.ok(!fs.existsSync(path.join(dir, 'keys', 'PRIV', 'SigningKey', id)));
    assert.equal(run(['--config', cfg, '--show-existing']).status, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

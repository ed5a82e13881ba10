// Checks ckms's .proto files and gRPC layer against an independent gRPC
// stack: @grpc/proto-loader (protobufjs) parses proto/*.proto, and
// @grpc/grpc-js calls bin/ckms-test-server (tests/rpc/ckms_test_server.c).
//
// 1. Structure: every RPC of kms_service.v1.CoreServiceEndpoint (secure and
//    insecure sets of the reference KMS, zama-ai/kms core/grpc/proto/) with
//    its request and response type, the fields and numbers of the key
//    messages (kms-features.md section 1.3), and the enum values.
// 2. Wire: grpc-js encodes requests with protobufjs, the C server decodes
//    them with protobuf-c and moves each field into a known place of its
//    answer, which grpc-js decodes again; presence of proto3 `optional`
//    fields survives both ways.
// 3. Protocol: health checks, status codes and messages, metadata,
//    malformed and oversize messages, clean exit on EOF and SIGTERM.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const binDir = process.env.CKMS_BIN_DIR || path.join(__dirname, '..', '..', 'build', 'bin');
const protoDir = path.join(__dirname, '..', '..', 'proto');
const testProtoDir = path.join(__dirname, '..', 'proto');
const KMS_FILES = ['kms.v1.proto', 'kms-service.v1.proto', 'metastore-status.v1.proto', 'health.v1.proto'];

const loaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const def = protoLoader.loadSync(KMS_FILES, { ...loaderOptions, includeDirs: [protoDir] });
const testDef = protoLoader.loadSync(['ckms_test.proto'], { ...loaderOptions, includeDirs: [testProtoDir] });
const pkg = grpc.loadPackageDefinition(def);
const testPkg = grpc.loadPackageDefinition(testDef);

// --- 1. structure -----------------------------------------------------------

// [method, request, response] of CoreServiceEndpoint, from the reference's
// kms-service.v1.proto (secure) and kms-service-insecure.v1.proto (the rest).
const CORE_RPCS = [
  ['KeyGenPreproc', 'KeyGenPreprocRequest', 'Empty'],
  ['GetKeyGenPreprocResult', 'RequestId', 'KeyGenPreprocResult'],
  ['KeyGen', 'KeyGenRequest', 'Empty'],
  ['GetKeyGenResult', 'RequestId', 'KeyGenResult'],
  ['AbortKeyGen', 'RequestId', 'Empty'],
  ['PublicDecrypt', 'PublicDecryptionRequest', 'Empty'],
  ['GetPublicDecryptionResult', 'RequestId', 'PublicDecryptionResponse'],
  ['PublicDecryptSync', 'PublicDecryptionRequest', 'PublicDecryptionResponse'],
  ['UserDecrypt', 'UserDecryptionRequest', 'Empty'],
  ['GetUserDecryptionResult', 'RequestId', 'UserDecryptionResponse'],
  ['UserDecryptSync', 'UserDecryptionRequest', 'UserDecryptionResponse'],
  ['CrsGen', 'CrsGenRequest', 'Empty'],
  ['GetCrsGenResult', 'RequestId', 'CrsGenResult'],
  ['AbortCrsGen', 'RequestId', 'Empty'],
  ['NewMpcContext', 'NewMpcContextRequest', 'Empty'],
  ['DestroyMpcContext', 'DestroyMpcContextRequest', 'DestroyMpcContextResponse'],
  ['NewMpcEpoch', 'NewMpcEpochRequest', 'Empty'],
  ['GetEpochResult', 'RequestId', 'EpochResultResponse'],
  ['DestroyMpcEpoch', 'DestroyMpcEpochRequest', 'Empty'],
  ['NewCustodianContext', 'NewCustodianContextRequest', 'Empty'],
  ['DestroyCustodianContext', 'DestroyCustodianContextRequest', 'Empty'],
  ['GetOperatorPublicKey', 'Empty', 'OperatorPublicKey'],
  ['RestoreFromBackup', 'Empty', 'Empty'],
  ['CustodianRecoveryInit', 'CustodianRecoveryInitRequest', 'RecoveryRequest'],
  ['CustodianBackupRecovery', 'CustodianRecoveryRequest', 'Empty'],
  ['GetKeyMaterialAvailability', 'Empty', 'KeyMaterialAvailabilityResponse'],
  ['GetHealthStatus', 'Empty', 'HealthStatusResponse'],
  ['BandwidthBenchmark', 'BandwidthBenchmarkRequest', 'BandwidthBenchmarkResponse'],
  // insecure set
  ['PartialKeyGenPreproc', 'PartialKeyGenPreprocRequest', 'Empty'],
  ['InsecureKeyGenPreproc', 'KeyGenPreprocRequest', 'Empty'],
  ['GetInsecureKeyGenPreprocResult', 'RequestId', 'KeyGenPreprocResult'],
  ['InsecureKeyGen', 'KeyGenRequest', 'Empty'],
  ['GetInsecureKeyGenResult', 'RequestId', 'KeyGenResult'],
  ['InsecureCrsGen', 'CrsGenRequest', 'Empty'],
  ['GetInsecureCrsGenResult', 'RequestId', 'CrsGenResult'],
];

const METASTORE_RPCS = [
  ['GetRequestStatuses', 'metastore_status.v1.GetRequestStatusesRequest', 'metastore_status.v1.GetRequestStatusesResponse'],
  ['ListRequests', 'metastore_status.v1.ListRequestsRequest', 'metastore_status.v1.ListRequestsResponse'],
  ['GetMetaStoreInfo', 'kms.v1.Empty', 'metastore_status.v1.GetMetaStoreInfoResponse'],
];

// Every field of the key messages, as "name=number:[repeated |optional ]type",
// from the reference's kms.v1.proto / metastore-status.v1.proto.
const MESSAGES = {
  'kms.v1.RequestId': ['request_id=1:string'],
  'kms.v1.Eip712DomainMsg': ['name=1:string', 'version=2:string', 'chain_id=3:bytes',
    'verifying_contract=4:string', 'salt=5:optional bytes'],
  'kms.v1.KeyGenPreprocRequest': ['request_id=1:RequestId', 'params=2:FheParameter',
    'keyset_config=3:KeySetConfig', 'domain=4:Eip712DomainMsg', 'context_id=5:RequestId',
    'epoch_id=6:RequestId', 'extra_data=7:bytes', 'signing_schemes=8:repeated SigningSchemeType'],
  'kms.v1.KeyGenRequest': ['request_id=1:RequestId', 'params=2:optional FheParameter',
    'preproc_id=3:RequestId', 'domain=4:Eip712DomainMsg', 'keyset_config=5:KeySetConfig',
    'keyset_added_info=6:KeySetAddedInfo', 'context_id=7:RequestId', 'epoch_id=8:RequestId',
    'extra_data=9:bytes', 'signing_schemes=10:repeated SigningSchemeType'],
  'kms.v1.CrsGenRequest': ['request_id=1:RequestId', 'params=2:FheParameter',
    'max_num_bits=3:optional uint32', 'domain=4:Eip712DomainMsg', 'context_id=5:RequestId',
    'epoch_id=6:RequestId', 'extra_data=7:bytes', 'signing_schemes=8:repeated SigningSchemeType'],
  'kms.v1.TypedCiphertext': ['ciphertext=1:bytes', 'fhe_type=2:int32', 'external_handle=3:bytes',
    'ciphertext_format=4:CiphertextFormat'],
  'kms.v1.PublicDecryptionRequest': ['request_id=1:RequestId', 'ciphertexts=2:repeated TypedCiphertext',
    'key_id=3:RequestId', 'domain=4:Eip712DomainMsg', 'extra_data=5:bytes', 'context_id=6:RequestId',
    'epoch_id=7:RequestId', 'signing_schemes=8:repeated SigningSchemeType'],
  'kms.v1.UserDecryptionRequest': ['request_id=1:RequestId', 'typed_ciphertexts=2:repeated TypedCiphertext',
    'key_id=3:RequestId', 'client_address=4:string', 'enc_key=5:bytes', 'domain=6:Eip712DomainMsg',
    'extra_data=7:bytes', 'context_id=8:RequestId', 'epoch_id=9:RequestId',
    'signing_schemes=10:repeated SigningSchemeType'],
  'kms.v1.PublicDecryptionResponse': ['signature=1:bytes', 'external_signature=2:bytes',
    'payload=3:PublicDecryptionResponsePayload', 'extra_data=4:bytes', 'signatures=5:repeated TypedSignature'],
  'kms.v1.PublicDecryptionResponsePayload': ['verification_key=1:bytes',
    'plaintexts=2:repeated TypedPlaintext', 'request_id=3:RequestId'],
  'kms.v1.UserDecryptionResponse': ['signature=1:bytes', 'external_signature=2:bytes',
    'payload=3:UserDecryptionResponsePayload', 'extra_data=4:bytes', 'signatures=5:repeated TypedSignature'],
  'kms.v1.UserDecryptionResponsePayload': ['verification_key=1:bytes', 'digest=2:bytes',
    'signcrypted_ciphertexts=3:repeated TypedSigncryptedCiphertext', 'party_id=4:uint32', 'degree=5:uint32'],
  'kms.v1.TypedPlaintext': ['bytes=1:bytes', 'fhe_type=2:int32'],
  'kms.v1.TypedSigncryptedCiphertext': ['fhe_type=1:int32', 'signcrypted_ciphertext=2:bytes',
    'external_handle=3:bytes', 'packing_factor=4:uint32'],
  'kms.v1.TypedSignature': ['scheme=1:SigningSchemeType', 'signature=2:bytes'],
  'kms.v1.KeyGenResult': ['request_id=1:RequestId', 'preprocessing_id=2:RequestId',
    'key_digests=3:repeated KeyDigest', 'external_signature=4:bytes', 'signatures=5:repeated TypedSignature'],
  'kms.v1.KeyGenPreprocResult': ['preprocessing_id=1:RequestId', 'external_signature=2:bytes',
    'signatures=3:repeated TypedSignature'],
  'kms.v1.CrsGenResult': ['request_id=1:RequestId', 'crs_digest=2:bytes', 'max_num_bits=3:uint32',
    'external_signature=4:bytes', 'signatures=5:repeated TypedSignature'],
  'kms.v1.KeyDigest': ['key_type=1:string', 'digest=2:bytes'],
  'kms.v1.MpcContext': ['mpc_nodes=1:repeated MpcNode', 'context_id=2:RequestId',
    'software_version=3:string', 'threshold=4:int32', 'pcr_values=5:repeated PcrValues'],
  'kms.v1.MpcNode': ['mpc_identity=1:string', 'party_id=2:int32', 'signer_address=3:optional bytes',
    'external_url=4:string', 'ca_cert=5:optional bytes', 'public_storage_url=6:string',
    'public_storage_prefix=7:optional string', 'extra_signer_addresses=8:repeated bytes',
    'scheme_digests=9:repeated SchemeDigest'],
  'kms.v1.NewMpcContextRequest': ['new_context=2:MpcContext'],
  'kms.v1.NewMpcEpochRequest': ['context_id=1:RequestId', 'epoch_id=2:RequestId',
    'previous_epoch=3:PreviousEpochInfo', 'domain=4:Eip712DomainMsg', 'extra_data=5:bytes',
    'signing_schemes=6:repeated SigningSchemeType'],
  'kms.v1.PreviousEpochInfo': ['context_id=1:RequestId', 'epoch_id=2:RequestId',
    'keys_info=3:repeated KeyInfo', 'crs_info=4:repeated CrsInfo'],
  'kms.v1.KeySetConfig': ['keyset_type=1:KeySetType', 'standard_keyset_config=2:StandardKeySetConfig'],
  'kms.v1.StandardKeySetConfig': ['compute_key_type=1:ComputeKeyType',
    'secret_key_config=2:KeyGenSecretKeyConfig', 'compressed_key_config=3:CompressedKeyConfig'],
  'kms.v1.KeySetAddedInfo': ['from_keyset_id_decompression_only=1:RequestId',
    'to_keyset_id_decompression_only=2:RequestId', 'existing_keyset_id=3:RequestId',
    'use_existing_key_tag=4:bool', 'copy_compressed_key_to_original=5:bool'],
  'kms.v1.KeyMaterialAvailabilityResponse': ['fhe_key_ids=1:repeated string', 'crs_ids=2:repeated string',
    'preprocessing_ids=3:repeated string', 'storage_info=4:string'],
  'kms.v1.HealthStatusResponse': ['peers_from_all_contexts=1:repeated PeersFromContext',
    'my_fhe_key_ids=2:repeated string', 'my_crs_ids=3:repeated string',
    'my_preprocessing_key_ids=4:repeated string', 'my_storage_info=5:string', 'node_type=6:NodeType'],
  'metastore_status.v1.RequestStatusInfo': ['request_id=1:string', 'meta_store_type=2:MetaStoreType',
    'status=3:RequestProcessingStatus', 'error_message=4:optional string'],
  'metastore_status.v1.GetRequestStatusesRequest': ['request_ids=1:repeated string',
    'meta_store_type=2:optional MetaStoreType'],
  'metastore_status.v1.ListRequestsRequest': ['meta_store_type=1:MetaStoreType',
    'status_filter=2:optional RequestProcessingStatus', 'max_results=3:optional int32',
    'page_token=4:optional string'],
  'grpc.health.v1.HealthCheckRequest': ['service=1:string'],
  'grpc.health.v1.HealthCheckResponse': ['status=1:ServingStatus'],
};

const ENUMS = {
  'kms.v1.FheParameter': ['default=0', 'test=1'],
  'kms.v1.KeySetType': ['Standard=0', 'DecompressionOnly=1'],
  'kms.v1.ComputeKeyType': ['CPU=0'],
  'kms.v1.KeyGenSecretKeyConfig': ['GenerateAll=0', 'UseExisting=1'],
  'kms.v1.CompressedKeyConfig': ['CompressedAll=0', 'CompressedNone=1'],
  'kms.v1.CiphertextFormat': ['SmallCompressed=0', 'SmallExpanded=1', 'BigCompressed=2', 'BigExpanded=3'],
  'kms.v1.SigningSchemeType': ['ECDSA256K1=0', 'ED25519=1', 'MLDSA44=2', 'MLDSA65=3', 'MLDSA87=4'],
  'kms.v1.PkeSchemeType': ['MLKEM512=0', 'MLKEM1024=1'],
  'kms.v1.HealthStatus': ['HEALTH_STATUS_UNSPECIFIED=0', 'HEALTH_STATUS_OPTIMAL=1',
    'HEALTH_STATUS_HEALTHY=2', 'HEALTH_STATUS_DEGRADED=3', 'HEALTH_STATUS_UNHEALTHY=4'],
  'kms.v1.NodeType': ['NODE_TYPE_UNSPECIFIED=0', 'NODE_TYPE_CENTRALIZED=1', 'NODE_TYPE_THRESHOLD=2'],
  'kms.v1.BandwidthKind': ['Duration=0', 'Once=1'],
  'metastore_status.v1.MetaStoreType': ['ALL=0', 'KEY_GENERATION=1', 'PUBLIC_DECRYPTION=2',
    'USER_DECRYPTION=3', 'CRS_GENERATION=4', 'PREPROCESSING=5'],
  'metastore_status.v1.RequestProcessingStatus': ['PROCESSING=0', 'COMPLETED=1', 'FAILED=2', 'ANY=3',
    'DELETED=4'],
};

function describeFields(type) {
  const optional = new Set((type.oneofDecl || []).map((o) => o.name));
  return type.field.map((f) => {
    let t = f.type === 'TYPE_MESSAGE' || f.type === 'TYPE_ENUM'
      ? f.typeName.split('.').pop()
      : f.type.replace(/^TYPE_/, '').toLowerCase();
    if (f.label === 'LABEL_REPEATED') t = `repeated ${t}`;
    else if (optional.has(`_${f.name}`)) t = `optional ${t}`;
    return `${f.name}=${f.number}:${t}`;
  });
}

function sameType(got, fullName) {
  const want = def[fullName];
  assert.ok(want, `${fullName} is defined`);
  return JSON.stringify(got.type) === JSON.stringify(want.type);
}

test('CoreServiceEndpoint has every reference RPC with its types', () => {
  const svc = def['kms_service.v1.CoreServiceEndpoint'];
  assert.ok(svc, 'kms_service.v1.CoreServiceEndpoint exists');
  assert.deepEqual(Object.keys(svc).sort(), CORE_RPCS.map((r) => r[0]).sort());
  for (const [name, req, resp] of CORE_RPCS) {
    const m = svc[name];
    assert.equal(m.path, `/kms_service.v1.CoreServiceEndpoint/${name}`);
    assert.equal(m.requestStream, false, name);
    assert.equal(m.responseStream, false, name);
    assert.ok(sameType(m.requestType, `kms.v1.${req}`), `${name} takes kms.v1.${req}`);
    assert.ok(sameType(m.responseType, `kms.v1.${resp}`), `${name} returns kms.v1.${resp}`);
  }
  const meta = def['metastore_status.v1.MetaStoreStatusService'];
  assert.deepEqual(Object.keys(meta).sort(), METASTORE_RPCS.map((r) => r[0]).sort());
  for (const [name, req, resp] of METASTORE_RPCS) {
    assert.equal(meta[name].path, `/metastore_status.v1.MetaStoreStatusService/${name}`);
    assert.ok(sameType(meta[name].requestType, req), `${name} takes ${req}`);
    assert.ok(sameType(meta[name].responseType, resp), `${name} returns ${resp}`);
  }
  const health = def['grpc.health.v1.Health'];
  assert.equal(health.Check.path, '/grpc.health.v1.Health/Check');
  assert.equal(health.Watch.responseStream, true);
});

test('key messages have the reference field names, numbers and types', () => {
  for (const [name, fields] of Object.entries(MESSAGES)) {
    assert.ok(def[name], `${name} is defined`);
    assert.deepEqual(describeFields(def[name].type), fields, name);
  }
  for (const [name, values] of Object.entries(ENUMS)) {
    assert.ok(def[name], `${name} is defined`);
    assert.deepEqual(def[name].type.value.map((v) => `${v.name}=${v.number}`), values, name);
  }
});

// --- 2. and 3. against the C server -------------------------------------------

function startServer(args = []) {
  const proc = spawn(path.join(binDir, 'ckms-test-server'), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const port = new Promise((resolve, reject) => {
    proc.once('error', reject);
    exited.then((e) => reject(new Error(`ckms-test-server exited early: ${JSON.stringify(e)}`)));
    readline.createInterface({ input: proc.stdout }).once('line', (line) => {
      const m = /^port (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`unexpected first line: ${line}`));
    });
  });
  return port.then((p) => ({ proc, port: p, exited }));
}

function unary(client, method, req, md) {
  return new Promise((resolve, reject) => {
    client[method](req, md || new grpc.Metadata(), { deadline: Date.now() + 10000 }, (err, res) =>
      (err ? reject(err) : resolve(res)));
  });
}

async function rejectsWith(promise, code, detailsRe) {
  const err = await promise.then(() => null, (e) => e);
  assert.ok(err, `expected status ${code}, got OK`);
  assert.equal(err.code, code, `status ${err.code} (${err.details})`);
  if (detailsRe) assert.match(err.details, detailsRe);
  return err;
}

const ID = (c) => c.repeat(64);

test('grpc-js talks to the C server', async (t) => {
  const server = await startServer(['--max-recv', '65536']);
  const target = `127.0.0.1:${server.port}`;
  const creds = grpc.credentials.createInsecure();
  const health = new pkg.grpc.health.v1.Health(target, creds);
  const core = new pkg.kms_service.v1.CoreServiceEndpoint(target, creds);
  const meta = new pkg.metastore_status.v1.MetaStoreStatusService(target, creds);
  const echo = new testPkg.ckms.test.v1.Echo(target, creds);
  t.after(() => { for (const c of [health, core, meta, echo]) c.close(); });

  await t.test('health', async () => {
    for (const service of ['', 'kms_service.v1.CoreServiceEndpoint', 'metastore_status.v1.MetaStoreStatusService']) {
      assert.deepEqual(await unary(health, 'Check', { service }), { status: 'SERVING' }, service);
    }
    await rejectsWith(unary(health, 'Check', { service: 'kms_service.v1.Nope' }), grpc.status.NOT_FOUND, /Nope/);
  });

  await t.test('echo, metadata, status codes', async () => {
    const md = new grpc.Metadata();
    md.set('x-zama-kms-request-id', 'abc-123');
    const r = await unary(echo, 'Echo', { text: 'héllo', blob: Buffer.from([0, 1, 255]) }, md);
    assert.equal(r.text, 'héllo');
    assert.deepEqual(r.blob, Buffer.from([0, 1, 255]));
    assert.equal(r.request_id, 'abc-123');
    for (const code of [grpc.status.NOT_FOUND, grpc.status.ALREADY_EXISTS, grpc.status.UNAVAILABLE,
      grpc.status.FAILED_PRECONDITION, grpc.status.DATA_LOSS]) {
      await rejectsWith(unary(echo, 'Echo', { fail_code: code, fail_message: `failed with ${code}: "x" é` }),
        code, new RegExp(`^failed with ${code}: "x" é$`));
    }
    const late = new Promise((resolve, reject) => echo.Echo({ sleep_ms: 1000 }, new grpc.Metadata(),
      { deadline: Date.now() + 100 }, (e, res) => (e ? reject(e) : resolve(res))));
    await rejectsWith(late, grpc.status.DEADLINE_EXCEEDED);
    await rejectsWith(unary(echo, 'Missing', {}), grpc.status.UNIMPLEMENTED, /Missing/);
  });

  await t.test('malformed and oversize requests', async () => {
    const raw = new grpc.Client(target, creds);
    t.after(() => raw.close());
    const call = (bytes) => new Promise((resolve, reject) => raw.makeUnaryRequest('/ckms.test.v1.Echo/Echo',
      (b) => b, (b) => b, bytes, (e, res) => (e ? reject(e) : resolve(res))));
    await rejectsWith(call(Buffer.from([0x0a, 0x05, 0x61])), grpc.status.INVALID_ARGUMENT,
      /malformed ckms\.test\.v1\.EchoRequest/);
    await rejectsWith(call(Buffer.from([0xff, 0xff, 0xff, 0xff])), grpc.status.INVALID_ARGUMENT);
    await rejectsWith(unary(echo, 'Echo', { blob: Buffer.alloc(100000) }), grpc.status.RESOURCE_EXHAUSTED);
    const ok = await unary(echo, 'Echo', { text: 'still serving', blob: Buffer.alloc(60000, 7) });
    assert.equal(ok.text, 'still serving');
    assert.equal(ok.blob.length, 60000);
  });

  await t.test('PublicDecryptionRequest fields arrive where the reference puts them', async () => {
    const handle = Buffer.from('00ff'.repeat(16), 'hex');
    const req = {
      request_id: { request_id: ID('a') },
      ciphertexts: [
        { ciphertext: Buffer.from('ct-one'), fhe_type: 5, external_handle: handle, ciphertext_format: 'BigCompressed' },
        { ciphertext: Buffer.from('ct-two'), fhe_type: 0, external_handle: Buffer.alloc(0), ciphertext_format: 'SmallCompressed' },
      ],
      key_id: { request_id: ID('b') },
      domain: { name: 'Authorization token', version: '1', chain_id: Buffer.from([0x30, 0x39]),
        verifying_contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3', salt: Buffer.alloc(0) },
      extra_data: Buffer.from([2, 9, 9]),
      context_id: { request_id: ID('c') },
      epoch_id: { request_id: ID('d') },
      signing_schemes: ['ECDSA256K1', 'MLDSA65'],
    };
    const r = await unary(core, 'PublicDecryptSync', req);
    assert.equal(r.payload.request_id.request_id, ID('a'));
    assert.deepEqual(r.payload.plaintexts.map((p) => [p.bytes.toString(), p.fhe_type]),
      [[`ct-one|2|${handle.toString('hex')}`, 5], ['ct-two|0|', 0]]);
    assert.equal(r.payload.verification_key.toString(),
      'Authorization token|1|0x5FbDB2315678afecb367f032d93F642f64180aa3');
    assert.deepEqual(r.external_signature, Buffer.from([0x30, 0x39]));
    assert.equal(r.signature.toString(), ID('b'));
    assert.deepEqual(r.extra_data, Buffer.from([2, 9, 9]));
    // an explicitly empty salt is present (empty signature), an absent one is not
    assert.deepEqual(r.signatures.map((s) => [s.scheme, s.signature.toString()]),
      [['ECDSA256K1', ''], ['MLDSA65', '']]);
    delete req.domain.salt;
    const r2 = await unary(core, 'PublicDecryptSync', req);
    assert.deepEqual(r2.signatures.map((s) => s.signature.toString()), ['no-salt', 'no-salt']);
    req.domain.salt = Buffer.alloc(32, 0xee);
    const r3 = await unary(core, 'PublicDecryptSync', req);
    assert.deepEqual(r3.signatures[0].signature, Buffer.alloc(32, 0xee));
  });

  await t.test('UserDecryptionRequest fields arrive where the reference puts them', async () => {
    const req = {
      request_id: { request_id: ID('1') },
      typed_ciphertexts: [{ ciphertext: Buffer.from('uct'), fhe_type: 8, external_handle: Buffer.from([7]),
        ciphertext_format: 'SmallExpanded' }],
      key_id: { request_id: ID('2') },
      client_address: '0x17853A630aAe15AED549B2B874de08B73C0F59c5',
      enc_key: Buffer.alloc(869, 3),
      domain: { name: 'n', version: 'v', chain_id: Buffer.alloc(32), verifying_contract: '0x0' },
      extra_data: Buffer.from([1]),
      context_id: { request_id: ID('3') },
      epoch_id: { request_id: ID('4') },
      signing_schemes: [],
    };
    const r = await unary(core, 'UserDecryptSync', req);
    assert.equal(r.signature.toString(), ID('1'));
    assert.equal(r.external_signature.toString(), `${ID('3')}/${ID('4')}`);
    assert.deepEqual(r.extra_data, Buffer.from([1]));
    assert.deepEqual(r.payload.digest, Buffer.alloc(869, 3));
    assert.equal(r.payload.verification_key.toString(), '0x17853A630aAe15AED549B2B874de08B73C0F59c5');
    assert.equal(r.payload.party_id, 7);
    assert.equal(r.payload.degree, 2);
    const sc = r.payload.signcrypted_ciphertexts;
    assert.equal(sc.length, 1);
    assert.deepEqual([sc[0].fhe_type, sc[0].signcrypted_ciphertext.toString(), [...sc[0].external_handle],
      sc[0].packing_factor], [8, 'uct', [7], 1]);
  });

  await t.test('proto3 optional presence survives protobufjs -> protobuf-c', async () => {
    const keyGen = (extra) => unary(core, 'KeyGen', { request_id: { request_id: ID('e') },
      preproc_id: { request_id: ID('f') }, ...extra });
    await rejectsWith(keyGen({}), grpc.status.FAILED_PRECONDITION, new RegExp(`^params=absent preproc=${ID('f')}$`));
    await rejectsWith(keyGen({ params: 'default' }), grpc.status.FAILED_PRECONDITION, /^params=0 /);
    await rejectsWith(keyGen({ params: 'test' }), grpc.status.FAILED_PRECONDITION, /^params=1 /);
    const crs = (extra) => unary(core, 'CrsGen', { request_id: { request_id: ID('e') }, params: 'test', ...extra });
    await rejectsWith(crs({}), grpc.status.FAILED_PRECONDITION, /^max_num_bits=absent params=1$/);
    await rejectsWith(crs({ max_num_bits: 0 }), grpc.status.FAILED_PRECONDITION, /^max_num_bits=0 params=1$/);
    await rejectsWith(crs({ max_num_bits: 2048 }), grpc.status.FAILED_PRECONDITION, /^max_num_bits=2048 /);
  });

  await t.test('responses built by protobuf-c decode in protobufjs', async () => {
    const r = await unary(core, 'GetKeyGenResult', { request_id: ID('9') });
    assert.equal(r.request_id.request_id, ID('9'));
    assert.equal(r.preprocessing_id.request_id, `${'0'.repeat(62)}aa`);
    assert.deepEqual(r.key_digests.map((d) => [d.key_type, d.digest.subarray(0, 3).toString('hex'), d.digest.length]),
      [['PublicKey', '010203', 32], ['ServerKey', '040506', 32]]);
    assert.equal(r.external_signature.toString(), 'ext');
    assert.deepEqual(r.signatures.map((s) => [s.scheme, s.signature.toString()]), [['ECDSA256K1', 'sig']]);

    const s = await unary(meta, 'GetRequestStatuses', { request_ids: ['ok1', 'fail2'], meta_store_type: 'USER_DECRYPTION' });
    assert.deepEqual(s.statuses.map((x) => [x.request_id, x.meta_store_type, x.status, x.error_message]),
      [['ok1', 'USER_DECRYPTION', 'COMPLETED', undefined], ['fail2', 'USER_DECRYPTION', 'FAILED', 'it failed']]);
    assert.equal(s.statuses[1]._error_message, 'error_message');
    const all = await unary(meta, 'GetRequestStatuses', { request_ids: ['x'] });
    assert.equal(all.statuses[0].meta_store_type, 'ALL');
  });

  await t.test('methods without a handler answer UNIMPLEMENTED', async () => {
    await rejectsWith(unary(core, 'GetHealthStatus', {}), grpc.status.UNIMPLEMENTED, /GetHealthStatus/);
    await rejectsWith(unary(core, 'InsecureKeyGen', {}), grpc.status.UNIMPLEMENTED);
    await rejectsWith(unary(meta, 'ListRequests', {}), grpc.status.UNIMPLEMENTED);
  });

  server.proc.stdin.end();
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});

test('the test server exits cleanly on SIGTERM', async () => {
  const server = await startServer();
  const health = new pkg.grpc.health.v1.Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  assert.deepEqual(await unary(health, 'Check', { service: '' }), { status: 'SERVING' });
  health.close();
  server.proc.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});

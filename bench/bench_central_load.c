/* The centralized KMS under load, through gRPC on loopback.
 *
 * Spawns the real binaries next to this one (../bin, or $CKMS_BIN_DIR):
 * kms-gen-keys and kms-server on 127.0.0.1 with file vaults in a temp dir
 * (private vault encrypted), then kms-client key-gen (default parameters
 * unless BENCH_CENTRAL_PARAMS=test, so that the decryption cost is the
 * production one) and kms-client encrypt of one FheUint64
 * (SmallCompressed). Then, from one asynchronous client thread keeping
 * BENCH_CENTRAL_INFLIGHT (64) decryptions in flight for LOAD_SECONDS:
 *
 *   central_public_decrypt_rps  PublicDecrypt + GetPublicDecryptionResult of
 *                               the FheUint64, with p50/p99 latency of the
 *                               pair (ms)
 *   central_user_decrypt_rps    UserDecrypt + GetUserDecryptionResult (the
 *                               same ciphertext, one ML-KEM key for all)
 *   central_public_decrypt_single_p50_ms, central_user_decrypt_single_p50_ms
 *                               one request at a time
 *
 * Every answer's plaintext count is checked; the first public answer's
 * value and the first user answer (opened with udp_open_centralized,
 * signatures included) are checked fully. Client and server share the
 * machine's cores. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "base/buf.h"
#include "base/hex.h"
#include "bench_util.h"
#include "crypto/entropy.h"
#include "crypto/ethaddr.h"
#include "crypto/keccak.h"
#include "crypto/mlkem.h"
#include "crypto/mlkem_pke.h"
#include "proto/kms-service.v1.pb-c.h"
#include "proto/kms.v1.pb-c.h"
#include "rpc/client.h"
#include "service/user_decrypt_payload.h"

#define LOAD_SECONDS 3
#define SINGLE_CALLS 300
#define MAX_INFLIGHT 1024
#define VALUE UINT64_C(0x0123456789abcdef)

extern char **environ;

static char bin_dir[PATH_MAX + 16], work[PATH_MAX], addr[64];
static pid_t server_pid;

/* ---- processes ---- */

static void find_bins(void)
{
    const char *env = getenv("CKMS_BIN_DIR");
    if (env != NULL) {
        snprintf(bin_dir, sizeof bin_dir, "%s", env);
        return;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bench_fail("readlink /proc/self/exe");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(bin_dir, sizeof bin_dir, "%s/../bin", self);
}

/* Runs a command and returns its whole stdout (malloc); exits on failure. */
static char *run_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        bench_fail("popen");
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_put(&b, chunk, n);
    buf_put_u8(&b, 0);
    if (pclose(p) != 0 || buf_status(&b) != 0) {
        fprintf(stderr, "bench_central_load: failed: %s\n", cmd);
        bench_fail("a helper command");
    }
    size_t len;
    return (char *)buf_take(&b, &len);
}

/* The string value of "key":"..." in a JSON line (static buffer). */
static const char *json_field(const char *json, const char *key)
{
    static char out[256];
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    if (n >= sizeof out)
        return NULL;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void write_config(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        bench_fail("writing the configuration");
    fprintf(f,
            "[service]\nlisten_address = \"127.0.0.1\"\nlisten_port = 50051\n"
            "[public_vault.storage.file]\npath = \"%s/keys\"\n"
            "[private_vault.storage.file]\npath = \"%s/keys\"\n"
            "[private_vault.encryption]\nkek_file = \"%s/kek\"\n",
            work, work, work);
    fclose(f);
}

static void start_server(int test_params)
{
    char exe[PATH_MAX + 32], cfg[PATH_MAX + 32];
    snprintf(exe, sizeof exe, "%s/kms-server", bin_dir);
    snprintf(cfg, sizeof cfg, "%s/kms.toml", work);
    int out[2];
    if (pipe(out) != 0)
        bench_fail("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {exe, "--config", cfg, "--port", "0", "--log-level", "error",
                    test_params ? "--allow-test-params" : NULL, NULL};
    if (posix_spawn(&server_pid, exe, &fa, NULL, argv, environ) != 0)
        bench_fail("spawning kms-server");
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "kms-server listening on %63s", addr) == 1)
            break;
    }
    if (addr[0] == '\0')
        bench_fail("kms-server did not start");
    /* keep the pipe open: the server may print more, never block it */
}

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    if (work[0] != '\0') {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_central_load: could not remove %s\n", work);
    }
}

/* ---- one decryption at a time (the blocking client) ---- */

struct shared {
    struct rpc_channel *ch;
    const uint8_t *ct;
    size_t ct_len;
    uint8_t handle[32];
    uint8_t nonce[16];
    char key_id[65];
    int user;             /* UserDecrypt instead of PublicDecrypt */
    uint8_t enc_key[MLKEM_PKE_PK_BYTES];
    char client_address[ETHADDR_STR_LEN + 1];
};

/* Makes request ids unique per run (nonce), per user (index) and per call. */
struct worker {
    struct shared *s;
    uint32_t index;
    uint64_t counter;
};

static void make_id(char out[65], struct worker *w)
{
    uint8_t id[32];
    memcpy(id, w->s->nonce, 16);
    for (int i = 0; i < 4; i++)
        id[16 + i] = (uint8_t)(w->index >> (8 * i));
    uint64_t c = ++w->counter;
    for (int i = 0; i < 8; i++)
        id[20 + i] = (uint8_t)(c >> (8 * i));
    memset(id + 28, 0x5a, 4);
    if (hex_encode(out, 65, id, 32) != 0)
        bench_fail("hex");
}

static const Kms__V1__Eip712DomainMsg *domain(void)
{
    static uint8_t chain[32];
    static Kms__V1__Eip712DomainMsg d = KMS__V1__EIP712_DOMAIN_MSG__INIT;
    chain[31] = 0x46; /* 8006 = 0x1f46 */
    chain[30] = 0x1f;
    d.name = "Authorization token";
    d.version = "1";
    d.chain_id.data = chain;
    d.chain_id.len = 32;
    d.verifying_contract = "0x66f9664f97F2b50F62D13eA064982f936dE76657";
    return &d;
}

/* A decryption request of s's ciphertext (UserDecrypt when s->user, else
 * PublicDecrypt) under request id `id`; every part lives in r. */
struct dec_req {
    Kms__V1__RequestId rid, kid;
    Kms__V1__TypedCiphertext ct, *cts[1];
    Kms__V1__UserDecryptionRequest user;
    Kms__V1__PublicDecryptionRequest pub;
};

static const ProtobufCMessage *dec_req_init(struct dec_req *r, struct shared *s, char *id,
                                            char *key)
{
    r->rid = (Kms__V1__RequestId)KMS__V1__REQUEST_ID__INIT;
    r->kid = (Kms__V1__RequestId)KMS__V1__REQUEST_ID__INIT;
    r->rid.request_id = id;
    r->kid.request_id = key;
    r->ct = (Kms__V1__TypedCiphertext)KMS__V1__TYPED_CIPHERTEXT__INIT;
    r->ct.ciphertext.data = (uint8_t *)s->ct;
    r->ct.ciphertext.len = s->ct_len;
    r->ct.fhe_type = 5; /* Uint64 */
    r->ct.external_handle.data = s->handle;
    r->ct.external_handle.len = 32;
    r->cts[0] = &r->ct;
    if (s->user) {
        r->user = (Kms__V1__UserDecryptionRequest)KMS__V1__USER_DECRYPTION_REQUEST__INIT;
        r->user.request_id = &r->rid;
        r->user.n_typed_ciphertexts = 1;
        r->user.typed_ciphertexts = r->cts;
        r->user.key_id = &r->kid;
        r->user.client_address = s->client_address;
        r->user.enc_key.data = s->enc_key;
        r->user.enc_key.len = sizeof s->enc_key;
        r->user.domain = (Kms__V1__Eip712DomainMsg *)domain();
        return &r->user.base;
    }
    r->pub = (Kms__V1__PublicDecryptionRequest)KMS__V1__PUBLIC_DECRYPTION_REQUEST__INIT;
    r->pub.request_id = &r->rid;
    r->pub.n_ciphertexts = 1;
    r->pub.ciphertexts = r->cts;
    r->pub.key_id = &r->kid;
    r->pub.domain = (Kms__V1__Eip712DomainMsg *)domain();
    return &r->pub.base;
}

/* One decryption: the start, then its result. Returns the unpacked result. */
static ProtobufCMessage *decrypt_once(struct worker *w)
{
    struct shared *s = w->s;
    char id[65], key[65];
    make_id(id, w);
    memcpy(key, s->key_id, 65);
    struct dec_req r;
    const ProtobufCMessage *req = dec_req_init(&r, s, id, key);
    struct rpc_call_options opt = {.timeout_ms = 60000};
    ProtobufCMessage *resp;
    const char *start = s->user ? "UserDecrypt" : "PublicDecrypt";
    const char *result = s->user ? "GetUserDecryptionResult" : "GetPublicDecryptionResult";
    BENCH_CHECK(rpc_client_call(s->ch, &resp, NULL,
                                &kms_service__v1__core_service_endpoint__descriptor, start, req,
                                &opt));
    protobuf_c_message_free_unpacked(resp, NULL);
    for (;;) {
        struct rpc_status st;
        int rc = rpc_client_call(s->ch, &resp, &st,
                                 &kms_service__v1__core_service_endpoint__descriptor, result,
                                 &r.rid.base, &opt);
        if (rc == 0)
            return resp;
        if (st.code != 14) /* UNAVAILABLE: the long poll ended first */
            bench_fail(kms_err_msg());
    }
}

static void check_count(const struct shared *s, const ProtobufCMessage *m)
{
    size_t n = s->user ? (((const Kms__V1__UserDecryptionResponse *)m)->payload
                              ? ((const Kms__V1__UserDecryptionResponse *)m)
                                    ->payload->n_signcrypted_ciphertexts
                              : 0)
                       : (((const Kms__V1__PublicDecryptionResponse *)m)->payload
                              ? ((const Kms__V1__PublicDecryptionResponse *)m)->payload->n_plaintexts
                              : 0);
    if (n != 1)
        bench_fail("a decryption answered no plaintext");
}

/* ---- the load: one asynchronous client thread, `inflight` decryptions
 * in flight (each a start call, then its result call), so that the client
 * spends as little of the shared CPU as it can ---- */

#define PATH_PREFIX "/kms_service.v1.CoreServiceEndpoint/"

struct aslot {
    int phase; /* 0: the start call is in flight, 1: the result call */
    grpc_call *call;
    grpc_byte_buffer *out, *in;
    grpc_metadata_array imd, tmd;
    grpc_status_code status;
    grpc_slice details;
    char id[65];
    uint64_t t0;
};

struct aload {
    struct shared *s;
    grpc_channel *ch;
    grpc_completion_queue *cq;
    grpc_slice start_path, result_path;
    struct worker w; /* ids */
    double *ms;
    size_t n, cap;
};

static grpc_byte_buffer *pack(const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *p = malloc(len > 0 ? len : 1);
    if (p == NULL)
        bench_fail("out of memory");
    protobuf_c_message_pack(m, p);
    grpc_slice sl = grpc_slice_new(p, len, free);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&sl, 1);
    grpc_slice_unref(sl);
    return bb;
}

static void aslot_call(struct aload *L, struct aslot *a, grpc_slice path, grpc_byte_buffer *out)
{
    memset(&a->imd, 0, sizeof a->imd);
    grpc_metadata_array_init(&a->imd);
    grpc_metadata_array_init(&a->tmd);
    a->out = out;
    a->in = NULL;
    a->call = grpc_channel_create_call(L->ch, NULL, GRPC_PROPAGATE_DEFAULTS, L->cq, path, NULL,
                                       gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = a->out;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &a->imd;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &a->in;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.status = &a->status;
    ops[5].data.recv_status_on_client.status_details = &a->details;
    ops[5].data.recv_status_on_client.trailing_metadata = &a->tmd;
    if (grpc_call_start_batch(a->call, ops, 6, a, NULL) != GRPC_CALL_OK)
        bench_fail("grpc_call_start_batch");
}

/* Releases what a finished call holds except `in`, which it returns. */
static grpc_byte_buffer *aslot_end(struct aslot *a)
{
    grpc_call_unref(a->call);
    grpc_byte_buffer_destroy(a->out);
    grpc_metadata_array_destroy(&a->imd);
    grpc_metadata_array_destroy(&a->tmd);
    grpc_slice_unref(a->details);
    return a->in;
}

static void aslot_start(struct aload *L, struct aslot *a)
{
    struct shared *s = L->s;
    make_id(a->id, &L->w);
    struct dec_req r;
    grpc_byte_buffer *out = pack(dec_req_init(&r, s, a->id, s->key_id));
    a->phase = 0;
    a->t0 = bench_now_ns();
    aslot_call(L, a, L->start_path, out);
}

static void aslot_result(struct aload *L, struct aslot *a)
{
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = a->id;
    a->phase = 1;
    aslot_call(L, a, L->result_path, pack(&rid.base));
}

/* A finished result call: the answer must hold one plaintext. */
static void aslot_check(struct aload *L, grpc_byte_buffer *in)
{
    grpc_byte_buffer_reader r;
    if (in == NULL || !grpc_byte_buffer_reader_init(&r, in))
        bench_fail("an empty decryption answer");
    grpc_slice sl = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    const ProtobufCMessageDescriptor *d = L->s->user
                                              ? &kms__v1__user_decryption_response__descriptor
                                              : &kms__v1__public_decryption_response__descriptor;
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, GRPC_SLICE_LENGTH(sl),
                                                    GRPC_SLICE_START_PTR(sl));
    grpc_slice_unref(sl);
    if (m == NULL)
        bench_fail("an undecodable decryption answer");
    check_count(L->s, m);
    protobuf_c_message_free_unpacked(m, NULL);
}

/* One completion: moves the slot on. Returns 1 when a decryption ended. */
static int aslot_step(struct aload *L, struct aslot *a, int keep_going)
{
    grpc_status_code st = a->status;
    grpc_byte_buffer *in = aslot_end(a);
    int done = 0;
    if (a->phase == 0) {
        if (in != NULL)
            grpc_byte_buffer_destroy(in);
        if (st != GRPC_STATUS_OK)
            bench_fail("a decryption request was refused");
        aslot_result(L, a);
        return 0;
    }
    if (st == GRPC_STATUS_UNAVAILABLE) { /* the long poll ended first */
        if (in != NULL)
            grpc_byte_buffer_destroy(in);
        aslot_result(L, a);
        return 0;
    }
    if (st != GRPC_STATUS_OK)
        bench_fail("a decryption failed");
    aslot_check(L, in);
    grpc_byte_buffer_destroy(in);
    if (L->n < L->cap)
        L->ms[L->n++] = (double)(bench_now_ns() - a->t0) / 1e6;
    done = 1;
    if (keep_going)
        aslot_start(L, a);
    return done;
}

static void run_load(struct shared *s, int inflight, const char *name, const char *extra_prefix)
{
    struct aload L = {.s = s, .w = {.s = s, .index = 0x1000u | (s->user ? 0x100u : 0)}};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    L.ch = grpc_channel_create(addr, creds, NULL);
    grpc_channel_credentials_release(creds);
    L.cq = grpc_completion_queue_create_for_next(NULL);
    L.start_path = grpc_slice_from_static_string(s->user ? PATH_PREFIX "UserDecrypt"
                                                         : PATH_PREFIX "PublicDecrypt");
    L.result_path = grpc_slice_from_static_string(
        s->user ? PATH_PREFIX "GetUserDecryptionResult" : PATH_PREFIX "GetPublicDecryptionResult");
    L.cap = (size_t)LOAD_SECONDS * 200000;
    L.ms = malloc(L.cap * sizeof *L.ms);
    struct aslot *slots = calloc((size_t)inflight, sizeof *slots);
    if (L.ms == NULL || slots == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < inflight; i++)
        aslot_start(&L, &slots[i]);
    uint64_t t0 = bench_now_ns(), stop = t0 + (uint64_t)LOAD_SECONDS * 1000000000u;
    size_t total = 0;
    int running = inflight;
    while (running > 0) {
        grpc_event ev = grpc_completion_queue_next(L.cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type != GRPC_OP_COMPLETE || !ev.success)
            bench_fail("completion queue");
        struct aslot *a = ev.tag;
        int phase = a->phase;
        int keep = bench_now_ns() < stop;
        int done = aslot_step(&L, a, keep);
        total += (size_t)done;
        if (phase == 1 && done && !keep)
            running--;
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    char extra[256];
    snprintf(extra, sizeof extra,
             "%s\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"inflight\":%d,\"decryptions\":%zu",
             extra_prefix, bench_quantile(L.ms, (int)L.n, 0.5),
             bench_quantile(L.ms, (int)L.n, 0.99), inflight, total);
    bench_emit_extra(name, (double)total / secs, "decryptions/s", extra);
    free(slots);
    free(L.ms);
    grpc_channel_destroy(L.ch);
    grpc_completion_queue_shutdown(L.cq);
    while (grpc_completion_queue_next(L.cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(L.cq);
}

static void run_single(struct shared *s, const char *name)
{
    static double ms[SINGLE_CALLS];
    struct worker w = {.s = s, .index = 0xffff | (s->user ? 0x10000u : 0)};
    for (int i = 0; i < SINGLE_CALLS; i++) {
        uint64_t t0 = bench_now_ns();
        ProtobufCMessage *m = decrypt_once(&w);
        ms[i] = (double)(bench_now_ns() - t0) / 1e6;
        check_count(s, m);
        protobuf_c_message_free_unpacked(m, NULL);
    }
    char extra[64];
    snprintf(extra, sizeof extra, "\"p99_ms\":%.3f", bench_quantile(ms, SINGLE_CALLS, 0.99));
    bench_emit_extra(name, bench_quantile(ms, SINGLE_CALLS, 0.5), "ms", extra);
}

/* ---- checks of one full answer each ---- */

static void check_public(struct shared *s)
{
    struct worker w = {.s = s, .index = 0xfffe};
    ProtobufCMessage *m = decrypt_once(&w);
    const Kms__V1__PublicDecryptionResponse *r = (const Kms__V1__PublicDecryptionResponse *)m;
    uint64_t v = 0;
    if (r->payload == NULL || r->payload->n_plaintexts != 1 ||
        r->payload->plaintexts[0]->bytes.len != 8)
        bench_fail("public decryption answer");
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | r->payload->plaintexts[0]->bytes.data[i];
    if (v != VALUE)
        bench_fail("public decryption gave the wrong value");
    protobuf_c_message_free_unpacked(m, NULL);
}

static void check_user(struct shared *s, const uint8_t dk[MLKEM512_DK_BYTES])
{
    struct worker w = {.s = s, .index = 0xfffd};
    ProtobufCMessage *m = decrypt_once(&w);
    const Kms__V1__UserDecryptionResponse *r = (const Kms__V1__UserDecryptionResponse *)m;
    const Kms__V1__UserDecryptionResponsePayload *pm = r->payload;
    if (pm == NULL || pm->n_signcrypted_ciphertexts != 1 || r->external_signature.len != 65)
        bench_fail("user decryption answer");
    const Kms__V1__Eip712DomainMsg *d = domain();
    struct udp_domain_msg dm = {d->name, strlen(d->name), d->version, strlen(d->version),
                                d->chain_id.data, d->chain_id.len, d->verifying_contract,
                                strlen(d->verifying_contract), 0, NULL, 0};
    struct udp_bytes h = {s->handle, 32};
    struct udp_request req = {s->client_address, strlen(s->client_address), s->enc_key,
                              sizeof s->enc_key, &dm, &h, 1};
    struct udp_checked chk;
    BENCH_CHECK(udp_check_request(&chk, &req));
    const Kms__V1__TypedSigncryptedCiphertext *t = pm->signcrypted_ciphertexts[0];
    struct udp_ct ct = {t->fhe_type, t->signcrypted_ciphertext.data, t->signcrypted_ciphertext.len,
                        t->external_handle.data, t->external_handle.len, t->packing_factor};
    struct udp_payload p = {pm->verification_key.data, pm->verification_key.len, pm->digest.data,
                            pm->digest.len, &ct, 1, pm->party_id, pm->degree};
    uint8_t server[20];
    const uint8_t *vk = p.verification_key;
    if (p.verification_key_len != UDP_VERF_KEY_BYTES)
        bench_fail("verification key");
    BENCH_CHECK(ethaddr_from_pubkey(server, vk + 8, 33));
    struct buf pt;
    struct udp_opened op;
    buf_init_secret(&pt, 4096);
    BENCH_CHECK(udp_open_centralized(&pt, &op, 1, &chk, &p, r->external_signature.data,
                                     r->extra_data.data, r->extra_data.len, server, dk));
    uint64_t v = 0;
    for (int i = (int)op.len - 1; i >= 0; i--)
        v = (v << 8) | pt.data[op.off + (size_t)i];
    if (op.len != 8 || v != VALUE)
        bench_fail("user decryption gave the wrong value");
    buf_free(&pt);
    protobuf_c_message_free_unpacked(m, NULL);
}

/* ---- setup ---- */

static void setup_key(struct shared *s, const char *params, struct buf *ct_file)
{
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "'%s/kms-client' key-gen --addr %s --params %s --pub-dir '%s/keys'",
             bin_dir, addr, params, work);
    uint64_t t0 = bench_now_ns();
    char *out = run_capture(cmd);
    double keygen_s = (double)(bench_now_ns() - t0) / 1e9;
    const char *line = strstr(out, "\"step\":\"keygen\"");
    const char *kid = line ? json_field(line, "key_id") : NULL;
    if (kid == NULL || strlen(kid) != 64)
        bench_fail("key-gen printed no key id");
    memcpy(s->key_id, kid, 65);
    free(out);
    char extra[64];
    snprintf(extra, sizeof extra, "\"params\":\"%s\"", params);
    bench_emit_extra("central_keygen_s", keygen_s, "s", extra);

    snprintf(cmd, sizeof cmd,
             "'%s/kms-client' encrypt --key-id %s --pub-dir '%s/keys' --type euint64 "
             "--value %llu --out '%s/ct64'",
             bin_dir, s->key_id, work, (unsigned long long)VALUE, work);
    free(run_capture(cmd));
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/ct64", work);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        bench_fail("the ciphertext file");
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(ct_file, chunk, n);
    fclose(f);
    BENCH_CHECK(buf_status(ct_file));
}

int main(void)
{
    const char *params = getenv("BENCH_CENTRAL_PARAMS");
    const char *th = getenv("BENCH_CENTRAL_INFLIGHT");
    int inflight = th != NULL ? atoi(th) : 64;
    if (params == NULL || params[0] == '\0')
        params = "default";
    if (inflight < 1 || inflight > MAX_INFLIGHT)
        inflight = 64;
    grpc_init();
    find_bins();
    snprintf(work, sizeof work, "%s/ckms-bench-load.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    if (mkdtemp(work) == NULL)
        bench_fail("mkdtemp");
    atexit(stop_server);
    char cfg[PATH_MAX + 16], cmd[4 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/kms.toml", work);
    write_config(cfg);
    snprintf(cmd, sizeof cmd, "'%s/kms-gen-keys' --config '%s' --create-kek 2>/dev/null", bin_dir,
             cfg);
    free(run_capture(cmd));
    start_server(strcmp(params, "test") == 0);

    static struct shared s;
    struct buf ct;
    buf_init(&ct, BUF_UNLIMITED);
    setup_key(&s, params, &ct);
    s.ct = ct.data;
    s.ct_len = ct.len;
    keccak256(s.handle, ct.data, ct.len);
    BENCH_CHECK(entropy_fill(s.nonce, sizeof s.nonce));
    BENCH_CHECK(rpc_channel_new(&s.ch, addr, NULL));

    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES], caddr[20];
    BENCH_CHECK(mlkem512_keygen(ek, dk));
    struct buf pk;
    buf_init(&pk, MLKEM_PKE_PK_BYTES);
    mlkem_pke_encode_pk(&pk, ek);
    BENCH_CHECK(buf_status(&pk));
    memcpy(s.enc_key, pk.data, sizeof s.enc_key);
    buf_free(&pk);
    BENCH_CHECK(entropy_fill(caddr, sizeof caddr));
    ethaddr_to_string(s.client_address, caddr);

    char extra[128];
    snprintf(extra, sizeof extra, "\"params\":\"%s\",\"ct_bytes\":%zu,", params, ct.len);
    s.user = 0;
    check_public(&s);
    run_single(&s, "central_public_decrypt_single_p50_ms");
    run_load(&s, inflight, "central_public_decrypt_rps", extra);
    s.user = 1;
    check_user(&s, dk);
    run_single(&s, "central_user_decrypt_single_p50_ms");
    run_load(&s, inflight, "central_user_decrypt_rps", extra);

    rpc_channel_free(s.ch);
    buf_free(&ct);
    grpc_shutdown();
    return 0;
}

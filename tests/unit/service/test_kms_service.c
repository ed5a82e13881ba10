/* The centralized service over a real gRPC loopback connection, in one
 * process (memory vaults, the rpc client of src/rpc/client.h): idempotency,
 * the long poll answering UNAVAILABLE, admission answering
 * RESOURCE_EXHAUSTED, preprocessing consumed by KeyGen, signatures that
 * recover to the node's key, UNIMPLEMENTED methods, and AbortKeyGen and a
 * stop that end a running default-parameter key generation (seconds of work)
 * early, without leaving objects behind: the time they take is printed
 * next to the generation's usual duration and only loosely bounded (a
 * stop is polled every few milliseconds of work; a generation runs for
 * tens of seconds, several times more under the sanitizers). The whole flow
 * with decryptions and independent verifiers is
 * tests/interop/test_kms_centralized.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "proto/kms-service.v1.pb-c.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "service/kms_service.h"
#include "test_util.h"

static const char ADDR[] = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; /* EIP-55 example */
static uint8_t chain[1] = {0x2a};

struct fx {
    struct vault *pub, *priv;
    struct node_key *key;
    struct kms_service *svc;
    struct central *c;
    struct rpc_server *srv;
    struct rpc_channel *ch;
};
static struct fx F;

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    log_set_level(LOG_ERROR);
    if (vault_mem_open(&F.pub, "PUB", 0) || vault_mem_open(&F.priv, "PRIV", VAULT_F_PRIVATE) ||
        node_key_generate(&F.key))
        return -1;
    struct kms_service_config sc = {
        .key = F.key, .result_wait_ms = 1, .preproc_wait_ms = 1000, .dec_capacity = 4,
        .bucket_size = 1000, .cost_pub_decrypt = 1, .cost_user_decrypt = 1,
        .cost_keygen = 1000, .cost_preproc = 1, .allow_test_params = 1, .storage_info = "mem",
    };
    struct central_config cc = {.pub = F.pub, .priv = F.priv, .key = F.key};
    if (kms_service_new(&F.svc, &sc) || central_new(&F.c, &cc, kms_service_restore_key, F.svc))
        return -1;
    kms_service_attach(F.svc, F.c);
    struct rpc_server_config rc = {.listen_addr = "127.0.0.1:0", .workers = 4};
    if (rpc_server_new(&F.srv, &rc) || kms_service_register(F.svc, F.srv) ||
        rpc_server_start(F.srv))
        return -1;
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", rpc_server_port(F.srv));
    return rpc_channel_new(&F.ch, target, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    rpc_channel_free(F.ch);
    if (F.srv)
        rpc_server_shutdown(F.srv, 1000);
    kms_service_stop(F.svc);
    rpc_server_free(F.srv);
    central_free(F.c);
    kms_service_free(F.svc);
    node_key_free(F.key);
    vault_free(F.priv);
    vault_free(F.pub);
    return 0;
}

/* One call; returns the gRPC status code, *out the response (or NULL). */
static int rpc(ProtobufCMessage **out, const char *method, const ProtobufCMessage *req)
{
    struct rpc_status st;
    struct rpc_call_options opt = {.timeout_ms = 20000};
    ProtobufCMessage *resp = NULL;
    int rc = rpc_client_call(F.ch, &resp, &st, &kms_service__v1__core_service_endpoint__descriptor,
                             method, req, &opt);
    if (rc == 0 && out != NULL)
        *out = resp;
    else if (resp != NULL)
        protobuf_c_message_free_unpacked(resp, NULL);
    if (rc != 0)
        assert_true(st.message[0] != '\0'); /* every failure says why */
    return rc == 0 ? RPC_OK : st.code;
}

static void unhex32(uint8_t out[32], const char *hex)
{
    size_t n = 0;
    uint8_t *p = test_unhex(hex, &n);
    assert_int_equal(n, 32);
    memcpy(out, p, 32);
    free(p);
}

static void make_id(char out[65], unsigned char salt)
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned)(unsigned char)(salt + 3 * i + 1));
}

static Kms__V1__Eip712DomainMsg domain(void)
{
    Kms__V1__Eip712DomainMsg d = KMS__V1__EIP712_DOMAIN_MSG__INIT;
    d.name = "KMSGeneration";
    d.version = "1";
    d.chain_id.data = chain;
    d.chain_id.len = 1;
    d.verifying_contract = (char *)ADDR;
    return d;
}

static int preproc_with(const char *id, Kms__V1__FheParameter params)
{
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = (char *)id;
    Kms__V1__Eip712DomainMsg d = domain();
    Kms__V1__KeyGenPreprocRequest m = KMS__V1__KEY_GEN_PREPROC_REQUEST__INIT;
    m.request_id = &rid;
    m.params = params;
    m.domain = &d;
    return rpc(NULL, "KeyGenPreproc", &m.base);
}

static int preproc(const char *id) { return preproc_with(id, KMS__V1__FHE_PARAMETER__test); }

static int keygen(const char *id, const char *pre)
{
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT, pid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = (char *)id;
    pid.request_id = (char *)pre;
    Kms__V1__Eip712DomainMsg d = domain();
    Kms__V1__KeyGenRequest m = KMS__V1__KEY_GEN_REQUEST__INIT;
    m.request_id = &rid;
    m.preproc_id = &pid;
    m.domain = &d;
    return rpc(NULL, "KeyGen", &m.base);
}

static int by_id(ProtobufCMessage **out, const char *method, const char *id)
{
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = (char *)id;
    return rpc(out, method, &rid.base);
}

/* The signer of sig over struct_hash under domain() must be the node. */
static void assert_signed_by_node(const uint8_t sig[65], const uint8_t struct_hash[32])
{
    struct eip712_domain d = {.fields = EIP712_DOMAIN_STANDARD, .name = "KMSGeneration",
                              .name_len = 13, .version = "1", .version_len = 1};
    d.chain_id[31] = chain[0];
    assert_int_equal(ethaddr_parse(d.verifying_contract, ADDR, strlen(ADDR), ETHADDR_CHECKSUMMED), 0);
    uint8_t digest[32], pk[ECDSA_PUBKEY_BYTES];
    assert_int_equal(eip712_digest_for_domain(digest, &d, struct_hash), 0);
    assert_int_equal(ecdsa_recover(pk, digest, sig), 0);
    assert_memory_equal(pk, F.key->pk, sizeof pk);
}

static uint64_t test_keygen_ms; /* a test-parameter generation, for scale */

static void test_keygen_flow(void **state)
{
    (void)state;
    char pre[65], pre2[65], key[65], key2[65];
    make_id(pre, 1);
    make_id(pre2, 2);
    make_id(key, 3);
    make_id(key2, 4);
    assert_int_equal(preproc(pre), RPC_OK);
    assert_int_equal(preproc(pre), RPC_ALREADY_EXISTS);
    assert_int_equal(preproc(pre2), RPC_OK);
    assert_int_equal(preproc("zz"), RPC_INVALID_ARGUMENT);

    ProtobufCMessage *out = NULL;
    assert_int_equal(by_id(&out, "GetKeyGenPreprocResult", pre), RPC_OK);
    Kms__V1__KeyGenPreprocResult *pr = (void *)out;
    assert_string_equal(pr->preprocessing_id->request_id, pre);
    assert_int_equal(pr->external_signature.len, 65);
    uint8_t pre_b[32], sh[32];
    unhex32(pre_b, pre);
    kms_eip712_prep_keygen(sh, pre_b, NULL, 0);
    assert_signed_by_node(pr->external_signature.data, sh);
    protobuf_c_message_free_unpacked(out, NULL);

    assert_int_equal(keygen(key, "zz"), RPC_INVALID_ARGUMENT);
    assert_int_equal(keygen(key, key2), RPC_NOT_FOUND); /* no such preprocessing */
    uint64_t t0 = clock_now_ms();
    assert_int_equal(keygen(key, pre), RPC_OK);
    /* while it runs: the long poll (1 ms here) ends UNAVAILABLE, and the
     * bucket has no room for another (admission comes before the id is
     * claimed, so the same key id gets RESOURCE_EXHAUSTED too) */
    assert_int_equal(by_id(NULL, "GetKeyGenResult", key), RPC_UNAVAILABLE);
    assert_int_equal(keygen(key2, pre2), RPC_RESOURCE_EXHAUSTED);
    assert_int_equal(keygen(key, pre2), RPC_RESOURCE_EXHAUSTED);
    int code;
    uint64_t end = clock_now_ms() + 300000;
    while ((code = by_id(&out, "GetKeyGenResult", key)) == RPC_UNAVAILABLE &&
           clock_now_ms() < end)
        clock_sleep_ms(10);
    test_keygen_ms = clock_now_ms() - t0;
    assert_int_equal(code, RPC_OK);
    Kms__V1__KeyGenResult *kr = (void *)out;
    assert_string_equal(kr->request_id->request_id, key);
    assert_string_equal(kr->preprocessing_id->request_id, pre);
    assert_int_equal(kr->n_key_digests, 2);
    assert_string_equal(kr->key_digests[0]->key_type, "PublicKey");
    assert_string_equal(kr->key_digests[1]->key_type, "CompressedXofKeySet");
    protobuf_c_message_free_unpacked(out, NULL);
    /* consumed preprocessing; the key is listed */
    assert_int_equal(by_id(NULL, "GetKeyGenPreprocResult", pre), RPC_NOT_FOUND);
    Kms__V1__Empty e = KMS__V1__EMPTY__INIT;
    assert_int_equal(rpc(&out, "GetKeyMaterialAvailability", &e.base), RPC_OK);
    Kms__V1__KeyMaterialAvailabilityResponse *km = (void *)out;
    assert_int_equal(km->n_fhe_key_ids, 1);
    assert_string_equal(km->fhe_key_ids[0], key);
    assert_int_equal(km->n_preprocessing_ids, 1);
    assert_string_equal(km->preprocessing_ids[0], pre2);
    assert_string_equal(km->storage_info, "mem");
    protobuf_c_message_free_unpacked(out, NULL);
    assert_int_equal(keygen(key, pre2), RPC_ALREADY_EXISTS); /* the key is stored */
}

static void test_other_methods(void **state)
{
    (void)state;
    Kms__V1__Empty e = KMS__V1__EMPTY__INIT;
    ProtobufCMessage *out = NULL;
    assert_int_equal(rpc(&out, "GetHealthStatus", &e.base), RPC_OK);
    assert_int_equal(((Kms__V1__HealthStatusResponse *)out)->node_type,
                     KMS__V1__NODE_TYPE__NODE_TYPE_CENTRALIZED);
    protobuf_c_message_free_unpacked(out, NULL);
    Kms__V1__CrsGenRequest crs = KMS__V1__CRS_GEN_REQUEST__INIT;
    assert_int_equal(rpc(NULL, "CrsGen", &crs.base), RPC_UNIMPLEMENTED);
    assert_int_equal(rpc(NULL, "GetOperatorPublicKey", &e.base), RPC_UNIMPLEMENTED);
    char id[65];
    make_id(id, 9);
    assert_int_equal(by_id(NULL, "GetPublicDecryptionResult", id), RPC_NOT_FOUND);
    assert_int_equal(by_id(NULL, "GetUserDecryptionResult", "0x00"), RPC_INVALID_ARGUMENT);
    assert_int_equal(by_id(NULL, "AbortKeyGen", id), RPC_NOT_FOUND);
}

/* The abort tests print how long a stop took (no timing asserts): the
 * generation must end ABORTED with nothing stored. */

/* Nothing of key anywhere. */
static void assert_nothing_of(const char *key)
{
    char vid[VAULT_ID_BUF];
    uint8_t kb[32];
    unhex32(kb, key);
    assert_int_equal(vault_id_from_bytes(vid, kb), 0);
    assert_int_equal(vault_exists(F.pub, VAULT_ADDR("PublicKey", vid)), 0);
    assert_int_equal(vault_exists(F.pub, VAULT_ADDR("CompressedXofKeySet", vid)), 0);
    assert_int_equal(vault_exists(F.pub, VAULT_ADDR("ServerKey", vid)), 0);
    assert_int_equal(central_key_exists(F.c, kb, central_default_epoch), 0);
}

/* Makes the preprocessing and key ids from their salts, starts a
 * default-parameter generation of key and lets it run into its keyset
 * generation. Returns the time it got there. */
static uint64_t start_default(char pre[65], unsigned char pre_salt, char key[65],
                              unsigned char key_salt)
{
    make_id(pre, pre_salt);
    make_id(key, key_salt);
    /* the previous generation gave its admission tokens back before its
     * result was published: no wait */
    assert_int_equal(preproc_with(pre, KMS__V1__FHE_PARAMETER__default), RPC_OK);
    assert_int_equal(keygen(key, pre), RPC_OK);
    clock_sleep_ms(300);
    assert_int_equal(by_id(NULL, "GetKeyGenResult", key), RPC_UNAVAILABLE); /* running */
    return clock_now_ms();
}

static void test_abort_keygen(void **state)
{
    (void)state;
    char pre[65], key[65];
    uint64_t t0 = start_default(pre, 10, key, 11);
    assert_int_equal(by_id(NULL, "AbortKeyGen", pre), RPC_OK);
    int code;
    uint64_t end = t0 + 600000;
    while ((code = by_id(NULL, "GetKeyGenResult", key)) == RPC_UNAVAILABLE && clock_now_ms() < end)
        clock_sleep_ms(2);
    uint64_t ms = clock_now_ms() - t0;
    print_message("AbortKeyGen of a default-parameter generation 300 ms in: result in %llu ms "
                  "(a whole test-parameter generation: %llu ms)\n",
                  (unsigned long long)ms, (unsigned long long)test_keygen_ms);
    assert_int_equal(code, RPC_ABORTED);
    assert_nothing_of(key);
    /* the generation is over: nothing left to abort */
    assert_int_equal(by_id(NULL, "AbortKeyGen", pre), RPC_NOT_FOUND);
}

/* Last: stopping the service aborts the running generation. */
static void test_stop_aborts(void **state)
{
    (void)state;
    char pre[65], key[65];
    uint64_t t0 = start_default(pre, 5, key, 6);
    kms_service_stop(F.svc); /* returns once the generation has cleaned up */
    uint64_t ms = clock_now_ms() - t0;
    print_message("kms_service_stop during a default-parameter generation: %llu ms\n",
                  (unsigned long long)ms);
    ProtobufCMessage *out = NULL;
    assert_int_equal(by_id(&out, "GetKeyGenResult", key), RPC_ABORTED);
    assert_nothing_of(key);
    make_id(pre, 7);
    make_id(key, 8);
    assert_int_equal(preproc(pre), RPC_OK);
    assert_int_equal(keygen(key, pre), RPC_UNAVAILABLE); /* shutting down */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_flow),
        cmocka_unit_test(test_other_methods),
        cmocka_unit_test(test_abort_keygen),
        cmocka_unit_test(test_stop_aborts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

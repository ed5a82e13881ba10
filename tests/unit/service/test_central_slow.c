/* The centralized engine with the KMS's default (secure) parameter set, on
 * file vaults in a temporary directory (private vault encrypted): keygen
 * CompressedAll and CompressedNone; every published object hashes
 * (keccak.h SHAKE256) to the signed digest and carries the key id as its
 * tag; the KeygenVerification signature recovers to the node address;
 * Bool, Uint8 and Uint64 ciphertexts in the four formats (made with the
 * client key from the private vault and the server keys decompressed from
 * the published keyset) decrypt; a verifying restart loads both keys and
 * decrypts again. Slow (seconds per keygen, a few GiB of memory for the
 * decompressed keys), hence the _slow label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/clock.h"
#include "central_test_util.h"

static char root[64];

static void open_vaults(struct vault **pub, struct vault **priv)
{
    static const uint8_t kek_bytes[32] = {0x51, 0x0e, 0x77};
    ct_file_vaults(pub, priv, root, kek_bytes);
}

static void keygen(struct central *c, struct keygen_record *rec, const uint8_t id[32],
                   int compressed, const struct eip712_domain *d)
{
    static const uint8_t extra[] = {0};
    struct central_keygen_req req = {
        .params = ct_params("default"),
        .params_value = 0,
        .compressed = compressed,
        .domain = d,
        .extra = extra,
        .extra_len = sizeof extra,
    };
    memcpy(req.key_id, id, 32);
    ct_id(req.preproc_id, 0x33);
    uint64_t t0 = clock_now_ms();
    if (central_keygen(c, rec, &req) != 0)
        fail_msg("central_keygen (compressed=%d): %s", compressed, kms_err_msg());
    fprintf(stderr, "# default keygen compressed=%d: %llu ms\n", compressed,
            (unsigned long long)(clock_now_ms() - t0));
}

static void test_default_params(void **state)
{
    (void)state;
    test_mkdtemp(root, sizeof root, "ckms-central-slow");
    struct vault *pub, *priv;
    open_vaults(&pub, &priv);
    struct node_key *key;
    assert_int_equal(node_key_generate(&key), 0);
    struct central_config cfg = {pub, priv, key, 1};
    struct central *c;
    assert_int_equal(central_new(&c, &cfg, NULL, NULL), 0);
    struct eip712_domain d = ct_domain();

    uint8_t id[32], id2[32], addr[ETHADDR_BYTES];
    ct_id(id, 0x51);
    ct_id(id2, 0x52);
    struct keygen_record rec, rec2;
    keygen(c, &rec, id, 1, &d);
    ct_check_public(pub, &rec, 1);
    ct_recover(addr, &rec, &d);
    assert_memory_equal(addr, key->address, ETHADDR_BYTES);
    static const int32_t formats[] = {TFHE_CT_SMALL_EXPANDED, TFHE_CT_SMALL_COMPRESSED,
                                      TFHE_CT_BIG_EXPANDED, TFHE_CT_BIG_COMPRESSED};
    struct ct_env e;
    ct_env_new(&e, pub, priv, id);
    ct_decrypt_check(c, &e, id, formats, 4);

    keygen(c, &rec2, id2, 0, &d);
    ct_check_public(pub, &rec2, 0);
    ct_recover(addr, &rec2, &d);
    assert_memory_equal(addr, key->address, ETHADDR_BYTES);
    central_free(c);

    /* a verifying restart: both keys loaded, and they decrypt */
    vault_free(pub);
    vault_free(priv);
    open_vaults(&pub, &priv);
    cfg.pub = pub;
    cfg.priv = priv;
    uint64_t t0 = clock_now_ms();
    if (central_new(&c, &cfg, NULL, NULL) != 0)
        fail_msg("restart: %s", kms_err_msg());
    fprintf(stderr, "# verifying start with two default keys: %llu ms\n",
            (unsigned long long)(clock_now_ms() - t0));
    assert_int_equal(central_cached_keys(c), 2);
    ct_decrypt_check(c, &e, id, formats, 4);
    ct_env_free(&e);
    ct_env_new(&e, pub, priv, id2);
    ct_decrypt_check(c, &e, id2, formats, 1);
    ct_env_free(&e);

    central_free(c);
    keygen_record_clear(&rec);
    keygen_record_clear(&rec2);
    node_key_free(key);
    vault_free(pub);
    vault_free(priv);
    assert_int_equal(test_rmtree(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

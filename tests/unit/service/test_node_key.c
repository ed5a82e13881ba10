/* The node signing key (service/node_key.h):
 *   - addresses of known keys: the secret 1 (the generator; address
 *     0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf) and the web3.js
 *     documentation key 0x4c0883a6…2318 (address
 *     0x2c7536E3605D9C16a7a3D7b1898e529396a65c23), both widely published;
 *   - the PrivateSigKey and PublicSigKey objects byte for byte as node_key.h
 *     describes them (safe_serialize header spelled out here), the 41-byte
 *     verification_key, and SIGNING_KEY_ID as the reference derives it;
 *   - decode round trips, and every malformed variant refused;
 *   - storing never overwrites; loading and checking the public objects
 *     (publish, mismatch, missing, deletion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/buf.h"
#include "service/node_key.h"
#include "test_util.h"

#define G_X "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define WEB3_SK "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

/* safe_serialize header: "0.5", Versioned (0), "0.1", the type name. */
#define HDR_PREFIX "0300000000000000" "302e35" "00000000" "0300000000000000" "302e31"
#define HDR_PRIVATE HDR_PREFIX "0d00000000000000" "507269766174655369674b6579"
#define HDR_PUBLIC HDR_PREFIX "0c00000000000000" "5075626c69635369674b6579"

static struct node_key *from_hex(const char *hex)
{
    size_t len;
    uint8_t *sk = test_unhex(hex, &len);
    assert_int_equal(len, 32);
    struct node_key *k;
    assert_int_equal(node_key_from_seckey(&k, sk), 0);
    free(sk);
    return k;
}

static void test_known_keys(void **state)
{
    (void)state;
    struct node_key *k = from_hex("0000000000000000000000000000000000000000000000000000000000000001");
    assert_string_equal(k->address_str, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    assert_bytes_hex(k->pk33, 33, "02" G_X);
    assert_bytes_hex(k->verf_key, NODE_KEY_VERF_KEY_BYTES, "2100000000000000" "02" G_X);

    struct buf b;
    buf_init_secret(&b, BUF_UNLIMITED);
    node_key_encode_private(&b, k);
    assert_int_equal(buf_status(&b), 0);
    assert_bytes_hex(b.data, b.len,
                     HDR_PRIVATE "00000000" "2000000000000000"
                                 "0000000000000000000000000000000000000000000000000000000000000001");
    buf_free(&b);
    buf_init(&b, BUF_UNLIMITED);
    node_key_encode_public(&b, k);
    assert_bytes_hex(b.data, b.len, HDR_PUBLIC "00000000" "2100000000000000" "02" G_X);
    buf_free(&b);
    node_key_free(k);

    k = from_hex(WEB3_SK);
    assert_string_equal(k->address_str, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    node_key_free(k);

    /* derive_request_id("SIGNING_KEY_ID"), the reference's folder name */
    assert_string_equal(node_key_id(),
                        "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee");
}

static void test_invalid_secrets(void **state)
{
    (void)state;
    struct node_key *k = (struct node_key *)1;
    uint8_t zero[32] = {0};
    assert_int_equal(node_key_from_seckey(&k, zero), KMS_EINVAL);
    assert_null(k);
    size_t len;
    /* the group order n is not a valid scalar */
    uint8_t *n = test_unhex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", &len);
    assert_int_not_equal(node_key_from_seckey(&k, n), 0);
    assert_null(k);
    free(n);
    node_key_free(NULL);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct node_key *k, *back;
    assert_int_equal(node_key_generate(&k), 0);
    struct buf priv, pub;
    buf_init_secret(&priv, BUF_UNLIMITED);
    buf_init(&pub, BUF_UNLIMITED);
    node_key_encode_private(&priv, k);
    node_key_encode_public(&pub, k);
    assert_int_equal(node_key_decode_private(&back, priv.data, priv.len), 0);
    assert_memory_equal(back->sk, k->sk, 32);
    assert_memory_equal(back->address, k->address, ETHADDR_BYTES);
    node_key_free(back);
    uint8_t pk33[33];
    assert_int_equal(node_key_decode_public(pk33, pub.data, pub.len), 0);
    assert_memory_equal(pk33, k->pk33, 33);

    /* every truncation, a trailing byte, and the other type are refused */
    for (size_t n = 0; n < priv.len; n++) {
        assert_int_not_equal(node_key_decode_private(&back, priv.data, n), 0);
        assert_null(back);
    }
    for (size_t n = 0; n < pub.len; n++)
        assert_int_not_equal(node_key_decode_public(pk33, pub.data, n), 0);
    buf_put_u8(&priv, 0);
    assert_int_not_equal(node_key_decode_private(&back, priv.data, priv.len), 0);
    buf_put_u8(&pub, 0);
    assert_int_not_equal(node_key_decode_public(pk33, pub.data, pub.len), 0);
    assert_int_not_equal(node_key_decode_private(&back, pub.data, pub.len - 1), 0);
    assert_int_not_equal(node_key_decode_public(pk33, priv.data, priv.len - 1), 0);
    /* a version other than V0 */
    size_t hdr = (size_t)(strlen(HDR_PUBLIC) / 2);
    pub.data[hdr] = 1;
    assert_int_not_equal(node_key_decode_public(pk33, pub.data, pub.len - 1), 0);
    /* a point not on the curve */
    pub.data[hdr] = 0;
    memset(pub.data + hdr + 12 + 1, 0xff, 32);
    assert_int_not_equal(node_key_decode_public(pk33, pub.data, pub.len - 1), 0);
    buf_free(&priv);
    buf_free(&pub);
    node_key_free(k);
}

static uint8_t *read_obj(struct vault *v, size_t *len, const char *type)
{
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    int rc = vault_read(v, &b, VAULT_ADDR(type, node_key_id()));
    if (rc != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b, len);
}

static void test_vaults(void **state)
{
    (void)state;
    struct vault *pub, *priv;
    assert_int_equal(vault_mem_open(&pub, "PUB", 0), 0);
    assert_int_equal(vault_mem_open(&priv, "PRIV", VAULT_F_PRIVATE), 0);
    struct node_key *k, *other, *loaded;
    assert_int_equal(node_key_generate(&k), 0);
    assert_int_equal(node_key_generate(&other), 0);

    assert_int_equal(node_key_load(&loaded, priv), KMS_ENOTFOUND);
    assert_int_equal(node_key_store(priv, k), 0);
    size_t len0, len1;
    uint8_t *before = read_obj(priv, &len0, VAULT_PRIV_SIGNING_KEY);
    assert_non_null(before);
    assert_int_equal(node_key_store(priv, other), KMS_EEXIST);
    uint8_t *after = read_obj(priv, &len1, VAULT_PRIV_SIGNING_KEY);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(before);
    free(after);
    assert_int_equal(node_key_load(&loaded, priv), 0);
    assert_memory_equal(loaded->sk, k->sk, 32);
    node_key_free(loaded);

    /* the public objects: missing, published, checked */
    assert_int_equal(node_key_check_public(pub, k, 0), KMS_ENOTFOUND);
    assert_int_equal(node_key_check_public(pub, k, 1), 0);
    size_t len;
    uint8_t *addr = read_obj(pub, &len, VAULT_PUB_VERF_ADDRESS);
    assert_int_equal(len, ETHADDR_STR_LEN);
    assert_memory_equal(addr, k->address_str, len);
    free(addr);
    addr = read_obj(pub, &len, VAULT_PUB_TYPED_VERF_ADDRESS);
    assert_int_equal(len, ETHADDR_STR_LEN);
    assert_memory_equal(addr, k->address_str, len);
    free(addr);
    static const char *const key_types[] = {VAULT_PUB_VERF_KEY, VAULT_PUB_TYPED_VERF_KEY};
    for (size_t i = 0; i < 2; i++) {
        uint8_t *vk = read_obj(pub, &len, key_types[i]);
        uint8_t pk33[33];
        assert_non_null(vk);
        assert_int_equal(node_key_decode_public(pk33, vk, len), 0);
        assert_memory_equal(pk33, k->pk33, 33);
        free(vk);
    }
    assert_int_equal(node_key_check_public(pub, k, 0), 0);
    assert_int_equal(node_key_check_public(pub, other, 0), KMS_EVERIFY);
    assert_int_equal(node_key_check_public(pub, other, 1), KMS_EVERIFY);

    /* an address written by another tool: lower case with a newline */
    assert_int_equal(vault_delete(pub, VAULT_ADDR(VAULT_PUB_TYPED_VERF_ADDRESS, node_key_id())), 0);
    char text[ETHADDR_STR_LEN + 2];
    snprintf(text, sizeof text, "%s\n", k->address_str);
    for (char *p = text; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    assert_int_equal(vault_store(pub, VAULT_ADDR(VAULT_PUB_TYPED_VERF_ADDRESS, node_key_id()),
                                 text, strlen(text)),
                     0);
    assert_int_equal(node_key_check_public(pub, k, 0), 0);

    assert_int_equal(node_key_delete(priv, pub), 0);
    assert_int_equal(node_key_load(&loaded, priv), KMS_ENOTFOUND);
    assert_int_equal(node_key_check_public(pub, k, 0), KMS_ENOTFOUND);
    static const char *const all_types[] = {VAULT_PUB_VERF_KEY, VAULT_PUB_VERF_ADDRESS,
                                            VAULT_PUB_TYPED_VERF_KEY,
                                            VAULT_PUB_TYPED_VERF_ADDRESS};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(vault_exists(pub, VAULT_ADDR(all_types[i], node_key_id())), 0);
    assert_int_equal(node_key_delete(priv, pub), 0); /* absent is fine */
    node_key_free(k);
    node_key_free(other);
    vault_free(pub);
    vault_free(priv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_keys),
        cmocka_unit_test(test_invalid_secrets),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_vaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

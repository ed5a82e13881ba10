/* ClientKey and CompactPublicKey: a "test"-set keyset's client key written,
 * read back (same parameter set, secrets, tag, KMS records) and rewritten to
 * the same bytes; its CPK likewise; the layout of the key's start against
 * the tfhe-rs 1.7 definitions; refusal of non-binary keys, wrong lengths,
 * oversized inputs, truncations, trailing bytes and corruptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/secmem.h"
#include "tfhe/cpk.h"
#include "tfhe/wire/wire_cpk.h"
#include "wire_test_util.h"

static int put_ck(struct wire_sink *s, const void *o) { return wire_client_key_write(s, o); }

static int read_ck(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_client_key ck;
    int rc = wire_client_key_read(&ck, b, len, limit);
    wire_client_key_clear(&ck);
    return rc;
}

static void assert_same_secrets(const struct keyset_secrets *a, const struct keyset_secrets *b)
{
    assert_int_equal(a->lwe_len, b->lwe_len);
    assert_memory_equal(a->lwe, b->lwe, a->lwe_len * 8);
    assert_int_equal(a->glwe_len, b->glwe_len);
    assert_memory_equal(a->glwe, b->glwe, a->glwe_len * 8);
    assert_int_equal(a->cpk_len, b->cpk_len);
    assert_memory_equal(a->cpk, b->cpk, a->cpk_len * 8);
    assert_int_equal(a->compression_len, b->compression_len);
    assert_memory_equal(a->compression, b->compression, a->compression_len * 8);
    assert_int_equal(a->sns_len, b->sns_len);
    assert_memory_equal(a->sns, b->sns, a->sns_len * 16);
    assert_int_equal(a->sns_compression_len, b->sns_compression_len);
    assert_memory_equal(a->sns_compression, b->sns_compression, a->sns_compression_len * 16);
    assert_int_equal(a->oprf_len, b->oprf_len);
    assert_memory_equal(a->oprf, b->oprf, a->oprf_len * 8);
}

static void test_client_key_round_trip(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 3);
    size_t len, len2;
    uint8_t *bytes = wt_serialize(put_ck, &e.ck, &len);

    struct wire_client_key back;
    assert_int_equal(wire_client_key_read(&back, bytes, len, len), 0);
    assert_ptr_equal(back.params, wt_params("test"));
    assert_same_secrets(&back.sk, &e.ks->sk);
    assert_int_equal(back.tag_len, e.ks->pub.tag_len);
    assert_memory_equal(back.tag, e.ks->pub.tag, back.tag_len);
    assert_int_equal(back.cpk.zk_scheme, WIRE_ZK_V2);
    assert_int_equal(back.cpk.expansion, WIRE_EXPANSION_REQUIRES_CASTING);
    assert_int_equal(back.casting.destination, WIRE_KEY_SMALL);
    assert_true(back.has_rerand);
    assert_int_equal(back.rerand.kind, WIRE_RERAND_DERIVED);
    assert_true(back.has_oprf);

    uint8_t *again = wt_serialize(put_ck, &back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);

    /* the compute key decrypts what the keyset's own client key encrypts */
    struct shortint_client_key *compute;
    struct radix_ct *ct;
    uint64_t v;
    assert_int_equal(wire_client_key_compute(&compute, &back), 0);
    assert_int_equal(radix_ct_new(&ct, back.params, RADIX_UINT16), 0);
    assert_int_equal(radix_encrypt_u64(e.cl->compute, ct, 51234, &e.rng), 0);
    assert_int_equal(radix_decrypt_u64(compute, &v, ct), 0);
    assert_int_equal(v, 51234);
    radix_ct_free(ct);
    shortint_client_key_free(compute);

    wire_client_key_clear(&back);
    free(again);
    free(bytes);
    wt_env_free(&e);
}

/* The start of the body, field by field (high_level_api/keys, shortint
 * client_key backward_compatibility): versions 1, 8, 0, 1, 0, variant 0
 * (Standard), 0, then GlweSecretKey V0 with k N = 256 words. */
static void test_client_key_layout(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 4);
    size_t len;
    uint8_t *b = wt_serialize(put_ck, &e.ck, &len);
    size_t h = 8 + 3 + 4 + 8 + 3 + 8 + strlen(WIRE_NAME_CLIENT_KEY);
    assert_bytes_hex(b + h, 40,
                     "01000000" "08000000" "00000000" "01000000" "00000000" "00000000"
                     "00000000" "00000000" "0001000000000000");
    /* the last bytes: the OPRF key (n = 1 word) then the tag V0, Vec<u8> */
    assert_bytes_hex(b + len - 12 - 6, 12, "00000000" "0600000000000000");
    assert_memory_equal(b + len - 6, e.ks->pub.tag, 6);
    free(b);
    wt_env_free(&e);
}

static void test_client_key_errors(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 5);
    size_t len;
    uint8_t *b = wt_serialize(put_ck, &e.ck, &len);
    wt_check_malformed(b, len, read_ck);

    /* a non-binary GLWE key word (the first word follows the Vec length) */
    size_t h = 8 + 3 + 4 + 8 + 3 + 8 + strlen(WIRE_NAME_CLIENT_KEY);
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, b, len);
    bad[h + 40] = 2;
    assert_int_equal(read_ck(bad, len, len), KMS_EINVAL);
    wt_assert_msg_has("not a binary key");
    memcpy(bad, b, len);
    bad[h + 40 + 7] = 0x80;
    assert_int_equal(read_ck(bad, len, len), KMS_EINVAL);
    /* a GLWE key one word short of k N (length and data shifted) */
    memcpy(bad, b, len);
    bad[h + 32] = 0xff;
    assert_int_equal(read_ck(bad, len, len), KMS_EINVAL);
    free(bad);

    /* secrets of the wrong lengths for the set */
    struct keyset_secrets sk = e.ks->sk;
    struct wire_client_key ck;
    sk.glwe_len--;
    assert_int_equal(wire_client_key_from_secrets(&ck, wt_params("test"), &sk, NULL, 0),
                     KMS_EINVAL);
    sk = e.ks->sk;
    assert_int_equal(wire_client_key_from_secrets(&ck, wt_params("default"), &sk, NULL, 0),
                     KMS_EINVAL);
    free(b);
    wt_env_free(&e);
}

static int read_cpk(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_cpk k;
    int rc = wire_cpk_read(&k, b, len, limit);
    wire_cpk_clear(&k);
    return rc;
}

static void test_cpk(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 6);
    const struct tfhe_params *p = wt_params("test");
    struct wire_cpk_params params;
    struct wire_ksk_params casting;
    struct wire_rerand_params rerand;
    wire_params_kms_cpk(p, &params, &casting, &rerand);
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_cpk_write(&s, &params, e.s->cpk, e.s->cpk_len, (const uint8_t *)"t", 1),
                     0);
    /* key data: Vec<u64> of 2 n_pk words, [A | B] as the engine holds it */
    size_t h = 8 + 3 + 4 + 8 + 3 + 8 + strlen(WIRE_NAME_CPK);
    assert_bytes_hex(b.data + h, 24 + 8, "01000000" "00000000" "00000000" "01000000"
                                         "00000000" "00000000" "0004000000000000");
    assert_memory_equal(b.data + h + 32, e.s->cpk, e.s->cpk_len * 8);

    struct wire_cpk k;
    assert_int_equal(wire_cpk_read(&k, b.data, b.len, b.len), 0);
    assert_int_equal(k.pk_len, e.s->cpk_len);
    assert_memory_equal(k.pk, e.s->cpk, k.pk_len * 8);
    assert_true(wire_cpk_params_equal(&k.params.cpk, &p->cpk));
    assert_int_equal(k.tag_len, 1);
    struct buf b2;
    buf_init(&b2, BUF_UNLIMITED);
    wire_sink_buf(&s, &b2, UINT64_MAX);
    assert_int_equal(wire_cpk_write(&s, &k.params, k.pk, k.pk_len, k.tag, k.tag_len), 0);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    wt_check_malformed(b.data, b.len, read_cpk);

    /* a key whose length disagrees with its parameters */
    assert_int_equal(wire_cpk_write(&s, &params, k.pk, k.pk_len - 1, NULL, 0), KMS_EINVAL);
    wire_cpk_clear(&k);
    buf_free(&b2);
    buf_free(&b);
    wt_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_key_round_trip),
        cmocka_unit_test(test_client_key_layout),
        cmocka_unit_test(test_client_key_errors),
        cmocka_unit_test(test_cpk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* safe_serialize header. Known answers are prefixes of objects serialized by
 * independent implementations (captured once with the npm packages in
 * tests/interop/node_modules):
 *   node-tkms 0.12.8: ml_kem_pke_pk_to_u8vec(ml_kem_pke_get_pk(ml_kem_pke_keygen()))
 *     -> 869 bytes; the first 69 are the header for "UnifiedPublicEncKey"
 *     (53 bytes) and 16 bytes of versioned body (u32 version, u32 variant
 *     MlKem512, u64 key length 800).
 *   node-tfhe 1.7.0: FheUint8.encrypt_with_client_key(..).safe_serialize(1e9)
 *     and TfheClientKey.safe_serialize(1e9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/bincode.h"
#include "base/safeser.h"
#include "test_util.h"

static const char tkms_pk_prefix[] =
    "0300000000000000302e35"                     /* "0.5" */
    "00000000"                                   /* Versioned */
    "0300000000000000302e31"                     /* "0.1" */
    "1300000000000000556e69666965645075626c6963456e634b6579" /* UnifiedPublicEncKey */
    "00000000" "00000000" "2003000000000000";    /* body: version 0, MlKem512, 800 */

static const char tfhe_fheuint_prefix[] =
    "0300000000000000302e3500000000"
    "0300000000000000302e31"
    "1700000000000000686967685f6c6576656c5f6170693a3a46686555696e74" /* high_level_api::FheUint */
    "0200000000000000";

static const char tfhe_client_key_header[] =
    "0300000000000000302e3500000000"
    "0300000000000000302e31"
    "1900000000000000686967685f6c6576656c5f6170693a3a436c69656e744b6579";

#define TKMS_HEADER_LEN 53

static void test_safeser_put_known_answer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    safeser_put_header(&b, "UnifiedPublicEncKey");
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, TKMS_HEADER_LEN);
    size_t n = 0;
    uint8_t *want = test_unhex(tkms_pk_prefix, &n);
    assert_int_equal(n, 69);
    assert_memory_equal(b.data, want, TKMS_HEADER_LEN);
    free(want);
    buf_reset(&b);

    safeser_put_header(&b, "high_level_api::ClientKey");
    want = test_unhex(tfhe_client_key_header, &n);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    free(want);
    buf_free(&b);
}

static void test_safeser_get_known_answer(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *in = test_unhex(tkms_pk_prefix, &n);
    struct reader r;
    /* the real object is 869 bytes; pretend the rest is elsewhere */
    reader_init(&r, in, n);
    assert_int_equal(safeser_get_header(&r, "UnifiedPublicEncKey", 869), 0);
    assert_int_equal(r.pos, TKMS_HEADER_LEN);
    uint32_t version, variant;
    uint64_t key_len;
    assert_int_equal(reader_u32le(&r, &version), 0);
    assert_int_equal(reader_u32le(&r, &variant), 0);
    assert_int_equal(reader_u64le(&r, &key_len), 0);
    assert_int_equal(key_len, 800); /* ML-KEM-512 encapsulation key size */
    free(in);

    in = test_unhex(tfhe_fheuint_prefix, &n);
    reader_init(&r, in, n);
    assert_int_equal(safeser_get_header(&r, "high_level_api::FheUint", 1u << 20), 0);
    assert_int_equal(reader_remaining(&r), 8);
    reader_init(&r, in, n);
    assert_int_equal(safeser_get_header(&r, "UnifiedPublicEncKey", 1u << 20), KMS_EINVAL);
    free(in);
}

static void test_safeser_round_trip(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    safeser_put_header(&b, "high_level_api::CompactPublicKey");
    buf_put(&b, "body", 4);
    struct reader r;
    reader_init(&r, b.data, b.len);
    assert_int_equal(safeser_get_header(&r, "high_level_api::CompactPublicKey", b.len), 0);
    assert_int_equal(reader_remaining(&r), 4);
    assert_memory_equal(r.data + r.pos, "body", 4);
    buf_free(&b);
}

/* Builds a header with each field chosen by the caller. */
static void put_custom(struct buf *b, const char *fmt_version, uint32_t mode,
                       const char *versioning, const char *name)
{
    buf_reset(b);
    bincode_put_str(b, fmt_version);
    bincode_put_variant(b, mode);
    bincode_put_str(b, versioning);
    bincode_put_str(b, name);
}

static int check(struct buf *b, const char *name, size_t limit)
{
    struct reader r;
    reader_init(&r, b->data, b->len);
    return safeser_get_header(&r, name, limit);
}

static void test_safeser_rejects(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    const char *t = "high_level_api::FheUint";
    put_custom(&b, "0.5", 0, "0.1", t);
    assert_int_equal(check(&b, t, 1000), 0);

    put_custom(&b, "0.4", 0, "0.1", t);
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.6", 0, "0.1", t);
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5 ", 0, "0.1", t);
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5", 1, "0.1", t); /* Unversioned */
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5", 0x100, "0.1", t);
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5", 0, "0.2", t);
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5", 0, "0.1", "high_level_api::FheInt");
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);
    put_custom(&b, "0.5", 0, "0.1", "high_level_api::FheUint8");
    assert_int_equal(check(&b, t, 1000), KMS_EINVAL);

    /* the limit applies to the whole object, inclusive */
    put_custom(&b, "0.5", 0, "0.1", t);
    buf_put_zeros(&b, 100);
    assert_int_equal(check(&b, t, b.len), 0);
    assert_int_equal(check(&b, t, b.len - 1), KMS_ELIMIT);
    assert_int_equal(check(&b, t, 0), KMS_ELIMIT);
    buf_free(&b);
}

static void test_safeser_truncated(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *in = test_unhex(tkms_pk_prefix, &n);
    for (size_t k = 0; k < TKMS_HEADER_LEN; k++) {
        struct reader r;
        reader_init(&r, in, k);
        int rc = safeser_get_header(&r, "UnifiedPublicEncKey", 869);
        if (rc != KMS_EINVAL && rc != KMS_ETRUNC)
            fail_msg("prefix of %zu bytes gave %d", k, rc);
    }
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safeser_put_known_answer),
        cmocka_unit_test(test_safeser_get_known_answer),
        cmocka_unit_test(test_safeser_round_trip),
        cmocka_unit_test(test_safeser_rejects),
        cmocka_unit_test(test_safeser_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Bounds-checked reader: values of every width in both byte orders, every
 * truncation path (each read at each too-short length fails with
 * KMS_ETRUNC, consumes nothing and leaves its output untouched), lengths
 * near SIZE_MAX, and expect_end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/reader.h"
#include "test_util.h"

static const uint8_t seq[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t long_seq[32] = {1, 2, 3};

static void test_reader_values(void **state)
{
    (void)state;
    struct reader r;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    unsigned __int128 u128;

    reader_init(&r, seq, sizeof seq);
    assert_int_equal(reader_remaining(&r), 16);
    assert_int_equal(reader_u8(&r, &u8), 0);
    assert_int_equal(u8, 0x01);
    assert_int_equal(reader_u16le(&r, &u16), 0);
    assert_int_equal(u16, 0x0302);
    assert_int_equal(reader_u32le(&r, &u32), 0);
    assert_int_equal(u32, 0x07060504u);
    assert_int_equal(reader_u64le(&r, &u64), 0);
    assert_true(u64 == UINT64_C(0x0f0e0d0c0b0a0908));
    assert_int_equal(reader_remaining(&r), 1);
    assert_int_equal(reader_expect_end(&r), KMS_EINVAL);

    reader_init(&r, seq, sizeof seq);
    assert_int_equal(reader_u128le(&r, &u128), 0);
    assert_true((uint64_t)(u128 >> 64) == UINT64_C(0x100f0e0d0c0b0a09));
    assert_true((uint64_t)u128 == UINT64_C(0x0807060504030201));
    assert_int_equal(reader_expect_end(&r), 0);

    reader_init(&r, seq, sizeof seq);
    assert_int_equal(reader_u32be(&r, &u32), 0);
    assert_int_equal(u32, 0x01020304u);
    assert_int_equal(reader_u64be(&r, &u64), 0);
    assert_true(u64 == UINT64_C(0x05060708090a0b0c));
    assert_int_equal(r.pos, 12);
}

/* Reads of every kind, so one loop can try each at each length. */
enum kind { K_U8, K_U16, K_U32, K_U64, K_U128, K_U32BE, K_U64BE, K_BYTES, K_VIEW, K_SKIP, N_KINDS };
static const size_t kind_size[N_KINDS] = {1, 2, 4, 8, 16, 4, 8, 5, 5, 5};

static int read_kind(struct reader *r, enum kind k, uint8_t out[16])
{
    const uint8_t *view;
    switch (k) {
    case K_U8: return reader_u8(r, (uint8_t *)out);
    case K_U16: return reader_u16le(r, (uint16_t *)(void *)out);
    case K_U32: return reader_u32le(r, (uint32_t *)(void *)out);
    case K_U64: return reader_u64le(r, (uint64_t *)(void *)out);
    case K_U128: return reader_u128le(r, (unsigned __int128 *)(void *)out);
    case K_U32BE: return reader_u32be(r, (uint32_t *)(void *)out);
    case K_U64BE: return reader_u64be(r, (uint64_t *)(void *)out);
    case K_BYTES: return reader_bytes(r, out, 5);
    case K_VIEW: {
        int rc = reader_view(r, &view, 5);
        if (rc == 0)
            memcpy(out, view, 5);
        return rc;
    }
    case K_SKIP: return reader_skip(r, 5);
    default: return KMS_EINTERNAL;
    }
}

static void test_reader_every_truncation(void **state)
{
    (void)state;
    _Alignas(16) uint8_t out[16];
    for (int k = 0; k < N_KINDS; k++) {
        size_t need = kind_size[k];
        /* a 3-byte prefix is consumed first, so truncation happens mid-input */
        for (size_t have = 0; have < need; have++) {
            struct reader r;
            reader_init(&r, long_seq, 3 + have);
            assert_int_equal(reader_skip(&r, 3), 0);
            memset(out, 0xEE, sizeof out);
            assert_int_equal(read_kind(&r, (enum kind)k, out), KMS_ETRUNC);
            assert_int_equal(r.pos, 3);
            assert_int_equal(reader_remaining(&r), have);
            for (size_t i = 0; i < sizeof out; i++)
                assert_int_equal(out[i], 0xEE);
        }
        struct reader r;
        reader_init(&r, long_seq, 3 + need);
        assert_int_equal(reader_skip(&r, 3), 0);
        assert_int_equal(read_kind(&r, (enum kind)k, out), 0);
        assert_int_equal(r.pos, 3 + need);
        assert_int_equal(reader_expect_end(&r), 0);
    }
}

static void test_reader_bytes_and_view(void **state)
{
    (void)state;
    struct reader r;
    uint8_t out[8];
    const uint8_t *v;
    reader_init(&r, seq, sizeof seq);
    assert_int_equal(reader_bytes(&r, out, 4), 0);
    assert_memory_equal(out, seq, 4);
    assert_int_equal(reader_view(&r, &v, 4), 0);
    assert_ptr_equal(v, seq + 4); /* no copy */
    assert_int_equal(reader_view(&r, &v, 0), 0);
    assert_int_equal(reader_bytes(&r, out, 0), 0);
    assert_int_equal(reader_skip(&r, 8), 0);
    assert_int_equal(reader_view(&r, &v, 0), 0); /* empty read at the end */
    assert_int_equal(reader_expect_end(&r), 0);
}

static void test_reader_huge_lengths(void **state)
{
    (void)state;
    struct reader r;
    const uint8_t *v = NULL;
    uint8_t out[1];
    reader_init(&r, seq, sizeof seq);
    assert_int_equal(reader_u8(&r, out), 0);
    /* pos + n must not wrap around and pass the check */
    assert_int_equal(reader_skip(&r, SIZE_MAX), KMS_ETRUNC);
    assert_int_equal(reader_skip(&r, SIZE_MAX - 14), KMS_ETRUNC);
    assert_int_equal(reader_view(&r, &v, SIZE_MAX - 1), KMS_ETRUNC);
    assert_null(v);
    assert_int_equal(reader_bytes(&r, out, (size_t)1 << 63), KMS_ETRUNC);
    assert_int_equal(reader_skip(&r, 16), KMS_ETRUNC);
    assert_int_equal(r.pos, 1);
    assert_int_equal(reader_skip(&r, 15), 0);
}

static void test_reader_empty_and_null(void **state)
{
    (void)state;
    struct reader r;
    uint8_t u8 = 7;
    reader_init(&r, NULL, 100); /* NULL data means no data */
    assert_int_equal(reader_remaining(&r), 0);
    assert_int_equal(reader_u8(&r, &u8), KMS_ETRUNC);
    assert_int_equal(u8, 7);
    assert_int_equal(reader_expect_end(&r), 0);
    const uint8_t *v;
    assert_int_equal(reader_view(&r, &v, 0), 0);

    reader_init(&r, seq, 0);
    assert_int_equal(reader_expect_end(&r), 0);
    assert_int_equal(reader_skip(&r, 1), KMS_ETRUNC);
}

static void test_reader_expect_end(void **state)
{
    (void)state;
    struct reader r;
    reader_init(&r, seq, 5);
    assert_int_equal(reader_expect_end(&r), KMS_EINVAL);
    assert_int_equal(reader_skip(&r, 4), 0);
    assert_int_equal(reader_expect_end(&r), KMS_EINVAL);
    assert_int_equal(reader_skip(&r, 1), 0);
    assert_int_equal(reader_expect_end(&r), 0);
    assert_int_equal(reader_expect_end(&r), 0); /* does not consume */
}

static void test_reader_error_message(void **state)
{
    (void)state;
    struct reader r;
    uint32_t v;
    reader_init(&r, seq, 2);
    kms_err_clear();
    assert_int_equal(reader_u32le(&r, &v), KMS_ETRUNC);
    assert_true(strlen(kms_err_msg()) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_values),
        cmocka_unit_test(test_reader_every_truncation),
        cmocka_unit_test(test_reader_bytes_and_view),
        cmocka_unit_test(test_reader_huge_lengths),
        cmocka_unit_test(test_reader_empty_and_null),
        cmocka_unit_test(test_reader_expect_end),
        cmocka_unit_test(test_reader_error_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

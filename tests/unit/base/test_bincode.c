/* bincode 1.x fixint encoding. Expected bytes follow the bincode spec
 * (docs/spec.md of bincode 1.x: u64 LE lengths, u32 LE variant tags, one
 * byte for bool and Option). Hostile lengths (2^63, 2^64-1, one more than
 * what is left) are rejected before anything is allocated or read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/bincode.h"
#include "test_util.h"

static void test_bincode_writers(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    bincode_put_str(&b, "abc");
    bincode_put_bytes(&b, "\x01\x02", 2);
    bincode_put_str(&b, "");
    bincode_put_variant(&b, 5);
    bincode_put_bool(&b, 1);
    bincode_put_bool(&b, 0);
    bincode_put_bool(&b, 42); /* any true value is 1 */
    bincode_put_option_tag(&b, 0);
    bincode_put_option_tag(&b, 7);
    bincode_put_len(&b, 0x0102030405);
    assert_int_equal(buf_status(&b), 0);
    assert_bytes_hex(b.data, b.len,
                     "0300000000000000616263"
                     "02000000000000000102"
                     "0000000000000000"
                     "05000000"
                     "01" "00" "01"
                     "00" "01"
                     "0504030201000000");
    buf_free(&b);
}

static void test_bincode_len_hostile(void **state)
{
    (void)state;
    struct reader r;
    size_t n = 777;
    /* 2^63 with 4 bytes of payload: refused, nothing allocated */
    static const uint8_t huge[] = {0, 0, 0, 0, 0, 0, 0, 0x80, 1, 2, 3, 4};
    reader_init(&r, huge, sizeof huge);
    assert_int_equal(bincode_get_len(&r, &n, 1), KMS_ETRUNC);
    assert_int_equal(n, 777);
    reader_init(&r, huge, sizeof huge);
    assert_int_equal(bincode_get_len(&r, &n, 8), KMS_ETRUNC);
    const uint8_t *p;
    reader_init(&r, huge, sizeof huge);
    assert_int_equal(bincode_get_bytes(&r, &p, &n), KMS_ETRUNC);

    /* 2^64 - 1 */
    static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
    reader_init(&r, max, sizeof max);
    assert_int_equal(bincode_get_len(&r, &n, 1), KMS_ETRUNC);
    /* elements of 2^61 bytes: n * size would overflow a naive product */
    static const uint8_t two[] = {2, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    reader_init(&r, two, sizeof two);
    assert_int_equal(bincode_get_len(&r, &n, (size_t)1 << 61), KMS_ETRUNC);
}

static void test_bincode_len_boundary(void **state)
{
    (void)state;
    struct reader r;
    size_t n;
    /* 3 elements of 4 bytes fit in 12 bytes; 4 do not */
    uint8_t in[8 + 12] = {3};
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_len(&r, &n, 4), 0);
    assert_int_equal(n, 3);
    assert_int_equal(reader_remaining(&r), 12);
    in[0] = 4;
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_len(&r, &n, 4), KMS_ETRUNC);
    /* a length of a 13-byte element does not fit either */
    in[0] = 1;
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_len(&r, &n, 13), KMS_ETRUNC);
    /* elem_size 0: unchecked, the caller bounds it */
    static const uint8_t big[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    reader_init(&r, big, sizeof big);
    assert_int_equal(bincode_get_len(&r, &n, 0), 0);
    assert_true(n == (size_t)1 << 63);
    /* the length prefix itself truncated */
    for (size_t k = 0; k < 8; k++) {
        reader_init(&r, in, k);
        assert_int_equal(bincode_get_len(&r, &n, 1), KMS_ETRUNC);
        assert_int_equal(r.pos, 0);
    }
}

static void test_bincode_bytes(void **state)
{
    (void)state;
    struct reader r;
    const uint8_t *p;
    size_t n;
    static const uint8_t in[] = {3, 0, 0, 0, 0, 0, 0, 0, 'x', 'y', 'z', '!'};
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_ptr_equal(p, in + 8);
    assert_int_equal(reader_remaining(&r), 1);
    /* one byte short */
    reader_init(&r, in, 10);
    assert_int_equal(bincode_get_bytes(&r, &p, &n), KMS_ETRUNC);

    uint8_t out[3];
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_bytes_exact(&r, out, 3), 0);
    assert_memory_equal(out, "xyz", 3);
    uint8_t out4[4];
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_bytes_exact(&r, out4, 4), KMS_EINVAL);
    reader_init(&r, in, sizeof in);
    assert_int_equal(bincode_get_bytes_exact(&r, out, 2), KMS_EINVAL);
}

static void test_bincode_strings(void **state)
{
    (void)state;
    struct reader r;
    struct buf b;
    buf_init(&b, 100);
    bincode_put_str(&b, "high_level_api::FheUint");
    bincode_put_str(&b, "");
    assert_int_equal(buf_status(&b), 0);

    reader_init(&r, b.data, b.len);
    assert_int_equal(bincode_expect_str(&r, "high_level_api::FheUint"), 0);
    assert_int_equal(bincode_expect_str(&r, ""), 0);
    assert_int_equal(reader_expect_end(&r), 0);

    static const char *const wrong[] = {
        "high_level_api::FheUin",    /* prefix */
        "high_level_api::FheUint8",  /* longer */
        "high_level_api::FheUinT",   /* same length, differs */
        "",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        reader_init(&r, b.data, b.len);
        assert_int_equal(bincode_expect_str(&r, wrong[i]), KMS_EINVAL);
    }
    /* truncated in the middle of the string */
    for (size_t k = 0; k < 8 + 23; k++) {
        reader_init(&r, b.data, k);
        assert_true(bincode_expect_str(&r, "high_level_api::FheUint") < 0);
    }
    buf_free(&b);
}

static void test_bincode_variant(void **state)
{
    (void)state;
    struct reader r;
    uint32_t tag;
    static const uint8_t two[] = {2, 0, 0, 0};
    reader_init(&r, two, 4);
    assert_int_equal(bincode_get_variant(&r, &tag, 3), 0);
    assert_int_equal(tag, 2);
    reader_init(&r, two, 4);
    assert_int_equal(bincode_get_variant(&r, &tag, 2), KMS_EINVAL);
    static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff};
    reader_init(&r, max, 4);
    assert_int_equal(bincode_get_variant(&r, &tag, UINT32_MAX), KMS_EINVAL);
    reader_init(&r, two, 4);
    assert_int_equal(bincode_get_variant(&r, &tag, 0), KMS_EINVAL);
    for (size_t k = 0; k < 4; k++) {
        reader_init(&r, two, k);
        assert_int_equal(bincode_get_variant(&r, &tag, 3), KMS_ETRUNC);
    }
}

static void test_bincode_bool_and_option(void **state)
{
    (void)state;
    for (int byte = 0; byte < 256; byte++) {
        uint8_t in = (uint8_t)byte;
        struct reader r;
        int v = -1;
        reader_init(&r, &in, 1);
        int rc = bincode_get_bool(&r, &v);
        if (byte <= 1) {
            assert_int_equal(rc, 0);
            assert_int_equal(v, byte);
        } else {
            assert_int_equal(rc, KMS_EINVAL);
        }
        v = -1;
        reader_init(&r, &in, 1);
        rc = bincode_get_option_tag(&r, &v);
        if (byte <= 1) {
            assert_int_equal(rc, 0);
            assert_int_equal(v, byte);
        } else {
            assert_int_equal(rc, KMS_EINVAL);
        }
    }
    struct reader r;
    int v;
    reader_init(&r, NULL, 0);
    assert_int_equal(bincode_get_bool(&r, &v), KMS_ETRUNC);
    assert_int_equal(bincode_get_option_tag(&r, &v), KMS_ETRUNC);
}

/* struct { name: String, data: Option<Vec<u8>>, kind: enum(3), flag: bool } */
static void test_bincode_round_trip(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    bincode_put_str(&b, "key");
    bincode_put_option_tag(&b, 1);
    bincode_put_bytes(&b, "\xaa\xbb\xcc", 3);
    bincode_put_variant(&b, 2);
    bincode_put_bool(&b, 1);
    bincode_put_option_tag(&b, 0);
    assert_int_equal(buf_status(&b), 0);

    struct reader r;
    reader_init(&r, b.data, b.len);
    int present, flag;
    const uint8_t *p;
    size_t n;
    uint32_t kind;
    assert_int_equal(bincode_expect_str(&r, "key"), 0);
    assert_int_equal(bincode_get_option_tag(&r, &present), 0);
    assert_int_equal(present, 1);
    assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "\xaa\xbb\xcc", 3);
    assert_int_equal(bincode_get_variant(&r, &kind, 3), 0);
    assert_int_equal(kind, 2);
    assert_int_equal(bincode_get_bool(&r, &flag), 0);
    assert_int_equal(flag, 1);
    assert_int_equal(bincode_get_option_tag(&r, &present), 0);
    assert_int_equal(present, 0);
    assert_int_equal(reader_expect_end(&r), 0);
    buf_free(&b);
}

static void test_bincode_writer_limit(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    bincode_put_str(&b, "abc"); /* 11 bytes > 10 */
    assert_int_equal(buf_status(&b), KMS_ELIMIT);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bincode_writers),
        cmocka_unit_test(test_bincode_len_hostile),
        cmocka_unit_test(test_bincode_len_boundary),
        cmocka_unit_test(test_bincode_bytes),
        cmocka_unit_test(test_bincode_strings),
        cmocka_unit_test(test_bincode_variant),
        cmocka_unit_test(test_bincode_bool_and_option),
        cmocka_unit_test(test_bincode_round_trip),
        cmocka_unit_test(test_bincode_writer_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The wire primitives: sinks (buffer, FILE, counter, callback) with the
 * size limit and sticky errors, the safe_serialize header as base/safeser
 * writes it, and the readers' checks (versions, lengths, moduli, tags,
 * trailing bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/safeser.h"
#include "wire_test_util.h"

static void put_sample(struct wire_sink *s)
{
    static const uint64_t w[3] = {1, 2, 0xffffffffffffffffull};
    static const u128 x[2] = {5, (u128)1 << 100};
    wire_put_header(s, "high_level_api::FheUint");
    wire_put_version(s, 2);
    wire_put_scalar(s, 2048);
    wire_put_u64s(s, w, 3);
    wire_put_u128s(s, x, 2);
    wire_put_native_modulus(s, 64);
    wire_put_option(s, 1);
    wire_put_f64(s, -129.581);
    wire_put_tag(s, (const uint8_t *)"ab", 2);
}

static void test_sinks(void **state)
{
    (void)state;
    struct buf b;
    struct wire_sink s, c;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    put_sample(&s);
    assert_int_equal(wire_sink_status(&s), 0);
    assert_int_equal(s.count, b.len);
    wire_sink_counter(&c);
    put_sample(&c);
    assert_int_equal(c.count, b.len);

    /* the header is base/safeser's */
    struct buf h;
    buf_init(&h, BUF_UNLIMITED);
    safeser_put_header(&h, "high_level_api::FheUint");
    assert_memory_equal(b.data, h.data, h.len);
    /* then: u32 2; scalar = u32 0, u64 2048; Vec<u64> = u64 3, words */
    assert_bytes_hex(b.data + h.len, 4 + 12 + 8,
                     "02000000" "00000000" "0008000000000000" "0300000000000000");
    buf_free(&h);

    /* FILE sink writes the same bytes */
    FILE *f = tmpfile();
    assert_non_null(f);
    struct wire_sink fs;
    wire_sink_file(&fs, f, UINT64_MAX);
    put_sample(&fs);
    assert_int_equal(wire_sink_status(&fs), 0);
    assert_int_equal(fs.count, b.len);
    rewind(f);
    uint8_t *back = malloc(b.len);
    assert_non_null(back);
    assert_int_equal(fread(back, 1, b.len, f), b.len);
    assert_memory_equal(back, b.data, b.len);
    free(back);
    fclose(f);

    /* a limit one byte short fails, stickily, and nothing more is written */
    struct buf b2;
    buf_init(&b2, BUF_UNLIMITED);
    wire_sink_buf(&s, &b2, b.len - 1);
    put_sample(&s);
    assert_int_equal(wire_sink_status(&s), KMS_ELIMIT);
    size_t at_fail = b2.len;
    wire_put_u64(&s, 7);
    assert_int_equal(b2.len, at_fail);
    assert_true(b2.len < b.len);
    buf_free(&b2);
    buf_free(&b);
}

static int fail_after_two(void *ctx, const void *p, size_t n)
{
    (void)p;
    (void)n;
    int *calls = ctx;
    return ++*calls > 2 ? kms_err(KMS_EIO, "disk full") : 0;
}

static void test_callback_error(void **state)
{
    (void)state;
    int calls = 0;
    struct wire_sink s;
    wire_sink_init(&s, fail_after_two, &calls, UINT64_MAX);
    for (int i = 0; i < 5; i++)
        wire_put_u32(&s, (uint32_t)i);
    assert_int_equal(wire_sink_status(&s), KMS_EIO);
    assert_int_equal(calls, 3);
    assert_int_equal(s.count, 8);
}

static void test_reader_checks(void **state)
{
    (void)state;
    struct reader r;
    uint32_t v32;
    uint64_t v64;
    const uint8_t *p;
    size_t n;

    uint8_t ver[4] = {3, 0, 0, 0};
    reader_init(&r, ver, 4);
    assert_int_equal(wire_get_version(&r, "FheUint", 2), KMS_EINVAL);
    wt_assert_msg_has("newer than tfhe-rs 1.7");
    reader_init(&r, ver, 4);
    assert_int_equal(wire_get_version(&r, "FheUint", 4), KMS_EINVAL);
    wt_assert_msg_has("old version V3");
    reader_init(&r, ver, 3);
    assert_int_equal(wire_get_version(&r, "FheUint", 3), KMS_ETRUNC);

    uint8_t var[4] = {4, 0, 0, 0};
    reader_init(&r, var, 4);
    assert_int_equal(wire_get_variant(&r, "DataKind", &v32, 4), KMS_EINVAL);

    /* scalar range */
    uint8_t sc[12] = {0, 0, 0, 0, 9};
    reader_init(&r, sc, 12);
    assert_int_equal(wire_get_scalar_in(&r, "level", &v64, 1, 8), KMS_EINVAL);
    reader_init(&r, sc, 12);
    assert_int_equal(wire_get_scalar32(&r, "level", &v32, 1, 9), 0);
    assert_int_equal(v32, 9);

    /* a vector longer than the input is refused before any allocation */
    uint8_t vec[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f};
    reader_init(&r, vec, 16);
    assert_int_equal(wire_get_u64s(&r, "data", &p, &n), KMS_ETRUNC);
    uint8_t vec1[16] = {1};
    reader_init(&r, vec1, 16);
    assert_int_equal(wire_get_u64s(&r, "data", &p, &n), 0);
    assert_int_equal(n, 1);
    uint64_t two[2];
    reader_init(&r, vec1, 16);
    assert_int_equal(wire_get_u64s_exact(&r, "data", two, 2), KMS_EINVAL);

    /* moduli: native only, and of the right word size */
    uint8_t mod[28] = {0};
    mod[20] = 64;
    reader_init(&r, mod, 28);
    assert_int_equal(wire_get_native_modulus(&r, "m", 64), 0);
    reader_init(&r, mod, 28);
    assert_int_equal(wire_get_native_modulus(&r, "m", 128), KMS_EINVAL);
    mod[4 + 8] = 1; /* modulus 2^64 as a custom value */
    reader_init(&r, mod, 28);
    assert_int_equal(wire_get_native_modulus(&r, "m", 64), KMS_EINVAL);
    wt_assert_msg_has("native");

    /* Option tags are 0 or 1 */
    uint8_t opt[1] = {2};
    int present;
    reader_init(&r, opt, 1);
    assert_int_equal(wire_get_option(&r, "x", &present), KMS_EINVAL);
    reader_init(&r, opt, 0);
    assert_int_equal(wire_get_option(&r, "x", &present), KMS_ETRUNC);
}

static void test_header_and_tag(void **state)
{
    (void)state;
    struct buf b;
    struct wire_sink s;
    struct reader r;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    wire_put_header(&s, "high_level_api::FheBool");
    wire_put_tag(&s, (const uint8_t *)"key-id", 6);
    wire_put_tag(&s, NULL, 0);
    assert_int_equal(wire_sink_status(&s), 0);

    const char *name;
    size_t name_len;
    assert_int_equal(wire_peek_name(b.data, b.len, &name, &name_len), 0);
    assert_true(wire_name_is(name, name_len, "high_level_api::FheBool"));
    assert_false(wire_name_is(name, name_len, "high_level_api::FheBoo"));

    assert_int_equal(wire_open(&r, b.data, b.len, b.len, "high_level_api::FheUint"), KMS_EINVAL);
    assert_int_equal(wire_open(&r, b.data, b.len, b.len - 1, "high_level_api::FheBool"),
                     KMS_ELIMIT);
    assert_int_equal(wire_open(&r, b.data, b.len, b.len, "high_level_api::FheBool"), 0);
    uint8_t *tag;
    size_t tag_len;
    assert_int_equal(wire_get_tag(&r, "tag", &tag, &tag_len), 0);
    assert_int_equal(tag_len, 6);
    assert_memory_equal(tag, "key-id", 6);
    free(tag);
    assert_int_equal(wire_close(&r, "x"), KMS_EINVAL);
    assert_int_equal(wire_get_tag(&r, "tag", &tag, &tag_len), 0);
    assert_null(tag);
    assert_int_equal(tag_len, 0);
    assert_int_equal(wire_close(&r, "x"), 0);

    /* an unversioned stream is refused */
    uint8_t bad[64];
    memcpy(bad, b.data, 64);
    bad[11] = 1;
    assert_int_equal(wire_peek_name(bad, 64, &name, &name_len), KMS_EINVAL);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sinks),
        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_reader_checks),
        cmocka_unit_test(test_header_and_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

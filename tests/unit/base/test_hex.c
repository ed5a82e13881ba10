/* Hex: every byte value 0..255 is classified in both digit positions and
 * checked against a plain reference classifier (strchr over the digit
 * alphabet); encoding is checked against snprintf("%02x"); random round
 * trips; prefixes, case, odd lengths, capacities and exact-length decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/hex.h"
#include "test_util.h"

/* Reference: the value of a hex digit, or -1. Deliberately naive. */
static int ref_digit(int c)
{
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    if (c == 0)
        return -1;
    const char *p = strchr(lower, c);
    if (p != NULL)
        return (int)(p - lower);
    p = strchr(upper, c);
    return p != NULL ? (int)(p - upper) : -1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint8_t rng_byte(void)
{
    /* xorshift64: deterministic test data */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint8_t)(rng_state >> 32);
}

static void test_hex_every_char(void **state)
{
    (void)state;
    int n_valid = 0;
    for (int c = 0; c < 256; c++) {
        for (int pos = 0; pos < 2; pos++) {
            char in[2] = {'7', '7'};
            in[pos] = (char)c;
            uint8_t out = 0xAA;
            size_t len = 99;
            int rc = hex_decode(&out, 1, &len, in, 2);
            int d = ref_digit(c);
            if (d < 0) {
                if (rc != KMS_EINVAL)
                    fail_msg("character %d at position %d accepted", c, pos);
                assert_int_equal(len, 0);
                assert_int_equal(out, 0); /* output zeroed on failure */
            } else {
                if (rc != 0)
                    fail_msg("digit %d ('%c') at position %d rejected", c, c, pos);
                assert_int_equal(len, 1);
                assert_int_equal(out, pos == 0 ? (d << 4 | 7) : (7 << 4 | d));
            }
        }
        n_valid += ref_digit(c) >= 0;
    }
    assert_int_equal(n_valid, 22);
}

static void test_hex_every_digit_pair(void **state)
{
    (void)state;
    static const char digits[] = "0123456789abcdefABCDEF";
    for (size_t i = 0; i < 22; i++) {
        for (size_t j = 0; j < 22; j++) {
            char in[2] = {digits[i], digits[j]};
            uint8_t out;
            size_t len;
            assert_int_equal(hex_decode(&out, 1, &len, in, 2), 0);
            assert_int_equal(out, ref_digit(digits[i]) * 16 + ref_digit(digits[j]));
        }
    }
}

static void test_hex_encode_all_bytes(void **state)
{
    (void)state;
    uint8_t all[256];
    char want[513], got[513];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
        snprintf(want + 2 * i, 3, "%02x", i);
    }
    assert_int_equal(hex_encode(got, sizeof got, all, sizeof all), 0);
    assert_string_equal(got, want);
}

static void test_hex_round_trip_random(void **state)
{
    (void)state;
    uint8_t in[300] = {0}, back[300];
    char enc[601], upper[601];
    for (size_t n = 0; n <= sizeof in; n += (n < 40 ? 1 : 37)) {
        for (size_t i = 0; i < n; i++)
            in[i] = rng_byte();
        assert_int_equal(hex_encode(enc, 2 * n + 1, in, n), 0);
        assert_int_equal(strlen(enc), 2 * n);
        for (size_t i = 0; i < 2 * n; i++) {
            assert_true(ref_digit(enc[i]) >= 0);
            assert_false(enc[i] >= 'A' && enc[i] <= 'F'); /* lower case out */
            upper[i] = (char)(enc[i] >= 'a' ? enc[i] - 32 : enc[i]);
        }
        upper[2 * n] = '\0';
        size_t len = 0;
        memset(back, 0, sizeof back);
        assert_int_equal(hex_decode(back, n, &len, enc, 2 * n), 0);
        assert_int_equal(len, n);
        assert_memory_equal(back, in, n);
        memset(back, 0, sizeof back);
        assert_int_equal(hex_decode(back, n, &len, upper, 2 * n), 0);
        assert_int_equal(len, n);
        assert_memory_equal(back, in, n);
    }
}

static void test_hex_prefix(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t len;
    assert_int_equal(hex_decode(out, 4, &len, "0xdeadBEEF", 10), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    assert_int_equal(hex_decode(out, 4, &len, "0XDEADbeef", 10), 0);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    /* the prefix alone is the empty string */
    len = 9;
    assert_int_equal(hex_decode(out, 4, &len, "0x", 2), 0);
    assert_int_equal(len, 0);
    assert_int_equal(hex_decode(out, 0, &len, "", 0), 0);
    assert_int_equal(len, 0);
    /* only one prefix, only at the start, only 0x */
    assert_int_equal(hex_decode(out, 4, &len, "0x0x00", 6), KMS_EINVAL);
    assert_int_equal(hex_decode(out, 4, &len, "00x0", 4), KMS_EINVAL);
    assert_int_equal(hex_decode(out, 4, &len, "x000", 4), KMS_EINVAL);
    assert_int_equal(hex_decode(out, 4, &len, "0b00", 4), 0); /* plain digits */
    assert_memory_equal(out, "\x0b\x00", 2);
    assert_int_equal(hex_decode(out, 4, &len, " 0x00", 5), KMS_EINVAL);
    assert_int_equal(hex_decode(out, 4, &len, "0x00 ", 5), KMS_EINVAL);
    /* "0x" with an odd number of digits after it */
    assert_int_equal(hex_decode(out, 4, &len, "0x123", 5), KMS_EINVAL);
}

static void test_hex_odd_and_capacity(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t len = 7;
    assert_int_equal(hex_decode(out, 4, &len, "abc", 3), KMS_EINVAL);
    assert_int_equal(len, 0);
    assert_int_equal(hex_decode(out, 4, &len, "a", 1), KMS_EINVAL);
    /* capacity: exactly enough, one short */
    assert_int_equal(hex_decode(out, 4, &len, "00112233", 8), 0);
    assert_int_equal(hex_decode(out, 3, &len, "00112233", 8), KMS_EINVAL);
    assert_int_equal(len, 0);
    /* in_len is respected: digits after it are not read */
    assert_int_equal(hex_decode(out, 4, &len, "0011zz", 4), 0);
    assert_int_equal(len, 2);
    /* a NUL inside the counted length is an invalid character */
    assert_int_equal(hex_decode(out, 4, &len, "00\0" "0", 4), KMS_EINVAL);

    char enc[9];
    assert_int_equal(hex_encode(enc, 9, "\x01\x02\x03\x04", 4), 0);
    assert_string_equal(enc, "01020304");
    assert_int_equal(hex_encode(enc, 8, "\x01\x02\x03\x04", 4), KMS_EINVAL);
    assert_int_equal(hex_encode(enc, 1, "", 0), 0);
    assert_string_equal(enc, "");
    assert_int_equal(hex_encode(enc, 0, "", 0), KMS_EINVAL);
    assert_int_equal(hex_encode(enc, 9, "", SIZE_MAX / 2 + 1), KMS_EINVAL);
}

static void test_hex_invalid_zeroes_output(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t len;
    memset(out, 0x55, sizeof out);
    assert_int_equal(hex_decode(out, 4, &len, "001122g3", 8), KMS_EINVAL);
    assert_int_equal(len, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(out[i], 0);
}

static void test_hex_decode_exact(void **state)
{
    (void)state;
    uint8_t out[4];
    assert_int_equal(hex_decode_exact(out, 4, "a0b1c2d3"), 0);
    assert_memory_equal(out, "\xa0\xb1\xc2\xd3", 4);
    assert_int_equal(hex_decode_exact(out, 4, "0xA0B1C2D3"), 0);
    assert_memory_equal(out, "\xa0\xb1\xc2\xd3", 4);
    assert_int_equal(hex_decode_exact(out, 4, "a0b1c2"), KMS_EINVAL);
    assert_int_equal(hex_decode_exact(out, 4, "a0b1c2d3e4"), KMS_EINVAL);
    assert_int_equal(hex_decode_exact(out, 4, "a0b1c2d"), KMS_EINVAL);
    assert_int_equal(hex_decode_exact(out, 4, "a0b1c2dq"), KMS_EINVAL);
    assert_int_equal(hex_decode_exact(out, 4, "0x"), KMS_EINVAL);
    assert_int_equal(hex_decode_exact(out, 0, "0x"), 0);
    assert_int_equal(hex_decode_exact(out, 0, ""), 0);
    assert_int_equal(hex_decode_exact(out, 1, "0x0x"), KMS_EINVAL);
}

static void test_hex_test_util_helper(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = test_unhex("00ff10", &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "\x00\xff\x10", 3);
    assert_bytes_hex(p, n, "00ff10");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_every_char),
        cmocka_unit_test(test_hex_every_digit_pair),
        cmocka_unit_test(test_hex_encode_all_bytes),
        cmocka_unit_test(test_hex_round_trip_random),
        cmocka_unit_test(test_hex_prefix),
        cmocka_unit_test(test_hex_odd_and_capacity),
        cmocka_unit_test(test_hex_invalid_zeroes_output),
        cmocka_unit_test(test_hex_decode_exact),
        cmocka_unit_test(test_hex_test_util_helper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

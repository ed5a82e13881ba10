/* Secure memory: equal / is_zero / cmov checked against memcmp and plain
 * loops on random data with single-bit differences at every position;
 * wipe; locked allocation (zero-filled, usable end to end, huge sizes
 * refused). Timing is not tested here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/secmem.h"
#include "test_util.h"

static uint64_t rng_state = 0x243F6A8885A308D3u;
static uint8_t rng_byte(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint8_t)(rng_state >> 24);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rng_byte();
}

static void test_secmem_equal(void **state)
{
    (void)state;
    uint8_t a[70] = {0}, b[70] = {0};
    assert_int_equal(secmem_equal(a, b, 0), 1);
    for (size_t n = 1; n <= sizeof a; n++) {
        fill_random(a, n);
        memcpy(b, a, n);
        assert_int_equal(secmem_equal(a, b, n), 1);
        for (size_t i = 0; i < n; i++) {
            for (int bit = 0; bit < 8; bit++) {
                b[i] ^= (uint8_t)(1u << bit);
                assert_int_equal(secmem_equal(a, b, n), memcmp(a, b, n) == 0);
                assert_int_equal(secmem_equal(a, b, n), 0);
                b[i] ^= (uint8_t)(1u << bit);
            }
        }
        /* a difference past n is ignored */
        b[n - 1] ^= 0xff;
        assert_int_equal(secmem_equal(a, b, n - 1), 1);
    }
    /* arbitrary random pairs agree with memcmp */
    for (int t = 0; t < 1000; t++) {
        size_t n = 1 + rng_byte() % 4;
        fill_random(a, n);
        fill_random(b, n);
        assert_int_equal(secmem_equal(a, b, n), memcmp(a, b, n) == 0);
    }
}

static void test_secmem_is_zero(void **state)
{
    (void)state;
    uint8_t z[100] = {0};
    assert_int_equal(secmem_is_zero(z, 0), 1);
    assert_int_equal(secmem_is_zero(z, sizeof z), 1);
    for (size_t i = 0; i < sizeof z; i++) {
        for (int v = 1; v < 256; v++) {
            z[i] = (uint8_t)v;
            if (secmem_is_zero(z, sizeof z) != 0)
                fail_msg("byte %d at %zu not seen", v, i);
            assert_int_equal(secmem_is_zero(z, i), 1); /* before it: still zero */
        }
        z[i] = 0;
    }
}

static void test_secmem_cmov(void **state)
{
    (void)state;
    uint8_t dst[64], src[64], orig[64];
    for (size_t n = 0; n <= sizeof dst; n++) {
        fill_random(orig, sizeof orig);
        fill_random(src, sizeof src);
        memcpy(dst, orig, sizeof dst);
        secmem_cmov(dst, src, n, 0);
        assert_memory_equal(dst, orig, sizeof dst);
        secmem_cmov(dst, src, n, 1);
        assert_memory_equal(dst, src, n);
        assert_memory_equal(dst + n, orig + n, sizeof dst - n); /* nothing past n */
    }
}

static void test_secmem_wipe(void **state)
{
    (void)state;
    uint8_t x[33];
    memset(x, 0xA5, sizeof x);
    secmem_wipe(x + 1, 31);
    assert_int_equal(x[0], 0xA5);
    assert_int_equal(x[32], 0xA5);
    assert_int_equal(secmem_is_zero(x + 1, 31), 1);
    secmem_wipe(NULL, 10);
    secmem_wipe(x, 0);
    assert_int_equal(x[0], 0xA5);
}

static void test_secmem_alloc(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 31, 4095, 4096, 4097, 100000, 1 << 20};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint8_t *p = secmem_alloc(n);
        assert_non_null(p);
        assert_int_equal(secmem_is_zero(p, n), 1);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)(i * 13);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], (uint8_t)(i * 13));
        secmem_free(p);
    }
    /* many live at once stay independent */
    uint8_t *blocks[16];
    for (int i = 0; i < 16; i++) {
        blocks[i] = secmem_alloc(100);
        assert_non_null(blocks[i]);
        memset(blocks[i], i, 100);
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 100; j++)
            assert_int_equal(blocks[i][j], i);
        secmem_free(blocks[i]);
    }
    secmem_free(NULL);
}

static void test_secmem_alloc_huge(void **state)
{
    (void)state;
    assert_null(secmem_alloc(SIZE_MAX));
    assert_null(secmem_alloc(SIZE_MAX - 4096));
    assert_null(secmem_alloc((size_t)1 << 62));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secmem_equal),
        cmocka_unit_test(test_secmem_is_zero),
        cmocka_unit_test(test_secmem_cmov),
        cmocka_unit_test(test_secmem_wipe),
        cmocka_unit_test(test_secmem_alloc),
        cmocka_unit_test(test_secmem_alloc_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

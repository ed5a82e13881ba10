/* Samplers: exact byte consumption and mapping (checked against the raw
 * stream), value ranges, and the TUniform distribution (end points half as
 * likely as interior values). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_util.h"
#include "tfhe/sampler.h"

static void gen(struct csprng *g, uint8_t tag)
{
    uint8_t seed[16] = {tag, 42};
    assert_int_equal(csprng_init_seed(g, seed), 0);
}

/* Each sample must use exactly the documented bytes, in order. */
static void test_byte_consumption(void **state)
{
    (void)state;
    unsigned bounds[] = {0, 3, 6, 17, 30, 45, 62};
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
        unsigned b = bounds[k];
        size_t w = sample_tuniform_bytes(b), n = 500;
        struct csprng g1, g2;
        gen(&g1, (uint8_t)b);
        gen(&g2, (uint8_t)b);
        uint64_t got[500];
        uint8_t raw[500 * 8];
        assert_int_equal(sample_tuniform_u64(&g1, b, got, n), 0);
        assert_int_equal(csprng_fill(&g2, raw, n * w), 0);
        for (size_t i = 0; i < n; i++) {
            u128 x = 0;
            for (size_t j = 0; j < w; j++)
                x |= (u128)raw[i * w + j] << (8 * j);
            x &= ((u128)1 << (b + 2)) - 1;
            int64_t want = (int64_t)((x >> 1) + (x & 1)) - ((int64_t)1 << b);
            assert_int_equal((int64_t)got[i], want);
        }
        /* both generators are now at the same place */
        uint8_t a1[8], a2[8];
        assert_int_equal(csprng_fill(&g1, a1, 8), 0);
        assert_int_equal(csprng_fill(&g2, a2, 8), 0);
        assert_memory_equal(a1, a2, 8);
        csprng_free(&g1);
        csprng_free(&g2);
    }
}

static void test_binary_and_uniform(void **state)
{
    (void)state;
    struct csprng g1, g2;
    gen(&g1, 1);
    gen(&g2, 1);
    uint64_t bits[1000], words[3];
    uint8_t raw[1000 + 24];
    assert_int_equal(sample_binary_u64(&g1, bits, 1000), 0);
    assert_int_equal(sample_uniform_u64(&g1, words, 3), 0);
    assert_int_equal(csprng_fill(&g2, raw, sizeof raw), 0);
    size_t ones = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(bits[i], raw[i] & 1);
        ones += bits[i];
    }
    assert_true(ones > 400 && ones < 600);
    for (int i = 0; i < 3; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w |= (uint64_t)raw[1000 + 8 * i + j] << (8 * j);
        assert_int_equal(words[i], w);
    }
    csprng_free(&g1);
    csprng_free(&g2);
}

/* TUniform(2): P(v) = 1/8 for v in -3..3, 1/16 for v = +-4. */
static void test_tuniform_distribution(void **state)
{
    (void)state;
    enum { N = 200000, B = 2 };
    static uint64_t s[N];
    struct csprng g;
    gen(&g, 9);
    assert_int_equal(sample_tuniform_u64(&g, B, s, N), 0);
    double count[9] = {0};
    for (int i = 0; i < N; i++) {
        int64_t v = (int64_t)s[i];
        assert_true(v >= -4 && v <= 4);
        count[v + 4] += 1;
    }
    double chi2 = 0;
    for (int v = -4; v <= 4; v++) {
        double p = (v == -4 || v == 4) ? 1.0 / 16 : 1.0 / 8;
        double e = p * N;
        chi2 += (count[v + 4] - e) * (count[v + 4] - e) / e;
    }
    /* 8 degrees of freedom: P(chi2 > 26.1) = 0.001 */
    assert_true(chi2 < 26.1);
    /* u128 flavour with a large bound keeps the range and the sign */
    u128 big[1000];
    assert_int_equal(sample_tuniform_u128(&g, 100, big, 1000), 0);
    int neg = 0;
    for (int i = 0; i < 1000; i++) {
        __int128 v = (__int128)big[i];
        assert_true(v >= -((__int128)1 << 100) && v <= ((__int128)1 << 100));
        neg += v < 0;
    }
    assert_true(neg > 400 && neg < 600);
    assert_int_not_equal(sample_tuniform_u64(&g, 63, s, 1), 0); /* 63 + 2 bits do not fit */
    csprng_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_consumption),
        cmocka_unit_test(test_binary_and_uniform),
        cmocka_unit_test(test_tuniform_distribution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Negacyclic polynomial arithmetic: hand-worked products, X^N = -1, the
 * monomial and binary-key products against the general schoolbook, ring
 * laws (commutativity, associativity, distributivity) on random data, and
 * the u128 versions against the u64 ones mod 2^64 and against each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/poly.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static poly_u128 rnd128(void)
{
    return ((poly_u128)rnd() << 64) | rnd();
}

static uint64_t *rnd_poly(size_t n)
{
    uint64_t *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = rnd();
    return p;
}

static poly_u128 *rnd_poly128(size_t n)
{
    poly_u128 *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = rnd128();
    return p;
}

/* Worked by hand in Z[X]/(X^4+1):
 * (1 + X)(1 + X^3) = 1 + X + X^3 + X^4 = X + X^3;
 * (1 + 2X + 3X^2 + 4X^3)(5 + 6X + 7X^2 + 8X^3) = -56 - 36X + 2X^2 + 60X^3. */
static void test_known_products(void **state)
{
    (void)state;
    uint64_t a[4] = {1, 1, 0, 0}, b[4] = {1, 0, 0, 1}, out[4];
    poly_u64_mul(out, a, b, 4);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 1);
    uint64_t c[4] = {1, 2, 3, 4}, d[4] = {5, 6, 7, 8};
    poly_u64_mul(out, c, d, 4);
    assert_int_equal((int64_t)out[0], -56);
    assert_int_equal((int64_t)out[1], -36);
    assert_int_equal((int64_t)out[2], 2);
    assert_int_equal((int64_t)out[3], 60);
    poly_u128 c2[4] = {1, 2, 3, 4}, d2[4] = {5, 6, 7, 8}, out2[4];
    poly_u128_mul(out2, c2, d2, 4);
    assert_true(out2[0] == (poly_u128)0 - 56 && out2[1] == (poly_u128)0 - 36);
    assert_true(out2[2] == 2 && out2[3] == 60);
    /* wrap-around: (2^63 X^3) * X = -2^63 = 2^63 mod 2^64 */
    uint64_t e[4] = {0, 0, 0, 1ull << 63}, x[4] = {0, 1, 0, 0};
    poly_u64_mul(out, e, x, 4);
    assert_int_equal(out[0], 1ull << 63);
}

static void test_coefficientwise(void **state)
{
    (void)state;
    const size_t n = 37;
    uint64_t *a = rnd_poly(n), *b = rnd_poly(n), out[37];
    poly_u64_add(out, a, b, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i], a[i] + b[i]);
    poly_u64_sub(out, a, b, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i], a[i] - b[i]);
    poly_u64_neg(out, a, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i], (uint64_t)0 - a[i]);
    poly_u64_add(a, a, b, n); /* in place */
    poly_u64_sub(a, a, b, n);
    poly_u64_neg(out, out, n);
    assert_memory_equal(a, out, n * 8);
    poly_u128 *c = rnd_poly128(n), *d = rnd_poly128(n), o2[37];
    poly_u128_add(o2, c, d, n);
    poly_u128_sub(o2, o2, d, n);
    assert_memory_equal(o2, c, n * sizeof *c);
    poly_u128_neg(o2, c, n);
    poly_u128_add(o2, o2, c, n);
    for (size_t i = 0; i < n; i++)
        assert_true(o2[i] == 0);
    free(a), free(b), free(c), free(d);
}

/* a * X^k against the schoolbook product with the monomial +-X^(k mod n),
 * X^n = -1, and X^k1 * X^k2 = X^(k1+k2 mod 2n). */
static void test_monomials(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 64; n *= 2) {
        uint64_t *a = rnd_poly(n), *m = calloc(n, 8), *ref = malloc(n * 8), *got = malloc(n * 8);
        uint64_t *tmp = malloc(n * 8);
        assert_true(m && ref && got && tmp);
        for (size_t k = 0; k < 2 * n; k++) {
            memset(m, 0, n * 8);
            m[k % n] = k >= n ? UINT64_MAX : 1; /* X^k = -X^(k-n) */
            poly_u64_mul(ref, a, m, n);
            poly_u64_mul_xk(got, a, n, k);
            assert_memory_equal(got, ref, n * 8);
            poly_u64_mul_xk(got, a, n, k + 2 * n); /* periodic mod 2n */
            assert_memory_equal(got, ref, n * 8);
            poly_u64_mul_xk_minus_one(got, a, n, k);
            poly_u64_sub(ref, ref, a, n);
            assert_memory_equal(got, ref, n * 8);
            size_t k2 = (k * 7 + 3) % (2 * n);
            poly_u64_mul_xk(tmp, a, n, k);
            poly_u64_mul_xk(got, tmp, n, k2);
            poly_u64_mul_xk(ref, a, n, (k + k2) % (2 * n));
            assert_memory_equal(got, ref, n * 8);
        }
        poly_u64_mul_xk(got, a, n, n); /* X^n = -1 */
        for (size_t i = 0; i < n; i++)
            assert_int_equal(got[i], (uint64_t)0 - a[i]);
        free(a), free(m), free(ref), free(got), free(tmp);
    }
    /* u128: same rotation as the u64 one on each half, X^N = -1 */
    const size_t n = 16;
    poly_u128 *a = rnd_poly128(n), got[16], ref[16];
    uint64_t lo[16], lo_rot[16];
    for (size_t i = 0; i < n; i++)
        lo[i] = (uint64_t)a[i];
    for (size_t k = 0; k < 2 * n; k++) {
        poly_u128_mul_xk(got, a, n, k);
        poly_u64_mul_xk(lo_rot, lo, n, k);
        for (size_t i = 0; i < n; i++)
            assert_int_equal((uint64_t)got[i], lo_rot[i]);
        poly_u128 m[16] = {0};
        m[k % n] = k >= n ? ~(poly_u128)0 : 1;
        poly_u128_mul(ref, a, m, n);
        assert_memory_equal(got, ref, sizeof ref);
        poly_u128_mul_xk_minus_one(got, a, n, k);
        poly_u128_sub(ref, ref, a, n);
        assert_memory_equal(got, ref, sizeof ref);
    }
    free(a);
}

/* Commutativity, associativity, distributivity of the schoolbook product. */
static void test_ring_laws(void **state)
{
    (void)state;
    const size_t n = 32;
    uint64_t *a = rnd_poly(n), *b = rnd_poly(n), *c = rnd_poly(n);
    uint64_t ab[32], ba[32], abc1[32], bc[32], abc2[32], s[32], l[32], r[32], t[32];
    poly_u64_mul(ab, a, b, n);
    poly_u64_mul(ba, b, a, n);
    assert_memory_equal(ab, ba, sizeof ab);
    poly_u64_mul(abc1, ab, c, n);
    poly_u64_mul(bc, b, c, n);
    poly_u64_mul(abc2, a, bc, n);
    assert_memory_equal(abc1, abc2, sizeof abc1);
    poly_u64_add(s, b, c, n);
    poly_u64_mul(l, a, s, n);
    poly_u64_mul(r, a, c, n);
    poly_u64_add(t, ab, r, n);
    assert_memory_equal(l, t, sizeof l);
    free(a), free(b), free(c);
}

static uint64_t *rnd_bits(size_t n)
{
    uint64_t *s = malloc(n * sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = rnd() & 1;
    return s;
}

/* The masked binary product equals the general product, for the vector
 * path (n a multiple of 4) and the scalar one (other n), and only reads bit
 * 0 of each key word. */
static void test_binary_product(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 2, 3, 4, 5, 8, 12, 20, 64, 256, 1024, 2048};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        uint64_t *a = rnd_poly(n), *s = rnd_bits(n), *acc = rnd_poly(n);
        uint64_t *ref = malloc(n * 8), *got = malloc(n * 8), *noisy = malloc(n * 8);
        assert_true(ref && got && noisy);
        poly_u64_mul(ref, a, s, n);
        poly_u64_mul_binary(got, a, s, n);
        assert_memory_equal(got, ref, n * 8);
        for (size_t i = 0; i < n; i++)
            noisy[i] = s[i] | (rnd() & ~1ull); /* junk above bit 0 is ignored */
        memcpy(got, acc, n * 8);
        poly_u64_mul_binary_add(got, a, noisy, n);
        poly_u64_add(ref, ref, acc, n);
        assert_memory_equal(got, ref, n * 8);
        free(a), free(s), free(acc), free(ref), free(got), free(noisy);
    }
    /* all-ones and all-zero keys */
    const size_t n = 16;
    uint64_t *a = rnd_poly(n), ones[16], zeros[16] = {0}, ref[16], got[16];
    for (size_t i = 0; i < n; i++)
        ones[i] = 1;
    poly_u64_mul(ref, a, ones, n);
    poly_u64_mul_binary(got, a, ones, n);
    assert_memory_equal(got, ref, sizeof ref);
    poly_u64_mul_binary(got, a, zeros, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 0);
    free(a);
}

/* u128 binary product against the u128 schoolbook, and mod 2^64 against
 * the u64 binary product of the low halves. */
static void test_binary_product_u128(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 3, 4, 16, 100, 512};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        poly_u128 *a = rnd_poly128(n), *s = malloc(n * sizeof *s), *acc = rnd_poly128(n);
        poly_u128 *ref = malloc(n * sizeof *ref), *got = malloc(n * sizeof *got);
        uint64_t *lo = malloc(n * 8), *bits = malloc(n * 8), *lo_prod = malloc(n * 8);
        assert_true(s && ref && got && lo && bits && lo_prod);
        for (size_t i = 0; i < n; i++) {
            bits[i] = rnd() & 1;
            s[i] = bits[i] | ((poly_u128)rnd() << 1); /* only bit 0 counts */
            lo[i] = (uint64_t)a[i];
        }
        poly_u128 *s01 = malloc(n * sizeof *s01);
        assert_non_null(s01);
        for (size_t i = 0; i < n; i++)
            s01[i] = bits[i];
        poly_u128_mul(ref, a, s01, n);
        poly_u128_add(ref, ref, acc, n);
        memcpy(got, acc, n * sizeof *got);
        assert_int_equal(poly_u128_mul_binary_add(got, a, s, n), 0);
        assert_memory_equal(got, ref, n * sizeof *got);
        poly_u64_mul_binary(lo_prod, lo, bits, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal((uint64_t)(got[i] - acc[i]), lo_prod[i]);
        free(a), free(s), free(acc), free(ref), free(got), free(lo), free(bits), free(lo_prod);
        free(s01);
    }
    /* extreme coefficients: carries out of the low 64 bits */
    const size_t n = 8;
    poly_u128 a[8], s[8], ref[8], got[8] = {0};
    for (size_t i = 0; i < n; i++) {
        a[i] = ~(poly_u128)0 - i;
        s[i] = 1;
    }
    poly_u128_mul(ref, a, s, n);
    assert_int_equal(poly_u128_mul_binary_add(got, a, s, n), 0);
    assert_memory_equal(got, ref, sizeof ref);
}

/* The u128 schoolbook reduced mod 2^64 is the u64 schoolbook. */
static void test_u128_vs_u64(void **state)
{
    (void)state;
    const size_t n = 64;
    poly_u128 *a = rnd_poly128(n), *b = rnd_poly128(n), out[64];
    uint64_t la[64], lb[64], lout[64];
    for (size_t i = 0; i < n; i++) {
        la[i] = (uint64_t)a[i];
        lb[i] = (uint64_t)b[i];
    }
    poly_u128_mul(out, a, b, n);
    poly_u64_mul(lout, la, lb, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal((uint64_t)out[i], lout[i]);
    free(a), free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_products),   cmocka_unit_test(test_coefficientwise),
        cmocka_unit_test(test_monomials),        cmocka_unit_test(test_ring_laws),
        cmocka_unit_test(test_binary_product),   cmocka_unit_test(test_binary_product_u128),
        cmocka_unit_test(test_u128_vs_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The exact 128-bit negacyclic products (ntt128.h) against u128 schoolbook
 * products (poly.h), which must agree bit for bit:
 *   - the primes (Miller-Rabin with the deterministic 64-bit bases, 1 mod
 *     2^17, below 2^51) and the limb widths the plans choose for the default
 *     and test SnS sets;
 *   - random products through the generic multiply-accumulate and through
 *     the packed-GGSW external product, for several sizes, with the
 *     portable and the IFMA kernels (which must also agree with each other);
 *   - the worst case: digits all +-2^B and key limbs all -2^(w-1), which
 *     drives a coefficient to exactly the bound the plan is proven for;
 *   - bad plan arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/ntt128.h"
#include "tfhe/poly.h"

#if defined(__SANITIZE_ADDRESS__)
#define NTT_UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NTT_UNDER_SAN 1
#endif
#endif

static uint64_t xs = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return xs;
}
static u128 rnd128(void) { return (u128)rnd() << 64 | rnd(); }

/* ---- primes ---- */

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return (uint64_t)((u128)a * b % m); }
static uint64_t powmod(uint64_t a, uint64_t e, uint64_t m)
{
    uint64_t r = 1;
    for (; e; e >>= 1, a = mulmod(a, a, m))
        if (e & 1)
            r = mulmod(r, a, m);
    return r;
}
static int is_prime(uint64_t n)
{
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    if (n < 2)
        return 0;
    uint64_t d = n - 1;
    int s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        uint64_t a = bases[i] % n;
        if (a == 0)
            continue;
        uint64_t x = powmod(a, d, n);
        if (x == 1 || x == n - 1)
            continue;
        int ok = 0;
        for (int r = 1; r < s && !ok; r++) {
            x = mulmod(x, x, n);
            ok = x == n - 1;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

static void test_plan_params(void **state)
{
    (void)state;
    struct ntt128_plan *plan;
    assert_int_equal(ntt128_plan_new(&plan, 2048, 23, 9, NTT128_ISA_AUTO), 0);
    for (unsigned i = 0; i < 2; i++) {
        uint64_t p = ntt128_plan_prime(plan, i);
        assert_true(is_prime(p));
        assert_true(p < (1ull << 51));
        assert_int_equal(p % (1u << 17), 1);
    }
    /* the default SnS external product: two 64-bit limbs, exact since
     * 2 (9 * 2048 * 2^23 * 2^63 + p0) < p0 p1 */
    assert_int_equal(ntt128_plan_limb_bits(plan), 64);
    assert_int_equal(ntt128_plan_limbs(plan), 2);
    u128 P = (u128)ntt128_plan_prime(plan, 0) * ntt128_plan_prime(plan, 1);
    u128 bound = (u128)9 * 2048 << (23 + 63);
    assert_true(2 * (bound + ntt128_plan_prime(plan, 0)) < P);
    ntt128_plan_free(plan);
    /* the test set (N 256, base 2^33, 2 levels, k 1): 59-bit limbs */
    assert_int_equal(ntt128_plan_new(&plan, 256, 32, 4, NTT128_ISA_SCALAR), 0);
    assert_int_equal(ntt128_plan_limb_bits(plan), 59);
    assert_int_equal(ntt128_plan_limbs(plan), 3);
    ntt128_plan_free(plan);
    /* bad arguments */
    assert_int_equal(ntt128_plan_new(&plan, 1000, 23, 9, NTT128_ISA_AUTO), KMS_EINVAL);
    assert_int_equal(ntt128_plan_new(&plan, 32, 23, 9, NTT128_ISA_AUTO), KMS_EINVAL);
    assert_int_equal(ntt128_plan_new(&plan, 2048, 23, 0, NTT128_ISA_AUTO), KMS_EINVAL);
    assert_int_equal(ntt128_plan_new(&plan, 65536, 48, 1024, NTT128_ISA_AUTO), KMS_EINVAL);
    assert_null(plan);
}

/* ---- products ---- */

struct prod_case {
    size_t N;
    unsigned small_log, terms, cols;
    int extreme; /* 0 random, 1 worst case */
};

/* ref[c] = sum_t d[t] * K[t][c], schoolbook mod 2^128 */
static void reference(u128 *ref, const int64_t *d, const u128 *K, const struct prod_case *pc)
{
    size_t N = pc->N;
    u128 *a = malloc(N * sizeof *a), *prod = malloc(N * sizeof *prod);
    assert_non_null(a);
    assert_non_null(prod);
    memset(ref, 0, pc->cols * N * sizeof *ref);
    for (unsigned t = 0; t < pc->terms; t++) {
        for (size_t i = 0; i < N; i++)
            a[i] = (u128)(__int128)d[t * N + i];
        for (unsigned c = 0; c < pc->cols; c++) {
            poly_u128_mul(prod, a, K + ((size_t)t * pc->cols + c) * N, N);
            poly_u128_add(ref + c * N, ref + c * N, prod, N);
        }
    }
    free(a);
    free(prod);
}

/* Key coefficients whose every limb is -2^(width-1). */
static u128 extreme_key(const struct ntt128_plan *plan)
{
    unsigned w = ntt128_plan_limb_bits(plan), L = ntt128_plan_limbs(plan);
    u128 k = 0;
    for (unsigned m = 0; m < L; m++) {
        unsigned width = m + 1 < L ? w : 128 - w * (L - 1);
        k += (0 - ((u128)1 << (width - 1))) << (w * m);
    }
    return k;
}

static void fill_inputs(int64_t *d, u128 *K, const struct ntt128_plan *plan,
                        const struct prod_case *pc)
{
    size_t N = pc->N;
    int64_t dmax = (int64_t)1 << pc->small_log;
    u128 kext = extreme_key(plan);
    for (size_t i = 0; i < pc->terms * N; i++)
        d[i] = pc->extreme ? -dmax : (int64_t)(rnd() % (uint64_t)(2 * dmax + 1)) - dmax;
    for (size_t i = 0; i < (size_t)pc->terms * pc->cols * N; i++)
        K[i] = pc->extreme ? kext : rnd128();
    if (!pc->extreme) /* a few boundary values */
        for (int j = 0; j < 8; j++) {
            d[rnd() % (pc->terms * N)] = (rnd() & 1) ? dmax : -dmax;
            K[rnd() % ((size_t)pc->terms * pc->cols * N)] = kext;
        }
}

static void check_ext_product(const struct prod_case *pc, enum ntt128_isa isa, u128 *out_copy)
{
    size_t N = pc->N;
    struct ntt128_plan *plan;
    assert_int_equal(ntt128_plan_new(&plan, N, pc->small_log, pc->terms, isa), 0);
    int64_t *d = malloc(pc->terms * N * sizeof *d);
    u128 *K = malloc((size_t)pc->terms * pc->cols * N * sizeof *K);
    u128 *ref = malloc(pc->cols * N * sizeof *ref);
    uint64_t *small = ntt128_buf_alloc(pc->terms * ntt128_small_words(N));
    uint64_t *packed = ntt128_buf_alloc(ntt128_ggsw_words(plan, pc->terms, pc->cols));
    uint64_t *work = ntt128_buf_alloc(ntt128_work_words(plan, pc->cols));
    uint64_t *lo = calloc(pc->cols * N, 8), *hi = calloc(pc->cols * N, 8);
    assert_true(d && K && ref && small && packed && work && lo && hi);
    fill_inputs(d, K, plan, pc);
    reference(ref, d, K, pc);

    /* packed GGSW path, on top of a random accumulator */
    for (unsigned t = 0; t < pc->terms; t++)
        ntt128_forward_small(plan, small + t * ntt128_small_words(N), d + t * N);
    assert_int_equal(ntt128_ggsw_pack(plan, packed, K, pc->terms, pc->cols, work), 0);
    for (size_t i = 0; i < pc->cols * N; i++) {
        lo[i] = rnd();
        hi[i] = rnd();
    }
    u128 *start = malloc(pc->cols * N * sizeof *start);
    assert_non_null(start);
    for (size_t i = 0; i < pc->cols * N; i++)
        start[i] = (u128)hi[i] << 64 | lo[i];
    ntt128_ext_product_add(plan, lo, hi, small, packed, pc->terms, pc->cols, work);
    size_t bad = 0;
    for (size_t i = 0; i < pc->cols * N; i++) {
        u128 got = (u128)hi[i] << 64 | lo[i];
        bad += got != start[i] + ref[i];
        if (out_copy != NULL)
            out_copy[i] = got - start[i];
    }
    if (bad)
        fail_msg("N %zu isa %d: %zu of %zu coefficients differ from schoolbook", N, (int)isa,
                 bad, pc->cols * N);

    /* generic path: one column at a time */
    uint64_t *big = ntt128_buf_alloc(pc->terms * ntt128_big_words(plan));
    const uint64_t **sp = malloc(pc->terms * sizeof *sp), **bp = malloc(pc->terms * sizeof *bp);
    u128 *acc = calloc(N, sizeof *acc);
    assert_true(big && sp && bp && acc);
    for (unsigned c = 0; c < pc->cols; c++) {
        for (unsigned t = 0; t < pc->terms; t++) {
            ntt128_forward_big(plan, big + t * ntt128_big_words(plan),
                               K + ((size_t)t * pc->cols + c) * N);
            sp[t] = small + t * ntt128_small_words(N);
            bp[t] = big + t * ntt128_big_words(plan);
        }
        memset(acc, 0, N * sizeof *acc);
        assert_int_equal(ntt128_mac_add(plan, acc, sp, bp, pc->terms, work), 0);
        for (size_t i = 0; i < N; i++)
            if (acc[i] != ref[c * N + i])
                fail_msg("mac_add N %zu col %u coefficient %zu differs", N, c, i);
    }
    assert_int_equal(ntt128_mac_add(plan, acc, sp, bp, pc->terms + 1, work), KMS_EINVAL);

    free(start);
    free(sp);
    free(bp);
    free(acc);
    ntt128_buf_free(big);
    free(d);
    free(K);
    free(ref);
    free(lo);
    free(hi);
    ntt128_buf_free(small);
    ntt128_buf_free(packed);
    ntt128_buf_free(work);
    ntt128_plan_free(plan);
}

static int have_ifma(void)
{
    struct ntt128_plan *plan = NULL;
    int rc = ntt128_plan_new(&plan, 64, 1, 1, NTT128_ISA_IFMA);
    ntt128_plan_free(plan);
    return rc == 0;
}

static void run_case(const struct prod_case *pc)
{
    size_t words = pc->cols * pc->N;
    u128 *a = malloc(words * sizeof *a), *b = malloc(words * sizeof *b);
    assert_true(a && b);
    uint64_t save = xs;
    check_ext_product(pc, NTT128_ISA_SCALAR, a);
    if (have_ifma()) {
        xs = save; /* same inputs */
        check_ext_product(pc, NTT128_ISA_IFMA, b);
        assert_memory_equal(a, b, words * sizeof *a);
    }
    free(a);
    free(b);
}

static void test_products_small(void **state)
{
    (void)state;
    static const struct prod_case cases[] = {
        {64, 23, 9, 3, 0},  {128, 23, 9, 3, 0}, {256, 23, 9, 3, 0}, {256, 32, 4, 2, 0},
        {512, 23, 1, 1, 0}, {256, 0, 2, 1, 0},  {64, 40, 3, 5, 0},  {1024, 23, 9, 3, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* Every coefficient of d K with all digits -2^B and all key limbs
 * -2^(w-1): coefficient N-1 has no wrapped term and reaches exactly
 * terms N 2^B 2^(w-1) in the lowest limb. */
static void test_products_extreme(void **state)
{
    (void)state;
    static const struct prod_case cases[] = {
        {256, 32, 4, 2, 1}, /* the test SnS set: 59-bit limbs */
        {512, 23, 9, 3, 1},
        {1024, 0, 1, 2, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
#if !defined(NTT_UNDER_SAN)
    const struct prod_case full = {2048, 23, 9, 3, 1}; /* the default SnS set, at its bound */
    run_case(&full);
#endif
}

static void test_products_default(void **state)
{
    (void)state;
#if defined(NTT_UNDER_SAN)
    print_message("  N = 2048 schoolbook comparison skipped under the sanitizers\n");
#else
    const struct prod_case c = {2048, 23, 9, 3, 0};
    run_case(&c);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_params),
        cmocka_unit_test(test_products_small),
        cmocka_unit_test(test_products_extreme),
        cmocka_unit_test(test_products_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

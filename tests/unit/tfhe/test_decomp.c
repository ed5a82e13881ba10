/* Signed decomposition: the tfhe-rs doc-test examples (decomposer.rs),
 * recomposition equals the closest representable value, digits stay in
 * [-B/2, B/2], and the balanced rounding is unbiased. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_util.h"
#include "tfhe/decomp.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* decomposer.rs: SignedDecomposer::<u32>::new(base_log 4, level 3)
 * .closest_representable(1_340_987_234) == 1_341_128_704. Our u64 version
 * agrees on the same value placed in the top 32 bits. */
static void test_doc_example(void **state)
{
    (void)state;
    uint64_t x = (uint64_t)1340987234u << 32;
    assert_int_equal(decomp_closest_u64(x, 4, 3), (uint64_t)1341128704u << 32);
    uint64_t s = decomp_init_u64(x, 4, 3), sum = 0;
    for (unsigned j = 3; j >= 1; j--)
        sum += decomp_next_u64(&s, 4) * decomp_weight_u64(4, j);
    assert_int_equal(sum, (uint64_t)1341128704u << 32);
    /* 2^63 - 1 has a digit equal to half the basis; all stay in [-8, 8] */
    s = decomp_init_u64(INT64_MAX, 4, 3);
    for (int j = 0; j < 3; j++) {
        int64_t d = (int64_t)decomp_next_u64(&s, 4);
        assert_true(d >= -8 && d <= 8);
    }
}

static void check_params_u64(unsigned base_log, unsigned level)
{
    int64_t half = (int64_t)1 << (base_log - 1);
    for (int i = 0; i < 20000; i++) {
        uint64_t x = next_u64();
        uint64_t s = decomp_init_u64(x, base_log, level), sum = 0;
        for (unsigned j = level; j >= 1; j--) {
            uint64_t d = decomp_next_u64(&s, base_log);
            assert_true((int64_t)d >= -half && (int64_t)d <= half);
            sum += d * decomp_weight_u64(base_log, j);
        }
        assert_int_equal(sum, decomp_closest_u64(x, base_log, level));
        /* the rounding error is at most half the lowest weight */
        uint64_t err = x - sum;
        int64_t e = (int64_t)err;
        uint64_t ulp = decomp_weight_u64(base_log, level);
        assert_true((uint64_t)(e < 0 ? -e : e) <= ulp / 2);
    }
}

static void test_recompose_u64(void **state)
{
    (void)state;
    check_params_u64(4, 4);  /* compute keyswitch */
    check_params_u64(23, 1); /* compute bootstrap */
    check_params_u64(4, 3);  /* compression packing keyswitch */
    check_params_u64(37, 1); /* test-set keyswitch */
    check_params_u64(24, 1);
}

static void test_recompose_u128(void **state)
{
    (void)state;
    unsigned params[][2] = {{24, 3}, {41, 2}, {33, 2}, {61, 1}};
    for (size_t p = 0; p < 4; p++) {
        unsigned base_log = params[p][0], level = params[p][1];
        __int128 half = (__int128)1 << (base_log - 1);
        for (int i = 0; i < 20000; i++) {
            u128 x = ((u128)next_u64() << 64) | next_u64();
            u128 s = decomp_init_u128(x, base_log, level), sum = 0;
            for (unsigned j = level; j >= 1; j--) {
                u128 d = decomp_next_u128(&s, base_log);
                assert_true((__int128)d >= -half && (__int128)d <= half);
                sum += d * decomp_weight_u128(base_log, j);
            }
            __int128 e = (__int128)(x - sum);
            u128 ulp = decomp_weight_u128(base_log, level);
            assert_true((u128)(e < 0 ? -e : e) <= ulp / 2);
        }
    }
}

/* Exact ties (x half-way between two representable values) round up, as
 * tfhe-rs's (r + 1) >> 1 does; the "balanced" part of the algorithm is the
 * choice of sign for the top digit, checked by the digit range above. */
static void test_ties_round_up(void **state)
{
    (void)state;
    for (int i = 0; i < 4000; i++) {
        uint64_t x = (next_u64() & ~((1ull << 48) - 1)) | (1ull << 47); /* B*l = 16 */
        uint64_t s = decomp_init_u64(x, 4, 4), sum = 0;
        for (unsigned j = 4; j >= 1; j--)
            sum += decomp_next_u64(&s, 4) * decomp_weight_u64(4, j);
        assert_int_equal(sum - x, 1ull << 47);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_example), cmocka_unit_test(test_recompose_u64),
        cmocka_unit_test(test_recompose_u128), cmocka_unit_test(test_ties_round_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The full default-set compute keys through the parameter-set entry points:
 * compute KSK (2048 -> 918, 4 levels) and compute BSK (918 GGSWs, N = 2048)
 * pass, and a corruption in the very last GGSW is found (every GGSW is
 * read). About 2 s here, far more under the sanitizers. */
#define SELFCHECK_TEST_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function" /* the light tests stay in test_selfcheck */
#include "test_selfcheck.c"

#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void test_default_compute_keys(void **state)
{
    (void)state;
    struct keys k;
    keys_new(&k, "default", 9);
    const struct tfhe_pbs_params *q = &k.p->pbs;
    struct selfcheck_report rep;

    size_t len = lwe_ksk_size(k.big, k.n, q->ks_level);
    uint64_t *ksk = xmalloc(len);
    double t0 = now();
    assert_int_equal(lwe_ksk_generate(ksk, k.glwe_sk, k.big, k.lwe_sk, k.n, q->ks_base_log,
                                      q->ks_level, q->lwe_noise_log2, &k.rng),
                     0);
    double t1 = now();
    assert_int_equal(
        selfcheck_compute_ksk(&rep, k.p, ksk, len, k.glwe_sk, k.big, k.lwe_sk, k.n), 0);
    double t2 = now();
    assert_int_equal(rep.values, k.big * q->ks_level);
    assert_true(rep.max_abs_noise <= (1ull << q->lwe_noise_log2));
    print_message("  compute KSK: generate %.2f s, check %.2f s, max |noise| 2^%.2f\n", t1 - t0,
                  t2 - t1, log2((double)rep.max_abs_noise));
    free(ksk);

    struct bsk_shape s = {k.n, q->glwe_dimension, q->polynomial_size, q->pbs_base_log,
                          q->pbs_level};
    struct bsk_case b;
    t0 = now();
    bsk_case_new(&b, &k, &s, q->glwe_noise_log2);
    t1 = now();
    assert_int_equal(
        selfcheck_compute_bsk(&rep, k.p, b.bsk, b.len, k.lwe_sk, k.n, k.glwe_sk, k.big), 0);
    t2 = now();
    assert_int_equal(rep.values, k.n * 2 * q->polynomial_size);
    uint64_t bound = 1ull << q->glwe_noise_log2;
    assert_true(rep.max_abs_noise <= bound && rep.max_abs_noise > bound / 2);
    print_message("  compute BSK: generate %.2f s, check %.2f s, max |noise| 2^%.2f\n", t1 - t0,
                  t2 - t1, log2((double)rep.max_abs_noise));
    bsk_row(&b, k.n - 1, 0, 0)[5] ^= 1ull << 63;
    assert_int_equal(
        selfcheck_compute_bsk(&rep, k.p, b.bsk, b.len, k.lwe_sk, k.n, k.glwe_sk, k.big),
        KMS_EVERIFY);
    assert_msg_has("compute BSK: GGSW 917, level 1 of 1, row 0, coefficient ");
    free(b.bsk);
    keys_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_compute_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

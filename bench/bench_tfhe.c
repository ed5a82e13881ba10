/* The TFHE engine with the default parameter set, one thread:
 *   server_key_gen_default_s  bootstrapping key + keyswitching key (and the
 *                             Fourier conversion), with the peak RSS after it
 *   keyswitch_default_us      one keyswitch 2048 -> 918, the PBS path (median)
 *   pbs_default_ms            one KS-PBS (keyswitch, modulus switch, blind
 *                             rotation, sample extraction), median, with p90
 * Every output is decrypted and checked, so a fast wrong answer cannot pass. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "tfhe/lwe.h"
#include "tfhe/shortint.h"

#define CHECK(x)                                                                   \
    do {                                                                           \
        if ((x) != 0) {                                                            \
            fprintf(stderr, "bench_tfhe: %s failed: %s\n", #x, kms_err_msg());     \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    const struct tfhe_params *params;
    CHECK(tfhe_params_get(&params, "default", 0));
    const struct tfhe_pbs_params *p = &params->pbs;
    struct csprng secret;
    struct enc_rng rng;
    uint8_t s1[16] = {11}, s2[16] = {12}, s3[16] = {13};
    CHECK(csprng_init_seed(&secret, s1));
    CHECK(csprng_init_seed(&rng.mask, s2));
    CHECK(csprng_init_seed(&rng.noise, s3));

    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    CHECK(shortint_client_key_new(&ck, params, &secret));
    uint64_t t0 = bench_now_ns();
    CHECK(shortint_server_key_new(&sk, ck, &rng));
    double gen_s = (double)(bench_now_ns() - t0) / 1e9;
    char extra[64];
    snprintf(extra, sizeof extra, "\"peak_rss_mib\":%.0f", bench_peak_rss_mib());
    bench_emit_extra("server_key_gen_default_s", gen_s, "s", extra);

    struct shortint_scratch *sc;
    CHECK(shortint_scratch_new(&sc, sk));
    struct shortint_ct ct, out;
    CHECK(shortint_ct_init(&ct, params));
    CHECK(shortint_ct_init(&out, params));
    size_t n = p->lwe_dimension, big = tfhe_params_big_dimension(p);
    uint64_t *small = malloc((n + 1) * sizeof *small);
    if (small == NULL)
        return 1;

    enum { RUNS = 101 };
    double ks[RUNS], pbs[RUNS];
    uint64_t table[16];
    for (int i = 0; i < 16; i++)
        table[i] = (uint64_t)(i * 5 + 1) % 16;
    for (int r = 0; r < RUNS; r++) {
        uint64_t m = (uint64_t)r % 16, got;
        CHECK(shortint_encrypt_unchecked(ck, &ct, m, &rng));
        uint64_t a = bench_now_ns();
        if (sk->ksk32 != NULL)
            lwe_keyswitch_u32(small, sk->ksk32, ct.data, big, n, p->ks_base_log, p->ks_level);
        else
            lwe_keyswitch(small, sk->ksk, ct.data, big, n, p->ks_base_log, p->ks_level);
        uint64_t b = bench_now_ns();
        CHECK(shortint_apply_table(sk, sc, &out, &ct, table, 16));
        uint64_t c = bench_now_ns();
        ks[r] = (double)(b - a) / 1e3;
        pbs[r] = (double)(c - b) / 1e6;
        CHECK(shortint_decrypt_message_and_carry(ck, &got, &out));
        if (got != table[m]) {
            fprintf(stderr, "bench_tfhe: PBS gave %llu for f(%llu) = %llu\n",
                    (unsigned long long)got, (unsigned long long)m,
                    (unsigned long long)table[m]);
            return 1;
        }
    }
    qsort(ks, RUNS, sizeof *ks, cmp_double);
    qsort(pbs, RUNS, sizeof *pbs, cmp_double);
    bench_emit("keyswitch_default_us", ks[RUNS / 2], "us");
    snprintf(extra, sizeof extra, "\"p90\":%.3f,\"runs\":%d", pbs[RUNS * 9 / 10], RUNS);
    bench_emit_extra("pbs_default_ms", pbs[RUNS / 2], "ms", extra);

    free(small);
    shortint_ct_clear(&ct);
    shortint_ct_clear(&out);
    shortint_scratch_free(sc);
    shortint_server_key_free(sk);
    shortint_client_key_free(ck);
    csprng_free(&secret);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    return 0;
}

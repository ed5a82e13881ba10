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

int main(void)
{
    const struct tfhe_params *params;
    BENCH_CHECK(tfhe_params_get(&params, "default", 0));
    const struct tfhe_pbs_params *p = &params->pbs;
    struct csprng secret;
    struct enc_rng rng;
    uint8_t s1[16] = {11}, s2[16] = {12}, s3[16] = {13};
    BENCH_CHECK(csprng_init_seed(&secret, s1));
    BENCH_CHECK(csprng_init_seed(&rng.mask, s2));
    BENCH_CHECK(csprng_init_seed(&rng.noise, s3));

    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    BENCH_CHECK(shortint_client_key_new(&ck, params, &secret));
    uint64_t t0 = bench_now_ns();
    BENCH_CHECK(shortint_server_key_new(&sk, ck, &rng));
    double gen_s = (double)(bench_now_ns() - t0) / 1e9;
    char extra[64];
    snprintf(extra, sizeof extra, "\"peak_rss_mib\":%.0f", bench_peak_rss_mib());
    bench_emit_extra("server_key_gen_default_s", gen_s, "s", extra);

    struct shortint_scratch *sc;
    BENCH_CHECK(shortint_scratch_new(&sc, sk));
    struct shortint_ct ct, out;
    BENCH_CHECK(shortint_ct_init(&ct, params));
    BENCH_CHECK(shortint_ct_init(&out, params));
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
        BENCH_CHECK(shortint_encrypt_unchecked(ck, &ct, m, &rng));
        uint64_t a = bench_now_ns();
        if (sk->ksk32 != NULL)
            lwe_keyswitch_u32(small, sk->ksk32, ct.data, big, n, p->ks_base_log, p->ks_level);
        else
            lwe_keyswitch(small, sk->ksk, ct.data, big, n, p->ks_base_log, p->ks_level);
        uint64_t b = bench_now_ns();
        BENCH_CHECK(shortint_apply_table(sk, sc, &out, &ct, table, 16));
        uint64_t c = bench_now_ns();
        ks[r] = (double)(b - a) / 1e3;
        pbs[r] = (double)(c - b) / 1e6;
        BENCH_CHECK(shortint_decrypt_message_and_carry(ck, &got, &out));
        if (got != table[m]) {
            fprintf(stderr, "bench_tfhe: PBS gave %llu for f(%llu) = %llu\n",
                    (unsigned long long)got, (unsigned long long)m,
                    (unsigned long long)table[m]);
            return 1;
        }
    }
    bench_emit("keyswitch_default_us", bench_median(ks, RUNS), "us");
    double pbs_median = bench_median(pbs, RUNS);
    snprintf(extra, sizeof extra, "\"p90\":%.3f,\"runs\":%d", bench_quantile(pbs, RUNS, 0.9),
             RUNS);
    bench_emit_extra("pbs_default_ms", pbs_median, "ms", extra);

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

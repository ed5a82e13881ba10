/* Noise squashing with the default parameter set, one thread:
 *   sns_bsk_gen_default_s   the 128-bit bootstrapping key (918 GGSWs of
 *                           k 2, N 2048, 3 levels) generated straight into
 *                           the NTT domain, with the peak RSS after it
 *   pbs128_default_ms       one 128-bit bootstrap (modulus switch, 918
 *                           CMUXes, sample extraction) of a keyswitched
 *                           block, median of several, with the minimum
 *   squash_uint64_ms        the squash of a FheUint64: 32 blocks packed
 *                           into 16, 16 keyswitches and 16 bootstraps
 *                           (batched: the key is streamed once)
 * Every output is decrypted and checked, so a fast wrong answer cannot pass. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs128.h"
#include "tfhe/sns.h"

int main(void)
{
    const struct tfhe_params *params;
    BENCH_CHECK(tfhe_params_get(&params, "default", 0));
    struct csprng secret;
    struct enc_rng rng;
    uint8_t s1[16] = {31}, s2[16] = {32}, s3[16] = {33};
    BENCH_CHECK(csprng_init_seed(&secret, s1));
    BENCH_CHECK(csprng_init_seed(&rng.mask, s2));
    BENCH_CHECK(csprng_init_seed(&rng.noise, s3));

    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    struct sns_private_key *pk;
    struct sns_server_key *ssk;
    BENCH_CHECK(shortint_client_key_new(&ck, params, &secret));
    BENCH_CHECK(shortint_server_key_new(&sk, ck, &rng));
    BENCH_CHECK(sns_private_key_new(&pk, params, &secret));
    uint64_t t0 = bench_now_ns();
    BENCH_CHECK(sns_server_key_new(&ssk, ck, pk, &rng));
    double gen_s = (double)(bench_now_ns() - t0) / 1e9;
    char extra[96];
    snprintf(extra, sizeof extra, "\"peak_rss_mib\":%.0f", bench_peak_rss_mib());
    bench_emit_extra("sns_bsk_gen_default_s", gen_s, "s", extra);

    /* one bootstrap of a keyswitched block */
    const struct tfhe_pbs_params *p = &params->pbs;
    size_t n = p->lwe_dimension, big = tfhe_params_big_dimension(p);
    struct pbs128_scratch *psc;
    BENCH_CHECK(pbs128_scratch_new(&psc, &ssk->bsk));
    struct shortint_ct ct;
    BENCH_CHECK(shortint_ct_init(&ct, params));
    uint64_t *small = malloc((n + 1) * sizeof *small);
    u128 *lut = malloc(params->sns.polynomial_size * sizeof *lut);
    struct sns_radix *sq;
    BENCH_CHECK(sns_radix_new(&sq, params, RADIX_BOOL));
    if (small == NULL || lut == NULL)
        return 1;
    u128 table[16], delta = sns_delta(4, 4);
    for (unsigned i = 0; i < 16; i++)
        table[i] = i;
    pbs128_lut(lut, params->sns.polynomial_size, 16, table, delta);
    enum { REPS = 7 };
    double ms[REPS];
    for (int r = 0; r < REPS; r++) {
        uint64_t m = (uint64_t)r % 16, got;
        BENCH_CHECK(shortint_encrypt_unchecked(ck, &ct, m, &rng));
        lwe_keyswitch(small, sk->ksk, ct.data, big, n, p->ks_base_log, p->ks_level);
        t0 = bench_now_ns();
        BENCH_CHECK(pbs128_bootstrap(&ssk->bsk, sq->blocks[0].data, small, lut, &params->sns.ms,
                               ssk->ms_zeros, psc));
        ms[r] = (double)(bench_now_ns() - t0) / 1e6;
        BENCH_CHECK(sns_decrypt_block(pk, &got, &sq->blocks[0]));
        if (got != m) {
            fprintf(stderr, "bench_sns: bootstrap of %llu decrypted to %llu\n",
                    (unsigned long long)m, (unsigned long long)got);
            return 1;
        }
    }
    bench_median(ms, REPS); /* sorts */
    snprintf(extra, sizeof extra, "\"min\":%.1f,\"max\":%.1f,\"cmux\":%zu", ms[0], ms[REPS - 1], n);
    bench_emit_extra("pbs128_default_ms", ms[REPS / 2], "ms", extra);

    /* a whole FheUint64 */
    struct sns_scratch *sc;
    struct radix_ct *rct;
    struct sns_radix *sq64;
    BENCH_CHECK(sns_scratch_new(&sc, ssk));
    BENCH_CHECK(radix_ct_new(&rct, params, RADIX_UINT64));
    BENCH_CHECK(sns_radix_new(&sq64, params, RADIX_UINT64));
    uint64_t value = 0x0123456789abcdefull;
    BENCH_CHECK(radix_encrypt_u64(ck, rct, value, &rng));
    t0 = bench_now_ns();
    BENCH_CHECK(sns_squash_radix(ssk, sk, sc, sq64, rct));
    double squash_ms = (double)(bench_now_ns() - t0) / 1e6;
    uint8_t out[8];
    BENCH_CHECK(sns_decrypt_radix(pk, out, sizeof out, sq64));
    uint64_t got = 0;
    for (int i = 0; i < 8; i++)
        got |= (uint64_t)out[i] << (8 * i);
    if (got != value) {
        fprintf(stderr, "bench_sns: squashed FheUint64 decrypted wrongly\n");
        return 1;
    }
    snprintf(extra, sizeof extra, "\"bootstraps\":%zu,\"per_bootstrap_ms\":%.1f", sq64->count,
             squash_ms / (double)sq64->count);
    bench_emit_extra("squash_uint64_ms", squash_ms, "ms", extra);

    sns_radix_free(sq64);
    sns_radix_free(sq);
    radix_ct_free(rct);
    shortint_ct_clear(&ct);
    sns_scratch_free(sc);
    pbs128_scratch_free(psc);
    free(small);
    free(lut);
    sns_server_key_free(ssk);
    sns_private_key_free(pk);
    shortint_server_key_free(sk);
    shortint_client_key_free(ck);
    csprng_free(&secret);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    return 0;
}

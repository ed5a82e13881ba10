/* Radix integers with the default parameter set, one thread:
 *   decrypt_uint64_us        decryption of an FheUint64 (32 blocks of
 *                            dimension 2048), median of batches
 *   decrypt_uint64_*_us      the same with the AVX2 / portable masked sums
 *   decrypt_uint2048_us      FheUint2048 (1024 blocks)
 *   ks_pbs_ms                one shortint KS-PBS (apply_table)
 *   radix_add_uint8_ms       FheUint8 addition with carry propagation (7 PBS)
 * Key generation (about 1 s) is reported too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tfhe/radix.h"

/* median over 31 batches of `reps` decryptions, in microseconds */
static double time_decrypt(const struct shortint_client_key *ck, const struct radix_ct *ct,
                           int reps)
{
    double t[31];
    uint8_t out[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(ct->type);
    for (int b = 0; b < 31; b++) {
        uint64_t t0 = bench_now_ns();
        for (int r = 0; r < reps; r++)
            BENCH_CHECK(radix_decrypt(ck, out, len, ct));
        t[b] = (double)(bench_now_ns() - t0) / reps / 1e3;
    }
    return bench_median(t, 31);
}

int main(void)
{
    const struct tfhe_params *params;
    BENCH_CHECK(tfhe_params_get(&params, "default", 0));
    struct csprng secret;
    struct enc_rng rng;
    uint8_t s1[16] = {1}, s2[16] = {2}, s3[16] = {3};
    BENCH_CHECK(csprng_init_seed(&secret, s1));
    BENCH_CHECK(csprng_init_seed(&rng.mask, s2));
    BENCH_CHECK(csprng_init_seed(&rng.noise, s3));
    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    struct shortint_scratch *sc;
    uint64_t t0 = bench_now_ns();
    BENCH_CHECK(shortint_client_key_new(&ck, params, &secret));
    BENCH_CHECK(shortint_server_key_new(&sk, ck, &rng));
    bench_emit("keygen_s", (double)(bench_now_ns() - t0) / 1e9, "s");
    BENCH_CHECK(shortint_scratch_new(&sc, sk));

    struct radix_ct *u64, *u2048, *a, *b, *c;
    BENCH_CHECK(radix_ct_new(&u64, params, RADIX_UINT64));
    BENCH_CHECK(radix_ct_new(&u2048, params, RADIX_UINT2048));
    BENCH_CHECK(radix_encrypt_u64(ck, u64, 0x0123456789abcdefull, &rng));
    BENCH_CHECK(radix_encrypt_u64(ck, u2048, 0xfedcba9876543210ull, &rng));
    uint64_t v;
    BENCH_CHECK(radix_decrypt_u64(ck, &v, u64));
    if (v != 0x0123456789abcdefull) {
        fprintf(stderr, "bench_radix: wrong decryption\n");
        return 1;
    }
    bench_emit("decrypt_uint64_us", time_decrypt(ck, u64, 200), "us");
    BENCH_CHECK(shortint_client_key_set_isa(ck, FFT_ISA_SCALAR));
    bench_emit("decrypt_uint64_portable_us", time_decrypt(ck, u64, 200), "us");
    if (shortint_client_key_set_isa(ck, FFT_ISA_AVX2) == 0)
        bench_emit("decrypt_uint64_avx2_us", time_decrypt(ck, u64, 200), "us");
    BENCH_CHECK(shortint_client_key_set_isa(ck, FFT_ISA_AUTO));
    bench_emit("decrypt_uint2048_us", time_decrypt(ck, u2048, 5), "us");

    BENCH_CHECK(radix_ct_new(&a, params, RADIX_UINT8));
    BENCH_CHECK(radix_ct_new(&b, params, RADIX_UINT8));
    BENCH_CHECK(radix_ct_new(&c, params, RADIX_UINT8));
    BENCH_CHECK(radix_encrypt_u64(ck, a, 200, &rng));
    BENCH_CHECK(radix_encrypt_u64(ck, b, 100, &rng));
    uint64_t table[16];
    for (int i = 0; i < 16; i++)
        table[i] = (uint64_t)i % 4;
    double pbs[9], add[5];
    for (int r = 0; r < 9; r++) {
        t0 = bench_now_ns();
        BENCH_CHECK(shortint_apply_table(sk, sc, &c->blocks[0], &a->blocks[0], table, 16));
        pbs[r] = (double)(bench_now_ns() - t0) / 1e6;
    }
    bench_emit("ks_pbs_ms", bench_median(pbs, 9), "ms");
    for (int r = 0; r < 5; r++) {
        t0 = bench_now_ns();
        BENCH_CHECK(radix_add(sk, sc, c, a, b));
        add[r] = (double)(bench_now_ns() - t0) / 1e6;
    }
    BENCH_CHECK(radix_decrypt_u64(ck, &v, c));
    if (v != (200 + 100) % 256) {
        fprintf(stderr, "bench_radix: wrong sum %llu\n", (unsigned long long)v);
        return 1;
    }
    bench_emit("radix_add_uint8_ms", bench_median(add, 5), "ms");
    bench_emit("peak_rss_mib", bench_peak_rss_mib(), "MiB");

    radix_ct_free(u64);
    radix_ct_free(u2048);
    radix_ct_free(a);
    radix_ct_free(b);
    radix_ct_free(c);
    shortint_scratch_free(sc);
    shortint_server_key_free(sk);
    shortint_client_key_free(ck);
    csprng_free(&secret);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    return 0;
}

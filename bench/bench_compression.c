/* Compressed ciphertext lists with the default parameter set, one thread:
 *   decrypt_small_compressed_uint64_us   direct decryption of a 1-element
 *                        SmallCompressed FheUint64 (32 blocks in one GLWE,
 *                        k N = 1024, 12-bit values) with the compression
 *                        key, median of batches
 *   decrypt_big_compressed_uint64_us     direct decryption of a 1-element
 *                        BigCompressed FheUint64 (16 packed pairs in one
 *                        GLWE, k N = 6144, u128) with the SnS-compression
 *                        key, median of batches
 *   compress_uint64_ms   packing keyswitch + switch + packing of an FheUint64
 *   decompress_uint64_ms decompression by PBS of an FheUint64 (32 PBS)
 * and the key generation times. The squashed list is built by encrypting
 * its GLWE directly under the SnS-compression key (what the packing
 * keyswitch produces, without the 896 MiB key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tfhe/compression.h"
#include "tfhe/snscomp.h"

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

/* A one-element BigCompressed FheUint64 holding `value`: 16 packed pairs
 * encrypted straight into one GLWE under the SnS-compression key. */
static void make_big_list(struct snscomp_list *l, const struct snscomp_private_key *k,
                          uint64_t value, struct enc_rng *rng)
{
    const struct tfhe_params *p = k->params;
    size_t kk = p->sns_compression.packing_ks_glwe_dimension;
    size_t N = p->sns_compression.packing_ks_polynomial_size, kn = kk * N;
    u128 *ct = calloc(kn + N, sizeof *ct);
    if (ct == NULL)
        exit(1);
    for (int j = 0; j < 16; j++)
        ct[kn + j] = (u128)((value >> (4 * j)) & 15) << 123;
    BENCH_CHECK(packing_glwe_encrypt_assign_u128(ct, k->glwe_sk, (unsigned)kk, N, 3, rng));
    memset(l, 0, sizeof *l);
    l->glwe_count = 1;
    l->glwes = calloc(1, sizeof *l->glwes);
    l->info = calloc(1, sizeof *l->info);
    if (l->glwes == NULL || l->info == NULL)
        exit(1);
    l->glwes[0] = (struct snscomp_glwe){.packed = ct, .packed_len = kn + 16, .log_modulus = 128,
                                        .initial_len = kn + 16, .glwe_dimension = kk,
                                        .polynomial_size = N, .bodies_count = 16};
    l->has_meta = 1;
    l->meta = (struct snscomp_meta){p->sns.message_modulus, p->sns.carry_modulus,
                                    p->sns_compression.lwe_per_glwe};
    l->info_count = 1;
    l->info[0] = (struct compression_data_kind){COMPRESSION_KIND_UNSIGNED, 32, 0, 0};
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
    struct compression_private_key *cpriv;
    struct compression_key *ckey;
    struct compression_decompression_key *dk;
    BENCH_CHECK(shortint_client_key_new(&ck, params, &secret));
    BENCH_CHECK(compression_private_key_new(&cpriv, params, &secret));
    uint64_t t0 = bench_now_ns();
    BENCH_CHECK(compression_key_new(&ckey, cpriv, ck->glwe_sk, tfhe_params_big_dimension(&params->pbs),
                              &rng));
    bench_emit("compression_keygen_ms", ms_since(t0), "ms");
    t0 = bench_now_ns();
    BENCH_CHECK(compression_decompression_key_new(&dk, cpriv, ck->glwe_sk,
                                            tfhe_params_big_dimension(&params->pbs), &rng));
    bench_emit("decompression_keygen_ms", ms_since(t0), "ms");

    const uint64_t value = 0x0123456789abcdefull;
    struct radix_ct *ct;
    BENCH_CHECK(radix_ct_new(&ct, params, RADIX_UINT64));
    BENCH_CHECK(radix_encrypt_u64(ck, ct, value, &rng));
    const struct radix_ct *cts[1] = {ct};
    struct compression_list list;
    double t[31];
    for (int b = 0; b < 5; b++) {
        t0 = bench_now_ns();
        BENCH_CHECK(compression_compress_radix(ckey, &list, cts, 1));
        t[b] = ms_since(t0);
        if (b < 4)
            compression_list_free(&list);
    }
    bench_emit("compress_uint64_ms", bench_median(t, 5), "ms");

    uint8_t out[8];
    const int reps = 200;
    for (int b = 0; b < 31; b++) {
        t0 = bench_now_ns();
        for (int r = 0; r < reps; r++)
            BENCH_CHECK(compression_list_decrypt(cpriv, out, 8, &list, 0, RADIX_UINT64));
        t[b] = (double)(bench_now_ns() - t0) / reps / 1e3;
    }
    uint64_t got = 0;
    for (int i = 0; i < 8; i++)
        got |= (uint64_t)out[i] << (8 * i);
    if (got != value) {
        fprintf(stderr, "bench_compression: direct decryption gave %016llx\n",
                (unsigned long long)got);
        return 1;
    }
    bench_emit("decrypt_small_compressed_uint64_us", bench_median(t, 31), "us");

    struct compression_scratch *sc;
    BENCH_CHECK(compression_scratch_new(&sc, dk));
    struct radix_ct *back;
    BENCH_CHECK(radix_ct_new(&back, params, RADIX_UINT64));
    for (int b = 0; b < 3; b++) {
        t0 = bench_now_ns();
        BENCH_CHECK(compression_list_get(dk, sc, back, &list, 0));
        t[b] = ms_since(t0);
    }
    BENCH_CHECK(radix_decrypt_u64(ck, &got, back));
    if (got != value) {
        fprintf(stderr, "bench_compression: decompression gave %016llx\n",
                (unsigned long long)got);
        return 1;
    }
    bench_emit("decompress_uint64_ms", bench_median(t, 3), "ms");

    struct snscomp_private_key *spriv;
    struct snscomp_scratch *ssc;
    struct snscomp_list big;
    BENCH_CHECK(snscomp_private_key_new(&spriv, params, &secret));
    BENCH_CHECK(snscomp_scratch_new(&ssc, params));
    make_big_list(&big, spriv, value, &rng);
    const int breps = 50;
    for (int b = 0; b < 31; b++) {
        t0 = bench_now_ns();
        for (int r = 0; r < breps; r++)
            BENCH_CHECK(snscomp_list_decrypt(spriv, ssc, out, 8, &big, 0, RADIX_UINT64));
        t[b] = (double)(bench_now_ns() - t0) / breps / 1e3;
    }
    got = 0;
    for (int i = 0; i < 8; i++)
        got |= (uint64_t)out[i] << (8 * i);
    if (got != value) {
        fprintf(stderr, "bench_compression: squashed decryption gave %016llx\n",
                (unsigned long long)got);
        return 1;
    }
    bench_emit("decrypt_big_compressed_uint64_us", bench_median(t, 31), "us");

    snscomp_list_free(&big);
    snscomp_scratch_free(ssc);
    snscomp_private_key_free(spriv);
    radix_ct_free(back);
    compression_scratch_free(sc);
    compression_list_free(&list);
    radix_ct_free(ct);
    compression_decompression_key_free(dk);
    compression_key_free(ckey);
    compression_private_key_free(cpriv);
    shortint_client_key_free(ck);
    csprng_free(&secret);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    return 0;
}

/* The KMS's default keyset (tfhe-rs CompressedXofKeySet) with the default
 * parameter set, one thread:
 *   keyset_gen_default_s        generation of the compressed keyset (secret
 *                               keys and bodies, the form the KMS stores),
 *                               with the peak RSS after it and the time of
 *                               the largest components
 *   keyset_gen_default_std_s    the same keeping every key in the standard
 *                               domain too (KEYSET_KEEP_STD), with the peak RSS
 *   keyset_decompress_default_s decompression into usable keys (Fourier and
 *                               NTT domains), with the peak RSS
 * The two generations must give identical bodies, and a value encrypted
 * under the client key must survive a PBS with the decompressed server key,
 * so a fast wrong answer cannot pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tfhe/keyset.h"
#include "tfhe/radix.h"

static double secs(uint64_t ns) { return (double)ns / 1e9; }

static void emit(const char *name, double s, const struct keyset *ks)
{
    char extra[512];
    int at = snprintf(extra, sizeof extra, "\"peak_rss_mib\":%.0f", bench_peak_rss_mib());
    if (ks != NULL) {
        at += snprintf(extra + at, sizeof extra - (size_t)at, ",\"secret_keys_s\":%.3f",
                       secs(ks->secrets_ns));
        const enum keyset_comp big[] = {KEYSET_SNS_BSK, KEYSET_SNS_COMPRESSION, KEYSET_COMPUTE_BSK,
                                        KEYSET_OPRF_BSK, KEYSET_DECOMPRESSION, KEYSET_COMPRESSION,
                                        KEYSET_COMPUTE_KSK, KEYSET_CASTING_KSK};
        const char *key[] = {"sns_bsk_s", "sns_compression_s", "compute_bsk_s", "oprf_bsk_s",
                             "decompression_s", "compression_s", "compute_ksk_s", "casting_ksk_s"};
        for (size_t i = 0; i < sizeof big / sizeof big[0] && at < (int)sizeof extra; i++)
            at += snprintf(extra + at, sizeof extra - (size_t)at, ",\"%s\":%.3f", key[i],
                           secs(ks->gen_ns[big[i]]));
    }
    bench_emit_extra(name, s, "s", extra);
}

static int same_bodies(const struct keyset *a, const struct keyset *b)
{
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_component *x = &a->pub.comp[c], *y = &b->pub.comp[c];
        size_t bytes = keyset_layout_body_words(&x->layout) * x->layout.word_bytes;
        if (bytes != keyset_layout_body_words(&y->layout) * y->layout.word_bytes ||
            (bytes > 0 && memcmp(x->bodies, y->bodies, bytes) != 0))
            return 0;
    }
    return 1;
}

int main(void)
{
    const struct tfhe_params *params;
    BENCH_CHECK(tfhe_params_get(&params, "default", 0));
    uint8_t seed[16] = {0x2a}, tag[32] = {1};

    struct keyset *ks, *std;
    uint64_t t0 = bench_now_ns();
    BENCH_CHECK(keyset_generate(&ks, params, seed, sizeof seed, tag, sizeof tag, 128, 1.0, 0));
    emit("keyset_gen_default_s", secs(bench_now_ns() - t0), ks);

    t0 = bench_now_ns();
    BENCH_CHECK(keyset_generate(&std, params, seed, sizeof seed, tag, sizeof tag, 128, 1.0,
                                KEYSET_KEEP_STD));
    emit("keyset_gen_default_std_s", secs(bench_now_ns() - t0), std);
    if (!same_bodies(ks, std))
        bench_fail("the two generations differ");
    keyset_free(std);

    struct keyset_server *s;
    t0 = bench_now_ns();
    BENCH_CHECK(keyset_decompress(&s, &ks->pub));
    emit("keyset_decompress_default_s", secs(bench_now_ns() - t0), NULL);

    /* a radix addition through the decompressed server key */
    struct keyset_client *cl;
    struct shortint_scratch *sc;
    struct radix_ct *a, *b;
    struct enc_rng rng;
    uint8_t s1[16] = {1}, s2[16] = {2};
    uint64_t v = 0;
    BENCH_CHECK(keyset_client_new(&cl, ks));
    BENCH_CHECK(shortint_scratch_new(&sc, s->compute));
    BENCH_CHECK(csprng_init_seed(&rng.mask, s1));
    BENCH_CHECK(csprng_init_seed(&rng.noise, s2));
    BENCH_CHECK(radix_ct_new(&a, params, RADIX_UINT8));
    BENCH_CHECK(radix_ct_new(&b, params, RADIX_UINT8));
    BENCH_CHECK(radix_encrypt_u64(cl->compute, a, 200, &rng));
    BENCH_CHECK(radix_encrypt_u64(cl->compute, b, 99, &rng));
    BENCH_CHECK(radix_add(s->compute, sc, a, a, b));
    BENCH_CHECK(radix_decrypt_u64(cl->compute, &v, a));
    if (v != (200 + 99) % 256)
        bench_fail("radix addition with the decompressed key");
    radix_ct_free(a);
    radix_ct_free(b);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    shortint_scratch_free(sc);
    keyset_client_free(cl);
    keyset_server_free(s);
    keyset_free(ks);
    return 0;
}

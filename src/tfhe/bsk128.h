/* The 128-bit bootstrapping key of noise squashing (tfhe-rs
 * Shortint128BootstrappingKey::Classic): n GGSW ciphertexts over
 * Z/2^128[X]/(X^N+1), GGSW i encrypting bit i of the compute small LWE key
 * (u64 words) under the SnS GLWE key, with the SnS base and levels.
 *
 * Generation forks the encryption streams once per GGSW (mask
 * ggsw128_mask_bytes, noise ggsw128_noise_bytes), then per level and row,
 * as tfhe-rs generate_lwe_bootstrap_key and its seeded variant
 * (generate_seeded_lwe_bootstrap_key_with_pre_seeded_generator, used by the
 * CompressedXofKeySet) do.
 *
 * The blind rotation uses the key in the NTT domain (ntt128.h): every GGSW
 * packed for ntt128_ext_product_add. That form is twice the size of the
 * standard one (2 limbs x 2 primes of 8 bytes per u128 coefficient):
 * 1.52 GiB for the default set (n 918, k 2, N 2048, 3 levels). */
#ifndef CKMS_TFHE_BSK128_H
#define CKMS_TFHE_BSK128_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/enc_rng.h"
#include "tfhe/glwe128.h"
#include "tfhe/ntt128.h"

/* u128 words of the standard-domain key. */
static inline size_t bsk128_words(const struct bsk_shape *s)
{
    return bsk_polys(s) * s->polynomial_size;
}

/* 0 if the shape can be bootstrapped with (N a power of two in the NTT
 * range, 1 <= base_log, base_log * level < 128, small enough digits and
 * level (k + 1) <= NTT128_MAX_TERMS), else KMS_EINVAL. */
int bsk128_check_shape(const struct bsk_shape *s) KMS_MUST_CHECK;

/* Standard-domain key (bsk128_words(s) words): GGSW i encrypts
 * lwe_sk[i] & 1 under glwe_key, TUniform(noise_log2) noise. */
int bsk128_generate(u128 *bsk, const struct bsk_shape *s, const uint64_t *lwe_sk,
                    struct glwe128_key *glwe_key, unsigned noise_log2, struct enc_rng *rng)
    KMS_MUST_CHECK;

struct bsk128_ntt {
    struct bsk_shape shape;
    const struct ntt128_plan *plan; /* shared (ntt128_plan_get) */
    size_t ggsw_words;              /* words of one packed GGSW */
    uint64_t *data;                 /* lwe_dimension packed GGSWs */
};

/* The NTT-domain key from a standard-domain one. */
int bsk128_ntt_from_std(struct bsk128_ntt *out, const struct bsk_shape *s, const u128 *bsk)
    KMS_MUST_CHECK;
/* Generates the key straight into the NTT domain, one GGSW at a time
 * (never holding the standard-domain key): the same streams are read, so
 * the result equals bsk128_ntt_from_std of bsk128_generate. */
int bsk128_ntt_generate(struct bsk128_ntt *out, const struct bsk_shape *s,
                        const uint64_t *lwe_sk, struct glwe128_key *glwe_key,
                        unsigned noise_log2, struct enc_rng *rng) KMS_MUST_CHECK;
/* NULL or an already freed key is a no-op. */
void bsk128_ntt_free(struct bsk128_ntt *b);

static inline const uint64_t *bsk128_ntt_ggsw(const struct bsk128_ntt *b, size_t i)
{
    return b->data + i * b->ggsw_words;
}

#endif

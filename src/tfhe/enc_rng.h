/* The pair of streams every TFHE encryption draws from, as tfhe-rs's
 * EncryptionRandomGenerator: uniform masks from one (public, for seeded
 * keys), noise from the other (secret). Entities fork both streams in
 * step, one child pair per ciphertext, so each gets exactly its bytes. */
#ifndef CKMS_TFHE_ENC_RNG_H
#define CKMS_TFHE_ENC_RNG_H

#include "tfhe/csprng.h"
#include "tfhe/sampler.h"

struct enc_rng {
    struct csprng mask;
    struct csprng noise;
};

/* Splits n child pairs off g: child i reads mask_bytes mask bytes and
 * noise_bytes noise bytes. Children share g's keys (no free needed). */
static inline int enc_rng_fork(struct enc_rng *g, struct enc_rng *children, size_t n,
                               u128 mask_bytes, u128 noise_bytes)
{
    for (size_t i = 0; i < n; i++) {
        KMS_TRY(csprng_take(&g->mask, &children[i].mask, mask_bytes));
        KMS_TRY(csprng_take(&g->noise, &children[i].noise, noise_bytes));
    }
    return 0;
}

/* Bytes of noise n TUniform(b) samples consume. */
static inline u128 enc_rng_noise_bytes(size_t n, unsigned noise_log2)
{
    return (u128)n * sample_tuniform_bytes(noise_log2);
}

#endif

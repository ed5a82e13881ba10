/* GLWE and GGSW over Z/2^64[X]/(X^N+1).
 *
 * A GLWE ciphertext of dimension k is k + 1 polynomials of N coefficients:
 * the mask A_0..A_{k-1} then the body B = sum_i A_i S_i + M + E. The secret
 * key is k binary polynomials; read as one array of k N bits it is also the
 * "big" LWE key that sample extraction produces ciphertexts for.
 *
 * A GGSW ciphertext of a small integer m with base 2^B and l levels is l
 * level matrices, finest level first; each is k + 1 GLWE rows. Row r < k of
 * level j encrypts -m * S_r * 2^(64 - B j); row k encrypts the constant
 * m * 2^(64 - B j) (tfhe-rs ggsw_encryption.rs). */
#ifndef CKMS_TFHE_GLWE_H
#define CKMS_TFHE_GLWE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"

static inline size_t glwe_size(unsigned k, size_t N) { return ((size_t)k + 1) * N; }
static inline size_t ggsw_size(unsigned k, size_t N, unsigned level)
{
    return (size_t)level * ((size_t)k + 1) * glwe_size(k, N);
}

int glwe_sk_generate(uint64_t *sk, unsigned k, size_t N, struct csprng *secret) KMS_MUST_CHECK;

/* Encrypts in place: on entry the body (last N words of ct) holds the
 * plaintext polynomial; the mask is drawn (8 k N bytes) and N noise samples
 * are added. */
int glwe_encrypt_assign(uint64_t *ct, const uint64_t *sk, unsigned k, size_t N,
                        unsigned noise_log2, struct enc_rng *rng) KMS_MUST_CHECK;

/* phase = B - sum_i A_i S_i. */
void glwe_phase(uint64_t *phase, const uint64_t *ct, const uint64_t *sk, unsigned k, size_t N);

/* A trivial GLWE: mask 0, body = body_poly. */
void glwe_trivial(uint64_t *ct, unsigned k, size_t N, const uint64_t *body_poly);

/* lwe (dimension k N) = coefficient h of the GLWE's plaintext. */
void glwe_sample_extract(uint64_t *lwe, const uint64_t *ct, unsigned k, size_t N, size_t h);

/* GGSW encryption of m; forks per level then per row as tfhe-rs does. */
int ggsw_encrypt(uint64_t *ggsw, const uint64_t *sk, unsigned k, size_t N, unsigned base_log,
                 unsigned level, uint64_t m, unsigned noise_log2, struct enc_rng *rng)
    KMS_MUST_CHECK;

#endif

/* GLWE and GGSW over Z/2^128[X]/(X^N+1), the 128-bit side of noise
 * squashing: the same layouts, level order and stream forks as the 64-bit
 * ones in glwe.h, with 16-byte uniform masks and u128 TUniform noise.
 *
 * A GLWE ciphertext is k + 1 polynomials of N u128 (mask A_0..A_{k-1},
 * body B = sum_i A_i S_i + M + E). A GGSW of m with base 2^B and l levels is
 * l level matrices, finest level first, each k + 1 GLWE rows: row r < k
 * encrypts -m S_r 2^(128 - B j), row k the constant m 2^(128 - B j)
 * (tfhe-rs ggsw_encryption.rs, Scalar = u128).
 *
 * The key products A_i S_i are computed exactly with the NTT products of
 * ntt128.h (S binary, so it is the "small" factor), which makes the SnS
 * key generation affordable; for N below NTT128_MIN_POLY_SIZE a schoolbook
 * loop is used. A struct glwe128_key holds the key, its transform and the
 * working memory, all in secmem memory: one thread at a time. */
#ifndef CKMS_TFHE_GLWE128_H
#define CKMS_TFHE_GLWE128_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"

static inline size_t glwe128_size(unsigned k, size_t N) { return ((size_t)k + 1) * N; }
static inline size_t ggsw128_size(unsigned k, size_t N, unsigned level)
{
    return (size_t)level * ((size_t)k + 1) * glwe128_size(k, N);
}

/* sk[i] = a fresh uniform bit, one byte of the secret stream each (k N
 * bytes), as tfhe-rs allocate_and_generate_new_binary_glwe_secret_key. */
int glwe128_sk_generate(u128 *sk, unsigned k, size_t N, struct csprng *secret) KMS_MUST_CHECK;

struct glwe128_key;

/* Prepares the key sk (k N words of 0/1; copied). N a power of two. */
int glwe128_key_new(struct glwe128_key **out, const u128 *sk, unsigned k, size_t N)
    KMS_MUST_CHECK;
/* Wipes and frees; NULL is a no-op. */
void glwe128_key_free(struct glwe128_key *key);
unsigned glwe128_key_glwe_dimension(const struct glwe128_key *key);
size_t glwe128_key_poly_size(const struct glwe128_key *key);
/* The key bits (k N words). */
const u128 *glwe128_key_bits(const struct glwe128_key *key);

/* Encrypts in place: on entry the body (last N words) holds the plaintext;
 * the mask is drawn (16 k N bytes of rng->mask) and N TUniform noise
 * samples from rng->noise are added (tfhe-rs encrypt_glwe_ciphertext_assign). */
int glwe128_encrypt_assign(u128 *ct, struct glwe128_key *key, unsigned noise_log2,
                           struct enc_rng *rng) KMS_MUST_CHECK;

/* phase = B - sum_i A_i S_i. */
void glwe128_phase(u128 *phase, const u128 *ct, struct glwe128_key *key);

/* Mask 0, body = body_poly. */
void glwe128_trivial(u128 *ct, unsigned k, size_t N, const u128 *body_poly);

/* lwe (dimension k N) = coefficient h of the GLWE's plaintext (tfhe-rs
 * extract_lwe_sample_from_glwe_ciphertext). */
void glwe128_sample_extract(u128 *lwe, const u128 *ct, unsigned k, size_t N, size_t h);

/* Bytes of stream a GGSW encryption reads (its fork sizes). */
u128 ggsw128_mask_bytes(unsigned k, size_t N, unsigned level);
u128 ggsw128_noise_bytes(unsigned k, size_t N, unsigned level, unsigned noise_log2);

/* GGSW encryption of m, forked per level and then per row exactly as
 * tfhe-rs encrypt_constant_ggsw_ciphertext. */
int ggsw128_encrypt(u128 *ggsw, struct glwe128_key *key, unsigned base_log, unsigned level,
                    u128 m, unsigned noise_log2, struct enc_rng *rng) KMS_MUST_CHECK;

#endif

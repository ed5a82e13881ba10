/* LWE over Z/2^64 (and the 128-bit phase used by noise squashing).
 *
 * An LWE ciphertext of dimension n is n + 1 words: the mask a_0..a_{n-1}
 * then the body b, with b = <a, s> + m + e. Secret keys are arrays of n
 * words holding 0 or 1 (tfhe-rs's binary keys), kept in secmem memory by
 * their owners. Every function here is branch-free in key bits.
 *
 * A keyswitching key from dimension n_in to n_out with base 2^B and l
 * levels is n_in blocks of l LWE ciphertexts (dimension n_out): block i,
 * entry t encrypts s_in[i] * 2^(64 - B*(l - t)), finest level first, the
 * order tfhe-rs stores and consumes them in. */
#ifndef CKMS_TFHE_LWE_H
#define CKMS_TFHE_LWE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"

static inline size_t lwe_size(size_t n) { return n + 1; }

/* sk[i] = a fresh uniform bit (one byte of the secret stream each). */
int lwe_sk_generate(uint64_t *sk, size_t n, struct csprng *secret) KMS_MUST_CHECK;

/* b - <a, s> mod 2^64. */
uint64_t lwe_phase(const uint64_t *ct, const uint64_t *sk, size_t n);

/* Encrypts plaintext pt (already scaled): mask from rng->mask (8n bytes),
 * one TUniform(noise_log2) sample from rng->noise. */
int lwe_encrypt(uint64_t *ct, const uint64_t *sk, size_t n, uint64_t pt, unsigned noise_log2,
                struct enc_rng *rng) KMS_MUST_CHECK;

/* A noiseless ciphertext (mask 0, body pt), decryptable under any key. */
void lwe_trivial(uint64_t *ct, size_t n, uint64_t pt);

/* ct += other, ct -= other, ct = -ct (all n + 1 words). */
void lwe_add(uint64_t *ct, const uint64_t *other, size_t n);
void lwe_sub(uint64_t *ct, const uint64_t *other, size_t n);
void lwe_neg(uint64_t *ct, size_t n);
/* ct *= c (wrapping). */
void lwe_mul_scalar(uint64_t *ct, size_t n, uint64_t c);

static inline size_t lwe_ksk_size(size_t n_in, size_t n_out, unsigned level)
{
    return n_in * level * lwe_size(n_out);
}

/* Keyswitching key generation; per input coefficient one fork of l
 * ciphertexts, each of 8 n_out mask bytes and one noise sample. */
int lwe_ksk_generate(uint64_t *ksk, const uint64_t *sk_in, size_t n_in, const uint64_t *sk_out,
                     size_t n_out, unsigned base_log, unsigned level, unsigned noise_log2,
                     struct enc_rng *rng) KMS_MUST_CHECK;

/* out (dimension n_out) = keyswitch of in (dimension n_in). */
void lwe_keyswitch(uint64_t *out, const uint64_t *ksk, const uint64_t *in, size_t n_in,
                   size_t n_out, unsigned base_log, unsigned level);

/* The keyswitch in front of a bootstrap only needs the top bits: the
 * modulus switch that follows keeps 12 of them and its rounding error
 * (~2^55) dwarfs anything below bit 32. So the PBS path keeps each key word
 * rounded to its top 32 bits (half the memory traffic, 32-bit SIMD) and
 * computes the result mod 2^32, shifted back up. The extra noise, from
 * rounding 8192 key rows to 32 bits with digits |d| <= 8, has a standard
 * deviation of about 2^43, against 2^53 for the key's own noise. */
void lwe_ksk_round_u32(uint32_t *ksk32, const uint64_t *ksk, size_t words);
/* Whether the 32-bit path is sound for a key: small digits (B <= 8, so each
 * rounded row adds at most 2^(B-1) * 2^31) and at most 32 decomposed bits.
 * The default set (B = 4, l = 4) qualifies; the test set (B = 37) does not. */
static inline int lwe_ksk_u32_ok(unsigned base_log, unsigned level)
{
    return base_log <= 8 && base_log * level <= 32;
}
void lwe_keyswitch_u32(uint64_t *out, const uint32_t *ksk32, const uint64_t *in, size_t n_in,
                       size_t n_out, unsigned base_log, unsigned level);

#endif

/* LWE -> GLWE packing keyswitch over Z/2^64 and Z/2^128, as tfhe-rs 1.7
 * core_crypto lwe_packing_keyswitch(_key_generation).rs does it.
 *
 * Key: for each input key coefficient i (n_in of them) and each level, finest
 * first (level j = l, l-1, ..., 1), a GLWE (k_out, N_out) encryption of the
 * constant polynomial s_in[i] * 2^(W - B j), W = 64 or 128: n_in * l GLWEs
 * of (k_out + 1) N_out words, in that order. Generation encrypts them one
 * after the other from the same generator pair (no forks): per GLWE the mask
 * reads 8 (or 16) k_out N_out bytes of rng->mask and the noise N_out
 * TUniform samples of rng->noise, exactly the bytes tfhe-rs's seeded and
 * unseeded generators read, so seeded keys reproduce.
 *
 * Keyswitch of one LWE (a, b): start from the trivial GLWE with body b at
 * coefficient 0, then for every i subtract d_ij * key[i][j] for the signed
 * balanced digits d_ij of a_i (decomp.h). The result encrypts the LWE's
 * phase in coefficient 0. A list of c <= N_out LWEs is packed by summing
 * X^t * KS(lwe_t): LWE t lands in coefficient t. All arithmetic is exact
 * and wrapping, so the output is bit-identical to tfhe-rs whatever the
 * evaluation order (tfhe-rs splits the list over threads; the sum is the
 * same). */
#ifndef CKMS_TFHE_PACKING_KS_H
#define CKMS_TFHE_PACKING_KS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"

struct packing_ksk_shape {
    size_t input_dimension;  /* n_in: the input LWE key */
    unsigned glwe_dimension; /* k_out */
    size_t polynomial_size;  /* N_out */
    unsigned base_log, level;
};

/* 0 if the shape is usable with W-bit words (W = 64 or 128): non-empty
 * dimensions, N_out a power of two, 1 <= B l < W, and a key size that fits
 * size_t. KMS_EINVAL otherwise. */
int packing_ksk_check_shape(const struct packing_ksk_shape *s, unsigned word_bits) KMS_MUST_CHECK;

/* Words of one output GLWE and of the whole key (no overflow once the shape
 * passed packing_ksk_check_shape). */
static inline size_t packing_glwe_size(const struct packing_ksk_shape *s)
{
    return ((size_t)s->glwe_dimension + 1) * s->polynomial_size;
}
static inline size_t packing_ksk_size(const struct packing_ksk_shape *s)
{
    return s->input_dimension * s->level * packing_glwe_size(s);
}

/* ---- 64-bit ---- */

/* pksk (packing_ksk_size words) from sk_in (n_in binary words) to the GLWE
 * key glwe_sk (k_out N_out binary words). */
int packing_ksk_generate(uint64_t *pksk, const struct packing_ksk_shape *s, const uint64_t *sk_in,
                         const uint64_t *glwe_sk, unsigned noise_log2, struct enc_rng *rng)
    KMS_MUST_CHECK;

/* out (packing_glwe_size words) = the packing keyswitch of `count` LWEs of
 * dimension n_in stored one after the other (n_in + 1 words each); count <=
 * N_out (count 0 gives the zero GLWE). Allocates count words of scratch. */
int packing_keyswitch(uint64_t *out, const uint64_t *pksk, const struct packing_ksk_shape *s,
                      const uint64_t *lwes, size_t count) KMS_MUST_CHECK;

/* ---- 128-bit ---- */

int packing_ksk_generate_u128(u128 *pksk, const struct packing_ksk_shape *s, const u128 *sk_in,
                              const u128 *glwe_sk, unsigned noise_log2, struct enc_rng *rng)
    KMS_MUST_CHECK;

int packing_keyswitch_u128(u128 *out, const u128 *pksk,
                           const struct packing_ksk_shape *s, const u128 *lwes,
                           size_t count) KMS_MUST_CHECK;

/* GLWE (k, N) encryption over Z/2^128 in place, as glwe_encrypt_assign:
 * the body holds the plaintext on entry; mask 16 k N bytes of rng->mask, N
 * TUniform(noise_log2) samples of rng->noise. */
int packing_glwe_encrypt_assign_u128(u128 *ct, const u128 *sk, unsigned k,
                                     size_t N, unsigned noise_log2, struct enc_rng *rng)
    KMS_MUST_CHECK;

#endif

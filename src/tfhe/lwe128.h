/* LWE over Z/2^128, the ciphertexts noise squashing produces (tfhe-rs
 * LweCiphertext<u128>): n mask words then the body, b = <a, s> + m + e.
 * Secret keys are n words holding 0 or 1 (tfhe-rs binary keys, u128
 * words), kept in secmem memory by their owners; everything here is
 * branch-free in key bits. */
#ifndef CKMS_TFHE_LWE128_H
#define CKMS_TFHE_LWE128_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"

static inline size_t lwe128_size(size_t n) { return n + 1; }

/* b - <a, s> mod 2^128. */
u128 lwe128_phase(const u128 *ct, const u128 *sk, size_t n);

/* Encrypts the (already scaled) plaintext pt: mask from rng->mask (16 n
 * bytes), one TUniform(noise_log2) sample from rng->noise. */
int lwe128_encrypt(u128 *ct, const u128 *sk, size_t n, u128 pt, unsigned noise_log2,
                   struct enc_rng *rng) KMS_MUST_CHECK;

/* Mask 0, body pt. */
void lwe128_trivial(u128 *ct, size_t n, u128 pt);

#endif

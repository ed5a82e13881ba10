/* Exact negacyclic polynomial arithmetic in Z_{2^64}[X]/(X^N+1) and
 * Z_{2^128}[X]/(X^N+1): coefficients wrap, X^N = -1.
 *
 * Polynomials are arrays of n coefficients, lowest degree first (the tfhe-rs
 * layout). Unless a function says otherwise, out may alias an input
 * (coefficient-wise operations only).
 *
 * The binary products (secret key times mask, the core of GLWE encryption)
 * run in time independent of the key bits: each bit becomes an all-ones or
 * all-zeros mask, never a branch or an index. */
#ifndef CKMS_TFHE_POLY_H
#define CKMS_TFHE_POLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef unsigned __int128 poly_u128;

/* ---- u64 ---- */

void poly_u64_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void poly_u64_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void poly_u64_neg(uint64_t *out, const uint64_t *a, size_t n);

/* out = a * X^k for k in [0, 2n) (larger k are reduced mod 2n). out must not
 * alias a. */
void poly_u64_mul_xk(uint64_t *out, const uint64_t *a, size_t n, size_t k);

/* out = a * (X^k - 1), the CMUX rotation difference. out must not alias a. */
void poly_u64_mul_xk_minus_one(uint64_t *out, const uint64_t *a, size_t n, size_t k);

/* acc += a * s where s is binary (only bit 0 of each s[i] is read). acc must
 * not alias a or s. */
void poly_u64_mul_binary_add(uint64_t *acc, const uint64_t *a, const uint64_t *s, size_t n);

/* out = a * s, s binary as above. */
void poly_u64_mul_binary(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);

/* out = a * b, schoolbook O(n^2) (tests and small sizes). out must not alias
 * a or b. */
void poly_u64_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);

/* ---- u128 ---- */

void poly_u128_add(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n);
void poly_u128_sub(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n);
void poly_u128_neg(poly_u128 *out, const poly_u128 *a, size_t n);
void poly_u128_mul_xk(poly_u128 *out, const poly_u128 *a, size_t n, size_t k);
void poly_u128_mul_xk_minus_one(poly_u128 *out, const poly_u128 *a, size_t n, size_t k);

/* acc += a * s, s binary (bit 0 of each s[i]). Splits a into 32/32/64-bit
 * limbs and runs three u64 binary products, which is several times faster
 * than 128-bit additions; the working memory (6n words, wiped) is allocated,
 * hence KMS_ENOMEM; n above 2^30 is KMS_ELIMIT. acc must not alias a or s. */
int poly_u128_mul_binary_add(poly_u128 *acc, const poly_u128 *a, const poly_u128 *s, size_t n)
    KMS_MUST_CHECK;

/* out = a * b, schoolbook (tests). out must not alias a or b. */
void poly_u128_mul(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n);

#endif

/* Samplers over a tfhe-csprng stream, consuming exactly the bytes tfhe-rs
 * 1.7 consumes so that seeded keys reproduce:
 *   uniform u64 / u128   8 / 16 bytes, little-endian
 *   binary               one byte, keep bit 0
 *   TUniform(b)          ceil((b+2)/8) bytes little-endian, keep the low b+2
 *                        bits x, return (x >> 1) + (x & 1) - 2^b, so values
 *                        in [-2^b, 2^b] with the end points half as likely
 * All are branch-free in the sampled values. */
#ifndef CKMS_TFHE_SAMPLER_H
#define CKMS_TFHE_SAMPLER_H

#include "tfhe/csprng.h"

int sample_uniform_u64(struct csprng *g, uint64_t *out, size_t n) KMS_MUST_CHECK;
int sample_uniform_u128(struct csprng *g, u128 *out, size_t n) KMS_MUST_CHECK;
int sample_binary_u64(struct csprng *g, uint64_t *out, size_t n) KMS_MUST_CHECK;
int sample_binary_u128(struct csprng *g, u128 *out, size_t n) KMS_MUST_CHECK;
/* out[i] = TUniform(bound_log2) sample, as a two's-complement word. */
int sample_tuniform_u64(struct csprng *g, unsigned bound_log2, uint64_t *out, size_t n)
    KMS_MUST_CHECK;
int sample_tuniform_u128(struct csprng *g, unsigned bound_log2, u128 *out, size_t n)
    KMS_MUST_CHECK;
/* out[i] += TUniform(bound_log2) sample (the common case: adding noise). */
int sample_add_tuniform_u64(struct csprng *g, unsigned bound_log2, uint64_t *out, size_t n)
    KMS_MUST_CHECK;
int sample_add_tuniform_u128(struct csprng *g, unsigned bound_log2, u128 *out, size_t n)
    KMS_MUST_CHECK;

/* Bytes one TUniform(bound_log2) sample consumes. */
static inline size_t sample_tuniform_bytes(unsigned bound_log2) { return (bound_log2 + 2 + 7) / 8; }

#endif

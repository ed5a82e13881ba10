/* Signed gadget decomposition with balanced rounding, digit for digit as
 * tfhe-rs 1.7 computes it (core_crypto/commons/math/decomposition).
 *
 * A value x is first rounded to its top B*l bits (ties broken so that the
 * rounding is unbiased), then cut into l signed digits d_j in
 * [-2^(B-1), 2^(B-1)] with  x ~ sum_j d_j * 2^(W - B*j)  (W = 64 or 128).
 * Digits come out finest level first (j = l, then l-1, ... 1), the order
 * keyswitching and bootstrapping keys are stored in.
 *
 * Usage: s = decomp_init_u64(x, B, l); then l times d = decomp_next_u64(&s, B).
 * Inline because the keyswitch and the external product run it per
 * coefficient in their inner loops. */
#ifndef CKMS_TFHE_DECOMP_H
#define CKMS_TFHE_DECOMP_H

#include <stdint.h>

typedef unsigned __int128 u128;

static inline uint64_t decomp_init_u64(uint64_t x, unsigned base_log, unsigned level)
{
    unsigned rep = base_log * level; /* bits kept */
    uint64_t r = x >> (64 - rep - 1);
    uint64_t rounding_bit = r & 1;
    r = (r + 1) >> 1;
    r &= UINT64_MAX >> (64 - rep);
    /* balance: r > 2^(rep-1), or r == 2^(rep-1) and the rounding bit is set */
    uint64_t need = (((r - 1) | (rounding_bit << (rep - 1))) & r) >> (rep - 1);
    return r - (need << rep);
}

/* Returns the next digit as a two's-complement u64 (cast to int64_t for
 * its signed value). */
static inline uint64_t decomp_next_u64(uint64_t *state, unsigned base_log)
{
    uint64_t res = *state & ((1ull << base_log) - 1);
    *state = (uint64_t)((int64_t)*state >> base_log);
    /* carry when res > 2^(B-1), or on a tie when the next digit's top bit is set */
    uint64_t carry = (((res - 1) | *state) & res) >> (base_log - 1);
    *state += carry;
    return res - (carry << base_log);
}

/* Recomposition weight of level j (1-based): 2^(64 - B*j). */
static inline uint64_t decomp_weight_u64(unsigned base_log, unsigned j)
{
    return 1ull << (64 - base_log * j);
}

/* The value the decomposition represents: x rounded to its top B*l bits. */
static inline uint64_t decomp_closest_u64(uint64_t x, unsigned base_log, unsigned level)
{
    unsigned shift = 64 - base_log * level - 1;
    uint64_t r = x >> shift;
    r += 1;
    r &= ~(uint64_t)1;
    return r << shift;
}

static inline u128 decomp_init_u128(u128 x, unsigned base_log, unsigned level)
{
    unsigned rep = base_log * level;
    u128 r = x >> (128 - rep - 1);
    u128 rounding_bit = r & 1;
    r = (r + 1) >> 1;
    r &= ~(u128)0 >> (128 - rep);
    u128 need = (((r - 1) | (rounding_bit << (rep - 1))) & r) >> (rep - 1);
    return r - (need << rep);
}

static inline u128 decomp_next_u128(u128 *state, unsigned base_log)
{
    u128 res = *state & (((u128)1 << base_log) - 1);
    *state = (u128)((__int128)*state >> base_log);
    u128 carry = (((res - 1) | *state) & res) >> (base_log - 1);
    *state += carry;
    return res - (carry << base_log);
}

static inline u128 decomp_weight_u128(unsigned base_log, unsigned j)
{
    return (u128)1 << (128 - base_log * j);
}

#endif

#include "tfhe/lwe128.h"

#include <string.h>

#include "base/secmem.h"

u128 lwe128_phase(const u128 *ct, const u128 *sk, size_t n)
{
    /* two 64-bit lanes of masked sums: the low halves with their carries
     * counted, so the loop vectorizes like the 64-bit phase */
    uint64_t lo = 0, hi = 0, carries = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t m = 0 - ((uint64_t)sk[i] & 1);
        uint64_t a_lo = (uint64_t)ct[i] & m, a_hi = (uint64_t)(ct[i] >> 64) & m;
        lo += a_lo;
        carries += lo < a_lo;
        hi += a_hi;
    }
    u128 dot = ((u128)(hi + carries) << 64) | lo;
    return ct[n] - dot;
}

int lwe128_encrypt(u128 *ct, const u128 *sk, size_t n, u128 pt, unsigned noise_log2,
                   struct enc_rng *rng)
{
    u128 e;
    KMS_TRY(sample_uniform_u128(&rng->mask, ct, n));
    KMS_TRY(sample_tuniform_u128(&rng->noise, noise_log2, &e, 1));
    ct[n] = 0;
    ct[n] = pt + e - lwe128_phase(ct, sk, n); /* the phase of (a, 0) is -<a, s> */
    secmem_wipe(&e, sizeof e);
    return 0;
}

void lwe128_trivial(u128 *ct, size_t n, u128 pt)
{
    memset(ct, 0, n * sizeof *ct);
    ct[n] = pt;
}

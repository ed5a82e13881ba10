#include "tfhe/lwe.h"

#include <string.h>
#include <sys/mman.h>

#include "base/secmem.h"
#include "tfhe/decomp.h"

int lwe_sk_generate(uint64_t *sk, size_t n, struct csprng *secret)
{
    return sample_binary_u64(secret, sk, n);
}

uint64_t lwe_phase(const uint64_t *ct, const uint64_t *sk, size_t n)
{
    uint64_t dot = 0;
    for (size_t i = 0; i < n; i++)
        dot += ct[i] & (0 - (sk[i] & 1)); /* a_i * s_i without a branch on s_i */
    return ct[n] - dot;
}

int lwe_encrypt(uint64_t *ct, const uint64_t *sk, size_t n, uint64_t pt, unsigned noise_log2,
                struct enc_rng *rng)
{
    uint64_t e;
    KMS_TRY(sample_uniform_u64(&rng->mask, ct, n));
    KMS_TRY(sample_tuniform_u64(&rng->noise, noise_log2, &e, 1));
    ct[n] = 0;
    ct[n] = pt + e - lwe_phase(ct, sk, n); /* phase of (a, 0) is -<a, s> */
    secmem_wipe(&e, sizeof e);
    return 0;
}

void lwe_trivial(uint64_t *ct, size_t n, uint64_t pt)
{
    memset(ct, 0, n * sizeof *ct);
    ct[n] = pt;
}

void lwe_add(uint64_t *ct, const uint64_t *other, size_t n)
{
    for (size_t i = 0; i <= n; i++)
        ct[i] += other[i];
}

void lwe_sub(uint64_t *ct, const uint64_t *other, size_t n)
{
    for (size_t i = 0; i <= n; i++)
        ct[i] -= other[i];
}

void lwe_neg(uint64_t *ct, size_t n)
{
    for (size_t i = 0; i <= n; i++)
        ct[i] = 0 - ct[i];
}

void lwe_mul_scalar(uint64_t *ct, size_t n, uint64_t c)
{
    for (size_t i = 0; i <= n; i++)
        ct[i] *= c;
}

int lwe_ksk_generate(uint64_t *ksk, const uint64_t *sk_in, size_t n_in, const uint64_t *sk_out,
                     size_t n_out, unsigned base_log, unsigned level, unsigned noise_log2,
                     struct enc_rng *rng)
{
    u128 mask_bytes = (u128)n_out * 8, noise_bytes = enc_rng_noise_bytes(1, noise_log2);
    for (size_t i = 0; i < n_in; i++) {
        struct enc_rng block;
        KMS_TRY(enc_rng_fork(rng, &block, 1, mask_bytes * level, noise_bytes * level));
        for (unsigned t = 0; t < level; t++) {
            struct enc_rng one;
            unsigned j = level - t; /* finest level first */
            uint64_t pt = (sk_in[i] & 1) << (64 - base_log * j);
            KMS_TRY(enc_rng_fork(&block, &one, 1, mask_bytes, noise_bytes));
            uint64_t *ct = ksk + (i * level + t) * lwe_size(n_out);
            int rc = lwe_encrypt(ct, sk_out, n_out, pt, noise_log2, &one);
            secmem_wipe(&pt, sizeof pt);
            KMS_TRY(rc);
        }
    }
    return 0;
}

void lwe_keyswitch(uint64_t *out, const uint64_t *ksk, const uint64_t *in, size_t n_in,
                   size_t n_out, unsigned base_log, unsigned level)
{
    size_t sz = lwe_size(n_out);
    memset(out, 0, n_out * sizeof *out);
    out[n_out] = in[n_in];
    for (size_t i = 0; i < n_in; i++) {
        uint64_t state = decomp_init_u64(in[i], base_log, level);
        const uint64_t *block = ksk + i * level * sz;
        for (unsigned t = 0; t < level; t++) {
            uint64_t d = decomp_next_u64(&state, base_log);
            const uint64_t *row = block + t * sz;
            /* out -= d * row; zero digits are common with 4-bit bases */
            for (size_t w = 0; w < sz; w++)
                out[w] -= d * row[w];
        }
    }
}

/* Every keyswitch streams the whole key (30 MB for the default set) from
 * memory: on 2 MB pages that costs a TLB miss per 2 MB instead of per 4 KB.
 * A hint for the whole 2 MB blocks inside the buffer, given before the
 * first touch (a fresh allocation of this size is a fresh mapping). */
static void advise_huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* failure is harmless */
#else
    (void)p;
    (void)bytes;
#endif
}

void lwe_ksk_round_u32(uint32_t *ksk32, const uint64_t *ksk, size_t words)
{
    advise_huge_pages(ksk32, words * sizeof *ksk32);
    for (size_t i = 0; i < words; i++)
        ksk32[i] = (uint32_t)((ksk[i] + (1ull << 31)) >> 32);
}

/* out -= d * row over sz 32-bit words; cloned for AVX-512, AVX2 and plain
 * x86-64 and picked at load time. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
sub_scaled_u32(uint32_t *restrict out, const uint32_t *restrict row, uint32_t d, size_t sz)
{
    for (size_t w = 0; w < sz; w++)
        out[w] -= d * row[w];
}

void lwe_keyswitch_u32(uint64_t *out, const uint32_t *ksk32, const uint64_t *in, size_t n_in,
                       size_t n_out, unsigned base_log, unsigned level)
{
    size_t sz = lwe_size(n_out);
    /* accumulate in out's own storage, viewed as 32-bit words, then widen */
    uint32_t *acc = (uint32_t *)out;
    memset(acc, 0, n_out * sizeof *acc);
    acc[n_out] = (uint32_t)((in[n_in] + (1ull << 31)) >> 32);
    for (size_t i = 0; i < n_in; i++) {
        uint64_t state = decomp_init_u64(in[i], base_log, level);
        const uint32_t *block = ksk32 + i * level * sz;
        for (unsigned t = 0; t < level; t++) {
            uint32_t d = (uint32_t)decomp_next_u64(&state, base_log);
            if (d != 0)
                sub_scaled_u32(acc, block + t * sz, d, sz);
        }
    }
    /* widen in place, from the top so nothing is overwritten before it is read */
    for (size_t w = sz; w-- > 0;)
        out[w] = (uint64_t)acc[w] << 32;
}

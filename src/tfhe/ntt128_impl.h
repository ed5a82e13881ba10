/* Internals shared by ntt128.c and the per-instruction-set kernels
 * (ntt128.c holds the portable ones, ntt128_ifma.c the AVX-512 IFMA ones).
 * Not part of the API.
 *
 * Per prime p (p < 2^51, p = 1 mod 2^17) with psi a primitive 2N-th root of
 * unity, the forward transform is the Longa-Naehrig negacyclic
 * Cooley-Tukey NTT: stages s = 0 .. log2(N)-1, stage s with m = 2^s and
 * t = N / (2m) turns, for each block i < m and j in [2 i t, 2 i t + t),
 *     (a_j, a_{j+t}) <- (a_j + W a_{j+t}, a_j - W a_{j+t}),  W = fw[m + i],
 * fw[k] = psi^bitrev(k) (log2 N bits); the result is a(psi^(2 bitrev(i)+1))
 * at position i. The inverse runs the Gentleman-Sande mirror
 *     (a_j, a_{j+t}) <- (a_j + a_{j+t}, (a_j - a_{j+t}) iw[m + i]),
 * iw[k] = fw[k]^-1, stages s = log2(N)-1 .. 0, and scales by N^-1. The
 * transform order is then changed once more: every block of 64 positions is
 * transposed as an 8 x 8 matrix (position 64 B + 8 r + c holds bit-reversed
 * output 64 B + 8 c + r), which is the order the IFMA kernels produce
 * without shuffling between vectors.
 *
 * Multiplications by constants use Shoup's method: with W' = floor(W 2^b / p)
 * (b = 52 for IFMA, 64 for scalar) and q = floor(x W' / 2^b), x W - q p lies
 * in [0, 2p) for any x < 2^b.
 *
 * The multiply-accumulate of the external product is Montgomery's: the
 * kernels return sum d k 2^-R mod p (R = 52 or 64) and the inverse
 * transform, which multiplies by N^-1 anyway, multiplies by N^-1 2^R. */
#ifndef CKMS_TFHE_NTT128_IMPL_H
#define CKMS_TFHE_NTT128_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "tfhe/ntt128.h"

#define NTT128_P0 0x7fffffffe0001ull /* 2^51 - 2^17 + 1 */
#define NTT128_P1 0x7ffffffd20001ull /* 2^51 - 46 * 2^17 + 1 */

enum ntt128_mont { NTT128_R52 = 0, NTT128_R64 = 1 };

struct ntt128_prime {
    uint64_t p;
    uint64_t pinv52; /* -p^-1 mod 2^52 */
    uint64_t pinv64; /* -p^-1 mod 2^64 */
    /* fw[k], iw[k] for k in [1, N), with Shoup factors for 52 and 64 bits */
    uint64_t *fw, *fw52, *fw64;
    uint64_t *iw, *iw52, *iw64;
    /* The last inverse stage (s = 0, one twiddle iw[1]) folded with the
     * scale N^-1 2^R: x' = (u + v) scale, y' = (u - v) iw[1] scale. */
    uint64_t scale[2], scale52[2], scale64[2];
    uint64_t w0s[2], w0s52[2], w0s64[2];
    /* IFMA tail tables (last three stages on transposed 8 x 8 blocks): per
     * block of 64, 7 twiddle vectors then their 7 Shoup vectors (8 lanes). */
    uint64_t *tail_fw, *tail_iw;
};

struct ntt128_plan;

struct ntt128_ops {
    enum ntt128_isa isa;
    /* out (N residues in [0, p), transform order) = NTT of in, |in[i]| < p */
    void (*forward)(const struct ntt128_plan *plan, unsigned pi, uint64_t *out,
                    const int64_t *in);
    /* in place, a[i] in [0, 2p) on entry: a = N^-1 2^R INTT(a), natural
     * order, every value in [0, p) */
    void (*inverse)(const struct ntt128_plan *plan, unsigned pi, uint64_t *a,
                    enum ntt128_mont mont);
    /* out[((c L + m) 2 + pi) N + i] = sum_t small[t][pi][i] ggsw[..] 2^-R in
     * [0, 2p), R the kernel's own (mac_mont) */
    void (*mac_ggsw)(const struct ntt128_plan *plan, uint64_t *out, const uint64_t *small,
                     const uint64_t *ggsw, unsigned terms, unsigned cols);
    enum ntt128_mont mac_mont;
    /* (acc_hi : acc_lo) += sum_m CRT(res[m][0], res[m][1]) 2^(w m) mod
     * 2^128, res as inverse leaves it ([0, p), natural order) */
    void (*crt_add)(const struct ntt128_plan *plan, uint64_t *acc_lo, uint64_t *acc_hi,
                    const uint64_t *res);
};

struct ntt128_plan {
    size_t N;
    unsigned log2n;
    unsigned small_log;
    size_t max_terms;
    unsigned limbs, limb_bits;
    const struct ntt128_ops *ops;
    struct ntt128_prime pr[2];
    /* Montgomery output range of mac_ggsw: reduce by 2^j p for j = red_top..1 */
    unsigned red_top;
    /* CRT: t1 = (r1 - r0) p0^-1 mod p1; X = r0 + p0 t1; X - P if t1 > half */
    uint64_t p0inv, p0inv52, p0inv64; /* p0^-1 mod p1 */
    uint64_t half;                    /* (p1 - 1) / 2 */
    u128 P;                           /* p0 p1 */
};

extern const struct ntt128_ops ntt128_ops_scalar;
#if defined(__x86_64__)
extern const struct ntt128_ops ntt128_ops_ifma;
#endif

/* Coefficient i of sum_m CRT(res[m][0], res[m][1]) 2^(w m) mod 2^128, from
 * residues in [0, p) (the layout crt_add reads). Branch-free. */
static inline u128 ntt128_crt_coeff(const struct ntt128_plan *plan, const uint64_t *res, size_t i)
{
    const uint64_t p0 = plan->pr[0].p, p1 = plan->pr[1].p;
    size_t N = plan->N;
    u128 sum = 0;
    for (unsigned m = 0; m < plan->limbs; m++) {
        uint64_t r0 = res[2 * m * N + i], r1 = res[(2 * m + 1) * N + i];
        uint64_t r0m = r0 - (p1 & (0 - (uint64_t)(r0 >= p1))); /* r0 < p0 < 2 p1 */
        uint64_t d = r1 + p1 - r0m;                            /* (0, 2 p1) */
        uint64_t q = (uint64_t)(((u128)d * plan->p0inv64) >> 64);
        uint64_t t1 = d * plan->p0inv - q * p1; /* [0, 2 p1) */
        t1 -= p1 & (0 - (uint64_t)(t1 >= p1));
        u128 x = r0 + (u128)p0 * t1;            /* in [0, P) */
        x -= plan->P & (0 - (u128)(t1 > plan->half)); /* centered lift, two's complement */
        sum += x << (plan->limb_bits * m);
    }
    return sum;
}

/* Transposes every 8 x 8 block of a (N words, N a multiple of 64). */
void ntt128_transpose_blocks(uint64_t *a, size_t N);

#endif

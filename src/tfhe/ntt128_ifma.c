/* AVX-512 IFMA kernels of the 128-bit NTT products: 8 residues per vector,
 * products by VPMADD52LUQ / VPMADD52HUQ (the low and high 52 bits of a
 * 52 x 52-bit product, added to a 64-bit lane).
 *
 * Ranges. Both primes are below 2^51, so every value kept between stages
 * is in [0, 2p) and below 2^52, the width the multiplier reads:
 *   Shoup     T = x W - q p with q = hi52(x W'): T in [0, 2p) for x < 2^52;
 *             computed as lo52(x W) + lo52(q (2^52 - p)) mod 2^52, exact
 *             because T < 2^52.
 *   CT        (u, v) -> (u + T, u - T), the sum reduced from [0, 4p) to
 *             [0, 2p) by min(x, x - 2p) (unsigned: x - 2p wraps when x < 2p),
 *             the difference by min(d, d + 2p) (d wraps when u < T).
 *   GS        (u, v) -> (u + v, (u - v) W), reduced the same way, the
 *             difference before the multiplication.
 *   MAC       the low and high halves of up to max_terms products d k
 *             (d, k < p) accumulate in 64-bit lanes (max_terms 2^52 <
 *             2^64), then one Montgomery reduction by 2^52 gives a value
 *             below (max_terms / 2 + 1) p, brought into [0, 2p) by
 *             min(x, x - 2^j p) for j = red_top .. 1.
 * Passes: the stages whose butterflies span at least 8 coefficients run up
 * to four at a time on 16 vectors held in registers; the last three run on
 * 8 x 8 transposed blocks (ntt128_impl.h), so no data crosses lanes except
 * in the transpose. */
#if defined(__x86_64__)

#include <immintrin.h>

#include "tfhe/ntt128_impl.h"

#define IFMA_FN __attribute__((target("avx512f,avx512ifma,avx512vl,avx512dq,avx512bw")))
#define IFMA_INLINE IFMA_FN static inline __attribute__((always_inline))

typedef __m512i vec;

struct kc {
    vec p, p2, negp, mask, zero;
};

IFMA_INLINE struct kc kc_of(uint64_t p)
{
    struct kc k;
    k.p = _mm512_set1_epi64((long long)p);
    k.p2 = _mm512_set1_epi64((long long)(2 * p));
    k.negp = _mm512_set1_epi64((long long)((1ull << 52) - p));
    k.mask = _mm512_set1_epi64((long long)((1ull << 52) - 1));
    k.zero = _mm512_setzero_si512();
    return k;
}

IFMA_INLINE vec ld(const uint64_t *p) { return _mm512_loadu_si512((const void *)p); }
IFMA_INLINE void st(uint64_t *p, vec v) { _mm512_storeu_si512((void *)p, v); }
IFMA_INLINE vec bc(uint64_t x) { return _mm512_set1_epi64((long long)x); }

/* x mod 2r -> [0, r) style reduction: min(x, x - r) for x in [0, 2r) */
IFMA_INLINE vec red(vec x, vec r) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, r)); }

IFMA_INLINE vec mul_shoup(vec x, vec w, vec wp, const struct kc *k)
{
    vec q = _mm512_madd52hi_epu64(k->zero, x, wp);
    vec t = _mm512_madd52lo_epu64(k->zero, x, w);
    t = _mm512_madd52lo_epu64(t, q, k->negp);
    return _mm512_and_si512(t, k->mask);
}

/* u - v mod 2p for u, v in [0, 2p): d = u - v is the answer when it does
 * not wrap, d + 2p when it does, and min picks the right one (a wrapped d
 * is huge as an unsigned word). */
IFMA_INLINE vec sub2p(vec u, vec v, const struct kc *k)
{
    vec d = _mm512_sub_epi64(u, v);
    return _mm512_min_epu64(d, _mm512_add_epi64(d, k->p2));
}

IFMA_INLINE void ct(vec *u, vec *v, vec w, vec wp, const struct kc *k)
{
    vec t = mul_shoup(*v, w, wp, k);
    vec x = _mm512_add_epi64(*u, t);
    *v = sub2p(*u, t, k);
    *u = red(x, k->p2);
}

IFMA_INLINE void gs(vec *u, vec *v, vec w, vec wp, const struct kc *k)
{
    vec x = _mm512_add_epi64(*u, *v);
    vec y = sub2p(*u, *v, k);
    *u = red(x, k->p2);
    *v = mul_shoup(y, w, wp, k);
}

/* 8 x 8 transpose of 64-bit lanes: x[r] lane c <-> x[c] lane r. */
IFMA_INLINE void transpose8(vec x[8])
{
    const vec i1lo = _mm512_set_epi64(14, 6, 12, 4, 10, 2, 8, 0);
    const vec i1hi = _mm512_set_epi64(15, 7, 13, 5, 11, 3, 9, 1);
    const vec i2lo = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const vec i2hi = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    const vec i3lo = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
    const vec i3hi = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
    vec a[8], b[8];
    for (int r = 0; r < 8; r += 2) {
        a[r] = _mm512_permutex2var_epi64(x[r], i1lo, x[r + 1]);
        a[r + 1] = _mm512_permutex2var_epi64(x[r], i1hi, x[r + 1]);
    }
    for (int r = 0; r < 8; r += 4)
        for (int j = 0; j < 2; j++) {
            b[r + j] = _mm512_permutex2var_epi64(a[r + j], i2lo, a[r + j + 2]);
            b[r + j + 2] = _mm512_permutex2var_epi64(a[r + j], i2hi, a[r + j + 2]);
        }
    for (int j = 0; j < 4; j++) {
        x[j] = _mm512_permutex2var_epi64(b[j], i3lo, b[j + 4]);
        x[j + 4] = _mm512_permutex2var_epi64(b[j], i3hi, b[j + 4]);
    }
}

/* ---- forward ---- */

/* Stages s0 .. s0 + r - 1 on 2^r vectors at distance d = N >> (s0 + r)
 * (>= 8 coefficients). conv: the first pass reads signed inputs. */
IFMA_INLINE void fwd_pass(uint64_t *out, const int64_t *in, size_t N, unsigned s0,
                          const unsigned r, const struct ntt128_prime *pr, const struct kc *k,
                          const int conv)
{
    const unsigned R = 1u << r;
    size_t t0 = N >> (s0 + 1), d = N >> (s0 + r);
    for (size_t i0 = 0; i0 < ((size_t)1 << s0); i0++)
        for (size_t off = 0; off < d; off += 8) {
            size_t base = 2 * i0 * t0 + off;
            vec x[16];
#pragma GCC unroll 16
            for (unsigned e = 0; e < R; e++) {
                if (conv) {
                    vec v = ld((const uint64_t *)in + base + e * d);
                    x[e] = _mm512_add_epi64(v, _mm512_and_si512(k->p, _mm512_srai_epi64(v, 63)));
                } else {
                    x[e] = ld(out + base + e * d);
                }
            }
#pragma GCC unroll 4
            for (unsigned kk = 0; kk < r; kk++) {
                size_t m = (size_t)1 << (s0 + kk);
                unsigned half = R >> (kk + 1);
#pragma GCC unroll 16
                for (unsigned e = 0; e < R; e++) {
                    if (e & half)
                        continue;
                    size_t i = (i0 << kk) + (e >> (r - kk));
                    ct(&x[e], &x[e + half], bc(pr->fw[m + i]), bc(pr->fw52[m + i]), k);
                }
            }
#pragma GCC unroll 16
            for (unsigned e = 0; e < R; e++)
                st(out + base + e * d, x[e]);
        }
}

IFMA_INLINE void fwd_tail(uint64_t *a, size_t N, const struct ntt128_prime *pr,
                          const struct kc *k)
{
    for (size_t B = 0; B < N / 64; B++) {
        uint64_t *blk = a + 64 * B;
        const uint64_t *tw = pr->tail_fw + B * 112;
        vec x[8];
        for (int e = 0; e < 8; e++)
            x[e] = ld(blk + 8 * e);
        transpose8(x);
        for (int c = 0; c < 4; c++)
            ct(&x[c], &x[c + 4], ld(tw), ld(tw + 56), k);
        for (int c = 0; c < 2; c++) {
            ct(&x[c], &x[c + 2], ld(tw + 8), ld(tw + 64), k);
            ct(&x[c + 4], &x[c + 6], ld(tw + 16), ld(tw + 72), k);
        }
        for (int g = 0; g < 4; g++)
            ct(&x[2 * g], &x[2 * g + 1], ld(tw + 24 + 8 * g), ld(tw + 80 + 8 * g), k);
        for (int c = 0; c < 8; c++)
            st(blk + 8 * c, red(x[c], k->p));
    }
}

IFMA_FN static void forward_ifma(const struct ntt128_plan *plan, unsigned pi, uint64_t *out,
                                 const int64_t *in)
{
    const struct ntt128_prime *pr = &plan->pr[pi];
    const struct kc k = kc_of(pr->p);
    size_t N = plan->N;
    unsigned nmain = plan->log2n - 3; /* stages with t >= 8 */
    for (unsigned s0 = 0; s0 < nmain; s0 += 4) {
        unsigned r = nmain - s0 < 4 ? nmain - s0 : 4;
        int conv = s0 == 0;
        switch (r) {
        case 4:
            conv ? fwd_pass(out, in, N, s0, 4, pr, &k, 1)
                 : fwd_pass(out, in, N, s0, 4, pr, &k, 0);
            break;
        case 3:
            conv ? fwd_pass(out, in, N, s0, 3, pr, &k, 1)
                 : fwd_pass(out, in, N, s0, 3, pr, &k, 0);
            break;
        case 2:
            fwd_pass(out, in, N, s0, 2, pr, &k, 0); /* nmain >= 3: never first */
            break;
        default:
            fwd_pass(out, in, N, s0, 1, pr, &k, 0);
            break;
        }
    }
    fwd_tail(out, N, pr, &k);
}

/* ---- inverse ---- */

/* Gentleman-Sande stages s0 + r - 1 down to s0 (the mirror of fwd_pass).
 * last: s0 == 0, the final stage folds in the scale and reduces to [0, p). */
IFMA_INLINE void inv_pass(uint64_t *a, size_t N, unsigned s0, const unsigned r,
                          const struct ntt128_prime *pr, const struct kc *k, const int last,
                          enum ntt128_mont mont)
{
    const unsigned R = 1u << r;
    size_t t0 = N >> (s0 + 1), d = N >> (s0 + r);
    for (size_t i0 = 0; i0 < ((size_t)1 << s0); i0++)
        for (size_t off = 0; off < d; off += 8) {
            size_t base = 2 * i0 * t0 + off;
            vec x[16];
#pragma GCC unroll 16
            for (unsigned e = 0; e < R; e++)
                x[e] = ld(a + base + e * d);
#pragma GCC unroll 4
            for (unsigned kk = r; kk-- > 0;) {
                size_t m = (size_t)1 << (s0 + kk);
                unsigned half = R >> (kk + 1);
#pragma GCC unroll 16
                for (unsigned e = 0; e < R; e++) {
                    if (e & half)
                        continue;
                    if (last && kk == 0) {
                        vec u = x[e], v = x[e + half];
                        vec s = red(_mm512_add_epi64(u, v), k->p2);
                        vec df = sub2p(u, v, k);
                        x[e] = red(mul_shoup(s, bc(pr->scale[mont]), bc(pr->scale52[mont]), k),
                                   k->p);
                        x[e + half] = red(
                            mul_shoup(df, bc(pr->w0s[mont]), bc(pr->w0s52[mont]), k), k->p);
                        continue;
                    }
                    size_t i = (i0 << kk) + (e >> (r - kk));
                    gs(&x[e], &x[e + half], bc(pr->iw[m + i]), bc(pr->iw52[m + i]), k);
                }
            }
#pragma GCC unroll 16
            for (unsigned e = 0; e < R; e++)
                st(a + base + e * d, x[e]);
        }
}

IFMA_INLINE void inv_tail(uint64_t *a, size_t N, const struct ntt128_prime *pr,
                          const struct kc *k)
{
    for (size_t B = 0; B < N / 64; B++) {
        uint64_t *blk = a + 64 * B;
        const uint64_t *tw = pr->tail_iw + B * 112;
        vec x[8];
        for (int c = 0; c < 8; c++)
            x[c] = ld(blk + 8 * c);
        for (int g = 0; g < 4; g++)
            gs(&x[2 * g], &x[2 * g + 1], ld(tw + 24 + 8 * g), ld(tw + 80 + 8 * g), k);
        for (int c = 0; c < 2; c++) {
            gs(&x[c], &x[c + 2], ld(tw + 8), ld(tw + 64), k);
            gs(&x[c + 4], &x[c + 6], ld(tw + 16), ld(tw + 72), k);
        }
        for (int c = 0; c < 4; c++)
            gs(&x[c], &x[c + 4], ld(tw), ld(tw + 56), k);
        transpose8(x);
        for (int e = 0; e < 8; e++)
            st(blk + 8 * e, x[e]);
    }
}

IFMA_FN static void inverse_ifma(const struct ntt128_plan *plan, unsigned pi, uint64_t *a,
                                 enum ntt128_mont mont)
{
    const struct ntt128_prime *pr = &plan->pr[pi];
    const struct kc k = kc_of(pr->p);
    size_t N = plan->N;
    unsigned nmain = plan->log2n - 3;
    inv_tail(a, N, pr, &k);
    /* the forward's chunks of four stages, last chunk first */
    unsigned s0 = (nmain - 1) / 4 * 4;
    for (;; s0 -= 4) {
        unsigned r = nmain - s0 < 4 ? nmain - s0 : 4;
        int last = s0 == 0;
        switch (r) {
        case 4:
            last ? inv_pass(a, N, s0, 4, pr, &k, 1, mont)
                 : inv_pass(a, N, s0, 4, pr, &k, 0, mont);
            break;
        case 3:
            last ? inv_pass(a, N, s0, 3, pr, &k, 1, mont)
                 : inv_pass(a, N, s0, 3, pr, &k, 0, mont);
            break;
        case 2:
            inv_pass(a, N, s0, 2, pr, &k, 0, mont); /* nmain >= 3: never last */
            break;
        default:
            inv_pass(a, N, s0, 1, pr, &k, 0, mont);
            break;
        }
        if (s0 == 0)
            break;
    }
}

/* ---- multiply-accumulate ---- */

/* (lo + 2^52 hi) 2^-52 mod p, reduced into [0, 2p). */
IFMA_INLINE vec mont_reduce(vec lo, vec hi, vec pinv, vec mults[16], unsigned red_top,
                            const struct kc *k)
{
    hi = _mm512_add_epi64(hi, _mm512_srli_epi64(lo, 52));
    lo = _mm512_and_si512(lo, k->mask);
    vec m = _mm512_madd52lo_epu64(k->zero, lo, pinv);
    vec s = _mm512_madd52lo_epu64(lo, m, k->p); /* 0 or 2^52 */
    vec t = _mm512_madd52hi_epu64(hi, m, k->p);
    t = _mm512_add_epi64(t, _mm512_srli_epi64(s, 52));
    for (unsigned j = red_top; j >= 1; j--)
        t = red(t, mults[j]);
    return t;
}

IFMA_INLINE void mac_block(uint64_t *out, const uint64_t *small, const uint64_t *g, size_t N,
                           unsigned pi, unsigned terms, const unsigned CL, vec pinv,
                           vec mults[16], unsigned red_top, const struct kc *k)
{
    for (size_t q = 0; q < N / 8; q++) {
        vec lo[16], hi[16];
#pragma GCC unroll 16
        for (unsigned j = 0; j < CL; j++)
            lo[j] = hi[j] = k->zero;
        for (unsigned t = 0; t < terms; t++) {
            vec dv = ld(small + t * 2 * N + pi * N + 8 * q);
#pragma GCC unroll 16
            for (unsigned j = 0; j < CL; j++) {
                vec kv = ld(g + 8 * j);
                lo[j] = _mm512_madd52lo_epu64(lo[j], dv, kv);
                hi[j] = _mm512_madd52hi_epu64(hi[j], dv, kv);
            }
            g += 8 * CL;
        }
#pragma GCC unroll 16
        for (unsigned j = 0; j < CL; j++)
            st(out + (2 * j + pi) * N + 8 * q, mont_reduce(lo[j], hi[j], pinv, mults, red_top, k));
    }
}

IFMA_FN static void mac_ggsw_ifma(const struct ntt128_plan *plan, uint64_t *out,
                                  const uint64_t *small, const uint64_t *ggsw, unsigned terms,
                                  unsigned cols)
{
    size_t N = plan->N;
    unsigned CL = cols * plan->limbs;
    for (unsigned pi = 0; pi < 2; pi++) {
        const struct ntt128_prime *pr = &plan->pr[pi];
        const struct kc k = kc_of(pr->p);
        vec pinv = bc(pr->pinv52), mults[16];
        for (unsigned j = 0; j < 16; j++)
            mults[j] = bc(pr->p << j);
        const uint64_t *g = ggsw + (size_t)pi * (N / 8) * terms * CL * 8;
        switch (CL) { /* constant widths keep the accumulators in registers */
        case 6:
            mac_block(out, small, g, N, pi, terms, 6, pinv, mults, plan->red_top, &k);
            break;
        case 4:
            mac_block(out, small, g, N, pi, terms, 4, pinv, mults, plan->red_top, &k);
            break;
        default: {
            /* wider GGSWs: one column-limb at a time */
            size_t stride = (size_t)terms * CL * 8;
            for (unsigned j = 0; j < CL; j++)
                for (size_t q = 0; q < N / 8; q++) {
                    vec lo = k.zero, hi = k.zero;
                    const uint64_t *gq = g + q * stride + 8 * j;
                    for (unsigned t = 0; t < terms; t++) {
                        vec dv = ld(small + t * 2 * N + pi * N + 8 * q);
                        vec kv = ld(gq + (size_t)t * CL * 8);
                        lo = _mm512_madd52lo_epu64(lo, dv, kv);
                        hi = _mm512_madd52hi_epu64(hi, dv, kv);
                    }
                    st(out + (2 * j + pi) * N + 8 * q,
                       mont_reduce(lo, hi, pinv, mults, plan->red_top, &k));
                }
            break;
        }
        }
    }
}

/* ---- CRT ---- */

/* x << s for a 128-bit value (lo, hi), s < 128 a plan constant. */
IFMA_INLINE void shl128(vec *lo, vec *hi, unsigned s)
{
    if (s == 0)
        return;
    if (s >= 64) {
        *hi = _mm512_sll_epi64(*lo, _mm_cvtsi32_si128((int)(s - 64)));
        *lo = _mm512_setzero_si512();
        return;
    }
    __m128i sl = _mm_cvtsi32_si128((int)s), sr = _mm_cvtsi32_si128((int)(64 - s));
    *hi = _mm512_or_si512(_mm512_sll_epi64(*hi, sl), _mm512_srl_epi64(*lo, sr));
    *lo = _mm512_sll_epi64(*lo, sl);
}

IFMA_INLINE void add128(vec *lo, vec *hi, vec blo, vec bhi, vec one)
{
    vec s = _mm512_add_epi64(*lo, blo);
    __mmask8 carry = _mm512_cmplt_epu64_mask(s, blo);
    *hi = _mm512_mask_add_epi64(_mm512_add_epi64(*hi, bhi), carry,
                                _mm512_add_epi64(*hi, bhi), one);
    *lo = s;
}

IFMA_FN static void crt_add_ifma(const struct ntt128_plan *plan, uint64_t *acc_lo,
                                 uint64_t *acc_hi, const uint64_t *res)
{
    size_t N = plan->N;
    const struct kc k1 = kc_of(plan->pr[1].p);
    const vec p0 = bc(plan->pr[0].p), p1 = k1.p, one = bc(1), two52 = bc(1ull << 52);
    const vec inv = bc(plan->p0inv), inv52 = bc(plan->p0inv52), half = bc(plan->half);
    const vec plo = bc((uint64_t)plan->P & ((1ull << 52) - 1));
    const vec phi1 = bc((uint64_t)(plan->P >> 52) + 1); /* P >> 52, plus the 1 moved to lo */
    for (size_t i = 0; i < N; i += 8) {
        vec rlo = _mm512_setzero_si512(), rhi = rlo;
        for (unsigned m = 0; m < plan->limbs; m++) {
            vec r0 = ld(res + 2 * m * N + i), r1 = ld(res + (2 * m + 1) * N + i);
            vec d = _mm512_sub_epi64(_mm512_add_epi64(r1, p1), red(r0, p1)); /* (0, 2 p1) */
            vec t1 = red(mul_shoup(d, inv, inv52, &k1), p1);
            vec lo = _mm512_madd52lo_epu64(r0, t1, p0); /* X = lo + 2^52 hi */
            vec hi = _mm512_madd52hi_epu64(k1.zero, t1, p0);
            __mmask8 neg = _mm512_cmpgt_epu64_mask(t1, half);
            /* X - [neg] P, written as (lo - [neg] plo + 2^52) + 2^52 (hi - [neg] phi - 1)
             * so that the low part is positive */
            lo = _mm512_add_epi64(_mm512_mask_sub_epi64(lo, neg, lo, plo), two52);
            hi = _mm512_mask_sub_epi64(_mm512_sub_epi64(hi, one), neg, hi, phi1);
            hi = _mm512_add_epi64(hi, _mm512_srli_epi64(lo, 52));
            lo = _mm512_and_si512(lo, k1.mask);
            vec alo = _mm512_or_si512(lo, _mm512_slli_epi64(hi, 52));
            vec ahi = _mm512_srai_epi64(hi, 12);
            shl128(&alo, &ahi, plan->limb_bits * m);
            add128(&rlo, &rhi, alo, ahi, one);
        }
        vec lo = ld(acc_lo + i), hi = ld(acc_hi + i);
        add128(&lo, &hi, rlo, rhi, one);
        st(acc_lo + i, lo);
        st(acc_hi + i, hi);
    }
}

const struct ntt128_ops ntt128_ops_ifma = {
    .isa = NTT128_ISA_IFMA,
    .forward = forward_ifma,
    .inverse = inverse_ifma,
    .mac_ggsw = mac_ggsw_ifma,
    .mac_mont = NTT128_R52,
    .crt_add = crt_add_ifma,
};

#endif

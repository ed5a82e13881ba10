/* AVX2 + FMA FFT kernels (4 doubles per vector). Compiled for the baseline
 * ISA with per-function target attributes; fft.c calls them only after
 * checking the CPU. */
#include "tfhe/fft_impl.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

typedef __m256d vd;
#define VW 4
#define FFT_FN __attribute__((target("avx2,fma")))
#define V_PIN(x) __asm__("" : "+x"(x))
#define FFT_HAS_TAIL 1

#define MAGIC_2P52_2P51 0x1.8p52 /* adding it rounds |x| < 2^51 to an integer */

FFT_FN static inline vd v_load(const double *p) { return _mm256_loadu_pd(p); }
FFT_FN static inline void v_store(double *p, vd a) { _mm256_storeu_pd(p, a); }
FFT_FN static inline vd v_set1(double a) { return _mm256_set1_pd(a); }
FFT_FN static inline vd v_add(vd a, vd b) { return _mm256_add_pd(a, b); }
FFT_FN static inline vd v_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
FFT_FN static inline vd v_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
FFT_FN static inline vd v_fmadd(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
FFT_FN static inline vd v_fmsub(vd a, vd b, vd c) { return _mm256_fmsub_pd(a, b, c); }
FFT_FN static inline vd v_fnmadd(vd a, vd b, vd c) { return _mm256_fnmadd_pd(a, b, c); }

/* |x| < 2^51: the bits of 2^52+2^51+x are those of the magic plus x. */
FFT_FN static inline vd v_cvt_small(const uint64_t *p)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)p);
    __m256d m = _mm256_set1_pd(MAGIC_2P52_2P51);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(x, _mm256_castpd_si256(m))), m);
}

/* Any int64, correctly rounded: x = H*2^48 + L with H = x >> 48 (signed) and
 * L = x mod 2^48. H*2^48 - 2^52 and 2^52 + L are built exactly by bit
 * splicing into the mantissas of 3*2^67 (ulp 2^16) and 2^52 (ulp 1); their
 * sum is x, rounded once. */
FFT_FN static inline vd v_cvt_int(const uint64_t *p)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)p);
    __m256d big = _mm256_set1_pd(0x1.8p68); /* 3*2^67 */
    __m256d p52 = _mm256_set1_pd(0x1p52);
    /* top dword of each lane = x >> 48 sign-extended; low dword cleared */
    __m256i hi = _mm256_blend_epi16(_mm256_srai_epi32(x, 16), _mm256_setzero_si256(), 0x33);
    hi = _mm256_add_epi64(hi, _mm256_castpd_si256(big)); /* 3*2^67 + H*2^48 */
    __m256i lo = _mm256_blend_epi16(x, _mm256_castpd_si256(p52), 0x88); /* 2^52 + L */
    __m256d h = _mm256_sub_pd(_mm256_castsi256_pd(hi), _mm256_add_pd(big, p52));
    return _mm256_add_pd(h, _mm256_castsi256_pd(lo));
}

/* out += round(y * 2^64) mod 2^64 (see fft_from_torus). With f = y - round(y)
 * and t = f*2^32 in [-2^31, 2^31]: round(f*2^64) = round(t)*2^32 +
 * round((t - round(t))*2^32), both halves rounded by the 2^52+2^51 magic, the
 * high one taken mod 2^32 from the low mantissa bits. */
FFT_FN static inline void v_torus_add(uint64_t *out, vd y)
{
    __m256d m = _mm256_set1_pd(MAGIC_2P52_2P51);
    __m256d f = _mm256_sub_pd(y, _mm256_round_pd(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256d t = _mm256_mul_pd(f, _mm256_set1_pd(0x1p32));
    __m256d hm = _mm256_add_pd(t, m);
    __m256d rem = _mm256_sub_pd(t, _mm256_sub_pd(hm, m));
    __m256d lm = _mm256_fmadd_pd(rem, _mm256_set1_pd(0x1p32), m);
    __m256i hi = _mm256_slli_epi64(_mm256_castpd_si256(hm), 32);
    __m256i lo = _mm256_sub_epi64(_mm256_castpd_si256(lm), _mm256_castpd_si256(m));
    __m256i acc = _mm256_loadu_si256((const __m256i *)out);
    acc = _mm256_add_epi64(acc, _mm256_add_epi64(hi, lo));
    _mm256_storeu_si256((__m256i *)out, acc);
}

/* The one-level digit (see fft_avx512.c) without 64-bit arithmetic shifts:
 * the logical shift's B-bit result is sign-extended by xor/subtract of
 * 2^(B-1), and |digit| <= 2^(B-1) <= 2^50 converts with the magic. */
typedef struct {
    __m256i h, top, tie, twob;
    __m128i shift;
} vdigit;

FFT_FN static inline vdigit v_digit_consts(unsigned base_log)
{
    uint64_t h = 1ull << (63 - base_log);
    vdigit k = {_mm256_set1_epi64x((long long)h),
                _mm256_set1_epi64x((long long)(1ull << (base_log - 1))),
                _mm256_set1_epi64x((long long)((1ull << 63) + h)),
                _mm256_set1_epi64x((long long)(1ull << base_log)),
                _mm_cvtsi32_si128((int)(64 - base_log))};
    return k;
}

FFT_FN static inline vd v_rot_digit(const uint64_t *src, int neg, const uint64_t *p,
                                    const vdigit *k)
{
    __m256i r = _mm256_loadu_si256((const __m256i *)src);
    __m256i q = _mm256_loadu_si256((const __m256i *)p);
    __m256i x = neg ? _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_add_epi64(r, q))
                    : _mm256_sub_epi64(r, q);
    __m256i y = _mm256_srl_epi64(_mm256_add_epi64(x, k->h), k->shift);
    y = _mm256_sub_epi64(_mm256_xor_si256(y, k->top), k->top);
    __m256i tie = _mm256_cmpgt_epi64(k->tie, x); /* x < -2^63 + h, see fft_avx512.c */
    y = _mm256_add_epi64(y, _mm256_and_si256(tie, k->twob));
    __m256d m = _mm256_set1_pd(MAGIC_2P52_2P51);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(y, _mm256_castpd_si256(m))), m);
}

#include "tfhe/fft_kernels.h"

/* Radix-4 DIF with q = 1 inside one vector: lanes [a0 a1 a2 a3] become
 * [(a0+a2)+(a1+a3), (a0+a2)-(a1+a3), (a0-a2)-i(a1-a3), (a0-a2)+i(a1-a3)]. */
FFT_INLINE cv fwd_r4_lanes(cv a)
{
    const vd ppmm = _mm256_setr_pd(1, 1, -1, -1), pmpm = _mm256_setr_pd(1, -1, 1, -1);
    vd br = _mm256_fmadd_pd(a.re, ppmm, _mm256_permute2f128_pd(a.re, a.re, 1));
    vd bi = _mm256_fmadd_pd(a.im, ppmm, _mm256_permute2f128_pd(a.im, a.im, 1));
    /* b = [a0+a2, a1+a3, a0-a2, a1-a3]; lane 3 enters as -i*b3 = (b3.im, -b3.re) */
    vd tr = _mm256_blend_pd(br, bi, 8);
    vd ti = _mm256_blend_pd(bi, _mm256_sub_pd(_mm256_setzero_pd(), br), 8);
    cv c = {_mm256_fmadd_pd(tr, pmpm, _mm256_permute_pd(tr, 5)),
            _mm256_fmadd_pd(ti, pmpm, _mm256_permute_pd(ti, 5))};
    return c;
}

/* Inverse of fwd_r4_lanes times 4. */
FFT_INLINE cv inv_r4_lanes(cv c)
{
    const vd ppmm = _mm256_setr_pd(1, 1, -1, -1), pmpm = _mm256_setr_pd(1, -1, 1, -1);
    /* [A B C D] = [c0+c1, c0-c1, c2+c3, c2-c3] */
    vd yr = _mm256_fmadd_pd(c.re, pmpm, _mm256_permute_pd(c.re, 5));
    vd yi = _mm256_fmadd_pd(c.im, pmpm, _mm256_permute_pd(c.im, 5));
    /* [A+C, B+iD, A-C, B-iD]; lane 3 enters as i*D = (-D.im, D.re) */
    vd tr = _mm256_blend_pd(yr, _mm256_sub_pd(_mm256_setzero_pd(), yi), 8);
    vd ti = _mm256_blend_pd(yi, yr, 8);
    cv a = {_mm256_fmadd_pd(tr, ppmm, _mm256_permute2f128_pd(tr, tr, 1)),
            _mm256_fmadd_pd(ti, ppmm, _mm256_permute2f128_pd(ti, ti, 1))};
    return a;
}

/* Passes q = 4 and q = 1 on blocks of 16 points held in registers. The
 * q = 4 twiddles (chunk 4, j = 0..3) are loop invariant. */
FFT_FN static void fwd_tail(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    const double *row = plan->pass[plan->pass_count - 2].tab;
    const size_t C = 4;
    double *re = four, *im = four + n;
    for (size_t b = 0; b < n; b += 16) {
        if ((b & 63) == 0)
            fft_pf_step(pf);
        cv x0 = cv_load(re + b, im + b), x1 = cv_load(re + b + 4, im + b + 4);
        cv x2 = cv_load(re + b + 8, im + b + 8), x3 = cv_load(re + b + 12, im + b + 12);
        dft4(&x0, &x1, &x2, &x3);
        cv_store(re + b, im + b, fwd_r4_lanes(x0));
        cv_store(re + b + 4, im + b + 4, fwd_r4_lanes(TW(x1, 0)));
        cv_store(re + b + 8, im + b + 8, fwd_r4_lanes(TW(x2, 1)));
        cv_store(re + b + 12, im + b + 12, fwd_r4_lanes(TW(x3, 2)));
    }
}

/* Inverse of fwd_tail on one block of four vectors. */
FFT_INLINE void inv_head_block(const double *row, double *re, double *im, size_t b, cv v0, cv v1,
                               cv v2, cv v3)
{
    const size_t C = 4;
    cv x0 = inv_r4_lanes(v0), x1 = TWC(inv_r4_lanes(v1), 0);
    cv x2 = TWC(inv_r4_lanes(v2), 1), x3 = TWC(inv_r4_lanes(v3), 2);
    idft4(&x0, &x1, &x2, &x3);
    cv_store(re + b, im + b, x0);
    cv_store(re + b + 4, im + b + 4, x1);
    cv_store(re + b + 8, im + b + 8, x2);
    cv_store(re + b + 12, im + b + 12, x3);
}

FFT_FN static void inv_head(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    const double *row = plan->pass[plan->pass_count - 2].tab;
    double *re = four, *im = four + n;
    (void)pf; /* only called without a stream */
    for (size_t b = 0; b < n; b += 16)
        inv_head_block(row, re, im, b, cv_load(re + b, im + b), cv_load(re + b + 4, im + b + 4),
                       cv_load(re + b + 8, im + b + 8), cv_load(re + b + 12, im + b + 12));
}

FFT_FN static void inv_head_dot(const struct fft_plan *plan, double *four, const double *const *a,
                                const double *const *bb, size_t count, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    const double *row = plan->pass[plan->pass_count - 2].tab;
    double *re = four, *im = four + n;
    for (size_t b = 0; b < n; b += 16) {
        if ((b & 63) == 0)
            fft_pf_step(pf);
        inv_head_block(row, re, im, b, dot_at(a, bb, count, n, b), dot_at(a, bb, count, n, b + 4),
                       dot_at(a, bb, count, n, b + 8), dot_at(a, bb, count, n, b + 12));
    }
}

const struct fft_ops fft_ops_avx2 = {
    .isa = FFT_ISA_AVX2,
    .vw = 4,
    .min_n = 32,
    .max_radix = 4,
    .has_tail = 1,
    .forward = kernel_forward,
    .inverse = kernel_inverse,
    .mac = kernel_mac,
    .inverse_dot = kernel_inverse_dot,
    .cmux = kernel_cmux,
};

#endif

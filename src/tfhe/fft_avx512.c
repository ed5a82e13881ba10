/* AVX-512F/DQ FFT kernels (8 doubles per vector). Compiled for the baseline
 * ISA with per-function target attributes; fft.c calls them only after
 * checking the CPU. */
#include "tfhe/fft_impl.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

typedef __m512d vd;
#define VW 8
#define FFT_FN __attribute__((target("avx512f,avx512dq,fma")))
#define V_PIN(x) __asm__("" : "+v"(x))
#define FFT_HAS_TAIL 1
#define FFT_HAS_TAIL_DOT_HEAD2 1

#define ROUND_NEAREST (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

FFT_FN static inline vd v_load(const double *p) { return _mm512_loadu_pd(p); }
FFT_FN static inline void v_store(double *p, vd a) { _mm512_storeu_pd(p, a); }
FFT_FN static inline vd v_set1(double a) { return _mm512_set1_pd(a); }
FFT_FN static inline vd v_add(vd a, vd b) { return _mm512_add_pd(a, b); }
FFT_FN static inline vd v_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
FFT_FN static inline vd v_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
FFT_FN static inline vd v_fmadd(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
FFT_FN static inline vd v_fmsub(vd a, vd b, vd c) { return _mm512_fmsub_pd(a, b, c); }
FFT_FN static inline vd v_fnmadd(vd a, vd b, vd c) { return _mm512_fnmadd_pd(a, b, c); }

FFT_FN static inline vd v_cvt_int(const uint64_t *p)
{
    return _mm512_cvtepi64_pd(_mm512_loadu_si512(p));
}

FFT_FN static inline vd v_cvt_small(const uint64_t *p)
{
    return v_cvt_int(p);
}

/* out += round(y * 2^64) mod 2^64 (see fft_from_torus), for |y| < 2^63
 * (far beyond any real product; larger values give unspecified words).
 * With k = round(y) (an int64; back in double it is exact, since beyond
 * 2^53 y is already an integer), f = y - k is exact and
 * round(y*2^64) = k*2^64 + round(f*2^64) = round(f*2^64) mod 2^64; f*2^64 in
 * [-2^63, 2^63] converts with one rounding (2^63, out of range, comes back
 * as 0x8000..0 = 2^63 mod 2^64). Rounding by conversion rather than
 * vrndscalepd, which costs two cycles per vector on Zen 4. */
FFT_FN static inline void v_torus_add(uint64_t *out, vd y)
{
    __m512i k = _mm512_cvt_roundpd_epi64(y, ROUND_NEAREST);
    vd f = _mm512_sub_pd(y, _mm512_cvtepi64_pd(k));
    __m512i r = _mm512_cvt_roundpd_epi64(_mm512_mul_pd(f, _mm512_set1_pd(0x1p64)), ROUND_NEAREST);
    _mm512_storeu_si512(out, _mm512_add_epi64(_mm512_loadu_si512(out), r));
}

/* The one-level digit (decomp.h) of x = +-src - p: with h = 2^(63-B),
 * y = (x + h) >> (64 - B) (arithmetic) is the rounded top B bits as a value
 * in [-2^(B-1), 2^(B-1)); tfhe-rs keeps +2^(B-1) instead of -2^(B-1) when
 * the rounding went down, which is x in [2^63, 2^63 + h) (the top B + 1
 * bits 10..0): as a signed value, x < -2^63 + h. */
typedef struct {
    __m512i h, tie, twob;
    __m128i shift;
} vdigit;

FFT_FN static inline vdigit v_digit_consts(unsigned base_log)
{
    uint64_t h = 1ull << (63 - base_log);
    vdigit k = {_mm512_set1_epi64((long long)h), _mm512_set1_epi64((long long)((1ull << 63) + h)),
                _mm512_set1_epi64((long long)(1ull << base_log)),
                _mm_cvtsi32_si128((int)(64 - base_log))};
    return k;
}

FFT_FN static inline vd v_rot_digit(const uint64_t *src, int neg, const uint64_t *p,
                                    const vdigit *k)
{
    __m512i r = _mm512_loadu_si512(src), q = _mm512_loadu_si512(p);
    __m512i x = neg ? _mm512_sub_epi64(_mm512_setzero_si512(), _mm512_add_epi64(r, q))
                    : _mm512_sub_epi64(r, q);
    __m512i y = _mm512_sra_epi64(_mm512_add_epi64(x, k->h), k->shift);
    __mmask8 tie = _mm512_cmplt_epi64_mask(x, k->tie);
    return _mm512_cvtepi64_pd(_mm512_mask_add_epi64(y, tie, y, k->twob));
}

#include "tfhe/fft_kernels.h"

/* Swaps the two 256-bit halves. */
FFT_FN static inline vd swap_halves(vd a)
{
    return _mm512_shuffle_f64x2(a, a, 0x4e);
}

/* a with the lanes of mask m replaced by -b (a sign flip: one logic op
 * where blend + negate would take two) */
FFT_FN static inline vd blend_neg(vd a, __mmask8 m, vd b)
{
    return _mm512_mask_xor_pd(a, m, b, _mm512_set1_pd(-0.0));
}

/* [x_lo | x_hi] -> [x_lo + x_hi | x_lo - x_hi] */
FFT_FN static inline cv halves_bfly(cv x)
{
    const vd sgn = _mm512_setr_pd(1, 1, 1, 1, -1, -1, -1, -1);
    cv r = {_mm512_fmadd_pd(x.re, sgn, swap_halves(x.re)),
            _mm512_fmadd_pd(x.im, sgn, swap_halves(x.im))};
    return r;
}

/* Radix-4 DIF with q = 1 inside each 4-lane group (see fft_avx2.c). */
FFT_FN static inline cv fwd_r4_lanes(cv a)
{
    const vd ppmm = _mm512_setr_pd(1, 1, -1, -1, 1, 1, -1, -1);
    const vd pmpm = _mm512_setr_pd(1, -1, 1, -1, 1, -1, 1, -1);
    vd br = _mm512_fmadd_pd(a.re, ppmm, _mm512_permutex_pd(a.re, 0x4e));
    vd bi = _mm512_fmadd_pd(a.im, ppmm, _mm512_permutex_pd(a.im, 0x4e));
    vd tr = _mm512_mask_blend_pd(0x88, br, bi);
    vd ti = blend_neg(bi, 0x88, br);
    cv c = {_mm512_fmadd_pd(tr, pmpm, _mm512_permute_pd(tr, 0x55)),
            _mm512_fmadd_pd(ti, pmpm, _mm512_permute_pd(ti, 0x55))};
    return c;
}

FFT_FN static inline cv inv_r4_lanes(cv c)
{
    const vd ppmm = _mm512_setr_pd(1, 1, -1, -1, 1, 1, -1, -1);
    const vd pmpm = _mm512_setr_pd(1, -1, 1, -1, 1, -1, 1, -1);
    vd yr = _mm512_fmadd_pd(c.re, pmpm, _mm512_permute_pd(c.re, 0x55));
    vd yi = _mm512_fmadd_pd(c.im, pmpm, _mm512_permute_pd(c.im, 0x55));
    vd tr = blend_neg(yr, 0x88, yi);
    vd ti = _mm512_mask_blend_pd(0x88, yi, yr);
    cv a = {_mm512_fmadd_pd(tr, ppmm, _mm512_permutex_pd(tr, 0x4e)),
            _mm512_fmadd_pd(ti, ppmm, _mm512_permutex_pd(ti, 0x4e))};
    return a;
}

/* Twiddles of the q = 4 pass laid out for [c0|c1] (1 | w^2j) and [c2|c3]
 * (w^j | w^3j), j = 0..3. */
struct tail_tw {
    vd u0re, u0im, u1re, u1im;
};

FFT_FN static inline struct tail_tw tail_twiddles(const struct fft_plan *plan)
{
    /* q = 4 pass, chunk 4: factor p at tab + 8*(p-1) (re) and + 4 (im);
     * p = 1 is w^2j, p = 2 is w^j, p = 3 is w^3j */
    const double *tw = plan->pass[plan->pass_count - 2].tab;
    struct tail_tw t;
    __m256d one = _mm256_set1_pd(1), zero = _mm256_setzero_pd();
    t.u0re = _mm512_insertf64x4(_mm512_castpd256_pd512(one), _mm256_loadu_pd(tw + 0), 1);
    t.u0im = _mm512_insertf64x4(_mm512_castpd256_pd512(zero), _mm256_loadu_pd(tw + 4), 1);
    t.u1re = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tw + 8)),
                                _mm256_loadu_pd(tw + 16), 1);
    t.u1im = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tw + 12)),
                                _mm256_loadu_pd(tw + 20), 1);
    return t;
}

/* Passes q = 4 and q = 1 on one block of 16 points: v0 = [a0|a1],
 * v1 = [a2|a3] (a_t = 4 points) become *o0 = [c0|c1], *o1 = [c2|c3]. */
FFT_INLINE void fwd_tail_block(struct tail_tw t, cv v0, cv v1, cv *o0, cv *o1)
{
    cv p = cv_add(v0, v1), m = cv_sub(v0, v1); /* [s02|s13], [d02|d13] */
    /* d13 -> -i*d13 = (d13.im, -d13.re) in the upper half */
    cv mr = {_mm512_mask_blend_pd(0xf0, m.re, m.im), blend_neg(m.im, 0xf0, m.re)};
    *o0 = fwd_r4_lanes(cv_mul(halves_bfly(p), t.u0re, t.u0im));
    *o1 = fwd_r4_lanes(cv_mul(halves_bfly(mr), t.u1re, t.u1im));
}

FFT_FN static void fwd_tail(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    double *re = four, *im = four + n;
    struct tail_tw t = tail_twiddles(plan);
    for (size_t b = 0; b < n; b += 16) {
        if ((b & 63) == 0)
            fft_pf_step(pf);
        cv o0, o1;
        fwd_tail_block(t, cv_load(re + b, im + b), cv_load(re + b + 8, im + b + 8), &o0, &o1);
        cv_store(re + b, im + b, o0);
        cv_store(re + b + 8, im + b + 8, o1);
    }
}

/* Inverse of fwd_tail on one block whose two vectors are v0, v1. */
FFT_INLINE void inv_head_block(struct tail_tw t, double *re, double *im, size_t b, cv v0, cv v1)
{
    cv u0 = inv_r4_lanes(v0), u1 = inv_r4_lanes(v1);
    cv x = halves_bfly(cv_mulc(u0, t.u0re, t.u0im)); /* [A|B] */
    cv y = halves_bfly(cv_mulc(u1, t.u1re, t.u1im)); /* [C|D] */
    /* D -> i*D = (-D.im, D.re) in the upper half */
    cv yr = {blend_neg(y.re, 0xf0, y.im), _mm512_mask_blend_pd(0xf0, y.im, y.re)};
    cv_store(re + b, im + b, cv_add(x, yr));         /* [a0|a1] */
    cv_store(re + b + 8, im + b + 8, cv_sub(x, yr)); /* [a2|a3] */
}

FFT_FN static void inv_head(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    double *re = four, *im = four + n;
    struct tail_tw t = tail_twiddles(plan);
    (void)pf; /* only called without a stream */
    for (size_t b = 0; b < n; b += 16)
        inv_head_block(t, re, im, b, cv_load(re + b, im + b), cv_load(re + b + 8, im + b + 8));
}

FFT_FN static void inv_head_dot(const struct fft_plan *plan, double *four, const double *const *a,
                                const double *const *bb, size_t count, struct fft_prefetch *pf)
{
    size_t n = plan->n;
    double *re = four, *im = four + n;
    struct tail_tw t = tail_twiddles(plan);
    for (size_t b = 0; b < n; b += 16) {
        if ((b & 63) == 0)
            fft_pf_step(pf);
        inv_head_block(t, re, im, b, dot_at(a, bb, count, n, b), dot_at(a, bb, count, n, b + 8));
    }
}

/* The middle of a two-row external product (fft_cmux_l1, k = 1), on blocks
 * of 16 points: the forward tails of both digit transforms, their products
 * with the key's four polynomials (key + (2r + c) N) and the inverse heads
 * of both output columns, in registers; the digit transforms are never
 * stored. Same operations, in the same order, as fwd_tail, dot_at and
 * inv_head_block. */
FFT_FN static void tail_dot_head2(const struct fft_plan *plan, double *f0, double *f1,
                                  const double *key, double *g0, double *g1,
                                  struct fft_prefetch *pf)
{
    size_t n = plan->n, N = plan->poly_size;
    struct tail_tw t = tail_twiddles(plan);
    for (size_t b = 0; b < n; b += 16) {
        fft_pf_step(pf); /* four transforms' tail steps: one per 64 points each */
        cv x0, x1, y0, y1;
        fwd_tail_block(t, cv_load(f0 + b, f0 + n + b), cv_load(f0 + b + 8, f0 + n + b + 8), &x0,
                       &x1);
        fwd_tail_block(t, cv_load(f1 + b, f1 + n + b), cv_load(f1 + b + 8, f1 + n + b + 8), &y0,
                       &y1);
        for (size_t c = 0; c < 2; c++) {
            const double *k0 = key + c * N, *k1 = key + (2 + c) * N;
            double *g = c == 0 ? g0 : g1;
            cv lo = dot2(x0, cv_load(k0 + b, k0 + n + b), y0, cv_load(k1 + b, k1 + n + b));
            cv hi = dot2(x1, cv_load(k0 + b + 8, k0 + n + b + 8), y1,
                         cv_load(k1 + b + 8, k1 + n + b + 8));
            inv_head_block(t, g, g + n, b, lo, hi);
        }
    }
}

const struct fft_ops fft_ops_avx512 = {
    .isa = FFT_ISA_AVX512,
    .vw = 8,
    .min_n = 32,
    .max_radix = 8,
    .has_tail = 1,
    .forward = kernel_forward,
    .inverse = kernel_inverse,
    .mac = kernel_mac,
    .inverse_dot = kernel_inverse_dot,
    .cmux = kernel_cmux,
};

#endif

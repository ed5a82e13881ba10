/* FFT passes written once over a small vector vocabulary, included by each
 * instruction-set file (fft_scalar.c, fft_avx2.c, fft_avx512.c) after it
 * defines:
 *   vd, VW                      vector of VW doubles
 *   FFT_FN                      attributes for every function here
 *   v_load v_store v_set1 v_add v_sub v_mul
 *   v_fmadd(a,b,c)=a*b+c  v_fmsub(a,b,c)=a*b-c  v_fnmadd(a,b,c)=c-a*b
 *   v_cvt_small(p), v_cvt_int(p)   VW words read as int64, to double
 *   v_torus_add(out, y)            out[0..VW) += from_torus(y) (mod 2^64)
 *   vdigit, v_digit_consts(B)   constants of v_rot_digit for base 2^B
 *   v_rot_digit(src, neg, p, &k)   the one-level digit (decomp.h) of
 *                               +-src[l] - p[l] (- if neg), l < VW, to double
 *   V_PIN(x)                    keep x in a register (empty asm) or nothing
 *   FFT_HAS_TAIL                1 if the file defines fwd_tail/inv_head for
 *                               the last two passes (radix 4, q = 4 and 1)
 * Every pass here needs q >= VW. See fft_impl.h for the pass structure. */
#ifndef FFT_FN
#error "define the vector vocabulary before including fft_kernels.h"
#endif

#define FFT_INLINE FFT_FN static inline __attribute__((always_inline))

typedef struct {
    vd re, im;
} cv;

FFT_INLINE cv cv_load(const double *re, const double *im)
{
    cv r = {v_load(re), v_load(im)};
    return r;
}

FFT_INLINE void cv_store(double *re, double *im, cv a)
{
    v_store(re, a.re);
    v_store(im, a.im);
}

FFT_INLINE cv cv_add(cv a, cv b)
{
    cv r = {v_add(a.re, b.re), v_add(a.im, b.im)};
    return r;
}

FFT_INLINE cv cv_sub(cv a, cv b)
{
    cv r = {v_sub(a.re, b.re), v_sub(a.im, b.im)};
    return r;
}

/* a * w. The factors are pinned in registers: otherwise GCC reloads each
 * one as a memory operand of both instructions that use it, and the passes
 * become load-bound. */
FFT_INLINE cv cv_mul(cv a, vd wre, vd wim)
{
    V_PIN(wre);
    V_PIN(wim);
    cv r = {v_fmsub(a.re, wre, v_mul(a.im, wim)), v_fmadd(a.re, wim, v_mul(a.im, wre))};
    return r;
}

/* a * conj(w) */
FFT_INLINE cv cv_mulc(cv a, vd wre, vd wim)
{
    V_PIN(wre);
    V_PIN(wim);
    cv r = {v_fmadd(a.re, wre, v_mul(a.im, wim)), v_fmsub(a.im, wre, v_mul(a.re, wim))};
    return r;
}

/* ---- DFT butterflies, in place, outputs in bit-reversed position ----
 * (Separate variables rather than arrays: GCC keeps arrays of vectors on
 * the stack.) */

FFT_INLINE void dft2(cv *x0, cv *x1)
{
    cv u = cv_add(*x0, *x1), v = cv_sub(*x0, *x1);
    *x0 = u;
    *x1 = v;
}

/* 4-point DFT from the sums/differences of (a0, a2) and (a1, a3). */
FFT_INLINE void dft4_finish(cv *x0, cv *x1, cv *x2, cv *x3, cv s02, cv d02, cv s13, cv d13)
{
    *x0 = cv_add(s02, s13);
    *x1 = cv_sub(s02, s13);
    x2->re = v_add(d02.re, d13.im); /* d02 - i*d13 */
    x2->im = v_sub(d02.im, d13.re);
    x3->re = v_sub(d02.re, d13.im); /* d02 + i*d13 */
    x3->im = v_add(d02.im, d13.re);
}

FFT_INLINE void dft4(cv *x0, cv *x1, cv *x2, cv *x3)
{
    dft4_finish(x0, x1, x2, x3, cv_add(*x0, *x2), cv_sub(*x0, *x2), cv_add(*x1, *x3),
                cv_sub(*x1, *x3));
}

/* Radix-8 DIF: the first stage pairs t and t+4 (sums s_t, differences
 * d_t); the sums take a 4-point DFT (outputs 0-3, dft4), the differences
 * times e^{-2*pi*i*t/8} another (outputs 4-7, dft8_odd below). There the
 * factors (1-i)/sqrt2, -i, (-1-i)/sqrt2 are folded into the additions and
 * 1/sqrt2 into FMAs. The passes finish one half before the other to keep
 * fewer vectors live. */
FFT_INLINE void dft8_odd(cv *y4, cv *y5, cv *y6, cv *y7, cv d0, cv d1, cv d2, cv d3)
{
    const vd h = v_set1(0.70710678118654752440);
    vd p1 = v_add(d1.re, d1.im), m1 = v_sub(d1.im, d1.re); /* d1*w = (p1, m1)*h */
    vd p3 = v_add(d3.re, d3.im), m3 = v_sub(d3.im, d3.re); /* d3*w^3 = (m3, -p3)*h */
    cv s02 = {v_add(d0.re, d2.im), v_sub(d0.im, d2.re)};   /* d2*w^2 = (d2.im, -d2.re) */
    cv e02 = {v_sub(d0.re, d2.im), v_add(d0.im, d2.re)};
    vd P = v_add(p1, m3), Q = v_sub(m1, p3), E = v_sub(p1, m3), F = v_add(m1, p3);
    y4->re = v_fmadd(P, h, s02.re);
    y4->im = v_fmadd(Q, h, s02.im);
    y5->re = v_fnmadd(P, h, s02.re);
    y5->im = v_fnmadd(Q, h, s02.im);
    y6->re = v_fmadd(F, h, e02.re); /* e02 - i*e13, e13 = (E, F)*h */
    y6->im = v_fnmadd(E, h, e02.im);
    y7->re = v_fnmadd(F, h, e02.re); /* e02 + i*e13 */
    y7->im = v_fmadd(E, h, e02.im);
}

/* Inverses, times R. */
FFT_INLINE void idft4(cv *x0, cv *x1, cv *x2, cv *x3)
{
    cv A = cv_add(*x0, *x1), B = cv_sub(*x0, *x1);
    cv C = cv_add(*x2, *x3), D = cv_sub(*x2, *x3);
    *x0 = cv_add(A, C);
    *x2 = cv_sub(A, C);
    x1->re = v_sub(B.re, D.im); /* B + i*D */
    x1->im = v_add(B.im, D.re);
    x3->re = v_add(B.re, D.im); /* B - i*D */
    x3->im = v_sub(B.im, D.re);
}

/* Inverse radix-8 (times 8): idft4 on both halves, then undo the first
 * stage: with u = idft4(x0..x3) and v = idft4(x4..x7), the differences are
 * d_t = v_t * conj(w^t), conj(w^t) = 1, (1+i)/sqrt2, i, (-1+i)/sqrt2
 * (1/sqrt2 applied in the final FMAs), and x_t, x_{t+4} = u_t +- d_t. */
FFT_INLINE void idft8_join(cv *x0, cv *x1, cv *x2, cv *x3, cv *x4, cv *x5, cv *x6, cv *x7, cv v4,
                           cv v5, cv v6, cv v7)
{
    const vd h = v_set1(0.70710678118654752440);
    vd a5 = v_sub(v5.re, v5.im), b5 = v_add(v5.re, v5.im); /* v5*conj(w) = (a5, b5)*h */
    vd a7 = v_add(v7.re, v7.im), b7 = v_sub(v7.re, v7.im); /* v7*conj(w^3) = (-a7, b7)*h */
    cv u0 = *x0, u1 = *x1, u2 = *x2, u3 = *x3;
    *x0 = cv_add(u0, v4);
    *x4 = cv_sub(u0, v4);
    x1->re = v_fmadd(a5, h, u1.re);
    x1->im = v_fmadd(b5, h, u1.im);
    x5->re = v_fnmadd(a5, h, u1.re);
    x5->im = v_fnmadd(b5, h, u1.im);
    x2->re = v_sub(u2.re, v6.im); /* + i*v6 */
    x2->im = v_add(u2.im, v6.re);
    x6->re = v_add(u2.re, v6.im);
    x6->im = v_sub(u2.im, v6.re);
    x3->re = v_fnmadd(a7, h, u3.re);
    x3->im = v_fmadd(b7, h, u3.im);
    x7->re = v_fmadd(a7, h, u3.re);
    x7->im = v_fnmadd(b7, h, u3.im);
}

FFT_INLINE void idft8(cv *x0, cv *x1, cv *x2, cv *x3, cv *x4, cv *x5, cv *x6, cv *x7)
{
    idft4(x4, x5, x6, x7);
    idft4(x0, x1, x2, x3);
    idft8_join(x0, x1, x2, x3, x4, x5, x6, x7, *x4, *x5, *x6, *x7);
}

/* ---- passes ----
 * In a pass at (block b, offset j): element t is at i + t*q with i = b + j.
 * The middle passes loop over j outside and blocks inside, so the twiddles
 * of j are loaded once into registers: loads, not arithmetic, bound these
 * passes. */

#define LD(t) cv_load(re + i + (t) * q, im + i + (t) * q)
#define ST(t, v) cv_store(re + i + (t) * q, im + i + (t) * q, v)
/* factor k (= p - first_p) of the twiddle row */
#define TWL(k) cv_load(row + 2 * (k) * C, row + (2 * (k) + 1) * C)
#define TW(x, k) cv_mul(x, v_load(row + 2 * (k) * C), v_load(row + (2 * (k) + 1) * C))
#define TWC(x, k) cv_mulc(x, v_load(row + 2 * (k) * C), v_load(row + (2 * (k) + 1) * C))
#define MUL(x, w) cv_mul(x, (w).re, (w).im)
#define MULC(x, w) cv_mulc(x, (w).re, (w).im)

#define FFT_PASS_LOOP(load_tw, ...)                                            \
    double *re = four, *im = four + n;                                         \
    size_t q = ps->q, C = ps->chunk;                                           \
    for (size_t j = 0; j < q; j += VW) {                                       \
        const double *row = fft_pass_row(ps, j);                               \
        load_tw;                                                               \
        for (size_t i = j; i < n; i += R * q) {                                \
            fft_pf_step(pf);                                                   \
            __VA_ARGS__                                                        \
        }                                                                      \
    }

FFT_FN static void fwd_pass_r2(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 2;
    FFT_PASS_LOOP(cv w1 = TWL(0), {
        cv x0 = LD(0), x1 = LD(1);
        dft2(&x0, &x1);
        ST(0, x0);
        ST(1, MUL(x1, w1));
    })
}

FFT_FN static void fwd_pass_r4(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 4;
    FFT_PASS_LOOP(cv w1 = TWL(0); cv w2 = TWL(1); cv w3 = TWL(2), {
        cv x0 = LD(0), x1 = LD(1), x2 = LD(2), x3 = LD(3);
        dft4(&x0, &x1, &x2, &x3);
        ST(0, x0);
        ST(1, MUL(x1, w1));
        ST(2, MUL(x2, w2));
        ST(3, MUL(x3, w3));
    })
}

FFT_FN static void fwd_pass_r8(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 8;
    FFT_PASS_LOOP(cv w1 = TWL(0); cv w2 = TWL(1); cv w3 = TWL(2); cv w4 = TWL(3);
                  cv w5 = TWL(4); cv w6 = TWL(5); cv w7 = TWL(6), {
        cv a0 = LD(0), a4 = LD(4), a1 = LD(1), a5 = LD(5);
        cv a2 = LD(2), a6 = LD(6), a3 = LD(3), a7 = LD(7);
        cv s0 = cv_add(a0, a4), s1 = cv_add(a1, a5), s2 = cv_add(a2, a6), s3 = cv_add(a3, a7);
        cv d0 = cv_sub(a0, a4), d1 = cv_sub(a1, a5), d2 = cv_sub(a2, a6), d3 = cv_sub(a3, a7);
        dft4(&s0, &s1, &s2, &s3);
        ST(0, s0);
        ST(1, MUL(s1, w1));
        ST(2, MUL(s2, w2));
        ST(3, MUL(s3, w3));
        cv y4, y5, y6, y7;
        dft8_odd(&y4, &y5, &y6, &y7, d0, d1, d2, d3);
        ST(4, MUL(y4, w4));
        ST(5, MUL(y5, w5));
        ST(6, MUL(y6, w6));
        ST(7, MUL(y7, w7));
    })
}

FFT_FN static void inv_pass_r2(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 2;
    FFT_PASS_LOOP(cv w1 = TWL(0), {
        cv x0 = LD(0), x1 = MULC(LD(1), w1);
        dft2(&x0, &x1);
        ST(0, x0);
        ST(1, x1);
    })
}

FFT_FN static void inv_pass_r4(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 4;
    FFT_PASS_LOOP(cv w1 = TWL(0); cv w2 = TWL(1); cv w3 = TWL(2), {
        cv x0 = LD(0), x1 = MULC(LD(1), w1), x2 = MULC(LD(2), w2), x3 = MULC(LD(3), w3);
        idft4(&x0, &x1, &x2, &x3);
        ST(0, x0);
        ST(1, x1);
        ST(2, x2);
        ST(3, x3);
    })
}

FFT_FN static void inv_pass_r8(double *four, size_t n, const struct fft_pass *ps,
                               struct fft_prefetch *pf)
{
    const size_t R = 8;
    FFT_PASS_LOOP(cv w1 = TWL(0); cv w2 = TWL(1); cv w3 = TWL(2); cv w4 = TWL(3);
                  cv w5 = TWL(4); cv w6 = TWL(5); cv w7 = TWL(6), {
        cv x0 = LD(0), x1 = MULC(LD(1), w1), x2 = MULC(LD(2), w2), x3 = MULC(LD(3), w3);
        cv x4 = MULC(LD(4), w4), x5 = MULC(LD(5), w5), x6 = MULC(LD(6), w6);
        cv x7 = MULC(LD(7), w7);
        idft8(&x0, &x1, &x2, &x3, &x4, &x5, &x6, &x7);
        ST(0, x0);
        ST(1, x1);
        ST(2, x2);
        ST(3, x3);
        ST(4, x4);
        ST(5, x5);
        ST(6, x6);
        ST(7, x7);
    })
}

/* ---- first forward and last inverse pass ----
 * Input t is (p_i + i*p_{i+n}) * c_t at i = j + t*q, converted per mode;
 * output p gets T_p(j) (twiddle factor p, first_p = 0). */

/* The input as the first pass reads it: a by-value copy of fft_src with the
 * digit constants built once, so that they stay in registers (the vector
 * stores of the pass may alias anything behind a pointer). */
struct fft_in {
    const uint64_t *p;
    size_t s, N;
    vdigit dk;
};

FFT_INLINE int is_rot(enum fft_in_mode mode)
{
    return mode == FFT_IN_ROT_DIGIT || mode == FFT_IN_ROT_DIGIT_NEG;
}

FFT_INLINE struct fft_in fft_in_make(const struct fft_src *src, size_t N, enum fft_in_mode mode)
{
    struct fft_in in = {.p = src->p, .s = src->s, .N = N};
    if (is_rot(mode))
        in.dk = v_digit_consts(src->base_log);
    return in;
}

/* The digits of coefficients c .. c+VW-1 of X^a p - p: the rotated
 * coefficient is p[c - s] unwrapped and -p[c - s + N] wrapped (c < s), both
 * negated for a >= N (neg); the one vector per polynomial that straddles s
 * goes the slow way. */
FFT_FN __attribute__((noinline, cold)) static vd rot_digit_straddle(const struct fft_src *src,
                                                                    size_t N, size_t c, int neg)
{
    uint64_t rot[VW];
    for (size_t l = 0; l < VW; l++) {
        size_t cc = c + l;
        uint64_t x = src->p[cc < src->s ? cc + N - src->s : cc - src->s];
        rot[l] = (cc < src->s) != (neg != 0) ? 0 - x : x;
    }
    vdigit k = v_digit_consts(src->base_log);
    return v_rot_digit(rot, 0, src->p + c, &k);
}

FFT_INLINE vd load_rot_digit(const struct fft_in *in, const struct fft_src *src, size_t c, int neg)
{
    if (c >= in->s)
        return v_rot_digit(in->p + (c - in->s), neg, in->p + c, &in->dk);
    if (c + VW <= in->s)
        return v_rot_digit(in->p + (c + in->N - in->s), !neg, in->p + c, &in->dk);
    return rot_digit_straddle(src, in->N, c, neg);
}

FFT_INLINE cv load_input(const struct fft_in *in, const struct fft_src *src, size_t n, size_t i,
                         enum fft_in_mode mode)
{
    const uint64_t *poly = in->p;
    cv z;
    if (is_rot(mode)) {
        z.re = load_rot_digit(in, src, i, mode == FFT_IN_ROT_DIGIT_NEG);
        z.im = load_rot_digit(in, src, n + i, mode == FFT_IN_ROT_DIGIT_NEG);
    } else if (mode == FFT_IN_SMALL) {
        z.re = v_cvt_small(poly + i);
        z.im = v_cvt_small(poly + n + i);
    } else {
        z.re = v_cvt_int(poly + i);
        z.im = v_cvt_int(poly + n + i);
        if (mode == FFT_IN_TORUS) {
            z.re = v_mul(z.re, v_set1(0x1p-64));
            z.im = v_mul(z.im, v_set1(0x1p-64));
        }
    }
    return z;
}

/* The input constants satisfy c_{t+R/2} = c_t * e^{i*pi/4}, so the first
 * DIF stage (pairs t, t+R/2) is
 *   s_t = (u_t + e^{i*pi/4} u_{t+R/2}) * c_t,  d_t = (u_t - e^{i*pi/4} u_{t+R/2}) * c_t
 * with u the folded inputs: only c_1..c_{R/2-1} are needed, kept in
 * registers, and the 45-degree rotation costs two additions (1/sqrt2
 * folded into FMAs). */
FFT_INLINE void first_stage(cv *s, cv *d, cv u, cv v, const vd h)
{
    vd a = v_sub(v.re, v.im), b = v_add(v.re, v.im); /* e^{i*pi/4} v = (a, b)*h */
    s->re = v_fmadd(a, h, u.re);
    s->im = v_fmadd(b, h, u.im);
    d->re = v_fnmadd(a, h, u.re);
    d->im = v_fnmadd(b, h, u.im);
}

#define IN(t) load_input(&in, src, n, i + (t) * q, mode)
#define CONST_IN(t) cv c##t = {v_set1(plan->in_re[t]), v_set1(plan->in_im[t])}

#define FFT_FIRST_LOOP(...)                                                    \
    const struct fft_pass *ps = &plan->pass[0];                                \
    size_t n = plan->n, q = ps->q, C = ps->chunk;                              \
    double *re = four, *im = four + n;                                         \
    const vd h = v_set1(0.70710678118654752440);                               \
    for (size_t i = 0; i < q; i += VW) {                                       \
        const double *row = fft_pass_row(ps, i);                               \
        fft_pf_step(pf);                                                       \
        __VA_ARGS__                                                            \
    }

FFT_INLINE void fwd_first_r2(const struct fft_plan *plan, double *four,
                             const struct fft_src *src, enum fft_in_mode mode,
                             struct fft_prefetch *pf)
{
    const struct fft_in in = fft_in_make(src, plan->poly_size, mode);
    FFT_FIRST_LOOP({
        cv s0, d0;
        first_stage(&s0, &d0, IN(0), IN(1), h);
        ST(0, TW(s0, 0));
        ST(1, TW(d0, 1));
    })
}

FFT_INLINE void fwd_first_r4(const struct fft_plan *plan, double *four,
                             const struct fft_src *src, enum fft_in_mode mode,
                             struct fft_prefetch *pf)
{
    const struct fft_in in = fft_in_make(src, plan->poly_size, mode);
    CONST_IN(1);
    FFT_FIRST_LOOP({
        cv s0, d0, s1, d1, x0, x1, x2, x3;
        first_stage(&s0, &d0, IN(0), IN(2), h);
        first_stage(&s1, &d1, IN(1), IN(3), h);
        dft4_finish(&x0, &x1, &x2, &x3, s0, d0, MUL(s1, c1), MUL(d1, c1));
        ST(0, TW(x0, 0));
        ST(1, TW(x1, 1));
        ST(2, TW(x2, 2));
        ST(3, TW(x3, 3));
    })
}

FFT_INLINE void fwd_first_r8(const struct fft_plan *plan, double *four,
                             const struct fft_src *src, enum fft_in_mode mode,
                             struct fft_prefetch *pf)
{
    const struct fft_in in = fft_in_make(src, plan->poly_size, mode);
    CONST_IN(1);
    CONST_IN(2);
    CONST_IN(3);
    FFT_FIRST_LOOP({
        cv s0, d0, s1, d1, s2, d2, s3, d3, y4, y5, y6, y7;
        first_stage(&s0, &d0, IN(0), IN(4), h);
        first_stage(&s1, &d1, IN(1), IN(5), h);
        first_stage(&s2, &d2, IN(2), IN(6), h);
        first_stage(&s3, &d3, IN(3), IN(7), h);
        s1 = MUL(s1, c1);
        s2 = MUL(s2, c2);
        s3 = MUL(s3, c3);
        dft4(&s0, &s1, &s2, &s3);
        ST(0, TW(s0, 0));
        ST(1, TW(s1, 1));
        ST(2, TW(s2, 2));
        ST(3, TW(s3, 3));
        dft8_odd(&y4, &y5, &y6, &y7, d0, MUL(d1, c1), MUL(d2, c2), MUL(d3, c3));
        ST(4, TW(y4, 4));
        ST(5, TW(y5, 5));
        ST(6, TW(y6, 6));
        ST(7, TW(y7, 7));
    })
}

FFT_INLINE void store_output(const struct fft_plan *plan, uint64_t *out, double *four, size_t i,
                             cv y, enum fft_out_mode mode)
{
    size_t n = plan->n;
    if (mode == FFT_OUT_TORUS_ADD) {
        v_torus_add(out + i, y.re);
        v_torus_add(out + n + i, y.im);
    } else {
        v_store(four + i, y.re);
        v_store(four + n + i, y.im);
    }
}

/* y = z * e^{-i*pi/4} * k for a real k (k includes 1/sqrt2) */
FFT_INLINE cv rot_m45(cv z, vd k)
{
    cv y = {v_mul(v_add(z.re, z.im), k), v_mul(v_sub(z.im, z.re), k)};
    return y;
}

#define OUT(t, y) store_output(plan, out, four, i + (t) * q, y, mode)
#define CONST_OUT(t) cv l##t = {v_set1(plan->out_re[t]), v_set1(plan->out_im[t])}
#define OUT_SCALES                                                             \
    const vd inv_n = v_set1(plan->out_re[0]);                                  \
    const vd h_n = v_set1(0.70710678118654752440 * plan->out_re[0])

/* Mirror of first_stage: outputs t and t+R/2 are (u + d) * L_t and
 * (u - d) * L_t * e^{-i*pi/4}, L_t = conj(c_t)/n, where u, d are the sum
 * and difference halves of the inverse butterfly before its last stage.
 * Pair t >= 1, with d = (dre, dim) * k: */
#define OUT_PAIR(t, u, dre, dim, k, lt, R)                                     \
    do {                                                                       \
        cv s_ = {v_fmadd(dre, k, (u).re), v_fmadd(dim, k, (u).im)};            \
        cv z_ = {v_fnmadd(dre, k, (u).re), v_fnmadd(dim, k, (u).im)};          \
        OUT(t, MUL(s_, lt));                                                   \
        OUT((t) + (R) / 2, rot_m45(MUL(z_, lt), h));                           \
    } while (0)

/* Pair 0: L_0 = 1/n. */
#define OUT_PAIR0(u, d, R)                                                     \
    do {                                                                       \
        cv s_ = cv_add(u, d), z_ = cv_sub(u, d);                               \
        cv y_ = {v_mul(s_.re, inv_n), v_mul(s_.im, inv_n)};                    \
        OUT(0, y_);                                                            \
        OUT((R) / 2, rot_m45(z_, h_n));                                        \
    } while (0)

FFT_INLINE void inv_last_r2(const struct fft_plan *plan, uint64_t *out, double *four,
                            enum fft_out_mode mode, struct fft_prefetch *pf)
{
    OUT_SCALES;
    FFT_FIRST_LOOP({
        (void)h;
        OUT_PAIR0(TWC(LD(0), 0), TWC(LD(1), 1), 2);
    })
}

FFT_INLINE void inv_last_r4(const struct fft_plan *plan, uint64_t *out, double *four,
                            enum fft_out_mode mode, struct fft_prefetch *pf)
{
    OUT_SCALES;
    CONST_OUT(1);
    const vd one = v_set1(1.0);
    FFT_FIRST_LOOP({
        cv x0 = TWC(LD(0), 0), x1 = TWC(LD(1), 1), x2 = TWC(LD(2), 2), x3 = TWC(LD(3), 3);
        cv A = cv_add(x0, x1), B = cv_sub(x0, x1), C2 = cv_add(x2, x3), D = cv_sub(x2, x3);
        OUT_PAIR0(A, C2, 4);
        OUT_PAIR(1, B, v_sub(v_set1(0), D.im), D.re, one, l1, 4); /* d1 = i*D */
    })
}

FFT_INLINE void inv_last_r8(const struct fft_plan *plan, uint64_t *out, double *four,
                            enum fft_out_mode mode, struct fft_prefetch *pf)
{
    OUT_SCALES;
    CONST_OUT(1);
    CONST_OUT(2);
    CONST_OUT(3);
    const vd one = v_set1(1.0);
    FFT_FIRST_LOOP({
        cv v4 = TWC(LD(4), 4), v5 = TWC(LD(5), 5), v6 = TWC(LD(6), 6), v7 = TWC(LD(7), 7);
        idft4(&v4, &v5, &v6, &v7);
        cv u0 = TWC(LD(0), 0), u1 = TWC(LD(1), 1), u2 = TWC(LD(2), 2), u3 = TWC(LD(3), 3);
        idft4(&u0, &u1, &u2, &u3);
        /* d_t = v_{4+t} * conj(w^t): 1, (1+i)/sqrt2, i, (-1+i)/sqrt2 */
        OUT_PAIR0(u0, v4, 8);
        OUT_PAIR(1, u1, v_sub(v5.re, v5.im), v_add(v5.re, v5.im), h, l1, 8);
        OUT_PAIR(2, u2, v_sub(v_set1(0), v6.im), v6.re, one, l2, 8);
        OUT_PAIR(3, u3, v_sub(v_set1(0), v_add(v7.re, v7.im)), v_sub(v7.re, v7.im), h, l3, 8);
    })
}

/* sum_r a[r]*b[r] at points i .. i+VW-1, rounded as count fft_mac calls
 * on a zeroed accumulator (up to the sign of zero). */
FFT_INLINE cv dot_at(const double *const *a, const double *const *b, size_t count, size_t n,
                     size_t i)
{
    cv x = cv_load(a[0] + i, a[0] + n + i), y = cv_load(b[0] + i, b[0] + n + i);
    cv acc = {v_fnmadd(x.im, y.im, v_mul(x.re, y.re)), v_fmadd(x.im, y.re, v_mul(x.re, y.im))};
    for (size_t r = 1; r < count; r++) {
        x = cv_load(a[r] + i, a[r] + n + i);
        y = cv_load(b[r] + i, b[r] + n + i);
        acc.re = v_fnmadd(x.im, y.im, v_fmadd(x.re, y.re, acc.re));
        acc.im = v_fmadd(x.im, y.re, v_fmadd(x.re, y.im, acc.im));
    }
    return acc;
}

/* dot_at for two terms, on values already in registers */
FFT_INLINE cv dot2(cv x0, cv y0, cv x1, cv y1)
{
    cv acc = {v_fnmadd(x0.im, y0.im, v_mul(x0.re, y0.re)),
              v_fmadd(x0.im, y0.re, v_mul(x0.re, y0.im))};
    acc.re = v_fnmadd(x1.im, y1.im, v_fmadd(x1.re, y1.re, acc.re));
    acc.im = v_fmadd(x1.im, y1.re, v_fmadd(x1.re, y1.im, acc.im));
    return acc;
}

#if FFT_HAS_TAIL
FFT_FN static void fwd_tail(const struct fft_plan *plan, double *four, struct fft_prefetch *pf);
FFT_FN static void inv_head(const struct fft_plan *plan, double *four, struct fft_prefetch *pf);
FFT_FN static void inv_head_dot(const struct fft_plan *plan, double *four, const double *const *a,
                                const double *const *b, size_t count, struct fft_prefetch *pf);
#ifdef FFT_HAS_TAIL_DOT_HEAD2
FFT_FN static void tail_dot_head2(const struct fft_plan *plan, double *f0, double *f1,
                                  const double *key, double *g0, double *g1,
                                  struct fft_prefetch *pf);
#endif
#define FFT_TAIL_PASSES 2u
#define FFT_FWD_TAIL(plan, four, pf) fwd_tail(plan, four, pf)
#define FFT_INV_HEAD(plan, four, pf) inv_head(plan, four, pf)
#else
/* without a register tail the dot product is its own pass */
FFT_FN static void inv_head_dot(const struct fft_plan *plan, double *four, const double *const *a,
                                const double *const *b, size_t count, struct fft_prefetch *pf)
{
    (void)pf; /* counted as no steps */
    for (size_t i = 0; i < plan->n; i += VW)
        cv_store(four + i, four + plan->n + i, dot_at(a, b, count, plan->n, i));
}

#define FFT_TAIL_PASSES 0u
#define FFT_FWD_TAIL(plan, four, pf) ((void)0)
#define FFT_INV_HEAD(plan, four, pf) ((void)0)
#endif

FFT_FN static void fwd_middle(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    for (unsigned k = 1; k + FFT_TAIL_PASSES < plan->pass_count; k++) {
        const struct fft_pass *ps = &plan->pass[k];
        if (ps->radix == 8)
            fwd_pass_r8(four, plan->n, ps, pf);
        else if (ps->radix == 4)
            fwd_pass_r4(four, plan->n, ps, pf);
        else
            fwd_pass_r2(four, plan->n, ps, pf);
    }
}

FFT_FN static void inv_middle(const struct fft_plan *plan, double *four, struct fft_prefetch *pf)
{
    for (unsigned k = plan->pass_count - FFT_TAIL_PASSES; k-- > 1;) {
        const struct fft_pass *ps = &plan->pass[k];
        if (ps->radix == 8)
            inv_pass_r8(four, plan->n, ps, pf);
        else if (ps->radix == 4)
            inv_pass_r4(four, plan->n, ps, pf);
        else
            inv_pass_r2(four, plan->n, ps, pf);
    }
}

/* Specialised per input mode (the first/last pass inline into these); the
 * _head variants stop before the register tail. */
#define FFT_DEFINE_FORWARD(name, mode)                                                    \
    FFT_FN static void name##_head(const struct fft_plan *plan, double *four,            \
                                   const struct fft_src *src, struct fft_prefetch *pf)    \
    {                                                                                     \
        unsigned r = plan->pass[0].radix;                                                 \
        if (r == 8)                                                                       \
            fwd_first_r8(plan, four, src, mode, pf);                                      \
        else if (r == 4)                                                                  \
            fwd_first_r4(plan, four, src, mode, pf);                                      \
        else                                                                              \
            fwd_first_r2(plan, four, src, mode, pf);                                      \
        fwd_middle(plan, four, pf);                                                       \
    }                                                                                     \
    FFT_FN static void name(const struct fft_plan *plan, double *four,                   \
                            const struct fft_src *src, struct fft_prefetch *pf)           \
    {                                                                                     \
        name##_head(plan, four, src, pf);                                                 \
        FFT_FWD_TAIL(plan, four, pf);                                                     \
    }

FFT_DEFINE_FORWARD(forward_small, FFT_IN_SMALL)
FFT_DEFINE_FORWARD(forward_int, FFT_IN_INT)
FFT_DEFINE_FORWARD(forward_torus, FFT_IN_TORUS)
FFT_DEFINE_FORWARD(forward_rot_digit, FFT_IN_ROT_DIGIT)
FFT_DEFINE_FORWARD(forward_rot_digit_neg, FFT_IN_ROT_DIGIT_NEG)

FFT_FN static void kernel_forward(const struct fft_plan *plan, double *four,
                                  const struct fft_src *src, enum fft_in_mode mode,
                                  struct fft_prefetch *pf)
{
    if (mode == FFT_IN_ROT_DIGIT)
        forward_rot_digit(plan, four, src, pf);
    else if (mode == FFT_IN_ROT_DIGIT_NEG)
        forward_rot_digit_neg(plan, four, src, pf);
    else if (mode == FFT_IN_SMALL)
        forward_small(plan, four, src, pf);
    else if (mode == FFT_IN_INT)
        forward_int(plan, four, src, pf);
    else
        forward_torus(plan, four, src, pf);
}

#define FFT_DEFINE_INVERSE(name, mode)                                                    \
    FFT_FN static void name(const struct fft_plan *plan, uint64_t *out, double *four)      \
    {                                                                                     \
        unsigned r = plan->pass[0].radix;                                                 \
        FFT_INV_HEAD(plan, four, NULL);                                                   \
        inv_middle(plan, four, NULL);                                                     \
        if (r == 8)                                                                       \
            inv_last_r8(plan, out, four, mode, NULL);                                     \
        else if (r == 4)                                                                  \
            inv_last_r4(plan, out, four, mode, NULL);                                     \
        else                                                                              \
            inv_last_r2(plan, out, four, mode, NULL);                                     \
    }

FFT_DEFINE_INVERSE(inverse_torus_add, FFT_OUT_TORUS_ADD)
FFT_DEFINE_INVERSE(inverse_f64, FFT_OUT_F64)

/* The last inverse pass, adding to the torus. */
FFT_FN static void inv_last(const struct fft_plan *plan, uint64_t *out, double *four,
                            struct fft_prefetch *pf)
{
    unsigned r = plan->pass[0].radix;
    if (r == 8)
        inv_last_r8(plan, out, four, FFT_OUT_TORUS_ADD, pf);
    else if (r == 4)
        inv_last_r4(plan, out, four, FFT_OUT_TORUS_ADD, pf);
    else
        inv_last_r2(plan, out, four, FFT_OUT_TORUS_ADD, pf);
}

/* The first inverse pass computes its input as the dot product. */
FFT_FN static void kernel_inverse_dot(const struct fft_plan *plan, uint64_t *out, double *four,
                                      const double *const *a, const double *const *b,
                                      size_t count, struct fft_prefetch *pf)
{
    inv_head_dot(plan, four, a, b, count, pf);
    inv_middle(plan, four, pf);
    inv_last(plan, out, four, pf);
}

/* fft_cmux_l1: the digit transforms into scratch (rows N doubles), the
 * products into scratch + rows N, and the inverses added into acc. */
FFT_FN static void kernel_cmux(const struct fft_plan *plan, uint64_t *acc, size_t rows, size_t a,
                               unsigned base_log, const double *key, double *scratch,
                               struct fft_prefetch *pf)
{
    size_t N = plan->poly_size;
    double *f = scratch, *g = scratch + rows * N;
    struct fft_src src = {.s = a % N, .base_log = base_log};
    int neg = a % (2 * N) >= N;
    for (size_t r = 0; r < rows; r++) {
        src.p = acc + r * N;
        if (neg)
            forward_rot_digit_neg_head(plan, f + r * N, &src, pf);
        else
            forward_rot_digit_head(plan, f + r * N, &src, pf);
    }
#ifdef FFT_HAS_TAIL_DOT_HEAD2
    if (rows == 2) {
        tail_dot_head2(plan, f, f + N, key, g, g + N, pf);
        for (size_t c = 0; c < rows; c++) {
            inv_middle(plan, g + c * N, pf);
            inv_last(plan, acc + c * N, g + c * N, pf);
        }
        return;
    }
#endif
    const double *fa[FFT_CMUX_MAX_ROWS], *kb[FFT_CMUX_MAX_ROWS];
    for (size_t r = 0; r < rows; r++) {
        FFT_FWD_TAIL(plan, f + r * N, pf);
        fa[r] = f + r * N;
    }
    for (size_t c = 0; c < rows; c++) {
        for (size_t r = 0; r < rows; r++)
            kb[r] = key + (r * rows + c) * N;
        kernel_inverse_dot(plan, acc + c * N, g + c * N, fa, kb, rows, pf);
    }
}

FFT_FN static void kernel_inverse(const struct fft_plan *plan, uint64_t *out, double *four,
                                  enum fft_out_mode mode)
{
    if (mode == FFT_OUT_TORUS_ADD)
        inverse_torus_add(plan, out, four);
    else
        inverse_f64(plan, out, four);
}

FFT_FN static void kernel_mac(size_t n, double *acc, const double *a, const double *b)
{
    double *accr = acc, *acci = acc + n;
    const double *ar = a, *ai = a + n, *br = b, *bi = b + n;
    for (size_t j = 0; j < n; j += VW) {
        vd xr = v_load(ar + j), xi = v_load(ai + j), yr = v_load(br + j), yi = v_load(bi + j);
        vd re = v_fnmadd(xi, yi, v_fmadd(xr, yr, v_load(accr + j)));
        vd im = v_fmadd(xi, yr, v_fmadd(xr, yi, v_load(acci + j)));
        v_store(accr + j, re);
        v_store(acci + j, im);
    }
}

/* The double-double negacyclic transform (wire_f128.h). Arithmetic as
 * tfhe-fft's f128_ops: two_sum, quick_two_sum, two_prod by FMA, and the
 * butterflies' "estimate" sum and difference, the cross terms of a product
 * rounded separately (no contraction: the build targets baseline x86-64).
 * tfhe-fft computes the twiddles with its own sincospi; here a Taylor
 * series in double-double gives them to full precision, so the last bits
 * of a twiddle's low part may differ from tfhe-rs's. */
#include "tfhe/wire/wire_f128.h"

#include <math.h>
#include <stdlib.h>

struct dd {
    double hi, lo;
};

/* tfhe-fft f128_ops: quick_two_sum, two_sum, two_diff, two_prod. */
static inline struct dd quick_two_sum(double a, double b)
{
    double s = a + b;
    return (struct dd){s, b - (s - a)};
}
static inline struct dd two_sum(double a, double b)
{
    double s = a + b, bb = s - a;
    return (struct dd){s, (a - (s - bb)) + (b - bb)};
}
static inline struct dd two_diff(double a, double b)
{
    double s = a - b, bb = s - a;
    return (struct dd){s, (a - (s - bb)) - (b + bb)};
}
/* add_estimate_f128_f128 and sub_estimate_f128_f128, the butterflies' ops */
static inline struct dd dd_add(struct dd a, struct dd b)
{
    struct dd s = two_sum(a.hi, b.hi);
    return quick_two_sum(s.hi, s.lo + (a.lo + b.lo));
}
static inline struct dd dd_sub(struct dd a, struct dd b)
{
    struct dd s = two_diff(a.hi, b.hi);
    double e = s.lo + a.lo;
    e = e - b.lo;
    return quick_two_sum(s.hi, e);
}
static inline struct dd dd_mul(struct dd a, struct dd b)
{
    double p = a.hi * b.hi;
    double e = fma(a.hi, b.hi, -p);
    double cross = a.hi * b.lo;
    cross += a.lo * b.hi;
    return quick_two_sum(p, e + cross);
}
/* add_f128_f128, the accurate sum (twiddle series only) */
static struct dd dd_add_acc(struct dd a, struct dd b)
{
    struct dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s = quick_two_sum(s.hi, s.lo + t.hi);
    return quick_two_sum(s.hi, s.lo + t.lo);
}
static struct dd dd_div_small(struct dd a, double b)
{
    double q1 = a.hi / b;
    struct dd r = dd_add_acc(a, (struct dd){-q1 * b, -fma(q1, b, -q1 * b)});
    double q2 = r.hi / b;
    r = dd_add_acc(r, (struct dd){-q2 * b, -fma(q2, b, -q2 * b)});
    double q3 = r.hi / b;
    return dd_add_acc(quick_two_sum(q1, q2), (struct dd){q3, 0.0});
}

/* sin and cos of x, |x| <= pi/4, by their Taylor series (terms below 2^-110
 * of the sum after 20 steps). */
static void dd_sincos_small(struct dd *s, struct dd *c, struct dd x)
{
    struct dd x2 = dd_mul(x, x), ts = x, tc = {1.0, 0.0};
    *s = x;
    *c = tc;
    for (int k = 1; k <= 20; k++) {
        ts = dd_div_small(dd_mul(ts, x2), -(double)((2 * k) * (2 * k + 1)));
        tc = dd_div_small(dd_mul(tc, x2), -(double)((2 * k - 1) * (2 * k)));
        *s = dd_add_acc(*s, ts);
        *c = dd_add_acc(*c, tc);
    }
}

/* sin and cos of pi j / d, d a power of two, 0 <= j < d. */
static void dd_sincospi(struct dd *s, struct dd *c, size_t j, size_t d)
{
    static const struct dd pi = {3.141592653589793116e+00, 1.224646799147353207e-16};
    int negate_cos = 0, swap = 0;
    if (2 * j > d) { /* sin(pi - a) = sin a, cos(pi - a) = -cos a */
        j = d - j;
        negate_cos = 1;
    }
    if (4 * j > d) { /* sin(pi/2 - a) = cos a */
        j = d / 2 - j;
        swap = 1;
    }
    struct dd ss, cc;
    dd_sincos_small(&ss, &cc, dd_mul(pi, (struct dd){(double)j / (double)d, 0.0}));
    *s = swap ? cc : ss;
    *c = swap ? ss : cc;
    if (negate_cos) {
        c->hi = -c->hi;
        c->lo = -c->lo;
    }
}

struct wire_f128_plan {
    size_t n; /* complex points: N / 2 */
    struct dd *tw_re, *tw_im;
};

static size_t bitrev(size_t i, unsigned bits)
{
    size_t r = 0;
    for (unsigned k = 0; k < bits; k++)
        r |= ((i >> k) & 1) << (bits - 1 - k);
    return r;
}

int wire_f128_plan_new(struct wire_f128_plan **out, size_t poly_size)
{
    *out = NULL;
    if (poly_size < 64 || poly_size > 65536 || (poly_size & (poly_size - 1)) != 0)
        return kms_err(KMS_EINVAL, "wire: no 128-bit Fourier transform for size %zu",
                       poly_size);
    struct wire_f128_plan *p = calloc(1, sizeof *p);
    size_t n = poly_size / 2;
    if (p != NULL) {
        p->tw_re = calloc(n, sizeof *p->tw_re);
        p->tw_im = calloc(n, sizeof *p->tw_im);
    }
    if (p == NULL || p->tw_re == NULL || p->tw_im == NULL) {
        wire_f128_plan_free(p);
        return kms_err(KMS_ENOMEM, "wire: out of memory for a 128-bit Fourier plan");
    }
    p->n = n;
    unsigned bits = 0;
    while (((size_t)1 << bits) < 2 * n)
        bits++;
    for (size_t m = 1; m < n; m *= 2)
        for (size_t i = 0; i < m; i++)
            dd_sincospi(&p->tw_im[m + i], &p->tw_re[m + i], bitrev(2 * m + i, bits), 2 * n);
    *out = p;
    return 0;
}

void wire_f128_plan_free(struct wire_f128_plan *p)
{
    if (p == NULL)
        return;
    free(p->tw_re);
    free(p->tw_im);
    free(p);
}

/* tfhe-rs u128_to_signed_to_f128 scaled by 2^-128 (convert_forward_torus). */
static void torus128_to_dd(double *hi, double *lo, u128 x)
{
    double h = (double)(__int128)x;
    u128 back = (u128)fabs(h);
    if (h < 0)
        back = (u128)0 - back;
    double l = (double)(__int128)(x - back);
    *hi = ldexp(h, -128);
    *lo = ldexp(l, -128);
}

void wire_f128_forward_torus(const struct wire_f128_plan *p, double *re0, double *re1,
                             double *im0, double *im1, const u128 *poly)
{
    size_t n = p->n;
    for (size_t j = 0; j < n; j++) {
        torus128_to_dd(&re0[j], &re1[j], poly[j]);
        torus128_to_dd(&im0[j], &im1[j], poly[j + n]);
    }
    size_t t = n;
    for (size_t m = 1; m < n; m *= 2) {
        t /= 2;
        for (size_t i = 0; i < m; i++) {
            struct dd w_re = p->tw_re[m + i], w_im = p->tw_im[m + i];
            size_t start = 2 * i * t;
            for (size_t k = start; k < start + t; k++) {
                struct dd z0r = {re0[k], re1[k]}, z0i = {im0[k], im1[k]};
                struct dd z1r = {re0[k + t], re1[k + t]}, z1i = {im0[k + t], im1[k + t]};
                struct dd wr = dd_sub(dd_mul(z1r, w_re), dd_mul(z1i, w_im));
                struct dd wi = dd_add(dd_mul(z1i, w_re), dd_mul(z1r, w_im));
                struct dd a_r = dd_add(z0r, wr), a_i = dd_add(z0i, wi);
                struct dd b_r = dd_sub(z0r, wr), b_i = dd_sub(z0i, wi);
                re0[k] = a_r.hi, re1[k] = a_r.lo, im0[k] = a_i.hi, im1[k] = a_i.lo;
                re0[k + t] = b_r.hi, re1[k + t] = b_r.lo;
                im0[k + t] = b_i.hi, im1[k + t] = b_i.lo;
            }
        }
    }
}

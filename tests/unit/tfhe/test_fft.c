/* Negacyclic FFT: products against the exact schoolbook (poly.c, integer
 * arithmetic, no floating point), the natural order against a direct
 * O(n^2) long-double evaluation of the tfhe-rs definition (fold, twist by
 * e^{i*pi*j/N}, DFT with kernel e^{-2*pi*i*jk/n}), the input and output
 * conversions against C casts and an integer model of from_torus, and every
 * SIMD kernel against the portable one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/decomp.h"
#include "tfhe/fft.h"
#include "tfhe/poly.h"

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [-bound, bound] */
static int64_t rnd_signed(int64_t bound)
{
    return (int64_t)(rnd() % (uint64_t)(2 * bound + 1)) - bound;
}

static const enum fft_isa all_isas[] = {FFT_ISA_SCALAR, FFT_ISA_AVX2, FFT_ISA_AVX512};
#define ISA_COUNT (sizeof all_isas / sizeof all_isas[0])

/* Plan for (N, isa), or NULL when this CPU lacks the isa. */
static struct fft_plan *plan_or_skip(size_t N, enum fft_isa isa)
{
    struct fft_plan *p = NULL;
    int rc = fft_plan_new_isa(&p, N, isa);
    if (rc == KMS_EUNIMPL)
        return NULL;
    assert_int_equal(rc, 0);
    assert_int_equal(fft_plan_poly_size(p), N);
    return p;
}

static void test_plan_errors(void **state)
{
    (void)state;
    struct fft_plan *p = (struct fft_plan *)1;
    assert_int_equal(fft_plan_new(&p, 0), KMS_EINVAL);
    assert_null(p);
    assert_int_equal(fft_plan_new(&p, 2), KMS_EINVAL);
    assert_int_equal(fft_plan_new(&p, 768), KMS_EINVAL);
    assert_int_equal(fft_plan_new(&p, 131072), KMS_EINVAL);
    assert_int_equal(fft_plan_new_isa(&p, 256, (enum fft_isa)9), KMS_EUNIMPL);
    const struct fft_plan *c1, *c2;
    assert_int_equal(fft_plan_get(&c1, 1000), KMS_EINVAL);
    assert_int_equal(fft_plan_get(&c1, 2048), 0);
    assert_int_equal(fft_plan_get(&c2, 2048), 0);
    assert_ptr_equal(c1, c2);
    assert_int_equal(fft_plan_poly_size(c1), 2048);
    fft_plan_free(NULL);
}

/* Threads racing on the shared cache all get the same plan. */
static void *get_plan_thread(void *arg)
{
    const struct fft_plan *p = NULL;
    if (fft_plan_get(&p, *(const size_t *)arg) != 0)
        return NULL;
    return (void *)p;
}

static void test_plan_cache_threads(void **state)
{
    (void)state;
    enum { THREADS = 8 };
    size_t N = 512; /* not requested anywhere else in this program */
    pthread_t th[THREADS];
    void *got[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, get_plan_thread, &N), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(th[t], &got[t]), 0);
    assert_non_null(got[0]);
    for (int t = 1; t < THREADS; t++)
        assert_ptr_equal(got[t], got[0]);
    assert_int_equal(fft_plan_poly_size(got[0]), N);
}

/* IFFT(FFT(a) * FFT(b)) rounds to the exact product for |a| <= 2^10,
 * |b| <= 2^20: every coefficient is below N*2^30 <= 2^42, far inside the
 * 2^53 range where the double FFT error stays well below 1/2. */
static void test_exact_products(void **state)
{
    (void)state;
    for (size_t N = FFT_MIN_POLY_SIZE; N <= 4096; N *= 2) {
        uint64_t *a = malloc(N * 8), *b = malloc(N * 8), *ref = malloc(N * 8);
        int64_t *got = malloc(N * 8);
        double *fa = fft_buf_alloc(N), *fb = fft_buf_alloc(N), *acc = fft_buf_alloc(N);
        assert_true(a && b && ref && got && fa && fb && acc);
        for (size_t i = 0; i < N; i++) {
            a[i] = (uint64_t)rnd_signed(1 << 10);
            b[i] = (uint64_t)rnd_signed(1 << 20);
        }
        poly_u64_mul(ref, a, b, N);
        for (size_t k = 0; k < ISA_COUNT; k++) {
            struct fft_plan *p = plan_or_skip(N, all_isas[k]);
            if (p == NULL)
                continue;
            fft_forward_small(p, fa, a);
            fft_forward_small(p, fb, b);
            memset(acc, 0, N * sizeof *acc);
            fft_mac(p, acc, fa, fb);
            /* distance to the nearest integer stays tiny */
            double *y = fft_buf_alloc(N);
            assert_non_null(y);
            memcpy(y, acc, N * sizeof *y);
            fft_inverse_f64(p, y);
            for (size_t i = 0; i < N; i++)
                assert_true(fabs(y[i] - nearbyint(y[i])) < 1.0 / 64);
            fft_buf_free(y);
            assert_int_equal(fft_inverse_int(p, got, acc), 0);
            for (size_t i = 0; i < N; i++)
                assert_int_equal(got[i], (int64_t)ref[i]);
            fft_plan_free(p);
        }
        free(a), free(b), free(ref), free(got);
        fft_buf_free(fa), fft_buf_free(fb), fft_buf_free(acc);
    }
}

/* forward -> inverse is the identity on integers below 2^40; the int and
 * small conversions agree exactly on small inputs. */
static void test_round_trip(void **state)
{
    (void)state;
    for (size_t N = FFT_MIN_POLY_SIZE; N <= 4096; N *= 2) {
        uint64_t *a = malloc(N * 8);
        int64_t *got = malloc(N * 8);
        double *f = fft_buf_alloc(N), *g = fft_buf_alloc(N);
        assert_true(a && got && f && g);
        for (size_t i = 0; i < N; i++)
            a[i] = (uint64_t)rnd_signed((int64_t)1 << 40);
        for (size_t k = 0; k < ISA_COUNT; k++) {
            struct fft_plan *p = plan_or_skip(N, all_isas[k]);
            if (p == NULL)
                continue;
            fft_forward_small(p, f, a);
            fft_forward_int(p, g, a);
            assert_memory_equal(f, g, N * sizeof *f);
            assert_int_equal(fft_inverse_int(p, got, f), 0);
            for (size_t i = 0; i < N; i++)
                assert_int_equal(got[i], (int64_t)a[i]);
            fft_plan_free(p);
        }
        free(a), free(got), fft_buf_free(f), fft_buf_free(g);
    }
}

/* A polynomial nonzero only at coefficients 0 and n folds to z_0 alone, and
 * the DIF passes then only ever multiply it by the exact twiddle 1: every
 * Fourier value equals the converted inputs, bit for bit. This checks the
 * int64 -> double conversions against C's correctly rounded cast. */
static void test_input_conversions(void **state)
{
    (void)state;
    const size_t N = 2048, n = N / 2;
    uint64_t *a = calloc(N, 8);
    double *f = fft_buf_alloc(N);
    assert_true(a && f);
    uint64_t vals[64] = {0, 1, UINT64_MAX, 1ull << 63, (1ull << 63) - 1, (1ull << 53) + 1,
                         (1ull << 54) + 3, 0xfff0000000000801ull, 0x8000000000000401ull};
    for (size_t i = 9; i < 64; i++)
        vals[i] = rnd() >> (rnd() % 64);
    for (size_t k = 0; k < ISA_COUNT; k++) {
        struct fft_plan *p = plan_or_skip(N, all_isas[k]);
        if (p == NULL)
            continue;
        for (size_t v = 0; v + 1 < 64; v++) {
            a[0] = vals[v];
            a[n] = vals[v + 1];
            double re = (double)(int64_t)vals[v], im = (double)(int64_t)vals[v + 1];
            fft_forward_int(p, f, a);
            for (size_t j = 0; j < n; j++) {
                assert_true(f[j] == re);
                assert_true(f[n + j] == im);
            }
            fft_forward_torus(p, f, a);
            for (size_t j = 0; j < n; j++) {
                assert_true(f[j] == ldexp(re, -64));
                assert_true(f[n + j] == ldexp(im, -64));
            }
            int64_t sr = (int64_t)vals[v] >> 12, si = (int64_t)vals[v + 1] >> 12; /* < 2^51 */
            a[0] = (uint64_t)sr;
            a[n] = (uint64_t)si;
            fft_forward_small(p, f, a);
            for (size_t j = 0; j < n; j++) {
                assert_true(f[j] == (double)sr);
                assert_true(f[n + j] == (double)si);
            }
        }
        fft_plan_free(p);
    }
    free(a), fft_buf_free(f);
}

/* round(y * 2^64) mod 2^64, ties to even, in integer arithmetic on the
 * exact binary expansion y = m * 2^e. */
static uint64_t ref_from_torus(double y)
{
    int e;
    double fr = frexp(y, &e); /* y = fr * 2^e, 0.5 <= |fr| < 1 */
    if (fr == 0)
        return 0;
    int64_t m = (int64_t)ldexp(fr, 53); /* exact, |m| < 2^53 */
    int sh = e - 53 + 64;               /* y * 2^64 = m * 2^sh */
    uint64_t mag = (uint64_t)(m < 0 ? -m : m), r;
    if (sh >= 64)
        r = 0;
    else if (sh >= 0)
        r = mag << sh;
    else if (sh < -60)
        r = 0; /* |y * 2^64| < 2^-7 */
    else {
        uint64_t q = mag >> -sh, rem = mag & ((1ull << -sh) - 1), half = 1ull << (-sh - 1);
        r = q + (rem > half || (rem == half && (q & 1)));
    }
    return m < 0 ? -r : r;
}

/* A constant spectrum inverts exactly to a delta at coefficient 0 (and n
 * for the imaginary part), so the inverse's output conversion is seen
 * alone. */
static void test_output_conversion(void **state)
{
    (void)state;
    const size_t N = 2048, n = N / 2;
    uint64_t *out = malloc(N * 8), *base = malloc(N * 8);
    double *f = fft_buf_alloc(N);
    assert_true(out && base && f);
    double vals[80] = {0.0,  -0.0,     0.5,        -0.5,        1.5,       0.25,
                       0x1p-64, 0x1.8p-64, -0x1.8p-64, 0x1p-65,  0x1.8p-65, 0x1.4p-64,
                       0x1.8p-63, 12345.678, -7.25e6,  0x1.23456789abcdp30, 0x1p-70, -0x1.fffffffffffffp-2};
    for (size_t i = 18; i < 80; i++) /* random magnitudes 2^-70 .. 2^33 */
        vals[i] = ldexp((double)(int64_t)rnd() * 0x1p-63, (int)(rnd() % 104) - 70);
    for (size_t k = 0; k < ISA_COUNT; k++) {
        struct fft_plan *p = plan_or_skip(N, all_isas[k]);
        if (p == NULL)
            continue;
        for (size_t v = 0; v + 1 < 80; v++) {
            for (size_t j = 0; j < n; j++) {
                f[j] = vals[v];
                f[n + j] = vals[v + 1];
            }
            for (size_t i = 0; i < N; i++)
                base[i] = out[i] = rnd();
            fft_inverse_torus_add(p, out, f);
            for (size_t i = 0; i < N; i++) {
                uint64_t want = base[i];
                if (i == 0)
                    want += ref_from_torus(vals[v]);
                if (i == n)
                    want += ref_from_torus(vals[v + 1]);
                assert_int_equal(out[i], want);
            }
        }
        fft_plan_free(p);
    }
    free(out), free(base), fft_buf_free(f);
}

/* Natural order = direct evaluation of the definition in long double. */
static void test_natural_order(void **state)
{
    (void)state;
    const long double pi = 3.141592653589793238462643383279502884L;
    for (size_t N = FFT_MIN_POLY_SIZE; N <= 2048; N *= 2) {
        size_t n = N / 2;
        uint64_t *a = malloc(N * 8);
        long double *zr = malloc(n * sizeof *zr), *zi = malloc(n * sizeof *zi);
        double *f = fft_buf_alloc(N), *c = fft_buf_alloc(N), *back = fft_buf_alloc(N);
        assert_true(a && zr && zi && f && c && back);
        for (int torus = 0; torus < 2; torus++) {
            for (size_t i = 0; i < N; i++)
                a[i] = rnd();
            long double norm1 = 0;
            for (size_t j = 0; j < n; j++) {
                long double x = (double)(int64_t)a[j], y = (double)(int64_t)a[j + n];
                if (torus) {
                    x = ldexpl(x, -64);
                    y = ldexpl(y, -64);
                }
                long double wr = cosl(pi * j / N), wi = sinl(pi * j / N);
                zr[j] = x * wr - y * wi;
                zi[j] = x * wi + y * wr;
                norm1 += sqrtl(zr[j] * zr[j] + zi[j] * zi[j]);
            }
            for (size_t k = 0; k < ISA_COUNT; k++) {
                struct fft_plan *p = plan_or_skip(N, all_isas[k]);
                if (p == NULL)
                    continue;
                if (torus)
                    fft_forward_torus(p, f, a);
                else
                    fft_forward_int(p, f, a);
                fft_to_natural(p, c, f);
                for (size_t kk = 0; kk < n; kk++) {
                    long double xr = 0, xi = 0;
                    for (size_t j = 0; j < n; j++) {
                        long double ang = -2 * pi * (long double)((j * kk) % n) / n;
                        long double cr = cosl(ang), ci = sinl(ang);
                        xr += zr[j] * cr - zi[j] * ci;
                        xi += zr[j] * ci + zi[j] * cr;
                    }
                    /* double FFT error ~ log2(n) * 2^-53 * ||z||_2 << 2^-44 * ||z||_1 */
                    assert_true(fabsl(c[2 * kk] - xr) <= ldexpl(norm1, -44));
                    assert_true(fabsl(c[2 * kk + 1] - xi) <= ldexpl(norm1, -44));
                }
                fft_from_natural(p, back, c);
                assert_memory_equal(back, f, N * sizeof *f);
                fft_plan_free(p);
            }
        }
        free(a), free(zr), free(zi), fft_buf_free(f), fft_buf_free(c), fft_buf_free(back);
    }
}

/* The external product's use: sum over 2 rows of torus key * digit
 * polynomial, added back to a u64 polynomial, against the exact wrapping
 * product. See the comment in the body for the bound. */
static void torus_product_case(size_t N, int64_t digit_bound, int64_t max_err_log2)
{
    uint64_t *k0 = malloc(N * 8), *k1 = malloc(N * 8), *d0 = malloc(N * 8), *d1 = malloc(N * 8);
    uint64_t *ref = malloc(N * 8), *tmp = malloc(N * 8), *out = malloc(N * 8);
    double *fk0 = fft_buf_alloc(N), *fk1 = fft_buf_alloc(N), *fd = fft_buf_alloc(N);
    double *acc = fft_buf_alloc(N);
    assert_true(k0 && k1 && d0 && d1 && ref && tmp && out && fk0 && fk1 && fd && acc);
    for (size_t i = 0; i < N; i++) {
        k0[i] = rnd();
        k1[i] = rnd();
        d0[i] = (uint64_t)rnd_signed(digit_bound);
        d1[i] = (uint64_t)rnd_signed(digit_bound);
        ref[i] = rnd();
    }
    uint64_t *start = malloc(N * 8);
    assert_non_null(start);
    memcpy(start, ref, N * 8);
    poly_u64_mul(tmp, k0, d0, N);
    poly_u64_add(ref, ref, tmp, N);
    poly_u64_mul(tmp, k1, d1, N);
    poly_u64_add(ref, ref, tmp, N);
    for (size_t k = 0; k < ISA_COUNT; k++) {
        struct fft_plan *p = plan_or_skip(N, all_isas[k]);
        if (p == NULL)
            continue;
        fft_forward_torus(p, fk0, k0);
        fft_forward_torus(p, fk1, k1);
        memset(acc, 0, N * sizeof *acc);
        fft_forward_small(p, fd, d0);
        fft_mac(p, acc, fk0, fd);
        fft_forward_small(p, fd, d1);
        fft_mac(p, acc, fk1, fd);
        memcpy(out, start, N * 8);
        fft_inverse_torus_add(p, out, acc);
        uint64_t worst = 0;
        double sq = 0;
        for (size_t i = 0; i < N; i++) {
            int64_t e = (int64_t)(out[i] - ref[i]);
            uint64_t ae = e < 0 ? -(uint64_t)e : (uint64_t)e;
            worst = ae > worst ? ae : worst;
            sq += (double)e * (double)e;
        }
        print_message("N=%zu digits<=2^%d isa=%d: max |err| = 2^%.1f, rms 2^%.1f (bound 2^%d)\n", N,
                      (int)log2((double)digit_bound), (int)fft_plan_isa(p), log2((double)worst + 1),
                      0.5 * log2(sq / (double)N + 1), (int)max_err_log2);
        assert_true(worst <= (1ull << max_err_log2));
        fft_plan_free(p);
    }
    free(k0), free(k1), free(d0), free(d1), free(ref), free(tmp), free(out), free(start);
    fft_buf_free(fk0), fft_buf_free(fk1), fft_buf_free(fd), fft_buf_free(acc);
}

/* Error model, in units of 2^-64 (one u64 step), for 2 products of size N
 * with digits |d| <= D and a uniform key:
 *  - the key is rounded to 53 bits: |delta| <= 2^10 per coefficient (half
 *    an ulp of a value below 2^63), so at most 2*N*D*2^10 in the worst case
 *    and about sqrt(2N)*(D/sqrt3)*(2^10/3) for random data;
 *  - the FFT itself works on values |y| ~ sqrt(2N)*(D/sqrt3)*(1/sqrt12)
 *    (torus units), whose fractional part keeps only 53 - log2|y| bits, and
 *    its roundoff grows like a few ulps of |y| times sqrt(log2 n).
 * For N = 2048, D = 2^22: the key-rounding worst case is 2^44, |y| ~ 2^25
 * so an ulp of y is 2^-27 torus = 2^37; a few ulps gives an expected maximum
 * near 2^39-2^40. A provable worst-case bound for the FFT part is far
 * larger (norm bounds give ~2^55), so we assert 2^44: that is 16x above the
 * expected maximum and 2^15 below Delta = 2^59 of the default parameters.
 * For small digits (D = 2^4, the keyswitch base) the same model gives
 * ~2^21 expected and 2^26 asserted. */
static void test_torus_external_product(void **state)
{
    (void)state;
    torus_product_case(2048, (int64_t)1 << 22, 44);
    torus_product_case(2048, (int64_t)1 << 4, 26);
    torus_product_case(1024, (int64_t)1 << 22, 43);
    torus_product_case(256, (int64_t)1 << 22, 41);
}

/* Every SIMD kernel against the portable one on the same inputs. */
static void test_simd_matches_scalar(void **state)
{
    (void)state;
    for (size_t N = 64; N <= 4096; N *= 2) {
        size_t n = N / 2;
        uint64_t *a = malloc(N * 8), *s_out = malloc(N * 8), *v_out = malloc(N * 8);
        double *fs = fft_buf_alloc(N), *fv = fft_buf_alloc(N), *ms = fft_buf_alloc(N),
               *mv = fft_buf_alloc(N);
        assert_true(a && s_out && v_out && fs && fv && ms && mv);
        struct fft_plan *sp = plan_or_skip(N, FFT_ISA_SCALAR);
        assert_non_null(sp);
        for (size_t k = 1; k < ISA_COUNT; k++) {
            struct fft_plan *vp = plan_or_skip(N, all_isas[k]);
            if (vp == NULL)
                continue;
            assert_int_equal(fft_plan_isa(vp), all_isas[k]);
            for (int mode = 0; mode < 3; mode++) {
                for (size_t i = 0; i < N; i++)
                    a[i] = mode == 0 ? (uint64_t)rnd_signed(1 << 22) : rnd();
                void (*fwd)(const struct fft_plan *, double *, const uint64_t *) =
                    mode == 0 ? fft_forward_small : mode == 1 ? fft_forward_int : fft_forward_torus;
                fwd(sp, fs, a);
                fwd(vp, fv, a);
                double maxv = 0;
                for (size_t i = 0; i < N; i++)
                    maxv = fmax(maxv, fabs(fs[i]));
                for (size_t i = 0; i < N; i++)
                    assert_true(fabs(fs[i] - fv[i]) <= ldexp(maxv, -45));
                /* MAC: small integers, so every product and sum is exact */
                double *b = fft_buf_alloc(N), *init = fft_buf_alloc(N);
                assert_true(b && init);
                for (size_t i = 0; i < N; i++) {
                    init[i] = ms[i] = mv[i] = (double)rnd_signed(1 << 20);
                    fs[i] = fv[i] = (double)rnd_signed(1 << 20);
                    b[i] = (double)rnd_signed(1 << 10);
                }
                fft_mac(sp, ms, fs, b);
                fft_mac(vp, mv, fv, b);
                assert_memory_equal(ms, mv, N * sizeof *ms);
                for (size_t j = 0; j < n; j++) {
                    assert_true(mv[j] == init[j] + fs[j] * b[j] - fs[n + j] * b[n + j]);
                    assert_true(mv[n + j] == init[n + j] + fs[j] * b[n + j] + fs[n + j] * b[j]);
                }
                fft_buf_free(b), fft_buf_free(init);
                /* inverse to the torus: same values up to a few ulps of the
                 * fractional part (inputs here are ~2^31 torus units) */
                for (size_t i = 0; i < N; i++)
                    fs[i] = fv[i] = ldexp((double)(int64_t)rnd(), -32);
                for (size_t i = 0; i < N; i++)
                    s_out[i] = v_out[i] = rnd();
                fft_inverse_torus_add(sp, s_out, fs);
                fft_inverse_torus_add(vp, v_out, fv);
                for (size_t i = 0; i < N; i++) {
                    int64_t d = (int64_t)(s_out[i] - v_out[i]);
                    assert_true(d < (1ll << 44) && d > -(1ll << 44));
                }
            }
            fft_plan_free(vp);
        }
        fft_plan_free(sp);
        free(a), free(s_out), free(v_out);
        fft_buf_free(fs), fft_buf_free(fv), fft_buf_free(ms), fft_buf_free(mv);
    }
}

/* The fused dot-and-inverse equals zeroed accumulator + fft_mac per term +
 * fft_inverse_torus_add, word for word. */
static void test_dot_inverse(void **state)
{
    (void)state;
    for (size_t N = 16; N <= 4096; N *= 4) {
        enum { TERMS = 3 };
        double *fa[TERMS], *fb[TERMS];
        uint64_t *p = malloc(N * 8), *ref = malloc(N * 8), *got = malloc(N * 8);
        double *acc = fft_buf_alloc(N), *scratch = fft_buf_alloc(N);
        assert_true(p && ref && got && acc && scratch);
        for (size_t k = 0; k < ISA_COUNT; k++) {
            struct fft_plan *pl = plan_or_skip(N, all_isas[k]);
            if (pl == NULL)
                continue;
            for (int t = 0; t < TERMS; t++) {
                fa[t] = fft_buf_alloc(N);
                fb[t] = fft_buf_alloc(N);
                assert_true(fa[t] && fb[t]);
                for (size_t i = 0; i < N; i++)
                    p[i] = (uint64_t)rnd_signed(1 << 22);
                fft_forward_small(pl, fa[t], p);
                for (size_t i = 0; i < N; i++)
                    p[i] = rnd();
                fft_forward_torus(pl, fb[t], p);
            }
            for (size_t count = 0; count <= TERMS; count++) {
                for (size_t i = 0; i < N; i++)
                    ref[i] = got[i] = rnd();
                memset(acc, 0, N * sizeof *acc);
                for (size_t t = 0; t < count; t++)
                    fft_mac(pl, acc, fa[t], fb[t]);
                if (count > 0)
                    fft_inverse_torus_add(pl, ref, acc);
                fft_dot_inverse_torus_add(pl, got, scratch, (const double *const *)fa,
                                          (const double *const *)fb, count);
                assert_memory_equal(got, ref, N * 8);
            }
            for (int t = 0; t < TERMS; t++)
                fft_buf_free(fa[t]), fft_buf_free(fb[t]);
            fft_plan_free(pl);
        }
        free(p), free(ref), free(got), fft_buf_free(acc), fft_buf_free(scratch);
    }
}

/* The CMUX input: fft_forward_rot_digit equals, bit for bit, the forward
 * transform of digits built the plain way (poly_u64_mul_xk for X^a, then
 * decomp.h), for every instruction set, rotations on and off vector
 * boundaries (and a >= N, a >= 2N), several bases, and coefficients around
 * the rounding and balancing boundaries of the decomposition. */
static void rot_digit_case(size_t N, unsigned base_log, const uint64_t *p, size_t a)
{
    uint64_t *rot = malloc(N * 8), *dig = malloc(N * 8);
    double *want = fft_buf_alloc(N), *got = fft_buf_alloc(N);
    assert_true(rot && dig && want && got);
    poly_u64_mul_xk(rot, p, N, a % (2 * N));
    for (size_t c = 0; c < N; c++) {
        uint64_t st = decomp_init_u64(rot[c] - p[c], base_log, 1);
        dig[c] = decomp_next_u64(&st, base_log);
    }
    for (size_t k = 0; k < ISA_COUNT; k++) {
        struct fft_plan *pl = plan_or_skip(N, all_isas[k]);
        if (pl == NULL)
            continue;
        fft_forward_small(pl, want, dig);
        memset(got, 0xff, N * sizeof *got);
        fft_forward_rot_digit(pl, got, p, a, base_log, NULL);
        assert_memory_equal(got, want, N * sizeof *got);
        fft_plan_free(pl);
    }
    free(rot), free(dig), fft_buf_free(want), fft_buf_free(got);
}

static void test_rot_digit(void **state)
{
    (void)state;
    static const unsigned bases[] = {1, 4, 23, 30, 51};
    for (size_t N = FFT_MIN_POLY_SIZE; N <= 2048; N *= 2) {
        uint64_t *p = malloc(N * 8);
        assert_non_null(p);
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            unsigned B = bases[b];
            /* values whose differences land on and next to the rounding
             * (odd multiples of half a digit step) and balancing (+-2^63)
             * boundaries, +-1 */
            uint64_t half = 1ull << (63 - B);
            for (size_t c = 0; c < N; c++) {
                uint64_t v = rnd(), near = (uint64_t)((int64_t)(rnd() % 3) - 1);
                if (c % 3 == 1)
                    v = (v % 8) * half + near;
                else if (c % 3 == 2)
                    v = (1ull << 63) + (v % 4) * half + near;
                p[c] = v;
            }
            size_t as[] = {0, 1, 3, 7, 8, 9, N / 2 + 5, N - 1, N, N + 1, N + 13, 2 * N - 1,
                           2 * N, 3 * N + 2, rnd() % (2 * N)};
            for (size_t t = 0; t < sizeof as / sizeof as[0]; t++)
                rot_digit_case(N, B, p, as[t]);
        }
        free(p);
    }
}

/* fft_cmux_l1 gives, word for word, what its definition composes:
 * rows fft_forward_rot_digit and rows fft_dot_inverse_torus_add calls
 * (rows = 2 takes the fused register path on AVX-512). */
static void test_cmux_l1(void **state)
{
    (void)state;
    for (size_t N = 16; N <= 2048; N *= 8) {
        for (size_t rows = 1; rows <= FFT_CMUX_MAX_ROWS; rows++) {
            uint64_t *acc = malloc(rows * N * 8), *ref = malloc(rows * N * 8);
            uint64_t *tmp = malloc(N * 8);
            double *key = fft_buf_alloc(rows * rows * N), *scratch = fft_buf_alloc(2 * rows * N);
            double *f = fft_buf_alloc(rows * N), *four = fft_buf_alloc(N);
            assert_true(acc && ref && tmp && key && scratch && f && four);
            for (size_t k = 0; k < ISA_COUNT; k++) {
                struct fft_plan *pl = plan_or_skip(N, all_isas[k]);
                if (pl == NULL)
                    continue;
                for (size_t t = 0; t < rows * rows; t++) {
                    for (size_t i = 0; i < N; i++)
                        tmp[i] = rnd();
                    fft_forward_torus(pl, key + t * N, tmp);
                }
                for (int trial = 0; trial < 4; trial++) {
                    size_t a = trial == 0 ? 0 : trial == 1 ? N + 3 : rnd() % (2 * N);
                    for (size_t i = 0; i < rows * N; i++)
                        acc[i] = ref[i] = rnd();
                    const double *fa[FFT_CMUX_MAX_ROWS], *kb[FFT_CMUX_MAX_ROWS];
                    for (size_t r = 0; r < rows; r++) {
                        fft_forward_rot_digit(pl, f + r * N, ref + r * N, a, 23, NULL);
                        fa[r] = f + r * N;
                    }
                    for (size_t c = 0; c < rows; c++) {
                        for (size_t r = 0; r < rows; r++)
                            kb[r] = key + (r * rows + c) * N;
                        fft_dot_inverse_torus_add(pl, ref + c * N, four, fa, kb, rows);
                    }
                    fft_cmux_l1(pl, acc, rows, a, 23, key, scratch, NULL);
                    assert_memory_equal(acc, ref, rows * N * 8);
                }
                fft_plan_free(pl);
            }
            free(acc), free(ref), free(tmp);
            fft_buf_free(key), fft_buf_free(scratch), fft_buf_free(f), fft_buf_free(four);
        }
    }
}

/* A prefetch stream changes no result and is used up over the transforms
 * it was spread on. */
static void test_prefetch_stream(void **state)
{
    (void)state;
    const size_t N = 2048;
    uint64_t *p = malloc(2 * N * 8), *x = malloc(2 * N * 8);
    double *f = fft_buf_alloc(N), *g = fft_buf_alloc(N), *key = fft_buf_alloc(4 * N);
    double *scratch = fft_buf_alloc(4 * N), *mem = fft_buf_alloc(4 * N);
    assert_true(p && x && f && g && key && scratch && mem);
    for (size_t i = 0; i < 2 * N; i++)
        p[i] = rnd();
    for (size_t i = 0; i < 4 * N; i++)
        key[i] = ldexp((double)rnd_signed(1 << 30), -31);
    for (size_t k = 0; k < ISA_COUNT; k++) {
        struct fft_plan *pl = plan_or_skip(N, all_isas[k]);
        if (pl == NULL)
            continue;
        struct fft_prefetch pf;
        fft_prefetch_init(pl, &pf, NULL, 0, 4);
        assert_null(pf.next);
        fft_prefetch_init(pl, &pf, mem, 4 * N * sizeof *mem, 1);
        assert_ptr_equal(pf.next, (const char *)mem);
        assert_ptr_equal(pf.end, (const char *)(mem + 4 * N));
        fft_forward_rot_digit(pl, f, p, 77, 23, &pf);
        fft_forward_rot_digit(pl, g, p, 77, 23, NULL);
        assert_memory_equal(f, g, N * sizeof *f);
        assert_ptr_equal(pf.next, pf.end);
        memcpy(x, p, 2 * N * 8);
        fft_cmux_l1(pl, x, 2, 4000, 23, key, scratch, NULL);
        fft_prefetch_init(pl, &pf, mem, 4 * N * sizeof *mem, 4);
        fft_cmux_l1(pl, p, 2, 4000, 23, key, scratch, &pf);
        assert_memory_equal(x, p, 2 * N * 8);
        assert_ptr_equal(pf.next, pf.end);
        fft_plan_free(pl);
    }
    free(p), free(x), fft_buf_free(f), fft_buf_free(g), fft_buf_free(key);
    fft_buf_free(scratch), fft_buf_free(mem);
}

static void test_inverse_int_limits(void **state)
{
    (void)state;
    const size_t N = 256;
    struct fft_plan *p = NULL;
    assert_int_equal(fft_plan_new(&p, N), 0);
    double *f = fft_buf_alloc(N);
    int64_t *out = malloc(N * 8);
    assert_true(f && out);
    for (size_t i = 0; i < N; i++)
        f[i] = 0x1p70; /* far outside int64 after the inverse */
    assert_int_equal(fft_inverse_int(p, out, f), KMS_ELIMIT);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(out[i], 0);
    for (size_t i = 0; i < N; i++)
        f[i] = NAN;
    assert_int_equal(fft_inverse_int(p, out, f), KMS_ELIMIT);
    free(out), fft_buf_free(f), fft_plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_plan_cache_threads),
        cmocka_unit_test(test_exact_products),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_input_conversions),
        cmocka_unit_test(test_output_conversion),
        cmocka_unit_test(test_natural_order),
        cmocka_unit_test(test_torus_external_product),
        cmocka_unit_test(test_simd_matches_scalar),
        cmocka_unit_test(test_dot_inverse),
        cmocka_unit_test(test_rot_digit),
        cmocka_unit_test(test_cmux_l1),
        cmocka_unit_test(test_prefetch_stream),
        cmocka_unit_test(test_inverse_int_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

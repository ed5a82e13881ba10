/* FFT plans (twiddle tables), the shared plan cache, run-time choice of
 * kernels, and the plan-order <-> natural-order conversion. */
#include "tfhe/fft.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tfhe/fft_impl.h"

#define FFT_MAX_LOG2N 15 /* n = N/2 <= 2^15 */

/* e^{sign * 2*pi*i * k/m} for m a power of two. Quarter turns are exact; the
 * rest is computed in long double and rounded once. */
static void unit_root(double *re, double *im, size_t k, size_t m, int sign)
{
    k %= m;
    if ((4 * k) % m == 0) {
        static const double qre[4] = {1, 0, -1, 0}, qim[4] = {0, 1, 0, -1};
        size_t quarter = 4 * k / m;
        *re = qre[quarter];
        *im = sign * qim[quarter];
        return;
    }
    const long double pi = 3.141592653589793238462643383279502884L;
    long double a = 2.0L * pi * (long double)k / (long double)m;
    *re = (double)cosl(a);
    *im = (double)(sign * sinl(a));
}

static unsigned log2_exact(size_t x)
{
    unsigned l = 0;
    while (((size_t)1 << l) < x)
        l++;
    return l;
}

static unsigned bit_reverse_small(unsigned p, unsigned radix)
{
    unsigned r = 0;
    for (unsigned b = 1; b < radix; b <<= 1, p >>= 1)
        r = (r << 1) | (p & 1);
    return r;
}

/* Radices for the L stages: the kernel's largest radix where it fits, a
 * single radix-2 pass (first) when needed, then the two tail passes. */
static void choose_passes(struct fft_plan *p)
{
    const struct fft_ops *ops = p->ops;
    unsigned rem = p->log2n - (ops->has_tail ? 4 : 0), count = 0;
    unsigned radix[FFT_MAX_PASSES];
    while (rem > 0) {
        unsigned r = rem == 1 ? 2 : (rem >= 3 && rem != 4 && ops->max_radix >= 8) ? 8 : 4;
        radix[count++] = r;
        rem -= log2_exact(r);
    }
    if (count > 0 && radix[count - 1] == 2) { /* radix-2 goes first */
        for (unsigned k = count - 1; k > 0; k--)
            radix[k] = radix[k - 1];
        radix[0] = 2;
    }
    if (ops->has_tail) {
        radix[count++] = 4;
        radix[count++] = 4;
    }
    size_t q = p->n;
    for (unsigned k = 0; k < count; k++) {
        struct fft_pass *ps = &p->pass[k];
        q /= radix[k];
        ps->radix = radix[k];
        ps->first_p = k == 0 ? 0 : 1;
        ps->q = q;
        ps->chunk = q < 8 ? q : 8;
        ps->stride = 2 * ps->chunk * (ps->radix - ps->first_p);
    }
    p->pass_count = count;
    /* prefetch steps: one per loop iteration of the vector passes, one per
     * 64 points of the register tail */
    size_t steps = ops->has_tail ? (p->n + 63) / 64 : 0;
    for (unsigned k = 0; k + (ops->has_tail ? 2 : 0) < count; k++)
        steps += p->n / (p->pass[k].radix * ops->vw);
    p->pf_steps = steps;
}

static size_t table_doubles(const struct fft_plan *p)
{
    size_t total = 0;
    for (unsigned k = 0; k < p->pass_count; k++)
        total += p->pass[k].q / p->pass[k].chunk * p->pass[k].stride;
    return total;
}

static void fill_tables(struct fft_plan *p)
{
    size_t n = p->n, N = p->poly_size;
    double *t = p->mem;
    for (unsigned k = 0; k < p->pass_count; k++) {
        struct fft_pass *ps = &p->pass[k];
        ps->tab = t;
        for (size_t j = 0; j < ps->q; j++) {
            double *row = t + (j / ps->chunk) * ps->stride + j % ps->chunk;
            for (unsigned f = ps->first_p; f < ps->radix; f++) {
                double *re = row + 2 * (f - ps->first_p) * ps->chunk, *im = re + ps->chunk;
                size_t br = bit_reverse_small(f, ps->radix);
                if (k == 0) /* tw_j * w^(j*br), w = e^{-2 pi i/n}: e^{2 pi i (j - 4 j br)/(4n)} */
                    unit_root(re, im, (j + 4 * n - (4 * j * br) % (4 * n)) % (4 * n), 4 * n, +1);
                else
                    unit_root(re, im, j * br, ps->radix * ps->q, -1);
            }
        }
        t += ps->q / ps->chunk * ps->stride;
    }
    for (unsigned i = 0; i < 8; i++) {
        p->in_re[i] = p->out_re[i] = 1.0 / (double)n;
        p->in_im[i] = p->out_im[i] = 0;
    }
    for (unsigned i = 0; i < p->pass[0].radix; i++) { /* c_t = e^{i pi t q0/N} */
        unit_root(&p->in_re[i], &p->in_im[i], i * p->pass[0].q, 2 * N, +1);
        p->out_re[i] = p->in_re[i] / (double)n;
        p->out_im[i] = -p->in_im[i] / (double)n;
    }
}

static int isa_available(enum fft_isa isa)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (isa == FFT_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == FFT_ISA_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
    return isa == FFT_ISA_SCALAR;
}

static const struct fft_ops *isa_ops(enum fft_isa isa)
{
#if defined(__x86_64__) || defined(__i386__)
    if (isa == FFT_ISA_AVX512)
        return &fft_ops_avx512;
    if (isa == FFT_ISA_AVX2)
        return &fft_ops_avx2;
#endif
    (void)isa;
    return &fft_ops_scalar;
}

static enum fft_isa best_isa(void)
{
    if (isa_available(FFT_ISA_AVX512))
        return FFT_ISA_AVX512;
    if (isa_available(FFT_ISA_AVX2))
        return FFT_ISA_AVX2;
    return FFT_ISA_SCALAR;
}

int fft_plan_new_isa(struct fft_plan **out, size_t poly_size, enum fft_isa isa)
{
    *out = NULL;
    if (poly_size < FFT_MIN_POLY_SIZE || poly_size > FFT_MAX_POLY_SIZE ||
        (poly_size & (poly_size - 1)) != 0)
        return kms_err(KMS_EINVAL, "fft: polynomial size %zu is not a power of two in [%d, %d]",
                       poly_size, FFT_MIN_POLY_SIZE, FFT_MAX_POLY_SIZE);
    if (isa == FFT_ISA_AUTO)
        isa = best_isa();
    if (isa < FFT_ISA_SCALAR || isa > FFT_ISA_AVX512 || !isa_available(isa))
        return kms_err(KMS_EUNIMPL, "fft: instruction set %d not available", (int)isa);

    struct fft_plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return kms_err(KMS_ENOMEM, "fft: out of memory");
    p->poly_size = poly_size;
    p->n = poly_size / 2;
    p->log2n = log2_exact(p->n);
    p->ops = isa_ops(isa);
    if (p->n < p->ops->min_n)
        p->ops = &fft_ops_scalar;
    choose_passes(p);
    p->mem = fft_buf_alloc(table_doubles(p));
    if (p->mem == NULL) {
        free(p);
        return kms_err(KMS_ENOMEM, "fft: out of memory");
    }
    fill_tables(p);
    *out = p;
    return 0;
}

int fft_plan_new(struct fft_plan **out, size_t poly_size)
{
    return fft_plan_new_isa(out, poly_size, FFT_ISA_AUTO);
}

void fft_plan_free(struct fft_plan *plan)
{
    if (plan == NULL)
        return;
    fft_buf_free(plan->mem);
    free(plan);
}

static struct fft_plan *plan_cache[FFT_MAX_LOG2N + 1];
static pthread_mutex_t plan_cache_lock = PTHREAD_MUTEX_INITIALIZER;

int fft_plan_get(const struct fft_plan **out, size_t poly_size)
{
    *out = NULL;
    if (poly_size < FFT_MIN_POLY_SIZE || poly_size > FFT_MAX_POLY_SIZE ||
        (poly_size & (poly_size - 1)) != 0)
        return kms_err(KMS_EINVAL, "fft: polynomial size %zu is not a power of two in [%d, %d]",
                       poly_size, FFT_MIN_POLY_SIZE, FFT_MAX_POLY_SIZE);
    unsigned l = log2_exact(poly_size / 2);
    struct fft_plan *p = __atomic_load_n(&plan_cache[l], __ATOMIC_ACQUIRE);
    if (p == NULL) {
        pthread_mutex_lock(&plan_cache_lock);
        p = plan_cache[l];
        int rc = 0;
        if (p == NULL && (rc = fft_plan_new(&p, poly_size)) == 0)
            __atomic_store_n(&plan_cache[l], p, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&plan_cache_lock);
        if (rc < 0)
            return rc;
    }
    *out = p;
    return 0;
}

size_t fft_plan_poly_size(const struct fft_plan *plan)
{
    return plan->poly_size;
}

enum fft_isa fft_plan_isa(const struct fft_plan *plan)
{
    return plan->ops->isa;
}

double *fft_buf_alloc(size_t count)
{
    void *p = NULL;
    if (count > SIZE_MAX / sizeof(double))
        return NULL;
    if (posix_memalign(&p, 64, count ? count * sizeof(double) : 64) != 0)
        return NULL;
    memset(p, 0, count * sizeof(double));
    return p;
}

void fft_buf_free(double *buf)
{
    free(buf);
}

static void forward(const struct fft_plan *plan, double *four, const uint64_t *poly,
                    enum fft_in_mode mode)
{
    struct fft_src src = {.p = poly};
    plan->ops->forward(plan, four, &src, mode, NULL);
}

void fft_forward_small(const struct fft_plan *plan, double *four, const uint64_t *poly)
{
    forward(plan, four, poly, FFT_IN_SMALL);
}

void fft_forward_int(const struct fft_plan *plan, double *four, const uint64_t *poly)
{
    forward(plan, four, poly, FFT_IN_INT);
}

void fft_forward_torus(const struct fft_plan *plan, double *four, const uint64_t *poly)
{
    forward(plan, four, poly, FFT_IN_TORUS);
}

void fft_forward_rot_digit(const struct fft_plan *plan, double *four, const uint64_t *poly,
                           size_t a, unsigned base_log, struct fft_prefetch *pf)
{
    size_t N = plan->poly_size;
    struct fft_src src = {.p = poly, .s = a % N, .base_log = base_log};
    plan->ops->forward(plan, four, &src,
                       a % (2 * N) >= N ? FFT_IN_ROT_DIGIT_NEG : FFT_IN_ROT_DIGIT, pf);
}

void fft_cmux_l1(const struct fft_plan *plan, uint64_t *acc, size_t rows, size_t a,
                 unsigned base_log, const double *key, double *scratch, struct fft_prefetch *pf)
{
    if (rows >= 1 && rows <= FFT_CMUX_MAX_ROWS)
        plan->ops->cmux(plan, acc, rows, a, base_log, key, scratch, pf);
}

void fft_prefetch_init(const struct fft_plan *plan, struct fft_prefetch *pf, const void *mem,
                       size_t bytes, size_t transforms)
{
    pf->next = pf->end = NULL;
    pf->per_step = 0;
    if (mem == NULL || bytes == 0)
        return;
    /* whole cache lines, as addresses: prefetches never fault */
    uintptr_t start = (uintptr_t)mem & ~(uintptr_t)63;
    size_t lines = (size_t)(((uintptr_t)mem + bytes - start + 63) / 64);
    size_t steps = transforms * plan->pf_steps;
    pf->next = (const char *)start;
    pf->end = (const char *)(start + lines * 64);
    pf->per_step = (unsigned)(steps == 0 ? lines : (lines + steps - 1) / steps);
}

void fft_mac(const struct fft_plan *plan, double *acc, const double *a, const double *b)
{
    plan->ops->mac(plan->n, acc, a, b);
}

void fft_inverse_torus_add(const struct fft_plan *plan, uint64_t *poly, double *four)
{
    plan->ops->inverse(plan, poly, four, FFT_OUT_TORUS_ADD);
}

void fft_dot_inverse_torus_add(const struct fft_plan *plan, uint64_t *poly, double *four,
                               const double *const *a, const double *const *b, size_t count)
{
    if (count > 0)
        plan->ops->inverse_dot(plan, poly, four, a, b, count, NULL);
}

void fft_inverse_f64(const struct fft_plan *plan, double *four)
{
    plan->ops->inverse(plan, NULL, four, FFT_OUT_F64);
}

int fft_inverse_int(const struct fft_plan *plan, int64_t *poly, double *four)
{
    size_t N = plan->poly_size;
    fft_inverse_f64(plan, four);
    for (size_t i = 0; i < N; i++) {
        double r = nearbyint(four[i]);
        if (!(r >= -0x1p63 && r < 0x1p63)) {
            memset(poly, 0, N * sizeof *poly);
            return kms_err(KMS_ELIMIT, "fft: coefficient %zu out of the int64 range", i);
        }
        poly[i] = (int64_t)r;
    }
    return 0;
}

static size_t bit_reverse(size_t x, unsigned bits)
{
    size_t r = 0;
    for (unsigned b = 0; b < bits; b++, x >>= 1)
        r = (r << 1) | (x & 1);
    return r;
}

void fft_to_natural(const struct fft_plan *plan, double *c64, const double *four)
{
    size_t n = plan->n;
    for (size_t p = 0; p < n; p++) {
        size_t k = bit_reverse(p, plan->log2n);
        c64[2 * k] = four[p];
        c64[2 * k + 1] = four[n + p];
    }
}

void fft_from_natural(const struct fft_plan *plan, double *four, const double *c64)
{
    size_t n = plan->n;
    for (size_t p = 0; p < n; p++) {
        size_t k = bit_reverse(p, plan->log2n);
        four[p] = c64[2 * k];
        four[n + p] = c64[2 * k + 1];
    }
}

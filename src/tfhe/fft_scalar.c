/* Portable FFT kernels: the shared passes on plain doubles (VW = 1), so
 * every radix-4 pass, down to q = 1, runs the generic code. Used on CPUs
 * without AVX2/FMA, for small sizes, and as the reference in tests. */
#include "tfhe/fft_impl.h"

#include "tfhe/decomp.h"

typedef double vd;
#define VW 1
#define FFT_FN
#define V_PIN(x) ((void)0)
#define FFT_HAS_TAIL 0

static inline vd v_load(const double *p) { return *p; }
static inline void v_store(double *p, vd a) { *p = a; }
static inline vd v_set1(double a) { return a; }
static inline vd v_add(vd a, vd b) { return a + b; }
static inline vd v_sub(vd a, vd b) { return a - b; }
static inline vd v_mul(vd a, vd b) { return a * b; }
static inline vd v_fmadd(vd a, vd b, vd c) { return a * b + c; }
static inline vd v_fmsub(vd a, vd b, vd c) { return a * b - c; }
static inline vd v_fnmadd(vd a, vd b, vd c) { return c - a * b; }
static inline vd v_cvt_small(const uint64_t *p) { return (double)(int64_t)*p; }
static inline vd v_cvt_int(const uint64_t *p) { return (double)(int64_t)*p; }
static inline void v_torus_add(uint64_t *out, vd y) { *out += fft_from_torus(y); }

/* The reference: decomp.h itself. */
typedef struct {
    unsigned base_log;
} vdigit;

static inline vdigit v_digit_consts(unsigned base_log)
{
    vdigit k = {base_log};
    return k;
}

static inline vd v_rot_digit(const uint64_t *src, int neg, const uint64_t *p, const vdigit *k)
{
    uint64_t state = decomp_init_u64((neg ? 0 - *src : *src) - *p, k->base_log, 1);
    return (double)(int64_t)decomp_next_u64(&state, k->base_log);
}

#include "tfhe/fft_kernels.h"

const struct fft_ops fft_ops_scalar = {
    .isa = FFT_ISA_SCALAR,
    .vw = 1,
    .min_n = 1,
    .max_radix = 4,
    .has_tail = 0,
    .forward = kernel_forward,
    .inverse = kernel_inverse,
    .mac = kernel_mac,
    .inverse_dot = kernel_inverse_dot,
    .cmux = kernel_cmux,
};

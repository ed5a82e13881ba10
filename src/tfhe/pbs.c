#include "tfhe/pbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tfhe/decomp.h"
#include "tfhe/glwe.h"
#include "tfhe/poly.h"

struct pbs_scratch {
    struct bsk_shape shape;
    uint64_t *acc;      /* (k + 1) N: the accumulator of pbs_bootstrap */
    uint64_t *diff;     /* (k + 1) N: ACC * X^a - ACC */
    uint64_t *state;    /* (k + 1) N: decomposition states */
    uint64_t *digits;   /* N: one digit polynomial */
    uint32_t *switched; /* n + 1 */
    double **four_digits;      /* (k + 1) l transforms of N doubles */
    const double **key_polys;  /* (k + 1) l pointers into the key */
    double *four_out;          /* N: scratch of the fused inverse */
    double *cmux_scratch;      /* 2 (k + 1) N: scratch of fft_cmux_l1 */
};

int pbs_scratch_new(struct pbs_scratch **out, const struct bsk_shape *s)
{
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    struct pbs_scratch *sc = calloc(1, sizeof *sc);
    *out = NULL;
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for PBS scratch");
    sc->shape = *s;
    sc->acc = malloc(rows * N * sizeof *sc->acc);
    sc->diff = malloc(rows * N * sizeof *sc->diff);
    sc->state = malloc(rows * N * sizeof *sc->state);
    sc->digits = malloc(N * sizeof *sc->digits);
    sc->switched = malloc((s->lwe_dimension + 1) * sizeof *sc->switched);
    size_t transforms = rows * s->level;
    sc->four_digits = calloc(transforms, sizeof *sc->four_digits);
    sc->key_polys = calloc(transforms, sizeof *sc->key_polys);
    sc->four_out = fft_buf_alloc(N);
    sc->cmux_scratch = fft_buf_alloc(2 * rows * N);
    int ok = sc->acc && sc->diff && sc->state && sc->digits && sc->switched && sc->four_digits &&
             sc->key_polys && sc->four_out && sc->cmux_scratch;
    for (size_t t = 0; ok && t < transforms; t++)
        ok = (sc->four_digits[t] = fft_buf_alloc(N)) != NULL;
    if (!ok) {
        pbs_scratch_free(sc);
        return kms_err(KMS_ENOMEM, "out of memory for PBS scratch");
    }
    *out = sc;
    return 0;
}

void pbs_scratch_free(struct pbs_scratch *sc)
{
    if (sc == NULL)
        return;
    free(sc->acc);
    free(sc->diff);
    free(sc->state);
    free(sc->digits);
    free(sc->switched);
    if (sc->four_digits != NULL)
        for (size_t t = 0; t < ((size_t)sc->shape.glwe_dimension + 1) * sc->shape.level; t++)
            fft_buf_free(sc->four_digits[t]);
    free(sc->four_digits);
    free(sc->key_polys);
    fft_buf_free(sc->four_out);
    fft_buf_free(sc->cmux_scratch);
    free(sc);
}

static void reverse(uint64_t *p, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint64_t t = p[i];
        p[i] = p[j - 1];
        p[j - 1] = t;
    }
}

void pbs_lut(uint64_t *body, size_t N, unsigned p, const uint64_t *table, uint64_t delta)
{
    size_t box = N / p, half = box / 2;
    for (unsigned i = 0; i < p; i++)
        for (size_t j = 0; j < box; j++)
            body[i * box + j] = table[i] * delta;
    /* negate the first half box, then rotate left by half a box */
    for (size_t j = 0; j < half; j++)
        body[j] = 0 - body[j];
    /* rotate left by half: reverse both parts, then the whole */
    reverse(body, half);
    reverse(body + half, N - half);
    reverse(body, N);
}

static inline uint32_t ms_round(uint64_t x, unsigned log_modulus)
{
    return (uint32_t)((x + (1ull << (63 - log_modulus))) >> (64 - log_modulus));
}

void pbs_ms_standard(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus)
{
    for (size_t i = 0; i <= n; i++)
        switched[i] = ms_round(ct[i], log_modulus);
}

void pbs_ms_centered(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus)
{
    uint64_t sum_half = 0;
    int64_t sum_halving_doubled = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t rounded = (uint64_t)ms_round(ct[i], log_modulus) << (64 - log_modulus);
        int64_t err = (int64_t)(rounded - ct[i]);
        int64_t half = err / 2; /* truncates toward zero, as Rust does */
        sum_half += (uint64_t)half;
        sum_halving_doubled += 2 * half - err;
        switched[i] = ms_round(ct[i], log_modulus);
    }
    sum_half -= (uint64_t)(sum_halving_doubled / 2);
    uint64_t correction = sum_half - (1ull << (64 - log_modulus - 1));
    switched[n] = ms_round(ct[n] + correction, log_modulus);
}

/* round(x) - x as a signed double, the error of switching x. */
static double ms_error(uint64_t x, unsigned log_modulus)
{
    uint64_t rounded = (uint64_t)ms_round(x, log_modulus) << (64 - log_modulus);
    return (double)(int64_t)(rounded - x);
}

/* The noise estimate of switching (mask + extra_mask, body + extra_body). */
static double drift_measure(const uint64_t *ct, const uint64_t *extra, size_t n,
                            unsigned log_modulus, const struct tfhe_ms_params *ms)
{
    double sum = 0, sum_sq = 0;
    for (size_t i = 0; i < n; i++) {
        double e = ms_error(ct[i] + (extra ? extra[i] : 0), log_modulus);
        sum += e;
        sum_sq += e * e;
    }
    double body = ms_error(ct[n] + (extra ? extra[n] : 0), log_modulus);
    double expectancy = body - sum / 2;
    double two64 = 18446744073709551616.0;
    double std_dev = sqrt(sum_sq / 4 + ms->ms_input_variance * two64 * two64);
    return fabs(expectancy) + std_dev * ms->ms_r_sigma_factor;
}

void pbs_ms_drift(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus,
                  const uint64_t *zeros, const struct tfhe_ms_params *ms)
{
    double bound = (double)ms->ms_bound;
    double best = drift_measure(ct, NULL, n, log_modulus, ms);
    const uint64_t *pick = NULL;
    if (best > bound) {
        for (uint32_t z = 0; z < ms->zeros_count; z++) {
            const uint64_t *cand = zeros + (size_t)z * (n + 1);
            double m = drift_measure(ct, cand, n, log_modulus, ms);
            if (m < best) {
                best = m;
                pick = cand;
            }
            if (m <= bound)
                break;
        }
    }
    for (size_t i = 0; i <= n; i++)
        switched[i] = ms_round(ct[i] + (pick ? pick[i] : 0), log_modulus);
}

/* state[c] = decomposition state of (X^a p - p)[c]: the CMUX difference
 * and the first decomposition step in one pass, in two branch-free ranges
 * (the coefficients that wrap around X^N = -1, and the rest). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
diff_decomp_init(uint64_t *restrict state, const uint64_t *restrict p, size_t N, uint32_t a,
                 unsigned base_log, unsigned level)
{
    uint64_t flip = a >= N ? ~0ull : 0; /* X^a = -X^(a - N) */
    size_t s = a % N;
    for (size_t c = 0; c < s; c++) {
        uint64_t rot = (p[c + N - s] ^ ~flip) - ~flip; /* wrapped: negated once more */
        state[c] = decomp_init_u64(rot - p[c], base_log, level);
    }
    for (size_t c = s; c < N; c++) {
        uint64_t rot = (p[c - s] ^ flip) - flip;
        state[c] = decomp_init_u64(rot - p[c], base_log, level);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void
next_digits(uint64_t *restrict digits, uint64_t *restrict state, size_t N, unsigned base_log)
{
    for (size_t c = 0; c < N; c++)
        digits[c] = decomp_next_u64(&state[c], base_log);
}

/* acc += ExtProd(GGSW_i, ACC * X^a - ACC) in the Fourier domain: (k + 1) l
 * forward transforms of digit polynomials, then per output polynomial one
 * fused multiply-accumulate-and-inverse. */
static void cmux(const struct fourier_bsk *bsk, size_t i, uint64_t *acc, uint32_t a,
                 struct pbs_scratch *sc)
{
    const struct bsk_shape *s = &bsk->shape;
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    for (unsigned r = 0; r < rows; r++)
        diff_decomp_init(sc->state + (size_t)r * N, acc + (size_t)r * N, N, a, s->base_log,
                         s->level);
    size_t count = 0;
    for (unsigned t = 0; t < s->level; t++)
        for (unsigned r = 0; r < rows; r++, count++) {
            next_digits(sc->digits, sc->state + (size_t)r * N, N, s->base_log);
            fft_forward_small(bsk->plan, sc->four_digits[count], sc->digits);
        }
    for (unsigned c = 0; c < rows; c++) {
        count = 0;
        for (unsigned t = 0; t < s->level; t++)
            for (unsigned r = 0; r < rows; r++, count++)
                sc->key_polys[count] = fourier_bsk_poly(bsk, i, t, r, c);
        fft_dot_inverse_torus_add(bsk->plan, acc + (size_t)c * N, sc->four_out,
                                  (const double *const *)sc->four_digits,
                                  (const double *const *)sc->key_polys, count);
    }
}

/* The same for a one-level gadget (every parameter set in use), in one
 * call (fft_cmux_l1: the rotation, difference and decomposition happen in
 * the first pass of the digit transforms, and for k = 1 the transforms'
 * last passes, the products with the key and the inverses' first passes
 * run together in registers). Meanwhile the GGSW of the next step, `next`
 * (or NULL), streams into the cache: the key is far bigger than the caches
 * and would otherwise stall every step on memory. */
static void cmux_l1(const struct fourier_bsk *bsk, size_t i, uint64_t *acc, uint32_t a,
                    const double *next, struct pbs_scratch *sc)
{
    const struct bsk_shape *s = &bsk->shape;
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    struct fft_prefetch pf;
    fft_prefetch_init(bsk->plan, &pf, next, next ? rows * rows * N * sizeof(double) : 0,
                      2 * rows);
    fft_cmux_l1(bsk->plan, acc, rows, a, s->base_log, fourier_bsk_poly(bsk, i, 0, 0, 0),
                sc->cmux_scratch, &pf);
}

void pbs_blind_rotate(const struct fourier_bsk *bsk, uint64_t *acc, const uint32_t *switched,
                      struct pbs_scratch *sc)
{
    const struct bsk_shape *s = &bsk->shape;
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1, n = s->lwe_dimension;
    /* ACC = LUT * X^(-b~) = LUT * X^(2N - b~) */
    for (unsigned r = 0; r < rows; r++) {
        uint64_t *poly = acc + (size_t)r * N;
        memcpy(sc->diff, poly, N * sizeof *poly);
        poly_u64_mul_xk(poly, sc->diff, N, (2 * N - switched[n]) % (2 * N));
    }
    if (s->level != 1 || s->base_log > 51 || rows > FFT_CMUX_MAX_ROWS) {
        for (size_t i = 0; i < n; i++)
            if (switched[i] != 0)
                cmux(bsk, i, acc, switched[i], sc);
        return;
    }
    size_t i = 0;
    while (i < n && switched[i] == 0)
        i++;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && switched[j] == 0)
            j++;
        cmux_l1(bsk, i, acc, switched[i], j < n ? fourier_bsk_poly(bsk, j, 0, 0, 0) : NULL, sc);
        i = j;
    }
}

static unsigned log2_2n(size_t N)
{
    unsigned l = 0;
    while (((size_t)1 << l) < 2 * N)
        l++;
    return l;
}

static void rotate_and_extract(const struct fourier_bsk *bsk, uint64_t *out, const uint64_t *lut,
                               struct pbs_scratch *sc)
{
    size_t N = bsk->shape.polynomial_size;
    unsigned k = bsk->shape.glwe_dimension;
    glwe_trivial(sc->acc, k, N, lut);
    pbs_blind_rotate(bsk, sc->acc, sc->switched, sc);
    glwe_sample_extract(out, sc->acc, k, N, 0);
}

void pbs_bootstrap_drift(const struct fourier_bsk *bsk, uint64_t *out, const uint64_t *in,
                         const uint64_t *lut, const uint64_t *zeros,
                         const struct tfhe_ms_params *ms, struct pbs_scratch *sc)
{
    const struct bsk_shape *s = &bsk->shape;
    pbs_ms_drift(sc->switched, in, s->lwe_dimension, log2_2n(s->polynomial_size), zeros, ms);
    rotate_and_extract(bsk, out, lut, sc);
}

void pbs_bootstrap(const struct fourier_bsk *bsk, uint64_t *out, const uint64_t *in,
                   const uint64_t *lut, enum tfhe_ms_kind ms, struct pbs_scratch *sc)
{
    const struct bsk_shape *s = &bsk->shape;
    size_t n = s->lwe_dimension;
    unsigned log_2n = log2_2n(s->polynomial_size);
    if (ms == TFHE_MS_CENTERED_MEAN)
        pbs_ms_centered(sc->switched, in, n, log_2n);
    else
        pbs_ms_standard(sc->switched, in, n, log_2n);
    rotate_and_extract(bsk, out, lut, sc);
}

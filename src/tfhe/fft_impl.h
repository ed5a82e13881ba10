/* Internals shared by fft.c and the per-instruction-set kernels
 * (fft_scalar.c, fft_avx2.c, fft_avx512.c). Not part of the API.
 *
 * Forward transform of n = N/2 = 2^L points: decimation in frequency, as a
 * list of passes of radix R in {2, 4, 8}. A pass with stride q works on
 * blocks of R*q points; for each j < q it takes x_t = x[b + j + t*q],
 * t < R, computes their R-point DFT leaving its outputs in bit-reversed
 * position p, and multiplies output p by w^(j*bitrev(p)), w = e^{-2*pi*i/(Rq)}
 * (R stacked radix-2 DIF stages). Any list of radices therefore leaves the
 * whole transform in bit-reversed order, so each instruction set may choose
 * its own list while sharing the plan order.
 *
 * The first pass (q = n/R) also converts and twists the input: with
 * tw_j = e^{i*pi*j/N} and tw_{j+t*q} = tw_j * c_t, c_t = e^{i*pi*t*q/N}, it
 * multiplies input t by the constant c_t and output p by the combined
 * T_p(j) = tw_j * w^(j*bitrev(p)), so no separate twist table is read (and
 * since c_{t+R/2} = c_t * e^{i*pi/4}, only c_t for t < R/2 are used). The
 * inverse runs the mirror passes in reverse order with conjugate factors;
 * its last pass untwists (conj(T_p), conj(c_t)/n) and converts the output.
 *
 * Costs on Zen 4 (the machine this was tuned on): zmm loads ~1/cycle, zmm
 * stores ~2 cycles each, FP add and FMA one zmm op per cycle each, so each
 * pass over the data costs at least its stores; AVX-512 uses radix 8 to
 * need three passes for N = 2048, AVX2 (16 registers) radix 4.
 *
 * SIMD kernels finish with a register-resident "tail" doing the last two
 * radix-4 passes (q = 4 and q = 1) on blocks of 16 points; their plans
 * always end with those two passes.
 *
 * The blind rotation's external product (ops->cmux, fft_cmux_l1) reuses
 * the passes: its first forward pass computes the one-level decomposition
 * digits of X^a p - p straight from p (FFT_IN_ROT_DIGIT modes, the sign of
 * X^a as a compile-time mode so the difference is one or two integer ops),
 * and on AVX-512 with k = 1 the two forward tails, the four key products
 * and the two inverse heads run in one register pass (tail_dot_head2), the
 * same operations in the same order as the separate calls. Every pass can
 * advance a prefetch stream (struct fft_prefetch) by one step per loop
 * iteration; plan->pf_steps counts the steps of one transform so that a
 * stream can be spread evenly over a CMUX step. */
#ifndef CKMS_TFHE_FFT_IMPL_H
#define CKMS_TFHE_FFT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "tfhe/fft.h"

#define FFT_MAX_PASSES 16

/* Input conversions of the first forward pass. FFT_IN_ROT_DIGIT(_NEG) read
 * the one-level decomposition digit of (X^a p - p)[c] for a < N (a >= N)
 * (fft_forward_rot_digit). */
enum fft_in_mode { FFT_IN_SMALL, FFT_IN_INT, FFT_IN_TORUS, FFT_IN_ROT_DIGIT, FFT_IN_ROT_DIGIT_NEG };
/* Output conversions of the last inverse pass. */
enum fft_out_mode { FFT_OUT_TORUS_ADD, FFT_OUT_F64 };

struct fft_plan;

/* Input of the first forward pass: the polynomial, and for the
 * FFT_IN_ROT_DIGIT modes the rotation X^a as s = a mod N (the mode gives the
 * sign: X^a = -X^(a-N) for a >= N) and the base. */
struct fft_src {
    const uint64_t *p;
    size_t s;
    unsigned base_log;
};

struct fft_ops {
    enum fft_isa isa;
    size_t min_n;       /* smallest n these kernels handle */
    unsigned max_radix; /* largest radix for the non-tail passes */
    int has_tail;       /* plan ends with radix-4 passes q = 4 and q = 1 */
    unsigned vw; /* doubles per vector */
    void (*forward)(const struct fft_plan *plan, double *four, const struct fft_src *src,
                    enum fft_in_mode mode, struct fft_prefetch *pf);
    /* FFT_OUT_F64 ignores out and leaves the coefficients in four. */
    void (*inverse)(const struct fft_plan *plan, uint64_t *out, double *four,
                    enum fft_out_mode mode);
    void (*mac)(size_t n, double *acc, const double *a, const double *b);
    void (*inverse_dot)(const struct fft_plan *plan, uint64_t *out, double *four,
                        const double *const *a, const double *const *b, size_t count,
                        struct fft_prefetch *pf);
    void (*cmux)(const struct fft_plan *plan, uint64_t *acc, size_t rows, size_t a,
                 unsigned base_log, const double *key, double *scratch, struct fft_prefetch *pf);
};

/* Twiddles of one pass, interleaved so a pass reads one sequential stream:
 * for each chunk of C = min(8, q) consecutive j, the factors for
 * p = first_p .. radix-1, each as C real parts then C imaginary parts. */
struct fft_pass {
    unsigned radix;
    unsigned first_p; /* 0 for the first pass (T_0 = tw_j), else 1 */
    size_t q;
    size_t chunk;  /* C */
    size_t stride; /* doubles per chunk: 2 * C * (radix - first_p) */
    const double *tab;
};

struct fft_plan {
    size_t poly_size; /* N */
    size_t n;         /* N/2 complex points */
    unsigned log2n;
    const struct fft_ops *ops;
    unsigned pass_count;
    struct fft_pass pass[FFT_MAX_PASSES];
    /* first-pass input constants c_t and last-pass output factors conj(c_t)/n */
    double in_re[8], in_im[8], out_re[8], out_im[8];
    size_t pf_steps; /* prefetch steps (fft_pf_step calls) of one transform */
    double *mem;     /* owns all tables */
};

extern const struct fft_ops fft_ops_scalar;
extern const struct fft_ops fft_ops_avx2;
extern const struct fft_ops fft_ops_avx512;

/* Start of the twiddles for j in a pass table: factor p's real parts are at
 * row + 2*(p - first_p)*C, its imaginary parts C further. */
static inline const double *fft_pass_row(const struct fft_pass *ps, size_t j)
{
    unsigned shift = (unsigned)__builtin_ctzl(ps->chunk); /* chunk is a power of two */
    return ps->tab + (j >> shift) * ps->stride + (j & (ps->chunk - 1));
}

/* One prefetch step: the next pf->per_step cache lines of the stream, into
 * L2 (prefetcht1: the stream is bigger than L1 and is read a step later).
 * Passes call it once per loop iteration (the register tails once per 64
 * points), so a stream spread with fft_prefetch_init covers a whole
 * external product evenly. */
static inline __attribute__((always_inline)) void fft_pf_step(struct fft_prefetch *pf)
{
    if (pf == NULL)
        return;
    for (unsigned k = 0; k < pf->per_step && pf->next < pf->end; k++, pf->next += 64)
        __builtin_prefetch(pf->next, 0, 2);
}

/* round(y * 2^64) mod 2^64 for a double y, ties to even: tfhe-rs from_torus
 * (y - round(y) is exact, so scaling after the reduction loses nothing).
 * Not-a-number (only from garbage Fourier data) gives 0. */
static inline uint64_t fft_from_torus(double y)
{
    double f = y - __builtin_nearbyint(y);
    double g = __builtin_nearbyint(f * 0x1p64); /* in [-2^63, 2^63] */
    if (g >= 0x1p63)
        return UINT64_C(1) << 63; /* 2^63 wraps to -2^63 */
    if (!(g >= -0x1p63))
        return 0;
    return (uint64_t)(int64_t)g;
}

#endif

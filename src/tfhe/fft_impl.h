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
 * always end with those two passes. */
#ifndef CKMS_TFHE_FFT_IMPL_H
#define CKMS_TFHE_FFT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "tfhe/fft.h"

#define FFT_MAX_PASSES 16

/* Input conversions of the first forward pass. */
enum fft_in_mode { FFT_IN_SMALL, FFT_IN_INT, FFT_IN_TORUS };
/* Output conversions of the last inverse pass. */
enum fft_out_mode { FFT_OUT_TORUS_ADD, FFT_OUT_F64 };

struct fft_plan;

struct fft_ops {
    enum fft_isa isa;
    size_t min_n;       /* smallest n these kernels handle */
    unsigned max_radix; /* largest radix for the non-tail passes */
    int has_tail;       /* plan ends with radix-4 passes q = 4 and q = 1 */
    void (*forward)(const struct fft_plan *plan, double *four, const uint64_t *poly,
                    enum fft_in_mode mode);
    /* FFT_OUT_F64 ignores out and leaves the coefficients in four. */
    void (*inverse)(const struct fft_plan *plan, uint64_t *out, double *four,
                    enum fft_out_mode mode);
    void (*mac)(size_t n, double *acc, const double *a, const double *b);
    void (*inverse_dot)(const struct fft_plan *plan, uint64_t *out, double *four,
                        const double *const *a, const double *const *b, size_t count);
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
    double *mem; /* owns all tables */
};

extern const struct fft_ops fft_ops_scalar;
extern const struct fft_ops fft_ops_avx2;
extern const struct fft_ops fft_ops_avx512;

/* Start of the twiddles for j in a pass table: factor p's real parts are at
 * row + 2*(p - first_p)*C, its imaginary parts C further. */
static inline const double *fft_pass_row(const struct fft_pass *ps, size_t j)
{
    return ps->tab + (j / ps->chunk) * ps->stride + j % ps->chunk;
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

/* Double-precision negacyclic FFT over R[X]/(X^N+1), as tfhe-rs 1.7 uses it
 * for the 64-bit bootstrap (core_crypto/fft_impl/fft64/math/fft).
 *
 * A real polynomial p of size N becomes n = N/2 complex values
 *     z_j = (p_j + i*p_{j+n}) * w^j,   w = e^{i*pi/N}     ("fold and twist")
 * followed by an unnormalised complex DFT of size n with kernel e^{-2*pi*i*jk/n}.
 * Pointwise products of two transforms realise the product mod X^N+1, so the
 * order in which the n values are kept does not matter to the bootstrap.
 *
 * Fourier polynomial ("four"): N doubles, the n real parts then the n
 * imaginary parts (split layout for SIMD), in *plan order*: position p holds
 * DFT output bitrev(p) (log2(n) bits).  Plan order is the same for every
 * instruction set, so a Fourier key made by one plan works with any plan of
 * the same N.  fft_to_natural gives the tfhe-rs serialized layout.
 *
 * Values:
 *   - integer inputs (decomposition digits) are converted exactly;
 *   - "torus" inputs are signed(x)*2^-64, a 53-bit value in [-1/2, 1/2), as
 *     tfhe-rs forward_as_torus does for the bootstrapping key;
 *   - the inverse to the torus adds round((y - round(y))*2^64) mod 2^64, the
 *     tfhe-rs from_torus (ties to even), into a u64 polynomial.
 *
 * Implementation (details in fft_impl.h): decimation-in-frequency passes of
 * radix 8, 4 or 2 leave the forward output in bit-reversed order and the
 * mirror decimation-in-time inverse takes it back, so no bit reversal is
 * ever done. Conversion and twist are fused into the first forward pass,
 * untwist and output conversion into the last inverse pass, and the last
 * two forward passes (first two inverse) run in registers. Kernels:
 * AVX-512F/DQ, AVX2+FMA and portable C, chosen at run time; each may use its
 * own list of radices, the order and values are the same for all (up to
 * rounding). The blind rotation's step has its own entry (fft_cmux_l1):
 * rotation and decomposition happen inside the first forward pass, and for
 * k = 1 the forward tails, the key products and the inverse heads run as
 * one register pass.
 *
 * Plans are read-only after creation and may be shared between threads.  The
 * transforms work in place in the caller's buffers and never allocate.
 * Buffers need no particular alignment; 64-byte alignment (fft_buf_alloc)
 * is faster. */
#ifndef CKMS_TFHE_FFT_H
#define CKMS_TFHE_FFT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define FFT_MIN_POLY_SIZE 4
#define FFT_MAX_POLY_SIZE 65536

/* Largest |signed(x)| fft_forward_small accepts (exclusive). */
#define FFT_SMALL_LIMIT ((int64_t)1 << 51)

struct fft_plan;

enum fft_isa {
    FFT_ISA_AUTO = 0,   /* the fastest this CPU supports */
    FFT_ISA_SCALAR = 1, /* portable C */
    FFT_ISA_AVX2 = 2,   /* AVX2 + FMA */
    FFT_ISA_AVX512 = 3  /* AVX-512F + AVX-512DQ */
};

/* Plan for polynomial size N (a power of two in [FFT_MIN_POLY_SIZE,
 * FFT_MAX_POLY_SIZE]), using the best instruction set of this CPU. */
int fft_plan_new(struct fft_plan **out, size_t poly_size) KMS_MUST_CHECK;

/* Same with a chosen instruction set (tests and benchmarks). KMS_EUNIMPL
 * when the CPU lacks it. Small sizes may fall back to the scalar kernels. */
int fft_plan_new_isa(struct fft_plan **out, size_t poly_size, enum fft_isa isa) KMS_MUST_CHECK;

/* NULL is a no-op. */
void fft_plan_free(struct fft_plan *plan);

/* Shared process-wide plan for N, created on first use (thread-safe) and
 * never freed. */
int fft_plan_get(const struct fft_plan **out, size_t poly_size) KMS_MUST_CHECK;

size_t fft_plan_poly_size(const struct fft_plan *plan);
enum fft_isa fft_plan_isa(const struct fft_plan *plan);

/* 64-byte aligned, zeroed array of count doubles (NULL when out of memory);
 * release with fft_buf_free. */
double *fft_buf_alloc(size_t count);
void fft_buf_free(double *buf);

/* four = FFT(poly) for small integers: each signed(poly[i]) must lie in
 * (-FFT_SMALL_LIMIT, FFT_SMALL_LIMIT) (decomposition digits); other values
 * give meaningless output. poly has N words, four N doubles. */
void fft_forward_small(const struct fft_plan *plan, double *four, const uint64_t *poly);

/* four = FFT(poly), any u64 read as a two's-complement int64 (each value
 * rounded to the nearest double). */
void fft_forward_int(const struct fft_plan *plan, double *four, const uint64_t *poly);

/* four = FFT(poly as torus): coefficient signed(x)*2^-64. */
void fft_forward_torus(const struct fft_plan *plan, double *four, const uint64_t *poly);

/* acc += a*b pointwise (N/2 complex values). acc may alias neither a nor b. */
void fft_mac(const struct fft_plan *plan, double *acc, const double *a, const double *b);

/* poly += from_torus(IFFT(four)) coefficient-wise, mod 2^64. four is used as
 * scratch and left unspecified. */
void fft_inverse_torus_add(const struct fft_plan *plan, uint64_t *poly, double *four);

/* poly += from_torus(IFFT(sum_{r < count} a[r] * b[r])): the external
 * product's accumulate-then-return in one call, without a separate
 * accumulator pass (the sum is formed inside the first inverse pass).
 * Equivalent to zeroing four, count fft_mac calls and fft_inverse_torus_add.
 * four (N doubles) is scratch; count 0 adds nothing. */
void fft_dot_inverse_torus_add(const struct fft_plan *plan, uint64_t *poly, double *four,
                               const double *const *a, const double *const *b, size_t count);

/* A memory range to pull into the cache while transforms run: the next
 * bootstrapping-key entry of a blind rotation, so that it streams in from
 * memory during the arithmetic instead of stalling the step that reads it.
 * The transforms that take one issue per_step prefetches (to L2) per loop
 * step and advance next; NULL means none. */
struct fft_prefetch {
    const char *next, *end;
    unsigned per_step;
};

/* Spreads [mem, mem + bytes) evenly over `transforms` transforms of plan. */
void fft_prefetch_init(const struct fft_plan *plan, struct fft_prefetch *pf, const void *mem,
                       size_t bytes, size_t transforms);

/* four = FFT(d), d[c] the one-level signed decomposition digit in base
 * 2^base_log (decomp.h: decomp_init_u64(x, base_log, 1), then one
 * decomp_next_u64) of x = (X^a * poly - poly)[c] mod X^N + 1, for any a
 * (taken mod 2N): the CMUX input of an external product whose gadget has one
 * level, with the rotation, difference and decomposition done inside the
 * first pass. base_log in [1, 51]. pf may be NULL. */
void fft_forward_rot_digit(const struct fft_plan *plan, double *four, const uint64_t *poly,
                           size_t a, unsigned base_log, struct fft_prefetch *pf);

/* The external product of one CMUX step for a one-level gadget, with
 * rows = k + 1 polynomials of N words at acc (contiguous):
 *     acc_c += IFFT(sum_r FFT(d_r) * key_{r,c}),  c < rows,
 * d_r the digits of X^a acc_r - acc_r as in fft_forward_rot_digit, key the
 * GGSW's rows^2 Fourier polynomials (row r, column c at key + (r rows + c) N,
 * the Fourier bootstrapping key's order), rounded and added as
 * fft_dot_inverse_torus_add does: the same words as rows
 * fft_forward_rot_digit calls and rows fft_dot_inverse_torus_add calls, in
 * one call that keeps more in registers (for k = 1 the digit transforms are
 * never stored). scratch: 2 rows N doubles. rows in [1,
 * FFT_CMUX_MAX_ROWS] (other values do nothing). pf may be NULL. */
#define FFT_CMUX_MAX_ROWS 4
void fft_cmux_l1(const struct fft_plan *plan, uint64_t *acc, size_t rows, size_t a,
                 unsigned base_log, const double *key, double *scratch, struct fft_prefetch *pf);

/* In place: four[i] = coefficient i of IFFT(four), i < N, as doubles. */
void fft_inverse_f64(const struct fft_plan *plan, double *four);

/* poly = IFFT(four) rounded to the nearest integers (ties to even). four is
 * clobbered. KMS_ELIMIT if a value is not finite or outside the int64 range
 * (poly is then zeroed). */
int fft_inverse_int(const struct fft_plan *plan, int64_t *poly, double *four) KMS_MUST_CHECK;

/* Plan order -> natural order, interleaved: c64[2k], c64[2k+1] = re, im of
 * DFT output k (the tfhe-rs serialized layout). c64 has N doubles and must
 * not alias four. */
void fft_to_natural(const struct fft_plan *plan, double *c64, const double *four);

/* Inverse of fft_to_natural. */
void fft_from_natural(const struct fft_plan *plan, double *four, const double *c64);

#endif

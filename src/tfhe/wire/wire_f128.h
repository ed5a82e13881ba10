#ifndef CKMS_TFHE_WIRE_F128_H
#define CKMS_TFHE_WIRE_F128_H

#include <stddef.h>

#include "base/error.h"
#include "tfhe/wire/wire_io.h"

/* The 128-bit Fourier transform of tfhe-rs Fourier128LweBootstrapKey:
 * tfhe-fft's fft128 negacyclic transform (tfhe-fft/src/fft128): a
 * polynomial of N u128 torus words, signed(x) 2^-128 as a double-double
 * (hi = the nearest double, lo = the nearest double to the rest), folded
 * into n = N/2 complex values z_j = p_j + i p_{j+n}, then n/2 log2(n)
 * radix-2 butterflies z0 +- z1 w in double-double arithmetic, with
 * w[m + i] = exp(i pi bitrev_{2n}(2m + i) / 2n) for stages m = 1, 2, ..,
 * n/2: the output (in the butterflies' bit-reversed order, as tfhe-rs
 * stores it) is the polynomial evaluated at the n roots of X^n = i. The
 * four planes hold the hi and lo parts of the real and imaginary parts. */
struct wire_f128_plan;

/* N a power of two in [64, 65536]. */
int wire_f128_plan_new(struct wire_f128_plan **out, size_t poly_size) KMS_MUST_CHECK;
void wire_f128_plan_free(struct wire_f128_plan *p);

/* Each plane gets N/2 doubles. */
void wire_f128_forward_torus(const struct wire_f128_plan *p, double *re0, double *re1,
                             double *im0, double *im1, const u128 *poly);

#endif

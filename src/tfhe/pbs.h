/* Programmable bootstrapping (64-bit): modulus switch, lookup tables,
 * blind rotation with the Fourier bootstrapping key, sample extraction.
 *
 * The steps follow tfhe-rs 1.7 (fft64 bootstrap.rs, ggsw.rs external
 * product, shortint fill_accumulator_with_encoding, modulus_switch.rs):
 *   1. switch the input LWE (small key, dimension n) to modulus 2N;
 *   2. ACC = LUT * X^(-b~);  for each i with a~_i != 0:
 *          ACC += ExtProd(BSK_i, ACC * X^(a~_i) - ACC)            (CMUX)
 *   3. extract coefficient 0: an LWE under the big key (dimension k N).
 * The hot loop allocates nothing; a scratch object holds every buffer. */
#ifndef CKMS_TFHE_PBS_H
#define CKMS_TFHE_PBS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/params.h"

struct pbs_scratch;

int pbs_scratch_new(struct pbs_scratch **out, const struct bsk_shape *s) KMS_MUST_CHECK;
void pbs_scratch_free(struct pbs_scratch *sc);

/* The lookup-table body for f over p = message_modulus * carry_modulus
 * inputs: N / p coefficients per input, table[i] * delta each, rotated by
 * half a box with the wrapped half negated. table has p entries. */
void pbs_lut(uint64_t *body, size_t N, unsigned p, const uint64_t *table, uint64_t delta);

/* Modulus switch of an LWE (n + 1 words) to 2^log_modulus, into switched
 * (n + 1 values in [0, 2^log_modulus)). */
void pbs_ms_standard(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus);
/* The centered-mean variant (default set): the body also absorbs the mean
 * of the mask rounding errors and half a step (modulus_switch.rs). */
void pbs_ms_centered(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus);

/* The drift technique (test set): before a standard switch, add the one of
 * the `zeros_count` encryptions of zero (LWE under the small key, n + 1
 * words each) that brings the estimated switch noise
 *   |E| + r_sigma * sqrt(Var + input_variance)
 * under ms->ms_bound, the first that does, else the best one, or none if
 * the input already satisfies the bound (modulus_switch_noise_reduction.rs). */
void pbs_ms_drift(uint32_t *switched, const uint64_t *ct, size_t n, unsigned log_modulus,
                  const uint64_t *zeros, const struct tfhe_ms_params *ms);

/* acc (a GLWE, (k + 1) N words) holds the table on entry (trivial GLWE);
 * it is blind-rotated by the switched ciphertext. */
void pbs_blind_rotate(const struct fourier_bsk *bsk, uint64_t *acc, const uint32_t *switched,
                      struct pbs_scratch *sc);

/* out (dimension k N) = PBS of in (dimension n) through the table body
 * `lut` (N words). ms selects the modulus switch. */
void pbs_bootstrap(const struct fourier_bsk *bsk, uint64_t *out, const uint64_t *in,
                   const uint64_t *lut, enum tfhe_ms_kind ms, struct pbs_scratch *sc);

/* The same with the drift switch and its encryptions of zero. */
void pbs_bootstrap_drift(const struct fourier_bsk *bsk, uint64_t *out, const uint64_t *in,
                         const uint64_t *lut, const uint64_t *zeros,
                         const struct tfhe_ms_params *ms, struct pbs_scratch *sc);

#endif

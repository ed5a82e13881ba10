/* The 128-bit programmable bootstrap of noise squashing: modulus switch of
 * a 64-bit LWE (small key, dimension n) to 2N, blind rotation with the
 * 128-bit bootstrapping key, sample extraction: an LWE of dimension k N over
 * Z/2^128 (tfhe-rs apply_programmable_bootstrap_128 with the fft128
 * blind_rotate_u128, shortint/server_key/mod.rs and
 * fft_impl/fft128_u128/crypto/bootstrap.rs):
 *
 *   ACC = LUT * X^(-b~)     (trivial GLWE, every polynomial rotated)
 *   for i < n with a~_i != 0:
 *       ACC += ExtProd(BSK_i, ACC * X^(a~_i) - ACC)          (CMUX)
 *   extract coefficient 0
 *
 * The external product decomposes each polynomial of ACC * X^a - ACC with
 * the balanced base-2^B, l-level decomposition (decomp.h, finest level
 * first) and multiplies the digits by the key rows exactly (ntt128.h), so
 * the result is the exact algebraic CMUX chain over Z/2^128 (tfhe-rs
 * computes the same chain in double-double floating point, whose rounding
 * adds a small error of its own; exact arithmetic adds none).
 *
 * Nothing allocates after the scratch is made. */
#ifndef CKMS_TFHE_PBS128_H
#define CKMS_TFHE_PBS128_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk128.h"
#include "tfhe/params.h"

struct pbs128_scratch;

#define PBS128_MAX_BATCH 64

/* Working memory for bootstraps with keys of bsk's shape (one thread). */
int pbs128_scratch_new(struct pbs128_scratch **out, const struct bsk128_ntt *bsk)
    KMS_MUST_CHECK;
/* The same for up to `batch` bootstraps at once (pbs128_bootstrap_batch),
 * 1 <= batch <= PBS128_MAX_BATCH; about 100 KB more per extra bootstrap
 * with the default set. */
int pbs128_scratch_new_batch(struct pbs128_scratch **out, const struct bsk128_ntt *bsk,
                             size_t batch) KMS_MUST_CHECK;
void pbs128_scratch_free(struct pbs128_scratch *sc);

/* The accumulator body for f over p inputs (tfhe-rs
 * generate_programmable_bootstrap_glwe_lut): N / p coefficients of
 * table[i] * delta per input, rotated left by half a box with the wrapped
 * half negated. p must divide N. */
void pbs128_lut(u128 *body, size_t N, unsigned p, const u128 *table, u128 delta);

/* acc (a GLWE, (k + 1) N words) holds the table on entry (trivial GLWE); it
 * is blind-rotated by switched (n + 1 values in [0, 2N), mask then body).
 * KMS_EINVAL if the scratch was made for another key shape. */
int pbs128_blind_rotate(const struct bsk128_ntt *bsk, u128 *acc, const uint32_t *switched,
                        struct pbs128_scratch *sc) KMS_MUST_CHECK;

/* out (k N + 1 words) = bootstrap of the 64-bit LWE in (n + 1 words, the
 * small key) through the table body lut (N words). ms chooses the modulus
 * switch (standard, centered mean, or drift with its ms->zeros_count
 * encryptions of zero in zeros, n + 1 words each; pbs.h). */
int pbs128_bootstrap(const struct bsk128_ntt *bsk, u128 *out, const uint64_t *in, const u128 *lut,
                     const struct tfhe_ms_params *ms, const uint64_t *zeros,
                     struct pbs128_scratch *sc) KMS_MUST_CHECK;

/* count (<= the scratch's batch) bootstraps through the same table, out[b]
 * = bootstrap of in[b], each equal to what pbs128_bootstrap returns. The
 * blind rotations advance together, GGSW by GGSW: each GGSW (1.7 MB with
 * the default set, 1.52 GiB in all) then comes from memory once for the
 * whole batch instead of once per bootstrap. */
int pbs128_bootstrap_batch(const struct bsk128_ntt *bsk, u128 *const *out,
                           const uint64_t *const *in, size_t count, const u128 *lut,
                           const struct tfhe_ms_params *ms, const uint64_t *zeros,
                           struct pbs128_scratch *sc) KMS_MUST_CHECK;

/* The decomposition the external product uses, on count values given as
 * u64 halves (lo, hi): digit t of value j (t = 0 the finest level) goes to
 * digits[t * stride + j], as a signed integer in [-2^(B-1), 2^(B-1)]
 * (base_log <= 63, base_log * level < 128). Equal to decomp_init_u128 /
 * decomp_next_u128 digit for digit; 8 values at a time when base_log *
 * level > 64 and base_log * (level - 1) <= 62, the reference otherwise. */
void pbs128_decompose(int64_t *digits, size_t stride, const uint64_t *lo, const uint64_t *hi,
                      size_t count, unsigned base_log, unsigned level);

#endif

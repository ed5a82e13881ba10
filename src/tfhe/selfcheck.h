/* Self-check of generated key material against its secret keys (tfhe-rs
 * note §7.3 step 1): every ciphertext in a key is decrypted and its phase
 * minus the value it must encrypt has to be a TUniform(b) noise value,
 * |e| <= 2^b, coefficient by coefficient. This is exact (no FFT) and
 * catches layout, order, seed and key mix-up bugs.
 *
 *   LWE keyswitching key (n_in -> n_out, base 2^B, l levels): block i,
 *     entry t (finest level first, level j = l - t) encrypts
 *     s_in[i] * 2^(64 - B j) under s_out.
 *   Standard-domain bootstrapping key (bsk.h layout): GGSW i encrypts m =
 *     lwe_sk[i]; level entry t (j = l - t), row r < k encrypts
 *     -m * S_r * 2^(64 - B j), row k the constant m * 2^(64 - B j).
 *   Compact public key [A | B]: B - semi_rev_conv(A, s).
 *
 * On failure: KMS_EVERIFY, with a message naming the component, the index
 * and the offending noise value. The message describes secret-dependent
 * noise of a key that is being rejected; keep it within the key-generation
 * party's logs. Each function fills *rep (may be NULL) with the largest
 * |noise| it saw, also on failure (up to the failing value). */
#ifndef CKMS_TFHE_SELFCHECK_H
#define CKMS_TFHE_SELFCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/params.h"

struct selfcheck_report {
    uint64_t max_abs_noise; /* largest |e| seen */
    size_t values;          /* noise values checked */
};

/* ---- generic geometry; `what` names the component in messages ---- */

int selfcheck_lwe_ksk(struct selfcheck_report *rep, const char *what, const uint64_t *ksk,
                      size_t ksk_len, const uint64_t *sk_in, size_t n_in, const uint64_t *sk_out,
                      size_t n_out, unsigned base_log, unsigned level, unsigned noise_log2)
    KMS_MUST_CHECK;

int selfcheck_bsk(struct selfcheck_report *rep, const char *what, const uint64_t *bsk,
                  size_t bsk_len, const struct bsk_shape *s, const uint64_t *lwe_sk, size_t n,
                  const uint64_t *glwe_sk, size_t glwe_sk_len, unsigned noise_log2)
    KMS_MUST_CHECK;

int selfcheck_cpk(struct selfcheck_report *rep, const char *what, const uint64_t *pk,
                  size_t pk_len, const uint64_t *sk, size_t n_pk, unsigned noise_log2)
    KMS_MUST_CHECK;

/* ---- the components of a parameter set (dimensions checked against it) ---- */

/* Compute KSK: big key (k N, the GLWE key as an LWE key) -> small key (n). */
int selfcheck_compute_ksk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *ksk, size_t ksk_len, const uint64_t *glwe_sk,
                          size_t big, const uint64_t *lwe_sk, size_t n) KMS_MUST_CHECK;

/* Compute BSK (standard domain): small key bits under the GLWE key. */
int selfcheck_compute_bsk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *bsk, size_t bsk_len, const uint64_t *lwe_sk, size_t n,
                          const uint64_t *glwe_sk, size_t big) KMS_MUST_CHECK;

/* Casting KSK: CPK secret key (n_pk) -> small key (n). */
int selfcheck_casting_ksk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *ksk, size_t ksk_len, const uint64_t *cpk_sk,
                          size_t n_pk, const uint64_t *lwe_sk, size_t n) KMS_MUST_CHECK;

/* Dedicated compact public key. */
int selfcheck_dedicated_cpk(struct selfcheck_report *rep, const struct tfhe_params *p,
                            const uint64_t *pk, size_t pk_len, const uint64_t *cpk_sk,
                            size_t n_pk) KMS_MUST_CHECK;

#endif

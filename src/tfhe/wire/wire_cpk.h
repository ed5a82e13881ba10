/* The high-level CompactPublicKey of TFHE-rs 1.7
 * ("high_level_api::CompactPublicKey"), mapped to tfhe/cpk.h's [A | B].
 *
 *   CompactPublicKey V1 {
 *     key: IntegerCompactPublicKey V0 (high_level_api) { integer
 *          CompactPublicKey V0 { shortint CompactPublicKey V1 {
 *            key: LweCompactPublicKey V0 { glwe_ciphertext: GlweCiphertext V0 {
 *                   data: Vec<u64> [A (n_pk) | B (n_pk)], polynomial_size n_pk,
 *                   ciphertext_modulus (native) } },
 *            parameters: CompactPublicKeyEncryptionParameters } } },
 *     tag: Tag }
 *
 * With a dedicated CPK (the KMS sets) the parameters are the set's and the
 * expansion RequiresCasting; without one (tfhe-rs's default config) the key
 * lives under the compute big key and expands with NoCasting. */
#ifndef CKMS_TFHE_WIRE_CPK_H
#define CKMS_TFHE_WIRE_CPK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_params.h"

#define WIRE_NAME_CPK "high_level_api::CompactPublicKey"

struct wire_cpk {
    struct wire_cpk_params params;
    uint64_t *pk; /* [A | B], 2 n_pk words, malloc */
    size_t pk_len;
    uint8_t *tag; /* malloc, NULL when empty */
    size_t tag_len;
};

void wire_cpk_clear(struct wire_cpk *k);

/* Writes a key given by parts (nothing is copied): pk has 2 n_pk words for
 * n_pk = params->cpk.lwe_dimension. */
int wire_cpk_write(struct wire_sink *s, const struct wire_cpk_params *params, const uint64_t *pk,
                   size_t pk_len, const uint8_t *tag, size_t tag_len) KMS_MUST_CHECK;

/* Reads a CompactPublicKey of at most size_limit bytes. out is zeroed on
 * failure. */
int wire_cpk_read(struct wire_cpk *out, const uint8_t *bytes, size_t len, size_t size_limit)
    KMS_MUST_CHECK;

#endif

/* Encryption into the KMS's ciphertext formats with a client key, shared
 * by fhe_encrypt.c and fhe_big.c (see fhe_big.c for the big formats). */
#ifndef CKMS_KMS_CLIENT_FHE_ENC_H
#define CKMS_KMS_CLIENT_FHE_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "fhe.h"
#include "tfhe/enc_rng.h"
#include "tfhe/sns.h"
#include "tfhe/wire/wire_compressed_list.h"

/* BigExpanded: a SquashedNoiseFheBool/FheUint/FheInt of the value le
 * (radix.h layout), encrypted directly under the noise-squashing key. */
int fhe_encrypt_big_expanded(struct sns_radix **out, const struct wire_client_key *ck,
                             const struct radix_type *t, const uint8_t *le, size_t len,
                             struct enc_rng *rng) KMS_MUST_CHECK;

/* BigCompressed: a one-element CompressedSquashedNoiseCiphertextList,
 * encrypted directly under the noise-squashing compression key. */
int fhe_encrypt_big_compressed(struct wire_snscomp_list *out, const struct wire_client_key *ck,
                               const struct radix_type *t, const uint8_t *le, size_t len,
                               struct enc_rng *rng) KMS_MUST_CHECK;

#endif

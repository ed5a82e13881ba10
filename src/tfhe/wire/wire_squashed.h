/* Squashed (128-bit) ciphertexts as TFHE-rs 1.7 serializes them, the KMS's
 * "BigExpanded" format, mapped to tfhe/sns.h's struct sns_radix (which keeps
 * the state and the tag itself).
 *
 *   "high_level_api::SquashedNoiseFheUint" / "...SquashedNoiseFheInt":
 *   SquashedNoiseFheUint V1 {
 *     inner: InnerSquashedNoiseRadixCiphertextVersionedOwned V0 (hand-written)
 *       -> integer SquashedNoiseRadixCiphertext V0 {
 *            packed_blocks: Vec<SquashedNoiseCiphertext>,
 *            original_block_count: usize },
 *     state: SquashedNoiseCiphertextState V0 (0 Normal, 1 PostDecompression),
 *     tag: Tag }
 *   (SquashedNoiseFheInt V1 alike, through SquashedNoiseSignedRadixCiphertext V0)
 *   "high_level_api::SquashedNoiseFheBool":
 *   SquashedNoiseFheBool V1 { inner: InnerSquashedNoiseBooleanVersionedOwned
 *       V0 -> SquashedNoiseBooleanBlock V0 { ciphertext }, state, tag }
 *   shortint SquashedNoiseCiphertext V0 {
 *       ct: LweCiphertext V0 { data: Vec<u128>, modulus (native, 128 bits) },
 *       degree, message_modulus, carry_modulus (scalars) }
 *
 * Blocks are packed in pairs: ceil(original_block_count / 2) ciphertexts
 * (one for a boolean); the type is the FheTypes entry of
 * 2 * original_block_count bits. */
#ifndef CKMS_TFHE_WIRE_SQUASHED_H
#define CKMS_TFHE_WIRE_SQUASHED_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/params.h"
#include "tfhe/sns.h"
#include "tfhe/wire/wire_io.h"

#define WIRE_NAME_SQUASHED_BOOL "high_level_api::SquashedNoiseFheBool"
#define WIRE_NAME_SQUASHED_UINT "high_level_api::SquashedNoiseFheUint"
#define WIRE_NAME_SQUASHED_INT "high_level_api::SquashedNoiseFheInt"

const char *wire_sns_radix_name(const struct radix_type *t);

int wire_sns_radix_write(struct wire_sink *s, const struct sns_radix *ct) KMS_MUST_CHECK;

/* Reads any of the three (as the header names); fhe_type >= 0 demands that
 * type, params (may be NULL) blocks of its SnS shape. *out is NULL on
 * failure; free with sns_radix_free. */
int wire_sns_radix_read(struct sns_radix **out, const uint8_t *bytes, size_t len,
                        size_t size_limit, int32_t fhe_type, const struct tfhe_params *params)
    KMS_MUST_CHECK;

#endif

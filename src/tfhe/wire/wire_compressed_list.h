/* Compressed ciphertext lists as TFHE-rs 1.7 serializes them: the KMS's
 * "SmallCompressed" (tfhe/compression.h) and "BigCompressed"
 * (tfhe/snscomp.h) ciphertext formats.
 *
 *   "high_level_api::CompressedCiphertextList":
 *   CompressedCiphertextList V3 {
 *     inner: integer CompressedCiphertextList V0 {
 *       packed_list: shortint CompressedCiphertextList V2 {
 *         modulus_switched_glwe_ciphertext_list: Vec<CMSG<u64>>,
 *         meta: Option<CompressedCiphertextListMeta V0 {
 *           ciphertext_modulus (CiphertextModulus<u64>), message_modulus,
 *           carry_modulus, atomic_pattern (AtomicPatternKind V0: 0 Standard(
 *           PBSOrder V0) | 1 KeySwitch32), lwe_per_glwe }> },
 *       info: Vec<DataKind> },
 *     tag: Tag,
 *     re_randomization_metadata: Vec<ReRandomizationMetadata> (one per element) }
 *
 *   "high_level_api::CompressedSquashedNoiseCiphertextList":
 *   CompressedSquashedNoiseCiphertextList V0 {
 *     inner: integer CompressedSquashedNoiseCiphertextList V0 {
 *       list: shortint CompressedSquashedNoiseCiphertextList V0 {
 *         glwe_ciphertext_list: Vec<CMSG<u128>>,
 *         meta: Option<CompressedSquashedNoiseCiphertextListMeta V0 {
 *           message_modulus, carry_modulus, lwe_per_glwe }> },
 *       info: Vec<DataKind> },
 *     tag: Tag }
 *
 *   CMSG<T> = CompressedModulusSwitchedGlweCiphertext V0 {
 *     packed_integers: PackedIntegers V0 { packed_coeffs: Vec<T>,
 *       log_modulus (scalar), initial_len (usize) },
 *     glwe_dimension, polynomial_size, bodies_count (scalars),
 *     uncompressed_ciphertext_modulus (CiphertextModulus<T>, native) }
 *
 * Readers check the structure with compression_list_validate /
 * snscomp_list_validate (shapes, packed lengths, DataKinds covering the
 * stored blocks). */
#ifndef CKMS_TFHE_WIRE_COMPRESSED_LIST_H
#define CKMS_TFHE_WIRE_COMPRESSED_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/compression.h"
#include "tfhe/snscomp.h"
#include "tfhe/wire/wire_io.h"

#define WIRE_NAME_COMPRESSED_LIST "high_level_api::CompressedCiphertextList"
#define WIRE_NAME_SNSCOMP_LIST "high_level_api::CompressedSquashedNoiseCiphertextList"

/* A byte string owned by a wire object. */
struct wire_blob {
    uint8_t *data; /* malloc, NULL when empty */
    size_t len;
};

struct wire_compressed_list {
    struct compression_list list; /* owned */
    uint8_t *tag;
    size_t tag_len;
    /* ReRandomizationMetadata, one per element; NULL (when writing) means
     * every element's is empty, as a list built by tfhe-rs's builder */
    struct wire_blob *rerand;
    size_t rerand_count;
};

struct wire_snscomp_list {
    struct snscomp_list list; /* owned */
    uint8_t *tag;
    size_t tag_len;
};

void wire_compressed_list_clear(struct wire_compressed_list *l);
void wire_snscomp_list_clear(struct wire_snscomp_list *l);

/* Writers check the list (compression_list_validate / snscomp_list_validate)
 * first. */
int wire_compressed_list_write(struct wire_sink *s, const struct wire_compressed_list *l)
    KMS_MUST_CHECK;
int wire_snscomp_list_write(struct wire_sink *s, const struct wire_snscomp_list *l)
    KMS_MUST_CHECK;

/* Readers of at most size_limit bytes; out is zeroed on failure. */
int wire_compressed_list_read(struct wire_compressed_list *out, const uint8_t *bytes, size_t len,
                              size_t size_limit) KMS_MUST_CHECK;
int wire_snscomp_list_read(struct wire_snscomp_list *out, const uint8_t *bytes, size_t len,
                           size_t size_limit) KMS_MUST_CHECK;

#endif

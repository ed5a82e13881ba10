/* Centralized decryption of the four ciphertext formats the KMS accepts
 * (kms.v1.proto CiphertextFormat; central_kms.rs unsafe_decrypt), with the
 * client keys of a keyset, to little-endian plaintext bytes.
 *
 *   SmallCompressed  a compressed list (compression.h) holding exactly one
 *                    element, decrypted directly with the compression key
 *                    (no decompression bootstrap; the same values);
 *   SmallExpanded    a radix integer or boolean under the compute key;
 *   BigCompressed    a squashed compressed list (snscomp.h), element 0;
 *   BigExpanded      a squashed radix integer or boolean (sns.h), with the
 *                    SnS key, or with the SnS-compression key when it came out
 *                    of a compressed list (state PostDecompression, as tfhe-rs
 *                    ClientKey decrypts it).
 *
 * fhe_type is the TypedCiphertext's FheTypes id (radix.h). The ciphertext
 * must be of exactly that type (its DataKind for lists, its type for
 * expanded ciphertexts), else KMS_EINVAL naming both. The plaintext is
 * radix.h's byte layout: ceil(bits / 8) bytes, FheBool one byte 0 or 1.
 * Decryption allocates nothing; one scratch per thread. */
#ifndef CKMS_TFHE_DECRYPT_H
#define CKMS_TFHE_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/compression.h"
#include "tfhe/radix.h"
#include "tfhe/shortint.h"
#include "tfhe/sns.h"
#include "tfhe/snscomp.h"

/* Numbered as kms.v1.proto CiphertextFormat. */
enum tfhe_ct_format {
    TFHE_CT_SMALL_COMPRESSED = 0,
    TFHE_CT_SMALL_EXPANDED = 1,
    TFHE_CT_BIG_COMPRESSED = 2,
    TFHE_CT_BIG_EXPANDED = 3
};

/* The client keys of one parameter set (borrowed). A format whose key is
 * NULL fails with KMS_EPRECOND. */
struct tfhe_decrypt_keys {
    const struct tfhe_params *params;
    const struct shortint_client_key *compute;
    const struct compression_private_key *compression;
    const struct sns_private_key *sns;
    const struct snscomp_private_key *sns_compression;
};

/* An in-memory ciphertext of one format (borrowed). */
struct tfhe_ciphertext {
    enum tfhe_ct_format format;
    union {
        const struct compression_list *small_compressed;
        const struct radix_ct *small_expanded;
        const struct snscomp_list *big_compressed;
        const struct sns_radix *big_expanded;
    } u;
};

struct tfhe_decrypt_scratch;

int tfhe_decrypt_scratch_new(struct tfhe_decrypt_scratch **out, const struct tfhe_params *params)
    KMS_MUST_CHECK;
void tfhe_decrypt_scratch_free(struct tfhe_decrypt_scratch *sc);

/* Plaintext bytes of an FheTypes id; KMS_EINVAL for unknown ids. */
int tfhe_decrypt_plaintext_len(size_t *len, int32_t fhe_type) KMS_MUST_CHECK;

/* out[0..out_len) = the plaintext (out_len = tfhe_decrypt_plaintext_len).
 * out is zeroed on failure. */
int tfhe_decrypt(const struct tfhe_decrypt_keys *keys, struct tfhe_decrypt_scratch *sc,
                 uint8_t *out, size_t out_len, const struct tfhe_ciphertext *ct, int32_t fhe_type)
    KMS_MUST_CHECK;

#endif

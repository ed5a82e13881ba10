/* The EIP-712 structs the KMS signs (kms core/grpc/src/solidity_types.rs),
 * each hashed to its hashStruct. The type strings are the ones the fhevm
 * Gateway contracts verify against; changing one is a breaking change.
 *
 * Request IDs (32 bytes) enter uint256 members as they are (big-endian).
 * Ciphertext handles enter bytes32[] members as 32-byte words; external
 * handles shorter than 32 bytes are left-padded (kms_eip712_handle_word).
 * Handle arrays are passed as count consecutive 32-byte words. */
#ifndef CKMS_CRYPTO_KMS_EIP712_H
#define CKMS_CRYPTO_KMS_EIP712_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/eip712.h"

#define KMS_EIP712_PUBLIC_DECRYPT_TYPE                                         \
    "PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,bytes extraData)"
#define KMS_EIP712_USER_DECRYPT_RESPONSE_TYPE                                  \
    "UserDecryptResponseVerification(bytes publicKey,bytes32[] ctHandles,"      \
    "bytes userDecryptedShare,bytes extraData)"
#define KMS_EIP712_KEY_DIGEST_TYPE "KeyDigest(uint8 keyType,bytes digest)"
#define KMS_EIP712_KEYGEN_TYPE                                                 \
    "KeygenVerification(uint256 prepKeygenId,uint256 keyId,KeyDigest[] keyDigests,"  \
    "bytes extraData)" KMS_EIP712_KEY_DIGEST_TYPE
#define KMS_EIP712_CRSGEN_TYPE                                                 \
    "CrsgenVerification(uint256 crsId,uint256 maxBitLength,bytes crsDigest,bytes extraData)"
#define KMS_EIP712_PREP_KEYGEN_TYPE "PrepKeygenVerification(uint256 prepKeygenId,bytes extraData)"
#define KMS_EIP712_USER_DECRYPTION_LINKER_TYPE                                 \
    "UserDecryptionLinker(bytes publicKey,bytes32[] handles,address userAddress)"

/* Solidity enum KeyType (encoded as uint8). */
enum kms_eip712_key_type {
    KMS_EIP712_KEY_SERVER = 0,
    KMS_EIP712_KEY_PUBLIC = 1,
    KMS_EIP712_KEY_COMPRESSED_PUBLIC = 2,
    KMS_EIP712_KEY_COMPRESSED_KEYSET = 3,
};

struct kms_eip712_key_digest {
    uint8_t key_type; /* enum kms_eip712_key_type */
    const uint8_t *digest;
    size_t digest_len;
};

/* An external ciphertext handle (at most 32 bytes) as a bytes32 word,
 * left-padded with zeros like alloy FixedBytes::left_padding_from. */
int kms_eip712_handle_word(uint8_t out[32], const uint8_t *handle, size_t handle_len)
    KMS_MUST_CHECK;

void kms_eip712_public_decrypt(uint8_t out[32], const uint8_t *handles, size_t n_handles,
                               const uint8_t *result, size_t result_len, const uint8_t *extra,
                               size_t extra_len);

void kms_eip712_user_decrypt_response(uint8_t out[32], const uint8_t *public_key,
                                      size_t public_key_len, const uint8_t *handles,
                                      size_t n_handles, const uint8_t *share, size_t share_len,
                                      const uint8_t *extra, size_t extra_len);

/* hashStruct of one KeyDigest. */
void kms_eip712_key_digest(uint8_t out[32], const struct kms_eip712_key_digest *kd);

void kms_eip712_keygen(uint8_t out[32], const uint8_t prep_keygen_id[32], const uint8_t key_id[32],
                       const struct kms_eip712_key_digest *digests, size_t n_digests,
                       const uint8_t *extra, size_t extra_len);

void kms_eip712_crsgen(uint8_t out[32], const uint8_t crs_id[32], uint64_t max_bit_length,
                       const uint8_t *crs_digest, size_t crs_digest_len, const uint8_t *extra,
                       size_t extra_len);

void kms_eip712_prep_keygen(uint8_t out[32], const uint8_t prep_keygen_id[32],
                            const uint8_t *extra, size_t extra_len);

void kms_eip712_user_decryption_linker(uint8_t out[32], const uint8_t *public_key,
                                       size_t public_key_len, const uint8_t *handles,
                                       size_t n_handles, const uint8_t user_address[20]);

/* EIP-712 digest of struct_hash under domain d, signed with sk: 65 bytes
 * r ‖ s ‖ v (v = 27/28), as alloy sign_hash_sync produces. digest_out, when
 * not NULL, receives the signed digest. */
int kms_eip712_sign(uint8_t sig[65], uint8_t *digest_out, const uint8_t sk[32],
                    const struct eip712_domain *d, const uint8_t struct_hash[32]) KMS_MUST_CHECK;

#endif

/* The signatures on a public-decryption result, byte-compatible with the
 * reference KMS (engine/base.rs sign_public_decryption_result):
 *
 *   payload bytes = bincode(PublicDecryptionResponsePayload) (prost struct,
 *     serde, bincode legacy, fields in declaration order):
 *       u64le(len) ‖ verification_key
 *       u64le(n) ‖ n × { u64le(len) ‖ plaintext bytes ‖ i32le fhe_type }
 *       request_id: Option<RequestId>: 1 ‖ u64le(64) ‖ 64 hex chars (0 if None)
 *   signature (deprecated)  = ECDSA-secp256k1-SHA256("PUBL_DEC" ‖ payload bytes),
 *                             64 bytes r ‖ s, low-S
 *   external_signature      = EIP-712 PublicDecryptVerification(ctHandles =
 *                             external handles left-padded to bytes32,
 *                             decryptedResult = abi.encode(uint256 …) of the
 *                             plaintexts, extraData = extra_data as received)
 *                             under the request's domain, 65 bytes r ‖ s ‖ v
 *
 * The ECDSA256K1 entry of `signatures` equals external_signature. */
#ifndef CKMS_SERVICE_PUBDEC_H
#define CKMS_SERVICE_PUBDEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "crypto/eip712.h"
#include "service/abi.h"
#include "service/user_decrypt_payload.h"

#define PUBDEC_SIG_BYTES 64
#define PUBDEC_EXT_SIG_BYTES 65

/* Appends the payload bytes. request_id (64 hex chars) may be NULL (None). */
void pubdec_payload_encode(struct buf *out, const uint8_t *verification_key, size_t vk_len,
                           const struct typed_plaintext *pts, size_t n, const char *request_id);

struct pubdec_signatures {
    uint8_t signature[PUBDEC_SIG_BYTES];
    uint8_t external_signature[PUBDEC_EXT_SIG_BYTES];
};

/* Both signatures for one result. handles are the requests' external
 * handles (each at most 32 bytes), in request order; n_handles may differ
 * from n only if the caller wants it to (the reference signs what it has).
 * KMS_EINVAL for a handle over 32 bytes or a plaintext type that cannot be
 * ABI-encoded. */
int pubdec_sign(struct pubdec_signatures *out, const uint8_t sk[32],
                const struct eip712_domain *domain, const struct udp_bytes *handles,
                size_t n_handles, const struct typed_plaintext *pts, size_t n,
                const uint8_t *verification_key, size_t vk_len, const char *request_id,
                const uint8_t *extra, size_t extra_len) KMS_MUST_CHECK;

/* The EIP-712 struct hash alone (for checks and tests). */
int pubdec_struct_hash(uint8_t out[32], const struct udp_bytes *handles, size_t n_handles,
                       const struct typed_plaintext *pts, size_t n, const uint8_t *extra,
                       size_t extra_len) KMS_MUST_CHECK;

#endif

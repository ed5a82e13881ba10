/* User-decryption requests and responses without the RPC layer: plain C
 * structs in, bytes out, byte-compatible with the reference KMS v0.12.8 and
 * its client node-tkms 0.12.8.
 *
 * Request checks (engine/validation_non_wasm.rs::validate_user_decrypt_req
 * and kms_grpc rpc_types.rs::compute_link_checked / protobuf_to_alloy_domain):
 * at least one ciphertext; client_address EIP-55; domain present, its
 * chain_id a big-endian uint256, its verifying_contract EIP-55, its salt
 * (when set) 32 bytes; every external handle at most 32 bytes;
 * verifying_contract ≠ client_address; enc_key an ML-KEM-512 key in the
 * 869-byte encoding (the legacy bincode ML-KEM-1024 keys are refused).
 *
 *   link = EIP-712 hash of UserDecryptionLinker(publicKey = enc_key as sent,
 *          handles = external handles left-padded to bytes32,
 *          userAddress = client_address) under the request's domain.
 *
 * Response payload (UserDecryptionResponsePayload, a prost struct whose
 * serde derive bincode-legacy serializes field by field in declaration
 * order):
 *
 *   u64le(41) ‖ verification_key      bincode(PublicSigKey) = u64le(33) ‖ compressed SEC1
 *   u64le(32) ‖ digest                the link
 *   u64le(n)  ‖ n × { i32le fhe_type ‖ u64le(len) ‖ signcrypted_ciphertext
 *                     ‖ u64le(len) ‖ external_handle ‖ u32le packing_factor }
 *   u32le party_id ‖ u32le degree
 *
 * These bytes are userDecryptedShare. The response carries two signatures:
 *   external_signature = EIP-712 UserDecryptResponseVerification(publicKey =
 *     869-byte re-encoding of the user key, ctHandles = padded handles,
 *     userDecryptedShare, extraData) under the request's domain, 65 bytes
 *     r ‖ s ‖ v (engine/base.rs::compute_external_user_decrypt_signature);
 *   signature (deprecated) = ECDSA-SHA256("USER_DEC" ‖ userDecryptedShare),
 *     64 bytes r ‖ s, low-S (get_user_decryption_result_impl).
 *
 * The centralized server fills party_id 1, degree 0, packing_factor 1, and
 * signcrypts each full plaintext (central_kms.rs::async_user_decrypt). */
#ifndef CKMS_SERVICE_USER_DECRYPT_PAYLOAD_H
#define CKMS_SERVICE_USER_DECRYPT_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "crypto/eip712.h"
#include "crypto/mlkem.h"

#define UDP_HANDLE_MAX_BYTES 32
#define UDP_LINK_BYTES 32
#define UDP_ADDRESS_BYTES 20
#define UDP_VERF_KEY_BYTES 41 /* bincode(PublicSigKey) */
#define UDP_EXT_SIG_BYTES 65
#define UDP_SIG_BYTES 64

/* ---- requests ---- */

/* Eip712DomainMsg as received (nothing checked yet). */
struct udp_domain_msg {
    const char *name;
    size_t name_len;
    const char *version;
    size_t version_len;
    const uint8_t *chain_id; /* big-endian */
    size_t chain_id_len;
    const char *verifying_contract;
    size_t verifying_contract_len;
    int has_salt; /* the proto3 optional is set */
    const uint8_t *salt;
    size_t salt_len;
};

struct udp_bytes {
    const uint8_t *p;
    size_t len;
};

/* The parts of UserDecryptionRequest these checks need. handles holds one
 * external_handle per typed ciphertext, in request order. */
struct udp_request {
    const char *client_address;
    size_t client_address_len;
    const uint8_t *enc_key;
    size_t enc_key_len;
    const struct udp_domain_msg *domain; /* NULL when absent */
    const struct udp_bytes *handles;
    size_t n_handles;
};

/* A checked request. domain.name / .version and handles point into the
 * request, which must outlive this. */
struct udp_checked {
    uint8_t client_address[UDP_ADDRESS_BYTES];
    uint8_t ek[MLKEM512_EK_BYTES];
    const uint8_t *enc_key; /* as sent: the link covers these bytes */
    size_t enc_key_len;
    struct eip712_domain domain;
    const struct udp_bytes *handles;
    size_t n_handles;
    uint8_t link[UDP_LINK_BYTES];
};

/* protobuf_to_alloy_domain: KMS_EINVAL for a chain ID above 2^256, a
 * verifying contract that is not EIP-55, or a salt that is not 32 bytes. */
int udp_domain_from_msg(struct eip712_domain *out, const struct udp_domain_msg *m)
    KMS_MUST_CHECK;

/* All request checks above, in the reference's order, then the link.
 * KMS_EINVAL with the reason; out is zeroed on failure. */
int udp_check_request(struct udp_checked *out, const struct udp_request *req) KMS_MUST_CHECK;

/* The link alone (also what a client recomputes): KMS_EINVAL for a handle
 * longer than 32 bytes. */
int udp_link(uint8_t out[UDP_LINK_BYTES], const struct eip712_domain *d, const uint8_t *enc_key,
             size_t enc_key_len, const struct udp_bytes *handles, size_t n_handles,
             const uint8_t client_address[UDP_ADDRESS_BYTES]) KMS_MUST_CHECK;

/* ---- response payload ---- */

/* TypedSigncryptedCiphertext. */
struct udp_ct {
    int32_t fhe_type;
    const uint8_t *ct; /* signcrypted_ciphertext */
    size_t ct_len;
    const uint8_t *handle; /* external_handle, verbatim from the request */
    size_t handle_len;
    uint32_t packing_factor;
};

/* UserDecryptionResponsePayload (a view; nothing owned). */
struct udp_payload {
    const uint8_t *verification_key;
    size_t verification_key_len;
    const uint8_t *digest;
    size_t digest_len;
    const struct udp_ct *cts;
    size_t n_cts;
    uint32_t party_id;
    uint32_t degree;
};

/* Appends bincode(payload): the userDecryptedShare bytes. */
void udp_payload_encode(struct buf *out, const struct udp_payload *p);

/* The smallest encoding of one TypedSigncryptedCiphertext: an input of n
 * bytes holds fewer than n / UDP_CT_MIN_BYTES of them. */
#define UDP_CT_MIN_BYTES 24

/* Parses bincode(payload) into out, whose pointers view in; the entries go
 * to cts (KMS_ELIMIT when more than max_cts). Trailing bytes are refused. */
int udp_payload_decode(struct udp_payload *out, struct udp_ct *cts, size_t max_cts,
                       const uint8_t *in, size_t n) KMS_MUST_CHECK;

/* verification_key for a server public key (33 or 65 bytes SEC1). */
int udp_verification_key(uint8_t out[UDP_VERF_KEY_BYTES], const uint8_t *server_pk,
                         size_t server_pk_len) KMS_MUST_CHECK;

/* The EIP-712 signing hash of UserDecryptResponseVerification for payload p
 * (handles > 32 bytes: KMS_EINVAL). ek is the user's key; publicKey is its
 * 869-byte encoding (UnifiedPublicEncKey::bytes_for_hashing). */
int udp_response_hash(uint8_t out[32], const struct eip712_domain *d,
                      const uint8_t ek[MLKEM512_EK_BYTES], const struct udp_payload *p,
                      const uint8_t *extra, size_t extra_len) KMS_MUST_CHECK;

/* ---- the centralized server's response ---- */

/* One decrypted ciphertext: little-endian bytes as TypedPlaintext holds them. */
struct udp_plaintext {
    const uint8_t *bytes;
    size_t len;
    int32_t fhe_type;
};

/* Everything UserDecryptionResponse carries, owned (free with
 * udp_response_free). cts[i].ct and .handle point into heap memory the
 * response owns, so the struct may be copied or moved as a value. */
struct udp_response {
    uint8_t verification_key[UDP_VERF_KEY_BYTES];
    uint8_t digest[UDP_LINK_BYTES];
    struct udp_ct *cts;
    size_t n_cts;
    uint32_t party_id;
    uint32_t degree;
    uint8_t *share; /* bincode(payload) = userDecryptedShare */
    size_t share_len;
    uint8_t external_signature[UDP_EXT_SIG_BYTES];
    uint8_t signature[UDP_SIG_BYTES]; /* deprecated internal signature */
    uint8_t *arena_;                  /* private: the bytes cts[] point into */
};

/* The payload view of r (valid while r is neither freed nor moved). */
void udp_response_view(struct udp_payload *out, const struct udp_response *r);

/* Builds the response of the centralized engine for a checked request and
 * its n plaintexts (n must equal req->n_handles), signed with server_sk;
 * extra is signed as given (node-tkms 0.12.8 verifies only an empty one;
 * the v0.12.8 server always signs and returns an empty one). */
int udp_build_centralized(struct udp_response *out, const struct udp_checked *req,
                          const struct udp_plaintext *pts, size_t n, const uint8_t server_sk[32],
                          const uint8_t *extra, size_t extra_len) KMS_MUST_CHECK;

/* The same with the server's node key (node_key.h), as the server calls it:
 * its verf_key and pk33 are used as they are, so building a response costs
 * no public-key derivation (udp_build_centralized derives them from
 * server_sk every time). */
struct node_key;
int udp_build_centralized_key(struct udp_response *out, const struct udp_checked *req,
                              const struct udp_plaintext *pts, size_t n,
                              const struct node_key *key, const uint8_t *extra,
                              size_t extra_len) KMS_MUST_CHECK;

void udp_response_free(struct udp_response *r);

/* ---- the client side (kms-client) ---- */

/* Where one opened plaintext lies in the output buffer. */
struct udp_opened {
    int32_t fhe_type;
    size_t off;
    size_t len;
};

/* Opens a centralized response as node-tkms 0.12.8 does
 * (centralized_user_decryption_resp): the digest must equal the request's
 * link; the verification key must belong to server_address; ext_sig must
 * recover server_address over the response hash (with extra); then every
 * ciphertext is unsigncrypted with the link. The plaintexts are appended to
 * pt_out (a secret buf) and described in opened[0..p->n_cts) (max_opened
 * must be at least n_cts). KMS_EVERIFY for any failed check. */
int udp_open_centralized(struct buf *pt_out, struct udp_opened *opened, size_t max_opened,
                         const struct udp_checked *req, const struct udp_payload *p,
                         const uint8_t ext_sig[UDP_EXT_SIG_BYTES], const uint8_t *extra,
                         size_t extra_len, const uint8_t server_address[UDP_ADDRESS_BYTES],
                         const uint8_t dk[MLKEM512_DK_BYTES]) KMS_MUST_CHECK;

#endif

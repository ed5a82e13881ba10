/* Structural checks of incoming requests, before anything is looked up or
 * computed, as the reference's validation_non_wasm.rs does them: every
 * failure is KMS_EINVAL (INVALID_ARGUMENT) with a message naming the field,
 * except a signing scheme ckms cannot produce (KMS_EUNIMPL) and features
 * the centralized server lacks (KMS_EUNIMPL). Nothing here touches keys,
 * storage or registries; the fuzz harness (fuzz/fuzz_request.c) drives
 * these functions with arbitrary messages.
 *
 * Outputs point into the request message, which must outlive them. */
#ifndef CKMS_SERVICE_REQUEST_CHECK_H
#define CKMS_SERVICE_REQUEST_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/eip712.h"
#include "proto/kms.v1.pb-c.h"
#include "service/request_id.h"
#include "service/user_decrypt_payload.h"
#include "tfhe/params.h"

/* The reference's DEFAULT_MPC_CONTEXT (07 00…00 01) and DEFAULT_EPOCH_ID
 * (08 00…00 01): what an unset context_id / epoch_id means. */
extern const struct request_id request_check_default_context;
extern const struct request_id request_check_default_epoch;

/* At most this many ciphertexts in one decryption request. */
#define REQUEST_CHECK_MAX_CIPHERTEXTS 4096
#define REQUEST_CHECK_MAX_SCHEMES 8

/* A required RequestId message field (`what` names it in messages). */
int request_check_id(struct request_id *out, const Kms__V1__RequestId *m, const char *what)
    KMS_MUST_CHECK;
/* An optional one: unset gives dflt. */
int request_check_id_or(struct request_id *out, const Kms__V1__RequestId *m,
                        const struct request_id *dflt, const char *what) KMS_MUST_CHECK;

/* A required Eip712DomainMsg (abi.h domain_from_fields rules). */
int request_check_domain(struct eip712_domain *out, const Kms__V1__Eip712DomainMsg *m)
    KMS_MUST_CHECK;
/* The same message as user_decrypt_payload.h reads it. */
void request_check_domain_view(struct udp_domain_msg *out, const Kms__V1__Eip712DomainMsg *m);

/* The signing_schemes list, de-duplicated in request order. Unknown values
 * are KMS_EINVAL; ED25519 and ML-DSA are KMS_EUNIMPL (ckms signs with
 * ECDSA only). */
struct request_schemes {
    size_t n;
    int32_t scheme[REQUEST_CHECK_MAX_SCHEMES];
};
int request_check_schemes(struct request_schemes *out, const Kms__V1__SigningSchemeType *s,
                          size_t n) KMS_MUST_CHECK;

/* An FheParameter: 0 default, 1 test. The test set is KMS_EINVAL unless
 * allow_test. */
int request_check_params(const struct tfhe_params **out, int32_t value, int allow_test)
    KMS_MUST_CHECK;

/* KeySetConfig (+ KeySetAddedInfo): unset means Standard / CompressedAll.
 * *compressed is 1 for CompressedAll, 0 for CompressedNone. KMS_EUNIMPL
 * for DecompressionOnly and UseExisting. */
int request_check_keyset(int *compressed, const Kms__V1__KeySetConfig *cfg,
                         const Kms__V1__KeySetAddedInfo *info) KMS_MUST_CHECK;

/* One decryption request's ciphertexts: at least one, at most
 * REQUEST_CHECK_MAX_CIPHERTEXTS, each with bytes, a known format, a known
 * FHE type and an external handle of at most 32 bytes. *pt_bytes gets the
 * total plaintext size. */
int request_check_ciphertexts(size_t *pt_bytes, Kms__V1__TypedCiphertext *const *cts, size_t n)
    KMS_MUST_CHECK;

/* ---- whole requests ---- */

struct checked_preproc {
    struct request_id id;
    const struct tfhe_params *params;
    int32_t params_value;
    int compressed;
    struct eip712_domain domain;
    struct request_schemes schemes;
};
int request_check_preproc(struct checked_preproc *out, const Kms__V1__KeyGenPreprocRequest *m,
                          int allow_test) KMS_MUST_CHECK;

struct checked_keygen {
    struct request_id id;
    int has_preproc;
    struct request_id preproc_id;
    int has_params; /* else: the preprocessing's */
    const struct tfhe_params *params;
    int32_t params_value;
    int compressed;
    struct request_id context_id, epoch_id;
    struct eip712_domain domain;
    struct request_schemes schemes;
};
int request_check_keygen(struct checked_keygen *out, const Kms__V1__KeyGenRequest *m,
                         int allow_test) KMS_MUST_CHECK;

struct checked_public_decrypt {
    struct request_id id, key_id, context_id, epoch_id;
    struct eip712_domain domain;
    struct request_schemes schemes;
    size_t pt_bytes;
};
int request_check_public_decrypt(struct checked_public_decrypt *out,
                                 const Kms__V1__PublicDecryptionRequest *m) KMS_MUST_CHECK;

/* handles[] must have room for m->n_typed_ciphertexts entries (at most
 * REQUEST_CHECK_MAX_CIPHERTEXTS); udp.handles points at it. */
struct checked_user_decrypt {
    struct request_id id, key_id, context_id, epoch_id;
    struct udp_checked udp;
    struct request_schemes schemes;
    size_t pt_bytes;
};
int request_check_user_decrypt(struct checked_user_decrypt *out, struct udp_bytes *handles,
                               const Kms__V1__UserDecryptionRequest *m) KMS_MUST_CHECK;

#endif

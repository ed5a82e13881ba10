/* Inside the centralized KMS service: shared state and helpers of the
 * handler files (kms_service.c, svc_keygen.c, svc_decrypt.c,
 * svc_user_decrypt.c, svc_misc.c). Not for other modules. */
#ifndef CKMS_SERVICE_KMS_SERVICE_IMPL_H
#define CKMS_SERVICE_KMS_SERVICE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/threadpool.h"
#include "proto/kms.v1.pb-c.h"
#include "service/admission.h"
#include "service/kms_service.h"
#include "service/registry.h"
#include "service/request_check.h"

/* A key generation that has been accepted and not yet finished. */
struct svc_ongoing {
    struct svc_ongoing *next;
    struct request_id preproc_id, key_id;
    atomic_int stop; /* AbortKeyGen or shutdown */
};

struct kms_service {
    struct kms_service_config cfg;
    char *storage_info;
    struct central *central;
    struct registry *preproc, *keygen, *pubdec, *userdec;
    struct admission *adm;
    struct threadpool *keygen_pool;
    pthread_mutex_t lock; /* ongoing, stopping */
    struct svc_ongoing *ongoing;
    int stopping;
};

/* ---- handlers (one per RPC; rpc_handler_fn) ---- */
rpc_handler_fn svc_keygen_preproc, svc_get_preproc_result, svc_keygen, svc_get_keygen_result,
    svc_abort_keygen;
rpc_handler_fn svc_public_decrypt, svc_get_public_decrypt_result, svc_public_decrypt_sync;
rpc_handler_fn svc_user_decrypt, svc_get_user_decrypt_result, svc_user_decrypt_sync;
rpc_handler_fn svc_key_material, svc_health_status;
rpc_handler_fn svc_ms_get_statuses, svc_ms_list, svc_ms_info;

/* ---- helpers (kms_service.c) ---- */

/* Unpacks p into a message living in the call's memory; NULL on failure. */
ProtobufCMessage *svc_unpack(struct rpc_call *call, const ProtobufCMessageDescriptor *d,
                             const uint8_t *p, size_t n);

/* Packs m into a malloc'd buffer for the registry. */
int svc_pack(uint8_t **out, size_t *out_len, const ProtobufCMessage *m) KMS_MUST_CHECK;

/* A copy of n bytes (or of a string) in the call's memory. */
uint8_t *svc_dup(struct rpc_call *call, const void *p, size_t n);
char *svc_strdup(struct rpc_call *call, const char *s);

/* A RequestId message holding id (call memory). */
Kms__V1__RequestId *svc_request_id_msg(struct rpc_call *call, const struct request_id *id);

/* The TypedSignature list for the requested schemes: the ECDSA256K1 entry
 * is the EIP-712 signature sig65 (the only scheme ckms accepts). */
int svc_signatures(struct rpc_call *call, Kms__V1__TypedSignature ***out, size_t *n_out,
                   const struct request_schemes *schemes, const uint8_t sig65[65]) KMS_MUST_CHECK;
/* The same for stored schemes (key generation records). */
int svc_signatures_raw(struct rpc_call *call, Kms__V1__TypedSignature ***out, size_t *n_out,
                       const int32_t *schemes, size_t n, const uint8_t sig65[65]) KMS_MUST_CHECK;

/* NOT_FOUND unless ctx is the default MPC context (the only one a
 * centralized server has). */
int svc_check_context(const struct request_id *ctx) KMS_MUST_CHECK;

/* The Get*Result long poll: parses the id, waits for its result in reg up
 * to wait_ms (and the call's deadline), then unpacks the stored response
 * into resp (of descriptor d), or answers the stored error. */
int svc_get_result(struct rpc_call *call, struct registry *reg, const Kms__V1__RequestId *m,
                   uint64_t wait_ms, const char *what, ProtobufCMessage *resp) KMS_MUST_CHECK;

/* The same wait for an already parsed id; the stored bytes start with a
 * prefix of `skip` bytes that is not part of the message. */
int svc_wait_result(struct rpc_call *call, struct registry *reg, const struct request_id *id,
                    uint64_t wait_ms, size_t skip, ProtobufCMessage *resp) KMS_MUST_CHECK;

/* Packs a key generation record as the KeyGenResult message (malloc). */
int svc_keygen_result_pack(uint8_t **out, size_t *out_len, const struct keygen_record *r)
    KMS_MUST_CHECK;

/* NOT_FOUND unless the engine holds key_id in epoch (checked before a
 * decryption claims its request id, as the reference does). */
int svc_key_present(struct kms_service *s, const struct request_id *key_id,
                    const struct request_id *epoch) KMS_MUST_CHECK;

/* Records a failure in reg for id: code and the current kms_err_msg(), and
 * returns code (so that a handler can `return svc_fail(...)`). */
int svc_fail(struct registry *reg, const struct request_id *id, int code);

#endif

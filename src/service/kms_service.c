/* The service's life cycle, its method tables and the helpers the handler
 * files share. */
#include "service/kms_service_impl.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "proto/kms-service.v1.pb-c.h"
#include "proto/metastore-status.v1.pb-c.h"
#include "rpc/health.h"

/* Long polls wake up this often to notice cancelled calls and shutdown. */
#define SVC_POLL_SLICE_MS 250

int kms_service_new(struct kms_service **out, const struct kms_service_config *cfg)
{
    *out = NULL;
    if (cfg->key == NULL)
        return kms_err(KMS_EINVAL, "the service needs the node's signing key");
    struct kms_service *s = calloc(1, sizeof *s);
    if (s == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    s->cfg = *cfg;
    s->cfg.storage_info = NULL;
    pthread_mutex_init(&s->lock, NULL);
    size_t cap = cfg->dec_capacity, min = cfg->min_dec_cache < cap ? cfg->min_dec_cache : cap;
    int rc = 0;
    s->storage_info = strdup(cfg->storage_info ? cfg->storage_info : "");
    if (s->storage_info == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    if (rc == 0)
        rc = registry_new(&s->preproc, "preprocessing", 0, 0);
    if (rc == 0)
        rc = registry_new(&s->keygen, "key generation", 0, 0);
    if (rc == 0)
        rc = registry_new(&s->pubdec, "public decryption", cap, min);
    if (rc == 0)
        rc = registry_new(&s->userdec, "user decryption", cap, min);
    if (rc == 0)
        rc = admission_new(&s->adm, cfg->bucket_size);
    if (rc == 0)
        rc = threadpool_new(&s->keygen_pool, cfg->keygen_threads ? cfg->keygen_threads : 1, 1024);
    if (rc < 0) {
        kms_service_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void kms_service_attach(struct kms_service *s, struct central *c) { s->central = c; }

void kms_service_stop(struct kms_service *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    for (struct svc_ongoing *o = s->ongoing; o != NULL; o = o->next)
        atomic_store(&o->stop, 1);
    pthread_mutex_unlock(&s->lock);
    if (s->keygen_pool != NULL)
        threadpool_wait(s->keygen_pool);
}

void kms_service_free(struct kms_service *s)
{
    if (s == NULL)
        return;
    kms_service_stop(s);
    threadpool_free(s->keygen_pool);
    registry_free(s->preproc);
    registry_free(s->keygen);
    registry_free(s->pubdec);
    registry_free(s->userdec);
    admission_free(s->adm);
    pthread_mutex_destroy(&s->lock);
    free(s->storage_info);
    free(s);
}

/* ---- method tables ---- */

static const struct rpc_method_handler core_handlers[] = {
    {"KeyGenPreproc", svc_keygen_preproc, 0},
    {"GetKeyGenPreprocResult", svc_get_preproc_result, 0},
    {"KeyGen", svc_keygen, 0},
    {"GetKeyGenResult", svc_get_keygen_result, 0},
    {"AbortKeyGen", svc_abort_keygen, 0},
    {"PublicDecrypt", svc_public_decrypt, 0},
    {"GetPublicDecryptionResult", svc_get_public_decrypt_result, 0},
    {"PublicDecryptSync", svc_public_decrypt_sync, 0},
    {"UserDecrypt", svc_user_decrypt, 0},
    {"GetUserDecryptionResult", svc_get_user_decrypt_result, 0},
    {"UserDecryptSync", svc_user_decrypt_sync, 0},
    {"GetKeyMaterialAvailability", svc_key_material, 0},
    {"GetHealthStatus", svc_health_status, 0},
};

static const struct rpc_method_handler ms_handlers[] = {
    {"GetRequestStatuses", svc_ms_get_statuses, 0},
    {"ListRequests", svc_ms_list, 0},
    {"GetMetaStoreInfo", svc_ms_info, 0},
};

int kms_service_register(struct kms_service *s, struct rpc_server *srv)
{
    /* every method without a handler (CRS, contexts, epochs, custodians,
     * backups, benchmarks, the insecure set) answers UNIMPLEMENTED */
    KMS_TRY(rpc_server_add_service(srv, &kms_service__v1__core_service_endpoint__descriptor,
                                   core_handlers, sizeof core_handlers / sizeof core_handlers[0],
                                   s));
    const ProtobufCServiceDescriptor *ms =
        &metastore_status__v1__meta_store_status_service__descriptor;
    KMS_TRY(rpc_server_add_service(srv, ms, ms_handlers, sizeof ms_handlers / sizeof ms_handlers[0],
                                   s));
    static const char *const names[] = {"kms_service.v1.CoreServiceEndpoint",
                                        "metastore_status.v1.MetaStoreStatusService"};
    return rpc_health_register(srv, names, 2);
}

/* ---- helpers ---- */

static void *call_alloc(void *data, size_t n) { return rpc_call_alloc(data, n); }
static void call_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

ProtobufCMessage *svc_unpack(struct rpc_call *call, const ProtobufCMessageDescriptor *d,
                             const uint8_t *p, size_t n)
{
    ProtobufCAllocator a = {.alloc = call_alloc, .free = call_free, .allocator_data = call};
    return protobuf_c_message_unpack(d, &a, n, p);
}

int svc_pack(uint8_t **out, size_t *out_len, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    *out = malloc(n ? n : 1);
    *out_len = 0;
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    *out_len = protobuf_c_message_pack(m, *out);
    return 0;
}

uint8_t *svc_dup(struct rpc_call *call, const void *p, size_t n)
{
    uint8_t *q = rpc_call_alloc(call, n ? n : 1);
    if (q != NULL && n > 0)
        memcpy(q, p, n);
    return q;
}

char *svc_strdup(struct rpc_call *call, const char *s)
{
    return (char *)svc_dup(call, s, strlen(s) + 1);
}

Kms__V1__RequestId *svc_request_id_msg(struct rpc_call *call, const struct request_id *id)
{
    Kms__V1__RequestId *m = rpc_call_alloc(call, sizeof *m);
    char *hex = rpc_call_alloc(call, REQUEST_ID_HEX_LEN + 1);
    if (m == NULL || hex == NULL)
        return NULL;
    kms__v1__request_id__init(m);
    request_id_format(hex, id);
    m->request_id = hex;
    return m;
}

int svc_signatures_raw(struct rpc_call *call, Kms__V1__TypedSignature ***out, size_t *n_out,
                       const int32_t *schemes, size_t n, const uint8_t sig65[65])
{
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    Kms__V1__TypedSignature **arr = rpc_call_alloc(call, n * sizeof *arr);
    if (arr == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (schemes[i] != KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1)
            return kms_err(KMS_EUNIMPL, "signing scheme %d is not supported", (int)schemes[i]);
        Kms__V1__TypedSignature *t = rpc_call_alloc(call, sizeof *t);
        uint8_t *sig = svc_dup(call, sig65, 65);
        if (t == NULL || sig == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        kms__v1__typed_signature__init(t);
        t->scheme = KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1;
        t->signature.data = sig;
        t->signature.len = 65;
        arr[i] = t;
    }
    *out = arr;
    *n_out = n;
    return 0;
}

int svc_signatures(struct rpc_call *call, Kms__V1__TypedSignature ***out, size_t *n_out,
                   const struct request_schemes *schemes, const uint8_t sig65[65])
{
    return svc_signatures_raw(call, out, n_out, schemes->scheme, schemes->n, sig65);
}

int svc_check_context(const struct request_id *ctx)
{
    if (!request_id_equal(ctx, &request_check_default_context)) {
        char hex[REQUEST_ID_HEX_LEN + 1];
        request_id_format(hex, ctx);
        return kms_err(KMS_ENOTFOUND, "context at ID %s not found", hex);
    }
    return 0;
}

int svc_fail(struct registry *reg, const struct request_id *id, int code)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", kms_err_msg());
    if (registry_complete_err(reg, id, code, msg) != 0)
        log_warn("could not record a failure", "error=%d", code);
    return kms_err(code, "%s", msg);
}

int svc_wait_result(struct rpc_call *call, struct registry *reg, const struct request_id *id,
                    uint64_t wait_ms, size_t skip, ProtobufCMessage *resp)
{
    struct clock_deadline end = clock_deadline_in_ms(wait_ms);
    struct registry_outcome o;
    memset(&o, 0, sizeof o);
    for (;;) {
        uint64_t left = clock_deadline_remaining_ms(end);
        uint64_t call_left = clock_deadline_remaining_ms(rpc_call_deadline(call));
        uint64_t slice = left < SVC_POLL_SLICE_MS ? left : SVC_POLL_SLICE_MS;
        if (call_left < slice)
            slice = call_left;
        int rc = registry_wait(reg, id, slice, &o);
        if (rc == 0)
            break;
        if (rc != KMS_EUNAVAIL)
            return rc;
        if (rpc_call_expired(call))
            return kms_err(KMS_EUNAVAIL, "the call was cancelled before the result was ready");
        if (clock_deadline_expired(end)) {
            char hex[REQUEST_ID_HEX_LEN + 1];
            request_id_format(hex, id);
            return kms_err(KMS_EUNAVAIL, "the result of request %s is not ready yet: "
                                         "poll again", hex);
        }
    }
    if (o.state != REGISTRY_DONE_OK)
        return kms_err(o.err_code < 0 ? o.err_code : KMS_EINTERNAL, "%s", o.err_msg);
    ProtobufCMessage *m =
        o.len >= skip ? svc_unpack(call, resp->descriptor, o.result + skip, o.len - skip) : NULL;
    free(o.result);
    if (m == NULL)
        return kms_err(KMS_EINTERNAL, "a stored result does not unpack");
    memcpy(resp, m, resp->descriptor->sizeof_message);
    return 0;
}

int svc_get_result(struct rpc_call *call, struct registry *reg, const Kms__V1__RequestId *m,
                   uint64_t wait_ms, const char *what, ProtobufCMessage *resp)
{
    struct request_id id;
    KMS_TRY(request_check_id(&id, m, what));
    return svc_wait_result(call, reg, &id, wait_ms, 0, resp);
}

int svc_key_present(struct kms_service *s, const struct request_id *key_id,
                    const struct request_id *epoch)
{
    if (s->central == NULL)
        return kms_err(KMS_EPRECOND, "the engine is not running");
    int rc = central_key_exists(s->central, key_id->b, epoch->b);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        char hex[REQUEST_ID_HEX_LEN + 1];
        request_id_format(hex, key_id);
        return kms_err(KMS_ENOTFOUND, "Key ID %s not found", hex);
    }
    return 0;
}

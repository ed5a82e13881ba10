/* GetKeyMaterialAvailability, GetHealthStatus and the MetaStoreStatusService
 * (the reference's grpc/metastore_status_service.rs): read-only views of
 * the engine and the registries. */
#include "service/kms_service_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/metastore-status.v1.pb-c.h"

/* ---- key material ---- */

/* The stored key ids as hex strings in call memory. */
static int key_ids(struct kms_service *s, struct rpc_call *call, char ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (s->central == NULL)
        return 0;
    struct vault_ids ids;
    memset(&ids, 0, sizeof ids);
    KMS_TRY(central_list_keys(s->central, &ids));
    int rc = 0;
    char **arr = rpc_call_alloc(call, (ids.n ? ids.n : 1) * sizeof *arr);
    if (arr == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        if ((arr[i] = svc_strdup(call, ids.id[i])) == NULL)
            rc = kms_err(KMS_ENOMEM, "out of memory");
    if (rc == 0) {
        *out = arr;
        *n_out = ids.n;
    }
    vault_ids_free(&ids);
    return rc;
}

struct collect {
    enum registry_state want; /* REGISTRY_UNKNOWN: all */
    size_t n, cap;
    struct request_id *ids;
    enum registry_state *st;
    int oom;
};

static int collect_one(void *ctx, const struct request_id *id, enum registry_state st)
{
    struct collect *c = ctx;
    if (c->want != REGISTRY_UNKNOWN && st != c->want)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct request_id *ids = realloc(c->ids, cap * sizeof *ids);
        if (ids != NULL)
            c->ids = ids;
        enum registry_state *sts = realloc(c->st, cap * sizeof *sts);
        if (sts != NULL)
            c->st = sts;
        if (ids == NULL || sts == NULL) {
            c->oom = 1;
            return 1;
        }
        c->cap = cap;
    }
    c->ids[c->n] = *id;
    c->st[c->n++] = st;
    return 0;
}

static void collect_free(struct collect *c)
{
    free(c->ids);
    free(c->st);
}

static int preproc_ids(struct kms_service *s, struct rpc_call *call, char ***out, size_t *n_out)
{
    struct collect c = {.want = REGISTRY_DONE_OK};
    registry_foreach(s->preproc, collect_one, &c);
    int rc = c.oom ? kms_err(KMS_ENOMEM, "out of memory") : 0;
    char **arr = rc == 0 ? rpc_call_alloc(call, (c.n ? c.n : 1) * sizeof *arr) : NULL;
    if (rc == 0 && arr == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        if ((arr[i] = rpc_call_alloc(call, REQUEST_ID_HEX_LEN + 1)) == NULL)
            rc = kms_err(KMS_ENOMEM, "out of memory");
        else
            request_id_format(arr[i], &c.ids[i]);
    }
    *out = arr;
    *n_out = rc == 0 ? c.n : 0;
    collect_free(&c);
    return rc;
}

int svc_key_material(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                     ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    Kms__V1__KeyMaterialAvailabilityResponse *r = (void *)resp;
    (void)req;
    KMS_TRY(key_ids(s, call, &r->fhe_key_ids, &r->n_fhe_key_ids));
    KMS_TRY(preproc_ids(s, call, &r->preprocessing_ids, &r->n_preprocessing_ids));
    r->storage_info = s->storage_info;
    return 0;
}

int svc_health_status(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                      ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    Kms__V1__HealthStatusResponse *r = (void *)resp;
    (void)req;
    KMS_TRY(key_ids(s, call, &r->my_fhe_key_ids, &r->n_my_fhe_key_ids));
    KMS_TRY(preproc_ids(s, call, &r->my_preprocessing_key_ids, &r->n_my_preprocessing_key_ids));
    r->my_storage_info = s->storage_info;
    r->node_type = KMS__V1__NODE_TYPE__NODE_TYPE_CENTRALIZED;
    return 0;
}

/* ---- MetaStoreStatusService ---- */

#define MS_DEFAULT_PAGE 100
#define MS_MAX_PAGE 1000

/* The registry of a store type; NULL for CRS (none yet) and ALL. */
static struct registry *store_of(struct kms_service *s, int type)
{
    switch (type) {
    case METASTORE_STATUS__V1__META_STORE_TYPE__KEY_GENERATION: return s->keygen;
    case METASTORE_STATUS__V1__META_STORE_TYPE__PUBLIC_DECRYPTION: return s->pubdec;
    case METASTORE_STATUS__V1__META_STORE_TYPE__USER_DECRYPTION: return s->userdec;
    case METASTORE_STATUS__V1__META_STORE_TYPE__PREPROCESSING: return s->preproc;
    default: return NULL;
    }
}

static MetastoreStatus__V1__RequestStatusInfo *status_info(struct rpc_call *call,
                                                           struct registry *reg, int type,
                                                           const struct request_id *id,
                                                           enum registry_state st)
{
    MetastoreStatus__V1__RequestStatusInfo *i = rpc_call_alloc(call, sizeof *i);
    char *hex = rpc_call_alloc(call, REQUEST_ID_HEX_LEN + 1);
    if (i == NULL || hex == NULL)
        return NULL;
    metastore_status__v1__request_status_info__init(i);
    request_id_format(hex, id);
    i->request_id = hex;
    i->meta_store_type = type;
    if (st == REGISTRY_PENDING)
        i->status = METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__PROCESSING;
    else if (st == REGISTRY_DONE_OK)
        i->status = METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__COMPLETED;
    else
        i->status = METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__FAILED;
    if (st == REGISTRY_DONE_ERR) {
        struct registry_outcome o;
        if (registry_wait(reg, id, 0, &o) == 0) {
            free(o.result);
            i->_error_message_case =
                METASTORE_STATUS__V1__REQUEST_STATUS_INFO___ERROR_MESSAGE_ERROR_MESSAGE;
            i->error_message = svc_strdup(call, o.err_msg);
            if (i->error_message == NULL)
                return NULL;
        }
    }
    return i;
}

static const int ms_types[] = {METASTORE_STATUS__V1__META_STORE_TYPE__KEY_GENERATION,
                               METASTORE_STATUS__V1__META_STORE_TYPE__PUBLIC_DECRYPTION,
                               METASTORE_STATUS__V1__META_STORE_TYPE__USER_DECRYPTION,
                               METASTORE_STATUS__V1__META_STORE_TYPE__CRS_GENERATION,
                               METASTORE_STATUS__V1__META_STORE_TYPE__PREPROCESSING};
#define MS_N_TYPES (sizeof ms_types / sizeof ms_types[0])

int svc_ms_get_statuses(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                        ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    const MetastoreStatus__V1__GetRequestStatusesRequest *m = (const void *)req;
    MetastoreStatus__V1__GetRequestStatusesResponse *r = (void *)resp;
    int filter = -1;
    if (m->_meta_store_type_case ==
            METASTORE_STATUS__V1__GET_REQUEST_STATUSES_REQUEST___META_STORE_TYPE_META_STORE_TYPE &&
        m->meta_store_type != METASTORE_STATUS__V1__META_STORE_TYPE__ALL)
        filter = m->meta_store_type;
    if (m->n_request_ids > MS_MAX_PAGE)
        return kms_err(KMS_EINVAL, "at most %d request ids per call", MS_MAX_PAGE);
    size_t cap = m->n_request_ids * MS_N_TYPES;
    r->statuses = rpc_call_alloc(call, (cap ? cap : 1) * sizeof *r->statuses);
    if (r->statuses == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t t = 0; t < MS_N_TYPES; t++) {
        struct registry *reg = store_of(s, ms_types[t]);
        if (reg == NULL || (filter >= 0 && filter != ms_types[t]))
            continue;
        for (size_t i = 0; i < m->n_request_ids; i++) {
            struct request_id id;
            const char *str = m->request_ids[i] ? m->request_ids[i] : "";
            if (request_id_parse(&id, str, strlen(str)) != 0)
                continue; /* an id that cannot exist is simply not found */
            enum registry_state st = registry_state_of(reg, &id);
            if (st == REGISTRY_UNKNOWN)
                continue;
            r->statuses[r->n_statuses] = status_info(call, reg, ms_types[t], &id, st);
            if (r->statuses[r->n_statuses++] == NULL)
                return kms_err(KMS_ENOMEM, "out of memory");
        }
    }
    if (r->n_statuses == 0 && m->n_request_ids > 0)
        return kms_err(KMS_ENOTFOUND, "No requests found in %s meta-stores",
                       filter >= 0 ? "the requested" : "all");
    return 0;
}

static enum registry_state filter_state(const MetastoreStatus__V1__ListRequestsRequest *m,
                                        int *none)
{
    *none = 0;
    if (m->_status_filter_case !=
        METASTORE_STATUS__V1__LIST_REQUESTS_REQUEST___STATUS_FILTER_STATUS_FILTER)
        return REGISTRY_UNKNOWN;
    switch (m->status_filter) {
    case METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__PROCESSING: return REGISTRY_PENDING;
    case METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__COMPLETED: return REGISTRY_DONE_OK;
    case METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__FAILED: return REGISTRY_DONE_ERR;
    case METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__DELETED: *none = 1; /* none kept */
        return REGISTRY_UNKNOWN;
    default: return REGISTRY_UNKNOWN;
    }
}

int svc_ms_list(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    const MetastoreStatus__V1__ListRequestsRequest *m = (const void *)req;
    MetastoreStatus__V1__ListRequestsResponse *r = (void *)resp;
    if (m->meta_store_type == METASTORE_STATUS__V1__META_STORE_TYPE__ALL)
        return kms_err(KMS_EINVAL, "Use specific store type for listing");
    if ((int)m->meta_store_type < 0 || (int)m->meta_store_type > 5)
        return kms_err(KMS_EINVAL, "Invalid meta store type");
    size_t start = 0;
    int has_token =
        m->_page_token_case == METASTORE_STATUS__V1__LIST_REQUESTS_REQUEST___PAGE_TOKEN_PAGE_TOKEN;
    if (has_token && m->page_token != NULL && m->page_token[0] != '\0') {
        char *end;
        unsigned long long v = strtoull(m->page_token, &end, 10);
        if (*end != '\0' || m->page_token[0] == '-')
            return kms_err(KMS_EINVAL, "Failed to parse page token as an index");
        start = (size_t)v;
    }
    size_t page = MS_DEFAULT_PAGE;
    if (m->_max_results_case ==
            METASTORE_STATUS__V1__LIST_REQUESTS_REQUEST___MAX_RESULTS_MAX_RESULTS &&
        m->max_results > 0)
        page = (size_t)m->max_results < MS_MAX_PAGE ? (size_t)m->max_results : MS_MAX_PAGE;
    struct registry *reg = store_of(s, m->meta_store_type);
    int none;
    struct collect c = {.want = filter_state(m, &none)};
    if (reg != NULL && !none)
        registry_foreach(reg, collect_one, &c);
    int rc = c.oom ? kms_err(KMS_ENOMEM, "out of memory") : 0;
    size_t n = start < c.n ? c.n - start : 0;
    if (n > page)
        n = page;
    r->requests = rc == 0 ? rpc_call_alloc(call, (n ? n : 1) * sizeof *r->requests) : NULL;
    if (rc == 0 && r->requests == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        r->requests[i] = status_info(call, reg, m->meta_store_type, &c.ids[start + i],
                                     c.st[start + i]);
        if (r->requests[i] == NULL)
            rc = kms_err(KMS_ENOMEM, "out of memory");
        r->n_requests = i + 1;
    }
    if (rc == 0 && start + n < c.n) {
        char tok[32];
        snprintf(tok, sizeof tok, "%zu", start + n);
        r->_next_page_token_case =
            METASTORE_STATUS__V1__LIST_REQUESTS_RESPONSE___NEXT_PAGE_TOKEN_NEXT_PAGE_TOKEN;
        r->next_page_token = svc_strdup(call, tok);
    }
    collect_free(&c);
    return rc;
}

int svc_ms_info(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    MetastoreStatus__V1__GetMetaStoreInfoResponse *r = (void *)resp;
    (void)req;
    MetastoreStatus__V1__MetaStoreInfo *info = rpc_call_alloc(call, MS_N_TYPES * sizeof *info);
    r->meta_stores = rpc_call_alloc(call, MS_N_TYPES * sizeof *r->meta_stores);
    if (info == NULL || r->meta_stores == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t t = 0; t < MS_N_TYPES; t++) {
        metastore_status__v1__meta_store_info__init(&info[t]);
        info[t].type = ms_types[t];
        info[t].capacity = -1; /* -1: unbounded, as the reference reports it */
        struct registry *reg = store_of(s, ms_types[t]);
        if (reg != NULL) {
            size_t total, pending, cap;
            registry_counts(reg, &total, &pending, &cap);
            info[t].capacity = cap ? (int32_t)(cap > INT32_MAX ? INT32_MAX : cap) : -1;
            info[t].current_count = (int32_t)(total > INT32_MAX ? INT32_MAX : total);
        }
        r->meta_stores[t] = &info[t];
    }
    r->n_meta_stores = MS_N_TYPES;
    return 0;
}

/* KeyGenPreproc, GetKeyGenPreprocResult, KeyGen, GetKeyGenResult and
 * AbortKeyGen of the centralized server.
 *
 * The centralized server has nothing to preprocess: as the reference
 * (engine/centralized/service/preprocessing.rs), KeyGenPreproc records the
 * id with its parameters and a signed PrepKeygenVerification, and KeyGen
 * consumes that record. KeyGen answers at once and generates the keyset on
 * the service's key-generation pool, never on a gRPC worker. */
#include "service/kms_service_impl.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/kms_eip712.h"
#include "proto/kms.v1.pb-c.h"

/* Preprocessing records: i32le FheParameter ‖ packed KeyGenPreprocResult. */
#define PREPROC_PREFIX 4

static int sign_preproc(struct kms_service *s, struct rpc_call *call, uint8_t **out,
                        size_t *out_len, const struct checked_preproc *p,
                        const Kms__V1__KeyGenPreprocRequest *m)
{
    uint8_t sh[32], sig[65];
    kms_eip712_prep_keygen(sh, p->id.b, m->extra_data.data, m->extra_data.len);
    KMS_TRY(kms_eip712_sign(sig, NULL, s->cfg.key->sk, &p->domain, sh));
    Kms__V1__KeyGenPreprocResult r = KMS__V1__KEY_GEN_PREPROC_RESULT__INIT;
    r.preprocessing_id = svc_request_id_msg(call, &p->id);
    if (r.preprocessing_id == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    r.external_signature.data = sig;
    r.external_signature.len = sizeof sig;
    KMS_TRY(svc_signatures(call, &r.signatures, &r.n_signatures, &p->schemes, sig));
    size_t n = protobuf_c_message_get_packed_size(&r.base);
    uint8_t *b = malloc(PREPROC_PREFIX + n);
    if (b == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    uint32_t v = (uint32_t)p->params_value;
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    *out_len = PREPROC_PREFIX + protobuf_c_message_pack(&r.base, b + PREPROC_PREFIX);
    *out = b;
    return 0;
}

int svc_keygen_preproc(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                       ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    const Kms__V1__KeyGenPreprocRequest *m = (const void *)req;
    (void)resp;
    struct checked_preproc p;
    KMS_TRY(request_check_preproc(&p, m, s->cfg.allow_test_params));
    KMS_TRY(admission_acquire(s->adm, s->cfg.cost_preproc, "preprocessing"));
    int rc = registry_insert(s->preproc, &p.id);
    if (rc == 0) {
        uint8_t *rec = NULL;
        size_t len = 0;
        rc = sign_preproc(s, call, &rec, &len, &p, m);
        rc = rc == 0 ? registry_complete_ok(s->preproc, &p.id, rec, len)
                     : svc_fail(s->preproc, &p.id, rc);
    }
    admission_release(s->adm, s->cfg.cost_preproc);
    if (rc == 0) {
        char hex[REQUEST_ID_HEX_LEN + 1];
        request_id_format(hex, &p.id);
        log_info("preprocessing recorded", "preproc_id=%s params=%d", hex, (int)p.params_value);
    }
    return rc;
}

int svc_get_preproc_result(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                           ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    struct request_id id;
    KMS_TRY(request_check_id(&id, (const Kms__V1__RequestId *)req, "request_id"));
    return svc_wait_result(call, s->preproc, &id, s->cfg.preproc_wait_ms, PREPROC_PREFIX, resp);
}

/* ---- KeyGenResult ---- */

int svc_keygen_result_pack(uint8_t **out, size_t *out_len, const struct keygen_record *r)
{
    char id_hex[REQUEST_ID_HEX_LEN + 1], pre_hex[REQUEST_ID_HEX_LEN + 1];
    struct request_id kid, pid;
    memcpy(kid.b, r->key_id, 32);
    memcpy(pid.b, r->preproc_id, 32);
    request_id_format(id_hex, &kid);
    request_id_format(pre_hex, &pid);
    Kms__V1__RequestId mid = KMS__V1__REQUEST_ID__INIT, mpre = KMS__V1__REQUEST_ID__INIT;
    mid.request_id = id_hex;
    mpre.request_id = pre_hex;
    Kms__V1__KeyDigest kd[KEYGEN_RECORD_MAX_DIGESTS], *kdp[KEYGEN_RECORD_MAX_DIGESTS];
    Kms__V1__TypedSignature ts[KEYGEN_RECORD_MAX_SCHEMES], *tsp[KEYGEN_RECORD_MAX_SCHEMES];
    Kms__V1__KeyGenResult m = KMS__V1__KEY_GEN_RESULT__INIT;
    m.request_id = &mid;
    m.preprocessing_id = &mpre;
    if (r->n_digests > KEYGEN_RECORD_MAX_DIGESTS || r->n_schemes > KEYGEN_RECORD_MAX_SCHEMES)
        return kms_err(KMS_EINTERNAL, "key record too large");
    for (size_t i = 0; i < r->n_digests; i++) {
        const char *name = keygen_pub_type_name(r->digests[i].type);
        if (name == NULL)
            return kms_err(KMS_EINTERNAL, "key record with an unknown digest type");
        kms__v1__key_digest__init(&kd[i]);
        kd[i].key_type = (char *)name;
        kd[i].digest.data = (uint8_t *)r->digests[i].digest;
        kd[i].digest.len = 32;
        kdp[i] = &kd[i];
    }
    m.n_key_digests = r->n_digests;
    m.key_digests = kdp;
    m.external_signature.data = (uint8_t *)r->external_signature;
    m.external_signature.len = KEYGEN_RECORD_SIG_BYTES;
    for (size_t i = 0; i < r->n_schemes; i++) {
        kms__v1__typed_signature__init(&ts[i]);
        ts[i].scheme = (Kms__V1__SigningSchemeType)r->schemes[i];
        ts[i].signature = m.external_signature; /* ECDSA256K1: the EIP-712 signature */
        tsp[i] = &ts[i];
    }
    m.n_signatures = r->n_schemes;
    m.signatures = tsp;
    return svc_pack(out, out_len, &m.base);
}

int kms_service_restore_key(void *svc, const struct keygen_record *r)
{
    struct kms_service *s = svc;
    struct request_id id;
    memcpy(id.b, r->key_id, 32);
    int rc = registry_insert(s->keygen, &id);
    if (rc == KMS_EEXIST)
        return 0; /* the same key id in several epochs: one result */
    KMS_TRY(rc);
    uint8_t *b;
    size_t n;
    rc = svc_keygen_result_pack(&b, &n, r);
    if (rc < 0)
        return svc_fail(s->keygen, &id, rc);
    return registry_complete_ok(s->keygen, &id, b, n);
}

int svc_get_keygen_result(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                          ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    return svc_get_result(call, s->keygen, (const Kms__V1__RequestId *)req, s->cfg.result_wait_ms,
                          "request_id", resp);
}

/* ---- KeyGen ---- */

struct keygen_job {
    struct kms_service *s;
    struct svc_ongoing *ongoing;
    struct central_keygen_req req;
    struct eip712_domain domain;
    int32_t schemes[REQUEST_CHECK_MAX_SCHEMES];
    uint8_t *extra;
    char *strings; /* domain name and version */
};

static int job_stop(void *ctx, int commit)
{
    (void)commit;
    const struct svc_ongoing *o = ctx;
    return atomic_load(&o->stop);
}

static void forget_ongoing(struct kms_service *s, struct svc_ongoing *o)
{
    pthread_mutex_lock(&s->lock);
    for (struct svc_ongoing **pp = &s->ongoing; *pp != NULL; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    pthread_mutex_unlock(&s->lock);
    free(o);
}

static void job_free(struct keygen_job *j)
{
    free(j->extra);
    free(j->strings);
    free(j);
}

static void keygen_run(void *arg)
{
    struct keygen_job *j = arg;
    struct kms_service *s = j->s;
    struct request_id id = j->ongoing->key_id;
    char hex[REQUEST_ID_HEX_LEN + 1];
    request_id_format(hex, &id);
    uint64_t t0 = clock_now_ms();
    struct keygen_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = s->central != NULL ? central_keygen(s->central, &rec, &j->req)
                                : kms_err(KMS_EPRECOND, "no engine");
    /* the generation is over: before its result is published, so that a
     * client who sees the result finds nothing left to abort and the
     * tokens back in the bucket */
    forget_ongoing(s, j->ongoing);
    j->ongoing = NULL;
    admission_release(s->adm, s->cfg.cost_keygen);
    if (rc == 0) {
        uint8_t *b;
        size_t n;
        rc = svc_keygen_result_pack(&b, &n, &rec);
        if (rc == 0)
            rc = registry_complete_ok(s->keygen, &id, b, n);
        keygen_record_clear(&rec);
    }
    if (rc == 0) {
        log_info("key generated", "key_id=%s ms=%llu", hex,
                 (unsigned long long)(clock_now_ms() - t0));
    } else {
        if (rc == KMS_EABORTED)
            kms_err(KMS_EABORTED, "Key generation was aborted");
        log_warn("key generation failed", "key_id=%s error=%d", hex, rc);
        (void)svc_fail(s->keygen, &id, rc);
    }
    job_free(j);
}

static int make_job(struct keygen_job **out, struct kms_service *s, const struct checked_keygen *k,
                    const struct tfhe_params *params, int32_t params_value,
                    const Kms__V1__KeyGenRequest *m)
{
    struct keygen_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    j->s = s;
    j->domain = k->domain;
    j->strings = malloc(k->domain.name_len + k->domain.version_len + 1);
    j->extra = malloc(m->extra_data.len + 1);
    if (j->strings == NULL || j->extra == NULL) {
        job_free(j);
        return kms_err(KMS_ENOMEM, "out of memory");
    }
    if (k->domain.name_len)
        memcpy(j->strings, k->domain.name, k->domain.name_len);
    if (k->domain.version_len)
        memcpy(j->strings + k->domain.name_len, k->domain.version, k->domain.version_len);
    j->domain.name = j->strings;
    j->domain.version = j->strings + k->domain.name_len;
    if (m->extra_data.len)
        memcpy(j->extra, m->extra_data.data, m->extra_data.len);
    memcpy(j->schemes, k->schemes.scheme, k->schemes.n * sizeof j->schemes[0]);
    struct central_keygen_req *r = &j->req;
    memcpy(r->key_id, k->id.b, 32);
    memcpy(r->preproc_id, k->preproc_id.b, 32);
    r->params = params;
    r->params_value = params_value;
    r->compressed = k->compressed;
    r->domain = &j->domain;
    r->extra = j->extra;
    r->extra_len = m->extra_data.len;
    r->schemes = j->schemes;
    r->n_schemes = k->schemes.n;
    r->stop = job_stop;
    *out = j;
    return 0;
}

/* The parameters of the consumed preprocessing (KMS_ENOTFOUND if none). */
static int preproc_params(struct kms_service *s, int32_t *value, const struct request_id *pid)
{
    struct registry_outcome o;
    char hex[REQUEST_ID_HEX_LEN + 1];
    request_id_format(hex, pid);
    int rc = registry_wait(s->preproc, pid, 0, &o);
    if (rc == KMS_ENOTFOUND)
        return kms_err(KMS_ENOTFOUND, "preprocessing %s not found", hex);
    if (rc < 0)
        return rc;
    if (o.state != REGISTRY_DONE_OK || o.len < PREPROC_PREFIX) {
        free(o.result);
        return kms_err(KMS_EPRECOND, "preprocessing %s failed: %s", hex, o.err_msg);
    }
    *value = (int32_t)((uint32_t)o.result[0] | (uint32_t)o.result[1] << 8 |
                       (uint32_t)o.result[2] << 16 | (uint32_t)o.result[3] << 24);
    free(o.result);
    return 0;
}

/* Claims the key id and consumes the preprocessing for a new generation. */
static int claim(struct kms_service *s, struct svc_ongoing **out, const struct checked_keygen *k)
{
    struct svc_ongoing *o = calloc(1, sizeof *o);
    if (o == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    o->preproc_id = k->preproc_id;
    o->key_id = k->id;
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    if (s->stopping)
        rc = kms_err(KMS_EUNAVAIL, "the server is shutting down");
    for (struct svc_ongoing *x = s->ongoing; rc == 0 && x != NULL; x = x->next)
        if (request_id_equal(&x->preproc_id, &k->preproc_id))
            rc = kms_err(KMS_EEXIST, "Key generation with this preprocessing ID is already "
                                     "ongoing");
    if (rc == 0)
        rc = registry_insert(s->keygen, &k->id);
    if (rc == 0) {
        o->next = s->ongoing;
        s->ongoing = o;
        /* the preprocessing is single use (the reference deletes it as
         * well); consumed under the lock so that no second generation can
         * claim it once this one has left the ongoing list */
        if (registry_remove(s->preproc, &k->preproc_id) != 0)
            kms_err_clear();
    }
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        free(o);
    else
        *out = o;
    return rc;
}

static int keygen_checks(struct kms_service *s, const struct tfhe_params **params,
                         int32_t *params_value, const struct checked_keygen *k)
{
    KMS_TRY(svc_check_context(&k->context_id));
    if (!request_id_equal(&k->epoch_id, &request_check_default_epoch))
        return kms_err(KMS_ENOTFOUND, "epoch not found: the centralized server keeps its keys "
                                      "in the default epoch only");
    if (!k->has_preproc)
        return kms_err(KMS_EINVAL, "Missing preprocessing ID in key generation request");
    int32_t pv = 0;
    KMS_TRY(preproc_params(s, &pv, &k->preproc_id));
    *params = k->params;
    *params_value = k->params_value;
    if (!k->has_params) {
        *params_value = pv;
        KMS_TRY(request_check_params(params, pv, 1));
    }
    if (s->central == NULL)
        return kms_err(KMS_EPRECOND, "the engine is not running");
    int rc = central_key_exists(s->central, k->id.b, k->epoch_id.b);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return kms_err(KMS_EEXIST, "an FHE key with this request ID already exists");
    return 0;
}

int svc_keygen(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
               ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    const Kms__V1__KeyGenRequest *m = (const void *)req;
    (void)call;
    (void)resp;
    struct checked_keygen k;
    const struct tfhe_params *params = NULL;
    int32_t pv = 0;
    KMS_TRY(request_check_keygen(&k, m, s->cfg.allow_test_params));
    KMS_TRY(keygen_checks(s, &params, &pv, &k));
    KMS_TRY(admission_acquire(s->adm, s->cfg.cost_keygen, "key generation"));
    struct svc_ongoing *o = NULL;
    struct keygen_job *j = NULL;
    int rc = claim(s, &o, &k);
    if (rc < 0) {
        admission_release(s->adm, s->cfg.cost_keygen);
        return rc;
    }
    rc = make_job(&j, s, &k, params, pv, m);
    if (rc == 0) {
        j->ongoing = o;
        j->req.stop_ctx = o;
        rc = threadpool_submit(s->keygen_pool, keygen_run, j);
        if (rc < 0)
            job_free(j);
    }
    if (rc < 0) {
        (void)svc_fail(s->keygen, &k.id, rc);
        admission_release(s->adm, s->cfg.cost_keygen);
        forget_ongoing(s, o);
        return rc;
    }
    char hex[REQUEST_ID_HEX_LEN + 1];
    request_id_format(hex, &k.id);
    log_info("key generation started", "key_id=%s params=%d compressed=%d", hex, (int)pv,
             k.compressed);
    return 0;
}

int svc_abort_keygen(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                     ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    (void)call;
    (void)resp;
    struct request_id pid;
    KMS_TRY(request_check_id(&pid, (const Kms__V1__RequestId *)req, "request_id"));
    int found = 0;
    pthread_mutex_lock(&s->lock);
    for (struct svc_ongoing *o = s->ongoing; o != NULL; o = o->next)
        if (request_id_equal(&o->preproc_id, &pid)) {
            atomic_store(&o->stop, 1);
            found = 1;
        }
    pthread_mutex_unlock(&s->lock);
    if (!found)
        return kms_err(KMS_ENOTFOUND, "No ongoing key generation found for the supplied "
                                      "preprocessing ID");
    return 0;
}

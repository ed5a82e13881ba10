/* PublicDecrypt, GetPublicDecryptionResult and PublicDecryptSync.
 *
 * Decrypting with the centralized key takes microseconds, so ckms decrypts
 * and signs inside the PublicDecrypt call itself (on an rpc worker) and
 * stores the packed response for GetPublicDecryptionResult; a ciphertext
 * that does not parse is therefore reported by PublicDecrypt itself as
 * INVALID_ARGUMENT (the reference accepts the request and fails it later).
 * The failed id may be submitted again, as the reference allows. */
#include "service/kms_service_impl.h"

#include <string.h>

#include "service/pubdec.h"
#include "tfhe/decrypt.h"

/* Decrypts, signs and packs the PublicDecryptionResponse of a checked
 * request. */
static int pubdec_run(struct kms_service *s, struct rpc_call *call, uint8_t **out,
                      size_t *out_len, const Kms__V1__PublicDecryptionRequest *m,
                      const struct checked_public_decrypt *d)
{
    size_t n = m->n_ciphertexts;
    struct central_ct *cts = rpc_call_alloc(call, n * sizeof *cts);
    struct typed_plaintext *pts = rpc_call_alloc(call, n * sizeof *pts);
    struct udp_bytes *handles = rpc_call_alloc(call, n * sizeof *handles);
    Kms__V1__TypedPlaintext *tp = rpc_call_alloc(call, n * sizeof *tp);
    Kms__V1__TypedPlaintext **tpp = rpc_call_alloc(call, n * sizeof *tpp);
    uint8_t *pt = rpc_call_alloc(call, d->pt_bytes ? d->pt_bytes : 1);
    if (cts == NULL || pts == NULL || handles == NULL || tp == NULL || tpp == NULL || pt == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const Kms__V1__TypedCiphertext *c = m->ciphertexts[i];
        cts[i] = (struct central_ct){c->ciphertext.data, c->ciphertext.len, c->fhe_type,
                                     (int32_t)c->ciphertext_format};
        handles[i] = (struct udp_bytes){c->external_handle.data, c->external_handle.len};
    }
    KMS_TRY(central_decrypt(s->central, d->key_id.b, d->epoch_id.b, cts, n, pt, d->pt_bytes));
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        KMS_TRY(tfhe_decrypt_plaintext_len(&len, cts[i].fhe_type));
        pts[i] = (struct typed_plaintext){pt + off, len, cts[i].fhe_type};
        kms__v1__typed_plaintext__init(&tp[i]);
        tp[i].bytes.data = pt + off;
        tp[i].bytes.len = len;
        tp[i].fhe_type = cts[i].fhe_type;
        tpp[i] = &tp[i];
        off += len;
    }
    const struct node_key *key = s->cfg.key;
    Kms__V1__PublicDecryptionResponsePayload pl = KMS__V1__PUBLIC_DECRYPTION_RESPONSE_PAYLOAD__INIT;
    pl.request_id = svc_request_id_msg(call, &d->id);
    if (pl.request_id == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    struct pubdec_signatures sig;
    KMS_TRY(pubdec_sign(&sig, key->sk, &d->domain, handles, n, pts, n, key->verf_key,
                        sizeof key->verf_key, pl.request_id->request_id, m->extra_data.data,
                        m->extra_data.len));
    pl.verification_key.data = (uint8_t *)key->verf_key;
    pl.verification_key.len = sizeof key->verf_key;
    pl.n_plaintexts = n;
    pl.plaintexts = tpp;
    Kms__V1__PublicDecryptionResponse r = KMS__V1__PUBLIC_DECRYPTION_RESPONSE__INIT;
    r.signature.data = sig.signature;
    r.signature.len = sizeof sig.signature;
    r.external_signature.data = sig.external_signature;
    r.external_signature.len = sizeof sig.external_signature;
    r.payload = &pl;
    r.extra_data = m->extra_data;
    KMS_TRY(svc_signatures(call, &r.signatures, &r.n_signatures, &d->schemes,
                           sig.external_signature));
    return svc_pack(out, out_len, &r.base);
}

static int public_decrypt(struct kms_service *s, struct rpc_call *call, struct request_id *id,
                          const Kms__V1__PublicDecryptionRequest *m)
{
    struct checked_public_decrypt d;
    int rc = request_check_public_decrypt(&d, m);
    *id = d.id;
    KMS_TRY(rc);
    KMS_TRY(svc_check_context(&d.context_id));
    KMS_TRY(svc_key_present(s, &d.key_id, &d.epoch_id));
    KMS_TRY(admission_acquire(s->adm, s->cfg.cost_pub_decrypt, "public decryption"));
    rc = registry_insert(s->pubdec, &d.id);
    if (rc == 0) {
        uint8_t *b = NULL;
        size_t n = 0;
        rc = pubdec_run(s, call, &b, &n, m, &d);
        rc = rc == 0 ? registry_complete_ok(s->pubdec, &d.id, b, n)
                     : svc_fail(s->pubdec, &d.id, rc);
    }
    admission_release(s->adm, s->cfg.cost_pub_decrypt);
    return rc;
}

int svc_public_decrypt(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                       ProtobufCMessage *resp)
{
    struct request_id id;
    (void)resp;
    return public_decrypt(ctx, call, &id, (const Kms__V1__PublicDecryptionRequest *)req);
}

int svc_get_public_decrypt_result(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                  ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    return svc_get_result(call, s->pubdec, (const Kms__V1__RequestId *)req, s->cfg.result_wait_ms,
                          "request_id", resp);
}

/* A known id attaches to its result; a failed one is redone. */
int svc_public_decrypt_sync(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                            ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    struct request_id id;
    int rc = public_decrypt(s, call, &id, (const Kms__V1__PublicDecryptionRequest *)req);
    if (rc < 0 && rc != KMS_EEXIST)
        return rc;
    return svc_wait_result(call, s->pubdec, &id, s->cfg.result_wait_ms, 0, resp);
}

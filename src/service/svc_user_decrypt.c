/* UserDecrypt, GetUserDecryptionResult and UserDecryptSync: the plaintexts
 * are signcrypted to the user's ML-KEM key (service/user_decrypt_payload.h)
 * inside the UserDecrypt call, as svc_decrypt.c does for public
 * decryption. The plaintexts never leave this file unencrypted. */
#include "service/kms_service_impl.h"

#include <string.h>

#include "base/secmem.h"
#include "tfhe/decrypt.h"

/* Packs the UserDecryptionResponse of a built response. */
static int pack_response(struct rpc_call *call, uint8_t **out, size_t *out_len,
                         const struct udp_response *u, const struct checked_user_decrypt *d,
                         const Kms__V1__UserDecryptionRequest *m)
{
    size_t n = u->n_cts;
    Kms__V1__TypedSigncryptedCiphertext *sc = rpc_call_alloc(call, n * sizeof *sc);
    Kms__V1__TypedSigncryptedCiphertext **scp = rpc_call_alloc(call, n * sizeof *scp);
    if (sc == NULL || scp == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        kms__v1__typed_signcrypted_ciphertext__init(&sc[i]);
        sc[i].fhe_type = u->cts[i].fhe_type;
        sc[i].signcrypted_ciphertext.data = (uint8_t *)u->cts[i].ct;
        sc[i].signcrypted_ciphertext.len = u->cts[i].ct_len;
        sc[i].external_handle.data = (uint8_t *)u->cts[i].handle;
        sc[i].external_handle.len = u->cts[i].handle_len;
        sc[i].packing_factor = u->cts[i].packing_factor;
        scp[i] = &sc[i];
    }
    Kms__V1__UserDecryptionResponsePayload pl = KMS__V1__USER_DECRYPTION_RESPONSE_PAYLOAD__INIT;
    pl.verification_key.data = (uint8_t *)u->verification_key;
    pl.verification_key.len = sizeof u->verification_key;
    pl.digest.data = (uint8_t *)u->digest;
    pl.digest.len = sizeof u->digest;
    pl.n_signcrypted_ciphertexts = n;
    pl.signcrypted_ciphertexts = scp;
    pl.party_id = u->party_id;
    pl.degree = u->degree;
    Kms__V1__UserDecryptionResponse r = KMS__V1__USER_DECRYPTION_RESPONSE__INIT;
    r.signature.data = (uint8_t *)u->signature;
    r.signature.len = sizeof u->signature;
    r.external_signature.data = (uint8_t *)u->external_signature;
    r.external_signature.len = sizeof u->external_signature;
    r.payload = &pl;
    r.extra_data = m->extra_data;
    KMS_TRY(svc_signatures(call, &r.signatures, &r.n_signatures, &d->schemes,
                           u->external_signature));
    return svc_pack(out, out_len, &r.base);
}

static int userdec_run(struct kms_service *s, struct rpc_call *call, uint8_t **out,
                       size_t *out_len, const Kms__V1__UserDecryptionRequest *m,
                       const struct checked_user_decrypt *d)
{
    size_t n = m->n_typed_ciphertexts;
    struct central_ct *cts = rpc_call_alloc(call, n * sizeof *cts);
    struct udp_plaintext *pts = rpc_call_alloc(call, n * sizeof *pts);
    uint8_t *pt = rpc_call_alloc(call, d->pt_bytes ? d->pt_bytes : 1);
    if (cts == NULL || pts == NULL || pt == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const Kms__V1__TypedCiphertext *c = m->typed_ciphertexts[i];
        cts[i] = (struct central_ct){c->ciphertext.data, c->ciphertext.len, c->fhe_type,
                                     (int32_t)c->ciphertext_format};
    }
    int rc = central_decrypt(s->central, d->key_id.b, d->epoch_id.b, cts, n, pt, d->pt_bytes);
    size_t off = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len;
        rc = tfhe_decrypt_plaintext_len(&len, cts[i].fhe_type);
        pts[i] = (struct udp_plaintext){pt + off, len, cts[i].fhe_type};
        off += len;
    }
    struct udp_response u;
    memset(&u, 0, sizeof u);
    if (rc == 0)
        rc = udp_build_centralized_key(&u, &d->udp, pts, n, s->cfg.key, m->extra_data.data,
                                       m->extra_data.len);
    secmem_wipe(pt, d->pt_bytes);
    if (rc == 0)
        rc = pack_response(call, out, out_len, &u, d, m);
    udp_response_free(&u);
    return rc;
}

static int user_decrypt(struct kms_service *s, struct rpc_call *call, struct request_id *id,
                        const Kms__V1__UserDecryptionRequest *m)
{
    size_t n = m->n_typed_ciphertexts;
    size_t room = n > 0 && n <= REQUEST_CHECK_MAX_CIPHERTEXTS ? n : 1;
    struct udp_bytes *handles = rpc_call_alloc(call, room * sizeof *handles);
    if (handles == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    struct checked_user_decrypt d;
    memset(id, 0, sizeof *id);
    KMS_TRY(request_check_user_decrypt(&d, handles, m));
    *id = d.id;
    KMS_TRY(svc_check_context(&d.context_id));
    KMS_TRY(svc_key_present(s, &d.key_id, &d.epoch_id));
    KMS_TRY(admission_acquire(s->adm, s->cfg.cost_user_decrypt, "user decryption"));
    int rc = registry_insert(s->userdec, &d.id);
    if (rc == 0) {
        uint8_t *b = NULL;
        size_t len = 0;
        rc = userdec_run(s, call, &b, &len, m, &d);
        rc = rc == 0 ? registry_complete_ok(s->userdec, &d.id, b, len)
                     : svc_fail(s->userdec, &d.id, rc);
    }
    admission_release(s->adm, s->cfg.cost_user_decrypt);
    return rc;
}

int svc_user_decrypt(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                     ProtobufCMessage *resp)
{
    struct request_id id;
    (void)resp;
    return user_decrypt(ctx, call, &id, (const Kms__V1__UserDecryptionRequest *)req);
}

int svc_get_user_decrypt_result(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    return svc_get_result(call, s->userdec, (const Kms__V1__RequestId *)req,
                          s->cfg.result_wait_ms, "request_id", resp);
}

int svc_user_decrypt_sync(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                          ProtobufCMessage *resp)
{
    struct kms_service *s = ctx;
    struct request_id id;
    int rc = user_decrypt(s, call, &id, (const Kms__V1__UserDecryptionRequest *)req);
    if (rc < 0 && rc != KMS_EEXIST)
        return rc;
    return svc_wait_result(call, s->userdec, &id, s->cfg.result_wait_ms, 0, resp);
}

#include "service/request_check.h"

#include <string.h>

#include "service/abi.h"
#include "tfhe/decrypt.h"

const struct request_id request_check_default_context = {{7, [31] = 1}};
const struct request_id request_check_default_epoch = {{8, [31] = 1}};

int request_check_id(struct request_id *out, const Kms__V1__RequestId *m, const char *what)
{
    memset(out, 0, sizeof *out);
    if (m == NULL)
        return kms_err(KMS_EINVAL, "%s is missing", what);
    const char *s = m->request_id ? m->request_id : "";
    if (request_id_parse(out, s, strlen(s)) != 0)
        return kms_err_wrap(KMS_EINVAL, what);
    return 0;
}

int request_check_id_or(struct request_id *out, const Kms__V1__RequestId *m,
                        const struct request_id *dflt, const char *what)
{
    if (m == NULL) {
        *out = *dflt;
        return 0;
    }
    return request_check_id(out, m, what);
}

void request_check_domain_view(struct udp_domain_msg *out, const Kms__V1__Eip712DomainMsg *m)
{
    memset(out, 0, sizeof *out);
    out->name = m->name ? m->name : "";
    out->name_len = strlen(out->name);
    out->version = m->version ? m->version : "";
    out->version_len = strlen(out->version);
    out->chain_id = m->chain_id.data;
    out->chain_id_len = m->chain_id.len;
    out->verifying_contract = m->verifying_contract ? m->verifying_contract : "";
    out->verifying_contract_len = strlen(out->verifying_contract);
    out->has_salt = m->_salt_case == KMS__V1__EIP712_DOMAIN_MSG___SALT_SALT;
    out->salt = out->has_salt ? m->salt.data : NULL;
    out->salt_len = out->has_salt ? m->salt.len : 0;
}

int request_check_domain(struct eip712_domain *out, const Kms__V1__Eip712DomainMsg *m)
{
    memset(out, 0, sizeof *out);
    if (m == NULL)
        return kms_err(KMS_EINVAL, "the EIP-712 domain is missing");
    struct udp_domain_msg v;
    request_check_domain_view(&v, m);
    struct domain_fields f = {v.name,       v.name_len,   v.version,
                              v.version_len, v.chain_id,   v.chain_id_len,
                              v.verifying_contract, v.verifying_contract_len,
                              v.has_salt,   v.salt,       v.salt_len};
    return domain_from_fields(out, &f);
}

static const char *scheme_name(int32_t s)
{
    static const char *const names[] = {"ECDSA256K1", "ED25519", "MLDSA44", "MLDSA65", "MLDSA87"};
    return s >= 0 && s < 5 ? names[s] : "unknown";
}

int request_check_schemes(struct request_schemes *out, const Kms__V1__SigningSchemeType *s,
                          size_t n)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        int32_t v = (int32_t)s[i];
        if (v < KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1 ||
            v > KMS__V1__SIGNING_SCHEME_TYPE__MLDSA87)
            return kms_err(KMS_EINVAL, "unsupported signing scheme requested: %d", (int)v);
        if (v != KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1)
            return kms_err(KMS_EUNIMPL, "signing scheme %s is not supported by ckms (ECDSA256K1 only)",
                           scheme_name(v));
        int seen = 0;
        for (size_t j = 0; j < out->n; j++)
            seen |= out->scheme[j] == v;
        if (!seen)
            out->scheme[out->n++] = v; /* at most one entry per scheme: n stays tiny */
    }
    return 0;
}

int request_check_params(const struct tfhe_params **out, int32_t value, int allow_test)
{
    *out = NULL;
    if (value == KMS__V1__FHE_PARAMETER__default)
        return tfhe_params_get(out, "default", 0);
    if (value != KMS__V1__FHE_PARAMETER__test)
        return kms_err(KMS_EINVAL, "DKG parameter not found: %d", (int)value);
    if (!allow_test)
        return kms_err(KMS_EINVAL, "the insecure test parameters are disabled on this server "
                                   "(start kms-server with --allow-test-params)");
    return tfhe_params_get(out, "test", 1);
}

int request_check_keyset(int *compressed, const Kms__V1__KeySetConfig *cfg,
                         const Kms__V1__KeySetAddedInfo *info)
{
    *compressed = 1;
    (void)info; /* only DecompressionOnly and UseExisting read it */
    if (cfg == NULL)
        return 0;
    if (cfg->keyset_type == KMS__V1__KEY_SET_TYPE__DecompressionOnly)
        return kms_err(KMS_EUNIMPL, "DecompressionOnly key generation is not supported yet");
    if (cfg->keyset_type != KMS__V1__KEY_SET_TYPE__Standard)
        return kms_err(KMS_EINVAL, "Failed to parse KeySetConfig: unknown keyset type %d",
                       (int)cfg->keyset_type);
    const Kms__V1__StandardKeySetConfig *s = cfg->standard_keyset_config;
    if (s == NULL)
        return kms_err(KMS_EINVAL, "Failed to parse KeySetConfig: missing StandardKeySetConfig");
    if (s->compute_key_type != KMS__V1__COMPUTE_KEY_TYPE__CPU)
        return kms_err(KMS_EINVAL, "Failed to parse KeySetConfig: unknown compute key type %d",
                       (int)s->compute_key_type);
    if (s->secret_key_config == KMS__V1__KEY_GEN_SECRET_KEY_CONFIG__UseExisting)
        return kms_err(KMS_EUNIMPL, "key generation from an existing secret key is not "
                                    "supported yet");
    if (s->secret_key_config != KMS__V1__KEY_GEN_SECRET_KEY_CONFIG__GenerateAll)
        return kms_err(KMS_EINVAL, "Failed to parse KeySetConfig: unknown secret key config %d",
                       (int)s->secret_key_config);
    /* as the reference: 1 is CompressedNone, anything else CompressedAll */
    *compressed = s->compressed_key_config != KMS__V1__COMPRESSED_KEY_CONFIG__CompressedNone;
    return 0;
}

int request_check_ciphertexts(size_t *pt_bytes, Kms__V1__TypedCiphertext *const *cts, size_t n)
{
    *pt_bytes = 0;
    if (n == 0)
        return kms_err(KMS_EINVAL, "the request has no ciphertexts");
    if (n > REQUEST_CHECK_MAX_CIPHERTEXTS)
        return kms_err(KMS_EINVAL, "%zu ciphertexts in one request (at most %d)", n,
                       REQUEST_CHECK_MAX_CIPHERTEXTS);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const Kms__V1__TypedCiphertext *c = cts[i];
        size_t len;
        if (c == NULL)
            return kms_err(KMS_EINVAL, "ciphertext %zu is missing", i);
        if (c->ciphertext.len == 0)
            return kms_err(KMS_EINVAL, "ciphertext %zu is empty", i);
        if (c->external_handle.len > UDP_HANDLE_MAX_BYTES)
            return kms_err(KMS_EINVAL, "external_handle at index %zu too long: %zu bytes (max 32)",
                           i, c->external_handle.len);
        if ((int)c->ciphertext_format < TFHE_CT_SMALL_COMPRESSED ||
            (int)c->ciphertext_format > TFHE_CT_BIG_EXPANDED)
            return kms_err(KMS_EINVAL, "ciphertext %zu: unknown ciphertext format %d", i,
                           (int)c->ciphertext_format);
        if (tfhe_decrypt_plaintext_len(&len, c->fhe_type) != 0)
            return kms_err(KMS_EINVAL, "ciphertext %zu: unknown fhe_type %d", i,
                           (int)c->fhe_type);
        total += len;
    }
    *pt_bytes = total;
    return 0;
}

/* ---- whole requests ---- */

int request_check_preproc(struct checked_preproc *out, const Kms__V1__KeyGenPreprocRequest *m,
                          int allow_test)
{
    struct request_id ctx, epoch;
    memset(out, 0, sizeof *out);
    KMS_TRY(request_check_id(&out->id, m->request_id, "request_id"));
    KMS_TRY(request_check_id_or(&ctx, m->context_id, &request_check_default_context,
                                "context_id"));
    KMS_TRY(request_check_id_or(&epoch, m->epoch_id, &request_check_default_epoch, "epoch_id"));
    KMS_TRY(request_check_params(&out->params, (int32_t)m->params, allow_test));
    out->params_value = (int32_t)m->params;
    KMS_TRY(request_check_keyset(&out->compressed, m->keyset_config, NULL));
    KMS_TRY(request_check_domain(&out->domain, m->domain));
    return request_check_schemes(&out->schemes, m->signing_schemes, m->n_signing_schemes);
}

int request_check_keygen(struct checked_keygen *out, const Kms__V1__KeyGenRequest *m,
                         int allow_test)
{
    memset(out, 0, sizeof *out);
    KMS_TRY(request_check_id(&out->id, m->request_id, "request_id"));
    if (m->preproc_id != NULL) {
        KMS_TRY(request_check_id(&out->preproc_id, m->preproc_id, "preproc_id"));
        out->has_preproc = 1;
    }
    KMS_TRY(request_check_id_or(&out->context_id, m->context_id, &request_check_default_context,
                                "context_id"));
    KMS_TRY(request_check_id_or(&out->epoch_id, m->epoch_id, &request_check_default_epoch,
                                "epoch_id"));
    KMS_TRY(request_check_keyset(&out->compressed, m->keyset_config, m->keyset_added_info));
    if (m->_params_case == KMS__V1__KEY_GEN_REQUEST___PARAMS_PARAMS) {
        KMS_TRY(request_check_params(&out->params, (int32_t)m->params, allow_test));
        out->params_value = (int32_t)m->params;
        out->has_params = 1;
    }
    KMS_TRY(request_check_domain(&out->domain, m->domain));
    return request_check_schemes(&out->schemes, m->signing_schemes, m->n_signing_schemes);
}

int request_check_public_decrypt(struct checked_public_decrypt *out,
                                 const Kms__V1__PublicDecryptionRequest *m)
{
    memset(out, 0, sizeof *out);
    KMS_TRY(request_check_id(&out->id, m->request_id, "request_id"));
    KMS_TRY(request_check_id_or(&out->context_id, m->context_id, &request_check_default_context,
                                "context_id"));
    KMS_TRY(request_check_id_or(&out->epoch_id, m->epoch_id, &request_check_default_epoch,
                                "epoch_id"));
    KMS_TRY(request_check_id(&out->key_id, m->key_id, "key_id"));
    KMS_TRY(request_check_ciphertexts(&out->pt_bytes, m->ciphertexts, m->n_ciphertexts));
    KMS_TRY(request_check_domain(&out->domain, m->domain));
    return request_check_schemes(&out->schemes, m->signing_schemes, m->n_signing_schemes);
}

int request_check_user_decrypt(struct checked_user_decrypt *out, struct udp_bytes *handles,
                               const Kms__V1__UserDecryptionRequest *m)
{
    memset(out, 0, sizeof *out);
    KMS_TRY(request_check_id(&out->id, m->request_id, "request_id"));
    KMS_TRY(request_check_id(&out->key_id, m->key_id, "key_id"));
    KMS_TRY(request_check_id_or(&out->context_id, m->context_id, &request_check_default_context,
                                "context_id"));
    KMS_TRY(request_check_id_or(&out->epoch_id, m->epoch_id, &request_check_default_epoch,
                                "epoch_id"));
    if (m->n_typed_ciphertexts > REQUEST_CHECK_MAX_CIPHERTEXTS)
        return kms_err(KMS_EINVAL, "%zu ciphertexts in one request (at most %d)",
                       m->n_typed_ciphertexts, REQUEST_CHECK_MAX_CIPHERTEXTS);
    for (size_t i = 0; i < m->n_typed_ciphertexts; i++) {
        const Kms__V1__TypedCiphertext *c = m->typed_ciphertexts[i];
        handles[i].p = c ? c->external_handle.data : NULL;
        handles[i].len = c ? c->external_handle.len : 0;
    }
    struct udp_domain_msg dm;
    if (m->domain != NULL)
        request_check_domain_view(&dm, m->domain);
    const char *addr = m->client_address ? m->client_address : "";
    struct udp_request ur = {addr, strlen(addr), m->enc_key.data, m->enc_key.len,
                             m->domain ? &dm : NULL, handles, m->n_typed_ciphertexts};
    KMS_TRY(udp_check_request(&out->udp, &ur));
    KMS_TRY(request_check_ciphertexts(&out->pt_bytes, m->typed_ciphertexts,
                                      m->n_typed_ciphertexts));
    return request_check_schemes(&out->schemes, m->signing_schemes, m->n_signing_schemes);
}

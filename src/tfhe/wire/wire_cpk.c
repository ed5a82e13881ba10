#include "tfhe/wire/wire_cpk.h"

#include <stdlib.h>
#include <string.h>

/* Versions tfhe-rs 1.7 writes. */
#define V_HL_CPK 1u            /* high_level_api CompactPublicKeyVersions */
#define V_HL_INTEGER_CPK 0u    /* IntegerCompactPublicKeyVersions */
#define V_INTEGER_CPK 0u
#define V_SHORTINT_CPK 1u
#define V_LWE_CPK 0u
#define V_GLWE_CIPHERTEXT 0u

void wire_cpk_clear(struct wire_cpk *k)
{
    if (k == NULL)
        return;
    free(k->pk);
    free(k->tag);
    memset(k, 0, sizeof *k);
}

int wire_cpk_write(struct wire_sink *s, const struct wire_cpk_params *params, const uint64_t *pk,
                   size_t pk_len, const uint8_t *tag, size_t tag_len)
{
    size_t n = params->cpk.lwe_dimension;
    if (n == 0 || pk == NULL || pk_len != 2 * n)
        return kms_err(KMS_EINVAL, "wire: compact public key of %zu words for dimension %zu",
                       pk_len, n);
    wire_put_header(s, WIRE_NAME_CPK);
    wire_put_version(s, V_HL_CPK);
    wire_put_version(s, V_HL_INTEGER_CPK);
    wire_put_version(s, V_INTEGER_CPK);
    wire_put_version(s, V_SHORTINT_CPK);
    wire_put_version(s, V_LWE_CPK);
    wire_put_version(s, V_GLWE_CIPHERTEXT);
    wire_put_u64s(s, pk, pk_len);
    wire_put_scalar(s, n);
    wire_put_native_modulus(s, 64);
    wire_put_cpk_params(s, params);
    wire_put_tag(s, tag, tag_len);
    return wire_sink_status(s);
}

static int read_body(struct wire_cpk *out, struct reader *r)
{
    const uint8_t *data;
    size_t n;
    uint64_t poly;
    KMS_TRY(wire_get_version(r, "CompactPublicKey", V_HL_CPK));
    KMS_TRY(wire_get_version(r, "IntegerCompactPublicKey", V_HL_INTEGER_CPK));
    KMS_TRY(wire_get_version(r, "integer CompactPublicKey", V_INTEGER_CPK));
    KMS_TRY(wire_get_version(r, "shortint CompactPublicKey", V_SHORTINT_CPK));
    KMS_TRY(wire_get_version(r, "LweCompactPublicKey", V_LWE_CPK));
    KMS_TRY(wire_get_version(r, "GlweCiphertext", V_GLWE_CIPHERTEXT));
    KMS_TRY(wire_get_u64s(r, "LweCompactPublicKey data", &data, &n));
    KMS_TRY(wire_get_scalar(r, "LweCompactPublicKey polynomial_size", &poly));
    KMS_TRY(wire_get_native_modulus(r, "LweCompactPublicKey modulus", 64));
    KMS_TRY(wire_get_cpk_params(r, &out->params));
    if (poly != out->params.cpk.lwe_dimension || n != 2 * poly)
        return kms_err(KMS_EINVAL, "CompactPublicKey: %zu words and polynomial size %llu for "
                                   "encryption dimension %u", n, (unsigned long long)poly,
                       out->params.cpk.lwe_dimension);
    out->pk = malloc(n * sizeof *out->pk);
    if (out->pk == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a compact public key");
    memcpy(out->pk, data, n * sizeof *out->pk);
    out->pk_len = n;
    return wire_get_tag(r, "CompactPublicKey tag", &out->tag, &out->tag_len);
}

int wire_cpk_read(struct wire_cpk *out, const uint8_t *bytes, size_t len, size_t size_limit)
{
    struct reader r;
    memset(out, 0, sizeof *out);
    int rc = wire_open(&r, bytes, len, size_limit, WIRE_NAME_CPK);
    if (rc == 0)
        rc = read_body(out, &r);
    if (rc == 0)
        rc = wire_close(&r, WIRE_NAME_CPK);
    if (rc < 0)
        wire_cpk_clear(out);
    return rc;
}

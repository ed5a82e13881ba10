#include "service/keygen_record.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "base/reader.h"
#include "base/safeser.h"
#include "store/vault.h"

/* Objects are small except for the client key (a few MiB at most). */
#define RECORD_SIZE_LIMIT ((size_t)1 << 31)

void keygen_record_clear(struct keygen_record *r)
{
    if (r == NULL)
        return;
    free(r->extra);
    memset(r, 0, sizeof *r);
}

const char *keygen_pub_type_name(uint32_t type)
{
    switch (type) {
    case KEYGEN_PUB_SERVER_KEY: return VAULT_PUB_SERVER_KEY;
    case KEYGEN_PUB_PUBLIC_KEY: return VAULT_PUB_PUBLIC_KEY;
    case KEYGEN_PUB_COMPRESSED_XOF_KEYSET: return VAULT_PUB_COMPRESSED_XOF_KEYSET;
    default: return NULL;
    }
}

int keygen_pub_type_eip712(uint32_t type)
{
    switch (type) {
    case KEYGEN_PUB_SERVER_KEY: return 0;            /* KeyType.SERVER */
    case KEYGEN_PUB_PUBLIC_KEY: return 1;            /* KeyType.PUBLIC */
    case KEYGEN_PUB_COMPRESSED_XOF_KEYSET: return 3; /* KeyType.COMPRESSED_KEYSET */
    default: return -1;
    }
}

void keygen_record_encode(struct buf *out, const struct keygen_record *r, const uint8_t *client_key,
                          size_t client_key_len)
{
    safeser_put_header(out, KEYGEN_RECORD_TYPE);
    bincode_put_variant(out, 0);
    buf_put(out, r->key_id, sizeof r->key_id);
    buf_put(out, r->preproc_id, sizeof r->preproc_id);
    buf_put_u32le(out, (uint32_t)r->params);
    buf_put_u32le(out, (uint32_t)r->compression);
    bincode_put_len(out, r->n_digests);
    for (size_t i = 0; i < r->n_digests; i++) {
        buf_put_u32le(out, r->digests[i].type);
        bincode_put_bytes(out, r->digests[i].digest, sizeof r->digests[i].digest);
    }
    bincode_put_bytes(out, r->external_signature, sizeof r->external_signature);
    bincode_put_len(out, r->n_schemes);
    for (size_t i = 0; i < r->n_schemes; i++)
        buf_put_u32le(out, (uint32_t)r->schemes[i]);
    bincode_put_bytes(out, r->extra, r->extra_len);
    bincode_put_bytes(out, client_key, client_key_len);
}

static int get_i32(struct reader *r, int32_t *v)
{
    uint32_t u;
    KMS_TRY(reader_u32le(r, &u));
    *v = (int32_t)u;
    return 0;
}

static int decode(struct keygen_record *out, const uint8_t **ck, size_t *ck_len, struct reader *r)
{
    uint32_t version;
    size_t n;
    const uint8_t *p;
    KMS_TRY(safeser_get_header(r, KEYGEN_RECORD_TYPE, RECORD_SIZE_LIMIT));
    KMS_TRY(bincode_get_variant(r, &version, 1));
    KMS_TRY(reader_bytes(r, out->key_id, sizeof out->key_id));
    KMS_TRY(reader_bytes(r, out->preproc_id, sizeof out->preproc_id));
    KMS_TRY(get_i32(r, &out->params));
    KMS_TRY(get_i32(r, &out->compression));
    KMS_TRY(bincode_get_len(r, &n, 4 + 8 + 32));
    if (n > KEYGEN_RECORD_MAX_DIGESTS)
        return kms_err(KMS_EINVAL, "%zu key digests", n);
    out->n_digests = n;
    for (size_t i = 0; i < n; i++) {
        KMS_TRY(reader_u32le(r, &out->digests[i].type));
        if (keygen_pub_type_name(out->digests[i].type) == NULL)
            return kms_err(KMS_EINVAL, "unknown key digest type %u", out->digests[i].type);
        KMS_TRY(bincode_get_bytes_exact(r, out->digests[i].digest, 32));
    }
    KMS_TRY(bincode_get_bytes_exact(r, out->external_signature, sizeof out->external_signature));
    KMS_TRY(bincode_get_len(r, &n, 4));
    if (n > KEYGEN_RECORD_MAX_SCHEMES)
        return kms_err(KMS_EINVAL, "%zu signing schemes", n);
    out->n_schemes = n;
    for (size_t i = 0; i < n; i++)
        KMS_TRY(get_i32(r, &out->schemes[i]));
    KMS_TRY(bincode_get_bytes(r, &p, &n));
    if (n > KEYGEN_RECORD_MAX_EXTRA)
        return kms_err(KMS_EINVAL, "extra_data of %zu bytes", n);
    if (n > 0) {
        if ((out->extra = malloc(n)) == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        memcpy(out->extra, p, n);
        out->extra_len = n;
    }
    KMS_TRY(bincode_get_bytes(r, ck, ck_len));
    return reader_expect_end(r);
}

int keygen_record_decode(struct keygen_record *out, const uint8_t **client_key,
                         size_t *client_key_len, const uint8_t *p, size_t n)
{
    struct reader r;
    memset(out, 0, sizeof *out);
    *client_key = NULL;
    *client_key_len = 0;
    reader_init(&r, p, n);
    int rc = decode(out, client_key, client_key_len, &r);
    if (rc < 0) {
        keygen_record_clear(out);
        *client_key = NULL;
        *client_key_len = 0;
        return kms_err_wrap(rc, "FHE private key object");
    }
    return 0;
}

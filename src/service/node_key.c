#include "service/node_key.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "base/reader.h"
#include "base/safeser.h"
#include "base/secmem.h"

/* Largest object read back (the signing key or a public one). */
#define OBJECT_MAX 4096
/* What safe_deserialize accepts for these small objects. */
#define SAFESER_LIMIT ((size_t)1 << 20)

static char signing_key_id[VAULT_ID_BUF];
static pthread_once_t signing_key_id_once = PTHREAD_ONCE_INIT;

static void derive_signing_key_id(void) { vault_id_derive(signing_key_id, "SIGNING_KEY_ID"); }

const char *node_key_id(void)
{
    pthread_once(&signing_key_id_once, derive_signing_key_id);
    return signing_key_id;
}

void node_key_free(struct node_key *k)
{
    if (k == NULL)
        return;
    secmem_free(k->sk);
    free(k);
}

int node_key_from_seckey(struct node_key **out, const uint8_t sk[ECDSA_SECKEY_BYTES])
{
    *out = NULL;
    KMS_TRY(ecdsa_seckey_check(sk));
    struct node_key *k = calloc(1, sizeof *k);
    if (k == NULL || (k->sk = secmem_alloc(ECDSA_SECKEY_BYTES)) == NULL) {
        free(k);
        return kms_err(KMS_ENOMEM, "out of memory for the node key");
    }
    memcpy(k->sk, sk, ECDSA_SECKEY_BYTES);
    int rc = ecdsa_pubkey_from_seckey(k->pk, k->sk);
    if (rc == 0)
        rc = ecdsa_pubkey_compress(k->pk33, k->pk, sizeof k->pk);
    if (rc == 0)
        rc = ethaddr_from_pubkey(k->address, k->pk, sizeof k->pk);
    if (rc < 0) {
        node_key_free(k);
        return rc;
    }
    ethaddr_to_string(k->address_str, k->address);
    /* bincode(PublicSigKey): the serde bytes of the compressed point */
    struct buf b;
    buf_init(&b, sizeof k->verf_key);
    bincode_put_bytes(&b, k->pk33, sizeof k->pk33);
    if (buf_status(&b) != 0 || b.len != sizeof k->verf_key) {
        buf_free(&b);
        node_key_free(k);
        return kms_err(KMS_EINTERNAL, "node key: verification key encoding");
    }
    memcpy(k->verf_key, b.data, b.len);
    buf_free(&b);
    *out = k;
    return 0;
}

int node_key_generate(struct node_key **out)
{
    uint8_t sk[ECDSA_SECKEY_BYTES];
    *out = NULL;
    int rc = ecdsa_seckey_generate(sk);
    if (rc == 0)
        rc = node_key_from_seckey(out, sk);
    secmem_wipe(sk, sizeof sk);
    return rc;
}

/* ---- encodings ---- */

void node_key_encode_private(struct buf *out, const struct node_key *k)
{
    safeser_put_header(out, NODE_KEY_TYPE_PRIVATE);
    bincode_put_variant(out, 0); /* PrivateSigKeyVersions::V0 */
    bincode_put_bytes(out, k->sk, ECDSA_SECKEY_BYTES);
}

int node_key_decode_private(struct node_key **out, const uint8_t *p, size_t n)
{
    struct reader r;
    uint32_t version;
    uint8_t sk[ECDSA_SECKEY_BYTES];
    *out = NULL;
    reader_init(&r, p, n);
    int rc = safeser_get_header(&r, NODE_KEY_TYPE_PRIVATE, SAFESER_LIMIT);
    if (rc == 0)
        rc = bincode_get_variant(&r, &version, 1);
    if (rc == 0)
        rc = bincode_get_bytes_exact(&r, sk, sizeof sk);
    if (rc == 0)
        rc = reader_expect_end(&r);
    if (rc == 0)
        rc = node_key_from_seckey(out, sk);
    secmem_wipe(sk, sizeof sk);
    if (rc < 0)
        return kms_err_wrap(rc == KMS_ENOMEM ? rc : KMS_EINVAL, "not a PrivateSigKey");
    return 0;
}

void node_key_encode_public(struct buf *out, const struct node_key *k)
{
    safeser_put_header(out, NODE_KEY_TYPE_PUBLIC);
    bincode_put_variant(out, 0); /* PublicSigKeyVersions::V0 */
    bincode_put_bytes(out, k->pk33, sizeof k->pk33);
}

int node_key_decode_public(uint8_t pk33[ECDSA_PUBKEY_COMPRESSED_BYTES], const uint8_t *p,
                           size_t n)
{
    struct reader r;
    uint32_t version;
    const uint8_t *point;
    size_t len;
    memset(pk33, 0, ECDSA_PUBKEY_COMPRESSED_BYTES);
    reader_init(&r, p, n);
    KMS_TRY(safeser_get_header(&r, NODE_KEY_TYPE_PUBLIC, SAFESER_LIMIT));
    KMS_TRY(bincode_get_variant(&r, &version, 1));
    KMS_TRY(bincode_get_bytes(&r, &point, &len));
    KMS_TRY(reader_expect_end(&r));
    /* k256 reads any SEC1 form; normalise to the compressed one */
    return ecdsa_pubkey_compress(pk33, point, len);
}

/* ---- vaults ---- */

int node_key_load(struct node_key **out, struct vault *priv)
{
    struct buf b;
    *out = NULL;
    buf_init_secret(&b, OBJECT_MAX);
    int rc = vault_read(priv, &b, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, node_key_id()));
    if (rc == KMS_ENOTFOUND) {
        buf_free(&b);
        return kms_err(KMS_ENOTFOUND, "no signing key in the private vault (%s/%s)",
                       VAULT_PRIV_SIGNING_KEY, node_key_id());
    }
    if (rc == 0)
        rc = node_key_decode_private(out, b.data, b.len);
    buf_free(&b);
    return rc < 0 ? kms_err_wrap(rc, "loading the signing key") : 0;
}

int node_key_store(struct vault *priv, const struct node_key *k)
{
    struct buf b;
    buf_init_secret(&b, OBJECT_MAX);
    node_key_encode_private(&b, k);
    int rc = buf_status(&b);
    if (rc == 0)
        rc = vault_store(priv, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, node_key_id()), b.data, b.len);
    buf_free(&b);
    if (rc == KMS_EEXIST)
        return kms_err(KMS_EEXIST, "a signing key already exists in the private vault");
    return rc;
}

/* One public object: its expected bytes and how to compare a stored one. */
struct public_object {
    const char *type;
    int required; /* must exist when not publishing */
    int is_key;   /* a PublicSigKey (compared by point) or the address text */
};

static const struct public_object public_objects[] = {
    {VAULT_PUB_VERF_KEY, 1, 1},
    {VAULT_PUB_VERF_ADDRESS, 1, 0},
    {VAULT_PUB_TYPED_VERF_KEY, 0, 1},
    {VAULT_PUB_TYPED_VERF_ADDRESS, 0, 0},
};

static int check_one(struct vault *pub, const struct node_key *k, const struct public_object *o,
                     int publish)
{
    const struct vault_addr *a = VAULT_ADDR(o->type, node_key_id());
    struct buf b;
    buf_init(&b, OBJECT_MAX);
    int rc = vault_read(pub, &b, a);
    if (rc == KMS_ENOTFOUND) {
        buf_reset(&b);
        if (!publish) {
            buf_free(&b);
            return o->required ? kms_err(KMS_ENOTFOUND, "the public vault has no %s/%s", o->type,
                                         node_key_id())
                               : 0;
        }
        if (o->is_key)
            node_key_encode_public(&b, k);
        else
            buf_put(&b, k->address_str, strlen(k->address_str));
        rc = buf_status(&b);
        if (rc == 0)
            rc = vault_store(pub, a, b.data, b.len);
        buf_free(&b);
        return rc < 0 ? kms_err_wrap(rc, o->type) : 0;
    }
    if (rc < 0) {
        buf_free(&b);
        return kms_err_wrap(rc, o->type);
    }
    int match;
    if (o->is_key) {
        uint8_t pk33[ECDSA_PUBKEY_COMPRESSED_BYTES];
        match = node_key_decode_public(pk33, b.data, b.len) == 0 &&
                memcmp(pk33, k->pk33, sizeof pk33) == 0;
    } else {
        /* text; tolerate trailing white space written by other tools */
        size_t n = b.len;
        while (n > 0 && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' '))
            n--;
        uint8_t addr[ETHADDR_BYTES];
        match = ethaddr_parse(addr, (const char *)b.data, n, ETHADDR_ANY_CASE) == 0 &&
                memcmp(addr, k->address, sizeof addr) == 0;
    }
    buf_free(&b);
    if (!match)
        return kms_err(KMS_EVERIFY,
                       "the public vault's %s/%s does not belong to the signing key (address %s)",
                       o->type, node_key_id(), k->address_str);
    return 0;
}

int node_key_check_public(struct vault *pub, const struct node_key *k, int publish)
{
    for (size_t i = 0; i < sizeof public_objects / sizeof public_objects[0]; i++)
        KMS_TRY(check_one(pub, k, &public_objects[i], publish));
    return 0;
}

int node_key_delete(struct vault *priv, struct vault *pub)
{
    int first = 0;
    for (size_t i = 0; i < sizeof public_objects / sizeof public_objects[0]; i++) {
        int rc = vault_delete(pub, VAULT_ADDR(public_objects[i].type, node_key_id()));
        if (rc < 0 && rc != KMS_ENOTFOUND && first == 0)
            first = rc;
    }
    int rc = vault_delete(priv, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, node_key_id()));
    if (rc < 0 && rc != KMS_ENOTFOUND && first == 0)
        first = rc;
    return first;
}

/* The centralized engine: start-up, the client-key cache, decryption. Key
 * generation is in central_keygen.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/secmem.h"
#include "crypto/dsep.h"
#include "service/central_impl.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_squashed.h"

const uint8_t central_default_epoch[32] = {8, [31] = 1};

/* The private object of a key: the record plus a client key of a few MiB. */
#define PRIVATE_OBJECT_MAX ((size_t)1 << 30)

void central_hex(char out[VAULT_ID_BUF], const uint8_t id[32])
{
    if (hex_encode(out, VAULT_ID_BUF, id, 32) != 0)
        out[0] = '\0';
}

/* ---- cache entries ---- */

void central_key_free(struct central_key *k)
{
    if (k == NULL)
        return;
    struct central_scratch *s = k->scratch;
    while (s != NULL) {
        struct central_scratch *next = s->next;
        tfhe_decrypt_scratch_free(s->sc);
        free(s);
        s = next;
    }
    pthread_mutex_destroy(&k->scratch_lock);
    shortint_client_key_free(k->compute);
    compression_private_key_free(k->compression);
    sns_private_key_free(k->sns);
    snscomp_private_key_free(k->sns_compression);
    wire_client_key_clear(&k->ck);
    free(k);
}

static int open_keys(struct central_key *k)
{
    const struct wire_client_key *ck = &k->ck;
    const struct tfhe_params *p = ck->params;
    const struct keyset_secrets *sk = &ck->sk;
    KMS_TRY(wire_client_key_compute(&k->compute, ck));
    if (sk->compression != NULL)
        KMS_TRY(compression_private_key_from_bits(&k->compression, p, sk->compression,
                                                  sk->compression_len));
    if (sk->sns != NULL)
        KMS_TRY(sns_private_key_from_bits(&k->sns, p, sk->sns, sk->sns_len));
    if (sk->sns_compression != NULL)
        KMS_TRY(snscomp_private_key_from_bits(&k->sns_compression, p, sk->sns_compression,
                                              sk->sns_compression_len));
    k->dk = (struct tfhe_decrypt_keys){p, k->compute, k->compression, k->sns, k->sns_compression};
    return 0;
}

int central_key_from_bytes(struct central_key **out, const uint8_t key_id[32],
                           const uint8_t epoch[32], const uint8_t *ck, size_t ck_len)
{
    *out = NULL;
    struct central_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for a client key");
    pthread_mutex_init(&k->scratch_lock, NULL);
    memcpy(k->key_id, key_id, 32);
    memcpy(k->epoch, epoch, 32);
    int rc = wire_client_key_read(&k->ck, ck, ck_len, ck_len);
    if (rc == 0 && (k->ck.tag_len != 32 || memcmp(k->ck.tag, key_id, 32) != 0))
        rc = kms_err(KMS_EVERIFY, "the client key is tagged for another key id");
    if (rc == 0)
        rc = open_keys(k);
    if (rc < 0) {
        central_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

/* The cached entry of key_id at epoch, or NULL; the caller holds keys_lock. */
static struct central_key *lookup(struct central *c, const uint8_t key_id[32],
                                  const uint8_t epoch[32])
{
    struct central_key *k = c->keys;
    while (k != NULL && (memcmp(k->key_id, key_id, 32) != 0 || memcmp(k->epoch, epoch, 32) != 0))
        k = k->next;
    return k;
}

static struct central_key *find(struct central *c, const uint8_t key_id[32],
                                 const uint8_t epoch[32])
{
    pthread_rwlock_rdlock(&c->keys_lock);
    struct central_key *k = lookup(c, key_id, epoch);
    pthread_rwlock_unlock(&c->keys_lock);
    return k;
}

void central_key_insert(struct central *c, struct central_key *k)
{
    /* looked up again under the write lock: a key generation and a first
     * decryption may insert the same key at the same time */
    pthread_rwlock_wrlock(&c->keys_lock);
    struct central_key *e = lookup(c, k->key_id, k->epoch);
    if (e == NULL) {
        k->next = c->keys;
        c->keys = k;
        c->n_keys++;
    }
    pthread_rwlock_unlock(&c->keys_lock);
    if (e != NULL)
        central_key_free(k);
}

size_t central_cached_keys(struct central *c)
{
    pthread_rwlock_rdlock(&c->keys_lock);
    size_t n = c->n_keys;
    pthread_rwlock_unlock(&c->keys_lock);
    return n;
}

/* Reads FhePrivateKey/<epoch>/<key_id> into a secret buffer and decodes
 * the record; *ck points into b. KMS_ENOTFOUND when absent. */
static int read_private(struct central *c, struct buf *b, struct keygen_record *rec,
                        const uint8_t **ck, size_t *ck_len, const uint8_t key_id[32],
                        const uint8_t epoch[32])
{
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    central_hex(id, key_id);
    central_hex(ep, epoch);
    buf_init_secret(b, PRIVATE_OBJECT_MAX);
    memset(rec, 0, sizeof *rec);
    int rc = vault_read(c->priv, b, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id));
    if (rc == KMS_ENOTFOUND) {
        rc = kms_err(KMS_ENOTFOUND, "key %s not found", id);
    } else if (rc < 0) {
        /* storage trouble is ours, never the client's */
        rc = kms_err_wrap(KMS_EINTERNAL, "reading the private key");
    } else {
        rc = keygen_record_decode(rec, ck, ck_len, b->data, b->len);
        if (rc == 0 && memcmp(rec->key_id, key_id, 32) != 0)
            rc = kms_err(KMS_EVERIFY, "the object names another key");
        if (rc < 0)
            rc = kms_err_wrap(KMS_EINTERNAL, "corrupt private key object");
    }
    if (rc < 0) {
        keygen_record_clear(rec);
        buf_free(b);
    }
    return rc;
}

/* The key from the cache, or loaded from the private vault. */
static int get_key(struct central *c, struct central_key **out, const uint8_t key_id[32],
                   const uint8_t epoch[32])
{
    if ((*out = find(c, key_id, epoch)) != NULL)
        return 0;
    pthread_mutex_lock(&c->load_lock);
    int rc = 0;
    if ((*out = find(c, key_id, epoch)) == NULL) {
        struct buf b;
        struct keygen_record rec;
        const uint8_t *ck;
        size_t ck_len;
        struct central_key *k = NULL;
        rc = read_private(c, &b, &rec, &ck, &ck_len, key_id, epoch);
        if (rc == 0) {
            rc = central_key_from_bytes(&k, key_id, epoch, ck, ck_len);
            if (rc < 0)
                rc = kms_err_wrap(KMS_EINTERNAL, "loading a client key");
            keygen_record_clear(&rec);
            buf_free(&b);
        }
        if (rc == 0) {
            central_key_insert(c, k);
            *out = find(c, key_id, epoch);
        }
    }
    pthread_mutex_unlock(&c->load_lock);
    return rc;
}

/* ---- decryption ---- */

static struct tfhe_decrypt_scratch *scratch_take(struct central_key *k)
{
    pthread_mutex_lock(&k->scratch_lock);
    struct central_scratch *s = k->scratch;
    if (s != NULL)
        k->scratch = s->next;
    pthread_mutex_unlock(&k->scratch_lock);
    if (s != NULL) {
        struct tfhe_decrypt_scratch *sc = s->sc;
        free(s);
        return sc;
    }
    struct tfhe_decrypt_scratch *sc;
    return tfhe_decrypt_scratch_new(&sc, k->ck.params) == 0 ? sc : NULL;
}

static void scratch_give(struct central_key *k, struct tfhe_decrypt_scratch *sc)
{
    struct central_scratch *s = malloc(sizeof *s);
    if (s == NULL) {
        tfhe_decrypt_scratch_free(sc);
        return;
    }
    s->sc = sc;
    pthread_mutex_lock(&k->scratch_lock);
    s->next = k->scratch;
    k->scratch = s;
    pthread_mutex_unlock(&k->scratch_lock);
}

static const char *format_name(int32_t f)
{
    static const char *const names[] = {"SmallCompressed", "SmallExpanded", "BigCompressed",
                                        "BigExpanded"};
    return f >= 0 && f < 4 ? names[f] : "unknown";
}

/* Parses one ciphertext in its format and decrypts it. */
static int decrypt_one(const struct central_key *k, struct tfhe_decrypt_scratch *sc,
                       const struct central_ct *ct, uint8_t *out, size_t out_len)
{
    const struct tfhe_params *p = k->ck.params;
    struct tfhe_ciphertext c = {.format = (enum tfhe_ct_format)ct->format};
    int rc;
    switch (ct->format) {
    case TFHE_CT_SMALL_COMPRESSED: {
        struct wire_compressed_list l;
        if ((rc = wire_compressed_list_read(&l, ct->bytes, ct->len, ct->len)) < 0)
            return rc;
        c.u.small_compressed = &l.list;
        rc = tfhe_decrypt(&k->dk, sc, out, out_len, &c, ct->fhe_type);
        wire_compressed_list_clear(&l);
        return rc;
    }
    case TFHE_CT_SMALL_EXPANDED: {
        struct wire_radix w;
        if ((rc = wire_radix_read(&w, ct->bytes, ct->len, ct->len, ct->fhe_type, p)) < 0)
            return rc;
        c.u.small_expanded = w.ct;
        rc = tfhe_decrypt(&k->dk, sc, out, out_len, &c, ct->fhe_type);
        wire_radix_clear(&w);
        return rc;
    }
    case TFHE_CT_BIG_COMPRESSED: {
        struct wire_snscomp_list l;
        if ((rc = wire_snscomp_list_read(&l, ct->bytes, ct->len, ct->len)) < 0)
            return rc;
        c.u.big_compressed = &l.list;
        rc = tfhe_decrypt(&k->dk, sc, out, out_len, &c, ct->fhe_type);
        wire_snscomp_list_clear(&l);
        return rc;
    }
    case TFHE_CT_BIG_EXPANDED: {
        struct sns_radix *r;
        if ((rc = wire_sns_radix_read(&r, ct->bytes, ct->len, ct->len, ct->fhe_type, p)) < 0)
            return rc;
        c.u.big_expanded = r;
        rc = tfhe_decrypt(&k->dk, sc, out, out_len, &c, ct->fhe_type);
        sns_radix_free(r);
        return rc;
    }
    default:
        return kms_err(KMS_EINVAL, "unknown ciphertext format %d", (int)ct->format);
    }
}

/* A bad ciphertext is the client's fault; anything else is ours. */
static int ciphertext_error(int rc, size_t i, int32_t format)
{
    if (rc == KMS_ETRUNC || rc == KMS_ELIMIT || rc == KMS_EVERIFY)
        rc = KMS_EINVAL;
    char what[64];
    snprintf(what, sizeof what, "ciphertext %zu (%s)", i, format_name(format));
    return kms_err_wrap(rc, what);
}

int central_decrypt(struct central *c, const uint8_t key_id[32], const uint8_t epoch[32],
                    const struct central_ct *cts, size_t n, uint8_t *out, size_t out_len)
{
    struct central_key *k;
    KMS_TRY(get_key(c, &k, key_id, epoch));
    struct tfhe_decrypt_scratch *sc = scratch_take(k);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for decryption");
    size_t off = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len;
        if ((rc = tfhe_decrypt_plaintext_len(&len, cts[i].fhe_type)) < 0) {
            rc = ciphertext_error(rc, i, cts[i].format);
            break;
        }
        if (len > out_len - off) {
            rc = kms_err(KMS_EINTERNAL, "decrypt: plaintext buffer too small");
            break;
        }
        rc = decrypt_one(k, sc, &cts[i], out + off, len);
        if (rc < 0)
            rc = ciphertext_error(rc, i, cts[i].format);
        off += len;
    }
    if (rc == 0 && off != out_len)
        rc = kms_err(KMS_EINTERNAL, "decrypt: plaintext buffer of the wrong size");
    scratch_give(k, sc);
    if (rc < 0)
        secmem_wipe(out, out_len);
    return rc;
}

/* ---- stored keys ---- */

int central_key_exists(struct central *c, const uint8_t key_id[32], const uint8_t epoch[32])
{
    if (find(c, key_id, epoch) != NULL)
        return 1;
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    central_hex(id, key_id);
    central_hex(ep, epoch);
    int rc = vault_exists(c->priv, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id));
    if (rc < 0)
        return kms_err_wrap(rc == KMS_EINVAL ? KMS_EINVAL : KMS_EIO, "looking for a key");
    return rc;
}

static int ids_add(struct vault_ids *all, const struct vault_ids *more)
{
    if (more->n == 0)
        return 0;
    void *p = realloc(all->id, (all->n + more->n) * sizeof *all->id);
    if (p == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    all->id = p;
    memcpy(all->id + all->n, more->id, more->n * sizeof *more->id);
    all->n += more->n;
    return 0;
}

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, VAULT_ID_BUF); }

int central_list_keys(struct central *c, struct vault_ids *out)
{
    struct vault_ids epochs = {0};
    memset(out, 0, sizeof *out);
    int rc = vault_list_epochs(c->priv, &epochs, VAULT_PRIV_FHE_PRIVATE_KEY);
    for (size_t i = 0; rc == 0 && i < epochs.n; i++) {
        struct vault_ids ids = {0};
        rc = vault_list(c->priv, &ids, VAULT_PRIV_FHE_PRIVATE_KEY, epochs.id[i]);
        if (rc == 0)
            rc = ids_add(out, &ids);
        vault_ids_free(&ids);
    }
    vault_ids_free(&epochs);
    if (rc < 0) {
        vault_ids_free(out);
        return kms_err_wrap(KMS_EIO, "listing the stored keys");
    }
    if (out->n > 1) /* qsort wants a non-NULL array even for zero items */
        qsort(out->id, out->n, sizeof *out->id, id_cmp);
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++)
        if (w == 0 || memcmp(out->id[w - 1], out->id[i], VAULT_ID_BUF) != 0)
            memmove(out->id[w++], out->id[i], VAULT_ID_BUF);
    out->n = w;
    return 0;
}

/* ---- start-up ---- */

/* SHAKE256("PDAT_KEY" ‖ object)[..32] of a stored public object. */
static int public_digest(struct vault *pub, uint8_t out[32], const char *type, const char *id)
{
    struct vault_reader *r;
    KMS_TRY(vault_reader_open(pub, &r, VAULT_ADDR(type, id)));
    struct dsep_ctx h;
    dsep_init(&h, DSEP_PDAT_KEY);
    uint8_t *chunk = malloc(1 << 20);
    int rc = chunk ? 0 : kms_err(KMS_ENOMEM, "out of memory");
    for (size_t got = 1; rc == 0 && got > 0;) {
        rc = vault_reader_read(r, chunk, 1 << 20, &got);
        if (rc == 0)
            dsep_absorb(&h, chunk, got);
    }
    free(chunk);
    vault_reader_close(r);
    dsep_squeeze(&h, out, 32);
    return rc;
}

static int verify_public(struct central *c, const struct keygen_record *rec, const char *id)
{
    for (size_t i = 0; i < rec->n_digests; i++) {
        const char *type = keygen_pub_type_name(rec->digests[i].type);
        uint8_t d[32];
        int rc = public_digest(c->pub, d, type, id);
        if (rc == KMS_ENOTFOUND)
            return kms_err(KMS_ENOTFOUND, "key %s: the public vault lacks %s/%s", id, type, id);
        if (rc < 0)
            return kms_err_wrap(rc, type);
        if (memcmp(d, rec->digests[i].digest, 32) != 0)
            return kms_err(KMS_EVERIFY,
                           "key %s: the published %s does not match the digest it was signed "
                           "with",
                           id, type);
    }
    return 0;
}

static int load_stored(struct central *c, const char *id, const struct central_config *cfg,
                       central_key_fn *fn, void *ctx)
{
    uint8_t key_id[32];
    if (hex_decode_exact(key_id, sizeof key_id, id) != 0)
        return kms_err(KMS_EINVAL, "bad key id %s", id);
    struct buf b;
    struct keygen_record rec;
    const uint8_t *ck;
    size_t ck_len;
    struct central_key *k = NULL;
    int rc = read_private(c, &b, &rec, &ck, &ck_len, key_id, central_default_epoch);
    if (rc < 0)
        return kms_err_wrap(rc, id);
    rc = central_key_from_bytes(&k, key_id, central_default_epoch, ck, ck_len);
    buf_free(&b);
    if (rc == 0 && cfg->verify_public)
        rc = verify_public(c, &rec, id);
    if (rc == 0 && fn != NULL)
        rc = fn(ctx, &rec);
    if (rc == 0) {
        central_key_insert(c, k);
        k = NULL;
    }
    central_key_free(k);
    keygen_record_clear(&rec);
    return rc < 0 ? kms_err_wrap(rc, id) : 0;
}

static int load_all(struct central *c, const struct central_config *cfg, central_key_fn *fn,
                    void *ctx)
{
    char ep[VAULT_ID_BUF];
    struct vault_ids ids = {0};
    central_hex(ep, central_default_epoch);
    uint64_t t0 = clock_now_ms();
    KMS_TRY(vault_list(c->priv, &ids, VAULT_PRIV_FHE_PRIVATE_KEY, ep));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = load_stored(c, ids.id[i], cfg, fn, ctx);
    if (rc == 0)
        log_info("keys loaded", "count=%zu verified=%d ms=%llu", ids.n, cfg->verify_public,
                 (unsigned long long)(clock_now_ms() - t0));
    vault_ids_free(&ids);
    return rc;
}

int central_new(struct central **out, const struct central_config *cfg, central_key_fn *fn,
                void *ctx)
{
    *out = NULL;
    if (cfg == NULL || cfg->pub == NULL || cfg->priv == NULL || cfg->key == NULL)
        return kms_err(KMS_EINVAL, "central: missing vault or signing key");
    struct central *c = calloc(1, sizeof *c);
    if (c == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    c->pub = cfg->pub;
    c->priv = cfg->priv;
    c->key = cfg->key;
    pthread_rwlock_init(&c->keys_lock, NULL);
    pthread_mutex_init(&c->load_lock, NULL);
    int rc = load_all(c, cfg, fn, ctx);
    if (rc < 0) {
        central_free(c);
        return kms_err_wrap(rc, "loading the stored keys");
    }
    *out = c;
    return 0;
}

void central_free(struct central *c)
{
    if (c == NULL)
        return;
    struct central_key *k = c->keys;
    while (k != NULL) {
        struct central_key *next = k->next;
        central_key_free(k);
        k = next;
    }
    pthread_rwlock_destroy(&c->keys_lock);
    pthread_mutex_destroy(&c->load_lock);
    free(c);
}

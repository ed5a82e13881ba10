/* The backend-independent half of the vault: names and id rules, address
 * validation, whole-object store and read on top of streaming, sorted
 * listings, purge, and opening a vault from its configuration. */
#include "store/vault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/log.h"
#include "base/secmem.h"
#include "crypto/dsep.h"
#include "store/vault_impl.h"

const char *const vault_pub_types[] = {
    VAULT_PUB_SERVER_KEY,
    VAULT_PUB_PUBLIC_KEY,
    VAULT_PUB_PUBLIC_KEY_METADATA,
    VAULT_PUB_CRS,
    VAULT_PUB_VERF_KEY,
    VAULT_PUB_VERF_ADDRESS,
    VAULT_PUB_DECOMPRESSION_KEY,
    VAULT_PUB_CA_CERT,
    VAULT_PUB_RECOVERY_MATERIAL,
    VAULT_PUB_COMPRESSED_XOF_KEYSET,
    VAULT_PUB_TYPED_VERF_KEY,
    VAULT_PUB_TYPED_VERF_ADDRESS,
};
const size_t vault_pub_types_len = sizeof vault_pub_types / sizeof vault_pub_types[0];

const char *const vault_priv_types[] = {
    VAULT_PRIV_SIGNING_KEY,     VAULT_PRIV_FHE_KEY_INFO, VAULT_PRIV_CRS_INFO,
    VAULT_PRIV_FHE_PRIVATE_KEY, VAULT_PRIV_PRSS_SETUP,   VAULT_PRIV_PRSS_SETUP_COMBINED,
    VAULT_PRIV_CONTEXT,         VAULT_PRIV_EPOCH_DATA,
};
const size_t vault_priv_types_len = sizeof vault_priv_types / sizeof vault_priv_types[0];

int vault_type_is_epoch_scoped(const char *type)
{
    return type != NULL && (strcmp(type, VAULT_PRIV_FHE_KEY_INFO) == 0 ||
                            strcmp(type, VAULT_PRIV_FHE_PRIVATE_KEY) == 0 ||
                            strcmp(type, VAULT_PRIV_CRS_INFO) == 0);
}

/* --- ids and names ------------------------------------------------------ */

int vault_id_ok(const char *s)
{
    if (s == NULL)
        return 0;
    int nonzero = 0;
    for (size_t i = 0; i < VAULT_ID_LEN; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0; /* also stops at a NUL in a short string */
        nonzero |= c != '0';
    }
    return s[VAULT_ID_LEN] == '\0' && nonzero;
}

int vault_id_check(const char *id)
{
    if (id == NULL)
        return kms_err(KMS_EINVAL, "vault: missing id");
    if (vault_id_ok(id))
        return 0;
    size_t n = strnlen(id, VAULT_ID_LEN + 1);
    if (n != VAULT_ID_LEN)
        return kms_err(KMS_EINVAL, "vault: an id must be %d hex digits, got %s%zu characters",
                       VAULT_ID_LEN, n > VAULT_ID_LEN ? "more than " : "",
                       n > VAULT_ID_LEN ? (size_t)VAULT_ID_LEN : n);
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return kms_err(KMS_EINVAL, "vault: an id must be lower-case hex (bad character at %zu)",
                           i);
    }
    return kms_err(KMS_EINVAL, "vault: an all-zero id is not allowed");
}

/* [A-Za-z0-9][A-Za-z0-9_-]{0,63}: no separators, dots or spaces. */
static int name_ok(const char *s)
{
    if (s == NULL)
        return 0;
    size_t n = strnlen(s, VAULT_NAME_MAX + 1);
    if (n == 0 || n > VAULT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && (i == 0 || (c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

int vault_type_check(const char *type)
{
    if (name_ok(type))
        return 0;
    return kms_err(KMS_EINVAL,
                   "vault: a data type must be 1-%d characters [A-Za-z0-9_-], "
                   "starting with a letter or digit",
                   VAULT_NAME_MAX);
}

int vault_prefix_check(const char *prefix)
{
    if (name_ok(prefix))
        return 0;
    return kms_err(KMS_EINVAL,
                   "vault: a prefix must be 1-%d characters [A-Za-z0-9_-], "
                   "starting with a letter or digit",
                   VAULT_NAME_MAX);
}

int vault_id_from_bytes(char out[VAULT_ID_BUF], const uint8_t id[32])
{
    out[0] = '\0';
    if (id == NULL)
        return kms_err(KMS_EINVAL, "vault: missing id");
    uint8_t acc = 0;
    for (size_t i = 0; i < 32; i++)
        acc |= id[i];
    if (acc == 0)
        return kms_err(KMS_EINVAL, "vault: an all-zero id is not allowed");
    return hex_encode(out, VAULT_ID_BUF, id, 32);
}

void vault_id_derive(char out[VAULT_ID_BUF], const char *name)
{
    uint8_t id[DSEP_REQUEST_ID_BYTES];
    dsep_derive_request_id(id, name);
    /* cannot fail: the buffer fits */
    if (hex_encode(out, VAULT_ID_BUF, id, sizeof id) != 0)
        out[0] = '\0';
}

static int addr_check(const struct vault_addr *a)
{
    if (a == NULL)
        return kms_err(KMS_EINVAL, "vault: missing address");
    KMS_TRY(vault_type_check(a->type));
    if (a->epoch != NULL)
        KMS_TRY(kms_err_wrap(vault_id_check(a->epoch), "epoch"));
    return vault_id_check(a->id);
}

/* --- id lists ------------------------------------------------------------ */

int vault_ids_push(struct vault_ids *ids, const char *name)
{
    /* the capacity is the next power of two: grow when n is 0 or one */
    if ((ids->n & (ids->n - 1)) == 0) {
        size_t cap = ids->n == 0 ? 1 : ids->n * 2;
        void *p = realloc(ids->id, cap * sizeof ids->id[0]);
        if (p == NULL)
            return kms_err(KMS_ENOMEM, "vault: out of memory listing ids");
        ids->id = p;
    }
    memcpy(ids->id[ids->n], name, VAULT_ID_LEN);
    ids->id[ids->n][VAULT_ID_LEN] = '\0';
    ids->n++;
    return 0;
}

void vault_ids_free(struct vault_ids *ids)
{
    if (ids == NULL)
        return;
    free(ids->id);
    ids->id = NULL;
    ids->n = 0;
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, VAULT_ID_BUF);
}

static int list_common(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                       int epochs)
{
    out->n = 0;
    out->id = NULL;
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(vault_type_check(type));
    if (epoch != NULL)
        KMS_TRY(kms_err_wrap(vault_id_check(epoch), "epoch"));
    int rc = v->ops->list(v, out, type, epoch, epochs);
    if (rc < 0) {
        vault_ids_free(out);
        return rc;
    }
    if (out->n > 1)
        qsort(out->id, out->n, sizeof out->id[0], cmp_id);
    return 0;
}

int vault_list(struct vault *v, struct vault_ids *out, const char *type, const char *epoch)
{
    return list_common(v, out, type, epoch, 0);
}

int vault_list_epochs(struct vault *v, struct vault_ids *out, const char *type)
{
    return list_common(v, out, type, NULL, 1);
}

/* --- the vault object ------------------------------------------------------ */

void vault_init_base(struct vault *v, const struct vault_ops *ops, const char *prefix,
                     unsigned flags)
{
    v->ops = ops;
    snprintf(v->prefix, sizeof v->prefix, "%s", prefix);
    v->flags = flags;
    v->encrypted = 0;
}

void vault_free(struct vault *v)
{
    if (v != NULL)
        v->ops->destroy(v);
}

const char *vault_backend_name(const struct vault *v)
{
    return v->ops->name;
}
const char *vault_prefix(const struct vault *v)
{
    return v->prefix;
}
int vault_is_encrypted(const struct vault *v)
{
    return v->encrypted;
}

/* --- streaming ------------------------------------------------------------- */

int vault_writer_open(struct vault *v, struct vault_writer **out, const struct vault_addr *a)
{
    *out = NULL;
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(addr_check(a));
    return v->ops->writer_open(v, out, a);
}

int vault_writer_write(struct vault_writer *w, const void *data, size_t len)
{
    if (w == NULL)
        return kms_err(KMS_EINVAL, "vault: missing writer");
    if (w->err != 0)
        return kms_err(w->err, "vault: writer already failed");
    if (len == 0)
        return 0;
    if (data == NULL)
        return w->err = kms_err(KMS_EINVAL, "vault: NULL data");
    int rc = w->ops->write(w, data, len);
    if (rc < 0)
        w->err = rc;
    return rc;
}

int vault_writer_commit(struct vault_writer *w)
{
    if (w == NULL)
        return kms_err(KMS_EINVAL, "vault: missing writer");
    if (w->err != 0) {
        int rc = w->err;
        w->ops->abort(w);
        return kms_err(rc, "vault: not stored: an earlier write failed");
    }
    return w->ops->commit(w);
}

void vault_writer_abort(struct vault_writer *w)
{
    if (w != NULL)
        w->ops->abort(w);
}

int vault_reader_open(struct vault *v, struct vault_reader **out, const struct vault_addr *a)
{
    *out = NULL;
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(addr_check(a));
    return v->ops->reader_open(v, out, a);
}

uint64_t vault_reader_size(const struct vault_reader *r)
{
    return r->size;
}

int vault_reader_read(struct vault_reader *r, void *dst, size_t cap, size_t *got)
{
    *got = 0;
    if (r == NULL || (dst == NULL && cap > 0))
        return kms_err(KMS_EINVAL, "vault: missing reader or buffer");
    if (cap == 0)
        return 0;
    return r->ops->read(r, dst, cap, got);
}

int vault_reader_read_exact(struct vault_reader *r, void *dst, size_t n)
{
    uint8_t *p = dst;
    while (n > 0) {
        size_t got;
        KMS_TRY(vault_reader_read(r, p, n, &got));
        if (got == 0)
            return kms_err(KMS_ETRUNC, "vault: object ended early");
        p += got;
        n -= got;
    }
    return 0;
}

void vault_reader_close(struct vault_reader *r)
{
    if (r != NULL)
        r->ops->close(r);
}

/* --- whole objects --------------------------------------------------------- */

int vault_store(struct vault *v, const struct vault_addr *a, const void *data, size_t len)
{
    if (data == NULL && len > 0)
        return kms_err(KMS_EINVAL, "vault: NULL data");
    struct vault_writer *w;
    KMS_TRY(vault_writer_open(v, &w, a));
    int rc = vault_writer_write(w, data, len);
    if (rc < 0) {
        vault_writer_abort(w);
        return rc;
    }
    return vault_writer_commit(w);
}

static int read_into(struct vault_reader *r, struct buf *out)
{
    uint64_t size = vault_reader_size(r);
    if (size > out->limit || out->len > out->limit - size)
        return kms_err(KMS_ELIMIT, "vault: object of %llu bytes exceeds the %zu-byte limit",
                       (unsigned long long)size, out->limit - out->len);
    KMS_TRY(buf_reserve(out, (size_t)size));
    uint8_t *dst = buf_extend(out, (size_t)size);
    if (dst == NULL)
        return buf_status(out);
    KMS_TRY(vault_reader_read_exact(r, dst, (size_t)size));
    /* The end must come now: this also completes the authentication of an
     * encrypted object's last chunk. */
    uint8_t extra;
    size_t got;
    KMS_TRY(vault_reader_read(r, &extra, 1, &got));
    if (got != 0)
        return kms_err(KMS_EIO, "vault: object longer than its recorded size");
    return 0;
}

int vault_read(struct vault *v, struct buf *out, const struct vault_addr *a)
{
    if (out == NULL)
        return kms_err(KMS_EINVAL, "vault: missing output buffer");
    if (buf_status(out) != 0)
        return kms_err(buf_status(out), "vault: output buffer already failed");
    struct vault_reader *r;
    KMS_TRY(vault_reader_open(v, &r, a));
    size_t old_len = out->len;
    int rc = read_into(r, out);
    vault_reader_close(r);
    if (rc < 0) {
        /* drop whatever was read (wiped if secret) and the sticky error */
        if (out->secret && out->data != NULL && out->len > old_len)
            secmem_wipe(out->data + old_len, out->len - old_len);
        out->len = old_len;
        out->err = 0;
    }
    return rc;
}

int vault_exists_by_stat(struct vault *v, const struct vault_addr *a)
{
    uint64_t size;
    int rc = v->ops->stat(v, &size, a);
    if (rc == KMS_ENOTFOUND) {
        kms_err_clear();
        return 0;
    }
    return rc < 0 ? rc : 1;
}

int vault_exists(struct vault *v, const struct vault_addr *a)
{
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(addr_check(a));
    return v->ops->exists(v, a);
}

int vault_size(struct vault *v, uint64_t *size, const struct vault_addr *a)
{
    *size = 0;
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(addr_check(a));
    return v->ops->stat(v, size, a);
}

int vault_delete(struct vault *v, const struct vault_addr *a)
{
    if (v == NULL)
        return kms_err(KMS_EINVAL, "vault: missing vault");
    KMS_TRY(addr_check(a));
    return v->ops->remove(v, a);
}

int vault_purge(struct vault *v, const char *id, const char *epoch, const char *const *types,
                size_t n_types)
{
    if (v == NULL || (types == NULL && n_types > 0))
        return kms_err(KMS_EINVAL, "vault: missing vault or types");
    KMS_TRY(vault_id_check(id));
    if (epoch != NULL)
        KMS_TRY(kms_err_wrap(vault_id_check(epoch), "epoch"));
    int first = 0;
    for (size_t i = 0; i < n_types; i++) {
        int scoped = vault_type_is_epoch_scoped(types[i]);
        if (scoped && epoch == NULL) {
            log_warn("purge skips an epoch-scoped type: no epoch given", "type=%s id=%s",
                     name_ok(types[i]) ? types[i] : "?", id);
            continue;
        }
        struct vault_addr a = {types[i], scoped ? epoch : NULL, id};
        int rc = vault_delete(v, &a);
        if (rc == KMS_ENOTFOUND)
            continue;
        if (rc < 0 && first == 0)
            first = rc;
    }
    if (first < 0)
        return kms_err_wrap(first, "vault: purge incomplete");
    kms_err_clear();
    return 0;
}

/* --- configuration ------------------------------------------------------------ */

/* The reference refuses a prefix that starts with another kind's name
 * (vault/mod.rs storage_prefix_safety), e.g. a public vault "PRIV-p1". */
static int prefix_kind_check(const char *prefix, enum vault_kind kind)
{
    static const char *const others_pub[] = {"PRIV", "CLIENT", "BACKUP"};
    static const char *const others_priv[] = {"PUB", "CLIENT", "BACKUP"};
    const char *const *others = kind == VAULT_KIND_PUBLIC ? others_pub : others_priv;
    for (size_t i = 0; i < 3; i++)
        if (strncmp(prefix, others[i], strlen(others[i])) == 0)
            return kms_err(KMS_EINVAL,
                           "vault: the %s vault's prefix \"%s\" starts with \"%s\", the name of "
                           "another kind of storage",
                           kind == VAULT_KIND_PUBLIC ? "public" : "private", prefix, others[i]);
    return 0;
}

static int config_kek(struct vault_kek **kek, const struct vault_config *cfg)
{
    *kek = NULL;
    int have = (cfg->kek_file != NULL) + (cfg->kek_env != NULL);
    if (cfg->kind == VAULT_KIND_PUBLIC) {
        if (have > 0 || cfg->insecure_plaintext)
            return kms_err(KMS_EINVAL, "vault: the public vault is never encrypted: "
                                       "kek_file, kek_env and insecure_plaintext do not apply");
        return 0;
    }
    if (have > 1)
        return kms_err(KMS_EINVAL, "vault: give the key-encryption key once (kek_file or "
                                   "kek_env, not both)");
    if (have == 1 && cfg->insecure_plaintext)
        return kms_err(KMS_EINVAL, "vault: insecure_plaintext contradicts the key-encryption key");
    if (have == 0) {
        if (!cfg->insecure_plaintext)
            return kms_err(KMS_EINVAL,
                           "vault: the private vault needs a key-encryption key (kek_file or "
                           "kek_env); plaintext storage requires insecure_plaintext = true");
        log_warn("private vault stored unencrypted (insecure_plaintext)", "prefix=%s", cfg->prefix);
        return 0;
    }
    if (cfg->kek_file != NULL)
        return kms_err_wrap(vault_kek_from_file(kek, cfg->kek_file), "private vault");
    return kms_err_wrap(vault_kek_from_env(kek, cfg->kek_env), "private vault");
}

int vault_open(struct vault **out, const struct vault_config *cfg)
{
    *out = NULL;
    if (cfg == NULL)
        return kms_err(KMS_EINVAL, "vault: missing configuration");
    if (cfg->kind != VAULT_KIND_PUBLIC && cfg->kind != VAULT_KIND_PRIVATE)
        return kms_err(KMS_EINVAL, "vault: unknown vault kind");
    KMS_TRY(vault_prefix_check(cfg->prefix));
    KMS_TRY(prefix_kind_check(cfg->prefix, cfg->kind));
    unsigned flags = cfg->kind == VAULT_KIND_PRIVATE ? VAULT_F_PRIVATE : 0;

    struct vault_kek *kek;
    KMS_TRY(config_kek(&kek, cfg));
    struct vault *v = NULL;
    int rc;
    if (cfg->backend == VAULT_BACKEND_FILE) {
        rc = cfg->path == NULL ? kms_err(KMS_EINVAL, "vault: the file backend needs a path")
                               : vault_file_open(&v, cfg->path, cfg->prefix, flags);
    } else if (cfg->backend == VAULT_BACKEND_MEM) {
        rc = vault_mem_open(&v, cfg->prefix, flags);
    } else {
        rc = kms_err(KMS_EINVAL, "vault: unknown backend");
    }
    if (rc == 0 && kek != NULL)
        rc = vault_crypt_wrap(&v, v, kek, cfg->chunk_shift);
    vault_kek_free(kek);
    if (rc < 0)
        return rc;
    *out = v;
    return 0;
}

/* Cross-field checks of a loaded configuration, and reading the private
 * vault's key-encryption key it points to. Single keys (types, ranges,
 * required keys) are already checked while loading, with their lines. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/secmem.h"
#include "ops/config.h"

extern char **environ;

static int nonempty(const char *s) { return s != NULL && s[0] != '\0'; }

/* A folder name under the storage root: relative, no "..", no empty part. */
static int safe_prefix(const char *p)
{
    if (p[0] == '\0' || p[0] == '/')
        return 0;
    for (const char *part = p; part != NULL;) {
        const char *slash = strchr(part, '/');
        size_t n = slash ? (size_t)(slash - part) : strlen(part);
        if (n == 0 || (n == 1 && part[0] == '.') || (n == 2 && part[0] == '.' && part[1] == '.'))
            return 0;
        part = slash ? slash + 1 : NULL;
    }
    return 1;
}

static int check_storage(const char *vault, const struct config_storage *s)
{
    if (s->has_file == s->has_ram)
        return kms_err(KMS_EINVAL,
                       "%s.storage: give exactly one of [%s.storage.file] and "
                       "[%s.storage.ram]",
                       vault, vault, vault);
    if (s->kind != CONFIG_STORAGE_FILE)
        return 0;
    if (!nonempty(s->path))
        return kms_err(KMS_EINVAL, "%s.storage.file.path must not be empty", vault);
    if (s->prefix != NULL && !safe_prefix(s->prefix))
        return kms_err(KMS_EINVAL,
                       "%s.storage.file.prefix '%s' must be a relative folder name "
                       "without '.' or '..' parts",
                       vault, s->prefix);
    return 0;
}

static int env_name_ok(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Secrets at rest: a KEK unless the operator explicitly opts out. */
static int check_encryption(const struct config_vault *v)
{
    const struct config_encryption *e = &v->encryption;
    int has_kek = e->kek_file != NULL || e->kek_env != NULL;
    if (e->kek_file != NULL && e->kek_env != NULL)
        return kms_err(KMS_EINVAL, "private_vault.encryption: set kek_file or kek_env, not both");
    if (has_kek && e->insecure_plaintext)
        return kms_err(KMS_EINVAL, "private_vault.encryption: insecure_plaintext = true "
                                   "contradicts the key-encryption key also configured");
    if (e->kek_file != NULL && !nonempty(e->kek_file))
        return kms_err(KMS_EINVAL, "private_vault.encryption.kek_file must not be empty");
    if (e->kek_env != NULL && !env_name_ok(e->kek_env))
        return kms_err(KMS_EINVAL,
                       "private_vault.encryption.kek_env '%s' is not a valid "
                       "environment variable name",
                       e->kek_env);
    if (!has_kek && !e->insecure_plaintext && v->storage.kind == CONFIG_STORAGE_FILE)
        return kms_err(KMS_EINVAL,
                       "private_vault: no key-encryption key for the private keys at rest; set "
                       "private_vault.encryption.kek_env or kek_file (or, for tests only, "
                       "insecure_plaintext = true)");
    return 0;
}

static int check_peers(const struct config_threshold *t)
{
    size_t n = t->n_peers;
    if (n != 3 * (size_t)t->threshold + 1)
        return kms_err(KMS_EINVAL,
                       "threshold: %zu peers need threshold = %zu (n = 3t + 1), "
                       "got threshold = %u",
                       n, n ? (n - 1) / 3 : 0, t->threshold);
    for (size_t i = 0; i < n; i++) {
        const struct config_peer *p = &t->peers[i];
        if (p->party_id > n)
            return kms_err(KMS_EINVAL,
                           "threshold.peers[%zu].party_id %llu exceeds the number "
                           "of parties (%zu)",
                           i, (unsigned long long)p->party_id, n);
        for (size_t j = 0; j < i; j++)
            if (t->peers[j].party_id == p->party_id)
                return kms_err(KMS_EINVAL,
                               "threshold.peers[%zu] and [%zu] have the same "
                               "party_id %llu",
                               j, i, (unsigned long long)p->party_id);
        if (!nonempty(p->address))
            return kms_err(KMS_EINVAL, "threshold.peers[%zu].address must not be empty", i);
        if (p->has_tls_cert && (p->tls_cert_path == NULL) == (p->tls_cert_pem == NULL))
            return kms_err(KMS_EINVAL,
                           "threshold.peers[%zu].tls_cert: give exactly one of "
                           "path and pem",
                           i);
    }
    return 0;
}

static int check_threshold(const struct config *cfg)
{
    const struct config_threshold *t = &cfg->threshold;
    if (!nonempty(t->listen_address))
        return kms_err(KMS_EINVAL, "threshold.listen_address must not be empty");
    if (t->listen_port == cfg->service.listen_port)
        return kms_err(KMS_EINVAL,
                       "threshold.listen_port and service.listen_port must differ "
                       "(both are %u)",
                       t->listen_port);
    if (t->min_dec_cache > t->dec_capacity)
        return kms_err(KMS_EINVAL,
                       "threshold.min_dec_cache (%llu) must not exceed "
                       "threshold.dec_capacity (%llu)",
                       (unsigned long long)t->min_dec_cache, (unsigned long long)t->dec_capacity);
    if (t->has_tls_manual) {
        if (!t->has_tls_cert || !t->has_tls_key)
            return kms_err(KMS_EINVAL, "threshold.tls.manual needs both cert and key");
        if ((t->tls_cert_path == NULL) == (t->tls_cert_pem == NULL))
            return kms_err(KMS_EINVAL, "threshold.tls.manual.cert: give exactly one of path "
                                       "and pem");
        if ((t->tls_key_path == NULL) == (t->tls_key_pem == NULL))
            return kms_err(KMS_EINVAL, "threshold.tls.manual.key: give exactly one of path "
                                       "and pem");
    }
    double m = t->core_to_core_net.multiplier;
    if (!isnan(m) && !(m >= 1.0 && isfinite(m)))
        return kms_err(KMS_EINVAL, "threshold.core_to_core_net.multiplier must be a finite "
                                   "number >= 1.0");
    if (t->peers != NULL || t->n_peers > 0)
        KMS_TRY(check_peers(t));
    return 0;
}

int config_validate(const struct config *cfg)
{
    if (!nonempty(cfg->service.listen_address))
        return kms_err(KMS_EINVAL, "service.listen_address must not be empty");
    if (cfg->service.listen_port == 0)
        return kms_err(KMS_EINVAL, "service.listen_port must be between 1 and 65535");
    if (cfg->service.timeout_secs == 0 || cfg->service.grpc_max_message_size == 0 ||
        cfg->service.grpc_max_message_size > 2147483647u)
        return kms_err(KMS_EINVAL, "service.timeout_secs must be > 0 and "
                                   "service.grpc_max_message_size between 1 and 2^31-1");
    KMS_TRY(check_storage("public_vault", &cfg->public_vault.storage));
    KMS_TRY(check_storage("private_vault", &cfg->private_vault.storage));
    if (cfg->backup_vault.present)
        KMS_TRY(check_storage("backup_vault", &cfg->backup_vault.storage));
    KMS_TRY(check_encryption(&cfg->private_vault));
    const struct config_rate_limiter *r = &cfg->rate_limiter;
    if (r->bucket_size == 0 || r->pub_decrypt == 0 || r->user_decrypt == 0 || r->crsgen == 0 ||
        r->preproc == 0 || r->keygen == 0 || r->new_epoch == 0)
        return kms_err(KMS_EINVAL, "rate_limiter_conf: the bucket size and every cost must be "
                                   "at least 1");
    if (cfg->internal.num_tokio_threads == 0 || cfg->internal.num_rayon_threads == 0)
        return kms_err(KMS_EINVAL, "internal_config: thread counts must be at least 1");
    const struct config_request_store *s = &cfg->request_store;
    if (s->dec_capacity == 0 || s->result_wait_secs == 0 || s->preproc_result_wait_secs == 0)
        return kms_err(KMS_EINVAL, "request_store: dec_capacity and the wait times must be at "
                                   "least 1");
    if (s->min_dec_cache > s->dec_capacity)
        return kms_err(KMS_EINVAL,
                       "request_store.min_dec_cache (%llu) must not exceed "
                       "request_store.dec_capacity (%llu)",
                       (unsigned long long)s->min_dec_cache, (unsigned long long)s->dec_capacity);
    if (cfg->threshold.present)
        KMS_TRY(check_threshold(cfg));
    return 0;
}

/* --- The key-encryption key -------------------------------------------------- */

static const char *env_lookup(char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (char *const *e = envp; *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* 64 hex digits, optionally followed by a newline (as `echo` writes). */
static int kek_from_hex(uint8_t kek[CONFIG_KEK_LEN], const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    size_t got = 0;
    if (len != 2 * CONFIG_KEK_LEN || hex_decode(kek, CONFIG_KEK_LEN, &got, s, len) != 0 ||
        got != CONFIG_KEK_LEN)
        return -1;
    return 0;
}

static int kek_from_file(uint8_t kek[CONFIG_KEK_LEN], const char *path)
{
    uint8_t raw[2 * CONFIG_KEK_LEN + 4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kms_err(KMS_EIO, "private_vault.encryption.kek_file %s: %s", path, strerror(errno));
    size_t len = 0;
    ssize_t got;
    while (len < sizeof raw && (got = read(fd, raw + len, sizeof raw - len)) > 0)
        len += (size_t)got;
    close(fd);
    int rc = 0;
    if (len == CONFIG_KEK_LEN)
        memcpy(kek, raw, CONFIG_KEK_LEN);
    else if (kek_from_hex(kek, (const char *)raw, len) < 0)
        rc = kms_err(KMS_EINVAL,
                     "private_vault.encryption.kek_file %s must hold 32 bytes or "
                     "64 hex digits",
                     path);
    secmem_wipe(raw, sizeof raw);
    return rc;
}

int config_kek_load(const struct config *cfg, uint8_t kek[CONFIG_KEK_LEN], char *const *envp)
{
    const struct config_encryption *e = &cfg->private_vault.encryption;
    memset(kek, 0, CONFIG_KEK_LEN);
    int rc;
    if (e->kek_file != NULL) {
        rc = kek_from_file(kek, e->kek_file);
    } else if (e->kek_env != NULL) {
        const char *v = env_lookup(envp ? envp : environ, e->kek_env);
        if (v == NULL)
            rc = kms_err(KMS_EINVAL,
                         "environment variable %s (private_vault.encryption."
                         "kek_env) is not set",
                         e->kek_env);
        else if (kek_from_hex(kek, v, strlen(v)) < 0)
            rc = kms_err(KMS_EINVAL,
                         "environment variable %s must hold 64 hex digits (a "
                         "32-byte key)",
                         e->kek_env);
        else
            rc = 0;
    } else {
        return kms_err(KMS_ENOTFOUND, "no key-encryption key configured for the private vault");
    }
    if (rc < 0)
        secmem_wipe(kek, CONFIG_KEK_LEN);
    return rc;
}

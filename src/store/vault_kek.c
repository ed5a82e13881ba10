/* Loading the key-encryption key of the private vault: from bytes, hex, a
 * file or an environment variable, into locked memory that is wiped on
 * free. Every temporary copy is wiped too. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/log.h"
#include "base/secmem.h"
#include "crypto/entropy.h"
#include "store/vault_impl.h"

struct vault_kek {
    uint8_t key[VAULT_KEK_BYTES];
};

const uint8_t *vault_kek_bytes(const struct vault_kek *kek)
{
    return kek->key;
}

/* Longest KEK file accepted: 64 hex digits with generous white space. */
#define KEK_FILE_MAX 256

int vault_kek_from_bytes(struct vault_kek **out, const uint8_t *key, size_t len)
{
    *out = NULL;
    if (key == NULL || len != VAULT_KEK_BYTES)
        return kms_err(KMS_EINVAL, "vault: a key-encryption key is %d bytes, got %zu",
                       VAULT_KEK_BYTES, key == NULL ? (size_t)0 : len);
    if (secmem_is_zero(key, len))
        return kms_err(KMS_EINVAL, "vault: the key-encryption key is all zeros");
    struct vault_kek *k = secmem_alloc(sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory for the key-encryption key");
    memcpy(k->key, key, VAULT_KEK_BYTES);
    *out = k;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decodes hex (trimmed of white space) of length n into a KEK. */
static int from_hex_n(struct vault_kek **out, const char *hex, size_t n)
{
    while (n > 0 && is_space(hex[0])) {
        hex++;
        n--;
    }
    while (n > 0 && is_space(hex[n - 1]))
        n--;
    uint8_t key[VAULT_KEK_BYTES];
    size_t got = 0;
    int rc = hex_decode(key, sizeof key, &got, hex, n);
    if (rc == 0 && got != sizeof key)
        rc = KMS_EINVAL;
    if (rc == 0)
        rc = vault_kek_from_bytes(out, key, sizeof key);
    else
        rc = kms_err(KMS_EINVAL,
                     "vault: a key-encryption key in hex must be exactly %d hex "
                     "digits",
                     2 * VAULT_KEK_BYTES);
    secmem_wipe(key, sizeof key);
    return rc;
}

int vault_kek_from_hex(struct vault_kek **out, const char *hex)
{
    *out = NULL;
    if (hex == NULL)
        return kms_err(KMS_EINVAL, "vault: missing key-encryption key");
    return from_hex_n(out, hex, strnlen(hex, KEK_FILE_MAX + 1));
}

int vault_kek_from_env(struct vault_kek **out, const char *var)
{
    *out = NULL;
    if (var == NULL || var[0] == '\0')
        return kms_err(KMS_EINVAL, "vault: missing environment variable name for the KEK");
    const char *v = getenv(var);
    if (v == NULL || v[0] == '\0')
        return kms_err(KMS_EINVAL,
                       "vault: environment variable %s (the key-encryption key) is "
                       "not set",
                       var);
    return kms_err_wrap(vault_kek_from_hex(out, v), var);
}

static int read_all(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    *len = 0;
    for (;;) {
        if (*len == cap)
            return kms_err(KMS_EINVAL, "vault: the KEK file is longer than %d bytes", KEK_FILE_MAX);
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return kms_err(KMS_EIO, "vault: cannot read the KEK file: %s", strerror(errno));
        if (n == 0)
            return 0;
        *len += (size_t)n;
    }
}

int vault_kek_from_file(struct vault_kek **out, const char *path)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return kms_err(KMS_EINVAL, "vault: missing KEK file name");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kms_err(KMS_EIO, "vault: cannot open the KEK file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return kms_err(KMS_EINVAL, "vault: the KEK file %s is not a regular file", path);
    }
    if ((st.st_mode & 077) != 0)
        log_warn("vault: the KEK file is readable by group or others", "mode=%03o",
                 (unsigned)(st.st_mode & 0777));
    /* one spare byte, so that an overlong file is noticed */
    uint8_t *buf = secmem_alloc(KEK_FILE_MAX + 1);
    if (buf == NULL) {
        close(fd);
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    }
    size_t len;
    int rc = read_all(fd, buf, KEK_FILE_MAX + 1, &len);
    close(fd);
    if (rc == 0 && len == VAULT_KEK_BYTES)
        rc = vault_kek_from_bytes(out, buf, len); /* raw: hex has 64 digits */
    else if (rc == 0)
        rc = from_hex_n(out, (const char *)buf, len);
    secmem_free(buf);
    return rc < 0 ? kms_err_wrap(rc, path) : 0;
}

int vault_kek_create_file(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return kms_err(KMS_EINVAL, "vault: missing KEK file name");
    uint8_t key[VAULT_KEK_BYTES];
    char hex[2 * VAULT_KEK_BYTES + 2];
    int rc = entropy_fill(key, sizeof key);
    if (rc == 0)
        rc = hex_encode(hex, sizeof hex, key, sizeof key);
    secmem_wipe(key, sizeof key);
    if (rc < 0) {
        secmem_wipe(hex, sizeof hex);
        return rc;
    }
    hex[2 * VAULT_KEK_BYTES] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        secmem_wipe(hex, sizeof hex);
        return kms_err(errno == EEXIST ? KMS_EEXIST : KMS_EIO,
                       "vault: cannot create the KEK file %s: %s", path, strerror(errno));
    }
    size_t off = 0, n = 2 * VAULT_KEK_BYTES + 1;
    while (off < n && rc == 0) {
        ssize_t k = write(fd, hex + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            rc = kms_err(KMS_EIO, "vault: cannot write the KEK file %s", path);
        else
            off += (size_t)k;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = kms_err(KMS_EIO, "vault: cannot sync the KEK file %s", path);
    close(fd);
    secmem_wipe(hex, sizeof hex);
    if (rc < 0)
        (void)unlink(path);
    return rc;
}

void vault_kek_free(struct vault_kek *kek)
{
    secmem_free(kek);
}

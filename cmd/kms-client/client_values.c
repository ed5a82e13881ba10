/* Files, FHE type names and plaintext values of kms-client (client_common.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/secmem.h"
#include "client_common.h"
#include "client_json.h"
#include "tfhe/radix.h"

int client_read_file(const char *path, uint8_t **out, size_t *len, size_t max)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kms_err(errno == ENOENT ? KMS_ENOTFOUND : KMS_EIO, "%s: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return kms_err(KMS_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return kms_err(KMS_ELIMIT, "%s: larger than %zu bytes", path, max);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *p = malloc(n > 0 ? n : 1);
    if (p == NULL) {
        close(fd);
        return kms_err(KMS_ENOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            free(p);
            return kms_err(KMS_EIO, "%s: short read", path);
        }
        got += (size_t)r;
    }
    close(fd);
    *out = p;
    *len = n;
    return 0;
}

/* ---- FHE types ---- */

struct type_name {
    const char *name;
    int32_t id;
};

static const struct type_name type_names[] = {
    {"ebool", RADIX_BOOL},       {"euint4", RADIX_UINT4},     {"euint8", RADIX_UINT8},
    {"euint16", RADIX_UINT16},   {"euint32", RADIX_UINT32},   {"euint64", RADIX_UINT64},
    {"euint128", RADIX_UINT128}, {"euint160", RADIX_UINT160}, {"euint256", RADIX_UINT256},
    {"euint512", RADIX_UINT512}, {"euint1024", RADIX_UINT1024},
    {"euint2048", RADIX_UINT2048}, {"eaddress", RADIX_UINT160},
};

int client_fhe_type_parse(int32_t *out, const char *s)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        /* "euint8", or the TFHE-rs name "Uint8" / "Bool" */
        if (strcasecmp(s, type_names[i].name) == 0 ||
            (type_names[i].name[0] == 'e' && strcasecmp(s, type_names[i].name + 1) == 0 &&
             strcasecmp(s, "address") != 0)) {
            *out = type_names[i].id;
            return 0;
        }
    }
    return kms_err(KMS_EINVAL, "unknown FHE type '%s' (ebool, euint8 ... euint256)", s);
}

const char *client_fhe_type_name(int32_t fhe_type, char buf[16])
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].id == fhe_type)
            return type_names[i].name;
    snprintf(buf, 16, "type%d", (int)fhe_type);
    return buf;
}

/* ---- values ---- */

static int parse_hex_value(uint8_t *le, size_t len, const char *digits)
{
    size_t n = strlen(digits);
    if (n == 0 || n > 2 * RADIX_MAX_BYTES + 2)
        return kms_err(KMS_EINVAL, "value: bad hex");
    char padded[2 * RADIX_MAX_BYTES + 4];
    size_t plen = n + (n & 1);
    padded[0] = '0';
    memcpy(padded + (n & 1), digits, n);
    padded[plen] = '\0';
    uint8_t be[RADIX_MAX_BYTES + 1];
    size_t be_len;
    int rc = 0;
    memset(le, 0, len);
    if (hex_decode(be, sizeof be, &be_len, padded, plen) != 0)
        rc = kms_err(KMS_EINVAL, "value: bad hex '%s'", digits);
    for (size_t i = 0; rc == 0 && i < be_len; i++) {
        uint8_t b = be[be_len - 1 - i];
        if (i < len)
            le[i] = b;
        else if (b != 0)
            rc = kms_err(KMS_EINVAL, "value does not fit in %zu bytes", len);
    }
    if (rc != 0)
        memset(le, 0, len);
    secmem_wipe(padded, sizeof padded);
    secmem_wipe(be, sizeof be);
    return rc;
}

int client_value_parse(uint8_t *le, size_t len, const char *s, int is_bool)
{
    if (is_bool) {
        if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0) {
            le[0] = 1;
            return 0;
        }
        if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0) {
            le[0] = 0;
            return 0;
        }
        return kms_err(KMS_EINVAL, "a boolean is true, false, 1 or 0, not '%s'", s);
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_hex_value(le, len, s + 2);
    if (s[0] == '\0')
        return kms_err(KMS_EINVAL, "empty value");
    memset(le, 0, len);
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            memset(le, 0, len);
            return kms_err(KMS_EINVAL, "value '%s' is not a decimal or 0x-hex number", s);
        }
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = 0; i < len; i++) {
            unsigned v = le[i] * 10u + carry;
            le[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry != 0) {
            memset(le, 0, len);
            return kms_err(KMS_EINVAL, "value '%s' does not fit in %zu bits", s, len * 8);
        }
    }
    return 0;
}

void client_value_decimal(char *out, size_t cap, const uint8_t *le, size_t len)
{
    /* repeated division by 10 of a big-endian copy */
    uint8_t be[RADIX_MAX_BYTES];
    char rev[3 * RADIX_MAX_BYTES + 2];
    size_t n = len < sizeof be ? len : sizeof be, nd = 0;
    for (size_t i = 0; i < n; i++)
        be[i] = le[n - 1 - i];
    for (;;) {
        unsigned rem = 0;
        int nonzero = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned cur = (rem << 8) | be[i];
            be[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            nonzero |= be[i] != 0;
        }
        rev[nd++] = (char)('0' + rem);
        if (!nonzero || nd >= sizeof rev - 1)
            break;
    }
    size_t w = 0;
    while (nd > 0 && w + 1 < cap)
        out[w++] = rev[--nd];
    if (cap > 0)
        out[w] = '\0';
    secmem_wipe(be, sizeof be);
    secmem_wipe(rev, sizeof rev);
}

void client_json_plaintext(struct cjson *j, int32_t fhe_type, const uint8_t *le, size_t len,
                           const uint8_t *handle, size_t handle_len)
{
    char name[16], dec[3 * RADIX_MAX_BYTES + 2];
    client_value_decimal(dec, sizeof dec, le, len);
    cjson_object_begin(j, NULL);
    cjson_str(j, "fhe_type", client_fhe_type_name(fhe_type, name));
    cjson_str(j, "value", dec);
    cjson_hex(j, "handle", handle, handle_len, 1);
    cjson_object_end(j);
    secmem_wipe(dec, sizeof dec);
}

/* Names and plaintext values of the encrypted types for `kms-client fhe`:
 * the CLI's ebool / euintN / eintN names, and values in decimal or hex of
 * up to 2048 bits, range-checked against the type. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/secmem.h"
#include "fhe.h"

/* FheTypes ids are below 128 (radix.h). */
#define FHE_TYPE_ID_MAX 128

static void lower_copy(char *out, size_t cap, const char *in)
{
    size_t i = 0;
    for (; in[i] != 0 && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = 0;
}

int fhe_type_parse(const struct radix_type **out, const char *name)
{
    char want[32], have[32];
    *out = NULL;
    const char *s = name;
    if (strncasecmp(s, "fhe", 3) == 0)
        s += 3;
    else if (s[0] == 'e' || s[0] == 'E')
        s += 1;
    if (strlen(s) >= sizeof want)
        return kms_err(KMS_EINVAL, "unknown type '%.40s...'", name);
    lower_copy(want, sizeof want, s);
    if (strcmp(want, "address") == 0)
        strcpy(want, "uint160");
    for (int32_t id = 0; id < FHE_TYPE_ID_MAX; id++) {
        const struct radix_type *t;
        if (radix_type_lookup(&t, id) < 0)
            continue;
        lower_copy(have, sizeof have, t->name);
        if (strcmp(have, want) == 0) {
            kms_err_clear();
            *out = t;
            return 0;
        }
    }
    return kms_err(KMS_EINVAL, "unknown type '%s' (ebool, euint8 .. euint2048, eint8 .. eint2048)",
                   name);
}

const char *fhe_type_name(const struct radix_type *t, char *buf, size_t cap)
{
    char low[32];
    lower_copy(low, sizeof low, t->name);
    snprintf(buf, cap, "e%s", low);
    return buf;
}

/* ---- values: little-endian magnitudes of MAG_BYTES bytes ---- */

#define MAG_BYTES (RADIX_MAX_BYTES + 1)

static int bit_at(const uint8_t *m, size_t i) { return (m[i / 8] >> (i % 8)) & 1; }

/* m = the digits of s (no sign) in base 10 or, after 0x, 16. */
static int parse_magnitude(uint8_t m[MAG_BYTES], const char *s)
{
    unsigned base = 10;
    memset(m, 0, MAG_BYTES);
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == 0)
        return kms_err(KMS_EINVAL, "value has no digits");
    for (; *s != 0; s++) {
        unsigned c = (unsigned char)*s, d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && isxdigit((int)c))
            d = (unsigned)tolower((int)c) - 'a' + 10;
        else
            return kms_err(KMS_EINVAL, "value is not a %s number: unexpected '%c'",
                           base == 16 ? "hexadecimal" : "decimal", (int)c);
        unsigned carry = d;
        for (size_t i = 0; i < MAG_BYTES; i++) {
            unsigned v = m[i] * base + carry;
            m[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry != 0)
            return kms_err(KMS_EINVAL, "value is out of range (more than %d bits)",
                           RADIX_MAX_BITS);
    }
    return 0;
}

/* The magnitude's bit length. */
static size_t mag_bits(const uint8_t m[MAG_BYTES])
{
    for (size_t i = 8 * MAG_BYTES; i > 0; i--)
        if (bit_at(m, i - 1))
            return i;
    return 0;
}

/* Two's complement negation over n bytes. */
static void negate(uint8_t *v, size_t n)
{
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned x = (uint8_t)~v[i] + carry;
        v[i] = (uint8_t)x;
        carry = x >> 8;
    }
}

static int parse_bool(uint8_t *out, const char *text)
{
    if (strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0)
        out[0] = 1;
    else if (strcasecmp(text, "false") == 0 || strcmp(text, "0") == 0)
        out[0] = 0;
    else
        return kms_err(KMS_EINVAL, "an ebool value is true, false, 1 or 0, not '%s'", text);
    return 0;
}

int fhe_value_parse(uint8_t *out, size_t out_len, const struct radix_type *t, const char *text)
{
    uint8_t m[MAG_BYTES];
    char tn[32];
    memset(out, 0, out_len);
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "value buffer of %zu bytes for %s", out_len, t->name);
    if (t->is_bool)
        return parse_bool(out, text);
    int neg = text[0] == '-';
    if (neg && !t->is_signed)
        return kms_err(KMS_EINVAL, "%s is unsigned: negative value '%s'",
                       fhe_type_name(t, tn, sizeof tn), text);
    int rc = parse_magnitude(m, text + neg);
    if (rc < 0) {
        secmem_wipe(m, sizeof m);
        return rc;
    }
    size_t bits = mag_bits(m);
    /* unsigned: m < 2^N; signed: m < 2^(N-1), or m = 2^(N-1) when negative */
    size_t room = t->is_signed ? (size_t)t->bits - 1 : t->bits;
    int min_signed = neg && bits == room + 1; /* -2^(N-1): only bit N-1 set */
    for (size_t i = 0; min_signed && i < room; i++)
        min_signed = !bit_at(m, i);
    if (bits > room && !min_signed) {
        secmem_wipe(m, sizeof m);
        return kms_err(KMS_EINVAL, "value '%s' is out of range for %s", text,
                       fhe_type_name(t, tn, sizeof tn));
    }
    memcpy(out, m, out_len);
    secmem_wipe(m, sizeof m);
    if (neg)
        negate(out, out_len); /* also sets the bits above N, as radix.h wants */
    return 0;
}

/* buf = the decimal digits of the magnitude v[0..n). */
static void to_decimal(char *buf, size_t cap, uint8_t *v, size_t n)
{
    char rev[FHE_VALUE_TEXT_MAX];
    size_t len = 0;
    for (;;) {
        unsigned rem = 0;
        int nonzero = 0;
        for (size_t i = n; i > 0; i--) { /* v /= 10, most significant byte first */
            unsigned cur = (rem << 8) | v[i - 1];
            v[i - 1] = (uint8_t)(cur / 10);
            rem = cur % 10;
            nonzero |= v[i - 1] != 0;
        }
        rev[len++] = (char)('0' + rem);
        if (!nonzero || len + 1 >= sizeof rev)
            break;
    }
    size_t o = 0;
    for (; o < len && o + 1 < cap; o++)
        buf[o] = rev[len - 1 - o];
    buf[o] = 0;
    secmem_wipe(rev, sizeof rev);
}

const char *fhe_value_format(char *buf, size_t cap, const struct radix_type *t, const uint8_t *le,
                             size_t len)
{
    uint8_t v[RADIX_MAX_BYTES];
    if (t->is_bool) {
        snprintf(buf, cap, "%s", len > 0 && le[0] != 0 ? "true" : "false");
        return buf;
    }
    size_t n = len < sizeof v ? len : sizeof v;
    memcpy(v, le, n);
    int neg = t->is_signed && t->bits > 0 && (size_t)(t->bits - 1) / 8 < n &&
              bit_at(v, (size_t)t->bits - 1);
    if (neg)
        negate(v, n);
    if (neg && cap > 1) {
        buf[0] = '-';
        to_decimal(buf + 1, cap - 1, v, n);
    } else {
        to_decimal(buf, cap, v, n);
    }
    secmem_wipe(v, sizeof v);
    return buf;
}

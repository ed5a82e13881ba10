#include "base/hex.h"

#include <string.h>

/* Branch-free nibble -> ASCII: 0..9 -> '0'..'9', 10..15 -> 'a'..'f'. */
static char nibble_to_hex(unsigned v)
{
    /* adds 39 ('a' - '0' - 10) exactly when v > 9 */
    unsigned gt9 = (9u - v) >> 8 & 1u;
    return (char)('0' + v + (gt9 * 39u));
}

int hex_encode(char *out, size_t out_cap, const void *in, size_t n)
{
    const uint8_t *p = in;
    if (n > (SIZE_MAX - 1) / 2 || out_cap < 2 * n + 1)
        return kms_err(KMS_EINVAL, "hex: output of %zu bytes too small for %zu input bytes",
                       out_cap, n);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = nibble_to_hex(p[i] >> 4);
        out[2 * i + 1] = nibble_to_hex(p[i] & 15u);
    }
    out[2 * n] = '\0';
    return 0;
}

/* Branch-free ASCII -> nibble; returns 0..15, or a value >= 256 when c is
 * not a hex digit. */
static unsigned hex_to_nibble(unsigned char c)
{
    unsigned cu = c;
    unsigned num = cu ^ 48u;                  /* '0'..'9' -> 0..9 */
    unsigned num_ok = ((num - 10u) >> 8) & 1u; /* num < 10 */
    unsigned al = (cu | 32u) - 87u;           /* 'a'..'f' / 'A'..'F' -> 10..15 */
    /* 10 <= al < 16 exactly when al - 10 is small and al - 16 wrapped */
    unsigned al_ok = (((al - 10u) ^ (al - 16u)) >> 8) & 1u;
    unsigned ok = num_ok | al_ok;
    return (num & (0u - num_ok)) | (al & (0u - al_ok)) | ((ok ^ 1u) << 8);
}

int hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t in_len)
{
    *out_len = 0;
    if (in_len >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) {
        in += 2;
        in_len -= 2;
    }
    if (in_len % 2 != 0)
        return kms_err(KMS_EINVAL, "hex: odd number of digits (%zu)", in_len);
    if (in_len / 2 > out_cap)
        return kms_err(KMS_EINVAL, "hex: %zu bytes do not fit in %zu", in_len / 2, out_cap);
    unsigned bad = 0;
    for (size_t i = 0; i < in_len / 2; i++) {
        unsigned hi = hex_to_nibble((unsigned char)in[2 * i]);
        unsigned lo = hex_to_nibble((unsigned char)in[2 * i + 1]);
        bad |= (hi | lo) >> 8;
        out[i] = (uint8_t)((hi << 4) | (lo & 15u));
    }
    if (bad) {
        memset(out, 0, in_len / 2);
        return kms_err(KMS_EINVAL, "hex: invalid character");
    }
    *out_len = in_len / 2;
    return 0;
}

int hex_decode_exact(uint8_t *out, size_t n, const char *str)
{
    size_t len = strlen(str), got;
    size_t digits = len;
    if (len >= 2 && str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
        digits -= 2;
    if (digits != 2 * n)
        return kms_err(KMS_EINVAL, "hex: expected %zu bytes (%zu digits), got %zu digits",
                       n, 2 * n, digits);
    return hex_decode(out, n, &got, str, len);
}

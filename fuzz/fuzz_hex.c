/* hex_decode on arbitrary input: never crashes, never writes past out_cap,
 * and whenever it succeeds, re-encoding gives back the input lower-cased
 * and without its 0x prefix. hex_decode_exact must agree with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static void check_success(const char *in, size_t in_len, const uint8_t *out, size_t len)
{
    const char *digits = in;
    size_t n = in_len;
    if (n >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) {
        digits += 2;
        n -= 2;
    }
    if (n != 2 * len)
        abort();
    char *enc = malloc(2 * len + 1);
    if (enc == NULL || hex_encode(enc, 2 * len + 1, out, len) != 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (enc[i] != lower(digits[i]))
            abort();
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t cap = size / 2;
    /* exact-size heap buffer: ASan catches a write past the capacity */
    uint8_t *out = malloc(cap + 1);
    if (out == NULL)
        return 0;
    size_t len = 12345;
    int rc = hex_decode(out, cap, &len, in, size);
    if (rc == 0)
        check_success(in, size, out, len);
    else if (len != 0 || rc != KMS_EINVAL)
        abort();

    /* one byte less room than needed must fail cleanly */
    if (rc == 0 && len > 0) {
        size_t len2;
        if (hex_decode(out, len - 1, &len2, in, size) != KMS_EINVAL || len2 != 0)
            abort();
    }

    /* the NUL-terminated form through hex_decode_exact agrees */
    char *str = malloc(size + 1);
    if (str != NULL) {
        memcpy(str, in, size);
        str[size] = '\0';
        if (strlen(str) == size) {
            size_t want = rc == 0 ? len : size / 2;
            uint8_t *out2 = malloc(want + 1);
            if (out2 != NULL) {
                int rc2 = hex_decode_exact(out2, want, str);
                if ((rc2 == 0) != (rc == 0))
                    abort();
                if (rc == 0 && memcmp(out, out2, len) != 0)
                    abort();
                free(out2);
            }
        }
        free(str);
    }
    free(out);
    return 0;
}

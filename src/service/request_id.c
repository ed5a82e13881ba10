#include "service/request_id.h"

#include <ctype.h>
#include <string.h>

#include "base/hex.h"

int request_id_parse(struct request_id *out, const char *s, size_t len)
{
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return kms_err(KMS_EINVAL, "request id is missing");
    while (len > 0 && isspace((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return kms_err(KMS_EINVAL, "request id is empty");
    size_t got;
    size_t digits = len;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        digits -= 2;
    if (digits != REQUEST_ID_HEX_LEN)
        return kms_err(KMS_EINVAL, "request id must be 32 bytes (64 hex characters), got %zu characters",
                       digits);
    if (hex_decode(out->b, sizeof out->b, &got, s, len) != 0)
        return kms_err(KMS_EINVAL, "request id is not hexadecimal");
    static const struct request_id zero;
    if (request_id_equal(out, &zero))
        return kms_err(KMS_EINVAL, "the all-zero request id is not allowed");
    return 0;
}

void request_id_format(char out[REQUEST_ID_HEX_LEN + 1], const struct request_id *id)
{
    /* cannot fail: the buffer is exactly large enough */
    if (hex_encode(out, REQUEST_ID_HEX_LEN + 1, id->b, sizeof id->b) != 0)
        out[0] = '\0';
}

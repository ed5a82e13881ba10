/* Request identifiers (RequestId, KeyId, ContextId, EpochId in the reference):
 * 32 bytes, written as 64 lower-case hex characters without a prefix. Input
 * is accepted as the reference accepts it: surrounding whitespace trimmed,
 * an optional 0x, either case; anything else, and the all-zero id, is
 * refused. */
#ifndef CKMS_SERVICE_REQUEST_ID_H
#define CKMS_SERVICE_REQUEST_ID_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define REQUEST_ID_BYTES 32
#define REQUEST_ID_HEX_LEN 64

struct request_id {
    uint8_t b[REQUEST_ID_BYTES];
};

/* Parses s (len bytes, not necessarily NUL-terminated). KMS_EINVAL with a
 * message saying what is wrong. */
int request_id_parse(struct request_id *out, const char *s, size_t len) KMS_MUST_CHECK;

/* Writes the canonical 64-character form and a NUL. */
void request_id_format(char out[REQUEST_ID_HEX_LEN + 1], const struct request_id *id);

static inline int request_id_equal(const struct request_id *a, const struct request_id *b)
{
    for (size_t i = 0; i < REQUEST_ID_BYTES; i++)
        if (a->b[i] != b->b[i])
            return 0;
    return 1;
}

#endif

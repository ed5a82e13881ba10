/* Bounds-checked reader over a byte string that arrived from outside.
 *
 * Every read either consumes exactly what it asks for or fails with
 * KMS_ETRUNC and consumes nothing; no read ever goes past the end. */
#ifndef CKMS_BASE_READER_H
#define CKMS_BASE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
};

void reader_init(struct reader *r, const void *data, size_t len);

static inline size_t reader_remaining(const struct reader *r) { return r->len - r->pos; }

int reader_u8(struct reader *r, uint8_t *v) KMS_MUST_CHECK;
int reader_u16le(struct reader *r, uint16_t *v) KMS_MUST_CHECK;
int reader_u32le(struct reader *r, uint32_t *v) KMS_MUST_CHECK;
int reader_u64le(struct reader *r, uint64_t *v) KMS_MUST_CHECK;
int reader_u128le(struct reader *r, unsigned __int128 *v) KMS_MUST_CHECK;
int reader_u32be(struct reader *r, uint32_t *v) KMS_MUST_CHECK;
int reader_u64be(struct reader *r, uint64_t *v) KMS_MUST_CHECK;

/* Copies the next n bytes into out. */
int reader_bytes(struct reader *r, void *out, size_t n) KMS_MUST_CHECK;
/* Points *out at the next n bytes without copying. */
int reader_view(struct reader *r, const uint8_t **out, size_t n) KMS_MUST_CHECK;
int reader_skip(struct reader *r, size_t n) KMS_MUST_CHECK;

/* Fails with KMS_EINVAL when bytes are left over. */
int reader_expect_end(const struct reader *r) KMS_MUST_CHECK;

#endif

/* Growable byte buffer with a size limit and a sticky error.
 *
 * Writers append with buf_put_*() and check buf_status() once at the end:
 * the first failure (out of memory, or growing past `limit`) is remembered
 * and every later put is a no-op. A secret buffer is wiped whenever its
 * storage moves or is released, so no stale copy of the secret is left. */
#ifndef CKMS_BASE_BUF_H
#define CKMS_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* For buffers whose size is bounded elsewhere. */
#define BUF_UNLIMITED ((size_t)1 << 62)

struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;  /* len never exceeds this */
    int secret;    /* wipe on growth, reset and free */
    int err;       /* first error, 0 if none */
};

/* An empty buffer that may grow up to `limit` bytes. */
void buf_init(struct buf *b, size_t limit);
/* The same, for secret contents. */
void buf_init_secret(struct buf *b, size_t limit);
/* Releases the storage (wiped first if secret). buf_free(NULL) is a no-op. */
void buf_free(struct buf *b);
/* Empties the buffer, keeping its storage and clearing the error. */
void buf_reset(struct buf *b);

/* Ensures room for `extra` more bytes. */
int buf_reserve(struct buf *b, size_t extra) KMS_MUST_CHECK;
/* Appends `n` uninitialised bytes and returns where they start (NULL on
 * failure, recorded in the sticky error). */
uint8_t *buf_extend(struct buf *b, size_t n);

void buf_put(struct buf *b, const void *p, size_t n);
void buf_put_u8(struct buf *b, uint8_t v);
void buf_put_u16le(struct buf *b, uint16_t v);
void buf_put_u32le(struct buf *b, uint32_t v);
void buf_put_u64le(struct buf *b, uint64_t v);
void buf_put_u128le(struct buf *b, unsigned __int128 v);
void buf_put_u32be(struct buf *b, uint32_t v);
void buf_put_u64be(struct buf *b, uint64_t v);
void buf_put_zeros(struct buf *b, size_t n);

/* 0, or the first error any put or reserve hit. */
static inline int buf_status(const struct buf *b) { return b->err; }

/* Hands the storage to the caller (who must free() it, wiping it first if it
 * was secret) and leaves `b` empty. */
uint8_t *buf_take(struct buf *b, size_t *len);

#endif

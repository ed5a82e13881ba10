#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

static void init(struct buf *b, size_t limit, int secret)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
    b->secret = secret;
}

void buf_init(struct buf *b, size_t limit) { init(b, limit, 0); }

void buf_init_secret(struct buf *b, size_t limit) { init(b, limit, 1); }

void buf_free(struct buf *b)
{
    if (b == NULL)
        return;
    if (b->secret && b->data != NULL)
        secmem_wipe(b->data, b->cap);
    free(b->data);
    init(b, b->limit, b->secret);
}

void buf_reset(struct buf *b)
{
    if (b->secret && b->data != NULL)
        secmem_wipe(b->data, b->len);
    b->len = 0;
    b->err = 0;
}

static int fail(struct buf *b, int code)
{
    if (b->err == 0)
        b->err = code;
    return code;
}

int buf_reserve(struct buf *b, size_t extra)
{
    if (b->err != 0)
        return b->err;
    if (extra > b->limit || b->len > b->limit - extra)
        return fail(b, kms_err(KMS_ELIMIT, "buffer would exceed its %zu-byte limit", b->limit));
    size_t need = b->len + extra;
    /* data is never left NULL, so buf_extend(b, 0) yields a real pointer */
    if (need <= b->cap && b->data != NULL)
        return 0;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->limit)
        cap = b->limit > need ? b->limit : need;
    if (cap == 0)
        cap = 1;
    uint8_t *p;
    if (b->secret) {
        /* realloc could leave the old copy behind unwiped */
        p = malloc(cap);
        if (p != NULL && b->data != NULL) {
            memcpy(p, b->data, b->len);
            secmem_wipe(b->data, b->cap);
            free(b->data);
        }
    } else {
        p = realloc(b->data, cap);
    }
    if (p == NULL)
        return fail(b, kms_err(KMS_ENOMEM, "out of memory growing a buffer to %zu bytes", cap));
    b->data = p;
    b->cap = cap;
    return 0;
}

uint8_t *buf_extend(struct buf *b, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return NULL;
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

void buf_put(struct buf *b, const void *p, size_t n)
{
    uint8_t *dst = buf_extend(b, n);
    if (dst != NULL && n > 0)
        memcpy(dst, p, n);
}

void buf_put_zeros(struct buf *b, size_t n)
{
    uint8_t *dst = buf_extend(b, n);
    if (dst != NULL && n > 0)
        memset(dst, 0, n);
}

static void put_le(struct buf *b, unsigned __int128 v, size_t n)
{
    uint8_t *dst = buf_extend(b, n);
    if (dst == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        dst[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(struct buf *b, uint64_t v, size_t n)
{
    uint8_t *dst = buf_extend(b, n);
    if (dst == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        dst[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void buf_put_u8(struct buf *b, uint8_t v) { put_le(b, v, 1); }
void buf_put_u16le(struct buf *b, uint16_t v) { put_le(b, v, 2); }
void buf_put_u32le(struct buf *b, uint32_t v) { put_le(b, v, 4); }
void buf_put_u64le(struct buf *b, uint64_t v) { put_le(b, v, 8); }
void buf_put_u128le(struct buf *b, unsigned __int128 v) { put_le(b, v, 16); }
void buf_put_u32be(struct buf *b, uint32_t v) { put_be(b, v, 4); }
void buf_put_u64be(struct buf *b, uint64_t v) { put_be(b, v, 8); }

uint8_t *buf_take(struct buf *b, size_t *len)
{
    uint8_t *p = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

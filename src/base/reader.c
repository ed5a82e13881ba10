#include "base/reader.h"

#include <string.h>

void reader_init(struct reader *r, const void *data, size_t len)
{
    /* never NULL: a zero-length view at data + 0 must be a valid pointer */
    static const uint8_t empty[1];
    r->data = data != NULL ? data : empty;
    r->len = data != NULL ? len : 0;
    r->pos = 0;
}

static int need(const struct reader *r, size_t n)
{
    if (n > reader_remaining(r))
        return kms_err(KMS_ETRUNC, "input truncated: need %zu bytes at offset %zu, have %zu",
                       n, r->pos, reader_remaining(r));
    return 0;
}

int reader_view(struct reader *r, const uint8_t **out, size_t n)
{
    KMS_TRY(need(r, n));
    *out = r->data + r->pos;
    r->pos += n;
    return 0;
}

int reader_bytes(struct reader *r, void *out, size_t n)
{
    const uint8_t *p;
    KMS_TRY(reader_view(r, &p, n));
    if (n > 0)
        memcpy(out, p, n);
    return 0;
}

int reader_skip(struct reader *r, size_t n)
{
    const uint8_t *p;
    return reader_view(r, &p, n);
}

static int get_le(struct reader *r, unsigned __int128 *v, size_t n)
{
    const uint8_t *p;
    KMS_TRY(reader_view(r, &p, n));
    unsigned __int128 x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (unsigned __int128)p[i] << (8 * i);
    *v = x;
    return 0;
}

static int get_be(struct reader *r, uint64_t *v, size_t n)
{
    const uint8_t *p;
    KMS_TRY(reader_view(r, &p, n));
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | p[i];
    *v = x;
    return 0;
}

#define READER_LE(name, type, n)                                               \
    int name(struct reader *r, type *v)                                        \
    {                                                                          \
        unsigned __int128 x;                                                   \
        KMS_TRY(get_le(r, &x, n));                                             \
        *v = (type)x;                                                          \
        return 0;                                                              \
    }

READER_LE(reader_u8, uint8_t, 1)
READER_LE(reader_u16le, uint16_t, 2)
READER_LE(reader_u32le, uint32_t, 4)
READER_LE(reader_u64le, uint64_t, 8)
READER_LE(reader_u128le, unsigned __int128, 16)

int reader_u32be(struct reader *r, uint32_t *v)
{
    uint64_t x;
    KMS_TRY(get_be(r, &x, 4));
    *v = (uint32_t)x;
    return 0;
}

int reader_u64be(struct reader *r, uint64_t *v) { return get_be(r, v, 8); }

int reader_expect_end(const struct reader *r)
{
    if (reader_remaining(r) != 0)
        return kms_err(KMS_EINVAL, "%zu unexpected trailing bytes at offset %zu",
                       reader_remaining(r), r->pos);
    return 0;
}

#include "base/bincode.h"

#include <string.h>

void bincode_put_len(struct buf *b, size_t n) { buf_put_u64le(b, (uint64_t)n); }

void bincode_put_bytes(struct buf *b, const void *p, size_t n)
{
    bincode_put_len(b, n);
    buf_put(b, p, n);
}

void bincode_put_str(struct buf *b, const char *s) { bincode_put_bytes(b, s, strlen(s)); }

void bincode_put_variant(struct buf *b, uint32_t tag) { buf_put_u32le(b, tag); }

void bincode_put_bool(struct buf *b, int v) { buf_put_u8(b, v ? 1 : 0); }

void bincode_put_option_tag(struct buf *b, int present) { buf_put_u8(b, present ? 1 : 0); }

int bincode_get_len(struct reader *r, size_t *n, size_t elem_size)
{
    uint64_t v;
    KMS_TRY(reader_u64le(r, &v));
    if (elem_size > 0 && v > reader_remaining(r) / elem_size)
        return kms_err(KMS_ETRUNC, "bincode: length %llu at offset %zu exceeds the %zu bytes left",
                       (unsigned long long)v, r->pos - 8, reader_remaining(r));
    if (v > SIZE_MAX)
        return kms_err(KMS_ELIMIT, "bincode: length %llu too large", (unsigned long long)v);
    *n = (size_t)v;
    return 0;
}

int bincode_get_bytes(struct reader *r, const uint8_t **p, size_t *n)
{
    KMS_TRY(bincode_get_len(r, n, 1));
    return reader_view(r, p, *n);
}

int bincode_get_bytes_exact(struct reader *r, void *out, size_t n)
{
    const uint8_t *p;
    size_t got;
    KMS_TRY(bincode_get_bytes(r, &p, &got));
    if (got != n)
        return kms_err(KMS_EINVAL, "bincode: expected %zu bytes, got %zu", n, got);
    memcpy(out, p, n);
    return 0;
}

int bincode_expect_str(struct reader *r, const char *expect)
{
    const uint8_t *p;
    size_t n;
    KMS_TRY(bincode_get_bytes(r, &p, &n));
    if (n != strlen(expect) || memcmp(p, expect, n) != 0)
        return kms_err(KMS_EINVAL, "bincode: expected string \"%s\"", expect);
    return 0;
}

int bincode_get_variant(struct reader *r, uint32_t *tag, uint32_t n_variants)
{
    KMS_TRY(reader_u32le(r, tag));
    if (*tag >= n_variants)
        return kms_err(KMS_EINVAL, "bincode: unknown variant %u (of %u) at offset %zu",
                       *tag, n_variants, r->pos - 4);
    return 0;
}

int bincode_get_bool(struct reader *r, int *v)
{
    uint8_t x;
    KMS_TRY(reader_u8(r, &x));
    if (x > 1)
        return kms_err(KMS_EINVAL, "bincode: invalid bool byte %u", x);
    *v = x;
    return 0;
}

int bincode_get_option_tag(struct reader *r, int *present)
{
    uint8_t x;
    KMS_TRY(reader_u8(r, &x));
    if (x > 1)
        return kms_err(KMS_EINVAL, "bincode: invalid Option tag %u", x);
    *present = x;
    return 0;
}

#include "tfhe/wire/wire_io.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "base/safeser.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the wire codecs copy words as little-endian bytes");

/* ---- sinks ---- */

void wire_sink_init(struct wire_sink *s, wire_write_fn write, void *ctx, uint64_t limit)
{
    s->write = write;
    s->ctx = ctx;
    s->count = 0;
    s->limit = limit;
    s->err = 0;
}

static int write_buf(void *ctx, const void *p, size_t n)
{
    struct buf *b = ctx;
    buf_put(b, p, n);
    return buf_status(b);
}

void wire_sink_buf(struct wire_sink *s, struct buf *b, uint64_t limit)
{
    wire_sink_init(s, write_buf, b, limit);
}

static int write_file(void *ctx, const void *p, size_t n)
{
    if (n > 0 && fwrite(p, 1, n, (FILE *)ctx) != n)
        return kms_err(KMS_EIO, "wire: short write to a file");
    return 0;
}

void wire_sink_file(struct wire_sink *s, FILE *f, uint64_t limit)
{
    wire_sink_init(s, write_file, f, limit);
}

void wire_sink_counter(struct wire_sink *s) { wire_sink_init(s, NULL, NULL, UINT64_MAX); }

void wire_put(struct wire_sink *s, const void *p, size_t n)
{
    if (s->err != 0)
        return;
    if (n > s->limit || s->count > s->limit - n) {
        s->err = kms_err(KMS_ELIMIT, "wire: the object exceeds the serialization size limit "
                                     "of %llu bytes", (unsigned long long)s->limit);
        return;
    }
    if (s->write != NULL && n > 0) {
        int rc = s->write(s->ctx, p, n);
        if (rc < 0) {
            s->err = rc;
            return;
        }
    }
    s->count += n;
}

void wire_put_u8(struct wire_sink *s, uint8_t v) { wire_put(s, &v, 1); }
void wire_put_u32(struct wire_sink *s, uint32_t v) { wire_put(s, &v, 4); }
void wire_put_u64(struct wire_sink *s, uint64_t v) { wire_put(s, &v, 8); }
void wire_put_u128(struct wire_sink *s, u128 v) { wire_put(s, &v, 16); }
void wire_put_f64(struct wire_sink *s, double v) { wire_put(s, &v, 8); }
void wire_put_len(struct wire_sink *s, uint64_t n) { wire_put_u64(s, n); }

void wire_put_bytes(struct wire_sink *s, const void *p, size_t n)
{
    wire_put_len(s, n);
    wire_put(s, p, n);
}

void wire_put_str(struct wire_sink *s, const char *str) { wire_put_bytes(s, str, strlen(str)); }
void wire_put_version(struct wire_sink *s, uint32_t v) { wire_put_u32(s, v); }
void wire_put_variant(struct wire_sink *s, uint32_t v) { wire_put_u32(s, v); }
void wire_put_option(struct wire_sink *s, int present) { wire_put_u8(s, present ? 1 : 0); }
void wire_put_bool(struct wire_sink *s, int v) { wire_put_u8(s, v ? 1 : 0); }

void wire_put_scalar(struct wire_sink *s, uint64_t v)
{
    wire_put_version(s, 0);
    wire_put_u64(s, v);
}

/* Words go out in bounded pieces so that a callback never sees a single
 * multi-gigabyte write, and the size check happens before each piece. */
#define WIRE_CHUNK ((size_t)1 << 20)

static void put_chunked(struct wire_sink *s, const uint8_t *p, size_t bytes)
{
    while (bytes > 0 && s->err == 0) {
        size_t n = bytes < WIRE_CHUNK ? bytes : WIRE_CHUNK;
        wire_put(s, p, n);
        p += n;
        bytes -= n;
    }
}

void wire_put_u64s_raw(struct wire_sink *s, const uint64_t *w, size_t n)
{
    if (n > SIZE_MAX / 8) {
        s->err = s->err ? s->err : kms_err(KMS_ELIMIT, "wire: vector too large");
        return;
    }
    put_chunked(s, (const uint8_t *)w, n * 8);
}

void wire_put_u128s_raw(struct wire_sink *s, const u128 *w, size_t n)
{
    if (n > SIZE_MAX / 16) {
        s->err = s->err ? s->err : kms_err(KMS_ELIMIT, "wire: vector too large");
        return;
    }
    put_chunked(s, (const uint8_t *)w, n * 16);
}

void wire_put_u64s(struct wire_sink *s, const uint64_t *w, size_t n)
{
    wire_put_len(s, n);
    wire_put_u64s_raw(s, w, n);
}

void wire_put_u128s(struct wire_sink *s, const u128 *w, size_t n)
{
    wire_put_len(s, n);
    wire_put_u128s_raw(s, w, n);
}

void wire_put_native_modulus(struct wire_sink *s, unsigned scalar_bits)
{
    wire_put_version(s, 0);
    wire_put_u128(s, 0);
    wire_put_u64(s, scalar_bits);
}

void wire_put_tag(struct wire_sink *s, const uint8_t *tag, size_t len)
{
    wire_put_version(s, 0);
    wire_put_bytes(s, tag, len);
}

void wire_put_header(struct wire_sink *s, const char *type_name)
{
    /* base/safeser.c writes the same four fields into a buf */
    struct buf b;
    buf_init(&b, 256);
    safeser_put_header(&b, type_name);
    if (buf_status(&b) != 0)
        s->err = s->err ? s->err : buf_status(&b);
    else
        wire_put(s, b.data, b.len);
    buf_free(&b);
}

/* ---- input ---- */

int wire_open(struct reader *r, const void *bytes, size_t len, size_t size_limit,
              const char *type_name)
{
    reader_init(r, bytes, len);
    return safeser_get_header(r, type_name, size_limit);
}

int wire_peek_name(const void *bytes, size_t len, const char **name, size_t *name_len)
{
    struct reader r;
    const uint8_t *p;
    uint32_t mode;
    reader_init(&r, bytes, len);
    if (bincode_expect_str(&r, "0.5") < 0 || reader_u32le(&r, &mode) < 0 || mode != 0 ||
        bincode_expect_str(&r, "0.1") < 0)
        return kms_err(KMS_EINVAL, "not a versioned safe_serialize stream of format 0.5");
    if (bincode_get_bytes(&r, &p, name_len) < 0 || *name_len > 256)
        return kms_err(KMS_EINVAL, "safe_serialize header: bad type name");
    *name = (const char *)p;
    return 0;
}

int wire_name_is(const char *name, size_t name_len, const char *type_name)
{
    return strlen(type_name) == name_len && memcmp(name, type_name, name_len) == 0;
}

int wire_close(const struct reader *r, const char *type_name)
{
    if (reader_remaining(r) != 0)
        return kms_err(KMS_EINVAL, "%s: %zu unexpected bytes after the object", type_name,
                       reader_remaining(r));
    return 0;
}

int wire_get_version(struct reader *r, const char *what, uint32_t current)
{
    uint32_t v;
    if (reader_u32le(r, &v) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends before its version", what);
    if (v == current)
        return 0;
    if (v > current)
        return kms_err(KMS_EINVAL, "%s: version V%u is newer than tfhe-rs 1.7's V%u", what, v,
                       current);
    return kms_err(KMS_EINVAL, "%s: old version V%u is not supported (tfhe-rs 1.7 writes V%u)",
                   what, v, current);
}

int wire_get_variant(struct reader *r, const char *what, uint32_t *v, uint32_t n)
{
    if (reader_u32le(r, v) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends before its variant", what);
    if (*v >= n)
        return kms_err(KMS_EINVAL, "%s: unknown variant %u", what, *v);
    return 0;
}

int wire_get_option(struct reader *r, const char *what, int *present)
{
    if (reader_remaining(r) == 0)
        return kms_err(KMS_ETRUNC, "%s: input ends before its Option tag", what);
    if (bincode_get_option_tag(r, present) < 0)
        return kms_err(KMS_EINVAL, "%s: bad Option tag", what);
    return 0;
}

int wire_get_f64(struct reader *r, double *v)
{
    uint64_t bits;
    KMS_TRY(reader_u64le(r, &bits));
    memcpy(v, &bits, sizeof *v);
    return 0;
}

int wire_get_scalar(struct reader *r, const char *what, uint64_t *v)
{
    KMS_TRY(wire_get_version(r, what, 0));
    if (reader_u64le(r, v) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    return 0;
}

int wire_get_scalar_in(struct reader *r, const char *what, uint64_t *v, uint64_t min,
                       uint64_t max)
{
    KMS_TRY(wire_get_scalar(r, what, v));
    if (*v < min || *v > max)
        return kms_err(KMS_EINVAL, "%s: %llu is outside [%llu, %llu]", what,
                       (unsigned long long)*v, (unsigned long long)min, (unsigned long long)max);
    return 0;
}

int wire_get_scalar32(struct reader *r, const char *what, uint32_t *v, uint32_t min, uint32_t max)
{
    uint64_t x;
    KMS_TRY(wire_get_scalar_in(r, what, &x, min, max));
    *v = (uint32_t)x;
    return 0;
}

int wire_get_native_modulus(struct reader *r, const char *what, unsigned scalar_bits)
{
    u128 modulus;
    uint64_t bits;
    KMS_TRY(wire_get_version(r, what, 0));
    if (reader_u128le(r, &modulus) < 0 || reader_u64le(r, &bits) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    if (bits != scalar_bits)
        return kms_err(KMS_EINVAL, "%s: modulus of %llu-bit words, expected %u", what,
                       (unsigned long long)bits, scalar_bits);
    if (modulus != 0)
        return kms_err(KMS_EINVAL, "%s: only the native 2^%u modulus is supported", what,
                       scalar_bits);
    return 0;
}

static int get_words(struct reader *r, const char *what, const uint8_t **p, size_t *n,
                     size_t word)
{
    if (bincode_get_len(r, n, word) < 0)
        return kms_err(KMS_ETRUNC, "%s: vector length exceeds the input", what);
    return reader_view(r, p, *n * word);
}

int wire_get_u64s(struct reader *r, const char *what, const uint8_t **p, size_t *n)
{
    return get_words(r, what, p, n, 8);
}

int wire_get_u128s(struct reader *r, const char *what, const uint8_t **p, size_t *n)
{
    return get_words(r, what, p, n, 16);
}

int wire_get_u64s_exact(struct reader *r, const char *what, uint64_t *out, size_t expect)
{
    const uint8_t *p;
    size_t n;
    KMS_TRY(wire_get_u64s(r, what, &p, &n));
    if (n != expect)
        return kms_err(KMS_EINVAL, "%s: %zu words where the parameters give %zu", what, n,
                       expect);
    memcpy(out, p, n * 8);
    return 0;
}

int wire_get_u128s_exact(struct reader *r, const char *what, u128 *out, size_t expect)
{
    const uint8_t *p;
    size_t n;
    KMS_TRY(wire_get_u128s(r, what, &p, &n));
    if (n != expect)
        return kms_err(KMS_EINVAL, "%s: %zu words where the parameters give %zu", what, n,
                       expect);
    memcpy(out, p, n * 16);
    return 0;
}

int wire_tag_dup(uint8_t **out, size_t *out_len, const uint8_t *tag, size_t len)
{
    *out = NULL;
    *out_len = 0;
    if (len == 0)
        return 0;
    *out = malloc(len);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a %zu-byte tag", len);
    memcpy(*out, tag, len);
    *out_len = len;
    return 0;
}

int wire_get_tag(struct reader *r, const char *what, uint8_t **out, size_t *len)
{
    const uint8_t *p;
    size_t n;
    *out = NULL;
    *len = 0;
    KMS_TRY(wire_get_version(r, what, 0));
    if (bincode_get_bytes(r, &p, &n) < 0)
        return kms_err(KMS_ETRUNC, "%s: length exceeds the input", what);
    return wire_tag_dup(out, len, p, n);
}

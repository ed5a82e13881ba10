/* Helpers shared by the wire codec tests. Include after <cmocka.h>. */
#ifndef CKMS_WIRE_TEST_UTIL_H
#define CKMS_WIRE_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_io.h"

static inline const struct tfhe_params *wt_params(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static inline void wt_assert_msg_has(const char *needle)
{
    const char *msg = kms_err_msg();
    if (strstr(msg, needle) == NULL)
        fail_msg("error message \"%s\" lacks \"%s\"", msg, needle);
}

/* A "test"-set keyset with its server keys, client keys, a wire client key
 * and an encryption generator, all from fixed seeds. */
struct wt_env {
    struct keyset *ks;
    struct keyset_server *s;
    struct keyset_client *cl;
    struct wire_client_key ck;
    struct enc_rng rng;
};

static inline void wt_env_new(struct wt_env *e, uint8_t seed)
{
    static const uint8_t tag[] = {0x6b, 0x65, 0x79, 0x2d, 0x69, 0x64};
    uint8_t s[16] = {seed, 0x77}, s1[16] = {1, seed}, s2[16] = {2, seed};
    memset(e, 0, sizeof *e);
    assert_int_equal(keyset_generate(&e->ks, wt_params("test"), s, sizeof s, tag, sizeof tag, 128,
                                     1.0, 0),
                     0);
    assert_int_equal(keyset_decompress(&e->s, &e->ks->pub), 0);
    assert_int_equal(keyset_client_new(&e->cl, e->ks), 0);
    assert_int_equal(wire_client_key_from_keyset(&e->ck, e->ks), 0);
    assert_int_equal(csprng_init_seed(&e->rng.mask, s1), 0);
    assert_int_equal(csprng_init_seed(&e->rng.noise, s2), 0);
}

static inline void wt_env_free(struct wt_env *e)
{
    wire_client_key_clear(&e->ck);
    keyset_client_free(e->cl);
    keyset_server_free(e->s);
    keyset_free(e->ks);
    csprng_free(&e->rng.mask);
    csprng_free(&e->rng.noise);
}

/* Serializes obj with write() into a fresh malloc'd buffer. */
typedef int (*wt_write_fn)(struct wire_sink *s, const void *obj);

static inline uint8_t *wt_serialize(wt_write_fn write, const void *obj, size_t *len)
{
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    int rc = write(&s, obj);
    if (rc != 0)
        fail_msg("serialization failed: %s", kms_err_msg());
    /* the counting sink agrees with what was written */
    struct wire_sink c;
    wire_sink_counter(&c);
    assert_int_equal(write(&c, obj), 0);
    assert_int_equal(c.count, b.len);
    return buf_take(&b, len);
}

/* Reads bytes (limit applies) and frees what it read; returns the code. */
typedef int (*wt_read_fn)(const uint8_t *bytes, size_t len, size_t limit);

static inline uint64_t wt_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The reader's behaviour on damaged copies of a valid object:
 *   - the object itself reads, with exactly its size as the limit, and
 *     one byte less of limit is KMS_ELIMIT;
 *   - every strict prefix fails (KMS_ETRUNC or KMS_EINVAL), checked for
 *     the first and last 600 bytes and at a stride in between;
 *   - one trailing byte fails (KMS_EINVAL);
 *   - random single-byte corruptions never crash (sanitizers watch) and
 *     fail, if at all, with an input error. */
static inline void wt_check_malformed(const uint8_t *bytes, size_t len, wt_read_fn read)
{
    assert_int_equal(read(bytes, len, len), 0);
    assert_int_equal(read(bytes, len, len - 1), KMS_ELIMIT);
    uint8_t *copy = malloc(len + 1);
    assert_non_null(copy);
    size_t stride = len / 1500 + 1;
    for (size_t cut = 0; cut < len; cut += (cut < 600 || cut + 600 > len) ? 1 : stride) {
        memcpy(copy, bytes, cut);
        int rc = read(copy, cut, len);
        if (rc != KMS_ETRUNC && rc != KMS_EINVAL)
            fail_msg("prefix of %zu / %zu bytes: code %d (%s)", cut, len, rc, kms_err_msg());
    }
    memcpy(copy, bytes, len);
    copy[len] = 0;
    assert_int_equal(read(copy, len + 1, len + 1), KMS_EINVAL);
    wt_assert_msg_has("unexpected bytes");
    uint64_t x = 0x9e3779b97f4a7c15ull ^ len;
    for (int i = 0; i < 400; i++) {
        memcpy(copy, bytes, len);
        size_t at = (size_t)(wt_next(&x) % len);
        copy[at] = (uint8_t)wt_next(&x);
        int rc = read(copy, len, len);
        if (rc != 0 && rc != KMS_EINVAL && rc != KMS_ETRUNC)
            fail_msg("byte %zu corrupted: code %d (%s)", at, rc, kms_err_msg());
    }
    free(copy);
}

/* ---- an independent cursor for walking golden layouts ----
 * Reads little-endian fields from a serialized object and fails the test,
 * with the offset, on the first one that differs from what is expected. */

struct wt_cur {
    const uint8_t *p;
    size_t len, pos;
};

static inline u128 wt_take(struct wt_cur *c, unsigned bytes)
{
    u128 v = 0;
    if (c->pos + bytes > c->len)
        fail_msg("object ends at %zu, reading %u bytes", c->len, bytes);
    for (unsigned i = 0; i < bytes; i++)
        v |= (u128)c->p[c->pos + i] << (8 * i);
    c->pos += bytes;
    return v;
}

#define EXPECT(c, bytes, want)                                                 \
    do {                                                                       \
        size_t at_ = (c)->pos;                                                 \
        u128 got_ = wt_take((c), (bytes));                                     \
        if (got_ != (u128)(want))                                              \
            fail_msg("offset %zu: %llu, expected %llu (%s)", at_,              \
                     (unsigned long long)got_, (unsigned long long)(want), #want); \
    } while (0)
#define U8(c, v) EXPECT(c, 1, v)
#define U32(c, v) EXPECT(c, 4, v)
#define U64(c, v) EXPECT(c, 8, v)
#define U128(c, v) EXPECT(c, 16, v)
/* a versioned newtype over usize (PolynomialSize, Degree, ...): V0, value */
#define SCALAR(c, v)                                                           \
    do {                                                                       \
        U32(c, 0);                                                             \
        U64(c, v);                                                             \
    } while (0)
/* CiphertextModulus: SerializableCiphertextModulus V0 { modulus: u128 (0 =
 * native), scalar_bits: usize } */
#define NATIVE_MODULUS(c, bits)                                                \
    do {                                                                       \
        U32(c, 0);                                                             \
        U128(c, 0);                                                            \
        U64(c, bits);                                                          \
    } while (0)
#define AT(c, off) assert_int_equal((c)->pos, (off))

static inline void wt_bytes_at(struct wt_cur *c, const void *want, size_t n)
{
    if (c->pos + n > c->len)
        fail_msg("object ends at %zu, reading %zu bytes", c->len, n);
    if (n > 0)
        assert_memory_equal(c->p + c->pos, want, n);
    c->pos += n;
}

/* The safe_serialize header: header_version "0.5", Versioned mode,
 * versioning_version "0.1", then the type's Named::NAME. */
static inline void wt_header(struct wt_cur *c, const char *name)
{
    U64(c, 3);
    wt_bytes_at(c, "0.5", 3);
    U32(c, 0);
    U64(c, 3);
    wt_bytes_at(c, "0.1", 3);
    U64(c, strlen(name));
    wt_bytes_at(c, name, strlen(name));
}

/* Tag (or ReRandomizationMetadata): TagVersions V0 { Vec<u8> } */
static inline void wt_tag(struct wt_cur *c, const void *want, size_t len)
{
    U32(c, 0);
    U64(c, len);
    wt_bytes_at(c, want, len);
}

#endif

/* The primitives of every TFHE-rs 1.7 object codec: a byte sink for writers
 * and version-checking helpers for readers, on top of base/bincode.h.
 *
 * What tfhe-rs `safe_serialize` writes: the header of base/safeser.h, then
 * the object's *versioned* bincode body (tfhe-versionable 0.8). Every
 * versioned type is written as its `XxxVersions` enum: a u32 variant index
 * (the version; only the current 1.7 version is accepted here) followed by
 * its fields in declaration order, each field versioned in turn, except
 * plain data: integers (fixed width, little-endian; usize as u64), f64,
 * bool (one byte), Vec (u64 length then the elements), Option (one byte 0/1
 * then the value), tuples (the fields one after the other). A field-less
 * newtype such as PolynomialSize(usize) is therefore `u32 0, u64 value`
 * ("a scalar" below), and enums are `u32 variant` then the variant's fields.
 *
 * Writers go through a wire_sink: a callback (buffer, FILE, hash, counter)
 * with a sticky first error and the safe_serialize size limit, so that a
 * key of any size can be streamed without building it in memory. Readers
 * use struct reader (base/reader.h): every length is checked against the
 * bytes that remain before anything is allocated. */
#ifndef CKMS_TFHE_WIRE_IO_H
#define CKMS_TFHE_WIRE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/reader.h"

/* The engine's u128 (tfhe/csprng.h); C11 allows the identical typedef. */
typedef unsigned __int128 u128;

/* ---- output ---- */

/* Consumes n bytes; returns 0 or a negative KMS_E* code. */
typedef int (*wire_write_fn)(void *ctx, const void *p, size_t n);

struct wire_sink {
    wire_write_fn write; /* NULL: count only */
    void *ctx;
    uint64_t count; /* bytes accepted so far */
    uint64_t limit; /* safe_serialize size limit: more is KMS_ELIMIT */
    int err;        /* first error; every later put is a no-op */
};

void wire_sink_init(struct wire_sink *s, wire_write_fn write, void *ctx, uint64_t limit);
/* Appends to b (whose own limit and secrecy apply too; use a secret buffer
 * for client keys). */
void wire_sink_buf(struct wire_sink *s, struct buf *b, uint64_t limit);
/* Writes to f (KMS_EIO on a short write). */
void wire_sink_file(struct wire_sink *s, FILE *f, uint64_t limit);
/* Only counts: the serialized size of an object, with no limit. */
void wire_sink_counter(struct wire_sink *s);

static inline int wire_sink_status(const struct wire_sink *s) { return s->err; }

void wire_put(struct wire_sink *s, const void *p, size_t n);
void wire_put_u8(struct wire_sink *s, uint8_t v);
void wire_put_u32(struct wire_sink *s, uint32_t v);
void wire_put_u64(struct wire_sink *s, uint64_t v);
void wire_put_u128(struct wire_sink *s, u128 v);
void wire_put_f64(struct wire_sink *s, double v);
/* A bincode sequence length (u64). */
void wire_put_len(struct wire_sink *s, uint64_t n);
/* Vec<u8> and String. */
void wire_put_bytes(struct wire_sink *s, const void *p, size_t n);
void wire_put_str(struct wire_sink *s, const char *str);
/* The u32 index of a Versions enum or of any enum variant. */
void wire_put_version(struct wire_sink *s, uint32_t v);
void wire_put_variant(struct wire_sink *s, uint32_t v);
void wire_put_option(struct wire_sink *s, int present);
void wire_put_bool(struct wire_sink *s, int v);
/* A versioned newtype over usize/u64 (PolynomialSize, Degree, ...): V0, value. */
void wire_put_scalar(struct wire_sink *s, uint64_t v);
/* Vec<u64> / Vec<u128>: the length then the words. */
void wire_put_u64s(struct wire_sink *s, const uint64_t *w, size_t n);
void wire_put_u128s(struct wire_sink *s, const u128 *w, size_t n);
/* Words without a length, for a Vec whose length was put already and whose
 * body is produced piece by piece. */
void wire_put_u64s_raw(struct wire_sink *s, const uint64_t *w, size_t n);
void wire_put_u128s_raw(struct wire_sink *s, const u128 *w, size_t n);
/* CiphertextModulus<u64 or u128> (SerializableCiphertextModulus V0): the
 * native modulus is written as modulus 0, then the scalar bit width. */
void wire_put_native_modulus(struct wire_sink *s, unsigned scalar_bits);
/* tfhe-rs Tag / ReRandomizationMetadata: V0, then the bytes as Vec<u8>. */
void wire_put_tag(struct wire_sink *s, const uint8_t *tag, size_t len);
/* The safe_serialize header (base/safeser.h) for a versioned object. */
void wire_put_header(struct wire_sink *s, const char *type_name);

/* ---- input ---- */

/* Starts reading a safe_serialize stream of type_name: checks the size
 * limit as tfhe-rs does (the whole input must not exceed it) and the header. */
int wire_open(struct reader *r, const void *bytes, size_t len, size_t size_limit,
              const char *type_name) KMS_MUST_CHECK;
/* The type name in the safe_serialize header of bytes (not NUL-terminated;
 * *name points into bytes), for readers that accept several types. */
int wire_peek_name(const void *bytes, size_t len, const char **name, size_t *name_len)
    KMS_MUST_CHECK;
/* 1 if the peeked name equals type_name. */
int wire_name_is(const char *name, size_t name_len, const char *type_name);
/* The object must end exactly where the input does. */
int wire_close(const struct reader *r, const char *type_name) KMS_MUST_CHECK;

/* A Versions index, which must be `current` (the one tfhe-rs 1.7 writes). */
int wire_get_version(struct reader *r, const char *what, uint32_t current) KMS_MUST_CHECK;
/* An enum variant index below n. */
int wire_get_variant(struct reader *r, const char *what, uint32_t *v, uint32_t n) KMS_MUST_CHECK;
int wire_get_option(struct reader *r, const char *what, int *present) KMS_MUST_CHECK;
int wire_get_f64(struct reader *r, double *v) KMS_MUST_CHECK;
/* A versioned u64/usize newtype. */
int wire_get_scalar(struct reader *r, const char *what, uint64_t *v) KMS_MUST_CHECK;
/* The same, which must lie in [min, max] (KMS_EINVAL naming `what`). */
int wire_get_scalar_in(struct reader *r, const char *what, uint64_t *v, uint64_t min,
                       uint64_t max) KMS_MUST_CHECK;
/* The same into a uint32_t. */
int wire_get_scalar32(struct reader *r, const char *what, uint32_t *v, uint32_t min,
                      uint32_t max) KMS_MUST_CHECK;
/* A CiphertextModulus that must be native for scalar_bits-bit words (ckms
 * handles no other modulus; tfhe-rs would also re-serialize a custom
 * 2^scalar_bits as 0, so refusing keeps round trips exact). */
int wire_get_native_modulus(struct reader *r, const char *what, unsigned scalar_bits)
    KMS_MUST_CHECK;
/* Vec<u64> / Vec<u128> viewed in place: *p points at n little-endian words
 * in the input (unaligned: copy with memcpy). */
int wire_get_u64s(struct reader *r, const char *what, const uint8_t **p, size_t *n)
    KMS_MUST_CHECK;
int wire_get_u128s(struct reader *r, const char *what, const uint8_t **p, size_t *n)
    KMS_MUST_CHECK;
/* The same, which must hold exactly `expect` words, copied into out. */
int wire_get_u64s_exact(struct reader *r, const char *what, uint64_t *out, size_t expect)
    KMS_MUST_CHECK;
int wire_get_u128s_exact(struct reader *r, const char *what, u128 *out, size_t expect)
    KMS_MUST_CHECK;
/* A Tag: *out is a malloc'd copy (NULL when empty), *len its length. */
int wire_get_tag(struct reader *r, const char *what, uint8_t **out, size_t *len) KMS_MUST_CHECK;

/* Copies a malloc'd tag (NULL for an empty one). */
int wire_tag_dup(uint8_t **out, size_t *out_len, const uint8_t *tag, size_t len) KMS_MUST_CHECK;

#endif

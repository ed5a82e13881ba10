/* bincode 1.x with fixed-width integers (the "legacy" configuration that
 * tfhe-rs safe_serialize and the KMS's bc2wrap use): little-endian integers,
 * u64 length prefixes for sequences and strings, u32 enum variant tags,
 * a one-byte tag for Option and one byte for bool.
 *
 * Writers build on struct buf (sticky error); readers on struct reader and
 * refuse any length that the remaining input cannot hold, so a hostile
 * length prefix never causes a large allocation. */
#ifndef CKMS_BASE_BINCODE_H
#define CKMS_BASE_BINCODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/reader.h"

void bincode_put_len(struct buf *b, size_t n);
/* Vec<u8> / &[u8]: u64 length then the bytes. */
void bincode_put_bytes(struct buf *b, const void *p, size_t n);
/* String: u64 length then UTF-8 bytes (NUL not included). */
void bincode_put_str(struct buf *b, const char *s);
void bincode_put_variant(struct buf *b, uint32_t tag);
void bincode_put_bool(struct buf *b, int v);
void bincode_put_option_tag(struct buf *b, int present);

/* A sequence length, checked so that n elements of elem_size bytes each fit
 * in what remains of the input (elem_size 0 skips that check). */
int bincode_get_len(struct reader *r, size_t *n, size_t elem_size) KMS_MUST_CHECK;
/* Vec<u8>: points *p at the bytes in the input. */
int bincode_get_bytes(struct reader *r, const uint8_t **p, size_t *n) KMS_MUST_CHECK;
/* Vec<u8> that must be exactly n bytes long, copied into out. */
int bincode_get_bytes_exact(struct reader *r, void *out, size_t n) KMS_MUST_CHECK;
/* String equal to `expect`, or KMS_EINVAL. */
int bincode_expect_str(struct reader *r, const char *expect) KMS_MUST_CHECK;
/* Enum variant tag, which must be < n_variants. */
int bincode_get_variant(struct reader *r, uint32_t *tag, uint32_t n_variants) KMS_MUST_CHECK;
int bincode_get_bool(struct reader *r, int *v) KMS_MUST_CHECK;
int bincode_get_option_tag(struct reader *r, int *present) KMS_MUST_CHECK;

#endif

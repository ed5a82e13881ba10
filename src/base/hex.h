/* Hexadecimal encoding. Both directions run in time independent of the byte
 * values, so they are safe for secret keys. */
#ifndef CKMS_BASE_HEX_H
#define CKMS_BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Writes 2n lower-case hex digits and a NUL to out (out_cap >= 2n + 1).
 * Returns 0, or KMS_EINVAL when out is too small. */
int hex_encode(char *out, size_t out_cap, const void *in, size_t n) KMS_MUST_CHECK;

/* Decodes in_len characters, with or without a leading "0x"/"0X", digits of
 * either case. Fails on an odd digit count, a non-hex character or more than
 * out_cap bytes of output. *out_len receives the byte count. */
int hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t in_len)
    KMS_MUST_CHECK;

/* Decodes the NUL-terminated str into exactly n bytes, or fails. */
int hex_decode_exact(uint8_t *out, size_t n, const char *str) KMS_MUST_CHECK;

#endif

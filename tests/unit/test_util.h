/* Helpers shared by the cmocka unit tests. Include after <cmocka.h>. */
#ifndef CKMS_TEST_UTIL_H
#define CKMS_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

/* Decodes a hex literal into a malloc'd buffer (test input only). */
static inline uint8_t *test_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *p = malloc(n / 2 + 1);
    size_t got = 0;
    if (p == NULL || hex_decode(p, n / 2 + 1, &got, hex, n) != 0) {
        free(p);
        fail_msg("bad hex literal in test: %s", hex);
        return NULL;
    }
    if (len != NULL)
        *len = got;
    return p;
}

/* Fails the test unless the n bytes at p equal the hex string. */
#define assert_bytes_hex(p, n, hex)                                            \
    do {                                                                       \
        size_t ckms_n_ = (n);                                                  \
        char *ckms_h_ = malloc(2 * ckms_n_ + 1);                               \
        assert_non_null(ckms_h_);                                              \
        assert_int_equal(hex_encode(ckms_h_, 2 * ckms_n_ + 1, (p), ckms_n_), 0); \
        assert_string_equal(ckms_h_, (hex));                                   \
        free(ckms_h_);                                                         \
    } while (0)

#endif

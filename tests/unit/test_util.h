/* Helpers shared by the cmocka unit tests. Include after <cmocka.h>. */
#ifndef CKMS_TEST_UTIL_H
#define CKMS_TEST_UTIL_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
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

/* Makes a fresh directory <temp>/<prefix>-XXXXXX in out, where <temp> is
 * $TMPDIR or the C library's temporary directory. */
static inline void test_mkdtemp(char *out, size_t cap, const char *prefix)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = P_tmpdir;
    int n = snprintf(out, cap, "%s/%s-XXXXXX", base, prefix);
    if (n < 0 || (size_t)n >= cap || mkdtemp(out) == NULL)
        fail_msg("cannot make a temporary directory under %s", base);
}

static inline int test_rmtree_entry(const char *path, const struct stat *st, int flag,
                                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything below it; 0 on success. */
static inline int test_rmtree(const char *dir)
{
    return nftw(dir, test_rmtree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The same for a file, opened for writing; returns its descriptor. */
static inline int test_mkstemp(char *out, size_t cap, const char *prefix)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = P_tmpdir;
    int n = snprintf(out, cap, "%s/%s-XXXXXX", base, prefix);
    int fd = n < 0 || (size_t)n >= cap ? -1 : mkstemp(out);
    if (fd < 0)
        fail_msg("cannot make a temporary file under %s", base);
    return fd;
}

#endif

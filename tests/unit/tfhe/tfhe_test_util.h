/* Small helpers shared by the compression tests: parameter lookup,
 * allocation that must succeed, a reproducible generator for test data and
 * random values of a radix type. */
#ifndef CKMS_TFHE_TEST_UTIL_H
#define CKMS_TFHE_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>

#include "tfhe/params.h"
#include "tfhe/radix.h"

/* Defined under AddressSanitizer, where the default sets are too slow. */
#if defined(__SANITIZE_ADDRESS__)
#define TFHE_TEST_UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TFHE_TEST_UNDER_SAN 1
#endif
#endif

static inline const struct tfhe_params *get(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static inline void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    assert_non_null(p);
    return p;
}

/* SplitMix64: test data only, never key material. */
static inline uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Random value of a type in radix.h's byte layout (sign- or zero-extended
 * past the type's bits, 0/1 for a bool). */
static inline void random_value(uint8_t *le, const struct radix_type *t, uint64_t *seed)
{
    size_t len = radix_type_bytes(t);
    for (size_t i = 0; i < len; i++)
        le[i] = (uint8_t)splitmix(seed);
    if (t->is_bool) {
        le[0] &= 1;
        return;
    }
    unsigned used = t->bits % 8;
    if (used != 0) {
        uint8_t low = (uint8_t)((1u << used) - 1), top = le[len - 1] & low;
        if (t->is_signed && ((top >> (used - 1)) & 1))
            top |= (uint8_t)~low;
        le[len - 1] = top;
    }
}

#endif

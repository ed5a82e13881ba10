#include "tfhe/sampler.h"

#include <string.h>

#include "base/secmem.h"

#define CHUNK 4096 /* bytes drawn per csprng call */

int sample_uniform_u64(struct csprng *g, uint64_t *out, size_t n)
{
    /* little-endian words are the stream bytes in order on this host */
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");
    return csprng_fill(g, out, n * sizeof *out);
}

int sample_uniform_u128(struct csprng *g, u128 *out, size_t n)
{
    return csprng_fill(g, out, n * sizeof *out);
}

#define BINARY_SAMPLER(name, type)                                             \
    int name(struct csprng *g, type *out, size_t n)                            \
    {                                                                          \
        uint8_t bytes[CHUNK];                                                  \
        for (size_t done = 0; done < n;) {                                     \
            size_t m = n - done < CHUNK ? n - done : CHUNK;                    \
            KMS_TRY(csprng_fill(g, bytes, m));                                 \
            for (size_t i = 0; i < m; i++)                                     \
                out[done + i] = bytes[i] & 1u;                                 \
            done += m;                                                         \
        }                                                                      \
        secmem_wipe(bytes, sizeof bytes);                                      \
        return 0;                                                              \
    }

BINARY_SAMPLER(sample_binary_u64, uint64_t)
BINARY_SAMPLER(sample_binary_u128, u128)

/* One sample from `w` little-endian bytes at p. */
static inline u128 tuniform_one(const uint8_t *p, size_t w, unsigned b)
{
    u128 x = 0;
    for (size_t i = 0; i < w; i++)
        x |= (u128)p[i] << (8 * i);
    unsigned bits = b + 2;
    if (bits < 128)
        x &= ((u128)1 << bits) - 1;
    x = (x >> 1) + (x & 1);
    return x - ((u128)1 << b);
}

#define TUNIFORM_SAMPLER(name, type, op)                                       \
    int name(struct csprng *g, unsigned b, type *out, size_t n)                \
    {                                                                          \
        if (b + 2 > 8 * sizeof(type))                                          \
            return kms_err(KMS_EINVAL, "TUniform bound 2^%u too large", b);    \
        size_t w = sample_tuniform_bytes(b);                                   \
        uint8_t bytes[CHUNK];                                                  \
        size_t per = CHUNK / w;                                                \
        for (size_t done = 0; done < n;) {                                     \
            size_t m = n - done < per ? n - done : per;                        \
            KMS_TRY(csprng_fill(g, bytes, m * w));                             \
            for (size_t i = 0; i < m; i++)                                     \
                out[done + i] op (type)tuniform_one(bytes + i * w, w, b);      \
            done += m;                                                         \
        }                                                                      \
        secmem_wipe(bytes, sizeof bytes);                                      \
        return 0;                                                              \
    }

TUNIFORM_SAMPLER(sample_tuniform_u64, uint64_t, =)
TUNIFORM_SAMPLER(sample_tuniform_u128, u128, =)
TUNIFORM_SAMPLER(sample_add_tuniform_u64, uint64_t, +=)
TUNIFORM_SAMPLER(sample_add_tuniform_u128, u128, +=)

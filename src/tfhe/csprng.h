/* The tfhe-csprng AES-128-CTR generator, byte for byte as tfhe-rs 1.7 runs
 * it, so that seeded ("compressed") keys regenerate the same masks:
 *
 *   byte j of the stream = AES_K( LE128(offset + j / 16) )[j mod 16]
 *
 *   Seed(s):        K = the 16 little-endian bytes of s, offset = 0.
 *   XofSeed(d, s):  data = d (8-byte domain separator) || s; CBC-MAC with the
 *                   all-zero key over data split in 16-byte blocks (the last
 *                   zero-padded) followed by LE128(8 * len(data)):
 *                   K = the last MAC block, offset = the one before it.
 *
 * A generator reads its stream strictly in order. Forking hands out the next
 * n * bytes_each bytes as n bounded child generators (child i gets bytes
 * [pos + i*bytes_each, pos + (i+1)*bytes_each)) and moves the parent past
 * them; this is how tfhe-rs gives every key entity its own slice of masks.
 * Reading past a bound is a programming error and fails. */
#ifndef CKMS_TFHE_CSPRNG_H
#define CKMS_TFHE_CSPRNG_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/aes.h"

typedef unsigned __int128 u128;

#define CSPRNG_CACHE_BLOCKS 64
#define CSPRNG_UNBOUNDED (~(u128)0)

/* The keyed part, shared between a generator and its forks. */
struct csprng_key {
    struct aes_ctx aes;
    u128 offset;
    uint8_t raw[16]; /* kept to clone the key for another thread; wiped on free */
};

struct csprng {
    struct csprng_key *key;
    int owns_key;
    u128 pos; /* next byte to read */
    u128 end; /* first byte this generator may not read */
    u128 cache_first_block;
    size_t cache_blocks;
    uint8_t cache[CSPRNG_CACHE_BLOCKS * 16];
};

/* Seed(u128): seed[] holds its 16 little-endian bytes. */
int csprng_init_seed(struct csprng *g, const uint8_t seed[16]) KMS_MUST_CHECK;
/* XofSeed(domain separator, seed bytes of any length). */
int csprng_init_xof(struct csprng *g, const uint8_t dsep[8], const uint8_t *seed,
                    size_t seed_len) KMS_MUST_CHECK;
/* Starts reading at byte `first_byte` instead of 0 (tfhe-rs TableIndex). */
void csprng_seek_start(struct csprng *g, u128 first_byte);

int csprng_fill(struct csprng *g, void *out, size_t n) KMS_MUST_CHECK;
int csprng_skip(struct csprng *g, u128 n) KMS_MUST_CHECK;
static inline u128 csprng_remaining(const struct csprng *g) { return g->end - g->pos; }

/* Splits off n_children bounded children of bytes_each bytes each. The
 * children share g's key: they must not outlive g, and g and its children
 * must be used from one thread at a time. Children need no csprng_free. */
int csprng_fork(struct csprng *g, struct csprng *children, size_t n_children, u128 bytes_each)
    KMS_MUST_CHECK;
/* Like a one-child fork: returns one bounded child and advances g. */
int csprng_take(struct csprng *g, struct csprng *child, u128 n_bytes) KMS_MUST_CHECK;

/* A generator over the same stream position with its own key copy, safe to
 * use from another thread (for parallel key generation). Free it. */
int csprng_clone(struct csprng *dst, const struct csprng *src) KMS_MUST_CHECK;

/* Wipes and releases g (its key too if it owns it). NULL is a no-op. */
void csprng_free(struct csprng *g);

#endif

#include "crypto/keccak.h"

#include <string.h>

#include "base/secmem.h"

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rol(uint64_t x, unsigned s) { return s ? (x << s) | (x >> (64 - s)) : x; }

/* Lanes are indexed a[x + 5y]. rho offsets and the pi permutation follow
 * FIPS 202 §3.2; pi is applied as the cycle starting from lane 1. */
static const unsigned rho_offsets[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                         27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi_lanes[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                      15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

void keccak_f1600(uint64_t a[25])
{
    uint64_t c[5], t;
    for (int round = 0; round < 24; round++) {
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= d;
        }
        /* rho and pi */
        t = a[1];
        for (int i = 0; i < 24; i++) {
            uint64_t next = a[pi_lanes[i]];
            a[pi_lanes[i]] = rol(t, rho_offsets[i]);
            t = next;
        }
        /* chi */
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++)
                c[x] = a[y + x];
            for (int x = 0; x < 5; x++)
                a[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
        }
        /* iota */
        a[0] ^= round_constants[round];
    }
}

/* The state is kept as lanes; bytes map little-endian into them. */
static inline void xor_byte(uint64_t a[25], size_t i, uint8_t v)
{
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

static inline uint8_t get_byte(const uint64_t a[25], size_t i)
{
    return (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

static inline uint64_t load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

void keccak_init(struct keccak *k, uint32_t rate, uint8_t pad)
{
    memset(k, 0, sizeof *k);
    k->rate = rate;
    k->pad = pad;
}

void keccak_init_keccak256(struct keccak *k) { keccak_init(k, 136, 0x01); }
void keccak_init_sha3_256(struct keccak *k) { keccak_init(k, 136, 0x06); }
void keccak_init_sha3_512(struct keccak *k) { keccak_init(k, 72, 0x06); }
void keccak_init_shake128(struct keccak *k) { keccak_init(k, SHAKE128_RATE, 0x1f); }
void keccak_init_shake256(struct keccak *k) { keccak_init(k, SHAKE256_RATE, 0x1f); }

void keccak_absorb(struct keccak *k, const void *in, size_t n)
{
    const uint8_t *p = in;
    /* finish a partial block byte by byte */
    while (n > 0 && k->pos != 0) {
        xor_byte(k->a, k->pos++, *p++);
        n--;
        if (k->pos == k->rate) {
            keccak_f1600(k->a);
            k->pos = 0;
        }
    }
    /* whole blocks a lane at a time (every rate is a multiple of 8) */
    while (n >= k->rate) {
        for (size_t i = 0; i < k->rate / 8; i++)
            k->a[i] ^= load64le(p + 8 * i);
        keccak_f1600(k->a);
        p += k->rate;
        n -= k->rate;
    }
    while (n > 0) {
        xor_byte(k->a, k->pos++, *p++);
        n--;
    }
}

static void finalize(struct keccak *k)
{
    xor_byte(k->a, k->pos, k->pad);
    xor_byte(k->a, k->rate - 1, 0x80);
    keccak_f1600(k->a);
    k->pos = 0;
    k->squeezing = 1;
}

void keccak_squeeze(struct keccak *k, void *out, size_t n)
{
    uint8_t *o = out;
    if (!k->squeezing)
        finalize(k);
    while (n > 0) {
        if (k->pos == k->rate) {
            keccak_f1600(k->a);
            k->pos = 0;
        }
        size_t take = k->rate - k->pos;
        if (take > n)
            take = n;
        for (size_t i = 0; i < take; i++)
            o[i] = get_byte(k->a, k->pos + i);
        k->pos += (uint32_t)take;
        o += take;
        n -= take;
    }
}

void keccak_clear(struct keccak *k) { secmem_wipe(k, sizeof *k); }

static void oneshot(void (*init)(struct keccak *), void *out, size_t out_len,
                    const void *in, size_t n)
{
    struct keccak k;
    init(&k);
    keccak_absorb(&k, in, n);
    keccak_squeeze(&k, out, out_len);
    keccak_clear(&k);
}

void keccak256(uint8_t out[32], const void *in, size_t n) { oneshot(keccak_init_keccak256, out, 32, in, n); }
void sha3_256(uint8_t out[32], const void *in, size_t n) { oneshot(keccak_init_sha3_256, out, 32, in, n); }
void sha3_512(uint8_t out[64], const void *in, size_t n) { oneshot(keccak_init_sha3_512, out, 64, in, n); }
void shake128(void *out, size_t out_len, const void *in, size_t n) { oneshot(keccak_init_shake128, out, out_len, in, n); }
void shake256(void *out, size_t out_len, const void *in, size_t n) { oneshot(keccak_init_shake256, out, out_len, in, n); }

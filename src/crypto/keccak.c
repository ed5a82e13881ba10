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

#define ROL(x, s) (((x) << (s)) | ((x) >> (64 - (s))))

/* One round without iota, reading lanes A0..A24 and writing E0..E24. The
 * lane order and rotation amounts follow FIPS 202 §3.2 (theta, rho, pi and
 * chi fused; B holds one output row after rho and pi). */
#define KECCAK_ROUND(A, E)                                                     \
    do {                                                                       \
        c0 = A##0 ^ A##5 ^ A##10 ^ A##15 ^ A##20;                              \
        c1 = A##1 ^ A##6 ^ A##11 ^ A##16 ^ A##21;                              \
        c2 = A##2 ^ A##7 ^ A##12 ^ A##17 ^ A##22;                              \
        c3 = A##3 ^ A##8 ^ A##13 ^ A##18 ^ A##23;                              \
        c4 = A##4 ^ A##9 ^ A##14 ^ A##19 ^ A##24; d0 = c4 ^ ROL(c1, 1);        \
        d1 = c0 ^ ROL(c2, 1); d2 = c1 ^ ROL(c3, 1); d3 = c2 ^ ROL(c4, 1);      \
        d4 = c3 ^ ROL(c0, 1); b0 = A##0 ^ d0; b1 = ROL(A##6 ^ d1, 44);         \
        b2 = ROL(A##12 ^ d2, 43); b3 = ROL(A##18 ^ d3, 21);                    \
        b4 = ROL(A##24 ^ d4, 14); E##0 = b0 ^ (~b1 & b2);                      \
        E##1 = b1 ^ (~b2 & b3); E##2 = b2 ^ (~b3 & b4);                        \
        E##3 = b3 ^ (~b4 & b0); E##4 = b4 ^ (~b0 & b1);                        \
        b0 = ROL(A##3 ^ d3, 28); b1 = ROL(A##9 ^ d4, 20);                      \
        b2 = ROL(A##10 ^ d0, 3); b3 = ROL(A##16 ^ d1, 45);                     \
        b4 = ROL(A##22 ^ d2, 61); E##5 = b0 ^ (~b1 & b2);                      \
        E##6 = b1 ^ (~b2 & b3); E##7 = b2 ^ (~b3 & b4);                        \
        E##8 = b3 ^ (~b4 & b0); E##9 = b4 ^ (~b0 & b1);                        \
        b0 = ROL(A##1 ^ d1, 1); b1 = ROL(A##7 ^ d2, 6);                        \
        b2 = ROL(A##13 ^ d3, 25); b3 = ROL(A##19 ^ d4, 8);                     \
        b4 = ROL(A##20 ^ d0, 18); E##10 = b0 ^ (~b1 & b2);                     \
        E##11 = b1 ^ (~b2 & b3); E##12 = b2 ^ (~b3 & b4);                      \
        E##13 = b3 ^ (~b4 & b0); E##14 = b4 ^ (~b0 & b1);                      \
        b0 = ROL(A##4 ^ d4, 27); b1 = ROL(A##5 ^ d0, 36);                      \
        b2 = ROL(A##11 ^ d1, 10); b3 = ROL(A##17 ^ d2, 15);                    \
        b4 = ROL(A##23 ^ d3, 56); E##15 = b0 ^ (~b1 & b2);                     \
        E##16 = b1 ^ (~b2 & b3); E##17 = b2 ^ (~b3 & b4);                      \
        E##18 = b3 ^ (~b4 & b0); E##19 = b4 ^ (~b0 & b1);                      \
        b0 = ROL(A##2 ^ d2, 62); b1 = ROL(A##8 ^ d3, 55);                      \
        b2 = ROL(A##14 ^ d4, 39); b3 = ROL(A##15 ^ d0, 41);                    \
        b4 = ROL(A##21 ^ d1, 2); E##20 = b0 ^ (~b1 & b2);                      \
        E##21 = b1 ^ (~b2 & b3); E##22 = b2 ^ (~b3 & b4);                      \
        E##23 = b3 ^ (~b4 & b0); E##24 = b4 ^ (~b0 & b1);                      \
    } while (0)

#define LANES(X)                                                               \
    X##0, X##1, X##2, X##3, X##4, X##5, X##6, X##7, X##8, X##9, X##10, X##11, \
        X##12, X##13, X##14, X##15, X##16, X##17, X##18, X##19, X##20, X##21,  \
        X##22, X##23, X##24

/* Lanes are indexed a[x + 5y]. The state stays in 25 locals for the whole
 * permutation, two rounds per iteration (a -> e -> a), which lets the
 * compiler keep it in registers: several times faster than array loops. */
void keccak_f1600(uint64_t s[25])
{
    uint64_t LANES(a), LANES(e), b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6];
    a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12];
    a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18];
    a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND(a, e);
        e0 ^= round_constants[round];
        KECCAK_ROUND(e, a);
        a0 ^= round_constants[round + 1];
    }
    s[0] = a0, s[1] = a1, s[2] = a2, s[3] = a3, s[4] = a4, s[5] = a5, s[6] = a6;
    s[7] = a7, s[8] = a8, s[9] = a9, s[10] = a10, s[11] = a11, s[12] = a12;
    s[13] = a13, s[14] = a14, s[15] = a15, s[16] = a16, s[17] = a17, s[18] = a18;
    s[19] = a19, s[20] = a20, s[21] = a21, s[22] = a22, s[23] = a23, s[24] = a24;
}

/* The state is kept as lanes; bytes map little-endian into them. */
static inline void xor_byte(uint64_t a[25], size_t i, uint8_t v)
{
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

static inline __attribute__((unused)) uint8_t get_byte(const uint64_t a[25], size_t i)
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
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* lanes are little-endian, so the state's memory is the byte stream */
        memcpy(o, (const uint8_t *)k->a + k->pos, take);
#else
        for (size_t i = 0; i < take; i++)
            o[i] = get_byte(k->a, k->pos + i);
#endif
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

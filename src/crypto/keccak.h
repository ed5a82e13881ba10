/* One Keccak-f[1600] sponge behind every hash ckms uses:
 *   Keccak-256 (Ethereum, pad 0x01), SHA3-256/512 (pad 0x06) and
 *   SHAKE128/256 (pad 0x1F), with incremental absorb and squeeze: a SHAKE
 *   output may be read in any number of pieces and is one continuous stream.
 *
 * Usage: keccak_init_*(), keccak_absorb() any number of times, then
 * keccak_squeeze() any number of times (the first squeeze pads). Absorbing
 * after squeezing is a programming error. */
#ifndef CKMS_CRYPTO_KECCAK_H
#define CKMS_CRYPTO_KECCAK_H

#include <stddef.h>
#include <stdint.h>

struct keccak {
    uint64_t a[25];
    uint32_t rate;     /* bytes absorbed or squeezed per permutation */
    uint32_t pos;      /* offset within the current block */
    uint8_t pad;       /* domain-separation padding byte */
    uint8_t squeezing; /* 0 while absorbing */
};

void keccak_f1600(uint64_t a[25]);

void keccak_init(struct keccak *k, uint32_t rate, uint8_t pad);
void keccak_init_keccak256(struct keccak *k);
void keccak_init_sha3_256(struct keccak *k);
void keccak_init_sha3_512(struct keccak *k);
void keccak_init_shake128(struct keccak *k);
void keccak_init_shake256(struct keccak *k);

void keccak_absorb(struct keccak *k, const void *in, size_t n);
void keccak_squeeze(struct keccak *k, void *out, size_t n);
/* Wipes the state. */
void keccak_clear(struct keccak *k);

#define KECCAK256_BYTES 32
#define SHA3_256_BYTES 32
#define SHA3_512_BYTES 64
#define SHAKE128_RATE 168
#define SHAKE256_RATE 136

/* One-shot helpers. */
void keccak256(uint8_t out[32], const void *in, size_t n);
void sha3_256(uint8_t out[32], const void *in, size_t n);
void sha3_512(uint8_t out[64], const void *in, size_t n);
void shake128(void *out, size_t out_len, const void *in, size_t n);
void shake256(void *out, size_t out_len, const void *in, size_t n);

#endif

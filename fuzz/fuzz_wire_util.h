/* Shared by the wire fuzz harnesses (fuzz_wire_*.c): the round-trip check
 * and a fixed "test"-set client key for the decryption paths. */
#ifndef CKMS_FUZZ_WIRE_UTIL_H
#define CKMS_FUZZ_WIRE_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfhe/keyset.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_decrypt.h"

/* Readers accept only what they can write back identically: an accepted
 * input must re-serialize to exactly its own bytes. */
static inline void fw_expect_same(const uint8_t *data, size_t size,
                                  int (*write)(struct wire_sink *s, const void *obj),
                                  const void *obj)
{
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, size);
    if (write(&s, obj) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
        abort();
    buf_free(&b);
}

/* A "test"-set keyset from the seed {s, s, 0, ...}. */
static inline struct keyset *fw_test_keyset(uint8_t s, const uint8_t *tag, size_t tag_len)
{
    const struct tfhe_params *p;
    struct keyset *ks;
    uint8_t seed[16] = {s, s};
    if (tfhe_params_get(&p, "test", 1) != 0 ||
        keyset_generate(&ks, p, seed, sizeof seed, tag, tag_len, 128, 1.0, 0) != 0)
        abort();
    return ks;
}

/* A malloc'd copy of base (n bytes) with the 5-byte patch records of rec
 * applied: a u32 offset (mod n) and a byte to xor there; offset 0xffffffff
 * truncates instead, at the record's byte in 256ths of n. *len is the
 * length left. */
static inline uint8_t *fw_patch(size_t *len, const uint8_t *base, size_t n, const uint8_t *rec,
                                size_t rec_len)
{
    uint8_t *copy = malloc(n);
    if (copy == NULL)
        abort();
    memcpy(copy, base, n);
    *len = n;
    for (size_t i = 0; i + 5 <= rec_len; i += 5) {
        uint32_t off = (uint32_t)rec[i] | (uint32_t)rec[i + 1] << 8 | (uint32_t)rec[i + 2] << 16 |
                       (uint32_t)rec[i + 3] << 24;
        if (off == 0xffffffffu)
            *len = rec[i + 4] * (n / 256);
        else
            copy[off % n] ^= rec[i + 4];
    }
    return copy;
}

/* A fixed "test"-set client key (made once). */
static inline const struct wire_client_key *fw_test_key(void)
{
    static struct wire_client_key ck;
    static int done;
    if (!done) {
        struct keyset *ks = fw_test_keyset(9, NULL, 0);
        if (wire_client_key_from_keyset(&ck, ks) != 0)
            abort();
        keyset_free(ks);
        done = 1;
    }
    return &ck;
}

/* Decrypts the first elements of any ciphertext object with the test key;
 * failures are fine, a zeroed output on failure is required. */
static inline void fw_decrypt_all(const uint8_t *data, size_t size)
{
    static struct wire_decryptor *d;
    if (d == NULL && wire_decryptor_new(&d, fw_test_key()) != 0)
        abort();
    for (size_t i = 0; i < 4; i++) {
        const struct radix_type *t;
        uint8_t out[RADIX_MAX_BYTES];
        size_t out_len, count = 0;
        if (wire_decrypt(d, data, size, size, i, &t, out, sizeof out, &out_len, &count) != 0) {
            for (size_t j = 0; j < sizeof out; j++)
                if (out[j] != 0)
                    abort();
        }
        if (i + 1 >= count)
            break;
    }
}

#endif

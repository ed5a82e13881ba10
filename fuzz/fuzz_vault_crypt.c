/* The encrypted vault's object parser and decryption (src/store/vault_crypt.c).
 *
 * Input: [mode (1)] [rest]
 *   mode even: rest is an object as stored. It is read through the
 *     encrypting wrapper (fixed KEK and address) whole and in odd-sized
 *     streaming reads. Only KMS_EVERIFY (nothing returned) or success is
 *     allowed; on success both reads must agree. The seeds are genuine
 *     objects, so the fuzzer starts from the accepting path.
 *   mode odd: [shift (1)] [op (1)] [pos (4, LE)] [plaintext]: seals the
 *     plaintext with chunks of 2^(6 + shift % 7) bytes, checks that it reads
 *     back, then damages the stored bytes (op: flip a bit, truncate, append,
 *     swap two chunks, move to another address) and checks that the damage
 *     is rejected with KMS_EVERIFY and nothing returned. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "store/vault.h"
#include "store/vault_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID_A "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee"
#define ID_B "0800000000000000000000000000000000000000000000000000000000000001"
#define TYPE VAULT_PRIV_FHE_PRIVATE_KEY
#define MAX_PT 65536

static const uint8_t fuzz_kek[32] = {
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
};

static void check(int cond)
{
    if (!cond)
        __builtin_trap();
}

/* An encrypting vault over a fresh memory vault; *inner is the raw side. */
static struct vault *open_vault(struct vault **inner, unsigned shift)
{
    struct vault_kek *k;
    struct vault *v;
    check(vault_kek_from_bytes(&k, fuzz_kek, sizeof fuzz_kek) == 0);
    check(vault_mem_open(inner, "PRIV", VAULT_F_PRIVATE) == 0);
    check(vault_crypt_wrap(&v, *inner, k, shift) == 0);
    vault_kek_free(k);
    return v;
}

/* Must be rejected, with nothing handed out. */
static void expect_rejected(struct vault *v, const struct vault_addr *a)
{
    struct buf b;
    buf_init(&b, 1u << 24);
    int rc = vault_read(v, &b, a);
    check(rc == KMS_EVERIFY && b.len == 0);
    buf_free(&b);
}

static void parse_stored(const uint8_t *obj, size_t len)
{
    struct vault *inner, *v = open_vault(&inner, 0);
    const struct vault_addr *a = VAULT_ADDR(TYPE, ID_A);
    check(vault_store(inner, a, obj, len) == 0);

    struct buf whole;
    buf_init(&whole, 1u << 24);
    int rc = vault_read(v, &whole, a);
    check(rc == 0 || rc == KMS_EVERIFY || rc == KMS_ELIMIT);
    check(rc == 0 || whole.len == 0);

    struct vault_reader *r;
    int rc2 = vault_reader_open(v, &r, a);
    check(rc2 == 0 || rc2 == KMS_EVERIFY);
    if (rc2 == 0) {
        uint8_t piece[97];
        size_t off = 0, got, step = 1;
        for (;;) {
            rc2 = vault_reader_read(r, piece, step, &got);
            if (rc2 != 0 || got == 0)
                break;
            check(off + got <= vault_reader_size(r));
            /* what streaming hands out must match the verified whole read */
            if (rc == 0)
                check(memcmp(piece, whole.data + off, got) == 0);
            off += got;
            step = step % sizeof piece + 13;
        }
        check(rc2 == 0 || rc2 == KMS_EVERIFY);
        check((rc == 0) == (rc2 == 0));
        if (rc == 0)
            check(off == whole.len);
        vault_reader_close(r);
    }
    buf_free(&whole);
    vault_free(v);
}

/* Swaps the first two chunks when there are two. */
static int swap_chunks(uint8_t *raw, size_t len, size_t chunk)
{
    size_t ct = chunk + VAULT_CRYPT_TAG_BYTES;
    if (len < VAULT_CRYPT_HEADER_BYTES + 2 * ct)
        return 0;
    uint8_t *p = raw + VAULT_CRYPT_HEADER_BYTES;
    uint8_t *tmp = malloc(ct);
    check(tmp != NULL);
    memcpy(tmp, p, ct);
    memmove(p, p + ct, ct);
    memcpy(p + ct, tmp, ct);
    free(tmp);
    return 1;
}

static void seal_and_tamper(const uint8_t *in, size_t len)
{
    if (len < 6)
        return;
    unsigned shift = 6 + in[0] % 7;
    unsigned op = in[1] % 5;
    uint32_t pos = (uint32_t)in[2] | (uint32_t)in[3] << 8 | (uint32_t)in[4] << 16 |
                   (uint32_t)in[5] << 24;
    const uint8_t *pt = in + 6;
    size_t pt_len = len - 6 > MAX_PT ? MAX_PT : len - 6;

    struct vault *inner, *v = open_vault(&inner, shift);
    const struct vault_addr *a = VAULT_ADDR_EPOCH(TYPE, ID_B, ID_A);
    check(vault_store(v, a, pt, pt_len) == 0);
    struct buf b, raw;
    buf_init(&b, MAX_PT);
    check(vault_read(v, &b, a) == 0);
    check(b.len == pt_len && (pt_len == 0 || memcmp(b.data, pt, pt_len) == 0));
    buf_free(&b);

    buf_init(&raw, 1u << 24);
    check(vault_read(inner, &raw, a) == 0);
    check(buf_reserve(&raw, 1) == 0); /* room for op 2 */
    size_t n = raw.len;
    const struct vault_addr *dst = a;
    int damaged = 1;
    switch (op) {
    case 0:
        raw.data[pos % n] ^= (uint8_t)(1u << (pos >> 29));
        break;
    case 1:
        n = pos % n;
        break;
    case 2:
        raw.data[n++] = (uint8_t)pos;
        break;
    case 3:
        damaged = swap_chunks(raw.data, n, (size_t)1 << shift);
        break;
    default:
        dst = pos & 1 ? VAULT_ADDR(TYPE, ID_A) : VAULT_ADDR_EPOCH(TYPE, ID_A, ID_B);
        break;
    }
    if (damaged) {
        check(vault_delete(inner, a) == 0);
        check(vault_store(inner, dst, raw.data, n) == 0);
        expect_rejected(v, dst);
    }
    buf_free(&raw);
    vault_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        parse_stored(data + 1, size - 1);
    else
        seal_and_tamper(data + 1, size - 1);
    kms_err_clear();
    return 0;
}

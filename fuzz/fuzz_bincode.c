/* Drives a small bincode grammar over arbitrary bytes. Each step reads an
 * opcode byte, then the item it names:
 *   0 sequence length with element size (op >> 3)   4 bool
 *   1 Vec<u8> (every byte is touched)               5 Option<Vec<u8>>
 *   2 String that must equal "UnifiedPublicEncKey"  6 Vec<(bool, u64)>
 *   3 enum tag with (op >> 3) variants              7 Vec<u8> of exactly (op >> 3) bytes
 * Parsing stops at the first error. Checks: no crash or out-of-bounds
 * read (ASan), the position never passes the end, a failed reader read
 * consumes nothing, and every Vec<u8> read re-encodes to the bytes it came
 * from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

/* Re-encodes a Vec<u8> and compares with the input it was parsed from. */
static void check_bytes_item(const uint8_t *start, const uint8_t *p, size_t n)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    bincode_put_bytes(&b, p, n);
    if (buf_status(&b) == 0 && (b.len != 8 + n || memcmp(b.data, start, b.len) != 0))
        abort();
    buf_free(&b);
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc ^= p[i];
    sink = acc;
}

static int vec_bytes(struct reader *r)
{
    const uint8_t *start = r->data + r->pos, *p;
    size_t n;
    KMS_TRY(bincode_get_bytes(r, &p, &n));
    check_bytes_item(start, p, n);
    return 0;
}

static int vec_pairs(struct reader *r)
{
    size_t n;
    KMS_TRY(bincode_get_len(r, &n, 9));
    for (size_t i = 0; i < n; i++) {
        int flag;
        uint64_t v;
        KMS_TRY(bincode_get_bool(r, &flag));
        KMS_TRY(reader_u64le(r, &v));
    }
    return 0;
}

static int step(struct reader *r, uint8_t op)
{
    size_t n;
    uint32_t tag;
    int v;
    uint8_t exact[32];
    switch (op & 7u) {
    case 0: return bincode_get_len(r, &n, op >> 3);
    case 1: return vec_bytes(r);
    case 2: return bincode_expect_str(r, "UnifiedPublicEncKey");
    case 3: return bincode_get_variant(r, &tag, op >> 3);
    case 4: return bincode_get_bool(r, &v);
    case 5:
        KMS_TRY(bincode_get_option_tag(r, &v));
        return v ? vec_bytes(r) : 0;
    case 6: return vec_pairs(r);
    default: return bincode_get_bytes_exact(r, exact, op >> 3);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r;
    reader_init(&r, data, size);
    while (reader_remaining(&r) > 0) {
        uint8_t op;
        if (reader_u8(&r, &op) != 0)
            abort();
        int rc = step(&r, op);
        if (r.pos > r.len)
            abort();
        if (rc != 0)
            break;
    }
    /* a read that cannot fit leaves the position alone */
    size_t pos = r.pos;
    uint64_t v;
    if (reader_remaining(&r) < 8 && (reader_u64le(&r, &v) != KMS_ETRUNC || r.pos != pos))
        abort();
    return 0;
}

/* wire_server_key_read on arbitrary bytes. Two modes, by the first byte:
 *   'P': patches over a fixed "test"-set ServerKey (5 MB, made once): each
 *        5-byte record (u32 offset mod the size, u8 xor) flips bits; a
 *        record with offset 0xffffffff truncates at its byte (mod size), so
 *        that the reader's deep fields are reached;
 *   else: the bytes as they are (seed: the start of a ServerKey).
 * Checks: no crash, a rejected input leaves the output zeroed, and an
 * accepted key writes back to the same bytes. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_server_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_server_key_write_read(s, o); }

static const uint8_t *base_key(size_t *len)
{
    static uint8_t *b;
    static size_t n;
    if (b == NULL) {
        struct keyset *ks = fw_test_keyset(5, (const uint8_t *)"t", 1);
        struct buf out;
        struct wire_sink s;
        buf_init(&out, BUF_UNLIMITED);
        wire_sink_buf(&s, &out, UINT64_MAX);
        if (wire_server_key_write(&s, &ks->pub) != 0)
            abort();
        keyset_free(ks);
        b = buf_take(&out, &n);
    }
    *len = n;
    return b;
}

static void check(const uint8_t *data, size_t size)
{
    struct wire_server_key k;
    if (wire_server_key_read(&k, data, size, size, NULL) != 0) {
        if (k.present != 0 || k.params != NULL || k.tag != NULL)
            abort();
        return;
    }
    fw_expect_same(data, size, put, &k);
    wire_server_key_clear(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || data[0] != 'P') {
        check(data, size);
        return 0;
    }
    size_t n, len;
    const uint8_t *base = base_key(&n);
    uint8_t *copy = fw_patch(&len, base, n, data + 1, size - 1);
    check(copy, len);
    free(copy);
    return 0;
}

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
        const struct tfhe_params *p;
        struct keyset *ks;
        struct buf out;
        struct wire_sink s;
        uint8_t seed[16] = {5, 5};
        buf_init(&out, BUF_UNLIMITED);
        wire_sink_buf(&s, &out, UINT64_MAX);
        if (tfhe_params_get(&p, "test", 1) != 0 ||
            keyset_generate(&ks, p, seed, sizeof seed, (const uint8_t *)"t", 1, 128, 1.0, 0) != 0 ||
            wire_server_key_write(&s, &ks->pub) != 0)
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
    size_t n;
    const uint8_t *base = base_key(&n);
    uint8_t *copy = malloc(n);
    if (copy == NULL)
        abort();
    memcpy(copy, base, n);
    size_t len = n;
    for (size_t i = 1; i + 5 <= size; i += 5) {
        uint32_t off = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                       (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        if (off == 0xffffffffu)
            len = data[i + 4] * (n / 256);
        else
            copy[off % n] ^= data[i + 4];
    }
    check(copy, len);
    free(copy);
    return 0;
}

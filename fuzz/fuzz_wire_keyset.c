/* wire_seeded_keyset_read on arbitrary bytes: CompressedXofKeySet,
 * CompressedServerKey and CompressedCompactPublicKey (the header names the
 * type). Two modes, by the first byte:
 *   'P': patches over a fixed "test"-set object made once, data[1] % 3
 *        choosing the CompressedXofKeySet, CompressedServerKey or
 *        CompressedCompactPublicKey; then 5-byte records (u32 offset mod the
 *        size, u8 xor); offset 0xffffffff truncates at its byte (mod size);
 *   else: the bytes as they are (seeds: a CompressedCompactPublicKey and
 *        the starts of the larger objects).
 * Checks: no crash, a rejected input leaves the output zeroed, and an
 * accepted key writes back to the same bytes. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_keyset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_seeded_keyset_write(s, o); }

static const uint8_t *base_object(unsigned kind, size_t *len)
{
    static uint8_t *b[3];
    static size_t n[3];
    if (b[0] == NULL) {
        struct keyset *ks = fw_test_keyset(6, (const uint8_t *)"t", 1);
        for (unsigned k = 0; k < 3; k++) {
            struct buf out;
            struct wire_sink s;
            buf_init(&out, BUF_UNLIMITED);
            wire_sink_buf(&s, &out, UINT64_MAX);
            int rc = k == 0   ? wire_xof_keyset_write(&s, &ks->pub)
                     : k == 1 ? wire_csk_write(&s, &ks->pub, NULL)
                              : wire_ccpk_write(&s, &ks->pub, NULL);
            if (rc != 0)
                abort();
            b[k] = buf_take(&out, &n[k]);
        }
        keyset_free(ks);
    }
    *len = n[kind];
    return b[kind];
}

static void check(const uint8_t *data, size_t size)
{
    struct wire_seeded_keyset k;
    if (wire_seeded_keyset_read(&k, data, size, size, NULL) != 0) {
        if (k.present != 0 || k.pub.params != NULL || k.pub.tag != NULL)
            abort();
        return;
    }
    fw_expect_same(data, size, put, &k);
    wire_seeded_keyset_clear(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || data[0] != 'P') {
        check(data, size);
        return 0;
    }
    size_t n, len;
    const uint8_t *base = base_object(data[1] % 3u, &n);
    uint8_t *copy = fw_patch(&len, base, n, data + 2, size - 2);
    check(copy, len);
    free(copy);
    return 0;
}

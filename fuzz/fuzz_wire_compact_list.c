/* wire_compact_list_read (CompactCiphertextList and ProvenCompact
 * CiphertextList) on arbitrary bytes (seeds: "test"-set plain and packed
 * lists, node-tfhe proven lists of two lists with PkeV1 and PkeV2 proofs).
 * Checks: no crash, an accepted list writes back to the same bytes (proofs
 * included), and decryption and expansion (casting) with fixed "test"-set
 * keys fail cleanly or succeed. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_compact_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The "test" set's caster (casting key and compute bootstrapping key). */
static struct cpk_caster *test_caster(void)
{
    static struct cpk_caster *c;
    static struct keyset_server *s;
    if (c == NULL) {
        struct keyset *ks = fw_test_keyset(9, NULL, 0);
        if (keyset_decompress(&s, &ks->pub) != 0 ||
            cpk_caster_new(&c, ks->pub.params, s->casting_ksk, s->casting_ksk_len,
                           &s->compute->bsk) != 0)
            abort();
        keyset_free(ks);
    }
    return c;
}

static int put(struct wire_sink *s, const void *o) { return wire_compact_list_write(s, o); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_compact_list l;
    if (wire_compact_list_read(&l, data, size, size) != 0)
        return 0;
    fw_expect_same(data, size, put, &l);
    for (size_t i = 0; i < l.info_count && i < 2; i++) {
        struct radix_ct *ct;
        if (wire_compact_list_expand(&l, test_caster(), fw_test_key()->params, i, &ct) == 0)
            radix_ct_free(ct);
    }
    wire_compact_list_clear(&l);
    fw_decrypt_all(data, size);
    return 0;
}

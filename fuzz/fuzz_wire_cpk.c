/* wire_cpk_read on arbitrary bytes (seed: a "test"-set CompactPublicKey).
 * Checks: no crash, and an accepted key writes back to the same bytes. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_cpk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o)
{
    const struct wire_cpk *k = o;
    return wire_cpk_write(s, &k->params, k->pk, k->pk_len, k->tag, k->tag_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_cpk k;
    if (wire_cpk_read(&k, data, size, size) != 0)
        return 0;
    fw_expect_same(data, size, put, &k);
    wire_cpk_clear(&k);
    return 0;
}

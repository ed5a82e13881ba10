/* wire_client_key_read on arbitrary bytes (seeds: a "test"-set key written
 * by ckms, a node-tfhe key with custom parameters). Checks: no crash, no
 * out-of-bounds access, an accepted key writes back to the same bytes and
 * yields a compute key. */
#include "fuzz_wire_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_client_key_write(s, o); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_client_key ck;
    if (wire_client_key_read(&ck, data, size, size) != 0)
        return 0;
    fw_expect_same(data, size, put, &ck);
    struct shortint_client_key *compute;
    if (wire_client_key_compute(&compute, &ck) == 0)
        shortint_client_key_free(compute);
    wire_client_key_clear(&ck);
    return 0;
}

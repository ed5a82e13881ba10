/* wire_snscomp_list_read (CompressedSquashedNoiseCiphertextList) on
 * arbitrary bytes (seed: a "test"-set list of a Bool and a Uint4). Checks:
 * no crash, an accepted list writes back to the same bytes, and decryption
 * with a fixed key fails cleanly or succeeds. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_compressed_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_snscomp_list_write(s, o); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_snscomp_list l;
    if (wire_snscomp_list_read(&l, data, size, size) != 0)
        return 0;
    fw_expect_same(data, size, put, &l);
    wire_snscomp_list_clear(&l);
    fw_decrypt_all(data, size);
    return 0;
}

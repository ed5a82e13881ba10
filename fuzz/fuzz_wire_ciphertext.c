/* wire_radix_read (FheBool / FheUint / FheInt) on arbitrary bytes (seeds:
 * "test"-set Bool, Int2, Uint4 and a node-tfhe FheInt8 with custom
 * parameters). Checks: no crash, an accepted ciphertext writes back to the
 * same bytes, and decryption with a fixed key fails cleanly or succeeds. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_ciphertext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_radix_write(s, o); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_radix w;
    if (wire_radix_read(&w, data, size, size, -1, NULL) != 0)
        return 0;
    fw_expect_same(data, size, put, &w);
    wire_radix_clear(&w);
    fw_decrypt_all(data, size);
    return 0;
}

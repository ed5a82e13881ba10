/* wire_sns_radix_read (SquashedNoiseFheBool / FheUint / FheInt) on
 * arbitrary bytes (seeds: "test"-set squashed Bool and a post-decompression
 * Uint4). Checks: no crash, an accepted ciphertext writes back to the same
 * bytes, and decryption with a fixed key fails cleanly or succeeds. */
#include "fuzz_wire_util.h"
#include "tfhe/wire/wire_squashed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(struct wire_sink *s, const void *o) { return wire_sns_radix_write(s, o); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sns_radix *ct;
    if (wire_sns_radix_read(&ct, data, size, size, -1, NULL) != 0)
        return 0;
    fw_expect_same(data, size, put, ct);
    sns_radix_free(ct);
    fw_decrypt_all(data, size);
    return 0;
}

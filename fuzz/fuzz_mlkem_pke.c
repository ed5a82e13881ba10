/* Parsers of the user-decryption envelope: the 869-byte public-key
 * encoding, the 1640-byte private-key encoding and the HybridKemCt framing.
 * None may crash; a failed decryption must release nothing. */
#include <stdlib.h>
#include <string.h>

#include "crypto/mlkem_pke.h"

static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
static int have_keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_keys) {
        uint8_t d[32] = {1}, z[32] = {2};
        if (mlkem512_keygen_derand(ek, dk, d, z) != 0)
            abort();
        have_keys = 1;
    }
    uint8_t key[MLKEM512_DK_BYTES];
    (void)mlkem_pke_decode_pk(key, data, size);
    (void)mlkem_pke_decode_sk(key, data, size);

    struct buf pt;
    buf_init_secret(&pt, 1 << 20);
    int rc = mlkem_pke_decrypt(&pt, dk, data, size);
    if (rc != 0 && pt.len != 0)
        abort();
    buf_free(&pt);
    return 0;
}

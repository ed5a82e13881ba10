/* ML-KEM-512 on arbitrary bytes. The first byte picks what the rest is:
 *   0: ek || m          -> encaps (any ek must give a result or KMS_EINVAL)
 *   1: dk || ct         -> decaps as given (mostly fails the hash check)
 *   2: dk || ct         -> decaps with H(ek) patched in, so it runs through
 *   3: d || z || m      -> keygen, encaps, decaps must agree
 * Short inputs are zero-padded. Traps on a broken invariant. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/keccak.h"
#include "crypto/mlkem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take(uint8_t *dst, size_t n, const uint8_t **data, size_t *size)
{
    size_t k = *size < n ? *size : n;
    memset(dst, 0, n);
    memcpy(dst, *data, k);
    *data += k;
    *size -= k;
}

static void fuzz_encaps(const uint8_t *data, size_t size)
{
    uint8_t ek[MLKEM512_EK_BYTES], m[32], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    take(ek, sizeof ek, &data, &size);
    take(m, sizeof m, &data, &size);
    int checked = mlkem512_check_ek(ek);
    int rc = mlkem512_encaps_derand(ct, ss, ek, m);
    if (rc != checked || (rc != 0 && rc != KMS_EINVAL))
        __builtin_trap();
    if (rc != 0 && !(secmem_is_zero(ct, sizeof ct) && secmem_is_zero(ss, sizeof ss)))
        __builtin_trap();
}

static void fuzz_decaps(const uint8_t *data, size_t size, int patch_hash)
{
    uint8_t dk[MLKEM512_DK_BYTES], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    take(dk, sizeof dk, &data, &size);
    take(ct, sizeof ct, &data, &size);
    if (patch_hash)
        sha3_256(dk + 768 + MLKEM512_EK_BYTES, dk + 768, MLKEM512_EK_BYTES);
    int rc = mlkem512_decaps(ss, ct, dk);
    if (rc != mlkem512_check_dk(dk) || (rc != 0 && rc != KMS_EINVAL))
        __builtin_trap();
    if (patch_hash && rc != 0)
        __builtin_trap();
}

static void fuzz_round_trip(const uint8_t *data, size_t size)
{
    uint8_t seeds[96], ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    uint8_t ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES], ss2[MLKEM_SS_BYTES];
    take(seeds, sizeof seeds, &data, &size);
    if (mlkem512_keygen_derand(ek, dk, seeds, seeds + 32) != 0 ||
        mlkem512_encaps_derand(ct, ss, ek, seeds + 64) != 0 ||
        mlkem512_decaps(ss2, ct, dk) != 0 || !secmem_equal(ss, ss2, sizeof ss))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0] & 3;
    data++;
    size--;
    switch (mode) {
    case 0:
        fuzz_encaps(data, size);
        break;
    case 1:
    case 2:
        fuzz_decaps(data, size, mode == 2);
        break;
    default:
        fuzz_round_trip(data, size);
        break;
    }
    return 0;
}

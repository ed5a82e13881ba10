/* Arbitrary bytes as secp256k1 public keys, signatures and digests. The
 * first byte picks the operation, the rest is its input:
 *   0 public key of any length: parse; a success must survive
 *     compress → parse unchanged and give an address
 *   1 [33 or 65 by the low bit of byte 1] public key, digest(32), sig(64):
 *     verify; a success must be low-S
 *   2 digest(32), sig(65): recover; a recovered key must verify the
 *     signature and give the same address as ethaddr_recover
 *   3 sig(65): normalise; the result is low-S and normalising again is a
 *     no-op
 *   4 secret key(32), digest(32): sign; a signature made must recover to
 *     the key's public key
 * Checks: no crash, no abort from the library's illegal-argument handler,
 * no out-of-bounds read (ASan), and the properties above. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void op_parse(const uint8_t *p, size_t n)
{
    uint8_t pk[65], c[33], back[65], addr[20];
    if (ecdsa_pubkey_parse(pk, p, n) != 0)
        return;
    if (ecdsa_pubkey_compress(c, pk, 65) != 0 || ecdsa_pubkey_parse(back, c, 33) != 0 ||
        memcmp(back, pk, 65) != 0)
        abort();
    if (ethaddr_from_pubkey(addr, p, n) != 0)
        abort();
}

static void op_verify(const uint8_t *p, size_t n)
{
    if (n < 1)
        return;
    size_t pk_len = (p[0] & 1) ? 33 : 65;
    p++, n--;
    if (n < pk_len + 32 + 64)
        return;
    const uint8_t *pk = p, *digest = p + pk_len, *sig = p + pk_len + 32;
    if (ecdsa_verify(pk, pk_len, digest, sig) == 0 && !ecdsa_sig_is_low_s(sig))
        abort();
}

static void op_recover(const uint8_t *p, size_t n)
{
    uint8_t pk[65], addr[20], addr2[20];
    if (n < 32 + 65)
        return;
    if (ecdsa_recover(pk, p, p + 32) != 0) {
        if (ethaddr_recover(addr, p, p + 32) == 0)
            abort();
        return;
    }
    if (ecdsa_verify(pk, 65, p, p + 32) != 0)
        abort();
    if (ethaddr_recover(addr, p, p + 32) != 0 || ethaddr_from_pubkey(addr2, pk, 65) != 0 ||
        memcmp(addr, addr2, 20) != 0)
        abort();
}

static void op_normalize(const uint8_t *p, size_t n)
{
    uint8_t a[65], b[65];
    if (n < 65)
        return;
    if (ecdsa_rsig_normalize(a, p) != 0)
        return;
    if (!ecdsa_sig_is_low_s(a) || ecdsa_rsig_normalize(b, a) != 0 || memcmp(a, b, 65) != 0)
        abort();
}

static void op_sign(const uint8_t *p, size_t n)
{
    uint8_t sig[65], pk[65], rec[65];
    if (n < 64)
        return;
    if (ecdsa_sign_recoverable(sig, p, p + 32) != 0) {
        if (ecdsa_seckey_check(p) == 0)
            abort();
        return;
    }
    if (ecdsa_pubkey_from_seckey(pk, p) != 0 || ecdsa_recover(rec, p + 32, sig) != 0 ||
        memcmp(pk, rec, 65) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0: op_parse(p, n); break;
    case 1: op_verify(p, n); break;
    case 2: op_recover(p, n); break;
    case 3: op_normalize(p, n); break;
    default: op_sign(p, n); break;
    }
    return 0;
}

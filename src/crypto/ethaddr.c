#include "crypto/ethaddr.h"

#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"

int ethaddr_from_pubkey(uint8_t addr[ETHADDR_BYTES], const uint8_t *pk, size_t pk_len)
{
    uint8_t full[ECDSA_PUBKEY_BYTES], h[32];
    memset(addr, 0, ETHADDR_BYTES);
    KMS_TRY(ecdsa_pubkey_parse(full, pk, pk_len));
    keccak256(h, full + 1, 64); /* x ‖ y, without the 0x04 tag */
    memcpy(addr, h + 12, ETHADDR_BYTES);
    return 0;
}

int ethaddr_from_seckey(uint8_t addr[ETHADDR_BYTES], const uint8_t sk[32])
{
    uint8_t pk[ECDSA_PUBKEY_BYTES];
    memset(addr, 0, ETHADDR_BYTES);
    KMS_TRY(ecdsa_pubkey_from_seckey(pk, sk));
    return ethaddr_from_pubkey(addr, pk, sizeof pk);
}

int ethaddr_recover(uint8_t addr[ETHADDR_BYTES], const uint8_t digest[32], const uint8_t sig[65])
{
    uint8_t pk[ECDSA_PUBKEY_BYTES];
    memset(addr, 0, ETHADDR_BYTES);
    KMS_TRY(ecdsa_recover(pk, digest, sig));
    return ethaddr_from_pubkey(addr, pk, sizeof pk);
}

/* EIP-55: hash the 40 lower-case digits as ASCII; a letter is upper-cased
 * when the matching nibble of the hash is 8 or more. */
void ethaddr_to_string(char out[ETHADDR_STR_LEN + 1], const uint8_t addr[ETHADDR_BYTES])
{
    static const char digits[] = "0123456789abcdef";
    char *d = out + 2;
    uint8_t h[32];
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < ETHADDR_BYTES; i++) {
        d[2 * i] = digits[addr[i] >> 4];
        d[2 * i + 1] = digits[addr[i] & 15];
    }
    keccak256(h, d, 40);
    for (size_t i = 0; i < 40; i++) {
        unsigned nibble = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
        if (d[i] >= 'a' && nibble >= 8)
            d[i] = (char)(d[i] - 'a' + 'A');
    }
    out[ETHADDR_STR_LEN] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ethaddr_parse(uint8_t addr[ETHADDR_BYTES], const char *s, size_t len, enum ethaddr_mode mode)
{
    size_t off = 0;
    memset(addr, 0, ETHADDR_BYTES);
    if (mode != ETHADDR_ANY_CASE && mode != ETHADDR_CHECKSUMMED)
        return kms_err(KMS_EINVAL, "address: unknown parse mode %d", (int)mode);
    if (s == NULL && len > 0)
        return kms_err(KMS_EINVAL, "address: NULL string");
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || (mode == ETHADDR_ANY_CASE && s[1] == 'X')))
        off = 2;
    else if (mode == ETHADDR_CHECKSUMMED)
        return kms_err(KMS_EINVAL, "address: a checksummed address must start with \"0x\"");
    if (len - off != 40)
        return kms_err(KMS_EINVAL, "address: expected 40 hex digits, got %zu characters",
                       len - off);
    uint8_t a[ETHADDR_BYTES];
    for (size_t i = 0; i < 40; i++) {
        int v = hex_value(s[off + i]);
        if (v < 0)
            return kms_err(KMS_EINVAL, "address: character %zu is not a hex digit", off + i);
        if (i % 2 == 0)
            a[i / 2] = (uint8_t)(v << 4);
        else
            a[i / 2] |= (uint8_t)v;
    }
    if (mode == ETHADDR_CHECKSUMMED) {
        char want[ETHADDR_STR_LEN + 1];
        ethaddr_to_string(want, a);
        if (memcmp(want, s, ETHADDR_STR_LEN) != 0)
            return kms_err(KMS_EINVAL, "address: bad EIP-55 checksum (expected %s)", want);
    }
    memcpy(addr, a, ETHADDR_BYTES);
    return 0;
}

/* Ethereum addresses: the last 20 bytes of keccak256(x ‖ y) of a secp256k1
 * public key, written as "0x" + 40 hex digits with the EIP-55 mixed-case
 * checksum. The KMS identifies each node by the address of its signing key
 * and requires checksummed client_address / verifying_contract strings, as
 * alloy's Address::parse_checksummed does. */
#ifndef CKMS_CRYPTO_ETHADDR_H
#define CKMS_CRYPTO_ETHADDR_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define ETHADDR_BYTES 20
#define ETHADDR_STR_LEN 42 /* "0x" + 40 digits, without the NUL */

enum ethaddr_mode {
    /* Hex digits of any case, "0x"/"0X" prefix optional; no checksum check. */
    ETHADDR_ANY_CASE = 0,
    /* Exactly "0x" + the EIP-55 form (alloy parse_checksummed): an
     * all-lower-case string fails unless that is its checksum form. */
    ETHADDR_CHECKSUMMED = 1,
};

/* The address of a 33- or 65-byte SEC1 public key. */
int ethaddr_from_pubkey(uint8_t addr[ETHADDR_BYTES], const uint8_t *pk, size_t pk_len)
    KMS_MUST_CHECK;

/* The address of a secret key's public key. */
int ethaddr_from_seckey(uint8_t addr[ETHADDR_BYTES], const uint8_t sk[32]) KMS_MUST_CHECK;

/* The address of whoever made the 65-byte signature r ‖ s ‖ v on digest (see
 * ecdsa_recover for what is accepted). */
int ethaddr_recover(uint8_t addr[ETHADDR_BYTES], const uint8_t digest[32], const uint8_t sig[65])
    KMS_MUST_CHECK;

/* Writes the EIP-55 string and a NUL (ETHADDR_STR_LEN + 1 bytes). */
void ethaddr_to_string(char out[ETHADDR_STR_LEN + 1], const uint8_t addr[ETHADDR_BYTES]);

/* Parses the len characters at s (no NUL needed). KMS_EINVAL, with the
 * reason in the message, for a missing prefix, a wrong digit count, a
 * non-hex character, or (ETHADDR_CHECKSUMMED) a checksum mismatch. */
int ethaddr_parse(uint8_t addr[ETHADDR_BYTES], const char *s, size_t len, enum ethaddr_mode mode)
    KMS_MUST_CHECK;

#endif

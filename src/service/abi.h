/* Result encodings the KMS signs for the chain.
 *
 * abi_encode_plaintexts: Solidity abi.encode of a tuple with one uint256 per
 * plaintext, i.e. 32-byte big-endian words back to back — the
 * `decryptedResult` of PublicDecryptVerification. As the reference does
 * (rpc_types.rs abi_encode_plaintexts): plaintext bytes are little-endian;
 * only Bool, Uint8..Uint256 and Uint160 (the fhevm types) are encodable;
 * another known type is an error, and an unknown type id is skipped. */
#ifndef CKMS_SERVICE_ABI_H
#define CKMS_SERVICE_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/eip712.h"

struct typed_plaintext {
    const uint8_t *bytes; /* little-endian */
    size_t len;
    int32_t fhe_type; /* FheTypes id */
};

int abi_encode_plaintexts(struct buf *out, const struct typed_plaintext *pts, size_t n)
    KMS_MUST_CHECK;

/* An Eip712DomainMsg as it arrives on the wire, converted as the reference
 * converts it (protobuf_to_alloy_domain): name and version taken as they
 * are, chain_id big-endian of at most 32 significant bytes, the
 * verifying_contract must be an EIP-55 checksummed address, and a salt, when
 * present, exactly 32 bytes. */
struct domain_fields {
    const char *name;
    size_t name_len;
    const char *version;
    size_t version_len;
    const uint8_t *chain_id;
    size_t chain_id_len;
    const char *verifying_contract;
    size_t verifying_contract_len;
    int has_salt;
    const uint8_t *salt;
    size_t salt_len;
};

int domain_from_fields(struct eip712_domain *out, const struct domain_fields *f) KMS_MUST_CHECK;

#endif

#include "service/abi.h"

#include <string.h>

#include "crypto/ethaddr.h"
#include "tfhe/radix.h"

static int abi_encodable(int32_t t)
{
    return t == RADIX_BOOL || t == RADIX_UINT8 || t == RADIX_UINT16 || t == RADIX_UINT32 ||
           t == RADIX_UINT64 || t == RADIX_UINT128 || t == RADIX_UINT160 || t == RADIX_UINT256;
}

int abi_encode_plaintexts(struct buf *out, const struct typed_plaintext *pts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct radix_type *t;
        if (radix_type_lookup(&t, pts[i].fhe_type) != 0)
            continue; /* unknown type ids are skipped, as the reference does */
        if (!abi_encodable(pts[i].fhe_type))
            return kms_err(KMS_EINVAL, "plaintext %zu: FHE type %d cannot be ABI-encoded", i,
                           pts[i].fhe_type);
        if (pts[i].len > 32)
            return kms_err(KMS_EINVAL, "plaintext %zu: %zu bytes do not fit a uint256", i,
                           pts[i].len);
        uint8_t *word = buf_extend(out, 32);
        if (word == NULL)
            return buf_status(out);
        memset(word, 0, 32);
        for (size_t j = 0; j < pts[i].len; j++)
            word[31 - j] = pts[i].bytes[j]; /* little-endian in, big-endian out */
    }
    return buf_status(out);
}

int domain_from_fields(struct eip712_domain *out, const struct domain_fields *f)
{
    memset(out, 0, sizeof *out);
    out->fields = EIP712_DOMAIN_STANDARD;
    out->name = f->name ? f->name : "";
    out->name_len = f->name ? f->name_len : 0;
    out->version = f->version ? f->version : "";
    out->version_len = f->version ? f->version_len : 0;
    if (eip712_u256_from_be(out->chain_id, f->chain_id, f->chain_id_len) != 0)
        return kms_err(KMS_EINVAL, "domain: invalid chain ID (%zu bytes)", f->chain_id_len);
    if (f->verifying_contract == NULL ||
        ethaddr_parse(out->verifying_contract, f->verifying_contract, f->verifying_contract_len,
                      ETHADDR_CHECKSUMMED) != 0)
        return kms_err_wrap(KMS_EINVAL, "domain: verifying contract is not an EIP-55 address");
    if (f->has_salt) {
        if (f->salt_len != 32)
            return kms_err(KMS_EINVAL, "domain: salt must be 32 bytes, got %zu", f->salt_len);
        memcpy(out->salt, f->salt, 32);
        out->fields |= EIP712_DOMAIN_SALT;
    }
    return 0;
}

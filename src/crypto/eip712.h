/* EIP-712 typed-data hashing.
 *
 *   hashStruct(s) = keccak256(typeHash ‖ encodeData(s))
 *   typeHash      = keccak256(encodeType)   e.g. "Person(string name,address wallet)"
 *   digest        = keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))
 *
 * encodeData is a sequence of 32-byte words, one per member, in declaration
 * order. A struct is hashed incrementally: eip712_struct_init with its type
 * hash, one eip712_put_* per member, then eip712_struct_final. Atomic values
 * become one word; bytes and string become keccak256(content); an array
 * becomes keccak256 of its elements' words concatenated (for an array of
 * structs, the elements' hashStructs), built with struct eip712_array or
 * eip712_put_words; a nested struct member is its hashStruct.
 *
 * The caller is responsible for matching the members to the type string. */
#ifndef CKMS_CRYPTO_EIP712_H
#define CKMS_CRYPTO_EIP712_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/keccak.h"

#define EIP712_WORD_BYTES 32

/* keccak256 of an encodeType string. */
void eip712_type_hash(uint8_t out[32], const char *encode_type);

/* ---- one struct ---- */

struct eip712_struct {
    struct keccak k;
};

void eip712_struct_init(struct eip712_struct *s, const uint8_t type_hash[32]);
/* Writes hashStruct; s must be re-initialised before further use. */
void eip712_struct_final(struct eip712_struct *s, uint8_t out[32]);

/* One already-encoded word: uint256 (32 bytes big-endian), bytes32, or the
 * hashStruct of a nested struct. */
void eip712_put_word(struct eip712_struct *s, const uint8_t word[32]);
/* uint8 … uint64: zero-extended big-endian. */
void eip712_put_uint(struct eip712_struct *s, uint64_t v);
void eip712_put_bool(struct eip712_struct *s, int v);
/* address: 12 zero bytes, then the 20 address bytes. */
void eip712_put_address(struct eip712_struct *s, const uint8_t addr[20]);
/* bytes: keccak256(p[0..n)). p may be NULL when n is 0. */
void eip712_put_bytes(struct eip712_struct *s, const void *p, size_t n);
/* string: keccak256 of its UTF-8 bytes. */
void eip712_put_string(struct eip712_struct *s, const char *p, size_t n);
/* An array of 32-byte elements (bytes32[], uint256[], or the hashStructs of
 * a struct array): keccak256 of the count words concatenated. */
void eip712_put_words(struct eip712_struct *s, const uint8_t *words, size_t count);

/* ---- arrays built element by element ---- */

struct eip712_array {
    struct keccak k;
};

void eip712_array_init(struct eip712_array *a);
void eip712_array_add(struct eip712_array *a, const uint8_t word[32]);
/* keccak256 of everything added (keccak256("") for an empty array). */
void eip712_array_final(struct eip712_array *a, uint8_t out[32]);

/* ---- domain ---- */

/* Which optional EIP712Domain members are present. */
#define EIP712_DOMAIN_NAME 0x01u
#define EIP712_DOMAIN_VERSION 0x02u
#define EIP712_DOMAIN_CHAIN_ID 0x04u
#define EIP712_DOMAIN_CONTRACT 0x08u
#define EIP712_DOMAIN_SALT 0x10u
/* What the KMS's Eip712DomainMsg always carries (salt is optional). */
#define EIP712_DOMAIN_STANDARD                                                 \
    (EIP712_DOMAIN_NAME | EIP712_DOMAIN_VERSION | EIP712_DOMAIN_CHAIN_ID | EIP712_DOMAIN_CONTRACT)

struct eip712_domain {
    unsigned fields; /* EIP712_DOMAIN_* bits */
    const char *name;
    size_t name_len;
    const char *version;
    size_t version_len;
    uint8_t chain_id[32]; /* uint256, big-endian */
    uint8_t verifying_contract[20];
    uint8_t salt[32];
};

/* hashStruct of the domain under the EIP712Domain type made of the present
 * members in canonical order (name, version, chainId, verifyingContract,
 * salt). KMS_EINVAL for unknown field bits. */
int eip712_domain_separator(uint8_t out[32], const struct eip712_domain *d) KMS_MUST_CHECK;

/* keccak256(0x19 0x01 ‖ domain_separator ‖ struct_hash). */
void eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
                   const uint8_t struct_hash[32]);

/* The same, computing the domain separator from d. */
int eip712_digest_for_domain(uint8_t out[32], const struct eip712_domain *d,
                             const uint8_t struct_hash[32]) KMS_MUST_CHECK;

/* ---- uint256 helpers ---- */

/* Left-pads a big-endian integer of up to 32 bytes (e.g. a protobuf chain
 * ID) into a word; KMS_EINVAL when longer than 32 bytes. Leading zero bytes
 * beyond 32 are tolerated, as with alloy U256::try_from_be_slice. */
int eip712_u256_from_be(uint8_t out[32], const uint8_t *in, size_t in_len) KMS_MUST_CHECK;

void eip712_u256_from_u64(uint8_t out[32], uint64_t v);

#endif

/* The node's signing identity: one secp256k1 key per KMS node, as the
 * reference KMS keeps it (core/service/src/util/key_setup, bin/kms-gen-keys).
 *
 * Private vault:  SigningKey/<SIGNING_KEY_ID>
 *                 = safe_serialize(PrivateSigKey): header "PrivateSigKey",
 *                   u32 0 (V0), u64 32, the 32-byte big-endian scalar
 * Public vault:   VerfKey/<SIGNING_KEY_ID> and TypedVerfKey/<SIGNING_KEY_ID>
 *                 = safe_serialize(PublicSigKey): header "PublicSigKey",
 *                   u32 0 (V0), u64 33, the compressed SEC1 point
 *                 VerfAddress/<SIGNING_KEY_ID> and TypedVerfAddress/<SIGNING_KEY_ID>
 *                 = the EIP-55 address as text ("0x" + 40 digits, no newline)
 *
 * SIGNING_KEY_ID = derive_request_id("SIGNING_KEY_ID"). The reference also
 * publishes Ed25519 and ML-DSA keys derived from this one under
 * TypedVerfKey/derive_request_id("SIGNING_KEY_ID_<Scheme>"); ckms signs
 * with ECDSA only and publishes only the ECDSA entries.
 *
 * Every signature the node gives (EIP-712 external signatures, the
 * deprecated internal ones, the signcryption inner signature) is made with
 * this key, and clients check it against the published address. */
#ifndef CKMS_SERVICE_NODE_KEY_H
#define CKMS_SERVICE_NODE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "store/vault.h"

/* bincode(PublicSigKey): u64le(33) ‖ compressed SEC1 — the
 * verification_key field of decryption responses. */
#define NODE_KEY_VERF_KEY_BYTES 41

#define NODE_KEY_TYPE_PRIVATE "PrivateSigKey"
#define NODE_KEY_TYPE_PUBLIC "PublicSigKey"

struct node_key {
    uint8_t *sk; /* 32 bytes in secmem */
    uint8_t pk[ECDSA_PUBKEY_BYTES];
    uint8_t pk33[ECDSA_PUBKEY_COMPRESSED_BYTES];
    uint8_t address[ETHADDR_BYTES];
    char address_str[ETHADDR_STR_LEN + 1]; /* EIP-55 */
    uint8_t verf_key[NODE_KEY_VERF_KEY_BYTES];
};

/* A key from a 32-byte secret (KMS_EINVAL when it is not a valid scalar). */
int node_key_from_seckey(struct node_key **out, const uint8_t sk[ECDSA_SECKEY_BYTES])
    KMS_MUST_CHECK;
/* A fresh random key. */
int node_key_generate(struct node_key **out) KMS_MUST_CHECK;
/* Wipes and frees; NULL is a no-op. */
void node_key_free(struct node_key *k);

/* SIGNING_KEY_ID as 64 hex digits (a static string). */
const char *node_key_id(void);

/* ---- encodings ---- */

/* Appends safe_serialize(PrivateSigKey) (use a secret buffer). */
void node_key_encode_private(struct buf *out, const struct node_key *k);
/* Parses it (KMS_EINVAL for anything else). */
int node_key_decode_private(struct node_key **out, const uint8_t *p, size_t n) KMS_MUST_CHECK;
/* Appends safe_serialize(PublicSigKey). */
void node_key_encode_public(struct buf *out, const struct node_key *k);
/* Parses one into its compressed point. */
int node_key_decode_public(uint8_t pk33[ECDSA_PUBKEY_COMPRESSED_BYTES], const uint8_t *p,
                           size_t n) KMS_MUST_CHECK;

/* ---- vaults ---- */

/* Loads SigningKey/<SIGNING_KEY_ID>. KMS_ENOTFOUND when there is none. */
int node_key_load(struct node_key **out, struct vault *priv) KMS_MUST_CHECK;
/* Stores it. KMS_EEXIST when a key is already there (nothing changed). */
int node_key_store(struct vault *priv, const struct node_key *k) KMS_MUST_CHECK;

/* Checks the four public objects against k: each one present must match
 * (KMS_EVERIFY naming it otherwise). With `publish`, the missing ones are
 * written; without, a missing VerfKey or VerfAddress is KMS_ENOTFOUND. */
int node_key_check_public(struct vault *pub, const struct node_key *k, int publish)
    KMS_MUST_CHECK;

/* Deletes the private key and the public objects (kms-gen-keys --overwrite).
 * Absent objects are fine. */
int node_key_delete(struct vault *priv, struct vault *pub) KMS_MUST_CHECK;

#endif

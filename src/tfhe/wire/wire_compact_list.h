/* Compact ciphertext lists (the public-key encryptions dapps send) as
 * TFHE-rs 1.7 serializes them, mapped to tfhe/cpk.h's list layout.
 *
 *   "high_level_api::CompactCiphertextList":
 *   CompactCiphertextList V1 { inner: integer CompactCiphertextList V1 {
 *       ct_list: shortint CompactCiphertextList, info: Vec<DataKind> }, tag }
 *   "high_level_api::ProvenCompactCiphertextList":
 *   ProvenCompactCiphertextList V0 { inner: integer ProvenCompactCiphertext
 *       List V0 { ct_list: shortint ProvenCompactCiphertextList V0 {
 *           proved_lists: Vec<(shortint CompactCiphertextList,
 *                              CompactPkeProof)> },
 *       info: Vec<DataKind> }, tag }
 *   shortint CompactCiphertextList V2 {
 *       ct_list: LweCompactCiphertextList V0 { data: Vec<u64> [masks | bodies],
 *                lwe_size (n + 1), lwe_ciphertext_count, ciphertext_modulus },
 *       degree, message_modulus, carry_modulus (scalars),
 *       expansion_kind: CompactCiphertextListExpansionKind }
 *
 * Packing: a list whose degree exceeds message_modulus - 1 holds two radix
 * blocks per ciphertext (b[2j] + message_modulus b[2j + 1]), paired over
 * the whole list (tfhe-rs build_packed), the last one alone when the block
 * count is odd. The DataKinds cover the blocks in order.
 *
 * The zero-knowledge proof (tfhe-zk-pok CompactPkeProof V2: PkeV1 or PkeV2
 * proof, curve points as tfhe-zk-pok serializes them) is parsed only to find
 * where it ends; its bytes are carried and written back unchanged, never
 * verified here. */
#ifndef CKMS_TFHE_WIRE_COMPACT_LIST_H
#define CKMS_TFHE_WIRE_COMPACT_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/compression.h"
#include "tfhe/cpk.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_io.h"

#define WIRE_NAME_COMPACT_LIST "high_level_api::CompactCiphertextList"
#define WIRE_NAME_PROVEN_COMPACT_LIST "high_level_api::ProvenCompactCiphertextList"

/* One shortint CompactCiphertextList (and its proof in a proven list). */
struct wire_compact_part {
    uint64_t *data;       /* cpk_list_size(n, count) words [masks | bodies], malloc */
    size_t data_len;
    size_t lwe_dimension; /* n: the encryption key's dimension */
    size_t count;         /* ciphertexts */
    uint64_t degree;      /* message - 1, or message * carry - 1 when packed */
    uint32_t message_modulus, carry_modulus;
    uint8_t expansion;    /* enum wire_expansion */
    uint8_t *proof;       /* the serialized CompactPkeProof, malloc (proven lists) */
    size_t proof_len;
};

struct wire_compact_list {
    int proven;                       /* ProvenCompactCiphertextList */
    struct wire_compact_part *parts;  /* exactly one unless proven */
    size_t part_count;
    struct compression_data_kind *info; /* one per element */
    size_t info_count;
    uint8_t *tag;
    size_t tag_len;
};

void wire_compact_list_clear(struct wire_compact_list *l);

/* Structure: parts of one shape (dimension, moduli, expansion, packing),
 * each holding cpk_list_size words; DataKinds covering exactly the stored
 * blocks. Readers check it; writers too. */
int wire_compact_list_check(const struct wire_compact_list *l) KMS_MUST_CHECK;

int wire_compact_list_write(struct wire_sink *s, const struct wire_compact_list *l)
    KMS_MUST_CHECK;

/* Reads a CompactCiphertextList or a ProvenCompactCiphertextList (whichever
 * the header names) of at most size_limit bytes. out is zeroed on failure. */
int wire_compact_list_read(struct wire_compact_list *out, const uint8_t *bytes, size_t len,
                           size_t size_limit) KMS_MUST_CHECK;

/* A plaintext for wire_compact_list_encrypt: a FheTypes id and its value in
 * radix.h's byte layout (len = radix_type_bytes). */
struct wire_plaintext {
    int32_t fhe_type;
    const uint8_t *le;
    size_t len;
};

/* out = a CompactCiphertextList of the values under the compact public key
 * pk (2 n_pk words) of params, as tfhe-rs's builder makes it: each value's
 * 2-bit blocks, least significant first (a boolean is one block), all
 * blocks of the list paired when packed (build_packed), encrypted in one
 * cpk_encrypt_list from the stream XofSeed(seed, "TFHE_Enc") (seed of at
 * least 16 bytes); one DataKind per value, RequiresCasting, empty tag.
 * Free with wire_compact_list_clear. */
int wire_compact_list_encrypt(struct wire_compact_list *out, const struct tfhe_params *params,
                              const uint64_t *pk, size_t pk_len,
                              const struct wire_plaintext *values, size_t count, int packed,
                              const uint8_t *seed, size_t seed_len) KMS_MUST_CHECK;

/* The radix type element `index` decrypts to (KMS_EINVAL for strings). */
int wire_compact_list_type(const struct wire_compact_list *l, size_t index,
                           const struct radix_type **t) KMS_MUST_CHECK;

/* out[0..out_len) = element `index` (radix.h byte layout, out_len =
 * radix_type_bytes of its type), decrypted without any server key: each
 * ciphertext is expanded (cpk_expand_one) and its phase taken under the
 * client key's compact secret key (RequiresCasting) or compute big key
 * (NoCasting), then decoded with the list's moduli and unpacked. out is
 * zeroed on failure. */
int wire_compact_list_decrypt(const struct wire_compact_list *l, const struct wire_client_key *ck,
                              size_t index, uint8_t *out, size_t out_len) KMS_MUST_CHECK;

/* *out (radix_ct_new(params, type)) = element `index` expanded and cast to
 * the compute keys as tfhe-rs's expander does for lists that need casting:
 * each stored ciphertext is expanded (cpk_expand_one) and cast
 * (cpk_cast_table) through the function that extracts its block: x mod m
 * (or (x / c) mod m for the second block of a packed pair), booleans
 * (... != 0). Blocks come out with the table's maximum as degree and
 * nominal noise. Needs the caster of the set (casting key and compute
 * bootstrapping key); NoCasting lists are KMS_EUNIMPL. */
int wire_compact_list_expand(const struct wire_compact_list *l, struct cpk_caster *c,
                             const struct tfhe_params *params, size_t index,
                             struct radix_ct **out) KMS_MUST_CHECK;

/* ---- internal to the layer ---- */

/* Skips one serialized CompactPkeProof, checking its structure. */
int wire_skip_pke_proof(struct reader *r) KMS_MUST_CHECK;

#endif

/* Compression of squashed (128-bit) ciphertext lists, the KMS's
 * "BigCompressed" format, as tfhe-rs 1.7 does it (shortint/list_compression/
 * noise_squashing_compression.rs, shortint CompressedSquashedNoiseCiphertext
 * List, integer/ciphertext/compressed_noise_squashed_ciphertext_list.rs).
 *
 * Squashed ciphertexts are LWEs over Z/2^128 under the noise-squashing GLWE
 * key read as an LWE key (dimension k_sns N_sns = 4096 by default), each
 * holding a value in [0, 2p) (p = message * carry = 16) times Delta = 2^128 /
 * 2p = 2^123. Radix integers are squashed in packed pairs: ciphertext j holds
 * block[2j] + message_modulus * block[2j + 1] (an odd last block alone), so
 * an element of n blocks is ceil(n / 2) ciphertexts (FheBool: 1).
 *
 * Compression: chunks of lwe_per_glwe (128) ciphertexts are packing-
 * keyswitched (packing_ks.h, 128-bit) into one GLWE (k = 6, N = 1024) under
 * the SnS-compression key, ciphertext t to coefficient t, and stored as a
 * CompressedModulusSwitchedGlweCiphertext<u128> with log_modulus 128: no
 * modulus switch (tfhe-rs modulus_switch returns its input at full width)
 * and PackedIntegers<u128> of 128-bit values, so word i is value i: the
 * k N mask coefficients then the first bodies_count body coefficients.
 *
 * Decryption (tfhe-rs unpack + NoiseSquashingPrivateKeyView decrypt, with
 * the SnS-compression key): mu = b_t - sum_i sum_j a_i[j] s_i[t - j]
 * (negacyclic), value = round(mu / Delta) mod 2p (ties up). Integers
 * recompose as tfhe-rs does: sum_j value_j << 4j, truncated to the type's
 * width (then sign-extended for signed types); FheBool is value != 0.
 *
 * Keys are read-only once made and may be shared between threads; a
 * snscomp_scratch belongs to one thread at a time. */
#ifndef CKMS_TFHE_SNSCOMP_H
#define CKMS_TFHE_SNSCOMP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/compression.h"
#include "tfhe/packing_ks.h"
#include "tfhe/params.h"

/* CompressedModulusSwitchedGlweCiphertext<u128>. */
struct snscomp_glwe {
    u128 *packed;         /* packed_coeffs (u128 words), owned (malloc) */
    size_t packed_len;    /* words */
    uint32_t log_modulus; /* 128 for every list tfhe-rs makes */
    uint64_t initial_len; /* k N + bodies_count */
    uint64_t glwe_dimension, polynomial_size;
    uint64_t bodies_count;
    u128 uncompressed_modulus; /* 0 = native 2^128 */
};

/* CompressedSquashedNoiseCiphertextListMeta. */
struct snscomp_meta {
    uint64_t message_modulus, carry_modulus;
    uint64_t lwe_per_glwe;
};

/* integer::CompressedSquashedNoiseCiphertextList: DataKinds count original
 * radix blocks (each element stores ceil(blocks / 2) ciphertexts). */
struct snscomp_list {
    struct snscomp_glwe *glwes; /* owned (malloc) */
    size_t glwe_count;
    int has_meta;
    struct snscomp_meta meta;
    struct compression_data_kind *info; /* owned (malloc) */
    size_t info_count;
};

void snscomp_list_free(struct snscomp_list *l);

/* Structural checks as compression_list_validate (GLWE shapes, 1 <= L <=
 * 128, packed_len = ceil(initial_len L / 128), bodies per GLWE, metadata,
 * DataKinds covering exactly the stored ciphertexts in packed pairs). */
int snscomp_list_validate(const struct snscomp_list *l) KMS_MUST_CHECK;
/* Made for this parameter set: GLWE shape of params->sns_compression,
 * L = 128, moduli of params->sns. After snscomp_list_validate. */
int snscomp_list_check_params(const struct snscomp_list *l, const struct tfhe_params *p)
    KMS_MUST_CHECK;
uint64_t snscomp_list_ciphertexts(const struct snscomp_list *l);

/* ---- keys ---- */

/* SnS GLWE key as an LWE key (k_sns N_sns) -> SnS-compression GLWE. */
int snscomp_packing_shape(const struct tfhe_params *p, struct packing_ksk_shape *s)
    KMS_MUST_CHECK;

struct snscomp_private_key {
    const struct tfhe_params *params;
    u128 *glwe_sk; /* k N binary words (NoiseSquashingCompressionPrivateKey); secmem */
    /* per polynomial, 2N 64-bit masks w_i[y] = all ones iff s_i[(N-1-y) mod N]
     * (see compression.h); secmem */
    uint64_t *window;
    u128 (*msum)(const uint64_t *lo, const uint64_t *hi, const uint64_t *m, size_t n);
};

/* k N bytes of the secret stream, bit 0 each. */
int snscomp_private_key_new(struct snscomp_private_key **out, const struct tfhe_params *p,
                            struct csprng *secret) KMS_MUST_CHECK;
int snscomp_private_key_from_bits(struct snscomp_private_key **out, const struct tfhe_params *p,
                                  const u128 *bits, size_t len) KMS_MUST_CHECK;
void snscomp_private_key_free(struct snscomp_private_key *k);

struct snscomp_key {
    const struct tfhe_params *params;
    struct packing_ksk_shape shape;
    u128 *pksk;
};

/* The packing key from the SnS GLWE key (sns_sk: k_sns N_sns words) to the
 * SnS-compression key, noise TUniform(packing_ks_noise_log2) over 2^128
 * (tfhe-rs new_noise_squashing_compression_key). The default set's key is
 * 896 MiB and takes tens of seconds. */
int snscomp_key_new(struct snscomp_key **out, const struct snscomp_private_key *priv,
                    const u128 *sns_sk, size_t sns_len, struct enc_rng *rng) KMS_MUST_CHECK;
void snscomp_key_free(struct snscomp_key *k);

/* ---- compression ---- */

/* out = the list of `count` squashed ciphertexts (k_sns N_sns + 1 words each,
 * one after the other) with their moduli and DataKinds (which must cover
 * them in packed pairs; info may be NULL with info_count 0 for a
 * shortint-level list). count 0 gives an empty list without meta. */
int snscomp_compress(const struct snscomp_key *key, struct snscomp_list *out, const u128 *lwes,
                     size_t count, uint64_t message_modulus, uint64_t carry_modulus,
                     const struct compression_data_kind *info, size_t info_count) KMS_MUST_CHECK;

/* ---- decryption ---- */

/* Per-thread working memory (the unpacked mask of one GLWE). */
struct snscomp_scratch;
int snscomp_scratch_new(struct snscomp_scratch **out, const struct tfhe_params *p) KMS_MUST_CHECK;
void snscomp_scratch_free(struct snscomp_scratch *sc);

/* round(mu / Delta) mod 2p for the set's SnS moduli (tfhe-rs decode). */
uint64_t snscomp_decode(const struct tfhe_params *p, u128 mu);

/* vals[0..count) = decoded values of ciphertexts first .. first + count - 1. */
int snscomp_decrypt_values(const struct snscomp_private_key *k, struct snscomp_scratch *sc,
                           uint8_t *vals, const struct snscomp_list *l, uint64_t first,
                           size_t count) KMS_MUST_CHECK;

/* out[0..out_len) = plaintext of element `index` as fhe_type (radix.h layout;
 * the DataKind must match the type, see compression_kind_check_type).
 * Allocates nothing; out zeroed on failure. */
int snscomp_list_decrypt(const struct snscomp_private_key *k, struct snscomp_scratch *sc,
                         uint8_t *out, size_t out_len, const struct snscomp_list *l, size_t index,
                         int32_t fhe_type) KMS_MUST_CHECK;

#endif

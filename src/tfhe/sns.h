/* Noise squashing ("switch and squash"), as tfhe-rs 1.7 does it
 * (shortint/noise_squashing, integer/noise_squashing/keys.rs): a 64-bit
 * block under the compute big key is keyswitched to the small key
 * (keyswitch_lwe_ciphertext, the full-precision compute KSK), switched to
 * modulus 2N with the SnS parameters' switch, and bootstrapped with the
 * 128-bit key through the identity table over the p = message_modulus *
 * carry_modulus values a block can hold, scaled by
 *     Delta128 = 2^126 / p * 2 = 2^123   (one padding bit, compute_delta):
 * the result is an LWE of dimension k N (4096) over Z/2^128 under the SnS
 * GLWE key read as an LWE key, with a tiny noise relative to Delta128 (the
 * reason the threshold decryption can flood it; its noise must stay below
 * 2^70, see test_sns.c for the measured values and the estimate).
 *
 * Radix integers are squashed two blocks per LWE: packed = high *
 * message_modulus + low, i.e. 4 bits (pack_block_chunk), an odd last block
 * alone; FheUint needs both carries empty and the packed noise level within
 * max_noise_level (can_pack_block_chunk), FheInt packs without those checks,
 * FheBool squashes its one block. Every squash checks the input's noise
 * level and moduli (checked_squash_ciphertext_noise).
 *
 * Decryption: m = round(phase / Delta128) mod 2p (the padding bit included,
 * ShortintEncoding::decode); integers recompose sum_j m_j << 4 j, truncated
 * to 2 * original_block_count bits and sign-extended for FheInt
 * (BlockRecomposer::recompose_*_with_size); FheBool is m != 0. */
#ifndef CKMS_TFHE_SNS_H
#define CKMS_TFHE_SNS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk128.h"
#include "tfhe/params.h"
#include "tfhe/radix.h"
#include "tfhe/shortint.h"

/* ---- keys ---- */

/* The SnS GLWE secret key (tfhe-rs NoiseSquashingPrivateKey). */
struct sns_private_key {
    const struct tfhe_params *params;
    u128 *glwe_sk; /* k N bits, u128 words, secmem; also the LWE key of squashed blocks */
    struct glwe128_key *key;
};

/* Draws k N key bits, one byte of `secret` each (tfhe-rs
 * allocate_and_generate_new_binary_glwe_secret_key). KMS_EINVAL if the set
 * has no SnS parameters. */
int sns_private_key_new(struct sns_private_key **out, const struct tfhe_params *params,
                        struct csprng *secret) KMS_MUST_CHECK;
/* The key from given bits (k N words, only bit 0 read). */
int sns_private_key_from_bits(struct sns_private_key **out, const struct tfhe_params *params,
                              const u128 *bits, size_t count) KMS_MUST_CHECK;
void sns_private_key_free(struct sns_private_key *pk);

/* The squashing key (tfhe-rs NoiseSquashingKey, Standard atomic pattern):
 * the 128-bit bootstrapping key from the compute small key to the SnS key
 * (NTT domain), and for the drift switch its encryptions of zero. */
struct sns_server_key {
    const struct tfhe_params *params;
    struct bsk128_ntt bsk;
    uint64_t *ms_zeros; /* sns.ms.zeros_count LWEs of 0 (n + 1 words) under the small key */
};

/* Generates the bootstrapping key (one fork per GGSW, TUniform SnS noise)
 * and then, for the drift switch, the encryptions of zero (compute LWE
 * noise, one fork each), both from rng, in the order of tfhe-rs
 * Shortint128BootstrappingKey::new and of its seeded variant. ck is the
 * compute client key (its small LWE key is the BSK's input key). Peak
 * memory is the NTT key itself (1.52 GiB with the default set). */
int sns_server_key_new(struct sns_server_key **out, const struct shortint_client_key *ck,
                       const struct sns_private_key *pk, struct enc_rng *rng) KMS_MUST_CHECK;
/* The same from a standard-domain key (bsk128_words u128) and, for the drift
 * switch, zeros_count encryptions of zero (copied). */
int sns_server_key_from_std(struct sns_server_key **out, const struct tfhe_params *params,
                            const u128 *std_bsk, const uint64_t *ms_zeros) KMS_MUST_CHECK;
void sns_server_key_free(struct sns_server_key *ssk);

/* The bootstrapping key's shape for a parameter set. */
struct bsk_shape sns_bsk_shape(const struct tfhe_params *params);

/* Delta128 = 2^126 / (message_modulus carry_modulus) * 2. */
u128 sns_delta(uint32_t message_modulus, uint32_t carry_modulus);

/* ---- squashed ciphertexts ---- */

/* tfhe-rs shortint SquashedNoiseCiphertext. */
struct sns_ct {
    u128 *data;       /* dimension + 1 words: mask then body */
    size_t dimension; /* k N of the SnS parameters */
    uint64_t degree;  /* the input block's degree */
    uint32_t message_modulus, carry_modulus;
};

enum sns_state { /* tfhe-rs SquashedNoiseCiphertextState */
    SNS_STATE_NORMAL = 0,             /* decrypts with the SnS key */
    SNS_STATE_POST_DECOMPRESSION = 1  /* came out of a compressed list */
};

/* SquashedNoiseFheUint / SquashedNoiseFheInt / SquashedNoiseFheBool: the
 * packed blocks, the original block count, the state and the tag. */
struct sns_radix {
    const struct radix_type *type; /* FheTypes entry: signedness, Bool */
    size_t original_block_count;   /* radix blocks before packing (1 for Bool) */
    size_t count;                  /* squashed LWEs: ceil(blocks / 2), 1 for Bool */
    struct sns_ct *blocks;         /* views into data */
    u128 *data;
    enum sns_state state;
    uint8_t *tag; /* tfhe-rs Tag bytes (may be empty) */
    size_t tag_len;
};

/* A zero squashed ciphertext of the given FheTypes id for params. */
int sns_radix_new(struct sns_radix **out, const struct tfhe_params *params, int32_t fhe_type)
    KMS_MUST_CHECK;
void sns_radix_free(struct sns_radix *ct);
int sns_radix_set_tag(struct sns_radix *ct, const uint8_t *tag, size_t len) KMS_MUST_CHECK;

/* ---- squashing ---- */

/* Working memory of one squashing thread. */
struct sns_scratch;
int sns_scratch_new(struct sns_scratch **out, const struct sns_server_key *ssk) KMS_MUST_CHECK;
void sns_scratch_free(struct sns_scratch *sc);

/* out = squash of one block (its data must be allocated: dimension + 1).
 * sk is the compute server key (its KSK), of the same parameter set.
 * Allocates nothing. */
int sns_squash_block(const struct sns_server_key *ssk, const struct shortint_server_key *sk,
                     struct sns_scratch *sc, struct sns_ct *out, const struct shortint_ct *in)
    KMS_MUST_CHECK;

/* out (made by sns_radix_new for in's type) = squash of the radix integer
 * or boolean in. The state becomes NORMAL; the tag is left as it is. */
int sns_squash_radix(const struct sns_server_key *ssk, const struct shortint_server_key *sk,
                     struct sns_scratch *sc, struct sns_radix *out, const struct radix_ct *in)
    KMS_MUST_CHECK;

/* ---- decryption ---- */

/* The phase b - <a, s> (noise measurement). */
int sns_phase(const struct sns_private_key *pk, u128 *out, const struct sns_ct *ct)
    KMS_MUST_CHECK;
/* round(phase / Delta128) mod 2p. */
int sns_decrypt_block(const struct sns_private_key *pk, uint64_t *out, const struct sns_ct *ct)
    KMS_MUST_CHECK;
u128 sns_decode(u128 phase, uint32_t message_modulus, uint32_t carry_modulus);
/* The value as ceil(bits / 8) little-endian bytes, the bits above N zero
 * (FheUint) or copies of the sign (FheInt); FheBool is one byte 0 or 1.
 * out is zeroed on failure. */
int sns_decrypt_radix(const struct sns_private_key *pk, uint8_t *out, size_t out_len,
                      const struct sns_radix *ct) KMS_MUST_CHECK;

#endif

/* The seeded ("compressed") public keys of TFHE-rs 1.7: the KMS's
 * CompressedXofKeySet, and its two halves CompressedCompactPublicKey and
 * CompressedServerKey, mapped to tfhe/keyset.h's struct keyset_public
 * (the bodies of every component, stored as they are on the wire).
 *
 * Every seeded entity stores its bodies and a CompressionSeed V1 { inner:
 * AesCtrParams V0 { seed: SeedKind V0 (0 Ctr(Seed V0: u128) | 1 Xof(XofSeed
 * V0 { data: Vec<u8> = 8-byte domain separator || seed bytes })),
 * first_index: TableIndex V0 { aes_index: AesIndex V0 (u128), byte_index:
 * ByteIndex V0 (usize) } } }, the position its masks start at. A keyset
 * written by ckms gives every component SeedKind::Xof(the public seed,
 * "TFHE_GEN") and first_index = the component's first mask byte in the one
 * public stream (keyset_component.first_byte), as tfhe-rs's
 * MaskRandomGenerator::current_compression_seed does; a CompressedServerKey
 * made by tfhe-rs's CompressedServerKey::new seeds every entity with its
 * own Ctr seed at index 0. Readers keep whatever seeds they find.
 *
 *   "high_level_api::CompressedXofKeySet":
 *   CompressedXofKeySet V1 {
 *     seed: XofSeedStart V0, variant 0 FirstByte(XofSeed: "TFHE_GEN" || seed),
 *     compressed_public_key: CompressedCompactPublicKey (body below),
 *     compressed_server_key: CompressedServerKey (body below) }
 *
 *   "high_level_api::CompressedCompactPublicKey":
 *   CompressedCompactPublicKey V1 { key: IntegerCompressedCompactPublicKey V0 {
 *     key: integer CompressedCompactPublicKey V0 (CCPK) }, tag: Tag }
 *   integer CCPK V0 { key: shortint CompressedCompactPublicKey V1 {
 *     key: SeededLweCompactPublicKey V0 { SeededGlweCiphertext V0 {
 *       data: Vec<u64> (B, n_pk words), glwe_size (2), compression_seed,
 *       ciphertext_modulus } },
 *     parameters: CompactPublicKeyEncryptionParameters (wire_params.h) } }
 *
 *   "high_level_api::CompressedServerKey":
 *   CompressedServerKey V2 { integer_key: IntegerCompressedServerKey V7 {
 *     key: integer CompressedServerKey V2 { shortint CompressedServerKey V3 {
 *       compressed_ap_server_key: CompressedAtomicPatternServerKey V0,
 *         variant 0 Standard(CompressedStandardAtomicPatternServerKey V0 {
 *           key_switching_key: SeededLweKeyswitchKey  [compute KSK],
 *           bootstrapping_key: CBSK [compute BSK, compute MS key],
 *           pbs_order: PBSOrder V0, variant 0 KeyswitchBootstrap }),
 *       message_modulus, carry_modulus,
 *       max_degree (message * carry - carry), max_noise_level } },
 *     cpk_key_switching_key_material: Option<integer CompressedKeySwitching
 *       KeyMaterial V2 { shortint ... V2 { key_switching_key: SeededLwe
 *       KeyswitchKey [casting KSK], cast_rshift: i8 (0), destination_key:
 *       EncryptionKeyChoice V0 (1 Small), destination_atomic_pattern:
 *       KeySwitchingKeyDestinationAtomicPattern V0 (0 Standard) } }>,
 *     compression_key: Option<integer CompressedCompressionKey V2 { shortint
 *       V2 { packing_key_switching_key: SeededLwePackingKeyswitchKey<u64>
 *       [compression key], lwe_per_glwe, storage_log_modulus } }>,
 *     decompression_key: Option<integer CompressedDecompressionKey V1 {
 *       shortint V2 { bsk: CBSK [decompression BSK, Standard switch],
 *       lwe_per_glwe } }>,
 *     noise_squashing_key: Option<integer CompressedNoiseSquashingKey V0 {
 *       shortint V3 { atomic_pattern: CompressedAtomicPatternNoiseSquashing
 *       Key V0, variant 0 Standard(CompressedStandardAtomicPatternNoise
 *       SquashingKey V0 { bootstrapping_key: CompressedShortint128
 *       BootstrappingKey V1, variant 0 Classic { bsk: SeededLweBootstrapKey
 *       <u128> [SnS BSK], modulus_switch_noise_reduction_key: CMSC [SnS MS
 *       key] } }), message_modulus, carry_modulus, output_ciphertext_modulus
 *       (native u128) } }>,
 *     noise_squashing_compression_key: Option<integer CompressedNoise
 *       SquashingCompressionKey V0 { shortint V0 { packing_key_switching_key:
 *       SeededLwePackingKeyswitchKey<u128> [SnS compression key],
 *       lwe_per_glwe } }>,
 *     cpk_re_randomization_key: Option<CompressedReRandomizationKey V0,
 *       variant 1 DerivedCPKWithoutKeySwitch { cpk: integer CCPK
 *       [re-randomization CPK; parameters: dimension k N, GLWE noise,
 *       NoCasting(Standard(KeyswitchBootstrap)), no ZK] }>,
 *     oprf_key: Option<integer CompressedOprfServerKey V0 (newtype) {
 *       shortint V0 { inner: CompressedOprfBootstrappingKey V0, variant 0
 *       Classic { seeded_bsk: SeededLweBootstrapKey<u64> [OPRF BSK] } } }> },
 *     tag: Tag }
 *
 *   CBSK = ShortintCompressedBootstrappingKey<u64> V3, variant 0 Classic {
 *     bsk: SeededLweBootstrapKey, modulus_switch_noise_reduction_key: CMSC }
 *   CMSC = CompressedModulusSwitchConfiguration<u64> V0: 0 Standard |
 *     1 DriftTechniqueNoiseReduction(CompressedModulusSwitchNoiseReduction
 *       Key V1 { modulus_switch_zeros: SeededLweCiphertextList<u64> V0 {
 *       data (one body per zero), lwe_size (n + 1), compression_seed,
 *       ciphertext_modulus }, ms_bound, ms_r_sigma_factor, ms_input_variance
 *       (f64 newtypes) }) | 2 CenteredMeanNoiseReduction
 *   SeededLweBootstrapKey V1 { ggsw_list: SeededGgswCiphertextList V1 {
 *     data: Vec (n (k+1) l bodies of N words), glwe_size, polynomial_size,
 *     decomp_base_log, decomp_level_count, compression_seed, modulus } }
 *   SeededLweKeyswitchKey V2 { data (n_in l bodies), decomp_base_log,
 *     decomp_level_count, output_lwe_size, compression_seed, modulus }
 *   SeededLwePackingKeyswitchKey V2 { data (n_in l bodies of N words),
 *     decomp_base_log, decomp_level_count, output_glwe_size,
 *     output_polynomial_size, compression_seed, modulus }
 *
 * Every field other than bodies, seeds and tags follows from the parameter
 * set; readers check each against the set (the one given, or the library
 * set, default or test, that fits) and name the first that differs. */
#ifndef CKMS_TFHE_WIRE_KEYSET_H
#define CKMS_TFHE_WIRE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_io.h"

#define WIRE_NAME_XOF_KEYSET "high_level_api::CompressedXofKeySet"
#define WIRE_NAME_COMPRESSED_SERVER_KEY "high_level_api::CompressedServerKey"
#define WIRE_NAME_COMPRESSED_CPK "high_level_api::CompressedCompactPublicKey"

/* ---- CompressionSeed ---- */

enum wire_seed_kind { WIRE_SEED_CTR = 0, WIRE_SEED_XOF = 1 };

#define WIRE_XOF_SEED_MAX (8 + KEYSET_SEED_MAX)

struct wire_cseed {
    uint8_t kind;                   /* enum wire_seed_kind */
    u128 ctr;                       /* Ctr: the AES key */
    uint8_t xof[WIRE_XOF_SEED_MAX]; /* Xof: domain separator (8 bytes) || seed */
    size_t xof_len;
    u128 first_byte; /* first_index as a byte offset: 16 aes_index + byte_index */
};

/* The seed ckms writes for component c of pub. */
void wire_cseed_of_keyset(struct wire_cseed *s, const struct keyset_public *pub,
                          enum keyset_comp c);
/* The generator a seed names, standing at its first_index (free it). */
int wire_cseed_generator(struct csprng *g, const struct wire_cseed *s) KMS_MUST_CHECK;

/* ---- objects ---- */

enum wire_keyset_kind {
    WIRE_KEYSET_XOF = 0,  /* CompressedXofKeySet: every component */
    WIRE_KEYSET_CSK = 1,  /* CompressedServerKey: all but the CPK */
    WIRE_KEYSET_CCPK = 2  /* CompressedCompactPublicKey: the CPK alone */
};

/* A seeded key as read. pub holds the parameter set, the tag and the
 * bodies of the components the object has (the others stay zero); its
 * seed is the keyset's public seed when there is one (the XofKeySet's, or
 * the one every component's Xof seed names). */
struct wire_seeded_keyset {
    uint8_t kind;     /* enum wire_keyset_kind */
    unsigned present; /* bit c: component c is in the object */
    struct keyset_public pub;
    struct wire_cseed seed[KEYSET_COMP_COUNT];
    /* 1 when every component present is seeded from pub.seed at the
     * offsets of one replayed stream (what keyset_decompress assumes) */
    int replayable;
};

void wire_seeded_keyset_clear(struct wire_seeded_keyset *k);

/* Components an object of a kind holds, for a parameter set. */
unsigned wire_keyset_components(enum wire_keyset_kind kind, const struct tfhe_params *p);

/* Writers, straight from the bodies (nothing is copied; a 488 MiB keyset
 * goes out in 1 MiB pieces). seeds: one per component, or NULL for the
 * seeds of pub (wire_cseed_of_keyset). pub must hold every component the
 * kind needs. */
int wire_xof_keyset_write(struct wire_sink *s, const struct keyset_public *pub) KMS_MUST_CHECK;
int wire_csk_write(struct wire_sink *s, const struct keyset_public *pub,
                   const struct wire_cseed *seeds) KMS_MUST_CHECK;
int wire_ccpk_write(struct wire_sink *s, const struct keyset_public *pub,
                    const struct wire_cseed *seeds) KMS_MUST_CHECK;
/* Writes what a reader read, as it was. */
int wire_seeded_keyset_write(struct wire_sink *s, const struct wire_seeded_keyset *k)
    KMS_MUST_CHECK;

/* Reads a CompressedXofKeySet, CompressedServerKey or CompressedCompact
 * PublicKey (whichever the header names) of at most size_limit bytes, made
 * with params (NULL: whichever library set fits). out is zeroed on
 * failure. */
int wire_seeded_keyset_read(struct wire_seeded_keyset *out, const uint8_t *bytes, size_t len,
                            size_t size_limit, const struct tfhe_params *params) KMS_MUST_CHECK;

/* Expands component c of k into out (keyset_layout_words words, standard
 * domain) from the component's own seed, as tfhe-rs decompresses a seeded
 * entity: what a key made by tfhe-rs's CompressedServerKey::new needs. */
int wire_seeded_keyset_expand(const struct wire_seeded_keyset *k, enum keyset_comp c, void *out,
                              size_t out_words) KMS_MUST_CHECK;

#endif

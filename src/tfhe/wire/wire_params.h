/* The parameter records tfhe-rs 1.7 embeds in keys (shortint/parameters,
 * their backward_compatibility Versions), read into and written from the
 * engine's struct tfhe_params.
 *
 * Records, with the version each is written at:
 *   PBSParameters V0, variant PBS(ClassicPBSParameters V2):
 *     lwe_dimension, glwe_dimension, polynomial_size (scalars),
 *     lwe_noise_distribution, glwe_noise_distribution (DynamicDistribution
 *     V0: variant 1 TUniform(V0, bound_log2 u32); variant 0 Gaussian is not
 *     supported), pbs_base_log, pbs_level, ks_base_log, ks_level,
 *     message_modulus, carry_modulus, max_noise_level (scalars), log2_p_fail
 *     (f64), ciphertext_modulus (native), encryption_key_choice (V0, 0 Big),
 *     modulus_switch_noise_reduction_params (ModulusSwitchType V0: 0 Standard,
 *     1 DriftTechniqueNoiseReduction(V0 {zeros_count, ms_bound f64,
 *     r_sigma f64, input_variance f64}, each a versioned newtype),
 *     2 CenteredMeanNoiseReduction);
 *   CompactPublicKeyEncryptionParameters V1: encryption_lwe_dimension,
 *     encryption_noise_distribution, message_modulus, carry_modulus,
 *     ciphertext_modulus, expansion_kind (V1: 0 RequiresCasting,
 *     1 NoCasting(AtomicPatternKind)), zk_scheme (V0: 0 none, 1 V1, 2 V2);
 *   ShortintKeySwitchingParameters V0: ks_base_log, ks_level,
 *     destination_key (EncryptionKeyChoice);
 *   CompressionParameters V1, variant Classic(ClassicCompressionParameters V0):
 *     br_level, br_base_log, packing_ks_level, packing_ks_base_log,
 *     packing_ks_polynomial_size, packing_ks_glwe_dimension, lwe_per_glwe,
 *     storage_log_modulus, packing_ks_key_noise_distribution;
 *   NoiseSquashingParameters V2, variant Classic(NoiseSquashingClassic
 *     Parameters V0): glwe_dimension, polynomial_size, glwe_noise_distribution,
 *     decomp_base_log, decomp_level_count, modulus switch, message_modulus,
 *     carry_modulus, ciphertext_modulus (native u128);
 *   NoiseSquashingCompressionParameters V0: packing_ks_level,
 *     packing_ks_base_log, packing_ks_polynomial_size,
 *     packing_ks_glwe_dimension, lwe_per_glwe, packing_ks_key_noise_distribution,
 *     message_modulus, carry_modulus, ciphertext_modulus (native u128);
 *   ReRandomizationParameters V0: 0 LegacyDedicatedCPKWithKeySwitch
 *     {ShortintKeySwitchingParameters}, 1 DerivedCPKWithoutKeySwitch.
 *
 * Readers accept what the engine can represent exactly (so that writing back
 * gives the same bytes) and refuse the rest with KMS_EINVAL "unsupported
 * parameters": Gaussian noise, non-native moduli, multi-bit and KeySwitch32
 * atomic patterns, the PBS-KS order (EncryptionKeyChoice::Small for compute),
 * values outside the engine's ranges. */
#ifndef CKMS_TFHE_WIRE_PARAMS_H
#define CKMS_TFHE_WIRE_PARAMS_H

#include <stdint.h>

#include "base/error.h"
#include "base/reader.h"
#include "tfhe/params.h"
#include "tfhe/wire/wire_io.h"

enum wire_key_choice { WIRE_KEY_BIG = 0, WIRE_KEY_SMALL = 1 };

/* CompactCiphertextListExpansionKind: casting to the compute keys, or
 * already under the compute big key (NoCasting(Standard(KeyswitchBootstrap)),
 * the only NoCasting kind supported). */
enum wire_expansion { WIRE_EXPANSION_REQUIRES_CASTING = 0, WIRE_EXPANSION_NO_CASTING = 1 };

enum wire_zk_scheme { WIRE_ZK_NONE = 0, WIRE_ZK_V1 = 1, WIRE_ZK_V2 = 2 };

/* The CPK record: struct tfhe_cpk_params plus the fields it lacks. */
struct wire_cpk_params {
    struct tfhe_cpk_params cpk;
    uint8_t expansion; /* enum wire_expansion */
    uint8_t zk_scheme; /* enum wire_zk_scheme */
};

struct wire_ksk_params {
    uint32_t ks_base_log, ks_level;
    uint8_t destination; /* enum wire_key_choice */
};

enum wire_rerand_kind { WIRE_RERAND_LEGACY_KSK = 0, WIRE_RERAND_DERIVED = 1 };

struct wire_rerand_params {
    uint8_t kind;               /* enum wire_rerand_kind */
    struct wire_ksk_params ksk; /* WIRE_RERAND_LEGACY_KSK only */
};

/* ---- records ---- */

void wire_put_pbs_params(struct wire_sink *s, const struct tfhe_pbs_params *p);
int wire_get_pbs_params(struct reader *r, struct tfhe_pbs_params *p) KMS_MUST_CHECK;

/* CompactCiphertextListExpansionKind (V1), also part of compact lists. */
void wire_put_expansion(struct wire_sink *s, uint8_t expansion);
int wire_get_expansion(struct reader *r, uint8_t *expansion) KMS_MUST_CHECK;

void wire_put_cpk_params(struct wire_sink *s, const struct wire_cpk_params *p);
int wire_get_cpk_params(struct reader *r, struct wire_cpk_params *p) KMS_MUST_CHECK;

void wire_put_ksk_params(struct wire_sink *s, const struct wire_ksk_params *p);
int wire_get_ksk_params(struct reader *r, struct wire_ksk_params *p) KMS_MUST_CHECK;

void wire_put_compression_params(struct wire_sink *s, const struct tfhe_compression_params *p);
int wire_get_compression_params(struct reader *r, struct tfhe_compression_params *p)
    KMS_MUST_CHECK;

void wire_put_sns_params(struct wire_sink *s, const struct tfhe_sns_params *p);
int wire_get_sns_params(struct reader *r, struct tfhe_sns_params *p) KMS_MUST_CHECK;

/* The SnS-compression record also names message and carry moduli, which
 * struct tfhe_sns_compression_params does not hold (the SnS ones apply). */
void wire_put_snscomp_params(struct wire_sink *s, const struct tfhe_sns_compression_params *p,
                             uint32_t message_modulus, uint32_t carry_modulus);
int wire_get_snscomp_params(struct reader *r, struct tfhe_sns_compression_params *p,
                            uint32_t *message_modulus, uint32_t *carry_modulus) KMS_MUST_CHECK;

void wire_put_rerand_params(struct wire_sink *s, const struct wire_rerand_params *p);
int wire_get_rerand_params(struct reader *r, struct wire_rerand_params *p) KMS_MUST_CHECK;

/* ---- sets ---- */

/* Field-by-field equality of two records (doubles bit for bit). */
int wire_pbs_params_equal(const struct tfhe_pbs_params *a, const struct tfhe_pbs_params *b);
int wire_cpk_params_equal(const struct tfhe_cpk_params *a, const struct tfhe_cpk_params *b);
int wire_compression_params_equal(const struct tfhe_compression_params *a,
                                  const struct tfhe_compression_params *b);
int wire_sns_params_equal(const struct tfhe_sns_params *a, const struct tfhe_sns_params *b);
int wire_snscomp_params_equal(const struct tfhe_sns_compression_params *a,
                              const struct tfhe_sns_compression_params *b);

/* The library set (params.h: default, test, message_2_carry_2) that has
 * exactly p's components, each equal to p's, or NULL. */
const struct tfhe_params *wire_params_known(const struct tfhe_params *p);

/* The records the KMS writes for a library set that has a CPK (tfhe-rs
 * configs of the KMS, DKGParams::to_tfhe_config): RequiresCasting, ZK V2,
 * casting to the small key, derived re-randomization. */
void wire_params_kms_cpk(const struct tfhe_params *set, struct wire_cpk_params *cpk,
                         struct wire_ksk_params *casting, struct wire_rerand_params *rerand);

/* The casting key's noise for a destination key (not serialized: tfhe-rs
 * uses the compute LWE noise for Small and the GLWE noise for Big). */
uint8_t wire_casting_noise_log2(const struct tfhe_pbs_params *p, uint8_t destination);

#endif

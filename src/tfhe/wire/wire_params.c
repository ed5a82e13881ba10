#include "tfhe/wire/wire_params.h"

#include <string.h>

/* Versions tfhe-rs 1.7 writes (shortint/backward_compatibility/parameters). */
#define V_PBS_PARAMETERS 0u
#define V_CLASSIC_PBS 2u
#define V_DYNAMIC_DISTRIBUTION 0u
#define V_TUNIFORM 0u
#define V_KEY_CHOICE 0u
#define V_MS_TYPE 0u
#define V_MS_NOISE_REDUCTION 0u
#define V_CPK_PARAMS 1u
#define V_EXPANSION_KIND 1u
#define V_ATOMIC_PATTERN_KIND 0u
#define V_PBS_ORDER 0u
#define V_ZK_SCHEME 0u
#define V_KSK_PARAMS 0u
#define V_COMPRESSION_PARAMS 1u
#define V_CLASSIC_COMPRESSION 0u
#define V_SNS_PARAMS 2u
#define V_SNS_CLASSIC 0u
#define V_SNSCOMP_PARAMS 0u
#define V_RERAND 0u

#define DIST_TUNIFORM 1u
#define MS_STANDARD 0u
#define MS_DRIFT 1u
#define MS_CENTERED 2u

/* Engine ranges: anything outside is refused rather than truncated. */
#define MAX_DIM ((uint64_t)1 << 20)
#define MAX_POLY ((uint64_t)1 << 17)
#define MAX_LEVEL 64u
#define MAX_MODULUS ((uint64_t)1 << 16)

static int unsupported(const char *what)
{
    return kms_err(KMS_EINVAL, "unsupported parameters: %s", what);
}

static int is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

static int get_pow2(struct reader *r, const char *what, uint64_t max, uint32_t *out)
{
    uint64_t v;
    KMS_TRY(wire_get_scalar(r, what, &v));
    if (!is_pow2(v) || v > max)
        return kms_err(KMS_EINVAL, "unsupported parameters: %s %llu (powers of two up to %llu)",
                       what, (unsigned long long)v, (unsigned long long)max);
    *out = (uint32_t)v;
    return 0;
}

/* ---- noise distributions ---- */

static void put_tuniform(struct wire_sink *s, uint8_t bound_log2)
{
    wire_put_version(s, V_DYNAMIC_DISTRIBUTION);
    wire_put_variant(s, DIST_TUNIFORM);
    wire_put_version(s, V_TUNIFORM);
    wire_put_u32(s, bound_log2);
}

/* TUniform over word_bits-bit integers: tfhe-rs needs bound_log2 + 2 <= bits. */
static int get_tuniform(struct reader *r, const char *what, unsigned word_bits, uint8_t *out)
{
    uint32_t variant, bound;
    KMS_TRY(wire_get_version(r, what, V_DYNAMIC_DISTRIBUTION));
    KMS_TRY(wire_get_variant(r, what, &variant, 2));
    if (variant != DIST_TUNIFORM)
        return kms_err(KMS_EINVAL, "unsupported parameters: %s is Gaussian (only TUniform)", what);
    KMS_TRY(wire_get_version(r, what, V_TUNIFORM));
    if (reader_u32le(r, &bound) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    if (bound + 2 > word_bits)
        return kms_err(KMS_EINVAL, "%s: TUniform bound 2^%u too large for %u-bit words", what,
                       bound, word_bits);
    *out = (uint8_t)bound;
    return 0;
}

/* ---- modulus switch ---- */

static void put_ms(struct wire_sink *s, const struct tfhe_ms_params *ms)
{
    wire_put_version(s, V_MS_TYPE);
    switch (ms->kind) {
    case TFHE_MS_DRIFT:
        wire_put_variant(s, MS_DRIFT);
        wire_put_version(s, V_MS_NOISE_REDUCTION);
        wire_put_scalar(s, ms->zeros_count);
        wire_put_version(s, 0);
        wire_put_f64(s, (double)ms->ms_bound);
        wire_put_version(s, 0);
        wire_put_f64(s, ms->ms_r_sigma_factor);
        wire_put_version(s, 0);
        wire_put_f64(s, ms->ms_input_variance);
        break;
    case TFHE_MS_CENTERED_MEAN:
        wire_put_variant(s, MS_CENTERED);
        break;
    default:
        wire_put_variant(s, MS_STANDARD);
        break;
    }
}

static int get_f64_newtype(struct reader *r, const char *what, double *v)
{
    KMS_TRY(wire_get_version(r, what, 0));
    if (wire_get_f64(r, v) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    return 0;
}

static int get_ms(struct reader *r, struct tfhe_ms_params *ms)
{
    uint32_t variant;
    memset(ms, 0, sizeof *ms);
    KMS_TRY(wire_get_version(r, "ModulusSwitchType", V_MS_TYPE));
    KMS_TRY(wire_get_variant(r, "ModulusSwitchType", &variant, 3));
    if (variant == MS_STANDARD) {
        ms->kind = TFHE_MS_STANDARD;
        return 0;
    }
    if (variant == MS_CENTERED) {
        ms->kind = TFHE_MS_CENTERED_MEAN;
        return 0;
    }
    ms->kind = TFHE_MS_DRIFT;
    double bound;
    KMS_TRY(wire_get_version(r, "ModulusSwitchNoiseReductionParams", V_MS_NOISE_REDUCTION));
    KMS_TRY(wire_get_scalar32(r, "modulus_switch_zeros_count", &ms->zeros_count, 1, 1u << 16));
    KMS_TRY(get_f64_newtype(r, "ms_bound", &bound));
    KMS_TRY(get_f64_newtype(r, "ms_r_sigma_factor", &ms->ms_r_sigma_factor));
    KMS_TRY(get_f64_newtype(r, "ms_input_variance", &ms->ms_input_variance));
    /* the engine keeps the bound as an integer: it must convert back exactly */
    if (!(bound >= 0 && bound < 18446744073709551616.0))
        return unsupported("drift ms_bound is not a 64-bit integer");
    ms->ms_bound = (uint64_t)bound;
    double back = (double)ms->ms_bound;
    if (memcmp(&back, &bound, sizeof back) != 0)
        return unsupported("drift ms_bound is not a 64-bit integer");
    return 0;
}

/* ---- small enums ---- */

static void put_key_choice(struct wire_sink *s, uint8_t choice)
{
    wire_put_version(s, V_KEY_CHOICE);
    wire_put_variant(s, choice);
}

static int get_key_choice(struct reader *r, const char *what, uint8_t *choice)
{
    uint32_t v;
    KMS_TRY(wire_get_version(r, what, V_KEY_CHOICE));
    KMS_TRY(wire_get_variant(r, what, &v, 2));
    *choice = (uint8_t)v;
    return 0;
}

/* ---- the Classic variant of a versioned enum ---- */

/* PBSParameters, CompressionParameters and NoiseSquashingParameters are all
 * a versioned two-variant enum (Classic, MultiBit) around a versioned struct;
 * only Classic (variant 0) is supported. */
static void put_classic(struct wire_sink *s, uint32_t version, uint32_t classic_version)
{
    wire_put_version(s, version);
    wire_put_variant(s, 0);
    wire_put_version(s, classic_version);
}

static int get_classic(struct reader *r, const char *what, uint32_t version,
                       const char *classic_what, uint32_t classic_version, const char *multibit)
{
    uint32_t variant;
    KMS_TRY(wire_get_version(r, what, version));
    KMS_TRY(wire_get_variant(r, what, &variant, 2));
    if (variant != 0)
        return unsupported(multibit);
    return wire_get_version(r, classic_what, classic_version);
}

/* ---- ClassicPBSParameters ---- */

void wire_put_pbs_params(struct wire_sink *s, const struct tfhe_pbs_params *p)
{
    put_classic(s, V_PBS_PARAMETERS, V_CLASSIC_PBS); /* PBSParameters::PBS */
    wire_put_scalar(s, p->lwe_dimension);
    wire_put_scalar(s, p->glwe_dimension);
    wire_put_scalar(s, p->polynomial_size);
    put_tuniform(s, p->lwe_noise_log2);
    put_tuniform(s, p->glwe_noise_log2);
    wire_put_scalar(s, p->pbs_base_log);
    wire_put_scalar(s, p->pbs_level);
    wire_put_scalar(s, p->ks_base_log);
    wire_put_scalar(s, p->ks_level);
    wire_put_scalar(s, p->message_modulus);
    wire_put_scalar(s, p->carry_modulus);
    wire_put_scalar(s, p->max_noise_level);
    wire_put_f64(s, p->log2_p_fail);
    wire_put_native_modulus(s, 64);
    put_key_choice(s, WIRE_KEY_BIG);
    put_ms(s, &p->ms);
}

static int get_moduli(struct reader *r, uint32_t *msg, uint32_t *carry)
{
    KMS_TRY(get_pow2(r, "message_modulus", MAX_MODULUS, msg));
    KMS_TRY(get_pow2(r, "carry_modulus", MAX_MODULUS, carry));
    if ((uint64_t)*msg * *carry > MAX_MODULUS)
        return unsupported("message_modulus * carry_modulus above 2^16");
    return 0;
}

/* base_log and level of a decomposition over word_bits-bit words. */
static int get_decomp(struct reader *r, const char *base_what, const char *level_what,
                      unsigned word_bits, uint32_t *base_log, uint32_t *level, int level_first)
{
    if (level_first)
        KMS_TRY(wire_get_scalar32(r, level_what, level, 1, MAX_LEVEL));
    KMS_TRY(wire_get_scalar32(r, base_what, base_log, 1, word_bits - 1));
    if (!level_first)
        KMS_TRY(wire_get_scalar32(r, level_what, level, 1, MAX_LEVEL));
    if ((uint64_t)*base_log * *level > word_bits)
        return kms_err(KMS_EINVAL, "%s x %s = %u x %u exceeds %u bits", base_what, level_what,
                       *base_log, *level, word_bits);
    return 0;
}

int wire_get_pbs_params(struct reader *r, struct tfhe_pbs_params *p)
{
    uint64_t noise_level;
    uint8_t choice;
    memset(p, 0, sizeof *p);
    KMS_TRY(get_classic(r, "PBSParameters", V_PBS_PARAMETERS, "ClassicPBSParameters",
                        V_CLASSIC_PBS, "multi-bit PBS"));
    KMS_TRY(wire_get_scalar32(r, "lwe_dimension", &p->lwe_dimension, 1, MAX_DIM));
    KMS_TRY(wire_get_scalar32(r, "glwe_dimension", &p->glwe_dimension, 1, 1024));
    KMS_TRY(get_pow2(r, "polynomial_size", MAX_POLY, &p->polynomial_size));
    KMS_TRY(get_tuniform(r, "lwe_noise_distribution", 64, &p->lwe_noise_log2));
    KMS_TRY(get_tuniform(r, "glwe_noise_distribution", 64, &p->glwe_noise_log2));
    KMS_TRY(get_decomp(r, "pbs_base_log", "pbs_level", 64, &p->pbs_base_log, &p->pbs_level, 0));
    KMS_TRY(get_decomp(r, "ks_base_log", "ks_level", 64, &p->ks_base_log, &p->ks_level, 0));
    KMS_TRY(get_moduli(r, &p->message_modulus, &p->carry_modulus));
    KMS_TRY(wire_get_scalar_in(r, "max_noise_level", &noise_level, 1, UINT32_MAX));
    p->max_noise_level = (uint32_t)noise_level;
    if (wire_get_f64(r, &p->log2_p_fail) < 0)
        return kms_err(KMS_ETRUNC, "ClassicPBSParameters: input ends early");
    KMS_TRY(wire_get_native_modulus(r, "ClassicPBSParameters ciphertext_modulus", 64));
    KMS_TRY(get_key_choice(r, "encryption_key_choice", &choice));
    if (choice != WIRE_KEY_BIG)
        return unsupported("PBS-KS order (EncryptionKeyChoice::Small)");
    return get_ms(r, &p->ms);
}

/* ---- CompactCiphertextListExpansionKind ---- */

void wire_put_expansion(struct wire_sink *s, uint8_t expansion)
{
    wire_put_version(s, V_EXPANSION_KIND);
    wire_put_variant(s, expansion);
    if (expansion == WIRE_EXPANSION_NO_CASTING) {
        wire_put_version(s, V_ATOMIC_PATTERN_KIND);
        wire_put_variant(s, 0); /* Standard */
        wire_put_version(s, V_PBS_ORDER);
        wire_put_variant(s, 0); /* KeyswitchBootstrap */
    }
}

int wire_get_expansion(struct reader *r, uint8_t *expansion)
{
    uint32_t v;
    KMS_TRY(wire_get_version(r, "CompactCiphertextListExpansionKind", V_EXPANSION_KIND));
    KMS_TRY(wire_get_variant(r, "CompactCiphertextListExpansionKind", &v, 2));
    *expansion = (uint8_t)v;
    if (v == WIRE_EXPANSION_NO_CASTING) {
        KMS_TRY(wire_get_version(r, "AtomicPatternKind", V_ATOMIC_PATTERN_KIND));
        KMS_TRY(wire_get_variant(r, "AtomicPatternKind", &v, 2));
        if (v != 0)
            return unsupported("KeySwitch32 atomic pattern");
        KMS_TRY(wire_get_version(r, "PBSOrder", V_PBS_ORDER));
        KMS_TRY(wire_get_variant(r, "PBSOrder", &v, 2));
        if (v != 0)
            return unsupported("PBS-KS order");
    }
    return 0;
}

/* ---- CompactPublicKeyEncryptionParameters ---- */

void wire_put_cpk_params(struct wire_sink *s, const struct wire_cpk_params *p)
{
    wire_put_version(s, V_CPK_PARAMS);
    wire_put_scalar(s, p->cpk.lwe_dimension);
    put_tuniform(s, p->cpk.noise_log2);
    wire_put_scalar(s, p->cpk.message_modulus);
    wire_put_scalar(s, p->cpk.carry_modulus);
    wire_put_native_modulus(s, 64);
    wire_put_expansion(s, p->expansion);
    wire_put_version(s, V_ZK_SCHEME);
    wire_put_variant(s, p->zk_scheme);
}

int wire_get_cpk_params(struct reader *r, struct wire_cpk_params *p)
{
    uint32_t v;
    memset(p, 0, sizeof *p);
    KMS_TRY(wire_get_version(r, "CompactPublicKeyEncryptionParameters", V_CPK_PARAMS));
    KMS_TRY(wire_get_scalar32(r, "encryption_lwe_dimension", &p->cpk.lwe_dimension, 1, MAX_DIM));
    KMS_TRY(get_tuniform(r, "encryption_noise_distribution", 64, &p->cpk.noise_log2));
    KMS_TRY(get_moduli(r, &p->cpk.message_modulus, &p->cpk.carry_modulus));
    KMS_TRY(wire_get_native_modulus(r, "CompactPublicKeyEncryptionParameters modulus", 64));
    KMS_TRY(wire_get_expansion(r, &p->expansion));
    KMS_TRY(wire_get_version(r, "SupportedCompactPkeZkScheme", V_ZK_SCHEME));
    KMS_TRY(wire_get_variant(r, "SupportedCompactPkeZkScheme", &v, 3));
    p->zk_scheme = (uint8_t)v;
    return 0;
}

/* ---- ShortintKeySwitchingParameters ---- */

void wire_put_ksk_params(struct wire_sink *s, const struct wire_ksk_params *p)
{
    wire_put_version(s, V_KSK_PARAMS);
    wire_put_scalar(s, p->ks_base_log);
    wire_put_scalar(s, p->ks_level);
    put_key_choice(s, p->destination);
}

int wire_get_ksk_params(struct reader *r, struct wire_ksk_params *p)
{
    memset(p, 0, sizeof *p);
    KMS_TRY(wire_get_version(r, "ShortintKeySwitchingParameters", V_KSK_PARAMS));
    KMS_TRY(get_decomp(r, "ks_base_log", "ks_level", 64, &p->ks_base_log, &p->ks_level, 0));
    return get_key_choice(r, "destination_key", &p->destination);
}

/* ---- packing key-switch fields shared by both compression parameter sets ---- */

static void put_packing_ks(struct wire_sink *s, uint32_t level, uint32_t base_log,
                           uint32_t polynomial_size, uint32_t glwe_dimension,
                           uint32_t lwe_per_glwe)
{
    wire_put_scalar(s, level);
    wire_put_scalar(s, base_log);
    wire_put_scalar(s, polynomial_size);
    wire_put_scalar(s, glwe_dimension);
    wire_put_scalar(s, lwe_per_glwe);
}

static int get_packing_ks(struct reader *r, unsigned word_bits, uint32_t *level,
                          uint32_t *base_log, uint32_t *polynomial_size,
                          uint32_t *glwe_dimension, uint32_t *lwe_per_glwe)
{
    KMS_TRY(get_decomp(r, "packing_ks_base_log", "packing_ks_level", word_bits, base_log, level,
                       1));
    KMS_TRY(get_pow2(r, "packing_ks_polynomial_size", MAX_POLY, polynomial_size));
    KMS_TRY(wire_get_scalar32(r, "packing_ks_glwe_dimension", glwe_dimension, 1, 1024));
    return wire_get_scalar32(r, "lwe_per_glwe", lwe_per_glwe, 1, *polynomial_size);
}

/* ---- CompressionParameters ---- */

void wire_put_compression_params(struct wire_sink *s, const struct tfhe_compression_params *p)
{
    put_classic(s, V_COMPRESSION_PARAMS, V_CLASSIC_COMPRESSION);
    wire_put_scalar(s, p->br_level);
    wire_put_scalar(s, p->br_base_log);
    put_packing_ks(s, p->packing_ks_level, p->packing_ks_base_log, p->packing_ks_polynomial_size,
                   p->packing_ks_glwe_dimension, p->lwe_per_glwe);
    wire_put_scalar(s, p->storage_log_modulus);
    put_tuniform(s, p->packing_ks_noise_log2);
}

int wire_get_compression_params(struct reader *r, struct tfhe_compression_params *p)
{
    memset(p, 0, sizeof *p);
    KMS_TRY(get_classic(r, "CompressionParameters", V_COMPRESSION_PARAMS,
                        "ClassicCompressionParameters", V_CLASSIC_COMPRESSION,
                        "multi-bit compression"));
    KMS_TRY(get_decomp(r, "br_base_log", "br_level", 64, &p->br_base_log, &p->br_level, 1));
    KMS_TRY(get_packing_ks(r, 64, &p->packing_ks_level, &p->packing_ks_base_log,
                           &p->packing_ks_polynomial_size, &p->packing_ks_glwe_dimension,
                           &p->lwe_per_glwe));
    KMS_TRY(wire_get_scalar32(r, "storage_log_modulus", &p->storage_log_modulus, 1, 64));
    return get_tuniform(r, "packing_ks_key_noise_distribution", 64, &p->packing_ks_noise_log2);
}

/* ---- NoiseSquashingParameters ---- */

void wire_put_sns_params(struct wire_sink *s, const struct tfhe_sns_params *p)
{
    put_classic(s, V_SNS_PARAMS, V_SNS_CLASSIC);
    wire_put_scalar(s, p->glwe_dimension);
    wire_put_scalar(s, p->polynomial_size);
    put_tuniform(s, p->glwe_noise_log2);
    wire_put_scalar(s, p->base_log);
    wire_put_scalar(s, p->level);
    put_ms(s, &p->ms);
    wire_put_scalar(s, p->message_modulus);
    wire_put_scalar(s, p->carry_modulus);
    wire_put_native_modulus(s, 128);
}

int wire_get_sns_params(struct reader *r, struct tfhe_sns_params *p)
{
    memset(p, 0, sizeof *p);
    KMS_TRY(get_classic(r, "NoiseSquashingParameters", V_SNS_PARAMS,
                        "NoiseSquashingClassicParameters", V_SNS_CLASSIC,
                        "multi-bit noise squashing"));
    KMS_TRY(wire_get_scalar32(r, "glwe_dimension", &p->glwe_dimension, 1, 1024));
    KMS_TRY(get_pow2(r, "polynomial_size", MAX_POLY, &p->polynomial_size));
    KMS_TRY(get_tuniform(r, "glwe_noise_distribution", 128, &p->glwe_noise_log2));
    KMS_TRY(get_decomp(r, "decomp_base_log", "decomp_level_count", 128, &p->base_log, &p->level,
                       0));
    KMS_TRY(get_ms(r, &p->ms));
    KMS_TRY(get_moduli(r, &p->message_modulus, &p->carry_modulus));
    return wire_get_native_modulus(r, "NoiseSquashingParameters modulus", 128);
}

/* ---- NoiseSquashingCompressionParameters ---- */

void wire_put_snscomp_params(struct wire_sink *s, const struct tfhe_sns_compression_params *p,
                             uint32_t message_modulus, uint32_t carry_modulus)
{
    wire_put_version(s, V_SNSCOMP_PARAMS);
    put_packing_ks(s, p->packing_ks_level, p->packing_ks_base_log, p->packing_ks_polynomial_size,
                   p->packing_ks_glwe_dimension, p->lwe_per_glwe);
    put_tuniform(s, p->packing_ks_noise_log2);
    wire_put_scalar(s, message_modulus);
    wire_put_scalar(s, carry_modulus);
    wire_put_native_modulus(s, 128);
}

int wire_get_snscomp_params(struct reader *r, struct tfhe_sns_compression_params *p,
                            uint32_t *message_modulus, uint32_t *carry_modulus)
{
    memset(p, 0, sizeof *p);
    KMS_TRY(wire_get_version(r, "NoiseSquashingCompressionParameters", V_SNSCOMP_PARAMS));
    KMS_TRY(get_packing_ks(r, 128, &p->packing_ks_level, &p->packing_ks_base_log,
                           &p->packing_ks_polynomial_size, &p->packing_ks_glwe_dimension,
                           &p->lwe_per_glwe));
    KMS_TRY(get_tuniform(r, "packing_ks_key_noise_distribution", 128, &p->packing_ks_noise_log2));
    KMS_TRY(get_moduli(r, message_modulus, carry_modulus));
    return wire_get_native_modulus(r, "NoiseSquashingCompressionParameters modulus", 128);
}

/* ---- ReRandomizationParameters ---- */

void wire_put_rerand_params(struct wire_sink *s, const struct wire_rerand_params *p)
{
    wire_put_version(s, V_RERAND);
    wire_put_variant(s, p->kind);
    if (p->kind == WIRE_RERAND_LEGACY_KSK)
        wire_put_ksk_params(s, &p->ksk);
}

int wire_get_rerand_params(struct reader *r, struct wire_rerand_params *p)
{
    uint32_t v;
    memset(p, 0, sizeof *p);
    KMS_TRY(wire_get_version(r, "ReRandomizationParameters", V_RERAND));
    KMS_TRY(wire_get_variant(r, "ReRandomizationParameters", &v, 2));
    p->kind = (uint8_t)v;
    if (v == WIRE_RERAND_LEGACY_KSK)
        return wire_get_ksk_params(r, &p->ksk);
    return 0;
}

/* ---- equality and known sets ---- */

static int f64_same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int ms_equal(const struct tfhe_ms_params *a, const struct tfhe_ms_params *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind != TFHE_MS_DRIFT)
        return 1;
    return a->zeros_count == b->zeros_count && a->ms_bound == b->ms_bound &&
           f64_same(a->ms_r_sigma_factor, b->ms_r_sigma_factor) &&
           f64_same(a->ms_input_variance, b->ms_input_variance);
}

int wire_pbs_params_equal(const struct tfhe_pbs_params *a, const struct tfhe_pbs_params *b)
{
    return a->lwe_dimension == b->lwe_dimension && a->glwe_dimension == b->glwe_dimension &&
           a->polynomial_size == b->polynomial_size && a->lwe_noise_log2 == b->lwe_noise_log2 &&
           a->glwe_noise_log2 == b->glwe_noise_log2 && a->pbs_base_log == b->pbs_base_log &&
           a->pbs_level == b->pbs_level && a->ks_base_log == b->ks_base_log &&
           a->ks_level == b->ks_level && a->message_modulus == b->message_modulus &&
           a->carry_modulus == b->carry_modulus && a->max_noise_level == b->max_noise_level &&
           f64_same(a->log2_p_fail, b->log2_p_fail) && ms_equal(&a->ms, &b->ms);
}

int wire_cpk_params_equal(const struct tfhe_cpk_params *a, const struct tfhe_cpk_params *b)
{
    return a->lwe_dimension == b->lwe_dimension && a->noise_log2 == b->noise_log2 &&
           a->message_modulus == b->message_modulus && a->carry_modulus == b->carry_modulus;
}

static int casting_equal(const struct tfhe_casting_params *a, const struct tfhe_casting_params *b)
{
    return a->ks_base_log == b->ks_base_log && a->ks_level == b->ks_level &&
           a->noise_log2 == b->noise_log2;
}

int wire_compression_params_equal(const struct tfhe_compression_params *a,
                                  const struct tfhe_compression_params *b)
{
    return a->br_level == b->br_level && a->br_base_log == b->br_base_log &&
           a->packing_ks_level == b->packing_ks_level &&
           a->packing_ks_base_log == b->packing_ks_base_log &&
           a->packing_ks_polynomial_size == b->packing_ks_polynomial_size &&
           a->packing_ks_glwe_dimension == b->packing_ks_glwe_dimension &&
           a->lwe_per_glwe == b->lwe_per_glwe && a->storage_log_modulus == b->storage_log_modulus &&
           a->packing_ks_noise_log2 == b->packing_ks_noise_log2;
}

int wire_sns_params_equal(const struct tfhe_sns_params *a, const struct tfhe_sns_params *b)
{
    return a->glwe_dimension == b->glwe_dimension && a->polynomial_size == b->polynomial_size &&
           a->glwe_noise_log2 == b->glwe_noise_log2 && a->base_log == b->base_log &&
           a->level == b->level && a->message_modulus == b->message_modulus &&
           a->carry_modulus == b->carry_modulus && ms_equal(&a->ms, &b->ms);
}

int wire_snscomp_params_equal(const struct tfhe_sns_compression_params *a,
                              const struct tfhe_sns_compression_params *b)
{
    return a->packing_ks_level == b->packing_ks_level &&
           a->packing_ks_base_log == b->packing_ks_base_log &&
           a->packing_ks_polynomial_size == b->packing_ks_polynomial_size &&
           a->packing_ks_glwe_dimension == b->packing_ks_glwe_dimension &&
           a->lwe_per_glwe == b->lwe_per_glwe &&
           a->packing_ks_noise_log2 == b->packing_ks_noise_log2;
}

static int same_set(const struct tfhe_params *a, const struct tfhe_params *b)
{
    if (!wire_pbs_params_equal(&a->pbs, &b->pbs) || a->has_cpk != b->has_cpk ||
        a->has_compression != b->has_compression || a->has_sns != b->has_sns ||
        a->has_sns_compression != b->has_sns_compression)
        return 0;
    if (a->has_cpk &&
        (!wire_cpk_params_equal(&a->cpk, &b->cpk) || !casting_equal(&a->casting, &b->casting)))
        return 0;
    if (a->has_compression && !wire_compression_params_equal(&a->compression, &b->compression))
        return 0;
    if (a->has_sns && !wire_sns_params_equal(&a->sns, &b->sns))
        return 0;
    if (a->has_sns_compression &&
        !wire_snscomp_params_equal(&a->sns_compression, &b->sns_compression))
        return 0;
    return 1;
}

const struct tfhe_params *wire_params_known(const struct tfhe_params *p)
{
    static const char *const names[] = {"default", "test", "message_2_carry_2"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct tfhe_params *set;
        if (tfhe_params_get(&set, names[i], 1) == 0 && same_set(set, p))
            return set;
    }
    kms_err_clear();
    return NULL;
}

uint8_t wire_casting_noise_log2(const struct tfhe_pbs_params *p, uint8_t destination)
{
    return destination == WIRE_KEY_SMALL ? p->lwe_noise_log2 : p->glwe_noise_log2;
}

void wire_params_kms_cpk(const struct tfhe_params *set, struct wire_cpk_params *cpk,
                         struct wire_ksk_params *casting, struct wire_rerand_params *rerand)
{
    memset(cpk, 0, sizeof *cpk);
    memset(casting, 0, sizeof *casting);
    memset(rerand, 0, sizeof *rerand);
    cpk->cpk = set->cpk;
    cpk->expansion = WIRE_EXPANSION_REQUIRES_CASTING;
    cpk->zk_scheme = WIRE_ZK_V2;
    casting->ks_base_log = set->casting.ks_base_log;
    casting->ks_level = set->casting.ks_level;
    casting->destination = WIRE_KEY_SMALL;
    rerand->kind = WIRE_RERAND_DERIVED;
}

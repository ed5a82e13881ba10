/* TFHE parameter sets as data.
 *
 *   "default"  the KMS's BC_PARAMS_SNS = tfhe-rs 1.7
 *              V1_7_META_PARAM_CPU_2_2_KS_PBS_PKE_TO_SMALL_ZKV2_TUNIFORM_2M128
 *   "test"     the KMS's PARAMS_TEST_BK_SNS: n = 1, N = 256, INSECURE,
 *              refused unless the caller explicitly allows insecure sets
 *   "message_2_carry_2"  tfhe-rs PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128
 *              (the compute part of "default" alone)
 *
 * Every noise distribution in these sets is TUniform(b): integers in
 * [-2^b, 2^b] (the test set's TUniform(0) still draws from {-1, 0, 0, 1}). */
#ifndef CKMS_TFHE_PARAMS_H
#define CKMS_TFHE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum tfhe_ms_kind {
    TFHE_MS_STANDARD = 0,      /* plain rounding to 2N */
    TFHE_MS_CENTERED_MEAN = 1, /* centered-mean noise reduction (no key) */
    TFHE_MS_DRIFT = 2          /* drift technique with encryptions of zero */
};

struct tfhe_ms_params {
    enum tfhe_ms_kind kind;
    /* drift technique only */
    uint32_t zeros_count;
    uint64_t ms_bound;
    double ms_r_sigma_factor;
    double ms_input_variance;
};

/* The compute (shortint) parameters: KS-PBS, ciphertexts under the big key. */
struct tfhe_pbs_params {
    uint32_t lwe_dimension;   /* n, the small key after keyswitch */
    uint32_t glwe_dimension;  /* k */
    uint32_t polynomial_size; /* N */
    uint8_t lwe_noise_log2;   /* TUniform bound of LWE (small key) encryptions */
    uint8_t glwe_noise_log2;  /* TUniform bound of GLWE (big key) encryptions */
    uint32_t pbs_base_log, pbs_level;
    uint32_t ks_base_log, ks_level;
    uint32_t message_modulus, carry_modulus;
    uint32_t max_noise_level;
    double log2_p_fail;
    struct tfhe_ms_params ms;
};

/* Dedicated compact public key (encrypts to its own key, then casts). */
struct tfhe_cpk_params {
    uint32_t lwe_dimension;
    uint8_t noise_log2;
    uint32_t message_modulus, carry_modulus;
};

/* Keyswitch from the compact-key secret to the compute small key. */
struct tfhe_casting_params {
    uint32_t ks_base_log, ks_level;
    uint8_t noise_log2;
};

struct tfhe_compression_params {
    uint32_t br_level, br_base_log;             /* decompression bootstrap */
    uint32_t packing_ks_level, packing_ks_base_log;
    uint32_t packing_ks_polynomial_size, packing_ks_glwe_dimension;
    uint32_t lwe_per_glwe;
    uint32_t storage_log_modulus;
    uint8_t packing_ks_noise_log2;
};

/* Noise squashing ("switch and squash") to Z/2^128. */
struct tfhe_sns_params {
    uint32_t glwe_dimension, polynomial_size;
    uint8_t glwe_noise_log2; /* over 2^128 */
    uint32_t base_log, level;
    uint32_t message_modulus, carry_modulus;
    struct tfhe_ms_params ms;
};

struct tfhe_sns_compression_params {
    uint32_t packing_ks_level, packing_ks_base_log;
    uint32_t packing_ks_polynomial_size, packing_ks_glwe_dimension;
    uint32_t lwe_per_glwe;
    uint8_t packing_ks_noise_log2; /* over 2^128 */
};

struct tfhe_params {
    const char *name;
    int insecure; /* 1 for sets that must never protect real data */
    struct tfhe_pbs_params pbs;
    int has_cpk, has_compression, has_sns, has_sns_compression;
    struct tfhe_cpk_params cpk;
    struct tfhe_casting_params casting;
    struct tfhe_compression_params compression;
    struct tfhe_sns_params sns;
    struct tfhe_sns_compression_params sns_compression;
};

/* Looks a set up by name ("default", "test", "message_2_carry_2").
 * Insecure sets are refused with KMS_EPRECOND unless allow_insecure. */
int tfhe_params_get(const struct tfhe_params **out, const char *name, int allow_insecure)
    KMS_MUST_CHECK;

/* Derived quantities. */
static inline uint32_t tfhe_params_big_dimension(const struct tfhe_pbs_params *p)
{
    return p->glwe_dimension * p->polynomial_size;
}

/* Delta = 2^64 / (2 * message_modulus * carry_modulus): one padding bit. */
uint64_t tfhe_params_delta(const struct tfhe_pbs_params *p);

#endif

#include "tfhe/params.h"

#include <string.h>

/* Values from tfhe-rs 1.7.0 (shortint/parameters/v1_7/meta/cpu.rs and the
 * component sets it names) and the KMS's threshold-execution
 * tfhe_internals/parameters.rs; see ../shared/reference/tfhe-params.md §1. */
/* tfhe-rs V1_7_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128, the compute
 * part of the default set (shortint/parameters/v1_4/classic/tuniform). */
#define PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128                          \
    {                                                                          \
        .lwe_dimension = 918, .glwe_dimension = 1, .polynomial_size = 2048,    \
        .lwe_noise_log2 = 45, .glwe_noise_log2 = 17, .pbs_base_log = 23,       \
        .pbs_level = 1, .ks_base_log = 4, .ks_level = 4, .message_modulus = 4, \
        .carry_modulus = 4, .max_noise_level = 5, .log2_p_fail = -129.581,     \
        .ms = {.kind = TFHE_MS_CENTERED_MEAN},                                 \
    }

static const struct tfhe_params params_default = {
    .name = "default",
    .insecure = 0,
    .pbs = PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
    .has_cpk = 1, .has_compression = 1, .has_sns = 1, .has_sns_compression = 1,
    .cpk = {.lwe_dimension = 2048, .noise_log2 = 17, .message_modulus = 4, .carry_modulus = 4},
    .casting = {.ks_base_log = 4, .ks_level = 4, .noise_log2 = 45},
    .compression = {
        .br_level = 1, .br_base_log = 23, .packing_ks_level = 3, .packing_ks_base_log = 4,
        .packing_ks_polynomial_size = 256, .packing_ks_glwe_dimension = 4,
        .lwe_per_glwe = 256, .storage_log_modulus = 12, .packing_ks_noise_log2 = 43,
    },
    .sns = {
        .glwe_dimension = 2, .polynomial_size = 2048, .glwe_noise_log2 = 30,
        .base_log = 24, .level = 3, .message_modulus = 4, .carry_modulus = 4,
        .ms = {.kind = TFHE_MS_CENTERED_MEAN},
    },
    .sns_compression = {
        .packing_ks_level = 2, .packing_ks_base_log = 41, .packing_ks_polynomial_size = 1024,
        .packing_ks_glwe_dimension = 6, .lwe_per_glwe = 128, .packing_ks_noise_log2 = 3,
    },
};

static const struct tfhe_params params_test = {
    .name = "test",
    .insecure = 1,
    .pbs = {
        .lwe_dimension = 1, .glwe_dimension = 1, .polynomial_size = 256,
        .lwe_noise_log2 = 0, .glwe_noise_log2 = 0,
        .pbs_base_log = 24, .pbs_level = 1, .ks_base_log = 37, .ks_level = 1,
        .message_modulus = 4, .carry_modulus = 4, .max_noise_level = 5,
        .log2_p_fail = -64,
        .ms = {.kind = TFHE_MS_DRIFT, .zeros_count = 10, .ms_bound = 288230376151711744ull,
               .ms_r_sigma_factor = 9.75539320076416, .ms_input_variance = 1.92631390716519e-10},
    },
    .has_cpk = 1, .has_compression = 1, .has_sns = 1, .has_sns_compression = 1,
    .cpk = {.lwe_dimension = 512, .noise_log2 = 0, .message_modulus = 4,
            .carry_modulus = 4},
    .casting = {.ks_base_log = 37, .ks_level = 1, .noise_log2 = 0},
    .compression = {
        .br_level = 1, .br_base_log = 24, .packing_ks_level = 1, .packing_ks_base_log = 27,
        .packing_ks_polynomial_size = 256, .packing_ks_glwe_dimension = 1,
        .lwe_per_glwe = 256, .storage_log_modulus = 9, .packing_ks_noise_log2 = 0,
    },
    .sns = {
        .glwe_dimension = 1, .polynomial_size = 256, .glwe_noise_log2 = 0,
        .base_log = 33, .level = 2, .message_modulus = 4, .carry_modulus = 4,
        .ms = {.kind = TFHE_MS_DRIFT, .zeros_count = 8, .ms_bound = 288230376151711744ull,
               .ms_r_sigma_factor = 9.2, .ms_input_variance = 2.182718682903484e-224},
    },
    .sns_compression = {
        .packing_ks_level = 1, .packing_ks_base_log = 61, .packing_ks_polynomial_size = 256,
        .packing_ks_glwe_dimension = 1, .lwe_per_glwe = 128, .packing_ks_noise_log2 = 3,
    },
};

/* The compute part of "default" alone, as tfhe-rs ships it. */
static const struct tfhe_params params_message_2_carry_2 = {
    .name = "message_2_carry_2",
    .insecure = 0,
    .pbs = PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
};

static const struct tfhe_params *const all_params[] = {
    &params_default, &params_test, &params_message_2_carry_2,
};

int tfhe_params_get(const struct tfhe_params **out, const char *name, int allow_insecure)
{
    *out = NULL;
    for (size_t i = 0; i < sizeof all_params / sizeof all_params[0]; i++) {
        if (strcmp(all_params[i]->name, name) != 0)
            continue;
        if (all_params[i]->insecure && !allow_insecure)
            return kms_err(KMS_EPRECOND,
                           "parameter set \"%s\" is insecure and only allowed in tests", name);
        *out = all_params[i];
        return 0;
    }
    return kms_err(KMS_EINVAL, "unknown parameter set \"%s\" (known: default, test, "
                               "message_2_carry_2)", name);
}

uint64_t tfhe_params_delta(const struct tfhe_pbs_params *p)
{
    uint64_t cleartext = 2ull * p->message_modulus * p->carry_modulus;
    return (uint64_t)(((unsigned __int128)1 << 64) / cleartext);
}

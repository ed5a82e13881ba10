/* Shared setup for engine tests: seeded generators and a compute keyset
 * (small LWE key, GLWE key, keyswitching key, Fourier bootstrapping key). */
#ifndef CKMS_TFHE_TEST_KEYS_H
#define CKMS_TFHE_TEST_KEYS_H

#include <stdlib.h>

#include "tfhe/bsk.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/params.h"
#include "tfhe/pbs.h"

struct test_keys {
    const struct tfhe_params *params;
    size_t n, N, big;
    unsigned k;
    struct csprng secret;
    struct enc_rng rng;
    uint64_t *lwe_sk, *glwe_sk, *ksk;
    struct bsk_shape shape;
    struct fourier_bsk fbsk;
    struct pbs_scratch *scratch;
};

static inline int test_keys_new(struct test_keys *t, const char *params, uint8_t seed)
{
    memset(t, 0, sizeof *t);
    uint8_t s1[16] = {seed, 1}, s2[16] = {seed, 2}, s3[16] = {seed, 3};
    KMS_TRY(tfhe_params_get(&t->params, params, 1));
    const struct tfhe_pbs_params *p = &t->params->pbs;
    t->n = p->lwe_dimension;
    t->N = p->polynomial_size;
    t->k = p->glwe_dimension;
    t->big = (size_t)t->k * t->N;
    KMS_TRY(csprng_init_seed(&t->secret, s1));
    KMS_TRY(csprng_init_seed(&t->rng.mask, s2));
    KMS_TRY(csprng_init_seed(&t->rng.noise, s3));
    t->lwe_sk = malloc(t->n * 8);
    t->glwe_sk = malloc(t->big * 8);
    t->ksk = malloc(lwe_ksk_size(t->big, t->n, p->ks_level) * 8);
    t->shape = (struct bsk_shape){t->n, t->k, t->N, p->pbs_base_log, p->pbs_level};
    uint64_t *bsk = malloc(bsk_polys(&t->shape) * t->N * 8);
    if (!t->lwe_sk || !t->glwe_sk || !t->ksk || !bsk)
        return KMS_ENOMEM;
    KMS_TRY(glwe_sk_generate(t->glwe_sk, t->k, t->N, &t->secret));
    KMS_TRY(lwe_sk_generate(t->lwe_sk, t->n, &t->secret));
    KMS_TRY(lwe_ksk_generate(t->ksk, t->glwe_sk, t->big, t->lwe_sk, t->n, p->ks_base_log,
                             p->ks_level, p->lwe_noise_log2, &t->rng));
    KMS_TRY(bsk_generate(bsk, &t->shape, t->lwe_sk, t->glwe_sk, p->glwe_noise_log2, &t->rng));
    KMS_TRY(fourier_bsk_from_std(&t->fbsk, &t->shape, bsk));
    free(bsk);
    return pbs_scratch_new(&t->scratch, &t->shape);
}

static inline void test_keys_free(struct test_keys *t)
{
    pbs_scratch_free(t->scratch);
    fourier_bsk_free(&t->fbsk);
    free(t->lwe_sk);
    free(t->glwe_sk);
    free(t->ksk);
    csprng_free(&t->secret);
    csprng_free(&t->rng.mask);
    csprng_free(&t->rng.noise);
}

#endif

#include "tfhe/bsk128.h"

#include <stdlib.h>
#include <string.h>

int bsk128_check_shape(const struct bsk_shape *s)
{
    size_t N = s->polynomial_size, terms = (size_t)s->level * (s->glwe_dimension + 1);
    if (s->lwe_dimension == 0 || s->glwe_dimension == 0 || N < NTT128_MIN_POLY_SIZE ||
        N > NTT128_MAX_POLY_SIZE || (N & (N - 1)) != 0)
        return kms_err(KMS_EINVAL, "bsk128: unsupported dimensions n=%zu k=%u N=%zu",
                       s->lwe_dimension, s->glwe_dimension, N);
    /* digits are at most 2^(B-1); the vector decomposition keeps B l - B
     * bits in one 64-bit word */
    if (s->base_log == 0 || s->level == 0 || s->base_log > 49 ||
        s->base_log * s->level >= 128 || s->base_log * (s->level - 1) > 62 ||
        terms > NTT128_MAX_TERMS)
        return kms_err(KMS_EINVAL, "bsk128: unsupported decomposition base 2^%u, %u levels",
                       s->base_log, s->level);
    return 0;
}

static int check_key(const struct bsk_shape *s, const struct glwe128_key *glwe_key)
{
    KMS_TRY(bsk128_check_shape(s));
    if (glwe128_key_glwe_dimension(glwe_key) != s->glwe_dimension ||
        glwe128_key_poly_size(glwe_key) != s->polynomial_size)
        return kms_err(KMS_EINVAL, "bsk128: GLWE key (k=%u, N=%zu) does not match the shape "
                                   "(k=%u, N=%zu)", glwe128_key_glwe_dimension(glwe_key),
                       glwe128_key_poly_size(glwe_key), s->glwe_dimension, s->polynomial_size);
    return 0;
}

static int fork_ggsw(struct enc_rng *rng, struct enc_rng *child, const struct bsk_shape *s,
                     unsigned noise_log2)
{
    return enc_rng_fork(rng, child, 1,
                        ggsw128_mask_bytes(s->glwe_dimension, s->polynomial_size, s->level),
                        ggsw128_noise_bytes(s->glwe_dimension, s->polynomial_size, s->level,
                                            noise_log2));
}

int bsk128_generate(u128 *bsk, const struct bsk_shape *s, const uint64_t *lwe_sk,
                    struct glwe128_key *glwe_key, unsigned noise_log2, struct enc_rng *rng)
{
    KMS_TRY(check_key(s, glwe_key));
    size_t per = ggsw128_size(s->glwe_dimension, s->polynomial_size, s->level);
    for (size_t i = 0; i < s->lwe_dimension; i++) {
        struct enc_rng g;
        KMS_TRY(fork_ggsw(rng, &g, s, noise_log2));
        KMS_TRY(ggsw128_encrypt(bsk + i * per, glwe_key, s->base_log, s->level,
                                (u128)(lwe_sk[i] & 1), noise_log2, &g));
    }
    return 0;
}

void bsk128_ntt_free(struct bsk128_ntt *b)
{
    if (b == NULL)
        return;
    ntt128_buf_free(b->data);
    memset(b, 0, sizeof *b);
}

static int ntt_alloc(struct bsk128_ntt *out, const struct bsk_shape *s, uint64_t **work)
{
    memset(out, 0, sizeof *out);
    *work = NULL;
    KMS_TRY(bsk128_check_shape(s));
    unsigned terms = s->level * (s->glwe_dimension + 1);
    out->shape = *s;
    KMS_TRY(ntt128_plan_get(&out->plan, s->polynomial_size, s->base_log - 1, terms));
    out->ggsw_words = ntt128_ggsw_words(out->plan, terms, s->glwe_dimension + 1);
    if (out->ggsw_words > SIZE_MAX / 8 / s->lwe_dimension)
        return kms_err(KMS_ELIMIT, "bsk128: key too large");
    out->data = ntt128_buf_alloc(s->lwe_dimension * out->ggsw_words);
    *work = ntt128_buf_alloc(ntt128_big_words(out->plan));
    if (out->data == NULL || *work == NULL) {
        bsk128_ntt_free(out);
        ntt128_buf_free(*work);
        *work = NULL;
        return kms_err(KMS_ENOMEM, "bsk128: out of memory for a %zu-byte NTT key",
                       s->lwe_dimension * out->ggsw_words * 8);
    }
    return 0;
}

static int pack(struct bsk128_ntt *out, size_t i, const u128 *ggsw, uint64_t *work)
{
    unsigned rows = out->shape.glwe_dimension + 1;
    return ntt128_ggsw_pack(out->plan, out->data + i * out->ggsw_words, ggsw,
                            out->shape.level * rows, rows, work);
}

int bsk128_ntt_from_std(struct bsk128_ntt *out, const struct bsk_shape *s, const u128 *bsk)
{
    uint64_t *work;
    KMS_TRY(ntt_alloc(out, s, &work));
    size_t per = ggsw128_size(s->glwe_dimension, s->polynomial_size, s->level);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->lwe_dimension; i++)
        rc = pack(out, i, bsk + i * per, work);
    ntt128_buf_free(work);
    if (rc < 0)
        bsk128_ntt_free(out);
    return rc;
}

int bsk128_ntt_generate(struct bsk128_ntt *out, const struct bsk_shape *s,
                        const uint64_t *lwe_sk, struct glwe128_key *glwe_key,
                        unsigned noise_log2, struct enc_rng *rng)
{
    memset(out, 0, sizeof *out);
    KMS_TRY(check_key(s, glwe_key));
    uint64_t *work;
    KMS_TRY(ntt_alloc(out, s, &work));
    size_t per = ggsw128_size(s->glwe_dimension, s->polynomial_size, s->level);
    u128 *ggsw = malloc(per * sizeof *ggsw);
    int rc = ggsw == NULL ? kms_err(KMS_ENOMEM, "bsk128: out of memory for a GGSW") : 0;
    for (size_t i = 0; rc == 0 && i < s->lwe_dimension; i++) {
        struct enc_rng g;
        rc = fork_ggsw(rng, &g, s, noise_log2);
        if (rc == 0)
            rc = ggsw128_encrypt(ggsw, glwe_key, s->base_log, s->level, (u128)(lwe_sk[i] & 1),
                                 noise_log2, &g);
        if (rc == 0)
            rc = pack(out, i, ggsw, work);
    }
    free(ggsw);
    ntt128_buf_free(work);
    if (rc < 0)
        bsk128_ntt_free(out);
    return rc;
}

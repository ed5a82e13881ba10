#include "tfhe/packing_ks.h"

#include <stdlib.h>
#include <string.h>

#include "tfhe/decomp.h"
#include "tfhe/glwe.h"
#include "tfhe/poly.h"
#include "tfhe/sampler.h"


int packing_ksk_check_shape(const struct packing_ksk_shape *s, unsigned word_bits)
{
    size_t N = s->polynomial_size;
    if (s->input_dimension == 0 || s->glwe_dimension == 0 || N == 0 || (N & (N - 1)) != 0)
        return kms_err(KMS_EINVAL, "packing keyswitch: bad shape (n_in %zu, k %u, N %zu)",
                       s->input_dimension, s->glwe_dimension, N);
    if (s->base_log == 0 || s->level == 0 || s->base_log >= word_bits ||
        s->level >= word_bits || s->base_log * s->level >= word_bits)
        return kms_err(KMS_EINVAL, "packing keyswitch: base_log %u x level %u does not fit %u bits",
                       s->base_log, s->level, word_bits);
    size_t gs = ((size_t)s->glwe_dimension + 1) * N;
    if (gs / N != (size_t)s->glwe_dimension + 1 ||
        s->input_dimension > SIZE_MAX / 16 / s->level / gs)
        return kms_err(KMS_ELIMIT, "packing keyswitch: key size overflows");
    return 0;
}

/* ---- 64-bit ---- */

int packing_ksk_generate(uint64_t *pksk, const struct packing_ksk_shape *s, const uint64_t *sk_in,
                         const uint64_t *glwe_sk, unsigned noise_log2, struct enc_rng *rng)
{
    KMS_TRY(packing_ksk_check_shape(s, 64));
    size_t N = s->polynomial_size, gs = packing_glwe_size(s), k = s->glwe_dimension;
    for (size_t i = 0; i < s->input_dimension; i++) {
        for (unsigned t = 0; t < s->level; t++) {
            unsigned j = s->level - t; /* finest level first */
            uint64_t *ct = pksk + (i * s->level + t) * gs, *body = ct + k * N;
            memset(body, 0, N * sizeof *body);
            body[0] = (sk_in[i] & 1) << (64 - s->base_log * j);
            KMS_TRY(glwe_encrypt_assign(ct, glwe_sk, s->glwe_dimension, N, noise_log2, rng));
        }
    }
    return 0;
}

/* out -= d * X^t * row for each of the `polys` polynomials (negacyclic).
 * The body is compiled once per instruction set: with AVX-512DQ the 64-bit
 * multiply vectorizes (vpmullq), which halves the cost of compression. */
#define DEFINE_SUB_ROTATED(name, attr)                                                       \
    attr static void name(uint64_t *out, const uint64_t *row, size_t polys, size_t N,        \
                          size_t t, uint64_t d)                                              \
    {                                                                                        \
        for (size_t p = 0; p < polys; p++) {                                                 \
            uint64_t *o = out + p * N;                                                       \
            const uint64_t *r = row + p * N;                                                 \
            for (size_t c = 0; c < N - t; c++)                                               \
                o[c + t] -= d * r[c];                                                        \
            for (size_t c = N - t; c < N; c++)                                               \
                o[c + t - N] += d * r[c];                                                    \
        }                                                                                    \
    }

DEFINE_SUB_ROTATED(sub_rotated_base, )
#if defined(__x86_64__)
DEFINE_SUB_ROTATED(sub_rotated_avx512, __attribute__((target("avx512f,avx512dq"))))
#endif

typedef void (*sub_rotated_fn)(uint64_t *, const uint64_t *, size_t, size_t, size_t, uint64_t);

static sub_rotated_fn pick_sub_rotated(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return sub_rotated_avx512;
#endif
    return sub_rotated_base;
}

/* Loop order: one key row at a time for every LWE of the list, so the key
 * (tens of MiB) streams through the cache once per list, not once per LWE. */
int packing_keyswitch(uint64_t *out, const uint64_t *pksk, const struct packing_ksk_shape *s,
                      const uint64_t *lwes, size_t count)
{
    KMS_TRY(packing_ksk_check_shape(s, 64));
    size_t n = s->input_dimension, N = s->polynomial_size, gs = packing_glwe_size(s);
    size_t polys = (size_t)s->glwe_dimension + 1;
    if (count > N)
        return kms_err(KMS_EINVAL, "packing keyswitch: %zu LWEs do not fit %zu coefficients",
                       count, N);
    memset(out, 0, gs * sizeof *out);
    if (count == 0)
        return 0;
    uint64_t *state = malloc(count * sizeof *state);
    if (state == NULL)
        return kms_err(KMS_ENOMEM, "packing keyswitch: out of memory");
    sub_rotated_fn sub_rotated = pick_sub_rotated();
    uint64_t *body = out + (size_t)s->glwe_dimension * N;
    for (size_t t = 0; t < count; t++)
        body[t] = lwes[t * (n + 1) + n];
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < count; t++)
            state[t] = decomp_init_u64(lwes[t * (n + 1) + i], s->base_log, s->level);
        for (unsigned j = 0; j < s->level; j++) {
            const uint64_t *row = pksk + (i * s->level + j) * gs;
            for (size_t t = 0; t < count; t++) {
                uint64_t d = decomp_next_u64(&state[t], s->base_log);
                sub_rotated(out, row, polys, N, t, d);
            }
        }
    }
    free(state);
    return 0;
}

/* ---- 128-bit ---- */

int packing_glwe_encrypt_assign_u128(u128 *ct, const u128 *sk, unsigned k, size_t N,
                                     unsigned noise_log2, struct enc_rng *rng)
{
    u128 *body = ct + (size_t)k * N;
    KMS_TRY(sample_uniform_u128(&rng->mask, ct, (size_t)k * N));
    KMS_TRY(sample_add_tuniform_u128(&rng->noise, noise_log2, body, N));
    for (unsigned i = 0; i < k; i++)
        KMS_TRY(poly_u128_mul_binary_add(body, ct + (size_t)i * N, sk + (size_t)i * N, N));
    return 0;
}

int packing_ksk_generate_u128(u128 *pksk, const struct packing_ksk_shape *s, const u128 *sk_in,
                              const u128 *glwe_sk, unsigned noise_log2, struct enc_rng *rng)
{
    KMS_TRY(packing_ksk_check_shape(s, 128));
    size_t N = s->polynomial_size, gs = packing_glwe_size(s), k = s->glwe_dimension;
    for (size_t i = 0; i < s->input_dimension; i++) {
        for (unsigned t = 0; t < s->level; t++) {
            unsigned j = s->level - t;
            u128 *ct = pksk + (i * s->level + t) * gs, *body = ct + k * N;
            memset(body, 0, N * sizeof *body);
            body[0] = (sk_in[i] & 1) << (128 - s->base_log * j);
            KMS_TRY(packing_glwe_encrypt_assign_u128(ct, glwe_sk, s->glwe_dimension, N,
                                                     noise_log2, rng));
        }
    }
    return 0;
}

static void sub_rotated_u128(u128 *out, const u128 *row, size_t polys, size_t N, size_t t,
                             u128 d)
{
    for (size_t p = 0; p < polys; p++) {
        u128 *o = out + p * N;
        const u128 *r = row + p * N;
        for (size_t c = 0; c < N - t; c++)
            o[c + t] -= d * r[c];
        for (size_t c = N - t; c < N; c++)
            o[c + t - N] += d * r[c];
    }
}

int packing_keyswitch_u128(u128 *out, const u128 *pksk, const struct packing_ksk_shape *s,
                           const u128 *lwes, size_t count)
{
    KMS_TRY(packing_ksk_check_shape(s, 128));
    size_t n = s->input_dimension, N = s->polynomial_size, gs = packing_glwe_size(s);
    size_t polys = (size_t)s->glwe_dimension + 1;
    if (count > N)
        return kms_err(KMS_EINVAL, "packing keyswitch: %zu LWEs do not fit %zu coefficients",
                       count, N);
    memset(out, 0, gs * sizeof *out);
    if (count == 0)
        return 0;
    u128 *state = malloc(count * sizeof *state);
    if (state == NULL)
        return kms_err(KMS_ENOMEM, "packing keyswitch: out of memory");
    u128 *body = out + (size_t)s->glwe_dimension * N;
    for (size_t t = 0; t < count; t++)
        body[t] = lwes[t * (n + 1) + n];
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < count; t++)
            state[t] = decomp_init_u128(lwes[t * (n + 1) + i], s->base_log, s->level);
        for (unsigned j = 0; j < s->level; j++) {
            const u128 *row = pksk + (i * s->level + j) * gs;
            for (size_t t = 0; t < count; t++) {
                u128 d = decomp_next_u128(&state[t], s->base_log);
                sub_rotated_u128(out, row, polys, N, t, d);
            }
        }
    }
    free(state);
    return 0;
}

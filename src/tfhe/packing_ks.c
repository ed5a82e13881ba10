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

/* The 64- and 128-bit code is the same but for the word type T, its width W
 * and the GLWE encryption / digit helpers, so each piece is written once as
 * a macro and instantiated per word size (as the SIMD variants are). */

/* pksk = the n_in l GLWEs of s_in[i] 2^(W - B j), finest level first. */
#define DEFINE_PACKING_KSK_GENERATE(name, T, W, encrypt_assign)                              \
    int name(T *pksk, const struct packing_ksk_shape *s, const T *sk_in, const T *glwe_sk,   \
             unsigned noise_log2, struct enc_rng *rng)                                       \
    {                                                                                        \
        KMS_TRY(packing_ksk_check_shape(s, W));                                              \
        size_t N = s->polynomial_size, gs = packing_glwe_size(s), k = s->glwe_dimension;     \
        for (size_t i = 0; i < s->input_dimension; i++) {                                    \
            for (unsigned t = 0; t < s->level; t++) {                                        \
                unsigned j = s->level - t; /* finest level first */                          \
                T *ct = pksk + (i * s->level + t) * gs, *body = ct + k * N;                  \
                memset(body, 0, N * sizeof *body);                                           \
                body[0] = (sk_in[i] & 1) << (W - s->base_log * j);                           \
                KMS_TRY(encrypt_assign(ct, glwe_sk, s->glwe_dimension, N, noise_log2, rng)); \
            }                                                                                \
        }                                                                                    \
        return 0;                                                                            \
    }

/* out -= d * X^t * row for each of the `polys` polynomials (negacyclic).
 * The 64-bit body is compiled once per instruction set: with AVX-512DQ the
 * 64-bit multiply vectorizes (vpmullq), which halves the cost of
 * compression. */
#define DEFINE_SUB_ROTATED(name, attr, T)                                                    \
    attr static void name(T *out, const T *row, size_t polys, size_t N, size_t t, T d)       \
    {                                                                                        \
        for (size_t p = 0; p < polys; p++) {                                                 \
            T *o = out + p * N;                                                              \
            const T *r = row + p * N;                                                        \
            for (size_t c = 0; c < N - t; c++)                                               \
                o[c + t] -= d * r[c];                                                        \
            for (size_t c = N - t; c < N; c++)                                               \
                o[c + t - N] += d * r[c];                                                    \
        }                                                                                    \
    }

/* Loop order: one key row at a time for every LWE of the list, so the key
 * (tens of MiB) streams through the cache once per list, not once per LWE.
 * sub_rotated is evaluated once, before the loops. */
#define DEFINE_PACKING_KEYSWITCH(name, T, W, decomp_init, decomp_next, pick_sub)              \
    int name(T *out, const T *pksk, const struct packing_ksk_shape *s, const T *lwes,         \
             size_t count)                                                                    \
    {                                                                                         \
        KMS_TRY(packing_ksk_check_shape(s, W));                                               \
        size_t n = s->input_dimension, N = s->polynomial_size, gs = packing_glwe_size(s);     \
        size_t polys = (size_t)s->glwe_dimension + 1;                                         \
        if (count > N)                                                                        \
            return kms_err(KMS_EINVAL, "packing keyswitch: %zu LWEs do not fit %zu "          \
                                       "coefficients", count, N);                             \
        memset(out, 0, gs * sizeof *out);                                                     \
        if (count == 0)                                                                       \
            return 0;                                                                         \
        T *state = malloc(count * sizeof *state);                                             \
        if (state == NULL)                                                                    \
            return kms_err(KMS_ENOMEM, "packing keyswitch: out of memory");                   \
        __auto_type sub_rotated = pick_sub;                                                   \
        T *body = out + (size_t)s->glwe_dimension * N;                                        \
        for (size_t t = 0; t < count; t++)                                                    \
            body[t] = lwes[t * (n + 1) + n];                                                  \
        for (size_t i = 0; i < n; i++) {                                                      \
            for (size_t t = 0; t < count; t++)                                                \
                state[t] = decomp_init(lwes[t * (n + 1) + i], s->base_log, s->level);         \
            for (unsigned j = 0; j < s->level; j++) {                                         \
                const T *row = pksk + (i * s->level + j) * gs;                                \
                for (size_t t = 0; t < count; t++) {                                          \
                    T d = decomp_next(&state[t], s->base_log);                                \
                    sub_rotated(out, row, polys, N, t, d);                                    \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        free(state);                                                                          \
        return 0;                                                                             \
    }

/* ---- 64-bit ---- */

DEFINE_PACKING_KSK_GENERATE(packing_ksk_generate, uint64_t, 64, glwe_encrypt_assign)

DEFINE_SUB_ROTATED(sub_rotated_base, , uint64_t)
#if defined(__x86_64__)
DEFINE_SUB_ROTATED(sub_rotated_avx512, __attribute__((target("avx512f,avx512dq"))), uint64_t)
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

DEFINE_PACKING_KEYSWITCH(packing_keyswitch, uint64_t, 64, decomp_init_u64, decomp_next_u64,
                         pick_sub_rotated())

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

DEFINE_PACKING_KSK_GENERATE(packing_ksk_generate_u128, u128, 128,
                            packing_glwe_encrypt_assign_u128)

DEFINE_SUB_ROTATED(sub_rotated_u128, , u128)

DEFINE_PACKING_KEYSWITCH(packing_keyswitch_u128, u128, 128, decomp_init_u128, decomp_next_u128,
                         sub_rotated_u128)

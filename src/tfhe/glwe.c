#include "tfhe/glwe.h"

#include <string.h>

#include "tfhe/poly.h"

int glwe_sk_generate(uint64_t *sk, unsigned k, size_t N, struct csprng *secret)
{
    return sample_binary_u64(secret, sk, (size_t)k * N);
}

int glwe_encrypt_assign(uint64_t *ct, const uint64_t *sk, unsigned k, size_t N,
                        unsigned noise_log2, struct enc_rng *rng)
{
    uint64_t *body = ct + (size_t)k * N;
    KMS_TRY(sample_uniform_u64(&rng->mask, ct, (size_t)k * N));
    KMS_TRY(sample_add_tuniform_u64(&rng->noise, noise_log2, body, N));
    for (unsigned i = 0; i < k; i++)
        poly_u64_mul_binary_add(body, ct + (size_t)i * N, sk + (size_t)i * N, N);
    return 0;
}

void glwe_phase(uint64_t *phase, const uint64_t *ct, const uint64_t *sk, unsigned k, size_t N)
{
    /* phase = -(sum A_i S_i) + B, accumulated as sum of (-A_i) S_i */
    memcpy(phase, ct + (size_t)k * N, N * sizeof *phase);
    for (unsigned i = 0; i < k; i++) {
        const uint64_t *a = ct + (size_t)i * N, *s = sk + (size_t)i * N;
        /* subtract a * s: negacyclic, branch-free in the key bits */
        for (size_t j = 0; j < N; j++) {
            uint64_t m = 0 - (s[j] & 1);
            for (size_t t = 0; t + j < N; t++)
                phase[t + j] -= a[t] & m;
            for (size_t t = N - j; t < N; t++)
                phase[t + j - N] += a[t] & m;
        }
    }
}

void glwe_trivial(uint64_t *ct, unsigned k, size_t N, const uint64_t *body_poly)
{
    memset(ct, 0, (size_t)k * N * sizeof *ct);
    memcpy(ct + (size_t)k * N, body_poly, N * sizeof *ct);
}

void glwe_sample_extract(uint64_t *lwe, const uint64_t *ct, unsigned k, size_t N, size_t h)
{
    /* a'_{iN+j} = A_i[h - j] for j <= h, -A_i[N + h - j] for j > h */
    for (unsigned i = 0; i < k; i++) {
        const uint64_t *a = ct + (size_t)i * N;
        uint64_t *out = lwe + (size_t)i * N;
        for (size_t j = 0; j <= h; j++)
            out[j] = a[h - j];
        for (size_t j = h + 1; j < N; j++)
            out[j] = 0 - a[N + h - j];
    }
    lwe[(size_t)k * N] = ct[(size_t)k * N + h];
}

int ggsw_encrypt(uint64_t *ggsw, const uint64_t *sk, unsigned k, size_t N, unsigned base_log,
                 unsigned level, uint64_t m, unsigned noise_log2, struct enc_rng *rng)
{
    size_t rows = (size_t)k + 1, gs = glwe_size(k, N);
    u128 row_mask = (u128)k * N * 8, row_noise = enc_rng_noise_bytes(N, noise_log2);
    for (unsigned t = 0; t < level; t++) {
        unsigned j = level - t; /* finest level first */
        uint64_t factor = (0 - m) << (64 - base_log * j);
        struct enc_rng lvl;
        KMS_TRY(enc_rng_fork(rng, &lvl, 1, row_mask * rows, row_noise * rows));
        for (size_t r = 0; r < rows; r++) {
            uint64_t *ct = ggsw + (t * rows + r) * gs, *body = ct + (size_t)k * N;
            if (r < k) {
                for (size_t c = 0; c < N; c++)
                    body[c] = sk[r * N + c] * factor;
            } else {
                memset(body, 0, N * sizeof *body);
                body[0] = 0 - factor;
            }
            struct enc_rng row;
            KMS_TRY(enc_rng_fork(&lvl, &row, 1, row_mask, row_noise));
            KMS_TRY(glwe_encrypt_assign(ct, sk, k, N, noise_log2, &row));
        }
    }
    return 0;
}

#include "tfhe/glwe128.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/ntt128.h"

struct glwe128_key {
    unsigned k;
    size_t N;
    const struct ntt128_plan *plan; /* NULL: schoolbook (small N) */
    u128 *sk;                       /* k N bits */
    int64_t *bits;                  /* N: one key polynomial as small integers */
    uint64_t *s_hat;                /* k small transforms */
    uint64_t *a_hat;                /* k big transforms (public masks) */
    uint64_t *work;                 /* the product's working memory */
    u128 *prod;                     /* N: sum_i A_i S_i */
    const uint64_t **sp, **ap;      /* k pointers each */
};

int glwe128_sk_generate(u128 *sk, unsigned k, size_t N, struct csprng *secret)
{
    return sample_binary_u128(secret, sk, (size_t)k * N);
}

void glwe128_key_free(struct glwe128_key *key)
{
    if (key == NULL)
        return;
    secmem_free(key->sk);
    secmem_free(key->bits);
    secmem_free(key->s_hat);
    secmem_free(key->work);
    secmem_free(key->prod);
    ntt128_buf_free(key->a_hat);
    free(key->sp);
    free(key->ap);
    free(key);
}

unsigned glwe128_key_glwe_dimension(const struct glwe128_key *key) { return key->k; }
size_t glwe128_key_poly_size(const struct glwe128_key *key) { return key->N; }
const u128 *glwe128_key_bits(const struct glwe128_key *key) { return key->sk; }

int glwe128_key_new(struct glwe128_key **out, const u128 *sk, unsigned k, size_t N)
{
    *out = NULL;
    if (k == 0 || k > NTT128_MAX_TERMS || N < 2 || N > NTT128_MAX_POLY_SIZE || (N & (N - 1)))
        return kms_err(KMS_EINVAL, "glwe128: unsupported key shape k=%u N=%zu", k, N);
    struct glwe128_key *key = calloc(1, sizeof *key);
    if (key == NULL)
        return kms_err(KMS_ENOMEM, "glwe128: out of memory for a key");
    key->k = k;
    key->N = N;
    int rc = 0;
    if (N >= NTT128_MIN_POLY_SIZE)
        rc = ntt128_plan_get(&key->plan, N, 0, k); /* binary keys: |s| <= 2^0 */
    key->sk = secmem_alloc((size_t)k * N * sizeof *key->sk);
    key->prod = secmem_alloc(N * sizeof *key->prod);
    int ok = key->sk != NULL && key->prod != NULL;
    if (rc == 0 && key->plan != NULL) {
        size_t big = ntt128_big_words(key->plan);
        key->bits = secmem_alloc(N * sizeof *key->bits);
        key->s_hat = secmem_alloc((size_t)k * ntt128_small_words(N) * sizeof *key->s_hat);
        key->work = secmem_alloc(ntt128_work_words(key->plan, 1) * sizeof *key->work);
        key->a_hat = ntt128_buf_alloc((size_t)k * big);
        key->sp = calloc(k, sizeof *key->sp);
        key->ap = calloc(k, sizeof *key->ap);
        ok = ok && key->bits && key->s_hat && key->work && key->a_hat && key->sp && key->ap;
    }
    if (rc == 0 && !ok)
        rc = kms_err(KMS_ENOMEM, "glwe128: out of memory for a key");
    if (rc < 0) {
        glwe128_key_free(key);
        return rc;
    }
    memcpy(key->sk, sk, (size_t)k * N * sizeof *sk);
    if (key->plan != NULL) {
        for (unsigned i = 0; i < k; i++) {
            for (size_t j = 0; j < N; j++)
                key->bits[j] = (int64_t)(sk[(size_t)i * N + j] & 1);
            ntt128_forward_small(key->plan, key->s_hat + i * ntt128_small_words(N), key->bits);
            key->sp[i] = key->s_hat + i * ntt128_small_words(N);
            key->ap[i] = key->a_hat + i * ntt128_big_words(key->plan);
        }
        secmem_wipe(key->bits, N * sizeof *key->bits);
    }
    *out = key;
    return 0;
}

/* key->prod = sum_i A_i S_i (negacyclic, mod 2^128), A the mask of ct. */
static void key_product(struct glwe128_key *key, const u128 *mask)
{
    size_t N = key->N;
    memset(key->prod, 0, N * sizeof *key->prod);
    if (key->plan != NULL) {
        for (unsigned i = 0; i < key->k; i++)
            ntt128_forward_big(key->plan, key->a_hat + i * ntt128_big_words(key->plan),
                               mask + (size_t)i * N);
        /* count = k = the plan's max_terms: cannot fail */
        int rc = ntt128_mac_add(key->plan, key->prod, key->sp, key->ap, key->k, key->work);
        (void)rc;
        return;
    }
    for (unsigned i = 0; i < key->k; i++) {
        const u128 *a = mask + (size_t)i * N, *s = key->sk + (size_t)i * N;
        for (size_t j = 0; j < N; j++) { /* + s_j X^j a, branch-free in s_j */
            u128 m = 0 - (s[j] & 1);
            for (size_t t = 0; t + j < N; t++)
                key->prod[t + j] += a[t] & m;
            for (size_t t = N - j; t < N; t++)
                key->prod[t + j - N] -= a[t] & m;
        }
    }
}

int glwe128_encrypt_assign(u128 *ct, struct glwe128_key *key, unsigned noise_log2,
                           struct enc_rng *rng)
{
    size_t N = key->N, kn = (size_t)key->k * N;
    u128 *body = ct + kn;
    KMS_TRY(sample_uniform_u128(&rng->mask, ct, kn));
    KMS_TRY(sample_add_tuniform_u128(&rng->noise, noise_log2, body, N));
    key_product(key, ct);
    for (size_t j = 0; j < N; j++)
        body[j] += key->prod[j];
    secmem_wipe(key->prod, N * sizeof *key->prod);
    if (key->work != NULL)
        secmem_wipe(key->work, ntt128_work_words(key->plan, 1) * sizeof *key->work);
    return 0;
}

void glwe128_phase(u128 *phase, const u128 *ct, struct glwe128_key *key)
{
    size_t N = key->N, kn = (size_t)key->k * N;
    key_product(key, ct);
    for (size_t j = 0; j < N; j++)
        phase[j] = ct[kn + j] - key->prod[j];
    secmem_wipe(key->prod, N * sizeof *key->prod);
    if (key->work != NULL)
        secmem_wipe(key->work, ntt128_work_words(key->plan, 1) * sizeof *key->work);
}

void glwe128_trivial(u128 *ct, unsigned k, size_t N, const u128 *body_poly)
{
    memset(ct, 0, (size_t)k * N * sizeof *ct);
    memcpy(ct + (size_t)k * N, body_poly, N * sizeof *ct);
}

void glwe128_sample_extract(u128 *lwe, const u128 *ct, unsigned k, size_t N, size_t h)
{
    /* a'_{iN+j} = A_i[h - j] for j <= h, -A_i[N + h - j] for j > h */
    for (unsigned i = 0; i < k; i++) {
        const u128 *a = ct + (size_t)i * N;
        u128 *out = lwe + (size_t)i * N;
        for (size_t j = 0; j <= h; j++)
            out[j] = a[h - j];
        for (size_t j = h + 1; j < N; j++)
            out[j] = 0 - a[N + h - j];
    }
    lwe[(size_t)k * N] = ct[(size_t)k * N + h];
}

u128 ggsw128_mask_bytes(unsigned k, size_t N, unsigned level)
{
    return (u128)level * ((u128)k + 1) * k * N * 16;
}

u128 ggsw128_noise_bytes(unsigned k, size_t N, unsigned level, unsigned noise_log2)
{
    return (u128)level * ((u128)k + 1) * enc_rng_noise_bytes(N, noise_log2);
}

int ggsw128_encrypt(u128 *ggsw, struct glwe128_key *key, unsigned base_log, unsigned level,
                    u128 m, unsigned noise_log2, struct enc_rng *rng)
{
    unsigned k = key->k;
    size_t N = key->N, rows = (size_t)k + 1, gs = glwe128_size(k, N);
    u128 row_mask = ggsw128_mask_bytes(k, N, 1) / rows;
    u128 row_noise = ggsw128_noise_bytes(k, N, 1, noise_log2) / rows;
    for (unsigned t = 0; t < level; t++) {
        unsigned j = level - t; /* finest level first */
        u128 factor = (0 - m) << (128 - base_log * j);
        struct enc_rng lvl;
        KMS_TRY(enc_rng_fork(rng, &lvl, 1, row_mask * rows, row_noise * rows));
        for (size_t r = 0; r < rows; r++) {
            u128 *ct = ggsw + (t * rows + r) * gs, *body = ct + (size_t)k * N;
            if (r < k) {
                for (size_t c = 0; c < N; c++)
                    body[c] = key->sk[r * N + c] * factor;
            } else {
                memset(body, 0, N * sizeof *body);
                body[0] = 0 - factor;
            }
            struct enc_rng row;
            KMS_TRY(enc_rng_fork(&lvl, &row, 1, row_mask, row_noise));
            KMS_TRY(glwe128_encrypt_assign(ct, key, noise_log2, &row));
        }
        secmem_wipe(&factor, sizeof factor);
    }
    return 0;
}

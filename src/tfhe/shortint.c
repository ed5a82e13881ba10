#include "tfhe/shortint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs.h"

/* ---- masked dot product (the phase), one variant per instruction set ----
 *
 * sum_i a[i] & mask[i] mod 2^64: with the key as all-ones / all-zeros masks
 * this is <a, s> without a branch or a multiply, and it vectorizes to one AND
 * and one ADD per lane. GCC's vector extensions keep the code portable; the
 * target attribute lets the same body use 256- or 512-bit registers when the
 * CPU has them (chosen once per client key). */

typedef uint64_t dot_v2 __attribute__((vector_size(16)));
typedef uint64_t dot_v4 __attribute__((vector_size(32)));
typedef uint64_t dot_v8 __attribute__((vector_size(64)));

#define DEFINE_DOT(name, attr, VT, W)                                                        \
    attr static uint64_t name(const uint64_t *a, const uint64_t *m, size_t n)                \
    {                                                                                        \
        VT s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};                                           \
        size_t i = 0;                                                                        \
        for (; i + 4 * (W) <= n; i += 4 * (W)) {                                             \
            VT x0, x1, x2, x3, k0, k1, k2, k3;                                               \
            memcpy(&x0, a + i, sizeof x0);                                                   \
            memcpy(&x1, a + i + (W), sizeof x1);                                             \
            memcpy(&x2, a + i + 2 * (W), sizeof x2);                                         \
            memcpy(&x3, a + i + 3 * (W), sizeof x3);                                         \
            memcpy(&k0, m + i, sizeof k0);                                                   \
            memcpy(&k1, m + i + (W), sizeof k1);                                             \
            memcpy(&k2, m + i + 2 * (W), sizeof k2);                                         \
            memcpy(&k3, m + i + 3 * (W), sizeof k3);                                         \
            s0 += x0 & k0;                                                                   \
            s1 += x1 & k1;                                                                   \
            s2 += x2 & k2;                                                                   \
            s3 += x3 & k3;                                                                   \
        }                                                                                    \
        s0 += s1 + s2 + s3;                                                                  \
        uint64_t acc = 0;                                                                    \
        for (unsigned j = 0; j < (W); j++)                                                   \
            acc += s0[j];                                                                    \
        for (; i < n; i++)                                                                   \
            acc += a[i] & m[i];                                                              \
        return acc;                                                                          \
    }

DEFINE_DOT(dot_base, , dot_v2, 2)
#if defined(__x86_64__)
DEFINE_DOT(dot_avx2, __attribute__((target("avx2"))), dot_v4, 4)
DEFINE_DOT(dot_avx512, __attribute__((target("avx512f"))), dot_v8, 8)
#endif

typedef uint64_t (*dot_fn)(const uint64_t *, const uint64_t *, size_t);

static dot_fn pick_dot(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return dot_avx512;
    if (__builtin_cpu_supports("avx2"))
        return dot_avx2;
#endif
    return dot_base;
}

int shortint_client_key_set_isa(struct shortint_client_key *ck, enum fft_isa isa)
{
    switch (isa) {
    case FFT_ISA_AUTO:
        ck->dot = pick_dot();
        return 0;
    case FFT_ISA_SCALAR:
        ck->dot = dot_base;
        return 0;
#if defined(__x86_64__)
    case FFT_ISA_AVX2:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx2"))
            break;
        ck->dot = dot_avx2;
        return 0;
    case FFT_ISA_AVX512:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f"))
            break;
        ck->dot = dot_avx512;
        return 0;
#endif
    default:
        break;
    }
    return kms_err(KMS_EUNIMPL, "shortint: instruction set %d not available on this CPU", (int)isa);
}

/* ---- parameters ---- */

static uint32_t cleartext_modulus(const struct tfhe_pbs_params *p)
{
    return p->message_modulus * p->carry_modulus;
}

/* What this module relies on: a power-of-two cleartext space with room for
 * the half-box rotation of the lookup table, and a sane decomposition. */
static int check_params(const struct tfhe_params *params)
{
    if (params == NULL)
        return kms_err(KMS_EINVAL, "shortint: no parameter set");
    const struct tfhe_pbs_params *p = &params->pbs;
    uint64_t cleartext = (uint64_t)p->message_modulus * p->carry_modulus;
    if (p->message_modulus < 2 || p->carry_modulus < 1 || (cleartext & (cleartext - 1)) != 0 ||
        cleartext > 256)
        return kms_err(KMS_EINVAL, "shortint: unsupported message/carry moduli %u/%u",
                       p->message_modulus, p->carry_modulus);
    if (p->lwe_dimension == 0 || p->glwe_dimension == 0 || p->polynomial_size < 2 * cleartext ||
        p->polynomial_size % (2 * cleartext) != 0 || p->polynomial_size > FFT_MAX_POLY_SIZE)
        return kms_err(KMS_EINVAL, "shortint: unsupported dimensions n=%u k=%u N=%u",
                       p->lwe_dimension, p->glwe_dimension, p->polynomial_size);
    if (p->ks_level == 0 || p->pbs_level == 0 || p->ks_base_log * p->ks_level >= 64 ||
        p->pbs_base_log * p->pbs_level >= 64 || p->ks_base_log == 0 || p->pbs_base_log == 0)
        return kms_err(KMS_EINVAL, "shortint: unsupported decomposition parameters");
    return 0;
}

int shortint_check_ct(const struct tfhe_params *params, const struct shortint_ct *ct)
{
    const struct tfhe_pbs_params *p = &params->pbs;
    if (ct == NULL || ct->data == NULL)
        return kms_err(KMS_EINVAL, "shortint: ciphertext not initialized");
    if (ct->dimension != tfhe_params_big_dimension(p) || ct->message_modulus != p->message_modulus ||
        ct->carry_modulus != p->carry_modulus)
        return kms_err(KMS_EINVAL,
                       "shortint: ciphertext (dimension %zu, moduli %u/%u) does not match "
                       "parameter set \"%s\" (dimension %u, moduli %u/%u)",
                       ct->dimension, ct->message_modulus, ct->carry_modulus, params->name,
                       tfhe_params_big_dimension(p), p->message_modulus, p->carry_modulus);
    return 0;
}

/* ---- keys ---- */

void shortint_client_key_free(struct shortint_client_key *ck)
{
    if (ck == NULL)
        return;
    secmem_free(ck->lwe_sk);
    secmem_free(ck->glwe_sk);
    secmem_free(ck->big_mask);
    free(ck);
}

int shortint_client_key_new(struct shortint_client_key **out, const struct tfhe_params *params,
                            struct csprng *secret)
{
    *out = NULL;
    KMS_TRY(check_params(params));
    const struct tfhe_pbs_params *p = &params->pbs;
    size_t n = p->lwe_dimension, big = tfhe_params_big_dimension(p);
    struct shortint_client_key *ck = calloc(1, sizeof *ck);
    if (ck == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for a client key");
    ck->params = params;
    ck->lwe_sk = secmem_alloc(n * sizeof *ck->lwe_sk);
    ck->glwe_sk = secmem_alloc(big * sizeof *ck->glwe_sk);
    ck->big_mask = secmem_alloc(big * sizeof *ck->big_mask);
    ck->dot = pick_dot();
    int rc = 0;
    if (ck->lwe_sk == NULL || ck->glwe_sk == NULL || ck->big_mask == NULL)
        rc = kms_err(KMS_ENOMEM, "shortint: out of memory for secret keys");
    if (rc == 0)
        rc = lwe_sk_generate(ck->lwe_sk, n, secret); /* small key first, as tfhe-rs */
    if (rc == 0)
        rc = glwe_sk_generate(ck->glwe_sk, p->glwe_dimension, p->polynomial_size, secret);
    if (rc < 0) {
        shortint_client_key_free(ck);
        return rc;
    }
    for (size_t i = 0; i < big; i++)
        ck->big_mask[i] = 0 - (ck->glwe_sk[i] & 1);
    *out = ck;
    return 0;
}

void shortint_server_key_free(struct shortint_server_key *sk)
{
    if (sk == NULL)
        return;
    free(sk->ksk);
    free(sk->ksk32);
    free(sk->ms_zeros);
    fourier_bsk_free(&sk->bsk);
    free(sk);
}

static struct bsk_shape bsk_shape_of(const struct tfhe_pbs_params *p)
{
    struct bsk_shape s = {
        .lwe_dimension = p->lwe_dimension,
        .glwe_dimension = p->glwe_dimension,
        .polynomial_size = p->polynomial_size,
        .base_log = p->pbs_base_log,
        .level = p->pbs_level,
    };
    return s;
}

static int generate_bsk(struct shortint_server_key *sk, const struct shortint_client_key *ck,
                        struct enc_rng *rng)
{
    const struct tfhe_pbs_params *p = &ck->params->pbs;
    struct bsk_shape shape = bsk_shape_of(p);
    size_t words = bsk_polys(&shape) * shape.polynomial_size;
    uint64_t *std_bsk = malloc(words * sizeof *std_bsk);
    if (std_bsk == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for a bootstrapping key");
    int rc = bsk_generate(std_bsk, &shape, ck->lwe_sk, ck->glwe_sk, p->glwe_noise_log2, rng);
    if (rc == 0)
        rc = fourier_bsk_from_std(&sk->bsk, &shape, std_bsk);
    free(std_bsk);
    return rc;
}

/* Encryptions of zero under the small key with the LWE noise, one fork of
 * 8 n mask bytes and one noise sample each (encrypt_lwe_ciphertext_list). */
static int generate_ms_zeros(struct shortint_server_key *sk, const struct shortint_client_key *ck,
                             struct enc_rng *rng)
{
    const struct tfhe_pbs_params *p = &ck->params->pbs;
    size_t n = p->lwe_dimension;
    sk->ms_zeros = malloc((size_t)p->ms.zeros_count * lwe_size(n) * sizeof *sk->ms_zeros);
    if (sk->ms_zeros == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for the modulus-switch key");
    for (uint32_t z = 0; z < p->ms.zeros_count; z++) {
        struct enc_rng one;
        KMS_TRY(enc_rng_fork(rng, &one, 1, (u128)n * 8, enc_rng_noise_bytes(1, p->lwe_noise_log2)));
        KMS_TRY(lwe_encrypt(sk->ms_zeros + z * lwe_size(n), ck->lwe_sk, n, 0, p->lwe_noise_log2,
                            &one));
    }
    return 0;
}

int shortint_server_key_new(struct shortint_server_key **out, const struct shortint_client_key *ck,
                            struct enc_rng *rng)
{
    *out = NULL;
    KMS_TRY(check_params(ck->params));
    const struct tfhe_pbs_params *p = &ck->params->pbs;
    size_t n = p->lwe_dimension, big = tfhe_params_big_dimension(p);
    struct shortint_server_key *sk = calloc(1, sizeof *sk);
    if (sk == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for a server key");
    sk->params = ck->params;
    sk->ms_kind = p->ms.kind;
    sk->ksk = malloc(lwe_ksk_size(big, n, p->ks_level) * sizeof *sk->ksk);
    int rc = 0;
    if (sk->ksk == NULL)
        rc = kms_err(KMS_ENOMEM, "shortint: out of memory for a keyswitching key");
    /* tfhe-rs ServerKey::new order: bootstrapping key, modulus-switch key
     * (drift only), keyswitching key */
    if (rc == 0)
        rc = generate_bsk(sk, ck, rng);
    if (rc == 0 && p->ms.kind == TFHE_MS_DRIFT)
        rc = generate_ms_zeros(sk, ck, rng);
    if (rc == 0)
        rc = lwe_ksk_generate(sk->ksk, ck->glwe_sk, big, ck->lwe_sk, n, p->ks_base_log,
                              p->ks_level, p->lwe_noise_log2, rng);
    if (rc == 0 && lwe_ksk_u32_ok(p->ks_base_log, p->ks_level)) {
        size_t words = lwe_ksk_size(big, n, p->ks_level);
        sk->ksk32 = malloc(words * sizeof *sk->ksk32);
        if (sk->ksk32 == NULL)
            rc = kms_err(KMS_ENOMEM, "shortint: out of memory for a keyswitching key");
        else
            lwe_ksk_round_u32(sk->ksk32, sk->ksk, words);
    }
    if (rc < 0) {
        shortint_server_key_free(sk);
        return rc;
    }
    *out = sk;
    return 0;
}

/* ---- ciphertexts ---- */

int shortint_ct_init(struct shortint_ct *ct, const struct tfhe_params *params)
{
    memset(ct, 0, sizeof *ct);
    KMS_TRY(check_params(params));
    size_t dim = tfhe_params_big_dimension(&params->pbs);
    ct->data = calloc(lwe_size(dim), sizeof *ct->data);
    if (ct->data == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for a ciphertext");
    ct->dimension = dim;
    ct->message_modulus = params->pbs.message_modulus;
    ct->carry_modulus = params->pbs.carry_modulus;
    ct->owns_data = 1;
    return 0;
}

void shortint_ct_clear(struct shortint_ct *ct)
{
    if (ct == NULL)
        return;
    if (ct->owns_data)
        free(ct->data);
    memset(ct, 0, sizeof *ct);
}

int shortint_ct_copy(struct shortint_ct *dst, const struct shortint_ct *src)
{
    if (dst->data == NULL || src->data == NULL || dst->dimension != src->dimension ||
        dst->message_modulus != src->message_modulus || dst->carry_modulus != src->carry_modulus)
        return kms_err(KMS_EINVAL, "shortint: copy between blocks of different shapes");
    if (dst->data != src->data)
        memcpy(dst->data, src->data, lwe_size(src->dimension) * sizeof *src->data);
    dst->degree = src->degree;
    dst->noise_level = src->noise_level;
    return 0;
}

static uint64_t delta_of(uint32_t message_modulus, uint32_t carry_modulus)
{
    uint64_t cleartext = 2ull * message_modulus * carry_modulus;
    return (uint64_t)(((unsigned __int128)1 << 64) / cleartext);
}

uint64_t shortint_delta(const struct shortint_ct *ct)
{
    return delta_of(ct->message_modulus, ct->carry_modulus);
}

static int encrypt_value(const struct shortint_client_key *ck, struct shortint_ct *ct, uint64_t m,
                         uint64_t degree, struct enc_rng *rng)
{
    KMS_TRY(shortint_check_ct(ck->params, ct));
    /* EncryptionKeyChoice::Big: the big key with the GLWE noise */
    int rc = lwe_encrypt(ct->data, ck->glwe_sk, ct->dimension, m * shortint_delta(ct),
                         ck->params->pbs.glwe_noise_log2, rng);
    if (rc < 0) {
        memset(ct->data, 0, lwe_size(ct->dimension) * sizeof *ct->data);
        ct->degree = 0;
        ct->noise_level = SHORTINT_NOISE_ZERO;
        return rc;
    }
    ct->degree = degree;
    ct->noise_level = SHORTINT_NOISE_NOMINAL;
    return 0;
}

int shortint_encrypt(const struct shortint_client_key *ck, struct shortint_ct *ct, uint64_t m,
                     struct enc_rng *rng)
{
    uint32_t msg = ck->params->pbs.message_modulus;
    return encrypt_value(ck, ct, m % msg, msg - 1, rng);
}

int shortint_encrypt_unchecked(const struct shortint_client_key *ck, struct shortint_ct *ct,
                               uint64_t m, struct enc_rng *rng)
{
    uint32_t p = cleartext_modulus(&ck->params->pbs);
    if (m >= p)
        return kms_err(KMS_EINVAL, "shortint: value %llu does not fit a block of %u values",
                       (unsigned long long)m, p);
    return encrypt_value(ck, ct, m, p - 1, rng);
}

static int trivial_value(struct shortint_ct *ct, uint64_t m)
{
    lwe_trivial(ct->data, ct->dimension, m * shortint_delta(ct));
    ct->degree = m;
    ct->noise_level = SHORTINT_NOISE_ZERO;
    return 0;
}

int shortint_trivial(struct shortint_ct *ct, uint64_t m)
{
    if (ct->data == NULL || ct->message_modulus == 0)
        return kms_err(KMS_EINVAL, "shortint: ciphertext not initialized");
    return trivial_value(ct, m % ct->message_modulus);
}

int shortint_trivial_unchecked(struct shortint_ct *ct, uint64_t m)
{
    if (ct->data == NULL || ct->message_modulus == 0)
        return kms_err(KMS_EINVAL, "shortint: ciphertext not initialized");
    uint64_t p = (uint64_t)ct->message_modulus * ct->carry_modulus;
    if (m >= p)
        return kms_err(KMS_EINVAL, "shortint: value %llu does not fit a block of %llu values",
                       (unsigned long long)m, (unsigned long long)p);
    return trivial_value(ct, m);
}

uint64_t shortint_phase_unchecked(const struct shortint_client_key *ck, const uint64_t *data)
{
    size_t dim = tfhe_params_big_dimension(&ck->params->pbs);
    return data[dim] - ck->dot(data, ck->big_mask, dim);
}

uint64_t shortint_decode(uint64_t phase, uint32_t message_modulus, uint32_t carry_modulus)
{
    /* tfhe-rs divide_round then mod 2p: the padding bit is part of the result */
    uint64_t delta = delta_of(message_modulus, carry_modulus);
    uint64_t q = phase / delta, r = phase % delta;
    q += r >= (delta >> 1);
    return q % (2ull * message_modulus * carry_modulus);
}

int shortint_phase(const struct shortint_client_key *ck, uint64_t *out,
                   const struct shortint_ct *ct)
{
    *out = 0;
    KMS_TRY(shortint_check_ct(ck->params, ct));
    *out = shortint_phase_unchecked(ck, ct->data);
    return 0;
}

int shortint_decrypt_message_and_carry(const struct shortint_client_key *ck, uint64_t *out,
                                       const struct shortint_ct *ct)
{
    *out = 0;
    KMS_TRY(shortint_check_ct(ck->params, ct));
    *out = shortint_decode(shortint_phase_unchecked(ck, ct->data), ct->message_modulus,
                           ct->carry_modulus);
    return 0;
}

int shortint_decrypt(const struct shortint_client_key *ck, uint64_t *out,
                     const struct shortint_ct *ct)
{
    KMS_TRY(shortint_decrypt_message_and_carry(ck, out, ct));
    *out %= ct->message_modulus;
    return 0;
}

/* ---- leveled operations ---- */

static uint64_t max_degree(const struct shortint_server_key *sk)
{
    return cleartext_modulus(&sk->params->pbs) - 1;
}

/* degree + noise checks as tfhe-rs is_add_possible / is_scalar_mul_possible */
static int check_result(const struct shortint_server_key *sk, unsigned __int128 degree,
                        unsigned __int128 noise, const char *op)
{
    if (degree > max_degree(sk))
        return kms_err(KMS_ELIMIT, "shortint: %s would reach degree %llu > max degree %llu "
                                   "(carry buffer full)",
                       op, (unsigned long long)(degree > UINT64_MAX ? UINT64_MAX : degree),
                       (unsigned long long)max_degree(sk));
    if (noise > sk->params->pbs.max_noise_level)
        return kms_err(KMS_ELIMIT, "shortint: %s would reach noise level %llu > max %u", op,
                       (unsigned long long)(noise > UINT64_MAX ? UINT64_MAX : noise),
                       sk->params->pbs.max_noise_level);
    return 0;
}

int shortint_add(const struct shortint_server_key *sk, struct shortint_ct *ct,
                 const struct shortint_ct *other)
{
    KMS_TRY(shortint_check_ct(sk->params, ct));
    KMS_TRY(shortint_check_ct(sk->params, other));
    unsigned __int128 degree = (unsigned __int128)ct->degree + other->degree;
    unsigned __int128 noise = (unsigned __int128)ct->noise_level + other->noise_level;
    KMS_TRY(check_result(sk, degree, noise, "addition"));
    lwe_add(ct->data, other->data, ct->dimension);
    ct->degree = (uint64_t)degree;
    ct->noise_level = (uint64_t)noise;
    return 0;
}

int shortint_scalar_add(const struct shortint_server_key *sk, struct shortint_ct *ct,
                        uint8_t scalar)
{
    KMS_TRY(shortint_check_ct(sk->params, ct));
    unsigned __int128 degree = (unsigned __int128)ct->degree + scalar;
    KMS_TRY(check_result(sk, degree, ct->noise_level, "scalar addition"));
    ct->data[ct->dimension] += (uint64_t)scalar * shortint_delta(ct);
    ct->degree = (uint64_t)degree;
    return 0;
}

int shortint_scalar_mul(const struct shortint_server_key *sk, struct shortint_ct *ct,
                        uint8_t scalar)
{
    KMS_TRY(shortint_check_ct(sk->params, ct));
    unsigned __int128 degree = (unsigned __int128)ct->degree * scalar;
    unsigned __int128 noise = (unsigned __int128)ct->noise_level * scalar;
    KMS_TRY(check_result(sk, degree, noise, "scalar multiplication"));
    lwe_mul_scalar(ct->data, ct->dimension, scalar);
    ct->degree = (uint64_t)degree;
    ct->noise_level = (uint64_t)noise;
    return 0;
}

/* ---- programmable bootstrapping ---- */

struct shortint_scratch {
    struct bsk_shape shape;
    struct pbs_scratch *pbs;
    uint64_t *small; /* n + 1: the keyswitched input */
    uint64_t *lut;   /* N: the table body */
};

void shortint_scratch_free(struct shortint_scratch *sc)
{
    if (sc == NULL)
        return;
    pbs_scratch_free(sc->pbs);
    free(sc->small);
    free(sc->lut);
    free(sc);
}

int shortint_scratch_new(struct shortint_scratch **out, const struct shortint_server_key *sk)
{
    *out = NULL;
    struct shortint_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "shortint: out of memory for PBS scratch");
    sc->shape = sk->bsk.shape;
    int rc = pbs_scratch_new(&sc->pbs, &sc->shape);
    sc->small = malloc(lwe_size(sc->shape.lwe_dimension) * sizeof *sc->small);
    sc->lut = malloc(sc->shape.polynomial_size * sizeof *sc->lut);
    if (rc == 0 && (sc->small == NULL || sc->lut == NULL))
        rc = kms_err(KMS_ENOMEM, "shortint: out of memory for PBS scratch");
    if (rc < 0) {
        shortint_scratch_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

int shortint_apply_table(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                         struct shortint_ct *out, const struct shortint_ct *in,
                         const uint64_t *table, size_t table_len)
{
    const struct tfhe_pbs_params *p = &sk->params->pbs;
    uint32_t cleartext = cleartext_modulus(p);
    KMS_TRY(shortint_check_ct(sk->params, in));
    KMS_TRY(shortint_check_ct(sk->params, out));
    if (memcmp(&sc->shape, &sk->bsk.shape, sizeof sc->shape) != 0)
        return kms_err(KMS_EINVAL, "shortint: PBS scratch made for another server key shape");
    if (table_len != cleartext)
        return kms_err(KMS_EINVAL, "shortint: lookup table has %zu entries, need %u", table_len,
                       cleartext);
    uint64_t degree = 0;
    for (size_t i = 0; i < table_len; i++) {
        if (table[i] >= cleartext)
            return kms_err(KMS_EINVAL, "shortint: lookup table entry %zu = %llu exceeds %u", i,
                           (unsigned long long)table[i], cleartext - 1);
        degree = table[i] > degree ? table[i] : degree;
    }
    size_t big = tfhe_params_big_dimension(p);
    pbs_lut(sc->lut, p->polynomial_size, cleartext, table, shortint_delta(in));
    if (sk->ksk32 != NULL)
        lwe_keyswitch_u32(sc->small, sk->ksk32, in->data, big, p->lwe_dimension,
                          p->ks_base_log, p->ks_level);
    else
        lwe_keyswitch(sc->small, sk->ksk, in->data, big, p->lwe_dimension, p->ks_base_log,
                      p->ks_level);
    if (sk->ms_kind == TFHE_MS_DRIFT)
        pbs_bootstrap_drift(&sk->bsk, out->data, sc->small, sc->lut, sk->ms_zeros,
                            &sk->params->pbs.ms, sc->pbs);
    else
        pbs_bootstrap(&sk->bsk, out->data, sc->small, sc->lut, sk->ms_kind, sc->pbs);
    out->degree = degree;
    out->noise_level = SHORTINT_NOISE_NOMINAL;
    return 0;
}

#define SHORTINT_MAX_TABLE 256 /* check_params bounds p by this */

static int apply_fn(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                    struct shortint_ct *out, const struct shortint_ct *in, int carry)
{
    uint64_t table[SHORTINT_MAX_TABLE];
    uint32_t msg = sk->params->pbs.message_modulus, cleartext = cleartext_modulus(&sk->params->pbs);
    for (uint32_t x = 0; x < cleartext; x++)
        table[x] = carry ? x / msg : x % msg;
    return shortint_apply_table(sk, sc, out, in, table, cleartext);
}

int shortint_carry_extract(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                           struct shortint_ct *out, const struct shortint_ct *in)
{
    return apply_fn(sk, sc, out, in, 1);
}

int shortint_message_extract(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                             struct shortint_ct *out, const struct shortint_ct *in)
{
    return apply_fn(sk, sc, out, in, 0);
}

/* ---- PBS output noise ----
 *
 * In KS-PBS the keyswitch and modulus-switch errors only decide which box of
 * the table the rotation lands in; the value read out carries the noise of
 * the blind rotation alone. That rotation is n CMUXes
 *     ACC += ExtProd(BSK_i, T),   T = ACC * (X^a_i - 1),
 * and each external product adds, per coefficient of the decrypted result
 * (units of 2^-64 of the torus; B = base_log, l = levels, keys binary with
 * about half their bits set):
 *
 *  (1) key noise. The product is the sum over the (k+1) l GGSW rows of
 *      (digit polynomial) x (row), and each row carries a TUniform(b) noise
 *      polynomial. A coefficient of digit x noise is a sum of N products of a
 *      digit, about uniform on [-2^(B-1), 2^(B-1)] (variance
 *      Vd = (2^(2B) + 2) / 12), by a noise sample (variance
 *      Vg = (2^(2b+1) + 1) / 6, the TUniform variance):
 *          V1 = (k+1) l N Vd Vg.
 *  (2) decomposition rounding. T is first rounded to its top B l bits; the
 *      error eps per coefficient is uniform on [-2^(63-Bl), 2^(63-Bl)), of
 *      variance Ve = 2^(2(64-Bl)) / 12. The rows decrypt to s_i times the
 *      gadget, so the product decrypts to s_i (eps_k - sum_{r<k} eps_r S_r):
 *      nothing for a zero key bit, otherwise one eps plus k N products of an
 *      eps with a key bit:
 *          V2 = s_i (1 + k N / 2) Ve.
 *  (3) floating point. The products run in double-precision FFTs, which
 *      leave in every one of the k + 1 output polynomials an error of
 *      relative size 2^-53 per butterfly level: with Y^2 = (k+1) l N Vd
 *      2^128 / 12 the mean square of an exact output coefficient (digits
 *      times uniform torus values),
 *          Vf = (log2(N / 2) + 2) 2^-106 Y^2
 *      (the + 2 for the conversions, twist and pointwise product; checked
 *      against exact products for N = 512 .. 4096 and B = 16 .. 26, within
 *      10 %). Decryption multiplies the k mask errors by the key, as in (2):
 *          V3 = (1 + k N / 2) Vf.
 *
 * Summed over the n CMUXes, with on average n/2 small-key bits set:
 *     Var = n (V1 + V3) + (n / 2) V2|s=1.
 * (1) and (2) are upper bounds early in the rotation, while the
 * accumulator's mask is still zero. For the default set (n 918, k 1,
 * N 2048, B 23, l 1, b 17) the three parts are 2^96.7, 2^97.3 and 2^96.2,
 * a standard deviation of 2^49.2, against Delta / 2 = 2^58. */
double shortint_pbs_noise_stddev(const struct tfhe_params *params)
{
    const struct tfhe_pbs_params *p = &params->pbs;
    double n = p->lwe_dimension, k = p->glwe_dimension, N = p->polynomial_size;
    double l = p->pbs_level, B = p->pbs_base_log, b = p->glwe_noise_log2;
    double vd = (ldexp(1.0, (int)(2 * B)) + 2.0) / 12.0;
    double vg = (ldexp(1.0, (int)(2 * b + 1)) + 1.0) / 6.0;
    double ve = ldexp(1.0, 2 * (64 - (int)(B * l))) / 12.0;
    double digits = (k + 1) * l * N; /* digit-by-row products per coefficient */
    double key_spread = 1.0 + k * N / 2.0;
    double v1 = digits * vd * vg;
    double v2 = key_spread * ve;
    double y2 = digits * vd * ldexp(1.0, 128) / 12.0;
    double v3 = key_spread * (log2(N / 2.0) + 2.0) * ldexp(y2, -106);
    return sqrt(n * (v1 + v3) + n / 2.0 * v2);
}

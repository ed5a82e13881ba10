#include "tfhe/sns.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/glwe128.h"
#include "tfhe/lwe.h"
#include "tfhe/lwe128.h"
#include "tfhe/pbs128.h"

#define SNS_MAX_CLEARTEXT 256

/* ---- parameters ---- */

struct bsk_shape sns_bsk_shape(const struct tfhe_params *params)
{
    struct bsk_shape s = {
        .lwe_dimension = params->pbs.lwe_dimension,
        .glwe_dimension = params->sns.glwe_dimension,
        .polynomial_size = params->sns.polynomial_size,
        .base_log = params->sns.base_log,
        .level = params->sns.level,
    };
    return s;
}

static int check_params(const struct tfhe_params *params)
{
    if (params == NULL || !params->has_sns)
        return kms_err(KMS_EINVAL, "sns: parameter set \"%s\" has no noise squashing parameters",
                       params != NULL ? params->name : "(none)");
    const struct tfhe_sns_params *s = &params->sns;
    uint64_t p = (uint64_t)s->message_modulus * s->carry_modulus;
    if (s->message_modulus != params->pbs.message_modulus ||
        s->carry_modulus != params->pbs.carry_modulus || p < 2 || p > SNS_MAX_CLEARTEXT ||
        (p & (p - 1)) != 0 || s->polynomial_size % p != 0)
        return kms_err(KMS_EINVAL, "sns: unsupported moduli %u/%u (compute %u/%u)",
                       s->message_modulus, s->carry_modulus, params->pbs.message_modulus,
                       params->pbs.carry_modulus);
    if (s->ms.kind != TFHE_MS_STANDARD && s->ms.kind != TFHE_MS_CENTERED_MEAN &&
        s->ms.kind != TFHE_MS_DRIFT)
        return kms_err(KMS_EINVAL, "sns: unknown modulus switch %d", (int)s->ms.kind);
    struct bsk_shape shape = sns_bsk_shape(params);
    return bsk128_check_shape(&shape);
}

u128 sns_delta(uint32_t message_modulus, uint32_t carry_modulus)
{
    return ((u128)1 << 126) / ((u128)message_modulus * carry_modulus) * 2;
}

/* ---- keys ---- */

void sns_private_key_free(struct sns_private_key *pk)
{
    if (pk == NULL)
        return;
    glwe128_key_free(pk->key);
    secmem_free(pk->glwe_sk);
    free(pk);
}

static int private_key_alloc(struct sns_private_key **out, const struct tfhe_params *params)
{
    *out = NULL;
    KMS_TRY(check_params(params));
    struct sns_private_key *pk = calloc(1, sizeof *pk);
    size_t words = (size_t)params->sns.glwe_dimension * params->sns.polynomial_size;
    if (pk != NULL)
        pk->glwe_sk = secmem_alloc(words * sizeof *pk->glwe_sk);
    if (pk == NULL || pk->glwe_sk == NULL) {
        sns_private_key_free(pk);
        return kms_err(KMS_ENOMEM, "sns: out of memory for a private key");
    }
    pk->params = params;
    *out = pk;
    return 0;
}

static int private_key_finish(struct sns_private_key **pk)
{
    const struct tfhe_sns_params *s = &(*pk)->params->sns;
    int rc = glwe128_key_new(&(*pk)->key, (*pk)->glwe_sk, s->glwe_dimension, s->polynomial_size);
    if (rc < 0) {
        sns_private_key_free(*pk);
        *pk = NULL;
    }
    return rc;
}

int sns_private_key_new(struct sns_private_key **out, const struct tfhe_params *params,
                        struct csprng *secret)
{
    KMS_TRY(private_key_alloc(out, params));
    int rc = glwe128_sk_generate((*out)->glwe_sk, params->sns.glwe_dimension,
                                 params->sns.polynomial_size, secret);
    if (rc < 0) {
        sns_private_key_free(*out);
        *out = NULL;
        return rc;
    }
    return private_key_finish(out);
}

int sns_private_key_from_bits(struct sns_private_key **out, const struct tfhe_params *params,
                              const u128 *bits, size_t count)
{
    *out = NULL;
    KMS_TRY(check_params(params));
    size_t words = (size_t)params->sns.glwe_dimension * params->sns.polynomial_size;
    if (count != words)
        return kms_err(KMS_EINVAL, "sns: a private key has %zu bits, got %zu", words, count);
    KMS_TRY(private_key_alloc(out, params));
    for (size_t i = 0; i < words; i++)
        (*out)->glwe_sk[i] = bits[i] & 1;
    return private_key_finish(out);
}

void sns_server_key_free(struct sns_server_key *ssk)
{
    if (ssk == NULL)
        return;
    bsk128_ntt_free(&ssk->bsk);
    free(ssk->ms_zeros);
    free(ssk);
}

static int server_key_alloc(struct sns_server_key **out, const struct tfhe_params *params)
{
    *out = NULL;
    KMS_TRY(check_params(params));
    struct sns_server_key *ssk = calloc(1, sizeof *ssk);
    if (ssk == NULL)
        return kms_err(KMS_ENOMEM, "sns: out of memory for a server key");
    ssk->params = params;
    if (params->sns.ms.kind == TFHE_MS_DRIFT) {
        size_t n = params->pbs.lwe_dimension;
        if (params->sns.ms.zeros_count == 0) {
            sns_server_key_free(ssk);
            return kms_err(KMS_EINVAL, "sns: drift switch without encryptions of zero");
        }
        ssk->ms_zeros = calloc((size_t)params->sns.ms.zeros_count * lwe_size(n), 8);
        if (ssk->ms_zeros == NULL) {
            sns_server_key_free(ssk);
            return kms_err(KMS_ENOMEM, "sns: out of memory for the modulus-switch key");
        }
    }
    *out = ssk;
    return 0;
}

int sns_server_key_new(struct sns_server_key **out, const struct shortint_client_key *ck,
                       const struct sns_private_key *pk, struct enc_rng *rng)
{
    *out = NULL;
    if (ck == NULL || pk == NULL || ck->params != pk->params)
        return kms_err(KMS_EINVAL, "sns: client key and SnS private key of different sets");
    const struct tfhe_params *params = pk->params;
    struct sns_server_key *ssk;
    KMS_TRY(server_key_alloc(&ssk, params));
    struct bsk_shape shape = sns_bsk_shape(params);
    int rc = bsk128_ntt_generate(&ssk->bsk, &shape, ck->lwe_sk, pk->key,
                                 params->sns.glwe_noise_log2, rng);
    /* then the drift key: encryptions of zero under the small key, compute
     * LWE noise, one fork of 8 n mask bytes and one sample each */
    size_t n = params->pbs.lwe_dimension;
    unsigned noise = params->pbs.lwe_noise_log2;
    for (uint32_t z = 0; rc == 0 && ssk->ms_zeros != NULL && z < params->sns.ms.zeros_count; z++) {
        struct enc_rng one;
        rc = enc_rng_fork(rng, &one, 1, (u128)n * 8, enc_rng_noise_bytes(1, noise));
        if (rc == 0)
            rc = lwe_encrypt(ssk->ms_zeros + z * lwe_size(n), ck->lwe_sk, n, 0, noise, &one);
    }
    if (rc < 0) {
        sns_server_key_free(ssk);
        return rc;
    }
    *out = ssk;
    return 0;
}

int sns_server_key_from_std(struct sns_server_key **out, const struct tfhe_params *params,
                            const u128 *std_bsk, const uint64_t *ms_zeros)
{
    struct sns_server_key *ssk;
    KMS_TRY(server_key_alloc(&ssk, params));
    if (ssk->ms_zeros != NULL && ms_zeros == NULL) {
        sns_server_key_free(ssk);
        return kms_err(KMS_EINVAL, "sns: the drift switch needs its encryptions of zero");
    }
    if (ssk->ms_zeros != NULL)
        memcpy(ssk->ms_zeros, ms_zeros,
               (size_t)params->sns.ms.zeros_count * lwe_size(params->pbs.lwe_dimension) * 8);
    struct bsk_shape shape = sns_bsk_shape(params);
    int rc = bsk128_ntt_from_std(&ssk->bsk, &shape, std_bsk);
    if (rc < 0) {
        sns_server_key_free(ssk);
        return rc;
    }
    *out = ssk;
    return 0;
}

/* ---- squashed ciphertexts ---- */

void sns_radix_free(struct sns_radix *ct)
{
    if (ct == NULL)
        return;
    free(ct->blocks);
    free(ct->data);
    free(ct->tag);
    free(ct);
}

int sns_radix_new(struct sns_radix **out, const struct tfhe_params *params, int32_t fhe_type)
{
    *out = NULL;
    KMS_TRY(check_params(params));
    const struct radix_type *t;
    KMS_TRY(radix_type_lookup(&t, fhe_type));
    struct sns_radix *ct = calloc(1, sizeof *ct);
    if (ct == NULL)
        return kms_err(KMS_ENOMEM, "sns: out of memory for a squashed ciphertext");
    size_t dim = (size_t)params->sns.glwe_dimension * params->sns.polynomial_size;
    ct->type = t;
    ct->original_block_count = t->blocks;
    ct->count = t->is_bool ? 1 : ((size_t)t->blocks + 1) / 2;
    ct->state = SNS_STATE_NORMAL;
    ct->blocks = calloc(ct->count, sizeof *ct->blocks);
    ct->data = calloc(ct->count * lwe128_size(dim), sizeof *ct->data);
    if (ct->blocks == NULL || ct->data == NULL) {
        sns_radix_free(ct);
        return kms_err(KMS_ENOMEM, "sns: out of memory for a squashed ciphertext");
    }
    for (size_t i = 0; i < ct->count; i++) {
        ct->blocks[i].data = ct->data + i * lwe128_size(dim);
        ct->blocks[i].dimension = dim;
        ct->blocks[i].message_modulus = params->sns.message_modulus;
        ct->blocks[i].carry_modulus = params->sns.carry_modulus;
    }
    *out = ct;
    return 0;
}

int sns_radix_set_tag(struct sns_radix *ct, const uint8_t *tag, size_t len)
{
    uint8_t *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        if (copy == NULL)
            return kms_err(KMS_ENOMEM, "sns: out of memory for a tag");
        memcpy(copy, tag, len);
    }
    free(ct->tag);
    ct->tag = copy;
    ct->tag_len = len;
    return 0;
}

/* ---- squashing ---- */

/* Squashed blocks bootstrapped together (pbs128_bootstrap_batch): a whole
 * FheUint64 (16 packed blocks) reads the 1.52 GiB key once. */
#define SNS_BATCH 16

struct sns_scratch {
    struct pbs128_scratch *pbs;
    const struct sns_server_key *ssk;
    uint64_t *small;  /* SNS_BATCH x (n + 1): keyswitched blocks */
    uint64_t *packed; /* big + 1: two blocks packed */
    u128 *lut;        /* N: the identity table times Delta128 */
};

void sns_scratch_free(struct sns_scratch *sc)
{
    if (sc == NULL)
        return;
    pbs128_scratch_free(sc->pbs);
    free(sc->small);
    free(sc->packed);
    free(sc->lut);
    free(sc);
}

int sns_scratch_new(struct sns_scratch **out, const struct sns_server_key *ssk)
{
    *out = NULL;
    const struct tfhe_params *params = ssk->params;
    struct sns_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "sns: out of memory for scratch");
    sc->ssk = ssk;
    int rc = pbs128_scratch_new_batch(&sc->pbs, &ssk->bsk, SNS_BATCH);
    size_t N = params->sns.polynomial_size;
    sc->small = malloc(SNS_BATCH * lwe_size(params->pbs.lwe_dimension) * sizeof *sc->small);
    sc->packed = malloc(lwe_size(tfhe_params_big_dimension(&params->pbs)) * sizeof *sc->packed);
    sc->lut = malloc(N * sizeof *sc->lut);
    if (rc == 0 && (sc->small == NULL || sc->packed == NULL || sc->lut == NULL))
        rc = kms_err(KMS_ENOMEM, "sns: out of memory for scratch");
    if (rc < 0) {
        sns_scratch_free(sc);
        return rc;
    }
    /* tfhe-rs: generate_programmable_bootstrap_glwe_lut(N, k + 1, p, 2^128,
     * Delta128, |x| x), p = message_modulus * carry_modulus */
    u128 table[SNS_MAX_CLEARTEXT];
    unsigned p = params->sns.message_modulus * params->sns.carry_modulus;
    for (unsigned i = 0; i < p; i++)
        table[i] = i;
    pbs128_lut(sc->lut, N, p, table,
               sns_delta(params->sns.message_modulus, params->sns.carry_modulus));
    *out = sc;
    return 0;
}

static int check_keys(const struct sns_server_key *ssk, const struct shortint_server_key *sk,
                      const struct sns_scratch *sc)
{
    if (ssk == NULL || sk == NULL || sc == NULL || sc->ssk != ssk)
        return kms_err(KMS_EINVAL, "sns: scratch made for another squashing key");
    if (sk->params != ssk->params)
        return kms_err(KMS_EINVAL, "sns: server key (\"%s\") and squashing key (\"%s\") of "
                                   "different parameter sets", sk->params->name,
                       ssk->params->name);
    return 0;
}

/* Keyswitches a 64-bit LWE under the big key into batch slot b. */
static const uint64_t *keyswitch_into(const struct shortint_server_key *sk,
                                      struct sns_scratch *sc, size_t b, const uint64_t *in)
{
    const struct tfhe_pbs_params *p = &sk->params->pbs;
    uint64_t *small = sc->small + b * lwe_size(p->lwe_dimension);
    lwe_keyswitch(small, sk->ksk, in, tfhe_params_big_dimension(p), p->lwe_dimension,
                  p->ks_base_log, p->ks_level);
    return small;
}

static int bootstrap(const struct sns_server_key *ssk, struct sns_scratch *sc, u128 *const *out,
                     const uint64_t *const *in, size_t count)
{
    return pbs128_bootstrap_batch(&ssk->bsk, out, in, count, sc->lut, &ssk->params->sns.ms,
                                  ssk->ms_zeros, sc->pbs);
}

static int check_output(const struct sns_server_key *ssk, const struct sns_ct *out)
{
    const struct tfhe_sns_params *s = &ssk->params->sns;
    if (out == NULL || out->data == NULL ||
        out->dimension != (size_t)s->glwe_dimension * s->polynomial_size)
        return kms_err(KMS_EINVAL, "sns: squashed output not allocated for this key");
    return 0;
}

/* checked_squash_ciphertext_noise: noise level and moduli */
static int check_squash_input(const struct sns_server_key *ssk, uint64_t noise_level,
                              uint32_t msg, uint32_t carry)
{
    const struct tfhe_params *params = ssk->params;
    if (noise_level > params->pbs.max_noise_level)
        return kms_err(KMS_ELIMIT, "sns: squashing needs a noise level of at most %u, got %llu",
                       params->pbs.max_noise_level, (unsigned long long)noise_level);
    if (msg != params->sns.message_modulus || carry != params->sns.carry_modulus)
        return kms_err(KMS_EINVAL, "sns: block moduli %u/%u differ from the squashing key's "
                                   "%u/%u", msg, carry, params->sns.message_modulus,
                       params->sns.carry_modulus);
    return 0;
}

int sns_squash_block(const struct sns_server_key *ssk, const struct shortint_server_key *sk,
                     struct sns_scratch *sc, struct sns_ct *out, const struct shortint_ct *in)
{
    KMS_TRY(check_keys(ssk, sk, sc));
    KMS_TRY(check_output(ssk, out));
    KMS_TRY(shortint_check_ct(sk->params, in));
    KMS_TRY(check_squash_input(ssk, in->noise_level, in->message_modulus, in->carry_modulus));
    const uint64_t *small = keyswitch_into(sk, sc, 0, in->data);
    KMS_TRY(bootstrap(ssk, sc, &out->data, &small, 1));
    out->degree = in->degree;
    out->message_modulus = ssk->params->sns.message_modulus;
    out->carry_modulus = ssk->params->sns.carry_modulus;
    return 0;
}

/* The degree and noise level of squashed LWE j: pack_block_chunk (high *
 * message_modulus + low) for a pair, with the checks of
 * can_pack_block_chunk when `checked` (FheUint), then those of
 * checked_squash_ciphertext_noise. */
static int plan_block(const struct sns_server_key *ssk, const struct radix_ct *in, size_t j,
                      int checked, uint64_t *degree)
{
    int pair = !in->type->is_bool && 2 * j + 1 < in->nblocks;
    const struct shortint_ct *low = &in->blocks[in->type->is_bool ? j : 2 * j];
    uint64_t noise = low->noise_level;
    uint32_t msg = low->message_modulus;
    *degree = low->degree;
    if (pair) {
        const struct shortint_ct *high = &in->blocks[2 * j + 1];
        if (checked) {
            if (low->carry_modulus < msg)
                return kms_err(KMS_EINVAL, "sns: cannot pack if carry modulus is smaller than "
                                           "message modulus");
            if (low->degree >= msg || high->degree >= msg)
                return kms_err(KMS_EINVAL,
                               "sns: cannot pack blocks %zu and %zu: need both carries to be "
                               "empty", 2 * j, 2 * j + 1);
        }
        unsigned __int128 n = (unsigned __int128)high->noise_level * msg + low->noise_level;
        noise = n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
        *degree = high->degree * msg + low->degree; /* wraps as tfhe-rs's u64 */
    }
    return check_squash_input(ssk, noise, low->message_modulus, low->carry_modulus);
}

/* The 64-bit LWE of squashed block j (a pair packed into sc->packed). */
static const uint64_t *block_input(struct sns_scratch *sc, const struct radix_ct *in, size_t j)
{
    if (in->type->is_bool || 2 * j + 1 >= in->nblocks)
        return in->blocks[in->type->is_bool ? j : 2 * j].data;
    const struct shortint_ct *low = &in->blocks[2 * j], *high = &in->blocks[2 * j + 1];
    size_t dim = low->dimension;
    memcpy(sc->packed, high->data, lwe_size(dim) * sizeof *sc->packed);
    lwe_mul_scalar(sc->packed, dim, low->message_modulus);
    lwe_add(sc->packed, low->data, dim);
    return sc->packed;
}

int sns_squash_radix(const struct sns_server_key *ssk, const struct shortint_server_key *sk,
                     struct sns_scratch *sc, struct sns_radix *out, const struct radix_ct *in)
{
    KMS_TRY(check_keys(ssk, sk, sc));
    if (in == NULL || out == NULL || in->type != out->type ||
        in->nblocks != out->original_block_count)
        return kms_err(KMS_EINVAL, "sns: squashed output made for another type");
    for (size_t i = 0; i < out->count; i++)
        KMS_TRY(check_output(ssk, &out->blocks[i]));
    for (size_t i = 0; i < in->nblocks; i++)
        KMS_TRY(shortint_check_ct(sk->params, &in->blocks[i]));
    /* every check before any output is written */
    int checked = !in->type->is_signed;
    for (size_t j = 0; j < out->count; j++)
        KMS_TRY(plan_block(ssk, in, j, checked, &out->blocks[j].degree));
    for (size_t j0 = 0; j0 < out->count; j0 += SNS_BATCH) {
        size_t count = out->count - j0 < SNS_BATCH ? out->count - j0 : SNS_BATCH;
        const uint64_t *inputs[SNS_BATCH];
        u128 *outputs[SNS_BATCH];
        for (size_t b = 0; b < count; b++) {
            inputs[b] = keyswitch_into(sk, sc, b, block_input(sc, in, j0 + b));
            outputs[b] = out->blocks[j0 + b].data;
        }
        KMS_TRY(bootstrap(ssk, sc, outputs, inputs, count));
    }
    out->state = SNS_STATE_NORMAL;
    return 0;
}

/* ---- decryption ---- */

static int check_ct(const struct sns_private_key *pk, const struct sns_ct *ct)
{
    const struct tfhe_sns_params *s = &pk->params->sns;
    if (ct == NULL || ct->data == NULL)
        return kms_err(KMS_EINVAL, "sns: squashed ciphertext not initialized");
    if (ct->dimension != (size_t)s->glwe_dimension * s->polynomial_size ||
        ct->message_modulus != s->message_modulus || ct->carry_modulus != s->carry_modulus)
        return kms_err(KMS_EINVAL, "sns: squashed ciphertext (dimension %zu, moduli %u/%u) does "
                                   "not match the key (dimension %u, moduli %u/%u)",
                       ct->dimension, ct->message_modulus, ct->carry_modulus,
                       s->glwe_dimension * s->polynomial_size, s->message_modulus,
                       s->carry_modulus);
    return 0;
}

int sns_phase(const struct sns_private_key *pk, u128 *out, const struct sns_ct *ct)
{
    *out = 0;
    KMS_TRY(check_ct(pk, ct));
    *out = lwe128_phase(ct->data, pk->glwe_sk, ct->dimension);
    return 0;
}

u128 sns_decode(u128 phase, uint32_t message_modulus, uint32_t carry_modulus)
{
    /* divide_round, then mod 2p (the padding bit is part of the result) */
    u128 delta = sns_delta(message_modulus, carry_modulus);
    u128 q = phase / delta, r = phase % delta;
    q += r >= (delta >> 1);
    return q % (2 * (u128)message_modulus * carry_modulus);
}

int sns_decrypt_block(const struct sns_private_key *pk, uint64_t *out, const struct sns_ct *ct)
{
    u128 phase;
    *out = 0;
    KMS_TRY(sns_phase(pk, &phase, ct));
    *out = (uint64_t)sns_decode(phase, ct->message_modulus, ct->carry_modulus);
    secmem_wipe(&phase, sizeof phase);
    return 0;
}

/* acc (64-bit words) += v << bit, carries dropped past the last word */
static void add_at(uint64_t *acc, size_t nwords, size_t bit, uint64_t v)
{
    size_t w = bit / 64;
    unsigned s = bit % 64;
    if (w >= nwords)
        return;
    uint64_t lo = v << s, hi = s ? v >> (64 - s) : 0, old = acc[w];
    acc[w] += lo;
    uint64_t carry = hi + (acc[w] < old);
    for (w++; carry != 0 && w < nwords; w++) {
        old = acc[w];
        acc[w] += carry;
        carry = acc[w] < old;
    }
}

int sns_decrypt_radix(const struct sns_private_key *pk, uint8_t *out, size_t out_len,
                      const struct sns_radix *ct)
{
    if (out_len > 0)
        memset(out, 0, out_len);
    if (ct == NULL || ct->type == NULL)
        return kms_err(KMS_EINVAL, "sns: squashed ciphertext not initialized");
    const struct radix_type *t = ct->type;
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "sns: a %s decrypts to %zu bytes, got a %zu-byte buffer",
                       t->name, radix_type_bytes(t), out_len);
    size_t want = t->is_bool ? 1 : ((size_t)t->blocks + 1) / 2;
    if (ct->count != want || ct->original_block_count != (t->is_bool ? 1 : t->blocks))
        return kms_err(KMS_EINVAL, "sns: a squashed %s has %zu LWEs, got %zu", t->name, want,
                       ct->count);
    for (size_t j = 0; j < ct->count; j++)
        KMS_TRY(check_ct(pk, &ct->blocks[j]));
    if (t->is_bool) {
        uint64_t v;
        KMS_TRY(sns_decrypt_block(pk, &v, &ct->blocks[0]));
        out[0] = v != 0;
        return 0;
    }
    /* BlockRecomposer: each packed block adds its full decoded value
     * (4 bits plus the padding bit) at bit 4 j */
    uint32_t msg = ct->blocks[0].message_modulus;
    unsigned bits_per_packed = 0;
    while ((1u << bits_per_packed) < msg * msg)
        bits_per_packed++;
    uint64_t acc[RADIX_MAX_BITS / 64] = {0};
    size_t nwords = ((size_t)t->bits + 63) / 64;
    for (size_t j = 0; j < ct->count; j++) {
        uint64_t v = 0;
        int rc = sns_decrypt_block(pk, &v, &ct->blocks[j]);
        if (rc < 0) {
            secmem_wipe(acc, sizeof acc);
            return rc;
        }
        add_at(acc, nwords, j * bits_per_packed, v);
    }
    for (size_t i = 0; i < out_len; i++)
        out[i] = (uint8_t)(acc[i / 8] >> (8 * (i % 8)));
    /* truncate to 2 * original_block_count bits, sign-extend FheInt */
    unsigned used = t->bits % 8;
    if (used != 0) {
        uint8_t low = (uint8_t)((1u << used) - 1), top = out[out_len - 1] & low;
        if (t->is_signed && (top >> (used - 1)) & 1)
            top |= (uint8_t)~low;
        out[out_len - 1] = top;
    }
    secmem_wipe(acc, sizeof acc);
    return 0;
}

/* CompressedXofKeySet generation, in the order of tfhe-rs 1.7
 * xof_key_set/mod.rs (generate_with_separators, generate_with_pre_seeded_
 * generator) and xof_key_set/internal.rs; see keyset.h. */
#include "tfhe/keyset.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/secmem.h"
#include "tfhe/bsk128.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe128.h"
#include "tfhe/keyset_impl.h"
#include "tfhe/lwe.h"
#include "tfhe/packing_ks.h"
#include "tfhe/sampler.h"

const uint8_t keyset_private_dsep[8] = {'T', 'F', 'H', 'E', 'K', 'G', 'e', 'n'};
const uint8_t keyset_public_dsep[8] = {'T', 'F', 'H', 'E', '_', 'G', 'E', 'N'};

static const char *const comp_names[KEYSET_COMP_COUNT] = {
    "compact public key",   "compression key",        "decompression key",
    "compute KSK",          "compute BSK",            "compute modulus-switch key",
    "SnS BSK",              "SnS modulus-switch key", "casting KSK",
    "re-randomization CPK", "SnS compression key",    "OPRF BSK",
};

const char *keyset_comp_name(enum keyset_comp c)
{
    return (unsigned)c < KEYSET_COMP_COUNT ? comp_names[c] : "unknown component";
}

struct bsk_shape keyset_compute_bsk_shape(const struct tfhe_params *p)
{
    struct bsk_shape s = {
        .lwe_dimension = p->pbs.lwe_dimension,
        .glwe_dimension = p->pbs.glwe_dimension,
        .polynomial_size = p->pbs.polynomial_size,
        .base_log = p->pbs.pbs_base_log,
        .level = p->pbs.pbs_level,
    };
    return s;
}

int keyset_cancel_check(const struct keyset_cancel *c, const char *what)
{
    if (c == NULL || c->should_stop == NULL || c->should_stop(c->ctx) == 0)
        return 0;
    return kms_err(KMS_EABORTED, "%s cancelled", what);
}

/* ---- layouts ---- */

static void set_layout(struct keyset_layout *l, unsigned word_bytes, size_t count,
                       size_t mask_words, size_t body_words, size_t chunk_cts,
                       unsigned noise_log2)
{
    l->present = 1;
    l->word_bytes = word_bytes;
    l->count = count;
    l->mask_words = mask_words;
    l->body_words = body_words;
    l->chunk_cts = chunk_cts;
    l->noise_log2 = noise_log2;
}

/* GGSW lists: level (k + 1) GLWE rows per input bit. */
static void bsk_layout(struct keyset_layout *l, unsigned word_bytes, const struct bsk_shape *s,
                       unsigned noise_log2)
{
    size_t rows = (size_t)s->level * (s->glwe_dimension + 1), N = s->polynomial_size;
    set_layout(l, word_bytes, s->lwe_dimension * rows, (size_t)s->glwe_dimension * N, N, rows,
               noise_log2);
}

static void packing_layout(struct keyset_layout *l, unsigned word_bytes,
                           const struct packing_ksk_shape *s, unsigned noise_log2)
{
    size_t N = s->polynomial_size;
    set_layout(l, word_bytes, s->input_dimension * s->level, (size_t)s->glwe_dimension * N, N,
               s->level, noise_log2);
}

static int check_set(const struct tfhe_params *p)
{
    if (p == NULL)
        return kms_err(KMS_EINVAL, "keyset: no parameter set");
    if (!p->has_cpk || !p->has_compression || !p->has_sns || !p->has_sns_compression)
        return kms_err(KMS_EINVAL,
                       "keyset: parameter set \"%s\" lacks a dedicated compact public key, "
                       "compression or noise squashing; an XOF keyset needs them all",
                       p->name);
    const struct tfhe_pbs_params *q = &p->pbs;
    if (q->lwe_dimension == 0 || q->glwe_dimension == 0 || q->polynomial_size == 0 ||
        p->cpk.lwe_dimension == 0 || q->ks_level == 0 || p->casting.ks_level == 0 ||
        q->pbs_level == 0 || p->sns.level == 0)
        return kms_err(KMS_EINVAL, "keyset: parameter set \"%s\" has an empty dimension",
                       p->name);
    return 0;
}

int keyset_layout_get(struct keyset_layout *l, const struct tfhe_params *p, enum keyset_comp c)
{
    memset(l, 0, sizeof *l);
    KMS_TRY(check_set(p));
    const struct tfhe_pbs_params *q = &p->pbs;
    size_t n = q->lwe_dimension, big = tfhe_params_big_dimension(q), n_pk = p->cpk.lwe_dimension;
    struct bsk_shape bs;
    struct packing_ksk_shape ps;
    switch (c) {
    case KEYSET_CPK:
        set_layout(l, 8, 1, n_pk, n_pk, 1, p->cpk.noise_log2);
        return 0;
    case KEYSET_COMPRESSION:
        KMS_TRY(compression_packing_shape(p, &ps));
        packing_layout(l, 8, &ps, p->compression.packing_ks_noise_log2);
        return 0;
    case KEYSET_DECOMPRESSION:
        KMS_TRY(compression_decompression_shape(p, &bs));
        bsk_layout(l, 8, &bs, q->glwe_noise_log2);
        return 0;
    case KEYSET_COMPUTE_KSK:
        set_layout(l, 8, big * q->ks_level, n, 1, q->ks_level, q->lwe_noise_log2);
        return 0;
    case KEYSET_COMPUTE_BSK:
    case KEYSET_OPRF_BSK:
        bs = keyset_compute_bsk_shape(p);
        bsk_layout(l, 8, &bs, q->glwe_noise_log2);
        return 0;
    case KEYSET_COMPUTE_MS:
        if (q->ms.kind == TFHE_MS_DRIFT)
            set_layout(l, 8, q->ms.zeros_count, n, 1, 1, q->lwe_noise_log2);
        return 0;
    case KEYSET_SNS_BSK:
        bs = sns_bsk_shape(p);
        bsk_layout(l, 16, &bs, p->sns.glwe_noise_log2);
        return 0;
    case KEYSET_SNS_MS: /* compute small key, compute LWE noise, 64-bit */
        if (p->sns.ms.kind == TFHE_MS_DRIFT)
            set_layout(l, 8, p->sns.ms.zeros_count, n, 1, 1, q->lwe_noise_log2);
        return 0;
    case KEYSET_CASTING_KSK:
        set_layout(l, 8, n_pk * p->casting.ks_level, n, 1, p->casting.ks_level,
                   p->casting.noise_log2);
        return 0;
    case KEYSET_RERAND_CPK:
        set_layout(l, 8, 1, big, big, 1, q->glwe_noise_log2);
        return 0;
    case KEYSET_SNS_COMPRESSION:
        KMS_TRY(snscomp_packing_shape(p, &ps));
        packing_layout(l, 16, &ps, p->sns_compression.packing_ks_noise_log2);
        return 0;
    default:
        return kms_err(KMS_EINVAL, "keyset: unknown component %d", (int)c);
    }
}

/* ---- the public part ---- */

void keyset_public_clear(struct keyset_public *pub)
{
    if (pub == NULL)
        return;
    for (int c = 0; c < KEYSET_COMP_COUNT; c++)
        free(pub->comp[c].bodies);
    free(pub->tag);
    memset(pub, 0, sizeof *pub);
}

int keyset_public_init(struct keyset_public *pub, const struct tfhe_params *params,
                       const uint8_t *seed, size_t seed_len, const uint8_t *tag, size_t tag_len)
{
    memset(pub, 0, sizeof *pub);
    KMS_TRY(check_set(params));
    if (seed == NULL || seed_len == 0 || seed_len > KEYSET_SEED_MAX)
        return kms_err(KMS_EINVAL, "keyset: public seed of %zu bytes (1 to %d)", seed_len,
                       KEYSET_SEED_MAX);
    if (tag == NULL && tag_len > 0)
        return kms_err(KMS_EINVAL, "keyset: no tag bytes");
    pub->params = params;
    memcpy(pub->seed, seed, seed_len);
    pub->seed_len = seed_len;
    int rc = 0;
    if (tag_len > 0) {
        pub->tag = malloc(tag_len);
        if (pub->tag == NULL)
            rc = kms_err(KMS_ENOMEM, "keyset: out of memory for the tag");
        else
            memcpy(pub->tag, tag, tag_len);
        pub->tag_len = tag_len;
    }
    u128 at = 0;
    for (int c = 0; rc == 0 && c < KEYSET_COMP_COUNT; c++) {
        struct keyset_component *k = &pub->comp[c];
        rc = keyset_layout_get(&k->layout, params, (enum keyset_comp)c);
        k->first_byte = at;
        at += keyset_layout_mask_bytes(&k->layout);
        size_t words = keyset_layout_body_words(&k->layout);
        if (rc == 0 && words > 0) {
            k->bodies = calloc(words, k->layout.word_bytes);
            if (k->bodies == NULL)
                rc = kms_err(KMS_ENOMEM, "keyset: out of memory for the %s",
                             keyset_comp_name((enum keyset_comp)c));
        }
    }
    if (rc < 0)
        keyset_public_clear(pub);
    return rc;
}

/* ---- secret keys ---- */

/* tfhe-rs SecretRandomGenerator::fill_slice_with_bounded_random_uniform_
 * binary_bits: ceil(n / 8) bytes, bit t of byte i is coefficient 8 i + t;
 * redrawn until the weight lies in NormalizedHammingWeightBound::range
 * (f64 products truncated, as Rust's `as u128`). raw: ceil(n/8) bytes. */
static int bounded_bits(struct csprng *g, uint8_t *bits, size_t n, double pmax, uint8_t *raw)
{
    uint64_t lo = (uint64_t)((1.0 - pmax) * (double)n), hi = (uint64_t)(pmax * (double)n);
    for (;;) {
        KMS_TRY(csprng_fill(g, raw, (n + 7) / 8));
        uint64_t weight = 0;
        for (size_t i = 0; i < n; i++) {
            bits[i] = (raw[i / 8] >> (i % 8)) & 1;
            weight += bits[i];
        }
        int ok = weight >= lo && weight <= hi;
        secmem_wipe(&weight, sizeof weight);
        if (ok)
            return 0;
    }
}

/* One key of `slices` slices of `len` coefficients each (an LWE key is one
 * slice, a GLWE key one slice per polynomial), widened to 8- or 16-byte
 * words at out. tmp: len + ceil(len / 8) bytes of secmem. */
static int draw_key(struct csprng *g, void *out, unsigned word_bytes, size_t slices, size_t len,
                    double pmax, uint8_t *tmp)
{
    uint8_t *bits = tmp, *raw = tmp + len;
    for (size_t s = 0; s < slices; s++) {
        KMS_TRY(bounded_bits(g, bits, len, pmax, raw));
        for (size_t i = 0; i < len; i++) {
            if (word_bytes == 8)
                ((uint64_t *)out)[s * len + i] = bits[i];
            else
                ((u128 *)out)[s * len + i] = bits[i];
        }
    }
    return 0;
}

static void secrets_free(struct keyset_secrets *sk)
{
    secmem_free(sk->cpk);
    secmem_free(sk->lwe);
    secmem_free(sk->glwe);
    secmem_free(sk->compression);
    secmem_free(sk->sns);
    secmem_free(sk->sns_compression);
    secmem_free(sk->oprf);
    memset(sk, 0, sizeof *sk);
}

/* The keys in ClientKey::generate_with_pre_seeded_generator order. */
static int secrets_generate(struct keyset_secrets *sk, const struct tfhe_params *p,
                            struct csprng *g, double pmax)
{
    const struct tfhe_pbs_params *q = &p->pbs;
    const struct tfhe_compression_params *cp = &p->compression;
    const struct tfhe_sns_compression_params *sc = &p->sns_compression;
    struct {
        void **key;
        size_t *len;
        unsigned word_bytes;
        size_t slices, slice_len;
    } order[] = {
        {(void **)&sk->cpk, &sk->cpk_len, 8, 1, p->cpk.lwe_dimension},
        {(void **)&sk->lwe, &sk->lwe_len, 8, 1, q->lwe_dimension},
        {(void **)&sk->glwe, &sk->glwe_len, 8, q->glwe_dimension, q->polynomial_size},
        {(void **)&sk->compression, &sk->compression_len, 8, cp->packing_ks_glwe_dimension,
         cp->packing_ks_polynomial_size},
        {(void **)&sk->sns, &sk->sns_len, 16, p->sns.glwe_dimension, p->sns.polynomial_size},
        {(void **)&sk->sns_compression, &sk->sns_compression_len, 16,
         sc->packing_ks_glwe_dimension, sc->packing_ks_polynomial_size},
        {(void **)&sk->oprf, &sk->oprf_len, 8, 1, q->lwe_dimension},
    };
    size_t most = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        most = order[i].slice_len > most ? order[i].slice_len : most;
    uint8_t *tmp = secmem_alloc(most + (most + 7) / 8);
    int rc = tmp == NULL ? kms_err(KMS_ENOMEM, "keyset: out of memory for secret keys") : 0;
    for (size_t i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++) {
        size_t len = order[i].slices * order[i].slice_len;
        *order[i].key = secmem_alloc(len * order[i].word_bytes);
        *order[i].len = len;
        if (*order[i].key == NULL)
            rc = kms_err(KMS_ENOMEM, "keyset: out of memory for secret keys");
        else
            rc = draw_key(g, *order[i].key, order[i].word_bytes, order[i].slices,
                          order[i].slice_len, pmax, tmp);
    }
    secmem_free(tmp);
    return rc;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- components ---- */

struct gen {
    const struct keyset_cancel *cancel;
    const struct tfhe_params *p;
    const struct keyset_secrets *sk;
    struct glwe128_key *sns_key, *snscomp_key;
};

/* [A | B], B = semi_rev_conv(A, s) + e: 8 n mask bytes, n noise samples
 * (generate_seeded_lwe_compact_public_key_with_pre_seeded_generator). */
static int cpk_generate(uint64_t *pk, const uint64_t *sk, size_t n, unsigned noise_log2,
                        struct enc_rng *rng)
{
    KMS_TRY(sample_uniform_u64(&rng->mask, pk, n));
    KMS_TRY(cpk_semi_rev_conv(pk + n, pk, sk, n));
    return sample_add_tuniform_u64(&rng->noise, noise_log2, pk + n, n);
}

/* Encryptions of zero (drift keys): one LWE per chunk. */
static int zero_generate(uint64_t *ct, const uint64_t *sk, size_t n, unsigned noise_log2,
                         struct enc_rng *rng)
{
    return lwe_encrypt(ct, sk, n, 0, noise_log2, rng);
}

/* The level GLWEs of input coefficient bit `in` of a 128-bit packing key,
 * encrypted with the NTT-backed key: the same bytes in the same order as
 * packing_ksk_generate_u128 (mask 16 k N bytes then N noise samples per
 * GLWE), much faster for the default set's k = 6, N = 1024. */
static int pksk128_row(u128 *out, const struct packing_ksk_shape *s, u128 in,
                       struct glwe128_key *key, unsigned noise_log2, struct enc_rng *rng)
{
    size_t N = s->polynomial_size, gs = packing_glwe_size(s);
    for (unsigned t = 0; t < s->level; t++) {
        unsigned j = s->level - t; /* finest level first */
        u128 *ct = out + t * gs, *body = ct + (size_t)s->glwe_dimension * N;
        memset(body, 0, N * sizeof *body);
        body[0] = (in & 1) << (128 - s->base_log * j);
        KMS_TRY(glwe128_encrypt_assign(ct, key, noise_log2, rng));
    }
    return 0;
}

/* Chunk i of component c (layout chunk_cts ciphertexts) into out. */
static int gen_chunk(struct gen *g, enum keyset_comp c, const struct keyset_layout *l, size_t i,
                     void *out, struct enc_rng *rng)
{
    const struct tfhe_params *p = g->p;
    const struct tfhe_pbs_params *q = &p->pbs;
    const struct keyset_secrets *sk = g->sk;
    size_t n = q->lwe_dimension;
    struct bsk_shape bs;
    struct packing_ksk_shape ps;
    switch (c) {
    case KEYSET_CPK:
        return cpk_generate(out, sk->cpk, sk->cpk_len, l->noise_log2, rng);
    case KEYSET_COMPRESSION: /* compute big key -> compression key */
        KMS_TRY(compression_packing_shape(p, &ps));
        ps.input_dimension = 1;
        return packing_ksk_generate(out, &ps, sk->glwe + i, sk->compression, l->noise_log2, rng);
    case KEYSET_DECOMPRESSION: /* compression key as LWE -> compute GLWE key */
        KMS_TRY(compression_decompression_shape(p, &bs));
        bs.lwe_dimension = 1;
        return bsk_generate(out, &bs, sk->compression + i, sk->glwe, l->noise_log2, rng);
    case KEYSET_COMPUTE_KSK:
        return lwe_ksk_generate(out, sk->glwe + i, 1, sk->lwe, n, q->ks_base_log, q->ks_level,
                                l->noise_log2, rng);
    case KEYSET_COMPUTE_BSK:
    case KEYSET_OPRF_BSK:
        bs = keyset_compute_bsk_shape(p);
        bs.lwe_dimension = 1;
        return bsk_generate(out, &bs, (c == KEYSET_OPRF_BSK ? sk->oprf : sk->lwe) + i, sk->glwe,
                            l->noise_log2, rng);
    case KEYSET_COMPUTE_MS:
    case KEYSET_SNS_MS:
        return zero_generate(out, sk->lwe, n, l->noise_log2, rng);
    case KEYSET_SNS_BSK:
        bs = sns_bsk_shape(p);
        bs.lwe_dimension = 1;
        return bsk128_generate(out, &bs, sk->lwe + i, g->sns_key, l->noise_log2, rng);
    case KEYSET_CASTING_KSK: /* destination Small, the only kind the sets use */
        return lwe_ksk_generate(out, sk->cpk + i, 1, sk->lwe, n, p->casting.ks_base_log,
                                p->casting.ks_level, l->noise_log2, rng);
    case KEYSET_RERAND_CPK: /* derived_compact_private_key: the big key, GLWE noise */
        return cpk_generate(out, sk->glwe, sk->glwe_len, l->noise_log2, rng);
    case KEYSET_SNS_COMPRESSION:
        KMS_TRY(snscomp_packing_shape(p, &ps));
        return pksk128_row(out, &ps, sk->sns[i], g->snscomp_key, l->noise_log2, rng);
    default:
        return kms_err(KMS_EINTERNAL, "keyset: unknown component %d", (int)c);
    }
}

/* Generates component c chunk by chunk into its bodies (and std), then
 * checks that exactly its mask and noise bytes were read. */
static int gen_component(struct gen *g, struct keyset *ks, enum keyset_comp c,
                         struct enc_rng *rng)
{
    struct keyset_component *k = &ks->pub.comp[c];
    const struct keyset_layout *l = &k->layout;
    ks->noise_first[c] = rng->noise.pos;
    if (!l->present)
        return 0;
    if (k->first_byte != rng->mask.pos)
        return kms_err(KMS_EINTERNAL, "keyset: %s starts at mask byte %llu, expected %llu",
                       keyset_comp_name(c), (unsigned long long)rng->mask.pos,
                       (unsigned long long)k->first_byte);
    size_t ct_words = keyset_layout_ct_words(l), chunk_words = l->chunk_cts * ct_words;
    void *buf = ks->std[c] == NULL ? malloc(chunk_words * l->word_bytes) : NULL;
    if (ks->std[c] == NULL && buf == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory generating the %s", keyset_comp_name(c));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->count / l->chunk_cts; i++) {
        void *out = ks->std[c] != NULL ? keyset_word_ptr(ks->std[c], l, i * chunk_words) : buf;
        rc = keyset_cancel_check(g->cancel, "keyset: generation");
        if (rc == 0)
            rc = gen_chunk(g, c, l, i, out, rng);
        for (size_t t = 0; rc == 0 && t < l->chunk_cts; t++)
            memcpy(keyset_word_ptr(k->bodies, l, (i * l->chunk_cts + t) * l->body_words),
                   keyset_word_ptr(out, l, t * ct_words + l->mask_words),
                   l->body_words * l->word_bytes);
    }
    free(buf);
    KMS_TRY(rc);
    u128 noise = (u128)l->count * l->body_words * sample_tuniform_bytes(l->noise_log2);
    if (rng->mask.pos != k->first_byte + keyset_layout_mask_bytes(l) ||
        rng->noise.pos != ks->noise_first[c] + noise)
        return kms_err(KMS_EINTERNAL, "keyset: the %s read an unexpected number of bytes",
                       keyset_comp_name(c));
    return 0;
}

static int gen_all(struct keyset *ks, struct enc_rng *rng, const struct keyset_cancel *cancel)
{
    const struct tfhe_params *p = ks->pub.params;
    struct gen g = {.cancel = cancel, .p = p, .sk = &ks->sk};
    int rc = glwe128_key_new(&g.sns_key, ks->sk.sns, p->sns.glwe_dimension,
                             p->sns.polynomial_size);
    if (rc == 0)
        rc = glwe128_key_new(&g.snscomp_key, ks->sk.sns_compression,
                             p->sns_compression.packing_ks_glwe_dimension,
                             p->sns_compression.packing_ks_polynomial_size);
    for (int c = 0; rc == 0 && c < KEYSET_COMP_COUNT; c++) {
        uint64_t t0 = now_ns();
        rc = gen_component(&g, ks, (enum keyset_comp)c, rng);
        ks->gen_ns[c] = now_ns() - t0;
    }
    ks->noise_end = rng->noise.pos;
    glwe128_key_free(g.sns_key);
    glwe128_key_free(g.snscomp_key);
    return rc;
}

static int alloc_std(struct keyset *ks)
{
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        ks->std[c] = malloc(keyset_layout_words(l) * l->word_bytes);
        if (ks->std[c] == NULL)
            return kms_err(KMS_ENOMEM, "keyset: out of memory for the standard-domain %s",
                           keyset_comp_name((enum keyset_comp)c));
    }
    return 0;
}

void keyset_drop_std(struct keyset *ks)
{
    for (int c = 0; ks != NULL && c < KEYSET_COMP_COUNT; c++) {
        free(ks->std[c]);
        ks->std[c] = NULL;
    }
}

void keyset_free(struct keyset *ks)
{
    if (ks == NULL)
        return;
    keyset_public_clear(&ks->pub);
    secrets_free(&ks->sk);
    keyset_drop_std(ks);
    free(ks);
}

static int check_args(const struct tfhe_params *params, const uint8_t *seed, size_t seed_len,
                      unsigned security_bits, double max_norm_hwt, unsigned flags)
{
    KMS_TRY(check_set(params));
    if (seed == NULL && seed_len > 0)
        return kms_err(KMS_EINVAL, "keyset: no seed bytes");
    if (security_bits == 0 || security_bits > 8 * KEYSET_SEED_MAX)
        return kms_err(KMS_EINVAL, "keyset: security_bits %u outside [1, %d]", security_bits,
                       8 * KEYSET_SEED_MAX);
    if (!(max_norm_hwt > 0.5 && max_norm_hwt <= 1.0))
        return kms_err(KMS_EINVAL, "keyset: Hamming-weight bound %g outside ]0.5, 1.0]",
                       max_norm_hwt);
    if ((flags & ~KEYSET_KEEP_STD) != 0)
        return kms_err(KMS_EINVAL, "keyset: unknown flags 0x%x", flags);
    return 0;
}

int keyset_generate(struct keyset **out, const struct tfhe_params *params, const uint8_t *seed,
                    size_t seed_len, const uint8_t *tag, size_t tag_len, unsigned security_bits,
                    double max_norm_hwt, unsigned flags)
{
    return keyset_generate_cancellable(out, params, seed, seed_len, tag, tag_len, security_bits,
                                       max_norm_hwt, flags, NULL);
}

int keyset_generate_cancellable(struct keyset **out, const struct tfhe_params *params,
                                const uint8_t *seed, size_t seed_len, const uint8_t *tag,
                                size_t tag_len, unsigned security_bits, double max_norm_hwt,
                                unsigned flags, const struct keyset_cancel *cancel)
{
    *out = NULL;
    KMS_TRY(check_args(params, seed, seed_len, security_bits, max_norm_hwt, flags));
    struct keyset *ks = calloc(1, sizeof *ks);
    if (ks == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory");
    struct enc_rng rng;
    memset(&rng, 0, sizeof rng);
    uint8_t pub_seed[KEYSET_SEED_MAX];
    size_t pub_len = (security_bits + 7) / 8;
    /* private generator; the public seed is its first bytes (uniform u8) */
    int rc = csprng_init_xof(&rng.noise, keyset_private_dsep, seed, seed_len);
    if (rc == 0)
        rc = csprng_fill(&rng.noise, pub_seed, pub_len);
    if (rc == 0)
        rc = keyset_public_init(&ks->pub, params, pub_seed, pub_len, tag, tag_len);
    ks->secret_first = rng.noise.pos;
    uint64_t t0 = now_ns();
    if (rc == 0)
        rc = keyset_cancel_check(cancel, "keyset: generation");
    if (rc == 0)
        rc = secrets_generate(&ks->sk, params, &rng.noise, max_norm_hwt);
    ks->secrets_ns = now_ns() - t0;
    /* masks: the public XOF from its first byte; noise: the private stream */
    if (rc == 0)
        rc = csprng_init_xof(&rng.mask, keyset_public_dsep, pub_seed, pub_len);
    if (rc == 0 && (flags & KEYSET_KEEP_STD))
        rc = alloc_std(ks);
    if (rc == 0)
        rc = gen_all(ks, &rng, cancel);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    if (rc < 0) {
        keyset_free(ks);
        return rc;
    }
    *out = ks;
    return 0;
}

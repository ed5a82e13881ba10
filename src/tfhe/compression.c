/* Keys, compression, decompression by PBS and direct decryption of 64-bit
 * compressed lists (see compression.h; list handling is in
 * compression_list.c). */
#include "tfhe/compression.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs.h"

/* Largest k N of a compression GLWE the direct path handles (stack buffer). */
#define DIRECT_MAX_MASK 4096
/* Largest L of the direct path (16-bit lanes). */
#define DIRECT_MAX_LOG 16

static unsigned log2_exact(uint64_t x)
{
    unsigned r = 0;
    while ((1ull << r) < x)
        r++;
    return r;
}

/* ---- masked 16-bit sums, one variant per instruction set (as shortint's
 * phase): sum a[i] & m[i] mod 2^16 ---- */

typedef uint16_t msum_v8 __attribute__((vector_size(16)));
typedef uint16_t msum_v16 __attribute__((vector_size(32)));
typedef uint16_t msum_v32 __attribute__((vector_size(64)));

#define DEFINE_MSUM(name, attr, VT, W)                                                       \
    attr static uint16_t name(const uint16_t *a, const uint16_t *m, size_t n)                \
    {                                                                                        \
        VT s0 = {0}, s1 = {0};                                                               \
        size_t i = 0;                                                                        \
        for (; i + 2 * (W) <= n; i += 2 * (W)) {                                             \
            VT x0, x1, k0, k1;                                                               \
            memcpy(&x0, a + i, sizeof x0);                                                   \
            memcpy(&x1, a + i + (W), sizeof x1);                                             \
            memcpy(&k0, m + i, sizeof k0);                                                   \
            memcpy(&k1, m + i + (W), sizeof k1);                                             \
            s0 += x0 & k0;                                                                   \
            s1 += x1 & k1;                                                                   \
        }                                                                                    \
        s0 += s1;                                                                            \
        uint16_t acc = 0;                                                                    \
        for (unsigned j = 0; j < (W); j++)                                                   \
            acc = (uint16_t)(acc + s0[j]);                                                   \
        for (; i < n; i++)                                                                   \
            acc = (uint16_t)(acc + (a[i] & m[i]));                                           \
        return acc;                                                                          \
    }

DEFINE_MSUM(msum_base, , msum_v8, 8)
#if defined(__x86_64__)
DEFINE_MSUM(msum_avx2, __attribute__((target("avx2"))), msum_v16, 16)
DEFINE_MSUM(msum_avx512, __attribute__((target("avx512bw"))), msum_v32, 32)
#endif

typedef uint16_t (*msum_fn)(const uint16_t *, const uint16_t *, size_t);

static msum_fn pick_msum(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw"))
        return msum_avx512;
    if (__builtin_cpu_supports("avx2"))
        return msum_avx2;
#endif
    return msum_base;
}

/* ---- shapes and keys ---- */

int compression_packing_shape(const struct tfhe_params *p, struct packing_ksk_shape *s)
{
    memset(s, 0, sizeof *s);
    if (!p->has_compression)
        return kms_err(KMS_EINVAL, "compression: parameter set %s has none", p->name);
    const struct tfhe_compression_params *c = &p->compression;
    s->input_dimension = tfhe_params_big_dimension(&p->pbs);
    s->glwe_dimension = c->packing_ks_glwe_dimension;
    s->polynomial_size = c->packing_ks_polynomial_size;
    s->base_log = c->packing_ks_base_log;
    s->level = c->packing_ks_level;
    KMS_TRY(packing_ksk_check_shape(s, 64));
    /* tfhe-rs asserts both: blocks fit the GLWE, values fit the BR input */
    if (c->lwe_per_glwe == 0 || c->lwe_per_glwe > c->packing_ks_polynomial_size ||
        c->storage_log_modulus == 0 ||
        c->storage_log_modulus > log2_exact(2ull * p->pbs.polynomial_size))
        return kms_err(KMS_EINVAL, "compression: bad lwe_per_glwe / storage modulus in %s",
                       p->name);
    return 0;
}

int compression_decompression_shape(const struct tfhe_params *p, struct bsk_shape *s)
{
    struct packing_ksk_shape ps;
    memset(s, 0, sizeof *s);
    KMS_TRY(compression_packing_shape(p, &ps));
    s->lwe_dimension = (size_t)ps.glwe_dimension * ps.polynomial_size;
    s->glwe_dimension = p->pbs.glwe_dimension;
    s->polynomial_size = p->pbs.polynomial_size;
    s->base_log = p->compression.br_base_log;
    s->level = p->compression.br_level;
    if (s->base_log == 0 || s->level == 0 || s->base_log * s->level >= 64)
        return kms_err(KMS_EINVAL, "compression: bad decompression decomposition in %s", p->name);
    return 0;
}

static int private_key_alloc(struct compression_private_key **out, const struct tfhe_params *p)
{
    struct packing_ksk_shape s;
    *out = NULL;
    KMS_TRY(compression_packing_shape(p, &s));
    size_t kn = (size_t)s.glwe_dimension * s.polynomial_size;
    struct compression_private_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    k->params = p;
    k->glwe_sk = secmem_alloc(kn * sizeof *k->glwe_sk);
    k->window = secmem_alloc(2 * kn * sizeof *k->window);
    k->msum = pick_msum();
    if (k->glwe_sk == NULL || k->window == NULL) {
        compression_private_key_free(k);
        return kms_err(KMS_ENOMEM, "compression: out of memory for a private key");
    }
    *out = k;
    return 0;
}

/* window[i][y] = all ones iff s_i[(N - 1 - y) mod N]: coefficient t's phase
 * then reads window[i][N - 1 - t + j] for mask coefficient j (y < N: +, y >=
 * N: the negacyclic wrap, -). Branch-free in the key bits. */
static void build_window(struct compression_private_key *k)
{
    const struct tfhe_compression_params *c = &k->params->compression;
    size_t N = c->packing_ks_polynomial_size;
    for (size_t i = 0; i < c->packing_ks_glwe_dimension; i++)
        for (size_t y = 0; y < 2 * N; y++) {
            uint64_t bit = k->glwe_sk[i * N + (N - 1 - (y % N))] & 1;
            k->window[i * 2 * N + y] = (uint16_t)(0 - bit);
        }
}

int compression_private_key_new(struct compression_private_key **out, const struct tfhe_params *p,
                                struct csprng *secret)
{
    struct compression_private_key *k;
    KMS_TRY(private_key_alloc(&k, p));
    const struct tfhe_compression_params *c = &p->compression;
    int rc = glwe_sk_generate(k->glwe_sk, c->packing_ks_glwe_dimension,
                              c->packing_ks_polynomial_size, secret);
    if (rc < 0) {
        compression_private_key_free(k);
        return rc;
    }
    build_window(k);
    *out = k;
    return 0;
}

int compression_private_key_from_bits(struct compression_private_key **out,
                                      const struct tfhe_params *p, const uint64_t *bits,
                                      size_t len)
{
    struct compression_private_key *k;
    KMS_TRY(private_key_alloc(&k, p));
    size_t kn = (size_t)p->compression.packing_ks_glwe_dimension *
                p->compression.packing_ks_polynomial_size;
    uint64_t bad = 0;
    for (size_t i = 0; i < len && i < kn; i++)
        bad |= bits[i] >> 1;
    if (len != kn || bad != 0) {
        compression_private_key_free(k);
        return kms_err(KMS_EINVAL, "compression: a private key is %zu bits of 0/1, got %zu words%s",
                       kn, len, bad ? " not all 0/1" : "");
    }
    memcpy(k->glwe_sk, bits, kn * sizeof *bits);
    build_window(k);
    *out = k;
    return 0;
}

void compression_private_key_free(struct compression_private_key *k)
{
    if (k == NULL)
        return;
    secmem_free(k->glwe_sk);
    secmem_free(k->window);
    free(k);
}

int compression_key_new(struct compression_key **out, const struct compression_private_key *priv,
                        const uint64_t *big_sk, size_t big_len, struct enc_rng *rng)
{
    *out = NULL;
    const struct tfhe_params *p = priv->params;
    struct packing_ksk_shape s;
    KMS_TRY(compression_packing_shape(p, &s));
    if (big_len != s.input_dimension)
        return kms_err(KMS_EINVAL, "compression: the compute key has %zu words, expected %zu",
                       big_len, s.input_dimension);
    struct compression_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    k->params = p;
    k->shape = s;
    k->pksk = malloc(packing_ksk_size(&s) * sizeof *k->pksk);
    if (k->pksk == NULL) {
        free(k);
        return kms_err(KMS_ENOMEM, "compression: out of memory for a packing key");
    }
    int rc = packing_ksk_generate(k->pksk, &s, big_sk, priv->glwe_sk,
                                  p->compression.packing_ks_noise_log2, rng);
    if (rc < 0) {
        compression_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

void compression_key_free(struct compression_key *k)
{
    if (k == NULL)
        return;
    free(k->pksk);
    free(k);
}

static int decompression_key_from(struct compression_decompression_key **out,
                                  const struct tfhe_params *p, const struct bsk_shape *s,
                                  const uint64_t *bsk)
{
    struct compression_decompression_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    k->params = p;
    int rc = fourier_bsk_from_std(&k->bsk, s, bsk);
    if (rc < 0) {
        compression_decompression_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

int compression_decompression_key_new(struct compression_decompression_key **out,
                                      const struct compression_private_key *priv,
                                      const uint64_t *glwe_sk, size_t glwe_len,
                                      struct enc_rng *rng)
{
    *out = NULL;
    const struct tfhe_params *p = priv->params;
    struct bsk_shape s;
    KMS_TRY(compression_decompression_shape(p, &s));
    if (glwe_len != (size_t)s.glwe_dimension * s.polynomial_size)
        return kms_err(KMS_EINVAL, "compression: the compute GLWE key has %zu words, expected %zu",
                       glwe_len, (size_t)s.glwe_dimension * s.polynomial_size);
    uint64_t *bsk = malloc(bsk_polys(&s) * s.polynomial_size * sizeof *bsk);
    if (bsk == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory for a decompression key");
    int rc = bsk_generate(bsk, &s, priv->glwe_sk, glwe_sk, p->pbs.glwe_noise_log2, rng);
    if (rc == 0)
        rc = decompression_key_from(out, p, &s, bsk);
    free(bsk);
    return rc;
}

int compression_decompression_key_from_std(struct compression_decompression_key **out,
                                           const struct tfhe_params *p, const uint64_t *bsk,
                                           size_t bsk_len)
{
    *out = NULL;
    struct bsk_shape s;
    KMS_TRY(compression_decompression_shape(p, &s));
    if (bsk_len != bsk_polys(&s) * s.polynomial_size)
        return kms_err(KMS_EINVAL, "compression: a decompression key has %zu words, got %zu",
                       bsk_polys(&s) * s.polynomial_size, bsk_len);
    return decompression_key_from(out, p, &s, bsk);
}

void compression_decompression_key_free(struct compression_decompression_key *k)
{
    if (k == NULL)
        return;
    fourier_bsk_free(&k->bsk);
    free(k);
}

/* ---- compression ---- */

static int check_blocks(const struct compression_key *key, const struct shortint_ct *blocks,
                        size_t count)
{
    const struct shortint_ct *b0 = &blocks[0];
    if (b0->message_modulus > b0->carry_modulus)
        return kms_err(KMS_EINVAL, "compression: carry modulus %u below message modulus %u",
                       b0->carry_modulus, b0->message_modulus);
    for (size_t i = 0; i < count; i++) {
        const struct shortint_ct *b = &blocks[i];
        if (b->data == NULL || b->dimension != key->shape.input_dimension)
            return kms_err(KMS_EINVAL, "compression: block %zu is not under the compute big key",
                           i);
        if (b->message_modulus != b0->message_modulus || b->carry_modulus != b0->carry_modulus)
            return kms_err(KMS_EINVAL, "compression: block %zu has other moduli", i);
        if (b->noise_level > SHORTINT_NOISE_NOMINAL)
            return kms_err(KMS_EINVAL, "compression: block %zu needs a PBS first (noise level "
                                       "%llu)", i, (unsigned long long)b->noise_level);
        if (b->degree >= b->message_modulus)
            return kms_err(KMS_EINVAL, "compression: block %zu has a non-empty carry (degree "
                                       "%llu)", i, (unsigned long long)b->degree);
    }
    return 0;
}

/* Packing keyswitch of one chunk, modulus switch, bit packing. */
static int compress_chunk(const struct compression_key *key, struct compression_glwe *out,
                          uint64_t *lwes, size_t chunk, uint64_t *glwe)
{
    const struct packing_ksk_shape *s = &key->shape;
    unsigned L = key->params->compression.storage_log_modulus;
    size_t kn = (size_t)s->glwe_dimension * s->polynomial_size, values = kn + chunk;
    KMS_TRY(packing_keyswitch(glwe, key->pksk, s, lwes, chunk));
    /* the body follows the mask, so the first kn + chunk words are exactly
     * the values tfhe-rs keeps; switch them in place */
    for (size_t i = 0; i < values; i++)
        glwe[i] = L == 64 ? glwe[i] : (glwe[i] + (1ull << (63 - L))) >> (64 - L);
    size_t words;
    KMS_TRY(compression_bits_packed_len(&words, values, L, 64));
    out->packed = malloc((words ? words : 1) * sizeof *out->packed);
    if (out->packed == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    out->packed_len = words;
    out->log_modulus = L;
    out->initial_len = values;
    out->glwe_dimension = s->glwe_dimension;
    out->polynomial_size = s->polynomial_size;
    out->bodies_count = chunk;
    out->uncompressed_modulus = 0;
    return compression_bits_pack(out->packed, words, glwe, values, L);
}

static int compress_all(const struct compression_key *key, struct compression_list *out,
                        const struct shortint_ct *blocks, size_t count)
{
    const struct packing_ksk_shape *s = &key->shape;
    size_t lpg = key->params->compression.lwe_per_glwe, n = s->input_dimension;
    size_t chunk_max = count < lpg ? count : lpg;
    out->glwe_count = (count + lpg - 1) / lpg;
    out->glwes = calloc(out->glwe_count, sizeof *out->glwes);
    uint64_t *lwes = malloc(chunk_max * lwe_size(n) * sizeof *lwes);
    uint64_t *glwe = malloc(packing_glwe_size(s) * sizeof *glwe);
    int rc = 0;
    if (out->glwes == NULL || lwes == NULL || glwe == NULL)
        rc = kms_err(KMS_ENOMEM, "compression: out of memory");
    for (size_t g = 0; rc == 0 && g < out->glwe_count; g++) {
        size_t first = g * lpg, chunk = count - first < lpg ? count - first : lpg;
        for (size_t t = 0; t < chunk; t++) {
            uint64_t *lwe = lwes + t * lwe_size(n);
            memcpy(lwe, blocks[first + t].data, lwe_size(n) * sizeof *lwe);
            lwe_mul_scalar(lwe, n, blocks[first + t].message_modulus);
        }
        rc = compress_chunk(key, &out->glwes[g], lwes, chunk, glwe);
    }
    free(lwes);
    free(glwe);
    if (rc < 0)
        return rc;
    out->has_meta = 1;
    out->meta = (struct compression_meta){
        .ciphertext_modulus = 0,
        .message_modulus = blocks[0].message_modulus,
        .carry_modulus = blocks[0].carry_modulus,
        .atomic_pattern = COMPRESSION_AP_STANDARD,
        .pbs_order = COMPRESSION_KS_PBS,
        .lwe_per_glwe = lpg,
    };
    return 0;
}

int compression_compress_blocks(const struct compression_key *key, struct compression_list *out,
                                const struct shortint_ct *blocks, size_t count)
{
    memset(out, 0, sizeof *out);
    if (count == 0)
        return 0;
    KMS_TRY(check_blocks(key, blocks, count));
    int rc = compress_all(key, out, blocks, count);
    if (rc < 0)
        compression_list_free(out);
    return rc;
}

int compression_compress_radix(const struct compression_key *key, struct compression_list *out,
                               const struct radix_ct *const *cts, size_t count)
{
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (cts[i] == NULL || cts[i]->type == NULL || cts[i]->nblocks != cts[i]->type->blocks)
            return kms_err(KMS_EINVAL, "compression: integer %zu is not initialized", i);
        total += cts[i]->nblocks;
    }
    struct shortint_ct *flat = malloc((total ? total : 1) * sizeof *flat);
    struct compression_data_kind *info = calloc(count ? count : 1, sizeof *info);
    if (flat == NULL || info == NULL) {
        free(flat);
        free(info);
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    }
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t = cts[i]->type;
        memcpy(flat + pos, cts[i]->blocks, cts[i]->nblocks * sizeof *flat);
        pos += cts[i]->nblocks;
        info[i].kind = t->is_bool     ? COMPRESSION_KIND_BOOLEAN
                       : t->is_signed ? COMPRESSION_KIND_SIGNED
                                      : COMPRESSION_KIND_UNSIGNED;
        info[i].num_blocks = t->is_bool ? 0 : cts[i]->nblocks;
    }
    int rc = compression_compress_blocks(key, out, flat, total);
    free(flat);
    if (rc < 0) {
        free(info);
        return rc;
    }
    out->info = info;
    out->info_count = count;
    return 0;
}

/* ---- decompression by PBS ---- */

struct compression_scratch {
    struct pbs_scratch *pbs;
    size_t n_in;        /* k_c N_c */
    uint64_t *vals;     /* n_in + 1 unpacked values */
    uint64_t *lwe;      /* n_in + 1 */
    uint32_t *switched; /* n_in + 1 */
    uint64_t *acc;      /* (k + 1) N */
    uint64_t *lut;      /* N */
};

int compression_scratch_new(struct compression_scratch **out,
                            const struct compression_decompression_key *dk)
{
    *out = NULL;
    const struct bsk_shape *s = &dk->bsk.shape;
    const struct tfhe_pbs_params *pp = &dk->params->pbs;
    struct compression_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "compression: out of memory");
    sc->n_in = s->lwe_dimension;
    sc->vals = malloc(lwe_size(sc->n_in) * sizeof *sc->vals);
    sc->lwe = malloc(lwe_size(sc->n_in) * sizeof *sc->lwe);
    sc->switched = malloc(lwe_size(sc->n_in) * sizeof *sc->switched);
    sc->acc = malloc(((size_t)s->glwe_dimension + 1) * s->polynomial_size * sizeof *sc->acc);
    sc->lut = malloc(s->polynomial_size * sizeof *sc->lut);
    int rc = 0;
    if (!sc->vals || !sc->lwe || !sc->switched || !sc->acc || !sc->lut)
        rc = kms_err(KMS_ENOMEM, "compression: out of memory for scratch");
    if (rc == 0)
        rc = pbs_scratch_new(&sc->pbs, s);
    if (rc < 0) {
        compression_scratch_free(sc);
        return rc;
    }
    /* tfhe-rs rescaling_lut: identity from the carry_modulus values of the
     * compression encoding (no carry space) to the block encoding */
    uint64_t table[256];
    unsigned p_in = pp->carry_modulus;
    if (p_in == 0 || p_in > 256 || s->polynomial_size % (2 * p_in) != 0) {
        compression_scratch_free(sc);
        return kms_err(KMS_EINVAL, "compression: carry modulus %u unsupported", p_in);
    }
    for (unsigned i = 0; i < p_in; i++)
        table[i] = i;
    pbs_lut(sc->lut, s->polynomial_size, p_in, table, tfhe_params_delta(pp));
    *out = sc;
    return 0;
}

void compression_scratch_free(struct compression_scratch *sc)
{
    if (sc == NULL)
        return;
    pbs_scratch_free(sc->pbs);
    free(sc->vals);
    free(sc->lwe);
    free(sc->switched);
    free(sc->acc);
    free(sc->lut);
    free(sc);
}

/* Checks every call of the public functions share. */
static int check_list(const struct tfhe_params *p, const struct compression_list *l)
{
    KMS_TRY(compression_list_validate(l));
    return compression_list_check_params(l, p);
}

static int check_range(const struct compression_list *l, uint64_t first, uint64_t count)
{
    uint64_t stored = compression_list_blocks(l);
    if (first > stored || count > stored - first)
        return kms_err(KMS_EINVAL, "compressed list: blocks %llu..%llu are past the %llu stored",
                       (unsigned long long)first, (unsigned long long)(first + count),
                       (unsigned long long)stored);
    return 0;
}

/* One block, list already checked. */
static int decompress_one(const struct compression_decompression_key *dk,
                          struct compression_scratch *sc, struct shortint_ct *out,
                          const struct compression_list *l, uint64_t block)
{
    const struct compression_glwe *g = &l->glwes[block / l->meta.lwe_per_glwe];
    size_t t = (size_t)(block % l->meta.lwe_per_glwe), n = sc->n_in;
    size_t N = (size_t)g->polynomial_size, k = (size_t)g->glwe_dimension;
    unsigned L = g->log_modulus;
    KMS_TRY(compression_bits_unpack(sc->vals, g->packed, g->packed_len, L, 0, n));
    KMS_TRY(compression_bits_unpack(sc->vals + n, g->packed, g->packed_len, L, n + t, 1));
    for (size_t i = 0; i <= n; i++) /* CompressedModulusSwitchedGlweCiphertext::extract */
        sc->vals[i] = L == 64 ? sc->vals[i] : sc->vals[i] << (64 - L);
    /* sample extraction of coefficient t (glwe_sample_extract on the mask) */
    for (size_t i = 0; i < k; i++) {
        const uint64_t *a = sc->vals + i * N;
        uint64_t *o = sc->lwe + i * N;
        for (size_t j = 0; j <= t; j++)
            o[j] = a[t - j];
        for (size_t j = t + 1; j < N; j++)
            o[j] = 0 - a[N + t - j];
    }
    sc->lwe[n] = sc->vals[n];
    const struct bsk_shape *s = &dk->bsk.shape;
    size_t Nc = s->polynomial_size;
    pbs_ms_standard(sc->switched, sc->lwe, n, log2_exact(2 * Nc));
    glwe_trivial(sc->acc, s->glwe_dimension, Nc, sc->lut);
    pbs_blind_rotate(&dk->bsk, sc->acc, sc->switched, sc->pbs);
    glwe_sample_extract(out->data, sc->acc, s->glwe_dimension, Nc, 0);
    out->degree = l->meta.carry_modulus - 1; /* max of the identity table */
    out->noise_level = SHORTINT_NOISE_NOMINAL;
    out->message_modulus = (uint32_t)l->meta.message_modulus;
    out->carry_modulus = (uint32_t)l->meta.carry_modulus;
    return 0;
}

static int check_out_block(const struct compression_decompression_key *dk,
                           const struct shortint_ct *out)
{
    if (out == NULL || out->data == NULL ||
        out->dimension != (size_t)dk->bsk.shape.glwe_dimension * dk->bsk.shape.polynomial_size)
        return kms_err(KMS_EINVAL, "compression: output block not of the compute parameters");
    return 0;
}

int compression_decompress_block(const struct compression_decompression_key *dk,
                                 struct compression_scratch *sc, struct shortint_ct *out,
                                 const struct compression_list *l, uint64_t block)
{
    KMS_TRY(check_out_block(dk, out));
    KMS_TRY(check_list(dk->params, l));
    KMS_TRY(check_range(l, block, 1));
    return decompress_one(dk, sc, out, l, block);
}

int compression_list_get(const struct compression_decompression_key *dk,
                         struct compression_scratch *sc, struct radix_ct *out,
                         const struct compression_list *l, size_t index)
{
    uint64_t first, count;
    if (out == NULL || out->type == NULL || out->blocks == NULL)
        return kms_err(KMS_EINVAL, "compression: output integer not initialized");
    KMS_TRY(check_list(dk->params, l));
    KMS_TRY(compression_list_element(l, index, &first, &count));
    KMS_TRY(compression_kind_check_type(&l->info[index], log2_exact(l->meta.message_modulus),
                                        out->type));
    if (count != out->nblocks)
        return kms_err(KMS_EINVAL, "compression: element has %llu blocks, output %zu",
                       (unsigned long long)count, out->nblocks);
    for (size_t i = 0; i < out->nblocks; i++) {
        KMS_TRY(check_out_block(dk, &out->blocks[i]));
        KMS_TRY(decompress_one(dk, sc, &out->blocks[i], l, first + i));
    }
    if (out->type->is_bool)
        out->blocks[0].degree = 1; /* tfhe-rs FheBool::from_expanded_blocks */
    return 0;
}

/* ---- direct decryption ---- */

uint64_t compression_decode_mu(const struct tfhe_params *p, uint64_t mu)
{
    uint64_t N = p->pbs.polynomial_size, p_in = p->pbs.carry_modulus;
    uint64_t two_p = 2ull * p->pbs.message_modulus * p->pbs.carry_modulus;
    uint64_t box = N / p_in;
    uint64_t wrapped = 0 - ((mu / N) & 1); /* all ones for mu >= N */
    uint64_t v = (((mu % N) + box / 2) / box) & (p_in - 1);
    return ((v ^ wrapped) - wrapped) & (two_p - 1);
}

/* dst[i] = the L-bit values [first, first + count) of a validated GLWE. */
static void unpack_u16(uint16_t *dst, const struct compression_glwe *g, size_t first,
                       size_t count)
{
    unsigned L = g->log_modulus;
    uint64_t mask = (1ull << L) - 1;
    for (size_t i = 0; i < count; i++) {
        size_t pos = (first + i) * L, w = pos / 64;
        unsigned off = pos % 64;
        uint64_t v = g->packed[w] >> off;
        if (off + L > 64)
            v |= g->packed[w + 1] << (64 - off);
        dst[i] = (uint16_t)(v & mask);
    }
}

static int decrypt_blocks(const struct compression_private_key *k, uint8_t *vals,
                          const struct compression_list *l, uint64_t first, size_t count)
{
    const struct tfhe_params *p = k->params;
    const struct compression_glwe *g0 = &l->glwes[0];
    size_t N = (size_t)g0->polynomial_size, kk = (size_t)g0->glwe_dimension, kn = kk * N;
    unsigned L = g0->log_modulus, ell = log2_exact(2ull * p->pbs.polynomial_size);
    if (kn > DIRECT_MAX_MASK || L > DIRECT_MAX_LOG || L > ell)
        return kms_err(KMS_EUNIMPL, "compression: direct decryption needs k N <= %d and L <= %d",
                       DIRECT_MAX_MASK, DIRECT_MAX_LOG);
    uint16_t mask[DIRECT_MAX_MASK];
    size_t cur = SIZE_MAX;
    for (size_t b = 0; b < count; b++) {
        size_t gi = (size_t)((first + b) / l->meta.lwe_per_glwe);
        size_t t = (size_t)((first + b) % l->meta.lwe_per_glwe), c = N - 1 - t;
        const struct compression_glwe *g = &l->glwes[gi];
        if (gi != cur)
            unpack_u16(mask, g, 0, kn);
        cur = gi;
        uint16_t body;
        unpack_u16(&body, g, kn + t, 1);
        uint16_t phase = body;
        for (size_t i = 0; i < kk; i++) {
            const uint16_t *a = mask + i * N, *w = k->window + i * 2 * N + c;
            phase = (uint16_t)(phase - k->msum(a, w, t + 1));
            phase = (uint16_t)(phase + k->msum(a + t + 1, w + t + 1, N - t - 1));
        }
        uint64_t mu = ((uint64_t)phase & ((1ull << L) - 1)) << (ell - L);
        vals[b] = (uint8_t)compression_decode_mu(p, mu);
    }
    return 0;
}

int compression_decrypt_blocks(const struct compression_private_key *k, uint8_t *vals,
                               const struct compression_list *l, uint64_t first, size_t count)
{
    KMS_TRY(check_list(k->params, l));
    KMS_TRY(check_range(l, first, count));
    return decrypt_blocks(k, vals, l, first, count);
}

int compression_list_decrypt(const struct compression_private_key *k, uint8_t *out,
                             size_t out_len, const struct compression_list *l, size_t index,
                             int32_t fhe_type)
{
    const struct radix_type *t;
    uint64_t first, count;
    uint8_t vals[RADIX_MAX_BITS / 2];
    if (out_len > 0)
        memset(out, 0, out_len);
    KMS_TRY(radix_type_lookup(&t, fhe_type));
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "compression: a %s decrypts to %zu bytes, not %zu", t->name,
                       radix_type_bytes(t), out_len);
    KMS_TRY(check_list(k->params, l));
    KMS_TRY(compression_list_element(l, index, &first, &count));
    KMS_TRY(compression_kind_check_type(&l->info[index], log2_exact(l->meta.message_modulus), t));
    if (count > sizeof vals)
        return kms_err(KMS_EINVAL, "compression: element of %llu blocks is too large",
                       (unsigned long long)count);
    int rc = decrypt_blocks(k, vals, l, first, (size_t)count);
    if (rc < 0) {
        secmem_wipe(vals, sizeof vals); /* blocks decrypted before the failure */
        return rc;
    }
    if (t->is_bool)
        out[0] = (vals[0] % l->meta.message_modulus) != 0; /* tfhe-rs decrypt_bool */
    else
        compression_recompose(out, out_len, t, vals, (size_t)count,
                              log2_exact(l->meta.message_modulus));
    secmem_wipe(vals, sizeof vals);
    return 0;
}

#include "tfhe/snscomp.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/radix.h"
#include "tfhe/sampler.h"

/* ---- the list ---- */

void snscomp_list_free(struct snscomp_list *l)
{
    if (l == NULL)
        return;
    if (l->glwes != NULL)
        for (size_t g = 0; g < l->glwe_count; g++)
            free(l->glwes[g].packed);
    free(l->glwes);
    free(l->info);
    memset(l, 0, sizeof *l);
}

int snscomp_list_validate(const struct snscomp_list *l)
{
    if (l->glwe_count == 0)
        return compression_info_check(l->info, l->info_count, 0, 0, 1);
    if (l->glwes == NULL)
        return kms_err(KMS_EINVAL, "squashed list: missing GLWEs");
    if (!l->has_meta)
        return kms_err(KMS_EINVAL, "squashed list: GLWEs without metadata");
    const struct snscomp_meta *m = &l->meta;
    const struct snscomp_glwe *g0 = &l->glwes[0];
    KMS_TRY(compression_moduli_check(m->message_modulus, m->carry_modulus, "squashed list"));
    if (m->lwe_per_glwe == 0 || m->lwe_per_glwe > g0->polynomial_size)
        return kms_err(KMS_EINVAL, "squashed list: lwe_per_glwe %llu outside [1, N = %llu]",
                       (unsigned long long)m->lwe_per_glwe,
                       (unsigned long long)g0->polynomial_size);
    uint64_t stored = 0;
    for (size_t g = 0; g < l->glwe_count; g++) {
        const struct snscomp_glwe *gl = &l->glwes[g];
        KMS_TRY(compression_glwe_check(&COMPRESSION_GLWE_DIMS(gl), &COMPRESSION_GLWE_DIMS(g0), g,
                                       l->glwe_count, m->lwe_per_glwe, 128, "squashed list"));
        stored += gl->bodies_count;
    }
    return compression_info_check(l->info, l->info_count, m->message_modulus, stored, 1);
}

int snscomp_list_check_params(const struct snscomp_list *l, const struct tfhe_params *p)
{
    if (!p->has_sns || !p->has_sns_compression)
        return kms_err(KMS_EINVAL, "squashed list: parameter set %s has no SnS compression",
                       p->name);
    if (l->glwe_count == 0)
        return 0;
    const struct tfhe_sns_compression_params *c = &p->sns_compression;
    const struct snscomp_glwe *g = &l->glwes[0];
    if (g->glwe_dimension != c->packing_ks_glwe_dimension ||
        g->polynomial_size != c->packing_ks_polynomial_size || g->log_modulus != 128)
        return kms_err(KMS_EINVAL, "squashed list: GLWEs (k %llu, N %llu, %u bits) are not those "
                                   "of parameter set %s (k %u, N %u, 128 bits)",
                       (unsigned long long)g->glwe_dimension,
                       (unsigned long long)g->polynomial_size, g->log_modulus, p->name,
                       c->packing_ks_glwe_dimension, c->packing_ks_polynomial_size);
    if (l->meta.message_modulus != p->sns.message_modulus ||
        l->meta.carry_modulus != p->sns.carry_modulus)
        return kms_err(KMS_EINVAL, "squashed list: moduli %llu/%llu, parameter set %u/%u",
                       (unsigned long long)l->meta.message_modulus,
                       (unsigned long long)l->meta.carry_modulus, p->sns.message_modulus,
                       p->sns.carry_modulus);
    return 0;
}

uint64_t snscomp_list_ciphertexts(const struct snscomp_list *l)
{
    uint64_t n = 0;
    for (size_t g = 0; g < l->glwe_count; g++)
        n += l->glwes[g].bodies_count;
    return n;
}

/* ---- masked 128-bit sums ----
 *
 * sum a[j] & m[j] mod 2^128 for a split in 64-bit halves: the high halves
 * only matter mod 2^64 (they sit at 2^64), the low halves need their carry,
 * so besides their wrapping sum the exact sum of their top 32 bits is kept
 * (< n 2^32): the wrapping sum minus it (shifted) is the exact sum of the
 * bottom 32 bits. Three vector adds per element, no 128-bit arithmetic in
 * the loop. */

typedef uint64_t m128_v2 __attribute__((vector_size(16)));
typedef uint64_t m128_v4 __attribute__((vector_size(32)));
typedef uint64_t m128_v8 __attribute__((vector_size(64)));

#define DEFINE_MSUM128(name, attr, VT, W)                                                    \
    attr static u128 name(const uint64_t *lo, const uint64_t *hi, const uint64_t *m, size_t n) \
    {                                                                                        \
        VT sl = {0}, s32 = {0}, sh = {0};                                                    \
        size_t i = 0;                                                                        \
        for (; i + (W) <= n; i += (W)) {                                                     \
            VT a, b, k;                                                                      \
            memcpy(&a, lo + i, sizeof a);                                                    \
            memcpy(&b, hi + i, sizeof b);                                                    \
            memcpy(&k, m + i, sizeof k);                                                     \
            a &= k;                                                                          \
            sl += a;                                                                         \
            s32 += a >> 32;                                                                  \
            sh += b & k;                                                                     \
        }                                                                                    \
        uint64_t s_lo = 0, s_32 = 0, s_hi = 0;                                               \
        for (unsigned j = 0; j < (W); j++) {                                                 \
            s_lo += sl[j];                                                                   \
            s_32 += s32[j];                                                                  \
            s_hi += sh[j];                                                                   \
        }                                                                                    \
        for (; i < n; i++) {                                                                 \
            uint64_t a = lo[i] & m[i];                                                       \
            s_lo += a;                                                                       \
            s_32 += a >> 32;                                                                 \
            s_hi += hi[i] & m[i];                                                            \
        }                                                                                    \
        uint64_t bottom = s_lo - (s_32 << 32);                                               \
        return (u128)bottom + ((u128)s_32 << 32) + ((u128)s_hi << 64);                       \
    }

DEFINE_MSUM128(msum128_base, , m128_v2, 2)
#if defined(__x86_64__)
DEFINE_MSUM128(msum128_avx2, __attribute__((target("avx2"))), m128_v4, 4)
DEFINE_MSUM128(msum128_avx512, __attribute__((target("avx512f"))), m128_v8, 8)
#endif

typedef u128 (*msum128_fn)(const uint64_t *, const uint64_t *, const uint64_t *, size_t);

static msum128_fn pick_msum128(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return msum128_avx512;
    if (__builtin_cpu_supports("avx2"))
        return msum128_avx2;
#endif
    return msum128_base;
}

/* ---- keys ---- */

int snscomp_packing_shape(const struct tfhe_params *p, struct packing_ksk_shape *s)
{
    memset(s, 0, sizeof *s);
    if (!p->has_sns || !p->has_sns_compression)
        return kms_err(KMS_EINVAL, "snscomp: parameter set %s has no SnS compression", p->name);
    const struct tfhe_sns_compression_params *c = &p->sns_compression;
    s->input_dimension = (size_t)p->sns.glwe_dimension * p->sns.polynomial_size;
    s->glwe_dimension = c->packing_ks_glwe_dimension;
    s->polynomial_size = c->packing_ks_polynomial_size;
    s->base_log = c->packing_ks_base_log;
    s->level = c->packing_ks_level;
    KMS_TRY(packing_ksk_check_shape(s, 128));
    if (c->lwe_per_glwe == 0 || c->lwe_per_glwe > c->packing_ks_polynomial_size)
        return kms_err(KMS_EINVAL, "snscomp: bad lwe_per_glwe in %s", p->name);
    return 0;
}

static int private_key_alloc(struct snscomp_private_key **out, const struct tfhe_params *p)
{
    struct packing_ksk_shape s;
    *out = NULL;
    KMS_TRY(snscomp_packing_shape(p, &s));
    size_t kn = (size_t)s.glwe_dimension * s.polynomial_size;
    struct snscomp_private_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "snscomp: out of memory");
    k->params = p;
    k->glwe_sk = secmem_alloc(kn * sizeof *k->glwe_sk);
    k->window = secmem_alloc(2 * kn * sizeof *k->window);
    k->msum = pick_msum128();
    if (k->glwe_sk == NULL || k->window == NULL) {
        snscomp_private_key_free(k);
        return kms_err(KMS_ENOMEM, "snscomp: out of memory for a private key");
    }
    *out = k;
    return 0;
}

static void build_window(struct snscomp_private_key *k)
{
    const struct tfhe_sns_compression_params *c = &k->params->sns_compression;
    size_t N = c->packing_ks_polynomial_size;
    for (size_t i = 0; i < c->packing_ks_glwe_dimension; i++)
        for (size_t y = 0; y < 2 * N; y++) {
            uint64_t bit = (uint64_t)k->glwe_sk[i * N + (N - 1 - (y % N))] & 1;
            k->window[i * 2 * N + y] = 0 - bit;
        }
}

int snscomp_private_key_new(struct snscomp_private_key **out, const struct tfhe_params *p,
                            struct csprng *secret)
{
    struct snscomp_private_key *k;
    KMS_TRY(private_key_alloc(&k, p));
    size_t kn = (size_t)p->sns_compression.packing_ks_glwe_dimension *
                p->sns_compression.packing_ks_polynomial_size;
    int rc = sample_binary_u128(secret, k->glwe_sk, kn);
    if (rc < 0) {
        snscomp_private_key_free(k);
        return rc;
    }
    build_window(k);
    *out = k;
    return 0;
}

int snscomp_private_key_from_bits(struct snscomp_private_key **out, const struct tfhe_params *p,
                                  const u128 *bits, size_t len)
{
    struct snscomp_private_key *k;
    KMS_TRY(private_key_alloc(&k, p));
    size_t kn = (size_t)p->sns_compression.packing_ks_glwe_dimension *
                p->sns_compression.packing_ks_polynomial_size;
    u128 bad = 0;
    for (size_t i = 0; i < len && i < kn; i++)
        bad |= bits[i] >> 1;
    if (len != kn || bad != 0) {
        snscomp_private_key_free(k);
        return kms_err(KMS_EINVAL, "snscomp: a private key is %zu bits of 0/1, got %zu words%s",
                       kn, len, bad ? " not all 0/1" : "");
    }
    memcpy(k->glwe_sk, bits, kn * sizeof *bits);
    build_window(k);
    *out = k;
    return 0;
}

void snscomp_private_key_free(struct snscomp_private_key *k)
{
    if (k == NULL)
        return;
    secmem_free(k->glwe_sk);
    secmem_free(k->window);
    free(k);
}

int snscomp_key_new(struct snscomp_key **out, const struct snscomp_private_key *priv,
                    const u128 *sns_sk, size_t sns_len, struct enc_rng *rng)
{
    *out = NULL;
    const struct tfhe_params *p = priv->params;
    struct packing_ksk_shape s;
    KMS_TRY(snscomp_packing_shape(p, &s));
    if (sns_len != s.input_dimension)
        return kms_err(KMS_EINVAL, "snscomp: the SnS key has %zu words, expected %zu", sns_len,
                       s.input_dimension);
    struct snscomp_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "snscomp: out of memory");
    k->params = p;
    k->shape = s;
    k->pksk = malloc(packing_ksk_size(&s) * sizeof *k->pksk);
    if (k->pksk == NULL) {
        free(k);
        return kms_err(KMS_ENOMEM, "snscomp: out of memory for a packing key");
    }
    int rc = packing_ksk_generate_u128(k->pksk, &s, sns_sk, priv->glwe_sk,
                                       p->sns_compression.packing_ks_noise_log2, rng);
    if (rc < 0) {
        snscomp_key_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

void snscomp_key_free(struct snscomp_key *k)
{
    if (k == NULL)
        return;
    free(k->pksk);
    free(k);
}

/* ---- compression ---- */

static int compress_chunk(const struct snscomp_key *key, struct snscomp_glwe *out,
                          const u128 *lwes, size_t chunk, u128 *glwe)
{
    const struct packing_ksk_shape *s = &key->shape;
    size_t values = (size_t)s->glwe_dimension * s->polynomial_size + chunk, words;
    KMS_TRY(packing_keyswitch_u128(glwe, key->pksk, s, lwes, chunk));
    KMS_TRY(compression_bits_packed_len(&words, values, 128, 128));
    out->packed = malloc(words * sizeof *out->packed);
    if (out->packed == NULL)
        return kms_err(KMS_ENOMEM, "snscomp: out of memory");
    out->packed_len = words;
    out->log_modulus = 128; /* the input modulus: no switch at all */
    out->initial_len = values;
    out->glwe_dimension = s->glwe_dimension;
    out->polynomial_size = s->polynomial_size;
    out->bodies_count = chunk;
    out->uncompressed_modulus = 0;
    return compression_bits_pack_u128(out->packed, words, glwe, values, 128);
}

static int compress_all(const struct snscomp_key *key, struct snscomp_list *out, const u128 *lwes,
                        size_t count)
{
    const struct packing_ksk_shape *s = &key->shape;
    size_t lpg = key->params->sns_compression.lwe_per_glwe, lsz = s->input_dimension + 1;
    out->glwe_count = (count + lpg - 1) / lpg;
    out->glwes = calloc(out->glwe_count, sizeof *out->glwes);
    u128 *glwe = malloc(packing_glwe_size(s) * sizeof *glwe);
    int rc = 0;
    if (out->glwes == NULL || glwe == NULL)
        rc = kms_err(KMS_ENOMEM, "snscomp: out of memory");
    for (size_t g = 0; rc == 0 && g < out->glwe_count; g++) {
        size_t first = g * lpg, chunk = count - first < lpg ? count - first : lpg;
        rc = compress_chunk(key, &out->glwes[g], lwes + first * lsz, chunk, glwe);
    }
    free(glwe);
    return rc;
}

int snscomp_compress(const struct snscomp_key *key, struct snscomp_list *out, const u128 *lwes,
                     size_t count, uint64_t message_modulus, uint64_t carry_modulus,
                     const struct compression_data_kind *info, size_t info_count)
{
    memset(out, 0, sizeof *out);
    KMS_TRY(compression_info_check(info, info_count, count ? message_modulus : 0, count, 1));
    if (count == 0)
        return 0;
    if (message_modulus != key->params->sns.message_modulus ||
        carry_modulus != key->params->sns.carry_modulus)
        return kms_err(KMS_EINVAL, "snscomp: moduli %llu/%llu are not the set's",
                       (unsigned long long)message_modulus, (unsigned long long)carry_modulus);
    out->info = malloc((info_count ? info_count : 1) * sizeof *out->info);
    int rc = out->info == NULL ? kms_err(KMS_ENOMEM, "snscomp: out of memory") : 0;
    if (rc == 0) {
        memcpy(out->info, info, info_count * sizeof *info);
        out->info_count = info_count;
        rc = compress_all(key, out, lwes, count);
    }
    if (rc < 0) {
        snscomp_list_free(out);
        return rc;
    }
    out->has_meta = 1;
    out->meta = (struct snscomp_meta){message_modulus, carry_modulus,
                                      key->params->sns_compression.lwe_per_glwe};
    return 0;
}

/* ---- decryption ---- */

struct snscomp_scratch {
    size_t kn;
    uint64_t *lo, *hi; /* the mask of one GLWE, split in 64-bit halves */
};

int snscomp_scratch_new(struct snscomp_scratch **out, const struct tfhe_params *p)
{
    struct packing_ksk_shape s;
    *out = NULL;
    KMS_TRY(snscomp_packing_shape(p, &s));
    struct snscomp_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "snscomp: out of memory");
    sc->kn = (size_t)s.glwe_dimension * s.polynomial_size;
    sc->lo = malloc(sc->kn * sizeof *sc->lo);
    sc->hi = malloc(sc->kn * sizeof *sc->hi);
    if (sc->lo == NULL || sc->hi == NULL) {
        snscomp_scratch_free(sc);
        return kms_err(KMS_ENOMEM, "snscomp: out of memory for scratch");
    }
    *out = sc;
    return 0;
}

void snscomp_scratch_free(struct snscomp_scratch *sc)
{
    if (sc == NULL)
        return;
    free(sc->lo);
    free(sc->hi);
    free(sc);
}

static unsigned log2_exact(uint64_t x)
{
    unsigned r = 0;
    while ((1ull << r) < x)
        r++;
    return r;
}

uint64_t snscomp_decode(const struct tfhe_params *p, u128 mu)
{
    uint64_t two_p = 2ull * p->sns.message_modulus * p->sns.carry_modulus;
    unsigned log_delta = 128 - log2_exact(two_p);
    return (uint64_t)((mu + ((u128)1 << (log_delta - 1))) >> log_delta) & (two_p - 1);
}

/* Values [first, first + count) of a validated GLWE, scaled to 2^128. */
static int load_values(u128 *dst, const struct snscomp_glwe *g, uint64_t first, size_t count)
{
    unsigned L = g->log_modulus;
    if (L == 128) {
        memcpy(dst, g->packed + first, count * sizeof *dst);
        return 0;
    }
    KMS_TRY(compression_bits_unpack_u128(dst, g->packed, g->packed_len, L, first, count));
    for (size_t i = 0; i < count; i++)
        dst[i] <<= 128 - L;
    return 0;
}

static int load_mask(struct snscomp_scratch *sc, const struct snscomp_glwe *g)
{
    u128 tmp[64];
    for (size_t i = 0; i < sc->kn; i += 64) {
        size_t n = sc->kn - i < 64 ? sc->kn - i : 64;
        KMS_TRY(load_values(tmp, g, i, n));
        for (size_t j = 0; j < n; j++) {
            sc->lo[i + j] = (uint64_t)tmp[j];
            sc->hi[i + j] = (uint64_t)(tmp[j] >> 64);
        }
    }
    return 0;
}

static int decrypt_values(const struct snscomp_private_key *k, struct snscomp_scratch *sc,
                          uint8_t *vals, const struct snscomp_list *l, uint64_t first,
                          size_t count)
{
    const struct snscomp_glwe *g0 = &l->glwes[0];
    size_t N = (size_t)g0->polynomial_size, kk = (size_t)g0->glwe_dimension;
    if (sc->kn != kk * N)
        return kms_err(KMS_EINVAL, "snscomp: scratch of another parameter set");
    size_t cur = SIZE_MAX;
    int rc = 0;
    for (size_t b = 0; rc == 0 && b < count; b++) {
        size_t gi = (size_t)((first + b) / l->meta.lwe_per_glwe);
        size_t t = (size_t)((first + b) % l->meta.lwe_per_glwe), c = N - 1 - t;
        const struct snscomp_glwe *g = &l->glwes[gi];
        if (gi != cur && (rc = load_mask(sc, g)) < 0)
            break;
        cur = gi;
        u128 phase;
        if ((rc = load_values(&phase, g, sc->kn + t, 1)) < 0)
            break;
        for (size_t i = 0; i < kk; i++) {
            const uint64_t *lo = sc->lo + i * N, *hi = sc->hi + i * N;
            const uint64_t *w = k->window + i * 2 * N + c;
            phase -= k->msum(lo, hi, w, t + 1);
            phase += k->msum(lo + t + 1, hi + t + 1, w + t + 1, N - t - 1);
        }
        vals[b] = (uint8_t)snscomp_decode(k->params, phase);
    }
    if (rc < 0)
        secmem_wipe(vals, count); /* no partial plaintext out */
    return rc;
}

static int check_list(const struct tfhe_params *p, const struct snscomp_list *l)
{
    KMS_TRY(snscomp_list_validate(l));
    return snscomp_list_check_params(l, p);
}

int snscomp_decrypt_values(const struct snscomp_private_key *k, struct snscomp_scratch *sc,
                           uint8_t *vals, const struct snscomp_list *l, uint64_t first,
                           size_t count)
{
    KMS_TRY(check_list(k->params, l));
    uint64_t stored = snscomp_list_ciphertexts(l);
    if (first > stored || count > stored - first)
        return kms_err(KMS_EINVAL, "squashed list: ciphertexts %llu..%llu are past the %llu "
                                   "stored", (unsigned long long)first,
                       (unsigned long long)(first + count), (unsigned long long)stored);
    return decrypt_values(k, sc, vals, l, first, count);
}

int snscomp_list_decrypt(const struct snscomp_private_key *k, struct snscomp_scratch *sc,
                         uint8_t *out, size_t out_len, const struct snscomp_list *l, size_t index,
                         int32_t fhe_type)
{
    const struct radix_type *t;
    uint64_t first, count;
    uint8_t vals[RADIX_MAX_BITS / 4];
    if (out_len > 0)
        memset(out, 0, out_len);
    KMS_TRY(radix_type_lookup(&t, fhe_type));
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "snscomp: a %s decrypts to %zu bytes, not %zu", t->name,
                       radix_type_bytes(t), out_len);
    KMS_TRY(check_list(k->params, l));
    KMS_TRY(compression_info_element(l->info, l->info_count, l->meta.message_modulus, 1, index,
                                     &first, &count));
    unsigned bits = log2_exact(l->meta.message_modulus);
    KMS_TRY(compression_kind_check_type(&l->info[index], bits, t));
    if (count > sizeof vals)
        return kms_err(KMS_EINVAL, "snscomp: element of %llu ciphertexts is too large",
                       (unsigned long long)count);
    int rc = decrypt_values(k, sc, vals, l, first, (size_t)count);
    if (rc == 0 && t->is_bool)
        out[0] = vals[0] != 0; /* tfhe-rs decrypt_bool on the squashed value */
    else if (rc == 0)
        compression_recompose(out, out_len, t, vals, (size_t)count, 2 * bits);
    secmem_wipe(vals, sizeof vals);
    return rc;
}

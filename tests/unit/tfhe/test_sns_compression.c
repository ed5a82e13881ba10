/* Squashed (128-bit) list compression (tfhe-rs note §2.3, §2.4, §4.4):
 *  - the 128-bit packing keyswitch bit for bit against a literal
 *    transcription of tfhe-rs's per-LWE algorithm, its key GLWEs decrypting
 *    to s_in[i] 2^(128 - Bj) within TUniform bounds, and the stream bytes
 *    it consumes;
 *  - the decoding round(mu / 2^123) mod 32 (ties up, wrapping) on known
 *    answers;
 *  - squashed LWEs made by encrypting packed block pairs directly under the
 *    SnS GLWE key read as an LWE key -> compression -> direct decryption
 *    with the SnS-compression key, for several types, with the packing
 *    keyswitch noise within its worst-case bound (test set; the default
 *    set's 896 MiB key is in test_sns_compression_slow.c);
 *  - direct decryption with the default set's 6 x 1024 key of lists built
 *    by encrypting their GLWEs directly under it (no packing key needed);
 *  - malformed squashed lists are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "test_util.h"
#include "tfhe_test_util.h"
#include "tfhe/decomp.h"
#include "tfhe/poly.h"
#include "tfhe/sampler.h"
#include "tfhe/snscomp.h"

#ifdef TFHE_TEST_UNDER_SAN
#define SNSC_UNDER_SAN 1
#endif

static u128 rand128(uint64_t *s)
{
    u128 hi = splitmix(s);
    return (hi << 64) | splitmix(s);
}

static void seed_pair(struct enc_rng *g, uint8_t tag)
{
    uint8_t a[16] = {tag, 0x44}, b[16] = {tag, 0x55};
    assert_int_equal(csprng_init_seed(&g->mask, a), 0);
    assert_int_equal(csprng_init_seed(&g->noise, b), 0);
}

static void free_pair(struct enc_rng *g)
{
    csprng_free(&g->mask);
    csprng_free(&g->noise);
}

/* b - <a, s> over Z/2^128 (independent of the library's sums). */
static u128 lwe128_phase(const u128 *ct, const u128 *sk, size_t n)
{
    u128 acc = ct[n];
    for (size_t i = 0; i < n; i++)
        acc -= ct[i] * (sk[i] & 1);
    return acc;
}

/* A squashed ciphertext: LWE over Z/2^128 under sk of pt, TUniform noise. */
static void lwe128_encrypt(u128 *ct, const u128 *sk, size_t n, u128 pt, unsigned noise_log2,
                           struct enc_rng *rng)
{
    assert_int_equal(sample_uniform_u128(&rng->mask, ct, n), 0);
    u128 e;
    assert_int_equal(sample_tuniform_u128(&rng->noise, noise_log2, &e, 1), 0);
    ct[n] = pt + e;
    for (size_t i = 0; i < n; i++)
        ct[n] += ct[i] * (sk[i] & 1);
}

/* GLWE phase B - sum A_i S_i with the schoolbook product. */
static void glwe128_phase(u128 *ph, const u128 *ct, const u128 *sk, size_t k, size_t N)
{
    u128 *prod = xcalloc(N, sizeof *prod);
    memcpy(ph, ct + k * N, N * sizeof *ph);
    for (size_t i = 0; i < k; i++) {
        poly_u128_mul(prod, ct + i * N, sk + i * N, N);
        poly_u128_sub(ph, ph, prod, N);
    }
    free(prod);
}

static int64_t small_signed(u128 x, unsigned bound_log2)
{
    __int128 v = (__int128)x;
    __int128 lim = (__int128)1 << bound_log2;
    assert_true(v <= lim && v >= -lim);
    return (int64_t)v;
}

/* ---- packing keyswitch ---- */

/* x rounded to its top `bits` bits (tfhe-rs closest_representable). */
static u128 closest_u128(u128 x, unsigned bits)
{
    unsigned shift = 128 - bits - 1;
    return (((x >> shift) + 1) & ~(u128)1) << shift;
}

static void ref_packing_keyswitch_u128(u128 *out, const u128 *pksk,
                                       const struct packing_ksk_shape *s, const u128 *lwes,
                                       size_t count)
{
    size_t n = s->input_dimension, N = s->polynomial_size, polys = s->glwe_dimension + 1;
    size_t gs = polys * N;
    u128 *buf = xcalloc(gs, sizeof *buf), *rot = xcalloc(N, sizeof *rot);
    memset(out, 0, gs * sizeof *out);
    for (size_t t = 0; t < count; t++) {
        const u128 *lwe = lwes + t * (n + 1);
        memset(buf, 0, gs * sizeof *buf);
        buf[s->glwe_dimension * N] = lwe[n];
        for (size_t i = 0; i < n; i++) {
            u128 st = decomp_init_u128(closest_u128(lwe[i], s->base_log * s->level),
                                       s->base_log, s->level);
            for (unsigned j = 0; j < s->level; j++) {
                u128 d = decomp_next_u128(&st, s->base_log);
                const u128 *row = pksk + (i * s->level + j) * gs;
                for (size_t c = 0; c < gs; c++)
                    buf[c] -= row[c] * d;
            }
        }
        for (size_t p = 0; p < polys; p++) {
            poly_u128_mul_xk(rot, buf + p * N, N, t);
            poly_u128_add(out + p * N, out + p * N, rot, N);
        }
    }
    free(buf);
    free(rot);
}

static void check_packing128(const struct packing_ksk_shape *s, unsigned noise_log2,
                             size_t count, uint8_t tag)
{
    size_t n = s->input_dimension, N = s->polynomial_size, k = s->glwe_dimension;
    size_t gs = packing_glwe_size(s);
    struct csprng sec;
    struct enc_rng rng;
    uint8_t ss[16] = {tag, 0x66};
    assert_int_equal(csprng_init_seed(&sec, ss), 0);
    seed_pair(&rng, tag);
    u128 *sk_in = xcalloc(n, 16), *sk_out = xcalloc(k * N, 16);
    assert_int_equal(sample_binary_u128(&sec, sk_in, n), 0);
    assert_int_equal(sample_binary_u128(&sec, sk_out, k * N), 0);
    u128 *pksk = xcalloc(packing_ksk_size(s), 16);
    assert_int_equal(packing_ksk_generate_u128(pksk, s, sk_in, sk_out, noise_log2, &rng), 0);
    assert_true(rng.mask.pos == (u128)n * s->level * k * N * 16);
    assert_true(rng.noise.pos == (u128)n * s->level * N * sample_tuniform_bytes(noise_log2));
    struct enc_rng replay;
    seed_pair(&replay, tag);
    u128 first[16];
    size_t m = k * N < 16 ? k * N : 16;
    assert_int_equal(sample_uniform_u128(&replay.mask, first, m), 0);
    assert_memory_equal(first, pksk, m * 16);
    u128 *ph = xcalloc(N, 16);
    for (size_t i = 0; i < n; i++)
        for (unsigned t = 0; t < s->level; t++) {
            unsigned j = s->level - t;
            glwe128_phase(ph, pksk + (i * s->level + t) * gs, sk_out, k, N);
            for (size_t c = 0; c < N; c++) {
                u128 want = c == 0 ? (sk_in[i] & 1) << (128 - s->base_log * j) : 0;
                (void)small_signed(ph[c] - want, noise_log2);
            }
        }
    uint64_t seed = tag;
    u128 *lwes = xcalloc(count * (n + 1), 16), *got = xcalloc(gs, 16), *want = xcalloc(gs, 16);
    for (size_t i = 0; i < count * (n + 1); i++)
        lwes[i] = rand128(&seed);
    assert_int_equal(packing_keyswitch_u128(got, pksk, s, lwes, count), 0);
    ref_packing_keyswitch_u128(want, pksk, s, lwes, count);
    assert_memory_equal(got, want, gs * 16);
    assert_int_equal(packing_keyswitch_u128(got, pksk, s, lwes, N + 1), KMS_EINVAL);
    free(lwes);
    free(got);
    free(want);
    free(ph);
    free(pksk);
    free(sk_in);
    free(sk_out);
    csprng_free(&sec);
    free_pair(&rng);
    free_pair(&replay);
}

static void test_packing128_exact(void **state)
{
    (void)state;
    struct packing_ksk_shape a = {20, 3, 8, 41, 2}, b = {32, 1, 16, 61, 1}, c = {9, 2, 4, 30, 4};
    check_packing128(&a, 3, 8, 1);
    check_packing128(&a, 3, 3, 2);
    check_packing128(&b, 3, 16, 3);
    check_packing128(&c, 20, 4, 4);
    struct packing_ksk_shape bad = {9, 2, 4, 64, 2};
    assert_int_equal(packing_ksk_check_shape(&bad, 128), KMS_EINVAL);
    bad.base_log = 63;
    assert_int_equal(packing_ksk_check_shape(&bad, 128), 0);
    bad.polynomial_size = 6;
    assert_int_equal(packing_ksk_check_shape(&bad, 128), KMS_EINVAL);
}

/* ---- decoding ---- */

static void test_decode(void **state)
{
    (void)state;
    const struct tfhe_params *p = get("default");
    u128 delta = (u128)1 << 123;
    for (uint64_t v = 0; v < 32; v++) {
        assert_int_equal(snscomp_decode(p, v * delta), v);
        assert_int_equal(snscomp_decode(p, v * delta + (delta / 2 - 1)), v);
        assert_int_equal(snscomp_decode(p, v * delta - delta / 2), v); /* tie rounds up */
        assert_int_equal(snscomp_decode(p, v * delta - delta / 2 - 1), (v + 31) % 32);
    }
    assert_int_equal(snscomp_decode(p, ~(u128)0), 0); /* just below 2^128 wraps to 0 */
    assert_int_equal(snscomp_decode(p, (u128)31 * delta + delta / 2), 0);
}

/* ---- round trips ---- */

struct snsenv {
    const struct tfhe_params *p;
    struct csprng secret;
    struct enc_rng rng;
    u128 *sns_sk; /* the SnS GLWE key as an LWE key */
    size_t n;
    struct snscomp_private_key *priv;
    struct snscomp_key *key;
    struct snscomp_scratch *sc;
};

static void snsenv_init(struct snsenv *e, const char *name, int with_key, uint8_t tag)
{
    memset(e, 0, sizeof *e);
    e->p = get(name);
    uint8_t s1[16] = {tag, 0x77};
    assert_int_equal(csprng_init_seed(&e->secret, s1), 0);
    seed_pair(&e->rng, tag);
    e->n = (size_t)e->p->sns.glwe_dimension * e->p->sns.polynomial_size;
    e->sns_sk = xcalloc(e->n, 16);
    assert_int_equal(sample_binary_u128(&e->secret, e->sns_sk, e->n), 0);
    assert_int_equal(snscomp_private_key_new(&e->priv, e->p, &e->secret), 0);
    if (with_key)
        assert_int_equal(snscomp_key_new(&e->key, e->priv, e->sns_sk, e->n, &e->rng), 0);
    assert_int_equal(snscomp_scratch_new(&e->sc, e->p), 0);
}

static void snsenv_free(struct snsenv *e)
{
    snscomp_scratch_free(e->sc);
    snscomp_key_free(e->key);
    snscomp_private_key_free(e->priv);
    free(e->sns_sk);
    csprng_free(&e->secret);
    free_pair(&e->rng);
}

/* The packed pairs tfhe-rs squashes: block[2j] + 4 block[2j + 1]. */
static size_t packed_pairs(uint8_t *out, const uint8_t *le, const struct radix_type *t)
{
    size_t blocks = t->blocks, pairs = (blocks + 1) / 2;
    for (size_t j = 0; j < pairs; j++) {
        unsigned lo = (le[(4 * j) / 8] >> ((4 * j) % 8)) & 3;
        unsigned hi = 2 * j + 1 < blocks ? (le[(4 * j + 2) / 8] >> ((4 * j + 2) % 8)) & 3 : 0;
        out[j] = (uint8_t)(lo + 4 * hi);
    }
    return pairs;
}

static void sns_round_trip(struct snsenv *e, const int32_t *types, size_t count)
{
    uint64_t seed = 77 + count;
    size_t lsz = e->n + 1, total = 0, cap = 0;
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        cap += (t->blocks + 1) / 2;
    }
    u128 *lwes = xcalloc(cap * lsz, 16);
    uint8_t *pairs = xcalloc(cap, 1);
    uint8_t(*want)[RADIX_MAX_BYTES] = xcalloc(count, RADIX_MAX_BYTES);
    struct compression_data_kind *info = xcalloc(count, sizeof *info);
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        random_value(want[i], t, &seed);
        size_t np = packed_pairs(pairs + total, want[i], t);
        for (size_t j = 0; j < np; j++)
            lwe128_encrypt(lwes + (total + j) * lsz, e->sns_sk, e->n,
                           (u128)pairs[total + j] << 123, 30, &e->rng);
        total += np;
        info[i].kind = t->is_bool ? COMPRESSION_KIND_BOOLEAN
                                  : t->is_signed ? COMPRESSION_KIND_SIGNED
                                                 : COMPRESSION_KIND_UNSIGNED;
        info[i].num_blocks = t->is_bool ? 0 : t->blocks;
    }
    struct snscomp_list l;
    assert_int_equal(snscomp_compress(e->key, &l, lwes, total, 4, 4, info, count), 0);
    assert_int_equal(snscomp_list_validate(&l), 0);
    assert_int_equal(snscomp_list_ciphertexts(&l), total);
    size_t kn = (size_t)e->p->sns_compression.packing_ks_glwe_dimension *
                e->p->sns_compression.packing_ks_polynomial_size;
    /* every value decodes as packed, and the packing keyswitch error of each
     * coefficient stays under its worst case: rounding 2^(127-Bl) per key
     * bit plus n l digits 2^(B-1) times key noise 2^b */
    const struct packing_ksk_shape *s = &e->key->shape;
    unsigned Bl = s->base_log * s->level;
    double bound = ldexp((double)e->n, (int)(127 - Bl)) +
                   ldexp((double)e->n * s->level,
                         (int)(s->base_log - 1 + e->p->sns_compression.packing_ks_noise_log2));
    uint8_t *vals = xcalloc(total, 1);
    assert_int_equal(snscomp_decrypt_values(e->priv, e->sc, vals, &l, 0, total), 0);
    u128 *ct = xcalloc(kn + s->polynomial_size, 16), *ph = xcalloc(s->polynomial_size, 16);
    for (size_t g = 0; g < l.glwe_count; g++) {
        assert_int_equal(l.glwes[g].packed_len, kn + l.glwes[g].bodies_count);
        memset(ct, 0, (kn + s->polynomial_size) * 16);
        memcpy(ct, l.glwes[g].packed, l.glwes[g].packed_len * 16);
        glwe128_phase(ph, ct, e->priv->glwe_sk, s->glwe_dimension, s->polynomial_size);
        for (size_t t = 0; t < l.glwes[g].bodies_count; t++) {
            size_t idx = g * l.meta.lwe_per_glwe + t;
            u128 in = lwe128_phase(lwes + idx * lsz, e->sns_sk, e->n);
            double err = (double)(__int128)(ph[t] - in);
            assert_true(err < bound && err > -bound);
            assert_int_equal(vals[idx], pairs[idx]);
        }
    }
    uint8_t got[RADIX_MAX_BYTES];
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        size_t len = radix_type_bytes(t);
        assert_int_equal(snscomp_list_decrypt(e->priv, e->sc, got, len, &l, i, t->id), 0);
        assert_memory_equal(got, want[i], len);
    }
    snscomp_list_free(&l);
    free(ct);
    free(ph);
    free(vals);
    free(lwes);
    free(pairs);
    free(want);
    free(info);
}

static void test_round_trip_test_set(void **state)
{
    (void)state;
    struct snsenv e;
    snsenv_init(&e, "test", 1, 1);
    static const int32_t types[] = {RADIX_BOOL,   RADIX_UINT4,  RADIX_UINT8,   RADIX_UINT64,
                                    RADIX_INT8,   RADIX_INT64,  RADIX_UINT160, RADIX_INT4,
                                    RADIX_UINT80, RADIX_BOOL,   RADIX_UINT256, RADIX_INT160};
    sns_round_trip(&e, types, sizeof types / sizeof types[0]); /* 196 LWEs, two GLWEs */
    static const int32_t one[] = {RADIX_UINT2048}; /* 512 LWEs, four GLWEs */
    sns_round_trip(&e, one, 1);
    /* empty list */
    struct snscomp_list l;
    assert_int_equal(snscomp_compress(e.key, &l, NULL, 0, 4, 4, NULL, 0), 0);
    assert_int_equal(l.glwe_count, 0);
    assert_int_equal(snscomp_list_validate(&l), 0);
    /* DataKinds must cover the ciphertexts in packed pairs; moduli must match */
    u128 *lwes = xcalloc(3 * (e.n + 1), 16);
    struct compression_data_kind k = {COMPRESSION_KIND_UNSIGNED, 4, 0, 0};
    assert_int_equal(snscomp_compress(e.key, &l, lwes, 3, 4, 4, &k, 1), KMS_EINVAL);
    k.num_blocks = 6;
    assert_int_equal(snscomp_compress(e.key, &l, lwes, 3, 4, 8, &k, 1), KMS_EINVAL);
    k.num_blocks = 5; /* an odd block count still takes ceil(5 / 2) = 3 */
    assert_int_equal(snscomp_compress(e.key, &l, lwes, 3, 4, 4, &k, 1), 0);
    snscomp_list_free(&l);
    free(lwes);
    snsenv_free(&e);
}

/* A list of elements whose GLWEs are encrypted straight under the
 * SnS-compression key, as the packing keyswitch would leave them. */
static void make_direct_list(struct snscomp_list *l, struct snsenv *e, const uint8_t *pairs,
                             size_t total, const struct compression_data_kind *info,
                             size_t count)
{
    const struct tfhe_sns_compression_params *c = &e->p->sns_compression;
    size_t k = c->packing_ks_glwe_dimension, N = c->packing_ks_polynomial_size, kn = k * N;
    size_t lpg = c->lwe_per_glwe;
    memset(l, 0, sizeof *l);
    l->glwe_count = (total + lpg - 1) / lpg;
    l->glwes = xcalloc(l->glwe_count, sizeof *l->glwes);
    for (size_t g = 0; g < l->glwe_count; g++) {
        size_t bodies = total - g * lpg < lpg ? total - g * lpg : lpg;
        u128 *ct = xcalloc(kn + N, 16);
        for (size_t t = 0; t < bodies; t++)
            ct[kn + t] = (u128)pairs[g * lpg + t] << 123;
        assert_int_equal(packing_glwe_encrypt_assign_u128(ct, e->priv->glwe_sk, (unsigned)k, N,
                                                          c->packing_ks_noise_log2, &e->rng), 0);
        l->glwes[g] = (struct snscomp_glwe){.packed = ct, .packed_len = kn + bodies,
                                            .log_modulus = 128, .initial_len = kn + bodies,
                                            .glwe_dimension = k, .polynomial_size = N,
                                            .bodies_count = bodies};
    }
    l->has_meta = 1;
    l->meta = (struct snscomp_meta){e->p->sns.message_modulus, e->p->sns.carry_modulus, lpg};
    l->info = xcalloc(count + 1, sizeof *l->info);
    memcpy(l->info, info, count * sizeof *info);
    l->info_count = count;
}

static void test_direct_default(void **state)
{
    (void)state;
    struct snsenv e;
    snsenv_init(&e, "default", 0, 2);
    static const int32_t types[] = {RADIX_UINT64, RADIX_BOOL, RADIX_INT8, RADIX_UINT2048,
                                    RADIX_INT4, RADIX_UINT80, RADIX_BOOL};
    size_t count = sizeof types / sizeof types[0], total = 0;
    uint8_t want[7][RADIX_MAX_BYTES], pairs[1024];
    struct compression_data_kind info[7];
    uint64_t seed = 3;
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        random_value(want[i], t, &seed);
        total += packed_pairs(pairs + total, want[i], t);
        info[i] = (struct compression_data_kind){
            t->is_bool ? COMPRESSION_KIND_BOOLEAN
                       : (t->is_signed ? COMPRESSION_KIND_SIGNED : COMPRESSION_KIND_UNSIGNED),
            t->is_bool ? 0 : t->blocks, 0, 0};
    }
    struct snscomp_list l;
    make_direct_list(&l, &e, pairs, total, info, count); /* 558 LWEs over five GLWEs */
    assert_int_equal(snscomp_list_validate(&l), 0);
    assert_int_equal(snscomp_list_check_params(&l, e.p), 0);
    uint8_t got[RADIX_MAX_BYTES];
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, got, radix_type_bytes(t), &l, i,
                                              types[i]), 0);
        assert_memory_equal(got, want[i], radix_type_bytes(t));
    }
    /* a FheBool holding 2 (a packed value a boolean block never has) is
     * true, as tfhe-rs's decrypt_bool (value != 0) has it */
    uint8_t two = 2;
    struct compression_data_kind bk = {COMPRESSION_KIND_BOOLEAN, 0, 0, 0};
    snscomp_list_free(&l);
    make_direct_list(&l, &e, &two, 1, &bk, 1);
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, got, 1, &l, 0, RADIX_BOOL), 0);
    assert_int_equal(got[0], 1);
    snscomp_list_free(&l);
    snsenv_free(&e);
}

/* ---- malformed lists ---- */

static void test_malformed(void **state)
{
    (void)state;
    struct snsenv e;
    snsenv_init(&e, "test", 0, 3);
    uint8_t pairs[200] = {0}, out[RADIX_MAX_BYTES];
    struct compression_data_kind u64 = {COMPRESSION_KIND_UNSIGNED, 32, 0, 0};
    struct compression_data_kind big[2] = {{COMPRESSION_KIND_UNSIGNED, 256, 0, 0},
                                           {COMPRESSION_KIND_UNSIGNED, 32, 0, 0}};
    struct snscomp_list l;
#define BAD(build, ...)                                                                      \
    do {                                                                                     \
        build;                                                                               \
        size_t glwes_ = l.glwe_count;                                                        \
        __VA_ARGS__;                                                                         \
        int rc_ = snscomp_list_validate(&l);                                                 \
        if (rc_ == 0)                                                                        \
            rc_ = snscomp_list_check_params(&l, e.p);                                        \
        assert_true(rc_ < 0);                                                                \
        memset(out, 0xaa, 8);                                                                \
        assert_true(snscomp_list_decrypt(e.priv, e.sc, out, 8, &l, 0, RADIX_UINT64) < 0);     \
        for (size_t i_ = 0; i_ < 8; i_++)                                                    \
            assert_int_equal(out[i_], 0); /* no partial plaintext */                         \
        l.glwe_count = glwes_;                                                               \
        snscomp_list_free(&l);                                                               \
    } while (0)
#define ONE make_direct_list(&l, &e, pairs, 16, &u64, 1)
#define TWO make_direct_list(&l, &e, pairs, 144, big, 2)
    ONE;
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, out, 8, &l, 0, RADIX_UINT64), 0);
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, out, 8, &l, 1, RADIX_UINT64), KMS_EINVAL);
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, out, 4, &l, 0, RADIX_UINT32), KMS_EINVAL);
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, out, 8, &l, 0, RADIX_INT64), KMS_EINVAL);
    assert_int_equal(snscomp_list_decrypt(e.priv, e.sc, out, 1, &l, 0, RADIX_BOOL), KMS_EINVAL);
    uint8_t vals[20];
    assert_int_equal(snscomp_decrypt_values(e.priv, e.sc, vals, &l, 10, 7), KMS_EINVAL);
    snscomp_list_free(&l);
    TWO;
    assert_int_equal(snscomp_list_validate(&l), 0);
    snscomp_list_free(&l);
    BAD(ONE, l.glwes[0].packed_len--);
    BAD(ONE, l.glwes[0].packed_len++);
    BAD(ONE, l.glwes[0].initial_len--);
    BAD(ONE, l.glwes[0].bodies_count = 17);
    BAD(ONE, l.glwes[0].bodies_count = 257; l.glwes[0].initial_len = 513;
        l.glwes[0].packed_len = 513);
    BAD(ONE, l.glwes[0].log_modulus = 0);
    BAD(ONE, l.glwes[0].log_modulus = 129);
    BAD(ONE, l.glwes[0].log_modulus = 64; l.glwes[0].packed_len = 136);
    BAD(ONE, l.glwes[0].uncompressed_modulus = (u128)1 << 127);
    BAD(ONE, l.glwes[0].polynomial_size = 128; l.glwes[0].initial_len = 144;
        l.glwes[0].packed_len = 144);
    BAD(ONE, l.has_meta = 0);
    BAD(ONE, l.meta.lwe_per_glwe = 0);
    BAD(ONE, l.meta.lwe_per_glwe = 257);
    BAD(ONE, l.meta.message_modulus = 8);
    BAD(ONE, l.meta.carry_modulus = 0);
    BAD(ONE, l.info[0].num_blocks = 34);
    BAD(ONE, l.info[0].num_blocks = 30);
    BAD(ONE, l.info[0].num_blocks = 0);
    BAD(ONE, l.info[0].kind = 4);
    BAD(ONE, l.info_count = 0);
    BAD(ONE, free(l.glwes[0].packed); l.glwes[0].packed = NULL);
    BAD(TWO, l.glwes[0].bodies_count = 127; l.glwes[0].initial_len--; l.glwes[0].packed_len--);
    BAD(TWO, l.meta.lwe_per_glwe = 16);
    BAD(TWO, l.glwe_count = 1);
    BAD(TWO, l.glwes[1].glwe_dimension = 2; l.glwes[1].initial_len += 256;
        l.glwes[1].packed_len += 256);
#undef BAD
#undef ONE
#undef TWO
    /* made for another parameter set */
    make_direct_list(&l, &e, pairs, 16, &u64, 1);
    assert_int_equal(snscomp_list_check_params(&l, get("default")), KMS_EINVAL);
    assert_int_equal(snscomp_list_check_params(&l, get("message_2_carry_2")), KMS_EINVAL);
    snscomp_list_free(&l);
    snscomp_list_free(NULL);
    struct snscomp_private_key *k2;
    u128 bits[256] = {0};
    assert_int_equal(snscomp_private_key_from_bits(&k2, e.p, bits, 256), 0);
    snscomp_private_key_free(k2);
    bits[7] = 3;
    assert_int_equal(snscomp_private_key_from_bits(&k2, e.p, bits, 256), KMS_EINVAL);
    assert_int_equal(snscomp_private_key_from_bits(&k2, e.p, bits, 255), KMS_EINVAL);
    struct snscomp_key *key;
    assert_int_equal(snscomp_key_new(&key, e.priv, e.sns_sk, e.n - 1, &e.rng), KMS_EINVAL);
    snsenv_free(&e);
}

#ifndef SNSC_TEST_SLOW
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packing128_exact),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_round_trip_test_set),
        cmocka_unit_test(test_direct_default),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif

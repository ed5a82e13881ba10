/* The uncompressed high-level ServerKey (wire_server_key.h).
 *
 * Golden layout: a "test"-set keyset (n = 1, k = 1, N = 256, SnS N = 256
 * with 2 levels, drift switches with 10 and 8 zeros) kept in the standard
 * domain at generation (KEYSET_KEEP_STD, so independent of the expansion
 * the writer does), written as a ServerKey and walked field by field with an
 * independent cursor against the tfhe-rs 1.7.0 definitions (the struct,
 * then the last variant of its backward_compatibility Versions enum):
 * high_level_api keys/server.rs and keys/inner.rs (IntegerServerKey V9),
 * shortint GenericServerKey V2, StandardAtomicPatternServerKey,
 * SerializableShortintBootstrappingKey V2, core_crypto LweKeyswitchKey V2,
 * FourierLweBootstrapKey V1 with FourierPolynomialList's serde form
 * (fft64/math/fft/mod.rs; tfhe-fft serialize_fourier_buffer writes each
 * polynomial in natural order), Fourier128LweBootstrapKey V1, the noise
 * squashing, compression, re-randomization and OPRF keys.
 *
 * Data checks: standard-domain vectors equal the generated keys; every
 * 64-bit Fourier polynomial equals the natural-order FFT of the generated
 * polynomial; the 128-bit planes are the generated polynomials evaluated
 * at n distinct roots of X^n = i (checked by a direct double-double
 * evaluation and, the other way, by a direct inverse transform back to the
 * generated u128 words).
 *
 * Then: byte-exact read -> write; the key written from a CompressedServer
 * Key read back equals the one written from the keyset; truncated,
 * oversized, wrong-version, wrong-type, mismatched-parameter inputs and a
 * size limit below the object's size are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>

#include "tfhe/compression.h"
#include "tfhe/fft.h"
#include "tfhe/sns.h"
#include "tfhe/snscomp.h"
#include "tfhe/wire/wire_f128.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"
#include "wire_test_util.h"

static const uint8_t TAG[] = {'k', 'e', 'y', '-', 'i', 'd'};

static struct keyset *make_keyset(uint8_t s)
{
    uint8_t seed[16] = {s, 9, 3};
    struct keyset *ks;
    assert_int_equal(keyset_generate(&ks, wt_params("test"), seed, sizeof seed, TAG, sizeof TAG,
                                     128, 1.0, KEYSET_KEEP_STD),
                     0);
    return ks;
}

static int put_sk(struct wire_sink *s, const void *o) { return wire_server_key_write(s, o); }
static int put_read(struct wire_sink *s, const void *o) { return wire_server_key_write_read(s, o); }
static int put_csk(struct wire_sink *s, const void *o) { return wire_csk_write(s, o, NULL); }
static int put_seeded(struct wire_sink *s, const void *o)
{
    return wire_server_key_write_seeded(s, o);
}

static double f64_at(struct wt_cur *c)
{
    uint64_t w = (uint64_t)wt_take(c, 8);
    double d;
    memcpy(&d, &w, 8);
    return d;
}

/* A Vec of a whole generated component (standard domain). */
static void std_vec(struct wt_cur *c, const struct keyset *ks, enum keyset_comp comp)
{
    const struct keyset_layout *l = &ks->pub.comp[comp].layout;
    U64(c, keyset_layout_words(l));
    wt_bytes_at(c, ks->std[comp], keyset_layout_words(l) * l->word_bytes);
}

static void f64_eq(struct wt_cur *c, const double *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double got = f64_at(c);
        if (memcmp(&got, &want[i], 8) != 0)
            fail_msg("%s value %zu: %.17g, expected %.17g", what, i, got, want[i]);
    }
}

/* FourierLweBootstrapKey V1 of a generated 64-bit BSK. */
static void fourier64(struct wt_cur *c, const struct keyset *ks, enum keyset_comp comp,
                      const struct bsk_shape *bs)
{
    const struct fft_plan *plan;
    size_t N = bs->polynomial_size, polys = bsk_polys(bs);
    double *four = fft_buf_alloc(N), *nat = fft_buf_alloc(N);
    assert_int_equal(fft_plan_get(&plan, N), 0);
    U32(c, 1); /* FourierLweBootstrapKeyVersions::V1 */
    U32(c, 0); /* FourierPolynomialListVersioned::V0 */
    U64(c, 2 + polys);
    U64(c, N);
    U64(c, polys);
    for (size_t q = 0; q < polys; q++) {
        U64(c, N / 2);
        fft_forward_torus(plan, four, (const uint64_t *)ks->std[comp] + q * N);
        fft_to_natural(plan, nat, four);
        f64_eq(c, nat, N, keyset_comp_name(comp));
    }
    fft_buf_free(four);
    fft_buf_free(nat);
    SCALAR(c, bs->lwe_dimension);
    SCALAR(c, bs->glwe_dimension + 1);
    SCALAR(c, bs->base_log);
    SCALAR(c, bs->level);
}

static void drift_key(struct wt_cur *c, const struct keyset *ks, enum keyset_comp comp,
                      const struct tfhe_ms_params *ms)
{
    U32(c, 0); /* ModulusSwitchConfigurationVersions::V0 */
    U32(c, 1); /* DriftTechniqueNoiseReduction */
    U32(c, 1); /* ModulusSwitchNoiseReductionKeyVersions::V1 */
    U32(c, 0); /* LweCiphertextListVersions::V0 */
    std_vec(c, ks, comp);
    SCALAR(c, ks->pub.params->pbs.lwe_dimension + 1);
    NATIVE_MODULUS(c, 64);
    U32(c, 0);
    assert_true(f64_at(c) == (double)ms->ms_bound);
    U32(c, 0);
    assert_true(f64_at(c) == ms->ms_r_sigma_factor);
    U32(c, 0);
    assert_true(f64_at(c) == ms->ms_input_variance);
}

static void ksk(struct wt_cur *c, const struct keyset *ks, enum keyset_comp comp, unsigned base_log,
                unsigned level)
{
    U32(c, 2); /* LweKeyswitchKeyVersions::V2 */
    std_vec(c, ks, comp);
    SCALAR(c, base_log);
    SCALAR(c, level);
    SCALAR(c, ks->pub.params->pbs.lwe_dimension + 1);
    NATIVE_MODULUS(c, 64);
}

static void pksk(struct wt_cur *c, const struct keyset *ks, enum keyset_comp comp,
                 const struct packing_ksk_shape *ps, unsigned bits)
{
    U32(c, 2); /* LwePackingKeyswitchKeyVersions::V2 */
    std_vec(c, ks, comp);
    SCALAR(c, ps->base_log);
    SCALAR(c, ps->level);
    SCALAR(c, ps->glwe_dimension + 1);
    SCALAR(c, ps->polynomial_size);
    NATIVE_MODULUS(c, bits);
}

/* ---- double-double checks of the 128-bit planes ---- */

/* A complex double-double value as long doubles would lose precision:
 * keep (hi, lo) pairs and do the few operations the checks need. */
struct cdd {
    double re0, re1, im0, im1;
};

static void two_prod(double a, double b, double *p, double *e)
{
    *p = a * b;
    *e = fma(a, b, -*p);
}
static void dd_norm(double *hi, double *lo)
{
    double s = *hi + *lo;
    *lo = *lo - (s - *hi);
    *hi = s;
}
static void dd_addx(double *h, double *l, double bh, double bl)
{
    double s = *h + bh, bb = s - *h;
    double e = (*h - (s - bb)) + (bh - bb) + *l + bl;
    *h = s;
    *l = e;
    dd_norm(h, l);
}
static void dd_mulx(double *h, double *l, double bh, double bl)
{
    double p, e;
    two_prod(*h, bh, &p, &e);
    e += *h * bl + *l * bh;
    *h = p;
    *l = e;
    dd_norm(h, l);
}
static struct cdd cmul(struct cdd a, struct cdd b)
{
    double rh = a.re0, rl = a.re1, th = a.im0, tl = a.im1;
    dd_mulx(&rh, &rl, b.re0, b.re1);
    dd_mulx(&th, &tl, b.im0, b.im1);
    dd_addx(&rh, &rl, -th, -tl);
    double ih = a.re0, il = a.re1, uh = a.im0, ul = a.im1;
    dd_mulx(&ih, &il, b.im0, b.im1);
    dd_mulx(&uh, &ul, b.re0, b.re1);
    dd_addx(&ih, &il, uh, ul);
    return (struct cdd){rh, rl, ih, il};
}

/* The plan's roots: the transform of X (coefficient 1 = 2^120, i.e. 2^-8
 * on the torus) at each output position, scaled back. */
static void roots(struct wire_f128_plan *plan, size_t N, struct cdd *w)
{
    size_t n = N / 2;
    u128 *x = calloc(N, sizeof *x);
    double *pl = calloc(4 * n, sizeof *pl);
    x[1] = (u128)1 << 120;
    wire_f128_forward_torus(plan, pl, pl + n, pl + 2 * n, pl + 3 * n, x);
    for (size_t q = 0; q < n; q++)
        w[q] = (struct cdd){ldexp(pl[q], 8), ldexp(pl[n + q], 8), ldexp(pl[2 * n + q], 8),
                            ldexp(pl[3 * n + q], 8)};
    free(x);
    free(pl);
}

static double torus_dd(u128 x, double *lo)
{
    double h = (double)(__int128)x;
    u128 back = (u128)(h < 0 ? -h : h);
    if (h < 0)
        back = (u128)0 - back;
    *lo = ldexp((double)(__int128)(x - back), -128);
    return ldexp(h, -128);
}

/* sum_j z_j w^j by Horner, z_j = p_j + i p_{j+n}. */
static struct cdd eval(const u128 *p, size_t n, struct cdd w)
{
    struct cdd acc = {0, 0, 0, 0};
    for (size_t j = n; j-- > 0;) {
        acc = cmul(acc, w);
        double lo;
        double hi = torus_dd(p[j], &lo);
        dd_addx(&acc.re0, &acc.re1, hi, lo);
        hi = torus_dd(p[j + n], &lo);
        dd_addx(&acc.im0, &acc.im1, hi, lo);
    }
    return acc;
}

static void test_f128_roots_and_values(void **state)
{
    (void)state;
    for (size_t N = 64; N <= 512; N *= 2) {
        size_t n = N / 2;
        struct wire_f128_plan *plan;
        assert_int_equal(wire_f128_plan_new(&plan, N), 0);
        struct cdd *w = calloc(n, sizeof *w);
        roots(plan, N, w);
        for (size_t q = 0; q < n; q++) {
            struct cdd r = w[q];
            for (size_t k = 1; k < n; k *= 2) /* r = w^n */
                r = cmul(r, r);
            /* w^n = i to double-double precision */
            assert_true(fabs(r.re0 + r.re1) < 0x1p-95);
            assert_true(fabs((r.im0 - 1.0) + r.im1) < 0x1p-95);
            for (size_t q2 = 0; q2 < q; q2++)
                assert_true(fabs(w[q].re0 - w[q2].re0) + fabs(w[q].im0 - w[q2].im0) > 1e-6);
        }
        /* random torus polynomials: the planes are the evaluations */
        u128 *p = calloc(N, sizeof *p);
        double *pl = calloc(4 * n, sizeof *pl);
        uint64_t x = 0x9e3779b97f4a7c15ull * N;
        for (size_t j = 0; j < N; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            u128 hi = x;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            p[j] = hi << 64 | x;
        }
        wire_f128_forward_torus(plan, pl, pl + n, pl + 2 * n, pl + 3 * n, p);
        for (size_t q = 0; q < n; q++) {
            struct cdd v = eval(p, n, w[q]);
            double dre = (pl[q] - v.re0) + (pl[n + q] - v.re1);
            double dim = (pl[2 * n + q] - v.im0) + (pl[3 * n + q] - v.im1);
            if (fabs(dre) > 0x1p-92 || fabs(dim) > 0x1p-92)
                fail_msg("N %zu position %zu: off by %g, %g", N, q, dre, dim);
            /* the planes are normalized double-doubles */
            assert_true(fabs(pl[n + q]) <= ldexp(fabs(pl[q]), -52));
        }
        free(p);
        free(pl);
        free(w);
        wire_f128_plan_free(plan);
    }
    struct wire_f128_plan *bad;
    assert_int_equal(wire_f128_plan_new(&bad, 48), KMS_EINVAL);
    assert_null(bad);
}

/* The 128-bit planes of GGSW polynomial q, inverted directly at the roots,
 * give back the generated words (to the transform's precision). */
static void check_planes(const uint8_t *planes[4], size_t words, const u128 *std, size_t polys,
                         size_t N)
{
    size_t n = N / 2;
    struct wire_f128_plan *plan;
    assert_int_equal(wire_f128_plan_new(&plan, N), 0);
    struct cdd *w = calloc(n, sizeof *w), *v = calloc(n, sizeof *v);
    roots(plan, N, w);
    assert_int_equal(words, polys * n);
    for (size_t q = 0; q < polys; q += polys / 4 + 1) {
        for (size_t k = 0; k < n; k++) {
            double d[4];
            for (int t = 0; t < 4; t++) {
                uint64_t b;
                memcpy(&b, planes[t] + 8 * (q * n + k), 8);
                memcpy(&d[t], &b, 8);
            }
            v[k] = (struct cdd){d[0], d[1], d[2], d[3]};
        }
        /* z_j = (1/n) sum_k v_k conj(w_k)^j; |w_k| = 1 */
        struct cdd *pw = calloc(n, sizeof *pw);
        for (size_t k = 0; k < n; k++)
            pw[k] = (struct cdd){1, 0, 0, 0};
        for (size_t j = 0; j < n; j++) {
            struct cdd z = {0, 0, 0, 0};
            for (size_t k = 0; k < n; k++) {
                struct cdd t = cmul(v[k], pw[k]);
                dd_addx(&z.re0, &z.re1, t.re0, t.re1);
                dd_addx(&z.im0, &z.im1, t.im0, t.im1);
                pw[k] = cmul(pw[k], (struct cdd){w[k].re0, w[k].re1, -w[k].im0, -w[k].im1});
            }
            double lo, hi;
            hi = torus_dd(std[q * N + j], &lo);
            double dre = (z.re0 / (double)n - hi) + (z.re1 / (double)n - lo);
            double dwrap = dre - nearbyint(dre);
            hi = torus_dd(std[q * N + j + n], &lo);
            double dim = (z.im0 / (double)n - hi) + (z.im1 / (double)n - lo);
            double dwrap2 = dim - nearbyint(dim);
            if (fabs(dwrap) > 0x1p-85 || fabs(dwrap2) > 0x1p-85)
                fail_msg("SnS BSK polynomial %zu coefficient %zu: off by %g, %g", q, j, dwrap,
                         dwrap2);
        }
        free(pw);
    }
    free(w);
    free(v);
    wire_f128_plan_free(plan);
}

/* ---- the walk ---- */

static void walk(const uint8_t *b, size_t len, const struct keyset *ks)
{
    const struct tfhe_params *p = ks->pub.params;
    const struct tfhe_pbs_params *q = &p->pbs;
    struct wt_cur c = {b, len, 0};
    struct bsk_shape cbs = {q->lwe_dimension, q->glwe_dimension, q->polynomial_size,
                            q->pbs_base_log, q->pbs_level},
                     dbs, sbs = sns_bsk_shape(p);
    struct packing_ksk_shape cps, sps;
    assert_int_equal(compression_packing_shape(p, &cps), 0);
    assert_int_equal(compression_decompression_shape(p, &dbs), 0);
    assert_int_equal(snscomp_packing_shape(p, &sps), 0);

    wt_header(&c, WIRE_NAME_SERVER_KEY);

    U32(&c, 3); /* ServerKeyVersions::V3 (Arc is transparent) */
    U32(&c, 9); /* IntegerServerKeyVersions::V9 */
    U32(&c, 1); /* integer ServerKeyVersions::V1 */
    U32(&c, 2); /* GenericServerKeyVersions::V2 */
    U32(&c, 0); /* AtomicPatternServerKeyVersions::V0 */
    U32(&c, 0); /* Standard */
    U32(&c, 0); /* StandardAtomicPatternServerKeyVersions::V0 */
    ksk(&c, ks, KEYSET_COMPUTE_KSK, q->ks_base_log, q->ks_level);
    U32(&c, 2); /* SerializableShortintBootstrappingKeyVersions::V2 */
    U32(&c, 0); /* Classic */
    fourier64(&c, ks, KEYSET_COMPUTE_BSK, &cbs);
    drift_key(&c, ks, KEYSET_COMPUTE_MS, &q->ms);
    U32(&c, 0); /* PBSOrderVersions::V0 */
    U32(&c, 0); /* KeyswitchBootstrap */
    SCALAR(&c, 4);      /* message_modulus */
    SCALAR(&c, 4);      /* carry_modulus */
    SCALAR(&c, 16 - 4); /* max_degree: message * carry - carry */
    SCALAR(&c, 5);      /* max_noise_level */
    NATIVE_MODULUS(&c, 64);

    U8(&c, 1);  /* Some(cpk_key_switching_key_material) */
    U32(&c, 0); /* integer KeySwitchingKeyMaterialVersions::V0 */
    U32(&c, 1); /* shortint KeySwitchingKeyMaterialVersions::V1 */
    ksk(&c, ks, KEYSET_CASTING_KSK, p->casting.ks_base_log, p->casting.ks_level);
    U8(&c, 0);  /* cast_rshift */
    U32(&c, 0); /* EncryptionKeyChoiceVersions::V0 */
    U32(&c, 1); /* Small */
    U32(&c, 0); /* KeySwitchingKeyDestinationAtomicPatternVersions::V0 */
    U32(&c, 0); /* Standard */

    U8(&c, 1);  /* Some(compression_key) */
    U32(&c, 0); /* integer CompressionKeyVersions::V0 */
    U32(&c, 0); /* shortint CompressionKeyVersions::V0 */
    pksk(&c, ks, KEYSET_COMPRESSION, &cps, 64);
    SCALAR(&c, p->compression.lwe_per_glwe);
    SCALAR(&c, p->compression.storage_log_modulus);
    U8(&c, 1);  /* Some(decompression_key) */
    U32(&c, 0); /* integer DecompressionKeyVersions::V0 */
    U32(&c, 2); /* shortint DecompressionKeyVersions::V2 */
    U32(&c, 2); /* SerializableShortintBootstrappingKeyVersions::V2 */
    U32(&c, 0); /* Classic */
    fourier64(&c, ks, KEYSET_DECOMPRESSION, &dbs);
    U32(&c, 0); /* ModulusSwitchConfigurationVersions::V0 */
    U32(&c, 0); /* Standard */
    SCALAR(&c, p->compression.lwe_per_glwe);

    U8(&c, 1);  /* Some(noise_squashing_key) */
    U32(&c, 0); /* integer NoiseSquashingKeyVersions::V0 */
    U32(&c, 3); /* GenericNoiseSquashingKeyVersions::V3 */
    U32(&c, 0); /* AtomicPatternNoiseSquashingKeyVersions::V0 */
    U32(&c, 0); /* Standard */
    U32(&c, 0); /* StandardAtomicPatternNoiseSquashingKeyVersions::V0 */
    U32(&c, 1); /* Shortint128BootstrappingKeyVersions::V1 */
    U32(&c, 0); /* Classic */
    U32(&c, 1); /* Fourier128LweBootstrapKeyVersions::V1 */
    size_t polys = bsk_polys(&sbs), words = polys * sbs.polynomial_size / 2;
    const uint8_t *planes[4];
    for (int t = 0; t < 4; t++) {
        U64(&c, words);
        planes[t] = c.p + c.pos;
        c.pos += 8 * words;
    }
    check_planes(planes, words, ks->std[KEYSET_SNS_BSK], polys, sbs.polynomial_size);
    SCALAR(&c, sbs.polynomial_size);
    SCALAR(&c, sbs.lwe_dimension);
    SCALAR(&c, sbs.glwe_dimension + 1);
    SCALAR(&c, sbs.base_log);
    SCALAR(&c, sbs.level);
    drift_key(&c, ks, KEYSET_SNS_MS, &p->sns.ms);
    SCALAR(&c, p->sns.message_modulus);
    SCALAR(&c, p->sns.carry_modulus);
    NATIVE_MODULUS(&c, 128);
    U8(&c, 1);  /* Some(noise_squashing_compression_key) */
    U32(&c, 0); /* integer NoiseSquashingCompressionKeyVersions::V0 */
    U32(&c, 0); /* shortint NoiseSquashingCompressionKeyVersions::V0 */
    pksk(&c, ks, KEYSET_SNS_COMPRESSION, &sps, 128);
    SCALAR(&c, p->sns_compression.lwe_per_glwe);

    U8(&c, 1);  /* Some(cpk_re_randomization_key) */
    U32(&c, 0); /* ReRandomizationKeyVersions::V0 */
    U32(&c, 1); /* DerivedCPKWithoutKeySwitch */
    U32(&c, 0); /* integer CompactPublicKeyVersions::V0 */
    U32(&c, 1); /* shortint CompactPublicKeyVersions::V1 */
    U32(&c, 0); /* LweCompactPublicKeyVersions::V0 */
    U32(&c, 0); /* GlweCiphertextVersions::V0 */
    std_vec(&c, ks, KEYSET_RERAND_CPK);
    SCALAR(&c, (uint64_t)q->glwe_dimension * q->polynomial_size);
    NATIVE_MODULUS(&c, 64);
    /* CompactPublicKeyEncryptionParameters: wire_params's codec, checked
     * field by field in test_wire_params; here only its extent */
    struct reader r;
    struct wire_cpk_params cp;
    reader_init(&r, c.p + c.pos, c.len - c.pos);
    assert_int_equal(wire_get_cpk_params(&r, &cp), 0);
    assert_int_equal(cp.cpk.lwe_dimension, q->glwe_dimension * q->polynomial_size);
    assert_int_equal(cp.expansion, WIRE_EXPANSION_NO_CASTING);
    c.pos += r.pos;

    U8(&c, 1);  /* Some(oprf_key) */
    U32(&c, 0); /* integer GenericOprfServerKeyVersions::V0 */
    U32(&c, 0); /* shortint GenericOprfServerKeyVersions::V0 */
    U32(&c, 0); /* OprfBootstrappingKeyVersions::V0 */
    U32(&c, 0); /* Classic */
    fourier64(&c, ks, KEYSET_OPRF_BSK, &cbs);

    wt_tag(&c, TAG, sizeof TAG);
    assert_int_equal(c.pos, len);
}

static void test_layout(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(1);
    size_t len;
    uint8_t *b = wt_serialize(put_sk, &ks->pub, &len);
    walk(b, len, ks);
    free(b);
    keyset_free(ks);
}

/* ---- reading ---- */

static void test_round_trips(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(2);
    size_t len, len2, len3;
    uint8_t *b = wt_serialize(put_sk, &ks->pub, &len);
    const struct tfhe_params *given[2] = {wt_params("test"), NULL};
    for (int i = 0; i < 2; i++) {
        struct wire_server_key k;
        assert_int_equal(wire_server_key_read(&k, b, len, len, given[i]), 0);
        assert_ptr_equal(k.params, wt_params("test"));
        assert_int_equal(k.present, wire_keyset_components(WIRE_KEYSET_CSK, k.params));
        assert_int_equal(k.total_bytes, len);
        assert_int_equal(k.tag_len, sizeof TAG);
        assert_memory_equal(k.tag, TAG, sizeof TAG);
        /* standard-domain components: their words */
        const struct keyset_layout *l = &ks->pub.comp[KEYSET_COMPUTE_KSK].layout;
        assert_int_equal(k.comp_bytes[KEYSET_COMPUTE_KSK], keyset_layout_words(l) * 8);
        assert_memory_equal(k.vec[KEYSET_COMPUTE_KSK][0].p, ks->std[KEYSET_COMPUTE_KSK],
                            keyset_layout_words(l) * 8);
        uint8_t *back = wt_serialize(put_read, &k, &len2);
        assert_int_equal(len2, len);
        assert_memory_equal(back, b, len);
        free(back);
        wire_server_key_clear(&k);
    }
    /* a CompressedServerKey read back gives the same ServerKey */
    uint8_t *csk = wt_serialize(put_csk, &ks->pub, &len3);
    struct wire_seeded_keyset sk;
    assert_int_equal(wire_seeded_keyset_read(&sk, csk, len3, len3, NULL), 0);
    assert_true(sk.replayable);
    uint8_t *again = wt_serialize(put_sk, &sk.pub, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, b, len);
    free(again);
    again = wt_serialize(put_seeded, &sk, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, b, len);
    free(again);
    wire_seeded_keyset_clear(&sk);
    free(csk);
    free(b);
    keyset_free(ks);
}

/* A ServerKey of the compute key alone (every Option None, as tfhe-rs
 * writes for a config without CPK, compression, SnS, re-randomization or
 * OPRF): cut a full key after its shortint part and append seven None and
 * the tag. */
static void test_compute_only(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(4);
    size_t len, len2;
    uint8_t *b = wt_serialize(put_sk, &ks->pub, &len);
    struct wire_server_key k;
    assert_int_equal(wire_server_key_read(&k, b, len, len, NULL), 0);
    /* Some, integer V0, shortint V1, LweKeyswitchKey V2, Vec length: 21 bytes */
    size_t cut = (size_t)(k.vec[KEYSET_CASTING_KSK][0].p - b) - 21;
    wire_server_key_clear(&k);
    assert_int_equal(b[cut], 1);
    size_t n = cut + 7 + 4 + 8 + sizeof TAG;
    uint8_t *c = malloc(n);
    assert_non_null(c);
    memcpy(c, b, cut);
    memset(c + cut, 0, 7 + 4);
    c[cut + 11] = sizeof TAG;
    memset(c + cut + 12, 0, 7);
    memcpy(c + cut + 19, TAG, sizeof TAG);
    assert_int_equal(wire_server_key_read(&k, c, n, n, wt_params("test")), 0);
    unsigned want = 1u << KEYSET_COMPUTE_KSK | 1u << KEYSET_COMPUTE_BSK | 1u << KEYSET_COMPUTE_MS;
    assert_int_equal(k.present, want);
    assert_int_equal(k.comp_bytes[KEYSET_SNS_BSK], 0);
    uint8_t *back = wt_serialize(put_read, &k, &len2);
    assert_int_equal(len2, n);
    assert_memory_equal(back, c, n);
    free(back);
    wire_server_key_clear(&k);
    /* an Option byte that is neither 0 nor 1 */
    c[cut + 3] = 2;
    assert_int_equal(wire_server_key_read(&k, c, n, n, NULL), KMS_EINVAL);
    free(c);
    free(b);
    keyset_free(ks);
}

/* A CompressedServerKey whose entities have their own Ctr seeds (tfhe-rs
 * CompressedServerKey::new) decompresses each from its own seed. */
static void test_ctr_seeds(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(5);
    struct wire_cseed seeds[KEYSET_COMP_COUNT];
    memset(seeds, 0, sizeof seeds);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        seeds[c].kind = WIRE_SEED_CTR;
        seeds[c].ctr = ((u128)0xfeedull << 64) | (0x2000u + (unsigned)c);
        seeds[c].first_byte = (u128)(3 * c);
    }
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_csk_write(&s, &ks->pub, seeds), 0);
    struct wire_seeded_keyset sk;
    assert_int_equal(wire_seeded_keyset_read(&sk, b.data, b.len, b.len, NULL), 0);
    assert_false(sk.replayable);
    size_t len;
    uint8_t *out = wt_serialize(put_seeded, &sk, &len);
    struct wire_server_key k;
    assert_int_equal(wire_server_key_read(&k, out, len, len, NULL), 0);
    static const enum keyset_comp std_comps[] = {KEYSET_COMPUTE_KSK, KEYSET_CASTING_KSK,
                                                 KEYSET_SNS_COMPRESSION, KEYSET_SNS_MS};
    for (size_t i = 0; i < sizeof std_comps / sizeof std_comps[0]; i++) {
        enum keyset_comp c = std_comps[i];
        const struct keyset_layout *l = &sk.pub.comp[c].layout;
        size_t words = keyset_layout_words(l);
        uint8_t *want = malloc(words * l->word_bytes);
        assert_non_null(want);
        assert_int_equal(wire_seeded_keyset_expand(&sk, c, want, words), 0);
        assert_int_equal(k.vec[c][0].n, words);
        assert_memory_equal(k.vec[c][0].p, want, words * l->word_bytes);
        free(want);
    }
    wire_server_key_clear(&k);
    free(out);
    /* a CompressedCompactPublicKey holds no server key */
    struct wire_seeded_keyset pk;
    buf_reset(&b);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_ccpk_write(&s, &ks->pub, NULL), 0);
    assert_int_equal(wire_seeded_keyset_read(&pk, b.data, b.len, b.len, NULL), 0);
    wire_sink_counter(&s);
    assert_int_equal(wire_server_key_write_seeded(&s, &pk), KMS_EINVAL);
    wire_seeded_keyset_clear(&pk);
    wire_seeded_keyset_clear(&sk);
    buf_free(&b);
    keyset_free(ks);
}

static int read_test(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_server_key k;
    int rc = wire_server_key_read(&k, b, len, limit, NULL);
    if (rc == 0)
        wire_server_key_clear(&k);
    else
        assert_int_equal(k.present, 0);
    return rc;
}

static void test_errors(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(3);
    size_t len, clen;
    uint8_t *b = wt_serialize(put_sk, &ks->pub, &len);
    /* prefixes, a trailing byte, random corruptions (wire_test_util.h) */
    wt_check_malformed(b, len, read_test);
    /* size limit: below the object's size is refused, as in tfhe-rs */
    assert_int_equal(read_test(b, len, len - 1), KMS_ELIMIT);
    assert_int_equal(read_test(b, len, len), 0);
    struct wire_sink s;
    struct buf out;
    buf_init(&out, BUF_UNLIMITED);
    wire_sink_buf(&s, &out, len - 1);
    assert_int_equal(wire_server_key_write(&s, &ks->pub), KMS_ELIMIT);
    buf_free(&out);
    /* truncated anywhere: header, small fields, inside the data */
    size_t cuts[] = {0, 10, 60, 80, 200, len / 3, len / 2, len - 20, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int rc = read_test(b, cuts[i], len);
        if (rc != KMS_ETRUNC && rc != KMS_EINVAL)
            fail_msg("cut at %zu: %d", cuts[i], rc);
    }
    /* oversized: a trailing byte */
    uint8_t *big = malloc(len + 1);
    memcpy(big, b, len);
    big[len] = 0;
    assert_int_equal(read_test(big, len + 1, len + 1), KMS_EINVAL);
    free(big);
    /* wrong version: ServerKeyVersions V2 (deprecated) right after the header */
    size_t body = 8 + 3 + 4 + 8 + 3 + 8 + strlen(WIRE_NAME_SERVER_KEY);
    uint8_t *v = malloc(len);
    memcpy(v, b, len);
    v[body] = 2;
    assert_int_equal(read_test(v, len, len), KMS_EINVAL);
    wt_assert_msg_has("ServerKey");
    /* a Fourier polynomial of the wrong length */
    memcpy(v, b, len);
    v[body] = 3;
    size_t at = 0;
    for (size_t i = body; i + 8 <= len; i++) { /* the first "u64 N/2 = 128" */
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w == 128 && i > body + 100) {
            at = i;
            break;
        }
    }
    assert_true(at > 0);
    v[at] = 127;
    assert_int_equal(read_test(v, len, len), KMS_EINVAL);
    wt_assert_msg_has("values, not 128");
    free(v);
    /* wrong type: a CompressedServerKey */
    uint8_t *csk = wt_serialize(put_csk, &ks->pub, &clen);
    assert_int_equal(read_test(csk, clen, clen), KMS_EINVAL);
    wt_assert_msg_has("wrong object type");
    free(csk);
    /* another parameter set */
    struct wire_server_key k;
    assert_int_equal(wire_server_key_read(&k, b, len, len, wt_params("default")), KMS_EINVAL);
    wt_assert_msg_has("where the parameters give");
    assert_int_equal(k.present, 0);
    assert_null(k.params);
    free(b);
    keyset_free(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f128_roots_and_values),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_compute_only),
        cmocka_unit_test(test_ctr_seeds),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

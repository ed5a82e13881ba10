/* The high-level ServerKey (wire_server_key.h). One codec runs three ways
 * (wire_codec.h): writing a keyset's expanded components, writing back what
 * was read, and reading (every field but data vectors and the tag checked
 * against the parameter set). The layout, from the tfhe-rs 1.7.0 structs
 * and the last variant of each backward_compatibility Versions enum:
 *
 *   "high_level_api::ServerKey":
 *   ServerKey V3 { key: Arc<IntegerServerKey> (transparent),
 *     IntegerServerKey V9 {
 *       key: integer ServerKey V1 { shortint ServerKey (GenericServerKey) V2 {
 *         atomic_pattern: AtomicPatternServerKey V0, variant 0 Standard(
 *           StandardAtomicPatternServerKey V0 {
 *             key_switching_key: LweKeyswitchKey V2 { data: Vec<u64> (big l_ks
 *               LWEs of n + 1 words), decomp_base_log, decomp_level_count,
 *               output_lwe_size, ciphertext_modulus },
 *             bootstrapping_key: BSK64 [compute BSK, compute MS key],
 *             pbs_order: PBSOrder V0, variant 0 KeyswitchBootstrap }),
 *         message_modulus, carry_modulus, max_degree, max_noise_level,
 *         ciphertext_modulus } },
 *       cpk_key_switching_key_material: Option<integer KeySwitchingKey
 *         Material V0 { shortint KeySwitchingKeyMaterial V1 {
 *         key_switching_key: LweKeyswitchKey [casting KSK], cast_rshift: i8,
 *         destination_key: EncryptionKeyChoice V0, destination_atomic_pattern:
 *         KeySwitchingKeyDestinationAtomicPattern V0 } }>,
 *       compression_key: Option<integer CompressionKey V0 { shortint V0 {
 *         packing_key_switching_key: LwePackingKeyswitchKey<u64> V2 { data,
 *         decomp_base_log, decomp_level_count, output_glwe_size,
 *         output_polynomial_size, ciphertext_modulus }, lwe_per_glwe,
 *         storage_log_modulus } }>,
 *       decompression_key: Option<integer DecompressionKey V0 { shortint V2 {
 *         bsk: BSK64 [decompression BSK, Standard], lwe_per_glwe } }>,
 *       noise_squashing_key: Option<integer NoiseSquashingKey V0 { shortint
 *         (GenericNoiseSquashingKey) V3 { atomic_pattern: AtomicPatternNoise
 *         SquashingKey V0, variant 0 Standard(StandardAtomicPatternNoise
 *         SquashingKey V0 { bootstrapping_key: Shortint128BootstrappingKey V1,
 *         variant 0 Classic { bsk: Fourier128LweBootstrapKey V1 { data_re0,
 *         data_re1, data_im0, data_im1: Vec<f64>, polynomial_size,
 *         input_lwe_dimension, glwe_size, decomposition_base_log,
 *         decomposition_level_count }, modulus_switch_noise_reduction_key: MSC
 *         [SnS MS key] } }), message_modulus, carry_modulus,
 *         output_ciphertext_modulus (u128) } }>,
 *       noise_squashing_compression_key: Option<integer NoiseSquashing
 *         CompressionKey V0 { shortint V0 { packing_key_switching_key:
 *         LwePackingKeyswitchKey<u128>, lwe_per_glwe } }>,
 *       cpk_re_randomization_key: Option<ReRandomizationKey V0, variant 1
 *         DerivedCPKWithoutKeySwitch { cpk: integer CompactPublicKey V0 {
 *         shortint CompactPublicKey V1 { key: LweCompactPublicKey V0 {
 *         GlweCiphertext V0 { data [A | B], polynomial_size, modulus } },
 *         parameters } } }>,
 *       oprf_key: Option<integer GenericOprfServerKey V0 { shortint
 *         GenericOprfServerKey V0 { inner: OprfBootstrappingKey V0, variant 0
 *         Classic { bsk: FourierLweBootstrapKey } } }> },
 *     tag: Tag }
 *
 *   BSK64 = ShortintBootstrappingKey<u64>, versioned through its
 *     SerializableShortintBootstrappingKey V2, variant 0 Classic {
 *     bsk: FourierLweBootstrapKey V1, modulus_switch_noise_reduction_key: MSC }
 *   FourierLweBootstrapKey V1 { fourier: FourierPolynomialList (V0 then its
 *     serde form: u64 2 + P, u64 N, u64 P, then P polynomials, each u64 N/2
 *     and N/2 (re, im) f64 pairs in natural order), input_lwe_dimension,
 *     glwe_size, decomposition_base_log, decomposition_level_count }
 *   MSC = ModulusSwitchConfiguration<u64> V0: 0 Standard |
 *     1 DriftTechniqueNoiseReduction(ModulusSwitchNoiseReductionKey V1 {
 *       modulus_switch_zeros: LweCiphertextList V0 { data, lwe_size,
 *       ciphertext_modulus }, ms_bound, ms_r_sigma_factor, ms_input_variance })
 *     | 2 CenteredMeanNoiseReduction
 *
 * Polynomials of a Fourier key are in the standard key's order (GGSW,
 * level, row, column). */
#include "tfhe/wire/wire_server_key.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/compression.h"
#include "tfhe/fft.h"
#include "tfhe/packing_ks.h"
#include "tfhe/sns.h"
#include "tfhe/snscomp.h"
#include "tfhe/wire/wire_codec.h"
#include "tfhe/wire/wire_f128.h"
#include "tfhe/wire/wire_params.h"

/* Versions tfhe-rs 1.7 writes (backward_compatibility modules). */
#define V_HL_SK 3u              /* high_level_api ServerKeyVersions */
#define V_HL_INTEGER_SK 9u      /* IntegerServerKeyVersions */
#define V_INTEGER_SK 1u
#define V_SHORTINT_SK 2u        /* GenericServerKeyVersions */
#define V_AP_SK 0u
#define V_STD_AP_SK 0u
#define V_KSK 2u                /* LweKeyswitchKeyVersions */
#define V_SER_BSK 2u            /* SerializableShortintBootstrappingKeyVersions */
#define V_FOURIER_BSK 1u
#define V_FOURIER_LIST 0u       /* FourierPolynomialListVersioned */
#define V_MS_KEY 1u
#define V_LWE_LIST 0u
#define V_INT_KSK_MATERIAL 0u
#define V_SH_KSK_MATERIAL 1u
#define V_COMPRESSION_KEY 0u    /* integer and shortint CompressionKey */
#define V_PKSK 2u
#define V_INT_DECOMPRESSION 0u
#define V_SH_DECOMPRESSION 2u
#define V_INT_SNS_KEY 0u
#define V_SH_SNS_KEY 3u         /* GenericNoiseSquashingKeyVersions */
#define V_AP_SNS_KEY 0u
#define V_STD_AP_SNS_KEY 0u
#define V_SNS_BSK_KIND 1u       /* Shortint128BootstrappingKeyVersions */
#define V_FOURIER128_BSK 1u
#define V_SNSCOMP_KEY 0u
#define V_RERAND_KEY 0u
#define V_INTEGER_CPK 0u
#define V_SHORTINT_CPK 1u
#define V_LWE_CPK 0u
#define V_GLWE 0u
#define V_OPRF_KEY 0u           /* integer and shortint GenericOprfServerKey */
#define V_OPRF_BSK 0u

#define CHUNK_BYTES ((size_t)1 << 20)

/* ============================ the codec ============================ */

enum sk_mode { SK_WRITE_KEYSET, SK_WRITE_READ, SK_READ };

struct skc {
    struct kc kc;
    enum sk_mode mode;
    const struct keyset_public *pub;   /* SK_WRITE_KEYSET */
    const struct wire_cseed *seeds;    /* SK_WRITE_KEYSET: per component, or NULL */
    const struct keyset_cancel *cancel; /* SK_WRITE_KEYSET: polled per GGSW or chunk */
    const struct wire_server_key *src; /* SK_WRITE_READ */
    struct wire_server_key *dst;       /* SK_READ: views and present bits */
    const uint8_t *tag;                /* SK_READ: the tag bytes */
    size_t tag_len;
    uint8_t *buf; /* scratch of CHUNK_BYTES or one GGSW (writing a keyset) */
    size_t buf_bytes;
    double *four, *c64; /* 64-bit transform scratch, N doubles each */
    double *planes;     /* 128-bit transform scratch, 4 x N/2 doubles per polynomial */
    struct wire_f128_plan *f128;
};

static int sk_status(const struct skc *c) { return kc_status(&c->kc); }

static int sk_scratch(struct skc *c, size_t bytes)
{
    if (c->buf_bytes >= bytes)
        return 0;
    free(c->buf);
    c->buf = malloc(bytes);
    c->buf_bytes = c->buf != NULL ? bytes : 0;
    return c->buf != NULL ? 0 : kms_err(KMS_ENOMEM, "wire: out of memory writing a server key");
}

static unsigned bit(enum keyset_comp comp) { return 1u << comp; }

/* An Option holding component comp (and its companions, read or written
 * along): Some when writing a keyset, as found otherwise. */
static int sk_option(struct skc *c, enum keyset_comp comp, const char *what, int *present)
{
    if (c->mode == SK_READ)
        return wire_get_option(c->kc.r, what, present);
    *present = c->mode == SK_WRITE_KEYSET || (c->src->present & bit(comp)) != 0;
    wire_put_option(c->kc.s, *present);
    return sk_status(c);
}

/* f64s as their little-endian bytes: the wire layer is little-endian only
 * (wire_io.c), so the doubles go out as they are in memory. */
static void f64s_put(struct wire_sink *s, const double *v, size_t n) { wire_put(s, v, 8 * n); }

/* The mask stream of component comp, standing at its first mask byte. */
static int comp_stream(struct csprng *g, const struct skc *c, enum keyset_comp comp)
{
    if (c->seeds != NULL)
        return wire_cseed_generator(g, &c->seeds[comp]);
    KMS_TRY(keyset_mask_stream(g, c->pub));
    csprng_seek_start(g, c->pub->comp[comp].first_byte);
    return 0;
}

/* The keyset's component comp, which must have `words` words of wb bytes. */
static int keyset_comp_check(const struct skc *c, enum keyset_comp comp, size_t words,
                             unsigned wb)
{
    const struct keyset_component *k = &c->pub->comp[comp];
    if (!k->layout.present || k->bodies == NULL || keyset_layout_words(&k->layout) != words ||
        k->layout.word_bytes != wb)
        return kms_err(KMS_EINVAL, "wire: the keyset's %s does not have the parameter set's "
                                   "shape", keyset_comp_name(comp));
    return 0;
}

/* Records a view of n words of wb bytes at p as vector v of component comp. */
static void sk_view(struct skc *c, enum keyset_comp comp, int v, const uint8_t *p, size_t n,
                    unsigned wb)
{
    c->dst->vec[comp][v] = (struct wire_sk_vec){p, n};
    c->dst->comp_bytes[comp] += (uint64_t)n * wb;
    c->dst->present |= bit(comp);
}

/* Vec<u64> / Vec<u128> of component comp in the standard domain: words
 * words of wb bytes. */
static int sk_std_vec(struct skc *c, enum keyset_comp comp, size_t words, unsigned wb)
{
    const char *what = keyset_comp_name(comp);
    if (c->mode == SK_READ) {
        const uint8_t *p;
        size_t n;
        if (wb == 8)
            KMS_TRY(wire_get_u64s(c->kc.r, what, &p, &n));
        else
            KMS_TRY(wire_get_u128s(c->kc.r, what, &p, &n));
        if (n != words)
            return kms_err(KMS_EINVAL, "%s: %zu words where the parameters give %zu", what, n,
                           words);
        sk_view(c, comp, 0, p, n, wb);
        return 0;
    }
    wire_put_len(c->kc.s, words);
    if (c->mode == SK_WRITE_READ) {
        const struct wire_sk_vec *v = &c->src->vec[comp][0];
        if (v->n != words)
            return kms_err(KMS_EINVAL, "wire: the %s read has %zu words, not %zu", what, v->n,
                           words);
        wire_put(c->kc.s, v->p, words * wb);
        return sk_status(c);
    }
    KMS_TRY(keyset_comp_check(c, comp, words, wb));
    const struct keyset_layout *l = &c->pub->comp[comp].layout;
    size_t ct_words = keyset_layout_ct_words(l), per = CHUNK_BYTES / (ct_words * wb);
    if (per == 0)
        per = 1;
    KMS_TRY(sk_scratch(c, per * ct_words * wb));
    struct csprng g;
    KMS_TRY(comp_stream(&g, c, comp));
    int rc = 0;
    for (size_t first = 0; rc == 0 && first < l->count; first += per) {
        size_t n = l->count - first < per ? l->count - first : per;
        rc = keyset_cancel_check(c->cancel, "wire: server key write");
        if (rc == 0)
            rc = keyset_expand(c->pub, comp, &g, c->buf, per * ct_words, first, n);
        if (rc == 0 && wb == 8)
            wire_put_u64s_raw(c->kc.s, (const uint64_t *)(void *)c->buf, n * ct_words);
        else if (rc == 0)
            wire_put_u128s_raw(c->kc.s, (const u128 *)(void *)c->buf, n * ct_words);
        if (rc == 0)
            rc = sk_status(c);
    }
    csprng_free(&g);
    return rc;
}

/* Streams the GGSWs of BSK component comp to emit(c, ggsw, shape). */
typedef int (*ggsw_fn)(struct skc *c, const void *ggsw, const struct bsk_shape *bs, int pass);

static int each_ggsw(struct skc *c, enum keyset_comp comp, const struct bsk_shape *bs,
                     unsigned wb, ggsw_fn emit, int pass)
{
    const struct keyset_layout *l = &c->pub->comp[comp].layout;
    KMS_TRY(keyset_comp_check(c, comp, bsk_polys(bs) * bs->polynomial_size, wb));
    size_t rows = (size_t)bs->level * (bs->glwe_dimension + 1), ct_words = keyset_layout_ct_words(l);
    KMS_TRY(sk_scratch(c, rows * ct_words * wb));
    struct csprng g;
    KMS_TRY(comp_stream(&g, c, comp));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < bs->lwe_dimension; i++) {
        rc = keyset_cancel_check(c->cancel, "wire: server key write");
        if (rc == 0)
            rc = keyset_expand(c->pub, comp, &g, c->buf, rows * ct_words, i * rows, rows);
        if (rc == 0)
            rc = emit(c, c->buf, bs, pass);
    }
    csprng_free(&g);
    return rc;
}

static int emit_fourier64(struct skc *c, const void *ggsw, const struct bsk_shape *bs, int pass)
{
    (void)pass;
    const struct fft_plan *plan;
    size_t N = bs->polynomial_size, polys = bsk_polys(bs) / bs->lwe_dimension;
    KMS_TRY(fft_plan_get(&plan, N));
    for (size_t q = 0; q < polys; q++) {
        fft_forward_torus(plan, c->four, (const uint64_t *)ggsw + q * N);
        fft_to_natural(plan, c->c64, c->four);
        wire_put_len(c->kc.s, N / 2);
        f64s_put(c->kc.s, c->c64, N);
    }
    return sk_status(c);
}

/* FourierPolynomialList: V0, then u64 2 + P, u64 N, u64 P, P polynomials. */
static int sk_fourier_list(struct skc *c, enum keyset_comp comp, const struct bsk_shape *bs)
{
    const char *what = keyset_comp_name(comp);
    size_t N = bs->polynomial_size, polys = bsk_polys(bs), poly_bytes = 8 + 8 * N;
    KMS_TRY(kc_version(&c->kc, "FourierPolynomialList", V_FOURIER_LIST));
    if (c->mode == SK_READ) {
        uint64_t len, n, count, half;
        struct reader *r = c->kc.r;
        if (reader_u64le(r, &len) < 0 || reader_u64le(r, &n) < 0 || reader_u64le(r, &count) < 0)
            return kms_err(KMS_ETRUNC, "%s: Fourier polynomial list ends early", what);
        if (n != N || count != polys || len != 2 + count)
            return kms_err(KMS_EINVAL, "%s: %llu Fourier polynomials of size %llu where the "
                                       "parameters give %zu of size %zu", what,
                           (unsigned long long)count, (unsigned long long)n, polys, N);
        if (polys > (r->len - r->pos) / poly_bytes)
            return kms_err(KMS_ETRUNC, "%s: the Fourier polynomials exceed the input", what);
        const uint8_t *start = r->data + r->pos;
        for (size_t q = 0; q < polys; q++) {
            if (reader_u64le(r, &half) < 0 || reader_skip(r, 8 * N) < 0)
                return kms_err(KMS_ETRUNC, "%s: Fourier polynomial %zu ends early", what, q);
            if (half != N / 2)
                return kms_err(KMS_EINVAL, "%s: Fourier polynomial %zu has %llu values, not %zu",
                               what, q, (unsigned long long)half, N / 2);
        }
        sk_view(c, comp, 0, start, polys * (1 + N), 8);
        return 0;
    }
    wire_put_len(c->kc.s, 2 + (uint64_t)polys);
    wire_put_u64(c->kc.s, N);
    wire_put_u64(c->kc.s, polys);
    if (c->mode == SK_WRITE_READ) {
        const struct wire_sk_vec *v = &c->src->vec[comp][0];
        if (v->n != polys * (1 + N))
            return kms_err(KMS_EINVAL, "wire: the %s read has another shape", what);
        wire_put(c->kc.s, v->p, v->n * 8);
        return sk_status(c);
    }
    return each_ggsw(c, comp, bs, 8, emit_fourier64, 0);
}

static int sk_bsk_scalars(struct skc *c, const struct bsk_shape *bs)
{
    KMS_TRY(kc_scalar(&c->kc, "bootstrap key input_lwe_dimension", bs->lwe_dimension));
    KMS_TRY(kc_scalar(&c->kc, "bootstrap key glwe_size", (uint64_t)bs->glwe_dimension + 1));
    KMS_TRY(kc_scalar(&c->kc, "bootstrap key decomposition_base_log", bs->base_log));
    return kc_scalar(&c->kc, "bootstrap key decomposition_level_count", bs->level);
}

static int sk_fourier_bsk(struct skc *c, enum keyset_comp comp, const struct bsk_shape *bs)
{
    KMS_TRY(kc_version(&c->kc, "FourierLweBootstrapKey", V_FOURIER_BSK));
    KMS_TRY(sk_fourier_list(c, comp, bs));
    return sk_bsk_scalars(c, bs);
}

static int emit_fourier128(struct skc *c, const void *ggsw, const struct bsk_shape *bs, int pass)
{
    size_t N = bs->polynomial_size, n = N / 2, polys = bsk_polys(bs) / bs->lwe_dimension;
    double *pl = c->planes;
    for (size_t q = 0; q < polys; q++) {
        wire_f128_forward_torus(c->f128, pl, pl + n, pl + 2 * n, pl + 3 * n,
                                (const u128 *)ggsw + q * N);
        f64s_put(c->kc.s, pl + (size_t)pass * n, n);
    }
    return sk_status(c);
}

/* Fourier128LweBootstrapKey: four planes, each written in a pass of its
 * own over the key (recomputed, so that no plane is ever held whole). */
static int sk_fourier128_bsk(struct skc *c, enum keyset_comp comp, const struct bsk_shape *bs)
{
    static const char *const names[4] = {"data_re0", "data_re1", "data_im0", "data_im1"};
    size_t words = bsk_polys(bs) * (bs->polynomial_size / 2);
    KMS_TRY(kc_version(&c->kc, "Fourier128LweBootstrapKey", V_FOURIER128_BSK));
    for (int pass = 0; pass < 4; pass++) {
        if (c->mode == SK_READ) {
            const uint8_t *p;
            size_t n;
            KMS_TRY(wire_get_u64s(c->kc.r, names[pass], &p, &n));
            if (n != words)
                return kms_err(KMS_EINVAL, "%s %s: %zu values where the parameters give %zu",
                               keyset_comp_name(comp), names[pass], n, words);
            sk_view(c, comp, pass, p, n, 8);
            continue;
        }
        wire_put_len(c->kc.s, words);
        if (c->mode == SK_WRITE_READ) {
            const struct wire_sk_vec *v = &c->src->vec[comp][pass];
            if (v->n != words)
                return kms_err(KMS_EINVAL, "wire: the %s read has another shape",
                               keyset_comp_name(comp));
            wire_put(c->kc.s, v->p, words * 8);
            KMS_TRY(sk_status(c));
            continue;
        }
        KMS_TRY(each_ggsw(c, comp, bs, 16, emit_fourier128, pass));
    }
    KMS_TRY(kc_scalar(&c->kc, "bootstrap key polynomial_size", bs->polynomial_size));
    return sk_bsk_scalars(c, bs);
}

/* ModulusSwitchConfiguration<u64>; the drift key is component comp. */
static int sk_ms_config(struct skc *c, const struct tfhe_ms_params *ms, enum keyset_comp comp)
{
    struct kc *k = &c->kc;
    int drift;
    KMS_TRY(kc_ms_kind(k, "ModulusSwitchConfiguration", ms, &drift));
    if (!drift)
        return 0;
    size_t n = c->kc.p->pbs.lwe_dimension;
    KMS_TRY(kc_version(k, "ModulusSwitchNoiseReductionKey", V_MS_KEY));
    KMS_TRY(kc_version(k, "LweCiphertextList", V_LWE_LIST));
    KMS_TRY(sk_std_vec(c, comp, (size_t)ms->zeros_count * (n + 1), 8));
    KMS_TRY(kc_scalar(k, "modulus switch key lwe_size", (uint64_t)n + 1));
    KMS_TRY(kc_modulus(k, "LweCiphertextList modulus", 64));
    return kc_ms_noise(k, ms);
}

/* ShortintBootstrappingKey<u64> (SerializableShortintBootstrappingKey), Classic. */
static int sk_bsk64(struct skc *c, enum keyset_comp comp, const struct bsk_shape *bs,
                    const struct tfhe_ms_params *ms, enum keyset_comp ms_comp)
{
    KMS_TRY(kc_version(&c->kc, "ShortintBootstrappingKey", V_SER_BSK));
    KMS_TRY(kc_variant(&c->kc, "ShortintBootstrappingKey", 0)); /* Classic */
    KMS_TRY(sk_fourier_bsk(c, comp, bs));
    return sk_ms_config(c, ms, ms_comp);
}

static int sk_ksk(struct skc *c, enum keyset_comp comp, size_t n_in, unsigned base_log,
                  unsigned level)
{
    size_t n = c->kc.p->pbs.lwe_dimension;
    KMS_TRY(kc_version(&c->kc, "LweKeyswitchKey", V_KSK));
    KMS_TRY(sk_std_vec(c, comp, n_in * level * (n + 1), 8));
    KMS_TRY(kc_scalar(&c->kc, "keyswitch key decomp_base_log", base_log));
    KMS_TRY(kc_scalar(&c->kc, "keyswitch key decomp_level_count", level));
    KMS_TRY(kc_scalar(&c->kc, "keyswitch key output_lwe_size", (uint64_t)n + 1));
    return kc_modulus(&c->kc, "LweKeyswitchKey modulus", 64);
}

static int sk_pksk(struct skc *c, enum keyset_comp comp, const struct packing_ksk_shape *ps,
                   unsigned wb)
{
    KMS_TRY(kc_version(&c->kc, "LwePackingKeyswitchKey", V_PKSK));
    KMS_TRY(sk_std_vec(c, comp, packing_ksk_size(ps), wb));
    KMS_TRY(kc_scalar(&c->kc, "packing key decomp_base_log", ps->base_log));
    KMS_TRY(kc_scalar(&c->kc, "packing key decomp_level_count", ps->level));
    KMS_TRY(kc_scalar(&c->kc, "packing key output_glwe_size", (uint64_t)ps->glwe_dimension + 1));
    KMS_TRY(kc_scalar(&c->kc, "packing key output_polynomial_size", ps->polynomial_size));
    return kc_modulus(&c->kc, "LwePackingKeyswitchKey modulus", 8 * wb);
}

static int sk_compute(struct skc *c)
{
    const struct tfhe_pbs_params *q = &c->kc.p->pbs;
    struct bsk_shape bs = kc_compute_bsk_shape(c->kc.p);
    struct kc *k = &c->kc;
    KMS_TRY(kc_version(k, "integer ServerKey", V_INTEGER_SK));
    KMS_TRY(kc_version(k, "shortint ServerKey", V_SHORTINT_SK));
    KMS_TRY(kc_version(k, "AtomicPatternServerKey", V_AP_SK));
    KMS_TRY(kc_variant(k, "AtomicPatternServerKey", 0)); /* Standard */
    KMS_TRY(kc_version(k, "StandardAtomicPatternServerKey", V_STD_AP_SK));
    KMS_TRY(sk_ksk(c, KEYSET_COMPUTE_KSK, tfhe_params_big_dimension(q), q->ks_base_log,
                   q->ks_level));
    KMS_TRY(sk_bsk64(c, KEYSET_COMPUTE_BSK, &bs, &q->ms, KEYSET_COMPUTE_MS));
    KMS_TRY(kc_shortint_moduli(k, q));
    return kc_modulus(k, "shortint ServerKey ciphertext_modulus", 64);
}

static int sk_casting(struct skc *c)
{
    const struct tfhe_params *p = c->kc.p;
    struct kc *k = &c->kc;
    int some;
    KMS_TRY(sk_option(c, KEYSET_CASTING_KSK, "cpk_key_switching_key_material", &some));
    if (!some)
        return 0;
    if (!p->has_cpk)
        return kms_err(KMS_EINVAL, "casting key in a server key of a set without a CPK");
    KMS_TRY(kc_version(k, "integer KeySwitchingKeyMaterial", V_INT_KSK_MATERIAL));
    KMS_TRY(kc_version(k, "shortint KeySwitchingKeyMaterial", V_SH_KSK_MATERIAL));
    KMS_TRY(sk_ksk(c, KEYSET_CASTING_KSK, p->cpk.lwe_dimension, p->casting.ks_base_log,
                   p->casting.ks_level));
    return kc_casting_destination(k);
}

static int sk_compression(struct skc *c)
{
    const struct tfhe_params *p = c->kc.p;
    struct kc *k = &c->kc;
    struct packing_ksk_shape ps;
    struct bsk_shape bs;
    static const struct tfhe_ms_params standard = {.kind = TFHE_MS_STANDARD};
    int some;
    KMS_TRY(sk_option(c, KEYSET_COMPRESSION, "compression_key", &some));
    if (some) {
        KMS_TRY(compression_packing_shape(p, &ps));
        KMS_TRY(kc_version(k, "integer CompressionKey", V_COMPRESSION_KEY));
        KMS_TRY(kc_version(k, "shortint CompressionKey", V_COMPRESSION_KEY));
        KMS_TRY(sk_pksk(c, KEYSET_COMPRESSION, &ps, 8));
        KMS_TRY(kc_scalar(k, "compression lwe_per_glwe", p->compression.lwe_per_glwe));
        KMS_TRY(kc_scalar(k, "storage_log_modulus", p->compression.storage_log_modulus));
    }
    KMS_TRY(sk_option(c, KEYSET_DECOMPRESSION, "decompression_key", &some));
    if (!some)
        return 0;
    KMS_TRY(compression_decompression_shape(p, &bs));
    KMS_TRY(kc_version(k, "integer DecompressionKey", V_INT_DECOMPRESSION));
    KMS_TRY(kc_version(k, "shortint DecompressionKey", V_SH_DECOMPRESSION));
    KMS_TRY(sk_bsk64(c, KEYSET_DECOMPRESSION, &bs, &standard, KEYSET_COMP_COUNT));
    return kc_scalar(k, "decompression lwe_per_glwe", p->compression.lwe_per_glwe);
}

static int sk_sns(struct skc *c)
{
    const struct tfhe_params *p = c->kc.p;
    struct kc *k = &c->kc;
    int some;
    KMS_TRY(sk_option(c, KEYSET_SNS_BSK, "noise_squashing_key", &some));
    if (some) {
        if (!p->has_sns)
            return kms_err(KMS_EINVAL, "noise squashing key in a server key of a set without "
                                       "noise squashing");
        struct bsk_shape bs = sns_bsk_shape(p);
        KMS_TRY(kc_version(k, "integer NoiseSquashingKey", V_INT_SNS_KEY));
        KMS_TRY(kc_version(k, "shortint NoiseSquashingKey", V_SH_SNS_KEY));
        KMS_TRY(kc_version(k, "AtomicPatternNoiseSquashingKey", V_AP_SNS_KEY));
        KMS_TRY(kc_variant(k, "AtomicPatternNoiseSquashingKey", 0)); /* Standard */
        KMS_TRY(kc_version(k, "StandardAtomicPatternNoiseSquashingKey", V_STD_AP_SNS_KEY));
        KMS_TRY(kc_version(k, "Shortint128BootstrappingKey", V_SNS_BSK_KIND));
        KMS_TRY(kc_variant(k, "Shortint128BootstrappingKey", 0)); /* Classic */
        KMS_TRY(sk_fourier128_bsk(c, KEYSET_SNS_BSK, &bs));
        KMS_TRY(sk_ms_config(c, &p->sns.ms, KEYSET_SNS_MS));
        KMS_TRY(kc_scalar(k, "noise squashing message_modulus", p->sns.message_modulus));
        KMS_TRY(kc_scalar(k, "noise squashing carry_modulus", p->sns.carry_modulus));
        KMS_TRY(kc_modulus(k, "noise squashing output modulus", 128));
    }
    KMS_TRY(sk_option(c, KEYSET_SNS_COMPRESSION, "noise_squashing_compression_key", &some));
    if (!some)
        return 0;
    struct packing_ksk_shape ps;
    KMS_TRY(snscomp_packing_shape(p, &ps));
    KMS_TRY(kc_version(k, "integer NoiseSquashingCompressionKey", V_SNSCOMP_KEY));
    KMS_TRY(kc_version(k, "shortint NoiseSquashingCompressionKey", V_SNSCOMP_KEY));
    KMS_TRY(sk_pksk(c, KEYSET_SNS_COMPRESSION, &ps, 16));
    return kc_scalar(k, "noise squashing compression lwe_per_glwe",
                     p->sns_compression.lwe_per_glwe);
}

static int sk_rest(struct skc *c)
{
    const struct tfhe_params *p = c->kc.p;
    struct kc *k = &c->kc;
    int some;
    KMS_TRY(sk_option(c, KEYSET_RERAND_CPK, "cpk_re_randomization_key", &some));
    if (some) {
        size_t big = tfhe_params_big_dimension(&p->pbs);
        struct wire_cpk_params cp;
        kc_rerand_cpk_params(p, &cp);
        KMS_TRY(kc_version(k, "ReRandomizationKey", V_RERAND_KEY));
        KMS_TRY(kc_variant(k, "ReRandomizationKey", 1)); /* DerivedCPKWithoutKeySwitch */
        KMS_TRY(kc_version(k, "integer CompactPublicKey", V_INTEGER_CPK));
        KMS_TRY(kc_version(k, "shortint CompactPublicKey", V_SHORTINT_CPK));
        KMS_TRY(kc_version(k, "LweCompactPublicKey", V_LWE_CPK));
        KMS_TRY(kc_version(k, "GlweCiphertext", V_GLWE));
        KMS_TRY(sk_std_vec(c, KEYSET_RERAND_CPK, 2 * big, 8));
        KMS_TRY(kc_scalar(k, "re-randomization key polynomial_size", big));
        KMS_TRY(kc_modulus(k, "GlweCiphertext modulus", 64));
        KMS_TRY(kc_cpk_params(k, &cp));
    }
    KMS_TRY(sk_option(c, KEYSET_OPRF_BSK, "oprf_key", &some));
    if (!some)
        return 0;
    struct bsk_shape bs = kc_compute_bsk_shape(p);
    KMS_TRY(kc_version(k, "integer OprfServerKey", V_OPRF_KEY));
    KMS_TRY(kc_version(k, "shortint OprfServerKey", V_OPRF_KEY));
    KMS_TRY(kc_version(k, "OprfBootstrappingKey", V_OPRF_BSK));
    KMS_TRY(kc_variant(k, "OprfBootstrappingKey", 0)); /* Classic */
    return sk_fourier_bsk(c, KEYSET_OPRF_BSK, &bs);
}

static int sk_tag(struct skc *c)
{
    if (c->mode == SK_READ) {
        const uint8_t *p;
        size_t n;
        KMS_TRY(wire_get_version(c->kc.r, "ServerKey tag", 0));
        if (bincode_get_bytes(c->kc.r, &p, &n) < 0)
            return kms_err(KMS_ETRUNC, "ServerKey tag: length exceeds the input");
        c->tag = p;
        c->tag_len = n;
        return 0;
    }
    if (c->mode == SK_WRITE_READ)
        wire_put_tag(c->kc.s, c->src->tag, c->src->tag_len);
    else
        wire_put_tag(c->kc.s, c->pub->tag, c->pub->tag_len);
    return sk_status(c);
}

static int sk_body(struct skc *c)
{
    KMS_TRY(kc_version(&c->kc, "ServerKey", V_HL_SK));
    KMS_TRY(kc_version(&c->kc, "IntegerServerKey", V_HL_INTEGER_SK));
    KMS_TRY(sk_compute(c));
    KMS_TRY(sk_casting(c));
    KMS_TRY(sk_compression(c));
    KMS_TRY(sk_sns(c));
    KMS_TRY(sk_rest(c));
    return sk_tag(c);
}

static void sk_free(struct skc *c)
{
    free(c->buf);
    fft_buf_free(c->four);
    fft_buf_free(c->c64);
    free(c->planes);
    wire_f128_plan_free(c->f128);
}

/* ---- writing ---- */

static int sk_write(struct skc *c, struct wire_sink *s)
{
    wire_put_header(s, WIRE_NAME_SERVER_KEY);
    int rc = sk_body(c);
    sk_free(c);
    return rc < 0 ? rc : wire_sink_status(s);
}

static int write_keyset(struct wire_sink *s, const struct keyset_public *pub,
                        const struct wire_cseed *seeds, const struct keyset_cancel *cancel)
{
    if (pub == NULL || pub->params == NULL)
        return kms_err(KMS_EINVAL, "wire: keyset not initialized");
    const struct tfhe_params *p = pub->params;
    struct skc c = {.kc = {.s = s, .p = p, .pub = pub}, .mode = SK_WRITE_KEYSET, .pub = pub,
                    .seeds = seeds, .cancel = cancel};
    size_t N = p->pbs.polynomial_size, Ns = p->sns.polynomial_size;
    size_t Nc = N > Ns ? N : Ns;
    c.four = fft_buf_alloc(Nc);
    c.c64 = fft_buf_alloc(Nc);
    c.planes = malloc(2 * Ns * sizeof *c.planes);
    int rc = (c.four == NULL || c.c64 == NULL || c.planes == NULL)
                 ? kms_err(KMS_ENOMEM, "wire: out of memory writing a server key")
                 : wire_f128_plan_new(&c.f128, Ns);
    if (rc < 0) {
        sk_free(&c);
        return rc;
    }
    return sk_write(&c, s);
}

int wire_server_key_write(struct wire_sink *s, const struct keyset_public *pub)
{
    return write_keyset(s, pub, NULL, NULL);
}

int wire_server_key_write_cancellable(struct wire_sink *s, const struct keyset_public *pub,
                                      const struct keyset_cancel *cancel)
{
    return write_keyset(s, pub, NULL, cancel);
}

int wire_server_key_write_seeded(struct wire_sink *s, const struct wire_seeded_keyset *k)
{
    if (k == NULL || k->pub.params == NULL)
        return kms_err(KMS_EINVAL, "wire: seeded key not read");
    unsigned need = wire_keyset_components(WIRE_KEYSET_CSK, k->pub.params);
    if ((k->present & need) != need)
        return kms_err(KMS_EINVAL, "wire: a %s holds no server key",
                       k->kind == WIRE_KEYSET_CCPK ? "CompressedCompactPublicKey"
                                                   : "partial seeded key");
    return write_keyset(s, &k->pub, k->seed, NULL);
}

int wire_server_key_write_read(struct wire_sink *s, const struct wire_server_key *k)
{
    if (k == NULL || k->params == NULL)
        return kms_err(KMS_EINVAL, "wire: server key not read");
    struct skc c = {.kc = {.s = s, .p = k->params}, .mode = SK_WRITE_READ, .src = k};
    return sk_write(&c, s);
}

/* ---- reading ---- */

void wire_server_key_clear(struct wire_server_key *k)
{
    if (k == NULL)
        return;
    free(k->tag);
    memset(k, 0, sizeof *k);
}

static int parse(struct wire_server_key *out, const uint8_t *bytes, size_t len, size_t limit,
                 const struct tfhe_params *p, size_t *pos)
{
    struct reader r;
    struct skc c = {.kc = {.r = &r, .p = p}, .mode = SK_READ, .dst = out};
    memset(out, 0, sizeof *out);
    int rc = wire_open(&r, bytes, len, limit, WIRE_NAME_SERVER_KEY);
    if (rc == 0)
        rc = sk_body(&c);
    if (rc == 0)
        rc = wire_close(&r, WIRE_NAME_SERVER_KEY);
    *pos = r.pos;
    if (rc == 0) {
        out->params = p;
        out->total_bytes = len;
        rc = wire_tag_dup(&out->tag, &out->tag_len, c.tag, c.tag_len);
    }
    if (rc < 0)
        wire_server_key_clear(out);
    return rc;
}

int wire_server_key_read(struct wire_server_key *out, const uint8_t *bytes, size_t len,
                         size_t size_limit, const struct tfhe_params *params)
{
    static const char *const sets[] = {"default", "test", "message_2_carry_2"};
    memset(out, 0, sizeof *out);
    KMS_TRY(kc_size_limit(len, size_limit));
    const struct tfhe_params *cand[sizeof sets / sizeof sets[0]];
    size_t ncand = kc_param_candidates(cand, params, sets, sizeof sets / sizeof sets[0]);
    int rc = kms_err(KMS_EINVAL, "wire: no parameter set to read a server key with");
    size_t best = 0, best_pos = 0, pos;
    for (size_t i = 0; i < ncand; i++) {
        rc = parse(out, bytes, len, size_limit, cand[i], &pos);
        if (rc == 0)
            return 0;
        if (pos >= best_pos) {
            best = i;
            best_pos = pos;
        }
    }
    if (ncand > 1) /* redo the candidate that went furthest, for its message */
        rc = parse(out, bytes, len, size_limit, cand[best], &pos);
    return rc;
}

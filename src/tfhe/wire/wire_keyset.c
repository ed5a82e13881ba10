/* Seeded keys (wire_keyset.h). One codec runs both ways: writing, it puts
 * every field; reading, it reads the same field and checks it against the
 * value the parameter set gives, so writer and reader cannot drift apart.
 * Only bodies, seeds and tags are free; reading keeps views of the bodies
 * and copies them once the whole object has been checked. */
#include "tfhe/wire/wire_keyset.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/compression.h"
#include "tfhe/sns.h"
#include "tfhe/snscomp.h"
#include "tfhe/wire/wire_codec.h"
#include "tfhe/wire/wire_params.h"

/* Versions tfhe-rs 1.7 writes (backward_compatibility modules). */
#define V_XOF_KEYSET 1u        /* CompressedXofKeySetVersions */
#define V_XOF_SEED_START 0u
#define V_XOF_SEED 0u
#define V_HL_CCPK 1u           /* high_level_api CompressedCompactPublicKeyVersions */
#define V_HL_INTEGER_CCPK 0u   /* IntegerCompressedCompactPublicKeyVersions */
#define V_INTEGER_CCPK 0u
#define V_SHORTINT_CCPK 1u
#define V_SEEDED_CPK 0u        /* SeededLweCompactPublicKeyVersions */
#define V_SEEDED_GLWE 0u       /* SeededGlweCiphertextVersions */
#define V_HL_CSK 2u            /* high_level_api CompressedServerKeyVersions */
#define V_HL_INTEGER_CSK 7u    /* IntegerCompressedServerKeyVersions */
#define V_INTEGER_CSK 2u
#define V_SHORTINT_CSK 3u
#define V_AP_CSK 0u            /* CompressedAtomicPatternServerKeyVersions */
#define V_STD_AP_CSK 0u
#define V_KSK_MATERIAL 2u      /* integer and shortint CompressedKeySwitchingKeyMaterial */
#define V_COMPRESSION_KEY 2u   /* integer and shortint CompressedCompressionKey */
#define V_INT_DECOMPRESSION 1u /* integer CompressedDecompressionKeyVersions */
#define V_SH_DECOMPRESSION 2u  /* shortint CompressedDecompressionKeyVersions */
#define V_INT_SNS_KEY 0u       /* integer CompressedNoiseSquashingKeyVersions */
#define V_SH_SNS_KEY 3u        /* shortint CompressedNoiseSquashingKeyVersions */
#define V_AP_SNS_KEY 0u
#define V_STD_AP_SNS_KEY 0u
#define V_SNS_BSK_KIND 1u      /* CompressedShortint128BootstrappingKeyVersions */
#define V_SNSCOMP_KEY 0u       /* integer and shortint CompressedNoiseSquashingCompressionKey */
#define V_RERAND_KEY 0u        /* CompressedReRandomizationKeyVersions */
#define V_OPRF_KEY 0u          /* integer and shortint CompressedOprfServerKey */
#define V_OPRF_BSK 0u          /* CompressedOprfBootstrappingKeyVersions */
#define V_SHORTINT_CBSK 3u     /* ShortintCompressedBootstrappingKeyVersions */
#define V_MS_KEY 1u            /* CompressedModulusSwitchNoiseReductionKeyVersions */
#define V_SEEDED_LWE_LIST 0u
#define V_SEEDED_BSK 1u        /* SeededLweBootstrapKeyVersions */
#define V_SEEDED_GGSW_LIST 1u
#define V_SEEDED_KSK 2u
#define V_SEEDED_PKSK 2u

/* The Vec of component comp's bodies. */
static int kc_body(struct kc *c, enum keyset_comp comp)
{
    struct keyset_layout l;
    KMS_TRY(keyset_layout_get(&l, c->p, comp));
    size_t words = keyset_layout_body_words(&l);
    const char *what = keyset_comp_name(comp);
    if (c->s != NULL) {
        const struct keyset_component *k = &c->pub->comp[comp];
        const void *b = k->bodies;
        if (b == NULL || keyset_layout_body_words(&k->layout) != words ||
            k->layout.word_bytes != l.word_bytes)
            return kms_err(KMS_EINVAL, "wire: the %s has no bodies of the set's shape", what);
        if (l.word_bytes == 8)
            wire_put_u64s(c->s, b, words);
        else
            wire_put_u128s(c->s, b, words);
        return kc_status(c);
    }
    const uint8_t *p;
    size_t n;
    if (l.word_bytes == 8)
        KMS_TRY(wire_get_u64s(c->r, what, &p, &n));
    else
        KMS_TRY(wire_get_u128s(c->r, what, &p, &n));
    if (n != words)
        return kms_err(KMS_EINVAL, "%s: %zu words where the parameters give %zu", what, n, words);
    c->view[comp] = p;
    return 0;
}

/* ---- seeded entities ---- */

static int seeded_ksk(struct kc *c, enum keyset_comp comp, unsigned base_log, unsigned level,
                      uint64_t out_lwe_size)
{
    KMS_TRY(kc_version(c, "SeededLweKeyswitchKey", V_SEEDED_KSK));
    KMS_TRY(kc_body(c, comp));
    KMS_TRY(kc_scalar(c, "keyswitch key decomp_base_log", base_log));
    KMS_TRY(kc_scalar(c, "keyswitch key decomp_level_count", level));
    KMS_TRY(kc_scalar(c, "keyswitch key output_lwe_size", out_lwe_size));
    KMS_TRY(kc_seed(c, comp));
    return kc_modulus(c, "SeededLweKeyswitchKey modulus", 64);
}

static int seeded_ggsw(struct kc *c, enum keyset_comp comp, const struct bsk_shape *bs,
                       unsigned bits)
{
    KMS_TRY(kc_version(c, "SeededLweBootstrapKey", V_SEEDED_BSK));
    KMS_TRY(kc_version(c, "SeededGgswCiphertextList", V_SEEDED_GGSW_LIST));
    KMS_TRY(kc_body(c, comp));
    KMS_TRY(kc_scalar(c, "bootstrap key glwe_size", (uint64_t)bs->glwe_dimension + 1));
    KMS_TRY(kc_scalar(c, "bootstrap key polynomial_size", bs->polynomial_size));
    KMS_TRY(kc_scalar(c, "bootstrap key decomp_base_log", bs->base_log));
    KMS_TRY(kc_scalar(c, "bootstrap key decomp_level_count", bs->level));
    KMS_TRY(kc_seed(c, comp));
    return kc_modulus(c, "SeededGgswCiphertextList modulus", bits);
}

static int seeded_pksk(struct kc *c, enum keyset_comp comp, const struct packing_ksk_shape *ps,
                       unsigned bits)
{
    KMS_TRY(kc_version(c, "SeededLwePackingKeyswitchKey", V_SEEDED_PKSK));
    KMS_TRY(kc_body(c, comp));
    KMS_TRY(kc_scalar(c, "packing key decomp_base_log", ps->base_log));
    KMS_TRY(kc_scalar(c, "packing key decomp_level_count", ps->level));
    KMS_TRY(kc_scalar(c, "packing key output_glwe_size", (uint64_t)ps->glwe_dimension + 1));
    KMS_TRY(kc_scalar(c, "packing key output_polynomial_size", ps->polynomial_size));
    KMS_TRY(kc_seed(c, comp));
    return kc_modulus(c, "SeededLwePackingKeyswitchKey modulus", bits);
}

/* CompressedModulusSwitchConfiguration; the drift key is component comp. */
static int ms_config(struct kc *c, const struct tfhe_ms_params *ms, enum keyset_comp comp)
{
    int drift;
    KMS_TRY(kc_ms_kind(c, "CompressedModulusSwitchConfiguration", ms, &drift));
    if (!drift)
        return 0;
    KMS_TRY(kc_version(c, "CompressedModulusSwitchNoiseReductionKey", V_MS_KEY));
    KMS_TRY(kc_version(c, "SeededLweCiphertextList", V_SEEDED_LWE_LIST));
    KMS_TRY(kc_body(c, comp));
    KMS_TRY(kc_scalar(c, "modulus switch key lwe_size", (uint64_t)c->p->pbs.lwe_dimension + 1));
    KMS_TRY(kc_seed(c, comp));
    KMS_TRY(kc_modulus(c, "SeededLweCiphertextList modulus", 64));
    return kc_ms_noise(c, ms);
}

/* ShortintCompressedBootstrappingKey<u64>, Classic. */
static int compressed_bsk(struct kc *c, enum keyset_comp comp, const struct bsk_shape *bs,
                          const struct tfhe_ms_params *ms, enum keyset_comp ms_comp)
{
    KMS_TRY(kc_version(c, "ShortintCompressedBootstrappingKey", V_SHORTINT_CBSK));
    KMS_TRY(kc_variant(c, "ShortintCompressedBootstrappingKey", 0)); /* Classic */
    KMS_TRY(seeded_ggsw(c, comp, bs, 64));
    return ms_config(c, ms, ms_comp);
}

/* integer CompressedCompactPublicKey of component comp. */
static int integer_ccpk(struct kc *c, enum keyset_comp comp, const struct wire_cpk_params *cp)
{
    KMS_TRY(kc_version(c, "integer CompressedCompactPublicKey", V_INTEGER_CCPK));
    KMS_TRY(kc_version(c, "shortint CompressedCompactPublicKey", V_SHORTINT_CCPK));
    KMS_TRY(kc_version(c, "SeededLweCompactPublicKey", V_SEEDED_CPK));
    KMS_TRY(kc_version(c, "SeededGlweCiphertext", V_SEEDED_GLWE));
    KMS_TRY(kc_body(c, comp));
    KMS_TRY(kc_scalar(c, "compact public key glwe_size", 2));
    KMS_TRY(kc_seed(c, comp));
    KMS_TRY(kc_modulus(c, "SeededGlweCiphertext modulus", 64));
    return kc_cpk_params(c, cp);
}

/* ---- the objects ---- */

static int ccpk_body(struct kc *c)
{
    struct wire_cpk_params cp;
    struct wire_ksk_params casting;
    struct wire_rerand_params rerand;
    wire_params_kms_cpk(c->p, &cp, &casting, &rerand);
    KMS_TRY(kc_version(c, "CompressedCompactPublicKey", V_HL_CCPK));
    KMS_TRY(kc_version(c, "IntegerCompressedCompactPublicKey", V_HL_INTEGER_CCPK));
    KMS_TRY(integer_ccpk(c, KEYSET_CPK, &cp));
    return kc_tag(c, "CompressedCompactPublicKey tag");
}

static int csk_compute(struct kc *c)
{
    const struct tfhe_pbs_params *q = &c->p->pbs;
    struct bsk_shape bs = kc_compute_bsk_shape(c->p);
    KMS_TRY(kc_version(c, "IntegerCompressedServerKey", V_HL_INTEGER_CSK));
    KMS_TRY(kc_version(c, "integer CompressedServerKey", V_INTEGER_CSK));
    KMS_TRY(kc_version(c, "shortint CompressedServerKey", V_SHORTINT_CSK));
    KMS_TRY(kc_version(c, "CompressedAtomicPatternServerKey", V_AP_CSK));
    KMS_TRY(kc_variant(c, "CompressedAtomicPatternServerKey", 0)); /* Standard */
    KMS_TRY(kc_version(c, "CompressedStandardAtomicPatternServerKey", V_STD_AP_CSK));
    KMS_TRY(seeded_ksk(c, KEYSET_COMPUTE_KSK, q->ks_base_log, q->ks_level,
                       (uint64_t)q->lwe_dimension + 1));
    KMS_TRY(compressed_bsk(c, KEYSET_COMPUTE_BSK, &bs, &q->ms, KEYSET_COMPUTE_MS));
    return kc_shortint_moduli(c, q);
}

static int csk_casting(struct kc *c)
{
    const struct tfhe_params *p = c->p;
    KMS_TRY(kc_some(c, "cpk_key_switching_key_material"));
    KMS_TRY(kc_version(c, "integer CompressedKeySwitchingKeyMaterial", V_KSK_MATERIAL));
    KMS_TRY(kc_version(c, "shortint CompressedKeySwitchingKeyMaterial", V_KSK_MATERIAL));
    KMS_TRY(seeded_ksk(c, KEYSET_CASTING_KSK, p->casting.ks_base_log, p->casting.ks_level,
                       (uint64_t)p->pbs.lwe_dimension + 1));
    return kc_casting_destination(c);
}

static int csk_compression(struct kc *c)
{
    const struct tfhe_params *p = c->p;
    struct packing_ksk_shape ps;
    struct bsk_shape bs;
    static const struct tfhe_ms_params standard = {.kind = TFHE_MS_STANDARD};
    KMS_TRY(compression_packing_shape(p, &ps));
    KMS_TRY(compression_decompression_shape(p, &bs));
    KMS_TRY(kc_some(c, "compression_key"));
    KMS_TRY(kc_version(c, "integer CompressedCompressionKey", V_COMPRESSION_KEY));
    KMS_TRY(kc_version(c, "shortint CompressedCompressionKey", V_COMPRESSION_KEY));
    KMS_TRY(seeded_pksk(c, KEYSET_COMPRESSION, &ps, 64));
    KMS_TRY(kc_scalar(c, "compression lwe_per_glwe", p->compression.lwe_per_glwe));
    KMS_TRY(kc_scalar(c, "storage_log_modulus", p->compression.storage_log_modulus));
    KMS_TRY(kc_some(c, "decompression_key"));
    KMS_TRY(kc_version(c, "integer CompressedDecompressionKey", V_INT_DECOMPRESSION));
    KMS_TRY(kc_version(c, "shortint CompressedDecompressionKey", V_SH_DECOMPRESSION));
    KMS_TRY(compressed_bsk(c, KEYSET_DECOMPRESSION, &bs, &standard, KEYSET_COMP_COUNT));
    return kc_scalar(c, "decompression lwe_per_glwe", p->compression.lwe_per_glwe);
}

static int csk_sns(struct kc *c)
{
    const struct tfhe_params *p = c->p;
    struct bsk_shape bs = sns_bsk_shape(p);
    struct packing_ksk_shape ps;
    KMS_TRY(snscomp_packing_shape(p, &ps));
    KMS_TRY(kc_some(c, "noise_squashing_key"));
    KMS_TRY(kc_version(c, "integer CompressedNoiseSquashingKey", V_INT_SNS_KEY));
    KMS_TRY(kc_version(c, "shortint CompressedNoiseSquashingKey", V_SH_SNS_KEY));
    KMS_TRY(kc_version(c, "CompressedAtomicPatternNoiseSquashingKey", V_AP_SNS_KEY));
    KMS_TRY(kc_variant(c, "CompressedAtomicPatternNoiseSquashingKey", 0)); /* Standard */
    KMS_TRY(kc_version(c, "CompressedStandardAtomicPatternNoiseSquashingKey", V_STD_AP_SNS_KEY));
    KMS_TRY(kc_version(c, "CompressedShortint128BootstrappingKey", V_SNS_BSK_KIND));
    KMS_TRY(kc_variant(c, "CompressedShortint128BootstrappingKey", 0)); /* Classic */
    KMS_TRY(seeded_ggsw(c, KEYSET_SNS_BSK, &bs, 128));
    KMS_TRY(ms_config(c, &p->sns.ms, KEYSET_SNS_MS));
    KMS_TRY(kc_scalar(c, "noise squashing message_modulus", p->sns.message_modulus));
    KMS_TRY(kc_scalar(c, "noise squashing carry_modulus", p->sns.carry_modulus));
    KMS_TRY(kc_modulus(c, "noise squashing output modulus", 128));
    KMS_TRY(kc_some(c, "noise_squashing_compression_key"));
    KMS_TRY(kc_version(c, "integer CompressedNoiseSquashingCompressionKey", V_SNSCOMP_KEY));
    KMS_TRY(kc_version(c, "shortint CompressedNoiseSquashingCompressionKey", V_SNSCOMP_KEY));
    KMS_TRY(seeded_pksk(c, KEYSET_SNS_COMPRESSION, &ps, 128));
    return kc_scalar(c, "noise squashing compression lwe_per_glwe",
                     p->sns_compression.lwe_per_glwe);
}

static int csk_rest(struct kc *c)
{
    struct wire_cpk_params cp;
    struct bsk_shape bs = kc_compute_bsk_shape(c->p);
    kc_rerand_cpk_params(c->p, &cp);
    KMS_TRY(kc_some(c, "cpk_re_randomization_key"));
    KMS_TRY(kc_version(c, "CompressedReRandomizationKey", V_RERAND_KEY));
    KMS_TRY(kc_variant(c, "CompressedReRandomizationKey", 1)); /* DerivedCPKWithoutKeySwitch */
    KMS_TRY(integer_ccpk(c, KEYSET_RERAND_CPK, &cp));
    KMS_TRY(kc_some(c, "oprf_key"));
    KMS_TRY(kc_version(c, "integer CompressedOprfServerKey", V_OPRF_KEY));
    KMS_TRY(kc_version(c, "shortint CompressedOprfServerKey", V_OPRF_KEY));
    KMS_TRY(kc_version(c, "CompressedOprfBootstrappingKey", V_OPRF_BSK));
    KMS_TRY(kc_variant(c, "CompressedOprfBootstrappingKey", 0)); /* Classic */
    return seeded_ggsw(c, KEYSET_OPRF_BSK, &bs, 64);
}

static int csk_body(struct kc *c)
{
    KMS_TRY(kc_version(c, "CompressedServerKey", V_HL_CSK));
    KMS_TRY(csk_compute(c));
    KMS_TRY(csk_casting(c));
    KMS_TRY(csk_compression(c));
    KMS_TRY(csk_sns(c));
    KMS_TRY(csk_rest(c));
    return kc_tag(c, "CompressedServerKey tag");
}

/* XofSeedStart V0, FirstByte(XofSeed): the only start tfhe-rs 1.7 writes. */
static int xof_seed(struct kc *c)
{
    KMS_TRY(kc_version(c, "XofSeedStart", V_XOF_SEED_START));
    KMS_TRY(kc_variant(c, "XofSeedStart (0: FirstByte)", 0));
    KMS_TRY(kc_version(c, "XofSeed", V_XOF_SEED));
    if (c->s != NULL) {
        struct wire_cseed own; /* its Xof bytes are "TFHE_GEN" || the public seed */
        wire_cseed_of_keyset(&own, c->pub, KEYSET_CPK);
        wire_put_bytes(c->s, own.xof, own.xof_len);
        return kc_status(c);
    }
    const uint8_t *p;
    size_t n;
    if (bincode_get_bytes(c->r, &p, &n) < 0)
        return kms_err(KMS_ETRUNC, "XofSeed: length exceeds the input");
    if (n <= 8 || n > WIRE_XOF_SEED_MAX)
        return kms_err(KMS_EINVAL, "XofSeed of %zu bytes (9 to %d supported)", n,
                       WIRE_XOF_SEED_MAX);
    if (memcmp(p, wire_public_dsep, 8) != 0)
        return kms_err(KMS_EINVAL, "XofSeed: domain separator is not \"TFHE_GEN\"");
    c->xof = p + 8;
    c->xof_len = n - 8;
    return 0;
}

static const char *kind_name(enum wire_keyset_kind kind)
{
    return kind == WIRE_KEYSET_XOF   ? WIRE_NAME_XOF_KEYSET
           : kind == WIRE_KEYSET_CSK ? WIRE_NAME_COMPRESSED_SERVER_KEY
                                     : WIRE_NAME_COMPRESSED_CPK;
}

static int object_body(struct kc *c, enum wire_keyset_kind kind)
{
    switch (kind) {
    case WIRE_KEYSET_XOF:
        KMS_TRY(kc_version(c, "CompressedXofKeySet", V_XOF_KEYSET));
        KMS_TRY(xof_seed(c));
        KMS_TRY(ccpk_body(c));
        return csk_body(c);
    case WIRE_KEYSET_CSK:
        return csk_body(c);
    default:
        return ccpk_body(c);
    }
}

unsigned wire_keyset_components(enum wire_keyset_kind kind, const struct tfhe_params *p)
{
    unsigned all = 0;
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        struct keyset_layout l;
        if (keyset_layout_get(&l, p, (enum keyset_comp)c) == 0 && l.present)
            all |= 1u << c;
    }
    kms_err_clear();
    if (kind == WIRE_KEYSET_CCPK)
        return all & (1u << KEYSET_CPK);
    if (kind == WIRE_KEYSET_CSK)
        return all & ~(1u << KEYSET_CPK);
    return all;
}

/* ---- writing ---- */

static int write_object(struct wire_sink *s, const struct keyset_public *pub,
                        const struct wire_cseed *seeds, enum wire_keyset_kind kind)
{
    struct wire_cseed own[KEYSET_COMP_COUNT];
    if (pub == NULL || pub->params == NULL)
        return kms_err(KMS_EINVAL, "wire: keyset not initialized");
    if (seeds == NULL) {
        for (int i = 0; i < KEYSET_COMP_COUNT; i++)
            wire_cseed_of_keyset(&own[i], pub, (enum keyset_comp)i);
        seeds = own;
    }
    struct kc c = {.s = s, .p = pub->params, .pub = pub, .seed = (struct wire_cseed *)seeds};
    wire_put_header(s, kind_name(kind));
    int rc = object_body(&c, kind);
    return rc < 0 ? rc : wire_sink_status(s);
}

int wire_xof_keyset_write(struct wire_sink *s, const struct keyset_public *pub)
{
    return write_object(s, pub, NULL, WIRE_KEYSET_XOF);
}

int wire_csk_write(struct wire_sink *s, const struct keyset_public *pub,
                   const struct wire_cseed *seeds)
{
    return write_object(s, pub, seeds, WIRE_KEYSET_CSK);
}

int wire_ccpk_write(struct wire_sink *s, const struct keyset_public *pub,
                    const struct wire_cseed *seeds)
{
    return write_object(s, pub, seeds, WIRE_KEYSET_CCPK);
}

int wire_seeded_keyset_write(struct wire_sink *s, const struct wire_seeded_keyset *k)
{
    if (k->kind > WIRE_KEYSET_CCPK)
        return kms_err(KMS_EINVAL, "wire: unknown seeded key kind %u", k->kind);
    return write_object(s, &k->pub, k->seed, (enum wire_keyset_kind)k->kind);
}

/* ---- reading ---- */

void wire_seeded_keyset_clear(struct wire_seeded_keyset *k)
{
    if (k == NULL)
        return;
    keyset_public_clear(&k->pub);
    memset(k, 0, sizeof *k);
}

/* One pass over the object with a candidate parameter set; *pos gets how
 * far it went (the candidate that goes furthest explains a failure best). */
static int parse(struct kc *c, struct reader *r, const uint8_t *bytes, size_t len, size_t limit,
                 enum wire_keyset_kind kind, size_t *pos)
{
    int rc = wire_open(r, bytes, len, limit, kind_name(kind));
    if (rc == 0)
        rc = object_body(c, kind);
    if (rc == 0)
        rc = wire_close(r, kind_name(kind));
    *pos = r->pos;
    return rc;
}

/* Whether every present component is seeded from one public seed at the
 * offsets of the replayed stream. */
static int replayable(const struct wire_seeded_keyset *k)
{
    for (int i = 0; i < KEYSET_COMP_COUNT; i++) {
        if (!(k->present & (1u << i)))
            continue;
        struct wire_cseed want;
        wire_cseed_of_keyset(&want, &k->pub, (enum keyset_comp)i);
        const struct wire_cseed *s = &k->seed[i];
        if (s->kind != WIRE_SEED_XOF || s->xof_len != want.xof_len ||
            memcmp(s->xof, want.xof, want.xof_len) != 0 || s->first_byte != want.first_byte)
            return 0;
    }
    return 1;
}

/* The public seed the object names: the XofKeySet's, or the first
 * component's Xof seed, else a placeholder (keyset_public needs one). */
static void pick_seed(const struct kc *c, unsigned present, const uint8_t **seed, size_t *len)
{
    static const uint8_t none[1] = {0};
    *seed = none;
    *len = sizeof none;
    if (c->xof != NULL) {
        *seed = c->xof;
        *len = c->xof_len;
        return;
    }
    for (int i = 0; i < KEYSET_COMP_COUNT; i++) {
        const struct wire_cseed *s = &c->seed[i];
        if ((present & (1u << i)) && s->kind == WIRE_SEED_XOF && s->xof_len > 8 &&
            memcmp(s->xof, wire_public_dsep, 8) == 0) {
            *seed = s->xof + 8;
            *len = s->xof_len - 8;
            return;
        }
    }
}

static int take(struct wire_seeded_keyset *out, const struct kc *c, const struct tfhe_params *p,
                enum wire_keyset_kind kind)
{
    const uint8_t *seed;
    size_t seed_len;
    out->kind = (uint8_t)kind;
    out->present = wire_keyset_components(kind, p);
    pick_seed(c, out->present, &seed, &seed_len);
    KMS_TRY(keyset_public_init(&out->pub, p, seed, seed_len, c->tag, c->tag_len));
    for (int i = 0; i < KEYSET_COMP_COUNT; i++) {
        struct keyset_component *k = &out->pub.comp[i];
        if (!(out->present & (1u << i)))
            continue;
        memcpy(k->bodies, c->view[i], keyset_layout_body_words(&k->layout) * k->layout.word_bytes);
        out->seed[i] = c->seed[i];
    }
    out->replayable = replayable(out);
    return 0;
}

static int kind_of(const uint8_t *bytes, size_t len, enum wire_keyset_kind *kind)
{
    const char *name;
    size_t name_len;
    KMS_TRY(wire_peek_name(bytes, len, &name, &name_len));
    for (int k = WIRE_KEYSET_XOF; k <= WIRE_KEYSET_CCPK; k++) {
        if (wire_name_is(name, name_len, kind_name((enum wire_keyset_kind)k))) {
            *kind = (enum wire_keyset_kind)k;
            return 0;
        }
    }
    return kms_err(KMS_EINVAL, "wire: \"%.*s\" is not a seeded key", (int)(name_len > 64 ? 64 : name_len),
                   name);
}

int wire_seeded_keyset_read(struct wire_seeded_keyset *out, const uint8_t *bytes, size_t len,
                            size_t size_limit, const struct tfhe_params *params)
{
    static const char *const sets[] = {"default", "test"};
    struct wire_cseed seeds[KEYSET_COMP_COUNT];
    enum wire_keyset_kind kind = WIRE_KEYSET_XOF;
    memset(out, 0, sizeof *out);
    KMS_TRY(kc_size_limit(len, size_limit));
    KMS_TRY(kind_of(bytes, len, &kind));
    const struct tfhe_params *cand[sizeof sets / sizeof sets[0]];
    size_t ncand = kc_param_candidates(cand, params, sets, sizeof sets / sizeof sets[0]);
    int rc = kms_err(KMS_EINVAL, "wire: no parameter set to read a seeded key with");
    size_t best = 0, best_pos = 0;
    for (size_t i = 0; i < ncand; i++) {
        struct reader r;
        struct kc c = {.r = &r, .p = cand[i], .seed = seeds};
        size_t pos;
        memset(seeds, 0, sizeof seeds);
        rc = parse(&c, &r, bytes, len, size_limit, kind, &pos);
        if (rc == 0) {
            rc = take(out, &c, cand[i], kind);
            if (rc < 0)
                wire_seeded_keyset_clear(out);
            return rc;
        }
        if (pos >= best_pos) {
            best = i;
            best_pos = pos;
        }
    }
    if (ncand > 1) { /* redo the candidate that went furthest, for its message */
        struct reader r;
        struct kc c = {.r = &r, .p = cand[best], .seed = seeds};
        size_t pos;
        rc = parse(&c, &r, bytes, len, size_limit, kind, &pos);
    }
    return rc;
}

int wire_seeded_keyset_expand(const struct wire_seeded_keyset *k, enum keyset_comp c, void *out,
                              size_t out_words)
{
    if ((unsigned)c >= KEYSET_COMP_COUNT || !(k->present & (1u << c)))
        return kms_err(KMS_EINVAL, "wire: the seeded key has no %s", keyset_comp_name(c));
    const struct keyset_layout *l = &k->pub.comp[c].layout;
    if (out_words != keyset_layout_words(l))
        return kms_err(KMS_EINVAL, "wire: the %s has %zu words, got a buffer of %zu",
                       keyset_comp_name(c), keyset_layout_words(l), out_words);
    struct csprng g;
    KMS_TRY(wire_cseed_generator(&g, &k->seed[c]));
    int rc = keyset_expand(&k->pub, c, &g, out, out_words, 0, l->count);
    csprng_free(&g);
    return rc;
}

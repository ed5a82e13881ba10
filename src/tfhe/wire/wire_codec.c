/* The two-way codec of wire_codec.h and CompressionSeed. */
#include "tfhe/wire/wire_codec.h"

#include <string.h>

#include "base/bincode.h"

/* Versions tfhe-rs 1.7 writes (tfhe-csprng and core_crypto
 * backward_compatibility). */
#define V_XOF_SEED 0u
#define V_COMPRESSION_SEED 1u
#define V_AES_CTR_PARAMS 0u
#define V_SEED_KIND 0u
#define V_SEED 0u
#define V_TABLE_INDEX 0u
#define V_AES_INDEX 0u
#define V_BYTE_INDEX 0u
/* ... and shortint / core_crypto backward_compatibility */
#define V_PBS_ORDER 0u
#define V_KEY_CHOICE 0u
#define V_KSK_DEST_AP 0u
#define V_MS_CONFIG 0u

#define MS_STANDARD 0u
#define MS_DRIFT 1u
#define MS_CENTERED 2u

const uint8_t wire_public_dsep[8] = {'T', 'F', 'H', 'E', '_', 'G', 'E', 'N'};

/* ---- seeds ---- */

void wire_cseed_of_keyset(struct wire_cseed *s, const struct keyset_public *pub,
                          enum keyset_comp c)
{
    memset(s, 0, sizeof *s);
    s->kind = WIRE_SEED_XOF;
    memcpy(s->xof, wire_public_dsep, 8);
    memcpy(s->xof + 8, pub->seed, pub->seed_len);
    s->xof_len = 8 + pub->seed_len;
    s->first_byte = pub->comp[c].first_byte;
}

int wire_cseed_generator(struct csprng *g, const struct wire_cseed *s)
{
    if (s->kind == WIRE_SEED_CTR) {
        uint8_t key[16];
        for (int i = 0; i < 16; i++)
            key[i] = (uint8_t)(s->ctr >> (8 * i));
        KMS_TRY(csprng_init_seed(g, key));
    } else {
        if (s->xof_len < 8 || s->xof_len > WIRE_XOF_SEED_MAX)
            return kms_err(KMS_EINVAL, "wire: XofSeed of %zu bytes", s->xof_len);
        KMS_TRY(csprng_init_xof(g, s->xof, s->xof + 8, s->xof_len - 8));
    }
    csprng_seek_start(g, s->first_byte);
    return 0;
}

/* ---- the codec ---- */

int kc_status(const struct kc *c) { return c->s != NULL ? wire_sink_status(c->s) : 0; }

int kc_version(struct kc *c, const char *what, uint32_t v)
{
    if (c->s != NULL) {
        wire_put_version(c->s, v);
        return kc_status(c);
    }
    return wire_get_version(c->r, what, v);
}

/* An enum variant that the parameters fix. */
int kc_variant(struct kc *c, const char *what, uint32_t v)
{
    uint32_t got;
    if (c->s != NULL) {
        wire_put_variant(c->s, v);
        return kc_status(c);
    }
    KMS_TRY(wire_get_variant(c->r, what, &got, UINT32_MAX));
    if (got != v)
        return kms_err(KMS_EINVAL, "%s: variant %u where the parameters give %u", what, got, v);
    return 0;
}

int kc_scalar(struct kc *c, const char *what, uint64_t v)
{
    uint64_t got;
    if (c->s != NULL) {
        wire_put_scalar(c->s, v);
        return kc_status(c);
    }
    KMS_TRY(wire_get_scalar(c->r, what, &got));
    if (got != v)
        return kms_err(KMS_EINVAL, "%s is %llu, the parameters give %llu", what,
                       (unsigned long long)got, (unsigned long long)v);
    return 0;
}

/* A versioned f64 newtype (NoiseEstimationMeasureBound, RSigmaFactor,
 * Variance), bit for bit. */
int kc_f64(struct kc *c, const char *what, double v)
{
    double got;
    KMS_TRY(kc_version(c, what, 0));
    if (c->s != NULL) {
        wire_put_f64(c->s, v);
        return kc_status(c);
    }
    if (wire_get_f64(c->r, &got) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    if (memcmp(&got, &v, sizeof v) != 0)
        return kms_err(KMS_EINVAL, "%s is %.17g, the parameters give %.17g", what, got, v);
    return 0;
}

int kc_u8(struct kc *c, const char *what, uint8_t v)
{
    uint8_t got;
    if (c->s != NULL) {
        wire_put_u8(c->s, v);
        return kc_status(c);
    }
    if (reader_u8(c->r, &got) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    if (got != v)
        return kms_err(KMS_EINVAL, "%s is %u, expected %u", what, got, v);
    return 0;
}

/* Option<...> that the parameters make present. */
int kc_some(struct kc *c, const char *what)
{
    int present;
    if (c->s != NULL) {
        wire_put_option(c->s, 1);
        return kc_status(c);
    }
    KMS_TRY(wire_get_option(c->r, what, &present));
    if (!present)
        return kms_err(KMS_EINVAL, "%s is missing; the parameter set has one", what);
    return 0;
}

int kc_modulus(struct kc *c, const char *what, unsigned bits)
{
    if (c->s != NULL) {
        wire_put_native_modulus(c->s, bits);
        return kc_status(c);
    }
    return wire_get_native_modulus(c->r, what, bits);
}

static int get_u128_newtype(struct reader *r, const char *what, u128 *v)
{
    KMS_TRY(wire_get_version(r, what, 0));
    if (reader_u128le(r, v) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    return 0;
}

static void put_cseed(struct wire_sink *s, const struct wire_cseed *cs)
{
    wire_put_version(s, V_COMPRESSION_SEED);
    wire_put_version(s, V_AES_CTR_PARAMS);
    wire_put_version(s, V_SEED_KIND);
    wire_put_variant(s, cs->kind);
    if (cs->kind == WIRE_SEED_CTR) {
        wire_put_version(s, V_SEED);
        wire_put_u128(s, cs->ctr);
    } else {
        wire_put_version(s, V_XOF_SEED);
        wire_put_bytes(s, cs->xof, cs->xof_len);
    }
    wire_put_version(s, V_TABLE_INDEX);
    wire_put_version(s, V_AES_INDEX);
    wire_put_u128(s, cs->first_byte >> 4);
    wire_put_version(s, V_BYTE_INDEX);
    wire_put_u64(s, (uint64_t)(cs->first_byte & 15));
}

static int get_cseed(struct reader *r, const char *what, struct wire_cseed *cs)
{
    uint32_t kind;
    const uint8_t *p;
    size_t n;
    u128 aes;
    uint64_t byte;
    memset(cs, 0, sizeof *cs);
    KMS_TRY(wire_get_version(r, "CompressionSeed", V_COMPRESSION_SEED));
    KMS_TRY(wire_get_version(r, "AesCtrParams", V_AES_CTR_PARAMS));
    KMS_TRY(wire_get_version(r, "SeedKind", V_SEED_KIND));
    KMS_TRY(wire_get_variant(r, "SeedKind", &kind, 2));
    cs->kind = (uint8_t)kind;
    if (kind == WIRE_SEED_CTR) {
        KMS_TRY(get_u128_newtype(r, "Seed", &cs->ctr));
    } else {
        KMS_TRY(wire_get_version(r, "XofSeed", V_XOF_SEED));
        if (bincode_get_bytes(r, &p, &n) < 0)
            return kms_err(KMS_ETRUNC, "%s: XofSeed length exceeds the input", what);
        if (n < 8 || n > WIRE_XOF_SEED_MAX)
            return kms_err(KMS_EINVAL, "%s: XofSeed of %zu bytes (8 to %d supported)", what, n,
                           WIRE_XOF_SEED_MAX);
        memcpy(cs->xof, p, n);
        cs->xof_len = n;
    }
    KMS_TRY(wire_get_version(r, "TableIndex", V_TABLE_INDEX));
    KMS_TRY(get_u128_newtype(r, "AesIndex", &aes));
    KMS_TRY(wire_get_version(r, "ByteIndex", V_BYTE_INDEX));
    if (reader_u64le(r, &byte) < 0)
        return kms_err(KMS_ETRUNC, "%s: input ends early", what);
    /* tfhe-rs keeps byte_index < 16; anything else has no canonical form */
    if (byte >= 16 || (aes >> 124) != 0)
        return kms_err(KMS_EINVAL, "%s: table index (%llu, %llu) out of range", what,
                       (unsigned long long)aes, (unsigned long long)byte);
    cs->first_byte = (aes << 4) | byte;
    return 0;
}

int kc_seed(struct kc *c, enum keyset_comp comp)
{
    if (c->s != NULL) {
        put_cseed(c->s, &c->seed[comp]);
        return kc_status(c);
    }
    return get_cseed(c->r, keyset_comp_name(comp), &c->seed[comp]);
}

int kc_tag(struct kc *c, const char *what)
{
    if (c->s != NULL) {
        wire_put_tag(c->s, c->pub->tag, c->pub->tag_len);
        return kc_status(c);
    }
    const uint8_t *p;
    size_t n;
    KMS_TRY(wire_get_version(c->r, what, 0));
    if (bincode_get_bytes(c->r, &p, &n) < 0)
        return kms_err(KMS_ETRUNC, "%s: length exceeds the input", what);
    if (c->tag != NULL && (n != c->tag_len || memcmp(p, c->tag, n) != 0))
        return kms_err(KMS_EINVAL, "%s differs from the key set's other tag", what);
    c->tag = p;
    c->tag_len = n;
    return 0;
}

/* A parameter record, written or read and compared. */
int kc_cpk_params(struct kc *c, const struct wire_cpk_params *want)
{
    struct wire_cpk_params got;
    if (c->s != NULL) {
        wire_put_cpk_params(c->s, want);
        return kc_status(c);
    }
    KMS_TRY(wire_get_cpk_params(c->r, &got));
    if (!wire_cpk_params_equal(&got.cpk, &want->cpk) || got.expansion != want->expansion ||
        got.zk_scheme != want->zk_scheme)
        return kms_err(KMS_EINVAL, "CompactPublicKeyEncryptionParameters differ from the "
                                   "parameter set's");
    return 0;
}

/* ---- pieces of both server key forms ---- */

int kc_shortint_moduli(struct kc *c, const struct tfhe_pbs_params *q)
{
    KMS_TRY(kc_version(c, "PBSOrder", V_PBS_ORDER));
    KMS_TRY(kc_variant(c, "PBSOrder", 0)); /* KeyswitchBootstrap */
    KMS_TRY(kc_scalar(c, "message_modulus", q->message_modulus));
    KMS_TRY(kc_scalar(c, "carry_modulus", q->carry_modulus));
    /* MaxDegree::integer_radix_server_key: room for one more carry */
    KMS_TRY(kc_scalar(c, "max_degree",
                      (uint64_t)q->message_modulus * q->carry_modulus - q->carry_modulus));
    return kc_scalar(c, "max_noise_level", q->max_noise_level);
}

int kc_casting_destination(struct kc *c)
{
    KMS_TRY(kc_u8(c, "cast_rshift", 0));
    KMS_TRY(kc_version(c, "EncryptionKeyChoice", V_KEY_CHOICE));
    KMS_TRY(kc_variant(c, "casting destination_key", WIRE_KEY_SMALL));
    KMS_TRY(kc_version(c, "KeySwitchingKeyDestinationAtomicPattern", V_KSK_DEST_AP));
    return kc_variant(c, "KeySwitchingKeyDestinationAtomicPattern", 0); /* Standard */
}

int kc_ms_kind(struct kc *c, const char *what, const struct tfhe_ms_params *ms, int *drift)
{
    uint32_t v = MS_DRIFT;
    if (ms->kind == TFHE_MS_STANDARD)
        v = MS_STANDARD;
    else if (ms->kind == TFHE_MS_CENTERED_MEAN)
        v = MS_CENTERED;
    *drift = v == MS_DRIFT;
    KMS_TRY(kc_version(c, what, V_MS_CONFIG));
    return kc_variant(c, "modulus switch configuration", v);
}

int kc_ms_noise(struct kc *c, const struct tfhe_ms_params *ms)
{
    KMS_TRY(kc_f64(c, "ms_bound", (double)ms->ms_bound));
    KMS_TRY(kc_f64(c, "ms_r_sigma_factor", ms->ms_r_sigma_factor));
    return kc_f64(c, "ms_input_variance", ms->ms_input_variance);
}

struct bsk_shape kc_compute_bsk_shape(const struct tfhe_params *p)
{
    struct bsk_shape s = {p->pbs.lwe_dimension, p->pbs.glwe_dimension, p->pbs.polynomial_size,
                          p->pbs.pbs_base_log, p->pbs.pbs_level};
    return s;
}

void kc_rerand_cpk_params(const struct tfhe_params *p, struct wire_cpk_params *cp)
{
    memset(cp, 0, sizeof *cp);
    cp->cpk.lwe_dimension = (uint32_t)tfhe_params_big_dimension(&p->pbs);
    cp->cpk.noise_log2 = p->pbs.glwe_noise_log2;
    cp->cpk.message_modulus = p->pbs.message_modulus;
    cp->cpk.carry_modulus = p->pbs.carry_modulus;
    cp->expansion = WIRE_EXPANSION_NO_CASTING;
    cp->zk_scheme = WIRE_ZK_NONE;
}

size_t kc_param_candidates(const struct tfhe_params **cand, const struct tfhe_params *params,
                           const char *const *sets, size_t n_sets)
{
    size_t n = 0;
    if (params != NULL) {
        cand[0] = params;
        return 1;
    }
    for (size_t i = 0; i < n_sets; i++)
        if (tfhe_params_get(&cand[n], sets[i], 1) == 0)
            n++;
    kms_err_clear();
    return n;
}

int kc_size_limit(size_t len, size_t limit)
{
    if (len > limit)
        return kms_err(KMS_ELIMIT, "wire: %zu bytes exceed the size limit of %zu", len, limit);
    return 0;
}

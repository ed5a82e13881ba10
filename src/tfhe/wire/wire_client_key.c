#include "tfhe/wire/wire_client_key.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/csprng.h"

/* Versions tfhe-rs 1.7 writes. */
#define V_CLIENT_KEY 1u           /* high_level_api ClientKeyVersions */
#define V_INTEGER_CLIENT_KEY 8u   /* IntegerClientKeyVersions */
#define V_INT_CLIENT_KEY 0u       /* integer ClientKeyVersions */
#define V_GENERIC_CLIENT_KEY 1u   /* shortint GenericClientKeyVersions */
#define V_AP_CLIENT_KEY 0u        /* AtomicPatternClientKeyVersions */
#define V_STD_AP_CLIENT_KEY 0u
#define V_GLWE_SK 0u
#define V_LWE_SK 0u
#define V_COMPACT_PRIVATE_KEY 0u  /* integer and shortint */
#define V_COMPRESSION_KEYS 0u     /* integer and shortint CompressionPrivateKeys */
#define V_SNS_PRIVATE_KEY 0u      /* integer and shortint NoiseSquashingPrivateKey */
#define V_SNSCOMP_PRIVATE_KEY 0u  /* integer and shortint NoiseSquashingCompressionPrivateKey */
#define V_OPRF_PRIVATE_KEY 0u     /* integer and shortint OprfPrivateKey */
#define V_AP_OPRF_PRIVATE_KEY 0u

void wire_client_key_clear(struct wire_client_key *ck)
{
    if (ck == NULL)
        return;
    struct keyset_secrets *sk = &ck->sk;
    secmem_free(sk->cpk);
    secmem_free(sk->lwe);
    secmem_free(sk->glwe);
    secmem_free(sk->compression);
    secmem_free(sk->sns);
    secmem_free(sk->sns_compression);
    secmem_free(sk->oprf);
    free(ck->tag);
    secmem_wipe(ck, sizeof *ck);
}

/* ---- construction from the engine ---- */

static int dup_words(void **out, const void *src, size_t words, size_t word_bytes)
{
    *out = NULL;
    if (words == 0)
        return 0;
    *out = secmem_alloc(words * word_bytes);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of secure memory for a secret key");
    memcpy(*out, src, words * word_bytes);
    return 0;
}

/* The key lengths a parameter set gives (0 for components it lacks). */
static void expected_lengths(const struct tfhe_params *p, struct keyset_secrets *len)
{
    memset(len, 0, sizeof *len);
    len->lwe_len = p->pbs.lwe_dimension;
    len->glwe_len = (size_t)p->pbs.glwe_dimension * p->pbs.polynomial_size;
    len->oprf_len = p->pbs.lwe_dimension;
    if (p->has_cpk)
        len->cpk_len = p->cpk.lwe_dimension;
    if (p->has_compression)
        len->compression_len = (size_t)p->compression.packing_ks_glwe_dimension *
                               p->compression.packing_ks_polynomial_size;
    if (p->has_sns)
        len->sns_len = (size_t)p->sns.glwe_dimension * p->sns.polynomial_size;
    if (p->has_sns_compression)
        len->sns_compression_len = (size_t)p->sns_compression.packing_ks_glwe_dimension *
                                   p->sns_compression.packing_ks_polynomial_size;
}

int wire_client_key_from_secrets(struct wire_client_key *out, const struct tfhe_params *params,
                                 const struct keyset_secrets *sk, const uint8_t *tag,
                                 size_t tag_len)
{
    struct keyset_secrets want;
    memset(out, 0, sizeof *out);
    expected_lengths(params, &want);
    if (sk->lwe_len != want.lwe_len || sk->glwe_len != want.glwe_len ||
        sk->cpk_len != want.cpk_len || sk->compression_len != want.compression_len ||
        sk->sns_len != want.sns_len || sk->sns_compression_len != want.sns_compression_len ||
        (sk->oprf != NULL && sk->oprf_len != want.oprf_len) || sk->lwe == NULL ||
        sk->glwe == NULL)
        return kms_err(KMS_EINVAL, "wire: secret keys do not have the lengths of the \"%s\" "
                                   "parameter set", params->name);
    out->params = params;
    out->own = *params;
    if (params->has_cpk)
        wire_params_kms_cpk(params, &out->cpk, &out->casting, &out->rerand);
    out->has_rerand = params->has_cpk;
    out->has_oprf = sk->oprf != NULL;
    struct keyset_secrets *d = &out->sk;
    int rc = dup_words((void **)&d->lwe, sk->lwe, sk->lwe_len, 8);
    if (rc == 0)
        rc = dup_words((void **)&d->glwe, sk->glwe, sk->glwe_len, 8);
    if (rc == 0)
        rc = dup_words((void **)&d->cpk, sk->cpk, sk->cpk_len, 8);
    if (rc == 0)
        rc = dup_words((void **)&d->compression, sk->compression, sk->compression_len, 8);
    if (rc == 0)
        rc = dup_words((void **)&d->sns, sk->sns, sk->sns_len, 16);
    if (rc == 0)
        rc = dup_words((void **)&d->sns_compression, sk->sns_compression,
                       sk->sns_compression_len, 16);
    if (rc == 0 && sk->oprf != NULL)
        rc = dup_words((void **)&d->oprf, sk->oprf, sk->oprf_len, 8);
    if (rc == 0)
        rc = wire_tag_dup(&out->tag, &out->tag_len, tag, tag_len);
    if (rc < 0) {
        wire_client_key_clear(out);
        return rc;
    }
    d->lwe_len = sk->lwe_len;
    d->glwe_len = sk->glwe_len;
    d->cpk_len = sk->cpk_len;
    d->compression_len = sk->compression_len;
    d->sns_len = sk->sns_len;
    d->sns_compression_len = sk->sns_compression_len;
    d->oprf_len = sk->oprf != NULL ? sk->oprf_len : 0;
    return 0;
}

int wire_client_key_from_keyset(struct wire_client_key *out, const struct keyset *ks)
{
    return wire_client_key_from_secrets(out, ks->pub.params, &ks->sk, ks->pub.tag,
                                        ks->pub.tag_len);
}

/* ---- writing ---- */

static void put_glwe_sk64(struct wire_sink *s, const uint64_t *w, size_t n, uint32_t poly)
{
    wire_put_version(s, V_GLWE_SK);
    wire_put_u64s(s, w, n);
    wire_put_scalar(s, poly);
}

static void put_glwe_sk128(struct wire_sink *s, const u128 *w, size_t n, uint32_t poly)
{
    wire_put_version(s, V_GLWE_SK);
    wire_put_u128s(s, w, n);
    wire_put_scalar(s, poly);
}

static void put_lwe_sk(struct wire_sink *s, const uint64_t *w, size_t n)
{
    wire_put_version(s, V_LWE_SK);
    wire_put_u64s(s, w, n);
}

static void put_components(struct wire_sink *s, const struct wire_client_key *ck)
{
    const struct tfhe_params *p = ck->params;
    const struct keyset_secrets *sk = &ck->sk;
    wire_put_option(s, p->has_cpk);
    if (p->has_cpk) {
        wire_put_version(s, V_COMPACT_PRIVATE_KEY);
        wire_put_version(s, V_COMPACT_PRIVATE_KEY);
        put_lwe_sk(s, sk->cpk, sk->cpk_len);
        wire_put_cpk_params(s, &ck->cpk);
        wire_put_ksk_params(s, &ck->casting);
    }
    wire_put_option(s, p->has_compression);
    if (p->has_compression) {
        wire_put_version(s, V_COMPRESSION_KEYS);
        wire_put_version(s, V_COMPRESSION_KEYS);
        put_glwe_sk64(s, sk->compression, sk->compression_len,
                      p->compression.packing_ks_polynomial_size);
        wire_put_compression_params(s, &p->compression);
    }
    wire_put_option(s, p->has_sns);
    if (p->has_sns) {
        wire_put_version(s, V_SNS_PRIVATE_KEY);
        wire_put_version(s, V_SNS_PRIVATE_KEY);
        put_glwe_sk128(s, sk->sns, sk->sns_len, p->sns.polynomial_size);
        wire_put_sns_params(s, &p->sns);
    }
    wire_put_option(s, p->has_sns_compression);
    if (p->has_sns_compression) {
        wire_put_version(s, V_SNSCOMP_PRIVATE_KEY);
        wire_put_version(s, V_SNSCOMP_PRIVATE_KEY);
        put_glwe_sk128(s, sk->sns_compression, sk->sns_compression_len,
                       p->sns_compression.packing_ks_polynomial_size);
        uint32_t msg = p->has_sns ? p->sns.message_modulus : p->pbs.message_modulus;
        uint32_t carry = p->has_sns ? p->sns.carry_modulus : p->pbs.carry_modulus;
        wire_put_snscomp_params(s, &p->sns_compression, msg, carry);
    }
    wire_put_option(s, ck->has_rerand);
    if (ck->has_rerand)
        wire_put_rerand_params(s, &ck->rerand);
    wire_put_option(s, ck->has_oprf);
    if (ck->has_oprf) {
        wire_put_version(s, V_OPRF_PRIVATE_KEY);
        wire_put_version(s, V_OPRF_PRIVATE_KEY);
        wire_put_version(s, V_AP_OPRF_PRIVATE_KEY);
        wire_put_variant(s, 0); /* Standard */
        put_lwe_sk(s, sk->oprf, sk->oprf_len);
    }
}

int wire_client_key_write(struct wire_sink *s, const struct wire_client_key *ck)
{
    const struct tfhe_params *p = ck->params;
    if (p == NULL || ck->sk.lwe == NULL || ck->sk.glwe == NULL)
        return kms_err(KMS_EINVAL, "wire: client key not initialized");
    wire_put_header(s, WIRE_NAME_CLIENT_KEY);
    wire_put_version(s, V_CLIENT_KEY);
    wire_put_version(s, V_INTEGER_CLIENT_KEY);
    wire_put_version(s, V_INT_CLIENT_KEY);
    wire_put_version(s, V_GENERIC_CLIENT_KEY);
    wire_put_version(s, V_AP_CLIENT_KEY);
    wire_put_variant(s, 0); /* AtomicPatternClientKey::Standard */
    wire_put_version(s, V_STD_AP_CLIENT_KEY);
    put_glwe_sk64(s, ck->sk.glwe, ck->sk.glwe_len, p->pbs.polynomial_size);
    put_lwe_sk(s, ck->sk.lwe, ck->sk.lwe_len);
    wire_put_pbs_params(s, &p->pbs);
    wire_put_option(s, 0); /* wopbs_parameters */
    put_components(s, ck);
    wire_put_tag(s, ck->tag, ck->tag_len);
    return wire_sink_status(s);
}

/* ---- reading ---- */

/* A binary secret key vector of `expect` words of word_bytes bytes each, into
 * fresh secure memory. The binary check looks at every word alike. */
static int get_secret(struct reader *r, const char *what, void **out, size_t expect,
                      size_t word_bytes)
{
    const uint8_t *p;
    size_t n;
    *out = NULL;
    if (word_bytes == 8)
        KMS_TRY(wire_get_u64s(r, what, &p, &n));
    else
        KMS_TRY(wire_get_u128s(r, what, &p, &n));
    if (n != expect)
        return kms_err(KMS_EINVAL, "%s: %zu coefficients where the parameters give %zu", what, n,
                       expect);
    if (n == 0)
        return kms_err(KMS_EINVAL, "%s: empty key", what);
    *out = secmem_alloc(n * word_bytes);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of secure memory for %s", what);
    memcpy(*out, p, n * word_bytes);
    uint64_t high = 0;
    const uint64_t *w = *out;
    for (size_t i = 0; i < n * word_bytes / 8; i++)
        high |= w[i] >> (word_bytes == 8 || i % 2 == 0 ? 1 : 0);
    if (high != 0) {
        secmem_free(*out);
        *out = NULL;
        return kms_err(KMS_EINVAL, "%s: not a binary key", what);
    }
    return 0;
}

static int get_glwe_sk(struct reader *r, const char *what, void **out, size_t *len,
                       uint32_t k, uint32_t poly, size_t word_bytes)
{
    uint64_t got;
    KMS_TRY(wire_get_version(r, what, V_GLWE_SK));
    KMS_TRY(get_secret(r, what, out, (size_t)k * poly, word_bytes));
    *len = (size_t)k * poly;
    KMS_TRY(wire_get_scalar(r, "GlweSecretKey polynomial_size", &got));
    if (got != poly)
        return kms_err(KMS_EINVAL, "%s: polynomial size %llu, parameters give %u", what,
                       (unsigned long long)got, poly);
    return 0;
}

static int get_lwe_sk(struct reader *r, const char *what, uint64_t **out, size_t *len,
                      size_t n)
{
    KMS_TRY(wire_get_version(r, what, V_LWE_SK));
    KMS_TRY(get_secret(r, what, (void **)out, n, 8));
    *len = n;
    return 0;
}

static int get_compute(struct reader *r, struct wire_client_key *ck)
{
    struct tfhe_params *p = &ck->own;
    uint32_t v;
    int present;
    KMS_TRY(wire_get_version(r, "ClientKey", V_CLIENT_KEY));
    KMS_TRY(wire_get_version(r, "IntegerClientKey", V_INTEGER_CLIENT_KEY));
    KMS_TRY(wire_get_version(r, "integer ClientKey", V_INT_CLIENT_KEY));
    KMS_TRY(wire_get_version(r, "shortint ClientKey", V_GENERIC_CLIENT_KEY));
    KMS_TRY(wire_get_version(r, "AtomicPatternClientKey", V_AP_CLIENT_KEY));
    KMS_TRY(wire_get_variant(r, "AtomicPatternClientKey", &v, 2));
    if (v != 0)
        return kms_err(KMS_EINVAL, "unsupported client key: KeySwitch32 atomic pattern");
    KMS_TRY(wire_get_version(r, "StandardAtomicPatternClientKey", V_STD_AP_CLIENT_KEY));
    /* the keys come before their parameters: keep views, check after */
    size_t glwe_at = r->pos;
    const uint8_t *view;
    size_t n;
    uint64_t poly;
    KMS_TRY(wire_get_version(r, "compute GlweSecretKey", V_GLWE_SK));
    KMS_TRY(wire_get_u64s(r, "compute GlweSecretKey", &view, &n));
    KMS_TRY(wire_get_scalar(r, "GlweSecretKey polynomial_size", &poly));
    KMS_TRY(wire_get_version(r, "compute LweSecretKey", V_LWE_SK));
    KMS_TRY(wire_get_u64s(r, "compute LweSecretKey", &view, &n));
    KMS_TRY(wire_get_pbs_params(r, &p->pbs));
    KMS_TRY(wire_get_option(r, "wopbs_parameters", &present));
    if (present)
        return kms_err(KMS_EINVAL, "unsupported client key: WoPBS parameters");
    size_t params_end = r->pos;
    r->pos = glwe_at;
    KMS_TRY(get_glwe_sk(r, "compute GlweSecretKey", (void **)&ck->sk.glwe, &ck->sk.glwe_len,
                        p->pbs.glwe_dimension, p->pbs.polynomial_size, 8));
    KMS_TRY(get_lwe_sk(r, "compute LweSecretKey", &ck->sk.lwe, &ck->sk.lwe_len,
                       p->pbs.lwe_dimension));
    r->pos = params_end;
    return 0;
}

static int get_cpk(struct reader *r, struct wire_client_key *ck)
{
    struct tfhe_params *p = &ck->own;
    KMS_TRY(wire_get_version(r, "integer CompactPrivateKey", V_COMPACT_PRIVATE_KEY));
    KMS_TRY(wire_get_version(r, "shortint CompactPrivateKey", V_COMPACT_PRIVATE_KEY));
    size_t key_at = r->pos;
    const uint8_t *view;
    size_t n;
    KMS_TRY(wire_get_version(r, "compact LweSecretKey", V_LWE_SK));
    KMS_TRY(wire_get_u64s(r, "compact LweSecretKey", &view, &n));
    KMS_TRY(wire_get_cpk_params(r, &ck->cpk));
    KMS_TRY(wire_get_ksk_params(r, &ck->casting));
    size_t end = r->pos;
    r->pos = key_at;
    KMS_TRY(get_lwe_sk(r, "compact LweSecretKey", &ck->sk.cpk, &ck->sk.cpk_len,
                       ck->cpk.cpk.lwe_dimension));
    r->pos = end;
    p->has_cpk = 1;
    p->cpk = ck->cpk.cpk;
    p->casting.ks_base_log = ck->casting.ks_base_log;
    p->casting.ks_level = ck->casting.ks_level;
    p->casting.noise_log2 = wire_casting_noise_log2(&p->pbs, ck->casting.destination);
    return 0;
}

/* A GLWE key followed by its parameters: read the parameters first. */
typedef int (*params_fn)(struct reader *r, struct wire_client_key *ck, uint32_t *k,
                         uint32_t *poly);

static int get_keyed(struct reader *r, struct wire_client_key *ck, const char *what,
                     void **key, size_t *len, size_t word_bytes, params_fn get_params)
{
    const uint8_t *view;
    size_t n;
    uint64_t poly_seen;
    uint32_t k, poly;
    size_t key_at = r->pos;
    KMS_TRY(wire_get_version(r, what, V_GLWE_SK));
    if (word_bytes == 8)
        KMS_TRY(wire_get_u64s(r, what, &view, &n));
    else
        KMS_TRY(wire_get_u128s(r, what, &view, &n));
    KMS_TRY(wire_get_scalar(r, "GlweSecretKey polynomial_size", &poly_seen));
    KMS_TRY(get_params(r, ck, &k, &poly));
    size_t end = r->pos;
    r->pos = key_at;
    KMS_TRY(get_glwe_sk(r, what, key, len, k, poly, word_bytes));
    r->pos = end;
    return 0;
}

static int compression_params(struct reader *r, struct wire_client_key *ck, uint32_t *k,
                              uint32_t *poly)
{
    KMS_TRY(wire_get_compression_params(r, &ck->own.compression));
    ck->own.has_compression = 1;
    *k = ck->own.compression.packing_ks_glwe_dimension;
    *poly = ck->own.compression.packing_ks_polynomial_size;
    return 0;
}

static int sns_params(struct reader *r, struct wire_client_key *ck, uint32_t *k, uint32_t *poly)
{
    KMS_TRY(wire_get_sns_params(r, &ck->own.sns));
    ck->own.has_sns = 1;
    *k = ck->own.sns.glwe_dimension;
    *poly = ck->own.sns.polynomial_size;
    return 0;
}

static int snscomp_params(struct reader *r, struct wire_client_key *ck, uint32_t *k,
                          uint32_t *poly)
{
    uint32_t msg, carry;
    struct tfhe_params *p = &ck->own;
    KMS_TRY(wire_get_snscomp_params(r, &p->sns_compression, &msg, &carry));
    if (msg != (p->has_sns ? p->sns.message_modulus : p->pbs.message_modulus) ||
        carry != (p->has_sns ? p->sns.carry_modulus : p->pbs.carry_modulus))
        return kms_err(KMS_EINVAL, "unsupported parameters: noise-squashing compression moduli "
                                   "%u/%u differ from the noise-squashing ones", msg, carry);
    p->has_sns_compression = 1;
    *k = p->sns_compression.packing_ks_glwe_dimension;
    *poly = p->sns_compression.packing_ks_polynomial_size;
    return 0;
}

static int get_oprf(struct reader *r, struct wire_client_key *ck)
{
    uint32_t v;
    KMS_TRY(wire_get_version(r, "integer OprfPrivateKey", V_OPRF_PRIVATE_KEY));
    KMS_TRY(wire_get_version(r, "shortint OprfPrivateKey", V_OPRF_PRIVATE_KEY));
    KMS_TRY(wire_get_version(r, "AtomicPatternOprfPrivateKey", V_AP_OPRF_PRIVATE_KEY));
    KMS_TRY(wire_get_variant(r, "AtomicPatternOprfPrivateKey", &v, 2));
    if (v != 0)
        return kms_err(KMS_EINVAL, "unsupported client key: KeySwitch32 OPRF key");
    ck->has_oprf = 1;
    return get_lwe_sk(r, "OPRF LweSecretKey", &ck->sk.oprf, &ck->sk.oprf_len,
                      ck->own.pbs.lwe_dimension);
}

static int get_components(struct reader *r, struct wire_client_key *ck)
{
    int present;
    KMS_TRY(wire_get_option(r, "dedicated_compact_private_key", &present));
    if (present)
        KMS_TRY(get_cpk(r, ck));
    KMS_TRY(wire_get_option(r, "compression_key", &present));
    if (present) {
        KMS_TRY(wire_get_version(r, "integer CompressionPrivateKeys", V_COMPRESSION_KEYS));
        KMS_TRY(wire_get_version(r, "shortint CompressionPrivateKeys", V_COMPRESSION_KEYS));
        KMS_TRY(get_keyed(r, ck, "compression GlweSecretKey", (void **)&ck->sk.compression,
                          &ck->sk.compression_len, 8, compression_params));
    }
    KMS_TRY(wire_get_option(r, "noise_squashing_private_key", &present));
    if (present) {
        KMS_TRY(wire_get_version(r, "integer NoiseSquashingPrivateKey", V_SNS_PRIVATE_KEY));
        KMS_TRY(wire_get_version(r, "shortint NoiseSquashingPrivateKey", V_SNS_PRIVATE_KEY));
        KMS_TRY(get_keyed(r, ck, "noise-squashing GlweSecretKey", (void **)&ck->sk.sns,
                          &ck->sk.sns_len, 16, sns_params));
    }
    KMS_TRY(wire_get_option(r, "noise_squashing_compression_private_key", &present));
    if (present) {
        KMS_TRY(wire_get_version(r, "integer NoiseSquashingCompressionPrivateKey",
                                 V_SNSCOMP_PRIVATE_KEY));
        KMS_TRY(wire_get_version(r, "shortint NoiseSquashingCompressionPrivateKey",
                                 V_SNSCOMP_PRIVATE_KEY));
        KMS_TRY(get_keyed(r, ck, "noise-squashing compression GlweSecretKey",
                          (void **)&ck->sk.sns_compression, &ck->sk.sns_compression_len, 16,
                          snscomp_params));
    }
    KMS_TRY(wire_get_option(r, "cpk_re_randomization_params", &ck->has_rerand));
    if (ck->has_rerand)
        KMS_TRY(wire_get_rerand_params(r, &ck->rerand));
    KMS_TRY(wire_get_option(r, "dedicated_oprf_private_key", &present));
    if (present)
        KMS_TRY(get_oprf(r, ck));
    return 0;
}

int wire_client_key_read(struct wire_client_key *out, const uint8_t *bytes, size_t len,
                         size_t size_limit)
{
    struct reader r;
    memset(out, 0, sizeof *out);
    out->own.name = "custom";
    out->own.insecure = 1; /* unknown parameters are not vouched for */
    int rc = wire_open(&r, bytes, len, size_limit, WIRE_NAME_CLIENT_KEY);
    if (rc == 0)
        rc = get_compute(&r, out);
    if (rc == 0)
        rc = get_components(&r, out);
    if (rc == 0)
        rc = wire_get_tag(&r, "ClientKey tag", &out->tag, &out->tag_len);
    if (rc == 0)
        rc = wire_close(&r, WIRE_NAME_CLIENT_KEY);
    if (rc < 0) {
        wire_client_key_clear(out);
        return rc;
    }
    const struct tfhe_params *known = wire_params_known(&out->own);
    out->params = known != NULL ? known : &out->own;
    return 0;
}

/* ---- engine keys ---- */

int wire_client_key_compute(struct shortint_client_key **out, const struct wire_client_key *ck)
{
    static const uint8_t zero[16] = {0};
    struct csprng dummy;
    *out = NULL;
    if (ck->sk.lwe == NULL || ck->sk.glwe == NULL)
        return kms_err(KMS_EINVAL, "wire: client key not initialized");
    /* shortint.h builds keys only from a generator: draw throwaway keys of
     * the right shape, then put the real bits in */
    KMS_TRY(csprng_init_seed(&dummy, zero));
    int rc = shortint_client_key_new(out, ck->params, &dummy);
    csprng_free(&dummy);
    KMS_TRY(rc);
    struct shortint_client_key *k = *out;
    memcpy(k->lwe_sk, ck->sk.lwe, ck->sk.lwe_len * sizeof *k->lwe_sk);
    memcpy(k->glwe_sk, ck->sk.glwe, ck->sk.glwe_len * sizeof *k->glwe_sk);
    for (size_t i = 0; i < ck->sk.glwe_len; i++)
        k->big_mask[i] = 0 - (k->glwe_sk[i] & 1);
    return 0;
}

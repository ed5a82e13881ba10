/* CompressedXofKeySet decompression (tfhe-rs xof_key_set/mod.rs expand and
 * internal.rs decompress_with_pre_seeded_generator): masks regenerated from
 * the public stream, bodies copied, then every key converted to the domain
 * the engine computes in. Also the client keys of a keyset. */
#include "tfhe/keyset.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/bsk128.h"
#include "tfhe/keyset_impl.h"
#include "tfhe/lwe.h"
#include "tfhe/sampler.h"

int keyset_mask_stream(struct csprng *g, const struct keyset_public *pub)
{
    if (pub->seed_len == 0 || pub->seed_len > KEYSET_SEED_MAX)
        return kms_err(KMS_EINVAL, "keyset: public seed of %zu bytes", pub->seed_len);
    return csprng_init_xof(g, keyset_public_dsep, pub->seed, pub->seed_len);
}

static int check_comp(const struct keyset_public *pub, enum keyset_comp c)
{
    if ((unsigned)c >= KEYSET_COMP_COUNT)
        return kms_err(KMS_EINVAL, "keyset: unknown component %d", (int)c);
    const struct keyset_component *k = &pub->comp[c];
    if (!k->layout.present)
        return kms_err(KMS_EINVAL, "keyset: parameter set \"%s\" has no %s",
                       pub->params != NULL ? pub->params->name : "(none)", keyset_comp_name(c));
    if (k->bodies == NULL)
        return kms_err(KMS_EINVAL, "keyset: the %s has no bodies", keyset_comp_name(c));
    return 0;
}

int keyset_expand(const struct keyset_public *pub, enum keyset_comp c, struct csprng *g,
                  void *out, size_t out_words, size_t first_ct, size_t n_ct)
{
    KMS_TRY(check_comp(pub, c));
    const struct keyset_layout *l = &pub->comp[c].layout;
    size_t ct_words = keyset_layout_ct_words(l);
    if (first_ct > l->count || n_ct > l->count - first_ct || out_words / ct_words < n_ct)
        return kms_err(KMS_EINVAL, "keyset: ciphertexts %zu + %zu of the %s (%zu) do not fit",
                       first_ct, n_ct, keyset_comp_name(c), l->count);
    for (size_t t = 0; t < n_ct; t++) {
        void *ct = keyset_word_ptr(out, l, t * ct_words);
        if (l->word_bytes == 8)
            KMS_TRY(sample_uniform_u64(g, ct, l->mask_words));
        else
            KMS_TRY(sample_uniform_u128(g, ct, l->mask_words));
        memcpy(keyset_word_ptr(ct, l, l->mask_words),
               keyset_word_cptr(pub->comp[c].bodies, l, (first_ct + t) * l->body_words),
               l->body_words * l->word_bytes);
    }
    return 0;
}

int keyset_expand_component(const struct keyset_public *pub, enum keyset_comp c, void *out,
                            size_t out_words)
{
    KMS_TRY(check_comp(pub, c));
    const struct keyset_layout *l = &pub->comp[c].layout;
    if (out_words != keyset_layout_words(l))
        return kms_err(KMS_EINVAL, "keyset: the %s has %zu words, got a buffer of %zu",
                       keyset_comp_name(c), keyset_layout_words(l), out_words);
    struct csprng g;
    KMS_TRY(keyset_mask_stream(&g, pub));
    csprng_seek_start(&g, pub->comp[c].first_byte);
    int rc = keyset_expand(pub, c, &g, out, out_words, 0, l->count);
    csprng_free(&g);
    return rc;
}

/* ---- decompression ---- */

void keyset_server_free(struct keyset_server *s)
{
    if (s == NULL)
        return;
    free(s->cpk);
    shortint_server_key_free(s->compute);
    free(s->casting_ksk);
    compression_key_free(s->compression);
    compression_decompression_key_free(s->decompression);
    sns_server_key_free(s->sns);
    snscomp_key_free(s->sns_compression);
    free(s->rerand_cpk);
    fourier_bsk_free(&s->oprf_bsk);
    free(s);
}

/* The whole component c in a fresh buffer, from the running stream g. */
static int expand_alloc(void **out, size_t *words, const struct keyset_public *pub,
                        enum keyset_comp c, struct csprng *g)
{
    const struct keyset_layout *l = &pub->comp[c].layout;
    *out = NULL;
    *words = keyset_layout_words(l);
    if (!l->present)
        return 0;
    *out = malloc(*words * l->word_bytes);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory expanding the %s", keyset_comp_name(c));
    int rc = keyset_expand(pub, c, g, *out, *words, 0, l->count);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* The compute server key from its standard-domain parts (as
 * shortint_server_key_new builds it: KSK with its 32-bit rounding, Fourier
 * BSK, the parameter set's switch and drift key). Takes ksk and ms_zeros. */
static int compute_key(struct shortint_server_key **out, const struct tfhe_params *p,
                       uint64_t *ksk, const uint64_t *bsk, uint64_t *ms_zeros)
{
    const struct tfhe_pbs_params *q = &p->pbs;
    struct shortint_server_key *sk = calloc(1, sizeof *sk);
    if (sk == NULL) {
        free(ksk);
        free(ms_zeros);
        return kms_err(KMS_ENOMEM, "keyset: out of memory for the server key");
    }
    sk->params = p;
    sk->ms_kind = q->ms.kind;
    sk->ksk = ksk;
    sk->ms_zeros = ms_zeros;
    struct bsk_shape s = keyset_compute_bsk_shape(p);
    int rc = fourier_bsk_from_std(&sk->bsk, &s, bsk);
    size_t words = lwe_ksk_size(tfhe_params_big_dimension(q), q->lwe_dimension, q->ks_level);
    if (rc == 0 && lwe_ksk_u32_ok(q->ks_base_log, q->ks_level)) {
        sk->ksk32 = malloc(words * sizeof *sk->ksk32);
        if (sk->ksk32 == NULL)
            rc = kms_err(KMS_ENOMEM, "keyset: out of memory for the server key");
        else
            lwe_ksk_round_u32(sk->ksk32, sk->ksk, words);
    }
    if (rc < 0) {
        shortint_server_key_free(sk);
        return rc;
    }
    *out = sk;
    return 0;
}

/* The 128-bit BSK into the NTT domain one GGSW at a time: each GGSW is
 * expanded and packed alone (bsk128_ntt_from_std of a one-GGSW shape: the
 * packing of a GGSW does not depend on the others) and copied to its slot,
 * so the 775 MiB standard-domain key never exists at once. */
static int sns_bsk_stream(struct bsk128_ntt *out, const struct keyset_public *pub,
                          struct csprng *g)
{
    const struct keyset_layout *l = &pub->comp[KEYSET_SNS_BSK].layout;
    struct bsk_shape s = sns_bsk_shape(pub->params), one = s;
    one.lwe_dimension = 1;
    memset(out, 0, sizeof *out);
    size_t words = l->chunk_cts * keyset_layout_ct_words(l);
    u128 *ggsw = malloc(words * sizeof *ggsw);
    int rc = ggsw == NULL ? kms_err(KMS_ENOMEM, "keyset: out of memory for a GGSW") : 0;
    for (size_t i = 0; rc == 0 && i < s.lwe_dimension; i++) {
        struct bsk128_ntt tmp;
        rc = keyset_expand(pub, KEYSET_SNS_BSK, g, ggsw, words, i * l->chunk_cts, l->chunk_cts);
        if (rc == 0)
            rc = bsk128_ntt_from_std(&tmp, &one, ggsw);
        if (rc == 0 && i == 0) {
            out->shape = s;
            out->plan = tmp.plan;
            out->ggsw_words = tmp.ggsw_words;
            out->data = tmp.ggsw_words <= SIZE_MAX / 8 / s.lwe_dimension
                            ? ntt128_buf_alloc(s.lwe_dimension * tmp.ggsw_words)
                            : NULL;
            if (out->data == NULL)
                rc = kms_err(KMS_ENOMEM, "keyset: out of memory for the SnS key");
        }
        if (rc == 0)
            memcpy(out->data + i * out->ggsw_words, tmp.data, out->ggsw_words * 8);
        bsk128_ntt_free(&tmp);
    }
    free(ggsw);
    if (rc < 0)
        bsk128_ntt_free(out);
    return rc;
}

static int sns_key(struct sns_server_key **out, const struct keyset_public *pub,
                   struct csprng *g)
{
    struct sns_server_key *ssk = calloc(1, sizeof *ssk);
    if (ssk == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory for the SnS key");
    ssk->params = pub->params;
    size_t words;
    int rc = sns_bsk_stream(&ssk->bsk, pub, g);
    if (rc == 0)
        rc = expand_alloc((void **)&ssk->ms_zeros, &words, pub, KEYSET_SNS_MS, g);
    if (rc < 0) {
        sns_server_key_free(ssk);
        return rc;
    }
    *out = ssk;
    return 0;
}

static int packing_key(void **out, struct packing_ksk_shape *shape, const struct keyset_public *pub,
                       enum keyset_comp c, struct csprng *g)
{
    /* compression_key and snscomp_key: {params, shape, pksk} */
    size_t words;
    void *pksk;
    KMS_TRY(c == KEYSET_COMPRESSION ? compression_packing_shape(pub->params, shape)
                                    : snscomp_packing_shape(pub->params, shape));
    KMS_TRY(expand_alloc(&pksk, &words, pub, c, g));
    *out = pksk;
    return 0;
}

/* Steps 2, 3 and 4-6 of the stream: compression, decompression, compute. */
static int decompress_compute(struct keyset_server *s, const struct keyset_public *pub,
                              struct csprng *g)
{
    const struct tfhe_params *p = pub->params;
    size_t words;
    void *pksk, *std;
    struct packing_ksk_shape ps;
    KMS_TRY(packing_key(&pksk, &ps, pub, KEYSET_COMPRESSION, g));
    s->compression = calloc(1, sizeof *s->compression);
    if (s->compression == NULL) {
        free(pksk);
        return kms_err(KMS_ENOMEM, "keyset: out of memory for the compression key");
    }
    *s->compression = (struct compression_key){.params = p, .shape = ps, .pksk = pksk};

    KMS_TRY(expand_alloc(&std, &words, pub, KEYSET_DECOMPRESSION, g));
    int rc = compression_decompression_key_from_std(&s->decompression, p, std, words);
    free(std);
    KMS_TRY(rc);

    uint64_t *ksk, *bsk, *ms = NULL;
    KMS_TRY(expand_alloc((void **)&ksk, &words, pub, KEYSET_COMPUTE_KSK, g));
    rc = expand_alloc((void **)&bsk, &words, pub, KEYSET_COMPUTE_BSK, g);
    if (rc == 0)
        rc = expand_alloc((void **)&ms, &words, pub, KEYSET_COMPUTE_MS, g);
    if (rc < 0) {
        free(ksk);
        free(bsk);
        return rc;
    }
    rc = compute_key(&s->compute, p, ksk, bsk, ms);
    free(bsk);
    return rc;
}

/* Steps 7 to 12. */
static int decompress_rest(struct keyset_server *s, const struct keyset_public *pub,
                           struct csprng *g)
{
    const struct tfhe_params *p = pub->params;
    size_t words;
    void *pksk, *std;
    struct packing_ksk_shape ps;
    KMS_TRY(sns_key(&s->sns, pub, g));
    KMS_TRY(expand_alloc((void **)&s->casting_ksk, &s->casting_ksk_len, pub, KEYSET_CASTING_KSK,
                         g));
    KMS_TRY(expand_alloc((void **)&s->rerand_cpk, &s->rerand_cpk_len, pub, KEYSET_RERAND_CPK, g));
    KMS_TRY(packing_key(&pksk, &ps, pub, KEYSET_SNS_COMPRESSION, g));
    s->sns_compression = calloc(1, sizeof *s->sns_compression);
    if (s->sns_compression == NULL) {
        free(pksk);
        return kms_err(KMS_ENOMEM, "keyset: out of memory for the SnS compression key");
    }
    *s->sns_compression = (struct snscomp_key){.params = p, .shape = ps, .pksk = pksk};
    KMS_TRY(expand_alloc(&std, &words, pub, KEYSET_OPRF_BSK, g));
    struct bsk_shape bs = keyset_compute_bsk_shape(p);
    int rc = fourier_bsk_from_std(&s->oprf_bsk, &bs, std);
    free(std);
    return rc;
}

int keyset_check_public(const struct keyset_public *pub)
{
    if (pub == NULL || pub->params == NULL)
        return kms_err(KMS_EINVAL, "keyset: no public keyset");
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        struct keyset_layout want;
        KMS_TRY(keyset_layout_get(&want, pub->params, (enum keyset_comp)c));
        const struct keyset_component *k = &pub->comp[c];
        const struct keyset_layout *got = &k->layout;
        if (want.present != got->present || want.word_bytes != got->word_bytes ||
            want.count != got->count || want.mask_words != got->mask_words ||
            want.body_words != got->body_words || want.chunk_cts != got->chunk_cts ||
            want.noise_log2 != got->noise_log2)
            return kms_err(KMS_EINVAL, "keyset: the %s does not have the shape of set \"%s\"",
                           keyset_comp_name((enum keyset_comp)c), pub->params->name);
        if (want.present && k->bodies == NULL)
            return kms_err(KMS_EINVAL, "keyset: the %s has no bodies",
                           keyset_comp_name((enum keyset_comp)c));
    }
    return 0;
}

int keyset_decompress(struct keyset_server **out, const struct keyset_public *pub)
{
    *out = NULL;
    KMS_TRY(keyset_check_public(pub));
    struct keyset_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory");
    s->params = pub->params;
    /* one mask stream for everything, in generation order; the components'
     * own first_byte are not consulted (tfhe-rs ignores the stored seeds) */
    struct csprng g;
    int rc = keyset_mask_stream(&g, pub);
    if (rc < 0) {
        free(s);
        return rc;
    }
    rc = expand_alloc((void **)&s->cpk, &s->cpk_len, pub, KEYSET_CPK, &g);
    if (rc == 0)
        rc = decompress_compute(s, pub, &g);
    if (rc == 0)
        rc = decompress_rest(s, pub, &g);
    csprng_free(&g);
    if (rc < 0) {
        keyset_server_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- client keys ---- */

/* shortint_client_key has no from-bits constructor: make one from a
 * throwaway stream (which also picks the CPU's masked-sum kernel), then put
 * the keyset's bits and the AND masks derived from them in place (the
 * fields shortint.h documents). */
static int compute_client_key(struct shortint_client_key **out, const struct keyset *ks)
{
    static const uint8_t zero[16] = {0};
    struct csprng dummy;
    KMS_TRY(csprng_init_seed(&dummy, zero));
    int rc = shortint_client_key_new(out, ks->pub.params, &dummy);
    csprng_free(&dummy);
    KMS_TRY(rc);
    struct shortint_client_key *ck = *out;
    memcpy(ck->lwe_sk, ks->sk.lwe, ks->sk.lwe_len * sizeof *ck->lwe_sk);
    memcpy(ck->glwe_sk, ks->sk.glwe, ks->sk.glwe_len * sizeof *ck->glwe_sk);
    for (size_t i = 0; i < ks->sk.glwe_len; i++)
        ck->big_mask[i] = 0 - (ck->glwe_sk[i] & 1);
    return 0;
}

void keyset_client_free(struct keyset_client *c)
{
    if (c == NULL)
        return;
    shortint_client_key_free(c->compute);
    compression_private_key_free(c->compression);
    sns_private_key_free(c->sns);
    snscomp_private_key_free(c->sns_compression);
    free(c);
}

int keyset_client_new(struct keyset_client **out, const struct keyset *ks)
{
    *out = NULL;
    if (ks == NULL || ks->sk.lwe == NULL)
        return kms_err(KMS_EINVAL, "keyset: no secret keys");
    const struct tfhe_params *p = ks->pub.params;
    struct keyset_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return kms_err(KMS_ENOMEM, "keyset: out of memory");
    c->params = p;
    int rc = compute_client_key(&c->compute, ks);
    if (rc == 0)
        rc = compression_private_key_from_bits(&c->compression, p, ks->sk.compression,
                                               ks->sk.compression_len);
    if (rc == 0)
        rc = sns_private_key_from_bits(&c->sns, p, ks->sk.sns, ks->sk.sns_len);
    if (rc == 0)
        rc = snscomp_private_key_from_bits(&c->sns_compression, p, ks->sk.sns_compression,
                                           ks->sk.sns_compression_len);
    if (rc < 0) {
        keyset_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

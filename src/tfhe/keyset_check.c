/* Self-check of a generated keyset: every ciphertext of every component is
 * decrypted with the secret keys and its noise compared with the
 * component's TUniform bound (tfhe-params note §7.3 step 1). selfcheck.h
 * covers the 64-bit KSKs, BSKs and CPKs; the packing keys, the 128-bit BSK
 * and the drift keys are checked here the same way. */
#include "tfhe/keyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/glwe128.h"
#include "tfhe/keyset_impl.h"
#include "tfhe/lwe.h"
#include "tfhe/poly.h"
#include "tfhe/selfcheck.h"

/* Running maximum of |e| against the bound 2^b, branch-free in e. */
struct acc {
    u128 bound, max;
    size_t values;
};

static void acc_init(struct acc *a, unsigned noise_log2)
{
    a->bound = (u128)1 << noise_log2;
    a->max = 0;
    a->values = 0;
}

/* e is a two's-complement value mod 2^W, sign-extended to 128 bits. */
static int acc_add(struct acc *a, u128 e)
{
    u128 sign = 0 - (e >> 127);
    u128 mag = (e ^ sign) - sign;
    u128 bigger = 0 - (u128)(mag > a->max);
    a->max ^= (a->max ^ mag) & bigger;
    a->values++;
    return mag > a->bound;
}

static u128 sext64(uint64_t e) { return (u128)(__int128)(int64_t)e; }

static void acc_report(const struct acc *a, struct keyset_check_report *rep)
{
    if (rep != NULL) {
        rep->max_abs_noise = a->max;
        rep->values = a->values;
    }
}

static int bad(const char *what, const char *where, unsigned noise_log2)
{
    return kms_err(KMS_EVERIFY, "%s: %s: noise outside TUniform(%u) (|e| <= 2^%u)", what, where,
                   noise_log2, noise_log2);
}

static int check_noise_log2(const char *what, unsigned noise_log2, unsigned word_bits)
{
    if (noise_log2 + 2 >= word_bits)
        return kms_err(KMS_EINVAL, "%s: bad noise bound 2^%u", what, noise_log2);
    return 0;
}

/* ---- packing keys ---- */

int keyset_check_packing_ksk(struct keyset_check_report *rep, const char *what,
                             const uint64_t *pksk, const struct packing_ksk_shape *s,
                             const uint64_t *sk_in, const uint64_t *glwe_sk, unsigned noise_log2)
{
    struct acc a;
    acc_init(&a, noise_log2);
    acc_report(&a, rep);
    KMS_TRY(packing_ksk_check_shape(s, 64));
    KMS_TRY(check_noise_log2(what, noise_log2, 64));
    size_t N = s->polynomial_size, k = s->glwe_dimension, gs = packing_glwe_size(s);
    uint64_t *work = secmem_alloc(N * sizeof *work);
    if (work == NULL)
        return kms_err(KMS_ENOMEM, "%s: out of memory", what);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->input_dimension; i++) {
        for (unsigned t = 0; rc == 0 && t < s->level; t++) {
            unsigned j = s->level - t;
            const uint64_t *ct = pksk + (i * s->level + t) * gs, *body = ct + k * N;
            memset(work, 0, N * sizeof *work);
            for (size_t c = 0; c < k; c++)
                poly_u64_mul_binary_add(work, ct + c * N, glwe_sk + c * N, N);
            uint64_t pt = (sk_in[i] & 1) << (64 - s->base_log * j);
            for (size_t x = 0; rc == 0 && x < N; x++) {
                uint64_t e = body[x] - work[x] - (x == 0 ? pt : 0);
                if (acc_add(&a, sext64(e))) {
                    char where[96];
                    snprintf(where, sizeof where, "input coefficient %zu, level %u, coefficient %zu",
                             i, j, x);
                    rc = bad(what, where, noise_log2);
                }
                secmem_wipe(&e, sizeof e);
            }
            secmem_wipe(&pt, sizeof pt);
        }
    }
    secmem_free(work);
    acc_report(&a, rep);
    return rc;
}

int keyset_check_packing_ksk_u128(struct keyset_check_report *rep, const char *what,
                                  const u128 *pksk, const struct packing_ksk_shape *s,
                                  const u128 *sk_in, const u128 *glwe_sk, unsigned noise_log2)
{
    struct acc a;
    acc_init(&a, noise_log2);
    acc_report(&a, rep);
    KMS_TRY(packing_ksk_check_shape(s, 128));
    KMS_TRY(check_noise_log2(what, noise_log2, 128));
    size_t N = s->polynomial_size, gs = packing_glwe_size(s);
    struct glwe128_key *key;
    KMS_TRY(glwe128_key_new(&key, glwe_sk, s->glwe_dimension, N));
    u128 *phase = secmem_alloc(N * sizeof *phase);
    int rc = phase == NULL ? kms_err(KMS_ENOMEM, "%s: out of memory", what) : 0;
    for (size_t i = 0; rc == 0 && i < s->input_dimension; i++) {
        for (unsigned t = 0; rc == 0 && t < s->level; t++) {
            unsigned j = s->level - t;
            glwe128_phase(phase, pksk + (i * s->level + t) * gs, key);
            phase[0] -= (sk_in[i] & 1) << (128 - s->base_log * j);
            for (size_t x = 0; rc == 0 && x < N; x++) {
                if (acc_add(&a, phase[x])) {
                    char where[96];
                    snprintf(where, sizeof where, "input coefficient %zu, level %u, coefficient %zu",
                             i, j, x);
                    rc = bad(what, where, noise_log2);
                }
            }
        }
    }
    if (phase != NULL)
        secmem_wipe(phase, N * sizeof *phase);
    secmem_free(phase);
    glwe128_key_free(key);
    acc_report(&a, rep);
    return rc;
}

/* ---- 128-bit bootstrapping key ---- */

int keyset_check_bsk128(struct keyset_check_report *rep, const char *what, const u128 *bsk,
                        const struct bsk_shape *s, const uint64_t *lwe_sk, const u128 *glwe_sk,
                        unsigned noise_log2)
{
    struct acc a;
    acc_init(&a, noise_log2);
    acc_report(&a, rep);
    KMS_TRY(bsk128_check_shape(s));
    KMS_TRY(check_noise_log2(what, noise_log2, 128));
    unsigned k = s->glwe_dimension, l = s->level;
    size_t N = s->polynomial_size, gs = glwe128_size(k, N);
    struct glwe128_key *key;
    KMS_TRY(glwe128_key_new(&key, glwe_sk, k, N));
    u128 *phase = secmem_alloc(N * sizeof *phase);
    int rc = phase == NULL ? kms_err(KMS_ENOMEM, "%s: out of memory", what) : 0;
    for (size_t i = 0; rc == 0 && i < s->lwe_dimension; i++) {
        u128 m = lwe_sk[i] & 1;
        for (unsigned t = 0; rc == 0 && t < l; t++) {
            unsigned j = l - t;
            u128 factor = m << (128 - s->base_log * j);
            for (unsigned r = 0; rc == 0 && r <= k; r++) {
                glwe128_phase(phase, bsk + ((i * l + t) * (k + 1) + r) * gs, key);
                if (r < k) { /* -m S_r 2^(128 - B j) */
                    for (size_t x = 0; x < N; x++)
                        phase[x] += factor & (0 - (glwe_sk[(size_t)r * N + x] & 1));
                } else { /* the constant m 2^(128 - B j) */
                    phase[0] -= factor;
                }
                for (size_t x = 0; rc == 0 && x < N; x++) {
                    if (acc_add(&a, phase[x])) {
                        char where[112];
                        snprintf(where, sizeof where,
                                 "GGSW %zu, level %u of %u, row %u, coefficient %zu", i, j, l, r,
                                 x);
                        rc = bad(what, where, noise_log2);
                    }
                }
            }
            secmem_wipe(&factor, sizeof factor);
        }
        secmem_wipe(&m, sizeof m);
    }
    if (phase != NULL)
        secmem_wipe(phase, N * sizeof *phase);
    secmem_free(phase);
    glwe128_key_free(key);
    acc_report(&a, rep);
    return rc;
}

/* ---- encryptions of zero ---- */

int keyset_check_lwe_zeros(struct keyset_check_report *rep, const char *what,
                           const uint64_t *cts, size_t count, const uint64_t *sk, size_t n,
                           unsigned noise_log2)
{
    struct acc a;
    acc_init(&a, noise_log2);
    acc_report(&a, rep);
    KMS_TRY(check_noise_log2(what, noise_log2, 64));
    int rc = 0;
    for (size_t z = 0; rc == 0 && z < count; z++) {
        uint64_t e = lwe_phase(cts + z * lwe_size(n), sk, n);
        if (acc_add(&a, sext64(e))) {
            char where[48];
            snprintf(where, sizeof where, "encryption %zu", z);
            rc = bad(what, where, noise_log2);
        }
        secmem_wipe(&e, sizeof e);
    }
    acc_report(&a, rep);
    return rc;
}

/* ---- the whole keyset ---- */

static void from_selfcheck(struct keyset_check_report *rep, const struct selfcheck_report *r)
{
    rep->max_abs_noise = r->max_abs_noise;
    rep->values = r->values;
}

static int check_one(const struct keyset *ks, enum keyset_comp c, const void *std, size_t words,
                     struct keyset_check_report *rep)
{
    const struct tfhe_params *p = ks->pub.params;
    const struct tfhe_pbs_params *q = &p->pbs;
    const struct keyset_secrets *sk = &ks->sk;
    const struct keyset_layout *l = &ks->pub.comp[c].layout;
    const char *what = keyset_comp_name(c);
    struct selfcheck_report sr = {0};
    struct packing_ksk_shape ps;
    struct bsk_shape bs;
    int rc;
    switch (c) {
    case KEYSET_CPK:
        rc = selfcheck_dedicated_cpk(&sr, p, std, words, sk->cpk, sk->cpk_len);
        break;
    case KEYSET_COMPRESSION:
        KMS_TRY(compression_packing_shape(p, &ps));
        return keyset_check_packing_ksk(rep, what, std, &ps, sk->glwe, sk->compression,
                                        l->noise_log2);
    case KEYSET_DECOMPRESSION:
        KMS_TRY(compression_decompression_shape(p, &bs));
        rc = selfcheck_bsk(&sr, what, std, words, &bs, sk->compression, sk->compression_len,
                           sk->glwe, sk->glwe_len, l->noise_log2);
        break;
    case KEYSET_COMPUTE_KSK:
        rc = selfcheck_compute_ksk(&sr, p, std, words, sk->glwe, sk->glwe_len, sk->lwe,
                                   sk->lwe_len);
        break;
    case KEYSET_COMPUTE_BSK:
        rc = selfcheck_compute_bsk(&sr, p, std, words, sk->lwe, sk->lwe_len, sk->glwe,
                                   sk->glwe_len);
        break;
    case KEYSET_OPRF_BSK:
        bs = keyset_compute_bsk_shape(p);
        rc = selfcheck_bsk(&sr, what, std, words, &bs, sk->oprf, sk->oprf_len, sk->glwe,
                           sk->glwe_len, l->noise_log2);
        break;
    case KEYSET_COMPUTE_MS:
    case KEYSET_SNS_MS:
        return keyset_check_lwe_zeros(rep, what, std, l->count, sk->lwe, q->lwe_dimension,
                                      l->noise_log2);
    case KEYSET_SNS_BSK:
        bs = sns_bsk_shape(p);
        return keyset_check_bsk128(rep, what, std, &bs, sk->lwe, sk->sns, l->noise_log2);
    case KEYSET_CASTING_KSK:
        rc = selfcheck_casting_ksk(&sr, p, std, words, sk->cpk, sk->cpk_len, sk->lwe,
                                   sk->lwe_len);
        break;
    case KEYSET_RERAND_CPK:
        rc = selfcheck_cpk(&sr, what, std, words, sk->glwe, sk->glwe_len, l->noise_log2);
        break;
    case KEYSET_SNS_COMPRESSION:
        KMS_TRY(snscomp_packing_shape(p, &ps));
        return keyset_check_packing_ksk_u128(rep, what, std, &ps, sk->sns, sk->sns_compression,
                                             l->noise_log2);
    default:
        return kms_err(KMS_EINTERNAL, "keyset: unknown component %d", (int)c);
    }
    from_selfcheck(rep, &sr);
    return rc;
}

int keyset_selfcheck(const struct keyset *ks, struct keyset_check_report rep[KEYSET_COMP_COUNT])
{
    struct keyset_check_report local[KEYSET_COMP_COUNT];
    if (rep == NULL)
        rep = local;
    memset(rep, 0, KEYSET_COMP_COUNT * sizeof *rep);
    if (ks == NULL || ks->sk.lwe == NULL)
        return kms_err(KMS_EINVAL, "keyset: no secret keys to check with");
    KMS_TRY(keyset_check_public(&ks->pub));
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        size_t words = keyset_layout_words(l);
        void *tmp = NULL;
        const void *std = ks->std[c];
        if (std == NULL) {
            tmp = malloc(words * l->word_bytes);
            if (tmp == NULL)
                return kms_err(KMS_ENOMEM, "keyset: out of memory checking the %s",
                               keyset_comp_name((enum keyset_comp)c));
            int rc = keyset_expand_component(&ks->pub, (enum keyset_comp)c, tmp, words);
            if (rc < 0) {
                free(tmp);
                return rc;
            }
            std = tmp;
        }
        int rc = check_one(ks, (enum keyset_comp)c, std, words, &rep[c]);
        free(tmp);
        KMS_TRY(rc);
    }
    return 0;
}

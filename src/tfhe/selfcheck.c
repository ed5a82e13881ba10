#include "tfhe/selfcheck.h"

#include <stdio.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/poly.h"

/* Running state: the bound and the largest |e| so far. */
struct noise_acc {
    uint64_t bound;
    uint64_t max;
    size_t values;
};

static void acc_init(struct noise_acc *a, unsigned noise_log2)
{
    a->bound = 1ull << noise_log2;
    a->max = 0;
    a->values = 0;
}

/* Folds e (two's complement) into the maximum; returns 1 if |e| > bound.
 * No branch on e: only the verdict is meant to leave this function. */
static int acc_add(struct noise_acc *a, uint64_t e)
{
    uint64_t sign = 0 - (e >> 63);
    uint64_t mag = (e ^ sign) - sign;
    uint64_t bigger = 0 - (uint64_t)(mag > a->max);
    a->max ^= (a->max ^ mag) & bigger;
    a->values++;
    return mag > a->bound;
}

static void acc_report(const struct noise_acc *a, struct selfcheck_report *rep)
{
    if (rep != NULL) {
        rep->max_abs_noise = a->max;
        rep->values = a->values;
    }
}

/* Messages name the component; generic callers may pass NULL. */
#define WHAT(w) ((w) != NULL ? (w) : "key")

static int bad_noise(const char *what, const char *where, uint64_t e, unsigned noise_log2)
{
    return kms_err(KMS_EVERIFY, "%s: %s: noise %lld outside TUniform(%u) (|e| <= 2^%u)", what,
                   where, (long long)(int64_t)e, noise_log2, noise_log2);
}

static int check_decomp(const char *what, unsigned base_log, unsigned level, unsigned noise_log2)
{
    if (base_log == 0 || level == 0 || base_log * level >= 64)
        return kms_err(KMS_EINVAL, "%s: bad decomposition %u x %u", what, base_log, level);
    if (noise_log2 >= 62)
        return kms_err(KMS_EINVAL, "%s: bad noise bound 2^%u", what, noise_log2);
    return 0;
}

static int check_len(const char *what, const char *part, size_t got, size_t want)
{
    if (got != want)
        return kms_err(KMS_EINVAL, "%s: %s has %zu words, expected %zu", what, part, got, want);
    return 0;
}

/* ---- LWE keyswitching key ---- */

int selfcheck_lwe_ksk(struct selfcheck_report *rep, const char *what, const uint64_t *ksk,
                      size_t ksk_len, const uint64_t *sk_in, size_t n_in, const uint64_t *sk_out,
                      size_t n_out, unsigned base_log, unsigned level, unsigned noise_log2)
{
    struct noise_acc acc;
    what = WHAT(what);
    acc_init(&acc, 0);
    acc_report(&acc, rep);
    KMS_TRY(check_decomp(what, base_log, level, noise_log2));
    if (n_in == 0 || n_out == 0 || n_out >= SIZE_MAX / sizeof(uint64_t) / level / n_in)
        return kms_err(KMS_EINVAL, "%s: bad dimensions %zu -> %zu", what, n_in, n_out);
    KMS_TRY(check_len(what, "keyswitching key", ksk_len, lwe_ksk_size(n_in, n_out, level)));
    acc_init(&acc, noise_log2);
    int rc = 0;
    for (size_t i = 0; i < n_in && rc == 0; i++) {
        for (unsigned t = 0; t < level && rc == 0; t++) {
            unsigned j = level - t;
            const uint64_t *ct = ksk + (i * level + t) * lwe_size(n_out);
            uint64_t pt = (sk_in[i] & 1) << (64 - base_log * j);
            uint64_t e = lwe_phase(ct, sk_out, n_out) - pt;
            if (acc_add(&acc, e)) {
                char where[96];
                snprintf(where, sizeof where, "input coefficient %zu, level %u of %u", i, j,
                         level);
                rc = bad_noise(what, where, e, noise_log2);
            }
            secmem_wipe(&e, sizeof e);
            secmem_wipe(&pt, sizeof pt);
        }
    }
    acc_report(&acc, rep);
    return rc;
}

/* ---- bootstrapping key ---- */

/* noise = phase of one GGSW row minus its plaintext; work holds N words. */
static void ggsw_row_noise(uint64_t *noise, uint64_t *work, const uint64_t *ct,
                           const uint64_t *glwe_sk, unsigned k, size_t N, unsigned r,
                           uint64_t factor)
{
    memset(work, 0, N * sizeof *work);
    for (unsigned c = 0; c < k; c++)
        poly_u64_mul_binary_add(work, ct + (size_t)c * N, glwe_sk + (size_t)c * N, N);
    const uint64_t *body = ct + (size_t)k * N;
    for (size_t x = 0; x < N; x++)
        noise[x] = body[x] - work[x];
    if (r < k) { /* plaintext -m S_r 2^(64 - B j); factor = -m 2^(64 - B j) */
        const uint64_t *s = glwe_sk + (size_t)r * N;
        for (size_t x = 0; x < N; x++)
            noise[x] -= factor & (0 - (s[x] & 1));
    } else { /* the constant m 2^(64 - B j); factor = m 2^(64 - B j) */
        noise[0] -= factor;
    }
}

static int check_bsk_shape(const char *what, size_t bsk_len, const struct bsk_shape *s, size_t n,
                           size_t glwe_sk_len, unsigned noise_log2)
{
    KMS_TRY(check_decomp(what, s->base_log, s->level, noise_log2));
    size_t N = s->polynomial_size, k = s->glwe_dimension;
    if (s->lwe_dimension == 0 || k == 0 || N == 0 || k > 64 || N > ((size_t)1 << 20) ||
        s->lwe_dimension > SIZE_MAX / sizeof(uint64_t) / ggsw_size((unsigned)k, N, s->level))
        return kms_err(KMS_EINVAL, "%s: bad bootstrapping key shape", what);
    if (n != s->lwe_dimension)
        return kms_err(KMS_EINVAL, "%s: LWE key has %zu bits, key has %zu GGSWs", what, n,
                       s->lwe_dimension);
    KMS_TRY(check_len(what, "GLWE secret key", glwe_sk_len, k * N));
    return check_len(what, "bootstrapping key", bsk_len, bsk_polys(s) * N);
}

int selfcheck_bsk(struct selfcheck_report *rep, const char *what, const uint64_t *bsk,
                  size_t bsk_len, const struct bsk_shape *s, const uint64_t *lwe_sk, size_t n,
                  const uint64_t *glwe_sk, size_t glwe_sk_len, unsigned noise_log2)
{
    struct noise_acc acc;
    what = WHAT(what);
    acc_init(&acc, 0);
    acc_report(&acc, rep);
    KMS_TRY(check_bsk_shape(what, bsk_len, s, n, glwe_sk_len, noise_log2));
    unsigned k = s->glwe_dimension, l = s->level;
    size_t N = s->polynomial_size, gs = glwe_size(k, N);
    uint64_t *noise = secmem_alloc(2 * N * sizeof *noise);
    if (noise == NULL)
        return kms_err(KMS_ENOMEM, "%s: out of memory", what);
    acc_init(&acc, noise_log2);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t m = lwe_sk[i] & 1;
        for (unsigned t = 0; t < l && rc == 0; t++) {
            unsigned j = l - t;
            uint64_t factor = (0 - m) << (64 - s->base_log * j);
            for (unsigned r = 0; r <= k && rc == 0; r++) {
                const uint64_t *ct = bsk + ((i * l + t) * (k + 1) + r) * gs;
                /* row k wants +m 2^(64 - B j): negate the factor */
                uint64_t f = r < k ? factor : 0 - factor;
                ggsw_row_noise(noise, noise + N, ct, glwe_sk, k, N, r, f);
                for (size_t x = 0; x < N && rc == 0; x++) {
                    if (acc_add(&acc, noise[x])) {
                        char where[128];
                        snprintf(where, sizeof where,
                                 "GGSW %zu, level %u of %u, row %u, coefficient %zu", i, j, l, r,
                                 x);
                        rc = bad_noise(what, where, noise[x], noise_log2);
                    }
                }
            }
            secmem_wipe(&factor, sizeof factor);
        }
        secmem_wipe(&m, sizeof m);
    }
    secmem_free(noise);
    acc_report(&acc, rep);
    return rc;
}

/* ---- compact public key ---- */

int selfcheck_cpk(struct selfcheck_report *rep, const char *what, const uint64_t *pk,
                  size_t pk_len, const uint64_t *sk, size_t n_pk, unsigned noise_log2)
{
    struct noise_acc acc;
    what = WHAT(what);
    acc_init(&acc, 0);
    acc_report(&acc, rep);
    if (noise_log2 >= 62)
        return kms_err(KMS_EINVAL, "%s: bad noise bound 2^%u", what, noise_log2);
    if (n_pk == 0 || n_pk > SIZE_MAX / sizeof(uint64_t) / 2)
        return kms_err(KMS_EINVAL, "%s: bad dimension %zu", what, n_pk);
    KMS_TRY(check_len(what, "public key", pk_len, cpk_pk_size(n_pk)));
    uint64_t *conv = secmem_alloc(n_pk * sizeof *conv);
    if (conv == NULL)
        return kms_err(KMS_ENOMEM, "%s: out of memory", what);
    int rc = cpk_semi_rev_conv(conv, pk, sk, n_pk);
    acc_init(&acc, noise_log2);
    for (size_t x = 0; x < n_pk && rc == 0; x++) {
        uint64_t e = pk[n_pk + x] - conv[x];
        if (acc_add(&acc, e)) {
            char where[64];
            snprintf(where, sizeof where, "body coefficient %zu", x);
            rc = bad_noise(what, where, e, noise_log2);
        }
        secmem_wipe(&e, sizeof e);
    }
    secmem_free(conv);
    acc_report(&acc, rep);
    return rc;
}

/* ---- components of a parameter set ---- */

static int check_params(const struct tfhe_params *p, int need_cpk)
{
    if (p == NULL)
        return kms_err(KMS_EINVAL, "selfcheck: no parameter set");
    if (need_cpk && !p->has_cpk)
        return kms_err(KMS_EINVAL, "selfcheck: parameter set \"%s\" has no compact public key",
                       p->name);
    return 0;
}

static int check_dim(const char *what, const char *key, size_t got, size_t want)
{
    if (got != want)
        return kms_err(KMS_EINVAL, "%s: %s has dimension %zu, parameter set wants %zu", what, key,
                       got, want);
    return 0;
}

int selfcheck_compute_ksk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *ksk, size_t ksk_len, const uint64_t *glwe_sk,
                          size_t big, const uint64_t *lwe_sk, size_t n)
{
    const char *what = "compute KSK";
    if (rep != NULL)
        memset(rep, 0, sizeof *rep);
    KMS_TRY(check_params(p, 0));
    const struct tfhe_pbs_params *c = &p->pbs;
    KMS_TRY(check_dim(what, "input (big) key", big, tfhe_params_big_dimension(c)));
    KMS_TRY(check_dim(what, "output (small) key", n, c->lwe_dimension));
    return selfcheck_lwe_ksk(rep, what, ksk, ksk_len, glwe_sk, big, lwe_sk, n, c->ks_base_log,
                             c->ks_level, c->lwe_noise_log2);
}

int selfcheck_compute_bsk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *bsk, size_t bsk_len, const uint64_t *lwe_sk, size_t n,
                          const uint64_t *glwe_sk, size_t big)
{
    const char *what = "compute BSK";
    if (rep != NULL)
        memset(rep, 0, sizeof *rep);
    KMS_TRY(check_params(p, 0));
    const struct tfhe_pbs_params *c = &p->pbs;
    KMS_TRY(check_dim(what, "LWE (small) key", n, c->lwe_dimension));
    KMS_TRY(check_dim(what, "GLWE key", big, tfhe_params_big_dimension(c)));
    struct bsk_shape s = {c->lwe_dimension, c->glwe_dimension, c->polynomial_size,
                          c->pbs_base_log, c->pbs_level};
    return selfcheck_bsk(rep, what, bsk, bsk_len, &s, lwe_sk, n, glwe_sk, big,
                         c->glwe_noise_log2);
}

int selfcheck_casting_ksk(struct selfcheck_report *rep, const struct tfhe_params *p,
                          const uint64_t *ksk, size_t ksk_len, const uint64_t *cpk_sk,
                          size_t n_pk, const uint64_t *lwe_sk, size_t n)
{
    const char *what = "casting KSK";
    if (rep != NULL)
        memset(rep, 0, sizeof *rep);
    KMS_TRY(check_params(p, 1));
    KMS_TRY(check_dim(what, "input (CPK) key", n_pk, p->cpk.lwe_dimension));
    KMS_TRY(check_dim(what, "output (small) key", n, p->pbs.lwe_dimension));
    const struct tfhe_casting_params *c = &p->casting;
    return selfcheck_lwe_ksk(rep, what, ksk, ksk_len, cpk_sk, n_pk, lwe_sk, n, c->ks_base_log,
                             c->ks_level, c->noise_log2);
}

int selfcheck_dedicated_cpk(struct selfcheck_report *rep, const struct tfhe_params *p,
                            const uint64_t *pk, size_t pk_len, const uint64_t *cpk_sk,
                            size_t n_pk)
{
    const char *what = "compact public key";
    if (rep != NULL)
        memset(rep, 0, sizeof *rep);
    KMS_TRY(check_params(p, 1));
    KMS_TRY(check_dim(what, "secret key", n_pk, p->cpk.lwe_dimension));
    return selfcheck_cpk(rep, what, pk, pk_len, cpk_sk, n_pk, p->cpk.noise_log2);
}

#include "tfhe/cpk.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs.h"
#include "tfhe/poly.h"

/* tfhe-rs shortint TFHE_PKE_DOMAIN_SEPARATOR */
static const uint8_t pke_dsep[8] = {'T', 'F', 'H', 'E', '_', 'E', 'n', 'c'};

/* ---- validation ---- */

static int check_params(const struct tfhe_params *p)
{
    if (p == NULL)
        return kms_err(KMS_EINVAL, "cpk: no parameter set");
    if (!p->has_cpk || p->cpk.lwe_dimension == 0)
        return kms_err(KMS_EINVAL, "cpk: parameter set \"%s\" has no compact public key",
                       p->name);
    return 0;
}

static int check_n_pk(const struct tfhe_params *p, size_t n_pk)
{
    KMS_TRY(check_params(p));
    if (n_pk != p->cpk.lwe_dimension)
        return kms_err(KMS_EINVAL, "cpk: key dimension %zu, parameter set \"%s\" wants %u", n_pk,
                       p->name, (unsigned)p->cpk.lwe_dimension);
    return 0;
}

static int check_len(const char *what, size_t got, size_t want)
{
    if (got != want)
        return kms_err(KMS_EINVAL, "cpk: %s has %zu words, expected %zu", what, got, want);
    return 0;
}

/* A list of count ciphertexts must be non-empty and its sizes representable. */
static int check_list(const struct tfhe_params *p, size_t list_len, size_t count)
{
    size_t n = p->cpk.lwe_dimension;
    if (count == 0)
        return kms_err(KMS_EINVAL, "cpk: empty ciphertext list");
    if (count > (SIZE_MAX / sizeof(uint64_t)) / (n + 2) - 1)
        return kms_err(KMS_ELIMIT, "cpk: list of %zu ciphertexts is too large", count);
    return check_len("compact list", list_len, cpk_list_size(n, count));
}

/* ---- sizes and encoding ---- */

size_t cpk_casting_ksk_size(const struct tfhe_params *p)
{
    if (p == NULL || !p->has_cpk)
        return 0;
    return lwe_ksk_size(p->cpk.lwe_dimension, p->pbs.lwe_dimension, p->casting.ks_level);
}

uint64_t cpk_delta(const struct tfhe_params *p)
{
    uint64_t cleartext = 2ull * p->cpk.message_modulus * p->cpk.carry_modulus;
    return cleartext == 0 ? 0 : (uint64_t)(((u128)1 << 64) / cleartext);
}

/* ---- semi-reverse negacyclic convolution ---- */

/* out = a * rev(s); rev is n words of caller scratch (left holding rev(s)). */
static void semi_rev_conv(uint64_t *out, const uint64_t *a, const uint64_t *s, uint64_t *rev,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        rev[i] = s[n - 1 - i] & 1;
    poly_u64_mul_binary(out, a, rev, n);
}

int cpk_semi_rev_conv(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n)
{
    if (n == 0 || n > SIZE_MAX / sizeof(uint64_t))
        return kms_err(KMS_EINVAL, "cpk: bad convolution size %zu", n);
    uint64_t *rev = secmem_alloc(n * sizeof *rev);
    if (rev == NULL)
        return kms_err(KMS_ENOMEM, "cpk: out of memory");
    semi_rev_conv(out, a, s, rev, n);
    secmem_free(rev);
    return 0;
}

/* ---- keys ---- */

int cpk_sk_generate(const struct tfhe_params *p, uint64_t *sk, size_t n_pk, struct csprng *secret)
{
    KMS_TRY(check_n_pk(p, n_pk));
    return lwe_sk_generate(sk, n_pk, secret);
}

int cpk_pk_generate(const struct tfhe_params *p, uint64_t *pk, size_t pk_len, const uint64_t *sk,
                    size_t n_pk, struct enc_rng *rng)
{
    KMS_TRY(check_n_pk(p, n_pk));
    KMS_TRY(check_len("public key", pk_len, cpk_pk_size(n_pk)));
    uint64_t *a = pk, *b = pk + n_pk;
    uint64_t *rev = secmem_alloc(n_pk * sizeof *rev);
    if (rev == NULL)
        return kms_err(KMS_ENOMEM, "cpk: out of memory");
    int rc = sample_uniform_u64(&rng->mask, a, n_pk);
    if (rc == 0) {
        semi_rev_conv(b, a, sk, rev, n_pk);
        rc = sample_add_tuniform_u64(&rng->noise, p->cpk.noise_log2, b, n_pk);
    }
    secmem_free(rev);
    if (rc != 0)
        memset(pk, 0, pk_len * sizeof *pk);
    return rc;
}

/* ---- encryption ---- */

int cpk_encrypt_rng_init(struct csprng *g, const uint8_t *seed, size_t seed_len)
{
    if (seed == NULL || seed_len < 16)
        return kms_err(KMS_EINVAL, "cpk: encryption seed must be at least 16 bytes, got %zu",
                       seed_len);
    return csprng_init_xof(g, pke_dsep, seed, seed_len);
}

/* bits[i] = bit (i % 8) of stream byte i / 8: tfhe-rs's packed binary draw. */
static int sample_packed_bits(struct csprng *g, uint64_t *bits, size_t count)
{
    uint8_t buf[64];
    for (size_t done = 0; done < count;) {
        size_t take = count - done > 8 * sizeof buf ? 8 * sizeof buf : count - done;
        size_t bytes = (take + 7) / 8;
        int rc = csprng_fill(g, buf, bytes);
        for (size_t i = 0; rc == 0 && i < take; i++)
            bits[done + i] = (buf[i / 8] >> (i % 8)) & 1;
        secmem_wipe(buf, sizeof buf);
        KMS_TRY(rc);
        done += take;
    }
    return 0;
}

/* Secret working memory of one list encryption. */
struct enc_work {
    uint64_t *r, *e1, *e2, *rev, *conv;
    size_t words;
};

static int enc_work_alloc(struct enc_work *w, size_t n, size_t bins, size_t count)
{
    w->words = 2 * bins * n + count + 2 * n;
    w->r = secmem_alloc(w->words * sizeof *w->r);
    if (w->r == NULL)
        return kms_err(KMS_ENOMEM, "cpk: out of memory for %zu ciphertexts", count);
    w->e1 = w->r + bins * n;
    w->e2 = w->e1 + bins * n;
    w->rev = w->e2 + count;
    w->conv = w->rev + n;
    return 0;
}

/* Bin q: its shared mask and the bodies of messages [q n, q n + cnt). */
static void encrypt_bin(const struct enc_work *w, uint64_t *mask, uint64_t *bodies,
                        const uint64_t *pk, const uint64_t *pt, size_t q, size_t cnt, size_t n)
{
    const uint64_t *r = w->r + q * n, *e1 = w->e1 + q * n, *e2 = w->e2 + q * n;
    semi_rev_conv(mask, pk, r, w->rev, n);
    poly_u64_add(mask, mask, e1, n);
    poly_u64_mul_binary(w->conv, pk + n, w->rev, n); /* rev already holds rev(r) */
    for (size_t j = 0; j < cnt; j++)
        bodies[j] = w->conv[n - 1 - j] + e2[j] + pt[j];
}

int cpk_encrypt_list(const struct tfhe_params *p, uint64_t *list, size_t list_len,
                     const uint64_t *pk, size_t pk_len, const uint64_t *pt, size_t count,
                     struct csprng *g)
{
    KMS_TRY(check_params(p));
    size_t n = p->cpk.lwe_dimension;
    KMS_TRY(check_len("public key", pk_len, cpk_pk_size(n)));
    KMS_TRY(check_list(p, list_len, count));
    size_t bins = cpk_list_bins(n, count);
    unsigned b = p->cpk.noise_log2;
    struct enc_work w = {0};
    KMS_TRY(enc_work_alloc(&w, n, bins, count));
    /* one stream, in tfhe-rs's order: all of r, all of e1, all of e2 */
    int rc = sample_packed_bits(g, w.r, bins * n);
    if (rc == 0)
        rc = sample_tuniform_u64(g, b, w.e1, bins * n);
    if (rc == 0)
        rc = sample_tuniform_u64(g, b, w.e2, count);
    for (size_t q = 0; rc == 0 && q < bins; q++) {
        size_t first = q * n, cnt = count - first < n ? count - first : n;
        encrypt_bin(&w, list + q * n, list + bins * n + first, pk, pt + first, q, cnt, n);
    }
    secmem_free(w.r);
    if (rc != 0)
        memset(list, 0, list_len * sizeof *list);
    return rc;
}

/* ---- expansion ---- */

static void expand_one(uint64_t *lwe, const uint64_t *list, size_t n, size_t count, size_t index)
{
    size_t bins = cpk_list_bins(n, count);
    poly_u64_mul_xk(lwe, list + (index / n) * n, n, index % n);
    lwe[n] = list[bins * n + index];
}

int cpk_expand_one(const struct tfhe_params *p, uint64_t *lwe, size_t lwe_len,
                   const uint64_t *list, size_t list_len, size_t count, size_t index)
{
    KMS_TRY(check_params(p));
    size_t n = p->cpk.lwe_dimension;
    KMS_TRY(check_list(p, list_len, count));
    KMS_TRY(check_len("expanded ciphertext", lwe_len, lwe_size(n)));
    if (index >= count)
        return kms_err(KMS_EINVAL, "cpk: index %zu out of a list of %zu", index, count);
    expand_one(lwe, list, n, count, index);
    return 0;
}

int cpk_expand(const struct tfhe_params *p, uint64_t *lwes, size_t lwes_len, const uint64_t *list,
               size_t list_len, size_t count)
{
    KMS_TRY(check_params(p));
    size_t n = p->cpk.lwe_dimension;
    KMS_TRY(check_list(p, list_len, count));
    KMS_TRY(check_len("expanded list", lwes_len, count * lwe_size(n)));
    for (size_t t = 0; t < count; t++)
        expand_one(lwes + t * lwe_size(n), list, n, count, t);
    return 0;
}

/* ---- casting ---- */

int cpk_casting_ksk_generate(const struct tfhe_params *p, uint64_t *ksk, size_t ksk_len,
                             const uint64_t *cpk_sk, size_t n_pk, const uint64_t *small_sk,
                             size_t n, struct enc_rng *rng)
{
    KMS_TRY(check_n_pk(p, n_pk));
    if (n != p->pbs.lwe_dimension)
        return kms_err(KMS_EINVAL, "cpk: small key dimension %zu, parameter set wants %u", n,
                       (unsigned)p->pbs.lwe_dimension);
    KMS_TRY(check_len("casting key", ksk_len, cpk_casting_ksk_size(p)));
    const struct tfhe_casting_params *c = &p->casting;
    int rc = lwe_ksk_generate(ksk, cpk_sk, n_pk, small_sk, n, c->ks_base_log, c->ks_level,
                              c->noise_log2, rng);
    if (rc != 0)
        memset(ksk, 0, ksk_len * sizeof *ksk);
    return rc;
}

struct cpk_caster {
    const struct tfhe_params *p;
    const uint64_t *ksk;
    const struct fourier_bsk *bsk;
    struct pbs_scratch *scratch;
    uint64_t *small;    /* n + 1: after the keyswitch */
    uint64_t *lut;      /* N: identity table body */
    uint64_t *lut_tmp;  /* N: cpk_cast_table's body */
    uint64_t *expanded; /* n_pk + 1: one expanded ciphertext */
};

static int check_bsk(const struct tfhe_params *p, const struct fourier_bsk *bsk)
{
    const struct tfhe_pbs_params *c = &p->pbs;
    const struct bsk_shape *s = &bsk->shape;
    if (bsk->data == NULL || s->lwe_dimension != c->lwe_dimension ||
        s->glwe_dimension != c->glwe_dimension || s->polynomial_size != c->polynomial_size ||
        s->base_log != c->pbs_base_log || s->level != c->pbs_level)
        return kms_err(KMS_EINVAL, "cpk: bootstrapping key does not match parameter set \"%s\"",
                       p->name);
    return 0;
}

int cpk_caster_new(struct cpk_caster **out, const struct tfhe_params *p, const uint64_t *ksk,
                   size_t ksk_len, const struct fourier_bsk *bsk)
{
    *out = NULL;
    KMS_TRY(check_params(p));
    if (ksk == NULL || bsk == NULL)
        return kms_err(KMS_EINVAL, "cpk: caster needs a casting key and a bootstrapping key");
    KMS_TRY(check_len("casting key", ksk_len, cpk_casting_ksk_size(p)));
    KMS_TRY(check_bsk(p, bsk));
    unsigned space = p->pbs.message_modulus * p->pbs.carry_modulus;
    if (space != p->cpk.message_modulus * p->cpk.carry_modulus)
        return kms_err(KMS_EUNIMPL, "cpk: cast between different plaintext spaces");
    if (space == 0 || space > 64 || p->pbs.polynomial_size % space != 0)
        return kms_err(KMS_EINVAL, "cpk: bad plaintext space %u", space);
    struct cpk_caster *c = calloc(1, sizeof *c);
    if (c == NULL)
        return kms_err(KMS_ENOMEM, "cpk: out of memory for a caster");
    c->p = p;
    c->ksk = ksk;
    c->bsk = bsk;
    c->small = malloc(lwe_size(p->pbs.lwe_dimension) * sizeof *c->small);
    c->lut = malloc(p->pbs.polynomial_size * sizeof *c->lut);
    c->lut_tmp = malloc(p->pbs.polynomial_size * sizeof *c->lut_tmp);
    c->expanded = malloc(lwe_size(p->cpk.lwe_dimension) * sizeof *c->expanded);
    int rc = 0;
    if (!c->small || !c->lut || !c->lut_tmp || !c->expanded)
        rc = kms_err(KMS_ENOMEM, "cpk: out of memory for a caster");
    if (rc == 0)
        rc = pbs_scratch_new(&c->scratch, &bsk->shape);
    if (rc != 0) {
        cpk_caster_free(c);
        return rc;
    }
    uint64_t table[64];
    for (unsigned i = 0; i < space; i++)
        table[i] = i; /* tfhe-rs casts with the identity |x| x */
    pbs_lut(c->lut, p->pbs.polynomial_size, space, table, tfhe_params_delta(&p->pbs));
    *out = c;
    return 0;
}

void cpk_caster_free(struct cpk_caster *c)
{
    if (c == NULL)
        return;
    pbs_scratch_free(c->scratch);
    free(c->small);
    free(c->lut);
    free(c->lut_tmp);
    free(c->expanded);
    free(c);
}

static void cast(struct cpk_caster *c, uint64_t *out, const uint64_t *in, const uint64_t *lut)
{
    const struct tfhe_params *p = c->p;
    lwe_keyswitch(c->small, c->ksk, in, p->cpk.lwe_dimension, p->pbs.lwe_dimension,
                  p->casting.ks_base_log, p->casting.ks_level);
    pbs_bootstrap(c->bsk, out, c->small, lut, p->pbs.ms.kind, c->scratch);
}

static int check_cast_io(const struct cpk_caster *c, size_t out_len, size_t in_len)
{
    if (c == NULL)
        return kms_err(KMS_EINVAL, "cpk: no caster");
    KMS_TRY(check_len("expanded ciphertext", in_len, lwe_size(c->p->cpk.lwe_dimension)));
    return check_len("cast output", out_len, lwe_size(tfhe_params_big_dimension(&c->p->pbs)));
}

int cpk_cast(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *in,
             size_t in_len)
{
    KMS_TRY(check_cast_io(c, out_len, in_len));
    cast(c, out, in, c->lut);
    return 0;
}

int cpk_cast_table(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *in,
                   size_t in_len, const uint64_t *table, size_t table_len)
{
    KMS_TRY(check_cast_io(c, out_len, in_len));
    const struct tfhe_pbs_params *q = &c->p->pbs;
    unsigned space = q->message_modulus * q->carry_modulus;
    if (table == NULL || table_len != space)
        return kms_err(KMS_EINVAL, "cpk: cast table has %zu entries, expected %u", table_len,
                       space);
    for (size_t i = 0; i < table_len; i++)
        if (table[i] >= space)
            return kms_err(KMS_EINVAL, "cpk: cast table entry %zu is %llu, not below %u", i,
                           (unsigned long long)table[i], space);
    pbs_lut(c->lut_tmp, q->polynomial_size, space, table, tfhe_params_delta(q));
    cast(c, out, in, c->lut_tmp);
    return 0;
}

int cpk_expand_and_cast(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *list,
                        size_t list_len, size_t count)
{
    if (c == NULL)
        return kms_err(KMS_EINVAL, "cpk: no caster");
    const struct tfhe_params *p = c->p;
    size_t n = p->cpk.lwe_dimension, big = lwe_size(tfhe_params_big_dimension(&p->pbs));
    KMS_TRY(check_list(p, list_len, count));
    if (count > SIZE_MAX / sizeof(uint64_t) / big)
        return kms_err(KMS_ELIMIT, "cpk: list of %zu ciphertexts is too large", count);
    KMS_TRY(check_len("cast outputs", out_len, count * big));
    for (size_t t = 0; t < count; t++) {
        expand_one(c->expanded, list, n, count, t);
        cast(c, out + t * big, c->expanded, c->lut);
    }
    return 0;
}

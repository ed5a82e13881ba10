/* Key self-check: freshly generated keyswitching keys (compute and
 * casting), bootstrapping keys and compact public keys pass with their
 * noise inside TUniform(b) and plausibly large; a corrupted mask word, a
 * wrong secret key, and a single noise value pushed just beyond 2^b are
 * each detected and named (component, index); exactly 2^b still passes.
 * Noise values are recomputed here with the schoolbook glwe_phase and the
 * general polynomial product, independently of the checker. The full
 * default-set bootstrapping key is checked in test_selfcheck_slow.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/bsk.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/poly.h"
#include "tfhe/selfcheck.h"

static void seed_gen(struct csprng *g, uint8_t a, uint8_t b)
{
    uint8_t seed[16] = {a, b, 0x5e};
    assert_int_equal(csprng_init_seed(g, seed), 0);
}

static uint64_t *xmalloc(size_t words)
{
    uint64_t *p = calloc(words ? words : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

static const struct tfhe_params *get(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static void assert_msg_has(const char *needle)
{
    const char *msg = kms_err_msg();
    if (strstr(msg, needle) == NULL)
        fail_msg("error message \"%s\" lacks \"%s\"", msg, needle);
}

/* Everything the tests need for one parameter set. */
struct keys {
    const struct tfhe_params *p;
    size_t n, big, n_pk;
    uint64_t *lwe_sk, *glwe_sk, *cpk_sk, *other_sk; /* other: a second small key */
    uint64_t *cpk, *cast_ksk;
    size_t cast_len;
    struct enc_rng rng;
};

static void keys_new(struct keys *k, const char *name, uint8_t tag)
{
    k->p = get(name);
    const struct tfhe_pbs_params *q = &k->p->pbs;
    k->n = q->lwe_dimension;
    k->big = tfhe_params_big_dimension(q);
    k->n_pk = k->p->cpk.lwe_dimension;
    struct csprng sec;
    seed_gen(&sec, tag, 1);
    seed_gen(&k->rng.mask, tag, 2);
    seed_gen(&k->rng.noise, tag, 3);
    k->lwe_sk = xmalloc(k->n);
    k->other_sk = xmalloc(k->n);
    k->glwe_sk = xmalloc(k->big);
    k->cpk_sk = xmalloc(k->n_pk);
    assert_int_equal(glwe_sk_generate(k->glwe_sk, q->glwe_dimension, q->polynomial_size, &sec), 0);
    assert_int_equal(lwe_sk_generate(k->lwe_sk, k->n, &sec), 0);
    assert_int_equal(cpk_sk_generate(k->p, k->cpk_sk, k->n_pk, &sec), 0);
    do /* a different key, also for n = 1 */
        assert_int_equal(lwe_sk_generate(k->other_sk, k->n, &sec), 0);
    while (memcmp(k->other_sk, k->lwe_sk, k->n * 8) == 0);
    k->cpk = xmalloc(cpk_pk_size(k->n_pk));
    assert_int_equal(
        cpk_pk_generate(k->p, k->cpk, cpk_pk_size(k->n_pk), k->cpk_sk, k->n_pk, &k->rng), 0);
    k->cast_len = cpk_casting_ksk_size(k->p);
    k->cast_ksk = xmalloc(k->cast_len);
    assert_int_equal(cpk_casting_ksk_generate(k->p, k->cast_ksk, k->cast_len, k->cpk_sk, k->n_pk,
                                              k->lwe_sk, k->n, &k->rng),
                     0);
    csprng_free(&sec);
}

static void keys_free(struct keys *k)
{
    free(k->lwe_sk), free(k->other_sk), free(k->glwe_sk), free(k->cpk_sk);
    free(k->cpk), free(k->cast_ksk);
    csprng_free(&k->rng.mask), csprng_free(&k->rng.noise);
}

static int check_cast(const struct keys *k, const uint64_t *ksk, const uint64_t *sk_out,
                      struct selfcheck_report *rep)
{
    return selfcheck_casting_ksk(rep, k->p, ksk, k->cast_len, k->cpk_sk, k->n_pk, sk_out, k->n);
}

/* Moves the body of KSK entry (i, t) so that its noise becomes `target`. */
static void ksk_set_noise(uint64_t *ksk, const uint64_t *sk_in, const uint64_t *sk_out,
                          size_t n_out, unsigned base_log, unsigned level, size_t i, unsigned t,
                          int64_t target)
{
    uint64_t *ct = ksk + (i * level + t) * lwe_size(n_out);
    uint64_t pt = (sk_in[i] & 1) << (64 - base_log * (level - t));
    uint64_t e = lwe_phase(ct, sk_out, n_out) - pt;
    ct[n_out] += (uint64_t)target - e;
}

/* ---- keyswitching keys ---- */

static void test_ksk(void **state)
{
    (void)state;
    struct keys k;
    keys_new(&k, "default", 1);
    const struct tfhe_casting_params *c = &k.p->casting;
    struct selfcheck_report rep;
    uint64_t bound = 1ull << c->noise_log2;

    assert_int_equal(check_cast(&k, k.cast_ksk, k.lwe_sk, &rep), 0);
    assert_int_equal(rep.values, k.n_pk * c->ks_level);
    assert_true(rep.max_abs_noise <= bound);
    assert_true(rep.max_abs_noise > bound / 2); /* 8192 draws: P(fail) ~ 2^-8192 */
    print_message("  casting KSK: max |noise| 2^%.2f of 2^%u\n",
                  log2((double)rep.max_abs_noise), c->noise_log2);

    /* a mask word where the output key bit is 1 (a word under a zero bit
     * cannot change the phase, nor decryption) */
    size_t w = 0;
    while ((k.lwe_sk[w] & 1) == 0)
        w++;
    size_t i = 1000, t = 2, at = (i * c->ks_level + t) * lwe_size(k.n) + w;
    uint64_t saved = k.cast_ksk[at];
    k.cast_ksk[at] ^= 1ull << 50;
    assert_int_equal(check_cast(&k, k.cast_ksk, k.lwe_sk, &rep), KMS_EVERIFY);
    assert_msg_has("casting KSK: input coefficient 1000, level 2 of 4");
    assert_int_equal(rep.values, i * c->ks_level + t + 1); /* stopped at the bad one */
    k.cast_ksk[at] = saved;

    /* one noise value at +-2^b passes, at +-(2^b + 1) fails */
    size_t body = (i * c->ks_level + t) * lwe_size(k.n) + k.n;
    saved = k.cast_ksk[body];
    int64_t targets[] = {(int64_t)bound, -(int64_t)bound, (int64_t)bound + 1,
                         -(int64_t)bound - 1};
    for (int v = 0; v < 4; v++) {
        ksk_set_noise(k.cast_ksk, k.cpk_sk, k.lwe_sk, k.n, c->ks_base_log, c->ks_level, i,
                      (unsigned)t, targets[v]);
        int rc = check_cast(&k, k.cast_ksk, k.lwe_sk, &rep);
        if (v < 2) {
            assert_int_equal(rc, 0);
            assert_int_equal(rep.max_abs_noise, bound);
        } else {
            assert_int_equal(rc, KMS_EVERIFY);
            assert_msg_has("input coefficient 1000, level 2 of 4: noise ");
            assert_msg_has(v == 2 ? "noise 35184372088833 " : "noise -35184372088833 ");
        }
        k.cast_ksk[body] = saved;
    }
    assert_int_equal(check_cast(&k, k.cast_ksk, k.lwe_sk, &rep), 0);

    /* wrong output key; wrong input key (one bit) */
    assert_int_equal(check_cast(&k, k.cast_ksk, k.other_sk, &rep), KMS_EVERIFY);
    assert_msg_has("input coefficient 0, level 4 of 4");
    k.cpk_sk[77] ^= 1;
    assert_int_equal(check_cast(&k, k.cast_ksk, k.lwe_sk, &rep), KMS_EVERIFY);
    assert_msg_has("input coefficient 77, level 4 of 4");
    k.cpk_sk[77] ^= 1;

    /* the compute KSK, test set (big 256 -> small 1) */
    struct keys t2;
    keys_new(&t2, "test", 2);
    const struct tfhe_pbs_params *q = &t2.p->pbs;
    size_t len = lwe_ksk_size(t2.big, t2.n, q->ks_level);
    uint64_t *ksk = xmalloc(len);
    assert_int_equal(lwe_ksk_generate(ksk, t2.glwe_sk, t2.big, t2.lwe_sk, t2.n, q->ks_base_log,
                                      q->ks_level, q->lwe_noise_log2, &t2.rng),
                     0);
    assert_int_equal(selfcheck_compute_ksk(&rep, t2.p, ksk, len, t2.glwe_sk, t2.big, t2.lwe_sk,
                                           t2.n),
                     0);
    assert_int_equal(rep.values, t2.big);
    assert_true(rep.max_abs_noise <= 1);
    ksk_set_noise(ksk, t2.glwe_sk, t2.lwe_sk, t2.n, q->ks_base_log, q->ks_level, 200, 0, 2);
    assert_int_equal(selfcheck_compute_ksk(&rep, t2.p, ksk, len, t2.glwe_sk, t2.big, t2.lwe_sk,
                                           t2.n),
                     KMS_EVERIFY);
    assert_msg_has("compute KSK: input coefficient 200, level 1 of 1: noise 2 ");
    assert_int_equal(selfcheck_compute_ksk(&rep, t2.p, ksk, len, t2.glwe_sk, t2.big,
                                           t2.other_sk, t2.n),
                     KMS_EVERIFY);
    /* dimensions against the set */
    assert_int_equal(selfcheck_compute_ksk(&rep, t2.p, ksk, len - 1, t2.glwe_sk, t2.big,
                                           t2.lwe_sk, t2.n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_compute_ksk(&rep, t2.p, ksk, len, t2.glwe_sk, t2.big - 1,
                                           t2.lwe_sk, t2.n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_compute_ksk(&rep, k.p, ksk, len, t2.glwe_sk, t2.big, t2.lwe_sk,
                                           t2.n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_casting_ksk(&rep, t2.p, k.cast_ksk, k.cast_len, k.cpk_sk, k.n_pk,
                                           k.lwe_sk, k.n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_lwe_ksk(&rep, NULL, ksk, len, t2.glwe_sk, t2.big, t2.lwe_sk, t2.n,
                                       40, 2, 0),
                     KMS_EINVAL); /* 80 bits of decomposition */
    assert_int_equal(selfcheck_lwe_ksk(&rep, NULL, ksk, len, t2.glwe_sk, t2.big, t2.lwe_sk, 0,
                                       q->ks_base_log, q->ks_level, 0),
                     KMS_EINVAL);
    free(ksk);
    keys_free(&t2);
    keys_free(&k);
}

/* ---- bootstrapping keys ---- */

/* Independent noise of one GGSW row coefficient: schoolbook glwe_phase. */
static int64_t row_noise(const uint64_t *row, const uint64_t *glwe_sk, unsigned k, size_t N,
                         unsigned r, uint64_t m, uint64_t weight, size_t x)
{
    uint64_t *ph = xmalloc(N);
    glwe_phase(ph, row, glwe_sk, k, N);
    uint64_t want = r < k ? (0 - m * (glwe_sk[r * N + x] & 1)) * weight : (x == 0 ? m * weight : 0);
    int64_t e = (int64_t)(ph[x] - want);
    free(ph);
    return e;
}

struct bsk_case {
    struct bsk_shape s;
    uint64_t *bsk;
    size_t len;
    unsigned noise_log2;
};

static void bsk_case_new(struct bsk_case *b, struct keys *k, const struct bsk_shape *s,
                         unsigned noise_log2)
{
    b->s = *s;
    b->len = bsk_polys(s) * s->polynomial_size;
    b->bsk = xmalloc(b->len);
    b->noise_log2 = noise_log2;
    assert_int_equal(bsk_generate(b->bsk, s, k->lwe_sk, k->glwe_sk, noise_log2, &k->rng), 0);
}

static int check_bsk(const struct bsk_case *b, const uint64_t *lwe_sk, const uint64_t *glwe_sk,
                     struct selfcheck_report *rep)
{
    size_t big = (size_t)b->s.glwe_dimension * b->s.polynomial_size;
    return selfcheck_bsk(rep, "test BSK", b->bsk, b->len, &b->s, lwe_sk, b->s.lwe_dimension,
                         glwe_sk, big, b->noise_log2);
}

static uint64_t *bsk_row(const struct bsk_case *b, size_t i, unsigned t, unsigned r)
{
    size_t rows = (size_t)b->s.glwe_dimension + 1;
    return b->bsk + ((i * b->s.level + t) * rows + r) * glwe_size(b->s.glwe_dimension,
                                                                   b->s.polynomial_size);
}

/* Shape of the default compute BSK with only 4 GGSWs (the full key is
 * checked in the slow test), then the test set's full key. */
static void test_bsk(void **state)
{
    (void)state;
    struct keys k;
    keys_new(&k, "default", 3);
    const struct tfhe_pbs_params *q = &k.p->pbs;
    struct bsk_shape s = {4, q->glwe_dimension, q->polynomial_size, q->pbs_base_log,
                          q->pbs_level};
    struct bsk_case b;
    bsk_case_new(&b, &k, &s, q->glwe_noise_log2);
    struct selfcheck_report rep;
    uint64_t bound = 1ull << b.noise_log2;
    if (check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep) != 0)
        fail_msg("%s", kms_err_msg());
    assert_int_equal(rep.values, 4 * 2 * 2048);
    assert_true(rep.max_abs_noise <= bound && rep.max_abs_noise > bound / 2);
    print_message("  BSK (4 GGSWs): max |noise| 2^%.2f of 2^%u\n",
                  log2((double)rep.max_abs_noise), b.noise_log2);

    /* each row kind: a body coefficient at +-(2^b + 1) fails, 2^b passes */
    size_t N = s.polynomial_size;
    uint64_t weight = 1ull << (64 - s.base_log);
    for (size_t i = 0; i < 4; i++) {
        for (unsigned r = 0; r <= s.glwe_dimension; r++) {
            uint64_t *row = bsk_row(&b, i, 0, r), *body = row + s.glwe_dimension * N;
            size_t x = (i * 517 + r * 33) % N;
            uint64_t m = k.lwe_sk[i] & 1, saved = body[x];
            int64_t e = row_noise(row, k.glwe_sk, s.glwe_dimension, N, r, m, weight, x);
            body[x] += (uint64_t)bound - (uint64_t)e;
            assert_int_equal(check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep), 0);
            body[x] -= 2 * bound + 1; /* now -(2^b + 1) */
            assert_int_equal(check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep), KMS_EVERIFY);
            char want[128];
            snprintf(want, sizeof want,
                     "test BSK: GGSW %zu, level 1 of 1, row %u, coefficient %zu: noise -131073 ",
                     i, r, x);
            assert_msg_has(want);
            body[x] = saved;
        }
    }
    /* a mask word (any word moves the phase when the GLWE key is not zero) */
    bsk_row(&b, 2, 0, 1)[700] += 1ull << 40;
    assert_int_equal(check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep), KMS_EVERIFY);
    assert_msg_has("GGSW 2, level 1 of 1, row 1, coefficient ");
    bsk_row(&b, 2, 0, 1)[700] -= 1ull << 40;
    assert_int_equal(check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep), 0);
    /* wrong keys: one LWE key bit, another GLWE key */
    k.lwe_sk[3] ^= 1;
    assert_int_equal(check_bsk(&b, k.lwe_sk, k.glwe_sk, &rep), KMS_EVERIFY);
    assert_msg_has("GGSW 3, level 1 of 1, row 0");
    k.lwe_sk[3] ^= 1;
    uint64_t *other = xmalloc(k.big);
    memcpy(other, k.glwe_sk, k.big * 8);
    other[1234] ^= 1;
    assert_int_equal(check_bsk(&b, k.lwe_sk, other, &rep), KMS_EVERIFY);
    assert_msg_has("GGSW 0, level 1 of 1, row 0");
    /* geometry */
    assert_int_equal(selfcheck_bsk(&rep, "x", b.bsk, b.len - 1, &s, k.lwe_sk, 4, k.glwe_sk, k.big,
                                   17),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_bsk(&rep, "x", b.bsk, b.len, &s, k.lwe_sk, 5, k.glwe_sk, k.big, 17),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_bsk(&rep, "x", b.bsk, b.len, &s, k.lwe_sk, 4, k.glwe_sk, 2047, 17),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_compute_bsk(&rep, k.p, b.bsk, b.len, k.lwe_sk, 4, k.glwe_sk,
                                           k.big),
                     KMS_EINVAL); /* 4 GGSWs is not the default set's 918 */
    free(other);
    free(b.bsk);
    keys_free(&k);

    /* the test set's compute BSK, through the parameter-set entry point */
    keys_new(&k, "test", 4);
    q = &k.p->pbs;
    s = (struct bsk_shape){k.n, q->glwe_dimension, q->polynomial_size, q->pbs_base_log,
                           q->pbs_level};
    bsk_case_new(&b, &k, &s, q->glwe_noise_log2);
    assert_int_equal(
        selfcheck_compute_bsk(&rep, k.p, b.bsk, b.len, k.lwe_sk, k.n, k.glwe_sk, k.big), 0);
    assert_int_equal(rep.values, k.n * 2 * q->polynomial_size);
    assert_true(rep.max_abs_noise <= 1);
    uint64_t *row = bsk_row(&b, 0, 0, 1);
    int64_t e = row_noise(row, k.glwe_sk, 1, q->polynomial_size, 1, k.lwe_sk[0] & 1,
                          1ull << (64 - q->pbs_base_log), 9);
    row[q->polynomial_size + 9] += 2 - (uint64_t)e;
    assert_int_equal(
        selfcheck_compute_bsk(&rep, k.p, b.bsk, b.len, k.lwe_sk, k.n, k.glwe_sk, k.big),
        KMS_EVERIFY);
    assert_msg_has("compute BSK: GGSW 0, level 1 of 1, row 1, coefficient 9: noise 2 ");
    free(b.bsk);
    keys_free(&k);
}

/* ---- compact public key ---- */

static void test_cpk(void **state)
{
    (void)state;
    struct keys k;
    keys_new(&k, "default", 5);
    struct selfcheck_report rep;
    size_t n = k.n_pk;
    uint64_t bound = 1ull << k.p->cpk.noise_log2;
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), 0);
    assert_int_equal(rep.values, n);
    assert_true(rep.max_abs_noise <= bound && rep.max_abs_noise > bound / 2);

    /* independent noise: B - A * rev(s) */
    uint64_t *rev = xmalloc(n), *conv = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        rev[i] = k.cpk_sk[n - 1 - i];
    poly_u64_mul(conv, k.cpk, rev, n);
    size_t x = 1500;
    uint64_t saved = k.cpk[n + x];
    k.cpk[n + x] = conv[x] + bound;
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), 0);
    k.cpk[n + x] = conv[x] + bound + 1;
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), KMS_EVERIFY);
    assert_msg_has("compact public key: body coefficient 1500: noise 131073 ");
    k.cpk[n + x] = saved;
    k.cpk[17] += 1ull << 40; /* a mask word (a change of a few units would look like noise) */
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), KMS_EVERIFY);
    assert_msg_has("compact public key: body coefficient ");
    k.cpk[17] -= 1ull << 40;
    k.cpk_sk[5] ^= 1; /* wrong key */
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), KMS_EVERIFY);
    k.cpk_sk[5] ^= 1;
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n, k.cpk_sk, n), 0);
    /* geometry */
    const struct tfhe_params *no_cpk;
    assert_int_equal(tfhe_params_get(&no_cpk, "message_2_carry_2", 0), 0);
    assert_int_equal(selfcheck_dedicated_cpk(&rep, no_cpk, k.cpk, 2 * n, k.cpk_sk, n), KMS_EINVAL);
    assert_int_equal(selfcheck_dedicated_cpk(&rep, k.p, k.cpk, 2 * n - 1, k.cpk_sk, n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_dedicated_cpk(&rep, get("test"), k.cpk, 2 * n, k.cpk_sk, n),
                     KMS_EINVAL);
    assert_int_equal(selfcheck_dedicated_cpk(NULL, NULL, k.cpk, 2 * n, k.cpk_sk, n), KMS_EINVAL);
    assert_int_equal(selfcheck_cpk(&rep, NULL, k.cpk, 2 * n, k.cpk_sk, n, 62), KMS_EINVAL);
    assert_int_equal(selfcheck_cpk(NULL, NULL, k.cpk, 2 * n, k.cpk_sk, n, 17), 0);
    free(rev), free(conv);
    keys_free(&k);
}

#ifndef SELFCHECK_TEST_SLOW
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ksk),
        cmocka_unit_test(test_bsk),
        cmocka_unit_test(test_cpk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif

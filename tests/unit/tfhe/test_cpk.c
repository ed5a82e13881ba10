/* Compact public key encryption (tfhe-rs note §4.9):
 *  - the semi-reverse negacyclic convolution against the tfhe-rs doc-test
 *    vector and an independent schoolbook product;
 *  - key generation and list encryption replayed from the raw streams with
 *    independent code (stream order and byte counts as read in tfhe-rs 1.7
 *    lwe_compact_public_key_generation.rs / lwe_encryption.rs);
 *  - expansion and decryption under the CPK key for 1, 5, 2048 and 2049
 *    (two bins) messages, with the worst-case noise bound;
 *  - CPK encryption -> casting keyswitch -> PBS -> decryption under the big
 *    key for all 16 values (default set; acceptance criterion), and casts
 *    through the integer layer's unpacking tables;
 *  - dimension and parameter mismatches are errors.
 * The default-set cast needs a full 918-GGSW bootstrapping key: about 1 s
 * here, but 30 s under the sanitizers, where this file runs the cast with
 * the test set only; test_cpk_slow.c (this file with CPK_TEST_SLOW) always
 * runs the default-set cast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "test_util.h"
#include "tfhe/bsk.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs.h"
#include "tfhe/poly.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void seed_gen(struct csprng *g, uint8_t a, uint8_t b)
{
    uint8_t seed[16] = {a, b, 0x5c};
    assert_int_equal(csprng_init_seed(g, seed), 0);
}

static const struct tfhe_params *get(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static uint64_t *xmalloc(size_t words)
{
    uint64_t *p = calloc(words ? words : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

/* Independent reference: a * rev(s) with the general schoolbook product. */
static void ref_semi_rev_conv(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n)
{
    uint64_t *rev = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        rev[i] = s[n - 1 - i];
    poly_u64_mul(out, a, rev, n);
    free(rev);
}

/* tfhe-rs slice_binary_semi_reverse_negacyclic_convolution doc test:
 * [1, 2, 3] (*) [0, 1, 1] = [254, 3, 5] over u8, i.e. [-2, 3, 5]. */
static void test_semi_rev_conv(void **state)
{
    (void)state;
    uint64_t a[3] = {1, 2, 3}, s[3] = {0, 1, 1}, out[3];
    assert_int_equal(cpk_semi_rev_conv(out, a, s, 3), 0);
    assert_int_equal(out[0], (uint64_t)-2);
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 5);

    struct csprng g;
    seed_gen(&g, 9, 9);
    size_t sizes[] = {8, 64, 512};
    for (size_t t = 0; t < 3; t++) {
        size_t n = sizes[t];
        uint64_t *x = xmalloc(n), *bits = xmalloc(n), *got = xmalloc(n), *want = xmalloc(n);
        assert_int_equal(sample_uniform_u64(&g, x, n), 0);
        assert_int_equal(sample_binary_u64(&g, bits, n), 0);
        assert_int_equal(cpk_semi_rev_conv(got, x, bits, n), 0);
        ref_semi_rev_conv(want, x, bits, n);
        assert_memory_equal(got, want, n * 8);
        free(x), free(bits), free(got), free(want);
    }
    csprng_free(&g);
    assert_int_equal(cpk_semi_rev_conv(out, a, s, 0), KMS_EINVAL);
}

/* Reads the next n bytes of g (to compare stream positions). */
static void next_bytes(struct csprng *g, uint8_t *out, size_t n)
{
    assert_int_equal(csprng_fill(g, out, n), 0);
}

struct cpk_keys {
    const struct tfhe_params *p;
    size_t n;
    uint64_t *sk, *pk;
};

static void cpk_keys_new(struct cpk_keys *k, const char *name, uint8_t tag)
{
    k->p = get(name);
    k->n = k->p->cpk.lwe_dimension;
    k->sk = xmalloc(k->n);
    k->pk = xmalloc(cpk_pk_size(k->n));
    struct csprng sec;
    struct enc_rng rng;
    seed_gen(&sec, tag, 1);
    seed_gen(&rng.mask, tag, 2);
    seed_gen(&rng.noise, tag, 3);
    assert_int_equal(cpk_sk_generate(k->p, k->sk, k->n, &sec), 0);
    assert_int_equal(cpk_pk_generate(k->p, k->pk, cpk_pk_size(k->n), k->sk, k->n, &rng), 0);
    csprng_free(&sec);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
}

static void cpk_keys_free(struct cpk_keys *k)
{
    free(k->sk);
    free(k->pk);
}

/* Key generation: A = the next 8 n mask bytes, B - semi_rev_conv(A, s) = the
 * next n TUniform(b) samples of the noise stream, and nothing else drawn. */
static void check_keygen(const char *name)
{
    struct cpk_keys k;
    cpk_keys_new(&k, name, 7);
    size_t n = k.n;
    unsigned b = k.p->cpk.noise_log2;
    struct csprng sec, mask, noise;
    seed_gen(&sec, 7, 1);
    seed_gen(&mask, 7, 2);
    seed_gen(&noise, 7, 3);
    uint64_t *bits = xmalloc(n), *a = xmalloc(n), *e = xmalloc(n), *conv = xmalloc(n);
    assert_int_equal(sample_binary_u64(&sec, bits, n), 0);
    assert_memory_equal(bits, k.sk, n * 8);
    uint8_t *raw = malloc(8 * n);
    assert_non_null(raw);
    next_bytes(&mask, raw, 8 * n);
    for (size_t i = 0; i < n; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w |= (uint64_t)raw[8 * i + j] << (8 * j);
        a[i] = w;
    }
    assert_memory_equal(a, k.pk, n * 8);
    assert_int_equal(sample_tuniform_u64(&noise, b, e, n), 0);
    ref_semi_rev_conv(conv, a, k.sk, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(k.pk[n + i], conv[i] + e[i]);
    free(raw), free(bits), free(a), free(e), free(conv);
    csprng_free(&sec), csprng_free(&mask), csprng_free(&noise);
    cpk_keys_free(&k);
}

static void test_keygen(void **state)
{
    (void)state;
    check_keygen("default");
    check_keygen("test");
}

/* The list tfhe-rs would produce from the stream g, recomputed from raw
 * bytes with the general schoolbook product. */
static void ref_encrypt(const struct tfhe_params *p, uint64_t *list, const uint64_t *pk,
                        const uint64_t *pt, size_t count, struct csprng *g)
{
    size_t n = p->cpk.lwe_dimension, bins = (count + n - 1) / n;
    unsigned b = p->cpk.noise_log2;
    size_t nbits = bins * n, nbytes = (nbits + 7) / 8;
    uint8_t *raw = malloc(nbytes);
    uint64_t *r = xmalloc(nbits), *e1 = xmalloc(nbits), *e2 = xmalloc(count), *tmp = xmalloc(n);
    assert_non_null(raw);
    next_bytes(g, raw, nbytes);
    for (size_t i = 0; i < nbits; i++)
        r[i] = (raw[i / 8] >> (i % 8)) & 1;
    assert_int_equal(sample_tuniform_u64(g, b, e1, nbits), 0);
    assert_int_equal(sample_tuniform_u64(g, b, e2, count), 0);
    for (size_t q = 0; q < bins; q++) {
        ref_semi_rev_conv(list + q * n, pk, r + q * n, n);
        for (size_t i = 0; i < n; i++)
            list[q * n + i] += e1[q * n + i];
        ref_semi_rev_conv(tmp, pk + n, r + q * n, n);
        for (size_t j = 0; j < n && q * n + j < count; j++) {
            size_t t = q * n + j;
            list[bins * n + t] = tmp[n - 1 - j] + e2[t] + pt[t];
        }
    }
    free(raw), free(r), free(e1), free(e2), free(tmp);
}

/* Encrypts count messages, checks the list against the replay, expands and
 * decrypts under the CPK key with the deterministic worst-case bound
 * |e| <= |<e, r>| + |e2| + |<e1 X^j, s>| <= (2 n + 1) 2^b. */
static void check_list(const struct cpk_keys *k, size_t count, uint8_t tag)
{
    const struct tfhe_params *p = k->p;
    size_t n = k->n, len = cpk_list_size(n, count);
    unsigned space = p->cpk.message_modulus * p->cpk.carry_modulus;
    uint64_t delta = cpk_delta(p);
    uint64_t *pt = xmalloc(count), *list = xmalloc(len), *want = xmalloc(len);
    for (size_t t = 0; t < count; t++)
        pt[t] = (uint64_t)((t * 7 + tag) % space) * delta;
    uint8_t seed[32] = {tag, 0xc9};
    struct csprng g, h;
    assert_int_equal(cpk_encrypt_rng_init(&g, seed, sizeof seed), 0);
    assert_int_equal(cpk_encrypt_rng_init(&h, seed, sizeof seed), 0);
    assert_int_equal(cpk_encrypt_list(p, list, len, k->pk, cpk_pk_size(n), pt, count, &g), 0);
    ref_encrypt(p, want, k->pk, pt, count, &h);
    assert_memory_equal(list, want, len * 8);
    uint8_t b1[16], b2[16]; /* both streams consumed the same bytes */
    next_bytes(&g, b1, 16);
    next_bytes(&h, b2, 16);
    assert_memory_equal(b1, b2, 16);

    uint64_t *lwes = xmalloc(count * lwe_size(n)), *one = xmalloc(lwe_size(n));
    assert_int_equal(cpk_expand(p, lwes, count * lwe_size(n), list, len, count), 0);
    double bound = (2.0 * (double)n + 1) * ldexp(1, p->cpk.noise_log2);
    assert_true(bound < ldexp(1, 63) / space); /* below delta / 2 */
    uint64_t max = 0;
    for (size_t t = 0; t < count; t++) {
        const uint64_t *ct = lwes + t * lwe_size(n);
        int64_t e = (int64_t)(lwe_phase(ct, k->sk, n) - pt[t]);
        uint64_t mag = e < 0 ? (uint64_t)-e : (uint64_t)e;
        assert_true((double)mag <= bound);
        max = mag > max ? mag : max;
        uint64_t dec = ((lwe_phase(ct, k->sk, n) + delta / 2) / delta) % (2 * space);
        assert_int_equal(dec * delta, pt[t]);
    }
    for (size_t t = 0; t < count; t += (count > 7 ? count / 7 : 1)) {
        assert_int_equal(cpk_expand_one(p, one, lwe_size(n), list, len, count, t), 0);
        assert_memory_equal(one, lwes + t * lwe_size(n), lwe_size(n) * 8);
    }
    print_message("  %s, %zu messages: max |noise| 2^%.1f (bound 2^%.1f)\n", p->name, count,
                  log2((double)max + 1), log2(bound));
    free(pt), free(list), free(want), free(lwes), free(one);
    csprng_free(&g), csprng_free(&h);
}

static void test_encrypt_expand(void **state)
{
    (void)state;
    struct cpk_keys k;
    cpk_keys_new(&k, "default", 11);
    size_t counts[] = {1, 5, 2048, 2049};
    for (size_t i = 0; i < 4; i++)
        check_list(&k, counts[i], (uint8_t)(i + 1));
    cpk_keys_free(&k);
    cpk_keys_new(&k, "test", 12);
    check_list(&k, 3, 1);
    check_list(&k, 1100, 2); /* three bins of 512 */
    cpk_keys_free(&k);
}

/* A compute keyset without the compute KSK (the cast does not need it). */
struct compute_keys {
    const struct tfhe_params *p;
    size_t n, big;
    uint64_t *lwe_sk, *glwe_sk, *cast_ksk;
    struct fourier_bsk fbsk;
    struct cpk_keys cpk;
};

static void compute_keys_new(struct compute_keys *c, const char *name, uint8_t tag)
{
    double t0 = now();
    cpk_keys_new(&c->cpk, name, tag);
    const struct tfhe_params *p = c->p = c->cpk.p;
    const struct tfhe_pbs_params *q = &p->pbs;
    c->n = q->lwe_dimension;
    c->big = tfhe_params_big_dimension(q);
    struct csprng sec;
    struct enc_rng rng;
    seed_gen(&sec, tag, 4);
    seed_gen(&rng.mask, tag, 5);
    seed_gen(&rng.noise, tag, 6);
    c->lwe_sk = xmalloc(c->n);
    c->glwe_sk = xmalloc(c->big);
    assert_int_equal(glwe_sk_generate(c->glwe_sk, q->glwe_dimension, q->polynomial_size, &sec), 0);
    assert_int_equal(lwe_sk_generate(c->lwe_sk, c->n, &sec), 0);
    struct bsk_shape s = {c->n, q->glwe_dimension, q->polynomial_size, q->pbs_base_log,
                          q->pbs_level};
    uint64_t *bsk = xmalloc(bsk_polys(&s) * s.polynomial_size);
    assert_int_equal(bsk_generate(bsk, &s, c->lwe_sk, c->glwe_sk, q->glwe_noise_log2, &rng), 0);
    assert_int_equal(fourier_bsk_from_std(&c->fbsk, &s, bsk), 0);
    free(bsk);
    double t1 = now();
    c->cast_ksk = xmalloc(cpk_casting_ksk_size(p));
    assert_int_equal(cpk_casting_ksk_generate(p, c->cast_ksk, cpk_casting_ksk_size(p), c->cpk.sk,
                                              c->cpk.n, c->lwe_sk, c->n, &rng),
                     0);
    double t2 = now();
    print_message("  %s keys: cpk + bsk %.2f s, casting ksk %.2f s\n", name, t1 - t0, t2 - t1);
    csprng_free(&sec), csprng_free(&rng.mask), csprng_free(&rng.noise);
}

static void compute_keys_free(struct compute_keys *c)
{
    fourier_bsk_free(&c->fbsk);
    free(c->lwe_sk), free(c->glwe_sk), free(c->cast_ksk);
    cpk_keys_free(&c->cpk);
}

/* CPK encryption -> expansion -> casting keyswitch -> PBS -> decryption
 * under the compute big key, every value of the plaintext space. */
static void check_cast(const char *name, uint8_t tag, size_t stride)
{
    struct compute_keys c;
    compute_keys_new(&c, name, tag);
    const struct tfhe_params *p = c.p;
    unsigned space = p->cpk.message_modulus * p->cpk.carry_modulus;
    size_t n = c.cpk.n, count = space, len = cpk_list_size(n, count);
    size_t out_sz = lwe_size(c.big);
    uint64_t delta = cpk_delta(p), big_delta = tfhe_params_delta(&p->pbs);
    uint64_t *pt = xmalloc(count), *list = xmalloc(len), *out = xmalloc(count * out_sz);
    for (size_t m = 0; m < count; m++)
        pt[m] = m * delta;
    uint8_t seed[16] = {tag, 0xca, 0x57};
    struct csprng g;
    assert_int_equal(cpk_encrypt_rng_init(&g, seed, sizeof seed), 0);
    assert_int_equal(cpk_encrypt_list(p, list, len, c.cpk.pk, cpk_pk_size(n), pt, count, &g), 0);
    struct cpk_caster *caster;
    assert_int_equal(
        cpk_caster_new(&caster, p, c.cast_ksk, cpk_casting_ksk_size(p), &c.fbsk), 0);
    double t0 = now();
    assert_int_equal(cpk_expand_and_cast(caster, out, count * out_sz, list, len, count), 0);
    double t1 = now();
    uint64_t max = 0;
    for (size_t m = 0; m < count; m++) {
        uint64_t ph = lwe_phase(out + m * out_sz, c.glwe_sk, c.big);
        int64_t e = (int64_t)(ph - m * big_delta);
        uint64_t mag = e < 0 ? (uint64_t)-e : (uint64_t)e;
        max = mag > max ? mag : max;
        assert_int_equal(((ph + big_delta / 2) / big_delta) % (2 * space), m);
        assert_true(mag < big_delta / 2);
    }
    /* cpk_cast on one expanded ciphertext gives the same output */
    uint64_t *one = xmalloc(lwe_size(n)), *cast1 = xmalloc(out_sz);
    assert_int_equal(cpk_expand_one(p, one, lwe_size(n), list, len, count, 5), 0);
    assert_int_equal(cpk_cast(caster, cast1, out_sz, one, lwe_size(n)), 0);
    assert_memory_equal(cast1, out + 5 * out_sz, out_sz * 8);
    print_message("  %s cast: %.2f ms per ciphertext, max |noise| 2^%.1f (delta/2 = 2^%.0f)\n",
                  name, (t1 - t0) * 1e3 / (double)count, log2((double)max + 1),
                  log2((double)big_delta / 2));
    /* the integer layer's tables: the low and high blocks of a packed pair */
    unsigned msg = p->pbs.message_modulus, carry = p->pbs.carry_modulus;
    uint64_t low[64], high[64];
    for (unsigned x = 0; x < space; x++) {
        low[x] = x % msg;
        high[x] = (x / carry) % msg;
    }
    for (size_t m = 0; m < count; m += stride) {
        assert_int_equal(cpk_expand_one(p, one, lwe_size(n), list, len, count, m), 0);
        for (int h = 0; h < 2; h++) {
            const uint64_t *table = h ? high : low;
            assert_int_equal(cpk_cast_table(caster, cast1, out_sz, one, lwe_size(n), table, space),
                             0);
            uint64_t ph = lwe_phase(cast1, c.glwe_sk, c.big);
            assert_int_equal(((ph + big_delta / 2) / big_delta) % (2 * space), table[m]);
        }
    }
    cpk_caster_free(caster);
    free(pt), free(list), free(out), free(one), free(cast1);
    csprng_free(&g);
    compute_keys_free(&c);
}

#if defined(__SANITIZE_ADDRESS__)
#define CPK_UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CPK_UNDER_SAN 1
#endif
#endif

static void test_cast_default(void **state)
{
    (void)state;
#if defined(CPK_UNDER_SAN) && !defined(CPK_TEST_SLOW)
    print_message("  default-set cast skipped under the sanitizers (see test_cpk_slow)\n");
    skip();
#else
    check_cast("default", 21, 5); /* tables on m = 0, 5, 10, 15 */
#endif
}

static void test_cast_test_set(void **state)
{
    (void)state;
    check_cast("test", 22, 1);
}

/* Dimension, length and parameter mismatches are errors, never crashes. */
static void test_rejects(void **state)
{
    (void)state;
    const struct tfhe_params *p = get("test"), *d = get("default"), *no_cpk;
    assert_int_equal(tfhe_params_get(&no_cpk, "message_2_carry_2", 0), 0);
    size_t n = p->cpk.lwe_dimension, len = cpk_list_size(n, 3);
    uint64_t *sk = xmalloc(n), *pk = xmalloc(2 * n), *list = xmalloc(len + 1);
    uint64_t *lwe = xmalloc(n + 2), pt[3] = {0, 1, 2};
    struct csprng g;
    struct enc_rng rng;
    seed_gen(&g, 1, 1);
    seed_gen(&rng.mask, 1, 2);
    seed_gen(&rng.noise, 1, 3);
    assert_int_equal(cpk_sk_generate(NULL, sk, n, &g), KMS_EINVAL);
    assert_int_equal(cpk_sk_generate(no_cpk, sk, n, &g), KMS_EINVAL);
    assert_int_equal(cpk_sk_generate(p, sk, n - 1, &g), KMS_EINVAL);
    assert_int_equal(cpk_sk_generate(d, sk, n, &g), KMS_EINVAL); /* default wants 2048 */
    assert_int_equal(cpk_sk_generate(p, sk, n, &g), 0);
    assert_int_equal(cpk_pk_generate(p, pk, 2 * n - 1, sk, n, &rng), KMS_EINVAL);
    assert_int_equal(cpk_pk_generate(p, pk, 2 * n, sk, n + 1, &rng), KMS_EINVAL);
    assert_int_equal(cpk_pk_generate(p, pk, 2 * n, sk, n, &rng), 0);

    assert_int_equal(cpk_encrypt_rng_init(&g, (const uint8_t *)"short", 5), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_rng_init(&g, NULL, 16), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_list(p, list, len + 1, pk, 2 * n, pt, 3, &g), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_list(p, list, len, pk, 2 * n + 1, pt, 3, &g), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_list(p, list, 0, pk, 2 * n, pt, 0, &g), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_list(d, list, len, pk, 2 * n, pt, 3, &g), KMS_EINVAL);
    assert_int_equal(cpk_encrypt_list(p, list, len, pk, 2 * n, pt, SIZE_MAX / 4, &g), KMS_ELIMIT);
    assert_int_equal(cpk_encrypt_list(p, list, len, pk, 2 * n, pt, 3, &g), 0);

    assert_int_equal(cpk_expand_one(p, lwe, n + 1, list, len, 3, 3), KMS_EINVAL);
    assert_int_equal(cpk_expand_one(p, lwe, n + 2, list, len, 3, 0), KMS_EINVAL);
    assert_int_equal(cpk_expand_one(p, lwe, n + 1, list, len - 1, 3, 0), KMS_EINVAL);
    assert_int_equal(cpk_expand_one(p, lwe, n + 1, list, len, 3, 2), 0);
    assert_int_equal(cpk_expand(p, lwe, n + 1, list, len, 3), KMS_EINVAL);

    /* casting key and caster geometry */
    size_t ksz = cpk_casting_ksk_size(p), small = p->pbs.lwe_dimension;
    assert_int_equal(cpk_casting_ksk_size(no_cpk), 0);
    uint64_t *ksk = xmalloc(ksz), *lsk = xmalloc(small);
    assert_int_equal(cpk_casting_ksk_generate(p, ksk, ksz - 1, sk, n, lsk, small, &rng),
                     KMS_EINVAL);
    assert_int_equal(cpk_casting_ksk_generate(p, ksk, ksz, sk, n, lsk, small + 1, &rng),
                     KMS_EINVAL);
    assert_int_equal(cpk_casting_ksk_generate(p, ksk, ksz, sk, n, lsk, small, &rng), 0);
    const struct tfhe_pbs_params *q = &p->pbs;
    struct bsk_shape s = {small, q->glwe_dimension, q->polynomial_size, q->pbs_base_log,
                          q->pbs_level};
    uint64_t *bsk = xmalloc(bsk_polys(&s) * s.polynomial_size);
    struct fourier_bsk f, bad;
    assert_int_equal(fourier_bsk_from_std(&f, &s, bsk), 0);
    struct cpk_caster *c = (struct cpk_caster *)(uintptr_t)1; /* reset to NULL on failure */
    assert_int_equal(cpk_caster_new(&c, p, ksk, ksz + 1, &f), KMS_EINVAL);
    assert_null(c);
    assert_int_equal(cpk_caster_new(&c, no_cpk, ksk, ksz, &f), KMS_EINVAL);
    assert_int_equal(cpk_caster_new(&c, p, NULL, ksz, &f), KMS_EINVAL);
    bad = f;
    bad.shape.base_log++;
    assert_int_equal(cpk_caster_new(&c, p, ksk, ksz, &bad), KMS_EINVAL);
    bad = f;
    bad.shape.lwe_dimension++;
    assert_int_equal(cpk_caster_new(&c, p, ksk, ksz, &bad), KMS_EINVAL);
    assert_int_equal(cpk_caster_new(&c, p, ksk, ksz, &f), 0);
    size_t osz = lwe_size(tfhe_params_big_dimension(q));
    uint64_t *out = xmalloc(3 * osz);
    assert_int_equal(cpk_cast(c, out, osz, lwe, n), KMS_EINVAL);
    assert_int_equal(cpk_cast(c, out, osz + 1, lwe, n + 1), KMS_EINVAL);
    assert_int_equal(cpk_cast(NULL, out, osz, lwe, n + 1), KMS_EINVAL);
    assert_int_equal(cpk_cast(c, out, osz, lwe, n + 1), 0);
    uint64_t table[16] = {0};
    assert_int_equal(cpk_cast_table(c, out, osz, lwe, n + 1, table, 15), KMS_EINVAL);
    assert_int_equal(cpk_cast_table(c, out, osz, lwe, n + 1, NULL, 16), KMS_EINVAL);
    assert_int_equal(cpk_cast_table(c, out, osz - 1, lwe, n + 1, table, 16), KMS_EINVAL);
    table[3] = 16;
    assert_int_equal(cpk_cast_table(c, out, osz, lwe, n + 1, table, 16), KMS_EINVAL);
    table[3] = 15;
    assert_int_equal(cpk_cast_table(c, out, osz, lwe, n + 1, table, 16), 0);
    assert_int_equal(cpk_expand_and_cast(c, out, 3 * osz - 1, list, len, 3), KMS_EINVAL);
    assert_int_equal(cpk_expand_and_cast(c, out, 3 * osz, list, len + 1, 3), KMS_EINVAL);
    assert_int_equal(cpk_expand_and_cast(c, out, 3 * osz, list, len, 3), 0);
    cpk_caster_free(c);
    cpk_caster_free(NULL);
    fourier_bsk_free(&f);
    free(sk), free(pk), free(list), free(lwe), free(ksk), free(lsk), free(bsk), free(out);
    csprng_free(&g), csprng_free(&rng.mask), csprng_free(&rng.noise);
}

int main(void)
{
#ifdef CPK_TEST_SLOW
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_default),
    };
#else
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semi_rev_conv),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_encrypt_expand),
        cmocka_unit_test(test_cast_test_set),
        cmocka_unit_test(test_cast_default),
        cmocka_unit_test(test_rejects),
    };
#endif
    return cmocka_run_group_tests(tests, NULL, NULL);
}

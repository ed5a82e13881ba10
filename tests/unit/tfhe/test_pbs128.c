/* The 128-bit building blocks of noise squashing:
 *   - the split (u64 halves) decomposition against decomp_init/next_u128,
 *     digit for digit, on random values and on every rounding and
 *     balancing tie, for the default (2^24 x 3) and test (2^33 x 2) bases
 *     and a few others;
 *   - LWE / GLWE encryption over Z/2^128: phases against a schoolbook
 *     recomputation (the NTT key product and the small-N loop), noise
 *     within the TUniform bound, sample extraction;
 *   - GGSW rows decrypting to -m S_r 2^(128 - B j) and m 2^(128 - B j);
 *   - streaming NTT key generation equal to generate-then-convert, reading
 *     the same stream bytes;
 *   - the blind rotation against a schoolbook CMUX chain written here
 *     (decomp.h digits, poly_u128_mul products): bit-identical GLWEs, for
 *     random key material (the kernels agree with each other: test_ntt128);
 *   - the LUT layout and bad arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/decomp.h"
#include "tfhe/glwe128.h"
#include "tfhe/lwe128.h"
#include "tfhe/pbs128.h"
#include "tfhe/poly.h"

static uint64_t xs = 0xd1b54a32d192ed03ull;
static uint64_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return xs;
}
static u128 rnd128(void) { return (u128)rnd() << 64 | rnd(); }

static void rngs(struct csprng *secret, struct enc_rng *rng, uint8_t tag)
{
    uint8_t s1[16] = {tag, 1}, s2[16] = {tag, 2}, s3[16] = {tag, 3};
    assert_int_equal(csprng_init_seed(secret, s1), 0);
    assert_int_equal(csprng_init_seed(&rng->mask, s2), 0);
    assert_int_equal(csprng_init_seed(&rng->noise, s3), 0);
}

static void rngs_free(struct csprng *secret, struct enc_rng *rng)
{
    csprng_free(secret);
    csprng_free(&rng->mask);
    csprng_free(&rng->noise);
}

/* signed distance of a phase to the expected plaintext */
static __int128 err_of(u128 phase, u128 pt) { return (__int128)(phase - pt); }

/* ---- decomposition ---- */

/* Decomposes vals[0..n) in one call (the 8-wide path for full groups of
 * 8, the reference for the rest) and compares every digit. */
static void check_digits(const u128 *vals, size_t n, unsigned B, unsigned l)
{
    uint64_t *lo = malloc(n * 8), *hi = malloc(n * 8);
    int64_t *dig = malloc(l * n * 8);
    assert_true(lo && hi && dig);
    for (size_t i = 0; i < n; i++) {
        lo[i] = (uint64_t)vals[i];
        hi[i] = (uint64_t)(vals[i] >> 64);
    }
    pbs128_decompose(dig, n, lo, hi, n, B, l);
    for (size_t i = 0; i < n; i++) {
        u128 st = decomp_init_u128(vals[i], B, l);
        for (unsigned t = 0; t < l; t++) {
            int64_t want = (int64_t)(uint64_t)decomp_next_u128(&st, B);
            if (dig[t * n + i] != want)
                fail_msg("B %u l %u x %016llx%016llx level %u: %lld != %lld", B, l,
                         (unsigned long long)hi[i], (unsigned long long)lo[i], t,
                         (long long)dig[t * n + i], (long long)want);
        }
    }
    free(lo);
    free(hi);
    free(dig);
}

static void test_decompose(void **state)
{
    (void)state;
    static const unsigned bases[][2] = {{24, 3}, {33, 2}, {16, 4}, {1, 2}, {49, 2}, {20, 3},
                                        {12, 6}, {30, 1}, {5, 13}, {32, 3}, {40, 3}};
    enum { MAXV = 20000 };
    u128 *v = malloc(MAXV * sizeof *v);
    assert_non_null(v);
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        unsigned B = bases[b][0], l = bases[b][1], rep = B * l;
        size_t n = 0;
        for (int i = 0; i < 4000; i++)
            v[n++] = rnd128();
        /* rounding ties and balancing ties around every digit boundary */
        for (unsigned pos = 128 - rep - 1; pos < 128; pos++)
            for (int d = -2; d <= 2; d++) {
                u128 base = (u128)1 << pos, half = (u128)1 << (128 - rep - 1);
                v[n++] = base + (u128)(__int128)d;
                v[n++] = 0 - base + (u128)(__int128)d;
                v[n++] = (base | half) + (u128)(__int128)d;
                v[n++] = (0 - base) - half + (u128)(__int128)d;
                v[n++] = (rnd128() & ~((base << 1) - 1)) | base;
                v[n++] = (rnd128() & ~((base << 1) - 1)) | base | half;
            }
        v[n++] = 0;
        v[n++] = ~(u128)0;
        v[n++] = (u128)1 << 127;
        v[n++] = ((u128)1 << 127) - 1;
        assert_true(n <= MAXV);
        check_digits(v, n, B, l);       /* mostly 8 at a time */
        check_digits(v + 3, 5, B, l);   /* the reference tail alone */
    }
    free(v);
}

/* ---- LWE / GLWE ---- */

/* phase by schoolbook: B - sum_i A_i S_i */
static void ref_phase(u128 *phase, const u128 *ct, const u128 *sk, unsigned k, size_t N)
{
    u128 *prod = malloc(N * sizeof *prod);
    assert_non_null(prod);
    memcpy(phase, ct + (size_t)k * N, N * sizeof *phase);
    for (unsigned i = 0; i < k; i++) {
        poly_u128_mul(prod, ct + (size_t)i * N, sk + (size_t)i * N, N);
        poly_u128_sub(phase, phase, prod, N);
    }
    free(prod);
}

static void check_glwe(unsigned k, size_t N, unsigned noise_log2)
{
    struct csprng secret;
    struct enc_rng rng;
    rngs(&secret, &rng, (uint8_t)(N + k));
    u128 *sk = malloc((size_t)k * N * sizeof *sk), *ct = malloc(glwe128_size(k, N) * 16);
    u128 *pt = malloc(N * 16), *ph = malloc(N * 16), *ph2 = malloc(N * 16);
    u128 *lwe = malloc(((size_t)k * N + 1) * 16);
    assert_true(sk && ct && pt && ph && ph2 && lwe);
    assert_int_equal(glwe128_sk_generate(sk, k, N, &secret), 0);
    struct glwe128_key *key;
    assert_int_equal(glwe128_key_new(&key, sk, k, N), 0);
    for (size_t j = 0; j < N; j++)
        pt[j] = rnd128();
    memcpy(ct + (size_t)k * N, pt, N * 16);
    assert_int_equal(glwe128_encrypt_assign(ct, key, noise_log2, &rng), 0);
    glwe128_phase(ph, ct, key);
    ref_phase(ph2, ct, sk, k, N);
    assert_memory_equal(ph, ph2, N * 16);
    __int128 bound = (__int128)1 << noise_log2;
    for (size_t j = 0; j < N; j++) {
        __int128 e = err_of(ph[j], pt[j]);
        assert_true(e >= -bound && e <= bound);
    }
    /* sample extraction: coefficient h under the key read as an LWE key */
    for (size_t h = 0; h < N; h += N / 4 + 1) {
        glwe128_sample_extract(lwe, ct, k, N, h);
        assert_true(lwe128_phase(lwe, sk, (size_t)k * N) == ph[h]);
    }
    glwe128_key_free(key);
    free(sk);
    free(ct);
    free(pt);
    free(ph);
    free(ph2);
    free(lwe);
    rngs_free(&secret, &rng);
}

static void test_glwe(void **state)
{
    (void)state;
    check_glwe(2, 256, 30); /* NTT products */
    check_glwe(1, 512, 0);
    check_glwe(3, 64, 12);
    check_glwe(2, 32, 30); /* below the NTT range: the loop */
    check_glwe(1, 8, 5);
}

static void test_lwe(void **state)
{
    (void)state;
    struct csprng secret;
    struct enc_rng rng;
    rngs(&secret, &rng, 77);
    enum { n = 300 };
    u128 sk[n], ct[n + 1];
    assert_int_equal(sample_binary_u128(&secret, sk, n), 0);
    for (int i = 0; i < 50; i++) {
        u128 pt = rnd128();
        assert_int_equal(lwe128_encrypt(ct, sk, n, pt, 30, &rng), 0);
        __int128 e = err_of(lwe128_phase(ct, sk, n), pt);
        assert_true(e >= -((__int128)1 << 30) && e <= ((__int128)1 << 30));
        /* the phase against a plain u128 sum */
        u128 dot = 0;
        for (int j = 0; j < n; j++)
            dot += ct[j] * sk[j];
        assert_true(lwe128_phase(ct, sk, n) == ct[n] - dot);
    }
    lwe128_trivial(ct, n, 12345);
    assert_true(lwe128_phase(ct, sk, n) == 12345);
    rngs_free(&secret, &rng);
}

/* ---- GGSW and keys ---- */

static void test_ggsw(void **state)
{
    (void)state;
    const unsigned k = 2, B = 24, l = 3;
    const size_t N = 128;
    struct csprng secret;
    struct enc_rng rng;
    rngs(&secret, &rng, 5);
    u128 *sk = malloc(k * N * 16), *g = malloc(ggsw128_size(k, N, l) * 16), *ph = malloc(N * 16);
    assert_true(sk && g && ph);
    assert_int_equal(glwe128_sk_generate(sk, k, N, &secret), 0);
    struct glwe128_key *key;
    assert_int_equal(glwe128_key_new(&key, sk, k, N), 0);
    for (u128 m = 0; m < 2; m++) {
        assert_int_equal(ggsw128_encrypt(g, key, B, l, m, 30, &rng), 0);
        for (unsigned t = 0; t < l; t++) {
            unsigned j = l - t;
            u128 w = (u128)1 << (128 - B * j);
            for (unsigned r = 0; r <= k; r++) {
                glwe128_phase(ph, g + (t * (k + 1) + r) * glwe128_size(k, N), key);
                for (size_t c = 0; c < N; c++) {
                    u128 want = r < k ? 0 - m * sk[r * N + c] * w : (c == 0 ? m * w : 0);
                    __int128 e = err_of(ph[c], want);
                    assert_true(e >= -((__int128)1 << 30) && e <= ((__int128)1 << 30));
                }
            }
        }
    }
    glwe128_key_free(key);
    free(sk);
    free(g);
    free(ph);
    rngs_free(&secret, &rng);
}

static void test_bsk_streaming(void **state)
{
    (void)state;
    struct bsk_shape s = {5, 2, 64, 24, 3};
    struct csprng secret;
    struct enc_rng r1, r2;
    rngs(&secret, &r1, 9);
    assert_int_equal(csprng_clone(&r2.mask, &r1.mask), 0);
    assert_int_equal(csprng_clone(&r2.noise, &r1.noise), 0);
    uint64_t lwe_sk[5] = {1, 0, 1, 1, 0};
    u128 *sk = malloc(2 * 64 * 16), *std = malloc(bsk128_words(&s) * 16);
    assert_true(sk && std);
    assert_int_equal(glwe128_sk_generate(sk, 2, 64, &secret), 0);
    struct glwe128_key *key;
    assert_int_equal(glwe128_key_new(&key, sk, 2, 64), 0);
    struct bsk128_ntt a, b;
    assert_int_equal(bsk128_generate(std, &s, lwe_sk, key, 30, &r1), 0);
    assert_int_equal(bsk128_ntt_from_std(&a, &s, std), 0);
    assert_int_equal(bsk128_ntt_generate(&b, &s, lwe_sk, key, 30, &r2), 0);
    assert_int_equal(a.ggsw_words, b.ggsw_words);
    assert_memory_equal(a.data, b.data, s.lwe_dimension * a.ggsw_words * 8);
    uint8_t x1[32], x2[32]; /* both read exactly the same bytes */
    assert_int_equal(csprng_fill(&r1.mask, x1, 16), 0);
    assert_int_equal(csprng_fill(&r1.noise, x1 + 16, 16), 0);
    assert_int_equal(csprng_fill(&r2.mask, x2, 16), 0);
    assert_int_equal(csprng_fill(&r2.noise, x2 + 16, 16), 0);
    assert_memory_equal(x1, x2, 32);
    /* mismatched key shape */
    struct bsk_shape bad = s;
    bad.glwe_dimension = 1;
    assert_int_equal(bsk128_generate(std, &bad, lwe_sk, key, 30, &r1), KMS_EINVAL);
    bad = s;
    bad.base_log = 50;
    assert_int_equal(bsk128_check_shape(&bad), KMS_EINVAL);
    bsk128_ntt_free(&a);
    bsk128_ntt_free(&b);
    bsk128_ntt_free(&b);
    glwe128_key_free(key);
    free(sk);
    free(std);
    csprng_free(&r2.mask);
    csprng_free(&r2.noise);
    rngs_free(&secret, &r1);
}

/* ---- blind rotation ---- */

static void ref_blind_rotate(const u128 *bsk, u128 *acc, const uint32_t *sw,
                             const struct bsk_shape *s)
{
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1, l = s->level;
    size_t gs = rows * N, per = l * rows * gs;
    u128 *tmp = malloc(N * 16), *diff = malloc(rows * N * 16), *dig = malloc(l * rows * N * 16);
    u128 *prod = malloc(N * 16);
    assert_true(tmp && diff && dig && prod);
    for (size_t r = 0; r < rows; r++) {
        poly_u128_mul_xk(tmp, acc + r * N, N, 2 * N - sw[s->lwe_dimension]);
        memcpy(acc + r * N, tmp, N * 16);
    }
    for (size_t i = 0; i < s->lwe_dimension; i++) {
        if (sw[i] == 0)
            continue;
        for (size_t r = 0; r < rows; r++) {
            poly_u128_mul_xk_minus_one(diff + r * N, acc + r * N, N, sw[i]);
            for (size_t j = 0; j < N; j++) {
                u128 st = decomp_init_u128(diff[r * N + j], s->base_log, s->level);
                for (size_t t = 0; t < l; t++)
                    dig[(t * rows + r) * N + j] = decomp_next_u128(&st, s->base_log);
            }
        }
        for (size_t c = 0; c < rows; c++)
            for (size_t tr = 0; tr < l * rows; tr++) {
                poly_u128_mul(prod, dig + tr * N, bsk + i * per + (tr * rows + c) * N, N);
                poly_u128_add(acc + c * N, acc + c * N, prod, N);
            }
    }
    free(tmp);
    free(diff);
    free(dig);
    free(prod);
}

static void check_rotation(const struct bsk_shape *s)
{
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    u128 *bsk = malloc(bsk128_words(s) * 16), *acc = malloc(rows * N * 16);
    u128 *want = malloc(rows * N * 16);
    uint32_t *sw = malloc((s->lwe_dimension + 1) * 4);
    assert_true(bsk && acc && want && sw);
    for (size_t i = 0; i < bsk128_words(s); i++)
        bsk[i] = rnd128();
    for (size_t i = 0; i < rows * N; i++)
        acc[i] = rnd128();
    for (size_t i = 0; i <= s->lwe_dimension; i++)
        sw[i] = (uint32_t)(rnd() % (2 * N));
    sw[1] = 0;                         /* skipped CMUX */
    sw[2] = (uint32_t)N;               /* X^N = -1 */
    sw[s->lwe_dimension] = (uint32_t)(2 * N - 1);
    memcpy(want, acc, rows * N * 16);
    ref_blind_rotate(bsk, want, sw, s);
    struct bsk128_ntt key;
    assert_int_equal(bsk128_ntt_from_std(&key, s, bsk), 0);
    struct pbs128_scratch *sc;
    assert_int_equal(pbs128_scratch_new(&sc, &key), 0);
    assert_int_equal(pbs128_blind_rotate(&key, acc, sw, sc), 0);
    assert_memory_equal(acc, want, rows * N * 16);
    /* a scratch made for another shape is refused */
    struct bsk_shape other = *s;
    other.lwe_dimension = 1;
    struct bsk128_ntt key2;
    assert_int_equal(bsk128_ntt_from_std(&key2, &other, bsk), 0);
    assert_int_equal(pbs128_blind_rotate(&key2, acc, sw, sc), KMS_EINVAL);
    bsk128_ntt_free(&key2);
    pbs128_scratch_free(sc);
    bsk128_ntt_free(&key);
    free(bsk);
    free(acc);
    free(want);
    free(sw);
}

static void test_blind_rotate(void **state)
{
    (void)state;
    const struct bsk_shape shapes[] = {
        {6, 2, 128, 24, 3}, /* the default SnS decomposition */
        {4, 1, 256, 33, 2}, /* the test SnS decomposition */
        {3, 1, 64, 10, 4},
        {3, 2, 64, 30, 1},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        check_rotation(&shapes[i]);
}

static void test_lut(void **state)
{
    (void)state;
    u128 table[16], body[2048], delta = (u128)1 << 123;
    for (int i = 0; i < 16; i++)
        table[i] = (u128)i;
    pbs128_lut(body, 2048, 16, table, delta);
    /* box 128: acc[0..64) = 0 * D, then D i for 128 coefficients each, and
     * the last 64 = -(0 * D) */
    for (size_t j = 0; j < 64; j++)
        assert_true(body[j] == 0);
    for (unsigned i = 1; i < 16; i++)
        for (size_t j = 64 + 128 * (i - 1); j < 64 + 128 * i; j++)
            assert_true(body[j] == (u128)i * delta);
    for (size_t j = 1984; j < 2048; j++)
        assert_true(body[j] == 0);
    for (int i = 0; i < 16; i++)
        table[i] = (u128)(i + 1);
    pbs128_lut(body, 256, 16, table, delta);
    for (size_t j = 248; j < 256; j++)
        assert_true(body[j] == 0 - delta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decompose),  cmocka_unit_test(test_lwe),
        cmocka_unit_test(test_glwe),       cmocka_unit_test(test_ggsw),
        cmocka_unit_test(test_bsk_streaming), cmocka_unit_test(test_blind_rotate),
        cmocka_unit_test(test_lut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

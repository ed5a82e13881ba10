/* Noise squashing end to end (sns.h), with 64-bit inputs made by the
 * shortint / radix modules:
 *   - key self-check: every GGSW row of the SnS bootstrapping key,
 *     regenerated from a clone of the generation streams, decrypts under
 *     the SnS key to -m S_r 2^(128 - B j) or m 2^(128 - B j) with noise
 *     within the TUniform bound, and packs to exactly the server key's NTT
 *     form; the drift switch's encryptions of zero decrypt to 0;
 *   - every block value 0..15 squashes and decrypts to itself;
 *   - FheUint / FheInt / FheBool of many widths (odd block counts too)
 *     squash in packed pairs and decrypt to the input, with the tfhe-rs
 *     recomposition (truncation, sign extension, Bool != 0);
 *   - the noise of every squashed LWE (phase - m Delta128, signed) is below
 *     2^70, the bound the threshold decryption's flooding assumes; the
 *     largest one is printed;
 *   - pack / noise / shape checks and bad arguments.
 * With the insecure "test" set everywhere; with the default set (1.52 GiB
 * key, about 5 s of key generation and 0.2 s per 128-bit bootstrap) only
 * outside the sanitizers, where a few values and every 32nd GGSW run here
 * and more values and every GGSW in test_sns_slow.c (this file with
 * SNS_TEST_SLOW).
 *
 * Expected noise, default set (n 918, k 2, N 2048, B 24, l 3, TUniform(30)
 * key noise; the bootstrap output carries only the blind rotation's
 * noise, the keyswitch and modulus-switch errors just select the table
 * box). Each CMUX adds, per coefficient of the decrypted accumulator:
 *   key noise      (k+1) l N E[d^2] Var(TU30) = 9 * 2048 * 2^48/12 *
 *                  (2^61+1)/6 = 2^117.0
 *   decomposition  for a key bit 1, the rounding of the rotated difference
 *                  to its top 72 bits (error uniform on +-2^55, variance
 *                  2^112/12) spread by the key: (1 + k N / 2) 2^112/12 =
 *                  2^119.4
 * With the products exact (no floating-point error) the sum over 918
 * CMUXes, half of them with a key bit 1, is 918 * 2^117.0 + 459 * 2^119.4
 * = 2^128.7: a standard deviation of 2^64.3, 2^5.7 (50 sigma) below 2^70.
 * Measured: about 2^64-2^65.5 at most over a few dozen LWEs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tfhe/glwe128.h"
#include "tfhe/lwe.h"
#include "tfhe/sns.h"

#if defined(__SANITIZE_ADDRESS__)
#define SNS_UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SNS_UNDER_SAN 1
#endif
#endif

#if !defined(SNS_UNDER_SAN)
#define RUN_DEFAULT 1
#else
#define RUN_DEFAULT 0
#endif

#if defined(SNS_TEST_SLOW)
#define DEFAULT_TRIALS 4
#else
#define DEFAULT_TRIALS 1
#endif

static uint64_t xs = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return xs;
}

struct keyset {
    const struct tfhe_params *params;
    struct csprng secret;
    struct enc_rng rng, rng_copy; /* the copy replays the server-key streams */
    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    struct sns_private_key *pk;
    struct sns_server_key *ssk;
    struct sns_scratch *sc;
    double max_noise_log2;
};

static struct keyset tst, def;

static void keyset_new(struct keyset *ks, const char *name, uint8_t tag)
{
    memset(ks, 0, sizeof *ks);
    uint8_t s1[16] = {tag, 1}, s2[16] = {tag, 2}, s3[16] = {tag, 3};
    assert_int_equal(tfhe_params_get(&ks->params, name, 1), 0);
    assert_int_equal(csprng_init_seed(&ks->secret, s1), 0);
    assert_int_equal(csprng_init_seed(&ks->rng.mask, s2), 0);
    assert_int_equal(csprng_init_seed(&ks->rng.noise, s3), 0);
    assert_int_equal(shortint_client_key_new(&ks->ck, ks->params, &ks->secret), 0);
    assert_int_equal(shortint_server_key_new(&ks->sk, ks->ck, &ks->rng), 0);
    assert_int_equal(sns_private_key_new(&ks->pk, ks->params, &ks->secret), 0);
    assert_int_equal(csprng_clone(&ks->rng_copy.mask, &ks->rng.mask), 0);
    assert_int_equal(csprng_clone(&ks->rng_copy.noise, &ks->rng.noise), 0);
    assert_int_equal(sns_server_key_new(&ks->ssk, ks->ck, ks->pk, &ks->rng), 0);
    assert_int_equal(sns_scratch_new(&ks->sc, ks->ssk), 0);
    ks->max_noise_log2 = -1;
}

static void keyset_free(struct keyset *ks)
{
    if (ks->params == NULL)
        return;
    if (ks->max_noise_log2 >= 0)
        print_message("  [%s] largest squashed noise: 2^%.2f\n", ks->params->name,
                      ks->max_noise_log2);
    sns_scratch_free(ks->sc);
    sns_server_key_free(ks->ssk);
    sns_private_key_free(ks->pk);
    shortint_server_key_free(ks->sk);
    shortint_client_key_free(ks->ck);
    csprng_free(&ks->secret);
    csprng_free(&ks->rng.mask);
    csprng_free(&ks->rng.noise);
    csprng_free(&ks->rng_copy.mask);
    csprng_free(&ks->rng_copy.noise);
    memset(ks, 0, sizeof *ks);
}

static int setup(void **state)
{
    (void)state;
    keyset_new(&tst, "test", 21);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    keyset_free(&tst);
    keyset_free(&def);
    return 0;
}

#if RUN_DEFAULT
static struct keyset *default_keyset(void)
{
    if (def.params == NULL)
        keyset_new(&def, "default", 22);
    return &def;
}
#endif

/* ---- noise ---- */

/* phase - m Delta128 must stay below 2^70 in magnitude */
static void check_noise(struct keyset *ks, const struct sns_ct *ct, uint64_t m)
{
    u128 phase;
    assert_int_equal(sns_phase(ks->pk, &phase, ct), 0);
    __int128 e = (__int128)(phase - (u128)m * sns_delta(ct->message_modulus, ct->carry_modulus));
    double mag = e < 0 ? -(double)e : (double)e;
    double lg = mag > 0 ? log2(mag) : 0;
    if (lg > ks->max_noise_log2)
        ks->max_noise_log2 = lg;
    if (lg >= 70)
        fail_msg("squashed noise 2^%.2f is not below 2^70", lg);
}

/* ---- the key ---- */

/* Verifies GGSW i when i % stride == 0 (and the last one); the others are
 * only skipped over in the replayed streams. */
static void check_bsk(struct keyset *ks, size_t stride)
{
    const struct tfhe_params *p = ks->params;
    struct bsk_shape s = sns_bsk_shape(p);
    unsigned k = s.glwe_dimension, rows = k + 1, l = s.level, B = s.base_log;
    size_t N = s.polynomial_size;
    unsigned noise_log2 = p->sns.glwe_noise_log2;
    u128 *ggsw = malloc(ggsw128_size(k, N, l) * sizeof *ggsw), *ph = malloc(N * sizeof *ph);
    uint64_t *packed = ntt128_buf_alloc(ks->ssk->bsk.ggsw_words);
    uint64_t *work = ntt128_buf_alloc(ntt128_big_words(ks->ssk->bsk.plan));
    assert_true(ggsw && ph && packed && work);
    const u128 *S = ks->pk->glwe_sk;
    __int128 bound = (__int128)1 << noise_log2, worst = 0;
    size_t verified = 0;
    for (size_t i = 0; i < s.lwe_dimension; i++) {
        struct enc_rng g;
        assert_int_equal(enc_rng_fork(&ks->rng_copy, &g, 1, ggsw128_mask_bytes(k, N, l),
                                      ggsw128_noise_bytes(k, N, l, noise_log2)),
                         0);
        if (i % stride != 0 && i + 1 != s.lwe_dimension)
            continue;
        verified++;
        u128 m = ks->ck->lwe_sk[i] & 1;
        assert_int_equal(ggsw128_encrypt(ggsw, ks->pk->key, B, l, m, noise_log2, &g), 0);
        for (unsigned t = 0; t < l; t++) {
            u128 w = (u128)1 << (128 - B * (l - t));
            for (unsigned r = 0; r < rows; r++) {
                glwe128_phase(ph, ggsw + (t * rows + r) * glwe128_size(k, N), ks->pk->key);
                for (size_t c = 0; c < N; c++) {
                    u128 want = r < k ? 0 - m * S[r * N + c] * w : (c == 0 ? m * w : 0);
                    __int128 e = (__int128)(ph[c] - want);
                    e = e < 0 ? -e : e;
                    worst = e > worst ? e : worst;
                    if (e > bound)
                        fail_msg("GGSW %zu level %u row %u coefficient %zu: noise beyond 2^%u", i,
                                 t, r, c, noise_log2);
                }
            }
        }
        assert_int_equal(ntt128_ggsw_pack(ks->ssk->bsk.plan, packed, ggsw, l * rows, rows, work),
                         0);
        assert_memory_equal(packed, bsk128_ntt_ggsw(&ks->ssk->bsk, i),
                            ks->ssk->bsk.ggsw_words * 8);
    }
    print_message("  [%s] SnS BSK: %zu of %zu GGSWs verified, largest row noise 2^%.2f "
                  "(bound 2^%u)\n", p->name, verified, s.lwe_dimension,
                  worst > 0 ? log2((double)worst) : 0.0, noise_log2);
    /* the drift switch's encryptions of zero follow the BSK in the stream */
    if (p->sns.ms.kind == TFHE_MS_DRIFT) {
        size_t n = p->pbs.lwe_dimension;
        uint64_t *z = malloc(lwe_size(n) * 8);
        assert_non_null(z);
        for (uint32_t j = 0; j < p->sns.ms.zeros_count; j++) {
            struct enc_rng one;
            assert_int_equal(enc_rng_fork(&ks->rng_copy, &one, 1, (u128)n * 8,
                                          enc_rng_noise_bytes(1, p->pbs.lwe_noise_log2)),
                             0);
            assert_int_equal(lwe_encrypt(z, ks->ck->lwe_sk, n, 0, p->pbs.lwe_noise_log2, &one), 0);
            assert_memory_equal(z, ks->ssk->ms_zeros + j * lwe_size(n), lwe_size(n) * 8);
            int64_t e = (int64_t)lwe_phase(z, ks->ck->lwe_sk, n);
            assert_true(e >= -(1ll << p->pbs.lwe_noise_log2) && e <= (1ll << p->pbs.lwe_noise_log2));
        }
        free(z);
    }
    free(ggsw);
    free(ph);
    ntt128_buf_free(packed);
    ntt128_buf_free(work);
}

static void test_bsk_test_set(void **state)
{
    (void)state;
    check_bsk(&tst, 1);
}

static void test_bsk_default(void **state)
{
    (void)state;
#if RUN_DEFAULT
#if defined(SNS_TEST_SLOW)
    check_bsk(default_keyset(), 1);
#else
    check_bsk(default_keyset(), 32);
#endif
#else
    print_message("  default-set key check skipped under the sanitizers\n");
#endif
}

/* ---- blocks ---- */

static void check_all_block_values(struct keyset *ks, int step)
{
    struct shortint_ct ct;
    struct sns_radix *out;
    assert_int_equal(shortint_ct_init(&ct, ks->params), 0);
    assert_int_equal(sns_radix_new(&out, ks->params, RADIX_BOOL), 0);
    for (uint64_t m = 0; m < 16; m += (uint64_t)step) {
        assert_int_equal(shortint_encrypt_unchecked(ks->ck, &ct, m, &ks->rng), 0);
        assert_int_equal(sns_squash_block(ks->ssk, ks->sk, ks->sc, &out->blocks[0], &ct), 0);
        uint64_t v;
        assert_int_equal(sns_decrypt_block(ks->pk, &v, &out->blocks[0]), 0);
        assert_int_equal(v, m);
        assert_int_equal(out->blocks[0].degree, 15);
        check_noise(ks, &out->blocks[0], m);
    }
    shortint_ct_clear(&ct);
    sns_radix_free(out);
}

static void test_block_values(void **state)
{
    (void)state;
    check_all_block_values(&tst, 1);
#if RUN_DEFAULT
    check_all_block_values(default_keyset(), DEFAULT_TRIALS > 1 ? 1 : 5);
#endif
}

/* ---- radix ---- */

/* random value of the type as little-endian bytes, top bits normalized as
 * radix.h wants them */
static void random_value(uint8_t *le, const struct radix_type *t, int kind)
{
    size_t len = radix_type_bytes(t);
    for (size_t i = 0; i < len; i++)
        le[i] = (uint8_t)rnd();
    if (kind == 1) /* all ones: the maximum, or -1 */
        memset(le, 0xff, len);
    if (kind == 2) /* zero */
        memset(le, 0, len);
    if (kind == 3) { /* the minimum of a signed type / 100..0 */
        memset(le, 0, len);
        le[(t->bits - 1) / 8] = (uint8_t)(1u << ((t->bits - 1) % 8));
    }
    if (t->is_bool) {
        le[0] &= 1;
        return;
    }
    unsigned used = t->bits % 8;
    if (used != 0) {
        uint8_t low = (uint8_t)((1u << used) - 1), top = le[len - 1] & low;
        if (t->is_signed && (top >> (used - 1)) & 1)
            top |= (uint8_t)~low;
        le[len - 1] = top;
    }
}

static unsigned block_of(const uint8_t *le, size_t i)
{
    return (le[(2 * i) / 8] >> ((2 * i) % 8)) & 3;
}

static void check_radix(struct keyset *ks, int32_t id, int kind)
{
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, id), 0);
    struct radix_ct *ct;
    struct sns_radix *sq;
    assert_int_equal(radix_ct_new(&ct, ks->params, id), 0);
    assert_int_equal(sns_radix_new(&sq, ks->params, id), 0);
    uint8_t le[RADIX_MAX_BYTES], got[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(t);
    random_value(le, t, kind);
    assert_int_equal(radix_encrypt(ks->ck, ct, le, len, &ks->rng), 0);
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, sq, ct), 0);
    assert_int_equal(sq->count, t->is_bool ? 1 : (t->blocks + 1u) / 2);
    assert_int_equal(sq->original_block_count, t->blocks);
    assert_int_equal(sq->state, SNS_STATE_NORMAL);
    assert_int_equal(sns_decrypt_radix(ks->pk, got, len, sq), 0);
    if (memcmp(got, le, len) != 0)
        fail_msg("[%s] %s kind %d: squashed value decrypts differently", ks->params->name,
                 t->name, kind);
    for (size_t j = 0; j < sq->count; j++) {
        uint64_t m = block_of(le, 2 * j);
        if (!t->is_bool && 2 * j + 1 < t->blocks)
            m += 4 * block_of(le, 2 * j + 1);
        if (t->is_bool)
            m = le[0] & 1;
        check_noise(ks, &sq->blocks[j], m);
        /* fresh blocks: degree 3 each, 3 + 4 * 3 packed; FheBool 1 */
        assert_int_equal(sq->blocks[j].degree,
                         t->is_bool ? 1 : (2 * j + 1 < t->blocks ? 15 : 3));
    }
    radix_ct_free(ct);
    sns_radix_free(sq);
}

static void test_radix_test_set(void **state)
{
    (void)state;
    static const int32_t ids[] = {RADIX_BOOL,  12 /* Uint2 */, RADIX_UINT4, 13 /* Uint6 */,
                                  RADIX_UINT8, RADIX_UINT16,  RADIX_UINT32, RADIX_UINT64,
                                  RADIX_UINT128, RADIX_UINT160, 17 /* Int2 */, 19 /* Int6 */,
                                  RADIX_INT8, RADIX_INT16, RADIX_INT64, RADIX_INT128};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        for (int kind = 0; kind < 5; kind++)
            check_radix(&tst, ids[i], kind);
    for (int i = 0; i < 10; i++)
        check_radix(&tst, RADIX_BOOL, 0);
    check_radix(&tst, RADIX_UINT2048, 0);
}

static void test_radix_default(void **state)
{
    (void)state;
#if RUN_DEFAULT
    struct keyset *ks = default_keyset();
    for (int i = 0; i < DEFAULT_TRIALS; i++)
        check_radix(ks, RADIX_UINT64, 0);
    check_radix(ks, RADIX_BOOL, 1);
    check_radix(ks, RADIX_BOOL, 2);
    check_radix(ks, RADIX_INT8, 3);
    check_radix(ks, 13 /* Uint6: 3 blocks, the last alone */, 1);
#if defined(SNS_TEST_SLOW)
    check_radix(ks, RADIX_UINT64, 1);
    check_radix(ks, RADIX_INT64, 0);
    check_radix(ks, RADIX_INT64, 3);
    check_radix(ks, RADIX_UINT128, 0);
    check_radix(ks, RADIX_UINT16, 0);
    check_radix(ks, 19 /* Int6 */, 1);
#endif
#else
    print_message("  default-set squashing skipped under the sanitizers\n");
#endif
}

/* ---- checks ---- */

static void test_checks(void **state)
{
    (void)state;
    struct keyset *ks = &tst;
    struct radix_ct *ct, *sct;
    struct sns_radix *sq, *ssq;
    assert_int_equal(radix_ct_new(&ct, ks->params, RADIX_UINT4), 0);
    assert_int_equal(radix_ct_new(&sct, ks->params, RADIX_INT4), 0);
    assert_int_equal(sns_radix_new(&sq, ks->params, RADIX_UINT4), 0);
    assert_int_equal(sns_radix_new(&ssq, ks->params, RADIX_INT4), 0);
    assert_int_equal(radix_encrypt_u64(ks->ck, ct, 9, &ks->rng), 0);
    assert_int_equal(radix_encrypt_i64(ks->ck, sct, -7, &ks->rng), 0);

    /* a carry in the high block: FheUint refuses to pack, FheInt packs */
    assert_int_equal(shortint_scalar_add(ks->sk, &ct->blocks[1], 2), 0); /* degree 5 */
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, sq, ct), KMS_EINVAL);
    assert_int_equal(shortint_scalar_add(ks->sk, &sct->blocks[1], 2), 0);
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, ssq, sct), 0);
    assert_int_equal(ssq->blocks[0].degree, 5 * 4 + 3);

    /* packed noise level high * 4 + low above max_noise_level */
    assert_int_equal(radix_encrypt_u64(ks->ck, ct, 9, &ks->rng), 0);
    ct->blocks[1].noise_level = 2;
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, sq, ct), KMS_ELIMIT);
    sct->blocks[1].noise_level = 2;
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, ssq, sct), KMS_ELIMIT);
    ct->blocks[1].noise_level = 1;
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, sq, ct), 0);

    /* one block: its own noise level */
    ct->blocks[0].noise_level = ks->params->pbs.max_noise_level + 1;
    assert_int_equal(sns_squash_block(ks->ssk, ks->sk, ks->sc, &sq->blocks[0], &ct->blocks[0]),
                     KMS_ELIMIT);

    /* shapes and types */
    assert_int_equal(sns_squash_radix(ks->ssk, ks->sk, ks->sc, ssq, ct), KMS_EINVAL);
    uint8_t buf[2];
    assert_int_equal(sns_decrypt_radix(ks->pk, buf, 2, sq), KMS_EINVAL);
    struct sns_ct bad = sq->blocks[0];
    bad.dimension--;
    uint64_t v;
    assert_int_equal(sns_decrypt_block(ks->pk, &v, &bad), KMS_EINVAL);
    assert_int_equal(sns_squash_block(ks->ssk, ks->sk, ks->sc, &bad, &ct->blocks[1]), KMS_EINVAL);
    bad = sq->blocks[0];
    bad.carry_modulus = 2;
    assert_int_equal(sns_decrypt_block(ks->pk, &v, &bad), KMS_EINVAL);

    /* sets without noise squashing, and keys of different sets */
    const struct tfhe_params *m22;
    assert_int_equal(tfhe_params_get(&m22, "message_2_carry_2", 0), 0);
    struct sns_private_key *pk;
    assert_int_equal(sns_private_key_new(&pk, m22, &ks->secret), KMS_EINVAL);
    assert_null(pk);
    struct sns_server_key *ssk;
    struct shortint_client_key *ck2;
    assert_int_equal(shortint_client_key_new(&ck2, m22, &ks->secret), 0);
    assert_int_equal(sns_server_key_new(&ssk, ck2, ks->pk, &ks->rng), KMS_EINVAL);
    assert_null(ssk);
    shortint_client_key_free(ck2);
    u128 bits[3] = {0};
    assert_int_equal(sns_private_key_from_bits(&pk, ks->params, bits, 3), KMS_EINVAL);

    /* tags */
    assert_int_equal(sns_radix_set_tag(sq, (const uint8_t *)"key-id", 6), 0);
    assert_int_equal(sq->tag_len, 6);
    assert_memory_equal(sq->tag, "key-id", 6);
    assert_int_equal(sns_radix_set_tag(sq, NULL, 0), 0);
    assert_null(sq->tag);

    radix_ct_free(ct);
    radix_ct_free(sct);
    sns_radix_free(sq);
    sns_radix_free(ssq);
}

/* decode: round(phase / 2^123) mod 32, the padding bit included */
static void test_decode(void **state)
{
    (void)state;
    u128 d = sns_delta(4, 4);
    assert_true(d == (u128)1 << 123);
    assert_true(sns_decode(0, 4, 4) == 0);
    assert_true(sns_decode(0 - (u128)1, 4, 4) == 0); /* small negative noise */
    assert_true(sns_decode(d / 2 - 1, 4, 4) == 0);
    assert_true(sns_decode(d / 2, 4, 4) == 1);
    assert_true(sns_decode(15 * d + d / 2 - 1, 4, 4) == 15);
    assert_true(sns_decode(16 * d, 4, 4) == 16); /* padding bit */
    assert_true(sns_decode(31 * d + d / 2, 4, 4) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),         cmocka_unit_test(test_bsk_test_set),
        cmocka_unit_test(test_block_values),   cmocka_unit_test(test_radix_test_set),
        cmocka_unit_test(test_checks),         cmocka_unit_test(test_bsk_default),
        cmocka_unit_test(test_radix_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

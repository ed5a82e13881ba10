/* Radix integers: the FheTypes table (ids from tfhe-rs 1.7
 * high_level_api/mod.rs), encryption / decryption round trips for every
 * integer type with the default set, the block layout (block i = bits
 * [2i, 2i+2), read back block by block), BlockRecomposer semantics (carries
 * and the padding bit added in, truncation to N bits, sign extension), the
 * 64-bit conveniences, bad input, and carry-propagating addition: many
 * random additions with the cheap "test" set, and with the default set
 * FheUint8 (including 0xff + 1), FheUint16, FheInt8 and FheUint64
 * (2^64 - 1 + 1: the carry runs through all 32 blocks), about 100 PBS.
 * Under the sanitizers the default-set additions are left to
 * test_radix_slow.c (this file with RADIX_TEST_SLOW), which adds more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_util.h"
#include "tfhe/radix.h"

#if defined(__SANITIZE_ADDRESS__)
#define RADIX_UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RADIX_UNDER_SAN 1
#endif
#endif

#if defined(RADIX_TEST_SLOW) || !defined(RADIX_UNDER_SAN)
#define RUN_DEFAULT_ADD 1
#else
#define RUN_DEFAULT_ADD 0
#endif

static uint64_t xs = 0x6a09e667f3bcc909ull;
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
    struct enc_rng rng;
    struct shortint_client_key *ck;
    struct shortint_server_key *sk;
    struct shortint_scratch *sc;
};

static void keyset_new(struct keyset *ks, const char *name, uint8_t tag, int with_server)
{
    memset(ks, 0, sizeof *ks);
    uint8_t s1[16] = {tag, 1}, s2[16] = {tag, 2}, s3[16] = {tag, 3};
    assert_int_equal(tfhe_params_get(&ks->params, name, 1), 0);
    assert_int_equal(csprng_init_seed(&ks->secret, s1), 0);
    assert_int_equal(csprng_init_seed(&ks->rng.mask, s2), 0);
    assert_int_equal(csprng_init_seed(&ks->rng.noise, s3), 0);
    assert_int_equal(shortint_client_key_new(&ks->ck, ks->params, &ks->secret), 0);
    if (!with_server)
        return;
    assert_int_equal(shortint_server_key_new(&ks->sk, ks->ck, &ks->rng), 0);
    assert_int_equal(shortint_scratch_new(&ks->sc, ks->sk), 0);
}

static void keyset_free(struct keyset *ks)
{
    shortint_scratch_free(ks->sc);
    shortint_server_key_free(ks->sk);
    shortint_client_key_free(ks->ck);
    csprng_free(&ks->secret);
    csprng_free(&ks->rng.mask);
    csprng_free(&ks->rng.noise);
}

/* the default set: client key always, server key when its additions run */
static struct keyset def, tst;

static int setup(void **state)
{
    (void)state;
    keyset_new(&def, "default", 11, RUN_DEFAULT_ADD);
    keyset_new(&tst, "test", 12, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    keyset_free(&def);
    keyset_free(&tst);
    return 0;
}

static struct radix_ct *new_ct(const struct keyset *ks, int32_t id)
{
    struct radix_ct *ct = NULL;
    assert_int_equal(radix_ct_new(&ct, ks->params, id), 0);
    assert_non_null(ct);
    return ct;
}

/* ---- types ---- */

static void check_type(int32_t id, const char *name, unsigned bits, int is_signed)
{
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, id), 0);
    assert_string_equal(t->name, name);
    assert_int_equal(t->bits, bits);
    assert_int_equal(t->is_signed, is_signed);
    assert_int_equal(t->blocks, bits == 1 ? 1 : bits / 2);
}

static void test_types(void **state)
{
    (void)state;
    /* tfhe-rs 1.7 FheTypes (high_level_api/mod.rs) */
    check_type(0, "Bool", 1, 0);
    check_type(1, "Uint4", 4, 0);
    check_type(2, "Uint8", 8, 0);
    check_type(3, "Uint16", 16, 0);
    check_type(4, "Uint32", 32, 0);
    check_type(5, "Uint64", 64, 0);
    check_type(6, "Uint128", 128, 0);
    check_type(7, "Uint160", 160, 0);
    check_type(8, "Uint256", 256, 0);
    check_type(9, "Uint512", 512, 0);
    check_type(10, "Uint1024", 1024, 0);
    check_type(11, "Uint2048", 2048, 0);
    check_type(12, "Uint2", 2, 0);
    check_type(16, "Uint14", 14, 0);
    check_type(17, "Int2", 2, 1);
    check_type(18, "Int4", 4, 1);
    check_type(20, "Int8", 8, 1);
    check_type(24, "Int16", 16, 1);
    check_type(25, "Int32", 32, 1);
    check_type(26, "Int64", 64, 1);
    check_type(27, "Int128", 128, 1);
    check_type(28, "Int160", 160, 1);
    check_type(29, "Int256", 256, 1);
    check_type(31, "Int512", 512, 1);
    check_type(32, "Int1024", 1024, 1);
    check_type(33, "Int2048", 2048, 1);
    check_type(34, "Uint24", 24, 0);
    check_type(39, "Uint80", 80, 0);
    check_type(58, "Uint248", 248, 0);
    check_type(59, "Int24", 24, 1);
    check_type(64, "Int80", 80, 1);
    check_type(83, "Int248", 248, 1);
    const struct radix_type *t = (void *)1;
    int32_t bad[] = {30, 84, -1, 1000, INT32_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(radix_type_lookup(&t, bad[i]), KMS_EINVAL);
        assert_null(t);
        assert_non_null(strstr(kms_err_msg(), "FheTypes id"));
    }
    /* every id 0..83 but 30 is a type */
    for (int32_t id = 0; id <= 83; id++)
        assert_int_equal(radix_type_lookup(&t, id), id == 30 ? KMS_EINVAL : 0);
}

/* ---- round trips ---- */

/* A random value of the type, or a pattern: 0 zero, 1 all ones (unsigned
 * max, signed -1), 2 max, 3 min (signed: 100..0), 4 random. */
static void make_value(uint8_t *v, const struct radix_type *t, int kind)
{
    size_t len = radix_type_bytes(t);
    for (size_t i = 0; i < len; i++)
        v[i] = kind == 0 ? 0 : kind == 4 ? (uint8_t)rnd() : 0xff;
    if (t->is_bool) {
        v[0] = kind == 0 ? 0 : kind == 4 ? (uint8_t)(rnd() & 1) : 1;
        return;
    }
    unsigned used = t->bits % 8 ? t->bits % 8 : 8;
    uint8_t low = (uint8_t)((1u << used) - 1), sign = (uint8_t)(1u << (used - 1));
    uint8_t *top = &v[len - 1];
    if (t->is_signed && kind == 2) /* 011..1 */
        *top = low & (uint8_t)~sign;
    if (t->is_signed && kind == 3) { /* 100..0 */
        memset(v, 0, len);
        *top = sign;
    }
    *top &= low;
    if (t->is_signed && (*top & sign))
        *top |= (uint8_t)~low;
}

static void check_block_layout(const struct radix_ct *ct, const uint8_t *v)
{
    for (size_t i = 0; i < ct->nblocks; i++) {
        uint64_t got;
        assert_int_equal(shortint_decrypt(def.ck, &got, &ct->blocks[i]), 0);
        size_t bit = 2 * i;
        assert_int_equal(got, (v[bit / 8] >> (bit % 8)) & 3);
        assert_int_equal(ct->blocks[i].degree, ct->type->is_bool ? 1 : 3);
        assert_int_equal(ct->blocks[i].noise_level, 1);
    }
}

static void test_round_trip_all_types(void **state)
{
    (void)state;
    uint8_t v[RADIX_MAX_BYTES], out[RADIX_MAX_BYTES];
    for (int32_t id = 0; id <= 83; id++) {
        const struct radix_type *t;
        if (radix_type_lookup(&t, id) < 0)
            continue;
        struct radix_ct *ct = new_ct(&def, id);
        assert_int_equal(ct->nblocks, t->blocks);
        size_t len = radix_type_bytes(t);
        for (int kind = 0; kind < 6; kind++) {
            make_value(v, t, kind > 4 ? 4 : kind);
            assert_int_equal(radix_encrypt(def.ck, ct, v, len, &def.rng), 0);
            memset(out, 0xa5, sizeof out);
            assert_int_equal(radix_decrypt(def.ck, out, len, ct), 0);
            if (memcmp(out, v, len) != 0)
                fail_msg("%s round trip failed (pattern %d)", t->name, kind);
            if (kind == 4)
                check_block_layout(ct, v);
        }
        radix_ct_free(ct);
    }
}

/* ---- recomposition ---- */

/* Sets block values directly (carries included), as after unchecked ops. */
static void set_blocks(struct radix_ct *ct, const uint64_t *vals)
{
    for (size_t i = 0; i < ct->nblocks; i++)
        assert_int_equal(shortint_encrypt_unchecked(def.ck, &ct->blocks[i], vals[i], &def.rng), 0);
}

static void test_recompose(void **state)
{
    (void)state;
    uint8_t out[16];
    int64_t i64;
    struct radix_ct *u8 = new_ct(&def, RADIX_UINT8), *i8 = new_ct(&def, RADIX_INT8);
    struct radix_ct *u4 = new_ct(&def, RADIX_UINT4), *s4 = new_ct(&def, RADIX_INT4);
    struct radix_ct *x128 = new_ct(&def, RADIX_UINT128);
    /* carries are added in at bit 2i, then the sum is cut to N bits */
    set_blocks(u8, (const uint64_t[]){5, 0, 0, 0});
    assert_int_equal(radix_decrypt(def.ck, out, 1, u8), 0);
    assert_int_equal(out[0], 5);
    set_blocks(u8, (const uint64_t[]){3, 3, 3, 7}); /* 63 + 7 * 64 = 511 */
    assert_int_equal(radix_decrypt(def.ck, out, 1, u8), 0);
    assert_int_equal(out[0], 511 & 0xff);
    set_blocks(u8, (const uint64_t[]){15, 15, 15, 15}); /* 15 * 85 = 1275 */
    assert_int_equal(radix_decrypt(def.ck, out, 1, u8), 0);
    assert_int_equal(out[0], 1275 & 0xff);
    /* the padding bit is part of a block's value (decrypt_message_and_carry
     * is mod 2p = 32): a phase of 20 Delta adds 20 */
    set_blocks(u8, (const uint64_t[]){4, 0, 0, 0});
    u8->blocks[0].data[u8->blocks[0].dimension] += 16 * shortint_delta(&u8->blocks[0]);
    assert_int_equal(radix_decrypt(def.ck, out, 1, u8), 0);
    assert_int_equal(out[0], 20);
    set_blocks(u4, (const uint64_t[]){0, 7}); /* 28 mod 16 */
    assert_int_equal(radix_decrypt(def.ck, out, 1, u4), 0);
    assert_int_equal(out[0], 12);
    /* signed: sign extension from bit N - 1 */
    set_blocks(i8, (const uint64_t[]){0, 0, 0, 2}); /* 128 -> -128 */
    assert_int_equal(radix_decrypt_i64(def.ck, &i64, i8), 0);
    assert_int_equal(i64, -128);
    set_blocks(s4, (const uint64_t[]){3, 2}); /* 0b1011 = -5 */
    assert_int_equal(radix_decrypt(def.ck, out, 1, s4), 0);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(radix_decrypt_i64(def.ck, &i64, s4), 0);
    assert_int_equal(i64, -5);
    /* a carry across the 64-bit word boundary, and out of the top */
    uint64_t vals[64];
    for (int i = 0; i < 64; i++)
        vals[i] = 3;
    vals[31] = 7; /* (2^128 - 1) + 2^64 mod 2^128 = 2^64 - 1 */
    set_blocks(x128, vals);
    assert_int_equal(radix_decrypt(def.ck, out, 16, x128), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[i], i < 8 ? 0xff : 0);
    radix_ct_free(u8);
    radix_ct_free(i8);
    radix_ct_free(u4);
    radix_ct_free(s4);
    radix_ct_free(x128);
}

/* ---- 64-bit conveniences and booleans ---- */

static void test_u64_i64(void **state)
{
    (void)state;
    uint64_t u;
    int64_t s;
    struct radix_ct *u8 = new_ct(&def, RADIX_UINT8), *i8 = new_ct(&def, RADIX_INT8);
    struct radix_ct *u64 = new_ct(&def, RADIX_UINT64), *i4 = new_ct(&def, RADIX_INT4);
    struct radix_ct *x128 = new_ct(&def, RADIX_UINT128), *i128 = new_ct(&def, RADIX_INT128);
    assert_int_equal(radix_encrypt_u64(def.ck, u8, 200, &def.rng), 0);
    assert_int_equal(radix_decrypt_u64(def.ck, &u, u8), 0);
    assert_int_equal(u, 200);
    assert_int_equal(radix_encrypt_u64(def.ck, u8, 256, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_i64(def.ck, u8, -1, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_i64(def.ck, i8, -128, &def.rng), 0);
    assert_int_equal(radix_decrypt_i64(def.ck, &s, i8), 0);
    assert_int_equal(s, -128);
    assert_int_equal(radix_decrypt_u64(def.ck, &u, i8), KMS_ELIMIT); /* negative */
    assert_int_equal(radix_encrypt_i64(def.ck, i8, 128, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_u64(def.ck, i8, 128, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_i64(def.ck, i4, -8, &def.rng), 0);
    assert_int_equal(radix_decrypt_i64(def.ck, &s, i4), 0);
    assert_int_equal(s, -8);
    assert_int_equal(radix_encrypt_i64(def.ck, i4, 8, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_u64(def.ck, u64, UINT64_MAX, &def.rng), 0);
    assert_int_equal(radix_decrypt_u64(def.ck, &u, u64), 0);
    assert_int_equal(u, UINT64_MAX);
    assert_int_equal(radix_decrypt_i64(def.ck, &s, u64), KMS_ELIMIT); /* 2^64 - 1 */
    assert_int_equal(radix_encrypt_u64(def.ck, x128, UINT64_MAX, &def.rng), 0);
    assert_int_equal(radix_decrypt_u64(def.ck, &u, x128), 0);
    assert_int_equal(u, UINT64_MAX);
    uint8_t big[16] = {0};
    big[8] = 1; /* 2^64 */
    assert_int_equal(radix_encrypt(def.ck, x128, big, 16, &def.rng), 0);
    assert_int_equal(radix_decrypt_u64(def.ck, &u, x128), KMS_ELIMIT);
    assert_int_equal(u, 0);
    assert_int_equal(radix_encrypt_i64(def.ck, i128, INT64_MIN, &def.rng), 0);
    assert_int_equal(radix_decrypt_i64(def.ck, &s, i128), 0);
    assert_int_equal(s, INT64_MIN);
    assert_int_equal(radix_encrypt_i64(def.ck, i128, -5, &def.rng), 0);
    uint8_t out[16];
    assert_int_equal(radix_decrypt(def.ck, out, 16, i128), 0);
    assert_int_equal(out[0], 0xfb);
    for (int i = 1; i < 16; i++)
        assert_int_equal(out[i], 0xff);
    big[15] = 0x80; /* -2^127 + 2^64 */
    assert_int_equal(radix_encrypt(def.ck, i128, big, 16, &def.rng), 0);
    assert_int_equal(radix_decrypt_i64(def.ck, &s, i128), KMS_ELIMIT);
    radix_ct_free(u8);
    radix_ct_free(i8);
    radix_ct_free(u64);
    radix_ct_free(i4);
    radix_ct_free(x128);
    radix_ct_free(i128);
}

static void test_bool(void **state)
{
    (void)state;
    struct radix_ct *b = new_ct(&def, RADIX_BOOL);
    uint8_t v, out;
    for (v = 0; v <= 1; v++) {
        assert_int_equal(radix_encrypt(def.ck, b, &v, 1, &def.rng), 0);
        assert_int_equal(b->nblocks, 1);
        assert_int_equal(b->blocks[0].degree, 1);
        assert_int_equal(radix_decrypt(def.ck, &out, 1, b), 0);
        assert_int_equal(out, v);
    }
    /* decrypt_bool is (block mod 4) != 0 */
    assert_int_equal(shortint_encrypt_unchecked(def.ck, &b->blocks[0], 6, &def.rng), 0);
    assert_int_equal(radix_decrypt(def.ck, &out, 1, b), 0);
    assert_int_equal(out, 1);
    assert_int_equal(shortint_encrypt_unchecked(def.ck, &b->blocks[0], 8, &def.rng), 0);
    assert_int_equal(radix_decrypt(def.ck, &out, 1, b), 0);
    assert_int_equal(out, 0);
    v = 2;
    assert_int_equal(radix_encrypt(def.ck, b, &v, 1, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt_u64(def.ck, b, 2, &def.rng), KMS_EINVAL);
    radix_ct_free(b);
}

/* ---- bad input ---- */

static void test_bad_input(void **state)
{
    (void)state;
    struct radix_ct *ct = (void *)1;
    assert_int_equal(radix_ct_new(&ct, def.params, 30), KMS_EINVAL);
    assert_null(ct);
    assert_int_equal(radix_ct_new(&ct, def.params, 84), KMS_EINVAL);
    struct tfhe_params odd = *def.params;
    odd.pbs.message_modulus = 2;
    odd.pbs.carry_modulus = 8;
    assert_int_equal(radix_ct_new(&ct, &odd, RADIX_UINT8), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "message modulus"));

    struct radix_ct *u8 = new_ct(&def, RADIX_UINT8), *u4 = new_ct(&def, RADIX_UINT4);
    struct radix_ct *i4 = new_ct(&def, RADIX_INT4), *u16 = new_ct(&def, RADIX_UINT16);
    uint8_t buf[4] = {1, 2, 3, 4}, out[4] = {9, 9, 9, 9};
    /* byte lengths */
    assert_int_equal(radix_encrypt(def.ck, u8, buf, 2, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt(def.ck, u8, buf, 0, &def.rng), KMS_EINVAL);
    assert_int_equal(radix_encrypt(def.ck, u8, buf, 1, &def.rng), 0);
    assert_int_equal(radix_decrypt(def.ck, out, 2, u8), KMS_EINVAL);
    assert_int_equal(out[0], 0); /* zeroed */
    assert_int_equal(out[1], 0);
    assert_int_equal(radix_decrypt(def.ck, out, 0, u8), KMS_EINVAL);
    /* bits above N */
    buf[0] = 0x10;
    assert_int_equal(radix_encrypt(def.ck, u4, buf, 1, &def.rng), KMS_EINVAL);
    buf[0] = 0x08; /* -8 needs the top nibble set */
    assert_int_equal(radix_encrypt(def.ck, i4, buf, 1, &def.rng), KMS_EINVAL);
    buf[0] = 0xf8;
    assert_int_equal(radix_encrypt(def.ck, i4, buf, 1, &def.rng), 0);
    buf[0] = 0xf7; /* 0111 with a negative top nibble */
    assert_int_equal(radix_encrypt(def.ck, i4, buf, 1, &def.rng), KMS_EINVAL);
    /* a ciphertext of another parameter set */
    struct radix_ct *other = new_ct(&tst, RADIX_UINT8);
    assert_int_equal(radix_decrypt(def.ck, out, 1, other), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "does not match"));
    assert_int_equal(radix_encrypt(def.ck, other, buf, 1, &def.rng), KMS_EINVAL);
    uint64_t u = 7;
    assert_int_equal(radix_decrypt_u64(tst.ck, &u, u8), KMS_EINVAL);
    assert_int_equal(u, 0);
    /* addition: types, Bool, parameter sets, full carries */
    struct radix_ct *bo = new_ct(&tst, RADIX_BOOL), *t8 = new_ct(&tst, RADIX_UINT8);
    struct radix_ct *t16 = new_ct(&tst, RADIX_UINT16), *ti8 = new_ct(&tst, RADIX_INT8);
    assert_int_equal(radix_add(tst.sk, tst.sc, t8, t8, t16), KMS_EINVAL);
    assert_int_equal(radix_add(tst.sk, tst.sc, t8, t8, ti8), KMS_EINVAL);
    assert_int_equal(radix_add(tst.sk, tst.sc, bo, bo, bo), KMS_EINVAL);
    assert_int_equal(radix_add(tst.sk, tst.sc, u8, u8, u8), KMS_EINVAL); /* default-set ct */
    assert_int_equal(shortint_encrypt_unchecked(tst.ck, &t8->blocks[2], 15, &tst.rng), 0);
    assert_int_equal(radix_encrypt_u64(tst.ck, other, 1, &tst.rng), 0);
    assert_int_equal(radix_add(tst.sk, tst.sc, other, other, t8), KMS_ELIMIT);
    assert_int_equal(radix_decrypt_u64(tst.ck, &u, other), 0); /* untouched */
    assert_int_equal(u, 1);
    radix_ct_free(u8);
    radix_ct_free(u4);
    radix_ct_free(i4);
    radix_ct_free(u16);
    radix_ct_free(other);
    radix_ct_free(bo);
    radix_ct_free(t8);
    radix_ct_free(t16);
    radix_ct_free(ti8);
}

/* ---- addition ---- */

/* want = a + b mod 2^N over ceil(N/8) bytes, the top partial byte cut to N
 * bits and sign-extended for signed types. */
static void add_bytes(uint8_t *want, const uint8_t *a, const uint8_t *b, const struct radix_type *t)
{
    size_t len = radix_type_bytes(t);
    unsigned carry = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned s = a[i] + b[i] + carry;
        want[i] = (uint8_t)s;
        carry = s >> 8;
    }
    unsigned used = t->bits % 8;
    if (used) {
        uint8_t low = (uint8_t)((1u << used) - 1);
        want[len - 1] &= low;
        if (t->is_signed && (want[len - 1] >> (used - 1)) & 1)
            want[len - 1] |= (uint8_t)~low;
    }
}

/* out = a + b for the given values; aliasing: 0 none, 1 out = a, 2 out = b,
 * 3 a = b = out (then b's value is a's). */
static void check_add(struct keyset *ks, int32_t id, const uint8_t *va, const uint8_t *vb,
                      int alias)
{
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, id), 0);
    size_t len = radix_type_bytes(t);
    uint8_t want[RADIX_MAX_BYTES], got[RADIX_MAX_BYTES];
    struct radix_ct *a = new_ct(ks, id), *b = new_ct(ks, id), *out = new_ct(ks, id);
    assert_int_equal(radix_encrypt(ks->ck, a, va, len, &ks->rng), 0);
    assert_int_equal(radix_encrypt(ks->ck, b, vb, len, &ks->rng), 0);
    struct radix_ct *dst = alias == 1 || alias == 3 ? a : alias == 2 ? b : out;
    const struct radix_ct *rhs = alias == 3 ? a : b;
    add_bytes(want, va, alias == 3 ? va : vb, t);
    assert_int_equal(radix_add(ks->sk, ks->sc, dst, a, rhs), 0);
    assert_int_equal(radix_decrypt(ks->ck, got, len, dst), 0);
    if (memcmp(got, want, len) != 0)
        fail_msg("%s addition (%s set, alias %d) decrypted wrong", t->name, ks->params->name,
                 alias);
    for (size_t i = 0; i < dst->nblocks; i++) { /* clean carries, nominal noise */
        assert_true(dst->blocks[i].degree <= 3);
        assert_int_equal(dst->blocks[i].noise_level, 1);
    }
    radix_ct_free(a);
    radix_ct_free(b);
    radix_ct_free(out);
}

static void random_value(uint8_t *v, int32_t id)
{
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, id), 0);
    make_value(v, t, 4);
}

static void test_add_test_set(void **state)
{
    (void)state;
    static const int32_t ids[] = {RADIX_UINT4, RADIX_UINT8,  RADIX_UINT16, RADIX_UINT64,
                                  RADIX_INT8,  RADIX_INT64, RADIX_UINT80, RADIX_UINT256};
    uint8_t a[RADIX_MAX_BYTES], b[RADIX_MAX_BYTES];
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        for (int trial = 0; trial < 4; trial++) {
            random_value(a, ids[k]);
            random_value(b, ids[k]);
            check_add(&tst, ids[k], a, b, trial);
        }
    }
    /* the longest carry chains: all ones + 1 */
    memset(a, 0xff, sizeof a);
    memset(b, 0, sizeof b);
    b[0] = 1;
    check_add(&tst, RADIX_UINT64, a, b, 0);
    check_add(&tst, RADIX_INT64, a, b, 0); /* -1 + 1 */
}

static void test_add_default(void **state)
{
    (void)state;
    if (!RUN_DEFAULT_ADD) {
        print_message("  default-set additions skipped under the sanitizers "
                      "(see test_radix_slow)\n");
        skip();
    }
    uint8_t a[RADIX_MAX_BYTES], b[RADIX_MAX_BYTES];
    a[0] = 0xff, b[0] = 0x01;
    check_add(&def, RADIX_UINT8, a, b, 0); /* carry through all 4 blocks */
    random_value(a, RADIX_UINT8);
    random_value(b, RADIX_UINT8);
    check_add(&def, RADIX_UINT8, a, b, 1);
    random_value(a, RADIX_UINT16);
    random_value(b, RADIX_UINT16);
    check_add(&def, RADIX_UINT16, a, b, 2);
    a[0] = (uint8_t)-100, b[0] = 50;
    check_add(&def, RADIX_INT8, a, b, 0);
    memset(a, 0xff, 8);
    memset(b, 0, 8);
    b[0] = 1;
    check_add(&def, RADIX_UINT64, a, b, 0); /* 2^64 - 1 + 1: 32 blocks of carry */
#if defined(RADIX_TEST_SLOW)
    static const int32_t ids[] = {RADIX_UINT8, RADIX_UINT16, RADIX_UINT32, RADIX_UINT64,
                                  RADIX_INT16, RADIX_INT64};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        for (int trial = 0; trial < 3; trial++) {
            random_value(a, ids[k]);
            random_value(b, ids[k]);
            check_add(&def, ids[k], a, b, trial);
        }
    }
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),        cmocka_unit_test(test_round_trip_all_types),
        cmocka_unit_test(test_recompose),    cmocka_unit_test(test_u64_i64),
        cmocka_unit_test(test_bool),         cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_add_test_set), cmocka_unit_test(test_add_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* AES: FIPS-197 Appendix C.1/C.3 block vectors, SP 800-38A F.5.1/F.5.2 and
 * F.5.5/F.5.6 CTR vectors, the AES-256 test cases 13-16 of McGrew & Viega,
 * "The Galois/Counter Mode of Operation (GCM)" (the same values appear in
 * NIST's GCM test-vector set), counter carry across all 128 bits, and GCM
 * rejecting any single flipped bit of ciphertext, tag, AAD, nonce or key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/error.h"
#include "crypto/aes.h"
#include "test_util.h"

/* ---- FIPS-197 ---------------------------------------------------------- */

static const char fips197_pt[] = "00112233445566778899aabbccddeeff";

static void check_block(const char *key_hex, const char *ct_hex)
{
    size_t key_len = 0;
    uint8_t *key = test_unhex(key_hex, &key_len);
    uint8_t *pt = test_unhex(fips197_pt, NULL);
    struct aes_ctx ctx;
    uint8_t out[16];
    assert_int_equal(aes_init(&ctx, key, key_len), 0);
    assert_int_equal(aes_ecb_encrypt(&ctx, out, pt, 1), 0);
    assert_bytes_hex(out, 16, ct_hex);
    /* in place */
    memcpy(out, pt, 16);
    assert_int_equal(aes_ecb_encrypt(&ctx, out, out, 1), 0);
    assert_bytes_hex(out, 16, ct_hex);
    aes_free(&ctx);
    assert_null(ctx.evp);
    free(key);
    free(pt);
}

static void test_fips197(void **state)
{
    (void)state;
    /* Appendix C.1 (AES-128) and C.3 (AES-256) */
    check_block("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a");
    check_block("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "8ea2b7ca516745bfeafc49904b496089");
}

/* Re-keying between sizes, and one big batch equal to block-by-block calls. */
static void test_ecb_rekey_and_batch(void **state)
{
    (void)state;
    uint8_t *k128 = test_unhex("000102030405060708090a0b0c0d0e0f", NULL);
    uint8_t *k256 =
        test_unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL);
    uint8_t *pt = test_unhex(fips197_pt, NULL);
    static const uint8_t zero16[16];
    struct aes_ctx ctx;
    uint8_t out[16];
    assert_int_equal(aes_init(&ctx, zero16, 16), 0);
    assert_int_equal(aes_set_key(&ctx, k128, 16), 0); /* same size: OpenSSL state kept */
    assert_int_equal(aes_ecb_encrypt(&ctx, out, pt, 1), 0);
    assert_bytes_hex(out, 16, "69c4e0d86a7b0430d8cdb78070b4c55a");
    assert_int_equal(aes_set_key(&ctx, k256, 32), 0);
    assert_int_equal(aes_ecb_encrypt(&ctx, out, pt, 1), 0);
    assert_bytes_hex(out, 16, "8ea2b7ca516745bfeafc49904b496089");
    assert_int_equal(aes_set_key(&ctx, k128, 16), 0);
    assert_int_equal(aes_ecb_encrypt(&ctx, out, pt, 1), 0);
    assert_bytes_hex(out, 16, "69c4e0d86a7b0430d8cdb78070b4c55a");

    enum { N = 4099 };
    uint8_t *in = malloc(N * 16), *batch = malloc(N * 16);
    assert_non_null(in);
    assert_non_null(batch);
    for (size_t i = 0; i < N * 16; i++)
        in[i] = (uint8_t)(i * 131 + (i >> 8));
    assert_int_equal(aes_ecb_encrypt(&ctx, batch, in, N), 0);
    for (size_t b = 0; b < N; b++) {
        assert_int_equal(aes_ecb_encrypt(&ctx, out, in + 16 * b, 1), 0);
        assert_memory_equal(out, batch + 16 * b, 16);
    }
    assert_int_equal(aes_ecb_encrypt(&ctx, NULL, NULL, 0), 0);
    aes_free(&ctx);
    aes_free(&ctx); /* idempotent */
    free(in);
    free(batch);
    free(k128);
    free(k256);
    free(pt);
}

static void test_bad_keys(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, iv[16] = {0};
    struct aes_ctx ctx;
    struct aes_ctr ctr;
    assert_int_equal(aes_init(&ctx, key, 24), KMS_EINVAL);
    assert_null(ctx.evp);
    aes_free(&ctx);
    assert_int_equal(aes_init(&ctx, NULL, 16), KMS_EINVAL);
    assert_int_equal(aes_ecb_encrypt(&ctx, key, key, 1), KMS_EINVAL);
    assert_int_equal(aes_ctr_init(&ctr, key, 15, iv), KMS_EINVAL);
    assert_int_equal(aes_ctr_xor(&ctr, key, key, 1), KMS_EINVAL);
    aes_ctr_free(&ctr);
    assert_int_equal(aes_ctr_init(&ctr, key, 16, iv), 0);
    assert_int_equal(aes_ctr_reset(&ctr, key, 33, iv), KMS_EINVAL);
    aes_ctr_free(&ctr);
}

/* ---- SP 800-38A CTR ---------------------------------------------------- */

static const char ctr_iv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char ctr_pt[] = "6bc1bee22e409f96e93d7e117393172a"
                             "ae2d8a571e03ac9c9eb76fac45af8e51"
                             "30c81c46a35ce411e5fbc1191a0a52ef"
                             "f69f2445df4f9b17ad2b417be66c3710";

static void check_ctr(const char *key_hex, const char *ct_hex)
{
    size_t key_len = 0;
    uint8_t *key = test_unhex(key_hex, &key_len);
    uint8_t *iv = test_unhex(ctr_iv, NULL);
    uint8_t *pt = test_unhex(ctr_pt, NULL);
    uint8_t *ct = test_unhex(ct_hex, NULL);
    uint8_t out[64], ks[64];
    struct aes_ctr c;

    /* Encrypt (F.5.1 / F.5.5) in one call, after re-keying a generator
     * started with another key of the same size. */
    static const uint8_t zero32[32];
    assert_int_equal(aes_ctr_init(&c, zero32, key_len, zero32), 0);
    assert_int_equal(aes_ctr_xor(&c, out, pt, 5), 0);
    assert_int_equal(aes_ctr_reset(&c, key, key_len, iv), 0);
    assert_int_equal(aes_ctr_xor(&c, out, pt, 64), 0);
    assert_memory_equal(out, ct, 64);

    /* Decrypt (F.5.2 / F.5.6) in place, in pieces that straddle blocks. */
    static const size_t pieces[] = {1, 14, 17, 0, 15, 16, 1};
    assert_int_equal(aes_ctr_reset(&c, NULL, 0, iv), 0);
    memcpy(out, ct, 64);
    size_t off = 0;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        assert_int_equal(aes_ctr_xor(&c, out + off, out + off, pieces[i]), 0);
        off += pieces[i];
    }
    assert_int_equal(off, 64);
    assert_memory_equal(out, pt, 64);

    /* Keystream XOR plaintext is the ciphertext. */
    assert_int_equal(aes_ctr_reset(&c, key, key_len, iv), 0);
    assert_int_equal(aes_ctr_keystream(&c, ks, 64), 0);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(ks[i] ^ pt[i], ct[i]);
    aes_ctr_free(&c);
    free(key);
    free(iv);
    free(pt);
    free(ct);
}

static void test_ctr_sp800_38a(void **state)
{
    (void)state;
    check_ctr("2b7e151628aed2a6abf7158809cf4f3c",
              "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
              "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
    check_ctr("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
              "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
              "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");
}

/* Keystream block i must be AES_K(iv + i) with a 128-bit big-endian
 * increment: checked against the ECB API where the counter carries out of
 * the low 64 bits and where it wraps to zero. */
static void check_ctr_against_ecb(const uint8_t key[16], const char *iv_hex, size_t n_blocks)
{
    uint8_t *iv = test_unhex(iv_hex, NULL);
    uint8_t ctrblk[16], expect[16], ks[4 * 16];
    assert_true(n_blocks <= 4);
    struct aes_ctr c;
    struct aes_ctx e;
    assert_int_equal(aes_ctr_init(&c, key, 16, iv), 0);
    assert_int_equal(aes_init(&e, key, 16), 0);
    assert_int_equal(aes_ctr_keystream(&c, ks, n_blocks * 16), 0);
    memcpy(ctrblk, iv, 16);
    for (size_t b = 0; b < n_blocks; b++) {
        assert_int_equal(aes_ecb_encrypt(&e, expect, ctrblk, 1), 0);
        assert_memory_equal(ks + 16 * b, expect, 16);
        aes_ctr_add(ctrblk, 1);
    }
    aes_ctr_free(&c);
    aes_free(&e);
    free(iv);
}

static void test_ctr_carry(void **state)
{
    (void)state;
    uint8_t key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(0xa0 + i);
    check_ctr_against_ecb(key, "0000000000000000fffffffffffffffe", 4);
    check_ctr_against_ecb(key, "fffffffffffffffffffffffffffffffe", 4);

    uint8_t c[16];
    memset(c, 0xff, 16);
    c[0] = 0x00;
    aes_ctr_add(c, 1);
    assert_bytes_hex(c, 16, "01000000000000000000000000000000");
    memset(c, 0xff, 16);
    aes_ctr_add(c, 2);
    assert_bytes_hex(c, 16, "00000000000000000000000000000001");
    memset(c, 0, 16);
    aes_ctr_add(c, 0x0102030405060708ull);
    aes_ctr_add(c, 0xffffffffffffffffull);
    assert_bytes_hex(c, 16, "00000000000000010102030405060707");
}

/* ---- AES-256-GCM ------------------------------------------------------- */

struct gcm_vec {
    const char *key, *iv, *pt, *aad, *ct, *tag;
};

/* McGrew & Viega, GCM specification, test cases 13-16 (AES-256). */
static const char gcm_k15[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
static const struct gcm_vec gcm_vecs[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {gcm_k15, "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {gcm_k15, "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

static void test_gcm_vectors(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof gcm_vecs / sizeof gcm_vecs[0]; v++) {
        const struct gcm_vec *g = &gcm_vecs[v];
        size_t pt_len = 0, aad_len = 0, ct_len = 0, tag_len = 0;
        uint8_t *key = test_unhex(g->key, NULL), *iv = test_unhex(g->iv, NULL);
        uint8_t *pt = test_unhex(g->pt, &pt_len), *aad = test_unhex(g->aad, &aad_len);
        uint8_t *ct = test_unhex(g->ct, &ct_len), *tag = test_unhex(g->tag, &tag_len);
        assert_int_equal(ct_len, pt_len);
        uint8_t *sealed = malloc(pt_len + 16), *opened = malloc(pt_len + 1);
        assert_non_null(sealed);
        assert_non_null(opened);
        const uint8_t *a = aad_len > 0 ? aad : NULL; /* NULL aad with length 0 */
        assert_int_equal(
            aes256gcm_encrypt(sealed, pt_len > 0 ? pt : NULL, pt_len, a, aad_len, key, iv), 0);
        assert_memory_equal(sealed, ct, pt_len);
        assert_memory_equal(sealed + pt_len, tag, 16);
        assert_int_equal(
            aes256gcm_decrypt(pt_len > 0 ? opened : NULL, sealed, pt_len + 16, a, aad_len, key, iv),
            0);
        assert_memory_equal(opened, pt, pt_len);
        /* in place */
        assert_int_equal(aes256gcm_decrypt(sealed, sealed, pt_len + 16, a, aad_len, key, iv), 0);
        assert_memory_equal(sealed, pt, pt_len);
        free(sealed);
        free(opened);
        free(key);
        free(iv);
        free(pt);
        free(aad);
        free(ct);
        free(tag);
    }
}

/* Decrypts after flipping one bit of one input; must fail with pt zeroed. */
static void expect_reject(const uint8_t *sealed, size_t sealed_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *key, const uint8_t *iv)
{
    uint8_t pt[64];
    memset(pt, 0xa5, sizeof pt);
    assert_true(sealed_len - 16 <= sizeof pt);
    assert_int_equal(aes256gcm_decrypt(pt, sealed, sealed_len, aad, aad_len, key, iv), KMS_EVERIFY);
    for (size_t i = 0; i < sealed_len - 16; i++)
        assert_int_equal(pt[i], 0);
}

static void test_gcm_rejects_flips(void **state)
{
    (void)state;
    const struct gcm_vec *g = &gcm_vecs[3]; /* case 16: 60-byte pt, 20-byte AAD */
    size_t pt_len = 0, aad_len = 0;
    uint8_t *key = test_unhex(g->key, NULL), *iv = test_unhex(g->iv, NULL);
    uint8_t *pt = test_unhex(g->pt, &pt_len), *aad = test_unhex(g->aad, &aad_len);
    uint8_t sealed[76];
    assert_int_equal(pt_len + 16, sizeof sealed);
    assert_int_equal(aes256gcm_encrypt(sealed, pt, pt_len, aad, aad_len, key, iv), 0);

    for (size_t bit = 0; bit < 8 * sizeof sealed; bit++) { /* ciphertext and tag */
        sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        expect_reject(sealed, sizeof sealed, aad, aad_len, key, iv);
        sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 8 * aad_len; bit++) {
        aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        expect_reject(sealed, sizeof sealed, aad, aad_len, key, iv);
        aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 8 * 12; bit++) {
        iv[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        expect_reject(sealed, sizeof sealed, aad, aad_len, key, iv);
        iv[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t byte = 0; byte < 32; byte += 7) {
        key[byte] ^= 0x80;
        expect_reject(sealed, sizeof sealed, aad, aad_len, key, iv);
        key[byte] ^= 0x80;
    }
    /* Dropping the AAD, or truncating, fails too. */
    expect_reject(sealed, sizeof sealed, NULL, 0, key, iv);
    expect_reject(sealed, sizeof sealed - 1, aad, aad_len, key, iv);
    /* Unmodified still opens. */
    uint8_t out[60];
    assert_int_equal(aes256gcm_decrypt(out, sealed, sizeof sealed, aad, aad_len, key, iv), 0);
    assert_memory_equal(out, pt, 60);
    free(key);
    free(iv);
    free(pt);
    free(aad);
}

static void test_gcm_bad_args(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, iv[12] = {0}, buf[32] = {0};
    assert_int_equal(aes256gcm_decrypt(buf, buf, 15, NULL, 0, key, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_decrypt(buf, buf, 0, NULL, 0, key, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_decrypt(buf, buf, 16, NULL, 1, key, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_decrypt(NULL, buf, 17, NULL, 0, key, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_encrypt(buf, NULL, 1, NULL, 0, key, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_encrypt(buf, buf, 1, NULL, 0, NULL, iv), KMS_EINVAL);
    assert_int_equal(aes256gcm_encrypt(NULL, buf, 1, NULL, 0, key, iv), KMS_EINVAL);
    /* An all-zero "ciphertext" of just a tag is rejected, not crashed on. */
    assert_int_equal(aes256gcm_decrypt(NULL, buf, 16, NULL, 0, key, iv), KMS_EVERIFY);
}

/* Round trips over awkward lengths, with a long AAD. */
static void test_gcm_roundtrip(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 15, 16, 17, 255, 4096, 100003};
    uint8_t key[32], iv[12], aad[300];
    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(7 * i + 1);
    for (size_t i = 0; i < 12; i++)
        iv[i] = (uint8_t)(3 * i);
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)i;
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        size_t n = lens[l];
        uint8_t *pt = malloc(n), *ct = malloc(n + 16), *back = malloc(n);
        assert_non_null(pt);
        assert_non_null(ct);
        assert_non_null(back);
        for (size_t i = 0; i < n; i++)
            pt[i] = (uint8_t)(i ^ (i >> 7));
        assert_int_equal(aes256gcm_encrypt(ct, pt, n, aad, sizeof aad, key, iv), 0);
        assert_memory_not_equal(ct, pt, n < 16 ? n : 16);
        assert_int_equal(aes256gcm_decrypt(back, ct, n + 16, aad, sizeof aad, key, iv), 0);
        assert_memory_equal(back, pt, n);
        ct[n / 2] ^= 1;
        assert_int_equal(aes256gcm_decrypt(back, ct, n + 16, aad, sizeof aad, key, iv),
                         KMS_EVERIFY);
        free(pt);
        free(ct);
        free(back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips197),
        cmocka_unit_test(test_ecb_rekey_and_batch),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_ctr_sp800_38a),
        cmocka_unit_test(test_ctr_carry),
        cmocka_unit_test(test_gcm_vectors),
        cmocka_unit_test(test_gcm_rejects_flips),
        cmocka_unit_test(test_gcm_bad_args),
        cmocka_unit_test(test_gcm_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

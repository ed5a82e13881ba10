/* secp256k1 ECDSA: the RFC 6979 secp256k1 vectors published on bitcointalk
 * (topic 285142, reproduced by many libraries and by @noble/curves 2.4.0),
 * the signature of the EIP-712 "Ether Mail" example (ethereum/EIPs
 * assets/eip-712/Example.js), the EIP-155 example key, recovery ids, low-S
 * rules and malformed inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "test_util.h"

/* The group order n. */
static const char order_hex[] = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/* The generator G (SEC 2), i.e. the public key of secret key 1. */
static const char g_uncompressed[] =
    "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
static const char g_compressed[] =
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

static void unhex_into(uint8_t *out, size_t n, const char *hex)
{
    size_t len = 0;
    uint8_t *p = test_unhex(hex, &len);
    assert_int_equal(len, n);
    memcpy(out, p, n);
    free(p);
}

/* out = n - s (32-byte big-endian), for building high-S twins. */
static void negate_scalar(uint8_t out[32], const uint8_t s[32])
{
    uint8_t n[32];
    unhex_into(n, 32, order_hex);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static void test_rfc6979_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *sk, *msg, *sig;
    } v[] = {
        {"0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
         "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
         "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"},
        {"0000000000000000000000000000000000000000000000000000000000000001",
         "Everything should be made as simple as possible, but not simpler.",
         "33a69cd2065432a30f3d1ce4eb0d59b8ab58c74f27c41a7fdb5696ad4e6108c9"
         "6f807982866f785d3f6418d24163ddae117b7db4d5fdf0071de069fa54342262"},
        /* raw s is high here; the published value is the normalised one */
        {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
         "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0"
         "6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t sk[32], sig[64], pk[65];
        unhex_into(sk, 32, v[i].sk);
        assert_int_equal(ecdsa_sign_sha256(sig, sk, v[i].msg, strlen(v[i].msg)), 0);
        assert_bytes_hex(sig, 64, v[i].sig);
        assert_true(ecdsa_sig_is_low_s(sig));
        assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
        assert_int_equal(ecdsa_verify_sha256(pk, 65, v[i].msg, strlen(v[i].msg), sig), 0);
        assert_int_equal(ecdsa_verify_sha256(pk, 65, v[i].msg, strlen(v[i].msg) - 1, sig),
                         KMS_EVERIFY);
    }
}

static void test_pubkeys(void **state)
{
    (void)state;
    uint8_t sk[32] = {0}, pk[65], c[33], back[65];
    sk[31] = 1;
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_bytes_hex(pk, 65, g_uncompressed);
    assert_int_equal(ecdsa_pubkey_compress(c, pk, 65), 0);
    assert_bytes_hex(c, 33, g_compressed);
    assert_int_equal(ecdsa_pubkey_parse(back, c, 33), 0);
    assert_memory_equal(back, pk, 65);

    /* EIP-155 example key 0x46…46; public key as ethers 6.17 SigningKey
     * reports it (an independent implementation). */
    memset(sk, 0x46, 32);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_bytes_hex(pk, 65,
                     "044bc2a31265153f07e70e0bab08724e6b85e217f8cd628ceb62974247bb493382"
                     "ce28cab79ad7119ee1ad3ebcdb98a16805211530ecc6cfefa1b88e6dff99232a");
    assert_int_equal(ecdsa_pubkey_compress(c, pk, 65), 0);
    assert_bytes_hex(c, 33, "024bc2a31265153f07e70e0bab08724e6b85e217f8cd628ceb62974247bb493382");
}

static void test_invalid_pubkeys(void **state)
{
    (void)state;
    uint8_t g[65], bad[65], out[65], c33[33];
    unhex_into(g, 65, g_uncompressed);

    memcpy(bad, g, 65);
    bad[64] ^= 1; /* y + 1: off the curve */
    memset(out, 0xaa, sizeof out);
    assert_int_equal(ecdsa_pubkey_parse(out, bad, 65), KMS_EINVAL);
    uint8_t zero[65] = {0};
    assert_memory_equal(out, zero, 65); /* output cleared on failure */

    memcpy(bad, g, 65);
    bad[0] = 0x06; /* hybrid encoding (valid for G, but refused) */
    assert_int_equal(ecdsa_pubkey_parse(out, bad, 65), KMS_EINVAL);
    bad[0] = 0x07;
    assert_int_equal(ecdsa_pubkey_parse(out, bad, 65), KMS_EINVAL);
    bad[0] = 0x05;
    assert_int_equal(ecdsa_pubkey_parse(out, bad, 65), KMS_EINVAL);
    bad[0] = 0x02; /* compressed prefix on a 65-byte key */
    assert_int_equal(ecdsa_pubkey_parse(out, bad, 65), KMS_EINVAL);

    assert_int_equal(ecdsa_pubkey_parse(out, g, 64), KMS_EINVAL);
    assert_int_equal(ecdsa_pubkey_parse(out, g, 0), KMS_EINVAL);
    assert_int_equal(ecdsa_pubkey_parse(out, NULL, 0), KMS_EINVAL);
    assert_int_equal(ecdsa_pubkey_parse(out, g, 33), KMS_EINVAL); /* 04 prefix, 33 bytes */

    /* x = p and x = 2^256 - 1 are not field elements */
    unhex_into(c33, 33, "02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    assert_int_equal(ecdsa_pubkey_parse(out, c33, 33), KMS_EINVAL);
    memset(c33 + 1, 0xff, 32);
    c33[0] = 0x03;
    assert_int_equal(ecdsa_pubkey_compress(c33, c33, 33), KMS_EINVAL);
    /* an all-zero 65-byte key (the point at infinity is not encodable) */
    zero[0] = 0x04;
    assert_int_equal(ecdsa_pubkey_parse(out, zero, 65), KMS_EINVAL);
}

/* EIP-712 Example.js: keccak256("cow") signs the Ether Mail digest. */
static void test_ether_mail_signature(void **state)
{
    (void)state;
    uint8_t sk[32], digest[32], sig[65], compact[64], pk[65], rec[65];
    keccak256(sk, "cow", 3);
    unhex_into(digest, 32, "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0);
    assert_bytes_hex(sig, 32, "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
    assert_bytes_hex(sig + 32, 32,
                     "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
    assert_int_equal(sig[64], 28);

    /* the compact form uses the same deterministic nonce */
    assert_int_equal(ecdsa_sign(compact, sk, digest), 0);
    assert_memory_equal(compact, sig, 64);

    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_verify(pk, 65, digest, compact), 0);
    assert_int_equal(ecdsa_recover(rec, digest, sig), 0);
    assert_memory_equal(rec, pk, 65);

    /* v = 1 means the same recovery id as 28 */
    sig[64] = 1;
    assert_int_equal(ecdsa_recover(rec, digest, sig), 0);
    assert_memory_equal(rec, pk, 65);
    /* the other parity (27 / 0) yields some other key, or none */
    sig[64] = 27;
    int rc = ecdsa_recover(rec, digest, sig);
    assert_true(rc == KMS_EVERIFY || (rc == 0 && memcmp(rec, pk, 65) != 0));
    sig[64] = 0;
    int rc0 = ecdsa_recover(pk, digest, sig);
    assert_int_equal(rc0, rc);
    if (rc == 0)
        assert_memory_equal(pk, rec, 65);
}

static void test_recovery_v(void **state)
{
    (void)state;
    uint8_t sk[32], digest[32], sig[65], pk[65], rec[65];
    memset(sk, 0x46, 32);
    keccak256(digest, "recovery", 8);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0);
    assert_true(sig[64] == 27 || sig[64] == 28);
    assert_int_equal(ecdsa_recover(rec, digest, sig), 0);
    assert_memory_equal(rec, pk, 65);
    sig[64] -= 27; /* 0/1 convention */
    assert_int_equal(ecdsa_recover(rec, digest, sig), 0);
    assert_memory_equal(rec, pk, 65);

    static const uint8_t bad_v[] = {2, 3, 4, 25, 26, 29, 30, 35, 36, 127, 255};
    for (size_t i = 0; i < sizeof bad_v; i++) {
        sig[64] = bad_v[i];
        assert_int_equal(ecdsa_recover(rec, digest, sig), KMS_EINVAL);
        assert_int_equal(ecdsa_rsig_normalize(sig, sig), KMS_EINVAL);
        assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0); /* restore */
    }
}

static void test_high_s(void **state)
{
    (void)state;
    uint8_t sk[32], digest[32], sig[65], hi[65], back[65], pk[65], rec[65];
    memset(sk, 0x46, 32);
    keccak256(digest, "malleable", 9);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0);
    assert_true(ecdsa_sig_is_low_s(sig));

    /* (r, n - s) with the other parity is the malleable twin */
    memcpy(hi, sig, 32);
    negate_scalar(hi + 32, sig + 32);
    hi[64] = sig[64] == 27 ? 28 : 27;
    assert_false(ecdsa_sig_is_low_s(hi));
    assert_int_equal(ecdsa_verify(pk, 65, digest, hi), KMS_EVERIFY);
    assert_int_equal(ecdsa_recover(rec, digest, hi), KMS_EVERIFY);

    /* normalisation restores the original, flipping v back */
    assert_int_equal(ecdsa_rsig_normalize(back, hi), 0);
    assert_memory_equal(back, sig, 65);
    assert_int_equal(ecdsa_recover(rec, digest, back), 0);
    assert_memory_equal(rec, pk, 65);
    hi[64] -= 27;
    assert_int_equal(ecdsa_rsig_normalize(back, hi), 0);
    assert_memory_equal(back, sig, 64);
    assert_int_equal(back[64], sig[64] - 27);

    /* 64-byte form, in place */
    memcpy(back, hi, 64);
    assert_int_equal(ecdsa_sig_normalize(back, back), 0);
    assert_memory_equal(back, sig, 64);
    assert_int_equal(ecdsa_verify(pk, 65, digest, back), 0);
    /* already low: unchanged */
    assert_int_equal(ecdsa_rsig_normalize(back, sig), 0);
    assert_memory_equal(back, sig, 65);
}

static void test_garbage_signatures(void **state)
{
    (void)state;
    uint8_t sk[32], digest[32], sig[65], pk[65], rec[65];
    memset(sk, 0x46, 32);
    keccak256(digest, "garbage", 7);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0);

    uint8_t g[65];
    memcpy(g, sig, 65);
    unhex_into(g, 32, order_hex); /* r = n: out of range */
    assert_int_equal(ecdsa_verify(pk, 65, digest, g), KMS_EVERIFY);
    assert_int_equal(ecdsa_recover(rec, digest, g), KMS_EVERIFY);
    assert_int_equal(ecdsa_sig_normalize(g, g), KMS_EINVAL);

    memset(g, 0, 64); /* r = s = 0 */
    g[64] = 27;
    assert_int_equal(ecdsa_verify(pk, 65, digest, g), KMS_EVERIFY);
    assert_int_equal(ecdsa_recover(rec, digest, g), KMS_EVERIFY);

    /* wrong digest, wrong key, flipped bit */
    uint8_t other[32];
    keccak256(other, "other", 5);
    assert_int_equal(ecdsa_verify(pk, 65, other, sig), KMS_EVERIFY);
    uint8_t g2[65];
    unhex_into(g2, 65, g_uncompressed);
    assert_int_equal(ecdsa_verify(g2, 65, digest, sig), KMS_EVERIFY);
    memcpy(g, sig, 65);
    g[5] ^= 0x10;
    assert_int_equal(ecdsa_verify(pk, 65, digest, g), KMS_EVERIFY);
    /* a recovered key from a tampered signature is not the signer */
    if (ecdsa_recover(rec, digest, g) == 0)
        assert_memory_not_equal(rec, pk, 65);
    /* a bad public key is an input error, not a failed verification */
    pk[64] ^= 1;
    assert_int_equal(ecdsa_verify(pk, 65, digest, sig), KMS_EINVAL);
}

static void test_seckeys(void **state)
{
    (void)state;
    uint8_t sk[32], a[32], b[32], pk[65], sig[65], digest[32] = {1};
    memset(sk, 0, 32);
    assert_int_equal(ecdsa_seckey_check(sk), KMS_EINVAL);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), KMS_EINVAL);
    memset(sig, 0xaa, sizeof sig);
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), KMS_EINVAL);
    uint8_t zero[65] = {0};
    assert_memory_equal(sig, zero, 65);
    unhex_into(sk, 32, order_hex);
    assert_int_equal(ecdsa_seckey_check(sk), KMS_EINVAL);
    assert_int_equal(ecdsa_sign(sig, sk, digest), KMS_EINVAL);
    sk[31] -= 1; /* n - 1 */
    assert_int_equal(ecdsa_seckey_check(sk), 0);
    memset(sk, 0xff, 32);
    assert_int_equal(ecdsa_seckey_check(sk), KMS_EINVAL);

    assert_int_equal(ecdsa_seckey_generate(a), 0);
    assert_int_equal(ecdsa_seckey_generate(b), 0);
    assert_int_equal(ecdsa_seckey_check(a), 0);
    assert_memory_not_equal(a, b, 32);
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, a), 0);
    assert_int_equal(ecdsa_sign_recoverable(sig, a, digest), 0);
    assert_int_equal(ecdsa_verify(pk, 65, digest, sig), 0);
    uint8_t c[33];
    assert_int_equal(ecdsa_pubkey_compress(c, pk, 65), 0);
    assert_int_equal(ecdsa_verify(c, 33, digest, sig), 0);
}

/* Internal-signature path: SHA-256 then sign; the expected signature is
 * @noble/curves 2.4.0 secp256k1.sign(sha256("abc"), 0x46…46, lowS). */
static void test_sign_sha256(void **state)
{
    (void)state;
    uint8_t sk[32], sig[64], pk[65];
    memset(sk, 0x46, 32);
    assert_int_equal(ecdsa_sign_sha256(sig, sk, "abc", 3), 0);
    assert_bytes_hex(sig, 64,
                     "eb09d509499990eca5f2dda1d3b3b01b05eb4efbe2fe366cf8a4c4c0d2b8c96a"
                     "565a1eef5192f92b470f2e02d763530d238e9db7b0c560b8a9ef35dcaa39f803");
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_verify_sha256(pk, 65, "abc", 3, sig), 0);
    assert_int_equal(ecdsa_verify_sha256(pk, 65, "abd", 3, sig), KMS_EVERIFY);
    /* empty message, NULL pointer */
    assert_int_equal(ecdsa_sign_sha256(sig, sk, NULL, 0), 0);
    assert_int_equal(ecdsa_verify_sha256(pk, 65, "", 0, sig), 0);
}

/* The signing context is created on first use; racing first uses from
 * several threads must all succeed and agree. */
static void *sign_thread(void *arg)
{
    uint8_t *sig = arg, sk[32], digest[32];
    keccak256(sk, "cow", 3);
    keccak256(digest, "threads", 7);
    if (ecdsa_sign_recoverable(sig, sk, digest) != 0)
        sig[64] = 0xff;
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 4 };
    pthread_t t[N];
    uint8_t sigs[N][65];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, sign_thread, sigs[i]), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < N; i++) {
        assert_true(sigs[i][64] == 27 || sigs[i][64] == 28);
        assert_memory_equal(sigs[i], sigs[0], 65);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first, so that the racing threads do the lazy initialisation */
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_rfc6979_vectors),
        cmocka_unit_test(test_pubkeys),
        cmocka_unit_test(test_invalid_pubkeys),
        cmocka_unit_test(test_ether_mail_signature),
        cmocka_unit_test(test_recovery_v),
        cmocka_unit_test(test_high_s),
        cmocka_unit_test(test_garbage_signatures),
        cmocka_unit_test(test_seckeys),
        cmocka_unit_test(test_sign_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Signcryption as the reference KMS v0.12.8 does it: the SigncryptionPayload
 * bytes against the reference's own locked vector, the digests against a
 * direct SHAKE256 of their definition, the inner layout (msg ‖ sig ‖ kd_serv)
 * and signature taken apart with the ECDSA and ML-KEM layers, round trips,
 * and rejection of every tampering (ciphertext, server key, receiver,
 * separator, link, high-S twin, short plaintext). Interop with node-tkms
 * 0.12.8 itself is in tests/interop/test_user_decrypt.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/secmem.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/entropy.h"
#include "crypto/keccak.h"
#include "crypto/mlkem_pke.h"
#include "crypto/signcrypt.h"
#include "test_util.h"

static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
static uint8_t ek2[MLKEM512_EK_BYTES], dk2[MLKEM512_DK_BYTES];
static uint8_t server_sk[32], server_pk[ECDSA_PUBKEY_BYTES], server_pk33[33];
static uint8_t other_sk[32], other_pk[ECDSA_PUBKEY_BYTES];
static uint8_t addr[20];

static const uint8_t test_dsep[8] = {'T', 'E', 'S', 'T', 'T', 'E', 'S', 'T'};
static const uint8_t msg[] = "A relatively long message that we wish to be able to later validate";

static int setup(void **state)
{
    (void)state;
    uint8_t d[32], z[32];
    memset(d, 1, sizeof d);
    memset(z, 2, sizeof z);
    if (mlkem512_keygen_derand(ek, dk, d, z) != 0)
        return -1;
    memset(d, 3, sizeof d);
    if (mlkem512_keygen_derand(ek2, dk2, d, z) != 0)
        return -1;
    memset(server_sk, 0x11, sizeof server_sk);
    memset(other_sk, 0x22, sizeof other_sk);
    memset(addr, 0xa5, sizeof addr);
    if (ecdsa_pubkey_from_seckey(server_pk, server_sk) != 0 ||
        ecdsa_pubkey_from_seckey(other_pk, other_sk) != 0 ||
        ecdsa_pubkey_compress(server_pk33, server_pk, sizeof server_pk) != 0)
        return -1;
    return 0;
}

/* The reference's test_signcryption_payload_v0_serialization_locked
 * (core/service/src/cryptography/signcryption.rs at v0.12.8). */
static void test_payload_locked_vector(void **state)
{
    (void)state;
    static const uint8_t pt[] = {1, 2, 3, 4, 5};
    static const uint8_t link[] = {222, 173, 190, 239};
    struct buf b;
    buf_init(&b, 1024);
    signcrypt_payload_encode(&b, pt, sizeof pt, 8, link, sizeof link);
    assert_int_equal(buf_status(&b), 0);
    assert_bytes_hex(b.data, b.len,
                     "0500000000000000" "0102030405" "08000000" "0400000000000000" "deadbeef");

    const uint8_t *p, *l;
    size_t pl, ll;
    int32_t t;
    assert_int_equal(signcrypt_payload_decode(&p, &pl, &t, &l, &ll, b.data, b.len), 0);
    assert_int_equal(pl, 5);
    assert_memory_equal(p, pt, 5);
    assert_int_equal(t, 8);
    assert_int_equal(ll, 4);
    assert_memory_equal(l, link, 4);

    /* truncated anywhere, or followed by a byte */
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(signcrypt_payload_decode(&p, &pl, &t, &l, &ll, b.data, n), KMS_EINVAL);
    buf_put_u8(&b, 0);
    assert_int_equal(signcrypt_payload_decode(&p, &pl, &t, &l, &ll, b.data, b.len), KMS_EINVAL);
    assert_null(p);
    /* a negative i32 survives */
    buf_reset(&b);
    signcrypt_payload_encode(&b, NULL, 0, -2, NULL, 0);
    assert_bytes_hex(b.data, b.len, "0000000000000000" "feffffff" "0000000000000000");
    assert_int_equal(signcrypt_payload_decode(&p, &pl, &t, &l, &ll, b.data, b.len), 0);
    assert_int_equal(t, -2);
    buf_free(&b);
}

/* SHAKE256("SIGNCRYP" ‖ u64le(len) ‖ key)[..32], spelled out. */
static void direct_digest(uint8_t out[32], const uint8_t *key, size_t n)
{
    uint8_t in[8 + 8 + MLKEM512_EK_BYTES] = {'S', 'I', 'G', 'N', 'C', 'R', 'Y', 'P'};
    for (int i = 0; i < 8; i++)
        in[8 + i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(in + 16, key, n);
    shake256(out, 32, in, 16 + n);
}

static void test_digests(void **state)
{
    (void)state;
    uint8_t got[32], want[32], c[33];
    signcrypt_enc_key_digest(got, ek);
    direct_digest(want, ek, sizeof ek);
    assert_memory_equal(got, want, 32);

    /* PublicSigKey serializes compressed, whatever form it is given in */
    assert_int_equal(ecdsa_pubkey_compress(c, server_pk, sizeof server_pk), 0);
    assert_true(c[0] == 2 || c[0] == 3);
    direct_digest(want, c, sizeof c);
    assert_int_equal(signcrypt_verf_key_digest(got, server_pk, sizeof server_pk), 0);
    assert_memory_equal(got, want, 32);
    assert_int_equal(signcrypt_verf_key_digest(got, c, sizeof c), 0);
    assert_memory_equal(got, want, 32);
    /* not a key */
    c[0] = 5;
    assert_int_equal(signcrypt_verf_key_digest(got, c, sizeof c), KMS_EINVAL);
    assert_true(secmem_is_zero(got, sizeof got));
}

static void seal_fixed(struct buf *ct, const void *m, size_t n)
{
    uint8_t r[32], nonce[12];
    memset(r, 0x33, sizeof r);
    memset(nonce, 0x44, sizeof nonce);
    buf_init(ct, BUF_UNLIMITED);
    assert_int_equal(
        signcrypt_seal_derand(ct, test_dsep, m, n, ek, addr, server_sk, r, nonce), 0);
}

/* Takes a signcryption apart with the lower layers: its plaintext is
 * msg ‖ sig ‖ kd_serv and sig verifies over dsep ‖ msg ‖ addr ‖ kd_recv. */
static void test_inner_layout(void **state)
{
    (void)state;
    struct buf ct, inner, signed_bytes;
    seal_fixed(&ct, msg, sizeof msg);
    buf_init_secret(&inner, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_decrypt(&inner, dk, ct.data, ct.len), 0);
    assert_int_equal(inner.len, sizeof msg + 64 + 32);
    assert_memory_equal(inner.data, msg, sizeof msg);

    uint8_t kd_serv[32], kd_recv[32], c[33];
    assert_int_equal(ecdsa_pubkey_compress(c, server_pk, sizeof server_pk), 0);
    direct_digest(kd_serv, c, sizeof c);
    assert_memory_equal(inner.data + sizeof msg + 64, kd_serv, 32);

    direct_digest(kd_recv, ek, sizeof ek);
    buf_init(&signed_bytes, BUF_UNLIMITED);
    buf_put(&signed_bytes, test_dsep, 8);
    buf_put(&signed_bytes, msg, sizeof msg);
    buf_put(&signed_bytes, addr, 20);
    buf_put(&signed_bytes, kd_recv, 32);
    const uint8_t *sig = inner.data + sizeof msg;
    assert_true(ecdsa_sig_is_low_s(sig));
    assert_int_equal(ecdsa_verify_sha256(server_pk, sizeof server_pk, signed_bytes.data,
                                         signed_bytes.len, sig),
                     0);
    /* and it is the deterministic signature the signing layer makes */
    uint8_t again[64];
    assert_int_equal(ecdsa_sign_sha256(again, server_sk, signed_bytes.data, signed_bytes.len), 0);
    assert_memory_equal(again, sig, 64);

    /* fixed randomness, fixed bytes */
    struct buf ct2;
    seal_fixed(&ct2, msg, sizeof msg);
    assert_int_equal(ct2.len, ct.len);
    assert_memory_equal(ct2.data, ct.data, ct.len);
    assert_int_equal(ct.len, MLKEM_PKE_OVERHEAD + sizeof msg + 96);
    buf_free(&ct);
    buf_free(&ct2);
    buf_free(&inner);
    buf_free(&signed_bytes);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 31, 32, 33, 500};
    uint8_t m[500];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        assert_int_equal(entropy_fill(m, sizeof m), 0);
        struct buf ct, out;
        buf_init(&ct, BUF_UNLIMITED);
        buf_init_secret(&out, BUF_UNLIMITED);
        buf_put(&out, "x", 1); /* appended after what is there */
        assert_int_equal(
            signcrypt_seal(&ct, test_dsep, m, lens[k], ek, addr, server_sk, server_pk33), 0);
        assert_int_equal(signcrypt_open(&out, test_dsep, ct.data, ct.len, dk, addr, server_pk,
                                        sizeof server_pk),
                         0);
        assert_int_equal(out.len, 1 + lens[k]);
        assert_memory_equal(out.data + 1, m, lens[k]);
        /* the compressed server key works as well */
        uint8_t c[33];
        assert_int_equal(ecdsa_pubkey_compress(c, server_pk, sizeof server_pk), 0);
        assert_int_equal(signcrypt_open(&out, test_dsep, ct.data, ct.len, dk, addr, c, sizeof c),
                         0);
        buf_free(&ct);
        buf_free(&out);
    }
}

/* open must fail with want and append nothing. */
static void expect_open_fails(const struct buf *ct, const uint8_t *ds, const uint8_t *key,
                              const uint8_t *to, const uint8_t *pk, size_t pk_len, int want)
{
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(signcrypt_open(&out, ds, ct->data, ct->len, key, to, pk, pk_len), want);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_tampering(void **state)
{
    (void)state;
    struct buf ct;
    seal_fixed(&ct, msg, sizeof msg);
    /* nonce, KEM ciphertext, payload, tag */
    const size_t at[] = {0, 11, 20, 400, 787, 796, 800, ct.len - 17, ct.len - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        ct.data[at[i]] ^= 0x01;
        expect_open_fails(&ct, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
        ct.data[at[i]] ^= 0x01;
    }
    /* framing */
    ct.len--;
    expect_open_fails(&ct, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EINVAL);
    ct.len++;
    buf_put_u8(&ct, 0);
    expect_open_fails(&ct, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EINVAL);
    ct.len--;
    /* the untouched ciphertext still opens */
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(signcrypt_open(&out, test_dsep, ct.data, ct.len, dk, addr, server_pk,
                                    sizeof server_pk),
                     0);
    buf_free(&out);
    buf_free(&ct);
}

static void test_wrong_parties(void **state)
{
    (void)state;
    struct buf ct;
    seal_fixed(&ct, msg, sizeof msg);
    uint8_t other_addr[20], bad_ds[8];
    memcpy(other_addr, addr, 20);
    other_addr[19] ^= 1;
    memcpy(bad_ds, test_dsep, 8);
    bad_ds[0] = 'b';
    /* another server key: its digest is not the one inside */
    expect_open_fails(&ct, test_dsep, dk, addr, other_pk, sizeof other_pk, KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "verification key"));
    /* another receiver address or separator: the signature fails */
    expect_open_fails(&ct, test_dsep, dk, other_addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "signature"));
    expect_open_fails(&ct, bad_ds, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    /* another receiver key: decryption fails */
    expect_open_fails(&ct, test_dsep, dk2, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    /* a server key that is not a point */
    uint8_t junk[33] = {2};
    memset(junk + 1, 0xff, 32);
    expect_open_fails(&ct, test_dsep, dk, addr, junk, sizeof junk, KMS_EINVAL);
    buf_free(&ct);

    /* sealed for ek2 but opened with dk, whose own ek the signature must cover */
    buf_init(&ct, BUF_UNLIMITED);
    assert_int_equal(
        signcrypt_seal(&ct, test_dsep, msg, sizeof msg, ek2, addr, server_sk, server_pk33), 0);
    expect_open_fails(&ct, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    buf_free(&ct);
}

/* The sealer trusts the public key it is given (it is not rederived): a
 * key that is not server_sk's makes a signcryption that opens under
 * neither key, and a key that is not compressed SEC1 is refused. */
static void test_given_server_key(void **state)
{
    (void)state;
    uint8_t other_pk33[33], full[65];
    assert_int_equal(ecdsa_pubkey_compress(other_pk33, other_pk, sizeof other_pk), 0);
    struct buf ct;
    buf_init(&ct, BUF_UNLIMITED);
    assert_int_equal(
        signcrypt_seal(&ct, test_dsep, msg, sizeof msg, ek, addr, server_sk, other_pk33), 0);
    expect_open_fails(&ct, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "verification key"));
    expect_open_fails(&ct, test_dsep, dk, addr, other_pk, sizeof other_pk, KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "signature"));

    buf_reset(&ct);
    memcpy(full, server_pk, sizeof full);
    assert_int_equal(full[0], 4);
    assert_int_equal(signcrypt_seal(&ct, test_dsep, msg, sizeof msg, ek, addr, server_sk, full),
                     KMS_EINVAL);
    assert_int_equal(signcrypt_user_decrypt_seal(&ct, msg, 4, 8, msg, 32, ek, addr, server_sk,
                                                 full),
                     KMS_EINVAL);
    assert_int_equal(ct.len, 0);
    buf_free(&ct);
}

/* n - s for the secp256k1 group order n (big-endian). */
static void negate_s(uint8_t s[32])
{
    static const uint8_t n[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
        0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        s[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

/* Re-encrypts a doctored inner plaintext (inner is msg ‖ sig ‖ kd_serv). */
static void reseal(struct buf *ct, const struct buf *inner)
{
    buf_init(ct, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_encrypt(ct, ek, inner->data, inner->len), 0);
}

static void test_doctored_inner(void **state)
{
    (void)state;
    struct buf ct, inner, ct2;
    seal_fixed(&ct, msg, sizeof msg);
    buf_init_secret(&inner, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_decrypt(&inner, dk, ct.data, ct.len), 0);
    uint8_t *sig = inner.data + sizeof msg;

    /* the high-S twin of the signature is refused (and is exactly the twin) */
    uint8_t orig[64], back[64];
    memcpy(orig, sig, 64);
    negate_s(sig + 32);
    assert_false(ecdsa_sig_is_low_s(sig));
    assert_int_equal(ecdsa_sig_normalize(back, sig), 0);
    assert_memory_equal(back, orig, 64);
    reseal(&ct2, &inner);
    expect_open_fails(&ct2, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    buf_free(&ct2);
    memcpy(sig, orig, 64);

    /* the undoctored inner re-encrypted still opens (the reseal is sound) */
    reseal(&ct2, &inner);
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(signcrypt_open(&out, test_dsep, ct2.data, ct2.len, dk, addr, server_pk,
                                    sizeof server_pk),
                     0);
    assert_memory_equal(out.data, msg, sizeof msg);
    buf_free(&out);
    buf_free(&ct2);

    /* one message byte changed under a valid-looking trailer */
    inner.data[0] ^= 1;
    reseal(&ct2, &inner);
    expect_open_fails(&ct2, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    buf_free(&ct2);
    inner.data[0] ^= 1;

    /* a zero s is out of range */
    memset(sig + 32, 0, 32);
    reseal(&ct2, &inner);
    expect_open_fails(&ct2, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EVERIFY);
    buf_free(&ct2);

    /* shorter than a signature and a digest */
    inner.len = 95;
    reseal(&ct2, &inner);
    expect_open_fails(&ct2, test_dsep, dk, addr, server_pk, sizeof server_pk, KMS_EINVAL);
    buf_free(&ct2);
    buf_free(&inner);
    buf_free(&ct);
}

static void test_user_decrypt(void **state)
{
    (void)state;
    uint8_t link[32], pt[32];
    memset(link, 0x5c, sizeof link);
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 7 + 1);
    struct buf ct, out, inner;
    buf_init(&ct, BUF_UNLIMITED);
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(signcrypt_user_decrypt_seal(&ct, pt, sizeof pt, 8, link, sizeof link, ek,
                                                 addr, server_sk, server_pk33),
                     0);
    int32_t type = -1;
    assert_int_equal(signcrypt_user_decrypt_open(&out, &type, ct.data, ct.len, link, sizeof link,
                                                 dk, addr, server_pk, sizeof server_pk),
                     0);
    assert_int_equal(type, 8);
    assert_int_equal(out.len, sizeof pt);
    assert_memory_equal(out.data, pt, sizeof pt);

    /* the message is the SigncryptionPayload, signed under "USER_DEC" */
    buf_init_secret(&inner, BUF_UNLIMITED);
    assert_int_equal(signcrypt_open(&inner, DSEP_USER_DEC, ct.data, ct.len, dk, addr, server_pk,
                                    sizeof server_pk),
                     0);
    struct buf want;
    buf_init(&want, BUF_UNLIMITED);
    signcrypt_payload_encode(&want, pt, sizeof pt, 8, link, sizeof link);
    assert_int_equal(inner.len, want.len);
    assert_memory_equal(inner.data, want.data, want.len);
    assert_int_equal(8 + 32 + 4 + 8 + 32, want.len);

    /* another link, or a link of another length */
    out.len = 0;
    link[31] ^= 1;
    assert_int_equal(signcrypt_user_decrypt_open(&out, &type, ct.data, ct.len, link, sizeof link,
                                                 dk, addr, server_pk, sizeof server_pk),
                     KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "link"));
    assert_int_equal(type, 0);
    link[31] ^= 1;
    assert_int_equal(signcrypt_user_decrypt_open(&out, &type, ct.data, ct.len, link, 31, dk,
                                                 addr, server_pk, sizeof server_pk),
                     KMS_EVERIFY);
    assert_int_equal(out.len, 0);

    /* a generic signcryption under another separator is not a user decryption */
    buf_reset(&ct);
    assert_int_equal(
        signcrypt_seal(&ct, test_dsep, want.data, want.len, ek, addr, server_sk, server_pk33), 0);
    assert_int_equal(signcrypt_user_decrypt_open(&out, &type, ct.data, ct.len, link, sizeof link,
                                                 dk, addr, server_pk, sizeof server_pk),
                     KMS_EVERIFY);
    /* a valid user-decryption signcryption whose message is not a payload */
    buf_reset(&ct);
    assert_int_equal(
        signcrypt_seal(&ct, DSEP_USER_DEC, msg, sizeof msg, ek, addr, server_sk, server_pk33), 0);
    assert_int_equal(signcrypt_user_decrypt_open(&out, &type, ct.data, ct.len, link, sizeof link,
                                                 dk, addr, server_pk, sizeof server_pk),
                     KMS_EINVAL);
    assert_int_equal(out.len, 0);
    buf_free(&want);
    buf_free(&inner);
    buf_free(&ct);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_locked_vector),
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_inner_layout),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_wrong_parties),
        cmocka_unit_test(test_given_server_key),
        cmocka_unit_test(test_doctored_inner),
        cmocka_unit_test(test_user_decrypt),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

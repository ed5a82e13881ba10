/* The hybrid ML-KEM-512 + AES-256-GCM envelope: key encodings (byte layout
 * as node-tkms 0.12.8 writes them), round trips, and rejection of every kind
 * of tampering and malformed framing. Cross-checks against node-tkms itself
 * are in tests/interop/test_mlkem_pke.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/bincode.h"
#include "base/safeser.h"
#include "crypto/mlkem_pke.h"
#include "test_util.h"

static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];

static int setup(void **state)
{
    (void)state;
    uint8_t d[32], z[32];
    memset(d, 7, sizeof d);
    memset(z, 9, sizeof z);
    return mlkem512_keygen_derand(ek, dk, d, z);
}

/* The 69-byte prefix node-tkms puts before the 800-byte key (observed from
 * ml_kem_pke_pk_to_u8vec): safe_serialize header for "UnifiedPublicEncKey",
 * version V0, variant MlKem512, u64 length 800. */
static const char pk_prefix_hex[] =
    "0300000000000000302e35" "00000000" "0300000000000000302e31"
    "1300000000000000556e69666965645075626c6963456e634b6579"
    "00000000" "00000000" "2003000000000000";

static void test_pk_encoding(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 4096);
    mlkem_pke_encode_pk(&b, ek);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, MLKEM_PKE_PK_BYTES);
    assert_bytes_hex(b.data, 69, pk_prefix_hex);
    assert_memory_equal(b.data + 69, ek, MLKEM512_EK_BYTES);

    uint8_t back[MLKEM512_EK_BYTES];
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), 0);
    assert_memory_equal(back, ek, sizeof ek);

    /* truncated, extended, other scheme, other type name, bad key */
    assert_int_not_equal(mlkem_pke_decode_pk(back, b.data, b.len - 1), 0);
    buf_put_u8(&b, 0);
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), KMS_EINVAL);
    b.len--;
    b.data[57] = 1; /* MlKem1024 */
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "ML-KEM-512"));
    b.data[57] = 3; /* no such variant */
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), KMS_EINVAL);
    b.data[57] = 0;
    b.data[40] ^= 0x20; /* type name */
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), KMS_EINVAL);
    b.data[40] ^= 0x20;
    b.data[69] = 0xff; /* first coefficient becomes >= q */
    b.data[70] |= 0x0f;
    assert_int_equal(mlkem_pke_decode_pk(back, b.data, b.len), KMS_EINVAL);
    buf_free(&b);
}

static void test_sk_encoding(void **state)
{
    (void)state;
    struct buf b;
    buf_init_secret(&b, 4096);
    mlkem_pke_encode_sk(&b, dk);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, MLKEM_PKE_SK_BYTES);
    assert_bytes_hex(b.data, 8, "6006000000000000"); /* u64 1632 */
    uint8_t back[MLKEM512_DK_BYTES];
    assert_int_equal(mlkem_pke_decode_sk(back, b.data, b.len), 0);
    assert_memory_equal(back, dk, sizeof dk);
    assert_int_equal(mlkem_pke_decode_sk(back, b.data, b.len - 1), KMS_EINVAL);
    assert_int_equal(mlkem_pke_decode_sk(back, b.data + 8, b.len - 8), KMS_EINVAL);
    buf_free(&b);
}

static void roundtrip(size_t n)
{
    uint8_t *msg = malloc(n + 1);
    assert_non_null(msg);
    for (size_t i = 0; i < n; i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    struct buf ct, pt;
    buf_init(&ct, BUF_UNLIMITED);
    buf_init_secret(&pt, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_encrypt(&ct, ek, msg, n), 0);
    assert_int_equal(ct.len, n + MLKEM_PKE_OVERHEAD);
    assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, ct.len), 0);
    assert_int_equal(pt.len, n);
    if (n > 0)
        assert_memory_equal(pt.data, msg, n);
    buf_free(&ct);
    buf_free(&pt);
    free(msg);
}

static void test_roundtrip(void **state)
{
    (void)state;
    size_t lens[] = {0, 1, 16, 17, 1000, 70000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        roundtrip(lens[i]);
}

/* The framing is exactly nonce || Vec(kem_ct) || Vec(payload||tag). */
static void test_ciphertext_layout(void **state)
{
    (void)state;
    uint8_t m[32], nonce[12];
    memset(m, 1, sizeof m);
    memset(nonce, 0xab, sizeof nonce);
    struct buf ct;
    buf_init(&ct, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_encrypt_derand(&ct, ek, (const uint8_t *)"hi", 2, m, nonce), 0);
    assert_memory_equal(ct.data, nonce, 12);
    assert_bytes_hex(ct.data + 12, 8, "0003000000000000");
    uint8_t kem_ct[MLKEM512_CT_BYTES], ss[32];
    assert_int_equal(mlkem512_encaps_derand(kem_ct, ss, ek, m), 0);
    assert_memory_equal(ct.data + 20, kem_ct, sizeof kem_ct);
    assert_bytes_hex(ct.data + 788, 8, "1200000000000000"); /* 2 + 16 */
    assert_int_equal(ct.len, 796 + 18);
    buf_free(&ct);
}

static void test_tampering(void **state)
{
    (void)state;
    struct buf ct, pt;
    buf_init(&ct, BUF_UNLIMITED);
    buf_init_secret(&pt, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_encrypt(&ct, ek, (const uint8_t *)"secret share", 12), 0);
    size_t positions[] = {0, 11, 20, 500, 787, 796, 800, ct.len - 1};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        ct.data[positions[i]] ^= 0x80;
        assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, ct.len), KMS_EVERIFY);
        assert_int_equal(pt.len, 0); /* nothing released */
        ct.data[positions[i]] ^= 0x80;
    }
    /* framing errors */
    assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, ct.len - 1), KMS_EINVAL);
    assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, 5), KMS_EINVAL);
    ct.data[12] = 0xff; /* kem_ct length */
    assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, ct.len), KMS_EINVAL);
    ct.data[12] = 0x00;
    ct.data[788] = 0x0f; /* payload shorter than a tag */
    assert_int_equal(mlkem_pke_decrypt(&pt, dk, ct.data, 796 + 15), KMS_EINVAL);
    assert_int_equal(pt.len, 0);
    buf_free(&ct);
    buf_free(&pt);
}

static void test_wrong_key(void **state)
{
    (void)state;
    uint8_t ek2[MLKEM512_EK_BYTES], dk2[MLKEM512_DK_BYTES];
    assert_int_equal(mlkem512_keygen(ek2, dk2), 0);
    struct buf ct, pt;
    buf_init(&ct, BUF_UNLIMITED);
    buf_init_secret(&pt, BUF_UNLIMITED);
    assert_int_equal(mlkem_pke_encrypt(&ct, ek, (const uint8_t *)"x", 1), 0);
    assert_int_equal(mlkem_pke_decrypt(&pt, dk2, ct.data, ct.len), KMS_EVERIFY);
    buf_free(&ct);
    buf_free(&pt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pk_encoding),     cmocka_unit_test(test_sk_encoding),
        cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_ciphertext_layout),
        cmocka_unit_test(test_tampering),       cmocka_unit_test(test_wrong_key),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

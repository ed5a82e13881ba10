/* Structural request checks (service/request_check.h) on hand-built
 * protobuf-c messages: the reference's rules (kms-features.md §1.3–§1.5,
 * §2.2–§2.5) — request-id syntax, defaults for unset context and epoch,
 * EIP-55 domains, signing schemes, parameters, keyset configurations,
 * ciphertext lists and user-decryption requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "crypto/mlkem.h"
#include "crypto/mlkem_pke.h"
#include "service/request_check.h"
#include "test_util.h"

static const char *const ID_A = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
static const char *const ID_B = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
/* EIP-55 examples from the EIP itself */
static const char *const ADDR1 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
static const char *const ADDR2 = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";

static Kms__V1__RequestId id_msg(const char *s)
{
    Kms__V1__RequestId m = KMS__V1__REQUEST_ID__INIT;
    m.request_id = (char *)s;
    return m;
}

static uint8_t chain[2] = {0x1f, 0x46};

static Kms__V1__Eip712DomainMsg domain_msg(void)
{
    Kms__V1__Eip712DomainMsg d = KMS__V1__EIP712_DOMAIN_MSG__INIT;
    d.name = "Decryption";
    d.version = "1";
    d.chain_id.data = chain;
    d.chain_id.len = sizeof chain;
    d.verifying_contract = (char *)ADDR1;
    return d;
}

static void test_ids(void **state)
{
    (void)state;
    struct request_id id;
    Kms__V1__RequestId m = id_msg(ID_A);
    assert_int_equal(request_check_id(&id, &m, "request_id"), 0);
    assert_int_equal(id.b[0], 0xa1);
    assert_int_equal(request_check_id(&id, NULL, "request_id"), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "request_id"));
    static const char *const bad[] = {
        "", "xyz", "a1", "0x", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "g1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "0000000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = id_msg(bad[i]);
        assert_int_equal(request_check_id(&id, &m, "key_id"), KMS_EINVAL);
        assert_non_null(strstr(kms_err_msg(), "key_id"));
    }
    m = id_msg(NULL);
    assert_int_equal(request_check_id(&id, &m, "key_id"), KMS_EINVAL);
    /* accepted as the reference's FromStr accepts it */
    m = id_msg(" 0xA1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1 ");
    assert_int_equal(request_check_id(&id, &m, "request_id"), 0);
    char hex[65];
    request_id_format(hex, &id);
    assert_string_equal(hex, ID_A);
    /* unset optional ids take the defaults 07 00…01 and 08 00…01 */
    assert_int_equal(request_check_id_or(&id, NULL, &request_check_default_context, "c"), 0);
    assert_int_equal(id.b[0], 7);
    assert_int_equal(id.b[31], 1);
    assert_int_equal(request_check_default_epoch.b[0], 8);
}

static void test_domain_schemes_params(void **state)
{
    (void)state;
    struct eip712_domain d;
    Kms__V1__Eip712DomainMsg m = domain_msg();
    assert_int_equal(request_check_domain(&d, &m), 0);
    assert_int_equal(d.chain_id[31], 0x46);
    assert_int_equal(request_check_domain(&d, NULL), KMS_EINVAL);
    m.verifying_contract = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"; /* not EIP-55 */
    assert_int_equal(request_check_domain(&d, &m), KMS_EINVAL);
    m = domain_msg();
    uint8_t salt[31] = {0};
    m._salt_case = KMS__V1__EIP712_DOMAIN_MSG___SALT_SALT;
    m.salt.data = salt;
    m.salt.len = sizeof salt;
    assert_int_equal(request_check_domain(&d, &m), KMS_EINVAL);

    struct request_schemes s;
    Kms__V1__SigningSchemeType ok[] = {KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1,
                                       KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1};
    assert_int_equal(request_check_schemes(&s, ok, 2), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(request_check_schemes(&s, NULL, 0), 0);
    assert_int_equal(s.n, 0);
    Kms__V1__SigningSchemeType ed = KMS__V1__SIGNING_SCHEME_TYPE__ED25519, bad = 99;
    assert_int_equal(request_check_schemes(&s, &ed, 1), KMS_EUNIMPL);
    assert_int_equal(request_check_schemes(&s, &bad, 1), KMS_EINVAL);

    const struct tfhe_params *p;
    assert_int_equal(request_check_params(&p, 0, 0), 0);
    assert_non_null(p);
    assert_int_equal(request_check_params(&p, 1, 0), KMS_EINVAL);
    assert_int_equal(request_check_params(&p, 1, 1), 0);
    assert_non_null(p);
    assert_int_equal(request_check_params(&p, 2, 1), KMS_EINVAL);
    assert_int_equal(request_check_params(&p, -1, 1), KMS_EINVAL);
}

static void test_keyset(void **state)
{
    (void)state;
    int compressed = -1;
    assert_int_equal(request_check_keyset(&compressed, NULL, NULL), 0);
    assert_int_equal(compressed, 1); /* CompressedAll by default */
    Kms__V1__StandardKeySetConfig std = KMS__V1__STANDARD_KEY_SET_CONFIG__INIT;
    Kms__V1__KeySetConfig cfg = KMS__V1__KEY_SET_CONFIG__INIT;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EINVAL); /* no standard */
    cfg.standard_keyset_config = &std;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), 0);
    assert_int_equal(compressed, 1);
    std.compressed_key_config = KMS__V1__COMPRESSED_KEY_CONFIG__CompressedNone;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), 0);
    assert_int_equal(compressed, 0);
    std.secret_key_config = KMS__V1__KEY_GEN_SECRET_KEY_CONFIG__UseExisting;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EUNIMPL);
    std.secret_key_config = 7;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EINVAL);
    std.secret_key_config = 0;
    std.compute_key_type = 3;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EINVAL);
    cfg.keyset_type = KMS__V1__KEY_SET_TYPE__DecompressionOnly;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EUNIMPL);
    cfg.keyset_type = 5;
    assert_int_equal(request_check_keyset(&compressed, &cfg, NULL), KMS_EINVAL);
}

static uint8_t ct_bytes[4] = {1, 2, 3, 4};
static uint8_t handle[33];

static Kms__V1__TypedCiphertext ct_msg(int32_t type)
{
    Kms__V1__TypedCiphertext c = KMS__V1__TYPED_CIPHERTEXT__INIT;
    c.ciphertext.data = ct_bytes;
    c.ciphertext.len = sizeof ct_bytes;
    c.fhe_type = type;
    c.external_handle.data = handle;
    c.external_handle.len = 32;
    return c;
}

static void test_ciphertexts(void **state)
{
    (void)state;
    Kms__V1__TypedCiphertext c[3] = {ct_msg(0), ct_msg(5), ct_msg(8)};
    Kms__V1__TypedCiphertext *cp[3] = {&c[0], &c[1], &c[2]};
    size_t n = 0;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), 0);
    assert_int_equal(n, 1 + 8 + 32); /* Bool, Uint64, Uint256 plaintext bytes */
    assert_int_equal(request_check_ciphertexts(&n, cp, 0), KMS_EINVAL);
    assert_int_equal(request_check_ciphertexts(&n, cp, REQUEST_CHECK_MAX_CIPHERTEXTS + 1),
                     KMS_EINVAL);
    c[1].external_handle.len = 33;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "index 1"));
    c[1] = ct_msg(5);
    c[1].ciphertext.len = 0;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), KMS_EINVAL);
    c[1] = ct_msg(1000);
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), KMS_EINVAL);
    c[1] = ct_msg(5);
    c[1].ciphertext_format = 4;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), KMS_EINVAL);
    c[1].ciphertext_format = KMS__V1__CIPHERTEXT_FORMAT__BigExpanded;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), 0);
    cp[2] = NULL;
    assert_int_equal(request_check_ciphertexts(&n, cp, 3), KMS_EINVAL);
}

static void test_public_decrypt(void **state)
{
    (void)state;
    Kms__V1__TypedCiphertext c = ct_msg(5), *cp = &c;
    Kms__V1__RequestId rid = id_msg(ID_A), kid = id_msg(ID_B);
    Kms__V1__Eip712DomainMsg dom = domain_msg();
    Kms__V1__PublicDecryptionRequest m = KMS__V1__PUBLIC_DECRYPTION_REQUEST__INIT;
    m.request_id = &rid;
    m.key_id = &kid;
    m.domain = &dom;
    m.ciphertexts = &cp;
    m.n_ciphertexts = 1;
    struct checked_public_decrypt d;
    assert_int_equal(request_check_public_decrypt(&d, &m), 0);
    assert_int_equal(d.key_id.b[0], 0xb2);
    assert_true(request_id_equal(&d.context_id, &request_check_default_context));
    assert_true(request_id_equal(&d.epoch_id, &request_check_default_epoch));
    assert_int_equal(d.pt_bytes, 8);
    m.key_id = NULL;
    assert_int_equal(request_check_public_decrypt(&d, &m), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "key_id"));
    m.key_id = &kid;
    m.domain = NULL;
    assert_int_equal(request_check_public_decrypt(&d, &m), KMS_EINVAL);
    m.domain = &dom;
    m.n_ciphertexts = 0;
    assert_int_equal(request_check_public_decrypt(&d, &m), KMS_EINVAL);
}

static void test_keygen(void **state)
{
    (void)state;
    Kms__V1__RequestId rid = id_msg(ID_A), pid = id_msg(ID_B);
    Kms__V1__Eip712DomainMsg dom = domain_msg();
    Kms__V1__KeyGenRequest m = KMS__V1__KEY_GEN_REQUEST__INIT;
    m.request_id = &rid;
    m.domain = &dom;
    struct checked_keygen k;
    assert_int_equal(request_check_keygen(&k, &m, 0), 0);
    assert_false(k.has_preproc);
    assert_false(k.has_params);
    assert_int_equal(k.compressed, 1);
    m.preproc_id = &pid;
    m._params_case = KMS__V1__KEY_GEN_REQUEST___PARAMS_PARAMS;
    m.params = KMS__V1__FHE_PARAMETER__test;
    assert_int_equal(request_check_keygen(&k, &m, 0), KMS_EINVAL);
    assert_int_equal(request_check_keygen(&k, &m, 1), 0);
    assert_true(k.has_preproc);
    assert_true(k.has_params);
    assert_int_equal(k.params_value, 1);

    Kms__V1__KeyGenPreprocRequest p = KMS__V1__KEY_GEN_PREPROC_REQUEST__INIT;
    p.request_id = &rid;
    p.domain = &dom;
    struct checked_preproc cp;
    assert_int_equal(request_check_preproc(&cp, &p, 0), 0);
    p.request_id = NULL;
    assert_int_equal(request_check_preproc(&cp, &p, 0), KMS_EINVAL);
}

static void test_user_decrypt(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES], dz[32] = {9};
    assert_int_equal(mlkem512_keygen_derand(ek, dk, dz, dz), 0);
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    mlkem_pke_encode_pk(&b, ek);
    assert_int_equal(buf_status(&b), 0);
    Kms__V1__TypedCiphertext c[2] = {ct_msg(0), ct_msg(2)}, *cp[2] = {&c[0], &c[1]};
    Kms__V1__RequestId rid = id_msg(ID_A), kid = id_msg(ID_B);
    Kms__V1__Eip712DomainMsg dom = domain_msg();
    Kms__V1__UserDecryptionRequest m = KMS__V1__USER_DECRYPTION_REQUEST__INIT;
    m.request_id = &rid;
    m.key_id = &kid;
    m.domain = &dom;
    m.client_address = (char *)ADDR2;
    m.enc_key.data = b.data;
    m.enc_key.len = b.len;
    m.typed_ciphertexts = cp;
    m.n_typed_ciphertexts = 2;
    struct udp_bytes handles[2];
    struct checked_user_decrypt u;
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), 0);
    assert_int_equal(u.pt_bytes, 2);
    assert_int_equal(u.udp.n_handles, 2);
    assert_memory_equal(u.udp.ek, ek, sizeof ek);
    m.client_address = (char *)ADDR1; /* equals the verifying contract */
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.client_address = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"; /* not EIP-55 */
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.client_address = (char *)ADDR2;
    m.enc_key.len--;
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.enc_key.len++;
    m.n_typed_ciphertexts = 0;
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.n_typed_ciphertexts = 2;
    m.domain = NULL;
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.domain = &dom;
    c[1].external_handle.len = 33;
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    m.n_typed_ciphertexts = REQUEST_CHECK_MAX_CIPHERTEXTS + 1; /* refused before any read */
    assert_int_equal(request_check_user_decrypt(&u, handles, &m), KMS_EINVAL);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_domain_schemes_params),
        cmocka_unit_test(test_keyset),
        cmocka_unit_test(test_ciphertexts),
        cmocka_unit_test(test_public_decrypt),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_user_decrypt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

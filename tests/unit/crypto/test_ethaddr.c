/* Ethereum addresses: the EIP-155 example key, the EIP-55 specification's
 * test addresses (ethereum/EIPs EIPS/eip-55.md, plus the all-caps and
 * all-lower examples from the EIP-55 discussion, which ethers 6.17
 * getAddress also returns unchanged), the EIP-712 Example.js signer, and
 * the parser's error cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ctype.h>

#include "base/error.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "crypto/keccak.h"
#include "test_util.h"

static const char *const eip55_vectors[] = {
    /* all caps */
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    /* all lower */
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    /* mixed (the four in the EIP text) */
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

static int parse_str(uint8_t addr[20], const char *s, enum ethaddr_mode mode)
{
    return ethaddr_parse(addr, s, strlen(s), mode);
}

static void test_eip155_key(void **state)
{
    (void)state;
    uint8_t sk[32], addr[20];
    char str[ETHADDR_STR_LEN + 1];
    memset(sk, 0x46, 32);
    assert_int_equal(ethaddr_from_seckey(addr, sk), 0);
    assert_bytes_hex(addr, 20, "9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
    ethaddr_to_string(str, addr);
    assert_string_equal(str, "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");

    /* same address from the compressed public key */
    uint8_t pk[65], c[33], addr2[20];
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    assert_int_equal(ecdsa_pubkey_compress(c, pk, 65), 0);
    assert_int_equal(ethaddr_from_pubkey(addr2, c, 33), 0);
    assert_memory_equal(addr2, addr, 20);
}

static void test_eip55_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof eip55_vectors / sizeof eip55_vectors[0]; i++) {
        const char *want = eip55_vectors[i];
        char lower[ETHADDR_STR_LEN + 1], upper[ETHADDR_STR_LEN + 1], str[ETHADDR_STR_LEN + 1];
        uint8_t a[20], b[20];
        for (size_t j = 0; j <= ETHADDR_STR_LEN; j++) {
            lower[j] = (char)tolower((unsigned char)want[j]);
            upper[j] = (char)toupper((unsigned char)want[j]);
        }
        upper[1] = 'x';
        assert_int_equal(parse_str(a, lower, ETHADDR_ANY_CASE), 0);
        ethaddr_to_string(str, a);
        assert_string_equal(str, want);
        assert_int_equal(parse_str(b, want, ETHADDR_CHECKSUMMED), 0);
        assert_memory_equal(a, b, 20);
        assert_int_equal(parse_str(b, upper, ETHADDR_ANY_CASE), 0);
        assert_memory_equal(a, b, 20);
        /* without the prefix, any case */
        assert_int_equal(parse_str(b, lower + 2, ETHADDR_ANY_CASE), 0);
        assert_memory_equal(a, b, 20);
    }
}

/* Every single-letter case flip of a checksummed address is caught. */
static void test_checksum_mismatch(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof eip55_vectors / sizeof eip55_vectors[0]; i++) {
        char s[ETHADDR_STR_LEN + 1];
        uint8_t a[20], want[20];
        assert_int_equal(parse_str(want, eip55_vectors[i], ETHADDR_CHECKSUMMED), 0);
        for (size_t j = 2; j < ETHADDR_STR_LEN; j++) {
            memcpy(s, eip55_vectors[i], sizeof s);
            if (!isalpha((unsigned char)s[j]))
                continue;
            s[j] = (char)(islower((unsigned char)s[j]) ? toupper((unsigned char)s[j])
                                                       : tolower((unsigned char)s[j]));
            memset(a, 0xaa, 20);
            assert_int_equal(parse_str(a, s, ETHADDR_CHECKSUMMED), KMS_EINVAL);
            assert_non_null(strstr(kms_err_msg(), "checksum"));
            uint8_t zero[20] = {0};
            assert_memory_equal(a, zero, 20);
            assert_int_equal(parse_str(a, s, ETHADDR_ANY_CASE), 0);
            assert_memory_equal(a, want, 20);
        }
    }
    /* lower-case form of a mixed-case address: fine without the checksum
     * requirement, rejected with it (alloy parse_checksummed) */
    uint8_t a[20];
    assert_int_equal(parse_str(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", ETHADDR_CHECKSUMMED),
                     KMS_EINVAL);
    assert_int_equal(parse_str(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", ETHADDR_ANY_CASE), 0);
}

static void test_parse_errors(void **state)
{
    (void)state;
    uint8_t a[20];
    const char *good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    /* prefix rules */
    assert_int_equal(parse_str(a, good + 2, ETHADDR_CHECKSUMMED), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "0x"));
    assert_int_equal(parse_str(a, "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ETHADDR_CHECKSUMMED),
                     KMS_EINVAL);
    assert_int_equal(parse_str(a, "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ETHADDR_ANY_CASE), 0);
    /* lengths */
    assert_int_equal(ethaddr_parse(a, good, 41, ETHADDR_ANY_CASE), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "40 hex digits"));
    assert_int_equal(parse_str(a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0", ETHADDR_ANY_CASE),
                     KMS_EINVAL);
    assert_int_equal(parse_str(a, "", ETHADDR_ANY_CASE), KMS_EINVAL);
    assert_int_equal(parse_str(a, "0x", ETHADDR_CHECKSUMMED), KMS_EINVAL);
    assert_int_equal(ethaddr_parse(a, NULL, 0, ETHADDR_ANY_CASE), KMS_EINVAL);
    assert_int_equal(ethaddr_parse(a, NULL, 42, ETHADDR_ANY_CASE), KMS_EINVAL);
    /* characters */
    assert_int_equal(parse_str(a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", ETHADDR_ANY_CASE),
                     KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "character 41"));
    assert_int_equal(parse_str(a, "0x 5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", ETHADDR_ANY_CASE),
                     KMS_EINVAL);
    assert_int_equal(parse_str(a, "0x0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", ETHADDR_ANY_CASE),
                     KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "character 3 "));
    char nul[42];
    memcpy(nul, good, 42);
    nul[10] = '\0';
    assert_int_equal(ethaddr_parse(a, nul, 42, ETHADDR_ANY_CASE), KMS_EINVAL);
    /* unknown mode */
    assert_int_equal(ethaddr_parse(a, good, 42, (enum ethaddr_mode)7), KMS_EINVAL);
}

/* EIP-712 Example.js: the Ether Mail signature recovers the "cow" wallet,
 * whose checksummed form appears in the example's message. */
static void test_recover(void **state)
{
    (void)state;
    uint8_t sk[32], digest[32], sig[65], addr[20], from_sk[20];
    char str[ETHADDR_STR_LEN + 1];
    keccak256(sk, "cow", 3);
    uint8_t *d = test_unhex("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", NULL);
    uint8_t *s = test_unhex("4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
                            "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c",
                            NULL);
    memcpy(digest, d, 32);
    memcpy(sig, s, 65);
    free(d);
    free(s);
    assert_int_equal(ethaddr_recover(addr, digest, sig), 0);
    assert_bytes_hex(addr, 20, "cd2a3d9f938e13cd947ec05abc7fe734df8dd826");
    ethaddr_to_string(str, addr);
    assert_string_equal(str, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    assert_int_equal(ethaddr_from_seckey(from_sk, sk), 0);
    assert_memory_equal(from_sk, addr, 20);

    sig[64] = 29;
    assert_int_equal(ethaddr_recover(addr, digest, sig), KMS_EINVAL);
    uint8_t zero[20] = {0};
    assert_memory_equal(addr, zero, 20);
    uint8_t bad_pk[65] = {4};
    assert_int_equal(ethaddr_from_pubkey(addr, bad_pk, 65), KMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eip155_key),        cmocka_unit_test(test_eip55_vectors),
        cmocka_unit_test(test_checksum_mismatch), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_recover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

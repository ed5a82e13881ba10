/* abi.encode of plaintexts and the conversion of wire domains, against
 * values computed by hand from the Solidity ABI specification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "service/abi.h"
#include "test_util.h"

static void test_abi_encode(void **state)
{
    (void)state;
    uint8_t one = 1, u16[2] = {0x34, 0x12}, u64[8] = {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};
    struct typed_plaintext pts[] = {
        {&one, 1, 0},                 /* Bool true */
        {u16, 2, 3},                  /* Uint16 0x1234 */
        {u64, 8, 5},                  /* Uint64 */
        {u64, 8, 12345},              /* unknown id: skipped */
    };
    struct buf b;
    buf_init(&b, 4096);
    assert_int_equal(abi_encode_plaintexts(&b, pts, 4), 0);
    assert_int_equal(b.len, 96);
    assert_bytes_hex(b.data, 96,
                     "0000000000000000000000000000000000000000000000000000000000000001"
                     "0000000000000000000000000000000000000000000000000000000000001234"
                     "0000000000000000000000000000000000000000000000000123456789abcdef");
    buf_reset(&b);
    uint8_t big[33] = {0};
    struct typed_plaintext too_big = {big, 33, 8}, u4 = {&one, 1, 1}, u512 = {big, 32, 9};
    assert_int_equal(abi_encode_plaintexts(&b, &too_big, 1), KMS_EINVAL);
    assert_int_equal(abi_encode_plaintexts(&b, &u4, 1), KMS_EINVAL);   /* Uint4: not fhevm */
    assert_int_equal(abi_encode_plaintexts(&b, &u512, 1), KMS_EINVAL); /* Uint512 */
    buf_free(&b);
}

static void test_domain(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t chain[2] = {0x1f, 0x46}; /* 8006 */
    const char *vc = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    struct domain_fields f = {"Decryption", 10, "1", 1, chain, 2, vc, strlen(vc), 0, NULL, 0};
    assert_int_equal(domain_from_fields(&d, &f), 0);
    assert_int_equal(d.fields, EIP712_DOMAIN_STANDARD);
    assert_int_equal(d.chain_id[31], 0x46);
    assert_int_equal(d.chain_id[30], 0x1f);
    const char *lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
    f.verifying_contract = lower;
    assert_int_equal(domain_from_fields(&d, &f), KMS_EINVAL); /* not checksummed */
    f.verifying_contract = vc;
    uint8_t salt[32] = {7};
    f.has_salt = 1;
    f.salt = salt;
    f.salt_len = 31;
    assert_int_equal(domain_from_fields(&d, &f), KMS_EINVAL);
    f.salt_len = 32;
    assert_int_equal(domain_from_fields(&d, &f), 0);
    assert_true(d.fields & EIP712_DOMAIN_SALT);
    uint8_t long_chain[33] = {1};
    f.chain_id = long_chain;
    f.chain_id_len = 33;
    assert_int_equal(domain_from_fields(&d, &f), KMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_abi_encode),
                                       cmocka_unit_test(test_domain)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

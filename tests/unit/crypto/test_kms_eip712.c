/* The KMS's EIP-712 structs. Type strings are checked against the struct
 * definitions of kms core/grpc/src/solidity_types.rs; every hashStruct,
 * digest and signature expected below was computed by ethers 6.17
 * (TypedDataEncoder.hashStruct / .hash with the member lists of those
 * structs, and Wallet(0x46…46).signingKey.sign), an independent
 * implementation. The randomized version of this check is
 * tests/interop/test_eip712.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "crypto/eip712.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "test_util.h"

static uint8_t sk46[32];
static uint8_t h1[32], h2[32], handles2[64];

/* name "Decryption", version "1", chainId 12345, no salt */
static void decryption_domain(struct eip712_domain *d)
{
    static const char contract[] = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    memset(d, 0, sizeof *d);
    d->fields = EIP712_DOMAIN_STANDARD;
    d->name = "Decryption";
    d->name_len = 10;
    d->version = "1";
    d->version_len = 1;
    eip712_u256_from_u64(d->chain_id, 12345);
    assert_int_equal(ethaddr_parse(d->verifying_contract, contract, 42, ETHADDR_CHECKSUMMED), 0);
}

/* name "KMSGeneration", version "1", chainId 54321, salt 0x22…22 */
static void generation_domain(struct eip712_domain *d)
{
    static const char contract[] = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
    memset(d, 0, sizeof *d);
    d->fields = EIP712_DOMAIN_STANDARD | EIP712_DOMAIN_SALT;
    d->name = "KMSGeneration";
    d->name_len = 13;
    d->version = "1";
    d->version_len = 1;
    eip712_u256_from_u64(d->chain_id, 54321);
    assert_int_equal(ethaddr_parse(d->verifying_contract, contract, 42, ETHADDR_CHECKSUMMED), 0);
    memset(d->salt, 0x22, 32);
}

/* Signs struct_hash under d and checks digest, signature and signer. */
static void check_signed(const struct eip712_domain *d, const uint8_t struct_hash[32],
                         const char *digest_hex, const char *sig_hex)
{
    uint8_t sig[65], digest[32], addr[20], want_addr[20];
    assert_int_equal(kms_eip712_sign(sig, digest, sk46, d, struct_hash), 0);
    assert_bytes_hex(digest, 32, digest_hex);
    assert_bytes_hex(sig, 65, sig_hex);
    assert_int_equal(ethaddr_recover(addr, digest, sig), 0);
    assert_int_equal(ethaddr_from_seckey(want_addr, sk46), 0);
    assert_memory_equal(addr, want_addr, 20);
    /* digest_out is optional */
    assert_int_equal(kms_eip712_sign(sig, NULL, sk46, d, struct_hash), 0);
    assert_bytes_hex(sig, 65, sig_hex);
}

static void test_type_strings(void **state)
{
    (void)state;
    /* encodeType of each solidity_types.rs struct, as ethers derives it */
    assert_string_equal(KMS_EIP712_PUBLIC_DECRYPT_TYPE,
                        "PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,"
                        "bytes extraData)");
    assert_string_equal(KMS_EIP712_USER_DECRYPT_RESPONSE_TYPE,
                        "UserDecryptResponseVerification(bytes publicKey,bytes32[] ctHandles,"
                        "bytes userDecryptedShare,bytes extraData)");
    assert_string_equal(KMS_EIP712_KEYGEN_TYPE,
                        "KeygenVerification(uint256 prepKeygenId,uint256 keyId,"
                        "KeyDigest[] keyDigests,bytes extraData)KeyDigest(uint8 keyType,bytes digest)");
    assert_string_equal(KMS_EIP712_CRSGEN_TYPE, "CrsgenVerification(uint256 crsId,"
                                                "uint256 maxBitLength,bytes crsDigest,bytes extraData)");
    assert_string_equal(KMS_EIP712_PREP_KEYGEN_TYPE,
                        "PrepKeygenVerification(uint256 prepKeygenId,bytes extraData)");
    assert_string_equal(KMS_EIP712_USER_DECRYPTION_LINKER_TYPE,
                        "UserDecryptionLinker(bytes publicKey,bytes32[] handles,address userAddress)");
}

static void test_handle_word(void **state)
{
    (void)state;
    uint8_t w[32], h[33];
    memset(h, 0x02, sizeof h);
    assert_int_equal(kms_eip712_handle_word(w, h, 20), 0);
    assert_memory_equal(w, h2, 32);
    assert_int_equal(kms_eip712_handle_word(w, h, 32), 0);
    assert_bytes_hex(w, 32, "0202020202020202020202020202020202020202020202020202020202020202");
    assert_int_equal(kms_eip712_handle_word(w, NULL, 0), 0);
    assert_bytes_hex(w, 32, "0000000000000000000000000000000000000000000000000000000000000000");
    memset(w, 0xaa, 32);
    assert_int_equal(kms_eip712_handle_word(w, h, 33), KMS_EINVAL);
    assert_bytes_hex(w, 32, "0000000000000000000000000000000000000000000000000000000000000000");
}

static void test_public_decrypt(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], result[32] = {0};
    result[31] = 0x2a;
    kms_eip712_public_decrypt(out, handles2, 2, result, 32, (const uint8_t *)"\x00", 1);
    assert_bytes_hex(out, 32, "ed70f54dc9282ab002eee3022958810bdaa9ac892c70194d7e83df73497cf9b7");
    decryption_domain(&d);
    check_signed(&d, out, "9f1adfa3841a048066d8de1e95e768010614a89346e67ab80c598ab010429bf8",
                 "dc92fb38c0dceea27ccd0c8da8d102d6cdea4fc3f6137247b9c51c0148e59f18"
                 "2132327e8f11863064438474e1e56ff908fce9326250f1277639b665baad3e271b");
}

static void test_user_decrypt_response(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], extra[33];
    extra[0] = 0x01;
    memset(extra + 1, 0x33, 32);
    kms_eip712_user_decrypt_response(out, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a",
                                     10, h1, 1, (const uint8_t *)"\xab\xcd\xef", 3, extra,
                                     sizeof extra);
    assert_bytes_hex(out, 32, "9f7708cecefc30a707553826eb0e2c6f6bb7844c00224fdafc601af15584055d");
    decryption_domain(&d);
    check_signed(&d, out, "767a73a790cb23b5735de2b69a2db2c335a6b7e9bbf949492add52eeef44c175",
                 "50134a6b49c3c984a1d7b12553f0120fa5db464ad4747d6c02be3555eefc081e"
                 "0c79542cbe6b9376dbfd9c1c24981c2ca75ae9a092b1cf09fd2532e23af2b2751b");
}

static void test_keygen(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], prep[32] = {0}, key[32] = {0}, dig0[32], dig1[32], extra[65];
    prep[0] = 0x10;
    prep[31] = 0xff;
    key[0] = 0x20;
    key[31] = 0xee;
    memset(dig0, 0x55, 32);
    memset(dig1, 0x66, 32);
    extra[0] = 0x02;
    memset(extra + 1, 0x44, 64);
    const struct kms_eip712_key_digest kd[2] = {
        {KMS_EIP712_KEY_SERVER, dig0, 32},
        {KMS_EIP712_KEY_PUBLIC, dig1, 32},
    };
    kms_eip712_key_digest(out, &kd[0]);
    assert_bytes_hex(out, 32, "966efe33d783c0a567a3526df0b2736d6dd84d74769a102d9c3945776d4cf82c");
    kms_eip712_keygen(out, prep, key, kd, 2, extra, sizeof extra);
    assert_bytes_hex(out, 32, "5bc2d2b86723dfd950bc2c49e01b5c570288139c76671f6084bcef92e58d928d");
    generation_domain(&d);
    check_signed(&d, out, "12005847630e9ad8cc772b39b3d247f63138b06c0d1f6d532eb085ffbd4ffffd",
                 "f1cf58b61e68f79377ea04f65eb9876b3758304e69bf1eda320647a1b5a99f4d"
                 "1a20d060215d8a9a0f4f9b3eb2099703b51ff4c6979c4d705efbff037faeb3c31b");
}

static void test_crsgen(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], id[32], dig[32];
    memset(id, 0x30, 32);
    memset(dig, 0x77, 32);
    kms_eip712_crsgen(out, id, 2048, dig, 32, (const uint8_t *)"\x00", 1);
    assert_bytes_hex(out, 32, "626067c84596c1d980e5a3c8dc71e30f52d66eba7002ec6c45fe1307824163f1");
    generation_domain(&d);
    check_signed(&d, out, "156b761dc6a94ca0540da9b5e63ddd79818cef823722313d436bd92773dd2d99",
                 "e4bec739ba074375103e7a13e9e586343c3aba17d4f87244e0eb4938f7944598"
                 "712020af4e2595b8b664045cf54efe3226ac1eb273d4abb9cda7614cdf5a67381b");
}

static void test_prep_keygen(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], id[32];
    memset(id, 0xfe, 32);
    kms_eip712_prep_keygen(out, id, NULL, 0);
    assert_bytes_hex(out, 32, "933b23641abb2b981b14cae11704eab7da3ac12fa7d14ebf94729b3f0f25760b");
    generation_domain(&d);
    check_signed(&d, out, "04f39077117a25e97decf8ca819d28aed789a36fe9f61d7139644234a9c49a77",
                 "879c12d3bf2447827c6d76a6fc0f89bf267e55a520e6ce66a7f0e9ebfb92de14"
                 "01f98433d6f79e055fcfca289655edddf0e0a60d19ca2c0b3095a66ac39ec9201b");
}

static void test_user_decryption_linker(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t out[32], user[20];
    static const char user_str[] = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB";
    assert_int_equal(ethaddr_parse(user, user_str, 42, ETHADDR_CHECKSUMMED), 0);
    kms_eip712_user_decryption_linker(out, (const uint8_t *)"\x0a\x0b\x0c", 3, handles2, 2, user);
    assert_bytes_hex(out, 32, "2ca780a04cef9edab8bb9978f1851d1e89a38d0867ef070acaee02a2c5616da9");
    decryption_domain(&d);
    check_signed(&d, out, "b640a806f2f10616fdd317697491388c71335144d60ba5d383e52a84f90b8285",
                 "2e8029bd84bd9afd9d82c04416f5a0ce0d90c3a8cccd04e16bba81a59da3bc20"
                 "27e20fd264eb8ac68d96782969ed6af8079a052a146e0df5aa58a9cddbe5ad2a1b");
}

static void test_sign_errors(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t sig[65], digest[32], zero_sk[32] = {0}, hash[32] = {0}, zero[65] = {0};
    decryption_domain(&d);
    memset(sig, 0xaa, sizeof sig);
    memset(digest, 0xaa, sizeof digest);
    assert_int_equal(kms_eip712_sign(sig, digest, zero_sk, &d, hash), KMS_EINVAL);
    assert_memory_equal(sig, zero, 65);
    assert_memory_equal(digest, zero, 32);
    d.fields = 0x40;
    assert_int_equal(kms_eip712_sign(sig, digest, sk46, &d, hash), KMS_EINVAL);
}

int main(void)
{
    memset(sk46, 0x46, sizeof sk46);
    memset(h1, 0x01, 32);
    memset(h2 + 12, 0x02, 20); /* a 20-byte external handle, left-padded */
    memcpy(handles2, h1, 32);
    memcpy(handles2 + 32, h2, 32);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_strings),
        cmocka_unit_test(test_handle_word),
        cmocka_unit_test(test_public_decrypt),
        cmocka_unit_test(test_user_decrypt_response),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_crsgen),
        cmocka_unit_test(test_prep_keygen),
        cmocka_unit_test(test_user_decryption_linker),
        cmocka_unit_test(test_sign_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

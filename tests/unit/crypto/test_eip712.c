/* EIP-712 hashing: the specification's "Ether Mail" example (ethereum/EIPs
 * assets/eip-712/Example.js: Mail type hash, encodeData words, hashStruct,
 * domain separator, digest, signature and signer), plus domains with and
 * without optional members and a struct using every encoder, whose expected
 * hashes come from ethers 6.17 TypedDataEncoder (an independent
 * implementation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "crypto/ecdsa.h"
#include "crypto/eip712.h"
#include "crypto/ethaddr.h"
#include "crypto/keccak.h"
#include "test_util.h"

static void address_of(uint8_t out[20], const char *checksummed)
{
    assert_int_equal(ethaddr_parse(out, checksummed, strlen(checksummed), ETHADDR_CHECKSUMMED), 0);
}

static void person_hash(uint8_t out[32], const char *name, const char *wallet)
{
    struct eip712_struct s;
    uint8_t th[32], addr[20];
    eip712_type_hash(th, "Person(string name,address wallet)");
    address_of(addr, wallet);
    eip712_struct_init(&s, th);
    eip712_put_string(&s, name, strlen(name));
    eip712_put_address(&s, addr);
    eip712_struct_final(&s, out);
}

static void mail_domain(struct eip712_domain *d)
{
    memset(d, 0, sizeof *d);
    d->fields = EIP712_DOMAIN_STANDARD;
    d->name = "Ether Mail";
    d->name_len = strlen(d->name);
    d->version = "1";
    d->version_len = 1;
    eip712_u256_from_u64(d->chain_id, 1);
    address_of(d->verifying_contract, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");
}

static void test_type_hashes(void **state)
{
    (void)state;
    uint8_t h[32];
    /* from Example.js */
    eip712_type_hash(h, "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
    assert_bytes_hex(h, 32, "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
    /* from ethers 6.17 (ethers.id) */
    eip712_type_hash(h, "Person(string name,address wallet)");
    assert_bytes_hex(h, 32, "b9d8c78acf9b987311de6c7b45bb6a9c8e1bf361fa7fd3467a2163f994c79500");
    eip712_type_hash(h, "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    assert_bytes_hex(h, 32, "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f");
}

static void test_ether_mail(void **state)
{
    (void)state;
    uint8_t cow[32], bob[32], contents[32], th[32], mail[32], ds[32], digest[32];
    /* encodeData words from Example.js */
    person_hash(cow, "Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    assert_bytes_hex(cow, 32, "fc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8");
    person_hash(bob, "Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB");
    assert_bytes_hex(bob, 32, "cd54f074a4af31b4411ff6a60c9719dbd559c221c8ac3492d9d872b041d703d1");
    keccak256(contents, "Hello, Bob!", 11);
    assert_bytes_hex(contents, 32, "b5aadf3154a261abdd9086fc627b61efca26ae5702701d05cd2305f7c52a2fc8");

    struct eip712_struct s;
    eip712_type_hash(th, "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
    eip712_struct_init(&s, th);
    eip712_put_word(&s, cow);
    eip712_put_word(&s, bob);
    eip712_put_string(&s, "Hello, Bob!", 11);
    eip712_struct_final(&s, mail);
    assert_bytes_hex(mail, 32, "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");

    struct eip712_domain d;
    mail_domain(&d);
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    eip712_digest(digest, ds, mail);
    assert_bytes_hex(digest, 32, "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    memset(digest, 0, 32);
    assert_int_equal(eip712_digest_for_domain(digest, &d, mail), 0);
    assert_bytes_hex(digest, 32, "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");

    uint8_t sk[32], sig[65], addr[20];
    keccak256(sk, "cow", 3);
    assert_int_equal(ecdsa_sign_recoverable(sig, sk, digest), 0);
    assert_bytes_hex(sig, 65,
                     "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
                     "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
                     "1c");
    assert_int_equal(ethaddr_recover(addr, digest, sig), 0);
    assert_bytes_hex(addr, 20, "cd2a3d9f938e13cd947ec05abc7fe734df8dd826");
}

/* Expected separators from ethers 6.17 TypedDataEncoder.hashDomain, which
 * also keeps only the members present. */
static void test_domains(void **state)
{
    (void)state;
    struct eip712_domain d;
    uint8_t ds[32];

    memset(&d, 0, sizeof d);
    d.fields = EIP712_DOMAIN_STANDARD | EIP712_DOMAIN_SALT;
    d.name = "Decryption";
    d.name_len = 10;
    d.version = "1";
    d.version_len = 1;
    eip712_u256_from_u64(d.chain_id, 54321);
    address_of(d.verifying_contract, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    memset(d.salt, 0x11, 32);
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "0d81269a72f612653a657612db09d65fc0c44936060fe3b695e0a07680a4a3fc");

    memset(&d, 0, sizeof d);
    d.fields = EIP712_DOMAIN_NAME | EIP712_DOMAIN_CHAIN_ID;
    d.name = "KMSGeneration";
    d.name_len = 13;
    d.chain_id[31] = 1;
    memset(d.salt, 0x77, 32); /* absent members are ignored */
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "0f8854befd4b19471557eee1d6df8110c927c5c4f783c01e453e21ecba3312c6");

    memset(&d, 0, sizeof d);
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "6192106f129ce05c9075d319c1fa6ea9b3ae37cbd0c1ef92e2be7137bb07baa1");

    d.fields = EIP712_DOMAIN_SALT;
    memset(d.salt, 0xab, 32);
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "78bbe1ecde41bdd18f98dab7390ffde37ddcc2e651fb2ce682ad7f2b0d7e7930");

    /* empty strings, a chain ID above 2^255, the zero address */
    memset(&d, 0, sizeof d);
    d.fields = EIP712_DOMAIN_STANDARD | EIP712_DOMAIN_SALT;
    d.name = "";
    d.version = NULL; /* empty */
    d.chain_id[0] = 0x80;
    d.chain_id[31] = 7;
    memset(d.salt, 0xff, 32);
    assert_int_equal(eip712_domain_separator(ds, &d), 0);
    assert_bytes_hex(ds, 32, "87b6cd8c42735dbda7bb89c92a8d8d5e355eb4855c27d242c44255461eab4e7b");

    d.fields |= 0x20;
    memset(ds, 0xaa, 32);
    assert_int_equal(eip712_domain_separator(ds, &d), KMS_EINVAL);
    uint8_t zero[32] = {0};
    assert_memory_equal(ds, zero, 32);
    assert_int_equal(eip712_digest_for_domain(ds, &d, zero), KMS_EINVAL);
}

#define EVERYTHING_TYPE                                                        \
    "Everything(bool flag,uint8 small,uint64 big,uint256 huge,address who,bytes32 tag,"  \
    "bytes blob,string text,bytes32[] list,Item[] items)Item(uint8 kind,bytes data)"

static void item_hash(uint8_t out[32], uint8_t kind, const void *data, size_t n)
{
    struct eip712_struct s;
    uint8_t th[32];
    eip712_type_hash(th, "Item(uint8 kind,bytes data)");
    eip712_struct_init(&s, th);
    eip712_put_uint(&s, kind);
    eip712_put_bytes(&s, data, n);
    eip712_struct_final(&s, out);
}

/* Every encoder against ethers 6.17 TypedDataEncoder.hashStruct. */
static void test_all_encoders(void **state)
{
    (void)state;
    uint8_t th[32], out[32], huge[32], tag[32], list[64], items[64], who[20];
    eip712_type_hash(th, EVERYTHING_TYPE);
    assert_bytes_hex(th, 32, "6ca8b74cbad9374432f16e4321ec74ce481ea231c127014673c946200008b295");

    item_hash(items, 1, NULL, 0);
    assert_bytes_hex(items, 32, "4c2affb26ad130b3cb9146336fb17c8173c2694d1ddb1528e7ea2345d63d7d7a");
    item_hash(items + 32, 3, "\xde\xad\xbe\xef", 4);
    assert_bytes_hex(items + 32, 32, "40cd65118c3e365975fd0d05727bd13c2caa333c29ee50c6d8bc3669e06278f9");

    memset(huge, 0xff, 32);
    memset(tag, 0x11, 32);
    memset(list, 0xaa, 32);
    memset(list + 32, 0xbb, 32);
    address_of(who, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");

    struct eip712_struct s;
    eip712_struct_init(&s, th);
    eip712_put_bool(&s, 5); /* any non-zero is true */
    eip712_put_uint(&s, 200);
    eip712_put_uint(&s, 0xfedcba9876543210u);
    eip712_put_word(&s, huge);
    eip712_put_address(&s, who);
    eip712_put_word(&s, tag);
    eip712_put_bytes(&s, "\x01\x02", 2);
    eip712_put_string(&s, "h\xc3\xa9llo", 6);
    eip712_put_words(&s, list, 2);
    /* the struct array, element by element */
    struct eip712_array a;
    uint8_t arr[32];
    eip712_array_init(&a);
    eip712_array_add(&a, items);
    eip712_array_add(&a, items + 32);
    eip712_array_final(&a, arr);
    eip712_put_word(&s, arr);
    eip712_struct_final(&s, out);
    assert_bytes_hex(out, 32, "e5027ce8fcc3806b400298dbf3c0b11ec3451e8865f94a995750ce1ac775d4d0");

    /* zero / empty values, empty arrays */
    uint8_t zero[32] = {0};
    eip712_struct_init(&s, th);
    eip712_put_bool(&s, 0);
    eip712_put_uint(&s, 0);
    eip712_put_uint(&s, 0);
    eip712_put_word(&s, zero);
    eip712_put_address(&s, who);
    eip712_put_word(&s, tag);
    eip712_put_bytes(&s, NULL, 0);
    eip712_put_string(&s, "", 0);
    eip712_put_words(&s, NULL, 0);
    eip712_array_init(&a);
    eip712_array_final(&a, arr);
    assert_bytes_hex(arr, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    eip712_put_word(&s, arr);
    eip712_struct_final(&s, out);
    assert_bytes_hex(out, 32, "71cca65b71dc5b84bf202235584d585e0196b5853f528e6dc9e6f06745abdf07");
}

static void test_u256_helpers(void **state)
{
    (void)state;
    uint8_t w[32], in[40];
    eip712_u256_from_u64(w, 0x0102030405060708u);
    assert_bytes_hex(w, 32, "0000000000000000000000000000000000000000000000000102030405060708");
    assert_int_equal(eip712_u256_from_be(w, (const uint8_t *)"\xd4\x31", 2), 0);
    assert_bytes_hex(w, 32, "000000000000000000000000000000000000000000000000000000000000d431");
    assert_int_equal(eip712_u256_from_be(w, NULL, 0), 0);
    assert_bytes_hex(w, 32, "0000000000000000000000000000000000000000000000000000000000000000");
    memset(in, 0, sizeof in);
    in[39] = 9;
    in[8] = 0x80;
    assert_int_equal(eip712_u256_from_be(w, in, 40), 0); /* 8 leading zeros */
    assert_bytes_hex(w, 32, "8000000000000000000000000000000000000000000000000000000000000009");
    in[7] = 1;
    assert_int_equal(eip712_u256_from_be(w, in, 40), KMS_EINVAL);
    assert_int_equal(eip712_u256_from_be(w, in + 7, 33), KMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_hashes),  cmocka_unit_test(test_ether_mail),
        cmocka_unit_test(test_domains),      cmocka_unit_test(test_all_encoders),
        cmocka_unit_test(test_u256_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

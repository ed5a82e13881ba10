/* Public-decryption signatures (service/pubdec.h): the payload bytes are
 * rebuilt here field by field from the layout the header gives (bincode
 * legacy of the reference's PublicDecryptionResponsePayload), and the
 * EIP-712 digest is recomputed here from the EIP-712 and Solidity ABI rules
 * with keccak256 alone; the signer is then recovered from each signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "service/pubdec.h"
#include "test_util.h"

static const uint8_t sk[32] = {0x4c, 0x08, 0x83, 0xa6, 0x91, 0x02, 0x93, 0x7d, 0x62, 0x31, 0x47,
                               0x1b, 0x5d, 0xbb, 0x62, 0x04, 0xfe, 0x51, 0x29, 0x61, 0x70, 0x82,
                               0x79, 0x2a, 0xe4, 0x68, 0xd0, 0x1a, 0x3f, 0x36, 0x23, 0x18};

static void put_u64(uint8_t **p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put(uint8_t **p, const void *d, size_t n)
{
    memcpy(*p, d, n);
    *p += n;
}

/* The test's fixed request: a Bool, a Uint8 and a Uint64 with a 20-byte,
 * a 32-byte and an empty handle. */
static const uint8_t pt_bool = 1, pt_u8 = 0xab;
static const uint8_t pt_u64[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
static uint8_t h20[20], h32[32];
static const char rid[] = "0101010101010101010101010101010101010101010101010101010101010101";

static void fixture(struct typed_plaintext pts[3], struct udp_bytes hs[3])
{
    memset(h20, 0x20, sizeof h20);
    memset(h32, 0x32, sizeof h32);
    pts[0] = (struct typed_plaintext){&pt_bool, 1, 0};
    pts[1] = (struct typed_plaintext){&pt_u8, 1, 2};
    pts[2] = (struct typed_plaintext){pt_u64, 8, 5};
    hs[0] = (struct udp_bytes){h20, 20};
    hs[1] = (struct udp_bytes){h32, 32};
    hs[2] = (struct udp_bytes){NULL, 0};
}

static void test_payload_layout(void **state)
{
    (void)state;
    struct typed_plaintext pts[3];
    struct udp_bytes hs[3];
    fixture(pts, hs);
    uint8_t vk[41];
    memset(vk, 0x5a, sizeof vk);
    uint8_t want[512], *p = want;
    put_u64(&p, 41);
    put(&p, vk, 41);
    put_u64(&p, 3);
    const int32_t types[3] = {0, 2, 5};
    for (int i = 0; i < 3; i++) {
        put_u64(&p, pts[i].len);
        put(&p, pts[i].bytes, pts[i].len);
        uint8_t t[4] = {(uint8_t)types[i], 0, 0, 0};
        put(&p, t, 4);
    }
    *p++ = 1; /* Some(RequestId) */
    put_u64(&p, 64);
    put(&p, rid, 64);
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    pubdec_payload_encode(&b, vk, sizeof vk, pts, 3, rid);
    assert_int_equal(b.len, (size_t)(p - want));
    assert_memory_equal(b.data, want, b.len);
    buf_reset(&b);
    pubdec_payload_encode(&b, vk, sizeof vk, pts, 3, NULL);
    assert_int_equal(b.len, (size_t)(p - want) - 72); /* None: one 0 byte for 73 */
    assert_int_equal(b.data[b.len - 1], 0);
    buf_free(&b);
}

static void kword(uint8_t out[32], const void *p, size_t n) { keccak256(out, p, n); }

/* hashStruct(PublicDecryptVerification) (into struct_hash unless NULL) and
 * the digest under the domain, from the EIP-712 rules. */
static void independent_digest(uint8_t digest[32], uint8_t *struct_hash,
                               const struct udp_bytes hs[3], const uint8_t *extra,
                               size_t extra_len, const uint8_t chain[32],
                               const uint8_t contract[20])
{
    uint8_t words[3 * 32] = {0};
    for (int i = 0; i < 3; i++)
        if (hs[i].len)
            memcpy(words + 32 * i + 32 - hs[i].len, hs[i].p, hs[i].len);
    uint8_t abi[3 * 32] = {0};
    abi[31] = 1;                 /* true */
    abi[63] = 0xab;              /* 0xab */
    for (int i = 0; i < 8; i++) /* 0x0102030405060708 big-endian */
        abi[95 - i] = pt_u64[i];
    uint8_t s[4 * 32];
    const char *ty = "PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,"
                     "bytes extraData)";
    kword(s, ty, strlen(ty));
    kword(s + 32, words, sizeof words);
    kword(s + 64, abi, sizeof abi);
    kword(s + 96, extra, extra_len);
    uint8_t sh[32];
    kword(sh, s, sizeof s);
    if (struct_hash != NULL)
        memcpy(struct_hash, sh, 32);
    uint8_t d[5 * 32] = {0};
    const char *dt = "EIP712Domain(string name,string version,uint256 chainId,"
                     "address verifyingContract)";
    kword(d, dt, strlen(dt));
    kword(d + 32, "Decryption", 10);
    kword(d + 64, "1", 1);
    memcpy(d + 96, chain, 32);
    memcpy(d + 140, contract, 20);
    uint8_t m[66] = {0x19, 0x01};
    kword(m + 2, d, sizeof d);
    memcpy(m + 34, sh, 32);
    kword(digest, m, sizeof m);
}

static void test_signatures(void **state)
{
    (void)state;
    struct typed_plaintext pts[3];
    struct udp_bytes hs[3];
    fixture(pts, hs);
    uint8_t chain[32] = {0}, contract[20];
    chain[30] = 0x1f, chain[31] = 0x46;
    memset(contract, 0xc0, sizeof contract);
    struct eip712_domain dom = {.fields = EIP712_DOMAIN_STANDARD, .name = "Decryption",
                                .name_len = 10, .version = "1", .version_len = 1};
    memcpy(dom.chain_id, chain, 32);
    memcpy(dom.verifying_contract, contract, 20);
    const uint8_t extra[33] = {0x01, 0xee};
    uint8_t vk[41] = {41};
    struct pubdec_signatures sig;
    assert_int_equal(pubdec_sign(&sig, sk, &dom, hs, 3, pts, 3, vk, sizeof vk, rid, extra,
                                 sizeof extra),
                     0);
    uint8_t pk[ECDSA_PUBKEY_BYTES], got[ECDSA_PUBKEY_BYTES], digest[32], want_sh[32];
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, sk), 0);
    independent_digest(digest, want_sh, hs, extra, sizeof extra, chain, contract);
    assert_true(sig.external_signature[64] == 27 || sig.external_signature[64] == 28);
    assert_int_equal(ecdsa_recover(got, digest, sig.external_signature), 0);
    assert_memory_equal(got, pk, sizeof pk);
    /* the struct hash alone (what the digest wraps) */
    uint8_t sh[32];
    assert_int_equal(pubdec_struct_hash(sh, hs, 3, pts, 3, extra, sizeof extra), 0);
    assert_memory_equal(sh, want_sh, 32);
    /* the deprecated signature: SHA-256 over "PUBL_DEC" ‖ payload, low-S */
    uint8_t msg[512];
    memcpy(msg, "PUBL_DEC", 8);
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    pubdec_payload_encode(&b, vk, sizeof vk, pts, 3, rid);
    memcpy(msg + 8, b.data, b.len);
    assert_true(ecdsa_sig_is_low_s(sig.signature));
    assert_int_equal(ecdsa_verify_sha256(pk, sizeof pk, msg, 8 + b.len, sig.signature), 0);
    msg[0] ^= 1;
    assert_int_equal(ecdsa_verify_sha256(pk, sizeof pk, msg, 8 + b.len, sig.signature),
                     KMS_EVERIFY);
    buf_free(&b);
    /* a different extra_data changes the signed digest */
    uint8_t digest2[32];
    independent_digest(digest2, NULL, hs, extra, 1, chain, contract);
    assert_int_equal(ecdsa_recover(got, digest2, sig.external_signature) == 0 &&
                         memcmp(got, pk, sizeof pk) == 0,
                     0);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct typed_plaintext pts[3];
    struct udp_bytes hs[3];
    fixture(pts, hs);
    struct eip712_domain dom = {.fields = EIP712_DOMAIN_NAME, .name = "x", .name_len = 1};
    uint8_t vk[41] = {0}, long_handle[33] = {0};
    struct pubdec_signatures sig;
    hs[1] = (struct udp_bytes){long_handle, 33};
    assert_int_equal(pubdec_sign(&sig, sk, &dom, hs, 3, pts, 3, vk, 41, rid, NULL, 0), KMS_EINVAL);
    fixture(pts, hs);
    uint8_t one = 1;
    pts[0] = (struct typed_plaintext){&one, 1, 1}; /* Uint4: not ABI-encodable */
    assert_int_equal(pubdec_sign(&sig, sk, &dom, hs, 3, pts, 3, vk, 41, rid, NULL, 0), KMS_EINVAL);
    uint8_t zero[64] = {0};
    assert_memory_equal(sig.signature, zero, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_layout),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* User-decryption request checks, the centralized response payload and its
 * signatures, and the client-side opening. The layout is read back field by
 * field with the bincode reader, the signatures are checked with the ECDSA /
 * EIP-712 layers, and every check of the opening is made to fail once.
 * node-tkms 0.12.8 itself opens these responses in
 * tests/interop/test_user_decrypt.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/bincode.h"
#include "base/reader.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "crypto/mlkem_pke.h"
#include "service/node_key.h"
#include "service/user_decrypt_payload.h"
#include "test_util.h"

static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
static uint8_t enc_key[MLKEM_PKE_PK_BYTES];
static uint8_t server_sk[32], server_addr[20], other_sk[32];
static char client_str[ETHADDR_STR_LEN + 1], contract_str[ETHADDR_STR_LEN + 1];
static uint8_t client_addr[20], contract[20];
static uint8_t chain_id[32];
static uint8_t handle_bytes[3][32];
static struct udp_bytes handles[3];
static struct udp_domain_msg dm;

static const uint8_t pt_bool[] = {1};
static const uint8_t pt_u64[] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint8_t pt_u256[32];
static struct udp_plaintext pts[3];

static int setup(void **state)
{
    (void)state;
    uint8_t d[32], z[32];
    memset(d, 4, sizeof d);
    memset(z, 5, sizeof z);
    if (mlkem512_keygen_derand(ek, dk, d, z) != 0)
        return -1;
    struct buf b;
    buf_init(&b, sizeof enc_key);
    mlkem_pke_encode_pk(&b, ek);
    if (buf_status(&b) != 0 || b.len != sizeof enc_key)
        return -1;
    memcpy(enc_key, b.data, b.len);
    buf_free(&b);

    memset(server_sk, 0x31, sizeof server_sk);
    memset(other_sk, 0x32, sizeof other_sk);
    if (ethaddr_from_seckey(server_addr, server_sk) != 0)
        return -1;
    for (int i = 0; i < 20; i++) {
        client_addr[i] = (uint8_t)(0x10 + 7 * i);
        contract[i] = (uint8_t)(0xf0 - 3 * i);
    }
    ethaddr_to_string(client_str, client_addr);
    ethaddr_to_string(contract_str, contract);
    chain_id[31] = 0x1f;
    chain_id[30] = 0x46;
    for (int i = 0; i < 3; i++) {
        memset(handle_bytes[i], 0xa0 + i, 32);
        handles[i] = (struct udp_bytes){handle_bytes[i], 32};
    }
    handles[1].len = 20; /* a short handle is left-padded in the hashes */
    dm = (struct udp_domain_msg){
        .name = "Decryption", .name_len = 10, .version = "1", .version_len = 1,
        .chain_id = chain_id + 30, .chain_id_len = 2, /* minimal big-endian */
        .verifying_contract = contract_str, .verifying_contract_len = ETHADDR_STR_LEN,
    };
    for (int i = 0; i < 32; i++)
        pt_u256[i] = (uint8_t)(0xff - i);
    pts[0] = (struct udp_plaintext){pt_bool, sizeof pt_bool, 0};
    pts[1] = (struct udp_plaintext){pt_u64, sizeof pt_u64, 5};
    pts[2] = (struct udp_plaintext){pt_u256, sizeof pt_u256, 8};
    return 0;
}

static struct udp_request request(void)
{
    return (struct udp_request){
        .client_address = client_str, .client_address_len = ETHADDR_STR_LEN,
        .enc_key = enc_key, .enc_key_len = sizeof enc_key,
        .domain = &dm, .handles = handles, .n_handles = 3,
    };
}

static void test_domain(void **state)
{
    (void)state;
    struct eip712_domain d;
    assert_int_equal(udp_domain_from_msg(&d, &dm), 0);
    assert_int_equal(d.fields, EIP712_DOMAIN_STANDARD);
    assert_memory_equal(d.chain_id, chain_id, 32);
    assert_memory_equal(d.verifying_contract, contract, 20);

    struct udp_domain_msg m = dm;
    uint8_t salt[33] = {9};
    m.has_salt = 1;
    m.salt = salt;
    m.salt_len = 32;
    assert_int_equal(udp_domain_from_msg(&d, &m), 0);
    assert_int_equal(d.fields, EIP712_DOMAIN_STANDARD | EIP712_DOMAIN_SALT);
    assert_memory_equal(d.salt, salt, 32);
    m.salt_len = 0; /* present but empty: alloy's B256::try_from refuses it */
    assert_int_equal(udp_domain_from_msg(&d, &m), KMS_EINVAL);
    m.salt_len = 33;
    assert_int_equal(udp_domain_from_msg(&d, &m), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "salt"));

    m = dm;
    uint8_t big[33] = {0};
    big[32] = 1;
    m.chain_id = big;
    m.chain_id_len = 33; /* a leading zero byte is tolerated ... */
    assert_int_equal(udp_domain_from_msg(&d, &m), 0);
    big[0] = 1; /* ... a value above 2^256 is not */
    assert_int_equal(udp_domain_from_msg(&d, &m), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "chain"));

    m = dm;
    char lower[ETHADDR_STR_LEN + 1];
    memcpy(lower, contract_str, sizeof lower);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    assert_string_not_equal(lower, contract_str); /* the fixture has letters */
    m.verifying_contract = lower;
    assert_int_equal(udp_domain_from_msg(&d, &m), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "verifying contract"));
    assert_true(d.fields == 0);
}

static void test_check_request(void **state)
{
    (void)state;
    struct udp_request req = request();
    struct udp_checked chk;
    assert_int_equal(udp_check_request(&chk, &req), 0);
    assert_memory_equal(chk.client_address, client_addr, 20);
    assert_memory_equal(chk.ek, ek, sizeof ek);
    assert_ptr_equal(chk.enc_key, enc_key);
    assert_int_equal(chk.n_handles, 3);

    /* link = digest of UserDecryptionLinker, composed from the EIP-712 layer */
    uint8_t words[3 * 32] = {0}, sh[32], want[32];
    memcpy(words, handle_bytes[0], 32);
    memcpy(words + 32 + 12, handle_bytes[1], 20);
    memcpy(words + 64, handle_bytes[2], 32);
    kms_eip712_user_decryption_linker(sh, enc_key, sizeof enc_key, words, 3, client_addr);
    assert_int_equal(eip712_digest_for_domain(want, &chk.domain, sh), 0);
    assert_memory_equal(chk.link, want, 32);
}

/* udp_check_request must fail with KMS_EINVAL, name the problem and leave
 * out zeroed. */
static void expect_refused(const struct udp_request *req, const char *why)
{
    struct udp_checked chk;
    memset(&chk, 0x77, sizeof chk);
    assert_int_equal(udp_check_request(&chk, req), KMS_EINVAL);
    if (strstr(kms_err_msg(), why) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", kms_err_msg(), why);
    struct udp_checked zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&chk, &zero, sizeof chk);
}

static void test_check_request_refusals(void **state)
{
    (void)state;
    struct udp_request req = request();
    req.n_handles = 0;
    expect_refused(&req, "no ciphertexts");

    req = request();
    char bad[ETHADDR_STR_LEN + 1];
    memcpy(bad, client_str, sizeof bad);
    char *letter = strpbrk(bad + 2, "abcdefABCDEF");
    assert_non_null(letter);
    *letter ^= 0x20; /* same address, checksum case broken */
    req.client_address = bad;
    expect_refused(&req, "client address");
    req.client_address_len = 41;
    req.client_address = client_str;
    expect_refused(&req, "client address");

    req = request();
    req.domain = NULL;
    expect_refused(&req, "domain not found");

    req = request();
    struct udp_domain_msg m = dm;
    m.verifying_contract = client_str;
    req.domain = &m;
    expect_refused(&req, "same as the verifying contract");

    req = request();
    struct udp_bytes long_handles[2] = {{handle_bytes[0], 32}, {handle_bytes[1], 33}};
    uint8_t h33[33] = {0};
    long_handles[1].p = h33;
    req.handles = long_handles;
    req.n_handles = 2;
    expect_refused(&req, "index 1 too long");

    req = request();
    req.enc_key_len--;
    expect_refused(&req, "enc_key");
    uint8_t key1024[MLKEM_PKE_PK_BYTES];
    memcpy(key1024, enc_key, sizeof key1024);
    key1024[57] = 1; /* the MlKem1024 variant tag */
    req = request();
    req.enc_key = key1024;
    expect_refused(&req, "enc_key");
    /* the legacy bincode ML-KEM-1024 key the reference still reads */
    uint8_t legacy[8 + 1568] = {0x20, 0x06};
    req.enc_key = legacy;
    req.enc_key_len = sizeof legacy;
    expect_refused(&req, "enc_key");
}

static void build(struct udp_response *resp, struct udp_payload *view, struct udp_checked *chk,
                  const uint8_t *extra, size_t extra_len)
{
    struct udp_request req = request();
    assert_int_equal(udp_check_request(chk, &req), 0);
    assert_int_equal(udp_build_centralized(resp, chk, pts, 3, server_sk, extra, extra_len), 0);
    udp_response_view(view, resp);
    assert_int_equal(view->n_cts, 3);
    assert_int_equal(view->party_id, 1);
    assert_int_equal(view->degree, 0);
}

static void test_payload_layout(void **state)
{
    (void)state;
    struct udp_checked chk;
    struct udp_response resp;
    struct udp_payload view;
    build(&resp, &view, &chk, NULL, 0);

    struct reader r;
    const uint8_t *p;
    size_t n;
    uint32_t v;
    reader_init(&r, resp.share, resp.share_len);
    /* verification_key = bincode(PublicSigKey) = u64(33) ‖ compressed key */
    uint8_t pk[65], c[33];
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, server_sk), 0);
    assert_int_equal(ecdsa_pubkey_compress(c, pk, sizeof pk), 0);
    assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
    assert_int_equal(n, 41);
    assert_bytes_hex(p, 8, "2100000000000000");
    assert_memory_equal(p + 8, c, 33);
    assert_memory_equal(resp.verification_key, p, 41);
    /* digest = link */
    assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
    assert_int_equal(n, 32);
    assert_memory_equal(p, chk.link, 32);
    assert_int_equal(bincode_get_len(&r, &n, 0), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(reader_u32le(&r, &v), 0);
        assert_int_equal((int32_t)v, pts[i].fhe_type);
        assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
        /* HybridKemCt of msg ‖ sig ‖ digest, msg = bincode SigncryptionPayload */
        assert_int_equal(n, MLKEM_PKE_OVERHEAD + (8 + pts[i].len + 4 + 8 + 32) + 64 + 32);
        assert_memory_equal(p, resp.cts[i].ct, n);
        assert_int_equal(bincode_get_bytes(&r, &p, &n), 0);
        assert_int_equal(n, handles[i].len); /* verbatim, not padded */
        assert_memory_equal(p, handles[i].p, n);
        assert_int_equal(reader_u32le(&r, &v), 0);
        assert_int_equal(v, 1); /* packing_factor */
    }
    assert_int_equal(reader_u32le(&r, &v), 0);
    assert_int_equal(v, 1); /* party_id */
    assert_int_equal(reader_u32le(&r, &v), 0);
    assert_int_equal(v, 0); /* degree */
    assert_int_equal(reader_expect_end(&r), 0);

    /* decode and re-encode */
    struct udp_payload back;
    struct udp_ct cts[3];
    assert_int_equal(udp_payload_decode(&back, cts, 3, resp.share, resp.share_len), 0);
    assert_int_equal(back.n_cts, 3);
    assert_int_equal(back.party_id, 1);
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    udp_payload_encode(&b, &back);
    assert_int_equal(b.len, resp.share_len);
    assert_memory_equal(b.data, resp.share, b.len);
    buf_free(&b);

    /* truncated anywhere, trailing byte, too many entries for the room */
    for (size_t k = 0; k < resp.share_len; k += (k < 100 ? 1 : 97))
        assert_int_not_equal(udp_payload_decode(&back, cts, 3, resp.share, k), 0);
    uint8_t *longer = malloc(resp.share_len + 1);
    memcpy(longer, resp.share, resp.share_len);
    longer[resp.share_len] = 0;
    assert_int_equal(udp_payload_decode(&back, cts, 3, longer, resp.share_len + 1), KMS_EINVAL);
    free(longer);
    assert_int_equal(udp_payload_decode(&back, cts, 2, resp.share, resp.share_len), KMS_ELIMIT);
    assert_null(back.cts);
    udp_response_free(&resp);
}

static void test_signatures(void **state)
{
    (void)state;
    static const uint8_t extra[] = {0x01, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    struct udp_checked chk;
    struct udp_response resp;
    struct udp_payload view;
    build(&resp, &view, &chk, extra, sizeof extra);

    /* external: EIP-712 UserDecryptResponseVerification(publicKey = the
     * 869-byte key, ctHandles padded, userDecryptedShare, extraData) */
    uint8_t words[3 * 32] = {0}, sh[32], h[32], got[32], addr[20];
    memcpy(words, handle_bytes[0], 32);
    memcpy(words + 32 + 12, handle_bytes[1], 20);
    memcpy(words + 64, handle_bytes[2], 32);
    kms_eip712_user_decrypt_response(sh, enc_key, sizeof enc_key, words, 3, resp.share,
                                     resp.share_len, extra, sizeof extra);
    assert_int_equal(eip712_digest_for_domain(h, &chk.domain, sh), 0);
    assert_int_equal(udp_response_hash(got, &chk.domain, ek, &view, extra, sizeof extra),
                     0);
    assert_memory_equal(got, h, 32);
    assert_int_equal(ethaddr_recover(addr, h, resp.external_signature), 0);
    assert_memory_equal(addr, server_addr, 20);
    assert_true(resp.external_signature[64] == 27 || resp.external_signature[64] == 28);

    /* internal: ECDSA-SHA256("USER_DEC" ‖ share), low-S */
    uint8_t pk[65];
    assert_int_equal(ecdsa_pubkey_from_seckey(pk, server_sk), 0);
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    buf_put(&b, "USER_DEC", 8);
    buf_put(&b, resp.share, resp.share_len);
    assert_true(ecdsa_sig_is_low_s(resp.signature));
    assert_int_equal(ecdsa_verify_sha256(pk, sizeof pk, b.data, b.len, resp.signature), 0);
    buf_free(&b);
    udp_response_free(&resp);
}

static void test_build_refusals(void **state)
{
    (void)state;
    struct udp_request req = request();
    struct udp_checked chk;
    struct udp_response resp;
    assert_int_equal(udp_check_request(&chk, &req), 0);
    assert_int_equal(udp_build_centralized(&resp, &chk, pts, 2, server_sk, NULL, 0), KMS_EINVAL);
    assert_null(resp.share);
    assert_int_equal(udp_build_centralized(&resp, &chk, pts, 0, server_sk, NULL, 0), KMS_EINVAL);
    uint8_t zero_sk[32] = {0};
    assert_int_equal(udp_build_centralized(&resp, &chk, pts, 3, zero_sk, NULL, 0), KMS_EINVAL);
    assert_null(resp.share);
    udp_response_free(&resp); /* harmless on a zeroed response */
}

/* The server's path: the node key's own verf_key and pk33, no derivation.
 * Its response must be the one udp_build_centralized makes (the same
 * verification key and digest) and open under the node's address. */
static void test_build_with_node_key(void **state)
{
    (void)state;
    static const uint8_t extra[] = {7, 7};
    struct udp_request req = request();
    struct udp_checked chk;
    struct udp_response by_sk, by_key;
    struct udp_payload view;
    struct node_key *key;
    assert_int_equal(node_key_from_seckey(&key, server_sk), 0);
    assert_int_equal(udp_check_request(&chk, &req), 0);
    assert_int_equal(udp_build_centralized(&by_sk, &chk, pts, 3, server_sk, extra, sizeof extra),
                     0);
    assert_int_equal(
        udp_build_centralized_key(&by_key, &chk, pts, 3, key, extra, sizeof extra), 0);
    assert_memory_equal(by_key.verification_key, by_sk.verification_key, UDP_VERF_KEY_BYTES);
    assert_memory_equal(by_key.verification_key, key->verf_key, UDP_VERF_KEY_BYTES);
    assert_memory_equal(by_key.digest, chk.link, UDP_LINK_BYTES);
    udp_response_view(&view, &by_key);
    struct udp_opened opened[3];
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(udp_open_centralized(&out, opened, 3, &chk, &view, by_key.external_signature,
                                          extra, sizeof extra, server_addr, dk),
                     0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(opened[i].fhe_type, pts[i].fhe_type);
        assert_memory_equal(out.data + opened[i].off, pts[i].bytes, pts[i].len);
    }
    /* the deprecated signature covers this response's share */
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    buf_put(&b, "USER_DEC", 8);
    buf_put(&b, by_key.share, by_key.share_len);
    assert_int_equal(ecdsa_verify_sha256(key->pk33, sizeof key->pk33, b.data, b.len,
                                         by_key.signature),
                     0);
    /* and the refusals are the same */
    struct udp_response bad;
    assert_int_equal(udp_build_centralized_key(&bad, &chk, pts, 2, key, NULL, 0), KMS_EINVAL);
    assert_null(bad.share);
    buf_free(&b);
    buf_free(&out);
    udp_response_free(&by_sk);
    udp_response_free(&by_key);
    node_key_free(key);
}

/* Opens resp (or a doctored view of it) and expects want; on failure the
 * output buffer must be left as it was. */
static int open_view(const struct udp_checked *chk, const struct udp_payload *p,
                     const uint8_t ext_sig[65], const uint8_t *extra, size_t extra_len,
                     const uint8_t addr[20], struct udp_opened *opened, struct buf *out)
{
    size_t before = out->len;
    int rc = udp_open_centralized(out, opened, 3, chk, p, ext_sig, extra, extra_len, addr, dk);
    if (rc < 0)
        assert_int_equal(out->len, before);
    return rc;
}

static void test_open(void **state)
{
    (void)state;
    static const uint8_t extra[] = {0};
    struct udp_checked chk;
    struct udp_response resp;
    struct udp_payload view;
    build(&resp, &view, &chk, extra, sizeof extra);
    struct udp_opened opened[3];
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    assert_int_equal(open_view(&chk, &view, resp.external_signature, extra, sizeof extra,
                               server_addr, opened, &out),
                     0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(opened[i].fhe_type, pts[i].fhe_type);
        assert_int_equal(opened[i].len, pts[i].len);
        assert_memory_equal(out.data + opened[i].off, pts[i].bytes, pts[i].len);
    }
    /* the response is a plain value: a moved copy still opens */
    struct udp_response moved = resp;
    memset(&resp, 0, sizeof resp);
    struct udp_payload moved_view;
    udp_response_view(&moved_view, &moved);
    assert_int_equal(open_view(&chk, &moved_view, moved.external_signature, extra, sizeof extra,
                               server_addr, opened, &out),
                     0);
    resp = moved;
    udp_response_view(&view, &resp);
    size_t done = out.len;
    assert_int_equal(udp_open_centralized(&out, opened, 2, &chk, &view,
                                          resp.external_signature, extra, sizeof extra,
                                          server_addr, dk),
                     KMS_EINVAL);
    assert_int_equal(out.len, done);

    /* other extra data, another trusted server */
    uint8_t other_addr[20];
    assert_int_equal(ethaddr_from_seckey(other_addr, other_sk), 0);
    assert_int_equal(open_view(&chk, &view, resp.external_signature, NULL, 0,
                               server_addr, opened, &out),
                     KMS_EVERIFY);
    assert_int_equal(open_view(&chk, &view, resp.external_signature, extra, sizeof extra,
                               other_addr, opened, &out),
                     KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "trusted server"));

    /* v outside 27/28, a flipped signature byte */
    uint8_t sig[65];
    memcpy(sig, resp.external_signature, 65);
    sig[64] -= 27;
    assert_int_equal(open_view(&chk, &view, sig, extra, sizeof extra, server_addr,
                               opened, &out),
                     KMS_EVERIFY);
    memcpy(sig, resp.external_signature, 65);
    sig[40] ^= 1;
    assert_int_equal(open_view(&chk, &view, sig, extra, sizeof extra, server_addr,
                               opened, &out),
                     KMS_EVERIFY);

    /* a digest that is not the link */
    struct udp_payload p = view;
    uint8_t digest[32];
    memcpy(digest, resp.digest, 32);
    digest[0] ^= 1;
    p.digest = digest;
    assert_int_equal(open_view(&chk, &p, resp.external_signature, extra, sizeof extra,
                               server_addr, opened, &out),
                     KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "link"));

    /* a malformed verification key */
    p = view;
    p.verification_key_len = 40;
    assert_int_equal(open_view(&chk, &p, resp.external_signature, extra, sizeof extra,
                               server_addr, opened, &out),
                     KMS_EINVAL);
    buf_free(&out);
    udp_response_free(&resp);
}

/* Re-signs a doctored payload as the trusted server would. */
static void resign(uint8_t sig[65], const struct udp_checked *chk, const struct udp_payload *p,
                   const uint8_t *extra, size_t extra_len)
{
    uint8_t h[32];
    assert_int_equal(udp_response_hash(h, &chk->domain, chk->ek, p, extra, extra_len), 0);
    assert_int_equal(ecdsa_sign_recoverable(sig, server_sk, h), 0);
}

static void test_open_signed_but_wrong(void **state)
{
    (void)state;
    struct udp_checked chk;
    struct udp_response resp;
    struct udp_payload view;
    build(&resp, &view, &chk, NULL, 0);
    struct udp_opened opened[3];
    struct buf out;
    buf_init_secret(&out, BUF_UNLIMITED);
    uint8_t sig[65];
    struct udp_ct cts[3];
    memcpy(cts, resp.cts, sizeof cts);
    struct udp_payload p = view;
    p.cts = cts;

    /* the control: re-signing an untouched payload opens */
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), 0);
    out.len = 0;

    /* a signcryption byte flipped */
    uint8_t *ct = malloc(cts[2].ct_len);
    memcpy(ct, cts[2].ct, cts[2].ct_len);
    ct[cts[2].ct_len - 20] ^= 1;
    cts[2].ct = ct;
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), KMS_EVERIFY);
    cts[2].ct = resp.cts[2].ct;
    free(ct);

    /* one ciphertext fewer, or answering another handle */
    p.n_cts = 2;
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), KMS_EVERIFY);
    p.n_cts = 3;
    cts[0].handle = handle_bytes[2];
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "handle"));
    cts[0].handle = handle_bytes[0];

    /* two signcryptions swapped: each still opens, so the swap shows only in
     * the types; the handles in the payload do not move with them */
    cts[0] = resp.cts[1];
    cts[1] = resp.cts[0];
    cts[0].handle = resp.cts[0].handle;
    cts[0].handle_len = resp.cts[0].handle_len;
    cts[1].handle = resp.cts[1].handle;
    cts[1].handle_len = resp.cts[1].handle_len;
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), 0);
    assert_int_equal(opened[0].fhe_type, pts[1].fhe_type);
    out.len = 0;

    /* a response built for another request: its ciphertexts carry another link */
    struct udp_bytes hs2[3] = {handles[0], handles[1], {handle_bytes[0], 31}};
    struct udp_request req2 = request();
    req2.handles = hs2;
    struct udp_checked chk2;
    struct udp_response resp2;
    assert_int_equal(udp_check_request(&chk2, &req2), 0);
    assert_int_equal(udp_build_centralized(&resp2, &chk2, pts, 3, server_sk, NULL, 0), 0);
    memcpy(cts, resp.cts, sizeof cts);
    cts[1].ct = resp2.cts[1].ct;
    cts[1].ct_len = resp2.cts[1].ct_len;
    resign(sig, &chk, &p, NULL, 0);
    assert_int_equal(open_view(&chk, &p, sig, NULL, 0, server_addr, opened, &out), KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "link"));
    udp_response_free(&resp2);

    buf_free(&out);
    udp_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain),
        cmocka_unit_test(test_check_request),
        cmocka_unit_test(test_check_request_refusals),
        cmocka_unit_test(test_payload_layout),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_build_refusals),
        cmocka_unit_test(test_build_with_node_key),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_open_signed_but_wrong),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

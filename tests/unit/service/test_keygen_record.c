/* The private object of a centralized key (service/keygen_record.h): its
 * byte layout as the header describes it (spelled out field by field
 * here), round trips, every truncation and malformed field refused, and
 * the PubDataType names and Solidity KeyType numbers (rpc_types.rs,
 * solidity_types.rs: SERVER 0, PUBLIC 1, COMPRESSED_KEYSET 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "service/keygen_record.h"
#include "test_util.h"

/* safe_serialize header: "0.5", Versioned (0), "0.1", "ckms::CentralFheKey" */
#define HDR "0300000000000000" "302e35" "00000000" "0300000000000000" "302e31" \
            "1300000000000000" "636b6d733a3a43656e7472616c4668654b6579"

static void sample(struct keygen_record *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 32; i++) {
        r->key_id[i] = (uint8_t)(0x10 + i);
        r->preproc_id[i] = (uint8_t)(0x80 + i);
    }
    r->params = 1;
    r->compression = 0;
    r->n_digests = 2;
    r->digests[0].type = KEYGEN_PUB_PUBLIC_KEY;
    memset(r->digests[0].digest, 0xaa, 32);
    r->digests[1].type = KEYGEN_PUB_COMPRESSED_XOF_KEYSET;
    memset(r->digests[1].digest, 0xbb, 32);
    memset(r->external_signature, 0xcc, 65);
    r->n_schemes = 1;
    r->schemes[0] = 0;
    r->extra = malloc(3);
    assert_non_null(r->extra);
    memcpy(r->extra, "\x02\x01\x02", 3);
    r->extra_len = 3;
}

static void encode(struct buf *b, const struct keygen_record *r)
{
    buf_init_secret(b, BUF_UNLIMITED);
    keygen_record_encode(b, r, (const uint8_t *)"CK!", 3);
    assert_int_equal(buf_status(b), 0);
}

static void test_layout(void **state)
{
    (void)state;
    struct keygen_record r;
    sample(&r);
    struct buf b;
    encode(&b, &r);
    /* clang-format off */
    assert_bytes_hex(b.data, b.len, HDR
        "00000000"
        "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        "01000000" "00000000"
        "0200000000000000"
        "01000000" "2000000000000000"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "09000000" "2000000000000000"
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        "4100000000000000"
        "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
        "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
        "0100000000000000" "00000000"
        "0300000000000000" "020102"
        "0300000000000000" "434b21");
    /* clang-format on */
    buf_free(&b);
    keygen_record_clear(&r);
    keygen_record_clear(NULL);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct keygen_record r, back;
    sample(&r);
    r.params = -7; /* i32 values survive as such */
    r.compression = 1;
    r.n_schemes = 2;
    r.schemes[1] = -2;
    struct buf b;
    encode(&b, &r);
    const uint8_t *ck;
    size_t ck_len;
    assert_int_equal(keygen_record_decode(&back, &ck, &ck_len, b.data, b.len), 0);
    assert_int_equal(ck_len, 3);
    assert_memory_equal(ck, "CK!", 3);
    assert_memory_equal(back.key_id, r.key_id, 32);
    assert_memory_equal(back.preproc_id, r.preproc_id, 32);
    assert_int_equal(back.params, -7);
    assert_int_equal(back.n_digests, 2);
    assert_memory_equal(back.digests, r.digests, 2 * sizeof r.digests[0]);
    assert_memory_equal(back.external_signature, r.external_signature, 65);
    assert_int_equal(back.compression, 1);
    assert_int_equal(back.n_schemes, 2);
    assert_int_equal(back.schemes[0], 0);
    assert_int_equal(back.schemes[1], -2);
    assert_int_equal(back.extra_len, 3);
    assert_memory_equal(back.extra, r.extra, 3);
    keygen_record_clear(&back);

    /* empty extra_data comes back as NULL */
    free(r.extra);
    r.extra = NULL;
    r.extra_len = 0;
    buf_free(&b);
    encode(&b, &r);
    assert_int_equal(keygen_record_decode(&back, &ck, &ck_len, b.data, b.len), 0);
    assert_null(back.extra);
    assert_int_equal(back.extra_len, 0);
    keygen_record_clear(&back);
    buf_free(&b);
    keygen_record_clear(&r);
}

static void test_malformed(void **state)
{
    (void)state;
    struct keygen_record r, back;
    sample(&r);
    struct buf b;
    encode(&b, &r);
    const uint8_t *ck;
    size_t ck_len;
    for (size_t n = 0; n < b.len; n++) {
        assert_int_not_equal(keygen_record_decode(&back, &ck, &ck_len, b.data, n), 0);
        assert_null(ck);
        assert_null(back.extra);
    }
    buf_put_u8(&b, 0);
    assert_int_not_equal(keygen_record_decode(&back, &ck, &ck_len, b.data, b.len), 0);
    b.len--;

    size_t hdr = strlen(HDR) / 2, digests = hdr + 4 + 64 + 8;
    /* version 1, too many digests, an unknown digest type, a short digest */
    struct {
        size_t off;
        uint8_t v;
    } bad[] = {{hdr, 1}, {digests, 5}, {digests + 8, 2}, {digests + 12, 31}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t keep = b.data[bad[i].off];
        b.data[bad[i].off] = bad[i].v;
        assert_true(keygen_record_decode(&back, &ck, &ck_len, b.data, b.len) < 0);
        b.data[bad[i].off] = keep;
    }
    /* the wrong type name */
    b.data[hdr - 1] ^= 0x20;
    assert_int_not_equal(keygen_record_decode(&back, &ck, &ck_len, b.data, b.len), 0);
    buf_free(&b);
    keygen_record_clear(&r);
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(keygen_pub_type_name(KEYGEN_PUB_SERVER_KEY), "ServerKey");
    assert_string_equal(keygen_pub_type_name(KEYGEN_PUB_PUBLIC_KEY), "PublicKey");
    assert_string_equal(keygen_pub_type_name(KEYGEN_PUB_COMPRESSED_XOF_KEYSET),
                        "CompressedXofKeySet");
    assert_null(keygen_pub_type_name(2));
    assert_int_equal(keygen_pub_type_eip712(KEYGEN_PUB_SERVER_KEY), 0);
    assert_int_equal(keygen_pub_type_eip712(KEYGEN_PUB_PUBLIC_KEY), 1);
    assert_int_equal(keygen_pub_type_eip712(KEYGEN_PUB_COMPRESSED_XOF_KEYSET), 3);
    assert_int_equal(keygen_pub_type_eip712(4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Domain-separated SHAKE-256: the separators' exact bytes, equivalence with
 * SHAKE256 over the plain concatenation (keccak.h, itself checked against
 * the FIPS 202 examples), the list form, and derive_request_id against the
 * value the reference KMS hard-codes for SIGNING_KEY_ID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/error.h"
#include "crypto/dsep.h"
#include "crypto/keccak.h"
#include "test_util.h"

static void test_separator_bytes(void **state)
{
    (void)state;
    static const struct {
        const uint8_t *got;
        const char *want;
    } seps[] = {
        {DSEP_PDAT_KEY, "PDAT_KEY"}, {DSEP_PDAT_CRS, "PDAT_CRS"}, {DSEP_PUBL_DEC, "PUBL_DEC"},
        {DSEP_USER_DEC, "USER_DEC"}, {DSEP_SIGNCRYP, "SIGNCRYP"}, {DSEP_REQST_ID, "REQST_ID"},
        {DSEP_HANDLE, "_HANDLE_"},   {DSEP_SESSN_ID, "SESSN_ID"}, {DSEP_HASH_LST, "HASH_LST"},
        {DSEP_SIGKDERV, "SIGKDERV"}, {DSEP_SIGKDGST, "SIGKDGST"}, {DSEP_BKUPCUST, "BKUPCUST"},
        {DSEP_BKUPCOMM, "BKUPCOMM"}, {DSEP_BKUPRECO, "BKUPRECO"}, {DSEP_MNEM_ENC, "MNEM_ENC"},
        {DSEP_MNEM_SIG, "MNEM_SIG"}, {DSEP_ENTROPY, "ENTROPY_"},
    };
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        assert_int_equal(strlen((const char *)seps[i].got), DSEP_BYTES);
        assert_memory_equal(seps[i].got, seps[i].want, DSEP_BYTES);
    }
}

/* SHAKE256(dsep ‖ data) computed directly with keccak.h. */
static void shake_concat(uint8_t *out, size_t out_len, const uint8_t *dsep, const uint8_t *data,
                         size_t n)
{
    uint8_t *cat = malloc(DSEP_BYTES + n);
    assert_non_null(cat);
    memcpy(cat, dsep, DSEP_BYTES);
    if (n > 0)
        memcpy(cat + DSEP_BYTES, data, n);
    shake256(out, out_len, cat, DSEP_BYTES + n);
    free(cat);
}

static void test_equals_shake_of_concat(void **state)
{
    (void)state;
    static const size_t data_lens[] = {0, 1, 127, 128, 129, 136, 300, 1000};
    static const size_t out_lens[] = {1, 16, 32, 64, 136, 137, 500};
    uint8_t data[1000], want[500], got[500];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    for (size_t a = 0; a < sizeof data_lens / sizeof data_lens[0]; a++) {
        for (size_t b = 0; b < sizeof out_lens / sizeof out_lens[0]; b++) {
            size_t n = data_lens[a], m = out_lens[b];
            shake_concat(want, m, DSEP_USER_DEC, data, n);
            dsep_hash(got, m, DSEP_USER_DEC, n > 0 ? data : NULL, n);
            assert_memory_equal(got, want, m);
        }
        shake_concat(want, 32, DSEP_PDAT_KEY, data, data_lens[a]);
        dsep_digest(got, DSEP_PDAT_KEY, data, data_lens[a]);
        assert_memory_equal(got, want, 32);
    }
    /* Different separators give different digests of the same data. */
    uint8_t other[32];
    dsep_digest(got, DSEP_BKUPCOMM, data, 10);
    dsep_digest(other, DSEP_BKUPRECO, data, 10);
    assert_memory_not_equal(got, other, 32);
}

/* Absorbing in pieces and squeezing in pieces is one continuous hash. */
static void test_incremental(void **state)
{
    (void)state;
    uint8_t data[700], want[300], got[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ 0x5c);
    shake_concat(want, sizeof want, DSEP_SIGNCRYP, data, sizeof data);
    static const size_t cuts[] = {0, 1, 7, 128, 135, 136, 137, 96, 0};
    struct dsep_ctx h;
    dsep_init(&h, DSEP_SIGNCRYP);
    size_t off = 0;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        dsep_absorb(&h, data + off, cuts[i]);
        off += cuts[i];
    }
    dsep_absorb(&h, data + off, sizeof data - off);
    static const size_t outs[] = {1, 31, 104, 0, 136, 28};
    off = 0;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        dsep_squeeze(&h, got + off, outs[i]);
        off += outs[i];
    }
    assert_int_equal(off, sizeof got);
    assert_memory_equal(got, want, sizeof want);
    dsep_clear(&h);
    for (size_t i = 0; i < sizeof h; i++)
        assert_int_equal(((const uint8_t *)&h)[i], 0);
}

/* The list form: SHAKE256("HASH_LST" ‖ dsep ‖ u64le(n) ‖ elements). */
static void test_list_form(void **state)
{
    (void)state;
    uint8_t cat[8 + 8 + 8 + 5 + 3], want[40], got[40];
    memcpy(cat, "HASH_LST", 8);
    memcpy(cat + 8, "_HANDLE_", 8);
    memcpy(cat + 16, "\x02\x00\x00\x00\x00\x00\x00\x00", 8);
    memcpy(cat + 24, "hello", 5);
    memcpy(cat + 29, "abc", 3);
    shake256(want, sizeof want, cat, sizeof cat);
    struct dsep_ctx h;
    dsep_init_list(&h, DSEP_HANDLE, 2);
    dsep_absorb(&h, "hello", 5);
    dsep_absorb(&h, "abc", 3);
    dsep_squeeze(&h, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
}

/* zama-ai/kms core/service/tests/integration_test.rs (l.304, l.439) and the
 * docker-compose files expect the signing key under the handle
 * SIGNING_KEY_ID = derive_request_id("SIGNING_KEY_ID") =
 * 60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee. */
static void test_derive_request_id(void **state)
{
    (void)state;
    uint8_t id[32];
    dsep_derive_request_id(id, "SIGNING_KEY_ID");
    assert_bytes_hex(id, 32, "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee");

    /* ...which is SHAKE256("REQST_ID" ‖ u64le(len) ‖ name) truncated. */
    static const char *const names[] = {"", "x", "DEFAULT_MPC_CONTEXT", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        uint8_t ser[64], want[32];
        for (int b = 0; b < 8; b++)
            ser[b] = (uint8_t)((uint64_t)n >> (8 * b));
        memcpy(ser + 8, names[i], n);
        shake_concat(want, 32, DSEP_REQST_ID, ser, 8 + n);
        dsep_derive_request_id(id, names[i]);
        assert_memory_equal(id, want, 32);
    }
}

/* SessionId = SHAKE256("HASH_LST" ‖ "SESSN_ID" ‖ u64le(1) ‖ req_id ‖ u64le(ctr))[..16]. */
static void test_session_id(void **state)
{
    (void)state;
    uint8_t req[32], cat[8 + 8 + 8 + 32 + 8], want[16], got[16];
    for (int i = 0; i < 32; i++)
        req[i] = (uint8_t)(i + 1);
    uint64_t ctr = 0x0102030405060708ull;
    memcpy(cat, "HASH_LST", 8);
    memcpy(cat + 8, "SESSN_ID", 8);
    memcpy(cat + 16, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
    memcpy(cat + 24, req, 32);
    memcpy(cat + 56, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    shake256(want, sizeof want, cat, sizeof cat);
    assert_int_equal(dsep_derive_session_id(got, req, ctr), 0);
    assert_memory_equal(got, want, 16);

    memset(req, 0, sizeof req);
    memset(got, 0xff, sizeof got);
    assert_int_equal(dsep_derive_session_id(got, req, 0), KMS_EINVAL);
    for (int i = 0; i < 16; i++)
        assert_int_equal(got[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separator_bytes),
        cmocka_unit_test(test_equals_shake_of_concat),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_list_form),
        cmocka_unit_test(test_derive_request_id),
        cmocka_unit_test(test_session_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Parameter records: known-answer bytes written by TFHE-rs 1.7 itself
 * (node-tfhe 1.7.0: the default config's ClientKey, a ClientKey with
 * custom parameters from Shortint.new_parameters, a ClientKey and a
 * CompactPublicKey with the V1_7 PKE parameters), decoded into the
 * engine's values (which must be params.c's) and encoded back to the same
 * bytes; round trips of every record of the library sets; matching of
 * library sets; and refusal of what the engine cannot represent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tfhe/wire/wire_params.h"
#include "wire_test_util.h"

/* ClassicPBSParameters of tfhe-rs's default config (PARAM_MESSAGE_2_CARRY_2_
 * KS_PBS_TUNIFORM_2M128), as node-tfhe writes it inside a ClientKey. */
static const char default_pbs[] =
    "00000000" "00000000" "02000000" /* PBSParameters V0, ::PBS, Classic V2 */
    "00000000" "9603000000000000"    /* lwe_dimension 918 */
    "00000000" "0100000000000000"    /* glwe_dimension 1 */
    "00000000" "0008000000000000"    /* polynomial_size 2048 */
    "00000000" "01000000" "00000000" "2d000000" /* TUniform(45) */
    "00000000" "01000000" "00000000" "11000000" /* TUniform(17) */
    "00000000" "1700000000000000" "00000000" "0100000000000000" /* pbs 23 / 1 */
    "00000000" "0400000000000000" "00000000" "0400000000000000" /* ks 4 / 4 */
    "00000000" "0400000000000000" "00000000" "0400000000000000" /* message, carry 4 / 4 */
    "00000000" "0500000000000000"    /* max_noise_level 5 */
    "3bdf4f8d973260c0"               /* log2_p_fail -129.581 */
    "00000000" "00000000000000000000000000000000" "4000000000000000" /* native, 64 */
    "00000000" "00000000"            /* EncryptionKeyChoice::Big */
    "00000000" "02000000";           /* CenteredMeanNoiseReduction */

/* Shortint.new_parameters(16, 1, 256, TUniform(2), TUniform(2), 24, 1, 37, 1,
 * 4, 4, 5, -40.5, 64, Big): standard modulus switch. */
static const char custom_pbs[] =
    "000000000000000002000000000000001000000000000000000000000100000000000000000000000001"
    "000000000000000000000100000000000000020000000000000001000000000000000200000000000000"
    "180000000000000000000000010000000000000000000000250000000000000000000000010000000000"
    "000000000000040000000000000000000000040000000000000000000000050000000000000000000000"
    "004044c000000000000000000000000000000000000000004000000000000000000000000000000000"
    "00000000000000";

/* V1_7_PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128 (ZK V2, casting). */
static const char cpk_zkv2[] =
    "01000000" "00000000" "0008000000000000" /* V1, encryption_lwe_dimension 2048 */
    "00000000" "01000000" "00000000" "11000000" /* TUniform(17) */
    "00000000" "0400000000000000" "00000000" "0400000000000000"
    "00000000" "00000000000000000000000000000000" "4000000000000000"
    "01000000" "00000000"            /* ExpansionKind V1, RequiresCasting */
    "00000000" "02000000";           /* SupportedCompactPkeZkScheme V2 */

/* The default config's derived CPK parameters: NoCasting(Standard(KS-PBS)),
 * no ZK. */
static const char cpk_nocasting[] =
    "010000000000000000080000000000000000000001000000000000001100000000000000040000000000"
    "000000000000040000000000000000000000000000000000000000000000000000004000000000000000"
    "0100000001000000000000000000000000000000000000000000000000000000";

/* V1_7_PARAM_KEYSWITCH_PKE_TO_SMALL_...: ks 4 / 4 to the small key. */
static const char casting_ksk[] =
    "00000000" "00000000" "0400000000000000" "00000000" "0400000000000000" "00000000" "01000000";

typedef void (*put_fn)(struct wire_sink *s, const void *rec);

static uint8_t *encode(put_fn put, const void *rec, size_t *len)
{
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    put(&s, rec);
    assert_int_equal(wire_sink_status(&s), 0);
    return buf_take(&b, len);
}

static void put_pbs(struct wire_sink *s, const void *r) { wire_put_pbs_params(s, r); }
static void put_cpk(struct wire_sink *s, const void *r) { wire_put_cpk_params(s, r); }
static void put_ksk(struct wire_sink *s, const void *r) { wire_put_ksk_params(s, r); }
static void put_comp(struct wire_sink *s, const void *r) { wire_put_compression_params(s, r); }
static void put_sns(struct wire_sink *s, const void *r) { wire_put_sns_params(s, r); }
static void put_rerand(struct wire_sink *s, const void *r) { wire_put_rerand_params(s, r); }

static void expect_encoding(put_fn put, const void *rec, const char *hex)
{
    size_t len = 0;
    uint8_t *got = encode(put, rec, &len);
    assert_int_equal(2 * len, strlen(hex));
    assert_bytes_hex(got, len, hex);
    free(got);
}

static void test_known_answers(void **state)
{
    (void)state;
    size_t len = 0;
    struct reader r;
    struct tfhe_pbs_params pbs;

    uint8_t *b = test_unhex(default_pbs, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_pbs_params(&r, &pbs), 0);
    assert_int_equal(reader_remaining(&r), 0);
    assert_true(wire_pbs_params_equal(&pbs, &wt_params("message_2_carry_2")->pbs));
    assert_true(wire_pbs_params_equal(&pbs, &wt_params("default")->pbs));
    expect_encoding(put_pbs, &pbs, default_pbs);
    free(b);

    b = test_unhex(custom_pbs, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_pbs_params(&r, &pbs), 0);
    assert_int_equal(pbs.lwe_dimension, 16);
    assert_int_equal(pbs.polynomial_size, 256);
    assert_int_equal(pbs.lwe_noise_log2, 2);
    assert_int_equal(pbs.ks_base_log, 37);
    assert_true(pbs.log2_p_fail == -40.5);
    assert_int_equal(pbs.ms.kind, TFHE_MS_STANDARD);
    expect_encoding(put_pbs, &pbs, custom_pbs);
    free(b);

    struct wire_cpk_params cpk, kms_cpk;
    struct wire_ksk_params ksk, kms_ksk;
    struct wire_rerand_params rerand;
    wire_params_kms_cpk(wt_params("default"), &kms_cpk, &kms_ksk, &rerand);
    b = test_unhex(cpk_zkv2, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_cpk_params(&r, &cpk), 0);
    assert_true(wire_cpk_params_equal(&cpk.cpk, &wt_params("default")->cpk));
    assert_int_equal(cpk.expansion, WIRE_EXPANSION_REQUIRES_CASTING);
    assert_int_equal(cpk.zk_scheme, WIRE_ZK_V2);
    expect_encoding(put_cpk, &kms_cpk, cpk_zkv2);
    free(b);

    b = test_unhex(cpk_nocasting, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_cpk_params(&r, &cpk), 0);
    assert_int_equal(cpk.expansion, WIRE_EXPANSION_NO_CASTING);
    assert_int_equal(cpk.zk_scheme, WIRE_ZK_NONE);
    expect_encoding(put_cpk, &cpk, cpk_nocasting);
    free(b);

    b = test_unhex(casting_ksk, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_ksk_params(&r, &ksk), 0);
    assert_int_equal(ksk.destination, WIRE_KEY_SMALL);
    expect_encoding(put_ksk, &kms_ksk, casting_ksk);
    free(b);
}

/* Every record of a library set survives write then read. */
static void round_trip_set(const struct tfhe_params *p)
{
    size_t len = 0;
    struct reader r;
    uint8_t *b = encode(put_pbs, &p->pbs, &len);
    struct tfhe_pbs_params pbs;
    reader_init(&r, b, len);
    assert_int_equal(wire_get_pbs_params(&r, &pbs), 0);
    assert_true(wire_pbs_params_equal(&pbs, &p->pbs));
    free(b);

    struct tfhe_compression_params comp;
    b = encode(put_comp, &p->compression, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_compression_params(&r, &comp), 0);
    assert_true(wire_compression_params_equal(&comp, &p->compression));
    free(b);

    struct tfhe_sns_params sns;
    b = encode(put_sns, &p->sns, &len);
    reader_init(&r, b, len);
    assert_int_equal(wire_get_sns_params(&r, &sns), 0);
    assert_true(wire_sns_params_equal(&sns, &p->sns));
    free(b);

    struct buf sb;
    struct wire_sink s;
    buf_init(&sb, BUF_UNLIMITED);
    wire_sink_buf(&s, &sb, UINT64_MAX);
    wire_put_snscomp_params(&s, &p->sns_compression, 4, 4);
    struct tfhe_sns_compression_params sc;
    uint32_t msg, carry;
    reader_init(&r, sb.data, sb.len);
    assert_int_equal(wire_get_snscomp_params(&r, &sc, &msg, &carry), 0);
    assert_true(wire_snscomp_params_equal(&sc, &p->sns_compression));
    assert_int_equal(msg, 4);
    assert_int_equal(carry, 4);
    buf_free(&sb);

    struct wire_rerand_params rr[2] = {{WIRE_RERAND_DERIVED, {0, 0, 0}},
                                       {WIRE_RERAND_LEGACY_KSK, {12, 3, WIRE_KEY_BIG}}};
    for (int i = 0; i < 2; i++) {
        struct wire_rerand_params back;
        b = encode(put_rerand, &rr[i], &len);
        reader_init(&r, b, len);
        assert_int_equal(wire_get_rerand_params(&r, &back), 0);
        assert_int_equal(back.kind, rr[i].kind);
        assert_int_equal(back.ksk.ks_level, rr[i].ksk.ks_level);
        assert_int_equal(back.ksk.destination, rr[i].ksk.destination);
        free(b);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip_set(wt_params("default"));
    round_trip_set(wt_params("test")); /* drift switch with its doubles */
}

static void test_known_sets(void **state)
{
    (void)state;
    const char *names[] = {"default", "test", "message_2_carry_2"};
    for (int i = 0; i < 3; i++) {
        const struct tfhe_params *set = wt_params(names[i]);
        struct tfhe_params copy = *set;
        copy.name = "custom";
        assert_ptr_equal(wire_params_known(&copy), set);
        copy.pbs.log2_p_fail += 1;
        assert_null(wire_params_known(&copy));
    }
    struct tfhe_params partial = *wt_params("default");
    partial.has_sns = 0; /* a key without the SnS part is no library set */
    assert_null(wire_params_known(&partial));
    partial = *wt_params("test");
    partial.sns.ms.ms_r_sigma_factor = 9.2000001;
    assert_null(wire_params_known(&partial));
}

static int decode_pbs_patched(size_t at, const char *patch_hex)
{
    size_t len = 0, plen = 0;
    uint8_t *b = test_unhex(default_pbs, &len);
    uint8_t *p = test_unhex(patch_hex, &plen);
    memcpy(b + at, p, plen);
    struct reader r;
    struct tfhe_pbs_params pbs;
    reader_init(&r, b, len);
    int rc = wire_get_pbs_params(&r, &pbs);
    free(p);
    free(b);
    return rc;
}

static void test_unsupported(void **state)
{
    (void)state;
    /* offsets in default_pbs: 0 version, 4 PBSParameters variant, 8 Classic
     * version, 36 polynomial_size, 52 lwe noise variant, 176 modulus value,
     * 192 modulus bits, 204 key choice variant, 212 modulus-switch variant */
    assert_int_equal(decode_pbs_patched(0, "01000000"), KMS_EINVAL);
    wt_assert_msg_has("newer");
    assert_int_equal(decode_pbs_patched(4, "01000000"), KMS_EINVAL);
    wt_assert_msg_has("multi-bit");
    assert_int_equal(decode_pbs_patched(8, "01000000"), KMS_EINVAL);
    wt_assert_msg_has("old version V1");
    assert_int_equal(decode_pbs_patched(40, "0006000000000000"), KMS_EINVAL);
    wt_assert_msg_has("polynomial_size");
    assert_int_equal(decode_pbs_patched(52, "00000000"), KMS_EINVAL);
    wt_assert_msg_has("Gaussian");
    assert_int_equal(decode_pbs_patched(52, "02000000"), KMS_EINVAL);
    assert_int_equal(decode_pbs_patched(176, "01"), KMS_EINVAL);
    wt_assert_msg_has("native");
    assert_int_equal(decode_pbs_patched(192, "20"), KMS_EINVAL);
    assert_int_equal(decode_pbs_patched(204, "01000000"), KMS_EINVAL);
    wt_assert_msg_has("PBS-KS");
    assert_int_equal(decode_pbs_patched(212, "03000000"), KMS_EINVAL);
    assert_int_equal(decode_pbs_patched(60, "3f000000"), KMS_EINVAL); /* TUniform(63) */
    assert_int_equal(decode_pbs_patched(84, "4100000000000000"), KMS_EINVAL); /* base 65 */

    /* a drift bound that is no 64-bit integer */
    struct tfhe_pbs_params test_pbs = wt_params("test")->pbs, back;
    size_t len = 0;
    uint8_t *b = encode(put_pbs, &test_pbs, &len);
    double half = 0.5;
    memcpy(b + len - 32, &half, 8); /* ms_bound: 3 (version, f64) pairs from the end */
    struct reader r;
    reader_init(&r, b, len);
    assert_int_equal(wire_get_pbs_params(&r, &back), KMS_EINVAL);
    wt_assert_msg_has("ms_bound");
    /* every prefix of a record is a truncation */
    for (size_t cut = 0; cut < len; cut++) {
        reader_init(&r, b, cut);
        assert_int_equal(wire_get_pbs_params(&r, &back), KMS_ETRUNC);
    }
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_known_sets),
        cmocka_unit_test(test_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

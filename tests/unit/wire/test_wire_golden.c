/* Golden layouts of the objects node-tfhe cannot produce (it has no
 * compression, noise-squashing or squashed-compression keys): ckms makes
 * them from fixed seeds with the "test" set (k = 1, N = 256; compression
 * storage_log_modulus 9, 256 LWEs per GLWE; SnS k = 1, N = 256;
 * SnS-compression k = 1, N = 256, 128 LWEs per GLWE) and this test walks
 * the bytes with the cursor of wire_test_util.h (not the codec), field by
 * field, against the tfhe-rs 1.7.0 definitions (the struct, then its
 * backward_compatibility Versions enum, whose last variant is the version
 * written). Offsets are from the start
 * of the safe_serialize stream. The header of every object is
 *   0  u64 3, "0.5"    SerializationHeader.header_version
 *  11  u32 0           SerializationVersioningMode::Versioned
 *  15  u64 3, "0.1"    versioning_version
 *  26  u64 len, name   Named::NAME of the type
 * A "scalar" is a versioned usize newtype (PolynomialSize, Degree, ...):
 * u32 0 (its V0), then u64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_squashed.h"
#include "wire_test_util.h"

/* ---- CompressedCiphertextList of one FheUint8 ---- */

static void test_compressed_list_layout(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 40);
    struct radix_ct *ct;
    assert_int_equal(radix_ct_new(&ct, e.ck.params, RADIX_UINT8), 0);
    assert_int_equal(radix_encrypt_u64(e.cl->compute, ct, 0xa5, &e.rng), 0);
    struct wire_compressed_list l = {0};
    const struct radix_ct *one[1] = {ct};
    assert_int_equal(compression_compress_radix(e.s->compression, &l.list, one, 1), 0);
    l.tag = (uint8_t *)"kid";
    l.tag_len = 3;
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_compressed_list_write(&s, &l), 0);
    struct wt_cur c = {b.data, b.len, 0};
    /* 26: u64 40, "high_level_api::CompressedCiphertextList" */
    wt_header(&c, "high_level_api::CompressedCiphertextList");
    AT(&c, 74);
    U32(&c, 3); /* 74 HL CompressedCiphertextListVersions::V3 (V0..V2 are older) */
    U32(&c, 0); /* 78 integer CompressedCiphertextListVersions::V0 (field inner) */
    U32(&c, 2); /* 82 shortint CompressedCiphertextListVersions::V2 (field packed_list) */
    U64(&c, 1); /* 86 modulus_switched_glwe_ciphertext_list: Vec len, one GLWE (4 <= 256) */
    U32(&c, 0); /* 94 CompressedModulusSwitchedGlweCiphertextVersions::V0 */
    U32(&c, 0); /* 98 PackedIntegersVersions::V0 (field packed_integers) */
    /* 102 packed_coeffs: Vec<u64> of ceil((k N + bodies) L / 64) =
     *     ceil(260 * 9 / 64) = 37 words, 9-bit values LSB first */
    U64(&c, 37);
    wt_bytes_at(&c, l.list.glwes[0].packed, 37 * 8);
    AT(&c, 406);
    SCALAR(&c, 9);   /* 406 log_modulus: CiphertextModulusLog = storage_log_modulus */
    U64(&c, 260);    /* 418 initial_len: usize (plain), k N masks + 4 bodies */
    SCALAR(&c, 1);   /* 426 glwe_dimension */
    SCALAR(&c, 256); /* 438 polynomial_size */
    SCALAR(&c, 4);   /* 450 bodies_count: LweCiphertextCount, one per block */
    NATIVE_MODULUS(&c, 64); /* 462 uncompressed_ciphertext_modulus */
    AT(&c, 490);
    U8(&c, 1);       /* 490 meta: Option::Some */
    U32(&c, 0);      /* 491 CompressedCiphertextListMetaVersions::V0 */
    NATIVE_MODULUS(&c, 64); /* 495 ciphertext_modulus */
    SCALAR(&c, 4);   /* 523 message_modulus */
    SCALAR(&c, 4);   /* 535 carry_modulus */
    U32(&c, 0);      /* 547 AtomicPatternKindVersions::V0 */
    U32(&c, 0);      /* 551 AtomicPatternKind::Standard */
    U32(&c, 0);      /* 555 PBSOrderVersions::V0 */
    U32(&c, 0);      /* 559 PBSOrder::KeyswitchBootstrap */
    SCALAR(&c, 256); /* 563 lwe_per_glwe */
    AT(&c, 575);
    U64(&c, 1);      /* 575 info: Vec<DataKind> len */
    U32(&c, 1);      /* 583 DataKindVersions::V1 */
    U32(&c, 0);      /* 587 DataKind::Unsigned */
    U64(&c, 4);      /* 591 NonZeroUsize: 4 blocks of 2 bits */
    wt_tag(&c, (const uint8_t *)"kid", 3); /* 599 tag */
    U64(&c, 1);      /* 614 re_randomization_metadata: Vec len, one per element */
    wt_tag(&c, NULL, 0); /* 622 ReRandomizationMetadataVersions::V0, empty Vec<u8> */
    AT(&c, b.len);
    assert_int_equal(c.pos, 634);
    l.tag = NULL;
    wire_compressed_list_clear(&l);
    buf_free(&b);
    radix_ct_free(ct);
    wt_env_free(&e);
}

/* ---- squashed ciphertexts ---- */

/* shortint SquashedNoiseCiphertext of LWE dimension 256 (4192 bytes). */
static void squashed_block(struct wt_cur *c, const struct sns_ct *want)
{
    size_t start = c->pos;
    U32(c, 0);   /* SquashedNoiseCiphertextVersions::V0 */
    U32(c, 0);   /* LweCiphertextVersions::V0 (field ct) */
    U64(c, 257); /* data: Vec<u128>, mask (k N = 256) then body */
    wt_bytes_at(c, want->data, 257 * 16);
    NATIVE_MODULUS(c, 128);
    SCALAR(c, want->degree); /* degree */
    SCALAR(c, 4);            /* message_modulus */
    SCALAR(c, 4);            /* carry_modulus */
    assert_int_equal(c->pos - start, 4192);
}

static struct sns_radix *squash(struct wt_env *e, int32_t type, uint64_t v)
{
    struct radix_ct *ct;
    struct sns_radix *sq;
    struct sns_scratch *sc;
    assert_int_equal(radix_ct_new(&ct, e->ck.params, type), 0);
    assert_int_equal(radix_encrypt_u64(e->cl->compute, ct, v, &e->rng), 0);
    assert_int_equal(sns_scratch_new(&sc, e->s->sns), 0);
    assert_int_equal(sns_radix_new(&sq, e->ck.params, type), 0);
    assert_int_equal(sns_squash_radix(e->s->sns, e->s->compute, sc, sq, ct), 0);
    sns_scratch_free(sc);
    radix_ct_free(ct);
    return sq;
}

static void test_squashed_layouts(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 41);
    struct buf b;
    struct wire_sink s;

    struct sns_radix *sq = squash(&e, RADIX_UINT8, 0x3c);
    assert_int_equal(sns_radix_set_tag(sq, (const uint8_t *)"kid", 3), 0);
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_sns_radix_write(&s, sq), 0);
    struct wt_cur c = {b.data, b.len, 0};
    wt_header(&c, "high_level_api::SquashedNoiseFheUint"); /* 26: u64 36, name */
    AT(&c, 70);
    U32(&c, 1); /* 70 SquashedNoiseFheUintVersions::V1 */
    U32(&c, 0); /* 74 InnerSquashedNoiseRadixCiphertextVersionedOwned::V0 (hand-written) */
    U32(&c, 0); /* 78 SquashedNoiseRadixCiphertextVersions::V0 */
    U64(&c, 2); /* 82 packed_blocks: Vec len, 4 blocks packed in pairs */
    squashed_block(&c, &sq->blocks[0]); /* 90 */
    squashed_block(&c, &sq->blocks[1]); /* 4282 */
    AT(&c, 8474);
    U64(&c, 4); /* 8474 original_block_count: usize (plain) */
    U32(&c, 0); /* 8482 SquashedNoiseCiphertextStateVersions::V0 */
    U32(&c, 0); /* 8486 SquashedNoiseCiphertextState::Normal */
    wt_tag(&c, (const uint8_t *)"kid", 3); /* 8490 tag */
    AT(&c, b.len);
    buf_free(&b);
    sns_radix_free(sq);

    sq = squash(&e, RADIX_BOOL, 1);
    sq->state = SNS_STATE_POST_DECOMPRESSION;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_sns_radix_write(&s, sq), 0);
    c = (struct wt_cur){b.data, b.len, 0};
    wt_header(&c, "high_level_api::SquashedNoiseFheBool"); /* 26: u64 36, name */
    U32(&c, 1); /* 70 SquashedNoiseFheBoolVersions::V1 */
    U32(&c, 0); /* 74 InnerSquashedNoiseBooleanVersionedOwned::V0 (hand-written) */
    U32(&c, 0); /* 78 SquashedNoiseBooleanBlockVersions::V0 { ciphertext } */
    squashed_block(&c, &sq->blocks[0]); /* 82 */
    U32(&c, 0); /* 4274 state V0 */
    U32(&c, 1); /* 4278 SquashedNoiseCiphertextState::PostDecompression */
    wt_tag(&c, NULL, 0);
    AT(&c, b.len);
    buf_free(&b);
    sns_radix_free(sq);
    wt_env_free(&e);
}

/* ---- CompressedSquashedNoiseCiphertextList of one FheUint8 ---- */

static void test_squashed_list_layout(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 42);
    struct sns_radix *sq = squash(&e, RADIX_UINT8, 0x99);
    struct compression_data_kind info = {COMPRESSION_KIND_UNSIGNED, 4, 0, 0};
    struct wire_snscomp_list l = {0};
    assert_int_equal(snscomp_compress(e.s->sns_compression, &l.list, sq->data, sq->count, 4, 4,
                                      &info, 1),
                     0);
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_snscomp_list_write(&s, &l), 0);
    struct wt_cur c = {b.data, b.len, 0};
    /* 26: u64 53, "high_level_api::CompressedSquashedNoiseCiphertextList" */
    wt_header(&c, "high_level_api::CompressedSquashedNoiseCiphertextList");
    AT(&c, 87);
    U32(&c, 0); /* 87 HL CompressedSquashedNoiseCiphertextListVersions::V0 */
    U32(&c, 0); /* 91 integer ...Versions::V0 (field inner) */
    U32(&c, 0); /* 95 shortint ...Versions::V0 (field list) */
    U64(&c, 1); /* 99 glwe_ciphertext_list: Vec len */
    U32(&c, 0); /* 107 CompressedModulusSwitchedGlweCiphertextVersions::V0 */
    U32(&c, 0); /* 111 PackedIntegersVersions::V0 */
    /* 115 packed_coeffs: Vec<u128>; log_modulus 128 packs nothing: the k N
     *     mask coefficients then the 2 bodies, one value per word */
    U64(&c, 258);
    wt_bytes_at(&c, l.list.glwes[0].packed, 258 * 16);
    SCALAR(&c, 128); /* 4251 log_modulus */
    U64(&c, 258);    /* 4263 initial_len */
    SCALAR(&c, 1);   /* 4271 glwe_dimension */
    SCALAR(&c, 256); /* 4283 polynomial_size */
    SCALAR(&c, 2);   /* 4295 bodies_count: the two packed pairs */
    NATIVE_MODULUS(&c, 128); /* 4307 uncompressed_ciphertext_modulus */
    AT(&c, 4335);
    U8(&c, 1);       /* 4335 meta: Option::Some */
    U32(&c, 0);      /* 4336 CompressedSquashedNoiseCiphertextListMetaVersions::V0 */
    SCALAR(&c, 4);   /* 4340 message_modulus */
    SCALAR(&c, 4);   /* 4352 carry_modulus */
    SCALAR(&c, 128); /* 4364 lwe_per_glwe */
    U64(&c, 1);      /* 4376 info: Vec<DataKind> len */
    U32(&c, 1);      /* 4384 DataKindVersions::V1 */
    U32(&c, 0);      /* 4388 DataKind::Unsigned */
    U64(&c, 4);      /* 4392 original radix blocks */
    wt_tag(&c, NULL, 0); /* 4400 tag */
    AT(&c, b.len);
    buf_free(&b);
    wire_snscomp_list_clear(&l);
    sns_radix_free(sq);
    wt_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compressed_list_layout),
        cmocka_unit_test(test_squashed_layouts),
        cmocka_unit_test(test_squashed_list_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

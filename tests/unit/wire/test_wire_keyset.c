/* Seeded keys: CompressedXofKeySet, CompressedServerKey and
 * CompressedCompactPublicKey (wire_keyset.h).
 *
 * Golden layout: a "test"-set keyset from a fixed seed, written as a
 * CompressedXofKeySet and walked field by field with an independent cursor
 * against the tfhe-rs 1.7.0 definitions (the struct, then its
 * backward_compatibility Versions enum, whose last variant is the version
 * written; high_level_api/xof_key_set, keys/server.rs, keys/inner.rs,
 * shortint and integer server_key / list_compression / noise_squashing /
 * oprf, core_crypto entities seeded_*). The same walk, run on a
 * CompressedServerKey that node-tfhe 1.7.0 generated, is what
 * tests/interop/test_fhe_cli.js relies on. Offsets are from the start of
 * the stream; the test set has n = 1, k = 1, N = 256 (compute, SnS and
 * both packing keys), n_pk = 512, KSK 37/1, PBS 24/1, compression 27/1 and
 * 24/1, SnS 33/2, SnS compression 61/1, drift switches with 10 and 8 zeros.
 *
 * Then: byte-exact write -> read -> write of all three objects; the bodies
 * and seeds read equal the keyset's; keyset_decompress of what was read
 * equals the generated keys; Ctr seeds (tfhe-rs CompressedServerKey::new)
 * survive a round trip and expand from their own generator; malformed,
 * oversized, wrong-version, wrong-type and mismatched inputs are refused
 * with clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tfhe/wire/wire_keyset.h"
#include "wire_test_util.h"

static const uint8_t TAG[] = {'k', 'e', 'y', '-', 'i', 'd'};

static struct keyset *make_keyset(uint8_t s, unsigned flags)
{
    uint8_t seed[16] = {s, 2, 3};
    struct keyset *ks;
    assert_int_equal(keyset_generate(&ks, wt_params("test"), seed, sizeof seed, TAG, sizeof TAG,
                                     128, 1.0, flags),
                     0);
    return ks;
}

static int put_xof(struct wire_sink *s, const void *o) { return wire_xof_keyset_write(s, o); }
static int put_csk(struct wire_sink *s, const void *o) { return wire_csk_write(s, o, NULL); }
static int put_ccpk(struct wire_sink *s, const void *o) { return wire_ccpk_write(s, o, NULL); }
static int put_read(struct wire_sink *s, const void *o) { return wire_seeded_keyset_write(s, o); }

static int read_test(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_seeded_keyset k;
    int rc = wire_seeded_keyset_read(&k, b, len, limit, wt_params("test"));
    wire_seeded_keyset_clear(&k);
    return rc;
}

/* Vec<u64 or u128> of words: the length, then the component's bodies. */
static void body(struct wt_cur *c, const struct keyset_public *pub, enum keyset_comp comp,
                 size_t words, unsigned word_bytes)
{
    U64(c, words);
    wt_bytes_at(c, pub->comp[comp].bodies, words * word_bytes);
}

/* CompressionSeed V1 { AesCtrParams V0 { SeedKind V0 variant 1 Xof(XofSeed
 * V0 { Vec<u8> "TFHE_GEN" || seed }), TableIndex V0 { AesIndex V0 (u128),
 * ByteIndex V0 (usize) } } }: 88 bytes for a 16-byte seed. */
static void xof_seed(struct wt_cur *c, const struct keyset_public *pub, u128 first_byte)
{
    size_t start = c->pos;
    U32(c, 1); /* CompressionSeedVersions::V1 (V0 was a bare Seed) */
    U32(c, 0); /* AesCtrParamsVersions::V0 */
    U32(c, 0); /* SeedKindVersions::V0 */
    U32(c, 1); /* SeedKind::Xof */
    U32(c, 0); /* XofSeedVersions::V0 */
    U64(c, 24);
    wt_bytes_at(c, "TFHE_GEN", 8);
    wt_bytes_at(c, pub->seed, 16);
    U32(c, 0); /* TableIndexVersions::V0 */
    U32(c, 0); /* AesIndexVersions::V0 */
    U128(c, first_byte / 16);
    U32(c, 0); /* ByteIndexVersions::V0 */
    U64(c, first_byte % 16);
    assert_int_equal(c->pos - start, 88);
}

/* SeededLweBootstrapKey V1 { SeededGgswCiphertextList V1 { data, glwe_size,
 * polynomial_size, decomp_base_log, decomp_level_count, compression_seed,
 * ciphertext_modulus } } */
static void seeded_bsk(struct wt_cur *c, const struct keyset_public *pub, enum keyset_comp comp,
                       size_t n_in, unsigned base_log, unsigned level, unsigned word_bytes,
                       u128 first_byte)
{
    U32(c, 1);
    U32(c, 1);
    body(c, pub, comp, n_in * level * 2 * 256, word_bytes); /* (k+1) rows of N bodies per level */
    SCALAR(c, 2);   /* glwe_size k + 1 */
    SCALAR(c, 256); /* polynomial_size */
    SCALAR(c, base_log);
    SCALAR(c, level);
    xof_seed(c, pub, first_byte);
    NATIVE_MODULUS(c, 8 * word_bytes);
}

/* SeededLweKeyswitchKey V2 { data, decomp_base_log, decomp_level_count,
 * output_lwe_size, compression_seed, ciphertext_modulus } */
static void seeded_ksk(struct wt_cur *c, const struct keyset_public *pub, enum keyset_comp comp,
                       size_t n_in, u128 first_byte)
{
    U32(c, 2);
    body(c, pub, comp, n_in, 8); /* one body per input coefficient and level (1) */
    SCALAR(c, 37);
    SCALAR(c, 1);
    SCALAR(c, 2); /* n + 1 */
    xof_seed(c, pub, first_byte);
    NATIVE_MODULUS(c, 64);
}

/* SeededLwePackingKeyswitchKey V2 { data, decomp_base_log,
 * decomp_level_count, output_glwe_size, output_polynomial_size,
 * compression_seed, ciphertext_modulus } */
static void seeded_pksk(struct wt_cur *c, const struct keyset_public *pub, enum keyset_comp comp,
                        unsigned base_log, unsigned word_bytes, u128 first_byte)
{
    U32(c, 2);
    body(c, pub, comp, 256 * 1 * 256, word_bytes); /* 256 inputs x 1 level x N bodies */
    SCALAR(c, base_log);
    SCALAR(c, 1);
    SCALAR(c, 2);
    SCALAR(c, 256);
    xof_seed(c, pub, first_byte);
    NATIVE_MODULUS(c, 8 * word_bytes);
}

/* CompressedModulusSwitchConfiguration V0 variant 1 (drift):
 * CompressedModulusSwitchNoiseReductionKey V1 { SeededLweCiphertextList V0
 * { data, lwe_size, compression_seed, modulus }, ms_bound,
 * ms_r_sigma_factor, ms_input_variance (f64 newtypes) } */
static void drift_key(struct wt_cur *c, const struct keyset_public *pub, enum keyset_comp comp,
                      const struct tfhe_ms_params *ms, u128 first_byte)
{
    U32(c, 0);
    U32(c, 1);
    U32(c, 1);
    U32(c, 0);
    body(c, pub, comp, ms->zeros_count, 8);
    SCALAR(c, 2);
    xof_seed(c, pub, first_byte);
    NATIVE_MODULUS(c, 64);
    double f[3] = {(double)ms->ms_bound, ms->ms_r_sigma_factor, ms->ms_input_variance};
    for (int i = 0; i < 3; i++) {
        U32(c, 0);
        wt_bytes_at(c, &f[i], 8);
    }
}

/* CompactPublicKeyEncryptionParameters V1 (wire_params.h), TUniform(0). */
static void cpk_params(struct wt_cur *c, unsigned dim, int rerand)
{
    U32(c, 1);
    SCALAR(c, dim);
    U32(c, 0); /* DynamicDistribution V0 */
    U32(c, 1); /* TUniform */
    U32(c, 0);
    U32(c, 0); /* bound_log2 0 */
    SCALAR(c, 4);
    SCALAR(c, 4);
    NATIVE_MODULUS(c, 64);
    U32(c, 1); /* CompactCiphertextListExpansionKind V1 */
    if (rerand) {
        U32(c, 1); /* NoCasting(AtomicPatternKind V0 Standard(PBSOrder V0 KeyswitchBootstrap)) */
        U32(c, 0);
        U32(c, 0);
        U32(c, 0);
        U32(c, 0);
    } else {
        U32(c, 0); /* RequiresCasting */
    }
    U32(c, 0); /* SupportedCompactPkeZkScheme V0 */
    U32(c, rerand ? 0 : 2); /* ZkNotSupported / V2 */
}

/* Mask-stream offsets of the components, from the test set's numbers (8
 * bytes per u64 mask word, 16 per u128), in generation order. */
enum {
    OFF_CPK = 0,
    OFF_COMPRESSION = OFF_CPK + 512 * 8,                       /* A of n_pk */
    OFF_DECOMPRESSION = OFF_COMPRESSION + 256 * 1 * 256 * 8,   /* 256 x 1 level x k N */
    OFF_COMPUTE_KSK = OFF_DECOMPRESSION + 256 * 1 * 2 * 256 * 8, /* 256 GGSW x 2 rows x k N */
    OFF_COMPUTE_BSK = OFF_COMPUTE_KSK + 256 * 1 * 1 * 8,       /* 256 x 1 level x n */
    OFF_COMPUTE_MS = OFF_COMPUTE_BSK + 1 * 1 * 2 * 256 * 8,    /* 1 GGSW x 2 rows x k N */
    OFF_SNS_BSK = OFF_COMPUTE_MS + 10 * 1 * 8,                 /* 10 zeros of n */
    OFF_SNS_MS = OFF_SNS_BSK + 1 * 2 * 2 * 256 * 16,           /* 1 GGSW x 2 levels x 2 rows */
    OFF_CASTING = OFF_SNS_MS + 8 * 1 * 8,                      /* 8 zeros */
    OFF_RERAND = OFF_CASTING + 512 * 1 * 1 * 8,                /* n_pk x 1 level x n */
    OFF_SNS_COMPRESSION = OFF_RERAND + 256 * 8,                /* A of k N */
    OFF_OPRF = OFF_SNS_COMPRESSION + 256 * 1 * 256 * 16,       /* 256 x 1 level x k N (u128) */
};

static void test_xof_keyset_layout(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(7, 0);
    const struct keyset_public *pub = &ks->pub;
    const struct tfhe_params *p = pub->params;
    size_t len;
    uint8_t *b = wt_serialize(put_xof, pub, &len);
    struct wt_cur cc = {b, len, 0}, *c = &cc;
    /* 26: u64 35, "high_level_api::CompressedXofKeySet" */
    wt_header(c, "high_level_api::CompressedXofKeySet");
    AT(c, 69);
    U32(c, 1);  /* 69 CompressedXofKeySetVersions::V1 (V0 started at the second byte) */
    U32(c, 0);  /* 73 XofSeedStartVersions::V0 */
    U32(c, 0);  /* 77 XofSeedStart::FirstByte */
    U32(c, 0);  /* 81 XofSeedVersions::V0 */
    U64(c, 24); /* 85 data: Vec<u8> "TFHE_GEN" || the 16-byte public seed */
    wt_bytes_at(c, "TFHE_GEN", 8);
    wt_bytes_at(c, pub->seed, 16);
    AT(c, 117); /* compressed_public_key: */
    U32(c, 1);  /* 117 HL CompressedCompactPublicKeyVersions::V1 (V0 had no tag) */
    U32(c, 0);  /* 121 IntegerCompressedCompactPublicKeyVersions::V0 */
    U32(c, 0);  /* 125 integer CompressedCompactPublicKeyVersions::V0 */
    U32(c, 1);  /* 129 shortint CompressedCompactPublicKeyVersions::V1 */
    U32(c, 0);  /* 133 SeededLweCompactPublicKeyVersions::V0 */
    U32(c, 0);  /* 137 SeededGlweCiphertextVersions::V0 */
    body(c, pub, KEYSET_CPK, 512, 8); /* 141 data: B only, n_pk words */
    AT(c, 4245);
    SCALAR(c, 2);                 /* 4245 glwe_size: a GLWE of k = 1, N = n_pk */
    xof_seed(c, pub, OFF_CPK);    /* 4257 */
    NATIVE_MODULUS(c, 64);        /* 4345 */
    cpk_params(c, 512, 0);        /* 4373 */
    AT(c, 4473);
    wt_tag(c, TAG, sizeof TAG); /* 4473 */
    AT(c, 4491);                  /* compressed_server_key: */
    U32(c, 2); /* 4491 HL CompressedServerKeyVersions::V2 (V0, V1 deprecated) */
    U32(c, 7); /* 4495 IntegerCompressedServerKeyVersions::V7 (oprf_key added) */
    U32(c, 2); /* 4499 integer CompressedServerKeyVersions::V2 */
    U32(c, 3); /* 4503 shortint CompressedServerKeyVersions::V3 (atomic patterns) */
    U32(c, 0); /* 4507 CompressedAtomicPatternServerKeyVersions::V0 */
    U32(c, 0); /* 4511 ::Standard */
    U32(c, 0); /* 4515 CompressedStandardAtomicPatternServerKeyVersions::V0 */
    seeded_ksk(c, pub, KEYSET_COMPUTE_KSK, 256, OFF_COMPUTE_KSK); /* 4519: 256 -> 1 */
    AT(c, 6731);
    U32(c, 3); /* 6731 ShortintCompressedBootstrappingKeyVersions::V3 */
    U32(c, 0); /* 6735 ::Classic { bsk, modulus_switch_noise_reduction_key } */
    seeded_bsk(c, pub, KEYSET_COMPUTE_BSK, 1, 24, 1, 8, OFF_COMPUTE_BSK); /* 6739 */
    AT(c, 11015);
    drift_key(c, pub, KEYSET_COMPUTE_MS, &p->pbs.ms, OFF_COMPUTE_MS); /* 11015 */
    AT(c, 11283);
    U32(c, 0);        /* 11283 PBSOrderVersions::V0 */
    U32(c, 0);        /* 11287 PBSOrder::KeyswitchBootstrap */
    SCALAR(c, 4);     /* 11291 message_modulus */
    SCALAR(c, 4);     /* 11303 carry_modulus */
    SCALAR(c, 12);    /* 11315 max_degree: 4 * 4 - 4 (MaxDegree::integer_radix_server_key) */
    SCALAR(c, 5);     /* 11327 max_noise_level */
    U8(c, 1);         /* 11339 cpk_key_switching_key_material: Some */
    U32(c, 2);        /* 11340 integer CompressedKeySwitchingKeyMaterialVersions::V2 */
    U32(c, 2);        /* 11344 shortint CompressedKeySwitchingKeyMaterialVersions::V2 */
    seeded_ksk(c, pub, KEYSET_CASTING_KSK, 512, OFF_CASTING); /* 11348: n_pk -> n */
    AT(c, 15608);
    U8(c, 0);         /* 15608 cast_rshift: i8 */
    U32(c, 0);        /* 15609 EncryptionKeyChoiceVersions::V0 */
    U32(c, 1);        /* 15613 ::Small */
    U32(c, 0);        /* 15617 KeySwitchingKeyDestinationAtomicPatternVersions::V0 */
    U32(c, 0);        /* 15621 ::Standard */
    U8(c, 1);         /* 15625 compression_key: Some */
    U32(c, 2);        /* 15626 integer CompressedCompressionKeyVersions::V2 */
    U32(c, 2);        /* 15630 shortint CompressedCompressionKeyVersions::V2 */
    seeded_pksk(c, pub, KEYSET_COMPRESSION, 27, 8, OFF_COMPRESSION); /* 15634 */
    AT(c, 540098);
    SCALAR(c, 256);   /* 540098 lwe_per_glwe */
    SCALAR(c, 9);     /* 540110 storage_log_modulus */
    U8(c, 1);         /* 540122 decompression_key: Some */
    U32(c, 1);        /* 540123 integer CompressedDecompressionKeyVersions::V1 */
    U32(c, 2);        /* 540127 shortint CompressedDecompressionKeyVersions::V2 */
    U32(c, 3);        /* 540131 ShortintCompressedBootstrappingKey V3 */
    U32(c, 0);        /* 540135 ::Classic */
    seeded_bsk(c, pub, KEYSET_DECOMPRESSION, 256, 24, 1, 8, OFF_DECOMPRESSION); /* 540139 */
    U32(c, 0);        /* 1588895 CompressedModulusSwitchConfigurationVersions::V0 */
    U32(c, 0);        /* 1588899 ::Standard (tfhe-rs always, for decompression) */
    SCALAR(c, 256);   /* 1588903 lwe_per_glwe */
    AT(c, 1588915);
    U8(c, 1);         /* 1588915 noise_squashing_key: Some */
    U32(c, 0);        /* integer CompressedNoiseSquashingKeyVersions::V0 */
    U32(c, 3);        /* shortint CompressedNoiseSquashingKeyVersions::V3 */
    U32(c, 0);        /* CompressedAtomicPatternNoiseSquashingKeyVersions::V0 */
    U32(c, 0);        /* ::Standard */
    U32(c, 0);        /* CompressedStandardAtomicPatternNoiseSquashingKeyVersions::V0 */
    U32(c, 1);        /* CompressedShortint128BootstrappingKeyVersions::V1 */
    U32(c, 0);        /* ::Classic */
    AT(c, 1588944);
    seeded_bsk(c, pub, KEYSET_SNS_BSK, 1, 33, 2, 16, OFF_SNS_BSK); /* 1588944 */
    drift_key(c, pub, KEYSET_SNS_MS, &p->sns.ms, OFF_SNS_MS);
    SCALAR(c, 4);     /* message_modulus */
    SCALAR(c, 4);     /* carry_modulus */
    NATIVE_MODULUS(c, 128); /* output_ciphertext_modulus */
    AT(c, 1605812);
    U8(c, 1);         /* 1605812 noise_squashing_compression_key: Some */
    U32(c, 0);        /* integer CompressedNoiseSquashingCompressionKeyVersions::V0 */
    U32(c, 0);        /* shortint CompressedNoiseSquashingCompressionKeyVersions::V0 */
    seeded_pksk(c, pub, KEYSET_SNS_COMPRESSION, 61, 16, OFF_SNS_COMPRESSION);
    SCALAR(c, 128);   /* lwe_per_glwe */
    AT(c, 2654585);
    U8(c, 1);         /* 2654585 cpk_re_randomization_key: Some */
    U32(c, 0);        /* CompressedReRandomizationKeyVersions::V0 */
    U32(c, 1);        /* ::DerivedCPKWithoutKeySwitch { cpk } */
    U32(c, 0);        /* integer CompressedCompactPublicKeyVersions::V0 */
    U32(c, 1);        /* shortint CompressedCompactPublicKeyVersions::V1 */
    U32(c, 0);        /* SeededLweCompactPublicKeyVersions::V0 */
    U32(c, 0);        /* SeededGlweCiphertextVersions::V0 */
    body(c, pub, KEYSET_RERAND_CPK, 256, 8); /* B under the big key (k N = 256) */
    SCALAR(c, 2);
    xof_seed(c, pub, OFF_RERAND);
    NATIVE_MODULUS(c, 64);
    cpk_params(c, 256, 1);
    AT(c, 2656910);
    U8(c, 1);         /* 2656910 oprf_key: Some */
    U32(c, 0);        /* integer CompressedOprfServerKeyVersions::V0 */
    U32(c, 0);        /* shortint CompressedOprfServerKeyVersions::V0 */
    U32(c, 0);        /* CompressedOprfBootstrappingKeyVersions::V0 */
    U32(c, 0);        /* ::Classic { seeded_bsk } */
    seeded_bsk(c, pub, KEYSET_OPRF_BSK, 1, 24, 1, 8, OFF_OPRF); /* 2656927 */
    AT(c, 2661203);
    wt_tag(c, TAG, sizeof TAG); /* 2661203 the server key's tag */
    AT(c, len);
    assert_int_equal(len, 2661221);

    /* the CompressedServerKey alone is the same body under its own header */
    size_t clen;
    uint8_t *csk = wt_serialize(put_csk, pub, &clen);
    size_t hx = 26 + 8 + strlen(WIRE_NAME_XOF_KEYSET), hc = 26 + 8 + strlen(WIRE_NAME_COMPRESSED_SERVER_KEY);
    assert_int_equal(clen - hc, len - 4491);
    assert_memory_equal(csk + hc, b + 4491, clen - hc);
    /* and the CompressedCompactPublicKey is the XofKeySet's bytes 117..4491 */
    uint8_t *ccpk = wt_serialize(put_ccpk, pub, &clen);
    hc = 26 + 8 + strlen(WIRE_NAME_COMPRESSED_CPK);
    assert_int_equal(clen - hc, 4491 - 117);
    assert_memory_equal(ccpk + hc, b + 117, clen - hc);
    (void)hx;
    free(ccpk);
    free(csk);
    free(b);
    keyset_free(ks);
}

/* What was read equals what was written, and writes back to the same bytes. */
static void assert_same_public(const struct wire_seeded_keyset *k, const struct keyset_public *pub)
{
    assert_ptr_equal(k->pub.params, pub->params);
    assert_int_equal(k->pub.tag_len, pub->tag_len);
    assert_memory_equal(k->pub.tag, pub->tag, pub->tag_len);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        if (!(k->present & (1u << c)))
            continue;
        const struct keyset_layout *l = &pub->comp[c].layout;
        assert_memory_equal(k->pub.comp[c].bodies, pub->comp[c].bodies,
                            keyset_layout_body_words(l) * l->word_bytes);
        assert_int_equal(k->seed[c].kind, WIRE_SEED_XOF);
        assert_true(k->seed[c].first_byte == pub->comp[c].first_byte);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(8, KEYSET_KEEP_STD);
    const struct keyset_public *pub = &ks->pub;
    const wt_write_fn writers[3] = {put_xof, put_csk, put_ccpk};
    const unsigned present[3] = {0xfff, 0xffe, 0x001};
    for (int kind = 0; kind < 3; kind++) {
        size_t len, len2;
        uint8_t *b = wt_serialize(writers[kind], pub, &len);
        struct wire_seeded_keyset k;
        assert_int_equal(wire_seeded_keyset_read(&k, b, len, len, NULL), 0);
        assert_int_equal(k.kind, kind);
        assert_int_equal(k.present, present[kind]);
        assert_true(k.replayable);
        assert_int_equal(k.pub.seed_len, 16);
        assert_memory_equal(k.pub.seed, pub->seed, 16);
        assert_same_public(&k, pub);
        uint8_t *again = wt_serialize(put_read, &k, &len2);
        assert_int_equal(len2, len);
        assert_memory_equal(again, b, len);
        /* each component expands from its own seed to the generated key */
        for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
            if (!(k.present & (1u << c)))
                continue;
            const struct keyset_layout *l = &pub->comp[c].layout;
            size_t words = keyset_layout_words(l);
            void *out = malloc(words * l->word_bytes);
            assert_non_null(out);
            assert_int_equal(wire_seeded_keyset_expand(&k, (enum keyset_comp)c, out, words), 0);
            assert_memory_equal(out, ks->std[c], words * l->word_bytes);
            free(out);
        }
        if (kind == WIRE_KEYSET_XOF) {
            /* keyset_decompress of what was read equals the generated keys */
            struct keyset_server *s1, *s2;
            assert_int_equal(keyset_decompress(&s1, &k.pub), 0);
            assert_int_equal(keyset_decompress(&s2, pub), 0);
            assert_memory_equal(s1->cpk, ks->std[KEYSET_CPK], s1->cpk_len * 8);
            assert_memory_equal(s1->cpk, s2->cpk, s1->cpk_len * 8);
            assert_memory_equal(s1->casting_ksk, ks->std[KEYSET_CASTING_KSK],
                                s1->casting_ksk_len * 8);
            assert_memory_equal(s1->rerand_cpk, ks->std[KEYSET_RERAND_CPK],
                                s1->rerand_cpk_len * 8);
            assert_memory_equal(s1->compute->ksk, ks->std[KEYSET_COMPUTE_KSK],
                                keyset_layout_words(&pub->comp[KEYSET_COMPUTE_KSK].layout) * 8);
            size_t bw = bsk_polys(&s1->compute->bsk.shape) * s1->compute->bsk.shape.polynomial_size;
            assert_memory_equal(s1->compute->bsk.data, s2->compute->bsk.data, bw * 8);
            assert_memory_equal(s1->compression->pksk, ks->std[KEYSET_COMPRESSION],
                                packing_ksk_size(&s1->compression->shape) * 8);
            assert_memory_equal(s1->sns_compression->pksk, ks->std[KEYSET_SNS_COMPRESSION],
                                packing_ksk_size(&s1->sns_compression->shape) * 16);
            assert_memory_equal(s1->sns->bsk.data, s2->sns->bsk.data,
                                s1->sns->bsk.ggsw_words * s1->sns->bsk.shape.lwe_dimension * 8);
            keyset_server_free(s1);
            keyset_server_free(s2);
        }
        wire_seeded_keyset_clear(&k);
        free(again);
        free(b);
    }
    keyset_free(ks);
}

/* Keys tfhe-rs's CompressedServerKey::new makes seed every entity with its
 * own Ctr seed at index 0: kept as they are, expanded from their own
 * generator (Seed(s): AES key = the 16 little-endian bytes of s). */
static void test_ctr_seeds(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(9, 0);
    struct wire_cseed seeds[KEYSET_COMP_COUNT];
    memset(seeds, 0, sizeof seeds);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        seeds[c].kind = WIRE_SEED_CTR;
        seeds[c].ctr = ((u128)0x0123456789abcdefull << 64) | (0x1000u + (unsigned)c);
        seeds[c].first_byte = c == KEYSET_SNS_BSK ? 24 : 0; /* byte_index 8 */
    }
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(wire_csk_write(&s, &ks->pub, seeds), 0);
    struct wire_seeded_keyset k;
    assert_int_equal(wire_seeded_keyset_read(&k, b.data, b.len, b.len, NULL), 0);
    assert_false(k.replayable);
    assert_int_equal(k.present, 0xffe); /* every component but the CPK */
    for (int c = 1; c < KEYSET_COMP_COUNT; c++) {
        if (!(k.present & (1u << c)))
            continue;
        assert_int_equal(k.seed[c].kind, WIRE_SEED_CTR);
        assert_true(k.seed[c].ctr == seeds[c].ctr);
        assert_true(k.seed[c].first_byte == seeds[c].first_byte);
    }
    /* the SnS BSK expands from AES-CTR with key LE(ctr) from byte 24 */
    const struct keyset_layout *l = &ks->pub.comp[KEYSET_SNS_BSK].layout;
    size_t words = keyset_layout_words(l);
    u128 *a = malloc(words * 16), *w = malloc(words * 16);
    assert_non_null(a);
    assert_non_null(w);
    assert_int_equal(wire_seeded_keyset_expand(&k, KEYSET_SNS_BSK, a, words), 0);
    uint8_t key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(seeds[KEYSET_SNS_BSK].ctr >> (8 * i));
    struct csprng g;
    assert_int_equal(csprng_init_seed(&g, key), 0);
    assert_int_equal(csprng_skip(&g, 24), 0);
    assert_int_equal(keyset_expand(&ks->pub, KEYSET_SNS_BSK, &g, w, words, 0, l->count), 0);
    csprng_free(&g);
    assert_memory_equal(a, w, words * 16);
    struct buf b2;
    buf_init(&b2, BUF_UNLIMITED);
    wire_sink_buf(&s, &b2, UINT64_MAX);
    assert_int_equal(wire_seeded_keyset_write(&s, &k), 0);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    free(a);
    free(w);
    buf_free(&b2);
    buf_free(&b);
    wire_seeded_keyset_clear(&k);
    keyset_free(ks);
}

static uint8_t *dup(const uint8_t *b, size_t len)
{
    uint8_t *c = malloc(len);
    assert_non_null(c);
    memcpy(c, b, len);
    return c;
}

static void expect_error(const uint8_t *b, size_t len, const struct tfhe_params *p, int code,
                         const char *msg)
{
    struct wire_seeded_keyset k;
    assert_int_equal(wire_seeded_keyset_read(&k, b, len, len, p), code);
    wt_assert_msg_has(msg);
    assert_int_equal(k.present, 0);
    assert_null(k.pub.params);
}

static void test_errors(void **state)
{
    (void)state;
    struct keyset *ks = make_keyset(10, 0);
    size_t len, clen;
    uint8_t *b = wt_serialize(put_xof, &ks->pub, &len);
    uint8_t *cb = wt_serialize(put_ccpk, &ks->pub, &clen);
    wt_check_malformed(cb, clen, read_test);

    uint8_t *x = dup(b, len);
    x[69] = 2; /* CompressedXofKeySetVersions::V2 does not exist in 1.7 */
    expect_error(x, len, NULL, KMS_EINVAL, "newer than tfhe-rs 1.7");
    x[69] = 0; /* V0 (before XofSeedStart) */
    expect_error(x, len, NULL, KMS_EINVAL, "old version V0");
    memcpy(x, b, len);
    x[77] = 1; /* XofSeedStart::SecondByte */
    expect_error(x, len, NULL, KMS_EINVAL, "XofSeedStart");
    memcpy(x, b, len);
    x[93] = 'X'; /* "TFHE_GEN" -> "TXHE_GEN" */
    expect_error(x, len, NULL, KMS_EINVAL, "domain separator");
    memcpy(x, b, len);
    x[len - 1] ^= 1; /* the server key's tag differs from the public key's */
    expect_error(x, len, NULL, KMS_EINVAL, "tag");
    memcpy(x, b, len);
    x[4257 + 12] = 7; /* SeedKind variant 7 */
    expect_error(x, len, NULL, KMS_EINVAL, "SeedKind");
    memcpy(x, b, len);
    x[4257 + 80] = 16; /* ByteIndex value 16 (TableIndex at +52: versions, u128, version) */
    expect_error(x, len, NULL, KMS_EINVAL, "table index");
    memcpy(x, b, len);
    x[6579 + 4] = 36; /* compute KSK base_log 36 instead of 37 */
    expect_error(x, len, NULL, KMS_EINVAL, "decomp_base_log");
    /* the test set's key is not a default-set key, and says why */
    expect_error(b, len, wt_params("default"), KMS_EINVAL, "where the parameters give");
    /* size limit: the object's own size is required */
    struct wire_seeded_keyset k;
    assert_int_equal(wire_seeded_keyset_read(&k, b, len, len - 1, NULL), KMS_ELIMIT);
    /* another type */
    memcpy(x, cb, clen);
    memcpy(x + 26 + 8 + strlen("high_level_api::"), "CompressedPublicKeyXXXXXXX", 26);
    expect_error(x, clen, NULL, KMS_EINVAL, "not a seeded key");
    /* truncations of the big object at the component boundaries */
    static const size_t cuts[] = {69, 117, 4491, 11015, 540098, 1588915, 2654585, 2661220};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int rc = wire_seeded_keyset_read(&k, b, cuts[i], len, NULL);
        assert_true(rc == KMS_ETRUNC || rc == KMS_EINVAL);
    }
    free(x);
    free(cb);
    free(b);
    keyset_free(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xof_keyset_layout),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_ctr_seeds),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

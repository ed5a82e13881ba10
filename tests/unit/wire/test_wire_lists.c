/* The list formats with "test"-set objects: CompactCiphertextList (plain
 * and packed, one and two mask bins) encrypted with the engine's compact
 * public key and decrypted through the wire layer with the client key's
 * compact secret; ProvenCompactCiphertextList structure; Compressed
 * CiphertextList and CompressedSquashedNoiseCiphertextList made by the
 * engine's compression keys. Each is written, read back and rewritten to
 * the same bytes, decrypted, and put through the damage sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tfhe/cpk.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_decrypt.h"
#include "wire_test_util.h"

struct element {
    int32_t type;
    int64_t value;
};

static const struct element elements[] = {
    {RADIX_UINT8, 201}, {RADIX_BOOL, 1}, {RADIX_INT8, -77}, {RADIX_UINT2048, 0x1234567}, {RADIX_BOOL, 0},
};
#define N_ELEMENTS (sizeof elements / sizeof elements[0])

static void kind_of(struct compression_data_kind *k, const struct radix_type *t)
{
    memset(k, 0, sizeof *k);
    k->kind = t->is_bool ? COMPRESSION_KIND_BOOLEAN
                         : (t->is_signed ? COMPRESSION_KIND_SIGNED : COMPRESSION_KIND_UNSIGNED);
    k->num_blocks = t->is_bool ? 0 : t->blocks;
}

static void value_bytes(uint8_t *out, const struct radix_type *t, int64_t v)
{
    size_t n = radix_type_bytes(t);
    for (size_t i = 0; i < n; i++)
        out[i] = i < 8 ? (uint8_t)((uint64_t)v >> (8 * i)) : (v < 0 ? 0xff : 0);
    if (t->is_bool)
        out[0] = v != 0;
}

/* A compact list of `elements` under the keyset's CPK, blocks paired when
 * packed, as tfhe-rs's builder does. */
static void build_compact(struct wt_env *e, struct wire_compact_list *l, int packed)
{
    const struct tfhe_params *p = e->ck.params;
    uint64_t blocks[1100];
    size_t nb = 0;
    memset(l, 0, sizeof *l);
    l->info = calloc(N_ELEMENTS, sizeof *l->info);
    assert_non_null(l->info);
    l->info_count = N_ELEMENTS;
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, elements[i].type), 0);
        kind_of(&l->info[i], t);
        uint8_t v[RADIX_MAX_BYTES];
        value_bytes(v, t, elements[i].value);
        for (size_t j = 0; j < t->blocks; j++)
            blocks[nb++] = (v[j / 4] >> (2 * (j % 4))) & 3;
    }
    size_t count = packed ? (nb + 1) / 2 : nb;
    uint64_t *pt = calloc(count, 8);
    assert_non_null(pt);
    for (size_t c = 0; c < count; c++) {
        uint64_t m = packed ? blocks[2 * c] + 4 * (2 * c + 1 < nb ? blocks[2 * c + 1] : 0)
                            : blocks[c];
        pt[c] = m * cpk_delta(p);
    }
    size_t n = p->cpk.lwe_dimension;
    struct wire_compact_part *part = calloc(1, sizeof *part);
    assert_non_null(part);
    part->data_len = cpk_list_size(n, count);
    part->data = calloc(part->data_len, 8);
    assert_non_null(part->data);
    struct csprng g;
    uint8_t seed[16] = {7, (uint8_t)packed};
    assert_int_equal(cpk_encrypt_rng_init(&g, seed, sizeof seed), 0);
    assert_int_equal(cpk_encrypt_list(p, part->data, part->data_len, e->s->cpk, e->s->cpk_len, pt,
                                      count, &g),
                     0);
    csprng_free(&g);
    free(pt);
    part->lwe_dimension = n;
    part->count = count;
    part->degree = packed ? 15 : 3;
    part->message_modulus = part->carry_modulus = 4;
    part->expansion = WIRE_EXPANSION_REQUIRES_CASTING;
    l->parts = part;
    l->part_count = 1;
}

static int put_compact(struct wire_sink *s, const void *o) { return wire_compact_list_write(s, o); }

static int read_compact(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_compact_list l;
    int rc = wire_compact_list_read(&l, b, len, limit);
    wire_compact_list_clear(&l);
    return rc;
}

static void check_decrypts(struct wt_env *e, const uint8_t *bytes, size_t len)
{
    struct wire_decryptor *d;
    assert_int_equal(wire_decryptor_new(&d, &e->ck), 0);
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        const struct radix_type *t;
        uint8_t got[RADIX_MAX_BYTES], want[RADIX_MAX_BYTES];
        size_t got_len, count;
        int rc = wire_decrypt(d, bytes, len, len, i, &t, got, sizeof got, &got_len, &count);
        if (rc != 0)
            fail_msg("element %zu: %s", i, kms_err_msg());
        assert_int_equal(count, N_ELEMENTS);
        assert_int_equal(t->id, elements[i].type);
        value_bytes(want, t, elements[i].value);
        assert_memory_equal(got, want, got_len);
    }
    const struct radix_type *t;
    uint8_t got[RADIX_MAX_BYTES];
    size_t got_len;
    assert_int_equal(wire_decrypt(d, bytes, len, len, N_ELEMENTS, &t, got, sizeof got, &got_len,
                                  NULL),
                     KMS_EINVAL);
    wire_decryptor_free(d);
}

/* Server-side expansion: cast to the compute keys, decrypted there. */
static void check_expands(struct wt_env *e, const struct wire_compact_list *l)
{
    const struct tfhe_params *p = e->ck.params;
    struct cpk_caster *c;
    assert_int_equal(cpk_caster_new(&c, p, e->s->casting_ksk, e->s->casting_ksk_len,
                                    &e->s->compute->bsk),
                     0);
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        struct radix_ct *ct;
        uint8_t got[RADIX_MAX_BYTES], want[RADIX_MAX_BYTES];
        int rc = wire_compact_list_expand(l, c, p, i, &ct);
        if (rc != 0)
            fail_msg("element %zu: %s", i, kms_err_msg());
        assert_int_equal(ct->type->id, elements[i].type);
        value_bytes(want, ct->type, elements[i].value);
        assert_int_equal(radix_decrypt(e->cl->compute, got, radix_type_bytes(ct->type), ct), 0);
        assert_memory_equal(got, want, radix_type_bytes(ct->type));
        assert_int_equal(ct->blocks[0].degree, ct->type->is_bool ? 1 : 3);
        radix_ct_free(ct);
    }
    struct radix_ct *ct;
    assert_int_equal(wire_compact_list_expand(l, c, wt_params("default"), 0, &ct), KMS_EINVAL);
    assert_null(ct);
    cpk_caster_free(c);
}

static void compact_case(int packed)
{
    struct wt_env e;
    struct wire_compact_list l, back;
    wt_env_new(&e, (uint8_t)(20 + packed));
    build_compact(&e, &l, packed);
    size_t len, len2;
    uint8_t *bytes = wt_serialize(put_compact, &l, &len);

    /* the library's builder makes the same list from the same seed */
    struct wire_plaintext pts[N_ELEMENTS];
    uint8_t vals[N_ELEMENTS][RADIX_MAX_BYTES];
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, elements[i].type), 0);
        value_bytes(vals[i], t, elements[i].value);
        pts[i] = (struct wire_plaintext){t->id, vals[i], radix_type_bytes(t)};
    }
    struct wire_compact_list built;
    uint8_t seed[16] = {7, (uint8_t)packed};
    assert_int_equal(wire_compact_list_encrypt(&built, e.ck.params, e.s->cpk, e.s->cpk_len, pts,
                                               N_ELEMENTS, packed, seed, sizeof seed),
                     0);
    uint8_t *built_bytes = wt_serialize(put_compact, &built, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(built_bytes, bytes, len);
    free(built_bytes);
    wire_compact_list_clear(&built);
    pts[2].len = 2;
    assert_int_equal(wire_compact_list_encrypt(&built, e.ck.params, e.s->cpk, e.s->cpk_len, pts,
                                               N_ELEMENTS, packed, seed, sizeof seed),
                     KMS_EINVAL);
    pts[2].len = 1;
    vals[1][0] = 2; /* a Bool of 2 */
    assert_int_equal(wire_compact_list_encrypt(&built, e.ck.params, e.s->cpk, e.s->cpk_len, pts,
                                               N_ELEMENTS, packed, seed, sizeof seed),
                     KMS_EINVAL);
    assert_int_equal(wire_compact_list_read(&back, bytes, len, len), 0);
    assert_false(back.proven);
    assert_int_equal(back.parts[0].count, l.parts[0].count);
    assert_memory_equal(back.parts[0].data, l.parts[0].data, l.parts[0].data_len * 8);
    uint8_t *again = wt_serialize(put_compact, &back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);
    check_decrypts(&e, bytes, len);
    check_expands(&e, &back);
    if (!packed)
        wt_check_malformed(bytes, len, read_compact);

    /* DataKinds that disagree with the stored count */
    back.info[0].num_blocks++;
    struct wire_sink c;
    wire_sink_counter(&c);
    assert_int_equal(wire_compact_list_write(&c, &back), KMS_EINVAL);
    wt_assert_msg_has("DataKinds describe");
    /* a proven list needs its proofs */
    back.info[0].num_blocks--;
    back.proven = 1;
    assert_int_equal(wire_compact_list_check(&back), KMS_EINVAL);
    wire_compact_list_clear(&back);
    wire_compact_list_clear(&l);
    free(again);
    free(bytes);
    wt_env_free(&e);
}

static void test_compact(void **state)
{
    (void)state;
    compact_case(0);
    compact_case(1);
}

/* The tfhe-zk-pok proof walker on hand-made proofs: an uncompressed PkeV2
 * proof without compute-load fields, and a PkeV1 proof with them and
 * compressed / infinity points. */
static void put_fp(struct wire_sink *s)
{
    static const uint64_t limbs[7] = {1, 2, 3, 4, 5, 6, 7};
    wire_put_version(s, 0);
    wire_put_u64s(s, limbs, 7);
}

static void put_point(struct wire_sink *s, int g2, uint32_t form)
{
    wire_put_version(s, 0);
    wire_put_variant(s, form);
    for (uint32_t c = 0; c < (form == 2 ? 2u : form); c++) {
        if (g2)
            wire_put_version(s, 0);
        put_fp(s);
        if (g2)
            put_fp(s);
    }
    if (form == 1)
        wire_put_bool(s, 1);
}

static void test_proof_walker(void **state)
{
    (void)state;
    struct buf b;
    struct wire_sink s;
    struct reader r;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    wire_put_version(&s, 2);
    wire_put_variant(&s, 1); /* PkeV2 */
    wire_put_version(&s, 3);
    for (const char *k = "21112111211"; *k; k++)
        put_point(&s, *k == '2', 2);
    wire_put_option(&s, 0);
    wire_put_version(&s, 0);
    wire_put_variant(&s, 2);
    size_t v2_len = b.len;
    wire_put_version(&s, 2);
    wire_put_variant(&s, 0); /* PkeV1 */
    wire_put_version(&s, 1);
    put_point(&s, 1, 1);
    put_point(&s, 0, 0);
    put_point(&s, 0, 2);
    wire_put_option(&s, 1);
    wire_put_version(&s, 0);
    put_point(&s, 1, 2);
    put_point(&s, 0, 1);
    put_point(&s, 0, 0);
    assert_int_equal(wire_sink_status(&s), 0);
    reader_init(&r, b.data, b.len);
    assert_int_equal(wire_skip_pke_proof(&r), 0);
    assert_int_equal(r.pos, v2_len);
    assert_int_equal(wire_skip_pke_proof(&r), 0);
    assert_int_equal(reader_remaining(&r), 0);
    for (size_t cut = 0; cut < v2_len; cut++) {
        reader_init(&r, b.data, cut);
        int rc = wire_skip_pke_proof(&r);
        assert_true(rc == KMS_ETRUNC || rc == KMS_EINVAL);
    }
    /* a field element of 6 limbs is no BLS12-446 element */
    b.data[4 + 4 + 4 + 4 + 4 + 4 + 4] = 6;
    reader_init(&r, b.data, b.len);
    assert_int_equal(wire_skip_pke_proof(&r), KMS_EINVAL);
    buf_free(&b);
}

/* ---- compressed lists ---- */

static int put_compressed(struct wire_sink *s, const void *o)
{
    return wire_compressed_list_write(s, o);
}

static int read_compressed(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_compressed_list l;
    int rc = wire_compressed_list_read(&l, b, len, limit);
    wire_compressed_list_clear(&l);
    return rc;
}

static int put_snscomp(struct wire_sink *s, const void *o) { return wire_snscomp_list_write(s, o); }

static int read_snscomp(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_snscomp_list l;
    int rc = wire_snscomp_list_read(&l, b, len, limit);
    wire_snscomp_list_clear(&l);
    return rc;
}

static void test_compressed(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 30);
    struct radix_ct *cts[N_ELEMENTS];
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        const struct radix_type *t;
        uint8_t v[RADIX_MAX_BYTES];
        assert_int_equal(radix_type_lookup(&t, elements[i].type), 0);
        value_bytes(v, t, elements[i].value);
        assert_int_equal(radix_ct_new(&cts[i], e.ck.params, elements[i].type), 0);
        assert_int_equal(radix_encrypt(e.cl->compute, cts[i], v, radix_type_bytes(t), &e.rng), 0);
    }
    struct wire_compressed_list l = {0}, back;
    assert_int_equal(compression_compress_radix(e.s->compression, &l.list,
                                                (const struct radix_ct *const *)cts, N_ELEMENTS),
                     0);
    assert_int_equal(wire_tag_dup(&l.tag, &l.tag_len, e.ks->pub.tag, e.ks->pub.tag_len), 0);
    size_t len, len2;
    uint8_t *bytes = wt_serialize(put_compressed, &l, &len);
    assert_int_equal(wire_compressed_list_read(&back, bytes, len, len), 0);
    assert_int_equal(back.rerand_count, N_ELEMENTS);
    assert_int_equal(back.list.glwe_count, l.list.glwe_count);
    uint8_t *again = wt_serialize(put_compressed, &back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);
    check_decrypts(&e, bytes, len);
    wt_check_malformed(bytes, len, read_compressed);
    free(again);
    free(bytes);
    wire_compressed_list_clear(&back);
    wire_compressed_list_clear(&l);

    /* the squashed forms of the same values, compressed */
    struct sns_scratch *sc;
    assert_int_equal(sns_scratch_new(&sc, e.s->sns), 0);
    size_t dim = (size_t)e.ck.params->sns.glwe_dimension * e.ck.params->sns.polynomial_size;
    u128 *lwes = calloc(1000 * (dim + 1), 16);
    assert_non_null(lwes);
    struct compression_data_kind info[N_ELEMENTS];
    size_t count = 0;
    for (size_t i = 0; i < N_ELEMENTS; i++) {
        struct sns_radix *sq;
        assert_int_equal(sns_radix_new(&sq, e.ck.params, elements[i].type), 0);
        assert_int_equal(sns_squash_radix(e.s->sns, e.s->compute, sc, sq, cts[i]), 0);
        memcpy(lwes + count * (dim + 1), sq->data, sq->count * (dim + 1) * 16);
        count += sq->count;
        kind_of(&info[i], cts[i]->type);
        sns_radix_free(sq);
    }
    struct wire_snscomp_list sl = {0}, sback;
    assert_int_equal(snscomp_compress(e.s->sns_compression, &sl.list, lwes, count, 4, 4, info,
                                      N_ELEMENTS),
                     0);
    bytes = wt_serialize(put_snscomp, &sl, &len);
    assert_int_equal(wire_snscomp_list_read(&sback, bytes, len, len), 0);
    again = wt_serialize(put_snscomp, &sback, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);
    check_decrypts(&e, bytes, len);
    wt_check_malformed(bytes, len, read_snscomp);
    free(again);
    free(bytes);
    wire_snscomp_list_clear(&sback);
    wire_snscomp_list_clear(&sl);
    free(lwes);
    sns_scratch_free(sc);
    for (size_t i = 0; i < N_ELEMENTS; i++)
        radix_ct_free(cts[i]);
    wt_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_proof_walker),
        cmocka_unit_test(test_compressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

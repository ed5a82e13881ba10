/* FheBool / FheUint / FheInt and their squashed (128-bit) forms: "test"-set
 * ciphertexts written, read back (type, blocks with degree and noise level,
 * tag, metadata, state) and rewritten to the same bytes, then decrypted to
 * the values encrypted; type and parameter checks; and the reader's
 * behaviour on truncated, oversized, corrupted and foreign inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_squashed.h"
#include "wire_test_util.h"

static int put_radix(struct wire_sink *s, const void *o) { return wire_radix_write(s, o); }
static int put_sq(struct wire_sink *s, const void *o) { return wire_sns_radix_write(s, o); }

static int read_radix(const uint8_t *b, size_t len, size_t limit)
{
    struct wire_radix w;
    int rc = wire_radix_read(&w, b, len, limit, -1, NULL);
    wire_radix_clear(&w);
    return rc;
}

static int read_sq(const uint8_t *b, size_t len, size_t limit)
{
    struct sns_radix *ct;
    int rc = wire_sns_radix_read(&ct, b, len, limit, -1, NULL);
    sns_radix_free(ct);
    return rc;
}

static struct radix_ct *encrypt(struct wt_env *e, int32_t type, int64_t value)
{
    struct radix_ct *ct;
    assert_int_equal(radix_ct_new(&ct, e->ck.params, type), 0);
    assert_int_equal(radix_encrypt_i64(e->cl->compute, ct, value, &e->rng), 0);
    return ct;
}

/* One type: write, read, compare, rewrite, decrypt; then the damage sweep. */
static void radix_case(struct wt_env *e, int32_t type, int64_t value, int sweep)
{
    struct wire_radix w = {.ct = encrypt(e, type, value)};
    /* a degree and noise level other than the fresh ones survive too */
    w.ct->blocks[0].noise_level = 3;
    w.ct->blocks[0].degree = w.ct->type->is_bool ? 1 : 9;
    uint8_t meta[3] = {1, 2, 3};
    assert_int_equal(wire_tag_dup(&w.tag, &w.tag_len, (const uint8_t *)"kms", 3), 0);
    assert_int_equal(wire_tag_dup(&w.rerand, &w.rerand_len, meta, 3), 0);
    size_t len, len2;
    uint8_t *bytes = wt_serialize(put_radix, &w, &len);

    struct wire_radix back;
    assert_int_equal(wire_radix_read(&back, bytes, len, len, type, e->ck.params), 0);
    assert_int_equal(back.ct->type->id, type);
    assert_int_equal(back.ct->nblocks, w.ct->nblocks);
    for (size_t i = 0; i < back.ct->nblocks; i++) {
        const struct shortint_ct *a = &w.ct->blocks[i], *b = &back.ct->blocks[i];
        assert_int_equal(b->dimension, a->dimension);
        assert_int_equal(b->degree, a->degree);
        assert_int_equal(b->noise_level, a->noise_level);
        assert_int_equal(b->message_modulus, a->message_modulus);
        assert_int_equal(b->carry_modulus, a->carry_modulus);
        assert_memory_equal(b->data, a->data, (a->dimension + 1) * 8);
    }
    assert_int_equal(back.tag_len, 3);
    assert_memory_equal(back.rerand, meta, 3);
    uint8_t *again = wt_serialize(put_radix, &back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);

    int64_t got;
    assert_int_equal(radix_decrypt_i64(e->cl->compute, &got, back.ct), 0);
    assert_int_equal(got, value);
    wire_radix_clear(&back);

    /* asked for another type, or another parameter set's blocks */
    int32_t other = type == RADIX_UINT8 ? RADIX_UINT16 : RADIX_UINT8;
    assert_int_equal(wire_radix_read(&back, bytes, len, len, other, NULL), KMS_EINVAL);
    assert_null(back.ct);
    assert_int_equal(wire_radix_read(&back, bytes, len, len, -1, wt_params("default")),
                     KMS_EINVAL);
    wt_assert_msg_has("do not belong");
    if (sweep)
        wt_check_malformed(bytes, len, read_radix);
    free(again);
    free(bytes);
    wire_radix_clear(&w);
}

static void test_radix(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 11);
    radix_case(&e, RADIX_BOOL, 1, 1);
    radix_case(&e, RADIX_UINT8, 201, 1);
    radix_case(&e, RADIX_INT64, -123456789, 0);
    radix_case(&e, RADIX_UINT4, 9, 0);
    radix_case(&e, RADIX_INT8, -128, 0);
    wt_env_free(&e);
}

/* The header names the width's family; the block count names the width. */
static void test_radix_types(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 12);
    struct wire_radix w = {.ct = encrypt(&e, RADIX_INT8, -3)};
    size_t len;
    uint8_t *bytes = wt_serialize(put_radix, &w, &len);
    /* FheInt8 header, 4 blocks */
    const char *name;
    size_t name_len;
    assert_int_equal(wire_peek_name(bytes, len, &name, &name_len), 0);
    assert_true(wire_name_is(name, name_len, WIRE_NAME_FHEINT));
    struct wire_radix back;
    assert_int_equal(wire_radix_read(&back, bytes, len, len, -1, NULL), 0);
    assert_int_equal(back.ct->type->id, RADIX_INT8);
    wire_radix_clear(&back);

    const struct radix_type *t;
    assert_int_equal(wire_radix_type_for_blocks(&t, 32, 0), 0);
    assert_int_equal(t->id, RADIX_UINT64);
    assert_int_equal(wire_radix_type_for_blocks(&t, 80, 1), 0);
    assert_int_equal(t->id, RADIX_INT160);
    assert_int_equal(wire_radix_type_for_blocks(&t, 9, 0), KMS_EINVAL); /* no FheUint18 */

    /* another object type is refused by name */
    static int (*const put_ck)(struct wire_sink *, const struct wire_client_key *) =
        wire_client_key_write;
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    assert_int_equal(put_ck(&s, &e.ck), 0);
    assert_int_equal(wire_radix_read(&back, b.data, b.len, b.len, -1, NULL), KMS_EINVAL);
    wt_assert_msg_has("wrong object type");
    buf_free(&b);
    free(bytes);
    wire_radix_clear(&w);
    wt_env_free(&e);
}

static void squashed_case(struct wt_env *e, int32_t type, int64_t value)
{
    struct radix_ct *ct = encrypt(e, type, value);
    struct sns_scratch *sc;
    struct sns_radix *sq;
    assert_int_equal(sns_scratch_new(&sc, e->s->sns), 0);
    assert_int_equal(sns_radix_new(&sq, e->ck.params, type), 0);
    assert_int_equal(sns_squash_radix(e->s->sns, e->s->compute, sc, sq, ct), 0);
    assert_int_equal(sns_radix_set_tag(sq, (const uint8_t *)"sq", 2), 0);
    size_t len, len2;
    uint8_t *bytes = wt_serialize(put_sq, sq, &len);

    struct sns_radix *back;
    assert_int_equal(wire_sns_radix_read(&back, bytes, len, len, type, e->ck.params), 0);
    assert_int_equal(back->type->id, type);
    assert_int_equal(back->original_block_count, sq->original_block_count);
    assert_int_equal(back->count, sq->count);
    assert_int_equal(back->state, SNS_STATE_NORMAL);
    assert_int_equal(back->tag_len, 2);
    for (size_t i = 0; i < sq->count; i++) {
        assert_int_equal(back->blocks[i].degree, sq->blocks[i].degree);
        assert_memory_equal(back->blocks[i].data, sq->blocks[i].data,
                            (sq->blocks[i].dimension + 1) * 16);
    }
    uint8_t *again = wt_serialize(put_sq, back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);
    uint8_t want[8], got[8];
    size_t n = radix_type_bytes(back->type);
    for (size_t i = 0; i < n; i++)
        want[i] = (uint8_t)((uint64_t)value >> (8 * i));
    if (back->type->is_bool)
        want[0] = value != 0;
    assert_int_equal(sns_decrypt_radix(e->cl->sns, got, n, back), 0);
    assert_memory_equal(got, want, n);

    /* PostDecompression survives as well */
    back->state = SNS_STATE_POST_DECOMPRESSION;
    free(again);
    again = wt_serialize(put_sq, back, &len2);
    sns_radix_free(back);
    assert_int_equal(wire_sns_radix_read(&back, again, len2, len2, -1, NULL), 0);
    assert_int_equal(back->state, SNS_STATE_POST_DECOMPRESSION);
    sns_radix_free(back);

    assert_int_equal(wire_sns_radix_read(&back, bytes, len, len, RADIX_UINT2048, NULL),
                     KMS_EINVAL);
    assert_null(back);
    wt_check_malformed(bytes, len, read_sq);
    free(again);
    free(bytes);
    sns_radix_free(sq);
    sns_scratch_free(sc);
    radix_ct_free(ct);
}

static void test_squashed(void **state)
{
    (void)state;
    struct wt_env e;
    wt_env_new(&e, 13);
    squashed_case(&e, RADIX_BOOL, 1);
    squashed_case(&e, RADIX_UINT8, 77);
    squashed_case(&e, RADIX_INT16, -300);
    squashed_case(&e, RADIX_UINT4, 13); /* 2 blocks: one packed pair */
    wt_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radix),
        cmocka_unit_test(test_radix_types),
        cmocka_unit_test(test_squashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

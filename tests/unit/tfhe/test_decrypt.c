/* Decryption of the four ciphertext formats the KMS accepts (decrypt.h),
 * with the keys of a seeded keyset (keyset.h, "test" set) decompressed from
 * its bodies: for Bool, Uint4, Uint8, Int8, Uint16, Uint64, Uint80, Uint160,
 * Int64, Uint256, Uint2048 and Int2048, one value goes through
 *   SmallExpanded    radix encryption under the client key;
 *   SmallCompressed  compression_compress_radix with the decompressed
 *                    compression key (a one-element list), decrypted
 *                    directly with the compression secret key;
 *   BigExpanded      sns_squash_radix with the decompressed SnS key and
 *                    compute key;
 *   BigCompressed    snscomp_compress of those squashed LWEs with the
 *                    decompressed SnS-compression key;
 *   and BigExpanded again for the squashed LWEs taken back out of that list
 *   (state PostDecompression, decrypted with the SnS-compression key as
 *   tfhe-rs ClientKey does);
 * and each must give the value back, while a wrong fhe_type is refused
 * (KMS_EINVAL, output zeroed). Also: a two-element SmallCompressed list,
 * wrong buffer sizes, unknown types and formats, and missing keys. The
 * default set is in test_decrypt_slow.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "test_util.h"
#include "tfhe/decrypt.h"
#include "tfhe/glwe128.h"
#include "tfhe/keyset.h"
#include "tfhe/radix.h"

static const struct tfhe_params *get(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    assert_non_null(p);
    return p;
}

static void assert_msg_has(const char *needle)
{
    const char *msg = kms_err_msg();
    if (strstr(msg, needle) == NULL)
        fail_msg("error message \"%s\" lacks \"%s\"", msg, needle);
}

static struct keyset *generate(const char *params, uint64_t seed_lo, unsigned flags)
{
    uint8_t seed[16] = {0};
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(seed_lo >> (8 * i));
    struct keyset *ks;
    assert_int_equal(keyset_generate(&ks, get(params), seed, sizeof seed, NULL, 0, 128, 1.0,
                                     flags),
                     0);
    return ks;
}

struct dec_env {
    struct keyset *ks;
    struct keyset_server *s;
    struct keyset_client *cl;
    struct tfhe_decrypt_keys keys;
    struct tfhe_decrypt_scratch *dsc;
    struct shortint_scratch *ssc;
    struct sns_scratch *sns_sc;
    struct enc_rng rng;
};

/* Takes ks. */
static void dec_env_from(struct dec_env *e, struct keyset *ks, uint64_t seed)
{
    memset(e, 0, sizeof *e);
    e->ks = ks;
    assert_int_equal(keyset_decompress(&e->s, &e->ks->pub), 0);
    assert_int_equal(keyset_client_new(&e->cl, e->ks), 0);
    e->keys = (struct tfhe_decrypt_keys){e->cl->params, e->cl->compute, e->cl->compression,
                                         e->cl->sns, e->cl->sns_compression};
    assert_int_equal(tfhe_decrypt_scratch_new(&e->dsc, e->cl->params), 0);
    assert_int_equal(shortint_scratch_new(&e->ssc, e->s->compute), 0);
    assert_int_equal(sns_scratch_new(&e->sns_sc, e->s->sns), 0);
    uint8_t s1[16] = {1, (uint8_t)seed}, s2[16] = {2, (uint8_t)seed};
    assert_int_equal(csprng_init_seed(&e->rng.mask, s1), 0);
    assert_int_equal(csprng_init_seed(&e->rng.noise, s2), 0);
}

static void dec_env_new(struct dec_env *e, const char *params, uint64_t seed)
{
    dec_env_from(e, generate(params, seed, 0), seed);
}

static void dec_env_free(struct dec_env *e)
{
    sns_scratch_free(e->sns_sc);
    shortint_scratch_free(e->ssc);
    tfhe_decrypt_scratch_free(e->dsc);
    keyset_client_free(e->cl);
    keyset_server_free(e->s);
    keyset_free(e->ks);
    csprng_free(&e->rng.mask);
    csprng_free(&e->rng.noise);
}

static void decrypt_expect(struct dec_env *e, const struct tfhe_ciphertext *ct, int32_t type,
                           const uint8_t *want)
{
    size_t len;
    uint8_t got[RADIX_MAX_BYTES];
    assert_int_equal(tfhe_decrypt_plaintext_len(&len, type), 0);
    int rc = tfhe_decrypt(&e->keys, e->dsc, got, len, ct, type);
    if (rc != 0)
        fail_msg("format %d: %s", (int)ct->format, kms_err_msg());
    assert_memory_equal(got, want, len);
}

static void expect_mismatch(struct dec_env *e, const struct tfhe_ciphertext *ct, int32_t wrong)
{
    size_t len;
    uint8_t got[RADIX_MAX_BYTES];
    assert_int_equal(tfhe_decrypt_plaintext_len(&len, wrong), 0);
    memset(got, 0xee, sizeof got);
    assert_int_equal(tfhe_decrypt(&e->keys, e->dsc, got, len, ct, wrong), KMS_EINVAL);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(got[i], 0);
}

static void pattern(uint8_t *v, const struct radix_type *t, uint8_t salt)
{
    size_t len = radix_type_bytes(t);
    for (size_t i = 0; i < len; i++)
        v[i] = (uint8_t)(0x5b * (i + 1) + salt);
    if (t->is_bool) {
        v[0] &= 1;
        return;
    }
    unsigned used = t->bits % 8;
    if (used != 0) { /* the top byte holds only the sign copies / zeros */
        uint8_t low = (uint8_t)((1u << used) - 1), top = v[len - 1] & low;
        if (t->is_signed && (top >> (used - 1)) & 1)
            top |= (uint8_t)~low;
        v[len - 1] = top;
    }
}

/* The squashed ciphertexts of a compressed list, taken out as tfhe-rs
 * get() does (state PostDecompression): sample extraction from the
 * unpacked GLWEs, LWEs under the SnS-compression key. */
static struct sns_radix *post_decompression(const struct snscomp_list *l,
                                            const struct tfhe_params *p,
                                            const struct radix_type *t)
{
    size_t k = p->sns_compression.packing_ks_glwe_dimension;
    size_t N = p->sns_compression.packing_ks_polynomial_size, dim = k * N;
    size_t count = t->is_bool ? 1 : ((size_t)t->blocks + 1) / 2;
    struct sns_radix *r = xcalloc(1, sizeof *r);
    r->type = t;
    r->original_block_count = t->is_bool ? 1 : t->blocks;
    r->count = count;
    r->state = SNS_STATE_POST_DECOMPRESSION;
    r->data = xcalloc(count * (dim + 1), 16);
    r->blocks = xcalloc(count, sizeof *r->blocks);
    u128 *glwe = xcalloc((k + 1) * N, 16);
    size_t lpg = (size_t)l->meta.lwe_per_glwe;
    for (size_t j = 0; j < count; j++) {
        const struct snscomp_glwe *g = &l->glwes[j / lpg];
        assert_int_equal(g->log_modulus, 128);
        memset(glwe, 0, (k + 1) * N * 16);
        memcpy(glwe, g->packed, (dim + g->bodies_count) * 16);
        glwe128_sample_extract(r->data + j * (dim + 1), glwe, (unsigned)k, N, j % lpg);
        r->blocks[j] = (struct sns_ct){r->data + j * (dim + 1), dim, 0, p->sns.message_modulus,
                                       p->sns.carry_modulus};
    }
    free(glwe);
    return r;
}

/* One value of type id through all four formats (and post-decompression),
 * plus a wrong fhe_type for each. */
static void formats_round_trip(struct dec_env *e, int32_t id, uint8_t salt)
{
    const struct tfhe_params *p = e->cl->params;
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, id), 0);
    int32_t wrong = t->is_bool ? RADIX_UINT4 : (t->id == RADIX_UINT16 ? RADIX_UINT8 : RADIX_UINT16);
    uint8_t want[RADIX_MAX_BYTES];
    pattern(want, t, salt);
    struct radix_ct *ct;
    assert_int_equal(radix_ct_new(&ct, p, id), 0);
    assert_int_equal(radix_encrypt(e->cl->compute, ct, want, radix_type_bytes(t), &e->rng), 0);

    struct tfhe_ciphertext x = {.format = TFHE_CT_SMALL_EXPANDED, .u.small_expanded = ct};
    decrypt_expect(e, &x, id, want);
    expect_mismatch(e, &x, wrong);

    struct compression_list cl;
    const struct radix_ct *one[2] = {ct, ct};
    assert_int_equal(compression_compress_radix(e->s->compression, &cl, one, 1), 0);
    x = (struct tfhe_ciphertext){.format = TFHE_CT_SMALL_COMPRESSED, .u.small_compressed = &cl};
    decrypt_expect(e, &x, id, want);
    expect_mismatch(e, &x, wrong);
    compression_list_free(&cl);

    struct sns_radix *sq;
    assert_int_equal(sns_radix_new(&sq, p, id), 0);
    assert_int_equal(sns_squash_radix(e->s->sns, e->s->compute, e->sns_sc, sq, ct), 0);
    x = (struct tfhe_ciphertext){.format = TFHE_CT_BIG_EXPANDED, .u.big_expanded = sq};
    decrypt_expect(e, &x, id, want);
    expect_mismatch(e, &x, wrong);

    struct compression_data_kind info = {
        t->is_bool ? COMPRESSION_KIND_BOOLEAN
                   : (t->is_signed ? COMPRESSION_KIND_SIGNED : COMPRESSION_KIND_UNSIGNED),
        t->is_bool ? 0 : t->blocks, 0, 0};
    struct snscomp_list sl;
    assert_int_equal(snscomp_compress(e->s->sns_compression, &sl, sq->data, sq->count,
                                      p->sns.message_modulus, p->sns.carry_modulus, &info, 1),
                     0);
    x = (struct tfhe_ciphertext){.format = TFHE_CT_BIG_COMPRESSED, .u.big_compressed = &sl};
    decrypt_expect(e, &x, id, want);
    expect_mismatch(e, &x, wrong);

    struct sns_radix *post = post_decompression(&sl, p, t);
    x = (struct tfhe_ciphertext){.format = TFHE_CT_BIG_EXPANDED, .u.big_expanded = post};
    decrypt_expect(e, &x, id, want);
    free(post->blocks);
    free(post->data);
    free(post);
    snscomp_list_free(&sl);
    sns_radix_free(sq);
    radix_ct_free(ct);
}

static void test_formats(void **state)
{
    (void)state;
    struct dec_env e;
    dec_env_new(&e, "test", 21);
    const int32_t types[] = {RADIX_BOOL,   RADIX_UINT4,   RADIX_UINT8,    RADIX_INT8,
                             RADIX_UINT16, RADIX_UINT64,  RADIX_UINT80,   RADIX_UINT160,
                             RADIX_INT64,  RADIX_UINT256, RADIX_UINT2048, RADIX_INT2048};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        formats_round_trip(&e, types[i], (uint8_t)(17 * i + 3));
    dec_env_free(&e);
}

static void test_format_errors(void **state)
{
    (void)state;
    struct dec_env e;
    dec_env_new(&e, "test", 22);
    const struct tfhe_params *p = e.cl->params;
    struct radix_ct *a, *b;
    assert_int_equal(radix_ct_new(&a, p, RADIX_UINT8), 0);
    assert_int_equal(radix_ct_new(&b, p, RADIX_UINT8), 0);
    assert_int_equal(radix_encrypt_u64(e.cl->compute, a, 200, &e.rng), 0);
    assert_int_equal(radix_encrypt_u64(e.cl->compute, b, 7, &e.rng), 0);
    uint8_t out[32];
    /* SmallCompressed needs exactly one element */
    struct compression_list cl;
    const struct radix_ct *two[2] = {a, b};
    assert_int_equal(compression_compress_radix(e.s->compression, &cl, two, 2), 0);
    struct tfhe_ciphertext x = {.format = TFHE_CT_SMALL_COMPRESSED, .u.small_compressed = &cl};
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 1, &x, RADIX_UINT8), KMS_EINVAL);
    assert_msg_has("exactly 1 element, it holds 2");
    compression_list_free(&cl);
    /* wrong buffer size, unknown type, unknown format, missing key */
    x = (struct tfhe_ciphertext){.format = TFHE_CT_SMALL_EXPANDED, .u.small_expanded = a};
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 2, &x, RADIX_UINT8), KMS_EINVAL);
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 1, &x, 30), KMS_EINVAL);
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 1, &x, RADIX_INT8), KMS_EINVAL);
    assert_msg_has("is a Uint8, fhe_type 20 asks for a Int8");
    x.format = (enum tfhe_ct_format)4;
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 1, &x, RADIX_UINT8), KMS_EINVAL);
    x = (struct tfhe_ciphertext){.format = TFHE_CT_BIG_EXPANDED, .u.big_expanded = NULL};
    assert_int_equal(tfhe_decrypt(&e.keys, e.dsc, out, 1, &x, RADIX_UINT8), KMS_EINVAL);
    struct tfhe_decrypt_keys nokey = e.keys;
    nokey.compute = NULL;
    x = (struct tfhe_ciphertext){.format = TFHE_CT_SMALL_EXPANDED, .u.small_expanded = a};
    assert_int_equal(tfhe_decrypt(&nokey, e.dsc, out, 1, &x, RADIX_UINT8), KMS_EPRECOND);
    size_t len;
    assert_int_equal(tfhe_decrypt_plaintext_len(&len, RADIX_UINT160), 0);
    assert_int_equal(len, 20);
    assert_int_equal(tfhe_decrypt_plaintext_len(&len, 30), KMS_EINVAL);
    radix_ct_free(a);
    radix_ct_free(b);
    dec_env_free(&e);
}

#ifndef DECRYPT_TEST_SLOW
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_format_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif

#include "tfhe/wire/wire_squashed.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_internal.h"

/* Versions tfhe-rs 1.7 writes. */
#define V_SQUASHED_HL 1u     /* SquashedNoiseFheUint/FheInt/FheBool Versions */
#define V_INNER 0u           /* the hand-written Inner*VersionedOwned enums */
#define V_SQUASHED_RADIX 0u  /* SquashedNoise(Signed)RadixCiphertext, SquashedNoiseBooleanBlock */
#define V_SQUASHED_CT 0u     /* shortint SquashedNoiseCiphertext */
#define V_LWE_CIPHERTEXT 0u
#define V_STATE 0u

const char *wire_sns_radix_name(const struct radix_type *t)
{
    if (t->is_bool)
        return WIRE_NAME_SQUASHED_BOOL;
    return t->is_signed ? WIRE_NAME_SQUASHED_INT : WIRE_NAME_SQUASHED_UINT;
}

static size_t block_size(size_t n) { return 8 + 8 + 16 * (n + 1) + 28 + 36; }

static void put_block(struct wire_sink *s, const struct sns_ct *b)
{
    wire_put_version(s, V_SQUASHED_CT);
    wire_put_version(s, V_LWE_CIPHERTEXT);
    wire_put_u128s(s, b->data, b->dimension + 1);
    wire_put_native_modulus(s, 128);
    wire_put_scalar(s, b->degree);
    wire_put_scalar(s, b->message_modulus);
    wire_put_scalar(s, b->carry_modulus);
}

int wire_sns_radix_write(struct wire_sink *s, const struct sns_radix *ct)
{
    if (ct == NULL || ct->type == NULL || ct->count == 0 || ct->blocks == NULL ||
        ct->count != (ct->type->is_bool ? 1 : (ct->original_block_count + 1) / 2))
        return kms_err(KMS_EINVAL, "wire: squashed ciphertext not initialized");
    wire_put_header(s, wire_sns_radix_name(ct->type));
    wire_put_version(s, V_SQUASHED_HL);
    wire_put_version(s, V_INNER);
    wire_put_version(s, V_SQUASHED_RADIX);
    if (ct->type->is_bool) {
        put_block(s, &ct->blocks[0]);
    } else {
        wire_put_len(s, ct->count);
        for (size_t i = 0; i < ct->count; i++)
            put_block(s, &ct->blocks[i]);
        wire_put_u64(s, ct->original_block_count);
    }
    wire_put_version(s, V_STATE);
    wire_put_variant(s, ct->state);
    wire_put_tag(s, ct->tag, ct->tag_len);
    return wire_sink_status(s);
}

/* ---- reading ---- */

struct block_view {
    const uint8_t *words;
    size_t dimension;
    uint64_t degree;
    uint32_t message_modulus, carry_modulus;
};

static int get_block(struct reader *r, struct block_view *b)
{
    size_t n;
    KMS_TRY(wire_get_version(r, "SquashedNoiseCiphertext", V_SQUASHED_CT));
    KMS_TRY(wire_get_version(r, "LweCiphertext<u128>", V_LWE_CIPHERTEXT));
    KMS_TRY(wire_get_u128s(r, "LweCiphertext<u128> data", &b->words, &n));
    if (n < 2)
        return kms_err(KMS_EINVAL, "SquashedNoiseCiphertext: %zu words", n);
    b->dimension = n - 1;
    KMS_TRY(wire_get_native_modulus(r, "LweCiphertext<u128> modulus", 128));
    KMS_TRY(wire_get_scalar(r, "degree", &b->degree));
    KMS_TRY(wire_get_moduli_pair(r, &b->message_modulus, &b->carry_modulus));
    if (b->degree >= (uint64_t)b->message_modulus * b->carry_modulus)
        return kms_err(KMS_EINVAL, "SquashedNoiseCiphertext: degree %llu too large",
                       (unsigned long long)b->degree);
    return 0;
}

static int alloc_radix(struct sns_radix **out, const struct radix_type *t, size_t count,
                       size_t n)
{
    struct sns_radix *ct = calloc(1, sizeof *ct);
    *out = NULL;
    if (ct != NULL) {
        ct->type = t;
        ct->count = count;
        ct->blocks = calloc(count, sizeof *ct->blocks);
        ct->data = calloc(count * (n + 1), sizeof *ct->data);
    }
    if (ct == NULL || ct->blocks == NULL || ct->data == NULL) {
        sns_radix_free(ct);
        return kms_err(KMS_ENOMEM, "wire: out of memory for a squashed ciphertext");
    }
    for (size_t i = 0; i < count; i++) {
        ct->blocks[i].data = ct->data + i * (n + 1);
        ct->blocks[i].dimension = n;
    }
    *out = ct;
    return 0;
}

static int check_shape(const struct block_view *b, const struct tfhe_params *params)
{
    if (b->message_modulus != 4)
        return kms_err(KMS_EINVAL, "unsupported squashed ciphertext: message modulus %u",
                       b->message_modulus);
    if (params != NULL &&
        (!params->has_sns ||
         b->dimension != (size_t)params->sns.glwe_dimension * params->sns.polynomial_size ||
         b->message_modulus != params->sns.message_modulus ||
         b->carry_modulus != params->sns.carry_modulus))
        return kms_err(KMS_EINVAL, "squashed ciphertext: blocks of dimension %zu do not belong "
                                   "to the parameter set \"%s\"", b->dimension, params->name);
    return 0;
}

/* count blocks (the reader at the first) into a fresh sns_radix. */
static int get_blocks(struct reader *r, struct sns_radix **out, const struct radix_type *t,
                      size_t count, const struct tfhe_params *params)
{
    struct block_view first, b;
    size_t start = r->pos;
    KMS_TRY(get_block(r, &first));
    if (count - 1 > reader_remaining(r) / block_size(first.dimension))
        return kms_err(KMS_ETRUNC, "squashed %s: %zu blocks do not fit in the input", t->name,
                       count);
    KMS_TRY(check_shape(&first, params));
    KMS_TRY(alloc_radix(out, t, count, first.dimension));
    r->pos = start;
    for (size_t i = 0; i < count; i++) {
        KMS_TRY(get_block(r, &b));
        if (b.dimension != first.dimension || b.message_modulus != first.message_modulus ||
            b.carry_modulus != first.carry_modulus)
            return kms_err(KMS_EINVAL, "squashed %s: block %zu differs from block 0", t->name, i);
        struct sns_ct *s = &(*out)->blocks[i];
        memcpy(s->data, b.words, (b.dimension + 1) * 16);
        s->degree = b.degree;
        s->message_modulus = b.message_modulus;
        s->carry_modulus = b.carry_modulus;
    }
    return 0;
}

enum squashed_kind { KIND_BOOL, KIND_UINT, KIND_INT };

static int read_body(struct sns_radix **out, struct reader *r, enum squashed_kind kind,
                     int32_t fhe_type, const struct tfhe_params *params)
{
    const struct radix_type *t;
    size_t count = 1;
    uint64_t original = 1;
    uint32_t state;
    KMS_TRY(wire_get_version(r, "SquashedNoiseFhe type", V_SQUASHED_HL));
    KMS_TRY(wire_get_version(r, "squashed inner ciphertext", V_INNER));
    KMS_TRY(wire_get_version(r, "squashed radix ciphertext", V_SQUASHED_RADIX));
    if (kind == KIND_BOOL) {
        KMS_TRY(radix_type_lookup(&t, RADIX_BOOL));
        KMS_TRY(get_blocks(r, out, t, 1, params));
    } else {
        if (bincode_get_len(r, &count, block_size(1)) < 0)
            return kms_err(KMS_ETRUNC, "packed_blocks: length exceeds the input");
        if (count == 0)
            return kms_err(KMS_EINVAL, "squashed ciphertext: no blocks");
        /* the type needs original_block_count, which follows the blocks */
        size_t blocks_at = r->pos;
        struct block_view b;
        KMS_TRY(get_block(r, &b));
        if (count - 1 > reader_remaining(r) / block_size(b.dimension))
            return kms_err(KMS_ETRUNC, "squashed ciphertext: %zu blocks do not fit", count);
        KMS_TRY(reader_skip(r, (count - 1) * block_size(b.dimension)));
        if (reader_u64le(r, &original) < 0)
            return kms_err(KMS_ETRUNC, "squashed ciphertext: input ends early");
        if (original == 0 || (original + 1) / 2 != count)
            return kms_err(KMS_EINVAL, "squashed ciphertext: %zu packed blocks for %llu blocks",
                           count, (unsigned long long)original);
        KMS_TRY(wire_radix_type_for_blocks(&t, original, kind == KIND_INT));
        size_t end = r->pos;
        r->pos = blocks_at;
        KMS_TRY(get_blocks(r, out, t, count, params));
        if (r->pos + 8 != end)
            return kms_err(KMS_EINVAL, "squashed ciphertext: blocks of different sizes");
        r->pos = end;
    }
    (*out)->original_block_count = original;
    if (fhe_type >= 0 && fhe_type != t->id) {
        const struct radix_type *want;
        KMS_TRY(radix_type_lookup(&want, fhe_type));
        return kms_err(KMS_EINVAL, "expected a squashed Fhe%s, got a squashed Fhe%s", want->name,
                       t->name);
    }
    KMS_TRY(wire_get_version(r, "SquashedNoiseCiphertextState", V_STATE));
    KMS_TRY(wire_get_variant(r, "SquashedNoiseCiphertextState", &state, 2));
    (*out)->state = (enum sns_state)state;
    return wire_get_tag(r, "squashed ciphertext tag", &(*out)->tag, &(*out)->tag_len);
}

int wire_sns_radix_read(struct sns_radix **out, const uint8_t *bytes, size_t len,
                        size_t size_limit, int32_t fhe_type, const struct tfhe_params *params)
{
    struct reader r;
    const char *name;
    size_t name_len;
    enum squashed_kind kind = KIND_UINT;
    *out = NULL;
    int rc = wire_peek_name(bytes, len, &name, &name_len);
    if (rc == 0) {
        if (wire_name_is(name, name_len, WIRE_NAME_SQUASHED_BOOL))
            kind = KIND_BOOL;
        else if (wire_name_is(name, name_len, WIRE_NAME_SQUASHED_INT))
            kind = KIND_INT;
        else if (!wire_name_is(name, name_len, WIRE_NAME_SQUASHED_UINT))
            rc = kms_err(KMS_EINVAL, "wrong object type \"%.*s\": expected a squashed "
                                     "ciphertext", (int)(name_len > 64 ? 64 : name_len), name);
    }
    const char *type = kind == KIND_BOOL ? WIRE_NAME_SQUASHED_BOOL
                       : kind == KIND_INT ? WIRE_NAME_SQUASHED_INT
                                          : WIRE_NAME_SQUASHED_UINT;
    if (rc == 0)
        rc = wire_open(&r, bytes, len, size_limit, type);
    if (rc == 0)
        rc = read_body(out, &r, kind, fhe_type, params);
    if (rc == 0)
        rc = wire_close(&r, type);
    if (rc < 0) {
        sns_radix_free(*out);
        *out = NULL;
    }
    return rc;
}

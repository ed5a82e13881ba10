#include "tfhe/wire/wire_ciphertext.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/wire/wire_internal.h"

/* Versions tfhe-rs 1.7 writes. */
#define V_FHE_RADIX 2u       /* FheUintVersions / FheIntVersions / FheBoolVersions */
#define V_INNER 0u           /* the hand-written *VersionedOwned enums */
#define V_BASE_RADIX 0u      /* BaseRadixCiphertext / BaseSignedRadixCiphertext */
#define V_BOOLEAN_BLOCK 0u
#define V_CIPHERTEXT 1u      /* shortint CiphertextVersions */
#define V_LWE_CIPHERTEXT 0u
#define V_ATOMIC_PATTERN 0u
#define V_PBS_ORDER 0u

void wire_radix_clear(struct wire_radix *w)
{
    if (w == NULL)
        return;
    radix_ct_free(w->ct);
    free(w->tag);
    free(w->rerand);
    memset(w, 0, sizeof *w);
}

const char *wire_radix_name(const struct radix_type *t)
{
    if (t->is_bool)
        return WIRE_NAME_FHEBOOL;
    return t->is_signed ? WIRE_NAME_FHEINT : WIRE_NAME_FHEUINT;
}

int wire_radix_type_for_blocks(const struct radix_type **out, uint64_t blocks, int is_signed)
{
    *out = NULL;
    for (int32_t id = 1; id < 128; id++) {
        const struct radix_type *t;
        if (radix_type_lookup(&t, id) == 0 && !t->is_bool && t->blocks == blocks &&
            t->is_signed == (is_signed != 0)) {
            *out = t;
            kms_err_clear();
            return 0;
        }
    }
    return kms_err(KMS_EINVAL, "no Fhe%s type has %llu blocks (%llu bits)",
                   is_signed ? "Int" : "Uint", (unsigned long long)blocks,
                   (unsigned long long)blocks * 2);
}

/* ---- blocks ---- */

size_t wire_block_size(size_t n)
{
    /* versions 4 + 4, Vec 8 + 8 (n + 1), modulus 4 + 16 + 8, four scalars
     * 4 x 12, atomic pattern 4 + 4 + 4 + 4 */
    return 8 + 8 + 8 * (n + 1) + 28 + 48 + 16;
}

void wire_put_block(struct wire_sink *s, const struct shortint_ct *b)
{
    wire_put_version(s, V_CIPHERTEXT);
    wire_put_version(s, V_LWE_CIPHERTEXT);
    wire_put_u64s(s, b->data, b->dimension + 1);
    wire_put_native_modulus(s, 64);
    wire_put_scalar(s, b->degree);
    wire_put_scalar(s, b->noise_level);
    wire_put_scalar(s, b->message_modulus);
    wire_put_scalar(s, b->carry_modulus);
    wire_put_version(s, V_ATOMIC_PATTERN);
    wire_put_variant(s, 0); /* Standard */
    wire_put_version(s, V_PBS_ORDER);
    wire_put_variant(s, 0); /* KeyswitchBootstrap */
}

int wire_get_moduli_pair(struct reader *r, uint32_t *msg, uint32_t *carry)
{
    uint64_t m, c;
    KMS_TRY(wire_get_scalar(r, "message_modulus", &m));
    KMS_TRY(wire_get_scalar(r, "carry_modulus", &c));
    if (m < 2 || m > (1u << 16) || (m & (m - 1)) != 0 || c == 0 || c > (1u << 16) ||
        (c & (c - 1)) != 0 || m * c > (1u << 16))
        return kms_err(KMS_EINVAL, "unsupported message/carry moduli %llu/%llu",
                       (unsigned long long)m, (unsigned long long)c);
    *msg = (uint32_t)m;
    *carry = (uint32_t)c;
    return 0;
}

/* One shortint Ciphertext, its words left in the input (b->data points at
 * them; copy with memcpy). */
struct block_view {
    const uint8_t *words;
    size_t dimension;
    uint64_t degree, noise_level;
    uint32_t message_modulus, carry_modulus;
};

static int get_block(struct reader *r, struct block_view *b)
{
    size_t n;
    uint32_t v;
    KMS_TRY(wire_get_version(r, "shortint Ciphertext", V_CIPHERTEXT));
    KMS_TRY(wire_get_version(r, "LweCiphertext", V_LWE_CIPHERTEXT));
    KMS_TRY(wire_get_u64s(r, "LweCiphertext data", &b->words, &n));
    if (n < 2)
        return kms_err(KMS_EINVAL, "LweCiphertext: %zu words, need a mask and a body", n);
    b->dimension = n - 1;
    KMS_TRY(wire_get_native_modulus(r, "LweCiphertext modulus", 64));
    KMS_TRY(wire_get_scalar(r, "degree", &b->degree));
    KMS_TRY(wire_get_scalar(r, "noise_level", &b->noise_level));
    KMS_TRY(wire_get_moduli_pair(r, &b->message_modulus, &b->carry_modulus));
    if (b->degree >= (uint64_t)b->message_modulus * b->carry_modulus)
        return kms_err(KMS_EINVAL, "shortint Ciphertext: degree %llu exceeds %u",
                       (unsigned long long)b->degree, b->message_modulus * b->carry_modulus - 1);
    KMS_TRY(wire_get_version(r, "AtomicPatternKind", V_ATOMIC_PATTERN));
    KMS_TRY(wire_get_variant(r, "AtomicPatternKind", &v, 2));
    if (v != 0)
        return kms_err(KMS_EINVAL, "unsupported ciphertext: KeySwitch32 atomic pattern");
    KMS_TRY(wire_get_version(r, "PBSOrder", V_PBS_ORDER));
    KMS_TRY(wire_get_variant(r, "PBSOrder", &v, 2));
    if (v != 0)
        return kms_err(KMS_EINVAL, "unsupported ciphertext: PBS-KS order");
    return 0;
}

/* ---- HL wrappers ---- */

void wire_put_radix_body(struct wire_sink *s, const struct radix_ct *ct, const uint8_t *tag,
                         size_t tag_len, const uint8_t *rerand, size_t rerand_len)
{
    wire_put_version(s, V_FHE_RADIX);
    wire_put_version(s, V_INNER);
    if (ct->type->is_bool) {
        wire_put_version(s, V_BOOLEAN_BLOCK);
        wire_put_block(s, &ct->blocks[0]);
    } else {
        wire_put_version(s, V_BASE_RADIX);
        wire_put_len(s, ct->nblocks);
        for (size_t i = 0; i < ct->nblocks; i++)
            wire_put_block(s, &ct->blocks[i]);
    }
    wire_put_tag(s, tag, tag_len);
    wire_put_tag(s, rerand, rerand_len);
}

int wire_radix_write(struct wire_sink *s, const struct wire_radix *w)
{
    const struct radix_ct *ct = w->ct;
    if (ct == NULL || ct->type == NULL || ct->nblocks == 0 || ct->blocks == NULL ||
        ct->nblocks != ct->type->blocks)
        return kms_err(KMS_EINVAL, "wire: radix ciphertext not initialized");
    for (size_t i = 1; i < ct->nblocks; i++)
        if (ct->blocks[i].dimension != ct->blocks[0].dimension)
            return kms_err(KMS_EINVAL, "wire: radix blocks of different dimensions");
    wire_put_header(s, wire_radix_name(ct->type));
    wire_put_radix_body(s, ct, w->tag, w->tag_len, w->rerand, w->rerand_len);
    return wire_sink_status(s);
}

int wire_radix_write_ct(struct wire_sink *s, const struct radix_ct *ct)
{
    struct wire_radix w = {.ct = (struct radix_ct *)ct};
    return wire_radix_write(s, &w);
}

/* A radix_ct of `count` blocks of dimension n laid out as radix_ct_new does. */
int wire_radix_alloc(struct radix_ct **out, const struct radix_type *t, size_t count, size_t n)
{
    *out = NULL;
    struct radix_ct *ct = calloc(1, sizeof *ct);
    if (ct != NULL) {
        ct->type = t;
        ct->nblocks = count;
        ct->data = calloc(count * (n + 1), sizeof *ct->data);
        ct->blocks = calloc(count, sizeof *ct->blocks);
    }
    if (ct == NULL || ct->data == NULL || ct->blocks == NULL) {
        radix_ct_free(ct);
        return kms_err(KMS_ENOMEM, "wire: out of memory for a %zu-block ciphertext", count);
    }
    for (size_t i = 0; i < count; i++) {
        ct->blocks[i].data = ct->data + i * (n + 1);
        ct->blocks[i].dimension = n;
    }
    *out = ct;
    return 0;
}

/* Reads `count` blocks (the reader at the first one) into a fresh radix_ct,
 * after checking that the input can hold them all. */
int wire_get_blocks(struct reader *r, struct radix_ct **out, const struct radix_type *t,
                    size_t count, const struct tfhe_params *params)
{
    struct block_view first, b;
    size_t start = r->pos;
    *out = NULL;
    KMS_TRY(get_block(r, &first));
    if ((count - 1) > reader_remaining(r) / wire_block_size(first.dimension))
        return kms_err(KMS_ETRUNC, "%s: %zu blocks do not fit in the input", t->name, count);
    if (first.message_modulus != 4)
        return kms_err(KMS_EINVAL, "unsupported ciphertext: message modulus %u (radix integers "
                                   "need 4)", first.message_modulus);
    if (params != NULL &&
        (first.dimension != tfhe_params_big_dimension(&params->pbs) ||
         first.message_modulus != params->pbs.message_modulus ||
         first.carry_modulus != params->pbs.carry_modulus))
        return kms_err(KMS_EINVAL, "%s: blocks of dimension %zu, moduli %u/%u do not belong to "
                       "the parameter set \"%s\"", t->name, first.dimension,
                       first.message_modulus, first.carry_modulus, params->name);
    struct radix_ct *ct;
    KMS_TRY(wire_radix_alloc(&ct, t, count, first.dimension));
    r->pos = start;
    for (size_t i = 0; i < count; i++) {
        int rc = get_block(r, &b);
        if (rc == 0 && (b.dimension != first.dimension ||
                        b.message_modulus != first.message_modulus ||
                        b.carry_modulus != first.carry_modulus))
            rc = kms_err(KMS_EINVAL, "%s: block %zu differs in shape from block 0", t->name, i);
        if (rc < 0) {
            radix_ct_free(ct);
            return rc;
        }
        struct shortint_ct *s = &ct->blocks[i];
        memcpy(s->data, b.words, (b.dimension + 1) * 8);
        s->degree = b.degree;
        s->noise_level = b.noise_level;
        s->message_modulus = b.message_modulus;
        s->carry_modulus = b.carry_modulus;
    }
    *out = ct;
    return 0;
}

enum radix_kind { KIND_BOOL, KIND_UINT, KIND_INT };

static int kind_of_name(const uint8_t *bytes, size_t len, enum radix_kind *kind)
{
    const char *name;
    size_t n;
    KMS_TRY(wire_peek_name(bytes, len, &name, &n));
    if (wire_name_is(name, n, WIRE_NAME_FHEBOOL))
        *kind = KIND_BOOL;
    else if (wire_name_is(name, n, WIRE_NAME_FHEUINT))
        *kind = KIND_UINT;
    else if (wire_name_is(name, n, WIRE_NAME_FHEINT))
        *kind = KIND_INT;
    else
        return kms_err(KMS_EINVAL, "wrong object type \"%.*s\": expected an FheBool, FheUint or "
                                   "FheInt", (int)(n > 64 ? 64 : n), name);
    return 0;
}

static int read_body(struct wire_radix *out, struct reader *r, enum radix_kind kind,
                     int32_t fhe_type, const struct tfhe_params *params)
{
    const struct radix_type *t;
    size_t count = 1;
    KMS_TRY(wire_get_version(r, kind == KIND_BOOL ? "FheBool" : kind == KIND_INT ? "FheInt"
                                                                                 : "FheUint",
                             V_FHE_RADIX));
    KMS_TRY(wire_get_version(r, "radix ciphertext", V_INNER));
    if (kind == KIND_BOOL) {
        KMS_TRY(wire_get_version(r, "BooleanBlock", V_BOOLEAN_BLOCK));
        KMS_TRY(radix_type_lookup(&t, RADIX_BOOL));
    } else {
        KMS_TRY(wire_get_version(r, "BaseRadixCiphertext", V_BASE_RADIX));
        if (bincode_get_len(r, &count, wire_block_size(1)) < 0)
            return kms_err(KMS_ETRUNC, "radix ciphertext: block count exceeds the input");
        if (count == 0)
            return kms_err(KMS_EINVAL, "radix ciphertext: no blocks");
        KMS_TRY(wire_radix_type_for_blocks(&t, count, kind == KIND_INT));
    }
    if (fhe_type >= 0 && fhe_type != t->id) {
        const struct radix_type *want;
        KMS_TRY(radix_type_lookup(&want, fhe_type));
        return kms_err(KMS_EINVAL, "expected an Fhe%s, got an Fhe%s", want->name, t->name);
    }
    KMS_TRY(wire_get_blocks(r, &out->ct, t, count, params));
    KMS_TRY(wire_get_tag(r, "Tag", &out->tag, &out->tag_len));
    return wire_get_tag(r, "ReRandomizationMetadata", &out->rerand, &out->rerand_len);
}

int wire_radix_read(struct wire_radix *out, const uint8_t *bytes, size_t len, size_t size_limit,
                    int32_t fhe_type, const struct tfhe_params *params)
{
    struct reader r;
    enum radix_kind kind = KIND_UINT;
    memset(out, 0, sizeof *out);
    int rc = kind_of_name(bytes, len, &kind);
    if (rc == 0)
        rc = wire_open(&r, bytes, len, size_limit,
                       kind == KIND_BOOL  ? WIRE_NAME_FHEBOOL
                       : kind == KIND_INT ? WIRE_NAME_FHEINT
                                          : WIRE_NAME_FHEUINT);
    if (rc == 0)
        rc = read_body(out, &r, kind, fhe_type, params);
    if (rc == 0)
        rc = wire_close(&r, wire_radix_name(out->ct->type));
    if (rc < 0)
        wire_radix_clear(out);
    return rc;
}

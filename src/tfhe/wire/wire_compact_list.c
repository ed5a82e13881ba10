#include "tfhe/wire/wire_compact_list.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "base/secmem.h"
#include "tfhe/cpk.h"
#include "tfhe/lwe.h"
#include "tfhe/shortint.h"
#include "tfhe/wire/wire_internal.h"

/* Versions tfhe-rs 1.7 writes. */
#define V_HL_LIST 1u           /* high_level_api CompactCiphertextListVersions */
#define V_INTEGER_LIST 1u      /* integer CompactCiphertextListVersions */
#define V_HL_PROVEN 0u         /* ProvenCompactCiphertextListVersions, all three levels */
#define V_SHORTINT_LIST 2u     /* shortint CompactCiphertextListVersions */
#define V_LWE_COMPACT_LIST 0u

/* The smallest serialized shortint CompactCiphertextList (no ciphertext). */
#define PART_MIN_BYTES 112u
#define MAX_DIM ((uint64_t)1 << 20)

void wire_compact_list_clear(struct wire_compact_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->part_count; i++) {
        free(l->parts[i].data);
        free(l->parts[i].proof);
    }
    free(l->parts);
    free(l->info);
    free(l->tag);
    memset(l, 0, sizeof *l);
}

static int is_packed(const struct wire_compact_part *p)
{
    return p->degree > (uint64_t)p->message_modulus - 1;
}

/* Radix blocks the DataKinds describe, or UINT64_MAX on overflow. */
static uint64_t info_blocks(const struct wire_compact_list *l, uint32_t msg, size_t upto)
{
    uint64_t total = 0;
    for (size_t i = 0; i < upto; i++) {
        uint64_t b = compression_kind_blocks(&l->info[i], msg);
        if (b > UINT64_MAX - total)
            return UINT64_MAX;
        total += b;
    }
    return total;
}

int wire_compact_list_check(const struct wire_compact_list *l)
{
    if (l->part_count == 0 || (!l->proven && l->part_count != 1))
        return kms_err(KMS_EINVAL, "compact list: %zu parts", l->part_count);
    const struct wire_compact_part *p0 = &l->parts[0];
    uint64_t stored = 0;
    for (size_t i = 0; i < l->part_count; i++) {
        const struct wire_compact_part *p = &l->parts[i];
        if (p->lwe_dimension == 0 || p->lwe_dimension > MAX_DIM ||
            p->data_len != cpk_list_size(p->lwe_dimension, p->count) ||
            (p->count > 0 && p->data == NULL))
            return kms_err(KMS_EINVAL, "compact list: part %zu holds %zu words, %zu ciphertexts "
                                       "of dimension %zu need %zu", i, p->data_len, p->count,
                           p->lwe_dimension, cpk_list_size(p->lwe_dimension, p->count));
        if (p->lwe_dimension != p0->lwe_dimension || p->message_modulus != p0->message_modulus ||
            p->carry_modulus != p0->carry_modulus || p->expansion != p0->expansion ||
            is_packed(p) != is_packed(p0))
            return kms_err(KMS_EINVAL, "compact list: part %zu differs from part 0", i);
        if (p->degree >= (uint64_t)p->message_modulus * p->carry_modulus)
            return kms_err(KMS_EINVAL, "compact list: degree %llu too large",
                           (unsigned long long)p->degree);
        if ((p->proof != NULL) != (l->proven != 0))
            return kms_err(KMS_EINVAL, "compact list: proof presence does not match the type");
        stored += p->count;
    }
    if (is_packed(p0) && p0->carry_modulus < p0->message_modulus)
        return kms_err(KMS_EINVAL, "compact list: packed with carry modulus below the message's");
    for (size_t i = 0; i < l->info_count; i++)
        if (l->info[i].kind > COMPRESSION_KIND_STRING ||
            (l->info[i].kind <= COMPRESSION_KIND_SIGNED && l->info[i].num_blocks == 0))
            return kms_err(KMS_EINVAL, "compact list: bad DataKind %zu", i);
    uint64_t blocks = info_blocks(l, p0->message_modulus, l->info_count);
    uint64_t need = is_packed(p0) ? blocks / 2 + blocks % 2 : blocks;
    if (blocks == UINT64_MAX || need != stored)
        return kms_err(KMS_EINVAL, "compact list: the DataKinds describe %llu blocks, the list "
                                   "stores %llu%s ciphertexts", (unsigned long long)blocks,
                       (unsigned long long)stored, is_packed(p0) ? " packed" : "");
    return 0;
}

/* ---- writing ---- */

static void put_part(struct wire_sink *s, const struct wire_compact_part *p)
{
    wire_put_version(s, V_SHORTINT_LIST);
    wire_put_version(s, V_LWE_COMPACT_LIST);
    wire_put_u64s(s, p->data, p->data_len);
    wire_put_scalar(s, p->lwe_dimension + 1);
    wire_put_scalar(s, p->count);
    wire_put_native_modulus(s, 64);
    wire_put_scalar(s, p->degree);
    wire_put_scalar(s, p->message_modulus);
    wire_put_scalar(s, p->carry_modulus);
    wire_put_expansion(s, p->expansion);
}

int wire_compact_list_write(struct wire_sink *s, const struct wire_compact_list *l)
{
    KMS_TRY(wire_compact_list_check(l));
    if (l->proven) {
        wire_put_header(s, WIRE_NAME_PROVEN_COMPACT_LIST);
        wire_put_version(s, V_HL_PROVEN);
        wire_put_version(s, V_HL_PROVEN);
        wire_put_version(s, V_HL_PROVEN);
        wire_put_len(s, l->part_count);
        for (size_t i = 0; i < l->part_count; i++) {
            put_part(s, &l->parts[i]);
            wire_put(s, l->parts[i].proof, l->parts[i].proof_len);
        }
    } else {
        wire_put_header(s, WIRE_NAME_COMPACT_LIST);
        wire_put_version(s, V_HL_LIST);
        wire_put_version(s, V_INTEGER_LIST);
        put_part(s, &l->parts[0]);
    }
    wire_put_data_kinds(s, l->info, l->info_count);
    wire_put_tag(s, l->tag, l->tag_len);
    return wire_sink_status(s);
}

/* ---- reading ---- */

static int get_part(struct reader *r, struct wire_compact_part *p)
{
    const uint8_t *data;
    uint64_t lwe_size, count;
    KMS_TRY(wire_get_version(r, "shortint CompactCiphertextList", V_SHORTINT_LIST));
    KMS_TRY(wire_get_version(r, "LweCompactCiphertextList", V_LWE_COMPACT_LIST));
    KMS_TRY(wire_get_u64s(r, "LweCompactCiphertextList data", &data, &p->data_len));
    KMS_TRY(wire_get_scalar_in(r, "lwe_size", &lwe_size, 2, MAX_DIM + 1));
    KMS_TRY(wire_get_scalar_in(r, "lwe_ciphertext_count", &count, 0, p->data_len));
    KMS_TRY(wire_get_native_modulus(r, "LweCompactCiphertextList modulus", 64));
    KMS_TRY(wire_get_scalar(r, "degree", &p->degree));
    KMS_TRY(wire_get_moduli_pair(r, &p->message_modulus, &p->carry_modulus));
    KMS_TRY(wire_get_expansion(r, &p->expansion));
    p->lwe_dimension = (size_t)lwe_size - 1;
    p->count = (size_t)count;
    if (p->data_len != cpk_list_size(p->lwe_dimension, p->count))
        return kms_err(KMS_EINVAL, "LweCompactCiphertextList: %zu words for %zu ciphertexts of "
                                   "dimension %zu", p->data_len, p->count, p->lwe_dimension);
    if (p->data_len == 0)
        return 0;
    p->data = malloc(p->data_len * sizeof *p->data);
    if (p->data == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a compact list");
    memcpy(p->data, data, p->data_len * sizeof *p->data);
    return 0;
}

static int get_proof(struct reader *r, struct wire_compact_part *p)
{
    size_t start = r->pos;
    KMS_TRY(wire_skip_pke_proof(r));
    p->proof_len = r->pos - start;
    p->proof = malloc(p->proof_len);
    if (p->proof == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a proof");
    memcpy(p->proof, r->data + start, p->proof_len);
    return 0;
}

static int read_body(struct wire_compact_list *out, struct reader *r)
{
    size_t n = 1;
    if (out->proven) {
        KMS_TRY(wire_get_version(r, "ProvenCompactCiphertextList", V_HL_PROVEN));
        KMS_TRY(wire_get_version(r, "integer ProvenCompactCiphertextList", V_HL_PROVEN));
        KMS_TRY(wire_get_version(r, "shortint ProvenCompactCiphertextList", V_HL_PROVEN));
        if (bincode_get_len(r, &n, PART_MIN_BYTES) < 0)
            return kms_err(KMS_ETRUNC, "proved_lists: length exceeds the input");
        if (n == 0)
            return kms_err(KMS_EINVAL, "ProvenCompactCiphertextList: no list");
    } else {
        KMS_TRY(wire_get_version(r, "CompactCiphertextList", V_HL_LIST));
        KMS_TRY(wire_get_version(r, "integer CompactCiphertextList", V_INTEGER_LIST));
    }
    out->parts = calloc(n, sizeof *out->parts);
    if (out->parts == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for %zu lists", n);
    for (size_t i = 0; i < n; i++) {
        out->part_count = i + 1;
        KMS_TRY(get_part(r, &out->parts[i]));
        if (out->proven)
            KMS_TRY(get_proof(r, &out->parts[i]));
    }
    KMS_TRY(wire_get_data_kinds(r, &out->info, &out->info_count));
    return wire_get_tag(r, "compact list tag", &out->tag, &out->tag_len);
}

int wire_compact_list_read(struct wire_compact_list *out, const uint8_t *bytes, size_t len,
                           size_t size_limit)
{
    struct reader r;
    const char *name;
    size_t name_len;
    memset(out, 0, sizeof *out);
    int rc = wire_peek_name(bytes, len, &name, &name_len);
    if (rc == 0) {
        if (wire_name_is(name, name_len, WIRE_NAME_PROVEN_COMPACT_LIST))
            out->proven = 1;
        else if (!wire_name_is(name, name_len, WIRE_NAME_COMPACT_LIST))
            rc = kms_err(KMS_EINVAL, "wrong object type \"%.*s\": expected a compact ciphertext "
                                     "list", (int)(name_len > 64 ? 64 : name_len), name);
    }
    const char *type = out->proven ? WIRE_NAME_PROVEN_COMPACT_LIST : WIRE_NAME_COMPACT_LIST;
    if (rc == 0)
        rc = wire_open(&r, bytes, len, size_limit, type);
    if (rc == 0)
        rc = read_body(out, &r);
    if (rc == 0)
        rc = wire_close(&r, type);
    if (rc == 0)
        rc = wire_compact_list_check(out);
    if (rc < 0)
        wire_compact_list_clear(out);
    return rc;
}

/* ---- decryption ---- */

int wire_compact_list_type(const struct wire_compact_list *l, size_t index,
                           const struct radix_type **t)
{
    *t = NULL;
    if (index >= l->info_count)
        return kms_err(KMS_EINVAL, "compact list: no element %zu (the list has %zu)", index,
                       l->info_count);
    return wire_data_kind_type(&l->info[index], t);
}

/* lwe (n + 1 words) = stored ciphertext c (counted over all parts), expanded. */
static int expand_stored(const struct wire_compact_list *l, size_t c, uint64_t *lwe)
{
    size_t part = 0;
    while (c >= l->parts[part].count) {
        c -= l->parts[part].count;
        part++;
    }
    const struct wire_compact_part *p = &l->parts[part];
    struct tfhe_params shape = {.name = "compact list", .has_cpk = 1};
    shape.cpk.lwe_dimension = (uint32_t)p->lwe_dimension;
    shape.cpk.message_modulus = p->message_modulus;
    shape.cpk.carry_modulus = p->carry_modulus;
    return cpk_expand_one(&shape, lwe, p->lwe_dimension + 1, p->data, p->data_len, p->count, c);
}

/* The decoded value of stored ciphertext c under key. */
static int ciphertext_value(const struct wire_compact_list *l, const uint64_t *key, size_t c,
                            uint64_t *lwe, uint64_t *value)
{
    const struct wire_compact_part *p = &l->parts[0];
    KMS_TRY(expand_stored(l, c, lwe));
    *value = shortint_decode(lwe_phase(lwe, key, p->lwe_dimension), p->message_modulus,
                             p->carry_modulus);
    return 0;
}

static int decrypt_blocks(const struct wire_compact_list *l, const uint64_t *key, uint8_t *vals,
                          uint64_t first, size_t nblocks)
{
    const struct wire_compact_part *p0 = &l->parts[0];
    int packed = is_packed(p0);
    uint64_t *lwe = malloc((p0->lwe_dimension + 1) * sizeof *lwe);
    if (lwe == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a ciphertext");
    uint64_t v = 0, have = UINT64_MAX;
    int rc = 0;
    for (size_t i = 0; i < nblocks && rc == 0; i++) {
        uint64_t block = first + i, c = packed ? block / 2 : block;
        if (c != have)
            rc = ciphertext_value(l, key, (size_t)c, lwe, &v);
        have = c;
        uint64_t x = packed && block % 2 == 1 ? v / p0->carry_modulus : v;
        vals[i] = (uint8_t)(x % p0->message_modulus);
    }
    secmem_wipe(lwe, (p0->lwe_dimension + 1) * sizeof *lwe);
    free(lwe);
    secmem_wipe(&v, sizeof v);
    return rc;
}

int wire_compact_list_decrypt(const struct wire_compact_list *l, const struct wire_client_key *ck,
                              size_t index, uint8_t *out, size_t out_len)
{
    const struct radix_type *t;
    uint8_t vals[RADIX_MAX_BITS / 2];
    if (out_len > 0)
        memset(out, 0, out_len);
    KMS_TRY(wire_compact_list_check(l));
    KMS_TRY(wire_compact_list_type(l, index, &t));
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "compact list: a %s decrypts to %zu bytes, got %zu", t->name,
                       radix_type_bytes(t), out_len);
    const struct wire_compact_part *p0 = &l->parts[0];
    if (p0->message_modulus != 4)
        return kms_err(KMS_EINVAL, "compact list: message modulus %u (radix types need 4)",
                       p0->message_modulus);
    const uint64_t *key = ck->sk.glwe;
    size_t key_len = ck->sk.glwe_len;
    if (p0->expansion == WIRE_EXPANSION_REQUIRES_CASTING) {
        key = ck->sk.cpk;
        key_len = ck->sk.cpk_len;
    }
    if (key == NULL || key_len != p0->lwe_dimension)
        return kms_err(KMS_EINVAL, "compact list: encrypted under a key of dimension %zu, the "
                                   "client key has none such", p0->lwe_dimension);
    uint64_t first = info_blocks(l, p0->message_modulus, index);
    size_t nblocks = (size_t)compression_kind_blocks(&l->info[index], p0->message_modulus);
    if (nblocks > sizeof vals)
        return kms_err(KMS_EINVAL, "compact list: element of %zu blocks", nblocks);
    int rc = decrypt_blocks(l, key, vals, first, nblocks);
    if (rc == 0) {
        if (t->is_bool)
            out[0] = vals[0] != 0;
        else
            compression_recompose(out, out_len, t, vals, nblocks, 2);
    }
    secmem_wipe(vals, sizeof vals);
    return rc;
}

/* ---- expansion by casting ---- */

/* The table of tfhe-rs's expander for one block: msg_extract / carry_extract
 * and their boolean forms; returns its maximum (the block's new degree). */
static uint64_t extract_table(uint64_t *table, uint32_t msg, uint32_t carry, int high, int boolean)
{
    uint64_t max = 0;
    for (uint64_t x = 0; x < (uint64_t)msg * carry; x++) {
        uint64_t v = (high ? x / carry : x) % msg;
        table[x] = boolean ? v != 0 : v;
        max = table[x] > max ? table[x] : max;
    }
    return max;
}

static int expand_blocks(const struct wire_compact_list *l, struct cpk_caster *c,
                         struct radix_ct *ct, uint64_t first, int boolean)
{
    const struct wire_compact_part *p0 = &l->parts[0];
    size_t n = p0->lwe_dimension, p = (size_t)p0->message_modulus * p0->carry_modulus;
    uint64_t *lwe = malloc((n + 1 + p) * sizeof *lwe), *table = lwe + n + 1;
    if (lwe == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a ciphertext");
    int rc = 0;
    for (size_t i = 0; i < ct->nblocks && rc == 0; i++) {
        uint64_t block = first + i;
        int high = is_packed(p0) && block % 2 == 1;
        rc = expand_stored(l, (size_t)(is_packed(p0) ? block / 2 : block), lwe);
        uint64_t degree = extract_table(table, p0->message_modulus, p0->carry_modulus, high,
                                        boolean);
        struct shortint_ct *b = &ct->blocks[i];
        if (rc == 0)
            rc = cpk_cast_table(c, b->data, b->dimension + 1, lwe, n + 1, table, p);
        b->degree = degree;
        b->noise_level = SHORTINT_NOISE_NOMINAL;
    }
    free(lwe);
    return rc;
}

int wire_compact_list_expand(const struct wire_compact_list *l, struct cpk_caster *c,
                             const struct tfhe_params *params, size_t index,
                             struct radix_ct **out)
{
    const struct radix_type *t;
    *out = NULL;
    KMS_TRY(wire_compact_list_check(l));
    KMS_TRY(wire_compact_list_type(l, index, &t));
    const struct wire_compact_part *p0 = &l->parts[0];
    if (p0->expansion != WIRE_EXPANSION_REQUIRES_CASTING)
        return kms_err(KMS_EUNIMPL, "compact list: expanding a NoCasting list needs a PBS "
                                    "ckms does not do here");
    if (!params->has_cpk || p0->lwe_dimension != params->cpk.lwe_dimension ||
        p0->message_modulus != params->cpk.message_modulus ||
        p0->carry_modulus != params->cpk.carry_modulus)
        return kms_err(KMS_EINVAL, "compact list: not encrypted with the compact key of the "
                                   "parameter set \"%s\"", params->name);
    KMS_TRY(radix_ct_new(out, params, t->id));
    uint64_t first = info_blocks(l, p0->message_modulus, index);
    int rc = expand_blocks(l, c, *out, first, t->is_bool);
    if (rc < 0) {
        radix_ct_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- encryption (the builder) ---- */

/* The value's blocks appended at blocks[*nb], after checking it as radix.h
 * does (length, bits above the width zero or copies of the sign). */
static int value_blocks(const struct wire_plaintext *v, uint64_t *blocks, size_t *nb,
                        struct compression_data_kind *kind)
{
    const struct radix_type *t;
    KMS_TRY(radix_type_lookup(&t, v->fhe_type));
    if (v->len != radix_type_bytes(t) || v->le == NULL)
        return kms_err(KMS_EINVAL, "compact list: a %s takes %zu bytes, got %zu", t->name,
                       radix_type_bytes(t), v->len);
    memset(kind, 0, sizeof *kind);
    if (t->is_bool) {
        if (v->le[0] > 1)
            return kms_err(KMS_EINVAL, "compact list: a Bool is 0 or 1");
        kind->kind = COMPRESSION_KIND_BOOLEAN;
        blocks[(*nb)++] = v->le[0];
        return 0;
    }
    unsigned used = t->bits % 8;
    if (used != 0) {
        uint8_t top = v->le[v->len - 1], high = (uint8_t)(top >> used);
        uint8_t sign = (uint8_t)((top >> (used - 1)) & 1);
        uint8_t want = t->is_signed && sign ? (uint8_t)(0xff >> used) : 0;
        if (high != want)
            return kms_err(KMS_EINVAL, "compact list: value out of range for a %s", t->name);
    }
    kind->kind = t->is_signed ? COMPRESSION_KIND_SIGNED : COMPRESSION_KIND_UNSIGNED;
    kind->num_blocks = t->blocks;
    for (size_t j = 0; j < t->blocks; j++)
        blocks[(*nb)++] = (v->le[j / 4] >> (2 * (j % 4))) & 3;
    return 0;
}

static int encrypt_part(struct wire_compact_part *part, const struct tfhe_params *p,
                        const uint64_t *pk, size_t pk_len, const uint64_t *blocks, size_t nb,
                        int packed, const uint8_t *seed, size_t seed_len)
{
    size_t n = p->cpk.lwe_dimension, count = packed ? (nb + 1) / 2 : nb;
    uint64_t delta = cpk_delta(p);
    part->lwe_dimension = n;
    part->count = count;
    part->degree = packed ? (uint64_t)p->cpk.message_modulus * p->cpk.carry_modulus - 1
                          : p->cpk.message_modulus - 1;
    part->message_modulus = p->cpk.message_modulus;
    part->carry_modulus = p->cpk.carry_modulus;
    part->expansion = WIRE_EXPANSION_REQUIRES_CASTING;
    part->data_len = cpk_list_size(n, count);
    if (count == 0)
        return 0;
    uint64_t *pt = malloc(count * sizeof *pt);
    part->data = malloc(part->data_len * sizeof *part->data);
    if (pt == NULL || part->data == NULL) {
        free(pt);
        return kms_err(KMS_ENOMEM, "wire: out of memory for a compact list");
    }
    for (size_t c = 0; c < count; c++) {
        uint64_t m = packed ? blocks[2 * c] +
                                  p->cpk.message_modulus * (2 * c + 1 < nb ? blocks[2 * c + 1] : 0)
                            : blocks[c];
        pt[c] = m * delta;
    }
    struct csprng g;
    int rc = cpk_encrypt_rng_init(&g, seed, seed_len);
    if (rc == 0) {
        rc = cpk_encrypt_list(p, part->data, part->data_len, pk, pk_len, pt, count, &g);
        csprng_free(&g);
    }
    secmem_wipe(pt, count * sizeof *pt);
    free(pt);
    return rc;
}

int wire_compact_list_encrypt(struct wire_compact_list *out, const struct tfhe_params *params,
                              const uint64_t *pk, size_t pk_len,
                              const struct wire_plaintext *values, size_t count, int packed,
                              const uint8_t *seed, size_t seed_len)
{
    memset(out, 0, sizeof *out);
    if (!params->has_cpk || params->cpk.message_modulus != 4)
        return kms_err(KMS_EINVAL, "compact list: parameter set \"%s\" has no compact key with "
                                   "2-bit blocks", params->name);
    if (packed && params->cpk.carry_modulus < params->cpk.message_modulus)
        return kms_err(KMS_EINVAL, "compact list: packing needs carry >= message modulus");
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        KMS_TRY(radix_type_lookup(&t, values[i].fhe_type));
        total += t->blocks;
    }
    uint64_t *blocks = calloc(total ? total : 1, sizeof *blocks);
    out->parts = calloc(1, sizeof *out->parts);
    out->info = calloc(count ? count : 1, sizeof *out->info);
    int rc = blocks && out->parts && out->info ? 0 : kms_err(KMS_ENOMEM, "wire: out of memory");
    if (rc == 0) {
        out->part_count = 1;
        out->info_count = count;
    }
    size_t nb = 0;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = value_blocks(&values[i], blocks, &nb, &out->info[i]);
    if (rc == 0)
        rc = encrypt_part(&out->parts[0], params, pk, pk_len, blocks, nb, packed, seed, seed_len);
    if (blocks != NULL)
        secmem_wipe(blocks, (total ? total : 1) * sizeof *blocks);
    free(blocks);
    if (rc < 0)
        wire_compact_list_clear(out);
    return rc;
}

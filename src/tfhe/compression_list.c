/* The compressed list as data: bit packing, validation of lists that arrive
 * from outside, element lookup and recomposition (see compression.h). */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/compression.h"

void compression_list_free(struct compression_list *l)
{
    if (l == NULL)
        return;
    if (l->glwes != NULL)
        for (size_t g = 0; g < l->glwe_count; g++)
            free(l->glwes[g].packed);
    free(l->glwes);
    free(l->info);
    memset(l, 0, sizeof *l);
}

static unsigned ilog2_u64(uint64_t x)
{
    unsigned r = 0;
    while (x >>= 1)
        r++;
    return r;
}

uint64_t compression_kind_blocks(const struct compression_data_kind *k, uint64_t message_modulus)
{
    switch (k->kind) {
    case COMPRESSION_KIND_UNSIGNED:
    case COMPRESSION_KIND_SIGNED:
        return k->num_blocks;
    case COMPRESSION_KIND_BOOLEAN:
        return 1;
    case COMPRESSION_KIND_STRING: {
        if (message_modulus <= 1)
            return 0;
        uint64_t per_char = (7 + ilog2_u64(message_modulus) - 1) / ilog2_u64(message_modulus);
        uint64_t n = (uint64_t)k->n_chars * per_char; /* tfhe-rs: saturating u32 product */
        return n > UINT32_MAX ? UINT32_MAX : n;
    }
    default:
        return 0;
    }
}

/* ---- bit packing ---- */

int compression_bits_packed_len(size_t *out, uint64_t count, unsigned log_modulus,
                                unsigned word_bits)
{
    *out = 0;
    if (log_modulus == 0 || log_modulus > word_bits)
        return kms_err(KMS_EINVAL, "packed integers: log_modulus %u outside [1, %u]", log_modulus,
                       word_bits);
    u128 bits = (u128)count * log_modulus, words = (bits + word_bits - 1) / word_bits;
    if (words > (u128)(SIZE_MAX / 16))
        return kms_err(KMS_ELIMIT, "packed integers: %llu values of %u bits are too many",
                       (unsigned long long)count, log_modulus);
    *out = (size_t)words;
    return 0;
}

int compression_bits_pack(uint64_t *packed, size_t packed_len, const uint64_t *values,
                          size_t count, unsigned log_modulus)
{
    size_t want;
    KMS_TRY(compression_bits_packed_len(&want, count, log_modulus, 64));
    if (want != packed_len)
        return kms_err(KMS_EINVAL, "packed integers: %zu values of %u bits need %zu words, not %zu",
                       count, log_modulus, want, packed_len);
    uint64_t limit = log_modulus == 64 ? UINT64_MAX : (1ull << log_modulus) - 1;
    for (size_t i = 0; i < count; i++)
        if (values[i] > limit)
            return kms_err(KMS_EINVAL, "packed integers: value %zu does not fit %u bits", i,
                           log_modulus);
    memset(packed, 0, packed_len * sizeof *packed);
    for (size_t i = 0; i < count; i++) {
        u128 pos = (u128)i * log_modulus;
        size_t w = (size_t)(pos / 64);
        unsigned off = (unsigned)(pos % 64);
        packed[w] |= values[i] << off;
        if (off + log_modulus > 64)
            packed[w + 1] |= values[i] >> (64 - off);
    }
    return 0;
}

int compression_bits_unpack(uint64_t *values, const uint64_t *packed, size_t packed_len,
                            unsigned log_modulus, uint64_t first, size_t count)
{
    if (log_modulus == 0 || log_modulus > 64)
        return kms_err(KMS_EINVAL, "packed integers: log_modulus %u outside [1, 64]", log_modulus);
    if (count == 0)
        return 0;
    u128 end_bit = ((u128)first + count) * log_modulus;
    if ((u128)first + count < first || end_bit > (u128)packed_len * 64)
        return kms_err(KMS_ETRUNC, "packed integers: values up to %llu are past %zu words",
                       (unsigned long long)(first + count), packed_len);
    uint64_t mask = log_modulus == 64 ? UINT64_MAX : (1ull << log_modulus) - 1;
    for (size_t i = 0; i < count; i++) {
        u128 pos = ((u128)first + i) * log_modulus;
        size_t w = (size_t)(pos / 64);
        unsigned off = (unsigned)(pos % 64);
        uint64_t v = packed[w] >> off;
        if (off + log_modulus > 64)
            v |= packed[w + 1] << (64 - off);
        values[i] = v & mask;
    }
    return 0;
}

int compression_bits_pack_u128(u128 *packed, size_t packed_len, const u128 *values, size_t count,
                               unsigned log_modulus)
{
    size_t want;
    KMS_TRY(compression_bits_packed_len(&want, count, log_modulus, 128));
    if (want != packed_len)
        return kms_err(KMS_EINVAL, "packed integers: %zu values of %u bits need %zu words, not %zu",
                       count, log_modulus, want, packed_len);
    for (size_t i = 0; i < count; i++)
        if (log_modulus < 128 && (values[i] >> log_modulus) != 0)
            return kms_err(KMS_EINVAL, "packed integers: value %zu does not fit %u bits", i,
                           log_modulus);
    memset(packed, 0, packed_len * sizeof *packed);
    for (size_t i = 0; i < count; i++) {
        u128 pos = (u128)i * log_modulus;
        size_t w = (size_t)(pos / 128);
        unsigned off = (unsigned)(pos % 128);
        packed[w] |= values[i] << off;
        if (off + log_modulus > 128)
            packed[w + 1] |= values[i] >> (128 - off);
    }
    return 0;
}

int compression_bits_unpack_u128(u128 *values, const u128 *packed, size_t packed_len,
                                 unsigned log_modulus, uint64_t first, size_t count)
{
    if (log_modulus == 0 || log_modulus > 128)
        return kms_err(KMS_EINVAL, "packed integers: log_modulus %u outside [1, 128]",
                       log_modulus);
    if (count == 0)
        return 0;
    u128 end_bit = ((u128)first + count) * log_modulus;
    if ((u128)first + count < first || end_bit > (u128)packed_len * 128)
        return kms_err(KMS_ETRUNC, "packed integers: values up to %llu are past %zu words",
                       (unsigned long long)(first + count), packed_len);
    u128 mask = log_modulus == 128 ? ~(u128)0 : ((u128)1 << log_modulus) - 1;
    for (size_t i = 0; i < count; i++) {
        u128 pos = ((u128)first + i) * log_modulus;
        size_t w = (size_t)(pos / 128);
        unsigned off = (unsigned)(pos % 128);
        u128 v = packed[w] >> off;
        if (off + log_modulus > 128)
            v |= packed[w + 1] << (128 - off);
        values[i] = v & mask;
    }
    return 0;
}

/* ---- validation ---- */

static int is_pow2(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

int compression_glwe_check(const struct compression_glwe_dims *g,
                           const struct compression_glwe_dims *g0, size_t idx, size_t glwe_count,
                           uint64_t lwe_per_glwe, unsigned word_bits, const char *what)
{
    if (g->glwe_dimension != g0->glwe_dimension || g->polynomial_size != g0->polynomial_size ||
        g->log_modulus != g0->log_modulus)
        return kms_err(KMS_EINVAL, "%s: GLWE %zu has another shape than GLWE 0", what, idx);
    if (g->glwe_dimension == 0 || g->glwe_dimension > (1u << 16) || !is_pow2(g->polynomial_size) ||
        g->polynomial_size > (1u << 20))
        return kms_err(KMS_EINVAL, "%s: GLWE %zu has a bad shape (k %llu, N %llu)", what, idx,
                       (unsigned long long)g->glwe_dimension,
                       (unsigned long long)g->polynomial_size);
    if (g->uncompressed_modulus != 0)
        return kms_err(KMS_EINVAL, "%s: GLWE %zu has a non-native modulus", what, idx);
    if (g->bodies_count > g->polynomial_size)
        return kms_err(KMS_EINVAL, "%s: GLWE %zu stores %llu bodies, more than N = %llu", what,
                       idx, (unsigned long long)g->bodies_count,
                       (unsigned long long)g->polynomial_size);
    uint64_t want_len = g->glwe_dimension * g->polynomial_size + g->bodies_count;
    if (g->initial_len != want_len)
        return kms_err(KMS_EINVAL, "%s: GLWE %zu packs %llu values, not k N + bodies = %llu",
                       what, idx, (unsigned long long)g->initial_len,
                       (unsigned long long)want_len);
    size_t words;
    KMS_TRY(compression_bits_packed_len(&words, want_len, g->log_modulus, word_bits));
    if (g->packed_len != words || (words > 0 && !g->has_packed))
        return kms_err(KMS_EINVAL, "%s: GLWE %zu has %zu packed words, expected %zu", what, idx,
                       g->packed_len, words);
    int last = idx + 1 == glwe_count;
    if ((!last && g->bodies_count != lwe_per_glwe) ||
        (last && (g->bodies_count == 0 || g->bodies_count > lwe_per_glwe)))
        return kms_err(KMS_EINVAL, "%s: GLWE %zu stores %llu bodies with %llu per GLWE", what,
                       idx, (unsigned long long)g->bodies_count,
                       (unsigned long long)lwe_per_glwe);
    return 0;
}

int compression_moduli_check(uint64_t message_modulus, uint64_t carry_modulus, const char *what)
{
    if (message_modulus < 2 || !is_pow2(message_modulus) || carry_modulus == 0 ||
        message_modulus > (1u << 16) || carry_modulus > (1u << 16))
        return kms_err(KMS_EINVAL, "%s: bad moduli (message %llu, carry %llu)", what,
                       (unsigned long long)message_modulus, (unsigned long long)carry_modulus);
    return 0;
}

static int check_meta(const struct compression_meta *m, uint64_t N)
{
    if (m->ciphertext_modulus != 0)
        return kms_err(KMS_EINVAL, "compressed list: non-native ciphertext modulus");
    KMS_TRY(compression_moduli_check(m->message_modulus, m->carry_modulus, "compressed list"));
    if (m->atomic_pattern > COMPRESSION_AP_KS32 || m->pbs_order > COMPRESSION_PBS_KS)
        return kms_err(KMS_EINVAL, "compressed list: unknown atomic pattern %u / PBS order %u",
                       m->atomic_pattern, m->pbs_order);
    if (m->lwe_per_glwe == 0 || m->lwe_per_glwe > N)
        return kms_err(KMS_EINVAL, "compressed list: lwe_per_glwe %llu outside [1, N = %llu]",
                       (unsigned long long)m->lwe_per_glwe, (unsigned long long)N);
    return 0;
}

static uint64_t stored_count(const struct compression_data_kind *k, uint64_t msg,
                             int packed_pairs)
{
    uint64_t n = compression_kind_blocks(k, msg);
    return packed_pairs ? n / 2 + (n & 1) : n;
}

int compression_info_check(const struct compression_data_kind *info, size_t count,
                           uint64_t message_modulus, uint64_t stored, int packed_pairs)
{
    uint64_t total = 0;
    if (count > 0 && info == NULL)
        return kms_err(KMS_EINVAL, "compressed list: missing DataKinds");
    for (size_t i = 0; i < count; i++) {
        const struct compression_data_kind *k = &info[i];
        if (k->kind > COMPRESSION_KIND_STRING)
            return kms_err(KMS_EINVAL, "compressed list: element %zu has unknown kind %u", i,
                           k->kind);
        if (k->kind <= COMPRESSION_KIND_SIGNED && k->num_blocks == 0)
            return kms_err(KMS_EINVAL, "compressed list: element %zu has zero blocks", i);
        if (k->kind != COMPRESSION_KIND_STRING && message_modulus == 0)
            return kms_err(KMS_EINVAL, "compressed list: element %zu but no metadata", i);
        uint64_t n = stored_count(k, message_modulus, packed_pairs);
        if (n > stored || total > stored - n)
            return kms_err(KMS_EINVAL, "compressed list: elements need more than the %llu "
                                       "stored ciphertexts", (unsigned long long)stored);
        total += n;
    }
    if (total != stored)
        return kms_err(KMS_EINVAL, "compressed list: elements cover %llu of %llu stored "
                                   "ciphertexts", (unsigned long long)total,
                       (unsigned long long)stored);
    return 0;
}

int compression_info_element(const struct compression_data_kind *info, size_t count,
                             uint64_t message_modulus, int packed_pairs, size_t index,
                             uint64_t *first, uint64_t *n)
{
    *first = *n = 0;
    if (index >= count)
        return kms_err(KMS_EINVAL, "compressed list: no element %zu in a list of %zu", index,
                       count);
    uint64_t start = 0;
    for (size_t i = 0; i < index; i++)
        start += stored_count(&info[i], message_modulus, packed_pairs);
    *first = start;
    *n = stored_count(&info[index], message_modulus, packed_pairs);
    return 0;
}

int compression_list_validate(const struct compression_list *l)
{
    if (l->glwe_count == 0)
        return compression_info_check(l->info, l->info_count, 0, 0, 0);
    if (l->glwes == NULL)
        return kms_err(KMS_EINVAL, "compressed list: missing GLWEs");
    if (!l->has_meta)
        return kms_err(KMS_EINVAL, "compressed list: GLWEs without metadata");
    const struct compression_glwe *g0 = &l->glwes[0];
    KMS_TRY(check_meta(&l->meta, g0->polynomial_size));
    uint64_t stored = 0;
    for (size_t g = 0; g < l->glwe_count; g++) {
        const struct compression_glwe *gl = &l->glwes[g];
        KMS_TRY(compression_glwe_check(&COMPRESSION_GLWE_DIMS(gl), &COMPRESSION_GLWE_DIMS(g0), g,
                                       l->glwe_count, l->meta.lwe_per_glwe, 64,
                                       "compressed list"));
        stored += gl->bodies_count; /* <= 2^20 per GLWE: no overflow for any real count */
        if (stored < gl->bodies_count)
            return kms_err(KMS_ELIMIT, "compressed list: too many blocks");
    }
    return compression_info_check(l->info, l->info_count, l->meta.message_modulus, stored, 0);
}

int compression_list_check_params(const struct compression_list *l, const struct tfhe_params *p)
{
    if (!p->has_compression)
        return kms_err(KMS_EINVAL, "compressed list: parameter set %s has no compression", p->name);
    if (l->glwe_count == 0)
        return 0;
    const struct tfhe_compression_params *c = &p->compression;
    const struct compression_glwe *g = &l->glwes[0];
    if (g->glwe_dimension != c->packing_ks_glwe_dimension ||
        g->polynomial_size != c->packing_ks_polynomial_size ||
        g->log_modulus != c->storage_log_modulus)
        return kms_err(KMS_EINVAL, "compressed list: GLWEs (k %llu, N %llu, %u bits) are not "
                                   "those of parameter set %s (k %u, N %u, %u bits)",
                       (unsigned long long)g->glwe_dimension,
                       (unsigned long long)g->polynomial_size, g->log_modulus, p->name,
                       c->packing_ks_glwe_dimension, c->packing_ks_polynomial_size,
                       c->storage_log_modulus);
    const struct compression_meta *m = &l->meta;
    if (m->message_modulus != p->pbs.message_modulus || m->carry_modulus != p->pbs.carry_modulus)
        return kms_err(KMS_EINVAL, "compressed list: moduli %llu/%llu, parameter set %u/%u",
                       (unsigned long long)m->message_modulus,
                       (unsigned long long)m->carry_modulus, p->pbs.message_modulus,
                       p->pbs.carry_modulus);
    if (m->message_modulus != m->carry_modulus) /* tfhe-rs unpack refuses these too */
        return kms_err(KMS_EINVAL, "compressed list: message modulus != carry modulus");
    if (m->atomic_pattern == COMPRESSION_AP_STANDARD && m->pbs_order != COMPRESSION_KS_PBS)
        return kms_err(KMS_EINVAL, "compressed list: blocks under the small key (PBS-KS order)");
    return 0;
}

uint64_t compression_list_blocks(const struct compression_list *l)
{
    uint64_t n = 0;
    for (size_t g = 0; g < l->glwe_count; g++)
        n += l->glwes[g].bodies_count;
    return n;
}

int compression_list_element(const struct compression_list *l, size_t index, uint64_t *first,
                             uint64_t *count)
{
    return compression_info_element(l->info, l->info_count,
                                    l->has_meta ? l->meta.message_modulus : 0, 0, index, first,
                                    count);
}

int compression_kind_check_type(const struct compression_data_kind *k, unsigned bits_per_block,
                                const struct radix_type *t)
{
    switch (k->kind) {
    case COMPRESSION_KIND_BOOLEAN:
        if (t->is_bool)
            return 0;
        return kms_err(KMS_EINVAL, "compressed list: a FheBool is stored, not a %s", t->name);
    case COMPRESSION_KIND_UNSIGNED:
    case COMPRESSION_KIND_SIGNED: {
        int is_signed = k->kind == COMPRESSION_KIND_SIGNED;
        const char *stored = is_signed ? "Int" : "Uint";
        if (t->is_bool || t->is_signed != is_signed ||
            k->num_blocks != (uint64_t)t->bits / bits_per_block ||
            (uint64_t)t->bits % bits_per_block != 0)
            return kms_err(KMS_EINVAL, "compressed list: a Fhe%s%llu is stored, not a %s", stored,
                           (unsigned long long)(k->num_blocks * bits_per_block), t->name);
        return 0;
    }
    default:
        return kms_err(KMS_EINVAL, "compressed list: a string is stored, not a %s", t->name);
    }
}

/* ---- recomposition ---- */

/* acc (little-endian 64-bit words) += v << bit, the carry dropped past the
 * last word. */
static void add_at(uint64_t *acc, size_t nwords, size_t bit, uint64_t v)
{
    size_t w = bit / 64;
    if (w >= nwords)
        return;
    unsigned s = bit % 64;
    uint64_t lo = v << s, hi = s ? v >> (64 - s) : 0, old = acc[w];
    acc[w] += lo;
    uint64_t carry = hi + (acc[w] < old);
    for (w++; w < nwords; w++) {
        old = acc[w];
        acc[w] += carry;
        carry = acc[w] < old;
    }
}

void compression_recompose(uint8_t *out, size_t out_len, const struct radix_type *t,
                           const uint8_t *vals, size_t count, unsigned bits)
{
    uint64_t acc[RADIX_MAX_BITS / 64 + 1] = {0};
    size_t nwords = ((size_t)t->bits + 63) / 64;
    for (size_t i = 0; i < count; i++)
        add_at(acc, nwords, i * bits, vals[i]);
    for (size_t i = 0; i < out_len; i++)
        out[i] = (uint8_t)(acc[i / 8] >> (8 * (i % 8)));
    unsigned used = t->bits % 8;
    if (used != 0 && out_len > 0) {
        uint8_t low = (uint8_t)((1u << used) - 1), top = out[out_len - 1] & low;
        if (t->is_signed && ((top >> (used - 1)) & 1))
            top |= (uint8_t)~low;
        out[out_len - 1] = top;
    }
    secmem_wipe(acc, sizeof acc);
}

/* Compressed list handling on arbitrary data: the input describes a 64-bit
 * or a squashed (128-bit) list field by field (shapes, counts, metadata,
 * DataKinds, packed words) as a deserializer would hand it over, then the
 * list is validated, checked against a parameter set, and every element is
 * decrypted with a fixed key as the type the input names. Checks: no crash,
 * no out-of-bounds access; a list that validates re-packs to the same words
 * (the padding bits of the last word aside); a failed decryption leaves a
 * zeroed output.
 *
 * Layout (little-endian, missing bytes read as 0):
 *   u8 flags      bit 0: squashed list; bit 1: default set (else test set);
 *                 bit 2: metadata present
 *   u8 glwes      (mod 6)
 *   per GLWE: u8 L, u8 k, u16 N, u16 bodies, u32 initial_len,
 *             u16 packed_len (words), u8 modulus_nonzero, then the words
 *   meta: u8 message, u8 carry, u8 atomic_pattern, u8 pbs_order,
 *         u16 lwe_per_glwe, u8 modulus_nonzero
 *   u8 elements (mod 8); per element: u8 kind, u16 blocks, u8 n_chars
 *   u8 index, u8 fhe_type, u8 block count (direct block decryption) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfhe/compression.h"
#include "tfhe/snscomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
    const uint8_t *p;
    size_t n, pos;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++, c->pos++)
        if (c->pos < c->n)
            v |= (uint64_t)c->p[c->pos] << (8 * i);
    return v;
}

struct keys {
    struct compression_private_key *comp;
    struct snscomp_private_key *sns;
    struct snscomp_scratch *sc;
};

static struct keys keysets[2];

static void init_keys(void)
{
    static int done;
    if (done)
        return;
    static const char *const names[2] = {"test", "default"};
    for (int i = 0; i < 2; i++) {
        const struct tfhe_params *p;
        struct csprng g;
        uint8_t seed[16] = {(uint8_t)i, 0xf2};
        if (tfhe_params_get(&p, names[i], 1) != 0 || csprng_init_seed(&g, seed) != 0 ||
            compression_private_key_new(&keysets[i].comp, p, &g) != 0 ||
            snscomp_private_key_new(&keysets[i].sns, p, &g) != 0 ||
            snscomp_scratch_new(&keysets[i].sc, p) != 0)
            abort();
        csprng_free(&g);
    }
    done = 1;
}

static const int32_t type_ids[] = {
    RADIX_BOOL,  RADIX_UINT4,  RADIX_UINT8,   RADIX_UINT16,  RADIX_UINT32, RADIX_UINT64,
    RADIX_UINT80, RADIX_UINT128, RADIX_UINT160, RADIX_UINT256, RADIX_INT4,  RADIX_INT8,
    RADIX_INT64, RADIX_INT160, RADIX_UINT2048, 12345,
};

static struct compression_data_kind *read_info(struct cursor *c, size_t *count)
{
    *count = take(c, 1) % 8;
    struct compression_data_kind *info = calloc(*count + 1, sizeof *info);
    if (info == NULL)
        abort();
    for (size_t i = 0; i < *count; i++) {
        info[i].kind = (uint32_t)take(c, 1) % 5;
        info[i].num_blocks = take(c, 2);
        info[i].n_chars = (uint32_t)take(c, 1);
        info[i].padded = 0;
    }
    return info;
}

static void check_zeroed(const uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (out[i] != 0)
            abort();
}

static void fuzz_list64(struct cursor *c, const struct keys *k, int has_meta)
{
    struct compression_list l = {0};
    l.glwe_count = take(c, 1) % 6;
    l.glwes = calloc(l.glwe_count + 1, sizeof *l.glwes);
    if (l.glwes == NULL)
        abort();
    for (size_t g = 0; g < l.glwe_count; g++) {
        struct compression_glwe *gl = &l.glwes[g];
        gl->log_modulus = (uint32_t)take(c, 1);
        gl->glwe_dimension = take(c, 1);
        gl->polynomial_size = take(c, 2);
        gl->bodies_count = take(c, 2);
        gl->initial_len = take(c, 4);
        gl->packed_len = take(c, 2);
        gl->uncompressed_modulus = take(c, 1);
        gl->packed = calloc(gl->packed_len + 1, sizeof *gl->packed);
        if (gl->packed == NULL)
            abort();
        for (size_t w = 0; w < gl->packed_len && c->pos < c->n; w++)
            gl->packed[w] = take(c, 8);
    }
    l.has_meta = has_meta;
    l.meta.message_modulus = take(c, 1);
    l.meta.carry_modulus = take(c, 1);
    l.meta.atomic_pattern = (uint32_t)take(c, 1);
    l.meta.pbs_order = (uint32_t)take(c, 1);
    l.meta.lwe_per_glwe = take(c, 2);
    l.meta.ciphertext_modulus = take(c, 1);
    l.info = read_info(c, &l.info_count);
    size_t index = take(c, 1) % 9;
    int32_t type = type_ids[take(c, 1) % (sizeof type_ids / sizeof type_ids[0])];

    if (compression_list_validate(&l) == 0) {
        /* every GLWE re-packs to its own words */
        for (size_t g = 0; g < l.glwe_count; g++) {
            struct compression_glwe *gl = &l.glwes[g];
            uint64_t *vals = malloc((gl->initial_len + 1) * sizeof *vals);
            uint64_t *again = malloc((gl->packed_len + 1) * sizeof *again);
            if (vals == NULL || again == NULL ||
                compression_bits_unpack(vals, gl->packed, gl->packed_len, gl->log_modulus, 0,
                                        gl->initial_len) != 0 ||
                compression_bits_pack(again, gl->packed_len, vals, gl->initial_len,
                                      gl->log_modulus) != 0)
                abort();
            for (size_t w = 0; w < gl->packed_len; w++) {
                uint64_t used = gl->initial_len * gl->log_modulus - 64 * w;
                uint64_t mask = used >= 64 ? UINT64_MAX : (1ull << used) - 1;
                if ((again[w] ^ gl->packed[w]) & mask)
                    abort();
            }
            free(vals);
            free(again);
        }
    }
    size_t nvals = take(c, 1) % 65;
    uint8_t vals[64];
    if (compression_decrypt_blocks(k->comp, vals, &l, index, nvals) != 0)
        nvals = 0;
    const struct radix_type *t;
    uint8_t out[RADIX_MAX_BYTES];
    size_t len = radix_type_lookup(&t, type) == 0 ? radix_type_bytes(t) : 8;
    if (compression_list_decrypt(k->comp, out, len, &l, index, type) != 0)
        check_zeroed(out, len);
    compression_list_free(&l);
}

static void fuzz_list128(struct cursor *c, const struct keys *k, int has_meta)
{
    struct snscomp_list l = {0};
    l.glwe_count = take(c, 1) % 6;
    l.glwes = calloc(l.glwe_count + 1, sizeof *l.glwes);
    if (l.glwes == NULL)
        abort();
    for (size_t g = 0; g < l.glwe_count; g++) {
        struct snscomp_glwe *gl = &l.glwes[g];
        gl->log_modulus = (uint32_t)take(c, 1);
        gl->glwe_dimension = take(c, 1);
        gl->polynomial_size = take(c, 2);
        gl->bodies_count = take(c, 2);
        gl->initial_len = take(c, 4);
        gl->packed_len = take(c, 2);
        gl->uncompressed_modulus = take(c, 1);
        gl->packed = calloc(gl->packed_len + 1, sizeof *gl->packed);
        if (gl->packed == NULL)
            abort();
        for (size_t w = 0; w < gl->packed_len && c->pos < c->n; w++) {
            u128 lo = take(c, 8);
            gl->packed[w] = ((u128)take(c, 8) << 64) | lo;
        }
    }
    l.has_meta = has_meta;
    l.meta.message_modulus = take(c, 1);
    l.meta.carry_modulus = take(c, 1);
    l.meta.lwe_per_glwe = take(c, 2);
    l.info = read_info(c, &l.info_count);
    size_t index = take(c, 1) % 9;
    int32_t type = type_ids[take(c, 1) % (sizeof type_ids / sizeof type_ids[0])];
    size_t nvals = take(c, 1) % 65;
    uint8_t vals[64];
    if (snscomp_decrypt_values(k->sns, k->sc, vals, &l, index, nvals) != 0)
        nvals = 0;
    const struct radix_type *t;
    uint8_t out[RADIX_MAX_BYTES];
    size_t len = radix_type_lookup(&t, type) == 0 ? radix_type_bytes(t) : 8;
    if (snscomp_list_decrypt(k->sns, k->sc, out, len, &l, index, type) != 0)
        check_zeroed(out, len);
    snscomp_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_keys();
    struct cursor c = {data, size, 0};
    unsigned flags = (unsigned)take(&c, 1);
    const struct keys *k = &keysets[(flags >> 1) & 1];
    if (flags & 1)
        fuzz_list128(&c, k, (flags >> 2) & 1);
    else
        fuzz_list64(&c, k, (flags >> 2) & 1);
    return 0;
}

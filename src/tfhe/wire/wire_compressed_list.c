#include "tfhe/wire/wire_compressed_list.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/wire/wire_internal.h"

/* Versions tfhe-rs 1.7 writes. */
#define V_HL_COMPRESSED 3u        /* high_level_api CompressedCiphertextListVersions */
#define V_INTEGER_COMPRESSED 0u
#define V_SHORTINT_COMPRESSED 2u
#define V_COMPRESSED_META 0u
#define V_ATOMIC_PATTERN 0u
#define V_PBS_ORDER 0u
#define V_SNSCOMP 0u              /* all three levels */
#define V_SNSCOMP_META 0u

/* The smallest serialized CompressedModulusSwitchedGlweCiphertext. */
#define CMSG_MIN_BYTES 100u
/* The smallest serialized ReRandomizationMetadata (version, empty Vec). */
#define RERAND_MIN_BYTES 12u

void wire_compressed_list_clear(struct wire_compressed_list *l)
{
    if (l == NULL)
        return;
    compression_list_free(&l->list);
    for (size_t i = 0; i < l->rerand_count && l->rerand != NULL; i++)
        free(l->rerand[i].data);
    free(l->rerand);
    free(l->tag);
    memset(l, 0, sizeof *l);
}

void wire_snscomp_list_clear(struct wire_snscomp_list *l)
{
    if (l == NULL)
        return;
    snscomp_list_free(&l->list);
    free(l->tag);
    memset(l, 0, sizeof *l);
}

/* ---- the GLWE records ---- */

static void put_cmsg_head(struct wire_sink *s)
{
    wire_put_version(s, WIRE_V_CMS_GLWE);
    wire_put_version(s, WIRE_V_PACKED_INTEGERS);
}

static void put_cmsg_tail(struct wire_sink *s, uint32_t log_modulus, uint64_t initial_len,
                          uint64_t k, uint64_t poly, uint64_t bodies, unsigned bits)
{
    wire_put_scalar(s, log_modulus);
    wire_put_u64(s, initial_len);
    wire_put_scalar(s, k);
    wire_put_scalar(s, poly);
    wire_put_scalar(s, bodies);
    wire_put_native_modulus(s, bits);
}

/* One GLWE record as read; packed is a malloc'd copy of the bits-bit words
 * that the caller takes over. */
struct cmsg_view {
    void *packed;
    size_t packed_len;
    uint32_t log_modulus;
    uint64_t initial_len, k, poly, bodies;
};

static int get_cmsg(struct reader *r, struct cmsg_view *g, unsigned bits)
{
    const uint8_t *packed;
    size_t word = bits / 8;
    KMS_TRY(wire_get_version(r, "CompressedModulusSwitchedGlweCiphertext", WIRE_V_CMS_GLWE));
    KMS_TRY(wire_get_version(r, "PackedIntegers", WIRE_V_PACKED_INTEGERS));
    if (bits == 64)
        KMS_TRY(wire_get_u64s(r, "packed_coeffs", &packed, &g->packed_len));
    else
        KMS_TRY(wire_get_u128s(r, "packed_coeffs", &packed, &g->packed_len));
    KMS_TRY(wire_get_scalar32(r, "log_modulus", &g->log_modulus, 1, bits));
    if (reader_u64le(r, &g->initial_len) < 0)
        return kms_err(KMS_ETRUNC, "PackedIntegers: input ends early");
    KMS_TRY(wire_get_scalar_in(r, "glwe_dimension", &g->k, 1, 1024));
    KMS_TRY(wire_get_scalar_in(r, "polynomial_size", &g->poly, 1, (uint64_t)1 << 17));
    KMS_TRY(wire_get_scalar_in(r, "bodies_count", &g->bodies, 0, g->poly));
    KMS_TRY(wire_get_native_modulus(r, "uncompressed_ciphertext_modulus", bits));
    g->packed = malloc(g->packed_len ? g->packed_len * word : 1);
    if (g->packed == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for a compressed GLWE");
    memcpy(g->packed, packed, g->packed_len * word);
    return 0;
}

/* The GLWE count, then a zeroed array of n records of size bytes (none for 0). */
static int get_glwe_array(struct reader *r, const char *what, size_t size, void **out, size_t *n)
{
    *out = NULL;
    if (bincode_get_len(r, n, CMSG_MIN_BYTES) < 0)
        return kms_err(KMS_ETRUNC, "%s: GLWE count exceeds the input", what);
    if (*n == 0)
        return 0;
    *out = calloc(*n, size);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for %zu GLWEs", *n);
    return 0;
}

/* ---- CompressedCiphertextList ---- */

static void put_meta(struct wire_sink *s, const struct compression_meta *m)
{
    wire_put_version(s, V_COMPRESSED_META);
    wire_put_native_modulus(s, 64);
    wire_put_scalar(s, m->message_modulus);
    wire_put_scalar(s, m->carry_modulus);
    wire_put_version(s, V_ATOMIC_PATTERN);
    wire_put_variant(s, m->atomic_pattern);
    if (m->atomic_pattern == COMPRESSION_AP_STANDARD) {
        wire_put_version(s, V_PBS_ORDER);
        wire_put_variant(s, m->pbs_order);
    }
    wire_put_scalar(s, m->lwe_per_glwe);
}

int wire_compressed_list_write(struct wire_sink *s, const struct wire_compressed_list *l)
{
    const struct compression_list *cl = &l->list;
    KMS_TRY(compression_list_validate(cl));
    if (l->rerand != NULL && l->rerand_count != cl->info_count)
        return kms_err(KMS_EINVAL, "wire: %zu re-randomization metadata for %zu elements",
                       l->rerand_count, cl->info_count);
    wire_put_header(s, WIRE_NAME_COMPRESSED_LIST);
    wire_put_version(s, V_HL_COMPRESSED);
    wire_put_version(s, V_INTEGER_COMPRESSED);
    wire_put_version(s, V_SHORTINT_COMPRESSED);
    wire_put_len(s, cl->glwe_count);
    for (size_t i = 0; i < cl->glwe_count; i++) {
        const struct compression_glwe *g = &cl->glwes[i];
        put_cmsg_head(s);
        wire_put_u64s(s, g->packed, g->packed_len);
        put_cmsg_tail(s, g->log_modulus, g->initial_len, g->glwe_dimension, g->polynomial_size,
                      g->bodies_count, 64);
    }
    wire_put_option(s, cl->has_meta);
    if (cl->has_meta)
        put_meta(s, &cl->meta);
    wire_put_data_kinds(s, cl->info, cl->info_count);
    wire_put_tag(s, l->tag, l->tag_len);
    wire_put_len(s, cl->info_count);
    for (size_t i = 0; i < cl->info_count; i++)
        wire_put_tag(s, l->rerand ? l->rerand[i].data : NULL, l->rerand ? l->rerand[i].len : 0);
    return wire_sink_status(s);
}

static int get_meta(struct reader *r, struct compression_meta *m)
{
    uint32_t msg, carry, v;
    uint64_t per;
    KMS_TRY(wire_get_version(r, "CompressedCiphertextListMeta", V_COMPRESSED_META));
    KMS_TRY(wire_get_native_modulus(r, "CompressedCiphertextListMeta modulus", 64));
    KMS_TRY(wire_get_moduli_pair(r, &msg, &carry));
    m->ciphertext_modulus = 0;
    m->message_modulus = msg;
    m->carry_modulus = carry;
    KMS_TRY(wire_get_version(r, "AtomicPatternKind", V_ATOMIC_PATTERN));
    KMS_TRY(wire_get_variant(r, "AtomicPatternKind", &v, 2));
    m->atomic_pattern = v;
    if (v == COMPRESSION_AP_STANDARD) {
        KMS_TRY(wire_get_version(r, "PBSOrder", V_PBS_ORDER));
        KMS_TRY(wire_get_variant(r, "PBSOrder", &m->pbs_order, 2));
    }
    KMS_TRY(wire_get_scalar_in(r, "lwe_per_glwe", &per, 1, (uint64_t)1 << 17));
    m->lwe_per_glwe = per;
    return 0;
}

static int get_glwes64(struct reader *r, struct compression_list *cl)
{
    size_t n;
    void *glwes;
    KMS_TRY(get_glwe_array(r, "compressed list", sizeof *cl->glwes, &glwes, &n));
    cl->glwes = glwes;
    for (size_t i = 0; i < n; i++) {
        struct cmsg_view v;
        cl->glwe_count = i + 1;
        KMS_TRY(get_cmsg(r, &v, 64));
        cl->glwes[i] = (struct compression_glwe){
            .packed = v.packed, .packed_len = v.packed_len, .log_modulus = v.log_modulus,
            .initial_len = v.initial_len, .glwe_dimension = v.k, .polynomial_size = v.poly,
            .bodies_count = v.bodies, .uncompressed_modulus = 0};
    }
    return 0;
}

static int get_rerand(struct reader *r, struct wire_compressed_list *l)
{
    size_t n;
    if (bincode_get_len(r, &n, RERAND_MIN_BYTES) < 0)
        return kms_err(KMS_ETRUNC, "re_randomization_metadata: length exceeds the input");
    if (n != l->list.info_count)
        return kms_err(KMS_EINVAL, "compressed list: %zu re-randomization metadata for %zu "
                                   "elements", n, l->list.info_count);
    if (n == 0)
        return 0;
    l->rerand = calloc(n, sizeof *l->rerand);
    if (l->rerand == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory");
    l->rerand_count = n;
    for (size_t i = 0; i < n; i++)
        KMS_TRY(wire_get_tag(r, "ReRandomizationMetadata", &l->rerand[i].data,
                             &l->rerand[i].len));
    return 0;
}

static int read_compressed(struct wire_compressed_list *out, struct reader *r)
{
    KMS_TRY(wire_get_version(r, "CompressedCiphertextList", V_HL_COMPRESSED));
    KMS_TRY(wire_get_version(r, "integer CompressedCiphertextList", V_INTEGER_COMPRESSED));
    KMS_TRY(wire_get_version(r, "shortint CompressedCiphertextList", V_SHORTINT_COMPRESSED));
    KMS_TRY(get_glwes64(r, &out->list));
    KMS_TRY(wire_get_option(r, "CompressedCiphertextListMeta", &out->list.has_meta));
    if (out->list.has_meta)
        KMS_TRY(get_meta(r, &out->list.meta));
    KMS_TRY(wire_get_data_kinds(r, &out->list.info, &out->list.info_count));
    KMS_TRY(wire_get_tag(r, "compressed list tag", &out->tag, &out->tag_len));
    return get_rerand(r, out);
}

int wire_compressed_list_read(struct wire_compressed_list *out, const uint8_t *bytes, size_t len,
                              size_t size_limit)
{
    struct reader r;
    memset(out, 0, sizeof *out);
    int rc = wire_open(&r, bytes, len, size_limit, WIRE_NAME_COMPRESSED_LIST);
    if (rc == 0)
        rc = read_compressed(out, &r);
    if (rc == 0)
        rc = wire_close(&r, WIRE_NAME_COMPRESSED_LIST);
    if (rc == 0)
        rc = compression_list_validate(&out->list);
    if (rc < 0)
        wire_compressed_list_clear(out);
    return rc;
}

/* ---- CompressedSquashedNoiseCiphertextList ---- */

int wire_snscomp_list_write(struct wire_sink *s, const struct wire_snscomp_list *l)
{
    const struct snscomp_list *sl = &l->list;
    KMS_TRY(snscomp_list_validate(sl));
    wire_put_header(s, WIRE_NAME_SNSCOMP_LIST);
    wire_put_version(s, V_SNSCOMP);
    wire_put_version(s, V_SNSCOMP);
    wire_put_version(s, V_SNSCOMP);
    wire_put_len(s, sl->glwe_count);
    for (size_t i = 0; i < sl->glwe_count; i++) {
        const struct snscomp_glwe *g = &sl->glwes[i];
        put_cmsg_head(s);
        wire_put_u128s(s, g->packed, g->packed_len);
        put_cmsg_tail(s, g->log_modulus, g->initial_len, g->glwe_dimension, g->polynomial_size,
                      g->bodies_count, 128);
    }
    wire_put_option(s, sl->has_meta);
    if (sl->has_meta) {
        wire_put_version(s, V_SNSCOMP_META);
        wire_put_scalar(s, sl->meta.message_modulus);
        wire_put_scalar(s, sl->meta.carry_modulus);
        wire_put_scalar(s, sl->meta.lwe_per_glwe);
    }
    wire_put_data_kinds(s, sl->info, sl->info_count);
    wire_put_tag(s, l->tag, l->tag_len);
    return wire_sink_status(s);
}

static int get_glwes128(struct reader *r, struct snscomp_list *sl)
{
    size_t n;
    void *glwes;
    KMS_TRY(get_glwe_array(r, "squashed list", sizeof *sl->glwes, &glwes, &n));
    sl->glwes = glwes;
    for (size_t i = 0; i < n; i++) {
        struct cmsg_view v;
        sl->glwe_count = i + 1;
        KMS_TRY(get_cmsg(r, &v, 128));
        sl->glwes[i] = (struct snscomp_glwe){
            .packed = v.packed, .packed_len = v.packed_len, .log_modulus = v.log_modulus,
            .initial_len = v.initial_len, .glwe_dimension = v.k, .polynomial_size = v.poly,
            .bodies_count = v.bodies, .uncompressed_modulus = 0};
    }
    return 0;
}

static int read_snscomp(struct wire_snscomp_list *out, struct reader *r)
{
    struct snscomp_list *sl = &out->list;
    KMS_TRY(wire_get_version(r, "CompressedSquashedNoiseCiphertextList", V_SNSCOMP));
    KMS_TRY(wire_get_version(r, "integer CompressedSquashedNoiseCiphertextList", V_SNSCOMP));
    KMS_TRY(wire_get_version(r, "shortint CompressedSquashedNoiseCiphertextList", V_SNSCOMP));
    KMS_TRY(get_glwes128(r, sl));
    KMS_TRY(wire_get_option(r, "CompressedSquashedNoiseCiphertextListMeta", &sl->has_meta));
    if (sl->has_meta) {
        uint32_t msg, carry;
        KMS_TRY(wire_get_version(r, "CompressedSquashedNoiseCiphertextListMeta", V_SNSCOMP_META));
        KMS_TRY(wire_get_moduli_pair(r, &msg, &carry));
        KMS_TRY(wire_get_scalar_in(r, "lwe_per_glwe", &sl->meta.lwe_per_glwe, 1,
                                   (uint64_t)1 << 17));
        sl->meta.message_modulus = msg;
        sl->meta.carry_modulus = carry;
    }
    KMS_TRY(wire_get_data_kinds(r, &sl->info, &sl->info_count));
    return wire_get_tag(r, "squashed list tag", &out->tag, &out->tag_len);
}

int wire_snscomp_list_read(struct wire_snscomp_list *out, const uint8_t *bytes, size_t len,
                           size_t size_limit)
{
    struct reader r;
    memset(out, 0, sizeof *out);
    int rc = wire_open(&r, bytes, len, size_limit, WIRE_NAME_SNSCOMP_LIST);
    if (rc == 0)
        rc = read_snscomp(out, &r);
    if (rc == 0)
        rc = wire_close(&r, WIRE_NAME_SNSCOMP_LIST);
    if (rc == 0)
        rc = snscomp_list_validate(&out->list);
    if (rc < 0)
        wire_snscomp_list_clear(out);
    return rc;
}

/* DataKind, the per-element record of every integer-level list
 * (integer/ciphertext/utils.rs, DataKindVersions V1). */
#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_internal.h"

#define V_DATA_KIND 1u
/* Smallest serialized DataKind: version and variant (Boolean). */
#define DATA_KIND_MIN_BYTES 8u

void wire_put_data_kinds(struct wire_sink *s, const struct compression_data_kind *info,
                         size_t count)
{
    wire_put_len(s, count);
    for (size_t i = 0; i < count; i++) {
        const struct compression_data_kind *k = &info[i];
        wire_put_version(s, V_DATA_KIND);
        wire_put_variant(s, k->kind);
        if (k->kind == COMPRESSION_KIND_UNSIGNED || k->kind == COMPRESSION_KIND_SIGNED) {
            wire_put_u64(s, k->num_blocks);
        } else if (k->kind == COMPRESSION_KIND_STRING) {
            wire_put_u32(s, k->n_chars);
            wire_put_bool(s, k->padded);
        }
    }
}

static int get_one(struct reader *r, struct compression_data_kind *k)
{
    uint32_t v;
    memset(k, 0, sizeof *k);
    KMS_TRY(wire_get_version(r, "DataKind", V_DATA_KIND));
    KMS_TRY(wire_get_variant(r, "DataKind", &v, 4));
    k->kind = v;
    if (v == COMPRESSION_KIND_UNSIGNED || v == COMPRESSION_KIND_SIGNED) {
        if (reader_u64le(r, &k->num_blocks) < 0)
            return kms_err(KMS_ETRUNC, "DataKind: input ends early");
        if (k->num_blocks == 0)
            return kms_err(KMS_EINVAL, "DataKind: zero blocks (NonZeroUsize)");
    } else if (v == COMPRESSION_KIND_STRING) {
        int padded;
        if (reader_u32le(r, &k->n_chars) < 0)
            return kms_err(KMS_ETRUNC, "DataKind: input ends early");
        if (bincode_get_bool(r, &padded) < 0)
            return kms_err(KMS_EINVAL, "DataKind: bad bool");
        k->padded = (uint8_t)padded;
    }
    return 0;
}

int wire_get_data_kinds(struct reader *r, struct compression_data_kind **info, size_t *count)
{
    *info = NULL;
    *count = 0;
    size_t n;
    if (bincode_get_len(r, &n, DATA_KIND_MIN_BYTES) < 0)
        return kms_err(KMS_ETRUNC, "Vec<DataKind>: length exceeds the input");
    if (n == 0)
        return 0;
    struct compression_data_kind *k = calloc(n, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory for %zu DataKinds", n);
    for (size_t i = 0; i < n; i++) {
        int rc = get_one(r, &k[i]);
        if (rc < 0) {
            free(k);
            return rc;
        }
    }
    *info = k;
    *count = n;
    return 0;
}

int wire_data_kind_type(const struct compression_data_kind *k, const struct radix_type **t)
{
    switch (k->kind) {
    case COMPRESSION_KIND_BOOLEAN:
        return radix_type_lookup(t, RADIX_BOOL);
    case COMPRESSION_KIND_UNSIGNED:
    case COMPRESSION_KIND_SIGNED:
        return wire_radix_type_for_blocks(t, k->num_blocks, k->kind == COMPRESSION_KIND_SIGNED);
    default:
        *t = NULL;
        return kms_err(KMS_EINVAL, "a string element does not decrypt to an integer");
    }
}

#include "tfhe/wire/wire_decrypt.h"

#include <stdlib.h>
#include <string.h>

#include "tfhe/decrypt.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_internal.h"
#include "tfhe/wire/wire_squashed.h"

struct wire_decryptor {
    const struct wire_client_key *ck;
    struct shortint_client_key *compute;
    struct compression_private_key *compression;
    struct sns_private_key *sns;
    struct snscomp_private_key *sns_compression;
    struct snscomp_scratch *snscomp_scratch;
    struct tfhe_decrypt_scratch *scratch;
    struct tfhe_decrypt_keys keys;
};

void wire_decryptor_free(struct wire_decryptor *d)
{
    if (d == NULL)
        return;
    shortint_client_key_free(d->compute);
    compression_private_key_free(d->compression);
    sns_private_key_free(d->sns);
    snscomp_private_key_free(d->sns_compression);
    snscomp_scratch_free(d->snscomp_scratch);
    tfhe_decrypt_scratch_free(d->scratch);
    free(d);
}

static int open_keys(struct wire_decryptor *d, const struct wire_client_key *ck)
{
    const struct tfhe_params *p = ck->params;
    const struct keyset_secrets *sk = &ck->sk;
    KMS_TRY(wire_client_key_compute(&d->compute, ck));
    if (sk->compression != NULL)
        KMS_TRY(compression_private_key_from_bits(&d->compression, p, sk->compression,
                                                  sk->compression_len));
    if (sk->sns != NULL)
        KMS_TRY(sns_private_key_from_bits(&d->sns, p, sk->sns, sk->sns_len));
    if (sk->sns_compression != NULL) {
        KMS_TRY(snscomp_private_key_from_bits(&d->sns_compression, p, sk->sns_compression,
                                              sk->sns_compression_len));
        KMS_TRY(snscomp_scratch_new(&d->snscomp_scratch, p));
    }
    KMS_TRY(tfhe_decrypt_scratch_new(&d->scratch, p));
    d->keys = (struct tfhe_decrypt_keys){p, d->compute, d->compression, d->sns,
                                         d->sns_compression};
    return 0;
}

int wire_decryptor_new(struct wire_decryptor **out, const struct wire_client_key *ck)
{
    *out = NULL;
    struct wire_decryptor *d = calloc(1, sizeof *d);
    if (d == NULL)
        return kms_err(KMS_ENOMEM, "wire: out of memory");
    d->ck = ck;
    int rc = open_keys(d, ck);
    if (rc < 0) {
        wire_decryptor_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* ---- one function per object kind ---- */

struct request {
    struct wire_decryptor *d;
    const uint8_t *bytes;
    size_t len, limit, index;
    const struct radix_type **type;
    uint8_t *out;
    size_t out_cap, *out_len, *count;
};

static int fit(struct request *q, const struct radix_type *t)
{
    *q->type = t;
    *q->out_len = radix_type_bytes(t);
    if (*q->out_len > q->out_cap)
        return kms_err(KMS_EINVAL, "wire: a %s needs a %zu-byte buffer", t->name, *q->out_len);
    return 0;
}

static int single(struct request *q)
{
    if (q->count != NULL)
        *q->count = 1;
    if (q->index != 0)
        return kms_err(KMS_EINVAL, "wire: a single ciphertext has no element %zu", q->index);
    return 0;
}

static int radix(struct request *q)
{
    struct wire_radix w;
    KMS_TRY(wire_radix_read(&w, q->bytes, q->len, q->limit, -1, q->d->ck->params));
    int rc = single(q);
    if (rc == 0)
        rc = fit(q, w.ct->type);
    if (rc == 0)
        rc = radix_decrypt(q->d->compute, q->out, *q->out_len, w.ct);
    wire_radix_clear(&w);
    return rc;
}

static int compact(struct request *q)
{
    struct wire_compact_list l;
    const struct radix_type *t;
    KMS_TRY(wire_compact_list_read(&l, q->bytes, q->len, q->limit));
    if (q->count != NULL)
        *q->count = l.info_count;
    int rc = wire_compact_list_type(&l, q->index, &t);
    if (rc == 0)
        rc = fit(q, t);
    if (rc == 0)
        rc = wire_compact_list_decrypt(&l, q->d->ck, q->index, q->out, *q->out_len);
    wire_compact_list_clear(&l);
    return rc;
}

static int compressed(struct request *q)
{
    struct wire_compressed_list l;
    const struct radix_type *t;
    if (q->d->compression == NULL)
        return kms_err(KMS_EPRECOND, "wire: the client key has no compression key");
    KMS_TRY(wire_compressed_list_read(&l, q->bytes, q->len, q->limit));
    if (q->count != NULL)
        *q->count = l.list.info_count;
    int rc = q->index < l.list.info_count
                 ? wire_data_kind_type(&l.list.info[q->index], &t)
                 : kms_err(KMS_EINVAL, "wire: the list has no element %zu", q->index);
    if (rc == 0)
        rc = fit(q, t);
    if (rc == 0)
        rc = compression_list_decrypt(q->d->compression, q->out, *q->out_len, &l.list, q->index,
                                      t->id);
    wire_compressed_list_clear(&l);
    return rc;
}

static int squashed(struct request *q)
{
    struct sns_radix *ct;
    KMS_TRY(wire_sns_radix_read(&ct, q->bytes, q->len, q->limit, -1, NULL));
    struct tfhe_ciphertext c = {.format = TFHE_CT_BIG_EXPANDED, .u.big_expanded = ct};
    int rc = single(q);
    if (rc == 0)
        rc = fit(q, ct->type);
    if (rc == 0)
        rc = tfhe_decrypt(&q->d->keys, q->d->scratch, q->out, *q->out_len, &c, ct->type->id);
    sns_radix_free(ct);
    return rc;
}

static int squashed_list(struct request *q)
{
    struct wire_snscomp_list l;
    const struct radix_type *t;
    if (q->d->sns_compression == NULL)
        return kms_err(KMS_EPRECOND, "wire: the client key has no noise-squashing compression key");
    KMS_TRY(wire_snscomp_list_read(&l, q->bytes, q->len, q->limit));
    if (q->count != NULL)
        *q->count = l.list.info_count;
    int rc = q->index < l.list.info_count
                 ? wire_data_kind_type(&l.list.info[q->index], &t)
                 : kms_err(KMS_EINVAL, "wire: the list has no element %zu", q->index);
    if (rc == 0)
        rc = fit(q, t);
    if (rc == 0)
        rc = snscomp_list_decrypt(q->d->sns_compression, q->d->snscomp_scratch, q->out,
                                  *q->out_len, &l.list, q->index, t->id);
    wire_snscomp_list_clear(&l);
    return rc;
}

int wire_decrypt(struct wire_decryptor *d, const uint8_t *bytes, size_t len, size_t size_limit,
                 size_t index, const struct radix_type **type, uint8_t *out, size_t out_cap,
                 size_t *out_len, size_t *count)
{
    static const struct {
        const char *name;
        int (*run)(struct request *q);
    } kinds[] = {
        {WIRE_NAME_FHEBOOL, radix},
        {WIRE_NAME_FHEUINT, radix},
        {WIRE_NAME_FHEINT, radix},
        {WIRE_NAME_COMPACT_LIST, compact},
        {WIRE_NAME_PROVEN_COMPACT_LIST, compact},
        {WIRE_NAME_COMPRESSED_LIST, compressed},
        {WIRE_NAME_SQUASHED_BOOL, squashed},
        {WIRE_NAME_SQUASHED_UINT, squashed},
        {WIRE_NAME_SQUASHED_INT, squashed},
        {WIRE_NAME_SNSCOMP_LIST, squashed_list},
    };
    const char *name;
    size_t name_len;
    struct request q = {d, bytes, len, size_limit, index, type, out, out_cap, out_len, count};
    *type = NULL;
    *out_len = 0;
    if (out_cap > 0)
        memset(out, 0, out_cap);
    KMS_TRY(wire_peek_name(bytes, len, &name, &name_len));
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!wire_name_is(name, name_len, kinds[i].name))
            continue;
        int rc = kinds[i].run(&q);
        if (rc < 0) {
            memset(out, 0, out_cap);
            *out_len = 0;
        }
        return rc;
    }
    return kms_err(KMS_EINVAL, "wire: \"%.*s\" is not a ciphertext type ckms decrypts",
                   (int)(name_len > 64 ? 64 : name_len), name);
}

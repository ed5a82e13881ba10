#include "tfhe/decrypt.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/lwe128.h"

struct tfhe_decrypt_scratch {
    const struct tfhe_params *params;
    struct snscomp_scratch *snscomp;
};

int tfhe_decrypt_scratch_new(struct tfhe_decrypt_scratch **out, const struct tfhe_params *params)
{
    *out = NULL;
    if (params == NULL)
        return kms_err(KMS_EINVAL, "decrypt: no parameter set");
    struct tfhe_decrypt_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "decrypt: out of memory");
    sc->params = params;
    if (params->has_sns && params->has_sns_compression) {
        int rc = snscomp_scratch_new(&sc->snscomp, params);
        if (rc < 0) {
            free(sc);
            return rc;
        }
    }
    *out = sc;
    return 0;
}

void tfhe_decrypt_scratch_free(struct tfhe_decrypt_scratch *sc)
{
    if (sc == NULL)
        return;
    snscomp_scratch_free(sc->snscomp);
    free(sc);
}

int tfhe_decrypt_plaintext_len(size_t *len, int32_t fhe_type)
{
    const struct radix_type *t;
    *len = 0;
    KMS_TRY(radix_type_lookup(&t, fhe_type));
    *len = radix_type_bytes(t);
    return 0;
}

static int need_key(const void *key, const char *format, const char *name)
{
    if (key == NULL)
        return kms_err(KMS_EPRECOND, "decrypt: %s needs the %s, which this keyset lacks", format,
                       name);
    return 0;
}

static int type_matches(const struct radix_type *have, const struct radix_type *want,
                        const char *format)
{
    if (have == NULL)
        return kms_err(KMS_EINVAL, "decrypt: %s ciphertext without a type", format);
    if (have->id != want->id)
        return kms_err(KMS_EINVAL, "decrypt: the %s ciphertext is a %s, fhe_type %d asks for a %s",
                       format, have->name, (int)want->id, want->name);
    return 0;
}

static int small_compressed(const struct tfhe_decrypt_keys *k, uint8_t *out, size_t out_len,
                            const struct compression_list *l, int32_t fhe_type)
{
    KMS_TRY(need_key(k->compression, "SmallCompressed", "compression key"));
    KMS_TRY(compression_list_validate(l));
    if (l->info_count != 1)
        return kms_err(KMS_EINVAL,
                       "decrypt: a SmallCompressed list must hold exactly 1 element, it holds %zu",
                       l->info_count);
    return compression_list_decrypt(k->compression, out, out_len, l, 0, fhe_type);
}

static int small_expanded(const struct tfhe_decrypt_keys *k, uint8_t *out, size_t out_len,
                          const struct radix_ct *ct, const struct radix_type *t)
{
    KMS_TRY(need_key(k->compute, "SmallExpanded", "compute client key"));
    KMS_TRY(type_matches(ct->type, t, "SmallExpanded"));
    return radix_decrypt(k->compute, out, out_len, ct);
}

static int big_compressed(const struct tfhe_decrypt_keys *k, struct tfhe_decrypt_scratch *sc,
                          uint8_t *out, size_t out_len, const struct snscomp_list *l,
                          int32_t fhe_type)
{
    KMS_TRY(need_key(k->sns_compression, "BigCompressed", "noise-squashing compression key"));
    if (sc->snscomp == NULL || sc->params != k->sns_compression->params)
        return kms_err(KMS_EINVAL, "decrypt: scratch made for another parameter set");
    return snscomp_list_decrypt(k->sns_compression, sc->snscomp, out, out_len, l, 0, fhe_type);
}

/* A squashed integer taken out of a compressed list: its LWEs are under
 * the SnS-compression GLWE key read as an LWE key (tfhe-rs ClientKey::
 * decrypt for SquashedNoiseCiphertextState::PostDecompression). */
static int post_decompression(const struct snscomp_private_key *k, uint8_t *out, size_t out_len,
                              const struct sns_radix *ct)
{
    const struct tfhe_params *p = k->params;
    const struct radix_type *t = ct->type;
    size_t dim = (size_t)p->sns_compression.packing_ks_glwe_dimension *
                 p->sns_compression.packing_ks_polynomial_size;
    size_t want = t->is_bool ? 1 : ((size_t)t->blocks + 1) / 2;
    if (ct->count != want || ct->original_block_count != (t->is_bool ? 1u : t->blocks) ||
        ct->blocks == NULL)
        return kms_err(KMS_EINVAL, "decrypt: a squashed %s has %zu LWEs, got %zu", t->name, want,
                       ct->count);
    uint8_t vals[RADIX_MAX_BITS / 4];
    uint32_t msg = p->sns.message_modulus, carry = p->sns.carry_modulus;
    for (size_t j = 0; j < ct->count; j++) {
        const struct sns_ct *b = &ct->blocks[j];
        if (b->data == NULL || b->dimension != dim || b->message_modulus != msg ||
            b->carry_modulus != carry) {
            secmem_wipe(vals, sizeof vals);
            return kms_err(KMS_EINVAL,
                           "decrypt: squashed LWE %zu (dimension %zu, moduli %u/%u) is not under "
                           "the SnS-compression key (dimension %zu, moduli %u/%u)",
                           j, b->dimension, b->message_modulus, b->carry_modulus, dim, msg, carry);
        }
        vals[j] = (uint8_t)sns_decode(lwe128_phase(b->data, k->glwe_sk, dim), msg, carry);
    }
    if (t->is_bool) {
        out[0] = vals[0] != 0;
    } else {
        unsigned bits = 0;
        while ((1u << bits) < msg)
            bits++;
        compression_recompose(out, out_len, t, vals, ct->count, 2 * bits);
    }
    secmem_wipe(vals, sizeof vals);
    return 0;
}

static int big_expanded(const struct tfhe_decrypt_keys *k, uint8_t *out, size_t out_len,
                        const struct sns_radix *ct, const struct radix_type *t)
{
    KMS_TRY(type_matches(ct->type, t, "BigExpanded"));
    switch (ct->state) {
    case SNS_STATE_NORMAL:
        KMS_TRY(need_key(k->sns, "BigExpanded", "noise-squashing key"));
        return sns_decrypt_radix(k->sns, out, out_len, ct);
    case SNS_STATE_POST_DECOMPRESSION:
        KMS_TRY(need_key(k->sns_compression, "BigExpanded (post-decompression)",
                         "noise-squashing compression key"));
        return post_decompression(k->sns_compression, out, out_len, ct);
    default:
        return kms_err(KMS_EINVAL, "decrypt: unknown squashed-ciphertext state %d",
                       (int)ct->state);
    }
}

static int dispatch(const struct tfhe_decrypt_keys *k, struct tfhe_decrypt_scratch *sc,
                    uint8_t *out, size_t out_len, const struct tfhe_ciphertext *ct,
                    const struct radix_type *t, int32_t fhe_type)
{
    switch (ct->format) {
    case TFHE_CT_SMALL_COMPRESSED:
        if (ct->u.small_compressed == NULL)
            break;
        return small_compressed(k, out, out_len, ct->u.small_compressed, fhe_type);
    case TFHE_CT_SMALL_EXPANDED:
        if (ct->u.small_expanded == NULL)
            break;
        return small_expanded(k, out, out_len, ct->u.small_expanded, t);
    case TFHE_CT_BIG_COMPRESSED:
        if (ct->u.big_compressed == NULL)
            break;
        return big_compressed(k, sc, out, out_len, ct->u.big_compressed, fhe_type);
    case TFHE_CT_BIG_EXPANDED:
        if (ct->u.big_expanded == NULL)
            break;
        return big_expanded(k, out, out_len, ct->u.big_expanded, t);
    default:
        return kms_err(KMS_EINVAL, "decrypt: unknown ciphertext format %d", (int)ct->format);
    }
    return kms_err(KMS_EINVAL, "decrypt: no ciphertext");
}

int tfhe_decrypt(const struct tfhe_decrypt_keys *keys, struct tfhe_decrypt_scratch *sc,
                 uint8_t *out, size_t out_len, const struct tfhe_ciphertext *ct, int32_t fhe_type)
{
    if (out != NULL && out_len > 0)
        memset(out, 0, out_len);
    if (keys == NULL || sc == NULL || ct == NULL || (out == NULL && out_len > 0))
        return kms_err(KMS_EINVAL, "decrypt: missing argument");
    const struct radix_type *t;
    KMS_TRY(radix_type_lookup(&t, fhe_type));
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "decrypt: a %s decrypts to %zu bytes, got a %zu-byte buffer",
                       t->name, radix_type_bytes(t), out_len);
    if (keys->params == NULL || sc->params != keys->params)
        return kms_err(KMS_EINVAL, "decrypt: keys and scratch of different parameter sets");
    int rc = dispatch(keys, sc, out, out_len, ct, t, fhe_type);
    if (rc < 0)
        memset(out, 0, out_len);
    return rc;
}

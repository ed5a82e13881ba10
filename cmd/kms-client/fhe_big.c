/* The KMS's "big" (128-bit, noise-squashed) ciphertext formats made from a
 * client key alone, for `kms-client fhe encrypt`.
 *
 * tfhe-rs makes them on the server: a 64-bit ciphertext is squashed with
 * the 128-bit bootstrapping key (sns.h), and squashed ciphertexts are
 * packed into a compressed list with the noise-squashing compression key
 * (snscomp.h). Those keys are 0.8 and 0.9 GiB with the default set, far too
 * much for an offline tool that holds the secret keys anyway. So the
 * ciphertexts are encrypted directly under the secret keys the squash and
 * the packing keyswitch would land on, with the same encoding:
 *   big-expanded    one LWE over Z/2^128 per pair of 2-bit blocks (the
 *                   4-bit value block[2j] + 4 block[2j + 1], an odd last
 *                   block alone, a boolean its bit) times Delta128, under
 *                   the noise-squashing GLWE key read as an LWE key, with
 *                   TUniform noise of the SnS GLWE bound; degrees as a squash
 *                   of fresh blocks gives them (15 per pair, 3, 1 for bool);
 *   big-compressed  the same values as body coefficients 0.. of GLWEs
 *                   (lwe_per_glwe per GLWE) under the noise-squashing
 *                   compression key, noise of its packing-key bound, stored
 *                   at log_modulus 128 (mask then the bodies used).
 * Both decrypt exactly as the server-made ones do (sns_decrypt_radix,
 * snscomp decryption) and have the same wire layout; only the noise differs
 * (smaller: no bootstrap or keyswitch noise). */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "fhe_enc.h"
#include "tfhe/glwe128.h"
#include "tfhe/lwe128.h"

/* Squashed ciphertext j of a value: bits [4j, 4j + 4) (fewer for the last
 * one of an odd block count), and the degree a squash would give it. */
static void squashed_chunk(const struct radix_type *t, const uint8_t *le, size_t j,
                           uint64_t *value, uint64_t *degree)
{
    if (t->is_bool) {
        *value = le[0] & 1;
        *degree = 1;
        return;
    }
    int single = 2 * j + 1 == t->blocks; /* the odd last block */
    uint64_t nibble = (le[j / 2] >> (4 * (j % 2))) & 0xf;
    *value = single ? nibble & 3 : nibble;
    *degree = single ? 3 : 15;
}

int fhe_encrypt_big_expanded(struct sns_radix **out, const struct wire_client_key *ck,
                             const struct radix_type *t, const uint8_t *le, size_t len,
                             struct enc_rng *rng)
{
    const struct tfhe_params *p = ck->params;
    *out = NULL;
    if (!p->has_sns || ck->sk.sns == NULL)
        return kms_err(KMS_EINVAL, "the client key has no noise-squashing key: big-expanded "
                                   "needs one (a default or test keyset's key)");
    if (len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "value of %zu bytes for %s", len, t->name);
    struct sns_radix *ct;
    KMS_TRY(sns_radix_new(&ct, p, t->id));
    u128 delta = sns_delta(p->sns.message_modulus, p->sns.carry_modulus);
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < ct->count; j++) {
        uint64_t v, degree;
        squashed_chunk(t, le, j, &v, &degree);
        if (ct->blocks[j].dimension != ck->sk.sns_len)
            rc = kms_err(KMS_EINVAL, "noise-squashing key of %zu words for dimension %zu",
                         ck->sk.sns_len, ct->blocks[j].dimension);
        else
            rc = lwe128_encrypt(ct->blocks[j].data, ck->sk.sns, ck->sk.sns_len, (u128)v * delta,
                                p->sns.glwe_noise_log2, rng);
        ct->blocks[j].degree = degree;
    }
    if (rc == 0)
        rc = sns_radix_set_tag(ct, ck->tag, ck->tag_len);
    if (rc < 0) {
        sns_radix_free(ct);
        return rc;
    }
    *out = ct;
    return 0;
}

/* GLWE g of the list: bodies values starting at chunk first. */
static int snscomp_glwe(struct snscomp_glwe *g, struct glwe128_key *key,
                        const struct tfhe_params *p, const struct radix_type *t,
                        const uint8_t *le, size_t first, size_t bodies, struct enc_rng *rng)
{
    unsigned k = p->sns_compression.packing_ks_glwe_dimension;
    size_t N = p->sns_compression.packing_ks_polynomial_size, kn = (size_t)k * N;
    u128 delta = sns_delta(p->sns.message_modulus, p->sns.carry_modulus);
    u128 *ct = calloc(glwe128_size(k, N), sizeof *ct);
    g->packed = malloc((kn + bodies) * sizeof *g->packed);
    if (ct == NULL || g->packed == NULL) {
        free(ct);
        return kms_err(KMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < bodies; i++) {
        uint64_t v, degree;
        squashed_chunk(t, le, first + i, &v, &degree);
        ct[kn + i] = (u128)v * delta;
    }
    int rc = glwe128_encrypt_assign(ct, key, p->sns_compression.packing_ks_noise_log2, rng);
    if (rc == 0) {
        /* log_modulus 128: the values as they are, mask then the bodies used */
        memcpy(g->packed, ct, (kn + bodies) * sizeof *ct);
        g->packed_len = kn + bodies;
        g->log_modulus = 128;
        g->initial_len = kn + bodies;
        g->glwe_dimension = k;
        g->polynomial_size = N;
        g->bodies_count = bodies;
        g->uncompressed_modulus = 0;
    } else {
        secmem_wipe(ct, glwe128_size(k, N) * sizeof *ct); /* still the plaintext */
    }
    free(ct);
    return rc;
}

int fhe_encrypt_big_compressed(struct wire_snscomp_list *out, const struct wire_client_key *ck,
                               const struct radix_type *t, const uint8_t *le, size_t len,
                               struct enc_rng *rng)
{
    const struct tfhe_params *p = ck->params;
    struct glwe128_key *key = NULL;
    memset(out, 0, sizeof *out);
    if (!p->has_sns || !p->has_sns_compression || ck->sk.sns_compression == NULL)
        return kms_err(KMS_EINVAL, "the client key has no noise-squashing compression key: "
                                   "big-compressed needs one (a default or test keyset's key)");
    if (len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "value of %zu bytes for %s", len, t->name);
    size_t lpg = p->sns_compression.lwe_per_glwe;
    size_t cts = t->is_bool ? 1 : ((size_t)t->blocks + 1) / 2;
    size_t glwes = (cts + lpg - 1) / lpg;
    struct snscomp_list *l = &out->list;
    l->glwes = calloc(glwes, sizeof *l->glwes);
    l->info = calloc(1, sizeof *l->info);
    int rc = 0;
    if (l->glwes == NULL || l->info == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    if (rc == 0)
        rc = glwe128_key_new(&key, ck->sk.sns_compression,
                             p->sns_compression.packing_ks_glwe_dimension,
                             p->sns_compression.packing_ks_polynomial_size);
    for (size_t g = 0; rc == 0 && g < glwes; g++) {
        size_t bodies = cts - g * lpg < lpg ? cts - g * lpg : lpg;
        rc = snscomp_glwe(&l->glwes[g], key, p, t, le, g * lpg, bodies, rng);
        l->glwe_count = g + 1;
    }
    glwe128_key_free(key);
    if (rc == 0) {
        l->has_meta = 1;
        l->meta.message_modulus = p->sns.message_modulus;
        l->meta.carry_modulus = p->sns.carry_modulus;
        l->meta.lwe_per_glwe = lpg;
        l->info[0].kind = t->is_bool     ? COMPRESSION_KIND_BOOLEAN
                          : t->is_signed ? COMPRESSION_KIND_SIGNED
                                         : COMPRESSION_KIND_UNSIGNED;
        l->info[0].num_blocks = t->is_bool ? 0 : t->blocks;
        l->info_count = 1;
        rc = wire_tag_dup(&out->tag, &out->tag_len, ck->tag, ck->tag_len);
    }
    if (rc == 0)
        rc = snscomp_list_validate(l);
    if (rc < 0)
        wire_snscomp_list_clear(out);
    return rc;
}

/* Internals shared by keyset.c, keyset_expand.c and keyset_check.c. */
#ifndef CKMS_TFHE_KEYSET_IMPL_H
#define CKMS_TFHE_KEYSET_IMPL_H

#include "tfhe/keyset.h"
#include "tfhe/packing_ks.h"

/* tfhe-rs domain separators (xof_key_set/mod.rs CompressedXofKeySet::generate). */
extern const uint8_t keyset_private_dsep[8]; /* "TFHEKGen" */
extern const uint8_t keyset_public_dsep[8];  /* "TFHE_GEN" */

/* Bootstrapping-key shapes: the compute BSK (also the OPRF BSK's). */
struct bsk_shape keyset_compute_bsk_shape(const struct tfhe_params *p);

/* The component's words, whole, or NULL-safe pointer arithmetic helpers. */
static inline void *keyset_word_ptr(void *base, const struct keyset_layout *l, size_t words)
{
    return (uint8_t *)base + words * l->word_bytes;
}
static inline const void *keyset_word_cptr(const void *base, const struct keyset_layout *l,
                                           size_t words)
{
    return (const uint8_t *)base + words * l->word_bytes;
}

/* Secret-key count mismatches and similar broken invariants. */
int keyset_check_public(const struct keyset_public *pub) KMS_MUST_CHECK;

#endif

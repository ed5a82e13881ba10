/* Helpers shared by the wire codecs, not part of the layer's interface. */
#ifndef CKMS_TFHE_WIRE_INTERNAL_H
#define CKMS_TFHE_WIRE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/reader.h"
#include "tfhe/compression.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_io.h"

/* message_modulus and carry_modulus scalars: powers of two, message >= 2,
 * product at most 2^16. */
int wire_get_moduli_pair(struct reader *r, uint32_t *msg, uint32_t *carry) KMS_MUST_CHECK;

/* The body of an FheBool / FheUint / FheInt (everything after the header). */
void wire_put_radix_body(struct wire_sink *s, const struct radix_ct *ct, const uint8_t *tag,
                         size_t tag_len, const uint8_t *rerand, size_t rerand_len);

/* A zeroed radix_ct of count blocks of LWE dimension n (radix_ct_free). */
int wire_radix_alloc(struct radix_ct **out, const struct radix_type *t, size_t count, size_t n)
    KMS_MUST_CHECK;

/* count shortint Ciphertexts from r into a fresh radix_ct of type t. */
int wire_get_blocks(struct reader *r, struct radix_ct **out, const struct radix_type *t,
                    size_t count, const struct tfhe_params *params) KMS_MUST_CHECK;

/* Vec<DataKind> (DataKind V1: 0 Unsigned(NonZero usize), 1 Signed(NonZero
 * usize), 2 Boolean, 3 String {n_chars u32, padded bool}). */
void wire_put_data_kinds(struct wire_sink *s, const struct compression_data_kind *info,
                         size_t count);
int wire_get_data_kinds(struct reader *r, struct compression_data_kind **info, size_t *count)
    KMS_MUST_CHECK;

/* The radix type a DataKind decrypts to (KMS_EINVAL for strings and widths
 * FheTypes lacks), for blocks of 2 bits. */
int wire_data_kind_type(const struct compression_data_kind *k, const struct radix_type **t)
    KMS_MUST_CHECK;

/* CompressedModulusSwitchedGlweCiphertext<u64 or u128> pieces. */
#define WIRE_V_CMS_GLWE 0u
#define WIRE_V_PACKED_INTEGERS 0u

#endif

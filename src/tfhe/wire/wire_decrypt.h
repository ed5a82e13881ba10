/* Decryption of any serialized ciphertext object with a serialized client
 * key, as `kms-client fhe decrypt` and the interop oracle need it:
 * FheBool/FheUint/FheInt, CompactCiphertextList and ProvenCompact
 * CiphertextList (under the compact secret key, no server key), Compressed
 * CiphertextList, SquashedNoiseFheBool/FheUint/FheInt and Compressed
 * SquashedNoiseCiphertextList. The object's type comes from its
 * safe_serialize header. */
#ifndef CKMS_TFHE_WIRE_DECRYPT_H
#define CKMS_TFHE_WIRE_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_client_key.h"

/* The engine keys of one client key (those it has). */
struct wire_decryptor;

int wire_decryptor_new(struct wire_decryptor **out, const struct wire_client_key *ck)
    KMS_MUST_CHECK;
void wire_decryptor_free(struct wire_decryptor *d);

/* Element `index` (0 for a single ciphertext) of the object in bytes
 * (at most size_limit bytes): *type gets its radix type, out[0..*out_len)
 * its value (radix.h byte layout; out_cap >= RADIX_MAX_BYTES is always
 * enough), *count (may be NULL) the number of elements in the object.
 * out is zeroed on failure. */
int wire_decrypt(struct wire_decryptor *d, const uint8_t *bytes, size_t len, size_t size_limit,
                 size_t index, const struct radix_type **type, uint8_t *out, size_t out_cap,
                 size_t *out_len, size_t *count) KMS_MUST_CHECK;

#endif

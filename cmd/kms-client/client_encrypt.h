/* Encryption under a KMS key's public material, into a ciphertext the
 * server decrypts, the way the reference's core-client does it
 * (compute_cipher_from_stored_key): encrypt under the CompactPublicKey,
 * expand and cast the compact list to the compute keys with the server
 * key, then (SmallCompressed) compress with the compression key.
 *
 * Only the server-key parts the cast and the compression need are rebuilt
 * from the CompressedXofKeySet (its seeded bodies replayed component by
 * component): the casting keyswitching key, the compute bootstrapping key
 * (into the Fourier domain) and the compression key. The CompactPublicKey
 * comes from the PublicKey object when there is one, else from the keyset. */
#ifndef CKMS_KMS_CLIENT_ENCRYPT_H
#define CKMS_KMS_CLIENT_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "tfhe/params.h"

struct client_enc;

/* keyset_path: the key's CompressedXofKeySet; cpk_path: its PublicKey
 * (NULL or absent: taken from the keyset). need_compression: also build
 * the compression key (for SmallCompressed). */
int client_enc_open(struct client_enc **out, const char *keyset_path, const char *cpk_path,
                    int need_compression) KMS_MUST_CHECK;
void client_enc_free(struct client_enc *e);

const struct tfhe_params *client_enc_params(const struct client_enc *e);

/* Output formats (numbered as CiphertextFormat). */
#define CLIENT_ENC_SMALL_COMPRESSED 0
#define CLIENT_ENC_SMALL_EXPANDED 1

/* Appends the serialized ciphertext of value le[0..len) (little-endian, the
 * type's plaintext size) of FheTypes fhe_type to out. */
int client_enc_value(struct client_enc *e, struct buf *out, int32_t fhe_type, const uint8_t *le,
                     size_t len, int format) KMS_MUST_CHECK;

#endif

/* What the centralized server keeps of a finished key generation, and the
 * private object that holds it together with the FHE client key:
 *
 *   PRIV/FhePrivateKey/<epoch>/<key_id>  (encrypted at rest) =
 *     safe_serialize-style header, type "ckms::CentralFheKey"
 *     u32 0                     version
 *     [32] key_id, [32] preproc_id
 *     i32 params                FheParameter (0 default, 1 test)
 *     i32 compression           CompressedKeyConfig (0 CompressedAll, 1 None)
 *     u64 n, n × { u32 type (PubDataType index), Vec<u8> digest }
 *     Vec<u8> external_signature (65 bytes)
 *     u64 n, n × i32 signing scheme
 *     Vec<u8> extra_data
 *     Vec<u8> client key        TFHE-rs "high_level_api::ClientKey" bytes
 *
 * The reference keeps the same facts in its KmsFheKeyHandles (client key
 * plus KeyGenMetadata); the encoding here is ckms's own, so that the
 * keygen result can be served again after a restart and the client key
 * stays a plain TFHE-rs ClientKey. The object is written last, after the
 * public keys: a key exists exactly when its private object does. */
#ifndef CKMS_SERVICE_KEYGEN_RECORD_H
#define CKMS_SERVICE_KEYGEN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

#define KEYGEN_RECORD_TYPE "ckms::CentralFheKey"
#define KEYGEN_RECORD_MAX_DIGESTS 4
#define KEYGEN_RECORD_MAX_SCHEMES 8
#define KEYGEN_RECORD_SIG_BYTES 65
/* Largest extra_data kept (the gRPC message limit bounds it anyway). */
#define KEYGEN_RECORD_MAX_EXTRA ((size_t)1 << 20)

/* PubDataType indices (rpc_types.rs order, store/vault.h vault_pub_types). */
enum keygen_pub_type {
    KEYGEN_PUB_SERVER_KEY = 0,
    KEYGEN_PUB_PUBLIC_KEY = 1,
    KEYGEN_PUB_COMPRESSED_XOF_KEYSET = 9
};

struct keygen_digest {
    uint32_t type; /* enum keygen_pub_type */
    uint8_t digest[32];
};

struct keygen_record {
    uint8_t key_id[32];
    uint8_t preproc_id[32];
    int32_t params;
    int32_t compression;
    size_t n_digests; /* in KeyGenResult order: sorted by type */
    struct keygen_digest digests[KEYGEN_RECORD_MAX_DIGESTS];
    uint8_t external_signature[KEYGEN_RECORD_SIG_BYTES];
    size_t n_schemes;
    int32_t schemes[KEYGEN_RECORD_MAX_SCHEMES];
    uint8_t *extra; /* malloc, NULL when empty */
    size_t extra_len;
};

/* Frees extra and zeroes r; NULL is a no-op. */
void keygen_record_clear(struct keygen_record *r);

/* The folder name of a digest type ("ServerKey", ...); NULL if unknown. */
const char *keygen_pub_type_name(uint32_t type);
/* Its Solidity KeyType for KeygenVerification (SERVER 0, PUBLIC 1,
 * COMPRESSED_KEYSET 3); -1 if unknown. */
int keygen_pub_type_eip712(uint32_t type);

/* Appends the object (use a secret buffer: it carries the client key). */
void keygen_record_encode(struct buf *out, const struct keygen_record *r, const uint8_t *client_key,
                          size_t client_key_len);

/* Parses an object; *client_key points into p. out is cleared on failure. */
int keygen_record_decode(struct keygen_record *out, const uint8_t **client_key,
                         size_t *client_key_len, const uint8_t *p, size_t n) KMS_MUST_CHECK;

#endif

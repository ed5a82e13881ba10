/* Domain-separated hashing exactly as the reference KMS does it
 * (zama-ai/kms core/threshold-hashing/src/lib.rs):
 *
 *   H(dsep, data) = SHAKE256(dsep ‖ data), dsep = 8 ASCII bytes,
 *
 * the separator absorbed first with no length prefix, then the data; the
 * caller picks the output length (digests are the first 32 bytes). The
 * incremental form matches the reference's HashingWriter, which is how it
 * hashes bincode-serialised values (serialize_hash_element). The list form
 * matches unsafe_hash_list_w_size:
 *
 *   SHAKE256("HASH_LST" ‖ dsep ‖ u64le(number of elements) ‖ e_1 ‖ … ‖ e_n).
 */
#ifndef CKMS_CRYPTO_DSEP_H
#define CKMS_CRYPTO_DSEP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/keccak.h"

#define DSEP_BYTES 8
#define DSEP_DIGEST_BYTES 32
#define DSEP_REQUEST_ID_BYTES 32
#define DSEP_SESSION_ID_BYTES 16

/* The separators of the reference KMS (only the first 8 bytes count; the
 * literal's trailing NUL is never hashed). Where each is defined there: */
#define DSEP_PDAT_KEY ((const uint8_t *)"PDAT_KEY") /* engine/base.rs: public key data */
#define DSEP_PDAT_CRS ((const uint8_t *)"PDAT_CRS") /* engine/base.rs: CRS data */
#define DSEP_PUBL_DEC ((const uint8_t *)"PUBL_DEC") /* engine/validation_non_wasm.rs */
#define DSEP_USER_DEC ((const uint8_t *)"USER_DEC") /* engine/validation_wasm.rs */
#define DSEP_SIGNCRYP ((const uint8_t *)"SIGNCRYP") /* cryptography/signcryption.rs */
#define DSEP_REQST_ID ((const uint8_t *)"REQST_ID") /* engine/base.rs: derive_request_id */
#define DSEP_HANDLE ((const uint8_t *)"_HANDLE_")   /* engine/base.rs: storage handles */
#define DSEP_SESSN_ID ((const uint8_t *)"SESSN_ID") /* threshold-types/src/session_id.rs */
#define DSEP_HASH_LST ((const uint8_t *)"HASH_LST") /* threshold-hashing: list prefix */
#define DSEP_SIGKDERV ((const uint8_t *)"SIGKDERV") /* cryptography/signing/mod.rs */
#define DSEP_SIGKDGST ((const uint8_t *)"SIGKDGST") /* cryptography/signing/mod.rs */
#define DSEP_BKUPCUST ((const uint8_t *)"BKUPCUST") /* backup/custodian.rs */
#define DSEP_BKUPCOMM ((const uint8_t *)"BKUPCOMM") /* backup/operator.rs */
#define DSEP_BKUPRECO ((const uint8_t *)"BKUPRECO") /* backup/operator.rs */
#define DSEP_MNEM_ENC ((const uint8_t *)"MNEM_ENC") /* backup/seed_phrase.rs */
#define DSEP_MNEM_SIG ((const uint8_t *)"MNEM_SIG") /* backup/seed_phrase.rs */
#define DSEP_ENTROPY ((const uint8_t *)"ENTROPY_")  /* bin/kms-custodian.rs */

/* An incremental H(dsep, ·): init, absorb any number of pieces, squeeze any
 * number of times (one continuous output stream). */
struct dsep_ctx {
    struct keccak k;
};

void dsep_init(struct dsep_ctx *h, const uint8_t dsep[DSEP_BYTES]);
/* Starts the list form: absorbs "HASH_LST" ‖ dsep ‖ u64le(n_elements); the
 * caller then absorbs the n elements (all but one of fixed length, as the
 * reference warns). */
void dsep_init_list(struct dsep_ctx *h, const uint8_t dsep[DSEP_BYTES], uint64_t n_elements);
void dsep_absorb(struct dsep_ctx *h, const void *data, size_t n);
/* Absorbs v as 8 little-endian bytes (a bincode u64 or length prefix). */
void dsep_absorb_u64le(struct dsep_ctx *h, uint64_t v);
/* Absorbs a bincode String / Vec<u8>: u64le(n) ‖ bytes. */
void dsep_absorb_bincode_bytes(struct dsep_ctx *h, const void *data, size_t n);
void dsep_squeeze(struct dsep_ctx *h, void *out, size_t n);
/* Wipes the state (call when the input was secret). */
void dsep_clear(struct dsep_ctx *h);

/* out = first out_len bytes of SHAKE256(dsep ‖ data). */
void dsep_hash(void *out, size_t out_len, const uint8_t dsep[DSEP_BYTES], const void *data,
               size_t n);
/* The 32-byte digest: dsep_hash with out_len = 32 (reference hash_element). */
void dsep_digest(uint8_t out[DSEP_DIGEST_BYTES], const uint8_t dsep[DSEP_BYTES], const void *data,
                 size_t n);

/* The reference's derive_request_id(name) (core/service/src/engine/base.rs):
 * first 32 bytes of SHAKE256("REQST_ID" ‖ u64le(strlen(name)) ‖ name), i.e.
 * serialize_hash_element over bincode(String). E.g. SIGNING_KEY_ID =
 * derive_request_id("SIGNING_KEY_ID"). */
void dsep_derive_request_id(uint8_t out[DSEP_REQUEST_ID_BYTES], const char *name);

/* The reference's RequestId::derive_session_id_with_counter
 * (core/grpc/src/identifiers.rs): the first 16 bytes of
 * SHAKE256("HASH_LST" ‖ "SESSN_ID" ‖ u64le(1) ‖ req_id ‖ u64le(ctr)); those
 * bytes are the little-endian encoding of the u128 SessionId. The reference
 * refuses an all-zero req_id; so does this (KMS_EINVAL, out zeroed). */
int dsep_derive_session_id(uint8_t out[DSEP_SESSION_ID_BYTES],
                           const uint8_t req_id[DSEP_REQUEST_ID_BYTES], uint64_t ctr)
    KMS_MUST_CHECK;

#endif

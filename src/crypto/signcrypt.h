/* Signcryption (sign-then-encrypt) of user-decryption results, byte for byte
 * as the reference KMS v0.12.8 (core/service/src/cryptography/signcryption.rs)
 * and its browser client node-tkms 0.12.8 do it:
 *
 *   kd_recv = SHAKE256("SIGNCRYP" ‖ u64le(800) ‖ ek)[..32]
 *             (serialize_hash_element of PublicEncKey<MlKem512>)
 *   sig     = ECDSA-secp256k1-SHA256(dsep ‖ msg ‖ receiver_address(20) ‖ kd_recv),
 *             64 bytes r ‖ s, low-S
 *   kd_serv = SHAKE256("SIGNCRYP" ‖ u64le(33) ‖ compressed SEC1 server key)[..32]
 *             (serialize_hash_element of PublicSigKey)
 *   cipher  = mlkem_pke_encrypt(ek, msg ‖ sig ‖ kd_serv)
 *             (bincode HybridKemCt; Cipher is a newtype around it)
 *
 * For user decryption dsep is "USER_DEC" and msg is the bincode of
 *
 *   SigncryptionPayload { plaintext: TypedPlaintext { bytes: Vec<u8>,
 *                                                     fhe_type: i32 },
 *                         link: Vec<u8> }
 *
 *   = u64le(len) ‖ bytes ‖ i32le(fhe_type) ‖ u64le(link_len) ‖ link
 *
 * where link is the EIP-712 hash of the request's UserDecryptionLinker.
 *
 * The receiver is identified by its ML-KEM-512 encapsulation key (800 bytes;
 * decode the request's 869-byte enc_key with mlkem_pke_decode_pk) and its
 * 20-byte Ethereum address. The server signs with its 32-byte secp256k1
 * secret key and is verified with its SEC1 public key (33 or 65 bytes).
 *
 * Sealing also takes the server's compressed public key (node_key.pk33),
 * which a server already holds: deriving it from the secret key would cost
 * one more EC multiplication per plaintext. It must be server_sk's key (it
 * is not checked against it); a wrong one makes a signcryption no receiver
 * accepts. */
#ifndef CKMS_CRYPTO_SIGNCRYPT_H
#define CKMS_CRYPTO_SIGNCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "crypto/mlkem.h"

#define SIGNCRYPT_DSEP_BYTES 8
#define SIGNCRYPT_DIGEST_BYTES 32
#define SIGNCRYPT_SIG_BYTES 64
#define SIGNCRYPT_ADDRESS_BYTES 20
#define SIGNCRYPT_SERVER_PK_BYTES 33 /* compressed SEC1 */
/* What the signcrypted plaintext adds to msg: signature and server-key digest. */
#define SIGNCRYPT_TRAILER_BYTES (SIGNCRYPT_SIG_BYTES + SIGNCRYPT_DIGEST_BYTES)

/* The receiver-key digest kd_recv of an encapsulation key. */
void signcrypt_enc_key_digest(uint8_t out[SIGNCRYPT_DIGEST_BYTES],
                              const uint8_t ek[MLKEM512_EK_BYTES]);

/* The server-key digest kd_serv of a SEC1 public key (33 or 65 bytes; always
 * hashed in its compressed form, as PublicSigKey serializes). */
int signcrypt_verf_key_digest(uint8_t out[SIGNCRYPT_DIGEST_BYTES], const uint8_t *server_pk,
                              size_t server_pk_len) KMS_MUST_CHECK;

/* ---- generic message ---- */

/* Signcrypts msg for the receiver, appending the bincode HybridKemCt to out.
 * KMS_EINVAL when server_pk33 is not a compressed SEC1 encoding. */
int signcrypt_seal(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES], const void *msg,
                   size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                   const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                   const uint8_t server_sk[32],
                   const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES]) KMS_MUST_CHECK;

/* The same with caller-chosen encryption randomness (tests only: it derives
 * the public key from server_sk each time). */
int signcrypt_seal_derand(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES],
                          const void *msg, size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                          const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                          const uint8_t server_sk[32], const uint8_t m[32],
                          const uint8_t nonce[12]) KMS_MUST_CHECK;

/* Decrypts a signcryption with the receiver's decapsulation key (whose
 * embedded encapsulation key is the one the signature must cover), checks
 * the server-key digest and then the signature (low-S only) under
 * server_pk, and appends msg to out (use a secret buf). Errors:
 * KMS_EVERIFY when decryption, the digest or the signature fails;
 * KMS_EINVAL for malformed framing or keys. Nothing is appended on error. */
int signcrypt_open(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES], const uint8_t *ct,
                   size_t ct_len, const uint8_t dk[MLKEM512_DK_BYTES],
                   const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                   const uint8_t *server_pk, size_t server_pk_len) KMS_MUST_CHECK;

/* ---- SigncryptionPayload ---- */

/* Appends bincode(SigncryptionPayload{TypedPlaintext{pt, fhe_type}, link}). */
void signcrypt_payload_encode(struct buf *out, const uint8_t *pt, size_t pt_len, int32_t fhe_type,
                              const uint8_t *link, size_t link_len);

/* Parses it, pointing *pt and *link into in. Trailing bytes are refused. */
int signcrypt_payload_decode(const uint8_t **pt, size_t *pt_len, int32_t *fhe_type,
                             const uint8_t **link, size_t *link_len, const uint8_t *in, size_t n)
    KMS_MUST_CHECK;

/* ---- user decryption (dsep "USER_DEC") ---- */

/* What the reference server puts in TypedSigncryptedCiphertext
 * .signcrypted_ciphertext for one plaintext (little-endian bytes). */
int signcrypt_user_decrypt_seal(struct buf *out, const uint8_t *pt, size_t pt_len,
                                int32_t fhe_type, const uint8_t *link, size_t link_len,
                                const uint8_t ek[MLKEM512_EK_BYTES],
                                const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                                const uint8_t server_sk[32],
                                const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES])
    KMS_MUST_CHECK;

/* The client side (decrypt_signcryption_with_link): signcrypt_open with
 * "USER_DEC", then the payload's link must equal link (KMS_EVERIFY
 * otherwise). Appends the plaintext bytes to pt_out (use a secret buf) and
 * sets *fhe_type. Nothing is appended on error. */
int signcrypt_user_decrypt_open(struct buf *pt_out, int32_t *fhe_type, const uint8_t *ct,
                                size_t ct_len, const uint8_t *link, size_t link_len,
                                const uint8_t dk[MLKEM512_DK_BYTES],
                                const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                                const uint8_t *server_pk, size_t server_pk_len) KMS_MUST_CHECK;

#endif

/* Hybrid public-key encryption as the reference KMS and its browser client
 * (node-tkms `ml_kem_pke_*`) do it for user decryption:
 *
 *   (ct_kem, K) = ML-KEM-512.Encaps(ek)
 *   payload     = AES-256-GCM(key K, random 12-byte nonce, no AAD)(msg) || tag
 *   ciphertext  = bincode HybridKemCt { nonce [12 bytes, no length],
 *                                       kem_ct: Vec<u8> (768 bytes),
 *                                       payload_ct: Vec<u8> }
 *
 * Keys travel in the encodings node-tkms uses:
 *   public  (869 bytes) = safe_serialize header "UnifiedPublicEncKey",
 *                         u32 version V0, u32 variant MlKem512,
 *                         Vec<u8> of the 800-byte encapsulation key;
 *   private (1640 bytes) = bincode Vec<u8> of the 1632-byte decapsulation key. */
#ifndef CKMS_CRYPTO_MLKEM_PKE_H
#define CKMS_CRYPTO_MLKEM_PKE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/mlkem.h"

#define MLKEM_PKE_PK_BYTES 869
#define MLKEM_PKE_SK_BYTES 1640
/* nonce + two u64 lengths + KEM ciphertext + GCM tag */
#define MLKEM_PKE_OVERHEAD (12 + 8 + MLKEM512_CT_BYTES + 8 + 16)

/* Appends the 869-byte public-key encoding. */
void mlkem_pke_encode_pk(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES]);
/* Parses it, rejecting other schemes (ML-KEM-1024, composite) and invalid
 * encapsulation keys. */
int mlkem_pke_decode_pk(uint8_t ek[MLKEM512_EK_BYTES], const uint8_t *in, size_t n)
    KMS_MUST_CHECK;

/* Appends the 1640-byte private-key encoding (use a secret buf). */
void mlkem_pke_encode_sk(struct buf *out, const uint8_t dk[MLKEM512_DK_BYTES]);
int mlkem_pke_decode_sk(uint8_t dk[MLKEM512_DK_BYTES], const uint8_t *in, size_t n)
    KMS_MUST_CHECK;

/* Encrypts msg to ek, appending the bincode HybridKemCt to out. */
int mlkem_pke_encrypt(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES], const uint8_t *msg,
                      size_t msg_len) KMS_MUST_CHECK;
/* The same with caller-chosen randomness (tests and known answers only). */
int mlkem_pke_encrypt_derand(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES],
                             const uint8_t *msg, size_t msg_len, const uint8_t m[32],
                             const uint8_t nonce[12]) KMS_MUST_CHECK;

/* Decrypts a HybridKemCt, appending the plaintext to out (use a secret
 * buf). Any tampering fails with KMS_EVERIFY and appends nothing. */
int mlkem_pke_decrypt(struct buf *out, const uint8_t dk[MLKEM512_DK_BYTES], const uint8_t *ct,
                      size_t ct_len) KMS_MUST_CHECK;

#endif

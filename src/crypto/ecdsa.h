/* ECDSA over secp256k1 (libsecp256k1), in the two shapes the KMS needs:
 *
 *   - recoverable 65-byte signatures r ‖ s ‖ v with v = 27 + recid, the form
 *     Ethereum tools (alloy sign_hash_sync, ethers) produce for EIP-712;
 *   - compact 64-byte signatures r ‖ s, the "internal" signature the
 *     reference computes as k256 ECDSA over SHA-256(message).
 *
 * Signing uses RFC 6979 deterministic nonces and always yields low-S.
 * Verification and recovery reject high-S signatures (malleable twins);
 * normalise first with ecdsa_sig_normalize / ecdsa_rsig_normalize if a
 * foreign signer may produce them.
 *
 * Public keys travel as SEC1 bytes: 65 uncompressed (04 ‖ x ‖ y) or 33
 * compressed (02/03 ‖ x). Functions that return a public key always return
 * the uncompressed form; inputs may be either. Secret keys are 32 bytes,
 * big-endian, in [1, n-1]. */
#ifndef CKMS_CRYPTO_ECDSA_H
#define CKMS_CRYPTO_ECDSA_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define ECDSA_SECKEY_BYTES 32
#define ECDSA_PUBKEY_BYTES 65            /* uncompressed SEC1 */
#define ECDSA_PUBKEY_COMPRESSED_BYTES 33 /* compressed SEC1 */
#define ECDSA_DIGEST_BYTES 32
#define ECDSA_SIG_BYTES 64  /* r ‖ s */
#define ECDSA_RSIG_BYTES 65 /* r ‖ s ‖ v */

/* Draws a fresh valid secret key from the OS entropy source (rejection
 * sampling: out-of-range draws are discarded and redrawn). */
int ecdsa_seckey_generate(uint8_t sk[ECDSA_SECKEY_BYTES]) KMS_MUST_CHECK;

/* 0 when sk is a valid secret key (not zero, below the group order),
 * else KMS_EINVAL. */
int ecdsa_seckey_check(const uint8_t sk[ECDSA_SECKEY_BYTES]) KMS_MUST_CHECK;

/* Derives the uncompressed public key of sk. */
int ecdsa_pubkey_from_seckey(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES])
    KMS_MUST_CHECK;

/* Parses a 33- or 65-byte SEC1 public key (hybrid 06/07 encodings are
 * refused) and writes its uncompressed form. Fails with KMS_EINVAL for a
 * wrong length, a bad prefix or a point not on the curve. */
int ecdsa_pubkey_parse(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t *in, size_t in_len)
    KMS_MUST_CHECK;

/* Writes the 33-byte compressed form of the public key in (33 or 65 bytes). */
int ecdsa_pubkey_compress(uint8_t out[ECDSA_PUBKEY_COMPRESSED_BYTES], const uint8_t *in,
                          size_t in_len) KMS_MUST_CHECK;

/* Signs a 32-byte digest: 65 bytes r ‖ s ‖ v, v = 27 + recovery id. */
int ecdsa_sign_recoverable(uint8_t sig[ECDSA_RSIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
                           const uint8_t digest[ECDSA_DIGEST_BYTES]) KMS_MUST_CHECK;

/* Signs a 32-byte digest: 64 bytes r ‖ s, low-S. */
int ecdsa_sign(uint8_t sig[ECDSA_SIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
               const uint8_t digest[ECDSA_DIGEST_BYTES]) KMS_MUST_CHECK;

/* Signs SHA-256(msg): the reference's ECDSA_k256_SHA256 (k256 try_sign). */
int ecdsa_sign_sha256(uint8_t sig[ECDSA_SIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
                      const void *msg, size_t msg_len) KMS_MUST_CHECK;

/* Checks a 64-byte r ‖ s signature on digest under pk (33 or 65 bytes).
 * 0 when valid; KMS_EVERIFY when it does not verify, is high-S, or has r or s
 * out of range; KMS_EINVAL when pk is not a valid key. */
int ecdsa_verify(const uint8_t *pk, size_t pk_len, const uint8_t digest[ECDSA_DIGEST_BYTES],
                 const uint8_t sig[ECDSA_SIG_BYTES]) KMS_MUST_CHECK;

/* ecdsa_verify on SHA-256(msg). */
int ecdsa_verify_sha256(const uint8_t *pk, size_t pk_len, const void *msg, size_t msg_len,
                        const uint8_t sig[ECDSA_SIG_BYTES]) KMS_MUST_CHECK;

/* 1 when s ≤ n/2 (the canonical half), else 0. Does not check the range. */
int ecdsa_sig_is_low_s(const uint8_t sig[ECDSA_SIG_BYTES]);

/* Replaces s by n - s when s is high. Fails with KMS_EINVAL when r or s is
 * not below the group order. out may equal in. */
int ecdsa_sig_normalize(uint8_t out[ECDSA_SIG_BYTES], const uint8_t in[ECDSA_SIG_BYTES])
    KMS_MUST_CHECK;

/* The same for a 65-byte signature: negating s negates R, so the parity bit
 * of v flips too (v keeps its 0/1 or 27/28 convention). */
int ecdsa_rsig_normalize(uint8_t out[ECDSA_RSIG_BYTES], const uint8_t in[ECDSA_RSIG_BYTES])
    KMS_MUST_CHECK;

/* Recovers the uncompressed public key that produced sig (r ‖ s ‖ v, v in
 * {27, 28} or {0, 1}) on digest. KMS_EINVAL for any other v, KMS_EVERIFY for
 * a high-S or otherwise unrecoverable signature. */
int ecdsa_recover(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t digest[ECDSA_DIGEST_BYTES],
                  const uint8_t sig[ECDSA_RSIG_BYTES]) KMS_MUST_CHECK;

#endif

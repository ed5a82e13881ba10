/* ML-KEM-512 (FIPS 203, August 2024), the KEM that user decryption encrypts
 * each share to (the user's ephemeral key; RustCrypto ml-kem and node-tkms
 * on the other side).
 *
 * Keys and ciphertexts are the standard byte strings. The decapsulation key
 * is the expanded FIPS 203 form dk_pke || ek || H(ek) || z. All functions
 * run in time independent of secret values, wipe their secret
 * intermediates, and zero their outputs on failure. */
#ifndef CKMS_CRYPTO_MLKEM_H
#define CKMS_CRYPTO_MLKEM_H

#include <stdint.h>

#include "base/error.h"

#define MLKEM512_EK_BYTES 800   /* encapsulation key */
#define MLKEM512_DK_BYTES 1632  /* decapsulation key (expanded, FIPS 203 layout dk_pke||ek||H(ek)||z) */
#define MLKEM512_CT_BYTES 768
#define MLKEM_SS_BYTES 32
#define MLKEM_SEED_BYTES 32

/* FIPS 203 ML-KEM.KeyGen_internal(d, z). */
int mlkem512_keygen_derand(uint8_t ek[MLKEM512_EK_BYTES], uint8_t dk[MLKEM512_DK_BYTES],
                           const uint8_t d[32], const uint8_t z[32]) KMS_MUST_CHECK;

/* ML-KEM.KeyGen: d and z from entropy_fill() (crypto/entropy.h). */
int mlkem512_keygen(uint8_t ek[MLKEM512_EK_BYTES], uint8_t dk[MLKEM512_DK_BYTES]) KMS_MUST_CHECK;

/* ML-KEM.Encaps_internal(ek, m), after the §7.2 encapsulation-key check
 * (modulus check); KMS_EINVAL on a bad key. */
int mlkem512_encaps_derand(uint8_t ct[MLKEM512_CT_BYTES], uint8_t ss[MLKEM_SS_BYTES],
                           const uint8_t ek[MLKEM512_EK_BYTES], const uint8_t m[32]) KMS_MUST_CHECK;

/* ML-KEM.Encaps: m from entropy_fill(). */
int mlkem512_encaps(uint8_t ct[MLKEM512_CT_BYTES], uint8_t ss[MLKEM_SS_BYTES],
                    const uint8_t ek[MLKEM512_EK_BYTES]) KMS_MUST_CHECK;

/* ML-KEM.Decaps after the §7.3 decapsulation-key check (H(ek) equals the
 * stored hash); KMS_EINVAL on a malformed dk. A ciphertext that does not
 * re-encrypt to itself yields the implicit-rejection key J(z || ct), not an
 * error, as the standard requires. */
int mlkem512_decaps(uint8_t ss[MLKEM_SS_BYTES], const uint8_t ct[MLKEM512_CT_BYTES],
                    const uint8_t dk[MLKEM512_DK_BYTES]) KMS_MUST_CHECK;

/* The encapsulation-key modulus check alone (for parsers): 0 or KMS_EINVAL. */
int mlkem512_check_ek(const uint8_t ek[MLKEM512_EK_BYTES]) KMS_MUST_CHECK;

/* The decapsulation-key hash check alone: 0 or KMS_EINVAL. */
int mlkem512_check_dk(const uint8_t dk[MLKEM512_DK_BYTES]) KMS_MUST_CHECK;

#endif

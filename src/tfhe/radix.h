/* Radix integers: FheUintN, FheIntN and FheBool as tfhe-rs 1.7 integer and
 * high_level_api build them from shortint blocks.
 *
 * An N-bit integer is N / 2 blocks of 2 message bits (message_modulus 4),
 * little-endian: block i holds bits [2i, 2i + 2). Signed integers are the
 * same blocks holding the two's complement. FheBool is one block holding 0
 * or 1 (degree 1).
 *
 * Decryption recomposes as tfhe-rs BlockRecomposer: the full decoded value of
 * every block, carries included (shortint decrypt_message_and_carry), is
 * added at bit 2i, and the sum is truncated to N bits; signed values are
 * then sign-extended from bit N - 1. FheBool decrypts to (block mod 4) != 0.
 *
 * Values travel as little-endian bytes: ceil(N / 8) of them (1 for FheBool),
 * the bits above N zero for unsigned types and copies of the sign bit for
 * signed ones.
 *
 * Types are named by their tfhe-rs FheTypes id (high_level_api/mod.rs), the
 * fhe_type of the KMS's TypedCiphertext: Bool 0, Uint4 1, Uint8 2, Uint16 3,
 * Uint32 4, Uint64 5, Uint128 6, Uint160 7, Uint256 8, Uint512 9, Uint1024 10,
 * Uint2048 11, Uint80 39, Int4 18, Int8 20, Int16 24, Int32 25, Int64 26,
 * Int128 27, Int160 28, Int256 29, Int512 31, Int1024 32, Int2048 33, Int80 64,
 * and every other integer width of FheTypes (Uint2 .. Uint248, Int2 .. Int248).
 * AsciiString (30) is not a radix type. */
#ifndef CKMS_TFHE_RADIX_H
#define CKMS_TFHE_RADIX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/shortint.h"

#define RADIX_MAX_BITS 2048
#define RADIX_MAX_BYTES (RADIX_MAX_BITS / 8)

enum radix_fhe_type {
    RADIX_BOOL = 0,
    RADIX_UINT4 = 1,
    RADIX_UINT8 = 2,
    RADIX_UINT16 = 3,
    RADIX_UINT32 = 4,
    RADIX_UINT64 = 5,
    RADIX_UINT128 = 6,
    RADIX_UINT160 = 7,
    RADIX_UINT256 = 8,
    RADIX_UINT512 = 9,
    RADIX_UINT1024 = 10,
    RADIX_UINT2048 = 11,
    RADIX_INT4 = 18,
    RADIX_INT8 = 20,
    RADIX_INT16 = 24,
    RADIX_INT32 = 25,
    RADIX_INT64 = 26,
    RADIX_INT128 = 27,
    RADIX_INT160 = 28,
    RADIX_INT256 = 29,
    RADIX_INT512 = 31,
    RADIX_INT1024 = 32,
    RADIX_INT2048 = 33,
    RADIX_UINT80 = 39,
    RADIX_INT80 = 64
};

struct radix_type {
    int32_t id;       /* FheTypes id */
    const char *name; /* "Uint64", "Int8", "Bool", ... */
    uint16_t bits;    /* N (1 for Bool) */
    uint16_t blocks;  /* 2-bit blocks: N / 2, 1 for Bool */
    uint8_t is_signed;
    uint8_t is_bool;
};

/* The type with this FheTypes id; KMS_EINVAL for an unknown or non-integer id. */
int radix_type_lookup(const struct radix_type **out, int32_t fhe_type) KMS_MUST_CHECK;

/* Value bytes of a type: ceil(bits / 8). */
static inline size_t radix_type_bytes(const struct radix_type *t) { return ((size_t)t->bits + 7) / 8; }

struct radix_ct {
    const struct radix_type *type;
    size_t nblocks;
    uint64_t *data;             /* nblocks * (dimension + 1) words, block after block */
    struct shortint_ct *blocks; /* views into data */
};

/* A ciphertext of the given type for params, every block a trivial 0.
 * Needs message_modulus 4 (every set the KMS uses). */
int radix_ct_new(struct radix_ct **out, const struct tfhe_params *params, int32_t fhe_type)
    KMS_MUST_CHECK;
void radix_ct_free(struct radix_ct *ct);

/* Encrypts the value in le[0..len) (len = radix_type_bytes, see above for the
 * unused top bits), block 0 first, each as tfhe-rs ClientKey::encrypt. */
int radix_encrypt(const struct shortint_client_key *ck, struct radix_ct *ct, const uint8_t *le,
                  size_t len, struct enc_rng *rng) KMS_MUST_CHECK;
/* Decrypts into out[0..out_len), out_len = radix_type_bytes. Allocates nothing.
 * out is zeroed on failure. */
int radix_decrypt(const struct shortint_client_key *ck, uint8_t *out, size_t out_len,
                  const struct radix_ct *ct) KMS_MUST_CHECK;

/* Conveniences. Encryption: the value must fit the type (KMS_EINVAL); it is
 * zero-extended (u64) or sign-extended (i64) to wider types. Decryption:
 * KMS_ELIMIT if the plaintext does not fit the 64-bit result. */
int radix_encrypt_u64(const struct shortint_client_key *ck, struct radix_ct *ct, uint64_t value,
                      struct enc_rng *rng) KMS_MUST_CHECK;
int radix_encrypt_i64(const struct shortint_client_key *ck, struct radix_ct *ct, int64_t value,
                      struct enc_rng *rng) KMS_MUST_CHECK;
int radix_decrypt_u64(const struct shortint_client_key *ck, uint64_t *out,
                      const struct radix_ct *ct) KMS_MUST_CHECK;
int radix_decrypt_i64(const struct shortint_client_key *ck, int64_t *out,
                      const struct radix_ct *ct) KMS_MUST_CHECK;

/* out = a + b mod 2^N (both integer types alike, signed or not): block-wise
 * addition, then one sequential pass
 *     s_i += carry_{i-1};  carry_i = PBS(s_i, x -> x / 4);  s_i = PBS(s_i, x -> x mod 4)
 * (2 nblocks - 1 PBS; the last block's carry is dropped). Block values stay
 * <= 7 < 16. out may be a or b. Every block sum must leave room in the
 * carry buffer, degree(a_i) + degree(b_i) (+ 3 for the incoming carry) <= 15,
 * noise levels a_i + b_i (+ 1) <= max_noise_level, as fresh encryptions and
 * outputs of radix_add are; otherwise KMS_ELIMIT before anything is written. */
int radix_add(const struct shortint_server_key *sk, struct shortint_scratch *sc,
              struct radix_ct *out, const struct radix_ct *a, const struct radix_ct *b)
    KMS_MUST_CHECK;

#endif

/* High-level FheBool, FheUint<Id> and FheInt<Id> as TFHE-rs 1.7 serializes
 * them, mapped to the engine's radix_ct (tfhe/radix.h).
 *
 * safe_serialize names: "high_level_api::FheBool", "high_level_api::FheUint"
 * and "high_level_api::FheInt" for every width: the width is not written
 * (the Id type parameter is a unit struct, NotVersioned), only the number of
 * blocks, N / 2 (message_modulus 4).
 *
 *   FheUint V2 { ciphertext: UnsignedRadixCiphertextVersionedOwned V0
 *                  (hand-written, high_level_api/integers/unsigned/inner.rs)
 *                  -> integer BaseRadixCiphertext V0 { blocks: Vec<Ciphertext> },
 *                id: (nothing), tag: Tag, re_randomization_metadata }
 *   FheInt  V2 { SignedRadixCiphertextVersionedOwned V0 -> BaseSignedRadix
 *                Ciphertext V0 { blocks }, tag, re_randomization_metadata }
 *   FheBool V2 { InnerBooleanVersionedOwned V0 -> BooleanBlock V0 (newtype)
 *                -> Ciphertext, tag, re_randomization_metadata }
 *   Tag, ReRandomizationMetadata: V0, Vec<u8>
 *   shortint Ciphertext V1 {
 *       ct: LweCiphertext V0 { data: Vec<u64> [a_0 .. a_{n-1}, b],
 *                              ciphertext_modulus (native, 64 bits) },
 *       degree, noise_level, message_modulus, carry_modulus (scalars),
 *       atomic_pattern: AtomicPatternKind V0, variant 0 Standard(PBSOrder V0,
 *                       variant 0 KeyswitchBootstrap) }
 *
 * Readers refuse other atomic patterns (KeySwitch32, PBS-KS), moduli other
 * than native, blocks of different shapes, degrees above message * carry - 1
 * and message moduli other than 4. */
#ifndef CKMS_TFHE_WIRE_CIPHERTEXT_H
#define CKMS_TFHE_WIRE_CIPHERTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/params.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_io.h"

#define WIRE_NAME_FHEBOOL "high_level_api::FheBool"
#define WIRE_NAME_FHEUINT "high_level_api::FheUint"
#define WIRE_NAME_FHEINT "high_level_api::FheInt"

/* An FheBool / FheUintN / FheIntN: the engine ciphertext plus the
 * high-level fields the engine does not keep. */
struct wire_radix {
    struct radix_ct *ct;    /* owned (radix_ct_free) */
    uint8_t *tag;           /* Tag bytes, malloc (NULL when empty) */
    size_t tag_len;
    uint8_t *rerand;        /* ReRandomizationMetadata bytes, malloc (NULL when empty) */
    size_t rerand_len;
};

/* Frees everything and zeroes w. NULL is a no-op. */
void wire_radix_clear(struct wire_radix *w);

/* The safe_serialize type name of a radix type. */
const char *wire_radix_name(const struct radix_type *t);

/* The FheTypes entry of an integer of `blocks` 2-bit blocks, signed or not;
 * KMS_EINVAL when FheTypes has no such width. */
int wire_radix_type_for_blocks(const struct radix_type **out, uint64_t blocks, int is_signed)
    KMS_MUST_CHECK;

/* Writes header and body. The blocks must be well formed (same dimension,
 * moduli); the tag and metadata are written as they are. */
int wire_radix_write(struct wire_sink *s, const struct wire_radix *w) KMS_MUST_CHECK;
/* The same for a bare engine ciphertext: empty tag and metadata. */
int wire_radix_write_ct(struct wire_sink *s, const struct radix_ct *ct) KMS_MUST_CHECK;

/* Reads an FheBool, FheUint or FheInt (whichever the header names).
 * fhe_type >= 0 demands that type (name and block count); -1 takes the type
 * the header and the block count give. params (may be NULL) demands blocks
 * of that set: dimension k N, its message and carry moduli. The input may
 * not exceed size_limit bytes. out is zeroed on failure. */
int wire_radix_read(struct wire_radix *out, const uint8_t *bytes, size_t len, size_t size_limit,
                    int32_t fhe_type, const struct tfhe_params *params) KMS_MUST_CHECK;

/* ---- blocks (shared with the list codecs) ---- */

/* Serialized size of one shortint Ciphertext of LWE dimension n. */
size_t wire_block_size(size_t n);
/* One shortint Ciphertext. */
void wire_put_block(struct wire_sink *s, const struct shortint_ct *b);

#endif

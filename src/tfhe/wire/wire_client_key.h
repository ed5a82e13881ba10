/* The high-level ClientKey of TFHE-rs 1.7 ("high_level_api::ClientKey"),
 * mapped to the engine's secret keys (tfhe/keyset.h struct keyset_secrets),
 * a parameter set and the tag.
 *
 *   ClientKey V1 { key: IntegerClientKey, tag: Tag }
 *   IntegerClientKey V8 {                       (high_level_api/keys/inner.rs)
 *     key: integer ClientKey V0 { shortint ClientKey = GenericClientKey V1 {
 *            atomic_pattern: AtomicPatternClientKey V0, variant 0 Standard(
 *              StandardAtomicPatternClientKey V0 {
 *                glwe_secret_key: GlweSecretKey V0 { data: Vec<u64> (k N),
 *                                                    polynomial_size },
 *                lwe_secret_key: LweSecretKey V0 { data: Vec<u64> (n) },
 *                parameters: PBSParameters (wire_params.h),
 *                wopbs_parameters: Option<WopbsParameters> (None) }) } },
 *     dedicated_compact_private_key: Option<(
 *         integer CompactPrivateKey V0 { shortint CompactPrivateKey V0 {
 *             key: LweSecretKey (n_pk), parameters: CPK parameters } },
 *         ShortintKeySwitchingParameters (the casting key's))>,
 *     compression_key: Option<integer CompressionPrivateKeys V0 {
 *         shortint CompressionPrivateKeys V0 { post_packing_ks_key:
 *             GlweSecretKey<u64>, params: CompressionParameters } }>,
 *     noise_squashing_private_key: Option<integer NoiseSquashingPrivateKey V0
 *         { shortint NoiseSquashingPrivateKey V0 {
 *             post_noise_squashing_secret_key: GlweSecretKey<u128>,
 *             params: NoiseSquashingParameters } }>,
 *     noise_squashing_compression_private_key: Option<integer NoiseSquashing
 *         CompressionPrivateKey V0 { shortint V0 { post_packing_ks_key:
 *             GlweSecretKey<u128>, params: NoiseSquashingCompressionParameters } }>,
 *     cpk_re_randomization_params: Option<ReRandomizationParameters>,
 *     dedicated_oprf_private_key: Option<integer OprfPrivateKey V0 (newtype)
 *         { shortint OprfPrivateKey V0 (newtype) { AtomicPatternOprfPrivateKey
 *             V0, variant 0 Standard(LweSecretKey<u64> (n)) } }> }
 *
 * Every secret key must be binary (0/1 words) and of the length its
 * parameters give. A key whose parameter records all equal a library set
 * (params.h) points at that set; any other representable parameters are
 * kept in the key's own struct tfhe_params named "custom" and marked
 * insecure (ckms does not vouch for them). A key written by tfhe-rs's default
 * config (compute parameters and OPRF key only) is the "message_2_carry_2"
 * set. */
#ifndef CKMS_TFHE_WIRE_CLIENT_KEY_H
#define CKMS_TFHE_WIRE_CLIENT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/keyset.h"
#include "tfhe/params.h"
#include "tfhe/shortint.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_params.h"

#define WIRE_NAME_CLIENT_KEY "high_level_api::ClientKey"

struct wire_client_key {
    const struct tfhe_params *params; /* a library set, or &own */
    struct tfhe_params own;           /* the records' values (name "custom") */
    /* record fields struct tfhe_params does not hold (params->has_cpk) */
    struct wire_cpk_params cpk;
    struct wire_ksk_params casting;
    int has_rerand;
    struct wire_rerand_params rerand;
    int has_oprf;
    /* secmem binary words; a key the client key lacks has length 0 */
    struct keyset_secrets sk;
    uint8_t *tag; /* malloc, NULL when empty */
    size_t tag_len;
};

/* Wipes and frees everything and zeroes ck. NULL is a no-op. */
void wire_client_key_clear(struct wire_client_key *ck);

/* The client key of a keyset made by keyset_generate: its parameter set,
 * copies of its secrets, its tag, and the records the KMS's tfhe-rs config
 * writes (wire_params_kms_cpk; OPRF key present). */
int wire_client_key_from_keyset(struct wire_client_key *out, const struct keyset *ks)
    KMS_MUST_CHECK;
/* The same from a parameter set and secrets (copied; the lengths must be
 * the set's; sk->oprf may be NULL for a key without the OPRF key). */
int wire_client_key_from_secrets(struct wire_client_key *out, const struct tfhe_params *params,
                                 const struct keyset_secrets *sk, const uint8_t *tag,
                                 size_t tag_len) KMS_MUST_CHECK;

/* Writes the key (header and body). Use a secret buffer or a private file. */
int wire_client_key_write(struct wire_sink *s, const struct wire_client_key *ck) KMS_MUST_CHECK;

/* Reads a ClientKey of at most size_limit bytes. out is zeroed on failure. */
int wire_client_key_read(struct wire_client_key *out, const uint8_t *bytes, size_t len,
                         size_t size_limit) KMS_MUST_CHECK;

/* The compute client key (shortint.h) of ck: the small LWE key and the GLWE
 * key, for radix_decrypt and friends. Free with shortint_client_key_free. */
int wire_client_key_compute(struct shortint_client_key **out, const struct wire_client_key *ck)
    KMS_MUST_CHECK;

#endif

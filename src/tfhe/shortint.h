/* Shortint: one 64-bit TFHE block, as tfhe-rs 1.7 shortint does it for the
 * Standard atomic pattern with KS-PBS order (EncryptionKeyChoice::Big).
 *
 * Encoding (shortint/encoding.rs): p = message_modulus * carry_modulus, one
 * padding bit on top, Delta = 2^64 / (2p). A block holding m in [0, p) has
 * phase m * Delta + e under the big key (the GLWE key read as an LWE key of
 * dimension k N). Decoding rounds phase / Delta and reduces mod 2p (the
 * padding bit included, as tfhe-rs decrypt_message_and_carry does); the
 * message is that mod message_modulus.
 *
 * Each ciphertext carries its degree (the largest value it may hold, for
 * carry tracking) and noise level (how many nominal noises were summed),
 * checked by the operations against max_degree = p - 1 and the parameter
 * set's max_noise_level, as tfhe-rs's checked_* operations do.
 *
 * The programmable bootstrap (apply_table) is keyswitch big -> small, modulus
 * switch, blind rotation with a lookup table, sample extraction: the output
 * is again under the big key, with nominal noise.
 *
 * Key generation order, as tfhe-rs 1.7 (see the note at shortint_client_key_new
 * and shortint_server_key_new). */
#ifndef CKMS_TFHE_SHORTINT_H
#define CKMS_TFHE_SHORTINT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/enc_rng.h"
#include "tfhe/params.h"

#define SHORTINT_NOISE_ZERO 0    /* trivial ciphertexts */
#define SHORTINT_NOISE_NOMINAL 1 /* fresh encryptions and PBS outputs */

struct shortint_client_key {
    const struct tfhe_params *params;
    uint64_t *lwe_sk;  /* n words (0/1), the small key the keyswitch targets; secmem */
    uint64_t *glwe_sk; /* k N words (0/1), also the big LWE key; secmem */
    /* The big key as AND masks (0 or all ones per coefficient), so that a
     * phase is a branch-free, vectorizable masked sum; secmem. */
    uint64_t *big_mask;
    /* Masked sum of a dimension-k N mask with big_mask, chosen for this CPU. */
    uint64_t (*dot)(const uint64_t *a, const uint64_t *mask, size_t n);
};

struct shortint_server_key {
    const struct tfhe_params *params;
    uint64_t *ksk; /* big (k N) -> small (n), ks_base_log / ks_level */
    uint32_t *ksk32; /* the same rounded to 32 bits, for the PBS path (lwe.h) */
    struct fourier_bsk bsk;
    /* The modulus switch the PBS runs (the parameter set's). */
    enum tfhe_ms_kind ms_kind;
    /* Drift technique only: ms.zeros_count encryptions of zero under the
     * small key (n + 1 words each), the modulus-switch noise-reduction key. */
    uint64_t *ms_zeros;
};

struct shortint_ct {
    uint64_t *data;   /* dimension + 1 words: mask then body */
    size_t dimension; /* LWE dimension: k N under the big key */
    uint64_t degree;
    uint64_t noise_level;
    uint32_t message_modulus, carry_modulus;
    int owns_data; /* data is freed by shortint_ct_clear */
};

/* Per-caller (per-thread) working memory of apply_table: one PBS scratch, the
 * keyswitched small ciphertext, and the lookup-table body. */
struct shortint_scratch;

/* ---- keys ---- */

/* Draws the small LWE key (n bytes of `secret`) and then the GLWE key (k N
 * bytes), in this order, as tfhe-rs 1.7 StandardAtomicPatternClientKey::
 * new_with_engine does: one byte per coefficient, bit 0. (The
 * CompressedXofKeySet client key reads the same order but as packed bits, 8
 * per byte: keyset.h draws it itself.) Refuses parameter sets this module
 * cannot run. */
int shortint_client_key_new(struct shortint_client_key **out, const struct tfhe_params *params,
                            struct csprng *secret) KMS_MUST_CHECK;
void shortint_client_key_free(struct shortint_client_key *ck);

/* Chooses the instruction set of ck->dot (tests and benchmarks; keys start
 * with the best this CPU has). KMS_EUNIMPL if the CPU lacks it. */
int shortint_client_key_set_isa(struct shortint_client_key *ck, enum fft_isa isa)
    KMS_MUST_CHECK;

/* Generates the bootstrapping key (GLWE noise, one fork per GGSW) and then
 * the keyswitching key big -> small (LWE noise, one fork per input
 * coefficient), both from `rng`, in the order of tfhe-rs 1.7
 * StandardAtomicPatternServerKey::new (atomic_pattern/standard.rs: BSK, then
 * the drift key if any, then KSK; the seeded shortint CompressedServerKey uses
 * the same order). NOTE: CompressedXofKeySet generation is different: it
 * draws the KSK first, then the BSK, then the modulus-switch key
 * (xof_key_set/internal.rs, CompressedStandardAtomicPatternServerKey::
 * generate_with_pre_seeded_generator). The BSK is converted to the Fourier
 * domain; the standard-domain key is not kept. */
int shortint_server_key_new(struct shortint_server_key **out, const struct shortint_client_key *ck,
                            struct enc_rng *rng) KMS_MUST_CHECK;
void shortint_server_key_free(struct shortint_server_key *sk);

/* ---- ciphertexts ---- */

/* Allocates a block for params: a trivial encryption of 0 (degree 0, noise 0). */
int shortint_ct_init(struct shortint_ct *ct, const struct tfhe_params *params) KMS_MUST_CHECK;
/* Frees the data if owned and zeroes the struct. */
void shortint_ct_clear(struct shortint_ct *ct);
/* dst = src: same dimension and moduli required. */
int shortint_ct_copy(struct shortint_ct *dst, const struct shortint_ct *src) KMS_MUST_CHECK;

/* Delta of a block: 2^64 / (2 * message_modulus * carry_modulus). */
uint64_t shortint_delta(const struct shortint_ct *ct);

/* tfhe-rs ClientKey::encrypt: m mod message_modulus, degree message_modulus - 1,
 * nominal noise; mask k N words from rng->mask, one TUniform(glwe) sample. */
int shortint_encrypt(const struct shortint_client_key *ck, struct shortint_ct *ct, uint64_t m,
                     struct enc_rng *rng) KMS_MUST_CHECK;
/* tfhe-rs unchecked_encrypt: m < message_modulus * carry_modulus is taken as
 * is (carry included), degree p - 1. Larger m is an error. */
int shortint_encrypt_unchecked(const struct shortint_client_key *ck, struct shortint_ct *ct,
                               uint64_t m, struct enc_rng *rng) KMS_MUST_CHECK;

/* Noiseless encryptions (tfhe-rs create_trivial / unchecked_create_trivial):
 * the first reduces m mod message_modulus, the second needs m < p. The
 * degree is the value, the noise level 0. */
int shortint_trivial(struct shortint_ct *ct, uint64_t m) KMS_MUST_CHECK;
int shortint_trivial_unchecked(struct shortint_ct *ct, uint64_t m) KMS_MUST_CHECK;

/* round(phase / Delta) mod 2p (tfhe-rs decrypt_message_and_carry). */
int shortint_decrypt_message_and_carry(const struct shortint_client_key *ck, uint64_t *out,
                                       const struct shortint_ct *ct) KMS_MUST_CHECK;
/* The above mod message_modulus (tfhe-rs decrypt). */
int shortint_decrypt(const struct shortint_client_key *ck, uint64_t *out,
                     const struct shortint_ct *ct) KMS_MUST_CHECK;
/* The raw phase b - <a, s> (noise measurements). */
int shortint_phase(const struct shortint_client_key *ck, uint64_t *out,
                   const struct shortint_ct *ct) KMS_MUST_CHECK;

/* Hot-path helpers for callers that checked the shape once (radix): no
 * checks at all. */
uint64_t shortint_phase_unchecked(const struct shortint_client_key *ck, const uint64_t *data);
uint64_t shortint_decode(uint64_t phase, uint32_t message_modulus, uint32_t carry_modulus);

/* 0 if ct is a block of ck's / sk's parameter set (dimension and moduli),
 * else KMS_EINVAL with the mismatch in the message. */
int shortint_check_ct(const struct tfhe_params *params, const struct shortint_ct *ct)
    KMS_MUST_CHECK;

/* ---- leveled operations (checked as tfhe-rs checked_*) ---- */

/* ct += other. KMS_ELIMIT (ct unchanged) if the degree sum exceeds p - 1 or
 * the noise-level sum exceeds max_noise_level. */
int shortint_add(const struct shortint_server_key *sk, struct shortint_ct *ct,
                 const struct shortint_ct *other) KMS_MUST_CHECK;
/* ct += scalar (plaintext scalar * Delta); degree + scalar must stay <= p - 1. */
int shortint_scalar_add(const struct shortint_server_key *sk, struct shortint_ct *ct,
                        uint8_t scalar) KMS_MUST_CHECK;
/* ct *= scalar; degree and noise level are multiplied and checked. */
int shortint_scalar_mul(const struct shortint_server_key *sk, struct shortint_ct *ct,
                        uint8_t scalar) KMS_MUST_CHECK;

/* ---- programmable bootstrapping ---- */

int shortint_scratch_new(struct shortint_scratch **out, const struct shortint_server_key *sk)
    KMS_MUST_CHECK;
void shortint_scratch_free(struct shortint_scratch *sc);

/* out = PBS(in) with out's value table[in's value]: keyswitch to the small
 * key, modulus switch, blind rotation, sample extraction. table has exactly
 * p = message_modulus * carry_modulus entries, each <= p - 1. out may be in.
 * out's degree becomes max(table) (as tfhe-rs: over the whole table), its
 * noise level nominal. Allocates nothing. */
int shortint_apply_table(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                         struct shortint_ct *out, const struct shortint_ct *in,
                         const uint64_t *table, size_t table_len) KMS_MUST_CHECK;
/* x -> x / message_modulus (the carry) and x -> x mod message_modulus. */
int shortint_carry_extract(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                           struct shortint_ct *out, const struct shortint_ct *in) KMS_MUST_CHECK;
int shortint_message_extract(const struct shortint_server_key *sk, struct shortint_scratch *sc,
                             struct shortint_ct *out, const struct shortint_ct *in)
    KMS_MUST_CHECK;

/* Standard deviation (in units of 2^-64 of the torus) of the noise of a PBS
 * output, derived from the parameters; see the derivation in shortint.c. */
double shortint_pbs_noise_stddev(const struct tfhe_params *params);

#endif

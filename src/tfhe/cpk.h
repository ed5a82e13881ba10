/* The dedicated compact public key (CPK) of a parameter set, its compact
 * ciphertext lists, and the cast of their ciphertexts to the compute keys,
 * as tfhe-rs 1.7 does it (core_crypto lwe_compact_public_key_generation.rs,
 * lwe_encryption.rs, lwe_compact_ciphertext_list_expansion.rs; shortint
 * public_key/compact.rs, key_switching_key; eprint 2023/603, M. Joye).
 *
 * All polynomials below live in Z_{2^64}[X]/(X^n + 1) with n = n_pk, and
 *     semi_rev_conv(a, s) = a * rev(s),   rev(s)[i] = s[n - 1 - i].
 *
 * Secret key: n_pk binary words (one byte of the secret stream each).
 * Public key: 2 n_pk words [A | B] with A uniform (mask stream, 8 n_pk
 *   bytes) and B = semi_rev_conv(A, s) + e, e <- TUniform(b)^n_pk (noise
 *   stream). tfhe-rs does not fork here: a keyset generator hands the CPK
 *   exactly these bytes from its current positions.
 *
 * Compact list of c plaintexts: bins = ceil(c / n_pk) shared masks then c
 *   bodies, [mask_0 .. mask_{bins-1} (n_pk words each) | body_0 .. body_{c-1}].
 *   Message t sits in bin q = t / n_pk at position j = t % n_pk:
 *     mask_q = semi_rev_conv(A, r_q) + e1_q
 *     body_t = semi_rev_conv(B, r_q)[n_pk - 1 - j] + e2_t + pt_t
 *   Every random value comes from ONE stream (tfhe-rs's NoiseRandomGenerator;
 *   shortint seeds it with XofSeed(seed, "TFHE_Enc"), see cpk_encrypt_rng_init),
 *   drawn in this order, all bins at once:
 *     1. r: bins * n_pk bits packed 8 per byte, least significant bit first
 *        (ceil(bins * n_pk / 8) bytes; bin q uses bits [q n_pk, (q+1) n_pk));
 *     2. e1: bins * n_pk TUniform(b) samples;
 *     3. e2: c TUniform(b) samples.
 *
 * Expansion: ciphertext t = (mask_q * X^j, body_t), an LWE of dimension n_pk
 *   under the CPK secret key (lwe_phase decrypts it).
 *
 * Cast (server side, destination Small with a KS-PBS compute set): keyswitch
 *   with the casting key (CPK key -> small key, params->casting), then a PBS
 *   with the identity table over all message * carry values back to the big
 *   key, exactly tfhe-rs's KeySwitchingKey cast when both sides use the same
 *   message and carry moduli (the only case implemented). */
#ifndef CKMS_TFHE_CPK_H
#define CKMS_TFHE_CPK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/enc_rng.h"
#include "tfhe/params.h"

/* ---- sizes (words) ---- */

static inline size_t cpk_pk_size(size_t n_pk) { return 2 * n_pk; }
/* Shared masks in a list of count ciphertexts. */
static inline size_t cpk_list_bins(size_t n_pk, size_t count)
{
    return n_pk == 0 ? 0 : (count + n_pk - 1) / n_pk;
}
static inline size_t cpk_list_size(size_t n_pk, size_t count)
{
    return cpk_list_bins(n_pk, count) * n_pk + count;
}
/* Casting keyswitching key: n_pk blocks of level LWEs of dimension n. */
size_t cpk_casting_ksk_size(const struct tfhe_params *p);

/* Delta of the CPK encoding, 2^64 / (2 * message * carry): pt = m * delta. */
uint64_t cpk_delta(const struct tfhe_params *p);

/* out = semi_rev_conv(a, s) for binary s (bit 0 of each word read), in
 * time independent of s; out must not alias a. KMS_ENOMEM (it reverses s
 * in secure scratch). */
int cpk_semi_rev_conv(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n)
    KMS_MUST_CHECK;

/* ---- keys ---- */

/* sk (n_pk words, caller's secmem) from the secret stream. */
int cpk_sk_generate(const struct tfhe_params *p, uint64_t *sk, size_t n_pk, struct csprng *secret)
    KMS_MUST_CHECK;

/* pk = [A | B] as above; masks from rng->mask, noise from rng->noise. */
int cpk_pk_generate(const struct tfhe_params *p, uint64_t *pk, size_t pk_len, const uint64_t *sk,
                    size_t n_pk, struct enc_rng *rng) KMS_MUST_CHECK;

/* ---- encryption (client side) ---- */

/* The stream tfhe-rs shortint encrypts from: XofSeed(seed, "TFHE_Enc");
 * seed must be at least 16 bytes. Free with csprng_free. */
int cpk_encrypt_rng_init(struct csprng *g, const uint8_t *seed, size_t seed_len) KMS_MUST_CHECK;

/* list (cpk_list_size(n_pk, count) words) = compact encryption of the
 * count encoded plaintexts pt (count >= 1) under pk, randomness from g. */
int cpk_encrypt_list(const struct tfhe_params *p, uint64_t *list, size_t list_len,
                     const uint64_t *pk, size_t pk_len, const uint64_t *pt, size_t count,
                     struct csprng *g) KMS_MUST_CHECK;

/* ---- expansion and cast (server side) ---- */

/* lwe (n_pk + 1 words) = ciphertext `index` of a list of count. */
int cpk_expand_one(const struct tfhe_params *p, uint64_t *lwe, size_t lwe_len,
                   const uint64_t *list, size_t list_len, size_t count, size_t index)
    KMS_MUST_CHECK;
/* lwes (count * (n_pk + 1) words) = every ciphertext of the list. */
int cpk_expand(const struct tfhe_params *p, uint64_t *lwes, size_t lwes_len, const uint64_t *list,
               size_t list_len, size_t count) KMS_MUST_CHECK;

/* Casting key from the CPK secret key (n_pk) to the compute small LWE key
 * (n = params->pbs.lwe_dimension): lwe_ksk_generate with params->casting. */
int cpk_casting_ksk_generate(const struct tfhe_params *p, uint64_t *ksk, size_t ksk_len,
                             const uint64_t *cpk_sk, size_t n_pk, const uint64_t *small_sk,
                             size_t n, struct enc_rng *rng) KMS_MUST_CHECK;

/* Keys and buffers for casting. Borrows the casting key and the compute
 * Fourier bootstrapping key (they must outlive it); one caster per thread.
 * The modulus switch is params->pbs.ms.kind as pbs_bootstrap applies it. */
struct cpk_caster;

int cpk_caster_new(struct cpk_caster **out, const struct tfhe_params *p, const uint64_t *ksk,
                   size_t ksk_len, const struct fourier_bsk *bsk) KMS_MUST_CHECK;
void cpk_caster_free(struct cpk_caster *c);

/* out (k N + 1 words, under the compute big key) = cast of in, an expanded
 * ciphertext (n_pk + 1 words). Allocates nothing. */
int cpk_cast(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *in,
             size_t in_len) KMS_MUST_CHECK;

/* Like cpk_cast, through the table f (message * carry entries, each below
 * message * carry) instead of the identity: tfhe-rs's cast_and_apply_functions.
 * The integer layer casts with such tables: x % message to sanitize a block,
 * and for lists packing two blocks per ciphertext x % message (low block)
 * and (x / carry) % message (high block); booleans use (... != 0).
 * Allocates nothing. */
int cpk_cast_table(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *in,
                   size_t in_len, const uint64_t *table, size_t table_len) KMS_MUST_CHECK;

/* Expands and casts every ciphertext of a list: out has count * (k N + 1)
 * words. Allocates nothing. */
int cpk_expand_and_cast(struct cpk_caster *c, uint64_t *out, size_t out_len, const uint64_t *list,
                        size_t list_len, size_t count) KMS_MUST_CHECK;

#endif

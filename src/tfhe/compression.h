/* Ciphertext list compression (64-bit, the KMS's "SmallCompressed" format),
 * as tfhe-rs 1.7 does it (shortint/list_compression/{compression,
 * private_key,server_keys}.rs, core_crypto/entities/{packed_integers,
 * compressed_modulus_switched_glwe_ciphertext}.rs, integer and
 * high_level_api compressed_ciphertext_list.rs).
 *
 * Compression of blocks (shortint ciphertexts under the compute big key,
 * carries empty, noise nominal or zero):
 *   1. each block is multiplied by message_modulus (phase m * 2^61 with the
 *      default set: a 2-bit value with a padding bit, no carry space);
 *   2. chunks of lwe_per_glwe blocks are packing-keyswitched (packing_ks.h)
 *      into one GLWE under the compression key, block t to coefficient t;
 *   3. every coefficient of the k N mask and of the first `bodies_count`
 *      body coefficients is switched to storage_log_modulus (L) bits,
 *      round(x * 2^L / 2^64), and the values are bit-packed LSB first into
 *      u64 words: value v occupies stream bits [v L, (v + 1) L).
 *
 * Decompression by PBS (tfhe-rs DecompressionKey::unpack): values are
 * scaled back (x << (64 - L)), the LWE of coefficient t is sample-extracted
 * (dimension k N under the compression key), switched to 2N (exact: the
 * values are already L-bit), blind-rotated with the decompression key (a
 * bootstrapping key from the compression key to the compute GLWE key) and
 * the rescaling table (identity from the 4-value compression encoding to
 * the block encoding, box N / 4), then coefficient 0 is extracted: a block
 * of degree message_modulus - 1 and nominal noise.
 *
 * Direct decryption with the compression secret key (no PBS): the phase of
 * coefficient t mod 2^L, mu = (b_t - sum_i sum_j a_i[j] s_i[t - j]) with the
 * negacyclic sign, is decoded exactly as the blind rotation's table would
 * decode it (compression_decode_mu), so both paths give the same block
 * values (up to the PBS's own failure probability). Only the needed body
 * coefficients are computed (one masked k N dot product each).
 *
 * A list is decrypted element by element as tfhe-rs's CompressedCiphertext
 * List::get: element i covers the blocks after those of elements 0..i-1,
 * by their DataKind. Lists arrive from outside, so everything about them
 * is checked (compression_list_validate) before any block is read.
 *
 * Keys are read-only once made and may be shared between threads; a
 * compression_scratch belongs to one thread at a time. */
#ifndef CKMS_TFHE_COMPRESSION_H
#define CKMS_TFHE_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/packing_ks.h"
#include "tfhe/params.h"
#include "tfhe/radix.h"
#include "tfhe/shortint.h"

/* ---- the list, field by field as tfhe-rs keeps it ---- */

/* CompressedModulusSwitchedGlweCiphertext<u64> (with its PackedIntegers). */
struct compression_glwe {
    uint64_t *packed;      /* packed_coeffs, owned (malloc) */
    size_t packed_len;     /* words */
    uint32_t log_modulus;  /* L */
    uint64_t initial_len;  /* values packed: k N + bodies_count */
    uint64_t glwe_dimension, polynomial_size;
    uint64_t bodies_count;
    u128 uncompressed_modulus; /* CiphertextModulus as serialized: 0 = native */
};

/* DataKind variants (tfhe-rs integer/ciphertext/utils.rs), numbered as
 * their serialized variant index. */
enum compression_kind {
    COMPRESSION_KIND_UNSIGNED = 0,
    COMPRESSION_KIND_SIGNED = 1,
    COMPRESSION_KIND_BOOLEAN = 2,
    COMPRESSION_KIND_STRING = 3
};

struct compression_data_kind {
    uint32_t kind;       /* enum compression_kind */
    uint64_t num_blocks; /* Unsigned, Signed: radix blocks, non-zero */
    uint32_t n_chars;    /* String */
    uint8_t padded;      /* String */
};

/* AtomicPatternKind: Standard(PBSOrder) or KeySwitch32. */
enum compression_ap { COMPRESSION_AP_STANDARD = 0, COMPRESSION_AP_KS32 = 1 };
enum compression_pbs_order { COMPRESSION_KS_PBS = 0, COMPRESSION_PBS_KS = 1 };

/* CompressedCiphertextListMeta. */
struct compression_meta {
    u128 ciphertext_modulus; /* 0 = native */
    uint64_t message_modulus, carry_modulus;
    uint32_t atomic_pattern; /* enum compression_ap */
    uint32_t pbs_order;      /* enum compression_pbs_order, Standard only */
    uint64_t lwe_per_glwe;
};

/* integer::CompressedCiphertextList: the shortint list (GLWEs + optional
 * meta) and one DataKind per element. */
struct compression_list {
    struct compression_glwe *glwes; /* owned (malloc) */
    size_t glwe_count;
    int has_meta;
    struct compression_meta meta;
    struct compression_data_kind *info; /* owned (malloc) */
    size_t info_count;
};

/* Frees every array the list owns and zeroes it. NULL is a no-op. */
void compression_list_free(struct compression_list *l);

/* Blocks of one DataKind (tfhe-rs DataKind::num_blocks: strings take
 * n_chars * ceil(7 / log2(message_modulus)) blocks, saturating). */
uint64_t compression_kind_blocks(const struct compression_data_kind *k, uint64_t message_modulus);

/* The DataKinds of a list against the blocks it stores: known kinds,
 * non-zero block counts, and blocks (each element's ceil(blocks / 2) with
 * packed_pairs, the squashed lists' packing) adding up to exactly `stored`
 * without overflow. message_modulus 0 means "no metadata" (only strings,
 * which then take no block, are possible). */
int compression_info_check(const struct compression_data_kind *info, size_t count,
                           uint64_t message_modulus, uint64_t stored, int packed_pairs)
    KMS_MUST_CHECK;
/* First stored ciphertext and ciphertext count of element `index` of
 * checked DataKinds. KMS_EINVAL past the end. */
int compression_info_element(const struct compression_data_kind *info, size_t count,
                             uint64_t message_modulus, int packed_pairs, size_t index,
                             uint64_t *first, uint64_t *n) KMS_MUST_CHECK;

/* The shape fields of one stored GLWE, the same in the 64-bit and in the
 * squashed (128-bit) lists, whose packed words differ in width;
 * COMPRESSION_GLWE_DIMS(g) takes them from a compression_glwe or a
 * snscomp_glwe. */
struct compression_glwe_dims {
    uint64_t glwe_dimension, polynomial_size, bodies_count, initial_len;
    uint32_t log_modulus;
    u128 uncompressed_modulus;
    size_t packed_len;
    int has_packed;
};
#define COMPRESSION_GLWE_DIMS(g)                                                             \
    ((struct compression_glwe_dims){(g)->glwe_dimension, (g)->polynomial_size,             \
                                    (g)->bodies_count, (g)->initial_len, (g)->log_modulus, \
                                    (g)->uncompressed_modulus, (g)->packed_len,            \
                                    (g)->packed != NULL})

/* GLWE idx of a list of glwe_count (what: "compressed list", "squashed
 * list"), words of word_bits bits: the shape of GLWE 0 with k and N in
 * range, native modulus, initial_len = k N + bodies_count packed in
 * exactly packed_len words, and lwe_per_glwe bodies (the last GLWE 1 to
 * lwe_per_glwe). */
int compression_glwe_check(const struct compression_glwe_dims *g,
                           const struct compression_glwe_dims *g0, size_t idx, size_t glwe_count,
                           uint64_t lwe_per_glwe, unsigned word_bits, const char *what)
    KMS_MUST_CHECK;
/* message_modulus a power of two in [2, 2^16], carry_modulus in [1, 2^16]. */
int compression_moduli_check(uint64_t message_modulus, uint64_t carry_modulus, const char *what)
    KMS_MUST_CHECK;

/* Structural check of a list from outside, needing no keys: metadata
 * present when there are GLWEs; every GLWE of the same shape (k >= 1, N a
 * power of two, 1 <= L <= 64, bodies_count <= N, initial_len = k N +
 * bodies_count, packed_len = ceil(initial_len L / 64), native modulus); every
 * GLWE but the last holding exactly lwe_per_glwe bodies, the last 1 to
 * lwe_per_glwe; 1 <= lwe_per_glwe <= N; message_modulus a power of two >= 2,
 * carry_modulus >= 1; DataKinds valid (non-zero block counts, known kinds)
 * and their blocks adding up to exactly the stored bodies. KMS_EINVAL (or
 * KMS_ELIMIT for sizes that overflow) with the reason otherwise. */
int compression_list_validate(const struct compression_list *l) KMS_MUST_CHECK;

/* The list was made for this parameter set: GLWE shape and L as
 * params->compression, native moduli, message and carry moduli as the
 * compute set (and equal), atomic pattern Standard(KS-PBS) or KeySwitch32.
 * Call after compression_list_validate. */
int compression_list_check_params(const struct compression_list *l, const struct tfhe_params *p)
    KMS_MUST_CHECK;

/* Total stored blocks (sum of bodies_count). */
uint64_t compression_list_blocks(const struct compression_list *l);

/* Element `index`: its first block and block count (validated list). */
int compression_list_element(const struct compression_list *l, size_t index, uint64_t *first,
                             uint64_t *count) KMS_MUST_CHECK;

/* tfhe-rs Expandable check: FheUintN needs Unsigned with N bits of blocks,
 * FheIntN Signed with N bits, FheBool Boolean; strings never decrypt here.
 * bits_per_block = log2(message_modulus) (2 for 64-bit blocks, see snscomp.h
 * for packed pairs). */
int compression_kind_check_type(const struct compression_data_kind *k, unsigned bits_per_block,
                                const struct radix_type *t) KMS_MUST_CHECK;

/* ---- bit packing (PackedIntegers) ---- */

/* Words holding count values of log_modulus bits: ceil(count L / W) for
 * W-bit words. KMS_ELIMIT on overflow, KMS_EINVAL for L outside [1, W]. */
int compression_bits_packed_len(size_t *out, uint64_t count, unsigned log_modulus,
                                unsigned word_bits) KMS_MUST_CHECK;

/* Packs values[0..count) (each < 2^L, else KMS_EINVAL) LSB first into
 * packed[0..packed_len), packed_len being exactly the packed length. */
int compression_bits_pack(uint64_t *packed, size_t packed_len, const uint64_t *values,
                          size_t count, unsigned log_modulus) KMS_MUST_CHECK;
/* values[0..count) = values first .. first + count - 1 of the stream;
 * reading past packed_len words is KMS_ETRUNC. */
int compression_bits_unpack(uint64_t *values, const uint64_t *packed, size_t packed_len,
                            unsigned log_modulus, uint64_t first, size_t count) KMS_MUST_CHECK;

/* The same over u128 words (PackedIntegers<u128>, L in [1, 128]). */
int compression_bits_pack_u128(u128 *packed, size_t packed_len, const u128 *values, size_t count,
                               unsigned log_modulus) KMS_MUST_CHECK;
int compression_bits_unpack_u128(u128 *values, const u128 *packed, size_t packed_len,
                                 unsigned log_modulus, uint64_t first, size_t count)
    KMS_MUST_CHECK;

/* ---- keys ---- */

/* Shapes of the compression packing key (compute big key k N -> compression
 * GLWE) and of the decompression bootstrapping key (compression key read as
 * an LWE key of dimension k_c N_c -> compute GLWE key). */
int compression_packing_shape(const struct tfhe_params *p, struct packing_ksk_shape *s)
    KMS_MUST_CHECK;
int compression_decompression_shape(const struct tfhe_params *p, struct bsk_shape *s)
    KMS_MUST_CHECK;

struct compression_private_key {
    const struct tfhe_params *params;
    uint64_t *glwe_sk; /* k N binary words (CompressionPrivateKeys.post_packing_ks_key); secmem */
    /* The key rearranged for direct decryption: per polynomial i, 2N 16-bit
     * masks w_i[y] = all ones iff s_i[(N - 1 - y) mod N] = 1, so that the
     * phase of coefficient t is a masked sum over a contiguous window; secmem. */
    uint16_t *window;
    uint16_t (*msum)(const uint16_t *a, const uint16_t *m, size_t n); /* per CPU */
};

/* Draws the key from the secret stream: k N bytes, bit 0 each (tfhe-rs
 * new_compression_private_key; the CompressedXofKeySet path reads packed
 * bits instead, see keyset.h). */
int compression_private_key_new(struct compression_private_key **out, const struct tfhe_params *p,
                                struct csprng *secret) KMS_MUST_CHECK;
/* The same from stored key bits (k N words, 0 or 1, else KMS_EINVAL). */
int compression_private_key_from_bits(struct compression_private_key **out,
                                      const struct tfhe_params *p, const uint64_t *bits,
                                      size_t len) KMS_MUST_CHECK;
void compression_private_key_free(struct compression_private_key *k);

/* Server side: the packing keyswitching key. */
struct compression_key {
    const struct tfhe_params *params;
    struct packing_ksk_shape shape;
    uint64_t *pksk; /* packing_ksk_size(&shape) words */
};

/* packing key from the compute big key (big_sk: the compute GLWE key, k N
 * words) to the compression key, noise TUniform(packing_ks_noise_log2),
 * drawn from rng as packing_ks.h describes (tfhe-rs new_compression_key). */
int compression_key_new(struct compression_key **out, const struct compression_private_key *priv,
                        const uint64_t *big_sk, size_t big_len, struct enc_rng *rng)
    KMS_MUST_CHECK;
void compression_key_free(struct compression_key *k);

/* The decompression key, in the Fourier domain. */
struct compression_decompression_key {
    const struct tfhe_params *params;
    struct fourier_bsk bsk;
};

/* Generates it (bsk_generate: one fork per GGSW, noise the compute GLWE
 * noise, tfhe-rs private_key.rs new_decompression_key) and converts it. */
int compression_decompression_key_new(struct compression_decompression_key **out,
                                      const struct compression_private_key *priv,
                                      const uint64_t *glwe_sk, size_t glwe_len,
                                      struct enc_rng *rng) KMS_MUST_CHECK;
/* From a standard-domain key (e.g. decompressed from a seeded keyset). */
int compression_decompression_key_from_std(struct compression_decompression_key **out,
                                           const struct tfhe_params *p, const uint64_t *bsk,
                                           size_t bsk_len) KMS_MUST_CHECK;
void compression_decompression_key_free(struct compression_decompression_key *k);

/* ---- compression ---- */

/* out = the shortint list of `count` blocks (GLWEs and meta; no DataKinds),
 * checked as tfhe-rs asserts: same dimension (compute big key) and moduli,
 * message_modulus <= carry_modulus, empty carries (degree <
 * message_modulus), noise level nominal or zero. count 0 gives an empty
 * list without meta. out is zeroed first and freed on failure. */
int compression_compress_blocks(const struct compression_key *key, struct compression_list *out,
                                const struct shortint_ct *blocks, size_t count) KMS_MUST_CHECK;
/* The HL builder: the blocks of every integer in order, one DataKind each
 * (FheBool Boolean, FheUint Unsigned(blocks), FheInt Signed(blocks)). */
int compression_compress_radix(const struct compression_key *key, struct compression_list *out,
                               const struct radix_ct *const *cts, size_t count) KMS_MUST_CHECK;

/* ---- decompression by PBS ---- */

struct compression_scratch;

int compression_scratch_new(struct compression_scratch **out,
                            const struct compression_decompression_key *dk) KMS_MUST_CHECK;
void compression_scratch_free(struct compression_scratch *sc);

/* out = block `block` of the list, decompressed (tfhe-rs unpack). out is a
 * block of dk's parameters (shortint_ct_init). The list is validated and
 * checked against the parameters on every call. Allocates nothing. */
int compression_decompress_block(const struct compression_decompression_key *dk,
                                 struct compression_scratch *sc, struct shortint_ct *out,
                                 const struct compression_list *l, uint64_t block) KMS_MUST_CHECK;
/* out (a radix_ct made by radix_ct_new for the wanted type) = element
 * `index`, as tfhe-rs get::<T>: the element's DataKind must match out's
 * type (compression_kind_check_type). One PBS per block. */
int compression_list_get(const struct compression_decompression_key *dk,
                         struct compression_scratch *sc, struct radix_ct *out,
                         const struct compression_list *l, size_t index) KMS_MUST_CHECK;

/* ---- direct decryption ---- */

/* The block value the decompression PBS yields (then decoded by
 * decrypt_message_and_carry) for a switched phase mu in [0, 2N) (N the
 * compute polynomial size): with p_in = carry_modulus compression values,
 * box = N / p_in and v = ((mu mod N) + box / 2) / box mod p_in, the block is
 * v for mu < N and (2 p - v) mod 2p for mu >= N (p = message * carry;
 * negacyclic wrap). Branch-free. */
uint64_t compression_decode_mu(const struct tfhe_params *p, uint64_t mu);

/* vals[0..count) = the values of blocks first .. first + count - 1, as the
 * PBS path followed by decrypt_message_and_carry gives them. Checks the
 * list like compression_decompress_block. Needs k N <= 4096 and L <= 16
 * (KMS_EUNIMPL otherwise; both sets have k N <= 1024, L <= 12). */
int compression_decrypt_blocks(const struct compression_private_key *k, uint8_t *vals,
                               const struct compression_list *l, uint64_t first, size_t count)
    KMS_MUST_CHECK;

/* out[0..out_len) = plaintext of element `index` as fhe_type (radix.h byte
 * layout), out_len = radix_type_bytes. The DataKind must match the type.
 * Allocates nothing; out zeroed on failure. */
int compression_list_decrypt(const struct compression_private_key *k, uint8_t *out,
                             size_t out_len, const struct compression_list *l, size_t index,
                             int32_t fhe_type) KMS_MUST_CHECK;

/* Recomposition shared with snscomp: out = sum_i vals[i] << (i * bits),
 * truncated to t->bits and sign-extended for signed types (tfhe-rs
 * BlockRecomposer, values added unmasked). Not for FheBool. */
void compression_recompose(uint8_t *out, size_t out_len, const struct radix_type *t,
                           const uint8_t *vals, size_t count, unsigned bits);

#endif

/* The seeded TFHE keyset of the KMS: tfhe-rs 1.7 CompressedXofKeySet::generate
 * (high_level_api/xof_key_set/{mod,internal}.rs) byte for byte, and its
 * decompression into usable keys.
 *
 * Two streams drive everything:
 *   private  XOF(seed bytes, "TFHEKGen"), from byte 0: first the public seed
 *            (ceil(security_bits / 8) uniform bytes), then every secret key,
 *            then the noise of every key component;
 *   public   XOF(public seed, "TFHE_GEN"), from byte 0 (XofSeedStart::
 *            FirstByte): every mask of every component, one after the other.
 *
 * Secret keys, in this order (xof_key_set/internal.rs, ClientKey::
 * generate_with_pre_seeded_generator), each with tfhe-rs's Hamming-weight-
 * bounded binary sampler: bits packed 8 per byte, least significant first,
 * ceil(len / 8) bytes per slice (the whole key for LWE keys, each polynomial
 * for GLWE keys), the slice redrawn until its weight lies in
 * [(1 - pmax) len, pmax len] (never, for the KMS's pmax = 1.0):
 *   dedicated CPK key (n_pk), compute small LWE key (n), compute GLWE key
 *   (k x N), compression GLWE key, noise-squashing GLWE key (u128),
 *   noise-squashing-compression GLWE key (u128), OPRF LWE key (n).
 *
 * Components, in stream order (enum keyset_comp). Every component is a list
 * of ciphertexts [mask | body] in tfhe-rs storage order, which is also the
 * order their masks and noise are drawn in (every fork tfhe-rs makes hands
 * out exactly the bytes its child reads). tfhe-rs stores a seeded component
 * as its bodies only, plus a CompressionSeed {the public XofSeed, first_index
 * = the component's first mask byte}; decompression ignores those seeds and
 * replays the one public stream in this order.
 *
 * The parameter sets' re-randomization is DerivedCompactPublicKeyWithoutKey
 * Switch (a CPK under the compute GLWE key read as an LWE key, GLWE noise)
 * and the OPRF key is always generated (tfhe-rs dedicated_oprf_key: true);
 * params.h has no switch for either, both KMS sets use exactly this. */
#ifndef CKMS_TFHE_KEYSET_H
#define CKMS_TFHE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/bsk.h"
#include "tfhe/compression.h"
#include "tfhe/csprng.h"
#include "tfhe/params.h"
#include "tfhe/shortint.h"
#include "tfhe/sns.h"
#include "tfhe/snscomp.h"

enum keyset_comp {
    KEYSET_CPK = 0,            /* dedicated compact public key [A | B] */
    KEYSET_COMPRESSION,        /* packing KSK: compute big key -> compression GLWE key */
    KEYSET_DECOMPRESSION,      /* BSK: compression key (as LWE) -> compute GLWE key */
    KEYSET_COMPUTE_KSK,        /* big -> small */
    KEYSET_COMPUTE_BSK,        /* small -> GLWE */
    KEYSET_COMPUTE_MS,         /* drift only: encryptions of zero under the small key */
    KEYSET_SNS_BSK,            /* 128-bit BSK: small -> SnS GLWE key */
    KEYSET_SNS_MS,             /* drift only: encryptions of zero for the SnS switch */
    KEYSET_CASTING_KSK,        /* CPK key -> small key */
    KEYSET_RERAND_CPK,         /* derived CPK under the compute big key */
    KEYSET_SNS_COMPRESSION,    /* 128-bit packing KSK: SnS key (as LWE) -> SnS-compression key */
    KEYSET_OPRF_BSK,           /* BSK: OPRF LWE key -> compute GLWE key */
    KEYSET_COMP_COUNT
};

/* A component's shape: count ciphertexts of mask_words then body_words
 * words each (8- or 16-byte words), drawn chunk by chunk (chunk_cts
 * ciphertexts: one KSK input coefficient, one GGSW, ...). Each body word
 * takes one TUniform(noise_log2) sample. */
struct keyset_layout {
    int present;
    unsigned word_bytes;
    size_t count, mask_words, body_words, chunk_cts;
    unsigned noise_log2;
};

/* The shape of component c for params; present = 0 when the set has none
 * (the drift keys of a set without the drift switch). KMS_EINVAL for sets a
 * keyset cannot be made of (no CPK, compression, SnS or SnS compression). */
int keyset_layout_get(struct keyset_layout *l, const struct tfhe_params *params,
                      enum keyset_comp c) KMS_MUST_CHECK;
const char *keyset_comp_name(enum keyset_comp c);

static inline size_t keyset_layout_ct_words(const struct keyset_layout *l)
{
    return l->mask_words + l->body_words;
}
static inline size_t keyset_layout_words(const struct keyset_layout *l)
{
    return l->present ? l->count * keyset_layout_ct_words(l) : 0;
}
static inline size_t keyset_layout_body_words(const struct keyset_layout *l)
{
    return l->present ? l->count * l->body_words : 0;
}
/* Public-stream bytes the component's masks take. */
static inline u128 keyset_layout_mask_bytes(const struct keyset_layout *l)
{
    return l->present ? (u128)l->count * l->mask_words * l->word_bytes : 0;
}

#define KEYSET_SEED_MAX 64 /* public seed bytes: security_bits up to 512 */

/* One seeded component as tfhe-rs stores it: its bodies, and a
 * CompressionSeed {seed: SeedKind::Xof(the public XofSeed), first_index:
 * TableIndex {aes_index = first_byte / 16, byte_index = first_byte % 16}},
 * taken from the shared generator when the component starts (tfhe-rs
 * MaskRandomGenerator::current_compression_seed). Inner keys have no seed
 * of their own: every component draws from the one pre-seeded generator. */
struct keyset_component {
    struct keyset_layout layout;
    u128 first_byte; /* the CompressionSeed's first_index as a public-stream byte offset */
    void *bodies;    /* layout.count * body_words words (uint64_t or u128); malloc */
};

/* The public part: what a CompressedXofKeySet holds (CompactPublicKey and
 * CompressedServerKey, both seeded from seed). */
struct keyset_public {
    const struct tfhe_params *params;
    uint8_t seed[KEYSET_SEED_MAX]; /* the public XofSeed's bytes (domain "TFHE_GEN") */
    size_t seed_len;
    uint8_t *tag; /* tfhe-rs Tag (the KMS's key id); malloc, may be NULL */
    size_t tag_len;
    struct keyset_component comp[KEYSET_COMP_COUNT];
};

/* The client key's secrets (tfhe-rs ClientKey), binary words, secmem. */
struct keyset_secrets {
    uint64_t *cpk;         /* n_pk */
    uint64_t *lwe;         /* n */
    uint64_t *glwe;        /* k N, also the big LWE key */
    uint64_t *compression; /* k_c N_c */
    u128 *sns;             /* k_s N_s */
    u128 *sns_compression; /* k_sc N_sc */
    uint64_t *oprf;        /* n */
    size_t cpk_len, lwe_len, glwe_len, compression_len, sns_len, sns_compression_len, oprf_len;
};

#define KEYSET_KEEP_STD 1u /* also keep every component in the standard domain */

struct keyset {
    struct keyset_public pub;
    struct keyset_secrets sk;
    /* standard domain (masks and bodies), with KEYSET_KEEP_STD; else NULL */
    void *std[KEYSET_COMP_COUNT];
    /* private-stream byte offsets: first secret-key byte, first noise byte of
     * each component, end of the noise (diagnostics and tests) */
    u128 secret_first, noise_first[KEYSET_COMP_COUNT], noise_end;
    /* generation time of each component and of the secret keys (profiling) */
    uint64_t gen_ns[KEYSET_COMP_COUNT], secrets_ns;
};

/* ---- cancellation ---- */

/* A way to stop a long operation early (generating a keyset with the
 * default set takes seconds, writing its ServerKey most of a minute).
 * should_stop(ctx) is polled between units of work of a few milliseconds
 * at most (one GGSW, one key-switching row, about 1 MiB of output), so it
 * must be cheap (an atomic load) and callable from the working thread. A
 * non-zero answer makes the operation release what it holds and fail with
 * KMS_EABORTED; the caller removes whatever it had output. A NULL hook, or
 * a NULL should_stop, never stops. */
struct keyset_cancel {
    int (*should_stop)(void *ctx);
    void *ctx;
};

/* KMS_EABORTED ("<what> cancelled") if c says stop, else 0. */
int keyset_cancel_check(const struct keyset_cancel *c, const char *what) KMS_MUST_CHECK;

/* tfhe-rs CompressedXofKeySet::generate(config, seed, security_bits,
 * NormalizedHammingWeightBound(max_norm_hwt), tag) for a parameter set with
 * every component (the KMS passes seed = u128 LE bytes, 128, 1.0, key id).
 * max_norm_hwt in ]0.5, 1.0]; security_bits in [1, 512]. Single-threaded.
 * Memory: the bodies (488 MiB with the default set) plus, with
 * KEYSET_KEEP_STD, every key in the standard domain (about 2 GiB more). */
int keyset_generate(struct keyset **out, const struct tfhe_params *params, const uint8_t *seed,
                    size_t seed_len, const uint8_t *tag, size_t tag_len, unsigned security_bits,
                    double max_norm_hwt, unsigned flags) KMS_MUST_CHECK;
/* The same, polling cancel (may be NULL) once before the secret keys and
 * once per chunk of every component (one GGSW, one input coefficient of a
 * key-switching or packing key, one public key); on KMS_EABORTED
 * everything is wiped and freed and *out is NULL. */
int keyset_generate_cancellable(struct keyset **out, const struct tfhe_params *params,
                                const uint8_t *seed, size_t seed_len, const uint8_t *tag,
                                size_t tag_len, unsigned security_bits, double max_norm_hwt,
                                unsigned flags, const struct keyset_cancel *cancel)
    KMS_MUST_CHECK;
/* Wipes the secrets; NULL is a no-op. */
void keyset_free(struct keyset *ks);
/* Releases the standard-domain keys (keyset_expand_component rebuilds any
 * of them from the bodies). */
void keyset_drop_std(struct keyset *ks);

/* An empty public part for params (layouts and the running first_byte of
 * every component filled, bodies allocated and zeroed), for readers of
 * stored keysets. */
int keyset_public_init(struct keyset_public *pub, const struct tfhe_params *params,
                       const uint8_t *seed, size_t seed_len, const uint8_t *tag, size_t tag_len)
    KMS_MUST_CHECK;
void keyset_public_clear(struct keyset_public *pub);

/* ---- expansion (keyset_expand.c) ---- */

/* The public mask stream: XOF(pub->seed, "TFHE_GEN") at byte 0. Free it. */
int keyset_mask_stream(struct csprng *g, const struct keyset_public *pub) KMS_MUST_CHECK;

/* out (n_ct whole ciphertexts, standard domain) = ciphertexts first_ct ..
 * first_ct + n_ct - 1 of component c: masks read from g (which must stand
 * at the first mask byte of ciphertext first_ct), bodies copied. */
int keyset_expand(const struct keyset_public *pub, enum keyset_comp c, struct csprng *g,
                  void *out, size_t out_words, size_t first_ct, size_t n_ct) KMS_MUST_CHECK;

/* The whole component in the standard domain, from its own first_byte (as
 * tfhe-rs decompresses a component from its own CompressionSeed). */
int keyset_expand_component(const struct keyset_public *pub, enum keyset_comp c, void *out,
                            size_t out_words) KMS_MUST_CHECK;

/* The usable keys (tfhe-rs CompressedXofKeySet::decompress): the published
 * CompactPublicKey and the expanded server key, in the domains the
 * engine computes in. */
struct keyset_server {
    const struct tfhe_params *params;
    uint64_t *cpk; /* the CompactPublicKey [A | B], 2 n_pk words */
    size_t cpk_len;
    struct shortint_server_key *compute; /* KSK, Fourier BSK, drift key */
    uint64_t *casting_ksk;               /* CPK key -> small key */
    size_t casting_ksk_len;
    struct compression_key *compression;
    struct compression_decompression_key *decompression; /* Fourier */
    struct sns_server_key *sns;                          /* NTT domain */
    struct snscomp_key *sns_compression;
    uint64_t *rerand_cpk; /* derived CPK [A | B], 2 k N words */
    size_t rerand_cpk_len;
    struct fourier_bsk oprf_bsk;
};

/* Replays the public stream once, in component order, from the seed and the
 * bodies alone (the stored first_byte values are not used, as in tfhe-rs).
 * Peak memory: the keys themselves (2.9 GiB with the default set, the 128-bit
 * BSK converted one GGSW at a time). */
int keyset_decompress(struct keyset_server **out, const struct keyset_public *pub)
    KMS_MUST_CHECK;
void keyset_server_free(struct keyset_server *s);

/* The client side of a keyset (decryption keys built from its secrets). */
struct keyset_client {
    const struct tfhe_params *params;
    struct shortint_client_key *compute;
    struct compression_private_key *compression;
    struct sns_private_key *sns;
    struct snscomp_private_key *sns_compression;
};

int keyset_client_new(struct keyset_client **out, const struct keyset *ks) KMS_MUST_CHECK;
void keyset_client_free(struct keyset_client *c);

/* ---- self-check (keyset_check.c) ---- */

struct keyset_check_report {
    u128 max_abs_noise; /* largest |e| */
    size_t values;      /* noise values checked */
};

/* Decrypts every ciphertext of every component with the secrets and checks
 * each noise value against its TUniform bound (selfcheck.h and the 128-bit
 * and packing-key checks here). Uses ks->std when kept, else expands one
 * component at a time. rep (may be NULL) gets one report per component.
 * KMS_EVERIFY naming the component and position on failure. */
int keyset_selfcheck(const struct keyset *ks, struct keyset_check_report rep[KEYSET_COMP_COUNT])
    KMS_MUST_CHECK;

/* The checks of the component kinds selfcheck.h lacks, usable alone. */
/* 64-bit packing KSK (packing_ks.h layout) from sk_in to glwe_sk. */
int keyset_check_packing_ksk(struct keyset_check_report *rep, const char *what,
                             const uint64_t *pksk, const struct packing_ksk_shape *s,
                             const uint64_t *sk_in, const uint64_t *glwe_sk, unsigned noise_log2)
    KMS_MUST_CHECK;
/* 128-bit packing KSK; glwe_sk is the output key (k N bits). */
int keyset_check_packing_ksk_u128(struct keyset_check_report *rep, const char *what,
                                  const u128 *pksk, const struct packing_ksk_shape *s,
                                  const u128 *sk_in, const u128 *glwe_sk, unsigned noise_log2)
    KMS_MUST_CHECK;
/* 128-bit BSK (bsk128.h layout): GGSW i of lwe_sk[i] under glwe_sk. */
int keyset_check_bsk128(struct keyset_check_report *rep, const char *what, const u128 *bsk,
                        const struct bsk_shape *s, const uint64_t *lwe_sk, const u128 *glwe_sk,
                        unsigned noise_log2) KMS_MUST_CHECK;
/* count encryptions of zero (LWE, dimension n) under sk. */
int keyset_check_lwe_zeros(struct keyset_check_report *rep, const char *what,
                           const uint64_t *cts, size_t count, const uint64_t *sk, size_t n,
                           unsigned noise_log2) KMS_MUST_CHECK;

#endif

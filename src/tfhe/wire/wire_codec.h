/* A codec that runs both ways, for objects whose every field but a few
 * (bodies, seeds, tags) follows from the parameter set: writing, each call
 * puts a field; reading, the same call reads it and checks it against the
 * value it would write, naming the field when they differ. Writer and
 * reader of an object are then one function and cannot drift apart.
 * Internal to the wire layer. */
#ifndef CKMS_TFHE_WIRE_CODEC_H
#define CKMS_TFHE_WIRE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/reader.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_params.h"

/* tfhe-rs's public domain separator "TFHE_GEN" (CompressedXofKeySet::generate). */
extern const uint8_t wire_public_dsep[8];

struct kc {
    /* exactly one of s and r */
    struct wire_sink *s; /* writing */
    struct reader *r;    /* reading */
    const struct tfhe_params *p;
    /* writing: the source; reading: the seeds and views found */
    const struct keyset_public *pub;
    struct wire_cseed *seed; /* KEYSET_COMP_COUNT entries */
    const uint8_t *view[KEYSET_COMP_COUNT];
    const uint8_t *tag;
    size_t tag_len;
    const uint8_t *xof; /* reading: the XofKeySet's seed bytes (after the separator) */
    size_t xof_len;
};

/* 0 or the error: the sink's sticky error when writing. */
int kc_status(const struct kc *c) KMS_MUST_CHECK;
/* A Versions index, an enum variant, a scalar newtype, an f64 newtype, a
 * u8, an Option that must be Some, a native modulus: the value given. */
int kc_version(struct kc *c, const char *what, uint32_t v) KMS_MUST_CHECK;
int kc_variant(struct kc *c, const char *what, uint32_t v) KMS_MUST_CHECK;
int kc_scalar(struct kc *c, const char *what, uint64_t v) KMS_MUST_CHECK;
int kc_f64(struct kc *c, const char *what, double v) KMS_MUST_CHECK;
int kc_u8(struct kc *c, const char *what, uint8_t v) KMS_MUST_CHECK;
int kc_some(struct kc *c, const char *what) KMS_MUST_CHECK;
int kc_modulus(struct kc *c, const char *what, unsigned bits) KMS_MUST_CHECK;
/* CompressionSeed of component comp: c->seed[comp], written or read. */
int kc_seed(struct kc *c, enum keyset_comp comp) KMS_MUST_CHECK;
/* Tag: c->pub's when writing; reading, the first tag read must match any
 * later one (a key set's halves carry the same tag). */
int kc_tag(struct kc *c, const char *what) KMS_MUST_CHECK;
/* CompactPublicKeyEncryptionParameters equal to want. */
int kc_cpk_params(struct kc *c, const struct wire_cpk_params *want) KMS_MUST_CHECK;

/* ---- pieces that the seeded and the uncompressed keys share ---- */

/* The shortint server key's closing fields: PBSOrder, message_modulus,
 * carry_modulus, max_degree, max_noise_level. */
int kc_shortint_moduli(struct kc *c, const struct tfhe_pbs_params *q) KMS_MUST_CHECK;
/* A casting key's fields after its key switching key: cast_rshift and
 * the destination key and atomic pattern. */
int kc_casting_destination(struct kc *c) KMS_MUST_CHECK;
/* A (Compressed)ModulusSwitchConfiguration's version (named what) and
 * variant; *drift is set when a drift key follows. */
int kc_ms_kind(struct kc *c, const char *what, const struct tfhe_ms_params *ms,
               int *drift) KMS_MUST_CHECK;
/* The drift key's closing ms_bound, ms_r_sigma_factor, ms_input_variance. */
int kc_ms_noise(struct kc *c, const struct tfhe_ms_params *ms) KMS_MUST_CHECK;

/* The compute bootstrapping key's shape (also the OPRF key's). */
struct bsk_shape kc_compute_bsk_shape(const struct tfhe_params *p);
/* The re-randomization CPK's parameter record: a CPK under the compute big
 * key, no casting, no proof scheme. */
void kc_rerand_cpk_params(const struct tfhe_params *p, struct wire_cpk_params *cp);

/* The parameter sets a reader tries: params alone, or when it is NULL the
 * named sets that exist; cand holds n_sets entries (at least 1). */
size_t kc_param_candidates(const struct tfhe_params **cand, const struct tfhe_params *params,
                           const char *const *sets, size_t n_sets);
/* KMS_ELIMIT when len exceeds limit. */
int kc_size_limit(size_t len, size_t limit) KMS_MUST_CHECK;

#endif

/* The uncompressed server key of TFHE-rs 1.7, "high_level_api::ServerKey":
 * what tfhe-rs's ServerKey::new(client_key) and CompressedServerKey::
 * decompress produce, with every bootstrapping key in the Fourier domain.
 * The layout, field by field, is documented in wire_server_key.c; in
 * short it is wire_keyset.h's CompressedServerKey with every seeded entity
 * replaced by its full (mask and body) form and every bootstrapping key by
 * its Fourier form (64-bit: FourierLweBootstrapKey, the c64 values of each
 * polynomial in natural order; 128-bit: Fourier128LweBootstrapKey, four
 * f64 planes of the double-double values).
 *
 * The writer expands a keyset's seeded bodies (tfhe/keyset.h) component by
 * component and streams them; bootstrapping keys are expanded and
 * transformed one GGSW at a time, so the key never exists twice (peak
 * memory: the bodies plus about 1 MiB; the default set's 2.1 GB key takes
 * about 25 s of CPU, the 128-bit planes being recomputed once per plane).
 * Fourier values are those of tfhe/fft.h's plan for the CPU (kernels may
 * differ in the last bit, as tfhe-rs's do): the same keyset gives the same
 * bytes on one machine. */
#ifndef CKMS_TFHE_WIRE_SERVER_KEY_H
#define CKMS_TFHE_WIRE_SERVER_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_keyset.h"

#define WIRE_NAME_SERVER_KEY "high_level_api::ServerKey"

/* Writes the ServerKey of a keyset's public part (every component but the
 * CPK). pub holds the bodies and the public seed, and every component's
 * masks are those of the one public stream at its first_byte: a keyset
 * from keyset_generate, or a seeded key read with replayable = 1. */
int wire_server_key_write(struct wire_sink *s, const struct keyset_public *pub) KMS_MUST_CHECK;
/* The same, polling cancel (tfhe/keyset.h; may be NULL) before every GGSW
 * of a bootstrapping key and every 1 MiB chunk of any other component:
 * KMS_EABORTED when it fires, having written a prefix of the object (the
 * caller discards it). The writer also stops at the sink's first error, so
 * a sink that fails on purpose cancels it as well. */
int wire_server_key_write_cancellable(struct wire_sink *s, const struct keyset_public *pub,
                                      const struct keyset_cancel *cancel) KMS_MUST_CHECK;

/* The same for a CompressedXofKeySet or CompressedServerKey as read, each
 * component expanded from its own CompressionSeed (as tfhe-rs's
 * CompressedServerKey::decompress does): also right for keys whose seeds
 * are not one replayable stream (tfhe-rs CompressedServerKey::new). */
int wire_server_key_write_seeded(struct wire_sink *s, const struct wire_seeded_keyset *k)
    KMS_MUST_CHECK;

/* Up to four data vectors of one component (Fourier128 keys have four). */
#define WIRE_SK_MAX_VECS 4

/* A 64-bit Fourier BSK's one vector is its polynomial list as serialized
 * (per polynomial: u64 N/2, then N/2 (re, im) f64 pairs); a Fourier128
 * BSK's four are data_re0, data_re1, data_im0, data_im1; any other
 * component's one is its data Vec (u64 or u128 words). */
struct wire_sk_vec {
    const uint8_t *p; /* little-endian words, in the bytes read (unaligned) */
    size_t n;         /* 8-byte words (16-byte for u128 data) */
};

/* A ServerKey as read: checked field by field against a parameter set.
 * The data vectors are views into the bytes given to the reader, which
 * must stay alive and unchanged while k is used. */
struct wire_server_key {
    const struct tfhe_params *params;
    unsigned present;             /* bit c (enum keyset_comp): component c is in the key */
    uint64_t comp_bytes[KEYSET_COMP_COUNT]; /* bytes of each component's data vectors */
    uint64_t total_bytes;         /* the whole object, header included */
    uint8_t *tag;                 /* malloc, NULL when empty */
    size_t tag_len;
    struct wire_sk_vec vec[KEYSET_COMP_COUNT][WIRE_SK_MAX_VECS];
};

void wire_server_key_clear(struct wire_server_key *k);

/* Reads a ServerKey of at most size_limit bytes made with params (NULL:
 * whichever library set fits: default, test, or message_2_carry_2 for a
 * compute-only key). Optional parts may be absent (present bits clear),
 * as in keys tfhe-rs makes from smaller configs. out is zeroed on
 * failure. */
int wire_server_key_read(struct wire_server_key *out, const uint8_t *bytes, size_t len,
                         size_t size_limit, const struct tfhe_params *params) KMS_MUST_CHECK;

/* Writes what wire_server_key_read read, as it was (the same bytes). */
int wire_server_key_write_read(struct wire_sink *s, const struct wire_server_key *k)
    KMS_MUST_CHECK;

#endif

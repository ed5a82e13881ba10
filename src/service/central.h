/* The centralized engine: one party holds the whole FHE key (the
 * reference's CentralizedKms, engine/centralized/). It generates keysets,
 * publishes their public parts, keeps the client keys in the private vault
 * and decrypts with them. Requests, ids, registries and admission are the
 * caller's business (service/kms_service.h); everything here is plain C in
 * and out.
 *
 * Storage layout (as the reference at HEAD):
 *   PUB/PublicKey/<key_id>                CompactPublicKey (TFHE-rs bytes)
 *   PUB/CompressedXofKeySet/<key_id>      CompressedAll (the default)
 *   PUB/ServerKey/<key_id>                CompressedNone
 *   PRIV/FhePrivateKey/<epoch>/<key_id>   keygen_record.h: the signed record
 *                                         and the TFHE-rs ClientKey
 * Keys live in the default epoch (08 00…00 01) unless a request names
 * another one. Key digests are SHAKE256("PDAT_KEY" ‖ object bytes)[..32].
 *
 * Thread safety: every function may be called from any thread at any time;
 * decryption runs concurrently with itself and with key generation. Loaded
 * client keys are cached in memory for the life of the engine (they are
 * secret: wiped on free). */
#ifndef CKMS_SERVICE_CENTRAL_H
#define CKMS_SERVICE_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/eip712.h"
#include "service/keygen_record.h"
#include "service/node_key.h"
#include "store/vault.h"
#include "tfhe/params.h"

struct central;

struct central_config {
    struct vault *pub, *priv;   /* borrowed; must outlive the engine */
    const struct node_key *key; /* borrowed */
    /* Check at start that every stored key's public objects hash to the
     * digests it was signed with (the reference's boot-time check). */
    int verify_public;
};

/* Calls fn for the record of every key found at start (fn may keep
 * nothing it points to). */
typedef int central_key_fn(void *ctx, const struct keygen_record *r);

/* Opens the engine: loads every key of the default epoch into memory,
 * checks it (see verify_public) and reports it to fn (may be NULL). A key
 * that cannot be read or checked stops the start (the operator must look). */
int central_new(struct central **out, const struct central_config *cfg, central_key_fn *fn,
                void *ctx) KMS_MUST_CHECK;
void central_free(struct central *c);

/* The default epoch as a 32-byte id. */
extern const uint8_t central_default_epoch[32];

/* ---- key material ---- */

/* 1 if FhePrivateKey/<epoch>/<key_id> exists, 0 if not, negative on error. */
int central_key_exists(struct central *c, const uint8_t key_id[32], const uint8_t epoch[32])
    KMS_MUST_CHECK;
/* Ids of the stored keys over every epoch, sorted, without duplicates. */
int central_list_keys(struct central *c, struct vault_ids *out) KMS_MUST_CHECK;

/* ---- key generation ---- */

/* Asked with commit = 0 between the steps of a key generation and all
 * through the long ones (before every GGSW or key row the keyset
 * generation and the ServerKey writer make, and every 1 MiB streamed to a
 * vault: thousands of times, from the generating thread, so it must be
 * cheap, e.g. an atomic load), and once just before the private key is
 * written (commit = 1). Non-zero stops the generation within one such unit
 * of work (milliseconds): it then removes what it stored and fails with
 * KMS_EABORTED. A zero answer to commit = 1 means the key is being
 * committed. */
typedef int central_stop_fn(void *ctx, int commit);

struct central_keygen_req {
    uint8_t key_id[32];
    uint8_t preproc_id[32];
    const struct tfhe_params *params;
    int32_t params_value; /* FheParameter, recorded */
    int compressed;       /* 1: CompressedAll, 0: CompressedNone */
    const struct eip712_domain *domain;
    const uint8_t *extra;
    size_t extra_len;
    const int32_t *schemes; /* recorded: which signatures[] entries the result carries */
    size_t n_schemes;
    central_stop_fn *stop; /* may be NULL */
    void *stop_ctx;
};

/* Generates a keyset from a fresh seed, tags it with the key id, stores the
 * public objects and then the private one, and signs KeygenVerification
 * under the request's domain. On success out holds the record (clear it).
 * On any failure nothing it stored remains, and nothing stored before is
 * touched. KMS_EEXIST when an object of this key id exists already. */
int central_keygen(struct central *c, struct keygen_record *out,
                   const struct central_keygen_req *req) KMS_MUST_CHECK;

/* ---- decryption ---- */

struct central_ct {
    const uint8_t *bytes;
    size_t len;
    int32_t fhe_type;
    int32_t format; /* CiphertextFormat */
};

/* Decrypts n ciphertexts with the key's client key (loaded once, then
 * cached): plaintext i (tfhe_decrypt_plaintext_len(fhe_type) little-endian
 * bytes) goes to out right after plaintext i - 1; out_len must be their
 * total. KMS_ENOTFOUND for an unknown key; KMS_EINVAL for a ciphertext that
 * does not parse or is not of its fhe_type and format (the message names
 * its index). out is wiped on failure. */
int central_decrypt(struct central *c, const uint8_t key_id[32], const uint8_t epoch[32],
                    const struct central_ct *cts, size_t n, uint8_t *out, size_t out_len)
    KMS_MUST_CHECK;

/* Keys held in memory (metrics). */
size_t central_cached_keys(struct central *c);

#endif

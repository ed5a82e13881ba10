/* Internal to the centralized engine (central.c, central_keygen.c). */
#ifndef CKMS_SERVICE_CENTRAL_IMPL_H
#define CKMS_SERVICE_CENTRAL_IMPL_H

#include <pthread.h>

#include "service/central.h"
#include "tfhe/decrypt.h"
#include "tfhe/wire/wire_client_key.h"

struct central_scratch {
    struct central_scratch *next;
    struct tfhe_decrypt_scratch *sc;
};

/* One client key in memory, with the decryption keys built from it. */
struct central_key {
    struct central_key *next;
    uint8_t key_id[32];
    uint8_t epoch[32];
    struct wire_client_key ck;
    struct shortint_client_key *compute;
    struct compression_private_key *compression;
    struct sns_private_key *sns;
    struct snscomp_private_key *sns_compression;
    struct tfhe_decrypt_keys dk;
    pthread_mutex_t scratch_lock;
    struct central_scratch *scratch; /* free scratches */
};

struct central {
    struct vault *pub, *priv;
    const struct node_key *key;
    pthread_rwlock_t keys_lock; /* guards the list; entries never leave it */
    struct central_key *keys;
    size_t n_keys;
    pthread_mutex_t load_lock; /* one key load at a time */
};

/* The hex form of a 32-byte id (never all zero here). */
void central_hex(char out[VAULT_ID_BUF], const uint8_t id[32]);

/* Builds a cache entry from a client key's bytes (checks its tag is the
 * key id). Free with central_key_free. */
int central_key_from_bytes(struct central_key **out, const uint8_t key_id[32],
                           const uint8_t epoch[32], const uint8_t *ck, size_t ck_len)
    KMS_MUST_CHECK;
void central_key_free(struct central_key *k);
/* Adds k to the cache (or frees it when another thread was first). */
void central_key_insert(struct central *c, struct central_key *k);

#endif

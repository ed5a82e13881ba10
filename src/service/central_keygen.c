/* Key generation of the centralized engine (central.h): the reference's
 * generate_fhe_keys / generate_uncompressed_fhe_keys, streamed to the
 * vaults.
 *
 * Order of the writes: the main public object (CompressedXofKeySet or
 * ServerKey), the PublicKey, then the private object. The private object
 * is what makes a key exist (central_key_exists, the start-up load), so a
 * crash before it leaves at worst orphaned public objects that a retry
 * with the same id refuses (KMS_EEXIST) rather than silently replaces.
 *
 * The stop callback is polled inside every long step too (the keyset
 * generation and the ServerKey writer through their cancellation hooks,
 * the vault streams every KEYGEN_STOP_EVERY bytes), so an abort or a
 * shutdown does not wait for the end of a step (up to ~50 s with the
 * default set). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/secmem.h"
#include "crypto/dsep.h"
#include "crypto/entropy.h"
#include "crypto/kms_eip712.h"
#include "service/central_impl.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_params.h"
#include "tfhe/wire/wire_server_key.h"

/* tfhe-rs safe_serialize limit the reference hashes and stores with
 * (threshold-hashing SAFE_SER_SIZE_LIMIT). */
#define KEYGEN_SER_LIMIT ((uint64_t)2 << 30)
/* The reference's seed: a tfhe Seed (u128), little-endian. */
#define KEYGEN_SEED_BYTES 16
#define KEYGEN_SECURITY_BITS 128
#define KEYGEN_MAX_NORM_HWT 1.0
/* Bytes streamed to a vault between two polls of the stop callback: a
 * slow disk then delays an abort by at most this much writing. */
#define KEYGEN_STOP_EVERY ((uint64_t)1 << 20)

/* The objects one generation writes, for the clean-up. */
struct keygen_job {
    struct central *c;
    const struct central_keygen_req *req;
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    const char *written_pub[2];
    size_t n_written_pub;
};

/* ---- stopping ---- */

static int stopped(const struct central_keygen_req *req, int commit)
{
    if (req->stop == NULL || req->stop(req->stop_ctx, commit) == 0)
        return 0;
    return kms_err(KMS_EABORTED, "key generation aborted");
}

/* The stop callback as the TFHE engine's cancellation hook. */
static int stop_poll(void *ctx)
{
    const struct central_keygen_req *req = ctx;
    return req->stop(req->stop_ctx, 0);
}

static struct keyset_cancel cancel_of(const struct central_keygen_req *req)
{
    struct keyset_cancel k = {req->stop != NULL ? stop_poll : NULL, (void *)req};
    return k;
}

/* ---- streaming one public object ---- */

struct pub_stream {
    struct vault_writer *w;
    struct dsep_ctx h;
    const struct central_keygen_req *req;
    uint64_t unpolled; /* bytes written since the last poll */
};

/* The sink's first error ends the object's writer, so a stop here ends
 * the whole step. */
static int pub_stream_write(void *ctx, const void *p, size_t n)
{
    struct pub_stream *s = ctx;
    if (s->unpolled >= KEYGEN_STOP_EVERY) {
        s->unpolled = 0;
        KMS_TRY(stopped(s->req, 0));
    }
    KMS_TRY(vault_writer_write(s->w, p, n));
    s->unpolled += n;
    dsep_absorb(&s->h, p, n);
    return 0;
}

typedef int object_writer_fn(struct wire_sink *s, const struct keyset *ks,
                             const struct keyset_cancel *cancel);

static int write_xof_keyset(struct wire_sink *s, const struct keyset *ks,
                            const struct keyset_cancel *cancel)
{
    (void)cancel; /* bodies only: the sink's polls suffice */
    return wire_xof_keyset_write(s, &ks->pub);
}

static int write_server_key(struct wire_sink *s, const struct keyset *ks,
                            const struct keyset_cancel *cancel)
{
    return wire_server_key_write_cancellable(s, &ks->pub, cancel);
}

/* The CompactPublicKey: the CPK component expanded from its seed (it is
 * the first of the public stream, so this replays only its own masks). */
static int write_public_key(struct wire_sink *s, const struct keyset *ks,
                            const struct keyset_cancel *cancel)
{
    (void)cancel; /* one small component */
    const struct keyset_public *pub = &ks->pub;
    const struct keyset_layout *l = &pub->comp[KEYSET_CPK].layout;
    size_t words = keyset_layout_words(l);
    uint64_t *pk = malloc(words * sizeof *pk);
    if (pk == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for the public key");
    struct wire_cpk_params params;
    struct wire_ksk_params casting;
    struct wire_rerand_params rerand;
    wire_params_kms_cpk(pub->params, &params, &casting, &rerand);
    int rc = keyset_expand_component(pub, KEYSET_CPK, pk, words);
    if (rc == 0)
        rc = wire_cpk_write(s, &params, pk, words, pub->tag, pub->tag_len);
    free(pk);
    return rc;
}

/* Streams one object to PUB/<type>/<id>, hashing it on the way. */
static int store_public(struct keygen_job *j, struct keygen_digest *d, uint32_t type,
                        object_writer_fn *put, const struct keyset *ks)
{
    const char *name = keygen_pub_type_name(type);
    struct pub_stream ps = {.req = j->req};
    int rc = vault_writer_open(j->c->pub, &ps.w, VAULT_ADDR(name, j->id));
    if (rc == KMS_EEXIST)
        return kms_err(KMS_EEXIST, "key %s: %s exists already", j->id, name);
    if (rc < 0)
        return kms_err_wrap(rc, name);
    dsep_init(&ps.h, DSEP_PDAT_KEY);
    struct wire_sink sink;
    wire_sink_init(&sink, pub_stream_write, &ps, KEYGEN_SER_LIMIT);
    struct keyset_cancel cancel = cancel_of(j->req);
    rc = put(&sink, ks, &cancel);
    if (rc == 0)
        rc = wire_sink_status(&sink);
    if (rc < 0) {
        vault_writer_abort(ps.w);
        return kms_err_wrap(rc, name);
    }
    rc = vault_writer_commit(ps.w);
    if (rc == KMS_EEXIST)
        return kms_err(KMS_EEXIST, "key %s: %s was stored meanwhile", j->id, name);
    if (rc < 0)
        return kms_err_wrap(rc, name);
    j->written_pub[j->n_written_pub++] = name;
    d->type = type;
    dsep_squeeze(&ps.h, d->digest, sizeof d->digest);
    return 0;
}

/* Removes what this generation published (never anything else). */
static void undo(struct keygen_job *j)
{
    if (vault_purge(j->c->pub, j->id, NULL, j->written_pub, j->n_written_pub) < 0)
        log_error("keygen clean-up failed", "key_id=%s error=\"%s\"", j->id, kms_err_msg());
    j->n_written_pub = 0;
}

/* ---- checks ---- */

static int check_req(const struct central_keygen_req *req, char id[VAULT_ID_BUF])
{
    if (req == NULL || req->params == NULL || req->domain == NULL)
        return kms_err(KMS_EINVAL, "keygen: missing parameters or EIP-712 domain");
    if (vault_id_from_bytes(id, req->key_id) != 0)
        return kms_err(KMS_EINVAL, "keygen: the key id must not be all zero");
    if (req->extra_len > KEYGEN_RECORD_MAX_EXTRA || (req->extra == NULL && req->extra_len > 0))
        return kms_err(KMS_EINVAL, "keygen: extra_data of %zu bytes", req->extra_len);
    if (req->n_schemes > KEYGEN_RECORD_MAX_SCHEMES || (req->schemes == NULL && req->n_schemes))
        return kms_err(KMS_EINVAL, "keygen: %zu signing schemes", req->n_schemes);
    return 0;
}

/* KMS_EEXIST if any object this generation would write is there. */
static int check_free(struct keygen_job *j)
{
    static const uint32_t types[] = {KEYGEN_PUB_SERVER_KEY, KEYGEN_PUB_PUBLIC_KEY,
                                     KEYGEN_PUB_COMPRESSED_XOF_KEYSET};
    int rc = vault_exists(j->c->priv, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, j->ep, j->id));
    if (rc > 0)
        return kms_err(KMS_EEXIST, "key %s exists already", j->id);
    for (size_t i = 0; rc == 0 && i < sizeof types / sizeof types[0]; i++) {
        const char *name = keygen_pub_type_name(types[i]);
        rc = vault_exists(j->c->pub, VAULT_ADDR(name, j->id));
        if (rc > 0)
            return kms_err(KMS_EEXIST, "key %s: the public vault already holds %s/%s", j->id,
                           name, j->id);
    }
    return rc < 0 ? kms_err_wrap(rc, "keygen: looking for existing objects") : 0;
}

/* ---- steps ---- */

static int generate(struct keyset **ks, const struct central_keygen_req *req)
{
    uint8_t seed[KEYGEN_SEED_BYTES];
    struct keyset_cancel cancel = cancel_of(req);
    int rc = entropy_fill(seed, sizeof seed);
    if (rc == 0)
        rc = keyset_generate_cancellable(ks, req->params, seed, sizeof seed, req->key_id, 32,
                                         KEYGEN_SECURITY_BITS, KEYGEN_MAX_NORM_HWT, 0, &cancel);
    secmem_wipe(seed, sizeof seed);
    return rc < 0 ? kms_err_wrap(rc, "keygen: generating the keyset") : 0;
}

/* The public objects, digests in KeyGenResult order (sorted by type:
 * [ServerKey, PublicKey] or [PublicKey, CompressedXofKeySet]). */
static int publish(struct keygen_job *j, struct keygen_record *r, const struct keyset *ks)
{
    const struct central_keygen_req *req = j->req;
    struct keygen_digest *main_d, *pk_d;
    uint32_t main_type;
    object_writer_fn *main_write;
    if (req->compressed) {
        pk_d = &r->digests[0];
        main_d = &r->digests[1];
        main_type = KEYGEN_PUB_COMPRESSED_XOF_KEYSET;
        main_write = write_xof_keyset;
    } else {
        main_d = &r->digests[0];
        pk_d = &r->digests[1];
        main_type = KEYGEN_PUB_SERVER_KEY;
        main_write = write_server_key;
    }
    KMS_TRY(store_public(j, main_d, main_type, main_write, ks));
    KMS_TRY(stopped(req, 0));
    KMS_TRY(store_public(j, pk_d, KEYGEN_PUB_PUBLIC_KEY, write_public_key, ks));
    r->n_digests = 2;
    return stopped(req, 0);
}

/* KeygenVerification under the request's domain. */
static int sign(struct central *c, struct keygen_record *r, const struct central_keygen_req *req)
{
    struct kms_eip712_key_digest kd[KEYGEN_RECORD_MAX_DIGESTS];
    for (size_t i = 0; i < r->n_digests; i++) {
        int t = keygen_pub_type_eip712(r->digests[i].type);
        if (t < 0)
            return kms_err(KMS_EINTERNAL, "keygen: digest type %u", r->digests[i].type);
        kd[i] = (struct kms_eip712_key_digest){(uint8_t)t, r->digests[i].digest, 32};
    }
    uint8_t h[32];
    kms_eip712_keygen(h, r->preproc_id, r->key_id, kd, r->n_digests, req->extra, req->extra_len);
    int rc = kms_eip712_sign(r->external_signature, NULL, c->key->sk, req->domain, h);
    return rc < 0 ? kms_err_wrap(rc, "keygen: signing the result") : 0;
}

static int fill_record(struct keygen_record *r, const struct central_keygen_req *req)
{
    memset(r, 0, sizeof *r);
    memcpy(r->key_id, req->key_id, 32);
    memcpy(r->preproc_id, req->preproc_id, 32);
    r->params = req->params_value;
    r->compression = req->compressed ? 0 : 1; /* CompressedKeyConfig */
    r->n_schemes = req->n_schemes;
    if (req->n_schemes > 0)
        memcpy(r->schemes, req->schemes, req->n_schemes * sizeof *req->schemes);
    if (req->extra_len > 0) {
        if ((r->extra = malloc(req->extra_len)) == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        memcpy(r->extra, req->extra, req->extra_len);
        r->extra_len = req->extra_len;
    }
    return 0;
}

/* The client key's bytes into a secret buffer. */
static int client_key_bytes(struct buf *out, const struct keyset *ks)
{
    struct wire_client_key ck;
    KMS_TRY(wire_client_key_from_keyset(&ck, ks));
    struct wire_sink s;
    wire_sink_buf(&s, out, KEYGEN_SER_LIMIT);
    int rc = wire_client_key_write(&s, &ck);
    if (rc == 0)
        rc = wire_sink_status(&s);
    wire_client_key_clear(&ck);
    return rc < 0 ? kms_err_wrap(rc, "keygen: serializing the client key") : 0;
}

/* The private object, after a last chance to stop; then the cache. */
static int commit_private(struct keygen_job *j, const struct keygen_record *r,
                          const struct buf *ck)
{
    struct buf obj;
    buf_init_secret(&obj, BUF_UNLIMITED);
    keygen_record_encode(&obj, r, ck->data, ck->len);
    int rc = buf_status(&obj);
    if (rc == 0)
        rc = stopped(j->req, 1);
    if (rc == 0) {
        rc = vault_store(j->c->priv, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, j->ep, j->id),
                         obj.data, obj.len);
        if (rc == KMS_EEXIST)
            rc = kms_err(KMS_EEXIST, "key %s was stored meanwhile", j->id);
        else if (rc < 0)
            rc = kms_err_wrap(rc, "keygen: storing the private key");
    }
    buf_free(&obj);
    return rc;
}

/* The new key straight into the cache (best effort: a failure only means
 * the first decryption loads it from the vault). */
static void cache(struct central *c, const struct central_keygen_req *req, const struct buf *ck)
{
    struct central_key *k;
    if (central_key_from_bytes(&k, req->key_id, central_default_epoch, ck->data, ck->len) == 0)
        central_key_insert(c, k);
    else
        log_warn("keygen: new key not cached", "error=\"%s\"", kms_err_msg());
}

int central_keygen(struct central *c, struct keygen_record *out,
                   const struct central_keygen_req *req)
{
    memset(out, 0, sizeof *out);
    struct keygen_job j = {.c = c, .req = req};
    KMS_TRY(check_req(req, j.id));
    central_hex(j.ep, central_default_epoch);
    KMS_TRY(check_free(&j));
    KMS_TRY(stopped(req, 0));

    uint64_t t0 = clock_now_ms();
    struct keyset *ks = NULL;
    struct keygen_record r;
    struct buf ck;
    buf_init_secret(&ck, BUF_UNLIMITED);
    int rc = fill_record(&r, req);
    if (rc == 0)
        rc = generate(&ks, req);
    if (rc == 0)
        rc = stopped(req, 0);
    if (rc == 0)
        rc = publish(&j, &r, ks);
    if (rc == 0)
        rc = client_key_bytes(&ck, ks);
    keyset_free(ks);
    if (rc == 0)
        rc = sign(c, &r, req);
    if (rc == 0)
        rc = commit_private(&j, &r, &ck);
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", kms_err_msg());
        undo(&j);
        keygen_record_clear(&r);
        buf_free(&ck);
        return kms_err(rc, "%s", msg);
    }
    cache(c, req, &ck);
    buf_free(&ck);
    log_info("key generated", "key_id=%s params=%s compressed=%d ms=%llu", j.id,
             req->params->name, req->compressed,
             (unsigned long long)(clock_now_ms() - t0));
    *out = r;
    return 0;
}

/* The centralized engine (service/central.h) with the insecure "test"
 * parameter set, on memory vaults, a failing vault wrapper and file vaults
 * (the private one encrypted) in a temporary directory:
 *   - keygen, CompressedAll and CompressedNone: the objects of the
 *     reference's layout are there, their SHAKE256("PDAT_KEY" ‖ bytes)
 *     digests (recomputed with keccak.h) are the record's, in KeyGenResult
 *     order, every object is tagged with the key id, and the EIP-712
 *     KeygenVerification signature recovers to the node's address;
 *   - decryption of Bool, Uint8 and Uint64 in the four ciphertext formats,
 *     encrypted with the client key from the private vault and the server
 *     keys decompressed from the published keyset; errors for unknown keys
 *     and garbage ciphertexts;
 *   - never overwriting: a second keygen with the same id (or an id whose
 *     public object alone exists) is KMS_EEXIST and changes no byte;
 *   - abort through the stop callback, which is polled all through the
 *     long steps (keyset chunks, ServerKey GGSWs and MiBs, vault streams):
 *     at the first polls, spread ones and each of the last 40, for both
 *     kinds of keys, landing in each phase (told by the message); and
 *     failures injected at every write, commit and open: nothing of the
 *     key remains, an earlier key is untouched and still decrypts, and the
 *     id can be used again;
 *   - restart on file vaults: the key is loaded, reported and decrypts; a
 *     corrupted or missing public object stops a verifying start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "central_test_util.h"
#include "failing_vault.h"

/* ---- fixtures ---- */

struct fix {
    struct vault *pub, *priv;
    struct node_key *key;
    struct central *c;
    struct eip712_domain domain;
};

static void fix_open(struct fix *f, struct vault *pub, struct vault *priv, int verify)
{
    f->pub = pub;
    f->priv = priv;
    struct central_config cfg = {pub, priv, f->key, verify};
    if (central_new(&f->c, &cfg, NULL, NULL) != 0)
        fail_msg("central_new: %s", kms_err_msg());
}

static void fix_new_mem(struct fix *f)
{
    memset(f, 0, sizeof *f);
    struct vault *pub, *priv;
    assert_int_equal(vault_mem_open(&pub, "PUB", 0), 0);
    assert_int_equal(vault_mem_open(&priv, "PRIV", VAULT_F_PRIVATE), 0);
    assert_int_equal(node_key_generate(&f->key), 0);
    f->domain = ct_domain();
    fix_open(f, pub, priv, 1);
}

static void fix_free(struct fix *f)
{
    central_free(f->c);
    vault_free(f->pub);
    vault_free(f->priv);
    node_key_free(f->key);
}

static const uint8_t extra_v2[65] = {2, 7, [31] = 1, [32] = 8, [64] = 1};

struct stop_ctx {
    int calls, commits, stop_at; /* stop at call number stop_at (1-based), 0: never */
};

static int stop_cb(void *ctx, int commit)
{
    struct stop_ctx *s = ctx;
    s->calls++;
    s->commits += commit;
    return s->stop_at != 0 && s->calls == s->stop_at;
}

static struct central_keygen_req req_for(const struct fix *f, const uint8_t key_id[32],
                                         int compressed, struct stop_ctx *stop)
{
    static const int32_t schemes[] = {0};
    struct central_keygen_req r = {
        .params = ct_params("test"),
        .params_value = 1,
        .compressed = compressed,
        .domain = &f->domain,
        .extra = extra_v2,
        .extra_len = sizeof extra_v2,
        .schemes = schemes,
        .n_schemes = 1,
        .stop = stop != NULL ? stop_cb : NULL,
        .stop_ctx = stop,
    };
    memcpy(r.key_id, key_id, 32);
    ct_id(r.preproc_id, 0x70);
    return r;
}

static void keygen_ok(struct fix *f, struct keygen_record *rec, const uint8_t key_id[32],
                      int compressed)
{
    struct central_keygen_req req = req_for(f, key_id, compressed, NULL);
    if (central_keygen(f->c, rec, &req) != 0)
        fail_msg("central_keygen: %s", kms_err_msg());
}

/* A key made for its side effects (the record is not looked at). */
static void keygen_done(struct fix *f, const uint8_t key_id[32], int compressed)
{
    struct keygen_record rec;
    keygen_ok(f, &rec, key_id, compressed);
    keygen_record_clear(&rec);
}

/* A memory fixture holding one compressed key, of id ct_id(salt). */
static void fix_new_with_key(struct fix *f, uint8_t key_id[32], uint8_t salt)
{
    fix_new_mem(f);
    ct_id(key_id, salt);
    keygen_done(f, key_id, 1);
}

/* Every object any keygen could leave for id, in both vaults. */
static size_t objects_of(struct fix *f, const uint8_t key_id[32])
{
    static const char *const pub_types[] = {VAULT_PUB_SERVER_KEY, VAULT_PUB_PUBLIC_KEY,
                                            VAULT_PUB_COMPRESSED_XOF_KEYSET};
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    ct_hex(id, key_id);
    ct_hex(ep, central_default_epoch);
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        int rc = vault_exists(f->pub, VAULT_ADDR(pub_types[i], id));
        assert_true(rc >= 0);
        n += (size_t)rc;
    }
    int rc = vault_exists(f->priv, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id));
    assert_true(rc >= 0);
    return n + (size_t)rc;
}

/* Copies of a key's three objects, to compare later. */
struct snapshot {
    uint8_t *obj[3];
    size_t len[3];
};

static void snapshot_take(struct snapshot *s, struct fix *f, const uint8_t key_id[32])
{
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    ct_hex(id, key_id);
    ct_hex(ep, central_default_epoch);
    s->obj[0] = ct_read(f->pub, &s->len[0], VAULT_PUB_PUBLIC_KEY, NULL, id);
    s->obj[1] = ct_read(f->pub, &s->len[1], VAULT_PUB_COMPRESSED_XOF_KEYSET, NULL, id);
    s->obj[2] = ct_read(f->priv, &s->len[2], VAULT_PRIV_FHE_PRIVATE_KEY, ep, id);
    for (int i = 0; i < 3; i++)
        assert_non_null(s->obj[i]);
}

static void snapshot_same(const struct snapshot *s, struct fix *f, const uint8_t key_id[32])
{
    struct snapshot now;
    snapshot_take(&now, f, key_id);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(now.len[i], s->len[i]);
        assert_memory_equal(now.obj[i], s->obj[i], s->len[i]);
        free(now.obj[i]);
    }
}

static void snapshot_free(struct snapshot *s)
{
    for (int i = 0; i < 3; i++)
        free(s->obj[i]);
}

static const int32_t all_formats[] = {TFHE_CT_SMALL_EXPANDED, TFHE_CT_SMALL_COMPRESSED,
                                      TFHE_CT_BIG_EXPANDED, TFHE_CT_BIG_COMPRESSED};

static void decrypts(struct fix *f, const uint8_t key_id[32])
{
    struct ct_env e;
    ct_env_new(&e, f->pub, f->priv, key_id);
    ct_decrypt_check(f->c, &e, key_id, all_formats, 4);
    ct_env_free(&e);
}

/* ---- tests ---- */

/* A new key's record and the public objects it names (ct_check_public). */
static void check_record(const struct fix *f, const struct keygen_record *rec,
                         const uint8_t key_id[32], int compressed)
{
    uint8_t preproc[32], addr[ETHADDR_BYTES];
    ct_id(preproc, 0x70);
    assert_memory_equal(rec->key_id, key_id, 32);
    assert_memory_equal(rec->preproc_id, preproc, 32);
    assert_int_equal(rec->params, 1);
    assert_int_equal(rec->compression, compressed ? 0 : 1);
    assert_int_equal(rec->n_schemes, 1);
    assert_int_equal(rec->extra_len, sizeof extra_v2);
    assert_memory_equal(rec->extra, extra_v2, sizeof extra_v2);
    ct_recover(addr, rec, &f->domain);
    assert_memory_equal(addr, f->key->address, ETHADDR_BYTES);
    ct_check_public(f->pub, rec, compressed);
}

static void test_keygen_compressed(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    uint8_t id[32];
    ct_id(id, 1);
    assert_int_equal(central_key_exists(f.c, id, central_default_epoch), 0);
    struct keygen_record rec;
    keygen_ok(&f, &rec, id, 1);
    check_record(&f, &rec, id, 1);
    /* the CompactPublicKey is tagged with the key id */
    char hid[VAULT_ID_BUF];
    ct_hex(hid, id);
    size_t len;
    uint8_t *pk = ct_read(f.pub, &len, VAULT_PUB_PUBLIC_KEY, NULL, hid);
    struct wire_cpk cpk;
    assert_int_equal(wire_cpk_read(&cpk, pk, len, len), 0);
    assert_int_equal(cpk.tag_len, 32);
    assert_memory_equal(cpk.tag, id, 32);
    wire_cpk_clear(&cpk);
    free(pk);
    /* the stored record is the returned one */
    char ep[VAULT_ID_BUF];
    ct_hex(ep, central_default_epoch);
    uint8_t *obj = ct_read(f.priv, &len, VAULT_PRIV_FHE_PRIVATE_KEY, ep, hid);
    struct keygen_record back;
    const uint8_t *ck;
    size_t ck_len;
    assert_int_equal(keygen_record_decode(&back, &ck, &ck_len, obj, len), 0);
    assert_memory_equal(back.external_signature, rec.external_signature, 65);
    assert_memory_equal(back.digests, rec.digests, sizeof rec.digests);
    keygen_record_clear(&back);
    free(obj);

    assert_int_equal(central_key_exists(f.c, id, central_default_epoch), 1);
    assert_int_equal(central_cached_keys(f.c), 1);
    struct vault_ids ids;
    assert_int_equal(central_list_keys(f.c, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.id[0], hid);
    vault_ids_free(&ids);
    decrypts(&f, id);
    keygen_record_clear(&rec);
    fix_free(&f);
}

static void test_keygen_uncompressed(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    uint8_t id[32];
    ct_id(id, 2);
    struct keygen_record rec;
    keygen_ok(&f, &rec, id, 0);
    check_record(&f, &rec, id, 0);
    char hid[VAULT_ID_BUF];
    ct_hex(hid, id);
    size_t len;
    uint8_t *obj = ct_read(f.pub, &len, VAULT_PUB_SERVER_KEY, NULL, hid);
    struct wire_server_key sk;
    if (wire_server_key_read(&sk, obj, len, len, ct_params("test")) != 0)
        fail_msg("ServerKey: %s", kms_err_msg());
    assert_int_equal(sk.tag_len, 32);
    assert_memory_equal(sk.tag, id, 32);
    wire_server_key_clear(&sk);
    free(obj);
    /* no published compressed keyset: expanded ciphertexts under the client key */
    struct ct_env e;
    ct_env_new(&e, f.pub, f.priv, id);
    assert_null(e.s);
    const int32_t small[] = {TFHE_CT_SMALL_EXPANDED};
    ct_decrypt_check(f.c, &e, id, small, 1);
    ct_env_free(&e);
    keygen_record_clear(&rec);
    fix_free(&f);
}

static void test_decrypt_errors(void **state)
{
    (void)state;
    struct fix f;
    uint8_t id[32], other[32];
    fix_new_with_key(&f, id, 3);
    ct_id(other, 4);
    struct ct_env e;
    ct_env_new(&e, f.pub, f.priv, id);
    static const uint8_t v8 = 9;
    struct central_ct cts[2];
    ct_make(&e, &cts[0], RADIX_UINT8, TFHE_CT_SMALL_EXPANDED, &v8);
    uint8_t garbage[40] = {1, 2, 3};
    cts[1] = (struct central_ct){garbage, sizeof garbage, RADIX_UINT8, TFHE_CT_SMALL_COMPRESSED};
    uint8_t out[2] = {0x55, 0x55};
    assert_int_equal(central_decrypt(f.c, other, central_default_epoch, cts, 1, out, 1),
                     KMS_ENOTFOUND);
    assert_int_equal(central_decrypt(f.c, id, central_default_epoch, cts, 2, out, 2), KMS_EINVAL);
    ct_msg_has("ciphertext 1 (SmallCompressed)");
    assert_int_equal(out[0], 0); /* wiped */
    /* a ciphertext of another type */
    cts[0].fhe_type = RADIX_UINT16;
    out[0] = out[1] = 0x55;
    assert_int_equal(central_decrypt(f.c, id, central_default_epoch, cts, 1, out, 2), KMS_EINVAL);
    ct_msg_has("ciphertext 0");
    assert_int_equal(out[0], 0); /* wiped */
    assert_int_equal(out[1], 0);
    cts[0].fhe_type = RADIX_UINT8;
    assert_int_equal(central_decrypt(f.c, id, central_default_epoch, cts, 1, out, 1), 0);
    assert_int_equal(out[0], 9);
    free((void *)cts[0].bytes);
    ct_env_free(&e);
    fix_free(&f);
}

static void test_never_overwrites(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    uint8_t id[32];
    ct_id(id, 5);
    struct keygen_record rec;
    keygen_ok(&f, &rec, id, 1);
    struct snapshot s;
    snapshot_take(&s, &f, id);
    for (int compressed = 0; compressed < 2; compressed++) {
        struct central_keygen_req req = req_for(&f, id, compressed, NULL);
        struct keygen_record again;
        assert_int_equal(central_keygen(f.c, &again, &req), KMS_EEXIST);
        snapshot_same(&s, &f, id);
    }
    assert_int_equal(objects_of(&f, id), 3);
    snapshot_free(&s);
    keygen_record_clear(&rec);

    /* a lone public object of the id is enough to refuse, and stays as it is */
    uint8_t id2[32];
    ct_id(id2, 6);
    char hid[VAULT_ID_BUF];
    ct_hex(hid, id2);
    assert_int_equal(vault_store(f.pub, VAULT_ADDR(VAULT_PUB_SERVER_KEY, hid), "x", 1), 0);
    struct central_keygen_req req = req_for(&f, id2, 1, NULL);
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EEXIST);
    ct_msg_has("ServerKey");
    assert_int_equal(objects_of(&f, id2), 1);
    size_t len;
    uint8_t *x = ct_read(f.pub, &len, VAULT_PUB_SERVER_KEY, NULL, hid);
    assert_int_equal(len, 1);
    assert_int_equal(x[0], 'x');
    free(x);
    decrypts(&f, id);
    fix_free(&f);
}

static void test_bad_requests(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    uint8_t id[32], zero[32] = {0};
    ct_id(id, 7);
    struct keygen_record rec;
    struct central_keygen_req req = req_for(&f, zero, 1, NULL);
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    req = req_for(&f, id, 1, NULL);
    req.params = NULL;
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    req = req_for(&f, id, 1, NULL);
    req.domain = NULL;
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    req = req_for(&f, id, 1, NULL);
    req.extra_len = KEYGEN_RECORD_MAX_EXTRA + 1;
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    req = req_for(&f, id, 1, NULL);
    req.n_schemes = KEYGEN_RECORD_MAX_SCHEMES + 1;
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    /* a set a keyset cannot be made of */
    req = req_for(&f, id, 1, NULL);
    req.params = ct_params("message_2_carry_2");
    assert_int_equal(central_keygen(f.c, &rec, &req), KMS_EINVAL);
    assert_int_equal(objects_of(&f, id), 0);
    assert_int_equal(central_cached_keys(f.c), 0);
    assert_int_equal(central_key_exists(f.c, zero, central_default_epoch), KMS_EINVAL);
    fix_free(&f);
}

/* Several generations of one id at once: exactly one wins, the others are
 * KMS_EEXIST, and what is stored is the winner's. */
struct race {
    struct fix *f;
    struct central_keygen_req req;
    struct keygen_record rec;
    int rc;
};

static void *race_run(void *arg)
{
    struct race *r = arg;
    r->rc = central_keygen(r->f->c, &r->rec, &r->req);
    return NULL;
}

static void test_concurrent_same_id(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    for (int round = 0; round < 4; round++) {
        uint8_t id[32];
        ct_id(id, (uint8_t)(90 + round));
        struct race r[3];
        pthread_t t[3];
        for (int i = 0; i < 3; i++) {
            r[i] = (struct race){.f = &f, .req = req_for(&f, id, 1, NULL)};
            assert_int_equal(pthread_create(&t[i], NULL, race_run, &r[i]), 0);
        }
        int winners = 0;
        for (int i = 0; i < 3; i++) {
            assert_int_equal(pthread_join(t[i], NULL), 0);
            if (r[i].rc == 0) {
                winners++;
                ct_check_public(f.pub, &r[i].rec, 1);
                keygen_record_clear(&r[i].rec);
            } else {
                assert_int_equal(r[i].rc, KMS_EEXIST);
            }
        }
        assert_int_equal(winners, 1);
        assert_int_equal(objects_of(&f, id), 3);
        decrypts(&f, id);
    }
    fix_free(&f);
}

/* Threads decrypting at once, while a key generation runs, through a key
 * that the engine first has to load from the vault (it was made by a
 * second engine on the same vaults after this one started). */
struct dec_thread {
    struct central *c;
    const uint8_t *key_id;
    const struct central_ct *cts;
    size_t n, out_len;
    const uint8_t *want;
    int bad;
};

static void *dec_run(void *arg)
{
    struct dec_thread *t = arg;
    uint8_t got[64];
    for (int i = 0; i < 8; i++)
        if (central_decrypt(t->c, t->key_id, central_default_epoch, t->cts, t->n, got,
                            t->out_len) != 0 ||
            memcmp(got, t->want, t->out_len) != 0)
            t->bad++;
    return NULL;
}

static void test_concurrent_decrypt(void **state)
{
    (void)state;
    struct fix f, other;
    fix_new_mem(&f);
    other = f;
    fix_open(&other, f.pub, f.priv, 1); /* a second engine on the same vaults */
    uint8_t id[32], id2[32];
    ct_id(id, 95);
    ct_id(id2, 96);
    keygen_done(&other, id, 1);
    assert_int_equal(central_cached_keys(f.c), 0);
    assert_int_equal(central_key_exists(f.c, id, central_default_epoch), 1);

    struct ct_env e;
    ct_env_new(&e, f.pub, f.priv, id);
    static const uint8_t v[3][8] = {{0}, {0x42}, {1, 2, 3, 4, 5, 6, 7, 8}};
    static const int32_t types[3] = {RADIX_BOOL, RADIX_UINT8, RADIX_UINT64};
    struct central_ct cts[4];
    uint8_t want[18];
    size_t off = 0;
    for (int i = 0; i < 4; i++) {
        int k = i % 3;
        ct_make(&e, &cts[i], types[k], all_formats[i], v[k]);
        size_t len = k == 2 ? 8 : 1;
        memcpy(want + off, v[k], len);
        off += len;
    }
    struct dec_thread t[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        t[i] = (struct dec_thread){f.c, id, cts, 4, off, want, 0};
        assert_int_equal(pthread_create(&th[i], NULL, dec_run, &t[i]), 0);
    }
    keygen_done(&f, id2, 1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(t[i].bad, 0);
    }
    assert_int_equal(central_cached_keys(f.c), 2);
    for (int i = 0; i < 4; i++)
        free((void *)cts[i].bytes);
    ct_env_free(&e);
    central_free(other.c);
    fix_free(&f);
}

/* The phases an abort can land in, told apart by the error message. */
enum phase { PH_KEYSET, PH_WRITER, PH_STREAM, PH_COUNT };

/* Stops the key generation of id at poll `at`: KMS_EABORTED, no further
 * poll, nothing of id left; sets the phase the message names. */
static void abort_at(struct fix *f, const uint8_t id[32], int compressed, int at,
                     int seen[PH_COUNT])
{
    struct stop_ctx stop = {.stop_at = at};
    struct central_keygen_req req = req_for(f, id, compressed, &stop);
    struct keygen_record rec;
    int rc = central_keygen(f->c, &rec, &req);
    if (rc != KMS_EABORTED)
        fail_msg("stop at %d: expected KMS_EABORTED, got %d (%s)", at, rc, kms_err_msg());
    assert_int_equal(stop.calls, at);
    const char *msg = kms_err_msg();
    seen[PH_KEYSET] |= strstr(msg, "generating the keyset: keyset: generation cancelled") != NULL;
    seen[PH_WRITER] |= strstr(msg, "ServerKey: wire: server key write cancelled") != NULL;
    seen[PH_STREAM] |= strstr(msg, "CompressedXofKeySet: key generation aborted") != NULL;
    assert_int_equal(objects_of(f, id), 0);
    assert_int_equal(central_key_exists(f->c, id, central_default_epoch), 0);
}

/* The stop callback is polled all through the long steps (each chunk of
 * the keyset, each GGSW or MiB of the ServerKey, each MiB streamed), not
 * only between them. Stops at the first polls, a few spread ones and every
 * one of the last TAIL (the end of the keyset, the writers and the
 * commit) of both kinds of keys. */
#define TAIL 40
static void test_abort(void **state)
{
    (void)state;
    struct fix f;
    uint8_t first[32], id[32];
    fix_new_with_key(&f, first, 8);
    ct_id(id, 9);
    struct snapshot s;
    snapshot_take(&s, &f, first);

    struct keygen_record rec;
    uint8_t salt = 20;
    for (int compressed = 0; compressed <= 1; compressed++) {
        /* a run that is never stopped: how often it asks, and commit once, last */
        struct stop_ctx count = {0};
        uint8_t ok_id[32];
        ct_id(ok_id, salt++);
        struct central_keygen_req req = req_for(&f, ok_id, compressed, &count);
        assert_int_equal(central_keygen(f.c, &rec, &req), 0);
        keygen_record_clear(&rec);
        int n = count.calls;
        assert_true(n > 2 * TAIL); /* far more polls than steps */
        assert_int_equal(count.commits, 1);

        int seen[PH_COUNT] = {0};
        int spread[] = {1, 2, 3, n / 4, n / 2, 3 * n / 4};
        for (size_t i = 0; i < sizeof spread / sizeof spread[0]; i++) {
            uint8_t other[32];
            ct_id(other, salt++);
            abort_at(&f, other, compressed, spread[i], seen);
        }
        for (int at = n - TAIL + 1; at <= n; at++) {
            uint8_t other[32];
            ct_id(other, salt++);
            abort_at(&f, other, compressed, at, seen);
        }
        assert_true(seen[PH_KEYSET]);
        if (compressed)
            assert_true(seen[PH_STREAM]); /* the test set's keyset is over 1 MiB */
        else
            assert_true(seen[PH_WRITER]);
    }
    snapshot_same(&s, &f, first);
    snapshot_free(&s);
    assert_int_equal(central_cached_keys(f.c), 3);
    decrypts(&f, first);
    fix_free(&f);
}

/* One injected failure: keygen fails, leaves nothing, the first key is
 * intact, and the id works afterwards. */
static void inject(struct fix *f, struct failing_vault *fp, struct failing_vault *fq,
                   const uint8_t first[32], const struct snapshot *s, uint8_t salt)
{
    uint8_t id[32];
    ct_id(id, salt);
    struct keygen_record rec;
    struct central_keygen_req req = req_for(f, id, salt % 2, NULL);
    int rc = central_keygen(f->c, &rec, &req);
    if (rc != KMS_EIO)
        fail_msg("salt %u: expected KMS_EIO, got %d (%s)", salt, rc, kms_err_msg());
    ct_msg_has("injected");
    assert_int_equal(objects_of(f, id), 0);
    snapshot_same(s, f, first);
    fp->fail_write_at = fp->fail_commit_at = fp->fail_open_at = 0;
    fq->fail_write_at = fq->fail_commit_at = fq->fail_open_at = 0;
    keygen_done(f, id, salt % 2);
    assert_int_equal(objects_of(f, id), 3);
}

static void test_failures(void **state)
{
    (void)state;
    struct fix f;
    fix_new_mem(&f);
    struct vault *mem_pub = f.pub, *mem_priv = f.priv;
    struct failing_vault *fp = failing_vault_new(mem_pub), *fq = failing_vault_new(mem_priv);
    central_free(f.c);
    fix_open(&f, &fp->base, &fq->base, 1);
    uint8_t first[32];
    ct_id(first, 40);
    keygen_done(&f, first, 1);
    struct snapshot s;
    snapshot_take(&s, &f, first);

    uint8_t salt = 41;
    static const unsigned pub_writes[] = {1, 2, 3, 50};
    for (size_t i = 0; i < sizeof pub_writes / sizeof pub_writes[0]; i++) {
        fp->fail_write_at = fp->writes + pub_writes[i];
        inject(&f, fp, fq, first, &s, salt++);
    }
    for (unsigned at = 1; at <= 2; at++) {
        fp->fail_commit_at = fp->commits + at;
        inject(&f, fp, fq, first, &s, salt++);
        fp->fail_open_at = fp->opens + at;
        inject(&f, fp, fq, first, &s, salt++);
    }
    fq->fail_write_at = fq->writes + 1;
    inject(&f, fp, fq, first, &s, salt++);
    fq->fail_commit_at = fq->commits + 1;
    inject(&f, fp, fq, first, &s, salt++);
    fq->fail_open_at = fq->opens + 1;
    inject(&f, fp, fq, first, &s, salt++);
    snapshot_free(&s);

    /* a restart sees every key that succeeded, and they decrypt */
    central_free(f.c);
    fix_open(&f, &fp->base, &fq->base, 1);
    assert_int_equal(central_cached_keys(f.c), 1 + (size_t)(salt - 41));
    decrypts(&f, first);
    central_free(f.c);
    f.c = NULL;
    vault_free(&fp->base);
    vault_free(&fq->base);
    f.pub = mem_pub;
    f.priv = mem_priv;
    fix_free(&f);
}

/* ---- file vaults ---- */

static char tmp_root[64];

static void file_vaults(struct vault **pub, struct vault **priv)
{
    static const uint8_t kek_bytes[32] = {0x4b, 0x45, 0x4b, 1, 2, 3};
    ct_file_vaults(pub, priv, tmp_root, kek_bytes);
}

struct seen {
    int n;
    struct keygen_record rec;
};

static int on_key(void *ctx, const struct keygen_record *r)
{
    struct seen *s = ctx;
    s->n++;
    memcpy(s->rec.key_id, r->key_id, 32);
    memcpy(s->rec.digests, r->digests, sizeof r->digests);
    memcpy(s->rec.external_signature, r->external_signature, 65);
    return 0;
}

static void corrupt_file(const char *path, long offset)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, offset), 1);
    b ^= 0x01;
    assert_int_equal(pwrite(fd, &b, 1, offset), 1);
    close(fd);
}

static void test_restart_file(void **state)
{
    (void)state;
    test_mkdtemp(tmp_root, sizeof tmp_root, "ckms-central");
    struct fix f;
    memset(&f, 0, sizeof f);
    assert_int_equal(node_key_generate(&f.key), 0);
    f.domain = ct_domain();
    struct vault *pub, *priv;
    file_vaults(&pub, &priv);
    fix_open(&f, pub, priv, 1);
    uint8_t id[32];
    ct_id(id, 60);
    struct keygen_record rec;
    keygen_ok(&f, &rec, id, 1);
    ct_check_public(f.pub, &rec, 1);
    /* the private object is encrypted at rest: the client key's tag (the
     * key id) does not appear in the file */
    char hid[VAULT_ID_BUF], ep[VAULT_ID_BUF], path[512];
    ct_hex(hid, id);
    ct_hex(ep, central_default_epoch);
    snprintf(path, sizeof path, "%s/PRIV/FhePrivateKey/%s/%s", tmp_root, ep, hid);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t raw[1 << 22];
    size_t got = fread(raw, 1, sizeof raw, fp);
    fclose(fp);
    assert_true(got > 64);
    assert_null(memmem(raw, got, id, 32));
    central_free(f.c);
    vault_free(f.pub);
    vault_free(f.priv);

    /* restart: loaded, verified, reported, decrypts */
    file_vaults(&pub, &priv);
    struct seen seen = {0};
    struct central_config cfg = {pub, priv, f.key, 1};
    if (central_new(&f.c, &cfg, on_key, &seen) != 0)
        fail_msg("restart: %s", kms_err_msg());
    f.pub = pub;
    f.priv = priv;
    assert_int_equal(seen.n, 1);
    assert_memory_equal(seen.rec.key_id, id, 32);
    assert_memory_equal(seen.rec.digests, rec.digests, sizeof rec.digests);
    assert_memory_equal(seen.rec.external_signature, rec.external_signature, 65);
    assert_int_equal(central_cached_keys(f.c), 1);
    decrypts(&f, id);
    central_free(f.c);
    f.c = NULL;

    /* a corrupted public key: a verifying start refuses, naming it */
    snprintf(path, sizeof path, "%s/PUB/PublicKey/%s", tmp_root, hid);
    corrupt_file(path, 100);
    assert_int_not_equal(central_new(&f.c, &cfg, NULL, NULL), 0);
    assert_null(f.c);
    ct_msg_has("PublicKey does not match");
    cfg.verify_public = 0;
    assert_int_equal(central_new(&f.c, &cfg, NULL, NULL), 0);
    central_free(f.c);
    f.c = NULL;
    corrupt_file(path, 100);
    /* a missing keyset */
    cfg.verify_public = 1;
    assert_int_equal(vault_delete(pub, VAULT_ADDR(VAULT_PUB_COMPRESSED_XOF_KEYSET, hid)), 0);
    assert_int_not_equal(central_new(&f.c, &cfg, NULL, NULL), 0);
    assert_null(f.c);
    ct_msg_has("lacks CompressedXofKeySet");
    /* a corrupted private object stops any start */
    cfg.verify_public = 0;
    snprintf(path, sizeof path, "%s/PRIV/FhePrivateKey/%s/%s", tmp_root, ep, hid);
    corrupt_file(path, 200);
    assert_int_not_equal(central_new(&f.c, &cfg, NULL, NULL), 0);
    assert_null(f.c);
    ct_msg_has(hid); /* the message names the key */
    keygen_record_clear(&rec);
    fix_free(&f);
    assert_int_equal(test_rmtree(tmp_root), 0);
}

static void test_new_args(void **state)
{
    (void)state;
    struct central *c = (struct central *)1;
    struct central_config cfg = {0};
    assert_int_equal(central_new(&c, &cfg, NULL, NULL), KMS_EINVAL);
    assert_null(c);
    central_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_compressed),
        cmocka_unit_test(test_keygen_uncompressed),
        cmocka_unit_test(test_decrypt_errors),
        cmocka_unit_test(test_never_overwrites),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_concurrent_same_id),
        cmocka_unit_test(test_concurrent_decrypt),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_restart_file),
        cmocka_unit_test(test_new_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The vault conformance suite: the same tests run against every backend
 * (memory, file, encrypted over file, encrypted over memory). A test file
 * defines a struct suite_backend, points suite_backend at it and lists
 * VAULT_SUITE_TESTS in its group.
 *
 * Include after <cmocka.h>. Everything here is static: each test program
 * includes it once. */
#ifndef CKMS_TEST_VAULT_SUITE_H
#define CKMS_TEST_VAULT_SUITE_H

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "store/vault.h"
#include "store/vault_impl.h"
#include "test_util.h"

/* --- per-test context -------------------------------------------------------- */

struct suite_ctx {
    struct vault *v;
    struct vault *inner; /* encrypted backends: the vault under the wrapper */
    char root[64];       /* file backends: a fresh temp directory */
    unsigned flags;
};

struct suite_backend {
    const char *name;
    /* Opens c->v (and c->inner) on the storage of c (c->root is set). */
    int (*open)(struct suite_ctx *c);
};

static const struct suite_backend *suite_backend;

static int suite_setup_flags(void **state, unsigned flags)
{
    struct suite_ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    test_mkdtemp(c->root, sizeof c->root, "ckms-vault");
    c->flags = flags;
    assert_int_equal(suite_backend->open(c), 0);
    *state = c;
    return 0;
}

static int suite_setup(void **state)
{
    return suite_setup_flags(state, VAULT_F_PRIVATE);
}
__attribute__((unused)) static int suite_setup_public(void **state)
{
    return suite_setup_flags(state, 0);
}

static int suite_teardown(void **state)
{
    struct suite_ctx *c = *state;
    vault_free(c->v);
    (void)test_rmtree(c->root);
    free(c);
    return 0;
}

/* Frees and reopens the vault on the same storage (a restart). */
static void suite_reopen(struct suite_ctx *c)
{
    vault_free(c->v);
    c->v = c->inner = NULL;
    assert_int_equal(suite_backend->open(c), 0);
}

/* --- data helpers -------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Byte i of the test stream `seed`: any slice can be checked on its own. */
static void pattern(uint8_t *p, size_t n, uint64_t off, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t pos = off + i;
        p[i] = (uint8_t)(mix64(seed ^ (pos >> 3) * 0x100000001b3ull) >> (8 * (pos & 7)));
    }
}

/* A valid id from a number. */
static void make_id(char out[VAULT_ID_BUF], uint64_t n)
{
    uint8_t b[32];
    for (int i = 0; i < 4; i++) {
        uint64_t w = mix64(n * 4 + (uint64_t)i);
        memcpy(b + 8 * i, &w, 8);
    }
    assert_int_equal(vault_id_from_bytes(out, b), 0);
}

static void expect_content(struct vault *v, const struct vault_addr *a, const void *want, size_t n)
{
    struct buf b;
    buf_init(&b, 1u << 30);
    assert_int_equal(vault_read(v, &b, a), 0);
    assert_int_equal(b.len, n);
    if (n > 0)
        assert_memory_equal(b.data, want, n);
    uint64_t size;
    assert_int_equal(vault_size(v, &size, a), 0);
    assert_int_equal(size, n);
    assert_int_equal(vault_exists(v, a), 1);
    buf_free(&b);
}

#define T_TYPE "TestType"

/* --- the suite ---------------------------------------------------------------------- */

static void test_store_read(void **state)
{
    struct suite_ctx *c = *state;
    char id1[VAULT_ID_BUF], id2[VAULT_ID_BUF];
    make_id(id1, 1);
    make_id(id2, 2);
    static const char msg[] = "0x66f9664f97F2b50F62D13eA064982f936dE76657";
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_VERF_ADDRESS, id1), msg, 42), 0);
    uint8_t big[70000];
    pattern(big, sizeof big, 0, 7);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id1), big, sizeof big), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id2), big, 100), 0);
    expect_content(c->v, VAULT_ADDR(VAULT_PUB_VERF_ADDRESS, id1), msg, 42);
    expect_content(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id1), big, sizeof big);
    expect_content(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id2), big, 100);
    /* same id, other type: a different object */
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, id1)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(VAULT_PUB_VERF_ADDRESS, id2)), 0);
}

static void test_empty_object(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 3);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), NULL, 0), 0);
    expect_content(c->v, VAULT_ADDR(T_TYPE, id), NULL, 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), "x", 1), KMS_EEXIST);
}

static void test_not_found(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 4);
    struct buf b;
    buf_init(&b, 1024);
    uint64_t size = 99;
    struct vault_reader *r = (void *)1;
    assert_int_equal(vault_read(c->v, &b, VAULT_ADDR(T_TYPE, id)), KMS_ENOTFOUND);
    assert_int_equal(b.len, 0);
    assert_int_equal(vault_size(c->v, &size, VAULT_ADDR(T_TYPE, id)), KMS_ENOTFOUND);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(T_TYPE, id)), 0);
    assert_int_equal(vault_delete(c->v, VAULT_ADDR(T_TYPE, id)), KMS_ENOTFOUND);
    assert_int_equal(vault_reader_open(c->v, &r, VAULT_ADDR(T_TYPE, id)), KMS_ENOTFOUND);
    assert_null(r);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR_EPOCH(T_TYPE, id, id)), 0);
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, 0);
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, id), 0);
    assert_int_equal(ids.n, 0);
    assert_int_equal(vault_list_epochs(c->v, &ids, T_TYPE), 0);
    assert_int_equal(ids.n, 0);
    buf_free(&b);
}

static void test_never_overwrite(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 5);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id);
    assert_int_equal(vault_store(c->v, a, "first", 5), 0);
    assert_int_equal(vault_store(c->v, a, "second!", 7), KMS_EEXIST);
    expect_content(c->v, a, "first", 5);

    /* a writer for a taken address is refused up front */
    struct vault_writer *w = (void *)1;
    assert_int_equal(vault_writer_open(c->v, &w, a), KMS_EEXIST);
    assert_null(w);

    /* a writer that loses a race is refused at commit, and the winner stays */
    char id2[VAULT_ID_BUF];
    make_id(id2, 6);
    const struct vault_addr *a2 = VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id2);
    assert_int_equal(vault_writer_open(c->v, &w, a2), 0);
    assert_int_equal(vault_writer_write(w, "loser", 5), 0);
    assert_int_equal(vault_store(c->v, a2, "winner", 6), 0);
    assert_int_equal(vault_writer_commit(w), KMS_EEXIST);
    expect_content(c->v, a2, "winner", 6);

    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, VAULT_PRIV_SIGNING_KEY, NULL), 0);
    assert_int_equal(ids.n, 2);
    vault_ids_free(&ids);
}

static const char *const bad_ids[] = {
    "",
    "abc",
    "0000000000000000000000000000000000000000000000000000000000000000",  /* all zero */
    "60B7070ADD74BE3827160AA635FB255EEEEB88586C4DEBF7AB1134DDCEB4BEEE",  /* upper case */
    "0x60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4be",  /* 0x */
    "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee0", /* 65 */
    "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4bee",   /* 63 */
    "../../../../../../../../../../../../../../../../../../../etc/pass",
    "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb/beee",
    "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4bee ",
    "..",
    ".",
    "/",
    "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4bee\n",
    "g0b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee",
};

static const char *const bad_types[] = {
    "",
    ".",
    "..",
    "../PRIV",
    "a/b",
    "/abs",
    ".hidden",
    "-dash",
    "with space",
    "Tab\t",
    "x1234567890123456789012345678901234567890123456789012345678901234", /* 65 */
    "Nul\xff",
};

static void expect_einval_everywhere(struct suite_ctx *c, const struct vault_addr *a)
{
    struct buf b;
    buf_init(&b, 1024);
    uint64_t size;
    struct vault_writer *w;
    struct vault_reader *r;
    assert_int_equal(vault_store(c->v, a, "x", 1), KMS_EINVAL);
    assert_int_equal(vault_read(c->v, &b, a), KMS_EINVAL);
    assert_int_equal(vault_size(c->v, &size, a), KMS_EINVAL);
    assert_int_equal(vault_exists(c->v, a), KMS_EINVAL);
    assert_int_equal(vault_delete(c->v, a), KMS_EINVAL);
    assert_int_equal(vault_writer_open(c->v, &w, a), KMS_EINVAL);
    assert_int_equal(vault_reader_open(c->v, &r, a), KMS_EINVAL);
    assert_true(strlen(kms_err_msg()) > 0);
    buf_free(&b);
}

static void test_id_validation(void **state)
{
    struct suite_ctx *c = *state;
    char good[VAULT_ID_BUF];
    make_id(good, 8);
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        assert_int_equal(vault_id_check(bad_ids[i]), KMS_EINVAL);
        expect_einval_everywhere(c, VAULT_ADDR(T_TYPE, bad_ids[i]));
        expect_einval_everywhere(c, VAULT_ADDR_EPOCH(T_TYPE, bad_ids[i], good));
        struct vault_ids ids;
        assert_int_equal(vault_list(c->v, &ids, T_TYPE, bad_ids[i]), KMS_EINVAL);
        assert_int_equal(vault_purge(c->v, bad_ids[i], NULL, vault_pub_types, 1), KMS_EINVAL);
    }
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        assert_int_equal(vault_type_check(bad_types[i]), KMS_EINVAL);
        expect_einval_everywhere(c, VAULT_ADDR(bad_types[i], good));
        struct vault_ids ids;
        assert_int_equal(vault_list(c->v, &ids, bad_types[i], NULL), KMS_EINVAL);
        assert_int_equal(vault_list_epochs(c->v, &ids, bad_types[i]), KMS_EINVAL);
    }
    expect_einval_everywhere(c, VAULT_ADDR(NULL, good));
    expect_einval_everywhere(c, VAULT_ADDR(T_TYPE, NULL));
    /* the reference's derived ids are valid ids */
    char derived[VAULT_ID_BUF];
    vault_id_derive(derived, "SIGNING_KEY_ID");
    assert_int_equal(vault_id_check(derived), 0);
    assert_int_equal(vault_id_check(good), 0);
    /* nothing was created by any of that */
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(T_TYPE, good)), 0);
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, 0);
    assert_int_equal(vault_list_epochs(c->v, &ids, T_TYPE), 0);
    assert_int_equal(ids.n, 0);
}

static void test_epoch_paths(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], e1[VAULT_ID_BUF], e2[VAULT_ID_BUF];
    make_id(id, 10);
    make_id(e1, 11);
    make_id(e2, 12);
    const char *t = VAULT_PRIV_FHE_PRIVATE_KEY;
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, e1, id), "epoch1", 6), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, e2, id), "epoch2", 6), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(t, id), "none", 4), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, e1, id), "again", 5), KMS_EEXIST);
    expect_content(c->v, VAULT_ADDR_EPOCH(t, e1, id), "epoch1", 6);
    expect_content(c->v, VAULT_ADDR_EPOCH(t, e2, id), "epoch2", 6);
    expect_content(c->v, VAULT_ADDR(t, id), "none", 4);
    /* an epoch id used as an object id is unrelated */
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(t, e1)), 0);

    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, t, NULL), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.id[0], id);
    vault_ids_free(&ids);
    assert_int_equal(vault_list(c->v, &ids, t, e1), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.id[0], id);
    vault_ids_free(&ids);
    assert_int_equal(vault_list_epochs(c->v, &ids, t), 0);
    assert_int_equal(ids.n, 2);
    assert_true(strcmp(ids.id[0], ids.id[1]) < 0);
    assert_true(strcmp(ids.id[0], e1) == 0 || strcmp(ids.id[0], e2) == 0);
    vault_ids_free(&ids);

    /* deleting an epoch's last object removes the epoch */
    assert_int_equal(vault_delete(c->v, VAULT_ADDR_EPOCH(t, e1, id)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR_EPOCH(t, e1, id)), 0);
    assert_int_equal(vault_list_epochs(c->v, &ids, t), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.id[0], e2);
    vault_ids_free(&ids);
    expect_content(c->v, VAULT_ADDR_EPOCH(t, e2, id), "epoch2", 6);
    /* and the epoch can be used again */
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, e1, id), "new", 3), 0);
    expect_content(c->v, VAULT_ADDR_EPOCH(t, e1, id), "new", 3);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_list_sorted(void **state)
{
    struct suite_ctx *c = *state;
    enum { N = 40 };
    char want[N][VAULT_ID_BUF];
    for (int i = 0; i < N; i++) {
        make_id(want[i], 100 + (uint64_t)i);
        assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, want[i]), want[i], 64),
                         0);
    }
    /* other types and epochs do not leak into the list */
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_CRS, want[0]), "c", 1), 0);
    char ep[VAULT_ID_BUF];
    make_id(ep, 99);
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(VAULT_PUB_PUBLIC_KEY, ep, want[2]), "e", 1),
                     0);
    qsort(want, N, sizeof want[0], cmp_str);
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, VAULT_PUB_PUBLIC_KEY, NULL), 0);
    assert_int_equal(ids.n, N);
    for (int i = 0; i < N; i++)
        assert_string_equal(ids.id[i], want[i]);
    vault_ids_free(&ids);
    assert_int_equal(ids.n, 0);
    assert_null(ids.id);
    assert_int_equal(vault_list(c->v, &ids, VAULT_PUB_CRS, NULL), 0);
    assert_int_equal(ids.n, 1);
    vault_ids_free(&ids);
}

static void test_delete_and_restore(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 13);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, id);
    assert_int_equal(vault_store(c->v, a, "old", 3), 0);
    assert_int_equal(vault_delete(c->v, a), 0);
    assert_int_equal(vault_exists(c->v, a), 0);
    assert_int_equal(vault_delete(c->v, a), KMS_ENOTFOUND);
    assert_int_equal(vault_store(c->v, a, "newer", 5), 0);
    expect_content(c->v, a, "newer", 5);
}

static void test_purge(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], other[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    make_id(id, 14);
    make_id(other, 15);
    make_id(ep, 16);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, id), "pk", 2), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id), "sk", 2), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, other), "o", 1), 0);
    assert_int_equal(
        vault_store(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id), "fk", 2), 0);
    static const char *const types[] = {VAULT_PUB_PUBLIC_KEY, VAULT_PUB_SERVER_KEY,
                                        VAULT_PUB_COMPRESSED_XOF_KEYSET,
                                        VAULT_PRIV_FHE_PRIVATE_KEY};
    /* without an epoch, epoch-scoped types are left alone */
    assert_int_equal(vault_purge(c->v, id, NULL, types, 4), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, id)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, id)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id)), 1);
    assert_int_equal(vault_purge(c->v, id, ep, types, 4), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id)), 0);
    /* other ids untouched; purging nothing is fine */
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(VAULT_PUB_SERVER_KEY, other)), 1);
    assert_int_equal(vault_purge(c->v, id, ep, types, 4), 0);
}

static void test_limits(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 17);
    uint8_t data[5000];
    pattern(data, sizeof data, 0, 17);
    const struct vault_addr *a = VAULT_ADDR(T_TYPE, id);
    assert_int_equal(vault_store(c->v, a, data, sizeof data), 0);

    struct buf b;
    buf_init(&b, sizeof data - 1);
    assert_int_equal(vault_read(c->v, &b, a), KMS_ELIMIT);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_status(&b), 0);
    buf_free(&b);

    /* exactly at the limit, appended after existing content */
    buf_init_secret(&b, sizeof data + 3);
    buf_put(&b, "abc", 3);
    assert_int_equal(vault_read(c->v, &b, a), 0);
    assert_int_equal(b.len, sizeof data + 3);
    assert_memory_equal(b.data, "abc", 3);
    assert_memory_equal(b.data + 3, data, sizeof data);
    /* full now: a second read does not fit, and leaves it as it was */
    assert_int_equal(vault_read(c->v, &b, a), KMS_ELIMIT);
    assert_int_equal(b.len, sizeof data + 3);
    buf_free(&b);
}

static void test_reader_exact(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 18);
    const struct vault_addr *a = VAULT_ADDR(T_TYPE, id);
    assert_int_equal(vault_store(c->v, a, "0123456789", 10), 0);
    struct vault_reader *r;
    assert_int_equal(vault_reader_open(c->v, &r, a), 0);
    assert_int_equal(vault_reader_size(r), 10);
    char got[16];
    assert_int_equal(vault_reader_read_exact(r, got, 4), 0);
    assert_memory_equal(got, "0123", 4);
    assert_int_equal(vault_reader_read_exact(r, got, 7), KMS_ETRUNC);
    vault_reader_close(r);
    vault_reader_close(NULL);
    vault_writer_abort(NULL);
}

/* Writes `total` bytes of stream `seed` in sizes cycling through wsizes. */
static void stream_write(struct vault *v, const struct vault_addr *a, size_t total, uint64_t seed,
                         const size_t *wsizes, size_t n_wsizes)
{
    size_t maxw = 0;
    for (size_t i = 0; i < n_wsizes; i++)
        maxw = wsizes[i] > maxw ? wsizes[i] : maxw;
    uint8_t *chunk = malloc(maxw);
    assert_non_null(chunk);
    struct vault_writer *w;
    assert_int_equal(vault_writer_open(v, &w, a), 0);
    size_t off = 0;
    for (size_t k = 0; off < total; k++) {
        size_t n = wsizes[k % n_wsizes];
        if (n > total - off)
            n = total - off;
        pattern(chunk, n, off, seed);
        assert_int_equal(vault_writer_write(w, chunk, n), 0);
        off += n;
    }
    assert_int_equal(vault_writer_commit(w), 0);
    free(chunk);
}

static void stream_check(struct vault *v, const struct vault_addr *a, size_t total, uint64_t seed,
                         const size_t *rsizes, size_t n_rsizes)
{
    size_t maxr = 0;
    for (size_t i = 0; i < n_rsizes; i++)
        maxr = rsizes[i] > maxr ? rsizes[i] : maxr;
    uint8_t *got = malloc(maxr), *want = malloc(maxr);
    assert_non_null(got);
    assert_non_null(want);
    struct vault_reader *r;
    assert_int_equal(vault_reader_open(v, &r, a), 0);
    assert_int_equal(vault_reader_size(r), total);
    size_t off = 0;
    for (size_t k = 0;; k++) {
        size_t n;
        assert_int_equal(vault_reader_read(r, got, rsizes[k % n_rsizes], &n), 0);
        if (n == 0)
            break;
        assert_true(off + n <= total);
        pattern(want, n, off, seed);
        assert_memory_equal(got, want, n);
        off += n;
    }
    assert_int_equal(off, total);
    vault_reader_close(r);
    free(got);
    free(want);
}

static void test_streaming_large(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 19);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PUB_SERVER_KEY, id);
    /* 24 MiB + 5 in odd pieces; read back in other odd pieces */
    static const size_t wsizes[] = {1, 4093, 7, (1u << 20) + 3, 65537, 13, 3 << 20, 999};
    static const size_t rsizes[] = {65521, 1, (2u << 20) + 11, 3, 8192, 1u << 20};
    size_t total = (24u << 20) + 5;
    stream_write(c->v, a, total, 19, wsizes, 8);
    stream_check(c->v, a, total, 19, rsizes, 6);
    uint64_t size;
    assert_int_equal(vault_size(c->v, &size, a), 0);
    assert_int_equal(size, total);
    /* whole read too, and a limit one byte short */
    struct buf b;
    buf_init(&b, total - 1);
    assert_int_equal(vault_read(c->v, &b, a), KMS_ELIMIT);
    buf_free(&b);
    buf_init(&b, total);
    assert_int_equal(vault_read(c->v, &b, a), 0);
    assert_int_equal(b.len, total);
    uint8_t want[4096];
    pattern(want, sizeof want, total - sizeof want, 19);
    assert_memory_equal(b.data + total - sizeof want, want, sizeof want);
    buf_free(&b);
}

static void test_streaming_sizes(void **state)
{
    struct suite_ctx *c = *state;
    /* sizes around the encrypted backends' chunk boundaries (2^12, 2^20) */
    static const size_t totals[] = {1,
                                    2,
                                    4095,
                                    4096,
                                    4097,
                                    8192,
                                    (1u << 20) - 1,
                                    1u << 20,
                                    (1u << 20) + 1,
                                    (2u << 20),
                                    (2u << 20) + 17};
    static const size_t wsizes[] = {4096, 1, 333, 1u << 20};
    static const size_t rsizes[] = {4096, 4095, 17, 1};
    static const size_t rbig[] = {1u << 20, 7777};
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        char id[VAULT_ID_BUF];
        make_id(id, 200 + i);
        const struct vault_addr *a = VAULT_ADDR(T_TYPE, id);
        stream_write(c->v, a, totals[i], 200 + i, wsizes + (i % 4), 1);
        stream_check(c->v, a, totals[i], 200 + i, totals[i] > 100000 ? rbig : rsizes,
                     totals[i] > 100000 ? 2 : 4);
    }
}

static void test_abandoned_write(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 20);
    const struct vault_addr *a = VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_KEY_INFO, id, id);
    uint8_t *data = malloc(3u << 20);
    assert_non_null(data);
    pattern(data, 3u << 20, 0, 20);
    struct vault_writer *w;
    assert_int_equal(vault_writer_open(c->v, &w, a), 0);
    assert_int_equal(vault_writer_write(w, data, 3u << 20), 0);
    vault_writer_abort(w);
    assert_int_equal(vault_exists(c->v, a), 0);
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, VAULT_PRIV_FHE_KEY_INFO, id), 0);
    assert_int_equal(ids.n, 0);
    /* misuse: a NULL data pointer poisons the writer and commit stores nothing */
    assert_int_equal(vault_writer_open(c->v, &w, a), 0);
    assert_int_equal(vault_writer_write(w, data, 100), 0);
    assert_int_equal(vault_writer_write(w, NULL, 5), KMS_EINVAL);
    assert_int_equal(vault_writer_write(w, data, 5), KMS_EINVAL);
    assert_int_equal(vault_writer_commit(w), KMS_EINVAL);
    assert_int_equal(vault_exists(c->v, a), 0);
    /* the address is still free */
    assert_int_equal(vault_store(c->v, a, data, 1000), 0);
    expect_content(c->v, a, data, 1000);
    free(data);
}

struct race {
    struct vault *v;
    const struct vault_addr *a;
    pthread_barrier_t *opened, *written;
    int index, rc;
};

static void *race_thread(void *arg)
{
    struct race *r = arg;
    uint8_t data[20000];
    pattern(data, sizeof data, 0, 1000 + (uint64_t)r->index);
    struct vault_writer *w = NULL;
    int rc = vault_writer_open(r->v, &w, r->a);
    pthread_barrier_wait(r->opened);
    if (rc == 0)
        rc = vault_writer_write(w, data, sizeof data);
    pthread_barrier_wait(r->written);
    if (w != NULL)
        rc = rc == 0 ? vault_writer_commit(w) : (vault_writer_abort(w), rc);
    r->rc = rc;
    return NULL;
}

static void test_concurrent_same_id(void **state)
{
    struct suite_ctx *c = *state;
    enum { T = 8 };
    for (int round = 0; round < 4; round++) {
        char id[VAULT_ID_BUF];
        make_id(id, 300 + (uint64_t)round);
        const struct vault_addr *a =
            round & 1 ? VAULT_ADDR(T_TYPE, id) : VAULT_ADDR_EPOCH(T_TYPE, id, id);
        pthread_barrier_t b1, b2;
        pthread_barrier_init(&b1, NULL, T);
        pthread_barrier_init(&b2, NULL, T);
        struct race r[T];
        pthread_t th[T];
        for (int i = 0; i < T; i++) {
            r[i] = (struct race){c->v, a, &b1, &b2, i, 0};
            assert_int_equal(pthread_create(&th[i], NULL, race_thread, &r[i]), 0);
        }
        int winner = -1, wins = 0;
        for (int i = 0; i < T; i++) {
            pthread_join(th[i], NULL);
            if (r[i].rc == 0) {
                winner = i;
                wins++;
            } else {
                assert_int_equal(r[i].rc, KMS_EEXIST);
            }
        }
        pthread_barrier_destroy(&b1);
        pthread_barrier_destroy(&b2);
        assert_int_equal(wins, 1);
        uint8_t want[20000];
        pattern(want, sizeof want, 0, 1000 + (uint64_t)winner);
        expect_content(c->v, a, want, sizeof want);
    }
}

struct many {
    struct vault *v;
    int base, rc;
};

static void *many_thread(void *arg)
{
    struct many *m = arg;
    for (int i = 0; i < 25 && m->rc == 0; i++) {
        char id[VAULT_ID_BUF];
        make_id(id, (uint64_t)(m->base + i));
        m->rc = vault_store(m->v, VAULT_ADDR(T_TYPE, id), id, VAULT_ID_LEN);
        struct buf b;
        buf_init(&b, 100);
        if (m->rc == 0)
            m->rc = vault_read(m->v, &b, VAULT_ADDR(T_TYPE, id));
        if (m->rc == 0 && (b.len != VAULT_ID_LEN || memcmp(b.data, id, VAULT_ID_LEN) != 0))
            m->rc = -100;
        buf_free(&b);
    }
    return NULL;
}

static void test_concurrent_many(void **state)
{
    struct suite_ctx *c = *state;
    enum { T = 6 };
    struct many m[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        m[i] = (struct many){c->v, 1000 + 100 * i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, many_thread, &m[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(m[i].rc, 0);
    }
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, T * 25);
    vault_ids_free(&ids);
}

__attribute__((unused)) static void test_persistence(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    make_id(id, 21);
    make_id(ep, 22);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id), "sk", 2), 0);
    assert_int_equal(
        vault_store(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id), "fk", 2), 0);
    suite_reopen(c);
    expect_content(c->v, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id), "sk", 2);
    expect_content(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id), "fk", 2);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id), "x", 1), KMS_EEXIST);
}

static void test_names(void **state)
{
    struct suite_ctx *c = *state;
    assert_string_equal(vault_prefix(c->v), "PRIV");
    assert_int_equal(vault_pub_types_len, 12);
    assert_int_equal(vault_priv_types_len, 8);
    for (size_t i = 0; i < vault_pub_types_len; i++)
        assert_int_equal(vault_type_check(vault_pub_types[i]), 0);
    for (size_t i = 0; i < vault_priv_types_len; i++)
        assert_int_equal(vault_type_check(vault_priv_types[i]), 0);
    assert_true(vault_type_is_epoch_scoped(VAULT_PRIV_FHE_PRIVATE_KEY));
    assert_true(vault_type_is_epoch_scoped(VAULT_PRIV_FHE_KEY_INFO));
    assert_true(vault_type_is_epoch_scoped(VAULT_PRIV_CRS_INFO));
    assert_false(vault_type_is_epoch_scoped(VAULT_PRIV_EPOCH_DATA));
    assert_false(vault_type_is_epoch_scoped(VAULT_PUB_PUBLIC_KEY));
    /* the reference's SIGNING_KEY_ID (core/service/tests/integration_test.rs) */
    char id[VAULT_ID_BUF];
    vault_id_derive(id, "SIGNING_KEY_ID");
    assert_string_equal(id, "60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee");
    uint8_t zero[32] = {0};
    assert_int_equal(vault_id_from_bytes(id, zero), KMS_EINVAL);
    assert_string_equal(id, "");
}

#define VAULT_SUITE_T(f) cmocka_unit_test_setup_teardown(f, suite_setup, suite_teardown)

#define VAULT_SUITE_TESTS                                                                          \
    VAULT_SUITE_T(test_store_read), VAULT_SUITE_T(test_empty_object),                              \
        VAULT_SUITE_T(test_not_found), VAULT_SUITE_T(test_never_overwrite),                        \
        VAULT_SUITE_T(test_id_validation), VAULT_SUITE_T(test_epoch_paths),                        \
        VAULT_SUITE_T(test_list_sorted), VAULT_SUITE_T(test_delete_and_restore),                   \
        VAULT_SUITE_T(test_purge), VAULT_SUITE_T(test_limits), VAULT_SUITE_T(test_reader_exact),   \
        VAULT_SUITE_T(test_streaming_large), VAULT_SUITE_T(test_streaming_sizes),                  \
        VAULT_SUITE_T(test_abandoned_write), VAULT_SUITE_T(test_concurrent_same_id),               \
        VAULT_SUITE_T(test_concurrent_many), VAULT_SUITE_T(test_names)

/* For backends that keep their objects across a reopen. */
#define VAULT_SUITE_PERSISTENT_TESTS VAULT_SUITE_T(test_persistence)

#endif

/* The vault conformance suite on the file backend (with renameat2 and with
 * the link()+unlink() fallback), plus what only files have: the reference's
 * on-disk layout, permissions, temp files left by crashed writers, no
 * leftovers after aborted or lost writes, symlinks, and opening a vault from
 * its configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "store/vault_suite.h"

static int open_file(struct suite_ctx *c)
{
    return vault_file_open(&c->v, c->root, "PRIV", c->flags);
}

static const struct suite_backend file_backend = {"file", open_file};

/* --- helpers ------------------------------------------------------------------- */

static void path_of(char *out, size_t cap, const struct suite_ctx *c, const char *rel)
{
    snprintf(out, cap, "%s/%s", c->root, rel);
}

/* Reads a whole file into out (NUL-terminated); returns its length or -1. */
static long slurp(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    return (long)n;
}

static void spit(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(data, f);
    fclose(f);
}

/* Entries of a directory other than "." and "..". */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

/* A pid that has just exited (so no process has it). */
static long dead_pid(void)
{
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0)
        _exit(0);
    int st;
    assert_int_equal(waitpid(p, &st, 0), p);
    return (long)p;
}

/* --- layout and permissions ---------------------------------------------------------- */

static void test_layout(void **state)
{
    struct suite_ctx *c = *state;
    struct vault *pub;
    assert_int_equal(vault_file_open(&pub, c->root, "PUB", 0), 0);
    /* the reference's own example: kms-gen-keys stores the address at
     * PUB/VerfAddress/60b7…beee (core/service/tests/integration_test.rs) */
    char sk_id[VAULT_ID_BUF];
    vault_id_derive(sk_id, "SIGNING_KEY_ID");
    static const char addr[] = "0x66f9664f97F2b50F62D13eA064982f936dE76657";
    assert_int_equal(
        vault_store(pub, VAULT_ADDR(VAULT_PUB_VERF_ADDRESS, sk_id), addr, sizeof addr - 1), 0);
    char path[512], got[128];
    path_of(path, sizeof path, c,
            "PUB/VerfAddress/60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee");
    assert_int_equal(slurp(path, got, sizeof got), sizeof addr - 1);
    assert_string_equal(got, addr);
    vault_free(pub);

    /* epoch-scoped: {prefix}/{type}/{epoch}/{id} */
    char key[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    make_id(key, 1);
    make_id(ep, 2);
    assert_int_equal(
        vault_store(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, key), "ck", 2), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(VAULT_PRIV_CONTEXT, key), "ctx", 3), 0);
    char rel[300];
    snprintf(rel, sizeof rel, "PRIV/FhePrivateKey/%s/%s", ep, key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(slurp(path, got, sizeof got), 2);
    assert_string_equal(got, "ck");
    snprintf(rel, sizeof rel, "PRIV/Context/%s", key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(slurp(path, got, sizeof got), 3);

    /* a prefix such as the samples' PUB-p1, and a root that does not exist yet */
    struct vault *p1;
    char root2[256];
    snprintf(root2, sizeof root2, "%s/deep/keys", c->root);
    assert_int_equal(vault_file_open(&p1, root2, "PUB-p1", 0), 0);
    assert_int_equal(vault_store(p1, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, key), "pk", 2), 0);
    snprintf(rel, sizeof rel, "deep/keys/PUB-p1/PublicKey/%s", key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(slurp(path, got, sizeof got), 2);
    vault_free(p1);

    /* only the object files, nothing else (no temp files left) */
    path_of(path, sizeof path, c, "PRIV");
    assert_int_equal(count_entries(path), 2);
    path_of(path, sizeof path, c, "PRIV/FhePrivateKey");
    assert_int_equal(count_entries(path), 1);
    assert_string_equal(vault_backend_name(c->v), "file");
}

static void test_permissions(void **state)
{
    struct suite_ctx *c = *state;
    mode_t old = umask(022);
    char key[VAULT_ID_BUF], ep[VAULT_ID_BUF], path[512], rel[300];
    make_id(key, 3);
    make_id(ep, 4);
    assert_int_equal(
        vault_store(c->v, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, key), "s", 1), 0);
    snprintf(rel, sizeof rel, "PRIV/FhePrivateKey/%s/%s", ep, key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(mode_of(path), 0600);
    snprintf(rel, sizeof rel, "PRIV/FhePrivateKey/%s", ep);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(mode_of(path), 0700);
    path_of(path, sizeof path, c, "PRIV/FhePrivateKey");
    assert_int_equal(mode_of(path), 0700);
    path_of(path, sizeof path, c, "PRIV");
    assert_int_equal(mode_of(path), 0700);

    /* streamed objects too */
    struct vault_writer *w;
    assert_int_equal(vault_writer_open(c->v, &w, VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, key)), 0);
    assert_int_equal(vault_writer_write(w, "k", 1), 0);
    assert_int_equal(vault_writer_commit(w), 0);
    snprintf(rel, sizeof rel, "PRIV/SigningKey/%s", key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(mode_of(path), 0600);

    /* a public vault is world-readable */
    struct vault *pub;
    assert_int_equal(vault_file_open(&pub, c->root, "PUB", 0), 0);
    assert_int_equal(vault_store(pub, VAULT_ADDR(VAULT_PUB_PUBLIC_KEY, key), "p", 1), 0);
    snprintf(rel, sizeof rel, "PUB/PublicKey/%s", key);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(mode_of(path), 0644);
    path_of(path, sizeof path, c, "PUB/PublicKey");
    assert_int_equal(mode_of(path), 0755);
    vault_free(pub);
    umask(old);
}

/* --- crash leftovers ---------------------------------------------------------------- */

static void test_crash_leftovers(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF], path[512], rel[400];
    make_id(id, 5);
    make_id(ep, 6);
    /* folders as a writer would have made them */
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(T_TYPE, ep, ep), "x", 1), 0);
    long dead = dead_pid(), live = (long)getppid();
    struct {
        const char *dir;
        long pid;
        const char *token;
        int swept;
    } tmp[] = {
        {T_TYPE, dead, "0123456789abcdef", 1},           /* writer gone */
        {T_TYPE, (long)getpid(), "00000000deadbeef", 1}, /* our pid, an old process */
        {T_TYPE, live, "0123456789abcdef", 0},           /* might still be writing */
        {NULL, dead, "fedcba9876543210", 1},             /* in an epoch folder */
    };
    for (size_t i = 0; i < 4; i++) {
        if (tmp[i].dir != NULL)
            snprintf(rel, sizeof rel, "PRIV/%s/.%s.partial.%ld.%s.7", tmp[i].dir, id, tmp[i].pid,
                     tmp[i].token);
        else
            snprintf(rel, sizeof rel, "PRIV/%s/%s/.%s.partial.%ld.%s.0", T_TYPE, ep, id, tmp[i].pid,
                     tmp[i].token);
        path_of(path, sizeof path, c, rel);
        spit(path, "half a key, then the power went out");
    }
    /* and things that are not objects at all */
    path_of(path, sizeof path, c, "PRIV/" T_TYPE "/README");
    spit(path, "notes");
    snprintf(rel, sizeof rel, "PRIV/%s/%.60s", T_TYPE, id); /* a short (cut) id */
    path_of(path, sizeof path, c, rel);
    spit(path, "cut");

    /* listings, existence and reads ignore them */
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, 0);
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, ep), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.id[0], ep);
    vault_ids_free(&ids);
    assert_int_equal(vault_list_epochs(c->v, &ids, T_TYPE), 0);
    assert_int_equal(ids.n, 1);
    vault_ids_free(&ids);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(T_TYPE, id)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR_EPOCH(T_TYPE, ep, id)), 0);

    /* a restart sweeps the dead writers' files and keeps the rest */
    suite_reopen(c);
    for (size_t i = 0; i < 4; i++) {
        if (tmp[i].dir != NULL)
            snprintf(rel, sizeof rel, "PRIV/%s/.%s.partial.%ld.%s.7", tmp[i].dir, id, tmp[i].pid,
                     tmp[i].token);
        else
            snprintf(rel, sizeof rel, "PRIV/%s/%s/.%s.partial.%ld.%s.0", T_TYPE, ep, id, tmp[i].pid,
                     tmp[i].token);
        path_of(path, sizeof path, c, rel);
        assert_int_equal(access(path, F_OK) == 0, !tmp[i].swept);
    }
    path_of(path, sizeof path, c, "PRIV/" T_TYPE "/README");
    assert_int_equal(access(path, F_OK), 0);

    /* the address is free: a new write succeeds next to the kept temp file */
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), "whole", 5), 0);
    expect_content(c->v, VAULT_ADDR(T_TYPE, id), "whole", 5);
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, 1);
    vault_ids_free(&ids);
}

static void test_no_leftovers(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], path[512], rel[300];
    make_id(id, 7);
    const struct vault_addr *a = VAULT_ADDR_EPOCH(T_TYPE, id, id);
    snprintf(rel, sizeof rel, "PRIV/%s/%s", T_TYPE, id);
    path_of(path, sizeof path, c, rel);

    /* an abandoned write: the temp file is gone */
    struct vault_writer *w;
    assert_int_equal(vault_writer_open(c->v, &w, a), 0);
    assert_int_equal(vault_writer_write(w, "partial", 7), 0);
    assert_int_equal(count_entries(path), 1); /* the temp file, while writing */
    vault_writer_abort(w);
    assert_int_equal(count_entries(path), 0);

    /* a lost race: the loser's temp file is gone, the winner's object stays */
    assert_int_equal(vault_writer_open(c->v, &w, a), 0);
    assert_int_equal(vault_writer_write(w, "loser", 5), 0);
    assert_int_equal(vault_store(c->v, a, "winner", 6), 0);
    assert_int_equal(vault_writer_commit(w), KMS_EEXIST);
    assert_int_equal(count_entries(path), 1);
    expect_content(c->v, a, "winner", 6);

    /* deleting the last object removes its epoch folder */
    assert_int_equal(vault_delete(c->v, a), 0);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_symlinks_not_followed(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], path[512], rel[300], target[512];
    make_id(id, 8);
    assert_int_equal(
        vault_store(
            c->v,
            VAULT_ADDR(T_TYPE, "1111111111111111111111111111111111111111111111111111111111111111"),
            "x", 1),
        0);
    path_of(target, sizeof target, c, "outside");
    spit(target, "not a vault object");
    snprintf(rel, sizeof rel, "PRIV/%s/%s", T_TYPE, id);
    path_of(path, sizeof path, c, rel);
    assert_int_equal(symlink(target, path), 0);

    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(vault_read(c->v, &b, VAULT_ADDR(T_TYPE, id)), KMS_EIO);
    assert_int_equal(b.len, 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(T_TYPE, id)), KMS_EIO);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), "y", 1), KMS_EEXIST);
    assert_int_equal(vault_delete(c->v, VAULT_ADDR(T_TYPE, id)), KMS_EIO);
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, T_TYPE, NULL), 0);
    assert_int_equal(ids.n, 1); /* only the real object */
    vault_ids_free(&ids);

    /* a data-type folder that is a symlink is refused too */
    char dir[512];
    path_of(dir, sizeof dir, c, "elsewhere");
    assert_int_equal(mkdir(dir, 0700), 0);
    path_of(path, sizeof path, c, "PRIV/Linked");
    assert_int_equal(symlink(dir, path), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR("Linked", id), "z", 1), KMS_EIO);
    assert_int_equal(count_entries(dir), 0);
    buf_free(&b);
}

static void test_io_errors(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], path[512];
    make_id(id, 9);
    /* a data-type "folder" that is a file */
    path_of(path, sizeof path, c, "PRIV/Blocked");
    spit(path, "");
    assert_int_equal(vault_store(c->v, VAULT_ADDR("Blocked", id), "z", 1), KMS_EIO);
    assert_non_null(strstr(kms_err_msg(), "Blocked"));
    struct vault_ids ids;
    assert_int_equal(vault_list(c->v, &ids, "Blocked", NULL), KMS_EIO);
    /* a root that is a file */
    struct vault *v = (void *)1;
    assert_int_equal(vault_file_open(&v, path, "PUB", 0), KMS_EIO);
    assert_null(v);
    assert_int_equal(vault_file_open(&v, "", "PUB", 0), KMS_EINVAL);
    assert_int_equal(vault_file_open(&v, c->root, "..", 0), KMS_EINVAL);
    assert_int_equal(vault_file_open(&v, c->root, "a/b", 0), KMS_EINVAL);
}

/* --- configuration ------------------------------------------------------------------- */

static void test_open_config(void **state)
{
    struct suite_ctx *c = *state;
    struct vault *v = (void *)1;
    struct vault_config cfg = {
        VAULT_BACKEND_FILE, VAULT_KIND_PRIVATE, c->root, "PRIV-p1", NULL, NULL, 0, 0};
    /* a private vault needs a KEK or an explicit insecure flag */
    assert_int_equal(vault_open(&v, &cfg), KMS_EINVAL);
    assert_null(v);
    assert_non_null(strstr(kms_err_msg(), "insecure_plaintext"));
    cfg.insecure_plaintext = 1;
    assert_int_equal(vault_open(&v, &cfg), 0);
    assert_int_equal(vault_is_encrypted(v), 0);
    assert_string_equal(vault_backend_name(v), "file");
    vault_free(v);

    setenv("CKMS_TEST_VAULT_KEK",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    cfg.kek_env = "CKMS_TEST_VAULT_KEK";
    assert_int_equal(vault_open(&v, &cfg), KMS_EINVAL); /* KEK and insecure */
    cfg.insecure_plaintext = 0;
    assert_int_equal(vault_open(&v, &cfg), 0);
    assert_int_equal(vault_is_encrypted(v), 1);
    assert_string_equal(vault_backend_name(v), "encrypted");
    assert_string_equal(vault_prefix(v), "PRIV-p1");
    vault_free(v);
    cfg.kek_file = "/nonexistent/kek";
    assert_int_equal(vault_open(&v, &cfg), KMS_EINVAL); /* two KEK sources */
    cfg.kek_env = NULL;
    assert_int_equal(vault_open(&v, &cfg), KMS_EIO); /* unreadable KEK file */
    cfg.kek_file = NULL;
    cfg.kek_env = "CKMS_TEST_VAULT_KEK_UNSET";
    assert_int_equal(vault_open(&v, &cfg), KMS_EINVAL);
    unsetenv("CKMS_TEST_VAULT_KEK");

    /* the public vault is never encrypted */
    struct vault_config pub = {VAULT_BACKEND_FILE,
                               VAULT_KIND_PUBLIC,
                               c->root,
                               "PUB-p1",
                               NULL,
                               "CKMS_TEST_VAULT_KEK",
                               0,
                               0};
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    pub.kek_env = NULL;
    pub.insecure_plaintext = 1;
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    pub.insecure_plaintext = 0;
    assert_int_equal(vault_open(&v, &pub), 0);
    assert_int_equal(vault_is_encrypted(v), 0);
    vault_free(v);

    /* prefixes naming another kind of storage are refused, as the reference */
    pub.prefix = "PRIV-p1";
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    pub.prefix = "BACKUP";
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    cfg.prefix = "PUB";
    cfg.insecure_plaintext = 1;
    cfg.kek_env = NULL;
    assert_int_equal(vault_open(&v, &cfg), KMS_EINVAL);
    /* bad backends and paths */
    pub.prefix = "PUB";
    pub.path = NULL;
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    pub.backend = VAULT_BACKEND_MEM;
    assert_int_equal(vault_open(&v, &pub), 0);
    assert_string_equal(vault_backend_name(v), "memory");
    vault_free(v);
    pub.backend = (enum vault_backend)7;
    assert_int_equal(vault_open(&v, &pub), KMS_EINVAL);
    assert_int_equal(vault_open(&v, NULL), KMS_EINVAL);
}

/* --- the suite again, publishing with link()+unlink() ---------------------------------- */

static int link_mode_on(void **state)
{
    (void)state;
    vault_file_set_link_publish(1);
    return 0;
}

static int link_mode_off(void **state)
{
    (void)state;
    vault_file_set_link_publish(0);
    return 0;
}

int main(void)
{
    suite_backend = &file_backend;
    const struct CMUnitTest tests[] = {
        VAULT_SUITE_TESTS,
        VAULT_SUITE_PERSISTENT_TESTS,
        VAULT_SUITE_T(test_layout),
        VAULT_SUITE_T(test_permissions),
        VAULT_SUITE_T(test_crash_leftovers),
        VAULT_SUITE_T(test_no_leftovers),
        VAULT_SUITE_T(test_symlinks_not_followed),
        VAULT_SUITE_T(test_io_errors),
        VAULT_SUITE_T(test_open_config),
    };
    const struct CMUnitTest link_tests[] = {
        VAULT_SUITE_T(test_store_read),         VAULT_SUITE_T(test_never_overwrite),
        VAULT_SUITE_T(test_epoch_paths),        VAULT_SUITE_T(test_abandoned_write),
        VAULT_SUITE_T(test_concurrent_same_id), VAULT_SUITE_T(test_no_leftovers),
    };
    int failed = cmocka_run_group_tests_name("vault_file", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("vault_file_link_publish", link_tests, link_mode_on,
                                          link_mode_off);
    return failed;
}

/* Opening the vaults a server configuration names (service/vaults.h):
 * RAM storage (private plaintext allowed, it dies with the process), file
 * storage with a KEK from the environment (the private vault encrypted:
 * its files start with the "CKVE" magic) or an explicit insecure flag,
 * custom prefixes landing where the reference lays them out, a private
 * file vault without any KEK refused, and the one-line descriptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "service/vaults.h"
#include "test_util.h"

static char root[64];
static const char kek_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* Loads tmpl with every '@' replaced by the temporary root. */
static int load(struct config *cfg, const char *tmpl)
{
    char toml[1024];
    size_t n = 0;
    for (const char *p = tmpl; *p != '\0' && n + sizeof root < sizeof toml; p++) {
        if (*p == '@') {
            memcpy(toml + n, root, strlen(root));
            n += strlen(root);
        } else {
            toml[n++] = *p;
        }
    }
    toml[n] = '\0';
    char *envp[] = {NULL}; /* no KMS_CORE__ overrides */
    return config_load_string(cfg, toml, strlen(toml), "test.toml", envp);
}

static const char *id(void)
{
    return "0101010101010101010101010101010101010101010101010101010101010101";
}

static void test_ram(void **state)
{
    (void)state;
    struct config cfg;
    assert_int_equal(load(&cfg, "[public_vault.storage.ram]\n[private_vault.storage.ram]\n"
                                ""),
                     0);
    struct vault *pub, *priv;
    assert_int_equal(vaults_open(&pub, &priv, &cfg), 0);
    assert_string_equal(vault_backend_name(pub), "memory");
    assert_string_equal(vault_backend_name(priv), "memory");
    assert_int_equal(vault_is_encrypted(priv), 0);
    char d[128];
    vaults_describe(d, sizeof d, &cfg.private_vault, priv);
    assert_string_equal(d, "ram PRIV");
    vault_free(pub);
    vault_free(priv);
    config_free(&cfg);
}

static void test_file(void **state)
{
    (void)state;
    setenv("CKMS_TEST_KEK", kek_hex, 1);
    struct config cfg;
    if (load(&cfg, "[public_vault.storage.file]\npath = \"@\"\nprefix = \"PUB-p1\"\n"
                   "[private_vault.storage.file]\npath = \"@\"\n"
                   "[private_vault.encryption]\nkek_env = \"CKMS_TEST_KEK\"\n") != 0)
        fail_msg("config: %s", kms_err_msg());
    struct vault *pub, *priv;
    if (vaults_open(&pub, &priv, &cfg) != 0)
        fail_msg("vaults_open: %s", kms_err_msg());
    assert_int_equal(vault_is_encrypted(pub), 0);
    assert_int_equal(vault_is_encrypted(priv), 1);
    assert_int_equal(vault_store(pub, VAULT_ADDR("PublicKey", id()), "pk", 2), 0);
    assert_int_equal(vault_store(priv, VAULT_ADDR("SigningKey", id()), "secret", 6), 0);
    char path[256], d[256], want[256];
    snprintf(path, sizeof path, "%s/PUB-p1/PublicKey/%s", root, id());
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char got[8] = {0};
    assert_int_equal(fread(got, 1, sizeof got, f), 2);
    assert_memory_equal(got, "pk", 2);
    fclose(f);
    snprintf(path, sizeof path, "%s/PRIV/SigningKey/%s", root, id());
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, 4, f), 4);
    assert_memory_equal(got, "CKVE", 4);
    fclose(f);
    vaults_describe(d, sizeof d, &cfg.private_vault, priv);
    snprintf(want, sizeof want, "file %s/PRIV (encrypted)", root);
    assert_string_equal(d, want);
    vaults_describe(d, sizeof d, &cfg.public_vault, pub);
    snprintf(want, sizeof want, "file %s/PUB-p1", root);
    assert_string_equal(d, want);
    vault_free(pub);
    vault_free(priv);
    config_free(&cfg);

    /* the KEK variable unset: the private vault cannot open, nothing leaks */
    unsetenv("CKMS_TEST_KEK");
    assert_int_equal(load(&cfg, "[public_vault.storage.file]\npath = \"@\"\n"
                                "[private_vault.storage.file]\npath = \"@\"\n"
                                "[private_vault.encryption]\nkek_env = \"CKMS_TEST_KEK\"\n"),
                     0);
    pub = priv = (struct vault *)1;
    assert_int_not_equal(vaults_open(&pub, &priv, &cfg), 0);
    assert_null(pub);
    assert_null(priv);
    config_free(&cfg);

    /* plaintext only when asked for */
    assert_int_equal(load(&cfg, "[public_vault.storage.file]\npath = \"@\"\n"
                                "[private_vault.storage.file]\npath = \"@\"\n"
                                "[private_vault.encryption]\ninsecure_plaintext = true\n"),
                     0);
    assert_int_equal(vaults_open(&pub, &priv, &cfg), 0);
    assert_int_equal(vault_is_encrypted(priv), 0);
    struct buf b;
    buf_init(&b, 4096);
    /* without a KEK the object written encrypted reads as its ciphertext */
    assert_int_equal(vault_read(priv, &b, VAULT_ADDR("SigningKey", id())), 0);
    assert_true(b.len > 64 + 6);
    assert_memory_equal(b.data, "CKVE", 4);
    buf_free(&b);
    vault_free(pub);
    vault_free(priv);
    config_free(&cfg);
}

static int setup(void **state)
{
    (void)state;
    test_mkdtemp(root, sizeof root, "ckms-vaults");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmtree(root) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ram),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

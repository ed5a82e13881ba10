/* The vault conformance suite on the memory backend, plus what only it
 * does: a reader keeps a deleted object readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store/vault_suite.h"

static int open_mem(struct suite_ctx *c)
{
    return vault_mem_open(&c->v, "PRIV", c->flags);
}

static const struct suite_backend mem_backend = {"memory", open_mem};

static void test_reader_outlives_delete(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 1);
    uint8_t data[10000];
    pattern(data, sizeof data, 0, 1);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), data, sizeof data), 0);
    struct vault_reader *r;
    assert_int_equal(vault_reader_open(c->v, &r, VAULT_ADDR(T_TYPE, id)), 0);
    assert_int_equal(vault_delete(c->v, VAULT_ADDR(T_TYPE, id)), 0);
    assert_int_equal(vault_exists(c->v, VAULT_ADDR(T_TYPE, id)), 0);
    uint8_t got[sizeof data];
    assert_int_equal(vault_reader_read_exact(r, got, sizeof got), 0);
    assert_memory_equal(got, data, sizeof data);
    vault_reader_close(r);
    assert_string_equal(vault_backend_name(c->v), "memory");
    assert_int_equal(vault_is_encrypted(c->v), 0);
}

static void test_bad_prefix(void **state)
{
    (void)state;
    struct vault *v = (void *)1;
    assert_int_equal(vault_mem_open(&v, "", 0), KMS_EINVAL);
    assert_null(v);
    assert_int_equal(vault_mem_open(&v, "../PUB", 0), KMS_EINVAL);
    assert_int_equal(vault_mem_open(&v, "PUB/x", 0), KMS_EINVAL);
    assert_int_equal(vault_mem_open(&v, "PUB-p1", 0), 0);
    assert_string_equal(vault_prefix(v), "PUB-p1");
    vault_free(v);
    vault_free(NULL);
}

int main(void)
{
    suite_backend = &mem_backend;
    const struct CMUnitTest tests[] = {
        VAULT_SUITE_TESTS,
        VAULT_SUITE_T(test_reader_outlives_delete),
        cmocka_unit_test(test_bad_prefix),
    };
    return cmocka_run_group_tests_name("vault_mem", tests, NULL, NULL);
}

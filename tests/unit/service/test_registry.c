/* Request ids and the request registry: parsing rules, idempotency
 * (ALREADY_EXISTS for pending/succeeded ids, retry after failure), the long
 * poll, bounded eviction, and concurrent use. Admission control too. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/clock.h"
#include "service/admission.h"
#include "service/registry.h"
#include "test_util.h"

static struct request_id id_of(uint32_t n)
{
    struct request_id id;
    memset(&id, 0, sizeof id);
    id.b[0] = 0x42;
    id.b[28] = (uint8_t)(n >> 24);
    id.b[29] = (uint8_t)(n >> 16);
    id.b[30] = (uint8_t)(n >> 8);
    id.b[31] = (uint8_t)n;
    return id;
}

static void test_request_id(void **state)
{
    (void)state;
    struct request_id id;
    char out[REQUEST_ID_HEX_LEN + 1];
    const char *good = "00000000000000000000000000000000000000000000000000000000000000ab";
    assert_int_equal(request_id_parse(&id, good, strlen(good)), 0);
    request_id_format(out, &id);
    assert_string_equal(out, good);
    /* whitespace, 0x, upper case */
    const char *loose = "  0x00000000000000000000000000000000000000000000000000000000000000AB\n";
    assert_int_equal(request_id_parse(&id, loose, strlen(loose)), 0);
    request_id_format(out, &id);
    assert_string_equal(out, good);
    /* rejected */
    const char *bad[] = {
        "",
        "   ",
        "0000000000000000000000000000000000000000000000000000000000000000", /* all zero */
        "00000000000000000000000000000000000000000000000000000000000000a",  /* 63 digits */
        "00000000000000000000000000000000000000000000000000000000000000abc", /* 65 */
        "00000000000000000000000000000000000000000000000000000000000000ag",
        "0x",
        "00000000000000000000000000000000 0000000000000000000000000000000ab",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(request_id_parse(&id, bad[i], strlen(bad[i])), KMS_EINVAL);
    assert_int_equal(request_id_parse(&id, NULL, 0), KMS_EINVAL);
}

static void test_lifecycle(void **state)
{
    (void)state;
    struct registry *r;
    struct registry_outcome o;
    struct request_id a = id_of(1), b = id_of(2);
    assert_int_equal(registry_new(&r, "test", 0, 0), 0);
    assert_int_equal(registry_wait(r, &a, 0, &o), KMS_ENOTFOUND);
    assert_int_equal(registry_insert(r, &a), 0);
    assert_int_equal(registry_insert(r, &a), KMS_EEXIST); /* pending */
    assert_non_null(strstr(kms_err_msg(), "pending"));
    assert_int_equal(registry_wait(r, &a, 20, &o), KMS_EUNAVAIL);
    uint8_t *res = malloc(3);
    memcpy(res, "abc", 3);
    assert_int_equal(registry_complete_ok(r, &a, res, 3), 0);
    assert_int_equal(registry_wait(r, &a, 0, &o), 0);
    assert_int_equal(o.state, REGISTRY_DONE_OK);
    assert_int_equal(o.len, 3);
    assert_memory_equal(o.result, "abc", 3);
    free(o.result);
    assert_int_equal(registry_insert(r, &a), KMS_EEXIST); /* succeeded */
    assert_int_equal(registry_complete_ok(r, &a, NULL, 0), KMS_EPRECOND);

    /* a failed request may be retried */
    assert_int_equal(registry_insert(r, &b), 0);
    assert_int_equal(registry_complete_err(r, &b, KMS_EINVAL, "bad ciphertext"), 0);
    assert_int_equal(registry_wait(r, &b, 0, &o), 0);
    assert_int_equal(o.state, REGISTRY_DONE_ERR);
    assert_int_equal(o.err_code, KMS_EINVAL);
    assert_string_equal(o.err_msg, "bad ciphertext");
    assert_int_equal(registry_insert(r, &b), 0);
    assert_int_equal(registry_state_of(r, &b), REGISTRY_PENDING);
    assert_int_equal(registry_remove(r, &b), 0);
    assert_int_equal(registry_state_of(r, &b), REGISTRY_UNKNOWN);
    assert_int_equal(registry_remove(r, &b), KMS_ENOTFOUND);
    registry_free(r);
}

/* capacity 4, min_cache 2: finished entries are evicted oldest first down
 * to 2; pending ones are never evicted. */
static void test_bounded(void **state)
{
    (void)state;
    struct registry *r;
    assert_int_equal(registry_new(&r, "dec", 4, 2), 0);
    for (uint32_t i = 0; i < 4; i++) {
        struct request_id id = id_of(i);
        assert_int_equal(registry_insert(r, &id), 0);
        assert_int_equal(registry_complete_ok(r, &id, NULL, 0), 0);
    }
    struct request_id n4 = id_of(4), n5 = id_of(5), n6 = id_of(6), n7 = id_of(7);
    assert_int_equal(registry_insert(r, &n4), 0); /* evicts 0 and 1 */
    struct request_id n0 = id_of(0), n1 = id_of(1), n2 = id_of(2);
    assert_int_equal(registry_state_of(r, &n0), REGISTRY_UNKNOWN);
    assert_int_equal(registry_state_of(r, &n1), REGISTRY_UNKNOWN);
    assert_int_equal(registry_state_of(r, &n2), REGISTRY_DONE_OK);
    assert_int_equal(registry_insert(r, &n5), 0);
    /* 2 finished (2, 3) + 2 pending: full, and nothing may be evicted */
    assert_int_equal(registry_insert(r, &n6), KMS_EFULL);
    assert_int_equal(registry_complete_ok(r, &n4, NULL, 0), 0);
    assert_int_equal(registry_insert(r, &n6), 0); /* evicts 2 */
    assert_int_equal(registry_state_of(r, &n2), REGISTRY_UNKNOWN);
    assert_int_equal(registry_insert(r, &n7), KMS_EFULL);
    size_t total, pending, cap;
    registry_counts(r, &total, &pending, &cap);
    assert_int_equal(total, 4);
    assert_int_equal(pending, 2);
    assert_int_equal(cap, 4);
    registry_free(r);
}

/* Many entries: the table grows and every id stays findable. */
static void test_growth(void **state)
{
    (void)state;
    struct registry *r;
    assert_int_equal(registry_new(&r, "big", 0, 0), 0);
    for (uint32_t i = 0; i < 50000; i++) {
        struct request_id id = id_of(i);
        assert_int_equal(registry_insert(r, &id), 0);
        if (i % 3 == 0)
            assert_int_equal(registry_remove(r, &id), 0);
    }
    for (uint32_t i = 0; i < 50000; i++) {
        struct request_id id = id_of(i);
        assert_int_equal(registry_state_of(r, &id), i % 3 == 0 ? REGISTRY_UNKNOWN : REGISTRY_PENDING);
    }
    registry_free(r);
}

/* A bounded store under steady churn: each eviction leaves a deleted slot
 * that later insertions reuse; every id stays findable. With min_cache 0 a
 * full store of 8 finished entries empties at the next insertion, so the
 * survivors are the last batch of 8. */
static void test_churn(void **state)
{
    (void)state;
    struct registry *r;
    assert_int_equal(registry_new(&r, "churn", 8, 0), 0);
    for (uint32_t i = 0; i < 10000; i++) {
        struct request_id id = id_of(i);
        assert_int_equal(registry_insert(r, &id), 0);
        assert_int_equal(registry_complete_ok(r, &id, NULL, 0), 0);
    }
    for (uint32_t i = 9984; i < 10000; i++) {
        struct request_id id = id_of(i);
        assert_int_equal(registry_state_of(r, &id),
                         i >= 9992 ? REGISTRY_DONE_OK : REGISTRY_UNKNOWN);
    }
    size_t total, pending;
    registry_counts(r, &total, &pending, NULL);
    assert_int_equal(total, 8);
    assert_int_equal(pending, 0);
    registry_free(r);
}

struct waiter {
    struct registry *r;
    struct request_id id;
    int rc;
    struct registry_outcome o;
};

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    w->rc = registry_wait(w->r, &w->id, 5000, &w->o);
    return NULL;
}

/* Waiters on several threads wake when another thread completes. */
static void test_long_poll(void **state)
{
    (void)state;
    struct registry *r;
    assert_int_equal(registry_new(&r, "poll", 0, 0), 0);
    enum { W = 8 };
    struct waiter w[W];
    pthread_t th[W];
    for (int i = 0; i < W; i++) {
        w[i] = (struct waiter){.r = r, .id = id_of((uint32_t)i)};
        assert_int_equal(registry_insert(r, &w[i].id), 0);
        pthread_create(&th[i], NULL, wait_thread, &w[i]);
    }
    clock_sleep_ms(20);
    uint64_t t0 = clock_now_ms();
    for (int i = 0; i < W; i++) {
        uint8_t *res = malloc(1);
        res[0] = (uint8_t)i;
        assert_int_equal(registry_complete_ok(r, &w[i].id, res, 1), 0);
    }
    for (int i = 0; i < W; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, 0);
        assert_int_equal(w[i].o.state, REGISTRY_DONE_OK);
        assert_int_equal(w[i].o.result[0], i);
        free(w[i].o.result);
    }
    assert_true(clock_now_ms() - t0 < 4000); /* woken, not timed out */
    registry_free(r);
}

static void test_admission(void **state)
{
    (void)state;
    struct admission *a;
    assert_int_equal(admission_new(&a, 10), 0);
    assert_int_equal(admission_acquire(a, 7, "keygen"), 0);
    assert_int_equal(admission_acquire(a, 4, "decrypt"), KMS_EFULL);
    assert_non_null(strstr(kms_err_msg(), "decrypt"));
    assert_int_equal(admission_in_use(a), 7); /* a refusal takes nothing */
    assert_int_equal(admission_acquire(a, 3, "decrypt"), 0);
    assert_int_equal(admission_in_use(a), 10);
    admission_release(a, 7);
    assert_int_equal(admission_acquire(a, 11, "too big"), KMS_EFULL);
    assert_int_equal(admission_acquire(a, 7, "again"), 0);
    admission_release(a, 10);
    assert_int_equal(admission_in_use(a), 0);
    admission_free(a);
    assert_int_equal(admission_new(&a, 0), KMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_id), cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_bounded),    cmocka_unit_test(test_growth),
        cmocka_unit_test(test_churn),
        cmocka_unit_test(test_long_poll),  cmocka_unit_test(test_admission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

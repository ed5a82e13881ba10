/* Error codes: messages, wrapping, thread-locality, names and the mapping to
 * gRPC status codes. The expected gRPC numbers below are written from the
 * gRPC protocol's status code list (grpc/doc/statuscodes.md), not read back
 * from the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

/* gRPC status codes, as numbered by the gRPC specification. */
enum {
    G_OK = 0, G_CANCELLED = 1, G_UNKNOWN = 2, G_INVALID_ARGUMENT = 3, G_DEADLINE_EXCEEDED = 4,
    G_NOT_FOUND = 5, G_ALREADY_EXISTS = 6, G_PERMISSION_DENIED = 7, G_RESOURCE_EXHAUSTED = 8,
    G_FAILED_PRECONDITION = 9, G_ABORTED = 10, G_OUT_OF_RANGE = 11, G_UNIMPLEMENTED = 12,
    G_INTERNAL = 13, G_UNAVAILABLE = 14, G_DATA_LOSS = 15, G_UNAUTHENTICATED = 16
};

static const struct {
    int code;
    int grpc;
} expected_map[] = {
    {KMS_OK, G_OK},
    {KMS_EINVAL, G_INVALID_ARGUMENT},
    {KMS_ELIMIT, G_INVALID_ARGUMENT},
    {KMS_ETRUNC, G_INVALID_ARGUMENT},
    {KMS_EVERIFY, G_INVALID_ARGUMENT},
    {KMS_ENOMEM, G_RESOURCE_EXHAUSTED},
    {KMS_ENOTFOUND, G_NOT_FOUND},
    {KMS_EEXIST, G_ALREADY_EXISTS},
    {KMS_EIO, G_INTERNAL},
    {KMS_EUNAVAIL, G_UNAVAILABLE},
    {KMS_EFULL, G_RESOURCE_EXHAUSTED},
    {KMS_EABORTED, G_ABORTED},
    {KMS_EPRECOND, G_FAILED_PRECONDITION},
    {KMS_EUNIMPL, G_UNIMPLEMENTED},
    {KMS_ETIMEOUT, G_DEADLINE_EXCEEDED},
    {KMS_EINTERNAL, G_INTERNAL},
    {KMS_ECRYPTO, G_INTERNAL},
};
#define N_CODES (sizeof expected_map / sizeof expected_map[0])

/* The last code defined in error.h; adding a code must extend this test. */
#define LAST_CODE KMS_ECRYPTO

static void test_err_returns_code_and_message(void **state)
{
    (void)state;
    kms_err_clear();
    assert_string_equal(kms_err_msg(), "");
    assert_int_equal(kms_err(KMS_EINVAL, "bad %s %d", "thing", 42), KMS_EINVAL);
    assert_string_equal(kms_err_msg(), "bad thing 42");
    assert_int_equal(kms_err(KMS_ETRUNC, "second"), KMS_ETRUNC);
    assert_string_equal(kms_err_msg(), "second");
    kms_err_clear();
    assert_string_equal(kms_err_msg(), "");
}

static void test_err_long_message_truncated(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(kms_err(KMS_EIO, "%s", big), KMS_EIO);
    size_t n = strlen(kms_err_msg());
    assert_true(n > 0 && n < sizeof big - 1);
    assert_int_equal(strspn(kms_err_msg(), "a"), n);
}

static void test_err_wrap(void **state)
{
    (void)state;
    (void)kms_err(KMS_ENOTFOUND, "key 12 missing");
    assert_int_equal(kms_err_wrap(KMS_ENOTFOUND, "load"), KMS_ENOTFOUND);
    assert_string_equal(kms_err_msg(), "load: key 12 missing");
    assert_int_equal(kms_err_wrap(KMS_EIO, "decrypt"), KMS_EIO);
    assert_string_equal(kms_err_msg(), "decrypt: load: key 12 missing");

    kms_err_clear();
    (void)kms_err_wrap(KMS_EIO, "ctx");
    assert_string_equal(kms_err_msg(), "ctx: ");
}

static void test_err_wrap_long(void **state)
{
    (void)state;
    char prefix[1000], body[1000];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    memset(body, 'b', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    (void)kms_err(KMS_EINVAL, "%s", body);
    for (int i = 0; i < 10; i++)
        (void)kms_err_wrap(KMS_EINVAL, prefix);
    const char *m = kms_err_msg();
    size_t n = strlen(m);
    assert_true(n > 0 && n < 1000);
    /* the prefix comes first, then ": " */
    size_t np = strspn(m, "p");
    assert_true(np > 0);
    assert_memory_equal(m + np, ": ", 2);
}

static void *other_thread(void *arg)
{
    (void)arg;
    (void)kms_err(KMS_EIO, "from the other thread");
    return NULL;
}

static void test_err_thread_local(void **state)
{
    (void)state;
    (void)kms_err(KMS_EINVAL, "mine");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_string_equal(kms_err_msg(), "mine");
}

static void test_err_names(void **state)
{
    (void)state;
    assert_string_equal(kms_err_name(KMS_OK), "ok");
    assert_string_equal(kms_err_name(KMS_EINVAL), "invalid_argument");
    assert_string_equal(kms_err_name(KMS_EFULL), "resource_exhausted");
    assert_string_equal(kms_err_name(KMS_ETIMEOUT), "deadline_exceeded");
    /* every code has a distinct, non-empty, lower-case name */
    for (int c = KMS_OK; c >= LAST_CODE; c--) {
        const char *name = kms_err_name(c);
        assert_string_not_equal(name, "unknown");
        assert_true(strlen(name) > 0);
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
        for (int d = c - 1; d >= LAST_CODE; d--)
            assert_string_not_equal(name, kms_err_name(d));
    }
    assert_string_equal(kms_err_name(LAST_CODE - 1), "unknown");
    assert_string_equal(kms_err_name(1), "unknown");
    assert_string_equal(kms_err_name(-1000), "unknown");
}

static void test_err_grpc_map_complete(void **state)
{
    (void)state;
    /* the expected table covers every code exactly once */
    assert_int_equal(N_CODES, (size_t)(KMS_OK - LAST_CODE + 1));
    for (int c = KMS_OK; c >= LAST_CODE; c--) {
        int seen = 0;
        for (size_t i = 0; i < N_CODES; i++)
            seen += expected_map[i].code == c;
        assert_int_equal(seen, 1);
    }
    for (size_t i = 0; i < N_CODES; i++) {
        int g = kms_err_grpc_status(expected_map[i].code);
        if (g != expected_map[i].grpc)
            fail_msg("%s maps to gRPC %d, want %d", kms_err_name(expected_map[i].code), g,
                     expected_map[i].grpc);
        /* only OK maps to gRPC OK */
        assert_true((g == G_OK) == (expected_map[i].code == KMS_OK));
    }
    /* unknown codes are internal errors, never OK */
    assert_int_equal(kms_err_grpc_status(LAST_CODE - 1), G_INTERNAL);
    assert_int_equal(kms_err_grpc_status(7), G_INTERNAL);
    (void)G_CANCELLED; (void)G_UNKNOWN; (void)G_PERMISSION_DENIED; (void)G_OUT_OF_RANGE;
    (void)G_DATA_LOSS; (void)G_UNAUTHENTICATED;
}

static int try_chain(int fail_at)
{
    KMS_TRY(fail_at == 1 ? kms_err(KMS_EINVAL, "one") : 0);
    KMS_TRY(fail_at == 2 ? kms_err(KMS_EIO, "two") : 0);
    return 5;
}

static void test_err_try(void **state)
{
    (void)state;
    assert_int_equal(try_chain(0), 5);
    assert_int_equal(try_chain(1), KMS_EINVAL);
    assert_string_equal(kms_err_msg(), "one");
    assert_int_equal(try_chain(2), KMS_EIO);
    assert_string_equal(kms_err_msg(), "two");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_returns_code_and_message),
        cmocka_unit_test(test_err_long_message_truncated),
        cmocka_unit_test(test_err_wrap),
        cmocka_unit_test(test_err_wrap_long),
        cmocka_unit_test(test_err_thread_local),
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_err_grpc_map_complete),
        cmocka_unit_test(test_err_try),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

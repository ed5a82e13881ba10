/* Clock: monotonic readings, units, the wall clock against time(2), RFC 3339
 * formatting (expected strings from GNU `date -u -d @<secs> +%FT%T`), and
 * deadlines, including a timed wait on a CLOCK_MONOTONIC condition
 * variable. Sleeps are short (tens of ms) and only lower bounds on elapsed
 * time are asserted, with generous upper bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

static void test_clock_monotonic(void **state)
{
    (void)state;
    uint64_t prev = clock_now_ns();
    for (int i = 0; i < 100000; i++) {
        uint64_t t = clock_now_ns();
        assert_true(t >= prev);
        prev = t;
    }
    uint64_t ns = clock_now_ns(), us = clock_now_us(), ms = clock_now_ms();
    uint64_t ns2 = clock_now_ns();
    assert_true(us >= ns / 1000 && us <= ns2 / 1000);
    assert_true(ms >= ns / 1000000 && ms <= ns2 / 1000000);
}

static void test_clock_sleep_measured(void **state)
{
    (void)state;
    uint64_t t0 = clock_now_ns();
    clock_sleep_ms(20);
    uint64_t dt = clock_now_ns() - t0;
    assert_true(dt >= 20 * UINT64_C(1000000));
    assert_true(dt < 2000 * UINT64_C(1000000));
    t0 = clock_now_ms();
    clock_sleep_ms(0);
    assert_true(clock_now_ms() - t0 < 1000);
}

static void test_clock_wall(void **state)
{
    (void)state;
    time_t before = time(NULL);
    uint64_t w = clock_wall_ms();
    time_t after = time(NULL);
    assert_true(w / 1000 >= (uint64_t)before && w / 1000 <= (uint64_t)after);
    assert_true(w > UINT64_C(1577836800000)); /* after 2020-01-01 */
}

static void test_clock_rfc3339(void **state)
{
    (void)state;
    static const struct {
        uint64_t ms;
        const char *want;
    } kat[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {UINT64_C(1795341600123), "2026-11-22T10:00:00.123Z"},
        {UINT64_C(951782400999), "2000-02-29T00:00:00.999Z"},
        {UINT64_C(68169600001), "1972-02-29T00:00:00.001Z"},
        {UINT64_C(1234567890010), "2009-02-13T23:31:30.010Z"},
        {UINT64_C(4102444800500), "2100-01-01T00:00:00.500Z"},
        {UINT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
    };
    char out[CLOCK_RFC3339_LEN];
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        memset(out, 'x', sizeof out);
        assert_int_equal(clock_format_rfc3339(out, sizeof out, kat[i].ms), 0);
        assert_string_equal(out, kat[i].want);
    }
    assert_int_equal(clock_format_rfc3339(out, sizeof out, UINT64_C(253402300800000)),
                     KMS_EINVAL);
    assert_int_equal(clock_format_rfc3339(out, sizeof out, UINT64_MAX), KMS_EINVAL);
    assert_int_equal(clock_format_rfc3339(out, sizeof out - 1, 0), KMS_EINVAL);
    /* a current timestamp has the right shape */
    assert_int_equal(clock_format_rfc3339(out, sizeof out, clock_wall_ms()), 0);
    assert_int_equal(strlen(out), CLOCK_RFC3339_LEN - 1);
    assert_int_equal(out[10], 'T');
    assert_int_equal(out[23], 'Z');
}

static void test_clock_deadline(void **state)
{
    (void)state;
    struct clock_deadline d = clock_deadline_in_ms(0);
    assert_int_equal(clock_deadline_expired(d), 1);
    assert_int_equal(clock_deadline_remaining_ms(d), 0);

    d = clock_deadline_in_ms(10000);
    assert_int_equal(clock_deadline_expired(d), 0);
    uint64_t left = clock_deadline_remaining_ms(d);
    assert_true(left > 9000 && left <= 10000);

    d = clock_deadline_in_ms(30);
    assert_int_equal(clock_deadline_expired(d), 0);
    assert_true(clock_deadline_remaining_ms(d) >= 1);
    clock_sleep_ms(40);
    assert_int_equal(clock_deadline_expired(d), 1);
    assert_int_equal(clock_deadline_remaining_ms(d), 0);

    /* remaining time rounds up: it reads 0 only once the deadline passed
     * (with rounding down it would read 0 during the last millisecond) */
    d = clock_deadline_in_ms(3);
    int spins = 0;
    for (;;) {
        uint64_t r = clock_deadline_remaining_ms(d);
        int expired = clock_deadline_expired(d);
        assert_true(r <= 3);
        assert_true(r != 0 || expired);
        if (r == 0)
            break;
        spins++;
    }
    assert_int_equal(clock_deadline_expired(d), 1);
    assert_true(spins > 0);
    /* and a deadline 0.5 ms away reads 1, or 0 if already past */
    d.at_ns = clock_now_ns() + 500000;
    left = clock_deadline_remaining_ms(d);
    assert_true(left == 1 || (left == 0 && clock_deadline_expired(d)));
}

static void test_clock_deadline_never(void **state)
{
    (void)state;
    struct clock_deadline d = CLOCK_DEADLINE_NEVER;
    assert_int_equal(clock_deadline_expired(d), 0);
    assert_true(clock_deadline_remaining_ms(d) == UINT64_MAX);
    assert_true(clock_deadline_in_ms(UINT64_MAX).at_ns == UINT64_MAX);
    assert_true(clock_deadline_in_ms(UINT64_MAX / 1000).at_ns == UINT64_MAX);
    assert_true(clock_deadline_in_ns(UINT64_MAX - 1).at_ns == UINT64_MAX);
    assert_int_equal(clock_deadline_expired(clock_deadline_in_ns(UINT64_MAX - 1)), 0);
}

static void test_clock_deadline_timed_wait(void **state)
{
    (void)state;
    pthread_condattr_t attr;
    pthread_cond_t cond;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    assert_int_equal(pthread_condattr_init(&attr), 0);
    assert_int_equal(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), 0);
    assert_int_equal(pthread_cond_init(&cond, &attr), 0);

    uint64_t t0 = clock_now_ns();
    struct clock_deadline d = clock_deadline_in_ms(30);
    struct timespec ts = clock_deadline_timespec(d);
    assert_true((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec == d.at_ns);
    int rc = 0;
    pthread_mutex_lock(&lock);
    while (rc == 0)
        rc = pthread_cond_timedwait(&cond, &lock, &ts);
    pthread_mutex_unlock(&lock);
    assert_int_equal(rc, ETIMEDOUT);
    assert_true(clock_deadline_expired(d));
    uint64_t dt = clock_now_ns() - t0;
    assert_true(dt >= 30 * UINT64_C(1000000) && dt < 2000 * UINT64_C(1000000));

    pthread_cond_destroy(&cond);
    pthread_condattr_destroy(&attr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_monotonic),
        cmocka_unit_test(test_clock_sleep_measured),
        cmocka_unit_test(test_clock_wall),
        cmocka_unit_test(test_clock_rfc3339),
        cmocka_unit_test(test_clock_deadline),
        cmocka_unit_test(test_clock_deadline_never),
        cmocka_unit_test(test_clock_deadline_timed_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

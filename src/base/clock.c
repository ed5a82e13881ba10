#include "base/clock.h"

#include <errno.h>
#include <stdio.h>

_Static_assert(sizeof(time_t) == 8, "64-bit time_t is assumed");

#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)

static uint64_t read_clock(clockid_t id)
{
    struct timespec ts;
    /* cannot fail for these clock ids on Linux */
    (void)clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t clock_now_ns(void) { return read_clock(CLOCK_MONOTONIC); }
uint64_t clock_now_us(void) { return clock_now_ns() / 1000u; }
uint64_t clock_now_ms(void) { return clock_now_ns() / NS_PER_MS; }
uint64_t clock_wall_ms(void) { return read_clock(CLOCK_REALTIME) / NS_PER_MS; }

int clock_format_rfc3339(char *out, size_t out_cap, uint64_t wall_ms)
{
    if (out_cap < CLOCK_RFC3339_LEN)
        return kms_err(KMS_EINVAL, "clock: output buffer of %zu bytes too small", out_cap);
    /* 253402300800 s is 10000-01-01T00:00:00Z: four-digit years only */
    uint64_t secs = wall_ms / 1000u;
    if (secs >= UINT64_C(253402300800))
        return kms_err(KMS_EINVAL, "clock: time %llu ms is past year 9999",
                       (unsigned long long)wall_ms);
    time_t t = (time_t)secs;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return kms_err(KMS_EINVAL, "clock: cannot convert time %llu ms",
                       (unsigned long long)wall_ms);
    int n = snprintf(out, out_cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (unsigned)(wall_ms % 1000u));
    if (n != CLOCK_RFC3339_LEN - 1)
        return kms_err(KMS_EINTERNAL, "clock: unexpected timestamp length %d", n);
    return 0;
}

struct clock_deadline clock_deadline_in_ns(uint64_t timeout_ns)
{
    uint64_t now = clock_now_ns();
    struct clock_deadline d;
    d.at_ns = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
    return d;
}

struct clock_deadline clock_deadline_in_ms(uint64_t timeout_ms)
{
    if (timeout_ms > UINT64_MAX / NS_PER_MS)
        return CLOCK_DEADLINE_NEVER;
    return clock_deadline_in_ns(timeout_ms * NS_PER_MS);
}

uint64_t clock_deadline_remaining_ms(struct clock_deadline d)
{
    if (d.at_ns == UINT64_MAX)
        return UINT64_MAX;
    uint64_t now = clock_now_ns();
    if (now >= d.at_ns)
        return 0;
    uint64_t left = d.at_ns - now;
    return left / NS_PER_MS + (left % NS_PER_MS != 0);
}

int clock_deadline_expired(struct clock_deadline d)
{
    return d.at_ns != UINT64_MAX && clock_now_ns() >= d.at_ns;
}

struct timespec clock_deadline_timespec(struct clock_deadline d)
{
    struct timespec ts;
    /* time_t is 64-bit here, so every at_ns fits without saturation */
    ts.tv_sec = (time_t)(d.at_ns / NS_PER_S);
    ts.tv_nsec = (long)(d.at_ns % NS_PER_S);
    return ts;
}

void clock_sleep_ms(uint64_t ms)
{
    struct timespec req = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&req, &req) != 0 && errno == EINTR) {
    }
}

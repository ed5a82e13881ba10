/* Time: a monotonic clock for measuring and for deadlines, and the wall
 * clock for timestamps that leave the process (logs, records).
 *
 * Deadlines are absolute points on the monotonic clock, so they survive
 * being handed down a call chain without drifting and are immune to the
 * wall clock being stepped. */
#ifndef CKMS_BASE_CLOCK_H
#define CKMS_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"

/* Monotonic time since an arbitrary start (CLOCK_MONOTONIC). */
uint64_t clock_now_ns(void);
uint64_t clock_now_us(void);
uint64_t clock_now_ms(void);

/* Wall-clock milliseconds since 1970-01-01T00:00:00Z (CLOCK_REALTIME). */
uint64_t clock_wall_ms(void);

/* Length of "YYYY-MM-DDTHH:MM:SS.mmmZ" plus its NUL. */
#define CLOCK_RFC3339_LEN 25

/* Formats wall_ms as RFC 3339 UTC with milliseconds, e.g.
 * "2026-11-22T10:00:00.123Z". Needs out_cap >= CLOCK_RFC3339_LEN and a
 * year in 0..9999, else KMS_EINVAL. */
int clock_format_rfc3339(char *out, size_t out_cap, uint64_t wall_ms) KMS_MUST_CHECK;

/* An absolute point on the monotonic clock. */
struct clock_deadline {
    uint64_t at_ns;
};

/* Never expires; remaining time is UINT64_MAX ms. */
#define CLOCK_DEADLINE_NEVER ((struct clock_deadline){UINT64_MAX})

/* now + timeout_ms (saturating: a huge timeout is the same as never). */
struct clock_deadline clock_deadline_in_ms(uint64_t timeout_ms);
struct clock_deadline clock_deadline_in_ns(uint64_t timeout_ns);

/* Whole milliseconds left, rounded up so that 0 means exactly "expired". */
uint64_t clock_deadline_remaining_ms(struct clock_deadline d);

/* 1 once the deadline has passed, else 0. */
int clock_deadline_expired(struct clock_deadline d);

/* The deadline as a CLOCK_MONOTONIC timespec, for pthread_cond_timedwait on
 * a condition variable whose clock was set with
 * pthread_condattr_setclock(&attr, CLOCK_MONOTONIC). */
struct timespec clock_deadline_timespec(struct clock_deadline d);

/* Sleeps for ms milliseconds (resumed across signals). */
void clock_sleep_ms(uint64_t ms);

#endif

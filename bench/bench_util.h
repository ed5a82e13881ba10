/* Timing and JSON-line output for the benchmark programs. */
#ifndef CKMS_BENCH_UTIL_H
#define CKMS_BENCH_UTIL_H

#include <stdint.h>

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Prints {"name":…,"value":…,"unit":…} on one line. */
void bench_emit(const char *name, double value, const char *unit);

/* Same, with one extra preformatted JSON member list, e.g. "\"p99\":3.1". */
void bench_emit_extra(const char *name, double value, const char *unit, const char *extra);

/* Peak resident set size of this process so far, in MiB. */
double bench_peak_rss_mib(void);

/* Sorts v in place and returns its median (v[count / 2]). */
double bench_median(double *v, int count);
/* Sorts v in place and returns the value at fraction q in [0, 1]. */
double bench_quantile(double *v, int count, double q);

/* Exits with a message when a ckms call fails: benchmarks measure working
 * code only. */
#define BENCH_CHECK(x)                                                         \
    do {                                                                       \
        if ((x) != 0)                                                          \
            bench_fail(#x);                                                    \
    } while (0)
void bench_fail(const char *what) __attribute__((noreturn));

#endif

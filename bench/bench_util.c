#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include <sys/resource.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_emit_extra(const char *name, double value, const char *unit, const char *extra)
{
    printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"%s%s}\n", name, value, unit,
           extra != NULL ? "," : "", extra != NULL ? extra : "");
    fflush(stdout);
}

void bench_emit(const char *name, double value, const char *unit)
{
    bench_emit_extra(name, value, unit, NULL);
}

double bench_peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_quantile(double *v, int count, double q)
{
    qsort(v, (size_t)count, sizeof *v, cmp_double);
    int i = (int)(q * count);
    return v[i < count ? i : count - 1];
}

double bench_median(double *v, int count) { return bench_quantile(v, count, 0.5); }

void bench_fail(const char *what)
{
    fprintf(stderr, "bench: %s failed: %s\n", what, kms_err_msg());
    exit(1);
}

/* ML-KEM-512 latency: median microseconds per keygen, encaps and decaps
 * (the randomised entry points, so a getrandom call is included where the
 * real code makes one), over RUNS runs each. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "crypto/mlkem.h"

#define RUNS 2000

static uint64_t times[RUNS];

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the samples and emits the median, with p99 alongside. */
static void emit_median(const char *name)
{
    char extra[64];
    qsort(times, RUNS, sizeof times[0], cmp_u64);
    snprintf(extra, sizeof extra, "\"p99\":%.2f,\"runs\":%d", (double)times[RUNS * 99 / 100] / 1e3,
             RUNS);
    bench_emit_extra(name, (double)times[RUNS / 2] / 1e3, "us", extra);
}

int main(void)
{
    static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    static uint8_t ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES], ss2[MLKEM_SS_BYTES];
    int bad = 0;

    for (int i = 0; i < RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        bad |= mlkem512_keygen(ek, dk);
        times[i] = bench_now_ns() - t0;
    }
    emit_median("mlkem512_keygen_us");

    for (int i = 0; i < RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        bad |= mlkem512_encaps(ct, ss, ek);
        times[i] = bench_now_ns() - t0;
    }
    emit_median("mlkem512_encaps_us");

    for (int i = 0; i < RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        bad |= mlkem512_decaps(ss2, ct, dk);
        times[i] = bench_now_ns() - t0;
    }
    emit_median("mlkem512_decaps_us");

    /* the last decapsulation must have recovered the last shared secret */
    for (size_t i = 0; i < sizeof ss; i++)
        bad |= ss[i] ^ ss2[i];
    return bad != 0;
}

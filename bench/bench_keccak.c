/* Keccak sponge throughput: Keccak-256 over 1 MiB messages, and SHAKE128
 * squeeze (the ML-KEM matrix sampler and the tfhe XOF paths). */
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "crypto/keccak.h"

#define MSG_BYTES (1u << 20)
#define ROUNDS 64

int main(void)
{
    uint8_t *msg = malloc(MSG_BYTES), d[32];
    if (msg == NULL)
        return 1;
    memset(msg, 0x5a, MSG_BYTES);

    keccak256(d, msg, MSG_BYTES); /* warm up */
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        msg[0] = (uint8_t)i;
        keccak256(d, msg, MSG_BYTES);
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    bench_emit("keccak256_MBps", (double)MSG_BYTES * ROUNDS / secs / 1e6, "MB/s");

    struct keccak k;
    keccak_init_shake128(&k);
    keccak_absorb(&k, d, sizeof d);
    t0 = bench_now_ns();
    for (int i = 0; i < ROUNDS; i++)
        keccak_squeeze(&k, msg, MSG_BYTES);
    secs = (double)(bench_now_ns() - t0) / 1e9;
    bench_emit("shake128_squeeze_MBps", (double)MSG_BYTES * ROUNDS / secs / 1e6, "MB/s");

    free(msg);
    return d[0] == 0x42 && k.pos == 0 ? 2 : 0; /* keep the work observable */
}

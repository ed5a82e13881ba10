/* AES throughput: AES-128 ECB on 64 KiB batches through one reused context
 * (the tfhe-csprng path), AES-256-GCM sealing 4 KiB messages, AES-128-CTR
 * keystream, and CTR_DRBG generate (4 KiB requests and 32-byte requests
 * through the per-thread generator). */
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "crypto/aes.h"
#include "crypto/drbg.h"

#define BATCH (64u << 10)
#define MSG 4096u

/* Runs `body` until at least ~0.3 s have passed; emits bytes/s in MB/s. */
#define MEASURE(name, bytes_per_iter, body)                                                      \
    do {                                                                                         \
        uint64_t iters_ = 0, t0_ = bench_now_ns(), dt_;                                          \
        do {                                                                                     \
            for (int rep_ = 0; rep_ < 64; rep_++) {                                              \
                body;                                                                            \
            }                                                                                    \
            iters_ += 64;                                                                        \
            dt_ = bench_now_ns() - t0_;                                                          \
        } while (dt_ < 300000000u);                                                              \
        bench_emit(name, (double)(bytes_per_iter) * (double)iters_ / ((double)dt_ / 1e3), "MB/s"); \
    } while (0)

int main(void)
{
    uint8_t *buf = malloc(BATCH), *out = malloc(BATCH + 16);
    if (buf == NULL || out == NULL)
        return 1;
    for (size_t i = 0; i < BATCH; i++)
        buf[i] = (uint8_t)i;
    uint8_t key[32] = {1, 2, 3}, nonce[12] = {0}, iv[16] = {0};
    int bad = 0;

    struct aes_ctx ecb;
    if (aes_init(&ecb, key, 16) != 0)
        return 1;
    MEASURE("aes128_ecb_MBps", BATCH, bad |= aes_ecb_encrypt(&ecb, out, buf, BATCH / 16));
    aes_free(&ecb);

    struct aes_ctr ctr;
    if (aes_ctr_init(&ctr, key, 16, iv) != 0)
        return 1;
    MEASURE("aes128_ctr_keystream_MBps", BATCH, bad |= aes_ctr_keystream(&ctr, out, BATCH));
    aes_ctr_free(&ctr);

    MEASURE("aes256gcm_encrypt_MBps", MSG, {
        nonce[0]++;
        bad |= aes256gcm_encrypt(out, buf, MSG, NULL, 0, key, nonce);
    });
    MEASURE("aes256gcm_decrypt_MBps", MSG, {
        bad |= aes256gcm_decrypt(buf + MSG, out, MSG + 16, NULL, 0, key, nonce);
    });

    struct drbg *d;
    if (drbg_new(&d, NULL, 0) != 0)
        return 1;
    MEASURE("drbg_generate_MBps", MSG, bad |= drbg_generate(d, out, MSG, NULL, 0));
    MEASURE("drbg_generate_64KiB_MBps", BATCH, bad |= drbg_generate(d, out, BATCH, NULL, 0));
    drbg_free(d);
    MEASURE("drbg_random_bytes_32B_MBps", 32, bad |= drbg_random_bytes(out, 32));

    free(buf);
    free(out);
    return bad != 0;
}

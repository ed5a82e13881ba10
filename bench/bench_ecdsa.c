/* secp256k1 costs per KMS result signature: signing an EIP-712 digest
 * (65-byte recoverable), verifying a 64-byte signature, and recovering the
 * signer's public key. Medians over RUNS single-operation timings, in µs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "crypto/ecdsa.h"
#include "crypto/kms_eip712.h"

#define RUNS 3000

static double samples[RUNS];

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_us(void)
{
    qsort(samples, RUNS, sizeof samples[0], cmp_double);
    return samples[RUNS / 2] / 1000.0;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_ecdsa: %s failed\n", what);
    return 1;
}

int main(void)
{
    uint8_t sk[32], pk[65], digest[32], sig[65], rec[65], sh[32], handles[64];
    struct eip712_domain d;
    memset(&d, 0, sizeof d);
    d.fields = EIP712_DOMAIN_STANDARD;
    d.name = "Decryption";
    d.name_len = 10;
    d.version = "1";
    d.version_len = 1;
    eip712_u256_from_u64(d.chain_id, 54321);
    memset(d.verifying_contract, 0x5a, 20);
    memset(handles, 0x01, sizeof handles);
    if (ecdsa_seckey_generate(sk) != 0 || ecdsa_pubkey_from_seckey(pk, sk) != 0)
        return fail("key generation");
    kms_eip712_public_decrypt(sh, handles, 2, (const uint8_t *)"\x2a", 1, (const uint8_t *)"\x00", 1);
    if (eip712_digest_for_domain(digest, &d, sh) != 0)
        return fail("digest");
    /* warm up the lazily created signing context */
    if (ecdsa_sign_recoverable(sig, sk, digest) != 0)
        return fail("sign");

    for (int i = 0; i < RUNS; i++) {
        digest[0] = (uint8_t)i;
        digest[1] = (uint8_t)(i >> 8);
        uint64_t t0 = bench_now_ns();
        int rc = ecdsa_sign_recoverable(sig, sk, digest);
        samples[i] = (double)(bench_now_ns() - t0);
        if (rc != 0)
            return fail("sign");
    }
    bench_emit("secp256k1_sign_us", median_us(), "us");

    for (int i = 0; i < RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = ecdsa_verify(pk, 65, digest, sig);
        samples[i] = (double)(bench_now_ns() - t0);
        if (rc != 0)
            return fail("verify");
    }
    bench_emit("secp256k1_verify_us", median_us(), "us");

    for (int i = 0; i < RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        int rc = ecdsa_recover(rec, digest, sig);
        samples[i] = (double)(bench_now_ns() - t0);
        if (rc != 0 || memcmp(rec, pk, 65) != 0)
            return fail("recover");
    }
    bench_emit("secp256k1_recover_us", median_us(), "us");
    return 0;
}

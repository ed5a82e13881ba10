/* Portable kernels of the 128-bit NTT products: plain loops, values kept
 * fully reduced in [0, p), constant multiplications by Shoup's method with
 * 64-bit factors, the external product's sums by Montgomery reduction with
 * R = 2^64. Branch-free in the data. */
#include <string.h>

#include "tfhe/ntt128_impl.h"

static inline uint64_t csub(uint64_t x, uint64_t p) { return x - (p & (0 - (uint64_t)(x >= p))); }

/* x w mod p in [0, p) for x < 2^64, w < p, wp = floor(w 2^64 / p). */
static inline uint64_t mul_shoup(uint64_t x, uint64_t w, uint64_t wp, uint64_t p)
{
    uint64_t q = (uint64_t)(((u128)x * wp) >> 64);
    return csub(x * w - q * p, p);
}

static void forward_scalar(const struct ntt128_plan *plan, unsigned pi, uint64_t *out,
                           const int64_t *in)
{
    const struct ntt128_prime *pr = &plan->pr[pi];
    const uint64_t p = pr->p;
    size_t N = plan->N;
    for (size_t i = 0; i < N; i++) {
        int64_t v = in[i];
        out[i] = (uint64_t)v + (p & (uint64_t)(v >> 63));
    }
    size_t t = N;
    for (size_t m = 1; m < N; m <<= 1) {
        t >>= 1;
        for (size_t i = 0; i < m; i++) {
            uint64_t w = pr->fw[m + i], wp = pr->fw64[m + i];
            uint64_t *a = out + 2 * i * t;
            for (size_t j = 0; j < t; j++) {
                uint64_t u = a[j], v = mul_shoup(a[j + t], w, wp, p);
                a[j] = csub(u + v, p);
                a[j + t] = csub(u + p - v, p);
            }
        }
    }
    ntt128_transpose_blocks(out, N);
}

static void inverse_scalar(const struct ntt128_plan *plan, unsigned pi, uint64_t *a,
                           enum ntt128_mont mont)
{
    const struct ntt128_prime *pr = &plan->pr[pi];
    const uint64_t p = pr->p;
    size_t N = plan->N;
    for (size_t i = 0; i < N; i++)
        a[i] = csub(a[i], p);
    ntt128_transpose_blocks(a, N);
    size_t t = 1;
    for (size_t m = N >> 1; m >= 2; m >>= 1, t <<= 1)
        for (size_t i = 0; i < m; i++) {
            uint64_t w = pr->iw[m + i], wp = pr->iw64[m + i];
            uint64_t *b = a + 2 * i * t;
            for (size_t j = 0; j < t; j++) {
                uint64_t u = b[j], v = b[j + t];
                b[j] = csub(u + v, p);
                b[j + t] = mul_shoup(u + p - v, w, wp, p);
            }
        }
    /* stage 0 with the scale N^-1 2^R folded in */
    uint64_t s = pr->scale[mont], sp = pr->scale64[mont];
    uint64_t w = pr->w0s[mont], wp = pr->w0s64[mont];
    for (size_t j = 0; j < N / 2; j++) {
        uint64_t u = a[j], v = a[j + N / 2];
        a[j] = mul_shoup(u + v, s, sp, p);
        a[j + N / 2] = mul_shoup(u + p - v, w, wp, p);
    }
}

static void mac_ggsw_scalar(const struct ntt128_plan *plan, uint64_t *out, const uint64_t *small,
                            const uint64_t *ggsw, unsigned terms, unsigned cols)
{
    size_t N = plan->N, CL = (size_t)cols * plan->limbs, blocks = N / 8;
    for (unsigned pi = 0; pi < 2; pi++) {
        const struct ntt128_prime *pr = &plan->pr[pi];
        const uint64_t *g = ggsw + pi * blocks * terms * CL * 8;
        for (size_t q = 0; q < blocks; q++, g += terms * CL * 8)
            for (size_t j = 0; j < CL; j++)
                for (unsigned l = 0; l < 8; l++) {
                    u128 s = 0;
                    for (unsigned t = 0; t < terms; t++)
                        s += (u128)small[t * 2 * N + pi * N + 8 * q + l] * g[(t * CL + j) * 8 + l];
                    uint64_t mm = (uint64_t)s * pr->pinv64;
                    out[(2 * j + pi) * N + 8 * q + l] = (uint64_t)((s + (u128)mm * pr->p) >> 64);
                }
    }
}

static void crt_add_scalar(const struct ntt128_plan *plan, uint64_t *acc_lo, uint64_t *acc_hi,
                           const uint64_t *res)
{
    for (size_t i = 0; i < plan->N; i++) {
        u128 a = ((u128)acc_hi[i] << 64 | acc_lo[i]) + ntt128_crt_coeff(plan, res, i);
        acc_lo[i] = (uint64_t)a;
        acc_hi[i] = (uint64_t)(a >> 64);
    }
}

const struct ntt128_ops ntt128_ops_scalar = {
    .isa = NTT128_ISA_SCALAR,
    .forward = forward_scalar,
    .inverse = inverse_scalar,
    .mac_ggsw = mac_ggsw_scalar,
    .mac_mont = NTT128_R64,
    .crt_add = crt_add_scalar,
};

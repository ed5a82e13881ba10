/* Negacyclic polynomial arithmetic mod X^N+1 over u64 and u128. */
#include "tfhe/poly.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

/* ---- coefficient-wise ---- */

void poly_u64_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

void poly_u64_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] - b[i];
}

void poly_u64_neg(uint64_t *out, const uint64_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = -a[i];
}

void poly_u128_add(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

void poly_u128_sub(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] - b[i];
}

void poly_u128_neg(poly_u128 *out, const poly_u128 *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = -a[i];
}

/* ---- monomials ----
 * a * X^k with k = k' + n*e (k' < n): coefficient j is a[j-k'] for j >= k'
 * and -a[j-k'+n] below, the whole result negated when e is odd. Negation by
 * mask: (x ^ m) - m is -x for m = all ones, x for m = 0. */

void poly_u64_mul_xk(uint64_t *out, const uint64_t *a, size_t n, size_t k)
{
    k %= 2 * n;
    uint64_t m = k >= n ? UINT64_MAX : 0;
    k %= n;
    for (size_t j = 0; j < k; j++)
        out[j] = (a[j + n - k] ^ ~m) - ~m;
    for (size_t j = k; j < n; j++)
        out[j] = (a[j - k] ^ m) - m;
}

void poly_u64_mul_xk_minus_one(uint64_t *out, const uint64_t *a, size_t n, size_t k)
{
    poly_u64_mul_xk(out, a, n, k);
    poly_u64_sub(out, out, a, n);
}

void poly_u128_mul_xk(poly_u128 *out, const poly_u128 *a, size_t n, size_t k)
{
    k %= 2 * n;
    poly_u128 m = k >= n ? ~(poly_u128)0 : 0;
    k %= n;
    for (size_t j = 0; j < k; j++)
        out[j] = (a[j + n - k] ^ ~m) - ~m;
    for (size_t j = k; j < n; j++)
        out[j] = (a[j - k] ^ m) - m;
}

void poly_u128_mul_xk_minus_one(poly_u128 *out, const poly_u128 *a, size_t n, size_t k)
{
    poly_u128_mul_xk(out, a, n, k);
    poly_u128_sub(out, out, a, n);
}

/* ---- binary products ----
 * acc[j] += sum_i s_i * a[j-i] (index taken negacyclically). Key bits are
 * taken four at a time; for a block i0..i0+3 the outputs j < i0 see only
 * wrapped (negated) terms, j >= i0+4 only direct ones, and the four in
 * between are mixed. All of that depends on indices only, never on s. */

typedef uint64_t v4u64 __attribute__((vector_size(32)));

/* Unaligned loads and stores (macros: 32-byte vectors must not cross the
 * baseline-ABI function boundary). */
#define LD4(p)                                                                 \
    __extension__({                                                            \
        v4u64 ld4_;                                                            \
        memcpy(&ld4_, (p), sizeof ld4_);                                       \
        ld4_;                                                                  \
    })
#define ST4(p, v)                                                              \
    do {                                                                       \
        v4u64 st4_ = (v);                                                      \
        memcpy((p), &st4_, sizeof st4_);                                       \
    } while (0)

static void binary_add_scalar(uint64_t *acc, const uint64_t *a, const uint64_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t m = -(s[i] & 1);
        for (size_t j = 0; j < i; j++)
            acc[j] -= a[j + n - i] & m;
        for (size_t j = i; j < n; j++)
            acc[j] += a[j - i] & m;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target_clones("avx2", "default")))
#endif
static void binary_add_blocked(uint64_t *acc, const uint64_t *a, const uint64_t *s, size_t n)
{
    for (size_t i0 = 0; i0 < n; i0 += 4) {
        uint64_t m[4];
        for (int t = 0; t < 4; t++)
            m[t] = -(s[i0 + t] & 1);
        v4u64 m0 = (v4u64){0} + m[0], m1 = (v4u64){0} + m[1];
        v4u64 m2 = (v4u64){0} + m[2], m3 = (v4u64){0} + m[3];

        for (size_t j = 0; j < i0; j += 4) {
            const uint64_t *w = a + (n + j - i0); /* w[-t] = a[j - (i0 + t) + n] */
            v4u64 x = (LD4(w) & m0) + (LD4(w - 1) & m1) + (LD4(w - 2) & m2) + (LD4(w - 3) & m3);
            ST4(acc + j, LD4(acc + j) - x);
        }
        for (size_t e = 0; e < 4; e++) { /* j = i0 + e */
            uint64_t x = 0;
            for (size_t t = 0; t < 4; t++)
                x += t <= e ? (a[e - t] & m[t]) : -(a[e + n - t] & m[t]);
            acc[i0 + e] += x;
        }
        for (size_t j = i0 + 4; j < n; j += 4) {
            const uint64_t *d = a + (j - i0); /* d[-t] = a[j - (i0 + t)] */
            v4u64 x = (LD4(d) & m0) + (LD4(d - 1) & m1) + (LD4(d - 2) & m2) + (LD4(d - 3) & m3);
            ST4(acc + j, LD4(acc + j) + x);
        }
    }
}

void poly_u64_mul_binary_add(uint64_t *acc, const uint64_t *a, const uint64_t *s, size_t n)
{
    if (n % 4 != 0)
        binary_add_scalar(acc, a, s, n);
    else
        binary_add_blocked(acc, a, s, n);
}

void poly_u64_mul_binary(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n)
{
    memset(out, 0, n * sizeof *out);
    poly_u64_mul_binary_add(out, a, s, n);
}

/* 128-bit: a = l0 + l1*2^32 + l2*2^64 with 32-, 32- and 64-bit limbs. The
 * sums over l0 and l1 stay below n*2^32 < 2^63 in magnitude (n <= 2^30), so
 * their wrapped u64 results read as int64 are exact; l2 only matters mod
 * 2^64. */
int poly_u128_mul_binary_add(poly_u128 *acc, const poly_u128 *a, const poly_u128 *s, size_t n)
{
    if (n == 0)
        return 0;
    if (n > ((size_t)1 << 30))
        return kms_err(KMS_ELIMIT, "poly: size %zu too large", n);
    uint64_t *mem = calloc(6 * n, sizeof *mem);
    uint64_t *bits = calloc(n, sizeof *bits);
    if (mem == NULL || bits == NULL) {
        free(mem);
        free(bits);
        return kms_err(KMS_ENOMEM, "poly: out of memory");
    }
    uint64_t *l0 = mem, *l1 = mem + n, *l2 = mem + 2 * n;
    uint64_t *p0 = mem + 3 * n, *p1 = mem + 4 * n, *p2 = mem + 5 * n;
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = (uint64_t)a[i];
        l0[i] = lo & 0xffffffffu;
        l1[i] = lo >> 32;
        l2[i] = (uint64_t)(a[i] >> 64);
        bits[i] = (uint64_t)s[i] & 1;
    }
    poly_u64_mul_binary_add(p0, l0, bits, n);
    poly_u64_mul_binary_add(p1, l1, bits, n);
    poly_u64_mul_binary_add(p2, l2, bits, n);
    for (size_t j = 0; j < n; j++) {
        poly_u128 lo = (poly_u128)(__int128)(int64_t)p0[j];
        poly_u128 mid = (poly_u128)(__int128)(int64_t)p1[j] << 32;
        acc[j] += lo + mid + ((poly_u128)p2[j] << 64);
    }
    secmem_wipe(mem, 6 * n * sizeof *mem);
    secmem_wipe(bits, n * sizeof *bits);
    free(mem);
    free(bits);
    return 0;
}

/* ---- general schoolbook ---- */

void poly_u64_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        uint64_t x = 0;
        for (size_t i = 0; i <= j; i++)
            x += a[i] * b[j - i];
        for (size_t i = j + 1; i < n; i++)
            x -= a[i] * b[j + n - i];
        out[j] = x;
    }
}

void poly_u128_mul(poly_u128 *out, const poly_u128 *a, const poly_u128 *b, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        poly_u128 x = 0;
        for (size_t i = 0; i <= j; i++)
            x += a[i] * b[j - i];
        for (size_t i = j + 1; i < n; i++)
            x -= a[i] * b[j + n - i];
        out[j] = x;
    }
}

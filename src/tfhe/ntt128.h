/* Exact negacyclic products over Z/2^128[X]/(X^N+1) for the 128-bit
 * bootstrap (noise squashing), with number-theoretic transforms.
 *
 * The products the 128-bit external product needs are always
 *     sum_{r < T} d_r(X) * K_r(X)   mod (X^N + 1, 2^128)
 * with "small" polynomials d_r (decomposition digits, |d| <= 2^small_log)
 * and arbitrary u128 polynomials K_r (key rows). They are computed exactly:
 *
 *   1. Each K coefficient is cut into L signed limbs of w bits,
 *      K = sum_m K_m 2^(w m), |K_m| <= 2^(w-1) (the top limb covers the
 *      remaining 128 - w (L-1) bits, taken mod that width).
 *   2. For each limb, A_m = sum_r d_r * K_{r,m} is an integer polynomial with
 *          |A_m coefficient| <= T N 2^small_log 2^(w-1) =: bound.
 *      It is computed modulo two primes p0, p1 < 2^51 (p = 1 mod 2^17) with
 *      negacyclic NTTs and recovered exactly by CRT, which is unambiguous
 *      because the plan chooses w so that 2 (bound + p0) < p0 p1 (about
 *      2^102). For the default SnS set (T = 9, N = 2048, digits <= 2^23)
 *      that is w = 64, L = 2: bound = 2^100.17.
 *   3. The result is sum_m A_m 2^(w m) mod 2^128.
 * Nothing is approximated: the output equals the schoolbook product
 * bit for bit (tests/unit/tfhe/test_ntt128.c checks this, including the
 * worst case that reaches the bound).
 *
 * Transforms ("hats") are arrays of uint64_t residues:
 *   small hat   2 N words: prime 0, then prime 1
 *   big hat     L * 2 N words: limb-major, then prime
 * in the plan's transform order (bit-reversed evaluation order with every
 * block of 64 transposed as an 8 x 8 matrix, so the AVX-512 kernels never
 * shuffle across vectors; the same order for every instruction set).
 *
 * Kernels: AVX-512 IFMA (52-bit multiply-add, 8 lanes) when the CPU has it,
 * else portable C; both give identical results. Plans are read-only after
 * creation and may be shared between threads; the transforms never
 * allocate. Everything is branch-free in the data (secret keys go through
 * ntt128_forward_small when GLWE keys are applied). */
#ifndef CKMS_TFHE_NTT128_H
#define CKMS_TFHE_NTT128_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef unsigned __int128 u128;

#define NTT128_MIN_POLY_SIZE 64
#define NTT128_MAX_POLY_SIZE 65536
#define NTT128_MAX_TERMS 1024
#define NTT128_MAX_LIMBS 4

enum ntt128_isa {
    NTT128_ISA_AUTO = 0,   /* the fastest this CPU supports */
    NTT128_ISA_SCALAR = 1, /* portable C */
    NTT128_ISA_IFMA = 2    /* AVX-512F + AVX-512IFMA */
};

struct ntt128_plan;

/* A plan for polynomials of size N (a power of two in [NTT128_MIN_POLY_SIZE,
 * NTT128_MAX_POLY_SIZE]) whose products sum at most max_terms small-by-big
 * products per output, with small coefficients |d| <= 2^small_log
 * (small_log <= 48). KMS_EINVAL if no limb width makes that exact;
 * KMS_EUNIMPL if isa is not available on this CPU. */
int ntt128_plan_new(struct ntt128_plan **out, size_t N, unsigned small_log, size_t max_terms,
                    enum ntt128_isa isa) KMS_MUST_CHECK;
/* NULL is a no-op. */
void ntt128_plan_free(struct ntt128_plan *plan);

/* A shared process-wide plan (best instruction set), created on first use
 * (thread-safe) and never freed. */
int ntt128_plan_get(const struct ntt128_plan **out, size_t N, unsigned small_log,
                    size_t max_terms) KMS_MUST_CHECK;

size_t ntt128_plan_poly_size(const struct ntt128_plan *plan);
size_t ntt128_plan_max_terms(const struct ntt128_plan *plan);
unsigned ntt128_plan_small_log(const struct ntt128_plan *plan);
unsigned ntt128_plan_limbs(const struct ntt128_plan *plan);
unsigned ntt128_plan_limb_bits(const struct ntt128_plan *plan);
enum ntt128_isa ntt128_plan_isa(const struct ntt128_plan *plan);
/* The two primes (tests). */
uint64_t ntt128_plan_prime(const struct ntt128_plan *plan, unsigned i);

/* Sizes, in uint64_t words. */
static inline size_t ntt128_small_words(size_t N) { return 2 * N; }
size_t ntt128_big_words(const struct ntt128_plan *plan);
/* Working memory of ntt128_ext_product_add for cols output polynomials
 * (cols >= 1 also covers ntt128_mac_add and ntt128_ggsw_pack). */
size_t ntt128_work_words(const struct ntt128_plan *plan, unsigned cols);

/* 64-byte aligned, zeroed words (NULL when out of memory, or when words is
 * too large); release with ntt128_buf_free (NULL is a no-op). */
uint64_t *ntt128_buf_alloc(size_t words);
void ntt128_buf_free(uint64_t *buf);

/* hat (2 N words) = transform of a small polynomial: every |poly[i]| must be
 * <= 2^small_log of the plan (other values give meaningless output). */
void ntt128_forward_small(const struct ntt128_plan *plan, uint64_t *hat, const int64_t *poly);

/* hat (ntt128_big_words) = transform of an arbitrary u128 polynomial. */
void ntt128_forward_big(const struct ntt128_plan *plan, uint64_t *hat, const u128 *poly);

/* acc (N coefficients) += sum_{r < count} small[r] * big[r], exactly.
 * count <= the plan's max_terms (KMS_EINVAL otherwise, acc unchanged). work
 * holds ntt128_work_words(plan, 1) words; it is left holding data derived
 * from the inputs (wipe it if they were secret). */
int ntt128_mac_add(const struct ntt128_plan *plan, u128 *acc, const uint64_t *const *small,
                   const uint64_t *const *big, size_t count, uint64_t *work) KMS_MUST_CHECK;

/* ---- the external product of the 128-bit blind rotation ----
 *
 * A GGSW in the standard domain is terms x cols polynomials of N u128
 * (term t = level index * (k+1) + row, column c = output polynomial, the
 * tfhe-rs storage order). Packed for ntt128_ext_product_add it is
 * ntt128_ggsw_words words: per prime, per block of 8 coefficients, per
 * term, per column, per limb, 8 residues, the order the multiply-accumulate
 * streams it in. */
size_t ntt128_ggsw_words(const struct ntt128_plan *plan, unsigned terms, unsigned cols);
/* terms <= max_terms of the plan, cols >= 1 (KMS_EINVAL). work holds
 * ntt128_big_words(plan) words. */
int ntt128_ggsw_pack(const struct ntt128_plan *plan, uint64_t *packed, const u128 *ggsw,
                     unsigned terms, unsigned cols, uint64_t *work) KMS_MUST_CHECK;

/* For c < cols: (acc_hi[c N + i] : acc_lo[c N + i]) += coefficient i of
 * sum_t small[t] * GGSW[t][c] mod 2^128, with the small transforms
 * consecutive (small + t * 2 N). The 128-bit accumulators are kept as two
 * u64 halves, the layout the blind rotation works in. No checks (hot
 * path): terms <= max_terms of the plan and a matching packed GGSW are the
 * caller's duty. work holds ntt128_work_words(plan, cols) words. */
void ntt128_ext_product_add(const struct ntt128_plan *plan, uint64_t *acc_lo, uint64_t *acc_hi,
                            const uint64_t *small, const uint64_t *ggsw, unsigned terms,
                            unsigned cols, uint64_t *work);

#endif

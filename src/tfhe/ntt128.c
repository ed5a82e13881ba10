/* Exact 128-bit negacyclic products: plans, limb splitting, CRT and the
 * public entry points (kernels in ntt128_scalar.c and ntt128_ifma.c). */
#include "tfhe/ntt128.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tfhe/ntt128_impl.h"

/* ---- modular arithmetic for plan creation (not hot) ---- */

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t p)
{
    return (uint64_t)((u128)a * b % p);
}

static uint64_t powmod(uint64_t a, u128 e, uint64_t p)
{
    uint64_t r = 1;
    for (; e != 0; e >>= 1) {
        if (e & 1)
            r = mulmod(r, a, p);
        a = mulmod(a, a, p);
    }
    return r;
}

static uint64_t invmod(uint64_t a, uint64_t p) { return powmod(a, p - 2, p); }

/* -p^-1 mod 2^bits (p odd), by Newton's iteration. */
static uint64_t neg_inv_pow2(uint64_t p, unsigned bits)
{
    uint64_t x = p; /* p * p = 1 mod 8 */
    for (int i = 0; i < 6; i++)
        x *= 2 - p * x;
    x = 0 - x;
    return bits == 64 ? x : x & ((1ull << bits) - 1);
}

static uint64_t shoup(uint64_t w, uint64_t p, unsigned bits)
{
    return (uint64_t)(((u128)w << bits) / p);
}

static size_t bitrev(size_t x, unsigned bits)
{
    size_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        r |= ((x >> i) & 1) << (bits - 1 - i);
    return r;
}

/* A primitive 2N-th root of unity: psi_max = g^((p-1)/2^17) for the
 * smallest quadratic non-residue g has order 2^17 exactly. */
static uint64_t root_2n(uint64_t p, size_t N)
{
    uint64_t g = 2;
    while (powmod(g, (p - 1) / 2, p) != p - 1)
        g++;
    uint64_t psi_max = powmod(g, (p - 1) >> 17, p);
    return powmod(psi_max, ((size_t)1 << 16) / N, p);
}

/* ---- plans ---- */

static void prime_free(struct ntt128_prime *pr)
{
    free(pr->fw);
    free(pr->tail_fw);
    memset(pr, 0, sizeof *pr);
}

static void fill_tail(uint64_t *tab, const uint64_t *w, const uint64_t *w52, size_t N)
{
    for (size_t B = 0; B < N / 64; B++) {
        uint64_t *t = tab + B * 112;
        for (unsigned l = 0; l < 8; l++) {
            size_t idx[7] = {N / 8 + 8 * B + l,         N / 4 + 16 * B + 2 * l,
                             N / 4 + 16 * B + 2 * l + 1, N / 2 + 32 * B + 4 * l,
                             N / 2 + 32 * B + 4 * l + 1, N / 2 + 32 * B + 4 * l + 2,
                             N / 2 + 32 * B + 4 * l + 3};
            for (unsigned v = 0; v < 7; v++) {
                t[8 * v + l] = w[idx[v]];
                t[56 + 8 * v + l] = w52[idx[v]];
            }
        }
    }
}

static int prime_init(struct ntt128_prime *pr, uint64_t p, size_t N, unsigned log2n)
{
    memset(pr, 0, sizeof *pr);
    pr->p = p;
    pr->pinv52 = neg_inv_pow2(p, 52);
    pr->pinv64 = neg_inv_pow2(p, 64);
    uint64_t *mem = malloc(6 * N * sizeof *mem);
    uint64_t *tail = malloc(2 * (N / 64) * 112 * sizeof *tail);
    if (mem == NULL || tail == NULL) {
        free(mem);
        free(tail);
        return kms_err(KMS_ENOMEM, "ntt128: out of memory for a plan");
    }
    pr->fw = mem;
    pr->fw52 = mem + N;
    pr->fw64 = mem + 2 * N;
    pr->iw = mem + 3 * N;
    pr->iw52 = mem + 4 * N;
    pr->iw64 = mem + 5 * N;
    pr->tail_fw = tail;
    pr->tail_iw = tail + (N / 64) * 112;
    uint64_t psi = root_2n(p, N);
    for (size_t k = 0; k < N; k++) {
        pr->fw[k] = powmod(psi, bitrev(k, log2n), p);
        pr->iw[k] = invmod(pr->fw[k], p);
        pr->fw52[k] = shoup(pr->fw[k], p, 52);
        pr->fw64[k] = shoup(pr->fw[k], p, 64);
        pr->iw52[k] = shoup(pr->iw[k], p, 52);
        pr->iw64[k] = shoup(pr->iw[k], p, 64);
    }
    uint64_t ninv = invmod((uint64_t)(N % p), p);
    for (int r = 0; r < 2; r++) {
        unsigned bits = r == NTT128_R52 ? 52 : 64;
        uint64_t s = mulmod(ninv, powmod(2, bits, p), p);
        pr->scale[r] = s;
        pr->scale52[r] = shoup(s, p, 52);
        pr->scale64[r] = shoup(s, p, 64);
        pr->w0s[r] = mulmod(pr->iw[1], s, p);
        pr->w0s52[r] = shoup(pr->w0s[r], p, 52);
        pr->w0s64[r] = shoup(pr->w0s[r], p, 64);
    }
    fill_tail(pr->tail_fw, pr->fw, pr->fw52, N);
    fill_tail(pr->tail_iw, pr->iw, pr->iw52, N);
    return 0;
}

/* The widest limb (<= 64 bits) for which 2 (bound + p0) < p0 p1, with
 * bound = max_terms N 2^small_log 2^(w-1). 0 if none of at least 32 bits. */
static unsigned choose_limb_bits(size_t N, unsigned small_log, size_t max_terms)
{
    u128 P = (u128)NTT128_P0 * NTT128_P1, limit = P / 2 - NTT128_P0;
    for (unsigned w = 64; w >= 32; w--) {
        unsigned e = small_log + w - 1;
        if (e >= 100)
            continue;
        u128 bound = (u128)(max_terms * N) << e; /* < 2^26 * 2^100 */
        if (bound < limit)
            return w;
    }
    return 0;
}

static const struct ntt128_ops *pick_ops(enum ntt128_isa isa)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    int ifma = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
    if (isa == NTT128_ISA_IFMA)
        return ifma ? &ntt128_ops_ifma : NULL;
    if (isa == NTT128_ISA_AUTO && ifma)
        return &ntt128_ops_ifma;
#else
    if (isa == NTT128_ISA_IFMA)
        return NULL;
#endif
    return &ntt128_ops_scalar;
}

void ntt128_plan_free(struct ntt128_plan *plan)
{
    if (plan == NULL)
        return;
    prime_free(&plan->pr[0]);
    prime_free(&plan->pr[1]);
    free(plan);
}

int ntt128_plan_new(struct ntt128_plan **out, size_t N, unsigned small_log, size_t max_terms,
                    enum ntt128_isa isa)
{
    *out = NULL;
    if (N < NTT128_MIN_POLY_SIZE || N > NTT128_MAX_POLY_SIZE || (N & (N - 1)) != 0)
        return kms_err(KMS_EINVAL, "ntt128: polynomial size %zu is not a power of two in "
                                   "[%d, %d]", N, NTT128_MIN_POLY_SIZE, NTT128_MAX_POLY_SIZE);
    if (small_log > 48 || max_terms == 0 || max_terms > NTT128_MAX_TERMS)
        return kms_err(KMS_EINVAL, "ntt128: unsupported small_log %u / max_terms %zu",
                       small_log, max_terms);
    unsigned w = choose_limb_bits(N, small_log, max_terms);
    if (w == 0)
        return kms_err(KMS_EINVAL, "ntt128: products of %zu terms of size %zu with 2^%u digits "
                                   "exceed the exact range", max_terms, N, small_log);
    const struct ntt128_ops *ops = pick_ops(isa);
    if (ops == NULL)
        return kms_err(KMS_EUNIMPL, "ntt128: AVX-512 IFMA is not available on this CPU");
    struct ntt128_plan *plan = calloc(1, sizeof *plan);
    if (plan == NULL)
        return kms_err(KMS_ENOMEM, "ntt128: out of memory for a plan");
    plan->N = N;
    while (((size_t)1 << plan->log2n) < N)
        plan->log2n++;
    plan->small_log = small_log;
    plan->max_terms = max_terms;
    plan->limb_bits = w;
    plan->limbs = (128 + w - 1) / w;
    plan->ops = ops;
    /* Montgomery outputs stay below (max_terms / 2 + 1) p: reduce by 4p, 2p... */
    while (((size_t)2 << plan->red_top) < max_terms / 2 + 2)
        plan->red_top++;
    plan->P = (u128)NTT128_P0 * NTT128_P1;
    plan->half = (NTT128_P1 - 1) / 2;
    plan->p0inv = invmod(NTT128_P0 % NTT128_P1, NTT128_P1);
    plan->p0inv52 = shoup(plan->p0inv, NTT128_P1, 52);
    plan->p0inv64 = shoup(plan->p0inv, NTT128_P1, 64);
    int rc = prime_init(&plan->pr[0], NTT128_P0, N, plan->log2n);
    if (rc == 0)
        rc = prime_init(&plan->pr[1], NTT128_P1, N, plan->log2n);
    if (rc < 0) {
        ntt128_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

#define NTT128_CACHE 32

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ntt128_plan *cache[NTT128_CACHE];

int ntt128_plan_get(const struct ntt128_plan **out, size_t N, unsigned small_log,
                    size_t max_terms)
{
    *out = NULL;
    int rc = 0;
    pthread_mutex_lock(&cache_lock);
    size_t i = 0;
    for (; i < NTT128_CACHE && cache[i] != NULL; i++) {
        const struct ntt128_plan *p = cache[i];
        if (p->N == N && p->small_log == small_log && p->max_terms == max_terms)
            break;
    }
    if (i == NTT128_CACHE)
        rc = kms_err(KMS_ELIMIT, "ntt128: too many distinct shared plans");
    else if (cache[i] == NULL)
        rc = ntt128_plan_new(&cache[i], N, small_log, max_terms, NTT128_ISA_AUTO);
    if (rc == 0)
        *out = cache[i];
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

size_t ntt128_plan_poly_size(const struct ntt128_plan *plan) { return plan->N; }
size_t ntt128_plan_max_terms(const struct ntt128_plan *plan) { return plan->max_terms; }
unsigned ntt128_plan_small_log(const struct ntt128_plan *plan) { return plan->small_log; }
unsigned ntt128_plan_limbs(const struct ntt128_plan *plan) { return plan->limbs; }
unsigned ntt128_plan_limb_bits(const struct ntt128_plan *plan) { return plan->limb_bits; }
enum ntt128_isa ntt128_plan_isa(const struct ntt128_plan *plan) { return plan->ops->isa; }
uint64_t ntt128_plan_prime(const struct ntt128_plan *plan, unsigned i) { return plan->pr[i & 1].p; }

size_t ntt128_big_words(const struct ntt128_plan *plan) { return plan->limbs * 2 * plan->N; }

size_t ntt128_work_words(const struct ntt128_plan *plan, unsigned cols)
{
    return (size_t)cols * ntt128_big_words(plan);
}

uint64_t *ntt128_buf_alloc(size_t words)
{
    if (words == 0 || words > SIZE_MAX / 8 - 64)
        return NULL;
    size_t bytes = (words * 8 + 63) & ~(size_t)63;
    uint64_t *p = aligned_alloc(64, bytes);
    if (p != NULL)
        memset(p, 0, bytes);
    return p;
}

void ntt128_buf_free(uint64_t *buf) { free(buf); }

/* ---- transforms ---- */

void ntt128_transpose_blocks(uint64_t *a, size_t N)
{
    for (size_t b = 0; b < N; b += 64)
        for (unsigned r = 0; r < 8; r++)
            for (unsigned c = r + 1; c < 8; c++) {
                uint64_t t = a[b + 8 * r + c];
                a[b + 8 * r + c] = a[b + 8 * c + r];
                a[b + 8 * c + r] = t;
            }
}

void ntt128_forward_small(const struct ntt128_plan *plan, uint64_t *hat, const int64_t *poly)
{
    plan->ops->forward(plan, 0, hat, poly);
    plan->ops->forward(plan, 1, hat + plan->N, poly);
}

/* v mod p as a value in (-p, p), branch-free: with v = h 2^51 + l and
 * 2^51 = c mod p (c = 2^51 - p < 2^23 for both primes), v = h c + l. */
static inline int64_t reduce_i64(int64_t v, uint64_t p)
{
    int64_t c = (int64_t)((1ull << 51) - p);
    int64_t r = (v >> 51) * c + (int64_t)((uint64_t)v & ((1ull << 51) - 1));
    return r - (int64_t)(p & (0 - (uint64_t)(r >= (int64_t)p)));
}

/* The limbs of x: centered w-bit limbs from the bottom, the top one
 * centered over the remaining width. */
static inline void limbs_of(int64_t *v, u128 x, unsigned w, unsigned limbs)
{
    for (unsigned i = 0; i < limbs; i++) {
        unsigned width = i + 1 < limbs ? w : 128 - w * (limbs - 1);
        u128 low = x & (((u128)1 << width) - 1);
        u128 neg = (low >> (width - 1)) & 1; /* centered: subtract 2^width */
        u128 c = low - (neg << width);
        v[i] = (int64_t)(uint64_t)c;
        x = (x - c) >> width;
    }
}

void ntt128_forward_big(const struct ntt128_plan *plan, uint64_t *hat, const u128 *poly)
{
    size_t N = plan->N;
    unsigned L = plan->limbs;
    const uint64_t p0 = plan->pr[0].p, p1 = plan->pr[1].p;
    /* the residues of every limb first, then the transforms in place */
    if (L == 2 && plan->limb_bits == 64) {
        int64_t *l0 = (int64_t *)hat, *l1 = (int64_t *)hat + N;
        int64_t *h0 = (int64_t *)hat + 2 * N, *h1 = (int64_t *)hat + 3 * N;
        for (size_t i = 0; i < N; i++) {
            int64_t lo = (int64_t)(uint64_t)poly[i];
            int64_t hi = (int64_t)(uint64_t)((poly[i] - (u128)(__int128)lo) >> 64);
            l0[i] = reduce_i64(lo, p0);
            l1[i] = reduce_i64(lo, p1);
            h0[i] = reduce_i64(hi, p0);
            h1[i] = reduce_i64(hi, p1);
        }
    } else {
        for (size_t i = 0; i < N; i++) {
            int64_t v[NTT128_MAX_LIMBS];
            limbs_of(v, poly[i], plan->limb_bits, L);
            for (unsigned m = 0; m < L; m++) {
                ((int64_t *)hat)[2 * m * N + i] = reduce_i64(v[m], p0);
                ((int64_t *)hat)[(2 * m + 1) * N + i] = reduce_i64(v[m], p1);
            }
        }
    }
    for (unsigned m = 0; m < L; m++)
        for (unsigned pi = 0; pi < 2; pi++) {
            uint64_t *out = hat + (2 * m + pi) * N;
            plan->ops->forward(plan, pi, out, (const int64_t *)out);
        }
}

/* ---- products ---- */

/* Montgomery reduction with R = 2^64 of v < 2^116: a value in [0, 2p). */
static inline uint64_t redc64(u128 v, const struct ntt128_prime *pr)
{
    uint64_t m = (uint64_t)v * pr->pinv64;
    return (uint64_t)((v + (u128)m * pr->p) >> 64);
}

int ntt128_mac_add(const struct ntt128_plan *plan, u128 *acc, const uint64_t *const *small,
                   const uint64_t *const *big, size_t count, uint64_t *work)
{
    if (count > plan->max_terms)
        return kms_err(KMS_EINVAL, "ntt128: %zu products exceed the plan's %zu", count,
                       plan->max_terms);
    size_t N = plan->N;
    for (unsigned m = 0; m < plan->limbs; m++)
        for (unsigned pi = 0; pi < 2; pi++) {
            uint64_t *out = work + (2 * m + pi) * N;
            for (size_t i = 0; i < N; i++) {
                u128 s = 0;
                for (size_t r = 0; r < count; r++)
                    s += (u128)small[r][pi * N + i] * big[r][(2 * m + pi) * N + i];
                out[i] = redc64(s, &plan->pr[pi]);
            }
            plan->ops->inverse(plan, pi, out, NTT128_R64);
        }
    for (size_t i = 0; i < N; i++)
        acc[i] += ntt128_crt_coeff(plan, work, i);
    return 0;
}

size_t ntt128_ggsw_words(const struct ntt128_plan *plan, unsigned terms, unsigned cols)
{
    return (size_t)terms * cols * ntt128_big_words(plan);
}

int ntt128_ggsw_pack(const struct ntt128_plan *plan, uint64_t *packed, const u128 *ggsw,
                     unsigned terms, unsigned cols, uint64_t *work)
{
    if (terms == 0 || terms > plan->max_terms || cols == 0)
        return kms_err(KMS_EINVAL, "ntt128: cannot pack a GGSW of %u x %u polynomials with a "
                                   "plan for %zu terms", terms, cols, plan->max_terms);
    size_t N = plan->N, L = plan->limbs, blocks = N / 8;
    for (unsigned t = 0; t < terms; t++)
        for (unsigned c = 0; c < cols; c++) {
            ntt128_forward_big(plan, work, ggsw + ((size_t)t * cols + c) * N);
            for (unsigned pi = 0; pi < 2; pi++)
                for (size_t q = 0; q < blocks; q++)
                    for (size_t m = 0; m < L; m++) {
                        uint64_t *dst =
                            packed + ((((pi * blocks + q) * terms + t) * cols + c) * L + m) * 8;
                        memcpy(dst, work + (2 * m + pi) * N + 8 * q, 8 * sizeof *dst);
                    }
        }
    return 0;
}

void ntt128_ext_product_add(const struct ntt128_plan *plan, uint64_t *acc_lo, uint64_t *acc_hi,
                            const uint64_t *small, const uint64_t *ggsw, unsigned terms,
                            unsigned cols, uint64_t *work)
{
    const struct ntt128_ops *ops = plan->ops;
    size_t N = plan->N, L = plan->limbs;
    ops->mac_ggsw(plan, work, small, ggsw, terms, cols);
    for (size_t j = 0; j < cols * L; j++)
        for (unsigned pi = 0; pi < 2; pi++)
            ops->inverse(plan, pi, work + (2 * j + pi) * N, ops->mac_mont);
    for (unsigned c = 0; c < cols; c++)
        ops->crt_add(plan, acc_lo + c * N, acc_hi + c * N, work + c * L * 2 * N);
}

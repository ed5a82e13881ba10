#include "tfhe/pbs128.h"

#include <stdlib.h>
#include <string.h>

#include "tfhe/decomp.h"
#include "tfhe/glwe128.h"
#include "tfhe/pbs.h"
#include "tfhe/poly.h"

struct pbs128_scratch {
    struct bsk_shape shape;
    size_t batch;              /* accumulators: bootstraps run together */
    uint64_t *acc_lo, *acc_hi; /* batch x (k + 1) N: the accumulators as u64 halves */
    uint32_t *switched;        /* batch x (n + 1) */
    int64_t *digits;           /* terms N: decomposition digits, term = level * (k+1) + row */
    uint64_t *small;           /* terms transforms of digits */
    uint64_t *work;            /* the external product's working memory */
    u128 *acc;                 /* (k + 1) N: a GLWE in the standard layout */
    u128 *rot;                 /* N */
};

void pbs128_scratch_free(struct pbs128_scratch *sc)
{
    if (sc == NULL)
        return;
    ntt128_buf_free(sc->acc_lo);
    ntt128_buf_free(sc->acc_hi);
    ntt128_buf_free((uint64_t *)sc->digits);
    ntt128_buf_free(sc->small);
    ntt128_buf_free(sc->work);
    free(sc->acc);
    free(sc->rot);
    free(sc->switched);
    free(sc);
}

int pbs128_scratch_new(struct pbs128_scratch **out, const struct bsk128_ntt *bsk)
{
    return pbs128_scratch_new_batch(out, bsk, 1);
}

int pbs128_scratch_new_batch(struct pbs128_scratch **out, const struct bsk128_ntt *bsk,
                             size_t batch)
{
    *out = NULL;
    if (batch == 0 || batch > PBS128_MAX_BATCH)
        return kms_err(KMS_EINVAL, "pbs128: batch of %zu bootstraps (1 .. %d)", batch,
                       PBS128_MAX_BATCH);
    const struct bsk_shape *s = &bsk->shape;
    if (bsk->data == NULL || bsk->plan == NULL)
        return kms_err(KMS_EINVAL, "pbs128: bootstrapping key not initialized");
    KMS_TRY(bsk128_check_shape(s));
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1, terms = rows * s->level;
    struct pbs128_scratch *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return kms_err(KMS_ENOMEM, "pbs128: out of memory for scratch");
    sc->shape = *s;
    sc->batch = batch;
    sc->acc_lo = ntt128_buf_alloc(batch * rows * N);
    sc->acc_hi = ntt128_buf_alloc(batch * rows * N);
    sc->digits = (int64_t *)ntt128_buf_alloc(terms * N);
    sc->small = ntt128_buf_alloc(terms * ntt128_small_words(N));
    sc->work = ntt128_buf_alloc(ntt128_work_words(bsk->plan, (unsigned)rows));
    sc->acc = malloc(rows * N * sizeof *sc->acc);
    sc->rot = malloc(N * sizeof *sc->rot);
    sc->switched = malloc(batch * (s->lwe_dimension + 1) * sizeof *sc->switched);
    if (!sc->acc_lo || !sc->acc_hi || !sc->digits || !sc->small || !sc->work || !sc->acc ||
        !sc->rot || !sc->switched) {
        pbs128_scratch_free(sc);
        return kms_err(KMS_ENOMEM, "pbs128: out of memory for scratch");
    }
    *out = sc;
    return 0;
}

static void reverse(u128 *p, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        u128 t = p[i];
        p[i] = p[j - 1];
        p[j - 1] = t;
    }
}

void pbs128_lut(u128 *body, size_t N, unsigned p, const u128 *table, u128 delta)
{
    size_t box = N / p, half = box / 2;
    for (unsigned i = 0; i < p; i++)
        for (size_t j = 0; j < box; j++)
            body[i * box + j] = table[i] * delta;
    for (size_t j = 0; j < half; j++)
        body[j] = 0 - body[j];
    /* rotate left by half: reverse both parts, then the whole */
    reverse(body, half);
    reverse(body + half, N - half);
    reverse(body, N);
}

/* ---- decomposition of ACC * X^a - ACC ----
 *
 * For a coefficient x = hi:lo of the difference, tfhe-rs's balanced
 * decomposition (decomp.h, u128) first rounds x to its top rep = B l bits,
 * r = round(x / 2^(128 - rep)) mod 2^rep, recentres it (r - 2^rep when r
 * is above half, ties by the rounding bit) and then peels l digits of B
 * bits, finest first, each balanced with a carry into the rest. Only the
 * first step needs more than 64 bits: after the finest digit is split off
 * (res = r mod 2^B) the rest q = r >> B has rep - B <= 62 bits, so the
 * state continues as a signed 64-bit word, with the very same carries
 * (test_pbs128.c checks every digit against decomp_init/next_u128). */

typedef uint64_t v8u __attribute__((vector_size(64)));
typedef int64_t v8i __attribute__((vector_size(64)));

#define LD8(p)                                                                 \
    __extension__({                                                            \
        v8u ld8_;                                                              \
        memcpy(&ld8_, (p), sizeof ld8_);                                       \
        ld8_;                                                                  \
    })
#define ST8(p, v)                                                              \
    do {                                                                       \
        v8i st8_ = (v);                                                        \
        memcpy((p), &st8_, sizeof st8_);                                       \
    } while (0)

/* 8 values at a time with GCC vector types, for rep = B l > 64 (sh < 64),
 * count a multiple of 8. The comparisons are written as sign bits of
 * differences (all values are below 2^63), which every vector unit does
 * without mask registers. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
decompose8(int64_t *restrict digits, size_t stride, const uint64_t *restrict lo,
           const uint64_t *restrict hi, size_t count, unsigned B, unsigned l)
{
    const unsigned sh = 128 - B * l, qbits = B * (l - 1);
    const uint64_t maskB = (1ull << B) - 1, maskQ = (1ull << qbits) - 1;
    const uint64_t top = 1ull << (qbits - 1);
    for (size_t j = 0; j < count; j += 8) {
        v8u xl = LD8(lo + j), xh = LD8(hi + j);
        v8u rb = (xl >> (sh - 1)) & 1;
        v8u low = (xl >> sh) | (xh << (64 - sh)), high = xh >> sh;
        v8u res = (low & maskB) + rb;
        v8u q = ((low >> B) | (high << (64 - B))) & maskQ;
        q = (q + (res >> B)) & maskQ;
        res &= maskB;
        v8u gt = (top - q) >> 63;                 /* q > top */
        v8u eq = ((q ^ top) - 1) >> 63;           /* q == top */
        v8u nz = (0 - res) >> 63;                 /* res != 0 */
        v8u need = gt | (eq & (nz | rb));
        v8i st = (v8i)q - (v8i)(need << qbits);
        v8u carry = ((((res - 1) | (v8u)st) & res) >> (B - 1)) & 1;
        st += (v8i)carry;
        ST8(digits + j, (v8i)res - (v8i)(carry << B));
        for (unsigned t = 1; t < l; t++) {
            res = (v8u)st & maskB;
            st >>= B;
            carry = ((((res - 1) | (v8u)st) & res) >> (B - 1)) & 1;
            st += (v8i)carry;
            ST8(digits + t * stride + j, (v8i)res - (v8i)(carry << B));
        }
    }
}

/* (dlo, dhi)[j] = (+-ACC[src + j]) - ACC[j0 + j] for j < count, negated when
 * neg is all ones. Carries and borrows come from sign bits (no comparisons,
 * so the loop vectorizes without mask registers). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
rot_diff(uint64_t *restrict dlo, uint64_t *restrict dhi, const uint64_t *restrict lo,
         const uint64_t *restrict hi, size_t src, size_t j0, size_t count, uint64_t neg)
{
    for (size_t j = 0; j < count; j++) {
        uint64_t sl = lo[src + j], shh = hi[src + j];
        uint64_t nl = (sl ^ neg) - neg;
        uint64_t nh = (shh ^ neg) + (neg & ((~sl & (sl - 1)) >> 63)); /* +1 if sl == 0 */
        uint64_t cl = lo[j0 + j], ch = hi[j0 + j], d = nl - cl;
        dlo[j] = d;
        dhi[j] = nh - ch - (((~nl & cl) | (~(nl ^ cl) & d)) >> 63); /* borrow of nl - cl */
    }
}

void pbs128_decompose(int64_t *digits, size_t stride, const uint64_t *lo, const uint64_t *hi,
                      size_t count, unsigned base_log, unsigned level)
{
    size_t done = 0;
    /* the 8-wide path: the rest after the finest digit fits 62 bits */
    if (level >= 2 && base_log * level > 64 && base_log * level < 128 &&
        base_log * (level - 1) <= 62) {
        done = count & ~(size_t)7;
        decompose8(digits, stride, lo, hi, done, base_log, level);
    }
    for (size_t j = done; j < count; j++) { /* the reference decomposition */
        u128 st = decomp_init_u128((u128)hi[j] << 64 | lo[j], base_log, level);
        for (unsigned t = 0; t < level; t++)
            digits[t * stride + j] = (int64_t)(uint64_t)decomp_next_u128(&st, base_log);
    }
}

/* The digits of row r of ACC * X^a - ACC into digits[t * rows + r]. */
static void diff_decompose(struct pbs128_scratch *sc, const uint64_t *lo, const uint64_t *hi,
                           unsigned r, uint32_t a)
{
    const struct bsk_shape *s = &sc->shape;
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    lo += r * N;
    hi += r * N;
    uint64_t *dlo = (uint64_t *)sc->rot, *dhi = dlo + N;
    size_t k = a % N;
    uint64_t flip = a >= N ? ~0ull : 0; /* X^a = -X^(a - N) */
    /* X^k p: coefficient j is p[j - k] for j >= k, -p[j - k + N] below */
    rot_diff(dlo, dhi, lo, hi, N - k, 0, k, ~flip);
    rot_diff(dlo + k, dhi + k, lo, hi, 0, k, N - k, flip);
    pbs128_decompose(sc->digits + r * N, rows * N, dlo, dhi, N, s->base_log, s->level);
}

/* Accumulator b += ExtProd(GGSW_i, ACC_b * X^a - ACC_b). */
static void cmux(const struct bsk128_ntt *bsk, size_t i, uint32_t a, struct pbs128_scratch *sc,
                 size_t b)
{
    const struct bsk_shape *s = &bsk->shape;
    size_t N = s->polynomial_size;
    unsigned rows = s->glwe_dimension + 1, terms = rows * s->level;
    uint64_t *lo = sc->acc_lo + b * rows * N, *hi = sc->acc_hi + b * rows * N;
    for (unsigned r = 0; r < rows; r++)
        diff_decompose(sc, lo, hi, r, a);
    for (unsigned t = 0; t < terms; t++)
        ntt128_forward_small(bsk->plan, sc->small + t * ntt128_small_words(N), sc->digits + t * N);
    ntt128_ext_product_add(bsk->plan, lo, hi, sc->small, bsk128_ntt_ggsw(bsk, i), terms, rows,
                           sc->work);
}

static int check_scratch(const struct bsk128_ntt *bsk, const struct pbs128_scratch *sc)
{
    if (bsk->data == NULL || sc == NULL || memcmp(&sc->shape, &bsk->shape, sizeof sc->shape) != 0)
        return kms_err(KMS_EINVAL, "pbs128: scratch made for another key shape");
    return 0;
}

/* ACC_b = acc * X^(-b~), split into halves. */
static void rotation_start(struct pbs128_scratch *sc, size_t b, const u128 *acc,
                           const uint32_t *switched)
{
    const struct bsk_shape *s = &sc->shape;
    size_t N = s->polynomial_size, rows = (size_t)s->glwe_dimension + 1;
    uint64_t *lo = sc->acc_lo + b * rows * N, *hi = sc->acc_hi + b * rows * N;
    for (size_t r = 0; r < rows; r++) {
        poly_u128_mul_xk(sc->rot, acc + r * N, N,
                         (2 * N - switched[s->lwe_dimension] % (2 * N)) % (2 * N));
        for (size_t j = 0; j < N; j++) {
            lo[r * N + j] = (uint64_t)sc->rot[j];
            hi[r * N + j] = (uint64_t)(sc->rot[j] >> 64);
        }
    }
}

/* Every GGSW once for all accumulators: it is read from memory for the
 * first one and found in the cache by the others. */
static void rotate_all(const struct bsk128_ntt *bsk, struct pbs128_scratch *sc, size_t count)
{
    size_t N = bsk->shape.polynomial_size, n = bsk->shape.lwe_dimension;
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < count; b++) {
            uint32_t a = sc->switched[b * (n + 1) + i] % (2 * N);
            if (a != 0)
                cmux(bsk, i, a, sc, b);
        }
}

static void rotation_end(struct pbs128_scratch *sc, size_t b, u128 *acc)
{
    size_t words = ((size_t)sc->shape.glwe_dimension + 1) * sc->shape.polynomial_size;
    const uint64_t *lo = sc->acc_lo + b * words, *hi = sc->acc_hi + b * words;
    for (size_t j = 0; j < words; j++)
        acc[j] = (u128)hi[j] << 64 | lo[j];
}

int pbs128_blind_rotate(const struct bsk128_ntt *bsk, u128 *acc, const uint32_t *switched,
                        struct pbs128_scratch *sc)
{
    KMS_TRY(check_scratch(bsk, sc));
    size_t n = bsk->shape.lwe_dimension;
    memcpy(sc->switched, switched, (n + 1) * sizeof *switched);
    rotation_start(sc, 0, acc, switched);
    rotate_all(bsk, sc, 1);
    rotation_end(sc, 0, acc);
    return 0;
}

static unsigned log2_2n(size_t N)
{
    unsigned l = 0;
    while (((size_t)1 << l) < 2 * N)
        l++;
    return l;
}

static int switch_input(const struct bsk128_ntt *bsk, uint32_t *switched, const uint64_t *in,
                        const struct tfhe_ms_params *ms, const uint64_t *zeros)
{
    size_t n = bsk->shape.lwe_dimension;
    unsigned log_2n = log2_2n(bsk->shape.polynomial_size);
    switch (ms->kind) {
    case TFHE_MS_STANDARD:
        pbs_ms_standard(switched, in, n, log_2n);
        return 0;
    case TFHE_MS_CENTERED_MEAN:
        pbs_ms_centered(switched, in, n, log_2n);
        return 0;
    case TFHE_MS_DRIFT:
        if (zeros == NULL)
            return kms_err(KMS_EINVAL, "pbs128: the drift switch needs its encryptions of zero");
        pbs_ms_drift(switched, in, n, log_2n, zeros, ms);
        return 0;
    default:
        return kms_err(KMS_EINVAL, "pbs128: unknown modulus switch %d", (int)ms->kind);
    }
}

int pbs128_bootstrap_batch(const struct bsk128_ntt *bsk, u128 *const *out,
                           const uint64_t *const *in, size_t count, const u128 *lut,
                           const struct tfhe_ms_params *ms, const uint64_t *zeros,
                           struct pbs128_scratch *sc)
{
    KMS_TRY(check_scratch(bsk, sc));
    if (count > sc->batch)
        return kms_err(KMS_EINVAL, "pbs128: %zu bootstraps for a scratch of %zu", count,
                       sc->batch);
    const struct bsk_shape *s = &bsk->shape;
    size_t N = s->polynomial_size, n = s->lwe_dimension;
    unsigned k = s->glwe_dimension;
    for (size_t b = 0; b < count; b++)
        KMS_TRY(switch_input(bsk, sc->switched + b * (n + 1), in[b], ms, zeros));
    glwe128_trivial(sc->acc, k, N, lut);
    for (size_t b = 0; b < count; b++)
        rotation_start(sc, b, sc->acc, sc->switched + b * (n + 1));
    rotate_all(bsk, sc, count);
    for (size_t b = 0; b < count; b++) {
        rotation_end(sc, b, sc->acc);
        glwe128_sample_extract(out[b], sc->acc, k, N, 0);
    }
    return 0;
}

int pbs128_bootstrap(const struct bsk128_ntt *bsk, u128 *out, const uint64_t *in, const u128 *lut,
                     const struct tfhe_ms_params *ms, const uint64_t *zeros,
                     struct pbs128_scratch *sc)
{
    return pbs128_bootstrap_batch(bsk, &out, &in, 1, lut, ms, zeros, sc);
}

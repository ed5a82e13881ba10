/* Negacyclic FFT for N = 2048 (1024 complex points), the hot loop of the
 * 64-bit PBS: forward of a digit polynomial, inverse to the torus added
 * into a u64 polynomial, one pointwise MAC, one external-product step for
 * k = 1, l = 1 (2 forward and 2 fused dot-inverse; "unfused": 2 forward,
 * 4 MAC, 2 inverse), the whole CMUX step of the blind rotation as the
 * bootstrap runs it (fft_cmux_l1: rotation, decomposition, both products),
 * and the exact binary-key products used by encryption.
 * Medians over repeated batches (with the fastest batch as "min"); the main
 * names use the CPU's best kernels, *_avx2 / *_scalar the others. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tfhe/fft.h"
#include "tfhe/poly.h"

#define N 2048
#define BATCHES 101

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct ctx {
    const struct fft_plan *plan;
    uint64_t *digits, *key, *out;
    double *f0, *f1, *fk0, *fk1, *acc, *saved;
    double *ggsw, *scratch; /* 4 N each: a GGSW (k = 1) and fft_cmux_l1's scratch */
    size_t rot;
};

enum op { OP_FWD, OP_INV, OP_COPY, OP_MAC, OP_EXT, OP_EXT_UNFUSED, OP_CMUX };

static void run(struct ctx *c, enum op op, int reps)
{
    for (int r = 0; r < reps; r++) {
        switch (op) {
        case OP_FWD:
            fft_forward_small(c->plan, c->f0, c->digits);
            break;
        case OP_COPY: /* the refill the inverse timing subtracts */
            memcpy(c->acc, c->saved, N * sizeof(double));
            break;
        case OP_INV:
            memcpy(c->acc, c->saved, N * sizeof(double));
            fft_inverse_torus_add(c->plan, c->out, c->acc);
            break;
        case OP_MAC:
            fft_mac(c->plan, c->acc, c->f0, c->fk0);
            break;
        case OP_EXT: {
            const double *fs[2] = {c->f0, c->f1}, *col0[2] = {c->fk0, c->fk1};
            const double *col1[2] = {c->fk1, c->fk0};
            fft_forward_small(c->plan, c->f0, c->digits);
            fft_forward_small(c->plan, c->f1, c->digits + N);
            fft_dot_inverse_torus_add(c->plan, c->out, c->acc, fs, col0, 2);
            fft_dot_inverse_torus_add(c->plan, c->out + N, c->acc, fs, col1, 2);
            break;
        }
        case OP_EXT_UNFUSED:
            fft_forward_small(c->plan, c->f0, c->digits);
            fft_forward_small(c->plan, c->f1, c->digits + N);
            memset(c->acc, 0, N * sizeof(double));
            fft_mac(c->plan, c->acc, c->f0, c->fk0);
            fft_mac(c->plan, c->acc, c->f1, c->fk1);
            fft_inverse_torus_add(c->plan, c->out, c->acc);
            memset(c->acc, 0, N * sizeof(double));
            fft_mac(c->plan, c->acc, c->f0, c->fk1);
            fft_mac(c->plan, c->acc, c->f1, c->fk0);
            fft_inverse_torus_add(c->plan, c->out + N, c->acc);
            break;
        case OP_CMUX:
            c->rot = (c->rot * 5 + 3) % (2 * N);
            fft_cmux_l1(c->plan, c->out, 2, c->rot, 23, c->ggsw, c->scratch, NULL);
            break;
        }
    }
}

/* Median time of one op in nanoseconds over short batches; *best gets the
 * fastest batch (the machine's quiet-time speed when it is shared). */
static double time_op(struct ctx *c, enum op op, int reps, double *best)
{
    double t[BATCHES];
    run(c, op, reps); /* warm up */
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = bench_now_ns();
        run(c, op, reps);
        t[b] = (double)(bench_now_ns() - t0) / reps;
    }
    double m = bench_median(t, BATCHES);
    *best = t[0]; /* sorted by bench_median() */
    return m;
}

static void emit(const char *name, const char *suffix, double value, double best, double scale,
                 const char *unit)
{
    char full[64], extra[64];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    snprintf(extra, sizeof extra, "\"min\":%.4g", best / scale);
    bench_emit_extra(full, value / scale, unit, extra);
}

static int bench_isa(struct ctx *c, enum fft_isa isa, const char *suffix)
{
    struct fft_plan *p = NULL;
    if (fft_plan_new_isa(&p, N, isa) != 0)
        return 0; /* not on this CPU */
    c->plan = p;
    fft_forward_torus(p, c->fk0, c->key);
    fft_forward_torus(p, c->fk1, c->key + N);
    fft_forward_small(p, c->f0, c->digits);
    memcpy(c->saved, c->f0, N * sizeof(double));
    fft_mac(p, c->saved, c->f0, c->fk0);
    memcpy(c->ggsw, c->fk0, N * sizeof(double)); /* rows (fk0, fk1), (fk1, fk0) */
    memcpy(c->ggsw + N, c->fk1, N * sizeof(double));
    memcpy(c->ggsw + 2 * N, c->fk1, N * sizeof(double));
    memcpy(c->ggsw + 3 * N, c->fk0, N * sizeof(double));

    int reps = isa == FFT_ISA_SCALAR ? 20 : 200;
    double best, best_copy;
    double t = time_op(c, OP_FWD, reps, &best);
    emit("fft_2048_us", suffix, t, best, 1e3, "us");
    t = time_op(c, OP_INV, reps, &best) - time_op(c, OP_COPY, reps, &best_copy);
    emit("ifft_2048_us", suffix, t, best - best_copy, 1e3, "us");
    memset(c->acc, 0, N * sizeof(double));
    t = time_op(c, OP_MAC, reps, &best);
    emit("fft_mac_2048_ns", suffix, t, best, 1, "ns");
    t = time_op(c, OP_EXT, reps / 4, &best);
    emit("ext_product_2048_us", suffix, t, best, 1e3, "us");
    t = time_op(c, OP_EXT_UNFUSED, reps / 4, &best);
    emit("ext_product_unfused_2048_us", suffix, t, best, 1e3, "us");
    t = time_op(c, OP_CMUX, reps / 4, &best);
    emit("cmux_2048_us", suffix, t, best, 1e3, "us");
    fft_plan_free(p);
    return 1;
}

int main(void)
{
    struct ctx c;
    c.digits = malloc(2 * N * sizeof(uint64_t));
    c.key = malloc(2 * N * sizeof(uint64_t));
    c.out = malloc(2 * N * sizeof(uint64_t));
    c.f0 = fft_buf_alloc(N), c.f1 = fft_buf_alloc(N), c.fk0 = fft_buf_alloc(N);
    c.fk1 = fft_buf_alloc(N), c.acc = fft_buf_alloc(N), c.saved = fft_buf_alloc(N);
    c.ggsw = fft_buf_alloc(4 * N), c.scratch = fft_buf_alloc(4 * N), c.rot = 1;
    if (!c.digits || !c.key || !c.out || !c.f0 || !c.f1 || !c.fk0 || !c.fk1 || !c.acc || !c.saved ||
        !c.ggsw || !c.scratch)
        return 1;
    for (size_t i = 0; i < 2 * N; i++) {
        c.digits[i] = (uint64_t)((int64_t)(rnd() % (1u << 23)) - (1 << 22));
        c.key[i] = rnd();
        c.out[i] = rnd();
    }

    struct fft_plan *best = NULL;
    if (fft_plan_new(&best, N) != 0)
        return 1;
    enum fft_isa best_isa = fft_plan_isa(best);
    fft_plan_free(best);
    bench_isa(&c, best_isa, "");
    if (best_isa != FFT_ISA_AVX2)
        bench_isa(&c, FFT_ISA_AVX2, "_avx2");
    bench_isa(&c, FFT_ISA_SCALAR, "_scalar");

    /* exact binary-key product (one GLWE mask polynomial times the key) */
    uint64_t *s = malloc(N * sizeof *s), *prod = malloc(N * sizeof *prod);
    if (s == NULL || prod == NULL)
        return 1;
    for (size_t i = 0; i < N; i++)
        s[i] = rnd() & 1;
    double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = bench_now_ns();
        poly_u64_mul_binary(prod, c.key, s, N);
        t[b] = (double)(bench_now_ns() - t0);
    }
    bench_emit("poly_binary_mul_2048_us", bench_median(t, BATCHES) / 1e3, "us");
    poly_u128 *a128 = malloc(N * sizeof *a128), *s128 = malloc(N * sizeof *s128),
              *acc128 = calloc(N, sizeof *acc128);
    if (a128 == NULL || s128 == NULL || acc128 == NULL)
        return 1;
    for (size_t i = 0; i < N; i++) {
        a128[i] = ((poly_u128)rnd() << 64) | rnd();
        s128[i] = s[i];
    }
    for (int b = 0; b < 11; b++) {
        uint64_t t0 = bench_now_ns();
        if (poly_u128_mul_binary_add(acc128, a128, s128, N) != 0)
            return 1;
        t[b] = (double)(bench_now_ns() - t0);
    }
    bench_emit("poly_u128_binary_mul_2048_us", bench_median(t, 11) / 1e3, "us");

    int sink = (int)(c.out[5] ^ prod[7] ^ (uint64_t)acc128[3]) & 1;
    free(s), free(prod), free(a128), free(s128), free(acc128);
    free(c.digits), free(c.key), free(c.out);
    fft_buf_free(c.f0), fft_buf_free(c.f1), fft_buf_free(c.fk0);
    fft_buf_free(c.fk1), fft_buf_free(c.acc), fft_buf_free(c.saved);
    fft_buf_free(c.ggsw), fft_buf_free(c.scratch);
    return sink & 0; /* keep the work observable */
}

/* Core PBS pieces: the lookup-table layout (tfhe-rs note §7.3), the two
 * modulus switches against an independent 128-bit computation, keyswitch
 * and sample extraction, and a full KS-PBS over all 16 inputs with the test
 * parameter set (small and fast; the default set is exercised by the
 * shortint tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>

#include "test_util.h"
#include "tfhe/decomp.h"
#include "tfhe/fft.h"
#include "tfhe/poly.h"
#include "tfhe_test_keys.h"

static uint64_t xs = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return xs;
}

/* For N = 2048, p = 16: acc[0..64) = D f(0), acc[64 + 128 (i-1) .. 64 + 128 i)
 * = D f(i) for i = 1..15, acc[1984..2048) = -D f(0). */
static void test_lut_layout(void **state)
{
    (void)state;
    uint64_t table[16], body[2048], delta = 1ull << 59;
    for (int i = 0; i < 16; i++)
        table[i] = (uint64_t)(i * 7 + 3) % 16;
    pbs_lut(body, 2048, 16, table, delta);
    for (size_t j = 0; j < 64; j++)
        assert_int_equal(body[j], table[0] * delta);
    for (unsigned i = 1; i < 16; i++)
        for (size_t j = 64 + 128 * (i - 1); j < 64 + 128 * i; j++)
            assert_int_equal(body[j], table[i] * delta);
    for (size_t j = 1984; j < 2048; j++)
        assert_int_equal(body[j], 0 - table[0] * delta);
}

/* The centered-mean switch, recomputed with 128-bit integers:
 * body' = round((b + C - 2^(63 - L)) / 2^(64 - L)) where C is the sum of the
 * halved mask rounding errors e_i = round(a_i) - a_i. tfhe-rs sums the
 * truncated halves H = sum trunc(e_i / 2) and removes the accumulated
 * truncation D = sum (2 trunc(e_i / 2) - e_i) with one last truncation:
 * C = H - trunc(D / 2) (modulus_switch.rs). */
static void test_ms_centered(void **state)
{
    (void)state;
    enum { n = 918, L = 12 };
    static uint64_t ct[n + 1];
    uint32_t sw[n + 1], st[n + 1];
    for (int trial = 0; trial < 200; trial++) {
        for (int i = 0; i <= n; i++)
            ct[i] = rnd();
        pbs_ms_centered(sw, ct, n, L);
        pbs_ms_standard(st, ct, n, L);
        __int128 sum_half = 0, sum_trunc = 0;
        for (int i = 0; i < n; i++) {
            assert_int_equal(sw[i], st[i]); /* masks switch the same way */
            assert_true(sw[i] < (1u << L));
            uint64_t rounded = (uint64_t)(((unsigned __int128)ct[i] + (1ull << (63 - L))) >> (64 - L)) << (64 - L);
            __int128 e = (int64_t)(rounded - ct[i]);
            __int128 h = e / 2;
            sum_half += h;
            sum_trunc += 2 * h - e;
        }
        uint64_t corr = (uint64_t)(sum_half - sum_trunc / 2) - (1ull << (63 - L));
        uint64_t body = ct[n] + corr;
        uint32_t want = (uint32_t)((uint64_t)(body + (1ull << (63 - L))) >> (64 - L));
        assert_int_equal(sw[n], want);
    }
}

/* The drift technique's estimate, recomputed in long double. */
static long double drift_estimate(const uint64_t *ct, const uint64_t *z, size_t n, unsigned L,
                                  const struct tfhe_ms_params *ms)
{
    long double sum = 0, sq = 0;
    for (size_t i = 0; i <= n; i++) {
        uint64_t x = ct[i] + (z ? z[i] : 0);
        uint64_t r = ((x + (1ull << (63 - L))) >> (64 - L)) << (64 - L);
        long double e = (long double)(int64_t)(r - x);
        if (i < n) {
            sum += e;
            sq += e * e;
        } else {
            sum = e - sum / 2; /* expectancy */
        }
    }
    long double var = sq / 4 + (long double)ms->ms_input_variance * 0x1p128L;
    return fabsl(sum) + sqrtl(var) * ms->ms_r_sigma_factor;
}

/* Drift: no addition when the input meets the bound; otherwise the first
 * encryption of zero that meets it, or the best one when none does. */
static void test_ms_drift(void **state)
{
    (void)state;
    enum { n = 16, Z = 6, L = 9 };
    struct tfhe_ms_params ms = {.kind = TFHE_MS_DRIFT, .zeros_count = Z,
                                .ms_r_sigma_factor = 9.2, .ms_input_variance = 1e-12};
    uint64_t ct[n + 1], zeros[Z * (n + 1)];
    uint32_t got[n + 1], want[n + 1];
    for (int trial = 0; trial < 300; trial++) {
        for (int i = 0; i <= n; i++)
            ct[i] = rnd();
        for (int i = 0; i < Z * (n + 1); i++)
            zeros[i] = rnd();
        long double base = drift_estimate(ct, NULL, n, L, &ms), best = base;
        int pick = -1;
        /* a bound between the candidates' estimates, or below all of them */
        long double est[Z];
        for (int z = 0; z < Z; z++)
            est[z] = drift_estimate(ct, zeros + z * (n + 1), n, L, &ms);
        long double bound = trial % 3 == 0 ? base * 2
                           : trial % 3 == 1 ? est[trial % Z] * (1 + 1e-9L) : 1;
        ms.ms_bound = (uint64_t)bound;
        if (base > (long double)ms.ms_bound) {
            for (int z = 0; z < Z; z++) {
                if (est[z] < best) {
                    best = est[z];
                    pick = z;
                }
                if (est[z] <= (long double)ms.ms_bound)
                    break;
            }
        }
        pbs_ms_drift(got, ct, n, L, zeros, &ms);
        for (int i = 0; i <= n; i++) {
            uint64_t x = ct[i] + (pick >= 0 ? zeros[pick * (n + 1) + i] : 0);
            want[i] = (uint32_t)((x + (1ull << (63 - L))) >> (64 - L));
        }
        assert_memory_equal(got, want, sizeof got);
    }
}

static void test_keyswitch_and_extract(void **state)
{
    (void)state;
    struct test_keys t;
    assert_int_equal(test_keys_new(&t, "test", 5), 0);
    const struct tfhe_pbs_params *p = &t.params->pbs;
    uint64_t *ct = malloc((t.big + 1) * 8), *out = malloc((t.n + 1) * 8);
    uint64_t *glwe = malloc(glwe_size(t.k, t.N) * 8), *phase = malloc(t.N * 8);
    for (int trial = 0; trial < 50; trial++) {
        uint64_t m = rnd() & (0xfull << 59);
        assert_int_equal(lwe_encrypt(ct, t.glwe_sk, t.big, m, p->glwe_noise_log2, &t.rng), 0);
        lwe_keyswitch(out, t.ksk, ct, t.big, t.n, p->ks_base_log, p->ks_level);
        int64_t e = (int64_t)(lwe_phase(out, t.lwe_sk, t.n) - m);
        assert_true(e > -(1ll << 40) && e < (1ll << 40)); /* 27 dropped bits + tiny noise */
    }
    /* sample extraction of every coefficient agrees with the GLWE phase */
    for (size_t c = 0; c < t.N; c++)
        glwe[t.k * t.N + c] = rnd();
    assert_int_equal(glwe_encrypt_assign(glwe, t.glwe_sk, t.k, t.N, 0, &t.rng), 0);
    glwe_phase(phase, glwe, t.glwe_sk, t.k, t.N);
    for (size_t h = 0; h < t.N; h += 17) {
        glwe_sample_extract(ct, glwe, t.k, t.N, h);
        assert_int_equal(lwe_phase(ct, t.glwe_sk, t.big), phase[h]);
    }
    free(ct);
    free(out);
    free(glwe);
    free(phase);
    test_keys_free(&t);
}

/* The 32-bit keyswitch of the PBS path against the exact one, with the
 * default set's keyswitching key (4 x 4 bits): the phases under the small
 * key differ by far less than the modulus switch's own rounding (2^52). */
static void test_keyswitch_u32(void **state)
{
    (void)state;
    const struct tfhe_params *P;
    assert_int_equal(tfhe_params_get(&P, "default", 0), 0);
    const struct tfhe_pbs_params *p = &P->pbs;
    assert_true(lwe_ksk_u32_ok(p->ks_base_log, p->ks_level));
    assert_false(lwe_ksk_u32_ok(37, 1)); /* the test set keeps the exact path */
    size_t n = p->lwe_dimension, big = tfhe_params_big_dimension(p);
    size_t words = lwe_ksk_size(big, n, p->ks_level);
    struct csprng sec;
    struct enc_rng rng;
    uint8_t s1[16] = {9, 1}, s2[16] = {9, 2}, s3[16] = {9, 3};
    assert_int_equal(csprng_init_seed(&sec, s1), 0);
    assert_int_equal(csprng_init_seed(&rng.mask, s2), 0);
    assert_int_equal(csprng_init_seed(&rng.noise, s3), 0);
    uint64_t *sk_in = malloc(big * 8), *sk_out = malloc(n * 8), *ksk = malloc(words * 8);
    uint32_t *ksk32 = malloc(words * 4);
    uint64_t *in = malloc((big + 1) * 8), *a = malloc((n + 1) * 8), *b = malloc((n + 1) * 8);
    assert_int_equal(sample_binary_u64(&sec, sk_in, big), 0);
    assert_int_equal(sample_binary_u64(&sec, sk_out, n), 0);
    assert_int_equal(lwe_ksk_generate(ksk, sk_in, big, sk_out, n, p->ks_base_log, p->ks_level,
                                      p->lwe_noise_log2, &rng), 0);
    lwe_ksk_round_u32(ksk32, ksk, words);
    for (int trial = 0; trial < 20; trial++) {
        uint64_t m = rnd() & (0xfull << 59);
        assert_int_equal(lwe_encrypt(in, sk_in, big, m, p->glwe_noise_log2, &rng), 0);
        lwe_keyswitch(a, ksk, in, big, n, p->ks_base_log, p->ks_level);
        lwe_keyswitch_u32(b, ksk32, in, big, n, p->ks_base_log, p->ks_level);
        for (size_t w = 0; w <= n; w++)
            assert_int_equal(b[w] & 0xffffffffu, 0); /* only the top half is computed */
        int64_t d = (int64_t)(lwe_phase(b, sk_out, n) - lwe_phase(a, sk_out, n));
        assert_true(d > -(1ll << 50) && d < (1ll << 50));
    }
    free(sk_in);
    free(sk_out);
    free(ksk);
    free(ksk32);
    free(in);
    free(a);
    free(b);
    csprng_free(&sec);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
}

/* The blind rotation against its definition spelled out with the public
 * primitives: ACC = ACC * X^(-b~), then for each a~_i != 0 the external
 * product of GGSW i with the decomposed X^a~_i ACC - ACC (poly_u64_mul_xk,
 * decomp.h digits, fft_forward_small, fft_dot_inverse_torus_add), word for
 * word, on a random (not encrypted) key. The shapes take every path: one
 * level with k = 1 (fused registers) and k = 2, and two levels. */
static void rotate_case(size_t n, unsigned k, size_t N, unsigned base_log, unsigned level)
{
    struct bsk_shape sh = {n, k, N, base_log, level};
    size_t rows = (size_t)k + 1, polys = bsk_polys(&sh);
    uint64_t *std = malloc(polys * N * 8), *acc = malloc(rows * N * 8), *ref = malloc(rows * N * 8);
    uint64_t *tmp = malloc(N * 8), *dig = malloc(N * 8);
    uint32_t *sw = malloc((n + 1) * sizeof *sw);
    size_t terms = rows * level;
    double *f = fft_buf_alloc(terms * N), *four = fft_buf_alloc(N);
    const double **fa = malloc(terms * sizeof *fa), **kb = malloc(terms * sizeof *kb);
    assert_true(std && acc && ref && tmp && dig && sw && f && four && fa && kb);
    for (size_t i = 0; i < polys * N; i++)
        std[i] = rnd();
    struct fourier_bsk fb;
    struct pbs_scratch *sc;
    assert_int_equal(fourier_bsk_from_std(&fb, &sh, std), 0);
    assert_int_equal(pbs_scratch_new(&sc, &sh), 0);
    for (int trial = 0; trial < 3; trial++) {
        for (size_t i = 0; i <= n; i++)
            sw[i] = i % 5 == 3 ? 0 : (uint32_t)(rnd() % (2 * N)); /* some steps skipped */
        for (size_t i = 0; i < rows * N; i++)
            acc[i] = ref[i] = rnd();
        pbs_blind_rotate(&fb, acc, sw, sc);
        for (size_t r = 0; r < rows; r++) {
            memcpy(tmp, ref + r * N, N * 8);
            poly_u64_mul_xk(ref + r * N, tmp, N, (2 * N - sw[n]) % (2 * N));
        }
        for (size_t i = 0; i < n; i++) {
            if (sw[i] == 0)
                continue;
            size_t t = 0;
            for (unsigned j = 0; j < level; j++)
                for (size_t r = 0; r < rows; r++, t++) {
                    poly_u64_mul_xk(tmp, ref + r * N, N, sw[i]);
                    for (size_t c = 0; c < N; c++) {
                        uint64_t st = decomp_init_u64(tmp[c] - ref[r * N + c], base_log, level);
                        for (unsigned u = 0; u <= j; u++)
                            dig[c] = decomp_next_u64(&st, base_log);
                    }
                    fft_forward_small(fb.plan, f + t * N, dig);
                    fa[t] = f + t * N;
                }
            for (size_t c = 0; c < rows; c++) {
                t = 0;
                for (unsigned j = 0; j < level; j++)
                    for (size_t r = 0; r < rows; r++, t++)
                        kb[t] = fourier_bsk_poly(&fb, i, j, (unsigned)r, (unsigned)c);
                fft_dot_inverse_torus_add(fb.plan, ref + c * N, four, fa, kb, terms);
            }
        }
        assert_memory_equal(acc, ref, rows * N * 8);
    }
    pbs_scratch_free(sc);
    fourier_bsk_free(&fb);
    free(std), free(acc), free(ref), free(tmp), free(dig), free(sw), free(fa), free(kb);
    fft_buf_free(f), fft_buf_free(four);
}

static void test_blind_rotate_paths(void **state)
{
    (void)state;
    rotate_case(7, 1, 512, 23, 1);
    rotate_case(5, 2, 256, 17, 1);
    rotate_case(4, 1, 256, 12, 2);
    rotate_case(3, 1, 2048, 23, 1);
}

/* KS-PBS with the test set: every input 0..15 through several tables. */
static void test_ks_pbs_test_params(void **state)
{
    (void)state;
    struct test_keys t;
    assert_int_equal(test_keys_new(&t, "test", 6), 0);
    const struct tfhe_pbs_params *p = &t.params->pbs;
    uint64_t delta = tfhe_params_delta(p), table[16], *lut = malloc(t.N * 8);
    uint64_t *ct = malloc((t.big + 1) * 8), *small = malloc((t.n + 1) * 8);
    uint64_t *out = malloc((t.big + 1) * 8);
    for (int f = 0; f < 4; f++) {
        for (uint64_t i = 0; i < 16; i++)
            table[i] = f == 0 ? i : f == 1 ? (i * i) % 16 : f == 2 ? i / 4 : rnd() % 16;
        pbs_lut(lut, t.N, 16, table, delta);
        for (uint64_t m = 0; m < 16; m++) {
            assert_int_equal(lwe_encrypt(ct, t.glwe_sk, t.big, m * delta, p->glwe_noise_log2,
                                         &t.rng), 0);
            lwe_keyswitch(small, t.ksk, ct, t.big, t.n, p->ks_base_log, p->ks_level);
            pbs_bootstrap(&t.fbsk, out, small, lut, TFHE_MS_STANDARD, t.scratch);
            uint64_t ph = lwe_phase(out, t.glwe_sk, t.big);
            assert_int_equal(((ph + delta / 2) / delta) % 32, table[m]);
        }
    }
    free(lut);
    free(ct);
    free(small);
    free(out);
    test_keys_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lut_layout),
        cmocka_unit_test(test_ms_centered),
        cmocka_unit_test(test_ms_drift),
        cmocka_unit_test(test_keyswitch_and_extract),
        cmocka_unit_test(test_keyswitch_u32),
        cmocka_unit_test(test_blind_rotate_paths),
        cmocka_unit_test(test_ks_pbs_test_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

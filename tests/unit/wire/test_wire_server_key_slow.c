/* The ServerKey of the "default" (KMS) parameter set: 2.1 GB, streamed to
 * a temporary file (peak memory: the keyset's bodies), mapped and read
 * back, written back through a comparing sink (byte-exact, no second
 * copy), with every component's data size checked against the parameter
 * set, the first and last GGSW of the compute BSK checked against the
 * natural-order FFT of the expanded standard-domain key, and polynomials of
 * the 128-bit SnS BSK checked by direct double-double evaluation at the
 * plan's roots (which must be roots of X^n = i). Takes a few minutes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tfhe/fft.h"
#include "tfhe/sns.h"
#include "tfhe/wire/wire_f128.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"
#include "wire_test_util.h"

struct cmp {
    const uint8_t *p;
    size_t pos, len;
    int differs;
};

static int cmp_write(void *ctx, const void *p, size_t n)
{
    struct cmp *c = ctx;
    if (n > c->len - c->pos || memcmp(c->p + c->pos, p, n) != 0)
        c->differs = 1;
    else
        c->pos += n;
    return 0;
}

static double f64_le(const uint8_t *p)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = w << 8 | p[i];
    double d;
    memcpy(&d, &w, 8);
    return d;
}

/* The natural-order FFT of GGSW i of a 64-bit BSK against the view. */
static void check_fourier64(const struct wire_server_key *k, const struct keyset *ks,
                            enum keyset_comp comp, size_t ggsw)
{
    const struct keyset_layout *l = &ks->pub.comp[comp].layout;
    size_t N = l->body_words, rows = l->chunk_cts, cols = l->mask_words / N + 1;
    size_t words = keyset_layout_words(l);
    uint64_t *std = malloc(words * 8);
    double *four = fft_buf_alloc(N), *nat = fft_buf_alloc(N);
    const struct fft_plan *plan;
    assert_non_null(std);
    assert_int_equal(fft_plan_get(&plan, N), 0);
    assert_int_equal(keyset_expand_component(&ks->pub, comp, std, words), 0);
    for (size_t q = ggsw * rows * cols; q < (ggsw + 1) * rows * cols; q++) {
        fft_forward_torus(plan, four, std + q * N);
        fft_to_natural(plan, nat, four);
        const uint8_t *v = k->vec[comp][0].p + q * (8 + 8 * N);
        assert_int_equal(v[0] | v[1] << 8, N / 2);
        for (size_t i = 0; i < N; i++)
            if (f64_le(v + 8 + 8 * i) != nat[i])
                fail_msg("%s polynomial %zu value %zu", keyset_comp_name(comp), q, i);
    }
    free(std);
    fft_buf_free(four);
    fft_buf_free(nat);
}

/* long double is enough here: the check is against the full double-double
 * value to 2^-60 (a wrong order or twiddle is off by O(1)). */
static void check_sns(const struct wire_server_key *k, const struct keyset *ks)
{
    const struct keyset_layout *l = &ks->pub.comp[KEYSET_SNS_BSK].layout;
    size_t N = l->body_words, n = N / 2, words = keyset_layout_words(l);
    u128 *std = malloc(words * 16);
    u128 *x = calloc(N, 16);
    double *pl = calloc(4 * n, sizeof *pl);
    long double *wr = calloc(n, sizeof *wr), *wi = calloc(n, sizeof *wi);
    struct wire_f128_plan *plan;
    assert_non_null(std);
    assert_int_equal(wire_f128_plan_new(&plan, N), 0);
    assert_int_equal(keyset_expand_component(&ks->pub, KEYSET_SNS_BSK, std, words), 0);
    x[1] = (u128)1 << 120;
    wire_f128_forward_torus(plan, pl, pl + n, pl + 2 * n, pl + 3 * n, x);
    for (size_t q = 0; q < n; q++) {
        wr[q] = ldexpl((long double)pl[q] + pl[n + q], 8);
        wi[q] = ldexpl((long double)pl[2 * n + q] + pl[3 * n + q], 8);
        long double ang = atan2l(wi[q], wr[q]) * (long double)n / 3.141592653589793238462643L;
        long double m = fmodl(ang - 0.5L, 2.0L); /* w^n = i: n arg(w) = pi/2 mod 2 pi */
        assert_true(fabsl(m) < 1e-9L || fabsl(fabsl(m) - 2.0L) < 1e-9L);
    }
    size_t polys = words / N;
    for (size_t p = 0; p < polys; p += polys / 3) {
        for (size_t q = 0; q < n; q += 97) {
            long double sr = 0, si = 0, pr = 1, pi = 0;
            for (size_t j = 0; j < n; j++) {
                long double a = ldexpl((long double)(__int128)std[p * N + j], -128);
                long double b = ldexpl((long double)(__int128)std[p * N + j + n], -128);
                sr += a * pr - b * pi;
                si += a * pi + b * pr;
                long double t = pr * wr[q] - pi * wi[q];
                pi = pr * wi[q] + pi * wr[q];
                pr = t;
            }
            size_t at = 8 * (p * n + q);
            long double gr = (long double)f64_le(k->vec[KEYSET_SNS_BSK][0].p + at) +
                             f64_le(k->vec[KEYSET_SNS_BSK][1].p + at);
            long double gi = (long double)f64_le(k->vec[KEYSET_SNS_BSK][2].p + at) +
                             f64_le(k->vec[KEYSET_SNS_BSK][3].p + at);
            if (fabsl(gr - sr) > 1e-12L || fabsl(gi - si) > 1e-12L)
                fail_msg("SnS BSK polynomial %zu position %zu: %Lg %Lg vs %Lg %Lg", p, q, gr,
                         gi, sr, si);
        }
    }
    wire_f128_plan_free(plan);
    free(std);
    free(x);
    free(pl);
    free(wr);
    free(wi);
}

static void test_default_set(void **state)
{
    (void)state;
    static const uint8_t tag[] = "default-set";
    uint8_t seed[16] = {0x42};
    struct keyset *ks;
    const struct tfhe_params *p = wt_params("default");
    assert_int_equal(keyset_generate(&ks, p, seed, sizeof seed, tag, sizeof tag - 1, 128, 1.0, 0),
                     0);
    FILE *f = tmpfile();
    assert_non_null(f);
    struct wire_sink s;
    wire_sink_file(&s, f, UINT64_MAX);
    assert_int_equal(wire_server_key_write(&s, &ks->pub), 0);
    assert_int_equal(fflush(f), 0);
    size_t len = (size_t)s.count;
    const uint8_t *b = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    assert_true(b != MAP_FAILED);

    struct wire_server_key k;
    assert_int_equal(wire_server_key_read(&k, b, len, len - 1, NULL), KMS_ELIMIT);
    assert_int_equal(wire_server_key_read(&k, b, len, len, NULL), 0);
    assert_ptr_equal(k.params, p);
    assert_int_equal(k.present, wire_keyset_components(WIRE_KEYSET_CSK, p));
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        uint64_t want = (uint64_t)keyset_layout_words(l) * l->word_bytes;
        if (c == KEYSET_COMPUTE_BSK || c == KEYSET_DECOMPRESSION || c == KEYSET_OPRF_BSK)
            want += (uint64_t)(keyset_layout_words(l) / l->body_words) * 8; /* prefixes */
        /* the SnS BSK: four f64 planes of N/2 values per u128 polynomial,
         * the same size as the standard domain */
        if (c == KEYSET_CPK)
            want = 0;
        if (k.comp_bytes[c] != want)
            fail_msg("%s: %llu bytes, expected %llu", keyset_comp_name(c),
                     (unsigned long long)k.comp_bytes[c], (unsigned long long)want);
    }
    struct cmp cm = {b, 0, len, 0};
    wire_sink_init(&s, cmp_write, &cm, UINT64_MAX);
    assert_int_equal(wire_server_key_write_read(&s, &k), 0);
    assert_false(cm.differs);
    assert_int_equal(cm.pos, len);

    check_fourier64(&k, ks, KEYSET_COMPUTE_BSK, 0);
    check_fourier64(&k, ks, KEYSET_COMPUTE_BSK, p->pbs.lwe_dimension - 1);
    check_fourier64(&k, ks, KEYSET_OPRF_BSK, 1);
    check_fourier64(&k, ks, KEYSET_DECOMPRESSION, 0);
    check_sns(&k, ks);

    wire_server_key_clear(&k);
    munmap((void *)b, len);
    fclose(f);
    keyset_free(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

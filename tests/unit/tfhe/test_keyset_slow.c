/* The default keyset (BC_PARAMS_SNS), generated once from a fixed seed with
 * the standard-domain keys kept, and once bodies-only:
 *   - generation time and peak RSS printed (the target: at most 60 s and
 *     3 GB on one core for the compressed keyset);
 *   - both generations give the same bytes (SHA3 over secrets, positions and
 *     bodies);
 *   - the raw-stream replay of test_keyset.c: public seed, packed secret-key
 *     bits, CPK mask and first noise value, every component's first mask
 *     and noise byte, and the first chunk of every component against its
 *     module's reference generator (the 128-bit packing key against
 *     packing_ksk_generate_u128 at k = 6, N = 1024);
 *   - every component passes the self-check (maximum noise printed);
 *   - expansion from the bodies equals the kept keys, and the decompressed
 *     server key equals the conversions of the generated keys;
 *   - a radix addition with the decompressed server key.
 * (The four ciphertext formats with the default set: test_decrypt_slow.c.)
 * About 35 s in the optimized build, several times more under the
 * sanitizers; about 5.8 GB of memory at the peak (the decompressed keys
 * while a component is re-expanded to compare with). */
#define KEYSET_TEST_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function" /* the light tests stay in test_keyset */
#include "test_keyset.c"

#include <math.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static double log2u128(u128 v) { return v == 0 ? -1 : log2((double)v); }

static void test_default_keyset(void **state)
{
    (void)state;
    double t0 = now_s();
    struct keyset *b = generate("default", 0x5eed, 0);
    double t1 = now_s(), rss_b = peak_rss_mib();
    print_message("  compressed keyset: %.2f s, peak RSS %.0f MiB (secret keys %.3f s)\n",
                  t1 - t0, rss_b, (double)b->secrets_ns / 1e9);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++)
        if (b->pub.comp[c].layout.present)
            print_message("    %-26s %7.3f s  %9zu body words\n",
                          keyset_comp_name((enum keyset_comp)c), (double)b->gen_ns[c] / 1e9,
                          keyset_layout_body_words(&b->pub.comp[c].layout));
    assert_false(b->pub.comp[KEYSET_COMPUTE_MS].layout.present); /* centered-mean switch */
    assert_false(b->pub.comp[KEYSET_SNS_MS].layout.present);

    t0 = now_s();
    struct keyset *ks = generate("default", 0x5eed, KEYSET_KEEP_STD);
    print_message("  with standard-domain keys: %.2f s, peak RSS %.0f MiB\n", now_s() - t0,
                  peak_rss_mib());
    uint8_t ha[32], hb[32];
    keyset_hash(ha, ks, 0);
    keyset_hash(hb, b, 0);
    assert_memory_equal(ha, hb, 32);
    keyset_free(b);

    check_secret_stream(ks, 0x5eed);
    check_positions(ks);
    check_replays(ks, 0x5eed, 1);

    struct keyset_check_report rep[KEYSET_COMP_COUNT];
    t0 = now_s();
    assert_int_equal(keyset_selfcheck(ks, rep), 0);
    print_message("  self-check: %.2f s\n", now_s() - t0);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        assert_int_equal(rep[c].values, l->count * l->body_words);
        /* TUniform(b) reaches near its bound over this many samples */
        assert_true(rep[c].max_abs_noise <= ((u128)1 << l->noise_log2));
        assert_true(l->noise_log2 < 4 || rep[c].max_abs_noise > ((u128)1 << (l->noise_log2 - 1)));
        print_message("    %-26s max |noise| 2^%.2f of 2^%u\n",
                      keyset_comp_name((enum keyset_comp)c), log2u128(rep[c].max_abs_noise),
                      l->noise_log2);
    }
    t0 = now_s();
    check_expansion(ks);
    print_message("  expansion of every component: %.2f s\n", now_s() - t0);

    keyset_drop_std(ks); /* re-expanded from the bodies where compared below */
    struct keyset_server *s;
    t0 = now_s();
    assert_int_equal(keyset_decompress(&s, &ks->pub), 0);
    print_message("  decompression: %.2f s, peak RSS %.0f MiB\n", now_s() - t0, peak_rss_mib());
    check_server(s, ks);
    radix_add_check(ks, s, 173, 129);
    keyset_server_free(s);
    keyset_free(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_keyset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

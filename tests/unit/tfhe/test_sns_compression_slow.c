/* Squashed list compression with the default set's own packing key (SnS
 * GLWE key 2 x 2048 read as 4096 LWE coefficients -> 6 x 1024, base 2^41,
 * 2 levels: 896 MiB, generated here in about 20 s), then compression of an
 * FheUint64, an FheBool and an FheInt8 worth of squashed ciphertexts and
 * direct decryption, with the packing keyswitch noise bound checked per
 * coefficient. Under the sanitizers (ten times slower) the test set's key
 * is used instead. */
#define SNSC_TEST_SLOW 1
/* the light tests stay in test_sns_compression */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test_sns_compression.c"

static void test_round_trip_default_key(void **state)
{
    (void)state;
    struct snsenv e;
#ifdef SNSC_UNDER_SAN
    snsenv_init(&e, "test", 1, 9);
    print_message("  test set under the sanitizers\n");
#else
    snsenv_init(&e, "default", 1, 9);
#endif
    static const int32_t types[] = {RADIX_UINT64, RADIX_BOOL, RADIX_INT8};
    sns_round_trip(&e, types, sizeof types / sizeof types[0]);
    snsenv_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_default_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

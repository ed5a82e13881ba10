/* The four ciphertext formats with the default set (a seeded default keyset,
 * decompressed): Bool, Uint8, Int16 and Uint64 through SmallExpanded,
 * SmallCompressed, BigExpanded (normal and post-decompression) and
 * BigCompressed, with a wrong fhe_type refused for each. About 25 s here
 * (keyset generation and decompression included), far more under the
 * sanitizers. */
#define DECRYPT_TEST_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function" /* the light tests stay in test_decrypt */
#include "test_decrypt.c"

static void test_default_formats(void **state)
{
    (void)state;
    struct dec_env e;
    dec_env_new(&e, "default", 31);
    const int32_t types[] = {RADIX_BOOL, RADIX_UINT8, RADIX_INT16, RADIX_UINT64};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        formats_round_trip(&e, types[i], (uint8_t)(29 * i + 5));
    dec_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

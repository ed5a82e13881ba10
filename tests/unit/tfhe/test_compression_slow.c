/* Compression with the default parameter set, every type (test set under
 * the sanitizers, where the default set's PBS is ten times slower):
 *  - every unsigned type (FheBool, FheUint4 .. FheUint2048, FheUint80 and
 *    FheUint160) and several signed ones through encrypt -> compress ->
 *    decompress by PBS -> decrypt, and direct decryption of all of them and
 *    of every signed type, from multi-GLWE lists (about 2500 PBS, 30 s);
 *  - direct decryption against decompression by PBS at every box boundary
 *    of the switched phase and at random phases. */
#define COMP_TEST_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function" /* the light tests stay in test_compression */
#include "test_compression.c"

static void env_slow(struct env *e, uint8_t seed)
{
#ifdef COMP_UNDER_SAN
    env_init(e, "test", 1, seed);
    print_message("  test set under the sanitizers\n");
#else
    env_init(e, "default", 1, seed);
#endif
}

static void test_all_types(void **state)
{
    (void)state;
    struct env e;
    env_slow(&e, 21);
    static const int32_t with_pbs[] = {
        RADIX_BOOL,    RADIX_UINT4,   RADIX_UINT8,   RADIX_UINT16,   RADIX_UINT32,
        RADIX_UINT64,  RADIX_UINT80,  RADIX_UINT128, RADIX_UINT160,  RADIX_UINT256,
        RADIX_UINT512, RADIX_UINT1024, RADIX_UINT2048, RADIX_INT4,   RADIX_INT8,
        RADIX_INT64,   RADIX_INT80,   RADIX_INT160,  RADIX_INT256,   RADIX_BOOL,
    };
    round_trip(&e, with_pbs, sizeof with_pbs / sizeof with_pbs[0], 1);
    static const int32_t direct[] = {
        RADIX_INT4,  RADIX_INT8,   RADIX_INT16,   RADIX_INT32,   RADIX_INT64,  RADIX_INT80,
        RADIX_INT128, RADIX_INT160, RADIX_INT256, RADIX_INT512, RADIX_INT1024, RADIX_INT2048,
        RADIX_UINT2048, RADIX_BOOL, RADIX_UINT4,
    };
    round_trip(&e, direct, sizeof direct / sizeof direct[0], 0);
    env_free(&e);
}

static void test_direct_vs_pbs_boundaries(void **state)
{
    (void)state;
    struct env e;
    env_slow(&e, 22);
    uint64_t two_n = (uint64_t)1 << e.p->compression.storage_log_modulus;
    uint64_t box = two_n / 8, mu[200], seed = 5;
    size_t n = 0;
    for (uint64_t b = 0; b < 8; b++) /* each box edge: below, at, above the half-box tie */
        for (int d = -1; d <= 1; d++)
            mu[n++] = (b * box + box / 2 + two_n + (uint64_t)(int64_t)d) % two_n;
    for (uint64_t b = 0; b < 8; b++)
        mu[n++] = b * box;
    while (n < 96)
        mu[n++] = splitmix(&seed) % two_n;
    check_direct_vs_pbs(&e, mu, n);
    env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_direct_vs_pbs_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

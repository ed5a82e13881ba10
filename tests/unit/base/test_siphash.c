/* SipHash-2-4 against the vectors of the paper's appendix A (key 00..0f,
 * message 00..(n-1)), and a check that every key and input bit matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "base/siphash.h"

static void test_paper_vectors(void **state)
{
    (void)state;
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    /* appendix A: the 15-byte example; the reference test table's first
     * two rows (empty and one-byte messages) */
    assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
    assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
    assert_true(siphash24(key, msg, 1) == 0x74f839c593dc67fdull);
}

static void test_every_bit_matters(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, msg[32] = {0};
    uint64_t base = siphash24(key, msg, sizeof msg);
    for (size_t bit = 0; bit < 8 * sizeof msg; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_true(siphash24(key, msg, sizeof msg) != base);
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 128; bit++) {
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_true(siphash24(key, msg, sizeof msg) != base);
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* the length is part of the input: trailing zeros change the hash */
    assert_true(siphash24(key, msg, 31) != base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_vectors),
        cmocka_unit_test(test_every_bit_matters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

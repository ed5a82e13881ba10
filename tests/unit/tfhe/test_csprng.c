/* tfhe-csprng: the test vectors of tfhe-rs 1.7 (tfhe-csprng/src/generators/
 * mod.rs: test_vectors, test_vectors_xof_seed, test_vectors_xof_seed_bytes),
 * plus forking, bounds and piecewise reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_util.h"
#include "tfhe/csprng.h"

/* Seed(1u128), first 256 bytes */
static const uint8_t vec_seed1[256] = {
    220, 14,  216, 93,  249, 97,  26,  187, 114, 73,  205, 209, 104, 197, 70,  126, 250, 235, 1,
    136, 141, 46,  146, 174, 231, 14,  204, 28,  99,  139, 246, 214, 112, 253, 151, 34,  114, 235,
    7,   76,  37,  36,  154, 226, 148, 68,  238, 117, 87,  212, 183, 174, 200, 222, 153, 62,  48,
    166, 134, 27,  97,  230, 206, 78,  128, 151, 166, 15,  156, 120, 158, 35,  41,  121, 55,  180,
    184, 108, 160, 33,  208, 255, 147, 246, 159, 10,  239, 6,   103, 124, 123, 83,  72,  189, 237,
    225, 36,  30,  151, 134, 94,  211, 181, 108, 239, 137, 18,  246, 237, 233, 59,  61,  24,  111,
    198, 76,  92,  86,  129, 171, 50,  124, 2,   72,  143, 160, 223, 32,  187, 175, 239, 111, 51,
    85,  110, 134, 45,  193, 113, 247, 249, 78,  230, 103, 123, 66,  48,  31,  169, 228, 140, 202,
    168, 202, 199, 147, 89,  135, 104, 254, 198, 72,  31,  103, 236, 207, 138, 24,  100, 230, 168,
    233, 214, 130, 195, 0,   25,  220, 136, 128, 173, 40,  154, 116, 87,  114, 187, 170, 150, 131,
    163, 155, 98,  217, 198, 238, 178, 165, 214, 168, 252, 107, 123, 214, 33,  17,  114, 35,  23,
    172, 145, 5,   39,  16,  33,  92,  163, 132, 240, 167, 128, 226, 165, 80,  9,   153, 252, 139,
    0,   139, 0,   54,  188, 253, 141, 2,   78,  97,  53,  214, 173, 155, 84,  98,  51,  70,  110,
    91,  181, 229, 231, 27,  225, 185, 143, 63,
};

/* XofSeed::new_u128(1, "abcdefgh") */
static const uint8_t vec_xof_u128[256] = {
    181, 134, 231, 117, 200, 60,  174, 158, 95,  80,  64,  236, 147, 204, 196, 251, 198, 110, 155,
    74,  69,  162, 251, 224, 46,  46,  83,  209, 224, 89,  108, 68,  240, 37,  16,  109, 194, 92,
    3,   164, 21,  167, 224, 205, 31,  90,  178, 59,  150, 142, 238, 113, 144, 181, 118, 160, 72,
    187, 38,  29,  61,  189, 229, 66,  22,  4,   38,  210, 63,  232, 182, 115, 49,  96,  6,   120,
    226, 40,  51,  144, 59,  136, 224, 252, 195, 50,  250, 134, 45,  149, 220, 32,  27,  35,  225,
    190, 73,  161, 182, 250, 149, 153, 131, 220, 143, 181, 152, 187, 25,  62,  197, 24,  10,  142,
    57,  172, 15,  17,  244, 242, 232, 51,  50,  244, 85,  58,  69,  28,  113, 151, 143, 138, 166,
    198, 16,  210, 46,  234, 138, 32,  124, 98,  167, 141, 251, 60,  13,  158, 106, 29,  86,  63,
    73,  42,  138, 174, 195, 192, 72,  122, 74,  54,  134, 107, 144, 241, 12,  33,  70,  27,  116,
    154, 123, 1,   252, 141, 73,  79,  30,  162, 43,  57,  8,   99,  62,  222, 117, 232, 147, 81,
    189, 54,  17,  233, 33,  41,  132, 155, 246, 185, 189, 17,  77,  32,  107, 134, 61,  174, 64,
    174, 80,  229, 239, 243, 143, 152, 249, 254, 125, 42,  0,   170, 253, 34,  57,  100, 82,  244,
    9,   101, 126, 138, 218, 215, 55,  58,  177, 154, 5,   28,  113, 89,  123, 129, 254, 212, 191,
    162, 44,  120, 67,  241, 157, 31,  162, 113,
};

/* XofSeed::new(bytes 0..31, "abcdefgh") */
static const uint8_t vec_xof_bytes[256] = {
    122, 21,  82,  236, 82,  18,  196, 63,  129, 54,  134, 70,  114, 199, 200, 11,  5,   52,  170,
    218, 49,  127, 45,  5,   252, 214, 82,  127, 196, 241, 83,  161, 79,  139, 183, 33,  122, 126,
    177, 23,  36,  161, 122, 7,   112, 237, 154, 195, 90,  202, 218, 64,  90,  86,  190, 139, 169,
    192, 105, 248, 220, 126, 133, 60,  124, 81,  72,  183, 238, 253, 138, 141, 144, 167, 168, 94,
    19,  172, 92,  235, 113, 185, 31,  150, 143, 165, 220, 115, 83,  180, 1,   10,  130, 140, 32,
    74,  132, 76,  22,  120, 126, 68,  154, 95,  61,  202, 79,  126, 38,  217, 181, 243, 6,   218,
    75,  232, 235, 194, 255, 254, 184, 18,  122, 51,  222, 61,  167, 175, 97,  188, 186, 217, 105,
    72,  205, 130, 3,   204, 157, 252, 27,  20,  212, 136, 70,  65,  215, 164, 130, 242, 107, 214,
    150, 211, 59,  92,  13,  148, 219, 96,  181, 5,   38,  170, 48,  218, 111, 131, 246, 102, 169,
    17,  182, 253, 41,  209, 185, 79,  245, 30,  142, 192, 127, 78,  178, 68,  223, 89,  210, 27,
    84,  164, 163, 216, 188, 190, 128, 154, 224, 160, 53,  249, 10,  250, 95,  160, 94,  28,  41,
    34,  254, 232, 137, 185, 82,  82,  192, 74,  197, 19,  46,  180, 169, 182, 216, 221, 127, 196,
    185, 156, 82,  32,  133, 97,  140, 183, 67,  37,  110, 31,  210, 197, 27,  81,  197, 132, 136,
    98,  78,  218, 252, 247, 239, 205, 21,  166,
};

static const uint8_t dsep_abcdefgh[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};

static void test_vector_seed(void **state)
{
    (void)state;
    uint8_t seed[16] = {1}, out[256];
    struct csprng g;
    assert_int_equal(csprng_init_seed(&g, seed), 0);
    assert_int_equal(csprng_fill(&g, out, sizeof out), 0);
    assert_memory_equal(out, vec_seed1, sizeof out);
    csprng_free(&g);
}

static void test_vector_xof_u128(void **state)
{
    (void)state;
    uint8_t seed[16] = {1}, out[256];
    struct csprng g;
    assert_int_equal(csprng_init_xof(&g, dsep_abcdefgh, seed, sizeof seed), 0);
    /* read in odd pieces through the cache */
    size_t off = 0;
    for (size_t piece = 1; off < sizeof out; piece += 7) {
        size_t n = piece > sizeof out - off ? sizeof out - off : piece;
        assert_int_equal(csprng_fill(&g, out + off, n), 0);
        off += n;
    }
    assert_memory_equal(out, vec_xof_u128, sizeof out);
    csprng_free(&g);
}

static void test_vector_xof_bytes(void **state)
{
    (void)state;
    uint8_t seed[32], out[256];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    struct csprng g;
    assert_int_equal(csprng_init_xof(&g, dsep_abcdefgh, seed, sizeof seed), 0);
    assert_int_equal(csprng_fill(&g, out, sizeof out), 0);
    assert_memory_equal(out, vec_xof_bytes, sizeof out);
    csprng_free(&g);
}

/* Children read consecutive slices of the parent's stream; the parent
 * continues after them; bounds are enforced. */
static void test_fork(void **state)
{
    (void)state;
    uint8_t seed[16] = {1}, out[256];
    struct csprng g, kids[3];
    assert_int_equal(csprng_init_seed(&g, seed), 0);
    assert_int_equal(csprng_fill(&g, out, 5), 0);
    assert_int_equal(csprng_fork(&g, kids, 3, 50), 0);
    for (int i = 2; i >= 0; i--) { /* any order */
        assert_int_equal(csprng_fill(&kids[i], out, 50), 0);
        assert_memory_equal(out, vec_seed1 + 5 + 50 * i, 50);
        assert_int_not_equal(csprng_fill(&kids[i], out, 1), 0);
    }
    assert_int_equal(csprng_fill(&g, out, 101), 0);
    assert_memory_equal(out, vec_seed1 + 155, 101);
    /* nested fork of a child */
    struct csprng kid, grandkids[2];
    csprng_free(&g);
    assert_int_equal(csprng_init_seed(&g, seed), 0);
    assert_int_equal(csprng_take(&g, &kid, 100), 0);
    assert_int_equal(csprng_fork(&kid, grandkids, 2, 40), 0);
    assert_int_not_equal(csprng_fork(&kid, grandkids, 1, 21), 0); /* only 20 left */
    assert_int_equal(csprng_fill(&grandkids[1], out, 40), 0);
    assert_memory_equal(out, vec_seed1 + 40, 40);
    csprng_free(&g);
}

/* Large reads take the direct path; they must agree with small reads. */
static void test_large_reads(void **state)
{
    (void)state;
    uint8_t seed[16] = {7};
    size_t n = 100000;
    uint8_t *a = malloc(n), *b = malloc(n);
    assert_non_null(a);
    assert_non_null(b);
    struct csprng g1, g2, c;
    assert_int_equal(csprng_init_seed(&g1, seed), 0);
    assert_int_equal(csprng_init_seed(&g2, seed), 0);
    assert_int_equal(csprng_fill(&g1, a, 3), 0);
    assert_int_equal(csprng_fill(&g1, a + 3, 13), 0);
    assert_int_equal(csprng_fill(&g1, a + 16, n - 16), 0);
    for (size_t off = 0; off < n; off += 1000)
        assert_int_equal(csprng_fill(&g2, b + off, 1000), 0);
    assert_memory_equal(a, b, n);
    /* a clone continues the same stream independently */
    csprng_free(&g2);
    assert_int_equal(csprng_init_seed(&g2, seed), 0);
    assert_int_equal(csprng_skip(&g2, 777), 0);
    assert_int_equal(csprng_clone(&c, &g2), 0);
    csprng_free(&g2);
    assert_int_equal(csprng_fill(&c, b, 100), 0);
    assert_memory_equal(b, a + 777, 100);
    csprng_free(&c);
    csprng_free(&g1);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_seed), cmocka_unit_test(test_vector_xof_u128),
        cmocka_unit_test(test_vector_xof_bytes), cmocka_unit_test(test_fork),
        cmocka_unit_test(test_large_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

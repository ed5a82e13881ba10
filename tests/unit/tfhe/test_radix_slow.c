/* The radix tests with the default-set additions everywhere (also under the
 * sanitizers, where key generation alone takes about 30 s) plus 18 more
 * random default-set additions (FheUint8/16/32/64, FheInt16/64). */
#define RADIX_TEST_SLOW 1
#include "test_radix.c"

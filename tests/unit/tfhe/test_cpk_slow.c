/* The default-set compact-public-key cast (encryption -> casting keyswitch
 * -> PBS -> decryption under the big key, all 16 values), also under the
 * sanitizers where test_cpk skips it (about 30 s there). */
#define CPK_TEST_SLOW 1
#pragma GCC diagnostic ignored "-Wunused-function" /* the light tests stay in test_cpk */
#include "test_cpk.c"

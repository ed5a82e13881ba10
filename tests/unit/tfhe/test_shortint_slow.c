/* The shortint tests with the default set everywhere (also under the
 * sanitizers, where its key generation takes about 30 s) and 4x the PBS
 * trials: 6 tables x 16 inputs x 4 = 384 default-set bootstraps with the
 * noise checks. */
#define SHORTINT_TEST_SLOW 1
#include "test_shortint.c"

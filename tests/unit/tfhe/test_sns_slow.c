/* The noise-squashing tests with more default-set values (FheUint64 x 4,
 * FheInt64, FheUint128, all 16 block values, ...), outside the sanitizers
 * only: the default SnS key is 1.52 GiB and each 128-bit bootstrap takes
 * about 0.2 s. */
#define SNS_TEST_SLOW 1
#include "test_sns.c"

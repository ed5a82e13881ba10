/* Parameter sets: lookup, refusal of the insecure test set, and the derived
 * quantities the encodings depend on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_util.h"
#include "tfhe/params.h"

static void test_lookup(void **state)
{
    (void)state;
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, "default", 0), 0);
    assert_int_equal(p->pbs.lwe_dimension, 918);
    assert_int_equal(tfhe_params_big_dimension(&p->pbs), 2048);
    assert_int_equal(p->sns.glwe_dimension * p->sns.polynomial_size, 4096);
    /* Delta = 2^64 / (2 * 4 * 4) = 2^59 */
    assert_int_equal(tfhe_params_delta(&p->pbs), 1ull << 59);
    assert_int_equal(tfhe_params_get(&p, "message_2_carry_2", 0), 0);
    assert_false(p->has_sns);
}

static void test_insecure_refused(void **state)
{
    (void)state;
    const struct tfhe_params *p = (const void *)1;
    assert_int_equal(tfhe_params_get(&p, "test", 0), KMS_EPRECOND);
    assert_null(p);
    assert_non_null(strstr(kms_err_msg(), "insecure"));
    assert_int_equal(tfhe_params_get(&p, "test", 1), 0);
    assert_true(p->insecure);
    assert_int_equal(p->pbs.polynomial_size, 256);
}

static void test_unknown(void **state)
{
    (void)state;
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, "Default", 1), KMS_EINVAL);
    assert_int_equal(tfhe_params_get(&p, "", 1), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "unknown parameter set"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup), cmocka_unit_test(test_insecure_refused),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Byte buffer: integer encodings (expected bytes follow from the definition
 * of little/big-endian order), growth, the size limit and its sticky error,
 * secret buffers, take and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "test_util.h"

static void test_buf_integers(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    buf_put_u8(&b, 0xab);
    buf_put_u16le(&b, 0x1234);
    buf_put_u32le(&b, 0x01020304u);
    buf_put_u64le(&b, UINT64_C(0x0102030405060708));
    buf_put_u128le(&b, ((unsigned __int128)UINT64_C(0x1112131415161718) << 64) |
                           UINT64_C(0x191a1b1c1d1e1f20));
    buf_put_u32be(&b, 0x01020304u);
    buf_put_u64be(&b, UINT64_C(0x0102030405060708));
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 1 + 2 + 4 + 8 + 16 + 4 + 8);
    assert_bytes_hex(b.data, b.len,
                     "ab"
                     "3412"
                     "04030201"
                     "0807060504030201"
                     "201f1e1d1c1b1a191817161514131211"
                     "01020304"
                     "0102030405060708");
    buf_free(&b);
}

static void test_buf_put_and_zeros(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    buf_put(&b, "abc", 3);
    buf_put_zeros(&b, 2);
    buf_put(&b, "x", 0);
    buf_put_zeros(&b, 0);
    uint8_t *p = buf_extend(&b, 2);
    assert_non_null(p);
    p[0] = 'y';
    p[1] = 'z';
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abc\0\0yz", 7);
    buf_free(&b);
}

static void test_buf_empty_puts_on_fresh_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    buf_put(&b, NULL, 0);
    buf_put_zeros(&b, 0);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 0);
    buf_free(&b);

    buf_init(&b, 0); /* a zero limit still accepts empty writes */
    buf_put(&b, NULL, 0);
    assert_int_equal(buf_status(&b), 0);
    buf_put_u8(&b, 1);
    assert_int_equal(buf_status(&b), KMS_ELIMIT);
    buf_free(&b);
}

static void test_buf_growth(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    for (size_t i = 0; i < 100000; i++)
        buf_put_u8(&b, (uint8_t)(i * 7 + (i >> 8)));
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 100000);
    assert_true(b.cap >= b.len);
    for (size_t i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], (uint8_t)(i * 7 + (i >> 8)));
    /* one big append after many small ones */
    static uint8_t big[300000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i ^ (i >> 11));
    buf_put(&b, big, sizeof big);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 100000 + sizeof big);
    assert_memory_equal(b.data + 100000, big, sizeof big);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_buf_reserve(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_reserve(&b, 5000), 0);
    assert_true(b.cap >= 5000);
    assert_int_equal(b.len, 0);
    uint8_t *before = b.data;
    for (int i = 0; i < 5000; i++)
        buf_put_u8(&b, 1);
    assert_ptr_equal(b.data, before); /* no move within the reservation */
    buf_free(&b);
}

static void test_buf_limit_sticky(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    buf_put(&b, "12345678", 8);
    assert_int_equal(buf_status(&b), 0);
    buf_put(&b, "abc", 3); /* 11 > 10 */
    assert_int_equal(buf_status(&b), KMS_ELIMIT);
    assert_int_equal(b.len, 8);
    /* later puts are no-ops, even ones that would fit */
    buf_put_u8(&b, 'z');
    assert_int_equal(b.len, 8);
    assert_null(buf_extend(&b, 1));
    assert_int_equal(buf_reserve(&b, 1), KMS_ELIMIT);
    assert_int_equal(buf_status(&b), KMS_ELIMIT);
    assert_memory_equal(b.data, "12345678", 8);
    /* reset clears the error */
    buf_reset(&b);
    assert_int_equal(buf_status(&b), 0);
    buf_put(&b, "0123456789", 10); /* exactly the limit */
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 10); /* storage never exceeds the limit */
    buf_put_u8(&b, 0);
    assert_int_equal(buf_status(&b), KMS_ELIMIT);
    buf_free(&b);
}

static void test_buf_limit_overflow(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    buf_put_u8(&b, 1);
    /* len + extra would wrap around SIZE_MAX */
    assert_int_equal(buf_reserve(&b, SIZE_MAX), KMS_ELIMIT);
    assert_null(buf_extend(&b, SIZE_MAX));
    assert_int_equal(b.len, 1);
    buf_free(&b);

    buf_init(&b, 100);
    assert_int_equal(buf_reserve(&b, 101), KMS_ELIMIT);
    buf_free(&b);
}

static void test_buf_secret_reset_wipes(void **state)
{
    (void)state;
    struct buf b;
    buf_init_secret(&b, 4096);
    assert_int_equal(b.secret, 1);
    buf_put(&b, "top secret key material", 23);
    uint8_t *storage = b.data;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, storage); /* storage kept ... */
    for (size_t i = 0; i < 23; i++)    /* ... and wiped */
        assert_int_equal(storage[i], 0);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.secret, 1); /* still a secret buffer if reused */
}

static void test_buf_secret_growth_keeps_content(void **state)
{
    (void)state;
    struct buf b;
    buf_init_secret(&b, BUF_UNLIMITED);
    for (size_t i = 0; i < 10000; i++)
        buf_put_u16le(&b, (uint16_t)(i * 31));
    assert_int_equal(buf_status(&b), 0);
    for (size_t i = 0; i < 10000; i++)
        assert_int_equal(b.data[2 * i] | b.data[2 * i + 1] << 8, (uint16_t)(i * 31));
    buf_free(&b);
}

static void test_buf_take(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    buf_put(&b, "hello", 5);
    size_t len = 0;
    uint8_t *p = buf_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 5);
    assert_memory_equal(p, "hello", 5);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* the buffer is usable again, with the same limit */
    buf_put(&b, "again", 5);
    assert_int_equal(buf_status(&b), 0);
    assert_memory_equal(b.data, "again", 5);
    assert_ptr_not_equal(b.data, p);
    free(p);
    buf_free(&b);

    buf_init(&b, 100);
    p = buf_take(&b, &len);
    assert_null(p);
    assert_int_equal(len, 0);
    buf_free(&b);
}

static void test_buf_free_null_and_twice(void **state)
{
    (void)state;
    buf_free(NULL);
    struct buf b;
    buf_init(&b, 10);
    buf_put_u8(&b, 1);
    buf_free(&b);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.limit, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_integers),
        cmocka_unit_test(test_buf_put_and_zeros),
        cmocka_unit_test(test_buf_empty_puts_on_fresh_buffer),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_limit_sticky),
        cmocka_unit_test(test_buf_limit_overflow),
        cmocka_unit_test(test_buf_secret_reset_wipes),
        cmocka_unit_test(test_buf_secret_growth_keeps_content),
        cmocka_unit_test(test_buf_take),
        cmocka_unit_test(test_buf_free_null_and_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

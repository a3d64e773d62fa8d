#include "sf_test.h"

#include "util/buf.h"

static void append_grows_until_max_then_reports_full(void **state)
{
    (void)state;
    struct sf_buf buf;
    sf_buf_init(&buf, 10);
    SF_CHECK_ERR(sf_buf_append(&buf, "hello", 5), SF_OK);
    SF_CHECK_ERR(sf_buf_append(&buf, "world", 5), SF_OK);
    assert_int_equal(buf.len, 10);
    SF_CHECK_ERR(sf_buf_append(&buf, "!", 1), SF_ERR_FULL);
    assert_int_equal(buf.len, 10);
    assert_memory_equal(buf.ptr, "helloworld", 10);
    sf_buf_cleanup(&buf);
}

static void printf_that_does_not_fit_leaves_buffer_untouched(void **state)
{
    (void)state;
    struct sf_buf buf;
    sf_buf_init(&buf, 8);
    SF_CHECK_ERR(sf_buf_printf(&buf, "%d", 42), SF_OK);
    SF_CHECK_ERR(sf_buf_printf(&buf, "%s", "too long for it"), SF_ERR_FULL);
    assert_int_equal(buf.len, 2);
    SF_CHECK_ERR(sf_buf_terminate(&buf), SF_OK);
    assert_string_equal((char *)buf.ptr, "42");
    sf_buf_cleanup(&buf);
}

static void reset_keeps_capacity(void **state)
{
    (void)state;
    struct sf_buf buf;
    sf_buf_init(&buf, 1 << 20);
    SF_CHECK_ERR(sf_buf_reserve(&buf, 5000), SF_OK);
    uint8_t *ptr = buf.ptr;
    size_t cap = buf.cap;
    sf_buf_reset(&buf);
    SF_CHECK_ERR(sf_buf_reserve(&buf, 5000), SF_OK);
    assert_ptr_equal(buf.ptr, ptr);
    assert_int_equal(buf.cap, cap);
    sf_buf_cleanup(&buf);
    sf_buf_cleanup(&buf); /* cleanup twice is harmless */
}

static void reserve_rejects_overflowing_sizes(void **state)
{
    (void)state;
    struct sf_buf buf;
    sf_buf_init(&buf, SIZE_MAX);
    SF_CHECK_ERR(sf_buf_append(&buf, "x", 1), SF_OK);
    SF_CHECK_ERR(sf_buf_reserve(&buf, SIZE_MAX), SF_ERR_FULL);
    sf_buf_cleanup(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_grows_until_max_then_reports_full),
        cmocka_unit_test(printf_that_does_not_fit_leaves_buffer_untouched),
        cmocka_unit_test(reset_keeps_capacity),
        cmocka_unit_test(reserve_rejects_overflowing_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

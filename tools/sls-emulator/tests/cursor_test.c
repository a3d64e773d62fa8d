/* Cursors are base64 of a decimal sequence number (docs/protocol/sls-api.md §Cursors); anything
 * else is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "cursor.h"

static void encodes_like_the_service(void **state)
{
    (void)state;
    char cursor[EMU_CURSOR_MAX + 1];
    emu_cursor_encode(1749542400000000000ll, cursor);
    assert_string_equal(cursor, "MTc0OTU0MjQwMDAwMDAwMDAwMA==");
    emu_cursor_encode(1524155379373908496ll, cursor);
    assert_string_equal(cursor, "MTUyNDE1NTM3OTM3MzkwODQ5Ng==");
    int64_t seq;
    assert_true(emu_cursor_decode("MTUyNDE1NTM3OTM3MzkwODQ5Ng==", &seq));
    assert_int_equal(seq, 1524155379373908496ll);
}

static void round_trips(void **state)
{
    (void)state;
    const int64_t values[] = {0, 1, 9, 10, 12345, INT64_MAX};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char cursor[EMU_CURSOR_MAX + 1];
        int64_t seq = -1;
        emu_cursor_encode(values[i], cursor);
        assert_true(emu_cursor_decode(cursor, &seq));
        assert_int_equal(seq, values[i]);
    }
}

static void refuses_malformed(void **state)
{
    (void)state;
    int64_t seq;
    assert_false(emu_cursor_decode("", &seq));
    assert_false(emu_cursor_decode("MTc0OTU0MjQwMDAwMDAwMDAwMA", &seq));   /* no padding */
    assert_false(emu_cursor_decode("aGVsbG8=", &seq));                     /* "hello" */
    assert_false(emu_cursor_decode("LTE=", &seq));                         /* "-1" */
    assert_false(emu_cursor_decode("MDE=", &seq));                         /* "01" */
    assert_false(emu_cursor_decode("OTIyMzM3MjAzNjg1NDc3NTgwOA==", &seq)); /* INT64_MAX + 1 */
    assert_false(emu_cursor_decode("MTc0OTU0MjQwMDAwMDAwMDAwMA%3D%3D", &seq));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_like_the_service),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(refuses_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

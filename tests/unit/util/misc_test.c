#include "sf_test.h"

#include "util/backoff.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

static void every_error_has_a_name_text_and_class(void **state)
{
    (void)state;
    for (int e = 0; e < SF_ERR__COUNT; e++) {
        assert_non_null(sf_err_name((sf_err)e));
        assert_true(strncmp(sf_err_name((sf_err)e), "SF_", 3) == 0);
        assert_true(strlen(sf_err_str((sf_err)e)) > 0);
    }
    assert_int_equal(sf_err_class(SF_OK), SF_ERRCLASS_NONE);
    assert_int_equal(sf_err_class(SF_ERR_NET), SF_ERRCLASS_RETRY);
    assert_int_equal(sf_err_class(SF_ERR_INVALID), SF_ERRCLASS_PERMANENT);
    assert_int_equal(sf_err_class(SF_ERR_AUTH), SF_ERRCLASS_FATAL);
    assert_string_equal(sf_err_name((sf_err)9999), "SF_ERR_UNKNOWN");
}

static void dates_use_c_locale_names(void **state)
{
    (void)state;
    char out[40];
    sf_fmt_rfc1123(1749542400, out, sizeof(out));
    assert_string_equal(out, "Tue, 10 Jun 2025 08:00:00 GMT");
    sf_fmt_iso_basic(1749542400, out, sizeof(out));
    assert_string_equal(out, "20250610T080000Z");
}

static void backoff_doubles_up_to_the_cap_with_jitter(void **state)
{
    (void)state;
    struct sf_backoff backoff;
    sf_backoff_init(&backoff, 100, 1000);
    int64_t expect_max[] = {100, 200, 400, 800, 1000, 1000};
    for (size_t i = 0; i < 6; i++) {
        int64_t d = sf_backoff_next_ms(&backoff);
        assert_true(d >= expect_max[i] / 2 && d <= expect_max[i]);
    }
    sf_backoff_reset(&backoff);
    assert_true(sf_backoff_next_ms(&backoff) <= 100);
}

static void full_jitter_stays_within_zero_and_the_doubling_cap(void **state)
{
    (void)state;
    struct sf_backoff backoff;
    sf_backoff_init(&backoff, 100, 1000);
    int64_t expect_max[] = {100, 200, 400, 800, 1000, 1000};
    for (int round = 0; round < 50; round++) {
        sf_backoff_reset(&backoff);
        for (size_t i = 0; i < 6; i++) {
            int64_t d = sf_backoff_next_full_ms(&backoff, 10);
            assert_true(d >= 10 && d <= expect_max[i]);
        }
    }
}

static void str_parses_bounded_integers(void **state)
{
    (void)state;
    long long v = 0;
    assert_true(sf_str_to_i64(SF_STR_LIT("366"), 0, 1000, &v));
    assert_int_equal(v, 366);
    assert_false(sf_str_to_i64(SF_STR_LIT("1001"), 0, 1000, &v));
    assert_false(sf_str_to_i64(SF_STR_LIT(" 1"), 0, 1000, &v));
    assert_false(sf_str_to_i64(SF_STR_LIT("1x"), 0, 1000, &v));
    assert_false(sf_str_to_i64(SF_STR_LIT(""), 0, 1000, &v));
    assert_true(sf_str_ieq(SF_STR_LIT("X-Log-Cursor"), SF_STR_LIT("x-log-cursor")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_error_has_a_name_text_and_class),
        cmocka_unit_test(dates_use_c_locale_names),
        cmocka_unit_test(backoff_doubles_up_to_the_cap_with_jitter),
        cmocka_unit_test(full_jitter_stays_within_zero_and_the_doubling_cap),
        cmocka_unit_test(str_parses_bounded_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

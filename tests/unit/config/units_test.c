/* The value syntaxes: durations, sizes, times, booleans, and the did-you-mean matcher. */
#include "sf_test.h"

#include "config/config_int.h"

static int64_t duration_ms(const char *text)
{
    int64_t ms = -1;
    if (!sf_config_parse_duration_ms(text, &ms)) {
        return -1;
    }
    return ms;
}

static void durations_take_units_and_plain_seconds(void **state)
{
    (void)state;
    assert_int_equal(duration_ms("20s"), 20000);
    assert_int_equal(duration_ms("500ms"), 500);
    assert_int_equal(duration_ms("2m"), 120000);
    assert_int_equal(duration_ms("1h"), 3600000);
    assert_int_equal(duration_ms("1d"), 86400000);
    assert_int_equal(duration_ms("1m30s"), 90000);
    assert_int_equal(duration_ms("1h0m5s250ms"), 3605250);
    assert_int_equal(duration_ms("20"), 20000); /* plain number: seconds */
    assert_int_equal(duration_ms("0"), 0);
    assert_int_equal(duration_ms("20S"), 20000);
}

static void durations_reject_what_is_ambiguous(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "fast",
                                      "20 s",
                                      "-5s",
                                      "1.5s",
                                      "s",
                                      "30s1m",
                                      "1m1m",
                                      "20sec",
                                      "5x",
                                      "99999999999999999999s"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (duration_ms(bad[i]) != -1) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static uint64_t size_of(const char *text)
{
    uint64_t bytes = 0;
    if (!sf_config_parse_size(text, &bytes)) {
        return UINT64_MAX;
    }
    return bytes;
}

static void sizes_count_in_1024s_or_1000s_as_written(void **state)
{
    (void)state;
    assert_int_equal(size_of("4096"), 4096);
    assert_int_equal(size_of("256MiB"), 256ULL << 20);
    assert_int_equal(size_of("256M"), 256ULL << 20);
    assert_int_equal(size_of("256mib"), 256ULL << 20);
    assert_int_equal(size_of("1GB"), 1000000000ULL);
    assert_int_equal(size_of("1G"), 1ULL << 30);
    assert_int_equal(size_of("64KiB"), 65536);
    assert_int_equal(size_of("64kb"), 64000);
    assert_int_equal(size_of("2 TiB"), 2ULL << 40);
    assert_int_equal(size_of("10B"), 10);
    assert_int_equal(size_of(""), UINT64_MAX);
    assert_int_equal(size_of("lots"), UINT64_MAX);
    assert_int_equal(size_of("1.5GiB"), UINT64_MAX);
    assert_int_equal(size_of("1GiBs"), UINT64_MAX);
    assert_int_equal(size_of("-1"), UINT64_MAX);
    assert_int_equal(size_of("999999999999TiB"), UINT64_MAX);
}

static int64_t time_of(const char *text)
{
    int64_t s = -1;
    if (!sf_config_parse_time(text, &s)) {
        return -1;
    }
    return s;
}

static void times_are_utc_unless_an_offset_says_otherwise(void **state)
{
    (void)state;
    assert_int_equal(time_of("2025-06-10T08:00:00Z"), 1749542400);
    assert_int_equal(time_of("2025-06-10T08:00:00z"), 1749542400);
    assert_int_equal(time_of("2025-06-10T08:00:00+08:00"), 1749513600);
    assert_int_equal(time_of("2025-06-10T08:00:00+0800"), 1749513600);
    assert_int_equal(time_of("2025-06-10T08:00:00+08"), 1749513600);
    assert_int_equal(time_of("2025-06-10T08:00:00-05:30"), 1749542400 + 5 * 3600 + 1800);
    assert_int_equal(time_of("2025-06-10 08:00:00"), 1749542400);
    assert_int_equal(time_of("2025-06-10T08:00"), 1749542400);
    assert_int_equal(time_of("2025-06-10T08:00:00.123456Z"), 1749542400);
    assert_int_equal(time_of("2025-06-10"), 1749513600);
    assert_int_equal(time_of("1749542400"), 1749542400);
    assert_int_equal(time_of("0"), 0);
    assert_int_equal(time_of("2024-02-29"), 1709164800); /* leap day */
}

static void times_reject_impossible_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "yesterday",
        "2025-13-01",
        "2025-02-29",
        "2025-06-31",
        "2025-06-10T24:00:00Z",
        "2025-06-10T08:60:00Z",
        "2025-06-10T08:00:00+25:00",
        "2025-06-10T08:00:00 UTC",
        "2025-6-10",
        "1969-12-31",
        "2025-06-10T",
        "2025-06-10T08:00:00.Z",
        "-1",
        "1e9",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (time_of(bad[i]) != -1) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static void formats_are_the_shortest_exact_form(void **state)
{
    (void)state;
    char out[40];
    sf_config_format_duration_ms(20000, out, sizeof(out));
    assert_string_equal(out, "20s");
    sf_config_format_duration_ms(90000, out, sizeof(out));
    assert_string_equal(out, "90s");
    sf_config_format_duration_ms(120000, out, sizeof(out));
    assert_string_equal(out, "2m");
    sf_config_format_duration_ms(1500, out, sizeof(out));
    assert_string_equal(out, "1500ms");
    sf_config_format_duration_ms(0, out, sizeof(out));
    assert_string_equal(out, "0s");
    sf_config_format_size(256ULL << 20, out, sizeof(out));
    assert_string_equal(out, "256MiB");
    sf_config_format_size(1000000000ULL, out, sizeof(out));
    assert_string_equal(out, "1GB");
    sf_config_format_size(4095, out, sizeof(out));
    assert_string_equal(out, "4095");
    sf_config_format_time(1749542400, out, sizeof(out));
    assert_string_equal(out, "2025-06-10T08:00:00Z");
}

static void booleans_read_yaml_words(void **state)
{
    (void)state;
    bool value = false;
    assert_true(sf_config_parse_bool("true", &value) && value);
    assert_true(sf_config_parse_bool("Yes", &value) && value);
    assert_true(sf_config_parse_bool("on", &value) && value);
    assert_true(sf_config_parse_bool("FALSE", &value) && !value);
    assert_true(sf_config_parse_bool("0", &value) && !value);
    assert_false(sf_config_parse_bool("maybe", &value));
    assert_false(sf_config_parse_bool("", &value));
}

static void suggestions_stay_within_two_edits(void **state)
{
    (void)state;
    static const char *const keys[] = {"heartbeat_interval", "group_timeout", "logstore", "log",
                                       "limits"};
    assert_string_equal(sf_config_suggest("heartbeat_intervl", keys, 5), "heartbeat_interval");
    assert_string_equal(sf_config_suggest("heartbeat-interval", keys, 5), "heartbeat_interval");
    assert_string_equal(sf_config_suggest("HeartbeatInterval", keys, 5), "heartbeat_interval");
    assert_string_equal(sf_config_suggest("logstor", keys, 5), "logstore");
    assert_string_equal(sf_config_suggest("limit", keys, 5), "limits");
    assert_string_equal(sf_config_suggest("lgo", keys, 5), "log");
    assert_null(sf_config_suggest("ox", keys, 5));
    assert_null(sf_config_suggest("timeout", keys, 5));
    assert_null(sf_config_suggest("completely_different", keys, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_take_units_and_plain_seconds),
        cmocka_unit_test(durations_reject_what_is_ambiguous),
        cmocka_unit_test(sizes_count_in_1024s_or_1000s_as_written),
        cmocka_unit_test(times_are_utc_unless_an_offset_says_otherwise),
        cmocka_unit_test(times_reject_impossible_dates),
        cmocka_unit_test(formats_are_the_shortest_exact_form),
        cmocka_unit_test(booleans_read_yaml_words),
        cmocka_unit_test(suggestions_stay_within_two_edits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Envelope checks (docs/protocol/hec.md §Event envelope): each refusal gets Splunk's code; what
 * senders really send is accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "envelope.h"

#include "util/banned.h"

static int check(const char *json, const char *indexes, bool is_lenient)
{
    struct hec_envelope_rules rules = {.indexes = indexes, .is_lenient_time = is_lenient};
    return hec_envelope_check((const uint8_t *)json, strlen(json), &rules);
}

static void accepts_what_senders_send(void **state)
{
    (void)state;
    const char *ok[] = {
        "{\"event\":\"hello\"}",
        "{\"event\":42}",
        "{\"event\":[1,2]}",
        "{\"event\":true}",
        "{\"event\":{\"a\":{\"b\":1}},\"sourcetype\":\"_json\"}",
        ("{\"time\":1732600000.123,\"host\":\"h\",\"source\":\"s\",\"sourcetype\":\"t\","
         "\"index\":\"main\",\"event\":\"x\",\"fields\":{\"a\":\"1\",\"b\":2,\"c\":[\"x\",\"y\"]}"
         "}"),
        "{\"time\":\"1732600000.123\",\"event\":\"x\"}",
        "{\"time\":\"1732600000\",\"event\":\"x\"}",
        "{\"time\":0,\"event\":\"x\"}",
        "{\"time\":1.7326e9,\"event\":\"x\"}",
        "{\"event\":\"nul \\u0000 inside\"}",
        "{\"event\":\"\xe4\xb8\xad\xe6\x96\x87\"}",
        "{\"event\":\" \"}",
        "{\"event\":\"x\",\"fields\":{}}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(check(ok[i], "", false), 0);
    }
}

static void refuses_with_splunks_codes(void **state)
{
    (void)state;
    assert_int_equal(check("{\"time\":1}", "", false), 12);
    assert_int_equal(check("{\"event\":null}", "", false), 12);
    assert_int_equal(check("{\"event\":\"\"}", "", false), 13);
    assert_int_equal(check("{\"event\":{}}", "", false), 13);
    assert_int_equal(check("{\"event\":\"x\",\"time\":\"abc\"}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":\"12.\"}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":\" 12\"}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":-1}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":null}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":true}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"host\":1}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"sourcetype\":null}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"index\":[\"main\"]}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":{\"a\":{\"b\":1}}}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":{\"a\":true}}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":{\"a\":null}}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":{\"a\":[1]}}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":\"a=b\"}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\",\"fields\":[\"a\"]}", "", false), 15);
    assert_int_equal(check("{\"event\":\"x\" \"y\"}", "", false), 6);
    assert_int_equal(check("{\"event\":\"\xff\"}", "", false), 6); /* invalid UTF-8 */
}

/* A milliseconds epoch is a sender bug (OTel #36571): refused unless --lenient-time. */
static void refuses_milliseconds_unless_lenient(void **state)
{
    (void)state;
    assert_int_equal(check("{\"event\":\"x\",\"time\":1732600000123}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":\"1732600000123\"}", "", false), 6);
    assert_int_equal(check("{\"event\":\"x\",\"time\":99999999999.9}", "", false), 0);
    assert_int_equal(check("{\"event\":\"x\",\"time\":1732600000123}", "", true), 0);
    assert_int_equal(check("{\"event\":\"x\",\"time\":-1}", "", true), 6);
}

static void enforces_the_index_allow_list(void **state)
{
    (void)state;
    assert_int_equal(check("{\"event\":\"x\",\"index\":\"main\"}", ",main,cloud,", false), 0);
    assert_int_equal(check("{\"event\":\"x\",\"index\":\"cloud\"}", ",main,cloud,", false), 0);
    assert_int_equal(check("{\"event\":\"x\",\"index\":\"clou\"}", ",main,cloud,", false), 7);
    assert_int_equal(check("{\"event\":\"x\",\"index\":\"main,cloud\"}", ",main,cloud,", false), 7);
    assert_int_equal(check("{\"event\":\"x\",\"index\":\"\"}", ",main,", false), 7);
    assert_int_equal(check("{\"event\":\"x\"}", ",main,", false), 0); /* default index */
    assert_true(hec_index_allowed("", "anything", 8));
}

static void parses_time_strings(void **state)
{
    (void)state;
    double t = 0;
    assert_true(hec_envelope_parse_time_string("1732600000.5", 12, &t));
    assert_true(t > 1732600000.49 && t < 1732600000.51);
    assert_false(hec_envelope_parse_time_string("", 0, &t));
    assert_false(hec_envelope_parse_time_string(".5", 2, &t));
    assert_false(hec_envelope_parse_time_string("1e9", 3, &t));
    assert_false(hec_envelope_parse_time_string("-5", 2, &t));
    assert_false(hec_envelope_parse_time_string("123456789012345678901", 21, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_what_senders_send),
        cmocka_unit_test(refuses_with_splunks_codes),
        cmocka_unit_test(refuses_milliseconds_unless_lenient),
        cmocka_unit_test(enforces_the_index_allow_list),
        cmocka_unit_test(parses_time_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The /event body scanner: object boundaries in concatenated bodies, the top-level "event"
 * notes --count-only relies on, and refusal of what is not a well-formed object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "scan.h"

#include "util/banned.h"

static enum hec_scan_status scan_at(const char *body, size_t *pos, struct hec_scan_object *obj)
{
    return hec_scan_next((const uint8_t *)body, strlen(body), pos, obj);
}

static void finds_concatenated_objects_with_or_without_whitespace(void **state)
{
    (void)state;
    const char *body = " {\"event\":1}{\"event\":\"a}b\"}\n\t{\"event\":[1,{\"x\":\"}\"}]}\r\n";
    size_t pos = 0;
    struct hec_scan_object obj;
    assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_OBJECT);
    assert_int_equal(obj.start, 1);
    assert_int_equal(obj.end, 12);
    assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_OBJECT);
    assert_int_equal(obj.start, 12);
    assert_int_equal(obj.end, 27);
    assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_OBJECT);
    assert_memory_equal(body + obj.start, "{\"event\":[1,{\"x\":\"}\"}]}", obj.end - obj.start);
    assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_END);
    assert_int_equal(pos, strlen(body));
}

static void notes_the_top_level_event_key_only(void **state)
{
    (void)state;
    struct hec_scan_object obj;
    size_t pos = 0;
    assert_int_equal(scan_at("{\"time\":1,\"event\":\"x\"}", &pos, &obj), HEC_SCAN_OBJECT);
    assert_true(obj.has_event);
    assert_false(obj.is_event_blank);
    pos = 0;
    assert_int_equal(scan_at("{\"fields\":{\"event\":\"x\"},\"e\":\"event\"}", &pos, &obj),
                     HEC_SCAN_OBJECT);
    assert_false(obj.has_event);
    pos = 0;
    assert_int_equal(scan_at("{\"event\" : \"\" }", &pos, &obj), HEC_SCAN_OBJECT);
    assert_true(obj.has_event);
    assert_true(obj.is_event_blank);
    pos = 0;
    assert_int_equal(scan_at("{\"event\":{}}", &pos, &obj), HEC_SCAN_OBJECT);
    assert_false(obj.is_event_blank);
    pos = 0;
    assert_int_equal(scan_at("{\"event\":0,\"x\":\"\"}", &pos, &obj), HEC_SCAN_OBJECT);
    assert_false(obj.is_event_blank);
    pos = 0;
    assert_int_equal(scan_at("{\"events\":\"\"}", &pos, &obj), HEC_SCAN_OBJECT);
    assert_false(obj.has_event);
}

static void refuses_what_is_not_an_object(void **state)
{
    (void)state;
    struct hec_scan_object obj;
    size_t pos = 0;
    assert_int_equal(scan_at("[{\"event\":1}]", &pos, &obj), HEC_SCAN_NOT_OBJECT);
    assert_int_equal(pos, 0);
    pos = 0;
    assert_int_equal(scan_at("  \"event\"", &pos, &obj), HEC_SCAN_NOT_OBJECT);
    assert_int_equal(pos, 2);
    const char *bad[] = {
        "{\"event\":\"x}",         /* unterminated string */
        "{\"event\":\"x\"",        /* unterminated object */
        "{\"event\":[1}",          /* mismatched bracket */
        "{\"event\":\"a\\qb\"}",   /* bad escape */
        "{\"event\":\"\\u12G4\"}", /* bad \u escape */
        "{\"event\":\"a\nb\"}",    /* raw control byte in a string */
        "{\"event\":1}}",          /* fine, then a stray '}' (next scan refuses it) */
        "{\"event\":#}",           /* not JSON at all */
        "{\"event\":\"\\",         /* backslash at the end */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pos = 0;
        enum hec_scan_status st = scan_at(bad[i], &pos, &obj);
        if (st == HEC_SCAN_OBJECT) {
            st = scan_at(bad[i], &pos, &obj);
        }
        assert_true(st == HEC_SCAN_INVALID || st == HEC_SCAN_NOT_OBJECT);
    }
}

static void limits_nesting_depth(void **state)
{
    (void)state;
    char deep[2 * (HEC_SCAN_MAX_DEPTH + 1) + 1];
    for (int i = 0; i <= HEC_SCAN_MAX_DEPTH; i++) {
        deep[i] = '[';
        deep[2 * (HEC_SCAN_MAX_DEPTH + 1) - 1 - i] = ']';
    }
    deep[0] = '{';
    deep[2 * (HEC_SCAN_MAX_DEPTH + 1) - 1] = '}';
    deep[2 * (HEC_SCAN_MAX_DEPTH + 1)] = '\0';
    struct hec_scan_object obj;
    size_t pos = 0;
    assert_int_equal(scan_at(deep, &pos, &obj), HEC_SCAN_INVALID);
    /* One level less fits. */
    deep[HEC_SCAN_MAX_DEPTH] = ' ';
    deep[HEC_SCAN_MAX_DEPTH + 1] = ' ';
    pos = 0;
    assert_int_equal(scan_at(deep, &pos, &obj), HEC_SCAN_OBJECT);
}

/* Strings longer than 8 bytes go through the word-at-a-time path: a quote, backslash or
 * control byte at every offset must still be seen. */
static void finds_special_bytes_at_every_offset_of_long_strings(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char body[128];
        char value[48];
        memset(value, 'a', sizeof(value));
        value[at] = '\\';
        value[at + 1] = '"';
        snprintf(body, sizeof(body), "{\"event\":\"%.*s\"}", 44, value);
        struct hec_scan_object obj;
        size_t pos = 0;
        assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_OBJECT);
        assert_int_equal(obj.end, strlen(body));
        value[at] = 0x01;
        snprintf(body, sizeof(body), "{\"event\":\"%.*s\"}", 44, value);
        pos = 0;
        assert_int_equal(scan_at(body, &pos, &obj), HEC_SCAN_INVALID);
    }
}

static void compacts_whitespace_outside_strings_only(void **state)
{
    (void)state;
    const char *in = "{ \"event\" :\n \"a b\\\" c\" ,\t\"time\": 1.5 , \"x\":[ 1 , 2 ] }";
    struct sf_buf out;
    sf_buf_init(&out, 1024);
    assert_int_equal(hec_scan_compact((const uint8_t *)in, strlen(in), &out), SF_OK);
    assert_int_equal(out.len, strlen("{\"event\":\"a b\\\" c\",\"time\":1.5,\"x\":[1,2]}"));
    assert_memory_equal(out.ptr, "{\"event\":\"a b\\\" c\",\"time\":1.5,\"x\":[1,2]}", out.len);
    sf_buf_cleanup(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_concatenated_objects_with_or_without_whitespace),
        cmocka_unit_test(notes_the_top_level_event_key_only),
        cmocka_unit_test(refuses_what_is_not_an_object),
        cmocka_unit_test(limits_nesting_depth),
        cmocka_unit_test(finds_special_bytes_at_every_offset_of_long_strings),
        cmocka_unit_test(compacts_whitespace_outside_strings_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

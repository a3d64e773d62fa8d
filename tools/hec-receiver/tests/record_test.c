/* The NDJSON record: envelopes byte-exact but compacted, raw lines as valid JSON whatever
 * bytes arrive, the receiver's keys last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

#include "util/banned.h"

static char *read_all(int fd)
{
    static char text[65536];
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

static void records_envelopes_as_received_plus_metadata(void **state)
{
    (void)state;
    FILE *tmp = tmpfile();
    struct hec_server srv;
    struct hec_server_options opts = {.out_fd = fileno(tmp)};
    hec_server_init(&srv, &opts);
    struct hec_record_meta meta = {.request_no = 7,
                                   .endpoint = "event",
                                   .token_name = "t\"1",
                                   .channel = "5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6"};
    struct hec_recorder rec;
    hec_recorder_init(&rec, &srv, &meta);
    const char *env = "{ \"time\" : 1732600000.123000,\n \"event\" : { \"a b\" : [ 1 , 2 ] } }";
    hec_recorder_envelope(&rec, (const uint8_t *)env, strlen(env));
    hec_recorder_finish(&rec);
    assert_string_equal(read_all(fileno(tmp)),
                        "{\"time\":1732600000.123000,\"event\":{\"a b\":[1,2]},"
                        "\"_receiver_request\":7,\"_receiver_endpoint\":\"event\","
                        "\"_receiver_token\":\"t\\\"1\",\"_receiver_channel\":"
                        "\"5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6\"}\n");
    hec_server_cleanup(&srv);
    fclose(tmp);
}

static void records_raw_lines_as_valid_json(void **state)
{
    (void)state;
    FILE *tmp = tmpfile();
    struct hec_server srv;
    struct hec_server_options opts = {.out_fd = fileno(tmp)};
    hec_server_init(&srv, &opts);
    struct hec_record_meta meta = {.request_no = 1, .endpoint = "raw", .token_name = "t"};
    struct hec_raw_meta raw = {.host = "h", .index = "main"};
    struct hec_recorder rec;
    hec_recorder_init(&rec, &srv, &meta);
    const uint8_t line[] = {'a', '"', '\\', 0x01, 0xFF, 0xE4, 0xB8, 0xAD, 0xC0, 0x80, 't'};
    hec_recorder_raw(&rec, line, sizeof(line), &raw);
    hec_recorder_finish(&rec);
    char *text = read_all(fileno(tmp));
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "event")),
                        "a\"\\\x01\xEF\xBF\xBD\xE4\xB8\xAD\xEF\xBF\xBD\xEF\xBF\xBDt");
    assert_string_equal(json_string_value(json_object_get(root, "host")), "h");
    assert_string_equal(json_string_value(json_object_get(root, "index")), "main");
    assert_null(json_object_get(root, "source"));
    assert_null(json_object_get(root, "_receiver_channel"));
    json_decref(root);
    hec_server_cleanup(&srv);
    fclose(tmp);
}

static void escapes_every_control_byte(void **state)
{
    (void)state;
    struct sf_buf out;
    sf_buf_init(&out, 4096);
    uint8_t all[32];
    for (int i = 0; i < 32; i++) {
        all[i] = (uint8_t)i;
    }
    hec_json_escape(&out, all, sizeof(all));
    sf_buf_append(&out, "\"", 2); /* closing quote and a NUL for json_loads */
    char quoted[512];
    snprintf(quoted, sizeof(quoted), "\"%s", (const char *)out.ptr);
    json_error_t error;
    json_t *s = json_loads(quoted, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    assert_non_null(s);
    assert_int_equal(json_string_length(s), 32);
    assert_memory_equal(json_string_value(s), all, 32);
    json_decref(s);
    sf_buf_cleanup(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_envelopes_as_received_plus_metadata),
        cmocka_unit_test(records_raw_lines_as_valid_json),
        cmocka_unit_test(escapes_every_control_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Indexed fields (HEC `fields`): a flat object of strings on every event, escaped once. */
#include "sf_test.h"

#include <jansson.h>

#include "codec/loggroup.h"
#include "transform/hec_event.h"

/* docs/protocol/sls-loggroup.md §Test vectors, PB1: one group, topic nginx, one log with Time_ns.
 */
#define PB1                                                                                        \
    "0a520a280880cc9fc206120d0a056c6576656c1204494e464f120c0a036d7367120568656c6c6f2515cd5b071a05" \
    "6e67696e78220831302e302e302e3132150a0c5f5f686f73746e616d655f5f12057765622d31"

static void fields_are_a_flat_object_on_every_event(void **state)
{
    (void)state;
    const char *fields[] = {"env=prod", "dc=a\"b=c", "empty="};
    const struct sf_hec_event_options opts = {.index = "main", .fields = fields, .n_fields = 3};
    struct sf_hec_event_mapping *map = NULL;
    char errbuf[128];
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_OK);
    size_t len;
    uint8_t *pb = sf_test_unhex(PB1, &len);
    struct sf_arena arena;
    sf_arena_init(&arena, 4096);
    struct sf_loggroup_list list;
    SF_CHECK_ERR(sf_loggroup_decode(pb, len, &arena, &list), SF_OK);
    struct sf_buf out;
    sf_buf_init(&out, 1 << 20);
    size_t n_done = 0;
    SF_CHECK_ERR(sf_hec_event_append_list(map, &list, 0, &out, &n_done), SF_OK);
    assert_int_equal(n_done, 1);
    json_error_t jerr;
    json_t *event = json_loadb((const char *)out.ptr, out.len, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(event);
    json_t *f = json_object_get(event, "fields");
    assert_true(json_is_object(f));
    assert_int_equal(json_object_size(f), 3);
    assert_string_equal(json_string_value(json_object_get(f, "env")), "prod");
    assert_string_equal(json_string_value(json_object_get(f, "dc")), "a\"b=c");
    assert_string_equal(json_string_value(json_object_get(f, "empty")), "");
    assert_string_equal(json_string_value(json_object_get(event, "index")), "main");
    json_decref(event);
    sf_buf_cleanup(&out);
    sf_arena_cleanup(&arena);
    test_free(pb);
    sf_hec_event_mapping_free(map);
}

static void a_field_without_a_name_is_refused(void **state)
{
    (void)state;
    const char *fields[] = {"=x"};
    const struct sf_hec_event_options opts = {.fields = fields, .n_fields = 1};
    struct sf_hec_event_mapping *map = NULL;
    char errbuf[128];
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_null(map);
    assert_non_null(strstr(errbuf, "name=value"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_are_a_flat_object_on_every_event),
        cmocka_unit_test(a_field_without_a_name_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

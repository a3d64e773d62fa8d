/* The reference program's output for the three golden inputs (tests/data/reference-mapping,
 * README there): after parsing, our events must hold the same envelope metadata, the same time
 * and the same key/value pairs in the same order, in object form and in string form. */
#include "xform_test.h"

#include "codec/loggroup.h"
#include "transform/hec_event.h"
#include "util/arena.h"
#include "util/banned.h"

struct golden {
    uint8_t *pb;
    size_t pb_len;
    char *ref;
    size_t ref_len;
    struct sf_arena arena;
    struct sf_loggroup_list list;
};

static void golden_load(struct golden *gd, const char *name)
{
    const char *dir = getenv("SF_SHARED_TESTDATA");
    if (dir == NULL) {
        fail_msg("SF_SHARED_TESTDATA is not set (run through ctest)");
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.pb", dir, name);
    gd->pb = sf_test_read_file(path, &gd->pb_len);
    snprintf(path, sizeof(path), "%s/%s.reference.ndjson", dir, name);
    gd->ref = (char *)sf_test_read_file(path, &gd->ref_len);
    sf_arena_init(&gd->arena, 1 << 16);
    SF_CHECK_ERR(sf_loggroup_decode(gd->pb, gd->pb_len, &gd->arena, &gd->list), SF_OK);
}

static void golden_free(struct golden *gd)
{
    sf_arena_cleanup(&gd->arena);
    test_free(gd->ref);
    test_free(gd->pb);
}

/* The next '\n'-terminated line of |text| from *pos; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len) {
        return false;
    }
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    assert_non_null(nl);
    *line = start;
    *n = (size_t)(nl - start);
    *pos += *n + 1;
    return true;
}

/* "time" as we must write it: whole seconds, then .mmm (truncated) when Time_ns is non-zero. */
static void check_time(const char *line, const struct sf_log *log, json_t *ref_time)
{
    char want[32];
    int n = snprintf(want, sizeof(want), "{\"time\":%u", log->time);
    if (log->has_time_ns && log->time_ns != 0 && log->time_ns < 1000000000u) {
        snprintf(want + n, sizeof(want) - (size_t)n, ".%03u", log->time_ns / 1000000u);
    }
    size_t want_len = strlen(want);
    assert_memory_equal(line, want, want_len);
    assert_int_equal(line[want_len], ',');
    /* The reference sends the same whole seconds as a string. */
    assert_true(json_is_string(ref_time));
    assert_string_equal(json_string_value(ref_time), want + strlen("{\"time\":"));
}

/* Same members, same order, equal values (embedded JSON compared as values). */
static void check_same_event(json_t *ours, json_t *ref, size_t *n_embedded)
{
    assert_true(json_is_object(ours));
    assert_true(json_is_object(ref));
    assert_int_equal(json_object_size(ours), json_object_size(ref));
    void *it_ours = json_object_iter(ours);
    void *it_ref = json_object_iter(ref);
    while (it_ours && it_ref) {
        const char *key = json_object_iter_key(it_ours);
        size_t key_len = json_object_iter_key_len(it_ours);
        if (key_len != json_object_iter_key_len(it_ref) ||
            memcmp(key, json_object_iter_key(it_ref), key_len) != 0) {
            fail_msg("key order differs: \"%s\" vs \"%s\"", key, json_object_iter_key(it_ref));
        }
        json_t *a = json_object_iter_value(it_ours);
        json_t *b = json_object_iter_value(it_ref);
        if (!json_equal(a, b)) {
            char *sa = json_dumps(a, JSON_ENCODE_ANY);
            char *sb = json_dumps(b, JSON_ENCODE_ANY);
            fail_msg("\"%s\": ours %s, reference %s", key, sa, sb);
        }
        if (!json_is_string(a)) {
            (*n_embedded)++;
        }
        it_ours = json_object_iter_next(ours, it_ours);
        it_ref = json_object_iter_next(ref, it_ref);
    }
    assert_null(it_ours);
    assert_null(it_ref);
}

static void check_golden(const char *name, size_t want_logs, size_t want_embedded)
{
    struct golden gd;
    golden_load(&gd, name);
    assert_int_equal(gd.list.n_logs_total, want_logs);

    static const char *const fields[] = {"actiontrail_audit_event:event"};
    for (int form = 0; form < 2; form++) {
        struct sf_hec_event_options opts = {
            .sourcetype = "aliyun:sls:nginx",
            .index = "main",
            .source = "sls-consumer",
            .event_as_string = form == 1,
            .json_fields = fields,
            .n_json_fields = 1,
        };
        struct sf_hec_event_mapping *map;
        SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
        struct sf_buf out;
        sf_buf_init(&out, 64u << 20);
        size_t n_done;
        SF_CHECK_ERR(sf_hec_event_append_list(map, &gd.list, 0, &out, &n_done), SF_OK);
        assert_int_equal(n_done, want_logs);
        assert_true(ref_utf8_valid(out.ptr, out.len));

        size_t pos_ours = 0, pos_ref = 0, n_lines = 0, n_embedded = 0;
        const char *ours = NULL, *ref = NULL;
        size_t ours_len = 0, ref_len = 0;
        for (size_t g = 0; g < gd.list.n_groups; g++) {
            for (size_t l = 0; l < gd.list.groups[g].n_logs; l++) {
                const struct sf_log *log = &gd.list.groups[g].logs[l];
                assert_true(next_line((const char *)out.ptr, out.len, &pos_ours, &ours, &ours_len));
                assert_true(next_line(gd.ref, gd.ref_len, &pos_ref, &ref, &ref_len));
                n_lines++;
                json_t *o = parse_json_or_fail(ours, ours_len);
                json_t *r = parse_json_or_fail(ref, ref_len);

                /* Envelope: our keys in our order; metadata equal to the reference's. */
                static const char *const keys[] = {"time", "source", "sourcetype", "index",
                                                   "event"};
                void *it = json_object_iter(o);
                for (size_t k = 0; k < 5; k++, it = json_object_iter_next(o, it)) {
                    assert_non_null(it);
                    assert_string_equal(json_object_iter_key(it), keys[k]);
                }
                assert_null(it);
                assert_int_equal(json_object_size(r), 5);
                for (size_t k = 1; k < 4; k++) {
                    assert_true(
                        json_equal(json_object_get(o, keys[k]), json_object_get(r, keys[k])));
                }
                check_time(ours, log, json_object_get(r, "time"));

                /* The reference's event is always a string holding the object. */
                json_t *ref_str = json_object_get(r, "event");
                json_t *ref_event =
                    parse_json_or_fail(json_string_value(ref_str), json_string_length(ref_str));
                json_t *our_event = json_object_get(o, "event");
                if (form == 1) {
                    assert_true(json_is_string(our_event));
                    json_t *parsed = parse_json_or_fail(json_string_value(our_event),
                                                        json_string_length(our_event));
                    check_same_event(parsed, ref_event, &n_embedded);
                    json_decref(parsed);
                } else {
                    check_same_event(our_event, ref_event, &n_embedded);
                }
                json_decref(ref_event);
                json_decref(r);
                json_decref(o);
            }
        }
        assert_false(next_line((const char *)out.ptr, out.len, &pos_ours, &ours, &ours_len));
        assert_false(next_line(gd.ref, gd.ref_len, &pos_ref, &ref, &ref_len));
        assert_int_equal(n_lines, want_logs);
        /* ActionTrail's "event" embedded where it is valid JSON, a string where it is not. */
        assert_int_equal(n_embedded, want_embedded);
        sf_buf_cleanup(&out);
        sf_hec_event_mapping_free(map);
    }
    golden_free(&gd);
}

static void edge_matches_the_reference(void **state)
{
    (void)state;
    /* Group 2 (40 logs, topic actiontrail_audit_event) cycles through 8 "event" values: 5 are
     * JSON objects, arrays or numbers; "\"just a string\"" is JSON too but embeds as a string;
     * 2 are not JSON and stay strings. */
    check_golden("edge", 120, 25);
}

static void nginx_matches_the_reference(void **state)
{
    (void)state;
    check_golden("nginx", 1000, 0);
}

static void actiontrail_matches_the_reference(void **state)
{
    (void)state;
    check_golden("actiontrail", 500, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_matches_the_reference),
        cmocka_unit_test(nginx_matches_the_reference),
        cmocka_unit_test(actiontrail_matches_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

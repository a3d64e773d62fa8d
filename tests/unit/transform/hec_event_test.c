/* transform/hec_event.h on hand-built logs: exact bytes for the PB1 vector, every mapping
 * rule, hostile bytes, the bounded-buffer contract, and random logs against a model of the
 * reference program's dict (built naively here, parsed back with jansson). */
#include "xform_test.h"

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "transform/hec_event.h"
#include "transform/json.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/banned.h"

/* docs/protocol/sls-loggroup.md §Test vectors, PB1. */
#define PB1_HEX                                                                                    \
    "0a520a280880cc9fc206120d0a056c6576656c1204494e464f120c0a036d7367120568656c6c6f2515cd5b071a05" \
    "6e67696e78220831302e302e302e3132150a0c5f5f686f73746e616d655f5f12057765622d31"

#define KV(k, v)                                                                                \
    {                                                                                           \
        .key = {.ptr = (k), .len = sizeof(k) - 1}, .value = {.ptr = (v), .len = sizeof(v) - 1 } \
    }
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static struct sf_hec_event_mapping *new_mapping(bool as_string, const char *const *fields, size_t n)
{
    struct sf_hec_event_options opts = {
        .sourcetype = "aliyun:sls:nginx",
        .index = "main",
        .source = "sls-consumer",
        .event_as_string = as_string,
        .json_fields = fields,
        .n_json_fields = n,
    };
    struct sf_hec_event_mapping *map;
    char errbuf[256];
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_OK);
    return map;
}

/* One event into a fresh unbounded buffer, NUL-terminated; test_free the result. */
static char *map_one(const struct sf_hec_event_mapping *map,
                     const struct sf_loggroup *group,
                     const struct sf_log *log,
                     size_t *len)
{
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    SF_CHECK_ERR(sf_hec_event_append(map, group, log, &out), SF_OK);
    assert_true(out.len > 0 && out.ptr[out.len - 1] == '\n');
    assert_null(memchr(out.ptr, '\n', out.len - 1));
    assert_true(ref_utf8_valid(out.ptr, out.len));
    char *text = test_malloc(out.len + 1);
    memcpy(text, out.ptr, out.len);
    text[out.len] = '\0';
    if (len) {
        *len = out.len;
    }
    sf_buf_cleanup(&out);
    return text;
}

static void assert_event_bytes(const struct sf_hec_event_mapping *map,
                               const struct sf_loggroup *group,
                               const struct sf_log *log,
                               const char *want)
{
    char *got = map_one(map, group, log, NULL);
    if (strcmp(got, want) != 0) {
        fail_msg("got  %s\nwant %s", got, want);
    }
    test_free(got);
}

/* The "event" member of one output line as an object, whichever form it was sent in; the
 * envelope in *envelope (json_decref it, which frees the event too unless |*owned|). */
static json_t *event_of(const char *line, size_t len, json_t **envelope, bool as_string)
{
    *envelope = parse_json_or_fail(line, len);
    json_t *event = json_object_get(*envelope, "event");
    assert_non_null(event);
    if (!as_string) {
        assert_true(json_is_object(event));
        return json_incref(event);
    }
    assert_true(json_is_string(event));
    return parse_json_or_fail(json_string_value(event), json_string_length(event));
}

static void pb1_maps_to_the_exact_bytes_in_both_forms(void **state)
{
    (void)state;
    size_t len;
    uint8_t *pb = sf_test_unhex(PB1_HEX, &len);
    struct sf_arena arena;
    struct sf_loggroup_list list;
    sf_arena_init(&arena, 4096);
    SF_CHECK_ERR(sf_loggroup_decode(pb, len, &arena, &list), SF_OK);

    struct sf_hec_event_mapping *map = new_mapping(false, NULL, 0);
    assert_event_bytes(map, &list.groups[0], &list.groups[0].logs[0],
                       "{\"time\":1749542400.123,\"source\":\"sls-consumer\",\"sourcetype\":"
                       "\"aliyun:sls:nginx\",\"index\":\"main\",\"event\":{\"__topic__\":\"nginx\","
                       "\"__source__\":\"10.0.0.1\",\"__tag__:__hostname__\":\"web-1\",\"level\":"
                       "\"INFO\",\"msg\":\"hello\"}}\n");
    sf_hec_event_mapping_free(map);

    map = new_mapping(true, NULL, 0);
    assert_event_bytes(
        map, &list.groups[0], &list.groups[0].logs[0],
        "{\"time\":1749542400.123,\"source\":\"sls-consumer\",\"sourcetype\":"
        "\"aliyun:sls:nginx\",\"index\":\"main\",\"event\":\"{\\\"__topic__\\\":"
        "\\\"nginx\\\",\\\"__source__\\\":\\\"10.0.0.1\\\",\\\"__tag__:__hostname__"
        "\\\":\\\"web-1\\\",\\\"level\\\":\\\"INFO\\\",\\\"msg\\\":\\\"hello\\\"}\"}\n");
    sf_hec_event_mapping_free(map);
    sf_arena_cleanup(&arena);
    test_free(pb);
}

static void metadata_is_omitted_when_unset_and_escaped_when_set(void **state)
{
    (void)state;
    struct sf_log_kv contents[] = {KV("k", "v")};
    struct sf_log log = {.time = 7, .contents = contents, .n_contents = 1};
    struct sf_loggroup group = {
        .logs = &log, .n_logs = 1, .topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    struct sf_hec_event_options opts = {0};
    struct sf_hec_event_mapping *map;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    assert_event_bytes(
        map, &group, &log,
        "{\"time\":7,\"event\":{\"__topic__\":\"\",\"__source__\":\"\",\"k\":\"v\"}}\n");
    sf_hec_event_mapping_free(map);

    opts = (struct sf_hec_event_options){
        .host = "h\"1\\\n\xff",
        .source = "s",
        .sourcetype = "st",
        .index = "i",
    };
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    assert_event_bytes(map, &group, &log,
                       "{\"time\":7,\"host\":\"h\\\"1\\\\\\n\xef\xbf\xbd\",\"source\":\"s\","
                       "\"sourcetype\":\"st\",\"index\":\"i\",\"event\":{\"__topic__\":\"\","
                       "\"__source__\":\"\",\"k\":\"v\"}}\n");
    sf_hec_event_mapping_free(map);
}

static void mapping_refuses_bad_options(void **state)
{
    (void)state;
    char errbuf[200];
    struct sf_hec_event_mapping *map = (struct sf_hec_event_mapping *)1;
    struct sf_hec_event_options opts = {.index = ""};
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_null(map);
    assert_non_null(strstr(errbuf, "index"));

    static const char *const bad_fields[][1] = {{"event"}, {"topic:"}, {""}};
    for (size_t i = 0; i < N_OF(bad_fields); i++) {
        opts = (struct sf_hec_event_options){.json_fields = bad_fields[i], .n_json_fields = 1};
        SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
        assert_null(map);
        assert_non_null(strstr(errbuf, "<topic>:<field>"));
    }
    /* No errbuf at all is fine too. */
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_ERR_CONFIG);

    static const char *const good_fields[] = {":event", "a:b:c", "t:__tag__:x"};
    opts = (struct sf_hec_event_options){.json_fields = good_fields, .n_json_fields = 3};
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, errbuf, sizeof(errbuf)), SF_OK);
    sf_hec_event_mapping_free(map);
    sf_hec_event_mapping_free(NULL);
}

static void time_renders_seconds_and_truncated_milliseconds(void **state)
{
    (void)state;
    static const struct {
        uint32_t time;
        bool has_ns;
        uint32_t ns;
        const char *want;
    } cases[] = {
        {1749542400, false, 0, "1749542400"},
        {1749542400, true, 0, "1749542400"},
        {1749542400, true, 999999999, "1749542400.999"},
        {1749542400, true, 123456789, "1749542400.123"},
        {1749542400, true, 1000000, "1749542400.001"},
        {1749542400, true, 999999, "1749542400.000"},
        {1749542400, true, 1, "1749542400.000"},
        {1749542400, true, 1000000000, "1749542400"}, /* not a fraction: ignored */
        {1749542400, true, UINT32_MAX, "1749542400"},
        {0, false, 0, "0"},
        {0, true, 5000000, "0.005"},
        {UINT32_MAX, true, 999999999, "4294967295.999"},
    };
    struct sf_hec_event_mapping *map = new_mapping(false, NULL, 0);
    struct sf_loggroup group = {.topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct sf_log log = {
            .time = cases[i].time, .has_time_ns = cases[i].has_ns, .time_ns = cases[i].ns};
        char *got = map_one(map, &group, &log, NULL);
        char want[64];
        snprintf(want, sizeof(want), "{\"time\":%s,", cases[i].want);
        if (strncmp(got, want, strlen(want)) != 0) {
            fail_msg("case %zu: got %s, want %s", i, got, want);
        }
        test_free(got);
    }
    sf_hec_event_mapping_free(map);
}

static void empty_topic_source_and_contents_still_make_an_event(void **state)
{
    (void)state;
    struct sf_log log = {.time = 1};
    struct sf_loggroup group = {.topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    struct sf_hec_event_options opts = {0};
    struct sf_hec_event_mapping *map;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    assert_event_bytes(map, &group, &log,
                       "{\"time\":1,\"event\":{\"__topic__\":\"\",\"__source__\":\"\"}}\n");
    sf_hec_event_mapping_free(map);
    opts.event_as_string = true;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    assert_event_bytes(map, &group, &log,
                       "{\"time\":1,\"event\":\"{\\\"__topic__\\\":\\\"\\\",\\\"__source__\\\":"
                       "\\\"\\\"}\"}\n");
    sf_hec_event_mapping_free(map);
}

static void repeated_keys_keep_their_first_place_and_last_value(void **state)
{
    (void)state;
    struct sf_hec_event_options opts = {0};
    struct sf_hec_event_mapping *map;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    struct sf_log_kv tags[] = {KV("h", "t1"), KV("p", "t2"), KV("h", "t3")};
    struct sf_log_kv contents[] = {
        KV("a", "1"),         KV("b", "2"),         KV("a", "3"),           KV("__topic__", "T"),
        KV("__tag__:p", "c"), KV("__source__", ""), KV("__tag__:q", "new"), KV("b", "4"),
    };
    struct sf_log log = {.time = 1, .contents = contents, .n_contents = N_OF(contents)};
    struct sf_loggroup group = {
        .topic = SF_STR_LIT("top"), .source = SF_STR_LIT("src"), .tags = tags, .n_tags = 3};
    assert_event_bytes(map, &group, &log,
                       "{\"time\":1,\"event\":{\"__topic__\":\"T\",\"__source__\":\"\","
                       "\"__tag__:h\":\"t3\",\"__tag__:p\":\"c\",\"a\":\"3\",\"b\":\"4\","
                       "\"__tag__:q\":\"new\"}}\n");

    /* Only tags repeat. */
    log.n_contents = 0;
    assert_event_bytes(map, &group, &log,
                       "{\"time\":1,\"event\":{\"__topic__\":\"top\",\"__source__\":\"src\","
                       "\"__tag__:h\":\"t3\",\"__tag__:p\":\"t2\"}}\n");

    /* Keys that differ only in ill-formed bytes are one key once those become U+FFFD. */
    struct sf_log_kv bad[] = {KV("k\xff", "1"), KV("k\xfe", "2"), KV("k\xef\xbf\xbd", "3")};
    struct sf_log bad_log = {.time = 1, .contents = bad, .n_contents = 3};
    struct sf_loggroup plain = {.topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    assert_event_bytes(map, &plain, &bad_log,
                       "{\"time\":1,\"event\":{\"__topic__\":\"\",\"__source__\":\"\","
                       "\"k\xef\xbf\xbd\":\"3\"}}\n");
    sf_hec_event_mapping_free(map);
}

static void json_fields_embed_valid_json_and_keep_the_rest_as_strings(void **state)
{
    (void)state;
    static const char *const fields[] = {"audit:event", ":raw", "audit:__tag__:j"};
    struct sf_hec_event_mapping *obj_map = new_mapping(false, fields, N_OF(fields));
    struct sf_hec_event_mapping *str_map = new_mapping(true, fields, N_OF(fields));
    static const struct {
        const char *topic;
        const char *key;
        const char *value;
        const char *want; /* the event's member as our output writes it (object form) */
    } cases[] = {
        {"audit", "event", "{\"a\":[1,2,{\"b\":null}]}", "\"event\":{\"a\":[1,2,{\"b\":null}]}"},
        {"audit", "event", "  [ 1 , \"x\" ]\n", "\"event\":[ 1 , \"x\" ]"},
        {"audit", "event", "123", "\"event\":123"},
        {"audit", "event", "{\n\t\"a\": [1,\r\n2]\n}", "\"event\":{  \"a\": [1,  2] }"},
        {"audit", "event", "\"s\\u00e9\"", "\"event\":\"s\\u00e9\""},
        {"audit", "event", "true", "\"event\":true"},
        {"audit", "event", "not json", "\"event\":\"not json\""},
        {"audit", "event", "{\"a\":1} trailing", "\"event\":\"{\\\"a\\\":1} trailing\""},
        {"audit", "event", "{\"a\":1", "\"event\":\"{\\\"a\\\":1\""},
        {"audit", "event", "", "\"event\":\"\""},
        {"audit", "event", "NaN", "\"event\":\"NaN\""},
        {"audit", "event", "\"\\ud800\"", "\"event\":\"\\\"\\\\ud800\\\"\""},
        {"audit", "event", "\"ctl\x01\"", "\"event\":\"\\\"ctl\\u0001\\\"\""},
        {"audit", "event", "\"\xff\"", "\"event\":\"\\\"\xef\xbf\xbd\\\"\""},
        {"other", "event", "{}", "\"event\":\"{}\""},
        {"audit", "Event", "{}", "\"Event\":\"{}\""},
        {"", "raw", "{}", "\"raw\":{}"},
        {"audit", "raw", "{}", "\"raw\":\"{}\""},
        {"audit", "__tag__:j", "[]", "\"__tag__:j\":[]"},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct sf_log_kv kv = {.key = sf_str_from(cases[i].key),
                               .value = sf_str_from(cases[i].value)};
        struct sf_log log = {.time = 1, .contents = &kv, .n_contents = 1};
        struct sf_loggroup group = {.topic = sf_str_from(cases[i].topic), .source = SF_STR_LIT("")};
        size_t len;
        char *got = map_one(obj_map, &group, &log, &len);
        if (strstr(got, cases[i].want) == NULL) {
            fail_msg("case %zu: %s does not hold %s", i, got, cases[i].want);
        }
        json_t *envelope;
        json_t *event = event_of(got, len, &envelope, false);
        json_decref(event);
        json_decref(envelope);
        test_free(got);

        /* The string form carries the same event. */
        char *got_str = map_one(str_map, &group, &log, &len);
        char *want_obj = map_one(obj_map, &group, &log, NULL);
        json_t *env_a, *env_b;
        json_t *a = event_of(got_str, len, &env_a, true);
        json_t *b = event_of(want_obj, strlen(want_obj), &env_b, false);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
        json_decref(env_a);
        json_decref(env_b);
        test_free(want_obj);
        test_free(got_str);
    }

    /* Nesting: 64 levels embed, 65 stay a string. */
    char deep[200];
    for (unsigned depth = 64; depth <= 65; depth++) {
        memset(deep, '[', depth);
        memset(deep + depth, ']', depth);
        struct sf_log_kv kv = {.key = SF_STR_LIT("event"), .value = {deep, 2 * depth}};
        struct sf_log log = {.time = 1, .contents = &kv, .n_contents = 1};
        struct sf_loggroup group = {.topic = SF_STR_LIT("audit"), .source = SF_STR_LIT("")};
        char *got = map_one(obj_map, &group, &log, NULL);
        assert_int_equal(strstr(got, "\"event\":[[") != NULL, depth == 64);
        assert_int_equal(strstr(got, "\"event\":\"[[") != NULL, depth == 65);
        test_free(got);
    }
    sf_hec_event_mapping_free(str_map);
    sf_hec_event_mapping_free(obj_map);
}

/* Every byte value in keys, values, topic, source and tags reads back as its replacement. */
static void hostile_bytes_everywhere_still_give_valid_json(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "\xc0\xaf",         "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf5",         "\xff\xfe",
        "\xe2\x82",         "\x80\xbf",     "a\xf0\x9f\x98",
        "\"\\\"\\\\",       "\x01\x1f\x7f", "\xe6\x89\x8b",
        "\xf0\x9f\x98\x80", "}\"]}",        "\\u0041",
        "</script>",
    };
    /* jansson cannot hold NUL in object keys: U+0000 is covered by the next test. */
    char all_ctl[31];
    for (int i = 0; i < 31; i++) {
        all_ctl[i] = (char)(i + 1);
    }
    struct sf_hec_event_mapping *maps[2] = {new_mapping(false, NULL, 0),
                                            new_mapping(true, NULL, 0)};
    for (size_t s = 0; s <= N_OF(samples); s++) {
        struct sf_str bytes =
            s < N_OF(samples) ? sf_str_from(samples[s]) : (struct sf_str){all_ctl, sizeof(all_ctl)};
        struct sf_log_kv tag = {.key = bytes, .value = bytes};
        struct sf_log_kv kv = {.key = bytes, .value = bytes};
        struct sf_log log = {.time = 1, .contents = &kv, .n_contents = 1};
        struct sf_loggroup group = {.topic = bytes, .source = bytes, .tags = &tag, .n_tags = 1};
        uint8_t clean[128];
        size_t clean_len = ref_sanitize((const uint8_t *)bytes.ptr, bytes.len, clean);
        char tag_key[160];
        memcpy(tag_key, "__tag__:", 8);
        memcpy(tag_key + 8, clean, clean_len);
        for (int form = 0; form < 2; form++) {
            size_t len;
            char *line = map_one(maps[form], &group, &log, &len);
            json_t *envelope;
            json_t *event = event_of(line, len, &envelope, form == 1);
            assert_true(json_string_is(json_object_get(event, "__topic__"), clean, clean_len));
            assert_true(json_string_is(json_object_get(event, "__source__"), clean, clean_len));
            /* jansson's object API takes NUL-terminated keys: find members by iteration. */
            size_t n_found = 0;
            const char *key;
            size_t key_len;
            json_t *value;
            json_object_keylen_foreach(event, key, key_len, value)
            {
                if ((key_len == clean_len && memcmp(key, clean, clean_len) == 0) ||
                    (key_len == clean_len + 8 && memcmp(key, tag_key, key_len) == 0)) {
                    assert_true(json_string_is(value, clean, clean_len));
                    n_found++;
                }
            }
            assert_int_equal(n_found, 2);
            json_decref(event);
            json_decref(envelope);
            test_free(line);
        }
    }
    sf_hec_event_mapping_free(maps[0]);
    sf_hec_event_mapping_free(maps[1]);
}

static void every_control_byte_round_trips(void **state)
{
    (void)state;
    char ctl[33];
    for (int i = 0; i < 32; i++) {
        ctl[i] = (char)i;
    }
    ctl[32] = 0x7f;
    struct sf_log_kv kv = {.key = SF_STR_LIT("ctl"), .value = {ctl, sizeof(ctl)}};
    struct sf_log log = {.time = 1, .contents = &kv, .n_contents = 1};
    struct sf_loggroup group = {.topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    struct sf_hec_event_mapping *map = new_mapping(false, NULL, 0);
    char *got = map_one(map, &group, &log, NULL);
    static const char want[] = "\"ctl\":\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                               "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
                               "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
                               "\\u001c\\u001d\\u001e\\u001f\x7f\"}}\n";
    assert_non_null(strstr(got, want));
    test_free(got);
    sf_hec_event_mapping_free(map);

    for (int form = 0; form < 2; form++) {
        map = new_mapping(form == 1, NULL, 0);
        size_t len;
        got = map_one(map, &group, &log, &len);
        json_t *envelope;
        json_t *event = event_of(got, len, &envelope, form == 1);
        assert_true(json_string_is(json_object_get(event, "ctl"), ctl, sizeof(ctl)));
        json_decref(event);
        json_decref(envelope);
        test_free(got);
        sf_hec_event_mapping_free(map);
    }
}

static void megabyte_value_round_trips(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *big = test_malloc(n);
    uint64_t x = 42;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        /* Mostly text, with every kind of special byte sprinkled in. */
        uint8_t r = (uint8_t)(x >> 56);
        big[i] = r < 160 ? (char)('a' + r % 26) : (char)(x >> 48);
    }
    uint8_t *clean = test_malloc(3 * n);
    size_t clean_len = ref_sanitize((const uint8_t *)big, n, clean);
    struct sf_log_kv kv = {.key = SF_STR_LIT("big"), .value = {big, n}};
    struct sf_log log = {.time = 1, .contents = &kv, .n_contents = 1};
    struct sf_loggroup group = {.topic = SF_STR_LIT(""), .source = SF_STR_LIT("")};
    for (int form = 0; form < 2; form++) {
        struct sf_hec_event_mapping *map = new_mapping(form == 1, NULL, 0);
        size_t len;
        char *line = map_one(map, &group, &log, &len);
        json_t *envelope;
        json_t *event = event_of(line, len, &envelope, form == 1);
        assert_true(json_string_is(json_object_get(event, "big"), clean, clean_len));
        json_decref(event);
        json_decref(envelope);
        test_free(line);
        sf_hec_event_mapping_free(map);
    }
    test_free(clean);
    test_free(big);
}

/* ---- random logs against a model ---- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Storage for one random list. */
struct rand_list {
    char text[1 << 16];
    size_t used;
    struct sf_log_kv kvs[4096];
    size_t n_kvs;
    struct sf_log logs[64];
    struct sf_loggroup groups[4];
    struct sf_loggroup_list list;
};

static struct sf_str rand_str(struct rand_list *rl, uint64_t *seed, bool is_key)
{
    static const char *const pieces[] = {
        "a",        "b",         "k",        "__topic__", "__source__",
        "__tag__:", "__tag__:h", "event",    "\xff",      "\xc3\xa9",
        "\"",       "\\",        "\n",       "\x01",      "{\"a\":1}",
        "[1,2]",    "x y",       "\xe2\x82", "\x7f",      "\xf0\x9f\x98\x80",
        "ev",       "ent",       "12",
    };
    size_t n_pieces = (size_t)(rng_next(seed) % (is_key ? 3 : 5));
    char *start = rl->text + rl->used;
    for (size_t i = 0; i < n_pieces; i++) {
        const char *p = pieces[rng_next(seed) % N_OF(pieces)];
        size_t len = strlen(p);
        assert_true(rl->used + len < sizeof(rl->text));
        memcpy(rl->text + rl->used, p, len);
        rl->used += len;
    }
    return (struct sf_str){.ptr = start, .len = (size_t)(rl->text + rl->used - start)};
}

static void rand_list_fill(struct rand_list *rl, uint64_t *seed)
{
    static const char *const topics[] = {"", "audit", "t"};
    rl->used = 0;
    rl->n_kvs = 0;
    size_t n_groups = 1 + rng_next(seed) % 3;
    size_t n_logs_total = 0;
    size_t log_i = 0;
    for (size_t g = 0; g < n_groups; g++) {
        struct sf_loggroup *group = &rl->groups[g];
        *group = (struct sf_loggroup){.topic = sf_str_from(topics[rng_next(seed) % 3])};
        group->source = rand_str(rl, seed, false);
        group->n_tags = rng_next(seed) % 4;
        group->tags = &rl->kvs[rl->n_kvs];
        for (size_t t = 0; t < group->n_tags; t++) {
            rl->kvs[rl->n_kvs].key = rand_str(rl, seed, true);
            rl->kvs[rl->n_kvs++].value = rand_str(rl, seed, false);
        }
        group->n_logs = rng_next(seed) % 5;
        group->logs = &rl->logs[log_i];
        for (size_t l = 0; l < group->n_logs; l++) {
            struct sf_log *log = &rl->logs[log_i++];
            uint64_t r = rng_next(seed);
            *log = (struct sf_log){.time = (uint32_t)r,
                                   .has_time_ns = (r >> 32) & 1,
                                   .time_ns = (uint32_t)(r >> 33) % 1200000000u};
            /* Sometimes far more keys than the fast path takes. */
            log->n_contents = (r >> 62) == 3 ? 60 + rng_next(seed) % 300 : rng_next(seed) % 12;
            log->contents = &rl->kvs[rl->n_kvs];
            for (size_t c = 0; c < log->n_contents; c++) {
                rl->kvs[rl->n_kvs].key = rand_str(rl, seed, true);
                rl->kvs[rl->n_kvs++].value = rand_str(rl, seed, false);
            }
        }
        n_logs_total += group->n_logs;
    }
    rl->list = (struct sf_loggroup_list){
        .groups = rl->groups, .n_groups = n_groups, .n_logs_total = n_logs_total};
}

/* The reference program's dict for |log|: key i of the flattening order, its output form, and
 * where its (last) value comes from. */
struct model_key {
    uint8_t name[512];
    size_t len;
    struct sf_str value;
    bool from_content;
    struct sf_str content_key; /* raw, for json_fields */
};

static size_t
model_event(const struct sf_loggroup *group, const struct sf_log *log, struct model_key *keys)
{
    size_t n = 0;
    size_t total = 2 + group->n_tags + log->n_contents;
    for (size_t i = 0; i < total; i++) {
        struct model_key k = {0};
        uint8_t raw[256];
        size_t raw_len;
        if (i == 0 || i == 1) {
            const char *name = i == 0 ? "__topic__" : "__source__";
            raw_len = strlen(name);
            memcpy(raw, name, raw_len);
            k.value = i == 0 ? group->topic : group->source;
        } else if (i < 2 + group->n_tags) {
            const struct sf_log_kv *tag = &group->tags[i - 2];
            memcpy(raw, "__tag__:", 8);
            memcpy(raw + 8, tag->key.ptr, tag->key.len);
            raw_len = 8 + tag->key.len;
            k.value = tag->value;
        } else {
            const struct sf_log_kv *kv = &log->contents[i - 2 - group->n_tags];
            memcpy(raw, kv->key.ptr, kv->key.len);
            raw_len = kv->key.len;
            k.value = kv->value;
            k.from_content = true;
            k.content_key = kv->key;
        }
        k.len = ref_sanitize(raw, raw_len, k.name);
        size_t j = 0;
        while (j < n && !(keys[j].len == k.len && memcmp(keys[j].name, k.name, k.len) == 0)) {
            j++;
        }
        if (j < n) {
            keys[j].value = k.value;
            keys[j].from_content = k.from_content;
            keys[j].content_key = k.content_key;
        } else {
            keys[n++] = k;
        }
    }
    return n;
}

static void check_against_model(const char *line,
                                size_t len,
                                bool as_string,
                                const struct sf_loggroup *group,
                                const struct sf_log *log)
{
    static struct model_key keys[1024];
    size_t n = model_event(group, log, keys);
    assert_true(len > 0 && line[len - 1] == '\n');
    assert_null(memchr(line, '\n', len - 1));
    json_t *envelope;
    json_t *event = event_of(line, len, &envelope, as_string);
    assert_int_equal(json_object_size(event), n);

    json_t *time = json_object_get(envelope, "time");
    assert_true(json_is_number(time));
    assert_int_equal((uint32_t)json_number_value(time), log->time);

    size_t i = 0;
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach(event, key, key_len, value)
    {
        struct model_key *k = &keys[i++];
        if (key_len != k->len || memcmp(key, k->name, key_len) != 0) {
            fail_msg("key %zu: got \"%.*s\", want \"%.*s\"", i - 1, (int)key_len, key, (int)k->len,
                     k->name);
        }
        /* json_fields of new_mapping(): "audit:event" only. */
        bool is_json_candidate = k->from_content && sf_str_eq_cstr(group->topic, "audit") &&
                                 sf_str_eq_cstr(k->content_key, "event");
        json_error_t error;
        json_t *embedded = is_json_candidate ? json_loadb(k->value.ptr, k->value.len,
                                                          JSON_DECODE_ANY | JSON_ALLOW_NUL, &error)
                                             : NULL;
        if (embedded) {
            assert_true(json_equal(embedded, value));
            json_decref(embedded);
        } else {
            uint8_t clean[2048];
            size_t clean_len = ref_sanitize((const uint8_t *)k->value.ptr, k->value.len, clean);
            assert_true(json_string_is(value, clean, clean_len));
        }
    }
    json_decref(event);
    json_decref(envelope);
}

/* Points every content key and value of |rl| that lies in |from| at the same offset of |to|. */
static void rebase_contents(struct rand_list *rl, const char *from, const char *to)
{
    for (size_t i = 0; i < rl->n_kvs; i++) {
        struct sf_str *strs[2] = {&rl->kvs[i].key, &rl->kvs[i].value};
        for (size_t k = 0; k < 2; k++) {
            if (strs[k]->len > 0 && strs[k]->ptr >= from && strs[k]->ptr < from + rl->used) {
                strs[k]->ptr = to + (strs[k]->ptr - from);
            }
        }
    }
}

static void random_logs_match_the_model_in_both_forms(void **state)
{
    (void)state;
    static const char *const fields[] = {"audit:event"};
    static struct rand_list rl;
    uint64_t seed = 0xabcdef;
    struct sf_hec_event_mapping *maps[2] = {new_mapping(false, fields, 1),
                                            new_mapping(true, fields, 1)};
    struct sf_buf all, one;
    sf_buf_init(&all, SIZE_MAX);
    sf_buf_init(&one, SIZE_MAX);
    for (int iter = 0; iter < 1500; iter++) {
        rand_list_fill(&rl, &seed);
        int form = iter & 1;
        sf_buf_reset(&all);
        sf_buf_reset(&one);
        size_t n_done;
        SF_CHECK_ERR(sf_hec_event_append_list(maps[form], &rl.list, 0, &all, &n_done), SF_OK);
        assert_int_equal(n_done, rl.list.n_logs_total);
        assert_true(ref_utf8_valid(all.ptr, all.len));

        /* The contents moved into one allocation of their exact size, as a decoded list's
         * lie in its body: told where that ends, the writer escapes them a whole block at a
         * time (never reading past the end: ASan builds check), to the same bytes. */
        char *body = sf_xmalloc(rl.used + 1);
        memcpy(body, rl.text, rl.used);
        rebase_contents(&rl, rl.text, body);
        rl.list.data_end = (const uint8_t *)body + rl.used;
        SF_CHECK_ERR(sf_hec_event_append_list(maps[form], &rl.list, 0, &one, &n_done), SF_OK);
        assert_int_equal(one.len, all.len);
        assert_memory_equal(one.ptr, all.ptr, all.len);
        rl.list.data_end = NULL;
        rebase_contents(&rl, body, rl.text);
        free(body);
        sf_buf_reset(&one);

        /* Event by event gives the same bytes as the list call (which copies group parts). */
        size_t pos = 0;
        for (size_t g = 0; g < rl.list.n_groups; g++) {
            const struct sf_loggroup *group = &rl.list.groups[g];
            for (size_t l = 0; l < group->n_logs; l++) {
                size_t before = one.len;
                SF_CHECK_ERR(sf_hec_event_append(maps[form], group, &group->logs[l], &one), SF_OK);
                size_t len = one.len - before;
                assert_true(pos + len <= all.len);
                assert_memory_equal(all.ptr + pos, one.ptr + before, len);
                check_against_model((const char *)one.ptr + before, len, form == 1, group,
                                    &group->logs[l]);
                pos += len;
            }
        }
        assert_int_equal(pos, all.len);
    }
    sf_buf_cleanup(&one);
    sf_buf_cleanup(&all);
    sf_hec_event_mapping_free(maps[0]);
    sf_hec_event_mapping_free(maps[1]);
}

/* Makes the logs of each group of |rl| repeat their predecessor's content keys (copied to
 * other bytes, with new values) more often than chance would, and sometimes with one key
 * repeated inside the log where the predecessor had none. */
static void rand_list_repeat_keys(struct rand_list *rl, uint64_t *seed)
{
    for (size_t g = 0; g < rl->list.n_groups; g++) {
        struct sf_loggroup *group = &rl->groups[g];
        for (size_t l = 1; l < group->n_logs; l++) {
            const struct sf_log *prev = &group->logs[l - 1];
            struct sf_log *log = (struct sf_log *)&group->logs[l];
            uint64_t r = rng_next(seed) % 4;
            if (r == 0 || prev->n_contents > 12 || rl->n_kvs + prev->n_contents > N_OF(rl->kvs)) {
                continue;
            }
            struct sf_log_kv *kvs = &rl->kvs[rl->n_kvs];
            rl->n_kvs += prev->n_contents;
            for (size_t c = 0; c < prev->n_contents; c++) {
                struct sf_str key = prev->contents[c].key;
                assert_true(rl->used + key.len < sizeof(rl->text));
                memcpy(rl->text + rl->used, key.ptr, key.len);
                kvs[c].key = (struct sf_str){.ptr = rl->text + rl->used, .len = key.len};
                rl->used += key.len;
                kvs[c].value = rand_str(rl, seed, false);
            }
            if (r == 3 && prev->n_contents >= 2) {
                kvs[prev->n_contents - 1].key = kvs[0].key; /* a repeat the predecessor had not */
            }
            log->contents = kvs;
            log->n_contents = prev->n_contents;
        }
    }
}

/* The list call checks a log for repeated keys by comparing its keys with the previous log's
 * when those passed the check (hec_event.c, fast_log); whatever the keys, it must write what
 * the event-by-event call writes, template fields included. */
static void logs_that_repeat_their_predecessors_keys_map_as_alone(void **state)
{
    (void)state;
    static const char *const fields[] = {"audit:event"};
    static struct rand_list rl;
    uint64_t seed = 0x5eed;
    struct sf_hec_event_options opts[3] = {
        {.json_fields = fields, .n_json_fields = 1},
        {.json_fields = fields, .n_json_fields = 1, .event_as_string = true},
        {.json_fields = fields, .n_json_fields = 1, .host = "{k|none}", .index = "{ab}-{a}"},
    };
    struct sf_hec_event_mapping *maps[3];
    for (size_t m = 0; m < 3; m++) {
        SF_CHECK_ERR(sf_hec_event_mapping_new(&opts[m], &maps[m], NULL, 0), SF_OK);
    }
    struct sf_buf all, one;
    sf_buf_init(&all, SIZE_MAX);
    sf_buf_init(&one, SIZE_MAX);
    size_t n_repeating = 0;
    for (int iter = 0; iter < 1500; iter++) {
        rand_list_fill(&rl, &seed);
        rand_list_repeat_keys(&rl, &seed);
        const struct sf_hec_event_mapping *map = maps[iter % 3];
        sf_buf_reset(&all);
        sf_buf_reset(&one);
        size_t n_done;
        SF_CHECK_ERR(sf_hec_event_append_list(map, &rl.list, 0, &all, &n_done), SF_OK);
        assert_int_equal(n_done, rl.list.n_logs_total);
        for (size_t g = 0; g < rl.list.n_groups; g++) {
            const struct sf_loggroup *group = &rl.list.groups[g];
            for (size_t l = 0; l < group->n_logs; l++) {
                size_t before = one.len;
                SF_CHECK_ERR(sf_hec_event_append(map, group, &group->logs[l], &one), SF_OK);
                if (iter % 3 == 0) {
                    check_against_model((const char *)one.ptr + before, one.len - before, false,
                                        group, &group->logs[l]);
                }
                n_repeating +=
                    l > 0 && group->logs[l].n_contents > 0 &&
                    group->logs[l].contents[0].key.ptr != group->logs[l - 1].contents[0].key.ptr &&
                    sf_str_eq(group->logs[l].contents[0].key, group->logs[l - 1].contents[0].key);
            }
        }
        assert_int_equal(one.len, all.len);
        assert_memory_equal(one.ptr, all.ptr, all.len);
    }
    assert_true(n_repeating > 1000); /* the case at hand did come up */
    sf_buf_cleanup(&one);
    sf_buf_cleanup(&all);
    for (size_t m = 0; m < 3; m++) {
        sf_hec_event_mapping_free(maps[m]);
    }
}

/* sf_hec_event_append_list_indexed: one end per event written, where its '\n' is, counted from
 * the start of the buffer; dropped logs leave none; a resumed call goes on from the buffer's
 * end. */
static void the_indexed_call_says_where_each_event_ends(void **state)
{
    (void)state;
    static const char *const fields[] = {"audit:event"};
    static struct rand_list rl;
    static uint32_t ends[64];
    uint64_t seed = 0xe4d5;
    const char *drop_if[] = {"b~e"};
    struct sf_filter *filter = NULL;
    char err[200];
    SF_CHECK_ERR(sf_filter_new(&(struct sf_filter_options){.drop_if = drop_if, .n_drop_if = 1},
                               &filter, err, sizeof(err)),
                 SF_OK);
    struct sf_hec_event_mapping *map = new_mapping(false, fields, 1);
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    size_t n_dropped = 0;
    for (int iter = 0; iter < 500; iter++) {
        rand_list_fill(&rl, &seed);
        const struct sf_filter *f = (iter & 1) ? filter : NULL;
        sf_buf_reset(&out);
        SF_CHECK_ERR(sf_buf_append(&out, "{}\n", 3), SF_OK); /* something already there */
        size_t first = rl.list.n_logs_total ? rng_next(&seed) % (rl.list.n_logs_total + 1) : 0;
        size_t n_done, n_filtered;
        memset(ends, 0xff, sizeof(ends));
        SF_CHECK_ERR(sf_hec_event_append_list_indexed(map, f, NULL, &rl.list, first, &out, ends,
                                                      &n_done, &n_filtered),
                     SF_OK);
        assert_int_equal(n_done, rl.list.n_logs_total - first);
        n_dropped += n_filtered;
        size_t k = 0;
        for (size_t pos = 3; pos < out.len; k++) {
            const uint8_t *nl = memchr(out.ptr + pos, '\n', out.len - pos);
            assert_non_null(nl);
            pos = (size_t)(nl - out.ptr) + 1;
            assert_true(k < n_done - n_filtered);
            assert_int_equal(ends[k], pos);
        }
        assert_int_equal(k, n_done - n_filtered);
        assert_int_equal(ends[k], UINT32_MAX); /* nothing past the last one */
    }
    assert_true(n_dropped > 0);
    sf_buf_cleanup(&out);
    sf_hec_event_mapping_free(map);
    sf_filter_free(filter);
}

/* ---- the bounded buffer ---- */

/* For every max from 0 up to past what the whole list needs: appending into a buffer that
 * already holds a prefix either succeeds with exactly the unbounded bytes, or fails leaving
 * the buffer as it was; flushing and resuming reproduces the unbounded output. */
static void full_buffer_is_left_untouched_and_resumable(void **state)
{
    (void)state;
    static const char *const fields[] = {"audit:event"};
    static struct rand_list rl;
    uint64_t seed = 0x1234;
    struct sf_buf want, got, flushed;
    sf_buf_init(&want, SIZE_MAX);
    sf_buf_init(&flushed, SIZE_MAX);
    for (int iter = 0; iter < 40; iter++) {
        struct sf_hec_event_mapping *map = new_mapping(iter & 1, fields, 1);
        rand_list_fill(&rl, &seed);
        size_t n_done;
        sf_buf_reset(&want);
        SF_CHECK_ERR(sf_hec_event_append_list(map, &rl.list, 0, &want, &n_done), SF_OK);
        size_t step = want.len / 300 + 1;
        for (size_t max = 0; max <= want.len + 8; max += step) {
            sf_buf_init(&got, max);
            sf_buf_reset(&flushed);
            size_t next = 0;
            size_t n_dropped = 0;
            unsigned attempt = 0;
            while (next < rl.list.n_logs_total) {
                /* Every other attempt, a marker prefix that must survive a failed append. */
                sf_buf_reset(&got);
                bool has_marker = max >= 1 && (attempt++ & 1);
                if (has_marker) {
                    SF_CHECK_ERR(sf_buf_append(&got, "M", 1), SF_OK);
                }
                sf_err err = sf_hec_event_append_list(map, &rl.list, next, &got, &n_done);
                if (err == SF_ERR_FULL || err == SF_ERR_TOO_BIG) {
                    assert_true(got.len <= max);
                } else {
                    SF_CHECK_ERR(err, SF_OK);
                }
                assert_true(!has_marker || got.ptr[0] == 'M');
                size_t skip = has_marker ? 1 : 0;
                if (got.len > skip) {
                    SF_CHECK_ERR(sf_buf_append(&flushed, got.ptr + skip, got.len - skip), SF_OK);
                }
                next += n_done;
                if (err == SF_ERR_TOO_BIG) {
                    assert_false(has_marker);
                    assert_int_equal(n_done, 0);
                    /* Dropped: write it unbounded so the comparison below still holds. */
                    size_t at = next;
                    for (size_t g = 0; g < rl.list.n_groups; g++) {
                        if (at < rl.list.groups[g].n_logs) {
                            SF_CHECK_ERR(sf_hec_event_append(map, &rl.list.groups[g],
                                                             &rl.list.groups[g].logs[at], &flushed),
                                         SF_OK);
                            break;
                        }
                        at -= rl.list.groups[g].n_logs;
                    }
                    next++;
                    n_dropped++;
                } else if (err == SF_ERR_FULL && n_done == 0) {
                    assert_true(has_marker); /* only an empty buffer's failure is final */
                }
            }
            assert_int_equal(flushed.len, want.len);
            assert_memory_equal(flushed.ptr, want.ptr, want.len);
            if (max >= want.len) {
                assert_int_equal(n_dropped, 0);
            }
            sf_buf_cleanup(&got);
        }
        sf_hec_event_mapping_free(map);
    }
    sf_buf_cleanup(&flushed);
    sf_buf_cleanup(&want);
}

static void an_event_fits_to_the_byte(void **state)
{
    (void)state;
    struct sf_log_kv contents[] = {KV("msg", "hello \"world\" \x01\xff"), KV("n", "1")};
    struct sf_log log = {.time = 1749542400, .contents = contents, .n_contents = 2};
    struct sf_loggroup group = {.topic = SF_STR_LIT("t"), .source = SF_STR_LIT("s")};
    for (int form = 0; form < 2; form++) {
        struct sf_hec_event_mapping *map = new_mapping(form == 1, NULL, 0);
        size_t need;
        char *want = map_one(map, &group, &log, &need);
        struct sf_buf out;
        sf_buf_init(&out, need);
        SF_CHECK_ERR(sf_hec_event_append(map, &group, &log, &out), SF_OK);
        assert_int_equal(out.len, need);
        assert_memory_equal(out.ptr, want, need);
        sf_buf_cleanup(&out);

        sf_buf_init(&out, need - 1);
        SF_CHECK_ERR(sf_hec_event_append(map, &group, &log, &out), SF_ERR_TOO_BIG);
        assert_int_equal(out.len, 0);
        SF_CHECK_ERR(sf_buf_append(&out, "x", 1), SF_OK);
        SF_CHECK_ERR(sf_hec_event_append(map, &group, &log, &out), SF_ERR_FULL);
        assert_int_equal(out.len, 1);
        assert_int_equal(out.ptr[0], 'x');
        sf_buf_cleanup(&out);

        /* Just above the exact size: the writer's scratch fits in place, or it does not and
         * the event goes through a temporary copy; both give the same bytes. */
        static const size_t extras[] = {1, 16, 31, 32, 33, 40, 100, 1000};
        for (size_t i = 0; i < N_OF(extras); i++) {
            sf_buf_init(&out, need + extras[i]);
            SF_CHECK_ERR(sf_hec_event_append(map, &group, &log, &out), SF_OK);
            assert_int_equal(out.len, need);
            assert_memory_equal(out.ptr, want, need);
            sf_buf_cleanup(&out);
        }
        test_free(want);
        sf_hec_event_mapping_free(map);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pb1_maps_to_the_exact_bytes_in_both_forms),
        cmocka_unit_test(metadata_is_omitted_when_unset_and_escaped_when_set),
        cmocka_unit_test(mapping_refuses_bad_options),
        cmocka_unit_test(time_renders_seconds_and_truncated_milliseconds),
        cmocka_unit_test(empty_topic_source_and_contents_still_make_an_event),
        cmocka_unit_test(repeated_keys_keep_their_first_place_and_last_value),
        cmocka_unit_test(json_fields_embed_valid_json_and_keep_the_rest_as_strings),
        cmocka_unit_test(hostile_bytes_everywhere_still_give_valid_json),
        cmocka_unit_test(every_control_byte_round_trips),
        cmocka_unit_test(megabyte_value_round_trips),
        cmocka_unit_test(random_logs_match_the_model_in_both_forms),
        cmocka_unit_test(logs_that_repeat_their_predecessors_keys_map_as_alone),
        cmocka_unit_test(the_indexed_call_says_where_each_event_ends),
        cmocka_unit_test(full_buffer_is_left_untouched_and_resumable),
        cmocka_unit_test(an_event_fits_to_the_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

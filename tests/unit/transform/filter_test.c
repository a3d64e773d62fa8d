/* transform/filter.h on hand-built logs: which events the rules keep, which field each rule
 * reads, field keep/drop/rename, and the exact HEC and syslog output with filters on. */
#include "sf_test.h"

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "transform/hec_event.h"
#include "transform/syslog_line.h"
#include "util/buf.h"

#define KV(k, v)                                                                                \
    {                                                                                           \
        .key = {.ptr = (k), .len = sizeof(k) - 1}, .value = {.ptr = (v), .len = sizeof(v) - 1 } \
    }
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* An nginx group: three logs, a hostname tag and a path tag. */
static struct sf_log_kv tags[] = {KV("__hostname__", "web-1"), KV("__path__", "/var/log/a.log")};
static struct sf_log_kv log_ok[] = {KV("status", "200"), KV("path", "/index.html"),
                                    KV("ua", "curl/8.1")};
static struct sf_log_kv log_health[] = {KV("status", "503"), KV("path", "/healthz"),
                                        KV("ua", "kube-probe")};
static struct sf_log_kv log_err[] = {KV("status", "404"), KV("path", "/missing"),
                                     KV("ua", "Mozilla")};
static struct sf_log logs[] = {
    {.time = 1749542400, .contents = log_ok, .n_contents = 3},
    {.time = 1749542401, .contents = log_health, .n_contents = 3},
    {.time = 1749542402, .contents = log_err, .n_contents = 3},
};
static const struct sf_loggroup group = {
    .logs = logs,
    .n_logs = 3,
    .topic = SF_STR_LIT("nginx"),
    .source = SF_STR_LIT("10.0.0.1"),
    .tags = tags,
    .n_tags = 2,
};

#define LIST(...) (const char *const[]){__VA_ARGS__}, N_OF(((const char *const[]){__VA_ARGS__}))

static struct sf_filter *new_filter(const struct sf_filter_options *opts)
{
    struct sf_filter *filter = NULL;
    char errbuf[256];
    sf_err err = sf_filter_new(opts, &filter, errbuf, sizeof(errbuf));
    if (err) {
        fail_msg("%s", errbuf);
    }
    return filter;
}

/* Which of the three logs |opts| keeps, as "ynn". */
static void expect_kept(const struct sf_filter_options *opts, const char *want)
{
    struct sf_filter *filter = new_filter(opts);
    char got[4] = "";
    for (size_t i = 0; i < 3; i++) {
        got[i] = sf_filter_keeps_event(filter, &group, &logs[i]) ? 'y' : 'n';
    }
    assert_string_equal(got, want);
    sf_filter_free(filter);
}

static void keep_if_and_drop_if_combine(void **state)
{
    (void)state;
    struct sf_filter_options none = {0};
    expect_kept(&none, "yyy");
    assert_true(sf_filter_keeps_event(NULL, &group, &logs[0]));
    struct sf_filter_options errors = {.keep_if = LIST("status>=400")};
    expect_kept(&errors, "nyy");
    struct sf_filter_options no_health = {.drop_if = LIST("path~^/health")};
    expect_kept(&no_health, "yny");
    /* keep_if AND NOT drop_if; within a list, any rule is enough. */
    struct sf_filter_options both = {.keep_if = LIST("status>=400"),
                                     .drop_if = LIST("path~^/health")};
    expect_kept(&both, "nny");
    struct sf_filter_options either = {.keep_if = LIST("status=200", "ua=Moz*")};
    expect_kept(&either, "yny");
}

static void rules_read_topic_source_tags_and_contents(void **state)
{
    (void)state;
    struct sf_filter_options topic = {.keep_if = LIST("__topic__=ngin?")};
    expect_kept(&topic, "yyy");
    struct sf_filter_options source = {.drop_if = LIST("__source__=10.0.0.*")};
    expect_kept(&source, "nnn");
    struct sf_filter_options tag = {.keep_if = LIST("__tag__:__hostname__=web-2")};
    expect_kept(&tag, "nnn");
    struct sf_filter_options tag2 = {.keep_if = LIST("__tag__:__path__~a\\.log$")};
    expect_kept(&tag2, "yyy");
    struct sf_filter_options absent = {.drop_if = LIST("nosuch!=x")};
    expect_kept(&absent, "nnn");

    /* A content named like a group key wins, as it does in the event. */
    struct sf_log_kv shadow[] = {KV("__topic__", "other"), KV("__tag__:__hostname__", "web-9")};
    struct sf_log log = {.time = 1, .contents = shadow, .n_contents = 2};
    struct sf_filter *filter =
        new_filter(&(struct sf_filter_options){.keep_if = LIST("__topic__=other")});
    assert_true(sf_filter_keeps_event(filter, &group, &log));
    assert_false(sf_filter_keeps_event(filter, &group, &logs[0]));
    sf_filter_free(filter);
    filter = new_filter(&(struct sf_filter_options){.keep_if = LIST("__tag__:__hostname__=web-9")});
    assert_true(sf_filter_keeps_event(filter, &group, &log));
    sf_filter_free(filter);
    /* Repeated keys: the last value is the one the event shows. */
    struct sf_log_kv twice[] = {KV("a", "1"), KV("a", "2")};
    log = (struct sf_log){.time = 1, .contents = twice, .n_contents = 2};
    filter = new_filter(&(struct sf_filter_options){.keep_if = LIST("a=2")});
    assert_true(sf_filter_keeps_event(filter, &group, &log));
    sf_filter_free(filter);
}

static bool field(const struct sf_filter *filter, const char *name, bool is_tag, const char **out)
{
    struct sf_filter_key key = {.name = sf_str_from(name), .is_tag = is_tag};
    bool is_kept = sf_filter_field(filter, &key);
    static char renamed[64];
    snprintf(renamed, sizeof(renamed), "%s%.*s", key.is_tag ? "__tag__:" : "", (int)key.name.len,
             key.name.ptr);
    *out = renamed;
    return is_kept;
}

static void field_rules_keep_drop_and_rename(void **state)
{
    (void)state;
    const char *name;
    struct sf_filter *filter = new_filter(&(struct sf_filter_options){
        .keep_fields = LIST("status", "path", "__tag__:*", "__topic__"),
        .drop_fields = LIST("__tag__:__path__"),
        .rename = LIST("__tag__:__hostname__=host", "path=uri"),
    });
    assert_true(sf_filter_has_field_rules(filter));
    assert_false(sf_filter_has_event_rules(filter));
    assert_true(field(filter, "status", false, &name));
    assert_string_equal(name, "status");
    assert_false(field(filter, "ua", false, &name));
    assert_false(field(filter, "__source__", false, &name));
    assert_true(field(filter, "__topic__", false, &name));
    assert_true(field(filter, "path", false, &name));
    assert_string_equal(name, "uri");
    assert_true(field(filter, "__hostname__", true, &name));
    assert_string_equal(name, "host");
    assert_false(field(filter, "__path__", true, &name));
    /* A content spelled "__tag__:x" is the same key as tag x. */
    assert_false(field(filter, "__tag__:__path__", false, &name));
    assert_int_equal(sf_filter_rename_growth(filter), 0);
    sf_filter_free(filter);

    filter = new_filter(&(struct sf_filter_options){.rename = LIST("a=abcdef")});
    assert_int_equal(sf_filter_rename_growth(filter), 5);
    sf_filter_free(filter);
    assert_true(field(NULL, "x", false, &name));
}

static void bad_lists_name_the_list_and_the_entry(void **state)
{
    (void)state;
    struct sf_filter *filter = (struct sf_filter *)1;
    char errbuf[256];
    SF_CHECK_ERR(sf_filter_new(&(struct sf_filter_options){.drop_if = LIST("ok=1", "path~(")},
                               &filter, errbuf, sizeof(errbuf)),
                 SF_ERR_CONFIG);
    assert_null(filter);
    assert_string_equal(errbuf, "drop_if: rule \"path~(\": regex \"(\" does not compile: Unmatched "
                                "( or \\(");
    SF_CHECK_ERR(sf_filter_new(&(struct sf_filter_options){.rename = LIST("a=")}, &filter, errbuf,
                               sizeof(errbuf)),
                 SF_ERR_CONFIG);
    assert_string_equal(errbuf,
                        "rename: entry \"a=\" is not old=new (such as __tag__:__hostname__=host)");
    SF_CHECK_ERR(sf_filter_new(&(struct sf_filter_options){.rename = LIST("a=b", "a=c")}, &filter,
                               errbuf, sizeof(errbuf)),
                 SF_ERR_CONFIG);
    assert_string_equal(errbuf, "rename: \"a\" is renamed twice");
}

static char *hec_text(const struct sf_hec_event_mapping *map,
                      const struct sf_filter *filter,
                      size_t *n_done,
                      size_t *n_filtered)
{
    struct sf_loggroup_list list = {.groups = &group, .n_groups = 1, .n_logs_total = 3};
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, filter, NULL, &list, 0, &out, n_done, n_filtered),
        SF_OK);
    char *text = test_malloc(out.len + 1);
    memcpy(text, out.ptr, out.len);
    text[out.len] = '\0';
    sf_buf_cleanup(&out);
    return text;
}

static void hec_events_with_filters_are_exact(void **state)
{
    (void)state;
    struct sf_hec_event_mapping *map = NULL;
    struct sf_hec_event_options opts = {.index = "web"};
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    struct sf_filter *filter = new_filter(&(struct sf_filter_options){
        .keep_if = LIST("status>=400"),
        .drop_if = LIST("path~^/health"),
        .drop_fields = LIST("ua", "__tag__:__path__", "__source__", "__topic__"),
        .rename = LIST("__tag__:__hostname__=host"),
    });
    size_t n_done, n_filtered;
    char *text = hec_text(map, filter, &n_done, &n_filtered);
    assert_int_equal(n_done, 3);
    assert_int_equal(n_filtered, 2);
    assert_string_equal(text,
                        "{\"time\":1749542402,\"index\":\"web\",\"event\":{\"host\":\"web-1\","
                        "\"status\":\"404\",\"path\":\"/missing\"}}\n");
    test_free(text);
    sf_filter_free(filter);

    /* Every group key dropped: the first content opens the object without a comma. */
    filter = new_filter(&(struct sf_filter_options){.keep_fields = LIST("status")});
    text = hec_text(map, filter, &n_done, &n_filtered);
    assert_int_equal(n_filtered, 0);
    assert_string_equal(text,
                        "{\"time\":1749542400,\"index\":\"web\",\"event\":{\"status\":\"200\"}}\n"
                        "{\"time\":1749542401,\"index\":\"web\",\"event\":{\"status\":\"503\"}}\n"
                        "{\"time\":1749542402,\"index\":\"web\",\"event\":{\"status\":\"404\"}}\n");
    test_free(text);
    sf_filter_free(filter);

    /* Everything dropped: an empty object, still one event per kept log. */
    filter = new_filter(
        &(struct sf_filter_options){.keep_if = LIST("status=404"), .keep_fields = LIST("nothing")});
    text = hec_text(map, filter, &n_done, &n_filtered);
    assert_string_equal(text, "{\"time\":1749542402,\"index\":\"web\",\"event\":{}}\n");
    test_free(text);
    sf_filter_free(filter);

    /* Without rules the output is byte for byte that of sf_hec_event_append_list. */
    filter = new_filter(&(struct sf_filter_options){0});
    text = hec_text(map, filter, &n_done, &n_filtered);
    char *plain = hec_text(map, NULL, &n_done, &n_filtered);
    assert_string_equal(text, plain);
    assert_non_null(strstr(plain, "\"__tag__:__path__\":\"/var/log/a.log\",\"status\":\"200\""));
    test_free(text);
    test_free(plain);
    sf_filter_free(filter);
    sf_hec_event_mapping_free(map);
}

static void hec_renames_grow_within_the_bound_in_both_forms(void **state)
{
    (void)state;
    /* Long renames and duplicate keys (the general path) in the object and the string form. */
    struct sf_log_kv dup[] = {KV("a", "1"), KV("b", "\"q\""), KV("a", "2")};
    struct sf_log log = {.time = 7, .contents = dup, .n_contents = 3};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1, .topic = SF_STR_LIT("t")};
    struct sf_loggroup_list list = {.groups = &g, .n_groups = 1, .n_logs_total = 1};
    const char *want[] = {
        "{\"time\":7,\"event\":{\"a_much_longer_name_for_a\":\"2\",\"b\":\"\\\"q\\\"\"}}\n",
        "{\"time\":7,\"event\":\"{\\\"a_much_longer_name_for_a\\\":\\\"2\\\",\\\"b\\\":"
        "\\\"\\\\\\\"q\\\\\\\"\\\"}\"}\n",
    };
    struct sf_filter *filter = new_filter(&(struct sf_filter_options){
        .drop_fields = LIST("__*"), .rename = LIST("a=a_much_longer_name_for_a")});
    for (int form = 0; form < 2; form++) {
        struct sf_hec_event_mapping *map = NULL;
        struct sf_hec_event_options opts = {.event_as_string = form == 1};
        SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
        size_t exact = strlen(want[form]);
        for (size_t max = exact; max <= exact + 1; max++) { /* the exact size fits */
            struct sf_buf out;
            sf_buf_init(&out, max);
            size_t n_done, n_filtered;
            SF_CHECK_ERR(sf_hec_event_append_list_from(map, filter, NULL, &list, 0, &out, &n_done,
                                                       &n_filtered),
                         SF_OK);
            assert_int_equal(out.len, exact);
            assert_memory_equal(out.ptr, want[form], exact);
            sf_buf_cleanup(&out);
        }
        sf_hec_event_mapping_free(map);
    }
    sf_filter_free(filter);
}

static void syslog_messages_with_filters_are_exact(void **state)
{
    (void)state;
    struct sf_syslog_line_options opts;
    sf_syslog_line_options_init(&opts);
    opts.framing = SF_SYSLOG_LINE_FRAMING_LF;
    opts.utf8_bom = false;
    struct sf_syslog_line_mapping *m = NULL;
    SF_CHECK_ERR(sf_syslog_line_mapping_new(&opts, &m, NULL, 0), SF_OK);
    struct sf_filter *filter = new_filter(
        &(struct sf_filter_options){.keep_fields = LIST("status", "path", "__tag__:__hostname__"),
                                    .rename = LIST("__tag__:__hostname__=host")});
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    struct sf_syslog_line_append_info info;
    SF_CHECK_ERR(
        sf_syslog_line_append_filtered(m, filter, "p", "nginx", 0, &group, &logs[2], &out, &info),
        SF_OK);
    sf_buf_terminate(&out);
    assert_string_equal((const char *)out.ptr,
                        "<14>1 2025-06-10T08:00:02Z - sls - nginx [sls@32473 project=\"p\" "
                        "logstore=\"nginx\" topic=\"nginx\" shard=\"0\"] "
                        "{\"host\":\"web-1\",\"status\":\"404\",\"path\":\"/missing\"}\n");
    sf_buf_cleanup(&out);
    sf_filter_free(filter);
    sf_syslog_line_mapping_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keep_if_and_drop_if_combine),
        cmocka_unit_test(rules_read_topic_source_tags_and_contents),
        cmocka_unit_test(field_rules_keep_drop_and_rename),
        cmocka_unit_test(bad_lists_name_the_list_and_the_entry),
        cmocka_unit_test(hec_events_with_filters_are_exact),
        cmocka_unit_test(hec_renames_grow_within_the_bound_in_both_forms),
        cmocka_unit_test(syslog_messages_with_filters_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Routing templates (util/template.h, transform/template.h) and the position fields: parsing
 * and its errors, resolution against a log, and the exact HEC and syslog output. */
#include "sf_test.h"

#include <jansson.h>

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "transform/hec_event.h"
#include "transform/syslog_line.h"
#include "transform/template.h"
#include "util/template.h"

#define KV(k, v)                                     \
    {                                                \
        .key = SF_STR_LIT(k), .value = SF_STR_LIT(v) \
    }

/* Two groups: nginx with a hostname tag and two logs (status repeats in the second: the last
 * value counts), and one without topic, source or tags. */
static const struct sf_log_kv tags_a[] = {KV("__hostname__", "web-1"), KV("__pack_id__", "C0-1")};
static const struct sf_log_kv log_a0[] = {KV("status", "200"), KV("msg", "ok")};
static const struct sf_log_kv log_a1[] = {KV("status", "500"), KV("status", "502"),
                                          KV("msg", "a\"b")};
static const struct sf_log_kv log_b0[] = {KV("level", "warn")};
static const struct sf_log logs_a[] = {
    {.time = 1749542400, .contents = log_a0, .n_contents = 2},
    {.time = 1749542401, .contents = log_a1, .n_contents = 3},
};
static const struct sf_log logs_b[] = {{.time = 1749542402, .contents = log_b0, .n_contents = 1}};
static const struct sf_loggroup groups[] = {
    {.logs = logs_a,
     .n_logs = 2,
     .topic = SF_STR_LIT("nginx"),
     .source = SF_STR_LIT("10.0.0.1"),
     .machine_uuid = SF_STR_LIT(""),
     .tags = tags_a,
     .n_tags = 2},
    {.logs = logs_b,
     .n_logs = 1,
     .topic = SF_STR_LIT(""),
     .source = SF_STR_LIT(""),
     .machine_uuid = SF_STR_LIT("")},
};
static const struct sf_loggroup_list list = {.groups = groups, .n_groups = 2, .n_logs_total = 3};

/* ---- parsing ---- */

static void parse_ok(const char *text, struct sf_template *t)
{
    char err[160];
    if (sf_template_parse(text, t, err, sizeof(err)) != SF_OK) {
        fail_msg("%s: %s", text, err);
    }
}

static void parse_bad(const char *text, const char *want)
{
    struct sf_template t;
    char err[160] = "";
    SF_CHECK_ERR(sf_template_parse(text, &t, err, sizeof(err)), SF_ERR_CONFIG);
    sf_template_cleanup(&t);
    assert_string_equal(err, want);
}

static void templates_parse_into_literals_and_references(void **state)
{
    (void)state;
    struct sf_template t;
    parse_ok("aliyun:{__topic__|sls}-{project}/{logstore}{{x}}", &t);
    assert_false(t.is_literal);
    assert_int_equal(t.n_parts, 7);
    assert_int_equal(t.parts[0].kind, SF_TEMPLATE_LITERAL);
    assert_true(sf_str_eq_cstr(t.parts[0].text, "aliyun:"));
    assert_int_equal(t.parts[1].kind, SF_TEMPLATE_FIELD);
    assert_true(sf_str_eq_cstr(t.parts[1].text, "__topic__"));
    assert_true(t.parts[1].has_fallback);
    assert_true(sf_str_eq_cstr(t.parts[1].fallback, "sls"));
    assert_int_equal(t.parts[3].kind, SF_TEMPLATE_PROJECT);
    assert_int_equal(t.parts[5].kind, SF_TEMPLATE_LOGSTORE);
    assert_true(sf_str_eq_cstr(t.parts[6].text, "{x}"));
    sf_template_cleanup(&t);

    parse_ok("main", &t);
    assert_true(t.is_literal);
    assert_string_equal(t.text, "main");
    sf_template_cleanup(&t);
    parse_ok("a{{b}}", &t);
    assert_true(t.is_literal);
    assert_string_equal(t.text, "a{b}");
    sf_template_cleanup(&t);
    /* An empty fallback, a tag, a field named like the source's words but not one of them. */
    parse_ok("{__tag__:__hostname__|}{project_id}", &t);
    assert_int_equal(t.n_parts, 2);
    assert_true(t.parts[0].has_fallback);
    assert_int_equal(t.parts[0].fallback.len, 0);
    assert_int_equal(t.parts[1].kind, SF_TEMPLATE_FIELD);
    sf_template_cleanup(&t);
}

static void bad_templates_say_what_and_where(void **state)
{
    (void)state;
    parse_bad("sls-{__topic__", "template: '{' is not closed (write '{{' for a brace) at column 5");
    parse_bad("a}b", "template: '}' without '{' (write '}}' for a brace) at column 2");
    parse_bad("{}", "template: empty field name in {} at column 1");
    parse_bad("x{|sls}", "template: empty field name in {} at column 2");
    parse_bad("{a{b}}", "template: '{' inside a reference at column 3");
    parse_bad("{project:name}",
              "template: unknown source reference (only {project} and {logstore} exist) at "
              "column 1");
    parse_bad("{logstore.name}",
              "template: unknown source reference (only {project} and {logstore} exist) at "
              "column 1");
    parse_bad("{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}{q}",
              "template: more than 16 parts (at column 49)");
}

/* ---- resolution ---- */

static void render(const char *text,
                   const struct sf_loggroup *g,
                   const struct sf_log *log,
                   char *out,
                   size_t out_size)
{
    struct sf_template t;
    parse_ok(text, &t);
    struct sf_str vals[SF_TEMPLATE_MAX_PARTS];
    struct sf_template_source src = {SF_STR_LIT("prod"), SF_STR_LIT("nginx")};
    size_t total = sf_template_resolve(&t, &src, g, log, vals);
    size_t n = 0;
    for (size_t i = 0; i < t.n_parts; i++) {
        assert_true(n + vals[i].len < out_size);
        memcpy(out + n, vals[i].ptr, vals[i].len);
        n += vals[i].len;
    }
    assert_int_equal(n, total);
    out[n] = '\0';
    sf_template_cleanup(&t);
}

static void references_resolve_against_the_log(void **state)
{
    (void)state;
    char out[256];
    render("{__topic__}|{__source__}|{__tag__:__hostname__}|{status}|{project}/{logstore}",
           &groups[0], &logs_a[0], out, sizeof(out));
    assert_string_equal(out, "nginx|10.0.0.1|web-1|200|prod/nginx");
    render("{status}", &groups[0], &logs_a[1], out, sizeof(out));
    assert_string_equal(out, "502"); /* the last of a repeated key, as the event keeps */
    render("sls-{__topic__|other}:{__tag__:__hostname__|nohost}:{missing|-}:{missing}", &groups[1],
           &logs_b[0], out, sizeof(out));
    assert_string_equal(out, "sls-other:nohost:-:");
    render("{missing}", &groups[1], &logs_b[0], out, sizeof(out));
    assert_string_equal(out, "");
}

/* ---- HEC output, exact ---- */

static char *hec_render(const struct sf_hec_event_options *opts,
                        const struct sf_hec_event_origin *from,
                        const struct sf_loggroup_list *l,
                        size_t first,
                        size_t max)
{
    struct sf_hec_event_mapping *map = NULL;
    char err[160];
    if (sf_hec_event_mapping_new(opts, &map, err, sizeof(err)) != SF_OK) {
        fail_msg("%s", err);
    }
    struct sf_buf out;
    sf_buf_init(&out, max);
    size_t n_done = 0, n_filtered = 0;
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, NULL, from, l, first, &out, &n_done, &n_filtered),
        SF_OK);
    assert_int_equal(n_done, l->n_logs_total - first);
    char *text = test_malloc(out.len + 1);
    memcpy(text, out.ptr, out.len);
    text[out.len] = '\0';
    sf_buf_cleanup(&out);
    sf_hec_event_mapping_free(map);
    return text;
}

static const struct sf_hec_event_origin origin = {
    .project = "prod", .logstore = "nginx", .shard = 3, .cursor = "MTAwMA==" /* 1000 */};

static void templates_render_into_the_envelope_exactly(void **state)
{
    (void)state;
    const char *fields[] = {"env=prod"};
    const struct sf_hec_event_options opts = {
        .sourcetype = "aliyun:{__topic__|sls}",
        .index = "{project}-{logstore}",
        .source = "{msg}",
        .host = "{__tag__:__hostname__}",
        .fields = fields,
        .n_fields = 1,
    };
    char *text = hec_render(&opts, &origin, &list, 0, 1 << 20);
    assert_string_equal(
        text, "{\"time\":1749542400,\"host\":\"web-1\",\"source\":\"ok\",\"sourcetype\":"
              "\"aliyun:nginx\",\"index\":\"prod-nginx\",\"fields\":{\"env\":\"prod\"},\"event\":{"
              "\"__topic__\":\"nginx\",\"__source__\":\"10.0.0.1\",\"__tag__:__hostname__\":"
              "\"web-1\",\"__tag__:__pack_id__\":\"C0-1\",\"status\":\"200\",\"msg\":\"ok\"}}\n"
              "{\"time\":1749542401,\"host\":\"web-1\",\"source\":\"a\\\"b\",\"sourcetype\":"
              "\"aliyun:nginx\",\"index\":\"prod-nginx\",\"fields\":{\"env\":\"prod\"},\"event\":{"
              "\"__topic__\":\"nginx\",\"__source__\":\"10.0.0.1\",\"__tag__:__hostname__\":"
              "\"web-1\",\"__tag__:__pack_id__\":\"C0-1\",\"status\":\"502\",\"msg\":\"a\\\"b\"}}\n"
              /* no host tag and no msg: host and source are left out, as an unset key is */
              "{\"time\":1749542402,\"sourcetype\":\"aliyun:sls\",\"index\":\"prod-nginx\","
              "\"fields\":{\"env\":\"prod\"},\"event\":{\"__topic__\":\"\",\"__source__\":\"\","
              "\"level\":\"warn\"}}\n");
    test_free(text);

    /* The string form escapes the event, not the envelope. */
    const struct sf_hec_event_options str_opts = {.index = "{__topic__|x}",
                                                  .event_as_string = true};
    const struct sf_loggroup_list one = {.groups = &groups[1], .n_groups = 1, .n_logs_total = 1};
    text = hec_render(&str_opts, NULL, &one, 0, 1 << 20);
    assert_string_equal(text,
                        "{\"time\":1749542402,\"index\":\"x\",\"event\":\"{\\\"__topic__\\\":"
                        "\\\"\\\",\\\"__source__\\\":\\\"\\\",\\\"level\\\":\\\"warn\\\"}\"}\n");
    test_free(text);
}

/* The writer finds template fields in its walk over the log's keys on the fast path, and
 * scans on the general path or with many names: all three give the event's own values. */
static void every_path_resolves_fields_the_same(void **state)
{
    (void)state;
    static const struct sf_log_kv zone_kv[] = {KV("__tag__:zone", "z1"), KV("status", "404")};
    static const struct sf_log zone_log[] = {
        {.time = 1749542403, .contents = zone_kv, .n_contents = 2}};
    const struct sf_loggroup zone_group = {.logs = zone_log,
                                           .n_logs = 1,
                                           .topic = SF_STR_LIT("t"),
                                           .source = SF_STR_LIT(""),
                                           .machine_uuid = SF_STR_LIT(""),
                                           .tags = tags_a,
                                           .n_tags = 2};
    const struct sf_loggroup_list zone = {.groups = &zone_group, .n_groups = 1, .n_logs_total = 1};
    const struct sf_hec_event_options few = {
        .host = "{__tag__:zone|none}", .index = "{status}-{__tag__:__hostname__}-{__topic__}"};
    char *text = hec_render(&few, NULL, &zone, 0, 1 << 20);
    const char *want = "{\"time\":1749542403,\"host\":\"z1\",\"index\":\"404-web-1-t\",";
    assert_memory_equal(text, want, strlen(want));
    test_free(text);

    /* More names than the walk tracks: every event scans. */
    const struct sf_hec_event_options many = {.index = "{a}{b}{c}{d}{e}{f}{g}{h}{status}"};
    text = hec_render(&many, NULL, &list, 0, 1 << 20);
    const char *line = text;
    const char *want_many[] = {"{\"time\":1749542400,\"index\":\"200\",",
                               "{\"time\":1749542401,\"index\":\"502\",",
                               "{\"time\":1749542402,\"event\":"};
    for (size_t i = 0; i < 3; i++) {
        assert_memory_equal(line, want_many[i], strlen(want_many[i]));
        line = strchr(line, '\n') + 1;
    }
    test_free(text);
}

static void a_literal_mapping_writes_what_it_always_did(void **state)
{
    (void)state;
    const struct sf_hec_event_options opts = {.index = "main", .sourcetype = "a{{b}}"};
    const struct sf_loggroup_list one = {.groups = &groups[1], .n_groups = 1, .n_logs_total = 1};
    char *text = hec_render(&opts, &origin, &one, 0, 1 << 20);
    assert_string_equal(text, "{\"time\":1749542402,\"sourcetype\":\"a{b}\",\"index\":\"main\","
                              "\"event\":{\"__topic__\":\"\",\"__source__\":\"\",\"level\":"
                              "\"warn\"}}\n");
    test_free(text);
}

/* The LogGroup's sequence number is the pull's cursor plus the group's index in the answer,
 * and the offset the log's index in its group: a pull that starts later, at the second group,
 * names its logs the same way. */
static void position_keys_name_the_log_not_the_pull(void **state)
{
    (void)state;
    const struct sf_hec_event_options opts = {.position_fields = true};
    char *text = hec_render(&opts, &origin, &list, 0, 1 << 20);
    const char *want[] = {
        "{\"time\":1749542400,\"fields\":{\"sls_shard\":\"3\",\"sls_position\":"
        "\"prod/nginx/3/1000/0\"},\"event\":",
        "{\"time\":1749542401,\"fields\":{\"sls_shard\":\"3\",\"sls_position\":"
        "\"prod/nginx/3/1000/1\"},\"event\":",
        "{\"time\":1749542402,\"fields\":{\"sls_shard\":\"3\",\"sls_position\":"
        "\"prod/nginx/3/1001/0\"},\"event\":",
    };
    const char *line = text;
    for (size_t i = 0; i < 3; i++) {
        assert_memory_equal(line, want[i], strlen(want[i]));
        line = strchr(line, '\n') + 1;
    }
    assert_string_equal(line, "");
    test_free(text);

    /* Redelivery from a later cursor (the checkpoint after the first group). */
    const struct sf_hec_event_origin later = {
        .project = "prod", .logstore = "nginx", .shard = 3, .cursor = "MTAwMQ==" /* 1001 */};
    const struct sf_loggroup_list tail = {.groups = &groups[1], .n_groups = 1, .n_logs_total = 1};
    text = hec_render(&opts, &later, &tail, 0, 1 << 20);
    assert_memory_equal(text, want[2], strlen(want[2]));
    test_free(text);

    /* Resumed after a full buffer: the offset is still the log's own. */
    text = hec_render(&opts, &origin, &list, 1, 1 << 20);
    assert_memory_equal(text, want[1], strlen(want[1]));
    test_free(text);

    /* With static indexed fields, a cursor that is not a number, and no origin at all. */
    const char *fields[] = {"env=prod"};
    const struct sf_hec_event_options with_fields = {
        .position_fields = true, .fields = fields, .n_fields = 1};
    const struct sf_hec_event_origin odd = {
        .project = "p", .logstore = "l", .shard = 0, .cursor = "not-a-cursor"};
    const struct sf_loggroup_list one = {.groups = &groups[1], .n_groups = 1, .n_logs_total = 1};
    text = hec_render(&with_fields, &odd, &one, 0, 1 << 20);
    const char *odd_want = "{\"time\":1749542402,\"fields\":{\"env\":\"prod\",\"sls_shard\":\"0\","
                           "\"sls_position\":\"p/l/0/not-a-cursor+0/0\"},\"event\":";
    assert_memory_equal(text, odd_want, strlen(odd_want));
    test_free(text);
    text = hec_render(&with_fields, NULL, &one, 0, 1 << 20);
    const char *none_want = "{\"time\":1749542402,\"fields\":{\"env\":\"prod\"},\"event\":";
    assert_memory_equal(text, none_want, strlen(none_want));
    test_free(text);
}

/* A buffer whose max is exactly the output's size takes the measuring path: the dynamic head
 * must measure as it writes. One byte less does not fit. */
static void a_dynamic_head_fills_a_buffer_to_the_byte(void **state)
{
    (void)state;
    const struct sf_hec_event_options opts = {
        .index = "{msg|none}", .host = "{__tag__:__hostname__}", .position_fields = true};
    const struct sf_loggroup_list one = {.groups = &groups[0], .n_groups = 1, .n_logs_total = 2};
    char *whole = hec_render(&opts, &origin, &one, 0, 1 << 20);
    size_t len = strlen(whole);
    char *exact = hec_render(&opts, &origin, &one, 0, len);
    assert_string_equal(exact, whole);
    test_free(exact);

    struct sf_hec_event_mapping *map = NULL;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, NULL, 0), SF_OK);
    struct sf_buf out;
    sf_buf_init(&out, len - 1);
    size_t n_done = 0, n_filtered = 0;
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, NULL, &origin, &one, 0, &out, &n_done, &n_filtered),
        SF_ERR_FULL);
    assert_int_equal(n_done, 1);
    assert_memory_equal(out.ptr, whole, out.len);
    sf_buf_cleanup(&out);
    sf_hec_event_mapping_free(map);
    test_free(whole);
}

static void a_bad_template_is_refused_by_the_mapping(void **state)
{
    (void)state;
    const struct sf_hec_event_options opts = {.sourcetype = "x{"};
    struct sf_hec_event_mapping *map = NULL;
    char err[200];
    SF_CHECK_ERR(sf_hec_event_mapping_new(&opts, &map, err, sizeof(err)), SF_ERR_CONFIG);
    assert_null(map);
    assert_string_equal(err, "sourcetype \"x{\": template: '{' is not closed (write '{{' for a "
                             "brace) at column 2");
}

/* ---- with client-side filters ---- */

static struct sf_filter *make_filter(const struct sf_filter_options *opts)
{
    struct sf_filter *f = NULL;
    char err[200];
    if (sf_filter_new(opts, &f, err, sizeof(err)) != SF_OK) {
        fail_msg("%s", err);
    }
    return f;
}

/* Renders |l| with |filter| and checks that a buffer of exactly the output's size (the
 * measuring path) takes it all, and one byte less stops after the last whole event. */
static char *filtered_render(const struct sf_hec_event_options *opts,
                             const struct sf_filter *filter,
                             const struct sf_loggroup_list *l,
                             size_t want_filtered)
{
    struct sf_hec_event_mapping *map = NULL;
    char err[160];
    if (sf_hec_event_mapping_new(opts, &map, err, sizeof(err)) != SF_OK) {
        fail_msg("%s", err);
    }
    struct sf_buf out;
    sf_buf_init(&out, 1 << 20);
    size_t n_done = 0, n_filtered = 0;
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, filter, &origin, l, 0, &out, &n_done, &n_filtered),
        SF_OK);
    assert_int_equal(n_done, l->n_logs_total);
    assert_int_equal(n_filtered, want_filtered);
    char *text = test_malloc(out.len + 1);
    memcpy(text, out.ptr, out.len);
    text[out.len] = '\0';
    size_t len = out.len;
    sf_buf_cleanup(&out);

    sf_buf_init(&out, len);
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, filter, &origin, l, 0, &out, &n_done, &n_filtered),
        SF_OK);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.ptr, text, len);
    sf_buf_cleanup(&out);
    sf_buf_init(&out, len - 1);
    sf_err e =
        sf_hec_event_append_list_from(map, filter, &origin, l, 0, &out, &n_done, &n_filtered);
    assert_true(e == SF_ERR_FULL || e == SF_ERR_TOO_BIG);
    assert_true(n_done < l->n_logs_total);
    assert_memory_equal(out.ptr, text, out.len);
    sf_buf_cleanup(&out);
    sf_hec_event_mapping_free(map);
    return text;
}

/* Filters and routing in one pass. The envelope reads the log as it came: a template names
 * a field by its original name even when the field rules rename or drop it in the event, and
 * a log the event rules drop keeps its place, so the next log's position is its own. */
static void filters_leave_templates_and_positions_as_the_log_came(void **state)
{
    (void)state;
    const char *drop_if[] = {"status=200"};
    const char *drop_fields[] = {"msg"};
    const char *rename[] = {"__tag__:__hostname__=host"};
    struct sf_filter *filter = make_filter(&(struct sf_filter_options){
        .drop_if = drop_if,
        .n_drop_if = 1,
        .drop_fields = drop_fields,
        .n_drop_fields = 1,
        .rename = rename,
        .n_rename = 1,
    });
    const struct sf_hec_event_options opts = {
        .host = "{__tag__:__hostname__|nohost}", .index = "{msg|none}", .position_fields = true};
    /* Log 0 of group 0 is dropped; log 1 (a repeated key: the general path) is 1000/1. */
    char *text = filtered_render(&opts, filter, &list, 1);
    assert_string_equal(text,
                        "{\"time\":1749542401,\"host\":\"web-1\",\"index\":\"a\\\"b\",\"fields\":{"
                        "\"sls_shard\":\"3\",\"sls_position\":\"prod/nginx/3/1000/1\"},\"event\":{"
                        "\"__topic__\":\"nginx\",\"__source__\":\"10.0.0.1\",\"host\":\"web-1\","
                        "\"__tag__:__pack_id__\":\"C0-1\",\"status\":\"502\"}}\n"
                        "{\"time\":1749542402,\"host\":\"nohost\",\"index\":\"none\",\"fields\":{"
                        "\"sls_shard\":\"3\",\"sls_position\":\"prod/nginx/3/1001/0\"},\"event\":{"
                        "\"__topic__\":\"\",\"__source__\":\"\",\"level\":\"warn\"}}\n");
    test_free(text);
    sf_filter_free(filter);

    /* The fast path (distinct keys, the group part cached): the middle of three logs is
     * dropped, the third stays /2; a template reads a field the rules drop. */
    static const struct sf_log_kv k0[] = {KV("n", "0"), KV("secret", "s0")};
    static const struct sf_log_kv k1[] = {KV("n", "1"), KV("secret", "s1")};
    static const struct sf_log_kv k2[] = {KV("n", "2"), KV("secret", "s2")};
    static const struct sf_log three_logs[] = {
        {.time = 1749542400, .contents = k0, .n_contents = 2},
        {.time = 1749542401, .contents = k1, .n_contents = 2},
        {.time = 1749542402, .contents = k2, .n_contents = 2},
    };
    const struct sf_loggroup three_group = {.logs = three_logs,
                                            .n_logs = 3,
                                            .topic = SF_STR_LIT("t"),
                                            .source = SF_STR_LIT("s"),
                                            .machine_uuid = SF_STR_LIT(""),
                                            .tags = tags_a,
                                            .n_tags = 2};
    const struct sf_loggroup_list three = {
        .groups = &three_group, .n_groups = 1, .n_logs_total = 3};
    const char *drop_one[] = {"n=1"};
    const char *keep_fields[] = {"n"};
    filter = make_filter(&(struct sf_filter_options){
        .drop_if = drop_one, .n_drop_if = 1, .keep_fields = keep_fields, .n_keep_fields = 1});
    const struct sf_hec_event_options fast = {.source = "{secret}", .position_fields = true};
    text = filtered_render(&fast, filter, &three, 1);
    assert_string_equal(text,
                        "{\"time\":1749542400,\"source\":\"s0\",\"fields\":{\"sls_shard\":\"3\","
                        "\"sls_position\":\"prod/nginx/3/1000/0\"},\"event\":{\"n\":\"0\"}}\n"
                        "{\"time\":1749542402,\"source\":\"s2\",\"fields\":{\"sls_shard\":\"3\","
                        "\"sls_position\":\"prod/nginx/3/1000/2\"},\"event\":{\"n\":\"2\"}}\n");
    test_free(text);

    /* Resumed at the dropped log (as after SF_ERR_FULL): it is consumed, the next is /2. */
    struct sf_hec_event_mapping *map = NULL;
    SF_CHECK_ERR(sf_hec_event_mapping_new(&fast, &map, NULL, 0), SF_OK);
    struct sf_buf out;
    sf_buf_init(&out, 1 << 16);
    size_t n_done = 0, n_filtered = 0;
    SF_CHECK_ERR(
        sf_hec_event_append_list_from(map, filter, &origin, &three, 1, &out, &n_done, &n_filtered),
        SF_OK);
    assert_int_equal(n_done, 2);
    assert_int_equal(n_filtered, 1);
    const char *want = "{\"time\":1749542402,\"source\":\"s2\",\"fields\":{\"sls_shard\":\"3\","
                       "\"sls_position\":\"prod/nginx/3/1000/2\"}";
    assert_memory_equal(out.ptr, want, strlen(want));
    sf_buf_cleanup(&out);
    sf_hec_event_mapping_free(map);
    sf_filter_free(filter);

    /* Syslog alike: the hostname template reads the tag the rules renamed in the MSG. */
    filter = make_filter(&(struct sf_filter_options){.rename = rename, .n_rename = 1});
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_STATIC;
    o.hostname = "{__tag__:__hostname__|-}";
    struct sf_syslog_line_mapping *m = NULL;
    SF_CHECK_ERR(sf_syslog_line_mapping_new(&o, &m, NULL, 0), SF_OK);
    sf_buf_init(&out, 1 << 16);
    struct sf_syslog_line_append_info info;
    SF_CHECK_ERR(sf_syslog_line_append_filtered(m, filter, "prod", "nginx", 3, &groups[0],
                                                &logs_a[0], &out, &info),
                 SF_OK);
    SF_CHECK_ERR(sf_buf_append(&out, "", 1), SF_OK);
    const char *text_s = (const char *)out.ptr;
    assert_memory_equal(text_s, "<14>1 2025-06-10T08:00:00Z web-1 ", 33);
    assert_non_null(strstr(text_s, "\"host\":\"web-1\""));
    assert_null(strstr(text_s, "\"__tag__:__hostname__\""));
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
    sf_filter_free(filter);
}

/* ---- syslog ---- */

static void syslog_header_fields_take_templates(void **state)
{
    (void)state;
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_STATIC;
    o.hostname = "{__tag__:__hostname__|-}";
    o.app_name = "{logstore} app";
    o.msgid = "{__topic__|sls}";
    struct sf_syslog_line_mapping *m = NULL;
    char err[200];
    SF_CHECK_ERR(sf_syslog_line_mapping_new(&o, &m, err, sizeof(err)), SF_OK);
    struct sf_buf out;
    sf_buf_init(&out, 1 << 16);
    SF_CHECK_ERR(sf_syslog_line_append(m, "prod", "nginx", 3, &groups[0], &logs_a[0], &out), SF_OK);
    const char *want = "<14>1 2025-06-10T08:00:00Z web-1 nginx_app - nginx [sls@32473 ";
    assert_memory_equal(out.ptr, want, strlen(want));
    out.len = 0;
    SF_CHECK_ERR(sf_syslog_line_append(m, "prod", "nginx", 3, &groups[1], &logs_b[0], &out), SF_OK);
    want = "<14>1 2025-06-10T08:00:02Z - nginx_app - sls [sls@32473 ";
    assert_memory_equal(out.ptr, want, strlen(want));
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);

    o.msgid = "{a";
    SF_CHECK_ERR(sf_syslog_line_mapping_new(&o, &m, err, sizeof(err)), SF_ERR_CONFIG);
    assert_string_equal(err, "syslog msgid \"{a\": template: '{' is not closed (write '{{' for "
                             "a brace) at column 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(templates_parse_into_literals_and_references),
        cmocka_unit_test(bad_templates_say_what_and_where),
        cmocka_unit_test(references_resolve_against_the_log),
        cmocka_unit_test(templates_render_into_the_envelope_exactly),
        cmocka_unit_test(every_path_resolves_fields_the_same),
        cmocka_unit_test(a_literal_mapping_writes_what_it_always_did),
        cmocka_unit_test(position_keys_name_the_log_not_the_pull),
        cmocka_unit_test(a_dynamic_head_fills_a_buffer_to_the_byte),
        cmocka_unit_test(a_bad_template_is_refused_by_the_mapping),
        cmocka_unit_test(filters_leave_templates_and_positions_as_the_log_came),
        cmocka_unit_test(syslog_header_fields_take_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

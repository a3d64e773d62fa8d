/* transform/syslog_line.h on hand-built logs: exact bytes for every framing and format, SD
 * escaping, hostile bytes, truncation, header hygiene, severity mapping, time and BOM, and the
 * bounded-buffer contract. */
#include "xform_test.h"

#include "codec/loggroup.h"
#include "transform/syslog_line.h"
#include "util/buf.h"

#include "util/banned.h"

#define KV(k, v)                                                                                \
    {                                                                                           \
        .key = {.ptr = (k), .len = sizeof(k) - 1}, .value = {.ptr = (v), .len = sizeof(v) - 1 } \
    }
#define STR(s)                           \
    {                                    \
        .ptr = (s), .len = sizeof(s) - 1 \
    }
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define T_NOV26 1795686600u /* 2026-11-26T09:50:00Z */
#define T_NOV6  1793955907u /* 2026-11-06T09:05:07Z */

static const struct sf_log_kv audit_kv[] = {KV("eventName", "CreateUser"), KV("status", "ok")};

static struct sf_log audit_log(void)
{
    struct sf_log log = {.time = T_NOV26,
                         .time_ns = 123456789,
                         .has_time_ns = true,
                         .contents = audit_kv,
                         .n_contents = N_OF(audit_kv)};
    return log;
}

static struct sf_loggroup audit_group(const struct sf_log *log)
{
    struct sf_loggroup g = {.logs = log, .n_logs = 1, .topic = STR("actiontrail")};
    g.source = (struct sf_str)STR("10.0.0.1");
    return g;
}

static struct sf_syslog_line_mapping *new_map(const struct sf_syslog_line_options *opts)
{
    struct sf_syslog_line_mapping *m;
    char errbuf[256] = "";
    sf_err err = sf_syslog_line_mapping_new(opts, &m, errbuf, sizeof(errbuf));
    if (err) {
        fail_msg("mapping: %s", errbuf);
    }
    return m;
}

/* One message into a fresh unbounded buffer, NUL-terminated; test_free the result. */
static char *format_one(const struct sf_syslog_line_options *opts,
                        const struct sf_loggroup *group,
                        const struct sf_log *log,
                        size_t *len)
{
    struct sf_syslog_line_mapping *m = new_map(opts);
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, group, log, &out), SF_OK);
    char *text = test_malloc(out.len + 1);
    memcpy(text, out.ptr, out.len);
    text[out.len] = '\0';
    *len = out.len;
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
    return text;
}

static void expect(const struct sf_syslog_line_options *opts,
                   const struct sf_loggroup *group,
                   const struct sf_log *log,
                   const char *want,
                   size_t want_len)
{
    size_t len;
    char *got = format_one(opts, group, log, &len);
    if (len != want_len || memcmp(got, want, len) != 0) {
        fail_msg("got  (%zu) %s\nwant (%zu) %s", len, got, want_len, want);
    }
    test_free(got);
}

#define EXPECT(opts, group, log, lit) expect((opts), (group), (log), (lit), sizeof(lit) - 1)

static struct sf_syslog_line_options spec_opts(void)
{
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.facility = 16;
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_STATIC;
    o.hostname = "sls-fwd";
    o.app_name = "slsfwd";
    o.procid = "4242";
    return o;
}

#define SPEC_MSG                                                                            \
    "<134>1 2026-11-26T09:50:00.123456Z sls-fwd slsfwd 4242 audit [sls@32473 "              \
    "project=\"proj-a\" logstore=\"audit\" topic=\"actiontrail\" shard=\"3\"] "             \
    "\xEF\xBB\xBF{\"__topic__\":\"actiontrail\",\"__source__\":\"10.0.0.1\",\"eventName\":" \
    "\"CreateUser\",\"status\":\"ok\"}"

static void rfc5424_octet_counted_matches_the_spec_example(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o = spec_opts();
    char want[512];
    int n = snprintf(want, sizeof(want), "%zu %s", sizeof(SPEC_MSG) - 1, SPEC_MSG);
    expect(&o, &g, &log, want, (size_t)n);
}

static void rfc5424_lf_framing_ends_with_lf(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o = spec_opts();
    o.framing = SF_SYSLOG_LINE_FRAMING_LF;
    EXPECT(&o, &g, &log, SPEC_MSG "\n");
}

static void udp_is_the_bare_message(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o = spec_opts();
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    EXPECT(&o, &g, &log, SPEC_MSG);
}

static void defaults_are_user_info_sls_and_no_fraction_without_ns(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    log.has_time_ns = false;
    log.time_ns = 0;
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00Z - sls - audit [sls@32473 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"actiontrail\" shard=\"3\"] {\"__topic__\":\"actiontrail\","
           "\"__source__\":\"10.0.0.1\",\"eventName\":\"CreateUser\",\"status\":\"ok\"}");
}

static void time_ns_zero_present_gives_six_zero_digits_and_ns_truncate(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    log.time_ns = 0;
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00.000000Z - sls - audit [sls@32473 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"actiontrail\" shard=\"3\"] ||__topic__=actiontrail"
           "||__source__=10.0.0.1||eventName=CreateUser||status=ok");
    log.time_ns = 999999999; /* truncated, never rounded up into the next second */
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00.999999Z - sls - audit [sls@32473 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"actiontrail\" shard=\"3\"] ||__topic__=actiontrail"
           "||__source__=10.0.0.1||eventName=CreateUser||status=ok");
}

static void rfc3164_has_padded_day_tag_and_no_bom(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    log.time = T_NOV6;
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o = spec_opts();
    o.format = SF_SYSLOG_LINE_RFC3164;
    o.framing = SF_SYSLOG_LINE_FRAMING_LF;
    o.app_name = "sls:fwd[x]";
    EXPECT(&o, &g, &log,
           "<134>Nov  6 09:05:07 sls-fwd sls_fwd_x_[4242]: {\"__topic__\":\"actiontrail\","
           "\"__source__\":\"10.0.0.1\",\"eventName\":\"CreateUser\",\"status\":\"ok\"}\n");
    o.procid = NULL;
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_SOURCE;
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    log.time = T_NOV26;
    EXPECT(&o, &g, &log,
           "<134>Nov 26 09:50:00 10.0.0.1 sls_fwd_x_: ||__topic__=actiontrail"
           "||__source__=10.0.0.1||eventName=CreateUser||status=ok\n");
}

static void sd_values_are_escaped_and_made_utf8(void **state)
{
    (void)state;
    static const struct sf_log_kv kv[] = {KV("k", "v")};
    struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = 1};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1, .topic = STR("a\"b\\c]d\xff\xc3(")};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    o.sd_id = "slsfwd@99999";
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00Z - sls - audit [slsfwd@99999 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"a\\\"b\\\\c\\]d\xEF\xBF\xBD\xEF\xBF\xBD(\" shard=\"3\"] "
           "||__topic__=a\"b\\c]d\xEF\xBF\xBD\xEF\xBF\xBD(||__source__=||k=v");
}

static void invalid_utf8_and_controls_in_keys_and_values(void **state)
{
    (void)state;
    static const struct sf_log_kv kv[] = {KV("k\xfe", "a\nb\r\x01\xed\xa0\x80z"),
                                          KV("ok", "\xe4\xb8\xad")};
    struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = 2};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1, .topic = STR("t\nx")};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_LF;
    o.utf8_bom = false;
    /* JSON: the escaper's policy; LF framing: the SD's LF becomes #012. */
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00Z - sls - audit [sls@32473 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"t#012x\" shard=\"3\"] {\"__topic__\":\"t\\nx\","
           "\"__source__\":\"\",\"k\xEF\xBF\xBD\":\"a\\nb\\r\\u0001\xEF\xBF\xBD\xEF\xBF\xBD"
           "\xEF\xBF\xBDz\",\"ok\":\"\xe4\xb8\xad\"}\n");
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    EXPECT(
        &o, &g, &log,
        "<14>1 2026-11-26T09:50:00Z - sls - audit [sls@32473 project=\"proj-a\" "
        "logstore=\"audit\" topic=\"t#012x\" shard=\"3\"] ||__topic__=t#012x||__source__="
        "||k\xEF\xBF\xBD=a#012b#015\x01\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz||ok=\xe4\xb8\xad\n");
    /* Octet counting carries LF as is. */
    o.framing = SF_SYSLOG_LINE_FRAMING_OCTET;
    size_t len;
    char *got = format_one(&o, &g, &log, &len);
    assert_non_null(strstr(got, "topic=\"t\nx\""));
    assert_non_null(strstr(got, "||k\xEF\xBF\xBD=a\nb\r\x01"));
    test_free(got);
}

static void header_fields_are_sanitised_and_capped(void **state)
{
    (void)state;
    static const struct sf_log_kv kv[] = {KV("k", "v")};
    struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = 1};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1, .source = STR("my host\xc3\xa9")};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_SOURCE;
    o.app_name = "app name\x7f";
    o.procid = "\t";
    struct sf_syslog_line_mapping *m = new_map(&o);
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    SF_CHECK_ERR(sf_syslog_line_append(m, "p", "a logstore name longer than thirty-two bytes", 0,
                                       &g, &log, &out),
                 SF_OK);
    static const char want[] =
        "<14>1 2026-11-26T09:50:00Z my_host__ app_name_ _ a_logstore_name_longer_than_thir "
        "[sls@32473 project=\"p\" logstore=\"a logstore name longer than thirty-two bytes\" "
        "topic=\"\" shard=\"0\"] ||__topic__=||__source__=my host\xc3\xa9||k=v";
    assert_int_equal(out.len, sizeof(want) - 1);
    assert_memory_equal(out.ptr, want, out.len);
    /* Empty source: "-". */
    g.source = (struct sf_str){.ptr = "", .len = 0};
    sf_buf_reset(&out);
    SF_CHECK_ERR(sf_syslog_line_append(m, "p", "", -1, &g, &log, &out), SF_OK);
    static const char want2[] = "<14>1 2026-11-26T09:50:00Z - app_name_ _ - [sls@32473 "
                                "project=\"p\" logstore=\"\" topic=\"\" shard=\"-1\"] "
                                "||__topic__=||__source__=||k=v";
    assert_int_equal(out.len, sizeof(want2) - 1);
    assert_memory_equal(out.ptr, want2, out.len);
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
}

static void severity_comes_from_the_field(void **state)
{
    (void)state;
    static const struct sf_syslog_line_severity_entry map[] = {{"boom", 1}};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.severity_field = "level";
    o.severity_map = map;
    o.n_severity_map = 1;
    o.facility = 23;
    struct sf_syslog_line_mapping *m = new_map(&o);
    static const struct {
        const char *value;
        const char *pri;
    } cases[] = {{"ERROR", "<187>"}, {"warn", "<188>"}, {"Warning", "<188>"}, {"info", "<190>"},
                 {"debug", "<191>"}, {"0", "<184>"},    {"7", "<191>"},       {"BOOM", "<185>"},
                 {"weird", "<190>"}, {"", "<190>"},     {"crit", "<186>"}};
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct sf_log_kv kv[2] = {KV("level", "debug"), KV("level", "x")};
        kv[1].value = sf_str_from(cases[i].value); /* the last one wins */
        struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = 2};
        struct sf_loggroup g = {.logs = &log, .n_logs = 1};
        sf_buf_reset(&out);
        SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 0, &g, &log, &out), SF_OK);
        if (memcmp(out.ptr, cases[i].pri, strlen(cases[i].pri)) != 0) {
            fail_msg("%s: got %.8s want %s", cases[i].value, (const char *)out.ptr, cases[i].pri);
        }
    }
    /* No such field: the fixed severity. */
    struct sf_log log = {.time = T_NOV26};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1};
    sf_buf_reset(&out);
    SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 0, &g, &log, &out), SF_OK);
    assert_memory_equal(out.ptr, "<190>", 5);
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
}

/* A value of |n| copies of "é" (2 bytes) pushes the MSG past max: the cut lands on a character
 * boundary, the marker follows, and SD gets truncated="1"; the message is exactly max or up to
 * one byte shorter (the half character dropped). */
static void long_value_is_truncated_at_a_char_boundary_with_marker(void **state)
{
    (void)state;
    size_t n = 3000;
    char *big = test_malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        big[2 * i] = (char)0xC3;
        big[2 * i + 1] = (char)0xA9;
    }
    struct sf_log_kv kv[] = {KV("msg", "x")};
    kv[0].value = (struct sf_str){.ptr = big, .len = 2 * n};
    struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = 1};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1};
    for (int framing = 0; framing < 3; framing++) {
        struct sf_syslog_line_options o;
        sf_syslog_line_options_init(&o);
        o.framing = (enum sf_syslog_line_framing)framing;
        o.max_message_size = 2000;
        size_t len;
        char *got = format_one(&o, &g, &log, &len);
        const char *msg = got;
        size_t msg_len = len;
        if (framing == SF_SYSLOG_LINE_FRAMING_OCTET) {
            assert_true(memcmp(got, "2000 ", 5) == 0 || memcmp(got, "1999 ", 5) == 0);
            msg = got + 5;
            msg_len -= 5;
        } else if (framing == SF_SYSLOG_LINE_FRAMING_LF) {
            assert_int_equal(got[len - 1], '\n');
            msg_len--;
        }
        /* 2000 - head - BOM - marker is even or odd; either way a whole number of é. */
        assert_true(msg_len == 2000 || msg_len == 1999);
        assert_true(ref_utf8_valid((const uint8_t *)msg, msg_len));
        assert_non_null(strstr(got, "shard=\"3\" truncated=\"1\"] \xEF\xBB\xBF{\"__topic__\""));
        size_t marker = sizeof(SF_SYSLOG_LINE_TRUNCATION_MARKER) - 1;
        assert_memory_equal(msg + msg_len - marker, SF_SYSLOG_LINE_TRUNCATION_MARKER, marker);
        assert_memory_equal(msg + msg_len - marker - 2, "\xC3\xA9", 2);
        test_free(got);
    }
    test_free(big);
}

static void long_topic_is_capped_in_sd_with_truncated_param(void **state)
{
    (void)state;
    char topic[300];
    memset(topic, '"', sizeof(topic)); /* each escapes to 2 bytes: the cap never splits one */
    struct sf_log log = {.time = T_NOV26};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1};
    g.topic = (struct sf_str){.ptr = topic, .len = sizeof(topic)};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    size_t len;
    char *got = format_one(&o, &g, &log, &len);
    char want[256];
    size_t w = 0;
    memcpy(want, " topic=\"", 8);
    w += 8;
    for (int i = 0; i < SF_SYSLOG_LINE_SD_VALUE_MAX / 2; i++) {
        want[w++] = '\\';
        want[w++] = '"';
    }
    snprintf(want + w, sizeof(want) - w, "\" shard=\"3\" truncated=\"1\"]");
    assert_non_null(strstr(got, want));
    test_free(got);
}

static void bom_is_optional_and_duplicate_keys_collapse(void **state)
{
    (void)state;
    static const struct sf_log_kv kv[] = {KV("a", "1"), KV("b", "2"), KV("a", "3"),
                                          KV("__tag__:t", "c"), KV("__topic__", "x")};
    static const struct sf_log_kv tags[] = {KV("t", "tag")};
    struct sf_log log = {.time = T_NOV26, .contents = kv, .n_contents = N_OF(kv)};
    struct sf_loggroup g = {.logs = &log, .n_logs = 1, .tags = tags, .n_tags = 1};
    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    o.utf8_bom = false;
    EXPECT(&o, &g, &log,
           "<14>1 2026-11-26T09:50:00Z - sls - audit [sls@32473 project=\"proj-a\" "
           "logstore=\"audit\" topic=\"\" shard=\"3\"] {\"__topic__\":\"x\",\"__source__\":\"\","
           "\"__tag__:t\":\"c\",\"a\":\"3\",\"b\":\"2\"}");
}

static void full_buffer_is_left_untouched(void **state)
{
    (void)state;
    struct sf_log log = audit_log();
    struct sf_loggroup g = audit_group(&log);
    struct sf_syslog_line_options o = spec_opts();
    struct sf_syslog_line_mapping *m = new_map(&o);
    struct sf_buf one;
    sf_buf_init(&one, SIZE_MAX);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, &g, &log, &one), SF_OK);
    /* Exactly two fit, to the byte; the third is refused with the buffer intact. */
    struct sf_buf out;
    sf_buf_init(&out, 2 * one.len);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, &g, &log, &out), SF_OK);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, &g, &log, &out), SF_OK);
    assert_int_equal(out.len, 2 * one.len);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, &g, &log, &out), SF_ERR_FULL);
    assert_int_equal(out.len, 2 * one.len);
    assert_memory_equal(out.ptr + one.len, one.ptr, one.len);
    /* Too small for one message even when empty. */
    struct sf_buf tiny;
    sf_buf_init(&tiny, one.len - 1);
    SF_CHECK_ERR(sf_syslog_line_append(m, "proj-a", "audit", 3, &g, &log, &tiny), SF_ERR_TOO_BIG);
    assert_int_equal(tiny.len, 0);
    sf_buf_cleanup(&tiny);
    sf_buf_cleanup(&out);
    sf_buf_cleanup(&one);
    sf_syslog_line_mapping_free(m);
}

static void bad_options_are_refused_with_a_sentence(void **state)
{
    (void)state;
    struct sf_syslog_line_options o;
    struct sf_syslog_line_mapping *m;
    char errbuf[256];
#define REFUSE(stmt, needle)                                                                     \
    do {                                                                                         \
        sf_syslog_line_options_init(&o);                                                         \
        stmt;                                                                                    \
        errbuf[0] = '\0';                                                                        \
        SF_CHECK_ERR(sf_syslog_line_mapping_new(&o, &m, errbuf, sizeof(errbuf)), SF_ERR_CONFIG); \
        assert_null(m);                                                                          \
        if (strstr(errbuf, needle) == NULL) {                                                    \
            fail_msg("errbuf: %s", errbuf);                                                      \
        }                                                                                        \
    } while (0)
    REFUSE(o.facility = 24, "facility");
    REFUSE(o.severity = -1, "severity");
    REFUSE(o.sd_id = "a b", "sd_id");
    REFUSE(o.sd_id = "a=b", "sd_id");
    REFUSE(o.sd_id = "0123456789012345678901234567890123", "sd_id");
    REFUSE(o.app_name = "", "empty");
    REFUSE(o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_STATIC, "hostname");
    REFUSE(o.max_message_size = 400, "max_message_size");
    REFUSE((o.framing = SF_SYSLOG_LINE_FRAMING_NONE, o.max_message_size = 70000), "65507");
#undef REFUSE
    /* A short header admits UDP's 480. */
    sf_syslog_line_options_init(&o);
    o.format = SF_SYSLOG_LINE_RFC3164;
    o.max_message_size = 480;
    SF_CHECK_ERR(sf_syslog_line_mapping_new(&o, &m, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(sf_syslog_line_mapping_max_message(m), 480);
    sf_syslog_line_mapping_free(m);
    sf_syslog_line_mapping_free(NULL);
}

/* Every message of random logs fits max, in every option set, and a buffer filled message by
 * message to the byte holds exactly the concatenation. */
static void random_logs_respect_max_and_buffer_contract(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    static const char alphabet[] = "a\"\\]\n\r\x01\xc3\xa9\xff\xe4\xb8\xad =[";
    char bytes[4096];
    struct sf_log_kv kv[8];
    for (int round = 0; round < 300; round++) {
        size_t used = 0;
        size_t n_kv = (size_t)(round % 8);
        for (size_t i = 0; i < n_kv; i++) {
            size_t klen = 1 + (seed = seed * 1103515245 + 12345) % 5;
            size_t vlen = (seed = seed * 1103515245 + 12345) % (round % 3 ? 40 : 500);
            for (size_t j = 0; j < klen + vlen; j++) {
                seed = seed * 1103515245 + 12345;
                bytes[used + j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
            }
            kv[i].key = (struct sf_str){.ptr = bytes + used, .len = klen};
            kv[i].value = (struct sf_str){.ptr = bytes + used + klen, .len = vlen};
            used += klen + vlen;
        }
        struct sf_log log = {.time = 1000u * (uint32_t)round, .contents = kv, .n_contents = n_kv};
        struct sf_loggroup g = {.logs = &log, .n_logs = 1, .topic = STR("t]\n")};
        struct sf_syslog_line_options o;
        sf_syslog_line_options_init(&o);
        o.format = (enum sf_syslog_line_format)(round % 2);
        o.framing = (enum sf_syslog_line_framing)(round % 3);
        o.msg_format = (enum sf_syslog_line_msg_format)(round / 2 % 2);
        o.max_message_size = 1100;
        struct sf_syslog_line_mapping *m = new_map(&o);
        struct sf_buf a;
        sf_buf_init(&a, SIZE_MAX);
        SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 1, &g, &log, &a), SF_OK);
        size_t msg_len = a.len;
        if (o.framing == SF_SYSLOG_LINE_FRAMING_OCTET) {
            const char *sp = memchr(a.ptr, ' ', a.len);
            assert_non_null(sp);
            msg_len = a.len - (size_t)(sp - (const char *)a.ptr) - 1;
            assert_int_equal(strtoul((const char *)a.ptr, NULL, 10), msg_len);
        } else if (o.framing == SF_SYSLOG_LINE_FRAMING_LF) {
            msg_len--;
            assert_int_equal(a.ptr[a.len - 1], '\n');
            assert_null(memchr(a.ptr, '\n', a.len - 1));
        }
        assert_true(msg_len <= 1100);
        assert_true(ref_utf8_valid(a.ptr + (a.len - msg_len - (o.framing == 1)), msg_len));
        struct sf_buf b;
        sf_buf_init(&b, 2 * a.len);
        SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 1, &g, &log, &b), SF_OK);
        SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 1, &g, &log, &b), SF_OK);
        SF_CHECK_ERR(sf_syslog_line_append(m, "p", "l", 1, &g, &log, &b), SF_ERR_FULL);
        assert_int_equal(b.len, 2 * a.len);
        assert_memory_equal(b.ptr, a.ptr, a.len);
        assert_memory_equal(b.ptr + a.len, a.ptr, a.len);
        sf_buf_cleanup(&b);
        sf_buf_cleanup(&a);
        sf_syslog_line_mapping_free(m);
    }
}

/* Over TCP/TLS the default must carry real ActionTrail events whole (issue 10 §6): a policy
 * document in requestParameters alone reaches 6–16 KB, well past the RFC 5425 "should" of 8192.
 * The default is 64 KiB (syslog-ng's log-msg-size default; rsyslog needs maxMessageSize), for
 * both formats; without framing (UDP) 2048 and 1024 stay. And a cut message says so. */
static void default_max_carries_large_actiontrail_events_whole(void **state)
{
    (void)state;
    size_t big_len = 20000;
    char *big = test_malloc(big_len + 1);
    memset(big, 'p', big_len);
    big[big_len] = '\0';
    struct sf_log_kv kv[] = {KV("eventName", "CreatePolicy"),
                             {.key = STR("event"), .value = {.ptr = big, .len = big_len}}};
    struct sf_log log = audit_log();
    log.contents = kv;
    log.n_contents = N_OF(kv);
    struct sf_loggroup g = audit_group(&log);
    for (int format = 0; format < 2; format++) {
        for (int framing = 0; framing < 2; framing++) {
            struct sf_syslog_line_options opts;
            sf_syslog_line_options_init(&opts);
            opts.format = format ? SF_SYSLOG_LINE_RFC3164 : SF_SYSLOG_LINE_RFC5424;
            opts.framing = framing ? SF_SYSLOG_LINE_FRAMING_LF : SF_SYSLOG_LINE_FRAMING_OCTET;
            struct sf_syslog_line_mapping *m = new_map(&opts);
            assert_int_equal(sf_syslog_line_mapping_max_message(m), 65536);
            struct sf_buf out;
            sf_buf_init(&out, SIZE_MAX);
            struct sf_syslog_line_append_info info = {.is_truncated = true};
            SF_CHECK_ERR(
                sf_syslog_line_append_info(m, "p", "actiontrail", 0, &g, &log, &out, &info), SF_OK);
            assert_false(info.is_truncated);
            assert_true(out.len > big_len);
            assert_true(info.full_bytes > big_len);
            sf_buf_cleanup(&out);
            sf_syslog_line_mapping_free(m);
        }
    }
    struct sf_syslog_line_options opts;
    sf_syslog_line_options_init(&opts);
    opts.framing = SF_SYSLOG_LINE_FRAMING_NONE;
    struct sf_syslog_line_mapping *m = new_map(&opts);
    assert_int_equal(sf_syslog_line_mapping_max_message(m), 2048);
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    struct sf_syslog_line_append_info info;
    SF_CHECK_ERR(sf_syslog_line_append_info(m, "p", "actiontrail", 0, &g, &log, &out, &info),
                 SF_OK);
    assert_true(info.is_truncated);
    assert_true(info.full_bytes > big_len);
    assert_int_equal(out.len, 2048);
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
    test_free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5424_octet_counted_matches_the_spec_example),
        cmocka_unit_test(rfc5424_lf_framing_ends_with_lf),
        cmocka_unit_test(udp_is_the_bare_message),
        cmocka_unit_test(defaults_are_user_info_sls_and_no_fraction_without_ns),
        cmocka_unit_test(time_ns_zero_present_gives_six_zero_digits_and_ns_truncate),
        cmocka_unit_test(rfc3164_has_padded_day_tag_and_no_bom),
        cmocka_unit_test(sd_values_are_escaped_and_made_utf8),
        cmocka_unit_test(invalid_utf8_and_controls_in_keys_and_values),
        cmocka_unit_test(header_fields_are_sanitised_and_capped),
        cmocka_unit_test(severity_comes_from_the_field),
        cmocka_unit_test(long_value_is_truncated_at_a_char_boundary_with_marker),
        cmocka_unit_test(long_topic_is_capped_in_sd_with_truncated_param),
        cmocka_unit_test(bom_is_optional_and_duplicate_keys_collapse),
        cmocka_unit_test(full_buffer_is_left_untouched),
        cmocka_unit_test(bad_options_are_refused_with_a_sentence),
        cmocka_unit_test(random_logs_respect_max_and_buffer_contract),
        cmocka_unit_test(default_max_carries_large_actiontrail_events_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

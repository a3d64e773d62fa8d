/* Loading: defaults, inheritance from `sls:`, precedence default < file < environment <
 * command line, environment-only mode, and the dump. */
#include "cfg_test.h"

#include "util/log.h"

#define SOURCES           \
    "sources:\n"          \
    "  - project: prod\n" \
    "    logstore: nginx\n"

static void defaults_fill_every_field(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES, NULL);
    assert_string_equal(config->path, "slsfwd.yaml");
    assert_int_equal(config->n_sources, 1);
    const struct sf_config_source *source = &config->sources[0];
    assert_string_equal(source->name, "prod/nginx");
    assert_string_equal(source->endpoint, "cn-hangzhou.log.aliyuncs.com");
    assert_int_equal(source->sign_version, 1);
    assert_null(source->region);
    assert_null(source->security_token);
    assert_string_equal(source->compress, "lz4");
    assert_int_equal(source->start, SF_CONFIG_START_BEGIN);
    assert_false(source->has_end_time);
    assert_int_equal(source->heartbeat_interval_s, 20);
    assert_int_equal(source->group_timeout_s, 60);
    assert_false(source->order);
    assert_int_equal(source->fetch_interval_ms, 1000);
    assert_int_equal(source->pull_count, 1000);
    assert_int_equal(source->checkpoint_interval_s, 10);
    assert_int_equal(source->timeout_ms, 60000);
    assert_int_equal(source->connect_timeout_ms, 5000);
    assert_int_equal(config->sink, SF_CONFIG_SINK_FILE);
    assert_string_equal(config->file_path, "-");
    assert_null(config->mapping.sourcetype);
    assert_false(config->mapping.event_as_string);
    assert_int_equal(config->mapping.n_json_fields, 1);
    assert_string_equal(config->mapping.json_fields[0], "actiontrail_audit_event:event");
    assert_int_equal(config->max_buffered_bytes, 128u << 20);
    assert_int_equal(config->workers, 0);
    assert_int_equal(config->drain_timeout_s, 30);
    assert_string_equal(config->log_level, "info");
    assert_null(config->log_debug);
    sf_config_free(config);
}

static void several_hec_urls_are_completed_and_the_first_is_url(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(
        CFG_SLS SOURCES
        "output:\n  hec:\n    token: t\n"
        "    urls: [https://a:8088, \"http://b:8088/\", https://c/p/services/collector]\n",
        NULL);
    assert_int_equal(config->hec.n_urls, 3);
    assert_string_equal(config->hec.urls[0], "https://a:8088/services/collector/event");
    assert_string_equal(config->hec.urls[1], "http://b:8088/services/collector/event");
    assert_string_equal(config->hec.urls[2], "https://c/p/services/collector");
    assert_string_equal(config->hec.url, config->hec.urls[0]);
    sf_config_free(config);
    config =
        cfg_expect_ok(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n    url: https://a\n", NULL);
    assert_int_equal(config->hec.n_urls, 0);
    assert_string_equal(config->hec.url, "https://a/services/collector/event");
    sf_config_free(config);
    /* --output hec:URL replaces the configured endpoints, as it replaces any output */
    cfg_write("slsfwd.yaml",
              CFG_SLS SOURCES "output:\n  hec:\n    token: t\n    urls: [https://a, https://b]\n",
              0600);
    char *no_env[] = {NULL};
    char errbuf[256];
    struct sf_config_cli cli = {.config_path = "slsfwd.yaml", .output = "hec:https://c:8088"};
    config = NULL;
    SF_CHECK_ERR(sf_config_load(&cli, no_env, &config, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(config->hec.n_urls, 0);
    assert_string_equal(config->hec.url, "https://c:8088/services/collector/event");
    sf_config_free(config);
}

static void the_consumer_name_is_group_host_pid(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES, NULL);
    char host[256] = "";
    char want_prefix[300];
    char want_suffix[32];
    gethostname(host, sizeof(host));
    host[48] = '\0';
    snprintf(want_prefix, sizeof(want_prefix), "siem-%.16s", host);
    snprintf(want_suffix, sizeof(want_suffix), "-%ld", (long)getpid());
    const char *name = config->sources[0].consumer_name;
    assert_true(strncmp(name, want_prefix, strlen(want_prefix)) == 0);
    assert_string_equal(name + strlen(name) - strlen(want_suffix), want_suffix);
    sf_config_free(config);

    config = cfg_expect_ok(CFG_SLS "  consumer_name: fwd-1\n" SOURCES, NULL);
    assert_string_equal(config->sources[0].consumer_name, "fwd-1");
    sf_config_free(config);
}

static void sources_inherit_sls_and_override_it(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS "  compress: zstd\n"
                                                     "  start: end\n"
                                                     "sources:\n"
                                                     "  - project: prod\n"
                                                     "    logstore: nginx\n"
                                                     "  - name: audit\n"
                                                     "    project: audit-logs\n"
                                                     "    logstore: actiontrail\n"
                                                     "    consumer_group: siem-audit\n"
                                                     "    compress: none\n"
                                                     "    access_key_id: LTAI5tOtherKeyId\n"
                                                     "    start: 2025-06-10T08:00:00+08:00\n"
                                                     "    fetch_interval: 250ms\n",
                                             NULL);
    assert_int_equal(config->n_sources, 2);
    const struct sf_config_source *a = &config->sources[0];
    const struct sf_config_source *b = &config->sources[1];
    assert_string_equal(a->consumer_group, "siem");
    assert_string_equal(a->compress, "zstd");
    assert_int_equal(a->start, SF_CONFIG_START_END);
    assert_string_equal(a->access_key_id, "LTAI5tTestKeyId");
    assert_string_equal(b->name, "audit");
    assert_string_equal(b->endpoint, "cn-hangzhou.log.aliyuncs.com");
    assert_string_equal(b->consumer_group, "siem-audit");
    assert_string_equal(b->compress, "none");
    assert_string_equal(b->access_key_id, "LTAI5tOtherKeyId");
    assert_string_equal(b->access_key_secret, "s3cr3t-inline-value");
    assert_int_equal(b->start, SF_CONFIG_START_TIME);
    assert_int_equal(b->start_time_s, 1749513600);
    assert_int_equal(b->fetch_interval_ms, 250);
    assert_int_equal(a->fetch_interval_ms, 1000);
    sf_config_free(config);
}

static void without_sources_the_sls_section_is_the_one_source(void **state)
{
    (void)state;
    struct sf_config *config =
        cfg_expect_ok(CFG_SLS "  project: prod\n  logstore: nginx\n  end_time: 1749542400\n", NULL);
    assert_int_equal(config->n_sources, 1);
    assert_string_equal(config->sources[0].name, "prod/nginx");
    assert_true(config->sources[0].has_end_time);
    assert_int_equal(config->sources[0].end_time_s, 1749542400);
    sf_config_free(config);
}

static void precedence_is_default_file_environment_command_line(void **state)
{
    (void)state;
    /* Default. */
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES, NULL);
    assert_int_equal(config->sources[0].heartbeat_interval_s, 20);
    assert_string_equal(config->log_level, "info");
    sf_config_free(config);
    /* File over default. */
    const char *yaml = CFG_SLS "  heartbeat_interval: 15s\n" SOURCES "output:\n"
                               "  file:\n"
                               "    path: file.ndjson\n"
                               "log:\n"
                               "  level: warn\n";
    config = cfg_expect_ok(yaml, NULL);
    assert_int_equal(config->sources[0].heartbeat_interval_s, 15);
    assert_string_equal(config->log_level, "warn");
    assert_string_equal(config->file_path, "file.ndjson");
    sf_config_free(config);
    /* Environment over file. */
    char *env[] = {"SLSFWD_SLS_HEARTBEAT_INTERVAL=10s", "SLSFWD_LOG_LEVEL=error",
                   "SLSFWD_OUTPUT_FILE_PATH=env.ndjson", NULL};
    config = cfg_expect_ok(yaml, env);
    assert_int_equal(config->sources[0].heartbeat_interval_s, 10);
    assert_string_equal(config->log_level, "error");
    assert_string_equal(config->file_path, "env.ndjson");
    sf_config_free(config);
    /* Command line over environment. */
    struct sf_config_cli cli = {
        .config_path = "slsfwd.yaml", .output = "file:-", .log_level = "DEBUG"};
    char errbuf[256];
    SF_CHECK_ERR(sf_config_load(&cli, env, &config, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(config->log_level, "debug");
    assert_string_equal(config->file_path, "-");
    assert_int_equal(config->sink, SF_CONFIG_SINK_FILE);
    sf_config_free(config);
}

static void a_source_keeps_its_own_value_over_the_environment(void **state)
{
    (void)state;
    char *env[] = {"SLSFWD_SLS_HEARTBEAT_INTERVAL=10s", "SLS_CG=from-env", NULL};
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES "  - project: prod\n"
                                                             "    logstore: audit\n"
                                                             "    heartbeat_interval: 25s\n"
                                                             "    consumer_group: own\n",
                                             env);
    assert_int_equal(config->sources[0].heartbeat_interval_s, 10);
    assert_string_equal(config->sources[0].consumer_group, "from-env");
    assert_int_equal(config->sources[1].heartbeat_interval_s, 25);
    assert_string_equal(config->sources[1].consumer_group, "own");
    sf_config_free(config);
}

static void slsfwd_variables_win_over_the_reference_names(void **state)
{
    (void)state;
    char *env[] = {"SLS_ENDPOINT=http://127.0.0.1:9000",
                   "SLSFWD_SLS_ENDPOINT=http://127.0.0.1:9001", "SLS_CURSOR_START=end",
                   "SLSFWD_MAPPING_JSON_FIELDS=a:b, c:d", NULL};
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES, env);
    assert_string_equal(config->sources[0].endpoint, "http://127.0.0.1:9001");
    assert_int_equal(config->sources[0].start, SF_CONFIG_START_END);
    assert_int_equal(config->mapping.n_json_fields, 2);
    assert_string_equal(config->mapping.json_fields[1], "c:d");
    sf_config_free(config);
}

static void the_reference_variables_alone_make_a_config(void **state)
{
    (void)state;
    char *env[] = {"PATH=/usr/bin",
                   "SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com",
                   "SLS_AK_ID=LTAI5tTestKeyId",
                   "SLS_AK_KEY=env-secret-value",
                   "SLS_PROJECT=prod-logs",
                   "SLS_LOGSTORE=nginx",
                   "SLS_CG=siem",
                   NULL};
    struct sf_config *config = NULL;
    char errbuf[512];
    SF_CHECK_ERR(sf_config_load(NULL, env, &config, errbuf, sizeof(errbuf)), SF_OK);
    assert_null(config->path);
    assert_int_equal(config->n_sources, 1);
    const struct sf_config_source *source = &config->sources[0];
    assert_string_equal(source->name, "prod-logs/nginx");
    assert_string_equal(source->access_key_secret, "env-secret-value");
    assert_int_equal(source->start, SF_CONFIG_START_BEGIN); /* the reference's default */
    assert_string_equal(config->file_path, "-");
    sf_config_free(config);

    char *with_start[] = {"SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com",
                          "SLS_AK_ID=LTAI5tTestKeyId",
                          "SLS_AK_KEY=env-secret-value",
                          "SLS_PROJECT=prod-logs",
                          "SLS_LOGSTORE=nginx",
                          "SLS_CG=siem",
                          "SLS_CURSOR_START=2025-06-10 08:00:00",
                          NULL};
    struct sf_config_cli cli = {.output = "file:out.ndjson"};
    SF_CHECK_ERR(sf_config_load(&cli, with_start, &config, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(config->sources[0].start, SF_CONFIG_START_TIME);
    assert_int_equal(config->sources[0].start_time_s, 1749542400);
    assert_string_equal(config->file_path, "out.ndjson");
    sf_config_free(config);
}

static void empty_values_leave_optional_strings_unset(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES "mapping:\n"
                                                             "  sourcetype: aliyun:sls\n"
                                                             "  index: \"\"\n"
                                                             "  host:\n"
                                                             "  json_fields: []\n"
                                                             "log:\n"
                                                             "  debug: [coord, sls]\n",
                                             NULL);
    assert_string_equal(config->mapping.sourcetype, "aliyun:sls");
    assert_null(config->mapping.index);
    assert_null(config->mapping.host);
    assert_int_equal(config->mapping.n_json_fields, 0);
    assert_string_equal(config->log_debug, "coord,sls");
    sf_config_free(config);
}

static void the_dump_says_where_each_value_came_from(void **state)
{
    (void)state;
    char *env[] = {"SLS_CG=from-env", "SLSFWD_LIMITS_WORKERS=4", NULL};
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES "  - project: prod\n"
                                                             "    logstore: audit\n"
                                                             "    timeout: 30s\n",
                                             env);
    char *dump = cfg_dump(config);
    assert_non_null(strstr(dump, "# file: \"slsfwd.yaml\"\n"));
    assert_non_null(strstr(dump, "  - name: \"prod/nginx\""));
    assert_non_null(strstr(dump, "# derived\n"));
    assert_non_null(strstr(dump, "    endpoint: \"cn-hangzhou.log.aliyuncs.com\""));
    assert_non_null(strstr(dump, "# slsfwd.yaml:2 (sls:)\n"));
    assert_non_null(strstr(dump, "    consumer_group: \"from-env\""));
    assert_non_null(strstr(dump, "# $SLS_CG\n"));
    assert_non_null(strstr(dump, "    timeout: 30s"));
    assert_non_null(strstr(dump, "# slsfwd.yaml:11\n"));
    assert_non_null(strstr(dump, "    heartbeat_interval: 20s"));
    assert_non_null(strstr(dump, "output:\n  file:\n    path: \"-\""));
    assert_non_null(strstr(dump, "  workers: 4"));
    assert_non_null(strstr(dump, "# $SLSFWD_LIMITS_WORKERS\n"));
    assert_non_null(strstr(dump, "  max_buffered_bytes: 128MiB"));
    assert_non_null(strstr(dump, "  json_fields: [\"actiontrail_audit_event:event\"]"));
    assert_non_null(strstr(dump, "    access_key_secret: \"<redacted>\""));
    assert_non_null(strstr(dump, "    security_token: ~"));
    test_free(dump);
    sf_config_free(config);
}

static void a_dump_loads_back_to_the_same_settings(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS "  start: 2025-06-10T08:00:00Z\n"
                                                     "  end_time: 2025-06-11\n" SOURCES "mapping:\n"
                                                     "  index: \"main \\\"x\\\"\"\n",
                                             NULL);
    char *dump = cfg_dump(config);
    struct sf_config *again = cfg_expect_ok(dump, NULL);
    const struct sf_config_source *a = &config->sources[0];
    const struct sf_config_source *b = &again->sources[0];
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->consumer_name, b->consumer_name);
    assert_int_equal(a->start_time_s, b->start_time_s);
    assert_int_equal(a->end_time_s, b->end_time_s);
    assert_int_equal(a->fetch_interval_ms, b->fetch_interval_ms);
    assert_string_equal(again->mapping.index, "main \"x\"");
    assert_string_equal(b->access_key_secret, "<redacted>");
    test_free(dump);
    sf_config_free(again);
    sf_config_free(config);
}

static void the_committed_example_file_loads(void **state)
{
    (void)state;
    const char *testdata = getenv("SF_TESTDATA"); /* <repo>/tests/data */
    assert_non_null(testdata);
    char path[1024];
    snprintf(path, sizeof(path), "%s/../../etc/slsfwd.example.yaml", testdata);
    char *env[] = {"SLS_AK_KEY=example-secret", NULL};
    struct sf_config_cli cli = {.config_path = path};
    struct sf_config *config = NULL;
    char errbuf[512];
    sf_err err = sf_config_load(&cli, env, &config, errbuf, sizeof(errbuf));
    if (err) {
        fail_msg("%s", errbuf);
    }
    assert_int_equal(config->n_sources, 2);
    assert_string_equal(config->sources[1].consumer_group, "siem-audit");
    sf_config_free(config);
}

static void a_yaml_buffer_loads_like_a_file(void **state)
{
    (void)state;
    const char yaml[] = CFG_SLS SOURCES "junk after the end";
    struct sf_config *config = NULL;
    char errbuf[256];
    char *no_env[] = {NULL};
    SF_CHECK_ERR(sf_config_load_yaml_buffer(yaml, sizeof(yaml) - 1 - 18, "inline.yaml", NULL,
                                            no_env, &config, errbuf, sizeof(errbuf)),
                 SF_OK);
    assert_string_equal(config->path, "inline.yaml");
    assert_string_equal(config->sources[0].logstore, "nginx");
    sf_config_free(config);
}

static void load_with_typo(void *arg)
{
    (void)arg;
    char *env[] = {"SLSFWD_SLS_HEARTBEAT_INTERVL=5s", "SLSFWD_SLS_ACCESS_KEY_SECRET_FILE=", NULL};
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES, env);
    assert_int_equal(config->sources[0].heartbeat_interval_s, 20);
    sf_config_free(config);
}

static void a_mistyped_variable_gets_a_warning(void **state)
{
    (void)state;
    sf_log_set_level(SF_LOG_LEVEL_INFO);
    char *log = cfg_capture_stderr(load_with_typo, NULL);
    assert_non_null(strstr(log, "msg=\"unknown environment variable, ignored\" "
                                "name=SLSFWD_SLS_HEARTBEAT_INTERVL "
                                "did_you_mean=SLSFWD_SLS_HEARTBEAT_INTERVAL\n"));
    assert_null(strstr(log, "SECRET_FILE"));
    test_free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_fill_every_field),
        cmocka_unit_test(several_hec_urls_are_completed_and_the_first_is_url),
        cmocka_unit_test(the_consumer_name_is_group_host_pid),
        cmocka_unit_test(sources_inherit_sls_and_override_it),
        cmocka_unit_test(without_sources_the_sls_section_is_the_one_source),
        cmocka_unit_test(precedence_is_default_file_environment_command_line),
        cmocka_unit_test(a_source_keeps_its_own_value_over_the_environment),
        cmocka_unit_test(slsfwd_variables_win_over_the_reference_names),
        cmocka_unit_test(the_reference_variables_alone_make_a_config),
        cmocka_unit_test(empty_values_leave_optional_strings_unset),
        cmocka_unit_test(the_dump_says_where_each_value_came_from),
        cmocka_unit_test(a_dump_loads_back_to_the_same_settings),
        cmocka_unit_test(the_committed_example_file_loads),
        cmocka_unit_test(a_yaml_buffer_loads_like_a_file),
        cmocka_unit_test(a_mistyped_variable_gets_a_warning),
    };
    return cmocka_run_group_tests(tests, cfg_test_setup, cfg_test_teardown);
}

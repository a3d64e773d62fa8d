/* Golden error messages: one per kind of mistake. Each names the file, the line, the key and
 * what was expected, so a user can fix the file without reading the code. */
#include "cfg_test.h"

#define SOURCES           \
    "sources:\n"          \
    "  - project: prod\n" \
    "    logstore: nginx\n"

static void a_bad_duration_names_the_source_and_line(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "  - project: prod\n"
                             "    logstore: audit\n"
                             "    heartbeat_interval: fast\n",
                     NULL,
                     "slsfwd.yaml:11: sources[1].heartbeat_interval: expected a duration like "
                     "20s, 500ms or 2m, got \"fast\"");
}

static void unknown_keys_suggest_the_nearest(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "  heartbeat_intervl: 20s\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.heartbeat_intervl: unknown key; did you mean "
                     "heartbeat_interval?");
    cfg_expect_error(CFG_SLS "sources:\n  - project: prod\n    logstre: nginx\n", NULL,
                     "slsfwd.yaml:8: sources[0].logstre: unknown key; did you mean logstore?");
    cfg_expect_error(CFG_SLS SOURCES "limit:\n  workers: 2\n", NULL,
                     "slsfwd.yaml:9: limit: unknown key; did you mean limits?");
    cfg_expect_error(CFG_SLS "  accesskeysecret_file: x\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.accesskeysecret_file: unknown key; did you mean "
                     "access_key_secret_file?");
}

static void unknown_keys_without_a_near_match_list_the_choices(void **state)
{
    (void)state;
    cfg_expect_error(
        CFG_SLS SOURCES "log:\n  colour: true\n", NULL,
        "slsfwd.yaml:10: log.colour: unknown key; expected one of: level, debug, file, "
        "file_max_size, file_count");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  kafka:\n    brokers: x\n", NULL,
                     "slsfwd.yaml:10: output.kafka: unknown key; expected one of: file, hec, "
                     "syslog");
    cfg_expect_error(CFG_SLS SOURCES "whatever: 1\n", NULL,
                     "slsfwd.yaml:9: whatever: unknown key; expected one of: sls, output, "
                     "mapping, filters, limits, metrics, log, sources");
}

static void duplicate_keys_point_at_both(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "  endpoint: cn-shanghai.log.aliyuncs.com\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.endpoint: duplicate key (first at line 2)");
    cfg_expect_error(CFG_SLS SOURCES "    logstore: audit\n", NULL,
                     "slsfwd.yaml:9: sources[0].logstore: duplicate key (first at line 8)");
}

static void missing_settings_say_where_to_put_them(void **state)
{
    (void)state;
    cfg_expect_error("sls:\n"
                     "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                     "  access_key_id: LTAI5tTestKeyId\n"
                     "  access_key_secret: s3cr3t-inline-value\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:6: sources[0]: consumer_group is missing; set it here or "
                     "under sls:");
    cfg_expect_error(CFG_SLS "  logstore: nginx\n", NULL,
                     "slsfwd.yaml: sls.project is missing; set it under sls: (or SLS_PROJECT in "
                     "the environment), or list sources:");
    /* Without keys the credential chain is used; a provider that signs with keys needs
     * them. */
    cfg_expect_error("sls:\n"
                     "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                     "  consumer_group: siem\n"
                     "  credentials:\n"
                     "    provider: static\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:7: sources[0]: access_key_id is missing (or use "
                     "credentials_file); set it here or under sls:");
    cfg_expect_error("sls:\n"
                     "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                     "  consumer_group: siem\n"
                     "  access_key_id: LTAI5tTestKeyId\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:6: sources[0]: access_key_secret is missing (or use "
                     "credentials_file); set it here or under sls:");
    cfg_expect_error("sls:\n"
                     "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                     "  consumer_group: siem\n"
                     "  access_key_id: LTAI5tTestKeyId\n"
                     "  access_key_secret: s3cr3t-inline-value\n"
                     "  credentials:\n"
                     "    provider: ram_role_arn\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:9: sources[0]: credentials.role_arn is missing (credentials."
                     "provider is ram_role_arn); set it here or under sls:");
}

static void values_out_of_range_say_the_range(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "  pull_count: 0\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.pull_count: expected a whole number from 1 to 1000, "
                     "got \"0\"");
    cfg_expect_error(CFG_SLS "  pull_count:\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.pull_count: expected a whole number from 1 to 1000, "
                     "got nothing");
    cfg_expect_error(CFG_SLS "  sign_version: 2\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.sign_version: expected 1 or 4, got \"2\"");
    cfg_expect_error(CFG_SLS "  compress: gzip\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.compress: expected one of lz4, zstd, deflate, none, "
                     "got \"gzip\"");
    cfg_expect_error(CFG_SLS "  heartbeat_interval: 1500ms\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.heartbeat_interval: expected whole seconds, like 20s, "
                     "got \"1500ms\"");
    cfg_expect_error(CFG_SLS "  heartbeat_interval: 1h\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.heartbeat_interval: expected a duration from 1s to 10m, "
                     "got \"1h\"");
    cfg_expect_error(CFG_SLS SOURCES "limits:\n  max_buffered_bytes: lots\n", NULL,
                     "slsfwd.yaml:10: limits.max_buffered_bytes: expected a size like 256MiB, "
                     "1GB or a number of bytes, got \"lots\"");
    cfg_expect_error(CFG_SLS SOURCES "limits:\n  max_buffered_bytes: 1KiB\n", NULL,
                     "slsfwd.yaml:10: limits.max_buffered_bytes: expected a size from 16MiB to "
                     "64GiB, got \"1KiB\"");
    cfg_expect_error(CFG_SLS "  start: yesterday\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.start: expected begin, end, unix seconds or a time like "
                     "2025-06-10T08:00:00Z, got \"yesterday\"");
    cfg_expect_error(CFG_SLS "  order: maybe\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.order: expected true or false, got \"maybe\"");
}

static void names_follow_the_sls_rules(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "sources:\n  - project: Prod_Logs\n    logstore: nginx\n", NULL,
                     "slsfwd.yaml:7: sources[0].project: expected a project name: up to 63 "
                     "characters of a-z, 0-9 and -, starting and ending with a letter or digit, "
                     "got \"Prod_Logs\"");
    cfg_expect_error(CFG_SLS "sources:\n  - project: prod\n    logstore: Nginx.Access\n", NULL,
                     "slsfwd.yaml:8: sources[0].logstore: expected a logstore name: up to 63 "
                     "characters of a-z, 0-9, _ and -, got \"Nginx.Access\"");
    cfg_expect_error("sls:\n  consumer_group: -siem\n" SOURCES, NULL,
                     "slsfwd.yaml:2: sls.consumer_group: expected a consumer group name: 2 to 64 "
                     "characters of a-z, 0-9, _ and -, starting and ending with a letter or "
                     "digit, got \"-siem\"");
    cfg_expect_error("sls:\n  endpoint: ftp://example.com\n" SOURCES, NULL,
                     "slsfwd.yaml:2: sls.endpoint: expected https:// or http:// before the host, "
                     "got \"ftp://example.com\"");
}

static void settings_that_disagree_are_reported_where_set(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "  heartbeat_interval: 30s\n"
                             "  group_timeout: 30s\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:7: sls.group_timeout: 30s must be longer than "
                     "heartbeat_interval (30s); 90s (3 times) is a safe value");
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "    group_timeout: 20s\n",
                     NULL,
                     "slsfwd.yaml:9: sources[0].group_timeout: 20s must be longer than "
                     "heartbeat_interval (20s); 60s (3 times) is a safe value");
    cfg_expect_error(CFG_SLS "  start: 2025-06-11\n"
                             "  end_time: 2025-06-10\n" SOURCES,
                     NULL,
                     "slsfwd.yaml:7: sls.end_time: 2025-06-10T00:00:00Z is not after start "
                     "(2025-06-11T00:00:00Z)");
}

static void colliding_sources_are_refused(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS SOURCES "  - project: prod\n    logstore: nginx\n", NULL,
                     "slsfwd.yaml:9: sources[1]: same logstore and consumer group as sources[0] "
                     "(line 7); give one its own consumer_group");
    cfg_expect_error(CFG_SLS SOURCES "  - project: prod\n"
                                     "    logstore: nginx\n"
                                     "    consumer_group: other\n",
                     NULL,
                     "slsfwd.yaml:9: sources[1]: name \"prod/nginx\" is taken by sources[0] "
                     "(line 7); set name: to tell them apart");
}

static void the_shape_of_the_file_is_checked(void **state)
{
    (void)state;
    cfg_expect_error("- just\n- a list\n", NULL,
                     "slsfwd.yaml:1: expected a mapping of sections (sls:, sources:, output:, "
                     "...) at the top level, got a list");
    cfg_expect_error(CFG_SLS "sources: prod\n", NULL,
                     "slsfwd.yaml:6: sources: expected a list of sources (- project: ...), got "
                     "\"prod\"");
    cfg_expect_error(CFG_SLS "sources: []\n", NULL,
                     "slsfwd.yaml:6: sources: the list is empty; add a source, or remove "
                     "sources: to use the sls: section alone");
    cfg_expect_error(CFG_SLS "sources:\n  - prod\n", NULL,
                     "slsfwd.yaml:7: sources[0]: expected a mapping of keys, got \"prod\"");
    cfg_expect_error(CFG_SLS SOURCES "limits: 5\n", NULL,
                     "slsfwd.yaml:9: limits: expected a mapping of keys, got \"5\"");
    cfg_expect_error(CFG_SLS "  endpoint2: {a: b}\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.endpoint2: unknown key; did you mean endpoint?");
    cfg_expect_error("sls:\n  endpoint: {a: b}\n", NULL,
                     "slsfwd.yaml:2: sls.endpoint: expected a string, got a mapping");
    cfg_expect_error(CFG_SLS "  name: nginx\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.name: belongs to one source; set it in a sources: "
                     "entry");
    cfg_expect_error(CFG_SLS SOURCES "mapping:\n  json_fields: [event]\n", NULL,
                     "slsfwd.yaml:10: mapping.json_fields: entry \"event\" is not "
                     "<topic>:<field> (such as actiontrail_audit_event:event)");
}

static void yaml_syntax_errors_give_line_and_column(void **state)
{
    (void)state;
    cfg_expect_error("sls:\n  endpoint: x\n\tproject: p\n", NULL,
                     "slsfwd.yaml:3:1: invalid YAML: found a tab character that violates "
                     "indentation (while scanning a plain scalar at line 2); indent with spaces, "
                     "not tabs");
    cfg_expect_error("sls:\n  endpoint: [x\n", NULL,
                     "slsfwd.yaml:3:1: invalid YAML: did not find expected ',' or ']' (while "
                     "parsing a flow sequence at line 2)");
    cfg_expect_error("base: &b\n  x: 1\nsls: *b\n", NULL,
                     "slsfwd.yaml:3: aliases (*b) are not supported; put shared settings under "
                     "sls:");
    cfg_expect_error(CFG_SLS "---\nsls: {}\n", NULL,
                     "slsfwd.yaml:6: only one YAML document is allowed (found a second ---)");
}

static void sinks_need_their_required_settings(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    url: https://splunk:8088\n", NULL,
                     "slsfwd.yaml: output.hec.token: required: set output.hec.token_file to a "
                     "file that holds it (such as /etc/slsfwd/hec_token), or SPLUNK_HEC_TOKEN in "
                     "the environment");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n", NULL,
                     "slsfwd.yaml: output.hec.url: expected the HEC URL (or output.hec.host), "
                     "such as https://splunk.example.com:8088");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    url: splunk:8088\n", NULL,
                     "slsfwd.yaml:11: output.hec.url: expected an http:// or https:// URL, got "
                     "\"splunk:8088\"");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  file:\n    path: \"\"\n", NULL,
                     "slsfwd.yaml:11: output.file.path: expected a file path, or - for stdout");
}

static void several_hec_urls_are_checked_each_and_exclude_url(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n"
                                     "    url: https://a:8088\n"
                                     "    urls: [https://b:8088, https://c:8088]\n",
                     NULL,
                     "slsfwd.yaml:13: output.hec.urls: output.hec.urls and output.hec.url are "
                     "both set: keep one (urls for several endpoints, url for one)");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n    host: a\n"
                                     "    urls: [https://b:8088]\n",
                     NULL,
                     "slsfwd.yaml:13: output.hec.urls: output.hec.urls and output.hec.host are "
                     "both set: keep one (urls for several endpoints, url for one)");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n"
                                     "    urls: [https://b:8088, \"c:8088\"]\n",
                     NULL,
                     "slsfwd.yaml:12: output.hec.urls: entry 2 (\"c:8088\"): expected an "
                     "http:// or https:// URL");
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    token: t\n"
                                     "    urls: [\"ftp://u:hunter2@b/\"]\n",
                     NULL,
                     "slsfwd.yaml:12: output.hec.urls: entry 1 (\"ftp://u:<redacted>@b/\"): "
                     "expected an http:// or https:// URL");
}

static void environment_and_command_line_errors_name_the_variable_or_flag(void **state)
{
    (void)state;
    char *env[] = {"SLSFWD_SLS_HEARTBEAT_INTERVAL=fast", NULL};
    cfg_expect_error(CFG_SLS SOURCES, env,
                     "SLSFWD_SLS_HEARTBEAT_INTERVAL: expected a duration like 20s, 500ms or 2m, "
                     "got \"fast\"");
    char *alias_env[] = {"SLS_CURSOR_START=soon", NULL};
    cfg_expect_error(CFG_SLS SOURCES, alias_env,
                     "SLS_CURSOR_START: expected begin, end, unix seconds or a time like "
                     "2025-06-10T08:00:00Z, got \"soon\"");

    struct sf_config *config = NULL;
    char errbuf[256];
    cfg_write("slsfwd.yaml", CFG_SLS SOURCES, 0600);
    char *no_env[] = {NULL};
    struct sf_config_cli cli = {.config_path = "slsfwd.yaml", .output = "hec:x"};
    SF_CHECK_ERR(sf_config_load(&cli, no_env, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "--output: expected file:PATH, file:- for stdout, or hec:URL, "
                                "got \"hec:x\"");
    cli = (struct sf_config_cli){.config_path = "slsfwd.yaml", .log_level = "loud"};
    SF_CHECK_ERR(sf_config_load(&cli, no_env, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "--log-level: expected one of error, warn, info, debug, got "
                                "\"loud\"");
    cli = (struct sf_config_cli){.config_path = "nope.yaml"};
    SF_CHECK_ERR(sf_config_load(&cli, no_env, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "cannot read nope.yaml: No such file or directory");
}

static void environment_only_mode_names_the_missing_variable(void **state)
{
    (void)state;
    struct sf_config *config = NULL;
    char errbuf[512];
    char *none[] = {NULL};
    SF_CHECK_ERR(sf_config_load(NULL, none, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "SLS_ENDPOINT is not set (nor SLSFWD_SLS_ENDPOINT). With no "
                                "config file (-c FILE), the environment describes the one "
                                "source");
    char *no_key[] = {"SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com",
                      "SLS_PROJECT=prod",
                      "SLS_LOGSTORE=nginx",
                      "SLS_CG=siem",
                      "SLS_AK_ID=LTAI5tTestKeyId",
                      NULL};
    SF_CHECK_ERR(sf_config_load(NULL, no_key, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "SLS_AK_KEY is not set (nor SLSFWD_SLS_ACCESS_KEY_SECRET), and "
                                "neither is SLSFWD_SLS_CREDENTIALS_FILE. With no config file "
                                "(-c FILE), the environment describes the one source");
    char *no_group[] = {"SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com", "SLS_PROJECT=prod",
                        "SLS_LOGSTORE=nginx", "SLS_CG=", NULL};
    SF_CHECK_ERR(sf_config_load(NULL, no_group, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "SLS_CG is not set (nor SLSFWD_SLS_CONSUMER_GROUP). With no "
                                "config file (-c FILE), the environment describes the one "
                                "source");
}

/* sls.query is for SLS to parse; config only bounds it: its size, no blank statement, no
 * control bytes. A source's "" turns off the one it would inherit from sls:. */
static void query_is_bounded_and_inherited(void **state)
{
    (void)state;
    struct sf_config *config =
        cfg_expect_ok(CFG_SLS "  query: \"* | where cast(status as bigint) >= 400\"\n"
                              "sources:\n"
                              "  - project: prod\n"
                              "    logstore: nginx\n"
                              "  - project: prod\n"
                              "    logstore: audit\n"
                              "    query: |\n"
                              "      * | where event = 'login'\n"
                              "        | project-away raw\n"
                              "  - project: prod\n"
                              "    logstore: web\n"
                              "    query: \"\"\n",
                      NULL);
    assert_string_equal(config->sources[0].query, "* | where cast(status as bigint) >= 400");
    assert_string_equal(config->sources[1].query,
                        "* | where event = 'login'\n  | project-away raw\n");
    assert_null(config->sources[2].query);
    sf_config_free(config);

    char *yaml = test_malloc(8192);
    char *long_query = test_malloc(SF_CONFIG_QUERY_MAX + 2);
    memset(long_query, 'a', SF_CONFIG_QUERY_MAX + 1);
    long_query[SF_CONFIG_QUERY_MAX + 1] = '\0';
    snprintf(yaml, 8192, CFG_SLS SOURCES "    query: \"%s\"\n", long_query);
    cfg_expect_error(yaml, NULL,
                     "slsfwd.yaml:9: sources[0].query: the SPL statement is 4097 bytes; at most "
                     "4096 are sent with PullLogs");
    long_query[SF_CONFIG_QUERY_MAX] = '\0';
    snprintf(yaml, 8192, CFG_SLS SOURCES "    query: \"%s\"\n", long_query);
    config = cfg_expect_ok(yaml, NULL);
    assert_int_equal(strlen(config->sources[0].query), SF_CONFIG_QUERY_MAX);
    sf_config_free(config);
    test_free(long_query);
    test_free(yaml);

    cfg_expect_error(CFG_SLS SOURCES "    query: \"  \\t \"\n", NULL,
                     "slsfwd.yaml:9: sources[0].query: the SPL statement is only blanks: remove "
                     "the key for no filter, or write one such as \"* | where cast(status as "
                     "bigint) >= 400\"");
    cfg_expect_error(CFG_SLS SOURCES "    query: \"* | where a = '\\x01'\"\n", NULL,
                     "slsfwd.yaml:9: sources[0].query: the SPL statement holds control "
                     "character 0x01 at byte 16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bad_duration_names_the_source_and_line),
        cmocka_unit_test(unknown_keys_suggest_the_nearest),
        cmocka_unit_test(unknown_keys_without_a_near_match_list_the_choices),
        cmocka_unit_test(duplicate_keys_point_at_both),
        cmocka_unit_test(missing_settings_say_where_to_put_them),
        cmocka_unit_test(values_out_of_range_say_the_range),
        cmocka_unit_test(names_follow_the_sls_rules),
        cmocka_unit_test(settings_that_disagree_are_reported_where_set),
        cmocka_unit_test(colliding_sources_are_refused),
        cmocka_unit_test(the_shape_of_the_file_is_checked),
        cmocka_unit_test(several_hec_urls_are_checked_each_and_exclude_url),
        cmocka_unit_test(yaml_syntax_errors_give_line_and_column),
        cmocka_unit_test(sinks_need_their_required_settings),
        cmocka_unit_test(environment_and_command_line_errors_name_the_variable_or_flag),
        cmocka_unit_test(environment_only_mode_names_the_missing_variable),
        cmocka_unit_test(query_is_bounded_and_inherited),
    };
    return cmocka_run_group_tests(tests, cfg_test_setup, cfg_test_teardown);
}

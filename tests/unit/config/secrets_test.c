/* Secrets: from `<key>_file`, from the environment, from a credentials file; never in a dump
 * or an error message; and a warning when the config file holding one is readable by others. */
#include "cfg_test.h"

#include "util/log.h"

#define SLS_NO_SECRET                            \
    "sls:\n"                                     \
    "  endpoint: cn-hangzhou.log.aliyuncs.com\n" \
    "  access_key_id: LTAI5tTestKeyId\n"         \
    "  consumer_group: siem\n"

#define SOURCES           \
    "sources:\n"          \
    "  - project: prod\n" \
    "    logstore: nginx\n"

static void a_secret_file_is_read_without_its_newline(void **state)
{
    (void)state;
    cfg_write("ak_secret", "file-secret-value\n", 0600);
    struct sf_config *config =
        cfg_expect_ok(SLS_NO_SECRET "  access_key_secret_file: ak_secret\n" SOURCES, NULL);
    assert_string_equal(config->sources[0].access_key_secret, "file-secret-value");
    sf_config_free(config);

    cfg_write("token", "sts-token-value\r\n", 0600);
    char *env[] = {"SLSFWD_SLS_ACCESS_KEY_SECRET_FILE=ak_secret",
                   "SLSFWD_SLS_SECURITY_TOKEN_FILE=token", NULL};
    config = cfg_expect_ok(SLS_NO_SECRET SOURCES, env);
    assert_string_equal(config->sources[0].access_key_secret, "file-secret-value");
    assert_string_equal(config->sources[0].security_token, "sts-token-value");
    sf_config_free(config);
}

static void unusable_secret_files_are_named(void **state)
{
    (void)state;
    cfg_expect_error(SLS_NO_SECRET "  access_key_secret_file: missing\n" SOURCES, NULL,
                     "slsfwd.yaml:5: sls.access_key_secret_file: cannot read missing: No such "
                     "file or directory");
    cfg_write("empty", "\n", 0600);
    cfg_expect_error(SLS_NO_SECRET "  access_key_secret_file: empty\n" SOURCES, NULL,
                     "slsfwd.yaml:5: sls.access_key_secret_file: empty: expected the secret, "
                     "found an empty file");
    cfg_expect_error(SLS_NO_SECRET "  access_key_secret_file: /tmp\n" SOURCES, NULL,
                     "slsfwd.yaml:5: sls.access_key_secret_file: cannot use /tmp: expected a "
                     "regular file of at most 64 KiB");
    char *env[] = {"SLSFWD_SLS_ACCESS_KEY_SECRET_FILE=missing", NULL};
    cfg_expect_error(SLS_NO_SECRET SOURCES, env,
                     "SLSFWD_SLS_ACCESS_KEY_SECRET_FILE: cannot read missing: No such file or "
                     "directory");
    cfg_write("ak_secret", "x\n", 0600);
    cfg_expect_error(CFG_SLS "  access_key_secret_file: ak_secret\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.access_key_secret_file: set access_key_secret or "
                     "access_key_secret_file, not both (access_key_secret is at line 4)");
    char *both[] = {"SLSFWD_SLS_ACCESS_KEY_SECRET=a", "SLSFWD_SLS_ACCESS_KEY_SECRET_FILE=b", NULL};
    cfg_expect_error(CFG_SLS SOURCES, both,
                     "SLSFWD_SLS_ACCESS_KEY_SECRET_FILE: set SLSFWD_SLS_ACCESS_KEY_SECRET or "
                     "SLSFWD_SLS_ACCESS_KEY_SECRET_FILE, not both");
}

static void credentials_files_take_our_keys_or_the_sts_json(void **state)
{
    (void)state;
    cfg_write("creds.yaml",
              "access_key_id: STS.id-from-yaml\n"
              "access_key_secret: yaml-secret\n"
              "security_token: yaml-token\n",
              0600);
    struct sf_config *config = cfg_expect_ok("sls:\n"
                                             "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                                             "  consumer_group: siem\n"
                                             "  credentials_file: creds.yaml\n" SOURCES,
                                             NULL);
    assert_string_equal(config->sources[0].credentials_file, "creds.yaml");
    assert_string_equal(config->sources[0].access_key_id, "STS.id-from-yaml");
    assert_string_equal(config->sources[0].access_key_secret, "yaml-secret");
    assert_string_equal(config->sources[0].security_token, "yaml-token");
    sf_config_free(config);

    cfg_write("creds.json",
              "{\"AccessKeyId\": \"STS.json-id\", \"AccessKeySecret\": \"json-secret\",\n"
              " \"Expiration\": \"2025-06-10T09:00:00Z\", \"SecurityToken\": \"json-token\",\n"
              " \"LastUpdated\": \"2025-06-10T08:00:00Z\", \"Code\": \"Success\"}\n",
              0600);
    struct sf_config_credentials creds;
    char errbuf[256];
    SF_CHECK_ERR(sf_config_credentials_read("creds.json", &creds, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(creds.access_key_id, "STS.json-id");
    assert_string_equal(creds.access_key_secret, "json-secret");
    assert_string_equal(creds.security_token, "json-token");
    assert_string_equal(creds.expiration, "2025-06-10T09:00:00Z"); /* for cred/file.c */
    sf_config_credentials_cleanup(&creds);

    cfg_write("bad.yaml", "access_key_id: x\nsecret: y\n", 0600);
    SF_CHECK_ERR(sf_config_credentials_read("bad.yaml", &creds, errbuf, sizeof(errbuf)),
                 SF_ERR_CONFIG);
    assert_string_equal(errbuf, "bad.yaml:2: unknown key secret; expected access_key_id, "
                                "access_key_secret, security_token");
    sf_config_credentials_cleanup(&creds);
    cfg_write("bad.yaml", "access_key_id: x\n", 0600);
    SF_CHECK_ERR(sf_config_credentials_read("bad.yaml", &creds, errbuf, sizeof(errbuf)),
                 SF_ERR_CONFIG);
    assert_string_equal(errbuf, "bad.yaml: access_key_secret is missing");
    sf_config_credentials_cleanup(&creds);
}

static void the_most_specific_credentials_win(void **state)
{
    (void)state;
    cfg_write("creds.yaml", "access_key_id: STS.file-id\naccess_key_secret: file-secret\n", 0600);
    /* A source's own keys beat an inherited credentials_file... */
    struct sf_config *config =
        cfg_expect_ok("sls:\n"
                      "  endpoint: cn-hangzhou.log.aliyuncs.com\n"
                      "  consumer_group: siem\n"
                      "  credentials_file: creds.yaml\n" SOURCES "  - project: prod\n"
                      "    logstore: audit\n"
                      "    access_key_id: LTAI5tOwnKeyId\n"
                      "    access_key_secret: own-secret\n",
                      NULL);
    assert_string_equal(config->sources[0].access_key_id, "STS.file-id");
    assert_string_equal(config->sources[1].access_key_id, "LTAI5tOwnKeyId");
    assert_null(config->sources[1].credentials_file);
    sf_config_free(config);
    /* ...a source's own credentials_file beats inherited keys... */
    config = cfg_expect_ok(CFG_SLS "sources:\n"
                                   "  - project: prod\n"
                                   "    logstore: nginx\n"
                                   "    credentials_file: creds.yaml\n",
                           NULL);
    assert_string_equal(config->sources[0].access_key_secret, "file-secret");
    sf_config_free(config);
    /* ...and both at the same level is a mistake. */
    cfg_expect_error(CFG_SLS "  credentials_file: creds.yaml\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.credentials_file: set credentials_file or inline keys, "
                     "not both (sls.access_key_id is set too)");
}

static void secrets_never_reach_the_dump(void **state)
{
    (void)state;
    cfg_write("ak_secret", "file-secret-value\n", 0600);
    cfg_write("creds.yaml",
              "access_key_id: STS.cred-id\naccess_key_secret: creds-secret-value\n"
              "security_token: creds-token-value\n",
              0600);
    char *env[] = {"SLSFWD_SLS_SECURITY_TOKEN=env-token-value", NULL};
    struct sf_config *config = cfg_expect_ok(CFG_SLS SOURCES "  - project: prod\n"
                                                             "    logstore: audit\n"
                                                             "    access_key_secret_file: "
                                                             "ak_secret\n"
                                                             "  - project: prod\n"
                                                             "    logstore: trail\n"
                                                             "    credentials_file: creds.yaml\n",
                                             env);
    assert_string_equal(config->sources[0].security_token, "env-token-value");
    char *dump = cfg_dump(config);
    static const char *const secrets[] = {"s3cr3t-inline-value", "file-secret-value",
                                          "creds-secret-value", "creds-token-value",
                                          "env-token-value"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(dump, secrets[i])) {
            fail_msg("the dump shows %s:\n%s", secrets[i], dump);
        }
    }
    assert_non_null(strstr(dump, "access_key_secret: \"<redacted>\""));
    assert_non_null(strstr(dump, "# slsfwd.yaml:11 via _file"));
    assert_non_null(strstr(dump, "# $SLSFWD_SLS_SECURITY_TOKEN"));
    assert_non_null(strstr(dump, "access_key_id: \"STS.cred-id\""));
    test_free(dump);
    sf_config_free(config);
}

/* A HEC URL may carry a secret of its own: allowQueryStringAuth's ?token=, or basic-auth
 * userinfo. The dump shows the rest of the URL. */
static void secrets_in_urls_are_redacted(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(
        CFG_SLS SOURCES "output:\n"
                        "  hec:\n"
                        "    token: hec-token-value\n"
                        "    url: https://splunk:url-pass-value@splunk.example.com:8088"
                        "/services/collector/event?channel=c1&Token=url-token-value"
                        "&api_key=url-key-value#frag\n",
        NULL);
    char *dump = cfg_dump(config);
    static const char *const secrets[] = {"url-pass-value", "url-token-value", "url-key-value",
                                          "hec-token-value"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(dump, secrets[i])) {
            fail_msg("the dump shows %s:\n%s", secrets[i], dump);
        }
    }
    assert_non_null(strstr(dump, "url: \"https://splunk:<redacted>@splunk.example.com:8088"
                                 "/services/collector/event?channel=c1&Token=<redacted>"
                                 "&api_key=<redacted>#frag\""));
    test_free(dump);
    sf_config_free(config);
}

struct load_args {
    const char *yaml;
    mode_t mode;
    sf_err err;
};

static void load_with_mode(void *arg)
{
    struct load_args *args = arg;
    struct sf_config *config = NULL;
    char errbuf[256];
    char *no_env[] = {NULL};
    cfg_write("slsfwd.yaml", args->yaml, args->mode);
    struct sf_config_cli cli = {.config_path = "slsfwd.yaml"};
    args->err = sf_config_load(&cli, no_env, &config, errbuf, sizeof(errbuf));
    sf_config_free(config);
}

static void a_readable_file_with_a_secret_gets_a_warning(void **state)
{
    (void)state;
    sf_log_set_level(SF_LOG_LEVEL_INFO);
    struct load_args args = {.yaml = CFG_SLS SOURCES, .mode = 0644};
    char *log = cfg_capture_stderr(load_with_mode, &args);
    SF_CHECK_ERR(args.err, SF_OK);
    assert_non_null(strstr(log, "level=warn module=config"));
    assert_non_null(strstr(log, "chmod 600"));
    assert_non_null(strstr(log, "file=\"slsfwd.yaml\" line=4 key=access_key_secret mode=0644"));
    assert_null(strstr(log, "s3cr3t-inline-value"));
    test_free(log);

    args.mode = 0600; /* private: no warning */
    log = cfg_capture_stderr(load_with_mode, &args);
    SF_CHECK_ERR(args.err, SF_OK);
    assert_string_equal(log, "");
    test_free(log);

    cfg_write("ak_secret", "file-secret-value\n", 0600);
    args = (struct load_args){.yaml = SLS_NO_SECRET "  access_key_secret_file: ak_secret\n" SOURCES,
                              .mode = 0644};
    log = cfg_capture_stderr(load_with_mode, &args); /* no secret in the file: no warning */
    SF_CHECK_ERR(args.err, SF_OK);
    assert_string_equal(log, "");
    test_free(log);
}

static void a_short_group_timeout_gets_a_warning(void **state)
{
    (void)state;
    sf_log_set_level(SF_LOG_LEVEL_INFO);
    struct load_args args = {.yaml = CFG_SLS "  heartbeat_interval: 20s\n"
                                             "  group_timeout: 30s\n" SOURCES,
                             .mode = 0600};
    char *log = cfg_capture_stderr(load_with_mode, &args);
    SF_CHECK_ERR(args.err, SF_OK);
    assert_non_null(strstr(log, "group_timeout is less than twice heartbeat_interval"));
    assert_non_null(strstr(log, "source=prod/nginx heartbeat_interval_s=20 group_timeout_s=30"));
    test_free(log);
}

/* Proxy keys: "" and none are values (direct), a URL is checked, its credentials go in the
 * secret `proxy_credentials` (or its _file), and no message repeats them. */
static void proxy_keys_are_checked_and_their_credentials_are_secret(void **state)
{
    (void)state;
    cfg_write("proxy_creds", "puser:ppass\n", 0600);
    struct sf_config *config = cfg_expect_ok(CFG_SLS "  proxy: http://proxy.corp:3128\n"
                                                     "  proxy_credentials_file: proxy_creds\n"
                                                     "sources:\n"
                                                     "  - project: prod\n"
                                                     "    logstore: nginx\n"
                                                     "  - project: prod\n"
                                                     "    logstore: audit\n"
                                                     "    proxy: \"\"\n",
                                             NULL);
    assert_string_equal(config->sources[0].proxy, "http://proxy.corp:3128");
    assert_string_equal(config->sources[0].proxy_credentials, "puser:ppass");
    assert_string_equal(config->sources[1].proxy, ""); /* direct, not "unset" */
    char *dump = cfg_dump(config);
    assert_null(strstr(dump, "ppass"));
    test_free(dump);
    sf_config_free(config);

    cfg_expect_error(CFG_SLS "  proxy: http://u:pw@proxy:3128\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.proxy: credentials do not belong in the proxy URL (it "
                     "is logged): put user:password in sls.proxy_credentials (or "
                     "sls.proxy_credentials_file)");
    cfg_expect_error(CFG_SLS "  proxy: https://proxy:3128\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.proxy: https:// proxies are not supported: use "
                     "http://host:port (HTTPS to the target stays TLS from end to end, tunnelled "
                     "by CONNECT)");
    cfg_expect_error(CFG_SLS "  proxy: http://proxy\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.proxy: expected http://host:port: the port is missing, "
                     "got \"http://proxy\"");
    cfg_expect_error(CFG_SLS "  proxy_credentials: nocolon-secret\n" SOURCES, NULL,
                     "slsfwd.yaml:6: sls.proxy_credentials: must be user:password (a user name, "
                     "a colon, a password)");
    char *env[] = {"SLSFWD_OUTPUT_HEC_PROXY=http://u:secret@p:1", NULL};
    cfg_expect_error(CFG_SLS SOURCES "output:\n  hec:\n    url: https://splunk:8088\n"
                                     "    token: t\n",
                     env,
                     "SLSFWD_OUTPUT_HEC_PROXY: credentials do not belong in the proxy URL (it "
                     "is logged): put user:password in output.hec.proxy_credentials (or "
                     "output.hec.proxy_credentials_file)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_secret_file_is_read_without_its_newline),
        cmocka_unit_test(unusable_secret_files_are_named),
        cmocka_unit_test(credentials_files_take_our_keys_or_the_sts_json),
        cmocka_unit_test(the_most_specific_credentials_win),
        cmocka_unit_test(secrets_never_reach_the_dump),
        cmocka_unit_test(secrets_in_urls_are_redacted),
        cmocka_unit_test(a_readable_file_with_a_secret_gets_a_warning),
        cmocka_unit_test(a_short_group_timeout_gets_a_warning),
        cmocka_unit_test(proxy_keys_are_checked_and_their_credentials_are_secret),
    };
    return cmocka_run_group_tests(tests, cfg_test_setup, cfg_test_teardown);
}

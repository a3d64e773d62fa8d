/* The local providers: static keys, the environment, slsfwd's credentials_file and the INI
 * profile file (syntax, types, errors), each called directly through provider.h. */
#include "sf_test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "cred/fakes.h"
#include "cred/provider.h"

static char dir[] = "/tmp/sf-cred-providers.XXXXXX";
static char path[256];
static char errbuf[1024];
static struct sf_cred_value value;

static struct sf_cred_config env_config(void)
{
    return (struct sf_cred_config){.getenv_fn = fake_getenv};
}

static const char *in_dir(const char *name)
{
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

static void environment_keys_and_token(void **state)
{
    (void)state;
    struct sf_cred_config config = env_config();
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_NOT_FOUND);
    assert_string_equal(errbuf, "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                                "are not set");

    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv");
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf,
                        "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                        "is not");
    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ""); /* empty is unset, as os.Getenv == "" */
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);

    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", NULL);
    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env");
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf,
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID "
                        "is not");

    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv");
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.access_key_id, "LTAIenv");
    assert_string_equal(value.access_key_secret, "SECRET-env");
    assert_string_equal(value.security_token, "");
    assert_int_equal(value.expiration, 0);

    fake_env_set("ALIBABA_CLOUD_SECURITY_TOKEN", "TOKEN-env");
    SF_CHECK_ERR(sf_cred_fetch_env(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.security_token, "TOKEN-env");
}

static void static_keys_are_bounded_and_never_echoed(void **state)
{
    (void)state;
    struct sf_cred_config config = {.access_key_id = "LTAIstatic",
                                    .access_key_secret = "SECRET-static"};
    SF_CHECK_ERR(sf_cred_fetch_static(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.access_key_id, "LTAIstatic");
    assert_string_equal(value.security_token, "");

    char long_secret[300];
    memset(long_secret, 'S', sizeof(long_secret) - 1);
    long_secret[sizeof(long_secret) - 1] = '\0';
    config.access_key_secret = long_secret;
    SF_CHECK_ERR(sf_cred_fetch_static(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_TOO_BIG);
    assert_string_equal(errbuf, "static keys: the access key secret is longer than slsfwd accepts");
    assert_string_equal(value.access_key_id, ""); /* nothing half-filled is left behind */
}

static void credentials_file_with_and_without_expiration(void **state)
{
    (void)state;
    struct sf_cred_config config = {.file = in_dir("creds.yaml")};
    fakes_write_file(config.file, "access_key_id: LTAIfile\naccess_key_secret: SECRET-file\n");
    SF_CHECK_ERR(sf_cred_fetch_file(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.access_key_id, "LTAIfile");
    assert_int_equal(value.expiration, 0);

    char json[] = "{\"Code\": \"Success\", \"AccessKeyId\": \"STS.file\", \"AccessKeySecret\": "
                  "\"SECRET-json\", \"SecurityToken\": \"TOKEN-json\", \"Expiration\": "
                  "\"2026-12-06T03:00:00Z\", \"LastUpdated\": \"2026-12-06T02:00:00Z\"}\n";
    config.file = in_dir("creds.json");
    fakes_write_file(config.file, json);
    SF_CHECK_ERR(sf_cred_fetch_file(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.security_token, "TOKEN-json");
    assert_int_equal(value.expiration, 1796526000); /* date -d 2026-12-06T03:00:00Z +%s */

    fakes_write_file(config.file, "{\"AccessKeyId\": \"STS.file\", \"AccessKeySecret\": \"x\", "
                                  "\"Expiration\": \"tomorrow\"}");
    SF_CHECK_ERR(sf_cred_fetch_file(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "creds.json: Expiration \"tomorrow\" is not a UTC time"));

    config.file = in_dir("missing.yaml");
    SF_CHECK_ERR(sf_cred_fetch_file(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "missing.yaml"));
}

static const char ini[] = "\xef\xbb\xbf# written by aliyun configure\r\n"
                          "; and edited by hand\n"
                          "\n"
                          "[default]\n"
                          "type = access_key\n"
                          "access_key_id = LTAIdefault\n"
                          "access_key_secret = SECRET-default   # inline comment\n"
                          "\n"
                          "  [ sts-profile ]  \n"
                          "Type: sts\n"
                          "access_key_id=STS.profile\n"
                          "access_key_secret = \"SECRET-quoted\"\n"
                          "security_token = TOKEN-profile\n"
                          "[ecs]\n"
                          "type = ecs_ram_role\n"
                          "role_name = from-profile\n"
                          "[ecs-discover]\n"
                          "type = ecs_ram_role\n"
                          "[ram]\n"
                          "type = ram_role_arn\n"
                          "access_key_id = LTAIram\n"
                          "access_key_secret = SECRET-ram\n"
                          "role_arn = acs:ram::123:role/reader\n"
                          "role_session_name = from-ini\n"
                          "policy = {\"Version\": \"1\"}\n"
                          "[ram-no-session]\n"
                          "type = ram_role_arn\n"
                          "access_key_id = LTAIram\n"
                          "access_key_secret = SECRET-ram\n"
                          "role_arn = acs:ram::123:role/reader\n"
                          "[oidc]\n"
                          "type = oidc_role_arn\n"
                          "role_arn = acs:ram::123:role/pod\n"
                          "oidc_provider_arn = acs:ram::123:oidc-provider/ack\n"
                          "oidc_token_file_path = /var/run/secrets/token\n"
                          "[bearer]\n"
                          "type = bearer\n"
                          "bearer_token = TOKEN-bearer\n"
                          "[untyped]\n"
                          "access_key_id = x\n";

static sf_err fetch_profile(const char *name)
{
    struct sf_cred_config config = env_config();
    config.profile_file = in_dir("credentials.ini");
    config.profile_name = name;
    config.ecs_role_name = "from-config";
    config.sts_endpoint = "sts.cn-shanghai.aliyuncs.com";
    fakes_write_file(config.profile_file, ini);
    return sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf));
}

static void ini_profiles_of_every_local_type(void **state)
{
    (void)state;
    SF_CHECK_ERR(fetch_profile(NULL), SF_OK); /* "default" */
    assert_string_equal(value.access_key_id, "LTAIdefault");
    assert_string_equal(value.access_key_secret, "SECRET-default");
    assert_string_equal(value.security_token, "");

    SF_CHECK_ERR(fetch_profile("sts-profile"), SF_OK);
    assert_string_equal(value.access_key_id, "STS.profile");
    assert_string_equal(value.access_key_secret, "SECRET-quoted");
    assert_string_equal(value.security_token, "TOKEN-profile");
}

static void ini_profiles_of_remote_types_call_the_remote_fetch(void **state)
{
    (void)state;
    SF_CHECK_ERR(fetch_profile("ecs"), SF_OK);
    assert_int_equal(fake_calls(&fake_ecs), 1);
    assert_string_equal(fake_ecs.ecs_role_name, "from-profile");
    assert_string_equal(value.access_key_id, "STS.ecs-1");
    SF_CHECK_ERR(fetch_profile("ecs-discover"), SF_OK);
    assert_string_equal(fake_ecs.ecs_role_name,
                        "from-config"); /* else $ALIBABA_CLOUD_ECS_METADATA */

    SF_CHECK_ERR(fetch_profile("ram"), SF_OK);
    assert_int_equal(fake_calls(&fake_ram), 1);
    assert_string_equal(fake_ram.access_key_id, "LTAIram");
    assert_string_equal(fake_ram.role_arn, "acs:ram::123:role/reader");
    assert_string_equal(fake_ram.role_session_name, "from-ini");
    assert_string_equal(fake_ram.policy, "{\"Version\": \"1\"}");
    assert_string_equal(fake_ram.sts_endpoint, "sts.cn-shanghai.aliyuncs.com");

    SF_CHECK_ERR(fetch_profile("oidc"), SF_OK);
    assert_string_equal(fake_oidc.oidc_token_file, "/var/run/secrets/token");
    assert_string_equal(fake_oidc.oidc_provider_arn, "acs:ram::123:oidc-provider/ack");
    assert_string_equal(fake_oidc.role_arn, "acs:ram::123:role/pod");

    fake_script(&fake_ram, SF_ERR_HTTP_REJECT, "STS said NoPermission", 3600);
    SF_CHECK_ERR(fetch_profile("ram"), SF_ERR_HTTP_REJECT);
    assert_non_null(strstr(errbuf, "credentials.ini: profile [ram]: STS said NoPermission"));

    fake_script(&fake_ecs, SF_ERR_NOT_FOUND, "no RAM role attached to the instance", 3600);
    SF_CHECK_ERR(fetch_profile("ecs"), SF_ERR_CONFIG); /* the chain must not skip it quietly */

    fake_env_set("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "TRUE");
    SF_CHECK_ERR(fetch_profile("ecs"), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"));
}

static void ini_profile_errors_name_file_profile_and_key(void **state)
{
    (void)state;
    SF_CHECK_ERR(fetch_profile("ram-no-session"), SF_ERR_CONFIG);
    assert_non_null(
        strstr(errbuf, "profile [ram-no-session] of type ram_role_arn needs role_session_name"));
    assert_int_equal(fake_calls(&fake_ram), 0);
    SF_CHECK_ERR(fetch_profile("bearer"), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "profile [bearer]: type bearer is not supported"));
    SF_CHECK_ERR(fetch_profile("untyped"), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "profile [untyped] has no type"));
    SF_CHECK_ERR(fetch_profile("nobody"), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "credentials.ini: no profile [nobody]"));
}

/* Each bad file, and the error it must give: file and line, never the line's text. */
static void ini_bad_lines_are_errors_with_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        {"[default]\ntype = access_key\nSECRET-pasted-alone\n",
         "bad.ini:3: expected [profile] or key = value"},
        {"access_key_id = SECRET-x\n[default]\n", "bad.ini:1: key before the first [profile] line"},
        {"[default\ntype = access_key\n", "bad.ini:1: a [profile] line must end with ]"},
        {"[default]\n = SECRET-x\n", "bad.ini:2: a key name is missing"},
        {"[default]\ntype = sts\nTYPE = access_key\n",
         "bad.ini:3: duplicate key TYPE in profile default"},
        {"[default]\ntype = sts\n[other]\n[default]\n",
         "bad.ini:4: profile [default] appears twice"},
    };
    struct sf_cred_config config = env_config();
    config.profile_file = in_dir("bad.ini");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fakes_write_file(config.profile_file, cases[i].text);
        SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
        if (!strstr(errbuf, cases[i].error)) {
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, errbuf, cases[i].error);
        }
        assert_null(strstr(errbuf, "SECRET"));
    }
    /* A syntax error in another profile fails too: the file is broken, whatever we read. */
    fakes_write_file(config.profile_file,
                     "[default]\ntype=access_key\naccess_key_id=a\naccess_key_secret=b\n"
                     "[other]\nnonsense\n");
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "bad.ini:6:"));

    char *big = test_malloc(70 * 1024);
    memset(big, '#', 70 * 1024 - 1);
    big[70 * 1024 - 1] = '\0';
    fakes_write_file(config.profile_file, big);
    test_free(big);
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "bad.ini"));
}

/* The default file: $HOME/.alibabacloud/credentials; missing it only means "not configured". */
static void default_profile_file_and_tilde(void **state)
{
    (void)state;
    struct sf_cred_config config = env_config();
    fake_env_set("HOME", dir);
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_NOT_FOUND);
    snprintf(path, sizeof(path), "%s/.alibabacloud/credentials does not exist", dir);
    assert_string_equal(errbuf, path);

    config.profile_file = "~/explicit.ini"; /* given, so missing is an error */
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "explicit.ini"));
    fakes_write_file(in_dir("explicit.ini"),
                     "[work]\ntype = access_key\naccess_key_id = LTAItilde\n"
                     "access_key_secret = SECRET-tilde\n");
    config.profile_name = "work";
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.access_key_id, "LTAItilde");

    snprintf(path, sizeof(path), "%s/.alibabacloud", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/.alibabacloud/credentials", dir);
    fakes_write_file(path, "[default]\ntype = access_key\naccess_key_id = LTAIhome\n"
                           "access_key_secret = SECRET-home\n");
    config = env_config();
    SF_CHECK_ERR(sf_cred_fetch_profile(&config, &value, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(value.access_key_id, "LTAIhome");
    unlink(path);
    snprintf(path, sizeof(path), "%s/.alibabacloud", dir);
    rmdir(path);
}

static int setup(void **state)
{
    (void)state;
    fakes_reset();
    return 0;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(environment_keys_and_token, setup),
        cmocka_unit_test_setup(static_keys_are_bounded_and_never_echoed, setup),
        cmocka_unit_test_setup(credentials_file_with_and_without_expiration, setup),
        cmocka_unit_test_setup(ini_profiles_of_every_local_type, setup),
        cmocka_unit_test_setup(ini_profiles_of_remote_types_call_the_remote_fetch, setup),
        cmocka_unit_test_setup(ini_profile_errors_name_file_profile_and_key, setup),
        cmocka_unit_test_setup(ini_bad_lines_are_errors_with_file_and_line, setup),
        cmocka_unit_test_setup(default_profile_file_and_tilde, setup),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    const char *files[] = {"creds.yaml", "creds.json", "credentials.ini", "bad.ini",
                           "explicit.ini"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        unlink(in_dir(files[i]));
    }
    rmdir(dir);
    return failed;
}

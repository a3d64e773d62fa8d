/* sf_cred_new (AUTO, validation, the environment folded in) and sf_cred_resolve over the default
 * chain: env -> oidc_role_arn -> profile -> ecs_ram_role, "not configured" skipped, failures
 * recorded, the provider that worked kept. */
#include "sf_test.h"

#include <unistd.h>

#include "cred/cred.h"
#include "cred/fakes.h"

static char dir[] = "/tmp/sf-cred-chain.XXXXXX";
static char log_path[256];
static char errbuf[2048];

static struct sf_cred *new_ok(struct sf_cred_config config)
{
    struct sf_cred *cred = NULL;
    config.getenv_fn = fake_getenv;
    config.source_name = "test";
    sf_err err = sf_cred_new(&config, &cred, errbuf, sizeof(errbuf));
    if (err) {
        fail_msg("sf_cred_new: %s: %s", sf_err_name(err), errbuf);
    }
    return cred;
}

static void expect_config_error(struct sf_cred_config config, const char *error)
{
    struct sf_cred *cred = (struct sf_cred *)&config; /* must be reset to NULL */
    config.getenv_fn = fake_getenv;
    SF_CHECK_ERR(sf_cred_new(&config, &cred, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_null(cred);
    assert_string_equal(errbuf, error);
}

static enum sf_cred_provider provider_of(struct sf_cred *cred)
{
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    return status.provider;
}

static void auto_decides_from_the_config_alone(void **state)
{
    (void)state;
    /* Every RRSA pod has ALIBABA_CLOUD_ROLE_ARN: it must not turn static keys into AssumeRole. */
    fake_env_set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/pod");
    const struct {
        struct sf_cred_config config;
        enum sf_cred_provider want;
    } cases[] = {
        {{.access_key_id = "LTAI", .access_key_secret = "SECRET-x"}, SF_CRED_STATIC},
        {{.access_key_id = "LTAI",
          .access_key_secret = "SECRET-x",
          .role_arn = "acs:ram::1:role/r"},
         SF_CRED_RAM_ROLE_ARN},
        {{.file = "/etc/slsfwd/creds.json"}, SF_CRED_FILE},
        {{.oidc_provider_arn = "acs:ram::1:oidc-provider/p", .oidc_token_file = "/t"},
         SF_CRED_OIDC_ROLE_ARN},
        {{.access_key_id = ""}, SF_CRED_CHAIN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sf_cred *cred = new_ok(cases[i].config);
        if (provider_of(cred) != cases[i].want) {
            fail_msg("case %zu: %s, want %s", i, sf_cred_provider_name(provider_of(cred)),
                     sf_cred_provider_name(cases[i].want));
        }
        sf_cred_free(cred);
    }
}

static void validation_names_the_missing_key(void **state)
{
    (void)state;
    expect_config_error(
        (struct sf_cred_config){.provider = SF_CRED_RAM_ROLE_ARN, .role_arn = "acs:ram::1:role/r"},
        "credentials provider ram_role_arn needs access_key_id");
    expect_config_error((struct sf_cred_config){.provider = SF_CRED_RAM_ROLE_ARN,
                                                .access_key_id = "LTAI",
                                                .access_key_secret = "SECRET-x"},
                        "credentials provider ram_role_arn needs role_arn (or "
                        "$ALIBABA_CLOUD_ROLE_ARN)");
    expect_config_error((struct sf_cred_config){.access_key_id = "LTAI"},
                        "credentials provider static needs access_key_secret");
    expect_config_error((struct sf_cred_config){.provider = SF_CRED_OIDC_ROLE_ARN,
                                                .role_arn = "r",
                                                .oidc_provider_arn = "p"},
                        "credentials provider oidc_role_arn needs oidc_token_file (or "
                        "$ALIBABA_CLOUD_OIDC_TOKEN_FILE)");
    expect_config_error((struct sf_cred_config){.provider = SF_CRED_FILE},
                        "credentials provider file needs file");
    expect_config_error((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE, .duration_s = 60},
                        "duration_s: 60 is outside 900..43200 seconds (STS)");
    expect_config_error((struct sf_cred_config){.provider = (enum sf_cred_provider)42},
                        "credentials provider 42 is unknown");
    fake_env_set("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    expect_config_error((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE},
                        "credentials provider ecs_ram_role, but "
                        "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");

    /* The environment completes what the libraries read from it. */
    fake_env_set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/env");
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_RAM_ROLE_ARN,
                                                          .access_key_id = "LTAI",
                                                          .access_key_secret = "SECRET-x"});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(fake_ram.role_arn, "acs:ram::1:role/env");
    assert_string_equal(fake_ram.access_key_id, "LTAI");
    sf_cred_free(cred);
}

static void config_values_win_over_the_environment(void **state)
{
    (void)state;
    fake_env_set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/env");
    fake_env_set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "provider-env");
    fake_env_set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/token-env");
    fake_env_set("ALIBABA_CLOUD_ROLE_SESSION_NAME", "session-env");
    fake_env_set("ALIBABA_CLOUD_STS_ENDPOINT", "sts.env.example");
    fake_env_set("ALIBABA_CLOUD_ECS_METADATA", "role-env");
    fake_env_set("ALIBABA_CLOUD_IMDSV1_DISABLED", "TRUE");
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_OIDC_ROLE_ARN,
                                                          .role_arn = "acs:ram::1:role/config",
                                                          .role_session_name = ""});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(fake_oidc.role_arn, "acs:ram::1:role/config");
    assert_string_equal(fake_oidc.oidc_provider_arn, "provider-env");
    assert_string_equal(fake_oidc.oidc_token_file, "/token-env");
    assert_string_equal(fake_oidc.role_session_name, "session-env"); /* "" counts as unset */
    assert_string_equal(fake_oidc.sts_endpoint, "sts.env.example");
    sf_cred_free(cred);

    cred = new_ok((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(fake_ecs.ecs_role_name, "role-env");
    assert_true(fake_ecs.ecs_imdsv1_disabled);
    sf_cred_free(cred);

    /* No endpoint anywhere: the libraries' ALIBABA_CLOUD_STS_REGION (+ VPC) form. */
    fake_env_set("ALIBABA_CLOUD_STS_ENDPOINT", NULL);
    fake_env_set("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou");
    fake_env_set("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true");
    cred = new_ok((struct sf_cred_config){.provider = SF_CRED_OIDC_ROLE_ARN});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_string_equal(fake_oidc.sts_endpoint, "sts-vpc.cn-hangzhou.aliyuncs.com");
    sf_cred_free(cred);
}

static void chain_tries_every_provider_in_order_and_lists_why(void **state)
{
    (void)state;
    fake_env_set("HOME", dir); /* no .alibabacloud/credentials there */
    fake_script(&fake_ecs, SF_ERR_NET, "connect to 100.100.100.200 timed out", 0);
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_CHAIN});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_ERR_NET);
    char want[1024];
    snprintf(want, sizeof(want),
             "credentials (chain): no credential provider in the chain worked: "
             "env: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set; "
             "oidc_role_arn: ALIBABA_CLOUD_OIDC_TOKEN_FILE is not set; "
             "profile: %s/.alibabacloud/credentials does not exist; "
             "ecs_ram_role: connect to 100.100.100.200 timed out",
             dir);
    assert_string_equal(errbuf, want);
    assert_int_equal(fake_calls(&fake_oidc), 0); /* not configured: never called */
    assert_int_equal(fake_calls(&fake_ecs), 1);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_int_equal(status.provider, SF_CRED_CHAIN);
    assert_int_equal(status.failures, 1);
    assert_true(status.failing);
    /* The status line keeps what failed, not what was absent. */
    assert_string_equal(status.last_error, "ecs_ram_role: connect to 100.100.100.200 timed out");
    sf_cred_free(cred);

    /* The metadata service switched off and nothing else: a configuration error. */
    fake_env_set("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    cred = new_ok((struct sf_cred_config){.provider = SF_CRED_CHAIN});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(
        strstr(errbuf, "; ecs_ram_role: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"));
    assert_int_equal(fake_calls(&fake_ecs), 1);
    sf_cred_status(cred, &status);
    assert_string_equal(status.last_error, "no credential provider in the chain is configured");
    sf_cred_free(cred);
}

static void chain_moves_past_failures_and_keeps_the_winner(void **state)
{
    (void)state;
    fake_env_set("HOME", dir);
    /* env half-set: an error, recorded; OIDC configured but STS refuses; the profile works. */
    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIhalf");
    fake_env_set("ALIBABA_CLOUD_ROLE_ARN", "r");
    fake_env_set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p");
    fake_env_set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t");
    fake_script(&fake_oidc, SF_ERR_HTTP_REJECT, "AuthenticationFail.OIDCToken.Expired", 3600);
    char profile_file[256];
    snprintf(profile_file, sizeof(profile_file), "%s/profile.ini", dir);
    fakes_write_file(profile_file, "[default]\ntype = access_key\naccess_key_id = LTAIprofile\n"
                                   "access_key_secret = SECRET-profile\n");
    fake_env_set("ALIBABA_CLOUD_CREDENTIALS_FILE", profile_file);
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_AUTO});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(fake_calls(&fake_oidc), 1);
    assert_int_equal(fake_calls(&fake_ecs), 0); /* after the winner: not tried */
    assert_int_equal(provider_of(cred), SF_CRED_PROFILE);
    struct sf_cred_value value;
    sf_cred_current(cred, &value);
    assert_string_equal(value.access_key_id, "LTAIprofile");

    /* Kept, as lastUsedProvider: now that OIDC works, the next fetch still reads the profile. */
    fake_script(&fake_oidc, SF_OK, NULL, 3600);
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(fake_calls(&fake_oidc), 1);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_int_equal(status.refreshes, 1);
    assert_int_equal(status.failures, 0);
    assert_false(status.failing);

    /* ...and a kept provider that fails does not fall back to the chain. */
    unlink(profile_file);
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "credentials (profile): "));
    assert_int_equal(fake_calls(&fake_oidc), 1);
    sf_cred_current(cred, &value); /* the old value stays */
    assert_string_equal(value.access_key_id, "LTAIprofile");
    sf_cred_free(cred);
}

static void chain_prefers_the_environment(void **state)
{
    (void)state;
    fake_env_set("HOME", dir);
    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv");
    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env");
    fake_env_set("ALIBABA_CLOUD_ROLE_ARN", "r");
    fake_env_set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p");
    fake_env_set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t");
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_CHAIN});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(provider_of(cred), SF_CRED_ENV);
    assert_int_equal(fake_calls(&fake_oidc), 0);
    sf_cred_free(cred);

    fake_env_set("ALIBABA_CLOUD_ACCESS_KEY_ID", NULL);
    cred = new_ok((struct sf_cred_config){.provider = SF_CRED_CHAIN});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(provider_of(cred), SF_CRED_OIDC_ROLE_ARN);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_true(status.expiration > 0);
    assert_true(status.next_refresh > 0 && status.next_refresh < status.expiration);
    sf_cred_free(cred);
}

static void explicit_env_provider_without_variables_is_an_error(void **state)
{
    (void)state;
    struct sf_cred *cred = new_ok((struct sf_cred_config){.provider = SF_CRED_ENV});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_string_equal(errbuf, "credentials (env): ALIBABA_CLOUD_ACCESS_KEY_ID and "
                                "ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set");
    sf_cred_free(cred);
}

static void credentials_that_arrive_expired_are_refused(void **state)
{
    (void)state;
    char file[256];
    snprintf(file, sizeof(file), "%s/stale.json", dir);
    fakes_write_file(file, "{\"AccessKeyId\": \"STS.x\", \"AccessKeySecret\": \"SECRET-x\", "
                           "\"SecurityToken\": \"TOKEN-x\", \"Expiration\": "
                           "\"2020-01-01T00:00:00Z\"}");
    struct sf_cred *cred = new_ok((struct sf_cred_config){.file = file});
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_ERR_AUTH_EXPIRED);
    assert_string_equal(errbuf, "credentials (file): provider file returned credentials that "
                                "expired at 2020-01-01T00:00:00Z");
    sf_cred_free(cred);
    unlink(file);
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
    snprintf(log_path, sizeof(log_path), "%s/log", dir);
    fakes_capture_log(log_path);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(auto_decides_from_the_config_alone, setup),
        cmocka_unit_test_setup(validation_names_the_missing_key, setup),
        cmocka_unit_test_setup(config_values_win_over_the_environment, setup),
        cmocka_unit_test_setup(chain_tries_every_provider_in_order_and_lists_why, setup),
        cmocka_unit_test_setup(chain_moves_past_failures_and_keeps_the_winner, setup),
        cmocka_unit_test_setup(chain_prefers_the_environment, setup),
        cmocka_unit_test_setup(explicit_env_provider_without_variables_is_an_error, setup),
        cmocka_unit_test_setup(credentials_that_arrive_expired_are_refused, setup),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* Every fake secret holds SECRET or TOKEN; DEBUG was on for the module. */
    if (fakes_count_in_file(log_path, "SECRET-") || fakes_count_in_file(log_path, "TOKEN-")) {
        fprintf(stderr, "a secret reached the log %s\n", log_path);
        return 1;
    }
    if (!fakes_count_in_file(log_path, "credential chain: provider skipped")) {
        fprintf(stderr, "the log capture saw nothing: %s\n", log_path);
        return 1;
    }
    unlink(log_path);
    rmdir(dir);
    return failed;
}

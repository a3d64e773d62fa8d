/* The emulator's signature verifier against the vectors of
 * docs/protocol/sls-api.md §Signature v1 test vectors (v1: the Go SDK's official vector, V1-A/B/C)
 * and docs/protocol/sls-api.md §Signature v4 (v4: Go SDK case 2, the PullLogs vector), plus the
 * policy checks around them (skew, unknown key, STS token, body digests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"

#define KEY_ID     "LTAI5tTestKeyId0001"
#define KEY_SECRET "TestSecretKey0123456789abcdef"
#define DATE       "Tue, 10 Jun 2025 08:00:00 GMT"
#define DATE_S     1749542400
#define CURSOR     "MTc0OTU0MjQwMDAwMDAwMDAwMA=="

static const struct emu_auth_param pull_params[] = {
    {"type", "log", true},
    {"cursor", CURSOR, true},
    {"count", "1000", true},
};

static char *v1_string(const struct emu_auth_input *in)
{
    static char text[4096];
    struct sf_buf buf;
    sf_buf_init(&buf, sizeof(text));
    assert_int_equal(emu_auth_v1_string_to_sign(in, &buf), SF_OK);
    snprintf(text, sizeof(text), "%.*s", (int)buf.len, (const char *)buf.ptr);
    sf_buf_cleanup(&buf);
    return text;
}

static void v1_go_sdk_official_vector(void **state)
{
    (void)state;
    const struct tc_header headers[] = {
        {"Date", "Mon, 3 Jan 2010 08:33:47 GMT"},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "0"},
        {"x-log-signaturemethod", "hmac-sha1"},
    };
    struct emu_auth_input in = {"GET", "/logstores", NULL, 0, headers, 4};
    const char *want = "GET\n\n\nMon, 3 Jan 2010 08:33:47 GMT\nx-log-apiversion:0.6.0\n"
                       "x-log-bodyrawsize:0\nx-log-signaturemethod:hmac-sha1\n/logstores";
    char *sts = v1_string(&in);
    assert_string_equal(sts, want);
    char sig[64];
    emu_auth_v1_signature("mockAccessKeySecret", sts, strlen(sts), false, sig);
    assert_string_equal(sig, "Rwm6cTKzoti4HWoe+GKcb6Kv07E=");
}

static void v1_a_pull_logs_signs_decoded_sorted_params(void **state)
{
    (void)state;
    const struct tc_header headers[] = {
        {"Host", "my-project.cn-hangzhou.log.aliyuncs.com"},
        {"Date", DATE},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"Accept-Encoding", "lz4"},
    };
    struct emu_auth_input in = {"GET", "/logstores/app-logs/shards/3", pull_params, 3, headers, 6};
    char *sts = v1_string(&in);
    assert_string_equal(sts, "GET\n\n\n" DATE "\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:0\n"
                             "x-log-signaturemethod:hmac-sha1\n/logstores/app-logs/shards/3"
                             "?count=1000&cursor=" CURSOR "&type=log");
    char sig[64];
    emu_auth_v1_signature(KEY_SECRET, sts, strlen(sts), false, sig);
    assert_string_equal(sig, "0M12GGxCETaiYNRsIFylgfxDMTE=");
}

static void v1_b_heartbeat_with_sts_token(void **state)
{
    (void)state;
    char md5[33];
    emu_auth_md5_hex((const uint8_t *)"[0,1]", 5, md5);
    assert_string_equal(md5, "CCFCD347D0BF65DC77AFE01A3306A96B");
    const struct tc_header headers[] = {
        {"Content-MD5", md5},
        {"Content-Type", "application/json"},
        {"Date", DATE},
        {"x-acs-security-token", "CAIStestSTStoken=="},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "5"},
        {"x-log-signaturemethod", "hmac-sha1"},
    };
    const struct emu_auth_param params[] = {
        {"type", "heartbeat", true},
        {"consumer", "siem-cg-host1-4242", true},
    };
    struct emu_auth_input in = {
        "POST", "/logstores/app-logs/consumergroups/siem-cg", params, 2, headers, 7};
    char *sts = v1_string(&in);
    assert_string_equal(sts, "POST\nCCFCD347D0BF65DC77AFE01A3306A96B\napplication/json\n" DATE
                             "\nx-acs-security-token:CAIStestSTStoken==\nx-log-apiversion:0.6.0\n"
                             "x-log-bodyrawsize:5\nx-log-signaturemethod:hmac-sha1\n"
                             "/logstores/app-logs/consumergroups/siem-cg"
                             "?consumer=siem-cg-host1-4242&type=heartbeat");
    char sig[64];
    emu_auth_v1_signature(KEY_SECRET, sts, strlen(sts), false, sig);
    assert_string_equal(sig, "Ft9VUjqmRUc/kEU8yCjZLYtMqps=");
}

static void v1_c_checkpoint_sorts_force_success_between(void **state)
{
    (void)state;
    const char *body = "{\"shard\":3,\"checkpoint\":\"" CURSOR "\"}";
    char md5[33];
    emu_auth_md5_hex((const uint8_t *)body, strlen(body), md5);
    assert_int_equal(strlen(body), 55);
    assert_string_equal(md5, "A525F7864C89C546F5C3A4D3E938CACD");
    const struct tc_header headers[] = {
        {"Content-MD5", md5},
        {"Content-Type", "application/json"},
        {"Date", DATE},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "55"},
        {"x-log-signaturemethod", "hmac-sha1"},
    };
    const struct emu_auth_param params[] = {
        {"type", "checkpoint", true},
        {"consumer", "siem-cg-host1-4242", true},
        {"forceSuccess", "true", true},
    };
    struct emu_auth_input in = {
        "POST", "/logstores/app-logs/consumergroups/siem-cg", params, 3, headers, 6};
    char *sts = v1_string(&in);
    assert_non_null(strstr(sts, "/logstores/app-logs/consumergroups/siem-cg?consumer=siem-cg-"
                                "host1-4242&forceSuccess=true&type=checkpoint"));
    char sig[64];
    emu_auth_v1_signature(KEY_SECRET, sts, strlen(sts), false, sig);
    assert_string_equal(sig, "u0nf22L/KL6eQuVTnPeYWKMCiPo=");
}

static char *canonical(const struct emu_auth_input *in, const char *payload)
{
    static char text[4096];
    struct sf_buf buf;
    sf_buf_init(&buf, sizeof(text));
    assert_int_equal(emu_auth_v4_canonical_request(in, payload, false, &buf), SF_OK);
    snprintf(text, sizeof(text), "%.*s", (int)buf.len, (const char *)buf.ptr);
    sf_buf_cleanup(&buf);
    return text;
}

static void v4_go_sdk_case_2(void **state)
{
    (void)state;
    const char *body = "adasd= -asd zcas";
    char payload[65];
    emu_auth_sha256_hex((const uint8_t *)body, strlen(body), payload);
    const struct tc_header headers[] = {
        {"x-log-date", "20220808T032330Z"},
        {"x-log-content-sha256", payload},
    };
    struct emu_auth_input in = {"POST", "/logstores", NULL, 0, headers, 2};
    char *canon = canonical(&in, payload);
    char sig[65];
    emu_auth_v4_signature("zxasdasdasw2", "cn-shanghai", "20220808", "20220808T032330Z", canon,
                          strlen(canon), sig);
    assert_string_equal(sig, "8a10a5e723cb2e75964816de660b2c16a58af8bc0261f7f0722d832468c76ce8");
}

static const struct tc_header v4_pull_headers[] = {
    {"Host", "my-project.cn-hangzhou.log.aliyuncs.com"},
    {"x-log-apiversion", "0.6.0"},
    {"x-log-bodyrawsize", "0"},
    {"x-log-date", "20250610T080000Z"},
    {"x-log-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"Accept-Encoding", "lz4"},
    {"Authorization",
     "SLS4-HMAC-SHA256 Credential=" KEY_ID "/20250610/cn-hangzhou/sls/aliyun_v4_request,Signature="
     "2b94b2a25e04aefe89ba431b4ae4eb7344ca0f4724152992df64460ea109615a"},
};

static void v4_pull_logs_vector(void **state)
{
    (void)state;
    struct emu_auth_input in = {
        "GET", "/logstores/app-logs/shards/3", pull_params, 3, v4_pull_headers, 6};
    const char *empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    char *canon = canonical(&in, empty);
    assert_string_equal(canon,
                        "GET\n/logstores/app-logs/shards/3\n"
                        "count=1000&cursor=MTc0OTU0MjQwMDAwMDAwMDAwMA%3D%3D&type=log\n"
                        "host:my-project.cn-hangzhou.log.aliyuncs.com\nx-log-apiversion:0.6.0\n"
                        "x-log-bodyrawsize:0\nx-log-content-sha256:"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                        "x-log-date:20250610T080000Z\n\n"
                        "host;x-log-apiversion;x-log-bodyrawsize;x-log-content-sha256;x-log-date\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char hash[65];
    emu_auth_sha256_hex((const uint8_t *)canon, strlen(canon), hash);
    assert_string_equal(hash, "d25f7d56b1d8442222e188558a24b50f5114e2013b859ccc52e553d60671a62f");
    char sig[65];
    emu_auth_v4_signature(KEY_SECRET, "cn-hangzhou", "20250610", "20250610T080000Z", canon,
                          strlen(canon), sig);
    assert_string_equal(sig, "2b94b2a25e04aefe89ba431b4ae4eb7344ca0f4724152992df64460ea109615a");
}

/* ---- emu_auth_verify: the policy around the signatures ---- */

static const struct emu_key keys[] = {
    {KEY_ID, KEY_SECRET, NULL},
    {"STSKeyId", KEY_SECRET, "CAIStestSTStoken=="},
};

static struct emu_auth_config config_at(int64_t now_s)
{
    return (struct emu_auth_config){.keys = keys, .n_keys = 2, .now_s = now_s, .max_skew_s = 900};
}

static struct tc_header v1_headers[8];

static struct emu_auth_input v1_pull_request(const char *authorization, const char *date)
{
    struct tc_header h[] = {
        {"Date", date},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"Authorization", authorization},
    };
    memcpy(v1_headers, h, sizeof(h));
    return (struct emu_auth_input){
        "GET", "/logstores/app-logs/shards/3", pull_params, 3, v1_headers, 5};
}

static void verify_accepts_v1_a_and_refuses_tampering(void **state)
{
    (void)state;
    struct emu_auth_config cfg = config_at(DATE_S + 60);
    struct emu_auth_failure failure;
    struct emu_auth_input in = v1_pull_request("LOG " KEY_ID ":0M12GGxCETaiYNRsIFylgfxDMTE=", DATE);
    assert_true(emu_auth_verify(&cfg, &in, NULL, 0, &failure));

    in = v1_pull_request("LOG " KEY_ID ":1M12GGxCETaiYNRsIFylgfxDMTE=", DATE);
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_int_equal(failure.status, 401);
    assert_string_equal(failure.code, "SignatureNotMatch");

    in = v1_pull_request("LOG NoSuchKey:0M12GGxCETaiYNRsIFylgfxDMTE=", DATE);
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_int_equal(failure.status, 401);
    assert_string_equal(failure.code, "InvalidAccessKeyId");
    assert_int_equal(failure.reason, EMU_AUTH_REASON_UNKNOWN_KEY);
}

static void verify_refuses_skew_beyond_15_minutes(void **state)
{
    (void)state;
    struct emu_auth_failure failure;
    struct emu_auth_input in = v1_pull_request("LOG " KEY_ID ":0M12GGxCETaiYNRsIFylgfxDMTE=", DATE);
    struct emu_auth_config cfg = config_at(DATE_S + 901);
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_int_equal(failure.status, 400);
    assert_string_equal(failure.code, "RequestTimeExpired");
    cfg = config_at(DATE_S - 899);
    assert_true(emu_auth_verify(&cfg, &in, NULL, 0, &failure));

    in = v1_pull_request("LOG " KEY_ID ":0M12GGxCETaiYNRsIFylgfxDMTE=", "yesterday");
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "InvalidDateFormat");
}

static void verify_checks_required_headers(void **state)
{
    (void)state;
    struct emu_auth_config cfg = config_at(DATE_S);
    struct emu_auth_failure failure;
    struct emu_auth_input in = v1_pull_request("LOG " KEY_ID ":0M12GGxCETaiYNRsIFylgfxDMTE=", DATE);
    v1_headers[3].value = "hmac-md5";
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "InvalidSignatureMethod");
    v1_headers[3].name = "x-other";
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "MissingSignatureMethod");
    v1_headers[1].value = "0.5.0";
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "InvalidAPIVersion");
    v1_headers[4].name = "x-no-auth";
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "MissAccessKeyId");
}

static void verify_v1_b_needs_the_matching_sts_token(void **state)
{
    (void)state;
    /* Same bytes as V1-B, signed by the STS key of the table. */
    const char *body = "[0,1]";
    struct tc_header headers[] = {
        {"Content-MD5", "CCFCD347D0BF65DC77AFE01A3306A96B"},
        {"Content-Type", "application/json"},
        {"Date", DATE},
        {"x-acs-security-token", "CAIStestSTStoken=="},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "5"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"Authorization", "LOG STSKeyId:Ft9VUjqmRUc/kEU8yCjZLYtMqps="},
    };
    const struct emu_auth_param params[] = {
        {"type", "heartbeat", true},
        {"consumer", "siem-cg-host1-4242", true},
    };
    struct emu_auth_input in = {
        "POST", "/logstores/app-logs/consumergroups/siem-cg", params, 2, headers, 8};
    struct emu_auth_config cfg = config_at(DATE_S);
    struct emu_auth_failure failure;
    assert_true(emu_auth_verify(&cfg, &in, (const uint8_t *)body, 5, &failure));
    /* The body must match Content-MD5. */
    assert_false(emu_auth_verify(&cfg, &in, (const uint8_t *)"[0,2]", 5, &failure));
    assert_string_equal(failure.code, "SignatureNotMatch");
    /* A wrong token is an Unauthorized security-token error, before the signature. */
    headers[3].value = "CAISotherToken==";
    assert_false(emu_auth_verify(&cfg, &in, (const uint8_t *)body, 5, &failure));
    assert_string_equal(failure.code, "Unauthorized");
    assert_non_null(strstr(failure.message, "security token"));
    /* A permanent key must not carry a token. */
    headers[7].value = "LOG " KEY_ID ":Ft9VUjqmRUc/kEU8yCjZLYtMqps=";
    headers[3].value = "CAIStestSTStoken==";
    assert_false(emu_auth_verify(&cfg, &in, (const uint8_t *)body, 5, &failure));
    assert_string_equal(failure.code, "Unauthorized");
}

static void verify_accepts_v4_pull_logs_vector(void **state)
{
    (void)state;
    struct emu_auth_input in = {
        "GET", "/logstores/app-logs/shards/3", pull_params, 3, v4_pull_headers, 7};
    struct emu_auth_config cfg = config_at(DATE_S + 30);
    struct emu_auth_failure failure;
    assert_true(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    cfg.region = "cn-beijing";
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "SignatureNotMatch");
    cfg = config_at(DATE_S + 3600);
    assert_false(emu_auth_verify(&cfg, &in, NULL, 0, &failure));
    assert_string_equal(failure.code, "RequestTimeExpired");
    /* A body that does not hash to x-log-content-sha256 is refused. */
    cfg = config_at(DATE_S);
    assert_false(emu_auth_verify(&cfg, &in, (const uint8_t *)"x", 1, &failure));
    assert_string_equal(failure.code, "SignatureNotMatch");
}

static void v1_hmac_sha256_variant_and_bare_keys(void **state)
{
    (void)state;
    /* The OpenAPI SDKs sign v1 with HMAC-SHA256 and may send "key" without "=". */
    const struct tc_header headers[] = {
        {"Date", DATE},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-signaturemethod", "hmac-sha256"},
    };
    const struct emu_auth_param params[] = {{"flag", "", false}, {"a", "", true}};
    struct emu_auth_input in = {"GET", "/logstores", params, 2, headers, 3};
    char *sts = v1_string(&in);
    assert_non_null(strstr(sts, "/logstores?a=&flag"));
    char sig1[64], sig256[64];
    emu_auth_v1_signature(KEY_SECRET, sts, strlen(sts), false, sig1);
    emu_auth_v1_signature(KEY_SECRET, sts, strlen(sts), true, sig256);
    assert_int_equal(strlen(sig1), 28);
    assert_int_equal(strlen(sig256), 44);
}

static void dates_parse_both_formats(void **state)
{
    (void)state;
    int64_t t;
    assert_true(emu_auth_parse_rfc1123(DATE, &t));
    assert_int_equal(t, DATE_S);
    assert_true(emu_auth_parse_rfc1123("Mon, 3 Jan 2010 08:33:47 GMT", &t));
    assert_int_equal(t, 1262507627);
    assert_false(emu_auth_parse_rfc1123("Tue, 10 Jun 2025 08:00:00 UTC", &t));
    assert_false(emu_auth_parse_rfc1123("Tue, 10 Jun 2025 08:00:00 GMT ", &t));
    assert_true(emu_auth_parse_iso_basic("20250610T080000Z", &t));
    assert_int_equal(t, DATE_S);
    assert_false(emu_auth_parse_iso_basic("2025-06-10T08:00:00Z", &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v1_go_sdk_official_vector),
        cmocka_unit_test(v1_a_pull_logs_signs_decoded_sorted_params),
        cmocka_unit_test(v1_b_heartbeat_with_sts_token),
        cmocka_unit_test(v1_c_checkpoint_sorts_force_success_between),
        cmocka_unit_test(v4_go_sdk_case_2),
        cmocka_unit_test(v4_pull_logs_vector),
        cmocka_unit_test(verify_accepts_v1_a_and_refuses_tampering),
        cmocka_unit_test(verify_refuses_skew_beyond_15_minutes),
        cmocka_unit_test(verify_checks_required_headers),
        cmocka_unit_test(verify_v1_b_needs_the_matching_sts_token),
        cmocka_unit_test(verify_accepts_v4_pull_logs_vector),
        cmocka_unit_test(v1_hmac_sha256_variant_and_bare_keys),
        cmocka_unit_test(dates_parse_both_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

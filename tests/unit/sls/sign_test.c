/* Every signature vector of docs/protocol/sls-api.md §Signature v1 test vectors and
 * §Signature v4 test vectors, plus the Go SDK's signature_v4_test.go cases. */
#include "sf_test.h"

#include "sls/sls_sign.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct sf_sls_credentials test_creds = {
    .access_key_id = "LTAI5tTestKeyId0001",
    .access_key_secret = "TestSecretKey0123456789abcdef",
};
#define CURSOR    "MTc0OTU0MjQwMDAwMDAwMDAwMA=="
#define DATE      "Tue, 10 Jun 2025 08:00:00 GMT"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void check_v1(const struct sf_sls_credentials *creds,
                     const struct sf_sls_sign_request *req,
                     const char *want_sts,
                     const char *want_auth)
{
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 16);
    SF_CHECK_ERR(sf_sls_v1_string_to_sign(req, &sts), SF_OK);
    SF_CHECK_ERR(sf_buf_terminate(&sts), SF_OK);
    if (want_sts) {
        assert_string_equal((char *)sts.ptr, want_sts);
    }
    char auth[SF_SLS_AUTH_MAX];
    SF_CHECK_ERR(sf_sls_sign_v1(creds, req, auth), SF_OK);
    assert_string_equal(auth, want_auth);
    sf_buf_cleanup(&sts);
}

static void v1_go_sdk_official_vector(void **state)
{
    (void)state;
    const struct sf_sls_credentials creds = {"mockAccessKeyID", "mockAccessKeySecret", NULL};
    const struct sf_sls_header headers[] = {
        {"x-log-apiversion", "0.6.0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"x-log-bodyrawsize", "0"},
        {"date", "Mon, 3 Jan 2010 08:33:47 GMT"},
    };
    const struct sf_sls_sign_request req = {
        .method = "GET", .path = "/logstores", .headers = headers, .n_headers = N(headers)};
    check_v1(&creds, &req,
             "GET\n\n\nMon, 3 Jan 2010 08:33:47 GMT\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:0\n"
             "x-log-signaturemethod:hmac-sha1\n/logstores",
             "LOG mockAccessKeyID:Rwm6cTKzoti4HWoe+GKcb6Kv07E=");
}

static void v1_go_sdk_protobuf_body_vector(void **state)
{
    (void)state;
    const struct sf_sls_credentials creds = {"mockAccessKeyID", "mockAccessKeySecret", NULL};
    static const uint8_t body[] = {10,  50, 10,  30,  8,   248, 178, 147, 158, 5,  18, 22,  10,
                                   7,   84, 101, 115, 116, 75,  101, 121, 18,  11, 84, 101, 115,
                                   116, 67, 111, 110, 116, 101, 110, 116, 26,  0,  34, 14,  49,
                                   48,  46, 50,  51,  48,  46,  50,  48,  49,  46, 49, 49,  55};
    char md5[33];
    sf_sls_md5_hex_upper(body, sizeof(body), md5);
    const struct sf_sls_header headers[] = {
        {"x-log-apiversion", "0.6.0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"x-log-bodyrawsize", "50"},
        {"content-md5", md5},
        {"content-type", "application/x-protobuf"},
        {"content-length", "50"},
        {"date", "Mon, 3 Jan 2010 08:33:47 GMT"},
    };
    const struct sf_sls_sign_request req = {.method = "GET",
                                            .path = "/logstores/app_log",
                                            .headers = headers,
                                            .n_headers = N(headers),
                                            .body = body,
                                            .body_len = sizeof(body)};
    check_v1(&creds, &req, NULL, "LOG mockAccessKeyID:87xQWqFaOSewqRIma8kPjGYlXHc=");
}

static void v1_a_pull_logs_signs_raw_cursor(void **state)
{
    (void)state;
    const struct sf_sls_header headers[] = {
        {"host", "my-project.cn-hangzhou.log.aliyuncs.com"},
        {"date", DATE},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"accept-encoding", "lz4"},
    };
    const struct sf_sls_param params[] = {{"type", "log"}, {"cursor", CURSOR}, {"count", "1000"}};
    const struct sf_sls_sign_request req = {.method = "GET",
                                            .path = "/logstores/app-logs/shards/3",
                                            .params = params,
                                            .n_params = N(params),
                                            .headers = headers,
                                            .n_headers = N(headers)};
    check_v1(&test_creds, &req,
             "GET\n\n\n" DATE "\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:0\n"
             "x-log-signaturemethod:hmac-sha1\n"
             "/logstores/app-logs/shards/3?count=1000&cursor=" CURSOR "&type=log",
             "LOG LTAI5tTestKeyId0001:0M12GGxCETaiYNRsIFylgfxDMTE=");
}

static void v1_b_heartbeat_with_sts_token(void **state)
{
    (void)state;
    const struct sf_sls_credentials creds = {test_creds.access_key_id, test_creds.access_key_secret,
                                             "CAIStestSTStoken=="};
    const uint8_t body[] = "[0,1]";
    char md5[33];
    sf_sls_md5_hex_upper(body, 5, md5);
    assert_string_equal(md5, "CCFCD347D0BF65DC77AFE01A3306A96B");
    const struct sf_sls_header headers[] = {
        {"date", DATE},
        {"content-type", "application/json"},
        {"content-md5", md5},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "5"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"x-acs-security-token", "CAIStestSTStoken=="},
        {"x-log-meta-ignored", "not signed"},
        {"x-log-date", "not signed in v1"},
    };
    const struct sf_sls_param params[] = {{"type", "heartbeat"},
                                          {"consumer", "siem-cg-host1-4242"}};
    const struct sf_sls_sign_request req = {.method = "POST",
                                            .path = "/logstores/app-logs/consumergroups/siem-cg",
                                            .params = params,
                                            .n_params = N(params),
                                            .headers = headers,
                                            .n_headers = N(headers),
                                            .body = body,
                                            .body_len = 5};
    check_v1(
        &creds, &req,
        "POST\nCCFCD347D0BF65DC77AFE01A3306A96B\napplication/json\n" DATE "\n"
        "x-acs-security-token:CAIStestSTStoken==\nx-log-apiversion:0.6.0\n"
        "x-log-bodyrawsize:5\nx-log-signaturemethod:hmac-sha1\n"
        "/logstores/app-logs/consumergroups/siem-cg?consumer=siem-cg-host1-4242&type=heartbeat",
        "LOG LTAI5tTestKeyId0001:Ft9VUjqmRUc/kEU8yCjZLYtMqps=");
}

static void v1_c_checkpoint_sorts_force_success_between_keys(void **state)
{
    (void)state;
    const char body[] = "{\"shard\":3,\"checkpoint\":\"" CURSOR "\"}";
    assert_int_equal(strlen(body), 55);
    char md5[33];
    sf_sls_md5_hex_upper((const uint8_t *)body, 55, md5);
    assert_string_equal(md5, "A525F7864C89C546F5C3A4D3E938CACD");
    const struct sf_sls_header headers[] = {
        {"date", DATE},
        {"content-type", "application/json"},
        {"content-md5", md5},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "55"},
        {"x-log-signaturemethod", "hmac-sha1"},
    };
    const struct sf_sls_param params[] = {
        {"type", "checkpoint"}, {"consumer", "siem-cg-host1-4242"}, {"forceSuccess", "true"}};
    const struct sf_sls_sign_request req = {.method = "POST",
                                            .path = "/logstores/app-logs/consumergroups/siem-cg",
                                            .params = params,
                                            .n_params = N(params),
                                            .headers = headers,
                                            .n_headers = N(headers),
                                            .body = (const uint8_t *)body,
                                            .body_len = 55};
    check_v1(&test_creds, &req, NULL, "LOG LTAI5tTestKeyId0001:u0nf22L/KL6eQuVTnPeYWKMCiPo=");
}

/* The Go SDK's SignerV4Suite fixture (signature_v4_test.go). */
struct go_v4_case {
    const char *method;
    const char *path;
    const char *region;
    const char *body;
    bool with_params;
    bool with_headers;
    bool complex_params;
    const char *want_signature;
};

static void check_go_v4(const struct go_v4_case *c)
{
    const struct sf_sls_credentials creds = {"acsddda21dsd", "zxasdasdasw2", NULL};
    char sha[65];
    sf_sls_sha256_hex((const uint8_t *)c->body, strlen(c->body), sha);
    /* Headers the Go signer would not sign ("hello", " Ko ", "") are left out: it lower-cases
     * names and keeps only host, content-type, x-log-*, x-acs-*. */
    struct sf_sls_header headers[4] = {{"x-log-date", "20220808T032330Z"},
                                       {"x-log-content-sha256", sha},
                                       {"x-log-test", "het123"},
                                       {"x-acs-ppp", "dds"}};
    struct sf_sls_param params[] = {{" abc", "efg"},
                                    {" agc ", ""},
                                    {"", "efg"},
                                    {"A-bc", "eFg"},
                                    {"abs-ij*asd/vc", "a~js+d ada"},
                                    {"a abAas123/vc", "a~jdad a2ADFs+d ada"}};
    const struct sf_sls_sign_request req = {
        .method = c->method,
        .path = c->path,
        .params = params,
        .n_params = c->with_params ? (c->complex_params ? 6 : 4) : 0,
        .headers = headers,
        .n_headers = c->with_headers ? 4 : 2,
        .body = (const uint8_t *)c->body,
        .body_len = strlen(c->body),
    };
    char auth[SF_SLS_AUTH_MAX];
    SF_CHECK_ERR(sf_sls_sign_v4(&creds, c->region, &req, auth), SF_OK);
    char want[SF_SLS_AUTH_MAX];
    snprintf(want, sizeof(want),
             "SLS4-HMAC-SHA256 Credential=acsddda21dsd/20220808/%s/sls/aliyun_v4_request,"
             "Signature=%s",
             c->region, c->want_signature);
    assert_string_equal(auth, want);
}

static void v4_go_sdk_cases(void **state)
{
    (void)state;
    const char *body = "adasd= -asd zcas";
    const struct go_v4_case cases[] = {
        {"POST", "/logstores", "cn-hangzhou", body, true, true, false,
         "a98f5632e93836e63839cd836a54055f480020a9364ca944e2d34f2eb9bf1bed"},
        {"POST", "/logstores", "cn-shanghai", body, false, false, false,
         "8a10a5e723cb2e75964816de660b2c16a58af8bc0261f7f0722d832468c76ce8"},
        {"POST", "/logstores", "cn-hangzhou", "", true, true, false,
         "5a66d8f8051983e0e9d08e0f960ef9252ef971eead5bb5c7acec8617a2eb2701"},
        {"GET", "/logstores", "cn-hangzhou", "", true, true, false,
         "d92741852500791d662a8d469ff61627c0559ecd86c3f59b7bf6772b6c62666a"},
        {"POST", "/logstores/hello/a+*~bb/cc", "cn-hangzhou", body, true, true, true,
         "2c204068e961a8813a6bcf7ac422f7fa6e9bf9a5da493e0165dfe100854d18ff"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        print_message("go v4 case %zu\n", i + 1);
        check_go_v4(&cases[i]);
    }
}

static void v4_pull_logs_vector(void **state)
{
    (void)state;
    char sha[65];
    sf_sls_sha256_hex((const uint8_t *)"", 0, sha);
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const struct sf_sls_header headers[] = {
        {"host", "my-project.cn-hangzhou.log.aliyuncs.com"},
        {"x-log-apiversion", "0.6.0"},
        {"x-log-bodyrawsize", "0"},
        {"x-log-content-sha256", sha},
        {"x-log-date", "20250610T080000Z"},
        {"accept-encoding", "lz4"},
    };
    const struct sf_sls_param params[] = {{"type", "log"}, {"cursor", CURSOR}, {"count", "1000"}};
    const struct sf_sls_sign_request req = {.method = "GET",
                                            .path = "/logstores/app-logs/shards/3",
                                            .params = params,
                                            .n_params = N(params),
                                            .headers = headers,
                                            .n_headers = N(headers)};
    struct sf_buf canon;
    sf_buf_init(&canon, 1 << 16);
    SF_CHECK_ERR(sf_sls_v4_canonical_request(&req, &canon), SF_OK);
    SF_CHECK_ERR(sf_buf_terminate(&canon), SF_OK);
    assert_string_equal(
        (char *)canon.ptr,
        "GET\n/logstores/app-logs/shards/3\n"
        "count=1000&cursor=MTc0OTU0MjQwMDAwMDAwMDAwMA%3D%3D&type=log\n"
        "host:my-project.cn-hangzhou.log.aliyuncs.com\n"
        "x-log-apiversion:0.6.0\nx-log-bodyrawsize:0\n"
        "x-log-content-sha256:" SHA_EMPTY "\n"
        "x-log-date:20250610T080000Z\n\n"
        "host;x-log-apiversion;x-log-bodyrawsize;x-log-content-sha256;x-log-date\n" SHA_EMPTY);
    char hash[65];
    sf_sls_sha256_hex(canon.ptr, canon.len, hash);
    assert_string_equal(hash, "d25f7d56b1d8442222e188558a24b50f5114e2013b859ccc52e553d60671a62f");
    char auth[SF_SLS_AUTH_MAX];
    SF_CHECK_ERR(sf_sls_sign_v4(&test_creds, "cn-hangzhou", &req, auth), SF_OK);
    assert_string_equal(auth, "SLS4-HMAC-SHA256 Credential=LTAI5tTestKeyId0001/20250610/"
                              "cn-hangzhou/sls/aliyun_v4_request,Signature="
                              "2b94b2a25e04aefe89ba431b4ae4eb7344ca0f4724152992df64460ea109615a");
    sf_buf_cleanup(&canon);
}

static void v4_requires_date_and_payload_hash(void **state)
{
    (void)state;
    const struct sf_sls_header headers[] = {{"x-log-apiversion", "0.6.0"}};
    const struct sf_sls_sign_request req = {
        .method = "GET", .path = "/logstores", .headers = headers, .n_headers = 1};
    char auth[SF_SLS_AUTH_MAX];
    SF_CHECK_ERR(sf_sls_sign_v4(&test_creds, "cn-hangzhou", &req, auth), SF_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v1_go_sdk_official_vector),
        cmocka_unit_test(v1_go_sdk_protobuf_body_vector),
        cmocka_unit_test(v1_a_pull_logs_signs_raw_cursor),
        cmocka_unit_test(v1_b_heartbeat_with_sts_token),
        cmocka_unit_test(v1_c_checkpoint_sorts_force_success_between_keys),
        cmocka_unit_test(v4_go_sdk_cases),
        cmocka_unit_test(v4_pull_logs_vector),
        cmocka_unit_test(v4_requires_date_and_payload_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The SLS transport and typed calls against a scripted server on 127.0.0.1: what goes on the
 * wire (virtual host, encoding, headers, a signature that matches the bytes sent), how each
 * kind of response and failure comes back. */
#include "sf_test.h"

#include <pthread.h>

#include "http_server.h"
#include "sls/sls_api.h"
#include "util/clock.h"
#include "util/encode.h"

/* config.h's SF_CONFIG_QUERY_MAX; sls does not depend on config. */
#define SF_CONFIG_QUERY_MAX_TEST 4096

#define PB2_LZ4                                                                                    \
    "ff3f0aeb020a450881cc9fc206120d0a056c6576656c1204494e464f121a0a036d73671213474554202f696e6465" \
    "782e68746d6c2032303012120a06636c69656e74120831302e302e302e310a45088247002f5f320a45088347002f" \
    "5f330a45088447002f95341a056e67696e7822e600f11f32150a0c5f5f686f73746e616d655f5f12057765622d31" \
    "32250a085f5f706174685f5f12192f7661722f6c6f672f3d00b02f6163636573732e6c6f67"
#define CURSOR "MTc0OTU0MjQwMDAwMDAwMDAwMA=="

struct fixture {
    struct hsv_server *ts;
    struct sf_sls_client *sls;
    struct sf_sls_error detail;
    uint8_t *pb2_lz4;
    size_t pb2_lz4_len;
};

static struct sf_sls_client *
client_for(struct hsv_server *ts, int sign_version, const char *token, long timeout_ms)
{
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", hsv_port(ts));
    struct sf_sls_client_config config = {
        .endpoint = endpoint,
        .project = "my-project",
        .creds = {"LTAI5tTestKeyId0001", "TestSecretKey0123456789abcdef", token},
        .sign_version = sign_version,
        .region = "cn-test",
        .timeout_ms = timeout_ms,
        .max_response_bytes = 1 << 20,
    };
    struct sf_sls_client *sls = NULL;
    char errbuf[256];
    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    return sls;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    f->ts = hsv_start_bare(NULL, NULL);
    f->sls = client_for(f->ts, 1, NULL, 5000);
    f->pb2_lz4 = sf_test_unhex(PB2_LZ4, &f->pb2_lz4_len);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sf_sls_client_free(f->sls);
    hsv_stop(f->ts);
    test_free(f->pb2_lz4);
    test_free(f);
    return 0;
}

static void push_json(struct hsv_server *ts, unsigned status, const char *body)
{
    struct hsv_reply reply = {
        .status = status,
        .headers = {{"x-log-requestid", "REQ123"}, {"Content-Type", "application/json"}},
        .body = (const uint8_t *)body,
        .body_len = strlen(body)};
    hsv_push(ts, &reply);
}

static void push_pull(struct fixture *f, const char *count, const char *raw, const char *type)
{
    struct hsv_reply reply = {.status = 200,
                              .headers = {{"x-log-requestid", "REQ-PULL"},
                                          {"x-log-cursor", "MTc0OTU0MjQwMDAwMDAwMDAwMQ=="},
                                          {"x-log-count", count},
                                          {"x-log-bodyrawsize", raw},
                                          {"x-log-compresstype", type}},
                              .body = f->pb2_lz4,
                              .body_len = f->pb2_lz4_len};
    hsv_push(f->ts, &reply);
}

/* Rebuilds the signing input from what the server received and checks the signature made
 * with |id| and |secret|. */
static void assert_signed_with(const struct hsv_request *req,
                               int version,
                               const char *id,
                               const char *secret,
                               const char *token)
{
    struct sf_sls_header headers[HSV_MAX_HEADERS];
    char names[HSV_MAX_HEADERS][64];
    size_t n = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        size_t k = 0;
        for (; req->headers[i][0][k] && k < 63; k++) {
            char c = req->headers[i][0][k];
            names[n][k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        names[n][k] = '\0';
        if (strcmp(names[n], "authorization") == 0) {
            continue;
        }
        headers[n].name = names[n];
        headers[n].value = req->headers[i][1];
        n++;
    }
    /* Split and percent-decode the raw query. */
    static char keys[8][64], values[8][8192];
    struct sf_sls_param params[8];
    size_t n_params = 0;
    static char query[16384]; /* sls.query: up to 12 KiB */
    snprintf(query, sizeof(query), "%s", req->query);
    for (char *save = NULL, *pair = strtok_r(query, "&", &save); pair;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        assert_non_null(eq);
        *eq = '\0';
        snprintf(keys[n_params], 64, "%s", pair);
        size_t o = 0;
        for (const char *p = eq + 1; *p; p++) {
            if (*p == '%') {
                unsigned v;
                sscanf(p + 1, "%2x", &v);
                values[n_params][o++] = (char)v;
                p += 2;
            } else {
                values[n_params][o++] = *p;
            }
        }
        values[n_params][o] = '\0';
        params[n_params].key = keys[n_params];
        params[n_params].value = values[n_params];
        n_params++;
    }
    const struct sf_sls_sign_request sign = {.method = req->method,
                                             .path = req->path,
                                             .params = params,
                                             .n_params = n_params,
                                             .headers = headers,
                                             .n_headers = n,
                                             .body = req->body,
                                             .body_len = req->body_len};
    const struct sf_sls_credentials creds = {id, secret, token};
    char want[SF_SLS_AUTH_MAX];
    if (version == 4) {
        SF_CHECK_ERR(sf_sls_sign_v4(&creds, "cn-test", &sign, want), SF_OK);
    } else {
        SF_CHECK_ERR(sf_sls_sign_v1(&creds, &sign, want), SF_OK);
    }
    assert_string_equal(hsv_header(req, "Authorization"), want);
}

static void
assert_signature_matches_wire(const struct hsv_request *req, int version, const char *token)
{
    assert_signed_with(req, version, "LTAI5tTestKeyId0001", "TestSecretKey0123456789abcdef", token);
}

static void pull_sends_a_signed_virtual_host_request_and_decodes_lz4(void **state)
{
    struct fixture *f = *state;
    push_pull(f, "1", "366", "lz4");
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 3, CURSOR, 1000, NULL, NULL, SF_COMPRESS_LZ4, &res,
                             &f->detail),
                 SF_OK);
    assert_string_equal(res.next_cursor, "MTc0OTU0MjQwMDAwMDAwMDAwMQ==");
    assert_int_equal(res.n_groups, 1);
    assert_int_equal(res.raw_size, 366);
    assert_int_equal(res.list.n_logs_total, 4);
    assert_true(sf_str_eq_cstr(res.list.groups[0].topic, "nginx"));

    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_string_equal(req->method, "GET");
    assert_string_equal(req->path, "/logstores/app-logs/shards/3");
    assert_string_equal(req->query, "type=log&cursor=MTc0OTU0MjQwMDAwMDAwMDAwMA%3D%3D&count=1000");
    assert_string_equal(hsv_header(req, "Host"), "my-project.127.0.0.1");
    assert_string_equal(hsv_header(req, "Accept-Encoding"), "lz4");
    assert_string_equal(hsv_header(req, "x-log-apiversion"), "0.6.0");
    assert_string_equal(hsv_header(req, "x-log-bodyrawsize"), "0");
    assert_string_equal(hsv_header(req, "x-log-signaturemethod"), "hmac-sha1");
    assert_null(hsv_header(req, "Content-Type"));
    assert_non_null(strstr(hsv_header(req, "Date"), " GMT"));
    assert_signature_matches_wire(req, 1, NULL);
    sf_sls_pull_result_cleanup(&res);
}

static void v4_and_sts_token_are_signed_over_what_is_sent(void **state)
{
    struct fixture *f = *state;
    sf_sls_client_free(f->sls);
    f->sls = client_for(f->ts, 4, "CAIStestSTStoken==", 5000);
    push_json(f->ts, 200, "[0,2]");
    int held[] = {0, 1};
    int *assigned = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_heartbeat(f->sls, "app-logs", "siem-cg", "siem-cg-host1-4242", held, 2,
                                  &assigned, &n, &f->detail),
                 SF_OK);
    assert_int_equal(n, 2);
    assert_int_equal(assigned[1], 2);
    free(assigned);
    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->query, "type=heartbeat&consumer=siem-cg-host1-4242");
    assert_memory_equal(req->body, "[0,1]", 5);
    assert_string_equal(hsv_header(req, "x-acs-security-token"), "CAIStestSTStoken==");
    assert_string_equal(hsv_header(req, "Content-Type"), "application/json");
    assert_null(hsv_header(req, "Date"));
    assert_int_equal(strlen(hsv_header(req, "x-log-date")), 16);
    assert_non_null(strstr(hsv_header(req, "Authorization"), "/cn-test/sls/aliyun_v4_request,"));
    assert_signature_matches_wire(req, 4, "CAIStestSTStoken==");

    /* New credentials apply to the next attempt. */
    const struct sf_sls_credentials next = {"LTAI5tTestKeyId0001", "TestSecretKey0123456789abcdef",
                                            "CAISrotated"};
    sf_sls_client_set_credentials(f->sls, &next);
    SF_CHECK_ERR(
        sf_sls_heartbeat(f->sls, "app-logs", "siem-cg", "c1", NULL, 0, &assigned, &n, &f->detail),
        SF_OK);
    free(assigned);
    req = hsv_request(f->ts, 1);
    assert_memory_equal(req->body, "[]", 2);
    assert_signature_matches_wire(req, 4, "CAISrotated");
}

/* The client keeps its HMAC key prepared between calls: a new secret must still sign the very
 * next call, in both versions, and a call of another method on the same connection must not
 * inherit the previous one's method or body. */
static void rotate_between_calls(struct fixture *f, int version)
{
    sf_sls_client_free(f->sls);
    f->sls = client_for(f->ts, version, NULL, 5000);
    push_json(f->ts, 200, "[]");
    push_json(f->ts, 200, "{\"cursor\":\"" CURSOR "\"}");
    push_json(f->ts, 200, "[]");
    int *assigned = NULL;
    size_t n = 0;
    SF_CHECK_ERR(
        sf_sls_heartbeat(f->sls, "app-logs", "siem-cg", "c1", NULL, 0, &assigned, &n, &f->detail),
        SF_OK);
    free(assigned);
    const struct sf_sls_credentials next = {"LTAI5tRotatedKeyId02", "RotatedSecret9876543210zyx",
                                            NULL};
    sf_sls_client_set_credentials(f->sls, &next);
    char cursor[SF_SLS_CURSOR_MAX];
    SF_CHECK_ERR(sf_sls_get_cursor(f->sls, "app-logs", 0, "begin", cursor, &f->detail), SF_OK);
    SF_CHECK_ERR(
        sf_sls_heartbeat(f->sls, "app-logs", "siem-cg", "c1", NULL, 0, &assigned, &n, &f->detail),
        SF_OK);
    free(assigned);

    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_string_equal(req->method, "POST");
    assert_signature_matches_wire(req, version, NULL);
    req = hsv_request(f->ts, 1);
    assert_string_equal(req->method, "GET");
    assert_int_equal(req->body_len, 0);
    assert_null(hsv_header(req, "Content-Type"));
    assert_signed_with(req, version, "LTAI5tRotatedKeyId02", "RotatedSecret9876543210zyx", NULL);
    req = hsv_request(f->ts, 2);
    assert_string_equal(req->method, "POST");
    assert_memory_equal(req->body, "[]", 2);
    assert_signed_with(req, version, "LTAI5tRotatedKeyId02", "RotatedSecret9876543210zyx", NULL);
}

static void a_new_secret_signs_the_next_call_v1(void **state)
{
    rotate_between_calls(*state, 1);
}

static void a_new_secret_signs_the_next_call_v4(void **state)
{
    rotate_between_calls(*state, 4);
}

static void error_body_becomes_a_classified_error_naming_everything(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 400, "{\"errorCode\":\"InvalidCursor\",\"errorMessage\":\"cursor expired\"}");
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 3, CURSOR, 100, NULL, NULL, SF_COMPRESS_LZ4, &res,
                             &f->detail),
                 SF_ERR_SLS_CURSOR);
    char text[512];
    sf_sls_error_format(&f->detail, SF_ERR_SLS_CURSOR, text, sizeof(text));
    assert_non_null(strstr(text, "api=PullLogs project=my-project logstore=app-logs shard=3 "
                                 "status=400 code=InvalidCursor request_id=REQ123"));
    assert_int_equal(res.n_groups, 0);
    sf_sls_pull_result_cleanup(&res);
}

static void pull_rejects_bodies_that_disagree_with_their_headers(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *count, *raw, *type;
        sf_err want;
    } cases[] = {
        {"2", "366", "lz4", SF_ERR_INVALID},     /* x-log-count disagrees with the body */
        {"1", "365", "lz4", SF_ERR_INVALID},     /* raw size too small */
        {"1", "400", "lz4", SF_ERR_INVALID},     /* raw size too big */
        {"1", "9999999", "lz4", SF_ERR_TOO_BIG}, /* claim above the limit */
        {"1", "366", "snappy", SF_ERR_INVALID},  /* unknown codec */
        {"1", "366", "zstd", SF_ERR_INVALID},    /* lz4 bytes labelled zstd */
        {"1", "366", "LZ4", SF_OK},              /* header values ignore case */
    };
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hsv_stop(f->ts);
        f->ts = hsv_start_bare(NULL, NULL);
        sf_sls_client_free(f->sls);
        f->sls = client_for(f->ts, 1, NULL, 5000);
        push_pull(f, cases[i].count, cases[i].raw, cases[i].type);
        print_message("case %zu\n", i);
        SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 0, CURSOR, 1000, NULL, NULL, SF_COMPRESS_LZ4,
                                 &res, &f->detail),
                     cases[i].want);
        assert_int_equal(res.n_groups, cases[i].want == SF_OK ? 1 : 0);
    }
    sf_sls_pull_result_cleanup(&res);
}

static void caught_up_pull_keeps_the_cursor(void **state)
{
    struct fixture *f = *state;
    struct hsv_reply reply = {.status = 200,
                              .headers = {{"x-log-cursor", ""},
                                          {"x-log-count", "0"},
                                          {"x-log-bodyrawsize", "0"},
                                          {"x-log-end-of-cursor", "1"}}};
    hsv_push(f->ts, &reply);
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 1, CURSOR, 1000, "ZW5k", NULL, SF_COMPRESS_NONE,
                             &res, &f->detail),
                 SF_OK);
    assert_string_equal(res.next_cursor, CURSOR);
    assert_int_equal(res.n_groups, 0);
    assert_true(res.is_end_of_cursor);
    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_non_null(strstr(req->query, "&end_cursor=ZW5k"));
    assert_string_equal(hsv_header(req, "Accept-Encoding"), "");
    sf_sls_pull_result_cleanup(&res);
}

/* sls.query goes out as the Go and Python consumers send it: `query` percent-encoded (every
 * byte but A-Z a-z 0-9 - _ . ~; a space is %20, which any decoder reads, where url.Values and
 * requests write '+') and `pullMode=scan_on_stream`; both signatures cover the raw value. */
static void pull_with_a_query_sends_it_encoded_and_signed(void **state)
{
    struct fixture *f = *state;
    static const char query[] = "* | where status >= 400 and uri like '%/a+b?c=d%'\n| project "
                                "status, \xe5\x9f\x9f";
    static const char encoded[] =
        "%2A%20%7C%20where%20status%20%3E%3D%20400%20and%20uri%20like%20%27%25%2Fa%2Bb%3Fc%3Dd"
        "%25%27%0A%7C%20project%20status%2C%20%E5%9F%9F";
    for (int version = 1; version <= 4; version += 3) {
        hsv_stop(f->ts);
        f->ts = hsv_start_bare(NULL, NULL);
        sf_sls_client_free(f->sls);
        f->sls = client_for(f->ts, version, NULL, 5000);
        push_pull(f, "1", "366", "lz4");
        struct sf_sls_pull_result res;
        sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
        SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 3, CURSOR, 1000, NULL, query, SF_COMPRESS_LZ4,
                                 &res, &f->detail),
                     SF_OK);
        const struct hsv_request *req = hsv_request(f->ts, 0);
        char want[512];
        snprintf(want, sizeof(want),
                 "type=log&cursor=MTc0OTU0MjQwMDAwMDAwMDAwMA%%3D%%3D&count=1000&query=%s"
                 "&pullMode=scan_on_stream",
                 encoded);
        assert_string_equal(req->query, want);
        assert_signature_matches_wire(req, version, NULL);
        /* This server sent no x-log-raw* headers: unknown, not zero. */
        assert_int_equal(res.scanned_bytes, -1);
        assert_int_equal(res.scanned_groups, -1);
        sf_sls_pull_result_cleanup(&res);
    }

    /* The longest statement config accepts travels whole. */
    char *longest = test_malloc(SF_CONFIG_QUERY_MAX_TEST + 1);
    for (size_t i = 0; i < SF_CONFIG_QUERY_MAX_TEST; i++) {
        longest[i] = "* | where a='1' "[i % 16];
    }
    longest[SF_CONFIG_QUERY_MAX_TEST] = '\0';
    push_pull(f, "1", "366", "lz4");
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 3, CURSOR, 1000, NULL, longest, SF_COMPRESS_LZ4,
                             &res, &f->detail),
                 SF_OK);
    struct sf_buf want;
    sf_buf_init(&want, 1 << 16);
    SF_CHECK_ERR(sf_url_encode(&want, longest, strlen(longest)), SF_OK);
    const char *sent = strstr(hsv_request(f->ts, 1)->query, "&query=");
    assert_non_null(sent);
    assert_int_equal(strlen(sent),
                     strlen("&query=") + want.len + strlen("&pullMode=scan_on_stream"));
    assert_memory_equal(sent + strlen("&query="), want.ptr, want.len);
    assert_signature_matches_wire(hsv_request(f->ts, 1), 4, NULL);
    sf_buf_cleanup(&want);
    sf_sls_pull_result_cleanup(&res);
    test_free(longest);
}

/* With a query SLS answers what the statement kept and says what it scanned: a pull may keep
 * nothing and still move the cursor. A malformed counter is unknown, not a failed pull. */
static void pull_with_a_query_reads_the_scanned_headers(void **state)
{
    struct fixture *f = *state;
    struct hsv_reply reply = {.status = 200,
                              .headers = {{"x-log-cursor", "MTc0OTU0MjQwMDAwMDAwMDk5OQ=="},
                                          {"x-log-count", "0"},
                                          {"x-log-bodyrawsize", "0"},
                                          {"X-Log-Rawdatasize", "4718592"},
                                          {"x-log-rawdatacount", "1000"},
                                          {"x-log-rawdatalines", "52000"},
                                          {"x-log-resultlines", "0"},
                                          {"x-log-failedlines", "3"}}};
    struct hsv_reply odd = {.status = 200,
                            .headers = {{"x-log-cursor", "MTc0OTU0MjQwMDAwMDAwMDk5OQ=="},
                                        {"x-log-count", "0"},
                                        {"x-log-bodyrawsize", "0"},
                                        {"x-log-rawdatasize", "lots"},
                                        {"x-log-rawdatacount", "-5"}}};
    hsv_push(f->ts, &reply);
    hsv_push(f->ts, &odd);
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 0, CURSOR, 1000, NULL, "* | where 1 = 0",
                             SF_COMPRESS_LZ4, &res, &f->detail),
                 SF_OK);
    assert_string_equal(res.next_cursor, "MTc0OTU0MjQwMDAwMDAwMDk5OQ==");
    assert_int_equal(res.n_groups, 0);
    assert_int_equal(res.raw_size, 0);
    assert_int_equal(res.scanned_bytes, 4718592);
    assert_int_equal(res.scanned_groups, 1000);
    assert_int_equal(res.scanned_logs, 52000);
    assert_int_equal(res.result_logs, 0);
    assert_int_equal(res.failed_logs, 3);

    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 0, CURSOR, 1000, NULL, "* | where 1 = 0",
                             SF_COMPRESS_LZ4, &res, &f->detail),
                 SF_OK);
    assert_int_equal(res.scanned_bytes, -1);
    assert_int_equal(res.scanned_groups, -1);
    assert_int_equal(res.scanned_logs, -1);
    sf_sls_pull_result_cleanup(&res);
}

/* A statement SLS refuses comes back with the service's code and message, and the text names
 * the source and the statement; other failures of the same pull are not blamed on it. */
static void a_refused_statement_names_source_and_query(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 400,
              "{\"errorCode\":\"ParameterInvalid\",\"errorMessage\":\"invalid query: line 1:4 "
              "mismatched input 'wher' expecting {WHERE, PROJECT}\"}");
    push_json(f->ts, 400, "{\"errorCode\":\"SPLSyntaxError\",\"errorMessage\":\"bad\"}");
    push_json(f->ts, 400, "{\"errorCode\":\"InvalidCursor\",\"errorMessage\":\"cursor expired\"}");
    push_json(f->ts, 403, "{\"errorCode\":\"Unauthorized\",\"errorMessage\":\"denied by policy\"}");
    push_json(f->ts, 500, "{\"errorCode\":\"InternalServerError\",\"errorMessage\":\"x\"}");
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    sf_err err = sf_sls_pull(f->sls, "app-logs", 2, CURSOR, 1000, NULL,
                             "* | wher status >= 400\n| project \"status\"", SF_COMPRESS_LZ4, &res,
                             &f->detail);
    SF_CHECK_ERR(err, SF_ERR_CLIENT_BUG);
    assert_true(sf_sls_error_is_query(&f->detail, err));
    char text[1024];
    sf_sls_query_error_format("nginx", "* | wher status >= 400\n| project \"status\"", &f->detail,
                              err, text, sizeof(text));
    assert_string_equal(
        text, "source=nginx query=\"* | wher status >= 400\\n| project 'status'\" api=PullLogs "
              "project=my-project logstore=app-logs shard=2 status=400 code=ParameterInvalid "
              "request_id=REQ123 class=fatal error=\"server rejected the request as malformed\" "
              "message=\"invalid query: line 1:4 mismatched input 'wher' expecting {WHERE, "
              "PROJECT}\"");

    /* An unknown 400 code is the statement too; a long one is cut. */
    char longest[600];
    memset(longest, 'x', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    err = sf_sls_pull(f->sls, "app-logs", 2, CURSOR, 1000, NULL, longest, SF_COMPRESS_LZ4, &res,
                      &f->detail);
    SF_CHECK_ERR(err, SF_ERR_HTTP_REJECT);
    assert_true(sf_sls_error_is_query(&f->detail, err));
    sf_sls_query_error_format("nginx", longest, &f->detail, err, text, sizeof(text));
    assert_non_null(strstr(text, "xxxxxxxx...\" api=PullLogs"));
    assert_true(strlen(text) < 700);

    /* Not the statement's fault. */
    err = sf_sls_pull(f->sls, "app-logs", 2, CURSOR, 1000, NULL, "* | where a = 'b'",
                      SF_COMPRESS_LZ4, &res, &f->detail);
    SF_CHECK_ERR(err, SF_ERR_SLS_CURSOR);
    assert_false(sf_sls_error_is_query(&f->detail, err));
    err = sf_sls_pull(f->sls, "app-logs", 2, CURSOR, 1000, NULL, "* | where a = 'b'",
                      SF_COMPRESS_LZ4, &res, &f->detail);
    assert_false(sf_sls_error_is_query(&f->detail, err));
    err = sf_sls_pull(f->sls, "app-logs", 2, CURSOR, 1000, NULL, "* | where a = 'b'",
                      SF_COMPRESS_LZ4, &res, &f->detail);
    assert_false(sf_sls_error_is_query(&f->detail, err));
    sf_sls_pull_result_cleanup(&res);
}

static void timeouts_refusals_and_oversized_bodies_are_retryable_or_bounded(void **state)
{
    struct fixture *f = *state;
    sf_sls_client_free(f->sls);
    f->sls = client_for(f->ts, 1, NULL, 300);
    struct hsv_reply slow = {
        .status = 200, .body = (const uint8_t *)"[]", .body_len = 2, .delay_ms = 1500};
    hsv_push(f->ts, &slow);
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_list_groups(f->sls, "app-logs", &groups, &n, &f->detail), SF_ERR_TIMEOUT);
    assert_int_equal(f->detail.http_status, 0);

    /* A body over the response limit is refused, not buffered. */
    hsv_stop(f->ts);
    f->ts = hsv_start_bare(NULL, NULL);
    sf_sls_client_free(f->sls);
    f->sls = client_for(f->ts, 1, NULL, 5000);
    size_t big_len = 2 << 20;
    uint8_t *big = test_calloc(1, big_len);
    struct hsv_reply huge = {.status = 200, .body = big, .body_len = big_len};
    hsv_push(f->ts, &huge);
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 4 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(f->sls, "app-logs", 0, CURSOR, 1000, NULL, NULL, SF_COMPRESS_NONE,
                             &res, &f->detail),
                 SF_ERR_TOO_BIG);
    sf_sls_pull_result_cleanup(&res);
    test_free(big);

    /* Nobody listening. */
    unsigned port = hsv_port(f->ts);
    hsv_stop(f->ts);
    f->ts = hsv_start_bare(NULL, NULL);
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", port);
    struct sf_sls_client_config config = {
        .endpoint = endpoint, .project = "p1", .creds = {"id", "secret", NULL}};
    struct sf_sls_client *dead = NULL;
    char errbuf[128];
    SF_CHECK_ERR(sf_sls_client_new(&config, &dead, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_sls_list_groups(dead, "app-logs", &groups, &n, &f->detail), SF_ERR_NET);
    sf_sls_client_free(dead);
}

static atomic_bool cancel_flag;

static void *cancel_soon(void *arg)
{
    (void)arg;
    sf_sleep_ms(200);
    atomic_store(&cancel_flag, true);
    return NULL;
}

/* A stop must not wait for a hanging PullLogs: the cancel flag ends a call in flight within
 * about a second (curl's progress callback), and refuses new calls without sending them. */
static void cancel_abandons_a_call_in_flight_and_refuses_new_ones(void **state)
{
    struct fixture *f = *state;
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", hsv_port(f->ts));
    atomic_store(&cancel_flag, false);
    struct sf_sls_client_config config = {.endpoint = endpoint,
                                          .project = "p1",
                                          .creds = {"id", "secret", NULL},
                                          .timeout_ms = 20000,
                                          .cancel = &cancel_flag};
    struct sf_sls_client *sls = NULL;
    char errbuf[128];
    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    struct hsv_reply slow = {
        .status = 200, .body = (const uint8_t *)"[]", .body_len = 2, .delay_ms = 4000};
    hsv_push(f->ts, &slow);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, cancel_soon, NULL), 0);
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    int64_t started = sf_now_ms();
    SF_CHECK_ERR(sf_sls_list_groups(sls, "app-logs", &groups, &n, &f->detail), SF_ERR_CANCELLED);
    int64_t took = sf_now_ms() - started;
    pthread_join(thread, NULL);
    assert_true(took < 3000);

    size_t sent = hsv_n_requests(f->ts);
    SF_CHECK_ERR(sf_sls_list_groups(sls, "app-logs", &groups, &n, &f->detail), SF_ERR_CANCELLED);
    assert_int_equal(hsv_n_requests(f->ts), sent);
    sf_sls_client_free(sls);
}

static void calls_reuse_one_keep_alive_connection(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 200, "{\"cursor\":\"" CURSOR "\"}");
    char cursor[SF_SLS_CURSOR_MAX];
    for (int i = 0; i < 3; i++) {
        SF_CHECK_ERR(sf_sls_get_cursor(f->sls, "app-logs", i, "begin", cursor, &f->detail), SF_OK);
        assert_string_equal(cursor, CURSOR);
    }
    assert_int_equal(hsv_n_requests(f->ts), 3);
    assert_int_equal(hsv_n_connections(f->ts), 1);
    assert_string_equal(hsv_request(f->ts, 2)->query, "type=cursor&from=begin");
}

static void consumer_group_calls_send_and_parse_the_documented_forms(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 200, "");
    push_json(f->ts, 200, "[{\"name\":\"siem-cg\",\"timeout\":60,\"order\":true}]");
    push_json(f->ts, 200,
              "{\"count\":1,\"consumerGroups\":[{\"name\":\"b\",\"timeout\":40,"
              "\"order\":false}]}");
    push_json(f->ts, 200, "");
    push_json(f->ts, 200, "");
    push_json(f->ts, 200, "");
    push_json(f->ts, 200,
              "[{\"shard\":0,\"checkpoint\":\"" CURSOR "\",\"updateTime\":"
              "1524224984800922,\"consumer\":\"c1\"},{\"shard\":1,\"checkpoint\":\"\","
              "\"updateTime\":0,\"consumer\":\"\"}]");
    push_json(f->ts, 200, "");

    SF_CHECK_ERR(sf_sls_create_group(f->sls, "app-logs", "siem-cg", 60, true, &f->detail), SF_OK);
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_list_groups(f->sls, "app-logs", &groups, &n, &f->detail), SF_OK);
    assert_int_equal(n, 1);
    assert_string_equal(groups[0].name, "siem-cg");
    assert_int_equal(groups[0].timeout_s, 60);
    assert_true(groups[0].order);
    free(groups);
    SF_CHECK_ERR(sf_sls_list_groups(f->sls, "app-logs", &groups, &n, &f->detail), SF_OK);
    assert_int_equal(n, 1);
    assert_string_equal(groups[0].name, "b");
    free(groups);
    SF_CHECK_ERR(sf_sls_update_group(f->sls, "app-logs", "siem-cg", 40, false, &f->detail), SF_OK);
    SF_CHECK_ERR(sf_sls_update_checkpoint(f->sls, "app-logs", "siem-cg", "siem-cg-host1-4242", 3,
                                          CURSOR, &f->detail),
                 SF_OK);
    SF_CHECK_ERR(
        sf_sls_update_checkpoint(f->sls, "app-logs", "siem-cg", NULL, 3, CURSOR, &f->detail),
        SF_OK);
    struct sf_sls_checkpoint *cps = NULL;
    SF_CHECK_ERR(sf_sls_get_checkpoints(f->sls, "app-logs", "siem-cg", -1, &cps, &n, &f->detail),
                 SF_OK);
    assert_int_equal(n, 2);
    assert_string_equal(cps[0].cursor, CURSOR);
    assert_int_equal(cps[0].update_time_us, 1524224984800922LL);
    assert_string_equal(cps[1].cursor, "");
    free(cps);
    SF_CHECK_ERR(sf_sls_delete_group(f->sls, "app-logs", "siem-cg", &f->detail), SF_OK);

    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_string_equal(req->path, "/logstores/app-logs/consumergroups");
    assert_memory_equal(req->body, "{\"consumerGroup\":\"siem-cg\",\"timeout\":60,\"order\":true}",
                        req->body_len);
    assert_string_equal(hsv_header(req, "x-log-bodyrawsize"), "53");
    assert_signature_matches_wire(req, 1, NULL);
    req = hsv_request(f->ts, 3);
    assert_string_equal(req->method, "PUT");
    assert_memory_equal(req->body, "{\"order\":false,\"timeout\":40}", req->body_len);
    req = hsv_request(f->ts, 4);
    /* Ownership enforced with a consumer name, as the Java consumer library does. */
    assert_string_equal(req->query,
                        "type=checkpoint&consumer=siem-cg-host1-4242&forceSuccess=false");
    assert_memory_equal(req->body, "{\"shard\":3,\"checkpoint\":\"" CURSOR "\"}", 55);
    assert_signature_matches_wire(req, 1, NULL);
    req = hsv_request(f->ts, 5);
    assert_string_equal(req->query, "type=checkpoint&forceSuccess=true"); /* admin reset */
    assert_signature_matches_wire(req, 1, NULL);
    assert_string_equal(hsv_request(f->ts, 7)->method, "DELETE");
}

static void malformed_control_responses_are_errors(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 200, "[0,\"1\"]");
    push_json(f->ts, 200, "not json");
    push_json(f->ts, 200, "{\"cursor\":17}");
    push_json(f->ts, 200, "[{\"shardID\":-1,\"status\":\"readwrite\"}]");
    int *assigned = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_heartbeat(f->sls, "ls", "cg", "c", NULL, 0, &assigned, &n, &f->detail),
                 SF_ERR_INVALID);
    assert_null(assigned);
    SF_CHECK_ERR(sf_sls_heartbeat(f->sls, "ls", "cg", "c", NULL, 0, &assigned, &n, &f->detail),
                 SF_ERR_INVALID);
    char cursor[SF_SLS_CURSOR_MAX];
    SF_CHECK_ERR(sf_sls_get_cursor(f->sls, "ls", 0, "end", cursor, &f->detail), SF_ERR_INVALID);
    struct sf_sls_shard *shards = NULL;
    SF_CHECK_ERR(sf_sls_list_shards(f->sls, "ls", &shards, &n, &f->detail), SF_ERR_INVALID);
    assert_null(shards);
    /* A name that would change the path never reaches the wire. */
    SF_CHECK_ERR(sf_sls_get_cursor(f->sls, "ls/../x", 0, "end", cursor, &f->detail), SF_ERR_CONFIG);
    assert_int_equal(hsv_n_requests(f->ts), 4);
}

static void list_shards_reads_status(void **state)
{
    struct fixture *f = *state;
    push_json(f->ts, 200,
              "[{\"shardID\":0,\"status\":\"readonly\",\"inclusiveBeginKey\":"
              "\"00000000000000000000000000000000\",\"exclusiveEndKey\":"
              "\"80000000000000000000000000000000\",\"createTime\":1524155379},"
              "{\"shardID\":1,\"status\":\"readwrite\"}]");
    struct sf_sls_shard *shards = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_list_shards(f->sls, "ls", &shards, &n, &f->detail), SF_OK);
    assert_int_equal(n, 2);
    assert_true(shards[0].is_readonly);
    assert_false(shards[1].is_readonly);
    assert_string_equal(shards[0].end_key, "80000000000000000000000000000000");
    assert_int_equal(shards[0].create_time, 1524155379);
    free(shards);
}

static void https_verifies_the_certificate(void **state)
{
    (void)state;
    char cert[512], key[512], ca[512];
    const char *dir = getenv("SF_TESTDATA");
    assert_non_null(dir);
    snprintf(cert, sizeof(cert), "%s/tls/server.pem", dir);
    snprintf(key, sizeof(key), "%s/tls/server.key", dir);
    snprintf(ca, sizeof(ca), "%s/tls/ca.pem", dir);
    struct hsv_server *ts = hsv_start_bare(cert, key);
    push_json(ts, 200, "{\"cursor\":\"" CURSOR "\"}");
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "https://127.0.0.1:%u", hsv_port(ts));
    struct sf_sls_client_config config = {
        .endpoint = endpoint, .project = "p1", .creds = {"id", "secret", NULL}};
    struct sf_sls_client *sls = NULL;
    char errbuf[128];
    struct sf_sls_error detail;
    char cursor[SF_SLS_CURSOR_MAX];

    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "ls", 0, "begin", cursor, &detail), SF_ERR_NET);
    assert_true(strstr(detail.message, "certificate") || strstr(detail.message, "SSL"));
    sf_sls_client_free(sls);

    config.ca_file = ca;
    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "ls", 0, "begin", cursor, &detail), SF_OK);
    assert_string_equal(cursor, CURSOR);
    sf_sls_client_free(sls);
    hsv_stop(ts);
}

static void bad_configuration_is_refused_with_a_reason(void **state)
{
    (void)state;
    struct {
        const char *endpoint, *project, *id;
        int version;
        const char *want;
    } cases[] = {
        {"cn-hangzhou.log.aliyuncs.com", "My_Project", "id", 1, "project \"My_Project\""},
        {"cn-hangzhou.log.aliyuncs.com/x", "p1", "id", 1, "a path is not allowed"},
        {"ftp://host", "p1", "id", 1, "only http:// and https://"},
        {"host:99999", "p1", "id", 1, "port must be 1-65535"},
        {"10.0.0.1", "p1", "", 1, "AccessKey id and secret are required"},
        {"10.0.0.1", "p1", "id", 4, "signature v4 needs a region"},
        {"10.0.0.1", "p1", "id", 2, "sign version must be 1 or 4"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sf_sls_client_config config = {.endpoint = cases[i].endpoint,
                                              .project = cases[i].project,
                                              .creds = {cases[i].id, "secret", NULL},
                                              .sign_version = cases[i].version};
        struct sf_sls_client *sls = NULL;
        char errbuf[256] = "";
        SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
        assert_null(sls);
        if (!strstr(errbuf, cases[i].want)) {
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, errbuf, cases[i].want);
        }
    }
    char region[32];
    assert_true(sf_sls_region_from_endpoint("https://cn-hangzhou-intranet.log.aliyuncs.com", region,
                                            sizeof(region)));
    assert_string_equal(region, "cn-hangzhou");
    assert_true(
        sf_sls_region_from_endpoint("ap-southeast-1.sls.aliyuncs.com", region, sizeof(region)));
    assert_string_equal(region, "ap-southeast-1");
    assert_false(sf_sls_region_from_endpoint("127.0.0.1:8080", region, sizeof(region)));
}

/* Through a proxy every call is a CONNECT tunnel: a proxy's 407 answers the CONNECT, so it is
 * reported as the proxy's (retryable, no HTTP status of SLS), never parsed as an SLS error. The
 * scripted server plays the proxy; its credentials go as Proxy-Authorization only. */
static void a_proxy_refusal_names_the_proxy_not_sls(void **state)
{
    (void)state;
    struct hsv_server *proxy = hsv_start_bare(NULL, NULL);
    struct hsv_reply refuse = {.status = 407,
                               .headers = {{"Proxy-Authenticate", "Basic realm=\"p\""}},
                               .body = (const uint8_t *)"denied",
                               .body_len = 6};
    hsv_push(proxy, &refuse);
    char proxy_url[64], target[64], want[256];
    snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%u", hsv_port(proxy));
    struct sf_sls_client_config config = {
        .endpoint = "http://127.0.0.1:9",
        .project = "my-project",
        .creds = {"LTAI5tTestKeyId0001", "TestSecretKey0123456789abcdef", NULL},
        .proxy = proxy_url,
        .proxy_credentials = "puser:ppass",
        .timeout_ms = 5000,
    };
    assert_true(sf_sls_client_target(config.endpoint, config.project, target, sizeof(target)));
    assert_string_equal(target, "http://127.0.0.1:9");
    assert_true(sf_sls_client_target("cn-hangzhou.log.aliyuncs.com", "p", target, sizeof(target)));
    assert_string_equal(target, "https://p.cn-hangzhou.log.aliyuncs.com");
    struct sf_sls_client *sls = NULL;
    char errbuf[256];
    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    struct sf_sls_shard *shards = NULL;
    size_t n = 0;
    struct sf_sls_error detail;
    sf_err err = sf_sls_list_shards(sls, "nginx", &shards, &n, &detail);
    assert_int_equal(err, SF_ERR_NET);
    assert_int_equal(sf_err_class(err), SF_ERRCLASS_RETRY);
    assert_int_equal(detail.http_status, 0);
    snprintf(want, sizeof(want),
             "proxy %s refused CONNECT to 127.0.0.1:9: 407 Proxy Authentication Required",
             proxy_url);
    assert_string_equal(detail.message, want);
    const struct hsv_request *req = hsv_request(proxy, 0);
    assert_non_null(req);
    assert_string_equal(req->method, "CONNECT");
    assert_non_null(hsv_header(req, "Proxy-Authorization")); /* Basic cHVzZXI6cHBhc3M= */
    assert_string_equal(hsv_header(req, "Proxy-Authorization"), "Basic cHVzZXI6cHBhc3M=");
    assert_null(hsv_header(req, "Authorization")); /* the SLS signature never reaches the proxy */
    free(shards);
    sf_sls_client_free(sls);
    hsv_stop(proxy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pull_sends_a_signed_virtual_host_request_and_decodes_lz4,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(v4_and_sts_token_are_signed_over_what_is_sent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(error_body_becomes_a_classified_error_naming_everything,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(pull_rejects_bodies_that_disagree_with_their_headers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(caught_up_pull_keeps_the_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(pull_with_a_query_sends_it_encoded_and_signed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pull_with_a_query_reads_the_scanned_headers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_refused_statement_names_source_and_query, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            timeouts_refusals_and_oversized_bodies_are_retryable_or_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_abandons_a_call_in_flight_and_refuses_new_ones,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(calls_reuse_one_keep_alive_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_secret_signs_the_next_call_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_secret_signs_the_next_call_v4, setup, teardown),
        cmocka_unit_test_setup_teardown(consumer_group_calls_send_and_parse_the_documented_forms,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_control_responses_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(list_shards_reads_status, setup, teardown),
        cmocka_unit_test(https_verifies_the_certificate),
        cmocka_unit_test(bad_configuration_is_refused_with_a_reason),
        cmocka_unit_test(a_proxy_refusal_names_the_proxy_not_sls),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

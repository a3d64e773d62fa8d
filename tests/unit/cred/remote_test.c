/* The remote credential providers (STS AssumeRole, AssumeRoleWithOIDC, ECS metadata) against a
 * scripted server on 127.0.0.1: what arrives (method, parameters, a signature recomputed here
 * independently of src/cred, headers, the token file read afresh), and how each kind of answer
 * and failure comes back. Plus the RPC signature against Alibaba Cloud's documented example and
 * the strict Expiration parser. */
#include "sf_test.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cred/provider.h"
#include "cred/rpc_sign.h"
#include "http_server.h"

#define AK_ID     "LTAI5tSourceKeyId01"
#define AK_SECRET "SourceSecret0123456789abcdefXYZ"
#define SRC_TOKEN "CAISsourceSecurityTokenValue0123456789"
#define ROLE_ARN  "acs:ram::1234567890123456:role/slsfwd-reader"
#define OIDC_ARN  "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee"
#define NEW_ID    "STS.NewKeyId0001"
#define NEW_SEC   "NewSecretValue0123456789abcdef"
#define NEW_TOK   "CAISnewSecurityTokenFromSTS0123456789"

/* 2026-12-06T04:00:00Z */
#define NEW_EXP_TEXT "2026-12-06T04:00:00Z"
#define NEW_EXP      ((int64_t)1796529600)

static const char sts_ok[] =
    "{\"RequestId\":\"6894B13B-6D71-4EF5-88FA-F32781734A7F\",\"AssumedRoleUser\":{\"Arn\":"
    "\"" ROLE_ARN
    "/s\",\"AssumedRoleId\":\"34458433936495:s\"},\"Credentials\":{\"SecurityToken\":\"" NEW_TOK
    "\",\"AccessKeyId\":\"" NEW_ID "\",\"AccessKeySecret\":\"" NEW_SEC
    "\",\"Expiration\":\"" NEW_EXP_TEXT "\"}}";

static const char ecs_ok[] = "{\"AccessKeyId\":\"" NEW_ID "\",\"AccessKeySecret\":\"" NEW_SEC
                             "\",\"Expiration\":\"" NEW_EXP_TEXT "\",\"SecurityToken\":\"" NEW_TOK
                             "\",\"LastUpdated\":\"2026-12-06T03:00:00Z\",\"Code\":\"Success\"}";

/* ---- an environment the tests control ---- */

static const char *env_names[4];
static const char *env_values[4];

static const char *test_getenv(const char *name)
{
    for (size_t i = 0; i < 4; i++) {
        if (env_names[i] && strcmp(env_names[i], name) == 0) {
            return env_values[i];
        }
    }
    return NULL;
}

static void set_env(size_t slot, const char *name, const char *value)
{
    env_names[slot] = name;
    env_values[slot] = value;
}

/* ---- an independent form/percent codec and RPC signer, written from the documentation ---- */

struct kv {
    char name[64];
    char value[4096];
};

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - 'a' + 10;
}

/* Splits "a=b&c=d" (percent-encoded) into |out|; returns the count. */
static size_t parse_form(const char *text, size_t len, struct kv *out, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    while (i < len && n < max) {
        char *dst = out[n].name;
        size_t cap = sizeof(out[n].name), o = 0;
        bool in_value = false;
        for (; i < len && text[i] != '&'; i++) {
            char c = text[i];
            if (c == '=' && !in_value) {
                dst[o] = '\0';
                dst = out[n].value;
                cap = sizeof(out[n].value);
                o = 0;
                in_value = true;
                continue;
            }
            if (c == '%' && i + 2 < len + 1) {
                c = (char)(hexval(text[i + 1]) << 4 | hexval(text[i + 2]));
                i += 2;
            } else if (c == '+') {
                fail_msg("'+' in a form: spaces must be %%20");
            }
            if (o + 1 < cap) {
                dst[o++] = c;
            }
        }
        dst[o] = '\0';
        if (!in_value) {
            out[n].value[0] = '\0';
        }
        n++;
        i++; /* '&' */
    }
    return n;
}

static const char *kv_get(const struct kv *kvs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kvs[i].name, name) == 0) {
            return kvs[i].value;
        }
    }
    return NULL;
}

static void pct(const char *s, char *out, size_t out_size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < out_size; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            o += (size_t)snprintf(out + o, out_size - o, "%%%02X", *p);
        }
    }
    out[o] = '\0';
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->name, ((const struct kv *)b)->name);
}

/* The documented algorithm, step by step, on decoded parameters (Signature skipped). */
static void doc_sign(const char *method, struct kv *kvs, size_t n, const char *secret, char *out)
{
    qsort(kvs, n, sizeof(*kvs), kv_cmp);
    static char canonical[32768], sts[98400], enc[12288];
    canonical[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kvs[i].name, "Signature") == 0) {
            continue;
        }
        if (canonical[0]) {
            strncat(canonical, "&", sizeof(canonical) - strlen(canonical) - 1);
        }
        pct(kvs[i].name, enc, sizeof(enc));
        strncat(canonical, enc, sizeof(canonical) - strlen(canonical) - 1);
        strncat(canonical, "=", sizeof(canonical) - strlen(canonical) - 1);
        pct(kvs[i].value, enc, sizeof(enc));
        strncat(canonical, enc, sizeof(canonical) - strlen(canonical) - 1);
    }
    static char canon_enc[98304];
    pct(canonical, canon_enc, sizeof(canon_enc));
    snprintf(sts, sizeof(sts), "%s&%%2F&%s", method, canon_enc);
    char key[256];
    snprintf(key, sizeof(key), "%s&", secret);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha1(), key, (int)strlen(key), (const unsigned char *)sts, strlen(sts), mac, &mac_len);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
}

/* ---- fixtures ---- */

static struct hsv_server *server;
static char endpoint[64];
static char tmpdir[64];
static char token_path[128];

static int setup(void **state)
{
    (void)state;
    server = hsv_start_bare(NULL, NULL);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", hsv_port(server));
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sf-cred-remote.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(token_path, sizeof(token_path), "%s/token", tmpdir);
    memset(env_names, 0, sizeof(env_names));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hsv_stop(server);
    unlink(token_path);
    rmdir(tmpdir);
    return 0;
}

/* The scripted server repeats its last reply: a new script needs a new server. */
static void restart_server(void)
{
    hsv_stop(server);
    server = hsv_start_bare(NULL, NULL);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", hsv_port(server));
}

static void push(unsigned status, const char *body, unsigned delay_ms)
{
    struct hsv_reply reply = {.status = status,
                              .headers = {{"Content-Type", "application/json"}},
                              .body = (const uint8_t *)body,
                              .body_len = strlen(body),
                              .delay_ms = delay_ms};
    hsv_push(server, &reply);
}

static struct sf_cred_config sts_config(void)
{
    return (struct sf_cred_config){
        .provider = SF_CRED_RAM_ROLE_ARN,
        .access_key_id = AK_ID,
        .access_key_secret = AK_SECRET,
        .role_arn = ROLE_ARN,
        .oidc_provider_arn = OIDC_ARN,
        .oidc_token_file = token_path,
        .sts_endpoint = endpoint,
        .ecs_metadata_endpoint = endpoint,
        .timeout_ms = 5000,
        .getenv_fn = test_getenv,
    };
}

static void write_token(const char *token)
{
    FILE *f = fopen(token_path, "w");
    assert_non_null(f);
    fputs(token, f);
    fclose(f);
}

static void assert_new_value(const struct sf_cred_value *v)
{
    assert_string_equal(v->access_key_id, NEW_ID);
    assert_string_equal(v->access_key_secret, NEW_SEC);
    assert_string_equal(v->security_token, NEW_TOK);
    assert_int_equal(v->expiration, NEW_EXP);
}

/* |text| contains each of the strings that follow, up to a NULL. */
__attribute__((sentinel)) static void assert_mentions(const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    for (const char *part; (part = va_arg(ap, const char *));) {
        if (!strstr(text, part)) {
            fail_msg("\"%s\" does not mention \"%s\"", text, part);
        }
    }
    va_end(ap);
}

static void assert_no_secret(const char *text)
{
    assert_null(strstr(text, AK_SECRET));
    assert_null(strstr(text, SRC_TOKEN));
    assert_null(strstr(text, "Signature="));
    assert_null(strstr(text, "Signature%3D"));
    assert_null(strstr(text, "?"));
}

/* ---- Expiration ---- */

static void test_expiration_parse(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(sf_cred_parse_expiration("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(sf_cred_parse_expiration(NEW_EXP_TEXT, &t));
    assert_int_equal(t, NEW_EXP);
    assert_true(sf_cred_parse_expiration("2028-02-29T23:59:59Z", &t));
    assert_int_equal(t, 1835481599);
    static const char *const bad[] = {
        "",
        "2026-12-06T04:00:00",       /* no Z */
        "2026-12-06T04:00:00.000Z",  /* fractions */
        "2026-12-06T04:00:00+08:00", /* offset */
        "2026-12-06 04:00:00Z",      /* space */
        "2026-02-29T00:00:00Z",      /* not a leap year */
        "2026-13-01T00:00:00Z",
        "2026-12-32T00:00:00Z",
        "2026-12-06T24:00:00Z",
        "2026-12-06T23:60:00Z",
        "2026-12-06T23:59:60Z",
        "2026-12-06T04:00:00Zx",
        "+026-12-06T04:00:00Z",
        "1969-12-31T23:59:59Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sf_cred_parse_expiration(bad[i], &t)) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

/* ---- the RPC signature ---- */

static const struct sf_cred_param doc_params[] = {
    {"Timestamp", "2016-02-23T12:46:24Z"},
    {"Format", "XML"},
    {"AccessKeyId", "testid"},
    {"Action", "DescribeRegions"},
    {"SignatureMethod", "HMAC-SHA1"},
    {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
    {"Version", "2014-05-26"},
    {"SignatureVersion", "1.0"},
};

/* Alibaba Cloud's "Request signatures" (RPC) document: DescribeRegions, testid/testsecret. */
static void test_rpc_sign_documented_example(void **state)
{
    (void)state;
    size_t n = sizeof(doc_params) / sizeof(doc_params[0]);
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 16);
    SF_CHECK_ERR(sf_cred_rpc_string_to_sign(&sts, "GET", doc_params, n), SF_OK);
    assert_string_equal((const char *)sts.ptr,
                        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
                        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
                        "4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%"
                        "253A24Z%26Version%3D2014-05-26");
    sf_buf_cleanup(&sts);
    char sig[32];
    SF_CHECK_ERR(sf_cred_rpc_sign("GET", doc_params, n, "testsecret", sig), SF_OK);
    assert_string_equal(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    /* The same parameters POSTed, as AssumeRole is: the independent signer agrees. */
    struct kv kvs[8];
    for (size_t i = 0; i < n; i++) {
        snprintf(kvs[i].name, sizeof(kvs[i].name), "%s", doc_params[i].name);
        snprintf(kvs[i].value, sizeof(kvs[i].value), "%s", doc_params[i].value);
    }
    char want[64];
    doc_sign("POST", kvs, n, "testsecret", want);
    SF_CHECK_ERR(sf_cred_rpc_sign("POST", doc_params, n, "testsecret", sig), SF_OK);
    assert_string_equal(sig, want);
    assert_string_not_equal(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

static void test_percent_encoding_rules(void **state)
{
    (void)state;
    struct sf_buf out;
    sf_buf_init(&out, 1024);
    SF_CHECK_ERR(sf_cred_percent_encode(&out, "a b*c~d+e/f:g=h&i\xc3\xa9"), SF_OK);
    SF_CHECK_ERR(sf_buf_terminate(&out), SF_OK);
    assert_string_equal((const char *)out.ptr, "a%20b%2Ac~d%2Be%2Ff%3Ag%3Dh%26i%C3%A9");
    sf_buf_cleanup(&out);
}

/* ---- AssumeRole ---- */

static void check_assume_role_request(const struct hsv_request *req, bool with_token)
{
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->path, "/");
    const char *ctype = hsv_header(req, "Content-Type");
    assert_non_null(ctype);
    assert_non_null(strstr(ctype, "application/x-www-form-urlencoded"));
    static struct kv query[32], form[32], all[64];
    size_t nq = parse_form(req->query, strlen(req->query), query, 32);
    size_t nf = parse_form((const char *)req->body, req->body_len, form, 32);
    assert_string_equal(kv_get(query, nq, "Action"), "AssumeRole");
    assert_string_equal(kv_get(query, nq, "Version"), "2015-04-01");
    assert_string_equal(kv_get(query, nq, "Format"), "JSON");
    assert_string_equal(kv_get(query, nq, "SignatureMethod"), "HMAC-SHA1");
    assert_string_equal(kv_get(query, nq, "SignatureVersion"), "1.0");
    assert_string_equal(kv_get(query, nq, "AccessKeyId"), AK_ID);
    assert_non_null(kv_get(query, nq, "SignatureNonce"));
    int64_t ts = 0;
    assert_true(sf_cred_parse_expiration(kv_get(query, nq, "Timestamp"), &ts));
    assert_true(llabs((long long)(ts - time(NULL))) < 300);
    if (with_token) {
        assert_string_equal(kv_get(query, nq, "SecurityToken"), SRC_TOKEN);
    } else {
        assert_null(kv_get(query, nq, "SecurityToken"));
    }
    assert_string_equal(kv_get(form, nf, "RoleArn"), ROLE_ARN);
    assert_string_equal(kv_get(form, nf, "DurationSeconds"), "3600");
    assert_non_null(kv_get(form, nf, "RoleSessionName"));
    assert_null(kv_get(query, nq, "RoleArn")); /* role parameters travel in the body */
    assert_null(strstr((const char *)req->body, AK_SECRET));
    assert_null(strstr(req->query, AK_SECRET));
    /* The signature covers query and form together, with the method. */
    memcpy(all, query, nq * sizeof(*all));
    memcpy(all + nq, form, nf * sizeof(*all));
    char want[64];
    doc_sign("POST", all, nq + nf, AK_SECRET, want);
    assert_string_equal(kv_get(query, nq, "Signature"), want);
}

static void test_assume_role_success(void **state)
{
    (void)state;
    push(200, sts_ok, 0);
    struct sf_cred_config config = sts_config();
    config.role_session_name = "slsfwd-test";
    config.policy = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"log:*\","
                    "\"Resource\":\"*\"}]}";
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
    assert_int_equal(hsv_n_requests(server), 1);
    const struct hsv_request *req = hsv_request(server, 0);
    check_assume_role_request(req, false);
    static struct kv form[32];
    size_t nf = parse_form((const char *)req->body, req->body_len, form, 32);
    assert_string_equal(kv_get(form, nf, "RoleSessionName"), "slsfwd-test");
    assert_string_equal(kv_get(form, nf, "Policy"), config.policy);
}

static void test_assume_role_with_sts_source_keys(void **state)
{
    (void)state;
    push(200, sts_ok, 0);
    struct sf_cred_config config = sts_config();
    config.security_token = SRC_TOKEN;
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
    const struct hsv_request *req = hsv_request(server, 0);
    check_assume_role_request(req, true);
    static struct kv form[32];
    size_t nf = parse_form((const char *)req->body, req->body_len, form, 32);
    assert_null(kv_get(form, nf, "Policy"));
    assert_non_null(strstr(kv_get(form, nf, "RoleSessionName"), "slsfwd-"));
}

static void test_assume_role_sts_error(void **state)
{
    (void)state;
    /* STS's SignatureDoesNotMatch echoes its string to sign, which holds our SecurityToken. */
    push(400,
         "{\"RequestId\":\"7A1E7F1B-REQ\",\"HostId\":\"sts.aliyuncs.com\",\"Code\":"
         "\"SignatureDoesNotMatch\",\"Message\":\"Specified signature is not matched with our "
         "calculation. server string to sign is:POST&%2F&AccessKeyId%3D" AK_ID
         "%26SecurityToken%3D" SRC_TOKEN "\"}",
         0);
    struct sf_cred_config config = sts_config();
    config.security_token = SRC_TOKEN;
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_mentions(errbuf, "AssumeRole", "HTTP 400", "SignatureDoesNotMatch",
                    "Specified signature is not matched", "7A1E7F1B-REQ", "127.0.0.1", NULL);
    assert_no_secret(errbuf);

    /* A token quoted outside a string-to-sign is redacted too. */
    restart_server();
    config.sts_endpoint = endpoint;
    push(403,
         "{\"RequestId\":\"R2\",\"Code\":\"NoPermission\",\"Message\":\"token " SRC_TOKEN
         " may not assume\"}",
         0);
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_mentions(errbuf, "NoPermission", "<redacted>", NULL);
    assert_no_secret(errbuf);
}

static void test_sts_failures(void **state)
{
    (void)state;
    static char big[70 * 1024];
    memset(big, ' ', sizeof(big) - 1);
    big[0] = '{';
    struct sf_cred_config config = sts_config();
    struct sf_cred_value v;
    char errbuf[512] = "";
    static const struct {
        unsigned status;
        const char *body;
        sf_err want;
        const char *says;
    } cases[] = {
        {500, "{\"Code\":\"InternalError\",\"Message\":\"oops\",\"RequestId\":\"R5\"}",
         SF_ERR_HTTP_RETRY, "InternalError"},
        {503, "<html>busy</html>", SF_ERR_HTTP_RETRY, "HTTP 503 without an STS error body"},
        {400, "{\"Code\":\"Throttling.User\",\"Message\":\"slow down\",\"RequestId\":\"R6\"}",
         SF_ERR_HTTP_RETRY, "Throttling.User"},
        {302, "", SF_ERR_INVALID, "HTTP 302"},
        {200, "not json {", SF_ERR_INVALID, "not JSON"},
        {200, "{\"RequestId\":\"R7\"}", SF_ERR_INVALID, "no credentials object"},
        {200,
         "{\"Credentials\":{\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\",\"Expiration\":"
         "\"" NEW_EXP_TEXT "\"}}",
         SF_ERR_INVALID, "SecurityToken missing"},
        {200,
         "{\"Credentials\":{\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\",\"SecurityToken\":"
         "\"c\",\"Expiration\":\"tomorrow\"}}",
         SF_ERR_INVALID, "Expiration"},
        {200, big, SF_ERR_TOO_BIG, "larger than 65536 bytes"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        restart_server();
        push(cases[i].status, cases[i].body, 0);
        errbuf[0] = '\0';
        sf_err got = sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf));
        if (got != cases[i].want || !strstr(errbuf, cases[i].says)) {
            fail_msg("case %zu: got %s \"%s\", want %s \"...%s...\"", i, sf_err_name(got), errbuf,
                     sf_err_name(cases[i].want), cases[i].says);
        }
        assert_no_secret(errbuf);
    }
}

static void test_sts_timeout(void **state)
{
    (void)state;
    push(200, sts_ok, 3000);
    struct sf_cred_config config = sts_config();
    config.timeout_ms = 300;
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_TIMEOUT);
    assert_mentions(errbuf, "no answer within 300 ms", "POST http://127.0.0.1:", NULL);
    assert_no_secret(errbuf);
}

static void test_sts_config_errors(void **state)
{
    (void)state;
    struct sf_cred_value v;
    char errbuf[512] = "";
    struct sf_cred_config config = sts_config();
    config.duration_s = 899;
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "900"));
    config = sts_config();
    config.access_key_secret = NULL;
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    config = sts_config();
    config.role_arn = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    static const char *const bad_endpoints[] = {"ftp://sts.aliyuncs.com", "https://",
                                                "https://sts.aliyuncs.com/path",
                                                "https://user@sts.aliyuncs.com"};
    for (size_t i = 0; i < 4; i++) {
        config = sts_config();
        config.sts_endpoint = bad_endpoints[i];
        SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)),
                     SF_ERR_CONFIG);
        assert_non_null(strstr(errbuf, "sts_endpoint"));
    }
    assert_int_equal(hsv_n_requests(server), 0);
}

/* An explicit proxy is used for STS (and a dead one fails, naming where we tried to go). */
static void test_sts_uses_configured_proxy(void **state)
{
    (void)state;
    push(200, sts_ok, 0);
    struct sf_cred_config config = sts_config();
    config.proxy = "http://127.0.0.1:1";
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_NET);
    assert_int_equal(hsv_n_requests(server), 0);
    assert_no_secret(errbuf);
}

/* HTTPS: the peer is verified against the system store or ca_file, never skipped. */
static void test_sts_https_verifies_the_certificate(void **state)
{
    (void)state;
    const char *dir = getenv("SF_TESTDATA");
    assert_non_null(dir);
    char cert[512], key[512], ca[512];
    snprintf(cert, sizeof(cert), "%s/tls/server.pem", dir);
    snprintf(key, sizeof(key), "%s/tls/server.key", dir);
    snprintf(ca, sizeof(ca), "%s/tls/ca.pem", dir);
    hsv_stop(server);
    server = hsv_start_bare(cert, key);
    snprintf(endpoint, sizeof(endpoint), "https://127.0.0.1:%u", hsv_port(server));
    push(200, sts_ok, 0);
    struct sf_cred_config config = sts_config();
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_NET);
    assert_true(strstr(errbuf, "certificate") || strstr(errbuf, "SSL"));
    assert_no_secret(errbuf);
    config.ca_file = ca;
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
}

/* A redirect is an answer, never followed: the signed request goes nowhere else. */
static void test_sts_redirect_not_followed(void **state)
{
    (void)state;
    struct hsv_reply reply = {.status = 302, .headers = {{"Location", "/elsewhere"}}};
    hsv_push(server, &reply);
    struct sf_cred_config config = sts_config();
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ram_role_arn(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_INVALID);
    assert_non_null(strstr(errbuf, "HTTP 302"));
    assert_int_equal(hsv_n_requests(server), 1);
}

/* ---- AssumeRoleWithOIDC ---- */

static void check_oidc_request(const struct hsv_request *req, const char *token)
{
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->path, "/");
    static struct kv query[32], form[32];
    size_t nq = parse_form(req->query, strlen(req->query), query, 32);
    size_t nf = parse_form((const char *)req->body, req->body_len, form, 32);
    assert_string_equal(kv_get(query, nq, "Action"), "AssumeRoleWithOIDC");
    assert_string_equal(kv_get(query, nq, "Version"), "2015-04-01");
    assert_string_equal(kv_get(query, nq, "Format"), "JSON");
    assert_non_null(kv_get(query, nq, "Timestamp"));
    /* Anonymous: nothing signed, no key. */
    assert_null(kv_get(query, nq, "Signature"));
    assert_null(kv_get(query, nq, "AccessKeyId"));
    assert_null(kv_get(query, nq, "SignatureNonce"));
    assert_null(kv_get(query, nq, "OIDCToken"));
    assert_string_equal(kv_get(form, nf, "RoleArn"), ROLE_ARN);
    assert_string_equal(kv_get(form, nf, "OIDCProviderArn"), OIDC_ARN);
    assert_string_equal(kv_get(form, nf, "OIDCToken"), token);
    assert_string_equal(kv_get(form, nf, "DurationSeconds"), "1800");
    assert_string_equal(kv_get(form, nf, "RoleSessionName"), "pod-a");
}

static void test_oidc_reads_token_at_every_call(void **state)
{
    (void)state;
    push(200, sts_ok, 0);
    struct sf_cred_config config = sts_config();
    config.provider = SF_CRED_OIDC_ROLE_ARN;
    config.access_key_id = NULL;
    config.access_key_secret = NULL;
    config.duration_s = 1800;
    config.role_session_name = "pod-a";
    struct sf_cred_value v;
    char errbuf[512] = "";
    write_token("eyJhbGciOiJSUzI1NiJ9.first-token.sig\n");
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
    /* The kubelet rotated the file. */
    write_token("eyJhbGciOiJSUzI1NiJ9.second-token.sig");
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(hsv_n_requests(server), 2);
    check_oidc_request(hsv_request(server, 0), "eyJhbGciOiJSUzI1NiJ9.first-token.sig");
    check_oidc_request(hsv_request(server, 1), "eyJhbGciOiJSUzI1NiJ9.second-token.sig");
}

static void test_oidc_errors(void **state)
{
    (void)state;
    static const char token[] = "eyJhbGciOiJSUzI1NiJ9.secret-token-body.sig";
    struct sf_cred_config config = sts_config();
    config.access_key_id = NULL;
    config.access_key_secret = NULL;
    struct sf_cred_value v;
    char errbuf[512] = "";

    /* Not configured: absent, so the chain moves on. */
    config.oidc_provider_arn = NULL;
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_NOT_FOUND);
    assert_non_null(strstr(errbuf, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"));
    config = sts_config();
    config.oidc_token_file = NULL;
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_NOT_FOUND);

    /* Configured but the file is missing, or not a token: a failure naming the file. */
    config = sts_config();
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_IO);
    assert_non_null(strstr(errbuf, token_path));
    write_token("\n");
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_INVALID);
    assert_non_null(strstr(errbuf, token_path));
    static char huge[40 * 1024];
    memset(huge, 'x', sizeof(huge) - 1);
    write_token(huge);
    assert_int_not_equal(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_non_null(strstr(errbuf, token_path));
    assert_int_equal(hsv_n_requests(server), 0);

    /* STS refuses the token and quotes it: the error never does. */
    write_token(token);
    restart_server();
    config.sts_endpoint = endpoint;
    push(400,
         "{\"RequestId\":\"C0FFEE-REQ\",\"Code\":\"AuthenticationFail.OIDCToken.Invalid\","
         "\"Message\":\"The OIDC token eyJhbGciOiJSUzI1NiJ9.secret-token-body.sig has expired\"}",
         0);
    SF_CHECK_ERR(sf_cred_fetch_oidc(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_mentions(errbuf, "AssumeRoleWithOIDC", "HTTP 400",
                    "AuthenticationFail.OIDCToken.Invalid", "C0FFEE-REQ", "has expired", NULL);
    assert_null(strstr(errbuf, "secret-token-body"));
}

/* ---- ECS metadata ---- */

static struct sf_cred_config ecs_config(void)
{
    struct sf_cred_config config = sts_config();
    config.provider = SF_CRED_ECS_RAM_ROLE;
    config.access_key_id = NULL;
    config.access_key_secret = NULL;
    return config;
}

static void check_get(size_t i, const char *path, const char *token)
{
    const struct hsv_request *req = hsv_request(server, i);
    assert_non_null(req);
    assert_string_equal(req->method, "GET");
    assert_string_equal(req->path, path);
    const char *got = hsv_header(req, "X-aliyun-ecs-metadata-token");
    if (token) {
        assert_non_null(got);
        assert_string_equal(got, token);
    } else {
        assert_null(got);
    }
}

static void check_token_put(size_t i)
{
    const struct hsv_request *req = hsv_request(server, i);
    assert_non_null(req);
    assert_string_equal(req->method, "PUT");
    assert_string_equal(req->path, "/latest/api/token");
    assert_string_equal(hsv_header(req, "X-aliyun-ecs-metadata-token-ttl-seconds"), "21600");
}

static void test_ecs_hardened_with_discovery(void **state)
{
    (void)state;
    push(200, "AQAEAFm-metadata-token==", 0);
    push(200, "SlsfwdEcsRole\n", 0);
    push(200, ecs_ok, 0);
    struct sf_cred_config config = ecs_config();
    /* Never through a proxy, configured or from the environment. */
    config.proxy = "http://127.0.0.1:1";
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
    struct sf_cred_value v;
    char errbuf[512] = "";
    sf_err err = sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf));
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    if (err) {
        fail_msg("%s: %s", sf_err_name(err), errbuf);
    }
    assert_new_value(&v);
    assert_int_equal(hsv_n_requests(server), 3);
    check_token_put(0);
    check_get(1, "/latest/meta-data/ram/security-credentials/", "AQAEAFm-metadata-token==");
    check_get(2, "/latest/meta-data/ram/security-credentials/SlsfwdEcsRole",
              "AQAEAFm-metadata-token==");
}

static void test_ecs_named_role(void **state)
{
    (void)state;
    push(200, "tok-1", 0);
    push(200, ecs_ok, 0);
    struct sf_cred_config config = ecs_config();
    config.ecs_role_name = "NamedRole";
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
    assert_int_equal(hsv_n_requests(server), 2);
    check_token_put(0);
    check_get(1, "/latest/meta-data/ram/security-credentials/NamedRole", "tok-1");
}

/* The token PUT is refused (an older metadata service): the plain GETs, as the libraries do. */
static void test_ecs_token_refused_falls_back(void **state)
{
    (void)state;
    push(403, "", 0);
    push(200, "SlsfwdEcsRole", 0);
    push(200, ecs_ok, 0);
    struct sf_cred_config config = ecs_config();
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_new_value(&v);
    assert_int_equal(hsv_n_requests(server), 3);
    check_token_put(0);
    check_get(1, "/latest/meta-data/ram/security-credentials/", NULL);
    check_get(2, "/latest/meta-data/ram/security-credentials/SlsfwdEcsRole", NULL);
}

static void test_ecs_imdsv1_disabled_no_fallback(void **state)
{
    (void)state;
    push(403, "", 0);
    push(200, ecs_ok, 0);
    struct sf_cred_config config = ecs_config();
    config.ecs_role_name = "NamedRole";
    config.ecs_imdsv1_disabled = true;
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_mentions(errbuf, "IMDSv1 is disabled", "/latest/api/token", "HTTP 403", NULL);
    assert_int_equal(hsv_n_requests(server), 1);

    /* The same through the environment variable. */
    restart_server();
    push(403, "", 0);
    config.ecs_imdsv1_disabled = false;
    set_env(0, "ALIBABA_CLOUD_IMDSV1_DISABLED", "TRUE");
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_int_equal(hsv_n_requests(server), 1);
}

/* A GET refused with the token is retried once without it (credentials-go getWithFallback). */
static void test_ecs_get_with_token_refused_retries_plain(void **state)
{
    (void)state;
    push(200, "tok-2", 0);
    push(401, "", 0);
    push(200, ecs_ok, 0);
    struct sf_cred_config config = ecs_config();
    config.ecs_role_name = "NamedRole";
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(hsv_n_requests(server), 3);
    check_get(1, "/latest/meta-data/ram/security-credentials/NamedRole", "tok-2");
    check_get(2, "/latest/meta-data/ram/security-credentials/NamedRole", NULL);
}

static void test_ecs_failures(void **state)
{
    (void)state;
    struct sf_cred_config config = ecs_config();
    config.ecs_role_name = "NamedRole";
    struct sf_cred_value v;
    char errbuf[512] = "";
    static const struct {
        const char *body;
        unsigned status;
        sf_err want;
        const char *says;
    } cases[] = {
        {"{\"Code\":\"Failed\",\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\","
         "\"SecurityToken\":\"c\",\"Expiration\":\"" NEW_EXP_TEXT "\"}",
         200, SF_ERR_AUTH, "Code is Failed, not Success"},
        {"garbage", 200, SF_ERR_INVALID, "not JSON"},
        {"", 404, SF_ERR_AUTH, "HTTP 404"},
        {"", 500, SF_ERR_HTTP_RETRY, "HTTP 500"},
        {"{\"Code\":\"Success\",\"AccessKeyId\":\"a\"}", 200, SF_ERR_INVALID,
         "AccessKeySecret missing"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        restart_server();
        push(200, "tok", 0);
        push(cases[i].status, cases[i].body, 0);
        sf_err got = sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf));
        if (got != cases[i].want || !strstr(errbuf, cases[i].says) ||
            !strstr(errbuf, "NamedRole")) {
            fail_msg("case %zu: got %s \"%s\", want %s \"...%s...\"", i, sf_err_name(got), errbuf,
                     sf_err_name(cases[i].want), cases[i].says);
        }
    }
    /* No role attached: discovery finds nothing. */
    restart_server();
    push(200, "tok", 0);
    push(200, "", 0);
    config.ecs_role_name = NULL;
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_AUTH);
    assert_non_null(strstr(errbuf, "no usable role"));
    /* A role name that would change the path is refused before any request. */
    config.ecs_role_name = "../../user-data";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    /* Slow metadata service. */
    restart_server();
    push(200, "tok", 3000);
    config.ecs_role_name = "NamedRole";
    config.ecs_imdsv1_disabled = true;
    config.timeout_ms = 300;
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_TIMEOUT);
    assert_non_null(strstr(errbuf, "/latest/api/token"));
}

static void test_ecs_disabled_is_absent(void **state)
{
    (void)state;
    set_env(0, "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    struct sf_cred_config config = ecs_config();
    struct sf_cred_value v;
    char errbuf[512] = "";
    SF_CHECK_ERR(sf_cred_fetch_ecs(&config, &v, errbuf, sizeof(errbuf)), SF_ERR_NOT_FOUND);
    assert_int_equal(hsv_n_requests(server), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expiration_parse),
        cmocka_unit_test(test_rpc_sign_documented_example),
        cmocka_unit_test(test_percent_encoding_rules),
        cmocka_unit_test_setup_teardown(test_assume_role_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assume_role_with_sts_source_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assume_role_sts_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_config_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_uses_configured_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_https_verifies_the_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_redirect_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oidc_reads_token_at_every_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oidc_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_hardened_with_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_named_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_token_refused_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_imdsv1_disabled_no_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_get_with_token_refused_retries_plain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ecs_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecs_disabled_is_absent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

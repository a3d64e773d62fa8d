/* hec_handle() in-process, no sockets: every endpoint, every status and HEC code the
 * receiver produces, what gets recorded on partial acceptance, the ack flow, faults and the
 * control plane. The wire test (receiver_client.c) repeats the essentials over HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "faults.h"
#include "hec.h"
#include "stats.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "util/banned.h"

#define TOKEN   "11111111-2222-3333-4444-555555555555"
#define ACK_TOK "aaaaaaaa-2222-3333-4444-555555555555"
#define CHANNEL "5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6"

#define AUTH     "Authorization: Splunk " TOKEN "\n"
#define ACK_AUTH "Authorization: Splunk " ACK_TOK "\n"
#define CH       "X-Splunk-Request-Channel: " CHANNEL "\n"

struct fixture {
    struct hec_server srv;
    FILE *out;
};

static struct fixture *fixture_new(bool is_count_only, const char *index_allow)
{
    struct fixture *f = sf_xcalloc(1, sizeof(*f));
    f->out = tmpfile();
    struct hec_token tokens[4] = {
        {.value = TOKEN, .name = "main-token"},
        {.value = ACK_TOK, .name = "ack-token", .has_ack = true},
        {.value = "query-token", .name = "q", .allows_query = true},
        {.value = "off-token", .name = "off", .is_disabled = true},
    };
    struct hec_server_options opts = {
        .tokens = tokens,
        .n_tokens = 4,
        .index_allow = index_allow,
        .is_count_only = is_count_only,
        .max_content_length = 1 << 20,
        .max_event_size = 4096,
        .out_fd = fileno(f->out),
        .seed = 1,
    };
    hec_server_init(&f->srv, &opts);
    return f;
}

static void fixture_free(struct fixture *f)
{
    hec_server_cleanup(&f->srv);
    fclose(f->out);
    free(f);
}

/* The recorded NDJSON so far. */
static const char *recorded(struct fixture *f)
{
    static char text[1 << 16];
    fflush(f->out);
    lseek(fileno(f->out), 0, SEEK_SET);
    ssize_t n = read(fileno(f->out), text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++) {
        n += *text == '\n';
    }
    return n;
}

/* One request. |headers| is "Name: value\n..."; |len| < 0 means strlen(body). */
static void call_full(struct fixture *f,
                      const char *method,
                      const char *target,
                      const char *headers,
                      const void *body,
                      long len,
                      bool is_too_large,
                      struct hec_response *resp)
{
    char copy[2048];
    struct tc_header list[16];
    size_t n = 0;
    snprintf(copy, sizeof(copy), "%s", headers ? headers : "");
    for (char *line = copy; *line && n < 16;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        char *colon = strchr(line, ':');
        *colon = '\0';
        list[n++] = (struct tc_header){line, colon + 2};
        line = nl + 1;
    }
    size_t body_len = len < 0 ? (body ? strlen(body) : 0) : (size_t)len;
    struct tc_request req = {
        .method = method,
        .target = target,
        .headers = list,
        .n_headers = n,
        .body = body,
        .body_len = body_len,
        .is_body_too_large = is_too_large,
        .wire_len = is_too_large ? 2u << 20 : body_len,
    };
    hec_handle(&f->srv, &req, resp);
}

static json_t *body_json(const struct hec_response *resp)
{
    json_error_t error;
    json_t *root = resp->body ? json_loadb(resp->body, resp->body_len, 0, &error) : NULL;
    if (!root) {
        fail_msg("answer is not JSON: %.*s", (int)resp->body_len, resp->body ? resp->body : "");
    }
    return root;
}

/* Asserts status, code and invalid-event-number (|k| -1: absent); returns ackId or -1. */
static long expect_at(struct fixture *f,
                      const char *method,
                      const char *target,
                      const char *headers,
                      const char *body,
                      int status,
                      int code,
                      long k)
{
    struct hec_response resp;
    call_full(f, method, target, headers, body, -1, false, &resp);
    json_t *root = body_json(&resp);
    if (resp.status != status ||
        (code >= 0 && json_integer_value(json_object_get(root, "code")) != code)) {
        fail_msg("%s %s: want %d/%d, got %d %.*s", method, target, status, code, resp.status,
                 (int)resp.body_len, resp.body);
    }
    json_t *ien = json_object_get(root, "invalid-event-number");
    if (k < 0) {
        assert_null(ien);
    } else {
        assert_non_null(ien);
        assert_int_equal(json_integer_value(ien), k);
    }
    if (code >= 0 && code <= HEC_CODE_MAX && status == hec_code_status(code) && resp.code == code) {
        assert_string_equal(json_string_value(json_object_get(root, "text")), hec_code_text(code));
    }
    json_t *ack = json_object_get(root, "ackId");
    long ack_id = ack ? (long)json_integer_value(ack) : -1;
    json_decref(root);
    hec_response_cleanup(&resp);
    return ack_id;
}

static long expect(struct fixture *f,
                   const char *method,
                   const char *target,
                   const char *headers,
                   const char *body,
                   int status,
                   int code)
{
    return expect_at(f, method, target, headers, body, status, code, -1);
}

static const char *const EV = "/services/collector/event";

static void routes_like_splunk(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *ok = "{\"event\":\"x\"}";
    expect(f, "POST", "/services/collector", AUTH, ok, 200, 0);
    expect(f, "POST", "/services/collector/event", AUTH, ok, 200, 0);
    expect(f, "POST", "/services/collector/event/1.0", AUTH, ok, 200, 0);
    expect(f, "POST", "/services/collector/event/", AUTH, ok, 200, 0);
    expect(f, "POST", "/services/collector/raw/1.0", AUTH, "line", 200, 0);
    expect(f, "GET", "/services/collector/health/1.0", NULL, NULL, 200, 17);
    expect(f, "POST", "/services/collector/events", AUTH, ok, 404, 404);
    expect(f, "POST", "/services/collector/event/2.0", AUTH, ok, 404, 404);
    expect(f, "GET", "/", NULL, NULL, 404, 404);
    expect(f, "GET", EV, AUTH, NULL, 405, 405);
    expect(f, "POST", "/services/collector/health", NULL, NULL, 405, 405);
    expect(f, "PUT", "/services/collector/ack", AUTH, NULL, 405, 405);
    struct hec_response resp;
    call_full(f, "OPTIONS", EV, NULL, NULL, 0, false, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(hec_response_header(&resp, "Allow"), "POST");
    hec_response_cleanup(&resp);
    call_full(f, "DELETE", "/services/collector/health", NULL, NULL, 0, false, &resp);
    assert_string_equal(hec_response_header(&resp, "Allow"), "GET, HEAD");
    assert_string_equal(resp.content_type, "application/json; charset=UTF-8");
    hec_response_cleanup(&resp);
    fixture_free(f);
}

static void authenticates_as_spec_1_2(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *ok = "{\"event\":\"x\"}";
    expect(f, "POST", EV, NULL, ok, 401, 2);
    expect(f, "POST", EV, "Authorization: Bearer " TOKEN "\n", ok, 401, 3);
    expect(f, "POST", EV, "Authorization: " TOKEN "\n", ok, 401, 3);
    expect(f, "POST", EV, "Authorization: Splunk\n", ok, 401, 3);
    expect(f, "POST", EV, "Authorization: Splunk nope\n", ok, 403, 4);
    expect(f, "POST", EV, "Authorization: Splunk off-token\n", ok, 403, 1);
    /* Basic: any user, the token as password ("x:" TOKEN). */
    expect(f, "POST", EV,
           "Authorization: Basic eDoxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTU=\n", ok, 200,
           0);
    expect(f, "POST", "/services/collector/event?token=" TOKEN, NULL, ok, 400, 16);
    expect(f, "POST", "/services/collector/event?token=query-token", NULL, ok, 200, 0);
    expect(f, "POST", "/services/collector/event?token=nope", NULL, ok, 403, 4);
    expect(f, "POST", "/services/collector/event?token=", NULL, ok, 401, 2);
    /* The header wins over the query. */
    expect(f, "POST", "/services/collector/event?token=nope", AUTH, ok, 200, 0);
    /* Auth comes before the body: an empty body with no token is 401, not 400. */
    expect(f, "POST", EV, NULL, "", 401, 2);
    assert_int_equal(count_lines(recorded(f)), 3);
    fixture_free(f);
}

/* docs/protocol/hec.md §Partial acceptance: events before the bad one are accepted and recorded,
 * nothing after it. */
static void accepts_the_events_before_the_first_bad_one(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, ",main,");
    expect_at(f, "POST", EV, AUTH,
              "{\"event\":\"e0\"}\n{\"event\":\"e1\"} {\"time\":5}{\"event\":\"e3\"}", 400, 12, 2);
    const char *text = recorded(f);
    assert_int_equal(count_lines(text), 2);
    assert_non_null(strstr(text, "\"e1\""));
    assert_null(strstr(text, "\"e3\""));
    expect_at(f, "POST", EV, AUTH, "{\"event\":\"\"}", 400, 13, 0);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1}{\"event\":2,\"index\":\"other\"}", 400, 7, 1);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1,\"fields\":{\"a\":{}}}", 400, 15, 0);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1,\"time\":1732600000000}", 400, 6, 0);
    expect_at(f, "POST", EV, AUTH, "[{\"event\":1},{\"event\":2}]", 400, 6, 0);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1},{\"event\":2}", 400, 6, 1);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1}{\"event\":2", 400, 6, 1);
    expect_at(f, "POST", EV, AUTH, "\"just a string\"", 400, 6, 0);
    char big[5000];
    snprintf(big, sizeof(big), "{\"event\":1}{\"event\":\"%04100d\"}", 0);
    expect_at(f, "POST", EV, AUTH, big, 400, 6, 1); /* over max_event_size 4096 */
    expect(f, "POST", EV, AUTH, "", 400, 5);
    expect(f, "POST", EV, AUTH, " \r\n\t ", 400, 5);
    assert_int_equal(count_lines(recorded(f)), 6);
    fixture_free(f);
}

static void records_the_envelope_with_receiver_keys(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    expect(f, "POST", EV, AUTH CH,
           "{ \"time\": 1732600000.120, \"event\": {\"k\": \"v w\"} ,\"fields\":{\"f\":[\"a\"]}}",
           200, 0);
    char want[512];
    snprintf(want, sizeof(want),
             "{\"time\":1732600000.120,\"event\":{\"k\":\"v w\"},\"fields\":{\"f\":[\"a\"]},"
             "\"_receiver_request\":1,\"_receiver_endpoint\":\"event\",\"_receiver_token\":"
             "\"main-token\",\"_receiver_channel\":\"%s\"}\n",
             CHANNEL);
    assert_string_equal(recorded(f), want);
    fixture_free(f);
}

static uint8_t *gz(const char *text, size_t *out_len)
{
    size_t len = strlen(text);
    uLongf cap = compressBound((uLong)len) + 64;
    uint8_t *out = sf_xmalloc(cap);
    z_stream zs = {0};
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static void decodes_gzip_and_enforces_the_size_limit(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    size_t len;
    uint8_t *z = gz("{\"event\":\"zipped\"}{\"event\":\"twice\"}", &len);
    struct hec_response resp;
    call_full(f, "POST", EV, AUTH "Content-Encoding: gzip\n", z, (long)len, false, &resp);
    assert_int_equal(resp.status, 200);
    hec_response_cleanup(&resp);
    assert_int_equal(count_lines(recorded(f)), 2);
    call_full(f, "POST", EV, AUTH "Content-Encoding: deflate\n", z, (long)len, false, &resp);
    assert_int_equal(resp.status, 415);
    hec_response_cleanup(&resp);
    call_full(f, "POST", EV, AUTH "Content-Encoding: gzip\n", z, (long)len - 3, false, &resp);
    assert_int_equal(resp.status, 400);
    assert_int_equal(resp.code, 6);
    hec_response_cleanup(&resp);
    free(z);
    /* 2 MiB of spaces inside one string: 2 KiB on the wire, over the 1 MiB limit decoded. */
    size_t n = (size_t)2 << 20;
    char *huge = sf_xmalloc(n + 1);
    memset(huge, ' ', n);
    huge[n] = '\0';
    z = gz(huge, &len);
    call_full(f, "POST", EV, AUTH "Content-Encoding: gzip\n", z, (long)len, false, &resp);
    assert_int_equal(resp.status, 413);
    hec_response_cleanup(&resp);
    free(z);
    free(huge);
    /* Over the limit on the wire: 413 before authentication. */
    call_full(f, "POST", EV, NULL, "", 0, true, &resp);
    assert_int_equal(resp.status, 413);
    json_t *root = body_json(&resp);
    assert_non_null(strstr(json_string_value(json_object_get(root, "text")), "too large"));
    json_decref(root);
    hec_response_cleanup(&resp);
    fixture_free(f);
}

static void checks_channels(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *ok = "{\"event\":\"x\"}";
    expect(f, "POST", EV, AUTH "X-Splunk-Request-Channel: not-a-guid\n", ok, 400, 11);
    expect(f, "POST", "/services/collector/event?channel=bad", AUTH, ok, 400, 11);
    expect(f, "POST", EV, ACK_AUTH, ok, 400, 10);
    expect(f, "POST", "/services/collector/raw", ACK_AUTH, "x", 400, 10);
    assert_int_equal(
        expect(f, "POST", "/services/collector/event?channel=" CHANNEL, ACK_AUTH, ok, 200, 0), 0);
    assert_int_equal(expect(f, "POST", EV, AUTH CH, ok, 200, 0), -1); /* no ack: no ackId */
    fixture_free(f);
}

static void acknowledges_per_channel(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *ok = "{\"event\":\"x\"}";
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 0);
    assert_int_equal(expect(f, "POST", "/services/collector/raw", ACK_AUTH CH, "a\nb", 200, 0), 1);
    assert_int_equal(expect(f, "POST", EV,
                            ACK_AUTH "X-Splunk-Request-Channel: "
                                     "00000000-0000-0000-0000-000000000001\n",
                            ok, 200, 0),
                     0);
    struct hec_response resp;
    const char *ack = "/services/collector/ack";
    call_full(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[1,0,5,1]}", -1, false, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"acks\":{\"1\":true,\"0\":true,\"5\":false}}");
    hec_response_cleanup(&resp);
    call_full(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[0,1]}", -1, false, &resp);
    assert_string_equal(resp.body, "{\"acks\":{\"0\":false,\"1\":false}}"); /* forgotten */
    hec_response_cleanup(&resp);
    expect(f, "POST", ack, AUTH CH, "{\"acks\":[0]}", 400, 14);
    expect(f, "POST", ack, ACK_AUTH, "{\"acks\":[0]}", 400, 10);
    expect(f, "POST", ack, ACK_AUTH "X-Splunk-Request-Channel: x\n", "{\"acks\":[0]}", 400, 11);
    expect(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[-1]}", 400, 6);
    expect(f, "POST", ack, ACK_AUTH CH, "{\"acks\":\"0\"}", 400, 6);
    expect(f, "POST", ack, ACK_AUTH CH, "[0]", 400, 6);
    expect(f, "POST", ack, ACK_AUTH CH, "", 400, 5);
    expect(f, "POST", ack, NULL, "{\"acks\":[0]}", 401, 2);
    /* A lost ack never turns true. */
    pthread_mutex_lock(&f->srv.lock);
    struct hec_fault rule;
    char why[200];
    assert_true(hec_faults_parse("type=lost_ack,count=1", &rule, why, sizeof(why)));
    hec_faults_add(&f->srv.faults, &rule);
    pthread_mutex_unlock(&f->srv.lock);
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 2);
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 3);
    call_full(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[2,3]}", -1, false, &resp);
    assert_string_equal(resp.body, "{\"acks\":{\"2\":false,\"3\":true}}");
    hec_response_cleanup(&resp);
    fixture_free(f);
}

static void splits_raw_bodies_into_lines(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, ",main,");
    const char *raw = "/services/collector/raw?host=web%201&sourcetype=access&index=main";
    expect(f, "POST", raw, AUTH, "one\r\ntwo\n\n\nthree\rfour", 200, 0);
    const char *text = recorded(f);
    assert_int_equal(count_lines(text), 4);
    assert_non_null(strstr(text, "{\"event\":\"one\",\"host\":\"web 1\",\"sourcetype\":\"access\","
                                 "\"index\":\"main\",\"_receiver_request\":1,"
                                 "\"_receiver_endpoint\":\"raw\""));
    expect(f, "POST", "/services/collector/raw?index=other", AUTH, "x", 400, 7);
    expect(f, "POST", "/services/collector/raw", AUTH, "\n\r\n", 400, 5);
    expect(f, "POST", "/services/collector/raw", AUTH, "", 400, 5);
    fixture_free(f);
}

static void reports_health(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *h = "/services/collector/health";
    expect(f, "GET", h, NULL, NULL, 200, 17);
    expect(f, "GET", h, AUTH, NULL, 200, 17);
    expect(f, "GET", h, "Authorization: Splunk nope\n", NULL, 400, 21);
    expect(f, "GET", h, "Authorization: nonsense\n", NULL, 400, 21);
    expect(f, "GET", "/services/collector/health?token=off-token", NULL, NULL, 400, 22);
    expect(f, "GET", "/services/collector/health?token=" TOKEN, NULL, NULL, 200, 17);
    expect(f, "POST", "/_receiver/faults?spec=type%3Dunhealthy%2Ccode%3D20%2Ccount%3D1", NULL, "",
           200, -1);
    expect(f, "GET", h, NULL, NULL, 503, 20);
    expect(f, "GET", h, NULL, NULL, 200, 17);
    fixture_free(f);
}

static void add_fault(struct fixture *f, const char *spec)
{
    struct hec_response resp;
    call_full(f, "POST", "/_receiver/faults", NULL, spec, -1, false, &resp);
    if (resp.status != 200) {
        fail_msg("fault %s: %.*s", spec, (int)resp.body_len, resp.body);
    }
    hec_response_cleanup(&resp);
}

static void injects_faults(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *two = "{\"event\":\"a\"}{\"event\":\"b\"}{\"event\":\"c\"}";
    add_fault(f, "type=503,count=1,retry_after=7");
    struct hec_response resp;
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.status, 503);
    assert_string_equal(resp.body, "{\"text\":\"Server is busy\",\"code\":9,"
                                   "\"invalid-event-number\":0}");
    assert_string_equal(hec_response_header(&resp, "Retry-After"), "7");
    hec_response_cleanup(&resp);
    add_fault(f, "type=503,k=2,count=1");
    expect_at(f, "POST", EV, AUTH, two, 503, 9, 2);
    assert_int_equal(count_lines(recorded(f)), 2);
    add_fault(f, "type=500,count=1");
    expect(f, "POST", EV, AUTH, two, 500, 8);
    add_fault(f, "type=429,count=1");
    expect(f, "POST", "/services/collector/raw", AUTH, "x", 429, 26);
    add_fault(f, "type=disabled,count=1");
    expect(f, "POST", EV, AUTH, two, 403, 1);
    add_fault(f, "type=code,code=24,count=1");
    expect(f, "POST", EV, AUTH, two, 200, 24);
    assert_int_equal(count_lines(recorded(f)), 5);
    add_fault(f, "type=reset,count=1");
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.action, HEC_ACTION_RESET);
    hec_response_cleanup(&resp);
    add_fault(f, "type=close,count=1");
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.action, HEC_ACTION_CLOSE);
    hec_response_cleanup(&resp);
    add_fault(f, "type=proxy,status=502,count=1");
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.status, 502);
    assert_string_equal(resp.content_type, "text/html");
    assert_non_null(strstr(resp.body, "502 Bad Gateway"));
    hec_response_cleanup(&resp);
    add_fault(f, "type=413,count=1");
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.status, 413);
    hec_response_cleanup(&resp);
    add_fault(f, "type=latency,ms=120,count=1");
    call_full(f, "POST", EV, AUTH, two, -1, false, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.delay_ms, 120);
    hec_response_cleanup(&resp);
    /* Faults are rolled after authentication. */
    add_fault(f, "type=500,count=1");
    expect(f, "POST", EV, NULL, two, 401, 2);
    expect(f, "POST", EV, AUTH, two, 500, 8);
    assert_int_equal(count_lines(recorded(f)), 8);
    fixture_free(f);
}

static json_t *get_json(struct fixture *f, const char *method, const char *target)
{
    struct hec_response resp;
    call_full(f, method, target, NULL, NULL, 0, false, &resp);
    assert_int_equal(resp.status, 200);
    json_t *root = body_json(&resp);
    hec_response_cleanup(&resp);
    return root;
}

static void controls_tokens_limits_and_stats(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, NULL);
    const char *ok = "{\"event\":\"x\"}";
    expect(f, "POST", "/_receiver/tokens/main-token/disable", NULL, NULL, 200, -1);
    expect(f, "POST", EV, AUTH, ok, 403, 1);
    expect(f, "GET", "/services/collector/health", AUTH, NULL, 400, 22);
    expect(f, "POST", "/_receiver/tokens/" TOKEN "/enable", NULL, NULL, 200, -1);
    expect(f, "POST", EV, AUTH, ok, 200, 0);
    expect(f, "POST", EV, "Authorization: Splunk late\n", ok, 403, 4);
    expect(f, "POST", "/_receiver/tokens", NULL, "late,name=late-one,index=main", 200, -1);
    expect(f, "POST", EV, "Authorization: Splunk late\n", ok, 200, 0);
    expect_at(f, "POST", EV, "Authorization: Splunk late\n", "{\"event\":1,\"index\":\"x\"}", 400,
              7, 0);
    expect(f, "POST", "/_receiver/tokens", NULL, "late", 400, 400);
    expect(f, "DELETE", "/_receiver/tokens/late-one", NULL, NULL, 200, -1);
    expect(f, "POST", EV, "Authorization: Splunk late\n", ok, 403, 4);
    expect(f, "POST", "/_receiver/tokens/nobody/disable", NULL, NULL, 404, 404);
    expect(f, "POST", "/_receiver/config?max_content_length=10", NULL, NULL, 200, -1);
    expect(f, "POST", EV, AUTH, "{\"event\":\"eleven\"}", 413, 413);
    expect(f, "POST", "/_receiver/config?max_content_length=abc", NULL, NULL, 400, 400);
    json_t *cfg = get_json(f, "GET", "/_receiver/config");
    assert_int_equal(json_integer_value(json_object_get(cfg, "max_content_length")), 10);
    json_decref(cfg);
    expect(f, "POST", "/_receiver/faults", NULL, "type=teapot", 400, 400);
    expect(f, "GET", "/_receiver/nothing", NULL, NULL, 404, 404);

    json_t *st = get_json(f, "GET", "/_receiver/stats");
    json_t *event = json_object_get(json_object_get(st, "requests"), "event");
    assert_int_equal(json_integer_value(json_object_get(event, "total")), 7);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(event, "by_status"), "403")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(event, "by_code"), "1")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "events"), "accepted")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "events"), "rejected")),
                     1);
    json_decref(st);
    json_decref(get_json(f, "DELETE", "/_receiver/stats"));
    st = get_json(f, "GET", "/_receiver/stats");
    event = json_object_get(json_object_get(st, "requests"), "event");
    assert_int_equal(json_integer_value(json_object_get(event, "total")), 0);
    json_decref(st);
    fixture_free(f);
}

/* --count-only: the scanner's checks, counters, no record. */
static void counts_only(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(true, NULL);
    expect(f, "POST", EV, AUTH, "{\"event\":1}{\"event\":{\"a\":[\"}\"]}}", 200, 0);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1}{\"time\":1}", 400, 12, 1);
    expect_at(f, "POST", EV, AUTH, "{\"event\":\"\"}", 400, 13, 0);
    expect_at(f, "POST", EV, AUTH, "{\"event\":1}[]", 400, 6, 1);
    expect(f, "POST", "/services/collector/raw", AUTH, "a\nb\nc\n", 200, 0);
    assert_string_equal(recorded(f), "");
    json_t *st = get_json(f, "GET", "/_receiver/stats");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "events"), "accepted")),
                     7);
    assert_true(json_is_true(json_object_get(st, "count_only")));
    json_decref(st);
    fixture_free(f);
}

/* --indexers 2: a load balancer without sticky sessions. Requests on one channel go to each
 * indexer in turn; each counts ackIds from 0 and answers ack queries for its own ids only. */
static void spreads_a_channel_over_indexers_without_stickiness(void **state)
{
    (void)state;
    struct fixture *f = sf_xcalloc(1, sizeof(*f));
    f->out = tmpfile();
    struct hec_token tokens[1] = {{.value = ACK_TOK, .name = "ack-token", .has_ack = true}};
    struct hec_server_options opts = {
        .tokens = tokens,
        .n_tokens = 1,
        .max_content_length = 1 << 20,
        .indexers = 2,
        .out_fd = fileno(f->out),
        .seed = 1,
    };
    hec_server_init(&f->srv, &opts);
    const char *ok = "{\"event\":\"x\"}";
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 0); /* indexer A */
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 0); /* indexer B */
    assert_int_equal(expect(f, "POST", EV, ACK_AUTH CH, ok, 200, 0), 1); /* A */
    struct hec_response resp;
    const char *ack = "/services/collector/ack";
    call_full(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[0,1]}", -1, false, &resp); /* to B */
    assert_string_equal(resp.body, "{\"acks\":{\"0\":true,\"1\":false}}");
    hec_response_cleanup(&resp);
    call_full(f, "POST", ack, ACK_AUTH CH, "{\"acks\":[0,1]}", -1, false, &resp); /* to A */
    assert_string_equal(resp.body, "{\"acks\":{\"0\":true,\"1\":true}}");
    hec_response_cleanup(&resp);
    json_t *stats = hec_stats_json(&f->srv);
    assert_int_equal(json_array_size(json_object_get(stats, "indexers")), 2);
    json_decref(stats);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_like_splunk),
        cmocka_unit_test(authenticates_as_spec_1_2),
        cmocka_unit_test(accepts_the_events_before_the_first_bad_one),
        cmocka_unit_test(records_the_envelope_with_receiver_keys),
        cmocka_unit_test(decodes_gzip_and_enforces_the_size_limit),
        cmocka_unit_test(checks_channels),
        cmocka_unit_test(acknowledges_per_channel),
        cmocka_unit_test(splits_raw_bodies_into_lines),
        cmocka_unit_test(reports_health),
        cmocka_unit_test(injects_faults),
        cmocka_unit_test(controls_tokens_limits_and_stats),
        cmocka_unit_test(counts_only),
        cmocka_unit_test(spreads_a_channel_over_indexers_without_stickiness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Wire test of the real hec-receiver binary: this client starts it on port 0 (several times,
 * with different flags) and checks over HTTP(S) with libcurl every endpoint and answer:
 * health, the auth matrix (Splunk, Basic, ?token=), batches and partial acceptance with what
 * got recorded, gzip and the gzip bomb, 413 by Content-Length / chunked / Expect, deflate 415,
 * /raw, the ack flow with channels (delay, lost acks, forgetting after true), faults at start
 * and at run time (503 + Retry-After, reset, close, latency, proxy HTML, unhealthy), token
 * disable/enable and runtime tokens, stats, TLS with the test CA, --count-only, and a clean
 * exit on SIGTERM with every accepted event in the out file.
 * usage: hec_receiver_client PATH/TO/hec-receiver PATH/TO/tests/data/tls */
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "spawn.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "wire.h"

#include "util/banned.h"

#define TOKEN         "11111111-2222-3333-4444-555555555555"
#define ACK_TOK       "aaaaaaaa-2222-3333-4444-555555555555"
#define CHANNEL       "5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6"
#define OTHER_CHANNEL "00000000-1111-2222-3333-444444444444"

static const char *receiver_path;
static const char *tls_dir;

/* ---------------------------------------------------------------------------------------- */
/* The receiver process                                                                      */

struct receiver {
    struct tool_proc proc;
    int port;
    bool is_tls;
    char out_path[256];
};

/* Starts hec-receiver with |args| (NULL-terminated) plus --listen 127.0.0.1:0 and --out, and
 * waits for its one "listening" line. */
static bool receiver_start(struct receiver *r, const char *const *args, bool is_tls)
{
    memset(r, 0, sizeof(*r));
    r->is_tls = is_tls;
    snprintf(r->out_path, sizeof(r->out_path), "/tmp/hec_receiver_test_%d_%ld.ndjson",
             (int)getpid(), (long)sf_now_ms());
    const char *argv[40];
    int n = 0;
    argv[n++] = receiver_path;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--out";
    argv[n++] = r->out_path;
    argv[n++] = "--quiet";
    for (int i = 0; args[i] && n < 39; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    if (!tool_spawn(argv, "hec-receiver", -1, &r->proc)) {
        return false;
    }
    r->port = r->proc.port;
    return true;
}

/* SIGTERM; returns the exit status (-1 if it did not exit by itself). */
static int receiver_stop(struct receiver *r)
{
    return tool_stop(&r->proc);
}

static size_t out_lines(const struct receiver *r, struct sf_buf *text)
{
    FILE *f = fopen(r->out_path, "rb");
    size_t n = 0;
    if (text) {
        sf_buf_reset(text);
    }
    if (!f) {
        return 0;
    }
    int c;
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
        if (text) {
            char ch = (char)c;
            sf_buf_append(text, &ch, 1);
        }
    }
    fclose(f);
    if (text) {
        sf_buf_terminate(text);
    }
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP                                                                                      */

struct result {
    CURLcode rc;
    long status;
    struct sf_buf body;
    struct sf_buf headers;
    double seconds;
    json_t *json; /* the body, when it is JSON */
};

struct call {
    const char *method;
    const char *path;
    const char *headers[8]; /* "Name: value" */
    const void *body;
    long body_len; /* 0: strlen(body) */
    const char *userpwd;
    bool is_chunked;
    bool keeps_expect; /* leave libcurl's Expect: 100-continue on big bodies */
    bool is_fresh;     /* new connection (libcurl retries a dead reused one silently) */
    bool is_plain_to_tls;
};

static CURL *curl;

struct body_reader {
    const uint8_t *p;
    size_t left;
};

static size_t read_body(char *buf, size_t size, size_t n, void *cls)
{
    struct body_reader *rd = cls;
    size_t len = size * n < rd->left ? size * n : rd->left;
    memcpy(buf, rd->p, len);
    rd->p += len;
    rd->left -= len;
    return len;
}

static void result_free(struct result *r)
{
    sf_buf_cleanup(&r->body);
    sf_buf_cleanup(&r->headers);
    json_decref(r->json);
}

static void perform(const struct receiver *rcv, const struct call *c, struct result *r)
{
    memset(r, 0, sizeof(*r));
    char url[1024];
    snprintf(url, sizeof(url), "%s://%s:%d%s",
             rcv->is_tls && !c->is_plain_to_tls ? "https" : "http",
             rcv->is_tls ? "localhost" : "127.0.0.1", rcv->port, c->path);
    struct curl_slist *list = NULL;
    for (int i = 0; i < 8 && c->headers[i]; i++) {
        list = curl_slist_append(list, c->headers[i]);
    }
    if (!c->keeps_expect) {
        list = curl_slist_append(list, "Expect:");
    }
    if (c->is_chunked) {
        list = curl_slist_append(list, "Transfer-Encoding: chunked");
    }
    wire_prepare(curl, c->method, url, list, 30L, 16 << 20, &r->body, &r->headers);
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, c->is_fresh ? 1L : 0L);
    if (rcv->is_tls) {
        char ca[512];
        snprintf(ca, sizeof(ca), "%s/ca.pem", tls_dir);
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    }
    if (c->userpwd) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, c->userpwd);
    }
    struct body_reader rd = {0};
    if (strcmp(c->method, "POST") == 0 || c->body) {
        size_t len = c->body_len > 0 ? (size_t)c->body_len : (c->body ? strlen(c->body) : 0);
        rd = (struct body_reader){c->body, len};
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(curl, CURLOPT_READDATA, &rd);
        if (!c->is_chunked) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        }
    }
    r->rc = wire_perform(curl, &r->status, &r->seconds, &r->body, &r->headers);
    curl_slist_free_all(list);
    r->json = json_loadb((const char *)r->body.ptr, r->body.len, JSON_DECODE_ANY, NULL);
}

static long json_int(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* Response header value into |out|; false when absent. */
static bool header(const struct result *r, const char *name, char *out, size_t size)
{
    return wire_header(&r->headers, name, out, size);
}

/* Sends |c| and checks status, HEC code and invalid-event-number (-1: must be absent).
 * Returns the ackId, or -1. */
static long expect_at(const struct receiver *rcv,
                      const struct call *c,
                      long status,
                      long code,
                      long k,
                      const char *what)
{
    struct result r;
    perform(rcv, c, &r);
    long got_code = json_int(r.json, "code");
    long got_k = json_int(r.json, "invalid-event-number");
    CHECK(r.rc == CURLE_OK && r.status == status && got_code == code && got_k == k,
          "%s: want %ld code %ld k %ld, got curl %d status %ld body %.300s", what, status, code, k,
          (int)r.rc, r.status, (const char *)r.body.ptr);
    long ack_id = json_int(r.json, "ackId");
    result_free(&r);
    return ack_id;
}

static long
expect(const struct receiver *rcv, const struct call *c, long status, long code, const char *what)
{
    return expect_at(rcv, c, status, code, -1, what);
}

static json_t *
control(const struct receiver *rcv, const char *method, const char *path, const char *body)
{
    struct call c = {.method = method, .path = path, .body = body};
    struct result r;
    perform(rcv, &c, &r);
    CHECK(r.status == 200, "control %s %s: %ld %.200s", method, path, r.status,
          (const char *)r.body.ptr);
    json_t *root = json_incref(r.json);
    result_free(&r);
    return root;
}

static long stat_of(const struct receiver *rcv, const char *group, const char *key)
{
    json_t *st = control(rcv, "GET", "/_receiver/stats", NULL);
    long v = json_int(json_object_get(st, group), key);
    json_decref(st);
    return v;
}

static uint8_t *gzip_of(const void *data, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    uint8_t *out = sf_xmalloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* |n| envelopes of about |event_bytes| each. */
static char *batch(size_t n, size_t event_bytes)
{
    struct sf_buf b;
    sf_buf_init(&b, (size_t)1 << 30);
    char *filler = sf_xmalloc(event_bytes + 1);
    memset(filler, 'x', event_bytes);
    filler[event_bytes] = '\0';
    for (size_t i = 0; i < n; i++) {
        sf_buf_printf(&b, "{\"time\":1732600000.%03zu,\"event\":{\"seq\":%zu,\"pad\":\"%s\"}}\n",
                      i % 1000, i, filler);
    }
    free(filler);
    sf_buf_terminate(&b);
    return (char *)b.ptr;
}

#define EV   "/services/collector/event"
#define AUTH "Authorization: Splunk " TOKEN
#define ACKH "Authorization: Splunk " ACK_TOK
#define CHH  "X-Splunk-Request-Channel: " CHANNEL
#define POST(path_, body_, ...)                                         \
    (struct call)                                                       \
    {                                                                   \
        .method = "POST", .path = (path_), .body = (body_), __VA_ARGS__ \
    }

/* ---------------------------------------------------------------------------------------- */
/* Scenarios                                                                                 */

static void health_and_routes(const struct receiver *r)
{
    struct call c = {.method = "GET", .path = "/services/collector/health"};
    expect(r, &c, 200, 17, "health");
    c.path = "/services/collector/health/1.0";
    c.headers[0] = AUTH;
    expect(r, &c, 200, 17, "health/1.0 with token");
    c.headers[0] = "Authorization: Splunk unknown";
    expect(r, &c, 400, 21, "health with a bad token");
    c = (struct call){.method = "GET", .path = "/services/collector/health?token=off"};
    expect(r, &c, 400, 22, "health with a disabled token");
    c = (struct call){.method = "GET", .path = EV, .headers = {AUTH}};
    expect(r, &c, 405, 405, "GET on /event");
    c = POST("/services/collector/nope", "{}", .headers = {AUTH});
    expect(r, &c, 404, 404, "unknown path");
}

static void authentication(const struct receiver *r)
{
    const char *ok = "{\"event\":\"auth\"}";
    struct call c = POST(EV, ok);
    expect(r, &c, 401, 2, "no token");
    c = POST(EV, ok, .headers = {"Authorization: " TOKEN});
    expect(r, &c, 401, 3, "no Splunk prefix");
    c = POST(EV, ok, .headers = {"Authorization: Bearer " TOKEN});
    expect(r, &c, 401, 3, "Bearer");
    c = POST(EV, ok, .headers = {"Authorization: Splunk 00000000-0000-0000-0000-000000000000"});
    expect(r, &c, 403, 4, "unknown token");
    c = POST(EV, ok, .headers = {"Authorization: Splunk off"});
    expect(r, &c, 403, 1, "disabled token");
    c = POST(EV, ok, .userpwd = "anyone:" TOKEN);
    expect(r, &c, 200, 0, "Basic auth, token as password");
    c = POST(EV "?token=" TOKEN, ok);
    expect(r, &c, 400, 16, "?token= without allowQueryStringAuth");
    c = POST(EV "?token=q", ok);
    expect(r, &c, 200, 0, "?token= with allowQueryStringAuth");
}

static void batches_and_partial_acceptance(const struct receiver *r)
{
    size_t before = out_lines(r, NULL);
    struct call c = POST(EV,
                         "{\"event\":\"b0\",\"time\":1732600000.001,\"index\":\"main\"}\n"
                         "{\"event\":{\"k\":\"b1\"},\"fields\":{\"f\":[\"a\",\"b\"]}}"
                         "{\"event\":\"b2\",\"sourcetype\":\"_json\"}",
                         .headers = {AUTH});
    expect(r, &c, 200, 0, "a batch of three");
    CHECK(out_lines(r, NULL) == before + 3, "three lines recorded");
    c = POST("/services/collector",
             "{\"event\":\"p0\"}{\"event\":\"p1\"}{\"event\":\"\"}"
             "{\"event\":\"p3\"}",
             .headers = {AUTH});
    expect_at(r, &c, 400, 13, 2, "blank event at 2");
    struct sf_buf text;
    sf_buf_init(&text, 1 << 24);
    CHECK(out_lines(r, &text) == before + 5, "events before k recorded, none after");
    CHECK(strstr((const char *)text.ptr, "\"p1\"") && !strstr((const char *)text.ptr, "\"p3\""),
          "p0, p1 recorded; p3 not");
    sf_buf_cleanup(&text);
    c = POST("/services/collector/event/1.0", "[{\"event\":\"in an array\"}]", .headers = {AUTH});
    expect_at(r, &c, 400, 6, 0, "JSON array");
    c = POST(EV, "{\"time\":1}", .headers = {AUTH});
    expect_at(r, &c, 400, 12, 0, "no event");
    c = POST(EV, "{\"event\":1}{\"event\":2,\"index\":\"secret\"}", .headers = {AUTH});
    expect_at(r, &c, 400, 7, 1, "index not allowed");
    c = POST(EV, "{\"event\":1,\"fields\":{\"n\":{\"x\":1}}}", .headers = {AUTH});
    expect_at(r, &c, 400, 15, 0, "nested fields");
    c = POST(EV, "{\"event\":1,\"time\":1732600000123}", .headers = {AUTH});
    expect_at(r, &c, 400, 6, 0, "time in milliseconds");
    c = POST(EV, "", .headers = {AUTH});
    expect(r, &c, 400, 5, "empty body");
}

static void compression_and_limits(const struct receiver *r)
{
    char *text = batch(100, 200);
    size_t zlen;
    uint8_t *z = gzip_of(text, strlen(text), &zlen);
    size_t before = out_lines(r, NULL);
    struct call c =
        POST(EV, z, .body_len = (long)zlen, .headers = {AUTH, "Content-Encoding: gzip"});
    expect(r, &c, 200, 0, "gzip batch");
    CHECK(out_lines(r, NULL) == before + 100, "gzip batch recorded");
    c.headers[1] = "Content-Encoding: deflate";
    expect(r, &c, 415, 415, "deflate");
    free(z);
    free(text);

    /* 4 MiB of spaces in one event: 4 KiB of gzip, over the 1 MiB limit once decoded. */
    size_t n = (size_t)4 << 20;
    char *bomb = sf_xmalloc(n + 32);
    memset(bomb, ' ', n + 32);
    memcpy(bomb, "{\"event\":\"", 10);
    memcpy(bomb + n + 10, "\"}", 3);
    z = gzip_of(bomb, strlen(bomb), &zlen);
    c = POST(EV, z, .body_len = (long)zlen, .headers = {AUTH, "Content-Encoding: gzip"});
    expect(r, &c, 413, 413, "gzip bomb");
    free(z);
    free(bomb);

    text = batch(2000, 600); /* ~1.3 MB > 1 MiB */
    c = POST(EV, text, .headers = {AUTH});
    expect(r, &c, 413, 413, "413 by Content-Length");
    c.keeps_expect = true;
    expect(r, &c, 413, 413, "413 before 100-continue");
    c = POST(EV, text, .headers = {AUTH}, .is_chunked = true);
    expect(r, &c, 413, 413, "413 for a chunked body");
    c = POST(EV, "{\"event\":\"after 413\"}", .headers = {AUTH});
    expect(r, &c, 200, 0, "the connection still works after 413");
    free(text);
    text = batch(1000, 600); /* ~0.65 MB, chunked: fine */
    c = POST(EV, text, .headers = {AUTH}, .is_chunked = true, .keeps_expect = true);
    expect(r, &c, 200, 0, "a chunked batch under the limit");
    free(text);
    json_t *cfg = control(r, "POST", "/_receiver/config?max_content_length=100", NULL);
    json_decref(cfg);
    c = POST(EV,
             "{\"event\":\"this body is longer than one hundred bytes ......................"
             "..............................................................\"}",
             .headers = {AUTH});
    expect(r, &c, 413, 413, "413 after lowering max_content_length at run time");
    cfg = control(r, "POST", "/_receiver/config?max_content_length=1048576", NULL);
    json_decref(cfg);
}

static void raw_endpoint(const struct receiver *r)
{
    size_t before = out_lines(r, NULL);
    struct call c = POST("/services/collector/raw?channel=" CHANNEL
                         "&host=web-1&source=%2Fvar%2Flog%2Fx&sourcetype=access&index=cloud",
                         "GET /a 200\nGET /b 404\r\n\nGET /c 500", .headers = {AUTH});
    expect(r, &c, 200, 0, "raw");
    struct sf_buf text;
    sf_buf_init(&text, 1 << 24);
    CHECK(out_lines(r, &text) == before + 3, "three raw lines recorded");
    CHECK(strstr((const char *)text.ptr,
                 "{\"event\":\"GET /b 404\",\"host\":\"web-1\",\"source\":\"/var/log/x\","
                 "\"sourcetype\":\"access\",\"index\":\"cloud\""),
          "raw line with query metadata: %s", (const char *)text.ptr);
    sf_buf_cleanup(&text);
    c = POST("/services/collector/raw/1.0?index=secret", "x", .headers = {AUTH});
    expect(r, &c, 400, 7, "raw index not allowed");
}

static void ack_flow(const struct receiver *r)
{
    const char *ok = "{\"event\":\"acked\"}";
    struct call c = POST(EV, ok, .headers = {ACKH});
    expect(r, &c, 400, 10, "ack token without channel");
    c = POST(EV, ok, .headers = {ACKH, "X-Splunk-Request-Channel: my-channel"});
    expect(r, &c, 400, 11, "channel not a GUID");
    c = POST(EV, ok, .headers = {ACKH, CHH});
    CHECK(expect(r, &c, 200, 0, "ack post 0") == 0, "first ackId is 0");
    CHECK(expect(r, &c, 200, 0, "ack post 1") == 1, "second ackId is 1");
    c = POST("/services/collector/raw?channel=" OTHER_CHANNEL, "x", .headers = {ACKH});
    CHECK(expect(r, &c, 200, 0, "ack raw on another channel") == 0, "per-channel counter");
    struct result res;
    c = POST("/services/collector/ack", "{\"acks\":[0,1,2]}", .headers = {ACKH, CHH});
    perform(r, &c, &res);
    CHECK(res.status == 200 && strcmp((const char *)res.body.ptr,
                                      "{\"acks\":{\"0\":true,\"1\":true,\"2\":false}}") == 0,
          "ack query: %s", (const char *)res.body.ptr);
    result_free(&res);
    perform(r, &c, &res);
    CHECK(strcmp((const char *)res.body.ptr, "{\"acks\":{\"0\":false,\"1\":false,\"2\":false}}") ==
              0,
          "forgotten after true: %s", (const char *)res.body.ptr);
    result_free(&res);
    c = POST("/services/collector/ack", "{\"acks\":[0]}", .headers = {AUTH, CHH});
    expect(r, &c, 400, 14, "ack query with a non-ack token");
    c = POST("/services/collector/ack", "{\"acks\":[0]}", .headers = {ACKH});
    expect(r, &c, 400, 10, "ack query without channel");
    c = POST(EV, ok, .headers = {AUTH, CHH});
    CHECK(expect(r, &c, 200, 0, "channel on a non-ack token") == -1, "no ackId without useACK");
}

static void faults_at_run_time(const struct receiver *r)
{
    const char *ok = "{\"event\":\"fault\"}";
    json_decref(control(r, "POST", "/_receiver/faults", "type=503,count=1,retry_after=2"));
    struct call c = POST(EV, ok, .headers = {AUTH});
    struct result res;
    perform(r, &c, &res);
    char value[64] = "";
    CHECK(res.status == 503 && json_int(res.json, "code") == 9 &&
              json_int(res.json, "invalid-event-number") == 0 &&
              header(&res, "Retry-After", value, sizeof(value)) && strcmp(value, "2") == 0,
          "503 busy with Retry-After: %ld %s", res.status, (const char *)res.body.ptr);
    result_free(&res);
    expect(r, &c, 200, 0, "the count was one");

    json_decref(control(r, "POST", "/_receiver/faults", "type=reset,count=1"));
    c.is_fresh = true;
    perform(r, &c, &res);
    CHECK(res.rc == CURLE_RECV_ERROR || res.rc == CURLE_GOT_NOTHING, "reset: curl %d status %ld",
          (int)res.rc, res.status);
    result_free(&res);
    json_decref(control(r, "POST", "/_receiver/faults", "type=close,count=1"));
    perform(r, &c, &res);
    CHECK(res.rc == CURLE_GOT_NOTHING, "close: curl %d status %ld", (int)res.rc, res.status);
    result_free(&res);
    c.is_fresh = false;

    json_decref(control(r, "POST", "/_receiver/faults", "type=latency,ms=300,count=1"));
    perform(r, &c, &res);
    CHECK(res.status == 200 && res.seconds >= 0.29, "latency: %.3f s", res.seconds);
    result_free(&res);
    json_decref(control(r, "POST", "/_receiver/faults", "type=proxy,status=504,count=1"));
    perform(r, &c, &res);
    CHECK(res.status == 504 && strstr((const char *)res.body.ptr, "<html>"), "proxy 504 HTML");
    result_free(&res);
    json_decref(control(r, "POST", "/_receiver/faults", "type=500,count=1"));
    expect(r, &c, 500, 8, "500 internal error");
    json_decref(control(r, "POST", "/_receiver/faults", "type=429,count=1,endpoint=raw"));
    struct call raw = POST("/services/collector/raw", "line", .headers = {AUTH});
    expect(r, &raw, 429, 26, "429 queue at capacity on raw");
    json_decref(control(r, "POST", "/_receiver/faults", "type=code,code=24,count=1"));
    expect(r, &c, 200, 24, "200 code 24: accepted with a warning");
    json_decref(control(r, "POST", "/_receiver/faults", "type=unhealthy,code=19,count=1"));
    c = (struct call){.method = "GET", .path = "/services/collector/health"};
    expect(r, &c, 503, 19, "unhealthy health");
    expect(r, &c, 200, 17, "healthy again");
    json_t *list = control(r, "GET", "/_receiver/faults", NULL);
    CHECK(json_array_size(list) == 9, "nine rules listed");
    json_decref(list);
    json_decref(control(r, "DELETE", "/_receiver/faults", NULL));
}

static void tokens_at_run_time(const struct receiver *r)
{
    const char *ok = "{\"event\":\"token\"}";
    json_decref(control(r, "POST", "/_receiver/tokens/main/disable", NULL));
    struct call c = POST(EV, ok, .headers = {AUTH});
    expect(r, &c, 403, 1, "disabled at run time");
    json_decref(control(r, "POST", "/_receiver/tokens/main/enable", NULL));
    expect(r, &c, 200, 0, "enabled again");
    c = POST(EV, ok, .headers = {"Authorization: Splunk fixed-later"});
    expect(r, &c, 403, 4, "not yet known");
    json_decref(control(r, "POST", "/_receiver/tokens", "fixed-later,name=late"));
    expect(r, &c, 200, 0, "known after POST /_receiver/tokens");
}

static void stats_add_up(const struct receiver *r)
{
    json_t *st = control(r, "GET", "/_receiver/stats", NULL);
    json_t *event = json_object_get(json_object_get(st, "requests"), "event");
    CHECK(json_int(event, "total") > 20, "event requests counted");
    CHECK(json_int(json_object_get(event, "by_code"), "13") == 1, "one code 13");
    CHECK(json_int(json_object_get(event, "by_status"), "413") >= 4, "413s counted");
    CHECK(json_int(json_object_get(st, "events"), "accepted") == (long)out_lines(r, NULL),
          "events accepted = lines recorded (%ld vs %zu)",
          json_int(json_object_get(st, "events"), "accepted"), out_lines(r, NULL));
    CHECK(json_int(json_object_get(st, "acks"), "issued") == 3, "three ackIds issued");
    CHECK(json_int(json_object_get(st, "bytes"), "decompressed") >
              json_int(json_object_get(st, "bytes"), "wire"),
          "gzip counted in bytes");
    json_decref(st);
}

static void main_receiver(void)
{
    const char *args[] = {"--token",
                          TOKEN ",name=main",
                          "--token",
                          ACK_TOK ",ack,name=acker",
                          "--token",
                          "q,query",
                          "--token",
                          "off,disabled",
                          "--max-content-length",
                          "1M",
                          "--index-allow",
                          "main,cloud",
                          NULL};
    struct receiver r;
    if (!receiver_start(&r, args, false)) {
        n_failed++;
        return;
    }
    health_and_routes(&r);
    authentication(&r);
    batches_and_partial_acceptance(&r);
    compression_and_limits(&r);
    raw_endpoint(&r);
    ack_flow(&r);
    faults_at_run_time(&r);
    tokens_at_run_time(&r);
    stats_add_up(&r);
    long accepted = stat_of(&r, "events", "accepted");
    CHECK(receiver_stop(&r) == 0, "exit 0 on SIGTERM");
    CHECK((long)out_lines(&r, NULL) == accepted, "out file complete after exit");
    unlink(r.out_path);
}

/* --ack with a delay, a lost ack from a start-up --fault, and a start-up 503. */
static void delayed_and_lost_acks(void)
{
    const char *args[] = {"--token",
                          TOKEN,
                          "--ack",
                          "--ack-delay-ms",
                          "400",
                          "--fault",
                          "type=lost_ack,count=1",
                          "--fault",
                          "type=503,count=1,endpoint=raw",
                          NULL};
    struct receiver r;
    if (!receiver_start(&r, args, false)) {
        n_failed++;
        return;
    }
    struct call c = POST("/services/collector/raw", "x", .headers = {AUTH, CHH});
    expect(&r, &c, 503, 9, "start-up 503 on raw");
    c = POST(EV, "{\"event\":1}", .headers = {AUTH, CHH});
    for (long i = 0; i < 3; i++) {
        CHECK(expect(&r, &c, 200, 0, "acked post") == i, "ackId %ld", i);
    }
    struct result res;
    c = POST("/services/collector/ack", "{\"acks\":[0,1,2]}", .headers = {AUTH, CHH});
    perform(&r, &c, &res);
    CHECK(strcmp((const char *)res.body.ptr, "{\"acks\":{\"0\":false,\"1\":false,\"2\":false}}") ==
              0,
          "not indexed yet: %s", (const char *)res.body.ptr);
    result_free(&res);
    sf_sleep_ms(500);
    perform(&r, &c, &res);
    CHECK(strcmp((const char *)res.body.ptr, "{\"acks\":{\"0\":false,\"1\":true,\"2\":true}}") == 0,
          "indexed after the delay, the lost one never: %s", (const char *)res.body.ptr);
    result_free(&res);
    CHECK(stat_of(&r, "acks", "lost") == 1, "one lost ack counted");
    CHECK(receiver_stop(&r) == 0, "exit 0");
    unlink(r.out_path);
}

static void tls_receiver(void)
{
    char cert[512], key[512];
    snprintf(cert, sizeof(cert), "%s/server.pem", tls_dir);
    snprintf(key, sizeof(key), "%s/server.key", tls_dir);
    const char *args[] = {"--token", TOKEN, "--cert", cert, "--key", key, NULL};
    struct receiver r;
    if (!receiver_start(&r, args, true)) {
        n_failed++;
        return;
    }
    struct call c = POST(EV, "{\"event\":\"over TLS\"}", .headers = {AUTH});
    expect(&r, &c, 200, 0, "event over TLS, verified with the test CA");
    c = (struct call){.method = "GET", .path = "/services/collector/health/1.0"};
    expect(&r, &c, 200, 17, "health over TLS");
    c = POST(EV, "{\"event\":1}", .headers = {AUTH}, .is_plain_to_tls = true, .is_fresh = true);
    struct result res;
    perform(&r, &c, &res);
    CHECK(res.rc != CURLE_OK || res.status != 200, "plain HTTP to the TLS port fails");
    result_free(&res);
    CHECK(out_lines(&r, NULL) == 1, "one event recorded");
    CHECK(receiver_stop(&r) == 0, "exit 0");
    unlink(r.out_path);
}

static void count_only_receiver(void)
{
    const char *args[] = {"--token", TOKEN, "--count-only", "--threads", "2", NULL};
    struct receiver r;
    if (!receiver_start(&r, args, false)) {
        n_failed++;
        return;
    }
    char *text = batch(500, 100);
    size_t zlen;
    uint8_t *z = gzip_of(text, strlen(text), &zlen);
    struct call c = POST(EV, text, .headers = {AUTH});
    expect(&r, &c, 200, 0, "count-only plain");
    c = POST(EV, z, .body_len = (long)zlen, .headers = {AUTH, "Content-Encoding: gzip"});
    expect(&r, &c, 200, 0, "count-only gzip");
    c = POST(EV, "{\"event\":1}{\"e\":2}", .headers = {AUTH});
    expect_at(&r, &c, 400, 12, 1, "count-only still checks for event");
    CHECK(stat_of(&r, "events", "accepted") == 1001, "events counted");
    CHECK(stat_of(&r, "bytes", "decompressed") == (long)(2 * strlen(text) + 18), "bytes counted");
    CHECK(out_lines(&r, NULL) == 0, "count-only records nothing");
    free(z);
    free(text);
    CHECK(receiver_stop(&r) == 0, "exit 0");
    unlink(r.out_path);
}

static void bad_command_lines(void)
{
    const char *cases[][4] = {
        {"--listen", "127.0.0.1:0", NULL, NULL},        /* no token */
        {"--token", "T", "--fault", "type=teapot"},     /* bad fault */
        {"--token", "T", "--cert", "/nonexistent.pem"}, /* cert without key */
        {"--token", "T", "--max-content-length", "0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, STDERR_FILENO);
            const char *argv[6] = {receiver_path, cases[i][0], cases[i][1],
                                   cases[i][2],   cases[i][3], NULL};
            execv(receiver_path, (char *const *)argv);
            _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2, "bad command line %zu exits 2", i);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH/TO/hec-receiver TLS_DIR\n", argv[0]);
        return 2;
    }
    receiver_path = argv[1];
    tls_dir = argv[2];
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    curl = curl_easy_init();
    main_receiver();
    delayed_and_lost_acks();
    tls_receiver();
    count_only_receiver();
    bad_command_lines();
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    printf("hec_receiver_client: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}

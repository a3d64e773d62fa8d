/* Smoke test of a running sls-emulator (started by smoke.sh): every API once over real HTTP
 * with v1 and v4 signatures, refusals (tampered signature, skewed clock, STS token, bad
 * JSON/protobuf, wrong method, unknown project/logstore), every PullLogs compression decoded
 * and parsed with protobuf-c, PostLogStoreLogs in each compression, consumer groups
 * (assignment hand-off, checkpoint ownership, quota), faults, split/merge and retention.
 * usage: emulator_smoke_client PORT  (key AK/SK, STS key STSAK/SK2/TOKEN, project smoke,
 * logstore logs with 2 shards and 5000 nginx logs, logstore trail with 500 actiontrail). */
#include <curl/curl.h>
#include <jansson.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "emu_logs.pb-c.h"
#include "test_signer.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "wire.h"

#include "util/banned.h"

static int port;
static CURL *curl;
static bool is_fresh_connect; /* libcurl silently retries a dropped reused connection */

struct result {
    CURLcode rc;
    long status;
    struct sf_buf body;
    struct sf_buf headers;
    double seconds;
};

static struct ts_request req_for(const char *method, const char *path)
{
    return (struct ts_request){
        .method = method,
        .host = "smoke.127.0.0.1",
        .path = path,
        .ak_id = "AK",
        .ak_secret = "SK",
        .region = "cn-hangzhou",
        .now = time(NULL),
    };
}

static void result_free(struct result *r)
{
    sf_buf_cleanup(&r->body);
    sf_buf_cleanup(&r->headers);
}

/* Sends |req| (signed unless |headers| is given) and fills |r|. */
static void send_req(const struct ts_request *req, struct curl_slist *headers, struct result *r)
{
    memset(r, 0, sizeof(*r));
    char *target = ts_target(req);
    char url[4096];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, target);
    free(target);
    struct curl_slist *list = headers ? headers : ts_sign(req);
    wire_prepare(curl, req->method, url, list, 30L, 256u << 20, &r->body, &r->headers);
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, is_fresh_connect ? 1L : 0L);
    if (req->body_len || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    }
    r->rc = wire_perform(curl, &r->status, &r->seconds, &r->body, &r->headers);
    curl_slist_free_all(list);
}

/* Response header value (case-insensitive) into |out|; false when absent. */
static bool header(const struct result *r, const char *name, char *out, size_t size)
{
    return wire_header(&r->headers, name, out, size);
}

static const char *error_code(const struct result *r)
{
    static char code[128];
    json_t *root = json_loads((const char *)r->body.ptr, 0, NULL);
    snprintf(code, sizeof(code), "%s",
             root && json_string_value(json_object_get(root, "errorCode"))
                 ? json_string_value(json_object_get(root, "errorCode"))
                 : "(none)");
    json_decref(root);
    return code;
}

static void
expect_error(const struct ts_request *req, long status, const char *code, const char *what)
{
    struct result r;
    send_req(req, NULL, &r);
    char id[64];
    CHECK(r.status == status && strcmp(error_code(&r), code) == 0 &&
              header(&r, "x-log-requestid", id, sizeof(id)),
          "%s: want %ld %s, got %ld %s", what, status, code, r.status, error_code(&r));
    result_free(&r);
}

static json_t *expect_json(const struct ts_request *req, const char *what)
{
    struct result r;
    send_req(req, NULL, &r);
    json_t *root = json_loads((const char *)r.body.ptr, JSON_DECODE_ANY, NULL);
    CHECK(r.status == 200 && root, "%s: status %ld body %.200s", what, r.status,
          (const char *)r.body.ptr);
    result_free(&r);
    return root;
}

static long expect_ok(const struct ts_request *req, const char *what)
{
    struct result r;
    send_req(req, NULL, &r);
    CHECK(r.status == 200, "%s: status %ld body %.200s", what, r.status, (const char *)r.body.ptr);
    long status = r.status;
    result_free(&r);
    return status;
}

static void control(const char *method, const char *path, const char *body, json_t **out)
{
    struct ts_request req = req_for(method, path);
    req.body = (const uint8_t *)body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = body ? "text/plain" : NULL;
    struct result r;
    send_req(&req, curl_slist_append(NULL, "Expect:"), &r);
    CHECK(r.status == 200, "control %s %s: %ld %.200s", method, path, r.status,
          (const char *)r.body.ptr);
    if (out) {
        *out = json_loads((const char *)r.body.ptr, JSON_DECODE_ANY, NULL);
    }
    result_free(&r);
}

/* ---------------------------------------------------------------------------------------- */
/* PullLogs decoding                                                                         */

struct pulled {
    long status;
    char next[96];
    char compress[32];
    long count; /* x-log-count */
    long raw;   /* x-log-bodyrawsize */
    bool is_end;
    size_t n_groups; /* parsed */
    size_t n_logs;
    bool is_decoded;
};

static uint8_t *seen; /* seen[seq]: generated logs delivered, by their `seq` content */
#define MAX_SEQ 20000

static bool decompress(const char *codec, const struct sf_buf *in, uint8_t *out, size_t raw)
{
    if (!codec[0]) {
        if (in->len != raw) {
            return false;
        }
        memcpy(out, in->ptr, raw);
        return true;
    }
    if (strcmp(codec, "lz4") == 0) {
        return LZ4_decompress_safe((const char *)in->ptr, (char *)out, (int)in->len, (int)raw) ==
               (int)raw;
    }
    if (strcmp(codec, "zstd") == 0) {
        return ZSTD_decompress(out, raw, in->ptr, in->len) == raw;
    }
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    /* deflate is a zlib stream (docs/protocol/sls-loggroup.md §Compression), gzip a gzip member:
     * 15+32 reads both. */
    inflateInit2(&zs, 15 + 32);
    zs.next_in = in->ptr;
    zs.avail_in = (uInt)in->len;
    zs.next_out = out;
    zs.avail_out = (uInt)raw;
    int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    return rc == Z_STREAM_END && zs.total_out == raw;
}

static void count_logs(const Emu__LogGroupList *list, struct pulled *out)
{
    for (size_t g = 0; g < list->n_loggroups; g++) {
        const Emu__LogGroup *group = list->loggroups[g];
        out->n_groups++;
        for (size_t l = 0; l < group->n_logs; l++) {
            out->n_logs++;
            for (size_t c = 0; c < group->logs[l]->n_contents; c++) {
                const Emu__Log__Content *content = group->logs[l]->contents[c];
                if (content->key.len == 3 && memcmp(content->key.data, "seq", 3) == 0) {
                    char digits[24];
                    snprintf(digits, sizeof(digits), "%.*s", (int)content->value.len,
                             (const char *)content->value.data);
                    long seq = strtol(digits, NULL, 10);
                    if (seq > 0 && seq < MAX_SEQ) {
                        seen[seq]++;
                    }
                }
            }
        }
    }
}

static void pull(const char *ls,
                 int shard,
                 const char *cursor,
                 int count,
                 const char *end_cursor,
                 const char *accept,
                 bool is_v4,
                 struct pulled *out)
{
    char path[128], count_text[16];
    snprintf(path, sizeof(path), "/logstores/%s/shards/%d", ls, shard);
    snprintf(count_text, sizeof(count_text), "%d", count);
    struct ts_param params[4] = {{"type", "log"}, {"cursor", cursor}, {"count", count_text}};
    size_t n_params = 3;
    if (end_cursor) {
        params[n_params++] = (struct ts_param){"end_cursor", end_cursor};
    }
    struct ts_request req = req_for("GET", path);
    req.params = params;
    req.n_params = n_params;
    req.accept_encoding = accept;
    req.is_v4 = is_v4;
    struct result r;
    send_req(&req, NULL, &r);
    memset(out, 0, sizeof(*out));
    out->status = r.status;
    char text[64];
    header(&r, "x-log-cursor", out->next, sizeof(out->next));
    header(&r, "x-log-compresstype", out->compress, sizeof(out->compress));
    out->count = header(&r, "x-log-count", text, sizeof(text)) ? strtol(text, NULL, 10) : -1;
    out->raw = header(&r, "x-log-bodyrawsize", text, sizeof(text)) ? strtol(text, NULL, 10) : -1;
    out->is_end = header(&r, "x-log-end-of-cursor", text, sizeof(text)) && strcmp(text, "1") == 0;
    if (r.status == 200 && out->raw > 0) {
        uint8_t *raw = sf_xmalloc((size_t)out->raw);
        if (decompress(out->compress, &r.body, raw, (size_t)out->raw)) {
            Emu__LogGroupList *list = emu__log_group_list__unpack(NULL, (size_t)out->raw, raw);
            if (list) {
                count_logs(list, out);
                out->is_decoded = true;
                emu__log_group_list__free_unpacked(list, NULL);
            }
        }
        free(raw);
    } else if (r.status == 200) {
        out->is_decoded = r.body.len == 0;
    }
    result_free(&r);
}

static void get_cursor(const char *ls, int shard, const char *from, char *out, size_t size)
{
    char path[128];
    snprintf(path, sizeof(path), "/logstores/%s/shards/%d", ls, shard);
    struct ts_param params[] = {{"type", "cursor"}, {"from", from}};
    struct ts_request req = req_for("GET", path);
    req.params = params;
    req.n_params = 2;
    json_t *root = expect_json(&req, "GetCursor");
    const char *cursor = json_string_value(json_object_get(root, "cursor"));
    snprintf(out, size, "%s", cursor ? cursor : "");
    json_decref(root);
}

/* Reads shard |shard| of |ls| from |from| to its end; returns the logs seen. */
static size_t drain(const char *ls, int shard, const char *from, int count, const char *accept)
{
    char cursor[96];
    get_cursor(ls, shard, from, cursor, sizeof(cursor));
    size_t n_logs = 0;
    for (int i = 0; i < 100000; i++) {
        struct pulled p;
        pull(ls, shard, cursor, count, NULL, accept, false, &p);
        CHECK(p.status == 200 && p.is_decoded && p.count == (long)p.n_groups,
              "drain %s/%d: status %ld decoded %d count %ld groups %zu", ls, shard, p.status,
              p.is_decoded, p.count, p.n_groups);
        if (p.status != 200 || p.count == 0) {
            CHECK(strcmp(p.next, cursor) == 0 && p.raw == 0 && p.is_end,
                  "caught-up pull must return the same cursor, rawsize 0, end-of-cursor 1");
            break;
        }
        n_logs += p.n_logs;
        snprintf(cursor, sizeof(cursor), "%s", p.next);
    }
    return n_logs;
}

/* ---------------------------------------------------------------------------------------- */
/* Checks                                                                                    */

static void check_auth(void)
{
    struct ts_request req = req_for("GET", "/logstores/logs/shards");
    json_t *shards = expect_json(&req, "v1 ListShards");
    CHECK(json_array_size(shards) == 2, "ListShards: want 2 shards");
    json_decref(shards);
    req.is_v4 = true;
    expect_ok(&req, "v4 ListShards");
    req.is_v4 = false;
    req.ak_id = "STSAK";
    req.ak_secret = "SK2";
    req.sts_token = "TOKEN";
    expect_ok(&req, "v1 with STS token");
    req.is_v4 = true;
    expect_ok(&req, "v4 with STS token");
    req.sts_token = "OTHER";
    expect_error(&req, 401, "Unauthorized", "wrong STS token");
    req = req_for("GET", "/logstores/logs/shards");
    req.ak_secret = "WRONG";
    expect_error(&req, 401, "SignatureNotMatch", "v1 tampered signature");
    req.is_v4 = true;
    expect_error(&req, 401, "SignatureNotMatch", "v4 tampered signature");
    req = req_for("GET", "/logstores/logs/shards");
    req.now -= 20 * 60;
    expect_error(&req, 400, "RequestTimeExpired", "v1 Date 20 minutes old");
    req.is_v4 = true;
    expect_error(&req, 400, "RequestTimeExpired", "v4 x-log-date 20 minutes old");
    req = req_for("GET", "/logstores/logs/shards");
    req.ak_id = "NOSUCHKEY";
    expect_error(&req, 401, "InvalidAccessKeyId", "unknown AccessKeyId");
}

static void check_routing(void)
{
    struct ts_request req = req_for("GET", "/logstores/logs/shards");
    req.host = "nope.127.0.0.1";
    expect_error(&req, 404, "ProjectNotExist", "unknown project");
    req = req_for("GET", "/logstores/nosuch/shards");
    expect_error(&req, 404, "LogStoreNotExist", "unknown logstore");
    req = req_for("DELETE", "/logstores/logs/shards");
    expect_error(&req, 405, "InvalidMethod", "DELETE on ListShards");
    req = req_for("GET", "/logstores/logs/shards");
    struct result r;
    send_req(&req, curl_slist_append(NULL, "Host:"), &r);
    CHECK(r.status == 400 && strcmp(error_code(&r), "MissingHost") == 0, "no Host: got %ld %s",
          r.status, error_code(&r));
    result_free(&r);
    req = req_for("GET", "/logstores");
    json_t *root = expect_json(&req, "ListLogStores");
    CHECK(json_integer_value(json_object_get(root, "count")) == 2, "ListLogStores count");
    json_decref(root);
    req = req_for("GET", "/logstores/logs");
    root = expect_json(&req, "GetLogStore");
    CHECK(json_integer_value(json_object_get(root, "shardCount")) == 2, "GetLogStore shardCount");
    json_decref(root);
}

static void check_cursors(void)
{
    char begin[96], end[96], at[96];
    get_cursor("logs", 0, "begin", begin, sizeof(begin));
    get_cursor("logs", 0, "end", end, sizeof(end));
    CHECK(begin[0] && end[0] && strcmp(begin, end) != 0, "begin and end cursors differ");
    char t[32];
    snprintf(t, sizeof(t), "%lld", (long long)time(NULL) - 3600);
    get_cursor("logs", 0, t, at, sizeof(at));
    CHECK(strcmp(at, begin) == 0, "from an hour ago is begin");
    snprintf(t, sizeof(t), "%lld", (long long)time(NULL) + 3600);
    get_cursor("logs", 0, t, at, sizeof(at));
    CHECK(strcmp(at, end) == 0, "from the future is end");

    struct ts_param params[] = {{"type", "cursor"}, {"from", "yesterday"}};
    struct ts_request req = req_for("GET", "/logstores/logs/shards/0");
    req.params = params;
    req.n_params = 2;
    expect_error(&req, 400, "ParameterInvalid", "GetCursor from=yesterday");
    req.path = "/logstores/logs/shards/99";
    params[1].value = "begin";
    expect_error(&req, 400, "ShardNotExist", "GetCursor on shard 99");

    struct ts_param time_params[] = {{"type", "cursor_time"}, {"cursor", begin}};
    req = req_for("GET", "/logstores/logs/shards/0");
    req.params = time_params;
    req.n_params = 2;
    req.is_v4 = true;
    json_t *root = expect_json(&req, "GetCursorTime");
    json_int_t when = json_integer_value(json_object_get(root, "cursor_time"));
    CHECK(when > (json_int_t)time(NULL) - 400 && when <= (json_int_t)time(NULL),
          "cursor_time %lld within the generated spread", (long long)when);
    json_decref(root);
}

static void check_pull(void)
{
    static const char *const codecs[] = {NULL, "lz4", "zstd", "deflate", "gzip"};
    char begin[96];
    get_cursor("logs", 0, "begin", begin, sizeof(begin));
    for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
        struct pulled p;
        pull("logs", 0, begin, 5, NULL, codecs[i], i % 2 == 1, &p);
        CHECK(p.status == 200 && p.is_decoded && p.count == 5 && p.n_groups == 5 &&
                  strcmp(p.compress, codecs[i] ? codecs[i] : "") == 0 && p.next[0],
              "pull with %s: status %ld decoded %d count %ld groups %zu compress '%s'",
              codecs[i] ? codecs[i] : "no compression", p.status, p.is_decoded, p.count, p.n_groups,
              p.compress);
    }
    memset(seen, 0, MAX_SEQ);
    size_t n = drain("logs", 0, "begin", 1000, "lz4") + drain("logs", 1, "begin", 7, "zstd") +
               drain("trail", 0, "begin", 1000, "deflate");
    CHECK(n == 5500, "delivered %zu logs, want 5500", n);
    size_t n_once = 0;
    for (int s = 1; s <= 5500; s++) {
        n_once += seen[s] == 1;
    }
    CHECK(n_once == 5500, "%zu of 5500 seq values seen exactly once", n_once);

    /* end_cursor is exclusive and stops the read. */
    struct pulled first, bounded;
    pull("logs", 0, begin, 3, NULL, "lz4", false, &first);
    pull("logs", 0, begin, 1000, first.next, "lz4", false, &bounded);
    CHECK(bounded.count == 3 && strcmp(bounded.next, first.next) == 0,
          "end_cursor bounds the read");

    struct ts_param params[] = {{"type", "logs"}, {"cursor", begin}, {"count", "0"}};
    struct ts_request req = req_for("GET", "/logstores/logs/shards/0");
    req.params = params;
    req.n_params = 3;
    expect_error(&req, 400, "ParameterInvalid", "count=0");
    params[2].value = "1001";
    expect_error(&req, 400, "ParameterInvalid", "count=1001");
    params[2].value = "10";
    params[1].value = "bm90LWEtY3Vyc29y";
    expect_error(&req, 400, "InvalidCursor", "undecodable cursor");
    params[1].value = "MA==";
    expect_error(&req, 400, "InvalidCursor", "cursor before the shard's data");
}

static size_t make_group(uint8_t **out, int n_logs)
{
    Emu__LogGroup group = EMU__LOG_GROUP__INIT;
    Emu__Log logs[16], *log_ptrs[16];
    Emu__Log__Content contents[16][2], *content_ptrs[16][2];
    char values[16][16];
    for (int i = 0; i < n_logs; i++) {
        emu__log__init(&logs[i]);
        logs[i].time = (uint32_t)time(NULL);
        for (int c = 0; c < 2; c++) {
            emu__log__content__init(&contents[i][c]);
            content_ptrs[i][c] = &contents[i][c];
        }
        snprintf(values[i], sizeof(values[i]), "%d", i);
        contents[i][0].key = (ProtobufCBinaryData){6, (uint8_t *)"posted"};
        contents[i][0].value = (ProtobufCBinaryData){strlen(values[i]), (uint8_t *)values[i]};
        /* A NUL and an invalid UTF-8 byte must survive the round trip. */
        contents[i][1].key = (ProtobufCBinaryData){3, (uint8_t *)"raw"};
        contents[i][1].value = (ProtobufCBinaryData){4, (uint8_t *)"a\0\xff"
                                                                   "b"};
        logs[i].contents = content_ptrs[i];
        logs[i].n_contents = 2;
        log_ptrs[i] = &logs[i];
    }
    group.logs = log_ptrs;
    group.n_logs = (size_t)n_logs;
    group.has_topic = true;
    group.topic = (ProtobufCBinaryData){5, (uint8_t *)"smoke"};
    size_t len = emu__log_group__get_packed_size(&group);
    *out = sf_xmalloc(len);
    emu__log_group__pack(&group, *out);
    return len;
}

static void post(const char *path,
                 const struct ts_param *params,
                 size_t n_params,
                 const char *codec,
                 long want_status,
                 const char *want_code)
{
    uint8_t *raw = NULL;
    size_t raw_len = make_group(&raw, 10);
    uint8_t *body = raw;
    size_t body_len = raw_len;
    if (codec && strcmp(codec, "lz4") == 0) {
        body = sf_xmalloc((size_t)LZ4_compressBound((int)raw_len));
        body_len = (size_t)LZ4_compress_default((const char *)raw, (char *)body, (int)raw_len,
                                                LZ4_compressBound((int)raw_len));
    } else if (codec && strcmp(codec, "zstd") == 0) {
        body = sf_xmalloc(ZSTD_compressBound(raw_len));
        body_len = ZSTD_compress(body, ZSTD_compressBound(raw_len), raw, raw_len, 3);
    } else if (codec && strcmp(codec, "deflate") == 0) {
        uLongf n = compressBound(raw_len);
        body = sf_xmalloc(n);
        compress2(body, &n, raw, raw_len, 6);
        body_len = n;
    }
    struct ts_request req = req_for("POST", path);
    req.params = params;
    req.n_params = n_params;
    req.body = body;
    req.body_len = body_len;
    req.raw_len = raw_len;
    req.compress = codec;
    req.content_type = "application/x-protobuf";
    req.is_v4 = codec && strcmp(codec, "zstd") == 0;
    if (want_code) {
        expect_error(&req, want_status, want_code, path);
    } else {
        expect_ok(&req, path);
    }
    if (body != raw) {
        free(body);
    }
    free(raw);
}

static void check_post(void)
{
    char before[2][96];
    get_cursor("logs", 0, "end", before[0], sizeof(before[0]));
    get_cursor("logs", 1, "end", before[1], sizeof(before[1]));
    post("/logstores/logs/shards/lb", NULL, 0, NULL, 200, NULL);
    post("/logstores/logs/shards/lb", NULL, 0, "lz4", 200, NULL);
    post("/logstores/logs/shards/lb", NULL, 0, "zstd", 200, NULL);
    post("/logstores/logs/shards/lb", NULL, 0, "deflate", 200, NULL);
    post("/logstores/logs", NULL, 0, "lz4", 200, NULL); /* the Go SDK's PutLogs path */
    struct ts_param key[] = {{"key", "ffffffffffffffffffffffffffffff00"}};
    post("/logstores/logs/shards/route", key, 1, "lz4", 200, NULL);
    key[0].value = "not-hex";
    post("/logstores/logs/shards/route", key, 1, "lz4", 400, "ParameterInvalid");
    post("/logstores/logs/shards/lb", NULL, 0, "snappy", 400, "InvalidCompressType");

    struct ts_request req = req_for("POST", "/logstores/logs/shards/lb");
    req.body = (const uint8_t *)"\x0a\x05garbage";
    req.body_len = 9;
    req.raw_len = 9;
    req.content_type = "application/x-protobuf";
    expect_error(&req, 400, "PostBodyInvalid", "garbage protobuf");
    req.compress = "lz4";
    req.raw_len = 100;
    expect_error(&req, 400, "PostBodyUncompressError", "lz4 body that does not decompress");
    req.compress = NULL;
    req.content_type = "text/plain";
    expect_error(&req, 415, "InvalidContentType", "PutLogs with text/plain");

    size_t n_new = 0;
    for (int s = 0; s < 2; s++) {
        struct pulled p;
        pull("logs", s, before[s], 1000, NULL, "lz4", false, &p);
        n_new += p.n_logs;
    }
    CHECK(n_new == 60, "posted 60 logs, read back %zu", n_new);
}

static json_t *
heartbeat(const char *consumer, const char *held, long want_status, const char *want_code)
{
    struct ts_param params[] = {{"type", "heartbeat"}, {"consumer", consumer}};
    struct ts_request req = req_for("POST", "/logstores/logs/consumergroups/smoke-cg");
    req.params = params;
    req.n_params = 2;
    req.body = (const uint8_t *)held;
    req.body_len = strlen(held);
    req.raw_len = strlen(held);
    req.content_type = "application/json";
    if (want_code) {
        expect_error(&req, want_status, want_code, "heartbeat");
        return NULL;
    }
    return expect_json(&req, "heartbeat");
}

/* |force|: the forceSuccess value to send, or NULL to leave the parameter out. */
static void checkpoint(const char *consumer,
                       int shard,
                       const char *cursor,
                       const char *force,
                       long want_status,
                       const char *want_code)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"shard\":%d,\"checkpoint\":\"%s\"}", shard, cursor);
    struct ts_param params[3] = {{"type", "checkpoint"}};
    size_t n = 1;
    if (force) {
        params[n++] = (struct ts_param){"forceSuccess", force};
    }
    if (consumer) {
        params[n++] = (struct ts_param){"consumer", consumer};
    }
    struct ts_request req = req_for("POST", "/logstores/logs/consumergroups/smoke-cg");
    req.params = params;
    req.n_params = n;
    req.body = (const uint8_t *)body;
    req.body_len = strlen(body);
    req.raw_len = strlen(body);
    req.content_type = "application/json";
    req.is_v4 = shard == 1;
    if (want_code) {
        expect_error(&req, want_status, want_code, "checkpoint");
    } else {
        expect_ok(&req, "checkpoint");
    }
}

static void create_group(const char *name, long want_status, const char *want_code)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"consumerGroup\":\"%s\",\"timeout\":60,\"order\":false}", name);
    struct ts_request req = req_for("POST", "/logstores/logs/consumergroups");
    req.body = (const uint8_t *)body;
    req.body_len = strlen(body);
    req.raw_len = strlen(body);
    req.content_type = "application/json";
    if (want_code) {
        expect_error(&req, want_status, want_code, "CreateConsumerGroup");
    } else {
        expect_ok(&req, "CreateConsumerGroup");
    }
}

static bool list_is(json_t *list, const char *want)
{
    char text[128] = "";
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, "%s%lld", i ? "," : "",
                 (long long)json_integer_value(item));
    }
    bool is_same = strcmp(text, want) == 0;
    if (!is_same) {
        fprintf(stderr, "  heartbeat answer [%s], want [%s]\n", text, want);
    }
    json_decref(list);
    return is_same;
}

static void check_groups(void)
{
    create_group("smoke-cg", 200, NULL);
    create_group("smoke-cg", 400, "ConsumerGroupAlreadyExist");
    struct ts_request req = req_for("POST", "/logstores/logs/consumergroups");
    req.body = (const uint8_t *)"{\"consumerGroup\":";
    req.body_len = strlen((const char *)req.body);
    req.content_type = "application/json";
    expect_error(&req, 400, "JsonInfoInvalid", "CreateConsumerGroup with broken JSON");

    req = req_for("GET", "/logstores/logs/consumergroups");
    json_t *groups = expect_json(&req, "ListConsumerGroup");
    json_t *first = json_array_get(groups, 0);
    CHECK(json_is_array(groups) &&
              strcmp(json_string_value(json_object_get(first, "name")), "smoke-cg") == 0 &&
              json_integer_value(json_object_get(first, "timeout")) == 60,
          "ListConsumerGroup lists smoke-cg");
    json_decref(groups);

    req = req_for("PUT", "/logstores/logs/consumergroups/smoke-cg");
    req.body = (const uint8_t *)"{\"timeout\":30,\"order\":false}";
    req.body_len = strlen((const char *)req.body);
    req.raw_len = req.body_len;
    req.content_type = "application/json";
    req.is_v4 = true;
    expect_ok(&req, "UpdateConsumerGroup");

    char begin[96];
    get_cursor("logs", 0, "begin", begin, sizeof(begin));
    CHECK(list_is(heartbeat("c1", "[]", 0, NULL), "0,1"), "c1 alone gets both shards");
    heartbeat("ghost", "[0]", 400, "NotExistConsumerWithBody");
    checkpoint("c1", 0, begin, "false", 200, NULL);
    checkpoint("c1", 0, "not base64!", "false", 400, "InvalidShardCheckPoint");
    checkpoint("ghost", 0, begin, "false", 404, "ConsumerNotExist");
    CHECK(list_is(heartbeat("c2", "[]", 0, NULL), ""), "c2 waits for the hand-off");
    CHECK(list_is(heartbeat("c1", "[0, 1]", 0, NULL), "0"), "c1 is asked to give up shard 1");
    checkpoint("c2", 1, begin, "false", 400, "ConsumerNotMatch");
    checkpoint("c2", 1, begin, NULL, 400, "ConsumerNotMatch"); /* absent: enforced too */
    checkpoint("c2", 1, begin, "true", 200, NULL);             /* forced: no ownership check */
    checkpoint("ghost", 1, begin, "True", 200, NULL);          /* Python's spelling */
    CHECK(list_is(heartbeat("c1", "[0]", 0, NULL), "0"), "c1 releases shard 1");
    CHECK(list_is(heartbeat("c2", "[]", 0, NULL), "1"), "c2 gets shard 1");
    /* [] is an ordinary heartbeat, not a departure: c2 keeps shard 1. */
    CHECK(list_is(heartbeat("c2", "[]", 0, NULL), "1"), "c2 keeps shard 1 after []");
    CHECK(list_is(heartbeat("c1", "[0]", 0, NULL), "0"), "c1 does not get c2's shard");
    checkpoint(NULL, 1, begin, NULL, 400, "ParameterInvalid");
    checkpoint(NULL, 1, begin, "true", 200, NULL); /* admin reset: no consumer, forced */

    struct ts_param shard_param[] = {{"shard", "0"}};
    req = req_for("GET", "/logstores/logs/consumergroups/smoke-cg");
    req.params = shard_param;
    req.n_params = 1;
    json_t *cps = expect_json(&req, "GetCheckPoint shard=0");
    json_t *cp = json_array_get(cps, 0);
    CHECK(json_array_size(cps) == 1 &&
              strcmp(json_string_value(json_object_get(cp, "checkpoint")), begin) == 0 &&
              strcmp(json_string_value(json_object_get(cp, "consumer")), "c1") == 0 &&
              json_integer_value(json_object_get(cp, "updateTime")) > 1000000000000000ll,
          "GetCheckPoint returns c1's checkpoint with a microsecond updateTime");
    json_decref(cps);

    for (int i = 1; i < 30; i++) {
        char name[32];
        snprintf(name, sizeof(name), "quota-%02d", i);
        create_group(name, 200, NULL);
    }
    create_group("quota-30", 400, "ConsumerGroupQuotaExceed");
    req = req_for("DELETE", "/logstores/logs/consumergroups/quota-01");
    expect_ok(&req, "DeleteConsumerGroup");
    expect_error(&req, 404, "ConsumerGroupNotExist", "DeleteConsumerGroup twice");
    req = req_for("POST", "/logstores/logs/consumergroups/smoke-cg");
    req.body = (const uint8_t *)"[]";
    req.body_len = 2;
    req.content_type = "application/json";
    expect_error(&req, 405, "InvalidMethod", "POST on a group without type");

    /* A consumer forced out through the control plane loses its shards at once. */
    control("POST",
            "/_emulator/projects/smoke/logstores/logs/consumergroups/smoke-cg/expire"
            "?consumer=c2",
            NULL, NULL);
    CHECK(list_is(heartbeat("c1", "[0]", 0, NULL), "0,1"), "c1 takes over c2's shard");

    /* Real expiry: timeout 1 s, c1 goes silent, c2 inherits everything. */
    create_group("expiry-cg", 200, NULL);
    req = req_for("PUT", "/logstores/logs/consumergroups/expiry-cg");
    req.body = (const uint8_t *)"{\"timeout\":1}";
    req.body_len = strlen((const char *)req.body);
    req.content_type = "application/json";
    expect_ok(&req, "UpdateConsumerGroup timeout=1");
    struct ts_param e1[] = {{"type", "heartbeat"}, {"consumer", "e1"}};
    struct ts_param e2[] = {{"type", "heartbeat"}, {"consumer", "e2"}};
    req = req_for("POST", "/logstores/logs/consumergroups/expiry-cg");
    req.body = (const uint8_t *)"[]";
    req.body_len = 2;
    req.content_type = "application/json";
    req.params = e1;
    req.n_params = 2;
    CHECK(list_is(expect_json(&req, "e1 heartbeat"), "0,1"), "e1 alone gets both");
    req.params = e2;
    CHECK(list_is(expect_json(&req, "e2 heartbeat"), ""), "e2 waits while e1 lives");
    usleep(1300 * 1000);
    CHECK(list_is(expect_json(&req, "e2 heartbeat"), "0,1"), "e1 expired: e2 gets both");
    req.params = e1;
    req.body = (const uint8_t *)"[0,1]";
    req.body_len = 5;
    expect_error(&req, 400, "NotExistConsumerWithBody", "expired e1 reporting shards");
}

static void check_faults(void)
{
    struct ts_request req = req_for("GET", "/logstores/logs/shards");
    control("POST", "/_emulator/faults", "api=ListShards,type=503,count=1", NULL);
    expect_error(&req, 503, "ServerBusy", "injected 503");
    expect_ok(&req, "after count=1 the fault is spent");
    control("POST", "/_emulator/faults", "api=ListShards,type=500,count=1", NULL);
    expect_error(&req, 500, "InternalServerError", "injected 500");

    char begin[96];
    get_cursor("logs", 0, "begin", begin, sizeof(begin));
    control("POST", "/_emulator/faults", "api=PullLogs,type=403,count=1", NULL);
    control("POST", "/_emulator/faults", "api=PullLogs,type=403shard,count=1", NULL);
    struct pulled p;
    pull("logs", 0, begin, 10, NULL, "lz4", false, &p);
    CHECK(p.status == 403, "injected ReadQuotaExceed: %ld", p.status);
    pull("logs", 0, begin, 10, NULL, "lz4", false, &p);
    CHECK(p.status == 403, "injected ShardReadQuotaExceed: %ld", p.status);

    control("POST", "/_emulator/faults", "api=ListShards,type=latency,ms=300,count=1", NULL);
    struct result r;
    send_req(&req, NULL, &r);
    CHECK(r.status == 200 && r.seconds >= 0.29, "latency fault: %ld after %.3f s", r.status,
          r.seconds);
    result_free(&r);
    control("POST", "/_emulator/faults", "api=ListShards,type=drop,count=1", NULL);
    is_fresh_connect = true;
    send_req(&req, NULL, &r);
    is_fresh_connect = false;
    CHECK(r.rc != CURLE_OK, "dropped connection: curl says %s", curl_easy_strerror(r.rc));
    result_free(&r);
    control("POST", "/_emulator/faults", "api=PullLogs,type=truncate,count=1", NULL);
    char path[] = "/logstores/logs/shards/0";
    struct ts_param params[] = {{"type", "log"}, {"cursor", begin}, {"count", "100"}};
    struct ts_request pull_req = req_for("GET", path);
    pull_req.params = params;
    pull_req.n_params = 3;
    pull_req.accept_encoding = "lz4";
    send_req(&pull_req, NULL, &r);
    CHECK(r.rc == CURLE_PARTIAL_FILE, "truncated body: curl says %s", curl_easy_strerror(r.rc));
    result_free(&r);
    control("DELETE", "/_emulator/faults", NULL, NULL);
    expect_ok(&req, "faults cleared");
}

static void check_split_merge(void)
{
    json_t *root = NULL;
    control("POST", "/_emulator/projects/smoke/logstores/logs/shards/0/split", NULL, &root);
    json_t *children = json_object_get(root, "children");
    CHECK(json_integer_value(json_array_get(children, 0)) == 2 &&
              json_integer_value(json_array_get(children, 1)) == 3,
          "split 0 gives children 2 and 3");
    json_decref(root);
    struct ts_request req = req_for("GET", "/logstores/logs/shards");
    json_t *shards = expect_json(&req, "ListShards after split");
    CHECK(json_array_size(shards) == 4 &&
              strcmp(json_string_value(json_object_get(json_array_get(shards, 0), "status")),
                     "readonly") == 0,
          "shard 0 is read-only after the split");
    json_decref(shards);
    char end0[96], after0[96];
    get_cursor("logs", 0, "end", end0, sizeof(end0));
    for (int i = 0; i < 6; i++) {
        post("/logstores/logs/shards/lb", NULL, 0, "lz4", 200, NULL);
    }
    get_cursor("logs", 0, "end", after0, sizeof(after0));
    CHECK(strcmp(end0, after0) == 0, "no new data lands in the read-only parent");
    CHECK(drain("logs", 2, "begin", 1000, "lz4") + drain("logs", 3, "begin", 1000, "lz4") > 0,
          "new data flows into the children");
    control("POST", "/_emulator/projects/smoke/logstores/logs/shards/2/merge", NULL, &root);
    CHECK(json_integer_value(json_object_get(root, "child")) == 4, "merge 2+3 gives shard 4");
    json_decref(root);
    control("POST",
            "/_emulator/projects/smoke/logstores/logs/generate?kind=actiontrail&count=100&shard=4",
            NULL, NULL);
    CHECK(drain("logs", 4, "begin", 1000, "lz4") == 100,
          "generated data lands in the merged shard");
}

static void check_stats_and_retention(void)
{
    json_t *stats = NULL;
    control("GET", "/_emulator/stats", NULL, &stats);
    json_t *requests = json_object_get(stats, "requests");
    CHECK(json_integer_value(json_object_get(requests, "PullLogs")) > 0 &&
              json_integer_value(json_object_get(json_object_get(stats, "pull"), "bytes_raw")) > 0,
          "stats count PullLogs and raw bytes");
    json_decref(stats);

    char begin[96], later[96];
    get_cursor("trail", 0, "begin", begin, sizeof(begin));
    sleep(2);
    control("POST", "/_emulator/retention?seconds=1", NULL, NULL);
    struct pulled p;
    pull("trail", 0, begin, 10, NULL, "lz4", false, &p);
    CHECK(p.status == 400, "a cursor into dropped data is InvalidCursor (got %ld)", p.status);
    get_cursor("trail", 0, "begin", later, sizeof(later));
    CHECK(strcmp(begin, later) != 0, "begin moves forward with retention");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    port = (int)strtol(argv[1], NULL, 10);
    seen = sf_xcalloc(MAX_SEQ, 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    check_auth();
    check_routing();
    check_cursors();
    check_pull();
    check_post();
    check_groups();
    check_faults();
    check_split_merge();
    check_stats_and_retention();
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    free(seen);
    printf("%d passed, %d failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}

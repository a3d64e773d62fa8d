/* PullLogs with an SPL query over real HTTP, sent the way the official SDKs send it (Go and
 * Python: query + pullMode=scan_on_stream; Java: query alone), signed v1 and v4: filtering and
 * projection of known posted LogGroups in each compression, empty LogGroups left out, an
 * answer with nothing left still moving the cursor, the x-log-rawdata* pacing headers, a
 * cross-check against client-side filtering of generated data, and refusals.
 * usage: emulator_spl_client PORT  (key AK/SK, project spl, logstore posted with 1 empty
 * shard, logstore web with 1 shard of generated nginx logs; started by spl.sh). */
#include <curl/curl.h>
#include <jansson.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
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

struct result {
    long status;
    struct sf_buf body;
    struct sf_buf headers;
};

static struct ts_request req_for(const char *method, const char *path)
{
    return (struct ts_request){
        .method = method,
        .host = "spl.127.0.0.1",
        .path = path,
        .ak_id = "AK",
        .ak_secret = "SK",
        .region = "cn-hangzhou",
        .now = time(NULL),
    };
}

static void send_req(const struct ts_request *req, struct result *r)
{
    memset(r, 0, sizeof(*r));
    char *target = ts_target(req);
    char url[16384];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, target);
    free(target);
    struct curl_slist *list = ts_sign(req);
    wire_prepare(curl, req->method, url, list, 60L, 64u << 20, &r->body, &r->headers);
    if (req->body_len) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    }
    CURLcode rc = wire_perform(curl, &r->status, NULL, &r->body, &r->headers);
    CHECK(rc == CURLE_OK, "%s %s: %s", req->method, req->path, curl_easy_strerror(rc));
    curl_slist_free_all(list);
}

static void result_free(struct result *r)
{
    sf_buf_cleanup(&r->body);
    sf_buf_cleanup(&r->headers);
}

/* Header value (case-insensitive) into |out|, "" when absent; false when absent. */
static bool header(const struct result *r, const char *name, char *out, size_t size)
{
    return wire_header(&r->headers, name, out, size);
}

static long header_long(const struct result *r, const char *name)
{
    char text[64];
    return header(r, name, text, sizeof(text)) ? strtol(text, NULL, 10) : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Loading known data                                                                        */

static Emu__Log *make_log(const char *pairs)
{
    Emu__Log *log = sf_xcalloc(1, sizeof(*log));
    *log = (Emu__Log)EMU__LOG__INIT;
    log->time = 1700000000;
    log->contents = sf_xcalloc(8, sizeof(*log->contents));
    char *copy = sf_xstrdup(pairs);
    for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        Emu__Log__Content *c = sf_xcalloc(1, sizeof(*c));
        *c = (Emu__Log__Content)EMU__LOG__CONTENT__INIT;
        char *eq = strchr(kv, '=');
        c->key =
            (ProtobufCBinaryData){(size_t)(eq - kv), (uint8_t *)sf_xstrndup(kv, (size_t)(eq - kv))};
        c->value = (ProtobufCBinaryData){strlen(eq + 1), (uint8_t *)sf_xstrdup(eq + 1)};
        log->contents[log->n_contents++] = c;
    }
    free(copy);
    return log;
}

/* Posts one LogGroup of the logs in |logs| ("k=v,k=v" each, NULL-terminated). */
static void post_group(const char *topic, const char *host_tag, const char *const *logs)
{
    Emu__LogGroup group = EMU__LOG_GROUP__INIT;
    Emu__Log *items[8];
    size_t n = 0;
    for (; logs[n]; n++) {
        items[n] = make_log(logs[n]);
    }
    group.logs = items;
    group.n_logs = n;
    if (topic) {
        group.has_topic = 1;
        group.topic = (ProtobufCBinaryData){strlen(topic), (uint8_t *)topic};
    }
    Emu__LogTag tag = EMU__LOG_TAG__INIT;
    Emu__LogTag *tags[] = {&tag};
    if (host_tag) {
        tag.key = (ProtobufCBinaryData){12, (uint8_t *)"__hostname__"};
        tag.value = (ProtobufCBinaryData){strlen(host_tag), (uint8_t *)host_tag};
        group.logtags = tags;
        group.n_logtags = 1;
    }
    size_t len = emu__log_group__get_packed_size(&group);
    uint8_t *body = sf_xmalloc(len);
    emu__log_group__pack(&group, body);
    struct ts_request req = req_for("POST", "/logstores/posted/shards/lb");
    req.body = body;
    req.body_len = len;
    req.raw_len = len;
    req.content_type = "application/x-protobuf";
    struct result r;
    send_req(&req, &r);
    CHECK(r.status == 200, "post: %ld %s", r.status, (const char *)r.body.ptr);
    result_free(&r);
    free(body);
    for (size_t i = 0; i < n; i++) {
        emu__log__free_unpacked(items[i], NULL);
    }
}

static void get_cursor(const char *ls, const char *from, char *out, size_t size)
{
    char path[96];
    snprintf(path, sizeof(path), "/logstores/%s/shards/0", ls);
    struct ts_param params[] = {{"type", "cursor"}, {"from", from}};
    struct ts_request req = req_for("GET", path);
    req.params = params;
    req.n_params = 2;
    struct result r;
    send_req(&req, &r);
    json_t *root = json_loads((const char *)r.body.ptr, 0, NULL);
    const char *cursor = json_string_value(json_object_get(root, "cursor"));
    CHECK(r.status == 200 && cursor, "GetCursor %s: %ld", from, r.status);
    snprintf(out, size, "%s", cursor ? cursor : "");
    json_decref(root);
    result_free(&r);
}

/* ---------------------------------------------------------------------------------------- */
/* Pulling                                                                                   */

struct pull {
    long status;
    char error_code[64];
    char error_message[512];
    char next[96];
    char compress[16];
    long count, raw, raw_data_size, raw_data_count, raw_lines, result_lines, failed_lines;
    size_t body_len;
    Emu__LogGroupList *list; /* NULL when the body is empty */
};

struct pull_opts {
    const char *ls;
    const char *cursor;
    int count;
    const char *query;  /* NULL: none */
    bool is_pull_mode;  /* add pullMode=scan_on_stream (Go, Python) */
    const char *mode;   /* other pullMode value */
    bool is_processor;  /* add processor=... */
    const char *accept; /* Accept-Encoding */
    bool is_v4;
};

static void pull(const struct pull_opts *o, struct pull *out)
{
    memset(out, 0, sizeof(*out));
    char path[96], count_text[16];
    snprintf(path, sizeof(path), "/logstores/%s/shards/0", o->ls);
    snprintf(count_text, sizeof(count_text), "%d", o->count ? o->count : 1000);
    struct ts_param params[6] = {{"type", "log"}, {"cursor", o->cursor}, {"count", count_text}};
    size_t n = 3;
    if (o->query) {
        params[n++] = (struct ts_param){"query", o->query};
    }
    if (o->is_pull_mode || o->mode) {
        params[n++] = (struct ts_param){"pullMode", o->mode ? o->mode : "scan_on_stream"};
    }
    if (o->is_processor) {
        params[n++] = (struct ts_param){"processor", "consume-processor-1"};
    }
    struct ts_request req = req_for("GET", path);
    req.params = params;
    req.n_params = n;
    req.accept_encoding = o->accept;
    req.is_v4 = o->is_v4;
    struct result r;
    send_req(&req, &r);
    out->status = r.status;
    if (r.status != 200) {
        json_t *root = json_loads((const char *)r.body.ptr, 0, NULL);
        const char *code = json_string_value(json_object_get(root, "errorCode"));
        const char *message = json_string_value(json_object_get(root, "errorMessage"));
        snprintf(out->error_code, sizeof(out->error_code), "%s", code ? code : "(none)");
        snprintf(out->error_message, sizeof(out->error_message), "%s",
                 message ? message : "(none)");
        json_decref(root);
        char id[64];
        CHECK(header(&r, "x-log-requestid", id, sizeof(id)), "error without a request id");
        result_free(&r);
        return;
    }
    header(&r, "x-log-cursor", out->next, sizeof(out->next));
    header(&r, "x-log-compresstype", out->compress, sizeof(out->compress));
    out->count = header_long(&r, "x-log-count");
    out->raw = header_long(&r, "x-log-bodyrawsize");
    out->raw_data_size = header_long(&r, "x-log-rawdatasize");
    out->raw_data_count = header_long(&r, "x-log-rawdatacount");
    out->raw_lines = header_long(&r, "x-log-rawdatalines");
    out->result_lines = header_long(&r, "x-log-resultlines");
    out->failed_lines = header_long(&r, "x-log-failedlines");
    out->body_len = r.body.len;
    if (out->raw > 0) {
        uint8_t *raw = sf_xmalloc((size_t)out->raw);
        bool is_ok;
        if (strcmp(out->compress, "lz4") == 0) {
            is_ok = LZ4_decompress_safe((const char *)r.body.ptr, (char *)raw, (int)r.body.len,
                                        (int)out->raw) == (int)out->raw;
        } else if (strcmp(out->compress, "zstd") == 0) {
            is_ok =
                ZSTD_decompress(raw, (size_t)out->raw, r.body.ptr, r.body.len) == (size_t)out->raw;
        } else {
            is_ok = !out->compress[0] && r.body.len == (size_t)out->raw;
            if (is_ok) {
                memcpy(raw, r.body.ptr, r.body.len);
            }
        }
        CHECK(is_ok, "body does not decode to x-log-bodyrawsize %ld (%s)", out->raw, out->compress);
        out->list = is_ok ? emu__log_group_list__unpack(NULL, (size_t)out->raw, raw) : NULL;
        CHECK(out->list, "body is not a LogGroupList");
        /* the Java SDK throws LogGroupCountNotMatch otherwise */
        CHECK(!out->list || (long)out->list->n_loggroups == out->count,
              "x-log-count %ld but %zu LogGroups", out->count,
              out->list ? out->list->n_loggroups : 0);
        free(raw);
    }
    result_free(&r);
}

static void pull_free(struct pull *p)
{
    if (p->list) {
        emu__log_group_list__free_unpacked(p->list, NULL);
    }
}

/* The answer as text: "topic|host{k=v,k=v}{...};..." per LogGroup. */
static const char *render(const struct pull *p)
{
    static char text[4096];
    size_t off = 0;
    text[0] = '\0';
    for (size_t g = 0; p->list && g < p->list->n_loggroups && off < sizeof(text); g++) {
        const Emu__LogGroup *group = p->list->loggroups[g];
        off +=
            (size_t)snprintf(text + off, sizeof(text) - off, "%s%.*s|%.*s", g ? ";" : "",
                             (int)group->topic.len, (const char *)group->topic.data,
                             group->n_logtags ? (int)group->logtags[0]->value.len : 0,
                             group->n_logtags ? (const char *)group->logtags[0]->value.data : "");
        for (size_t l = 0; l < group->n_logs && off < sizeof(text); l++) {
            const Emu__Log *log = group->logs[l];
            off += (size_t)snprintf(text + off, sizeof(text) - off, "{");
            for (size_t c = 0; c < log->n_contents && off < sizeof(text); c++) {
                off += (size_t)snprintf(
                    text + off, sizeof(text) - off, "%s%.*s=%.*s", c ? "," : "",
                    (int)log->contents[c]->key.len, (const char *)log->contents[c]->key.data,
                    (int)log->contents[c]->value.len, (const char *)log->contents[c]->value.data);
            }
            off += (size_t)snprintf(text + off, sizeof(text) - off, "}");
        }
    }
    return text;
}

/* ---------------------------------------------------------------------------------------- */
/* Checks                                                                                    */

static char begin[96], end[96];

static void load_posted(void)
{
    static const char *const g1[] = {"status=200,uri=/a,ua=x", "status=404,uri=/b,ua=y",
                                     "status=500,uri=/c,ua=z", NULL};
    static const char *const g2[] = {"status=200,uri=/d", "status=204,uri=/e", NULL};
    static const char *const g3[] = {"status=503,uri=/f,level=ERROR", NULL};
    post_group("t1", "web-1", g1);
    post_group(NULL, NULL, g2);
    post_group("t3", "web-3", g3);
    get_cursor("posted", "begin", begin, sizeof(begin));
    get_cursor("posted", "end", end, sizeof(end));
}

static const char *const errors_query =
    "* | where cast(status as bigint) >= 400 | project status, uri";
static const char *const errors_text = "t1|web-1{status=404,uri=/b}{status=500,uri=/c};"
                                       "t3|web-3{status=503,uri=/f}";

/* Filtering and projection, in each compression and request form; pacing headers. */
static void check_filter(void)
{
    static const struct {
        const char *accept;
        bool is_pull_mode;
        bool is_v4;
    } forms[] = {
        {"lz4", true, false},  /* Go and Python consumers */
        {"zstd", true, true},  /* Go with CompressType zstd, v4 signature */
        {"lz4", false, false}, /* Java: no pullMode */
        {NULL, true, true},    /* no compression */
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct pull p;
        pull(&(struct pull_opts){.ls = "posted",
                                 .cursor = begin,
                                 .query = errors_query,
                                 .is_pull_mode = forms[i].is_pull_mode,
                                 .accept = forms[i].accept,
                                 .is_v4 = forms[i].is_v4},
             &p);
        CHECK(p.status == 200, "form %zu: %ld %s %s", i, p.status, p.error_code, p.error_message);
        CHECK(strcmp(render(&p), errors_text) == 0, "form %zu: got %s", i, render(&p));
        CHECK(p.count == 2 && strcmp(p.next, end) == 0, "form %zu: count %ld next %s", i, p.count,
              p.next);
        CHECK(strcmp(p.compress, forms[i].accept ? forms[i].accept : "") == 0,
              "form %zu: compress %s", i, p.compress);
        CHECK(p.raw_data_count == 3 && p.raw_data_size > p.raw && p.raw_lines == 6 &&
                  p.result_lines == 3 && p.failed_lines == 0,
              "form %zu: rawdatacount %ld rawdatasize %ld (raw %ld) lines %ld/%ld failed %ld", i,
              p.raw_data_count, p.raw_data_size, p.raw, p.raw_lines, p.result_lines,
              p.failed_lines);
        pull_free(&p);
    }

    /* The same range without a query: rawdatasize above is the size of what was scanned. */
    struct pull all;
    pull(&(struct pull_opts){.ls = "posted", .cursor = begin, .accept = "lz4"}, &all);
    struct pull q;
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = begin,
                             .query = errors_query,
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &q);
    CHECK(all.count == 3 && q.raw_data_size == all.raw, "rawdatasize %ld vs unfiltered %ld",
          q.raw_data_size, all.raw);
    pull_free(&all);
    pull_free(&q);

    /* rename and extend; a LogGroup in the middle */
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = begin,
                             .query = "* | where uri = '/d' | project-rename path=uri "
                                      "| extend env='prod', code=status | project-away status",
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &q);
    CHECK(strcmp(render(&q), "|{path=/d,env=prod,code=200}") == 0, "rename/extend: %s", render(&q));
    pull_free(&q);

    /* tags and topic are readable; like and regexp_like over the wire */
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = begin,
                             .query = "* | where \"__tag__:__hostname__\" like 'web-%' and "
                                      "regexp_like(uri, '^/[bf]$') | project uri",
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &q);
    CHECK(strcmp(render(&q), "t1|web-1{uri=/b};t3|web-3{uri=/f}") == 0, "tags: %s", render(&q));
    pull_free(&q);
}

/* Nothing kept: no LogGroups, no body, and the cursor still moves over the range. */
static void check_empty_answers(void)
{
    struct pull p;
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = begin,
                             .query = "* | where status = 'nope'",
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &p);
    CHECK(p.status == 200 && p.count == 0 && p.raw == 0 && p.body_len == 0 && !p.compress[0],
          "empty: status %ld count %ld raw %ld body %zu compress %s", p.status, p.count, p.raw,
          p.body_len, p.compress);
    CHECK(strcmp(p.next, end) == 0 && p.raw_data_count == 3 && p.raw_lines == 6 &&
              p.result_lines == 0,
          "empty: next %s (end %s) rawdatacount %ld", p.next, end, p.raw_data_count);
    pull_free(&p);

    /* caught up: the same answer shape, cursor unchanged */
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = end,
                             .query = "* | where status = 'nope'",
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &p);
    CHECK(p.status == 200 && p.count == 0 && strcmp(p.next, end) == 0 && p.raw_data_count == 0,
          "caught up: count %ld next %s", p.count, p.next);
    pull_free(&p);

    /* count=2 scans two LogGroups; only the second has a match */
    pull(&(struct pull_opts){.ls = "posted",
                             .cursor = begin,
                             .count = 2,
                             .query = "* | where status = '204' | project uri",
                             .is_pull_mode = true,
                             .accept = "lz4"},
         &p);
    char third[96];
    struct pull rest;
    pull(&(struct pull_opts){.ls = "posted", .cursor = p.next, .accept = "lz4"}, &rest);
    CHECK(strcmp(render(&p), "|{uri=/e}") == 0 && p.raw_data_count == 2 &&
              strcmp(render(&rest), "t3|web-3{status=503,uri=/f,level=ERROR}") == 0,
          "count=2: %s (rawdatacount %ld), then %s", render(&p), p.raw_data_count, render(&rest));
    snprintf(third, sizeof(third), "%s", rest.next);
    CHECK(strcmp(third, end) == 0, "count=2 then the rest reaches the end");
    pull_free(&p);
    pull_free(&rest);
}

static bool has_field(const Emu__Log *log, const char *key, const char *value)
{
    for (size_t c = 0; c < log->n_contents; c++) {
        const Emu__Log__Content *content = log->contents[c];
        if (content->key.len == strlen(key) && memcmp(content->key.data, key, strlen(key)) == 0) {
            return !value || (content->value.len == strlen(value) &&
                              memcmp(content->value.data, value, strlen(value)) == 0);
        }
    }
    return false;
}

static long status_of(const Emu__Log *log)
{
    for (size_t c = 0; c < log->n_contents; c++) {
        if (log->contents[c]->key.len == 6 &&
            memcmp(log->contents[c]->key.data, "status", 6) == 0) {
            char digits[16];
            snprintf(digits, sizeof(digits), "%.*s", (int)log->contents[c]->value.len,
                     (const char *)log->contents[c]->value.data);
            return strtol(digits, NULL, 10);
        }
    }
    return -1;
}

/* Reads the whole generated shard with |query| (or none, filtering here the same way) and
 * returns the matching logs' `seq` values joined with commas. */
static char *read_matches(const char *query, size_t *n_pulls)
{
    struct sf_buf seqs;
    sf_buf_init(&seqs, 16 << 20);
    char cursor[96];
    get_cursor("web", "begin", cursor, sizeof(cursor));
    *n_pulls = 0;
    for (;;) {
        struct pull p;
        pull(&(struct pull_opts){.ls = "web",
                                 .cursor = cursor,
                                 .count = 7,
                                 .query = query,
                                 .is_pull_mode = query != NULL,
                                 .accept = "lz4"},
             &p);
        (*n_pulls)++;
        if (p.status != 200) {
            CHECK(false, "cross-check pull: %ld %s", p.status, p.error_message);
            pull_free(&p);
            break;
        }
        for (size_t g = 0; p.list && g < p.list->n_loggroups; g++) {
            for (size_t l = 0; l < p.list->loggroups[g]->n_logs; l++) {
                const Emu__Log *log = p.list->loggroups[g]->logs[l];
                if (query || (has_field(log, "request_method", "POST") && status_of(log) >= 500)) {
                    for (size_t c = 0; c < log->n_contents; c++) {
                        if (log->contents[c]->key.len == 3 &&
                            memcmp(log->contents[c]->key.data, "seq", 3) == 0) {
                            sf_buf_append(&seqs, log->contents[c]->value.data,
                                          log->contents[c]->value.len);
                            sf_buf_append(&seqs, ",", 1);
                        }
                    }
                }
            }
        }
        bool is_done = strcmp(p.next, cursor) == 0;
        snprintf(cursor, sizeof(cursor), "%s", p.next);
        pull_free(&p);
        if (is_done || *n_pulls > 10000) {
            break;
        }
    }
    sf_buf_terminate(&seqs);
    return (char *)seqs.ptr;
}

static void check_generated(void)
{
    size_t n_with, n_without;
    char *with = read_matches("* | where request_method = 'POST' and cast(status as bigint) >= 500 "
                              "| project seq, status",
                              &n_with);
    char *without = read_matches(NULL, &n_without);
    CHECK(with && without && strlen(with) > 0 && strcmp(with, without) == 0,
          "query and client-side filtering differ:\n  query:  %.200s\n  client: %.200s",
          with ? with : "", without ? without : "");
    CHECK(n_with == n_without, "pulls with a query %zu, without %zu", n_with, n_without);
    free(with);
    free(without);
}

static void check_refusals(void)
{
    static const struct {
        const char *query;
        const char *mode;
        bool is_processor;
        const char *piece;
    } cases[] = {
        {"* | where status =", NULL, false, "invalid SPL statement at position 18"},
        {"* | parse-json content", NULL, false, "not in the emulator's SPL subset"},
        {"* | where lower(uri) = '/a'", NULL, false, "function 'lower'"},
        {"status:200 | project uri", NULL, false, "data source must be *"},
        {"* | where status = '200'", "scan", false, "pullMode scan is not supported"},
        {NULL, NULL, true, "consume processors are not emulated"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pull p;
        pull(&(struct pull_opts){.ls = "posted",
                                 .cursor = begin,
                                 .query = cases[i].query,
                                 .is_pull_mode = !cases[i].mode,
                                 .mode = cases[i].mode,
                                 .is_processor = cases[i].is_processor,
                                 .accept = "lz4"},
             &p);
        CHECK(p.status == 400 && strcmp(p.error_code, "ParameterInvalid") == 0 &&
                  strstr(p.error_message, cases[i].piece),
              "refusal %zu: %ld %s %s", i, p.status, p.error_code, p.error_message);
        pull_free(&p);
    }
    /* a whitespace-only query is no query (no SDK sends one) */
    struct pull p;
    pull(&(struct pull_opts){.ls = "posted", .cursor = begin, .query = "  ", .accept = "lz4"}, &p);
    CHECK(p.status == 200 && p.count == 3 && p.raw_data_count == -1, "blank query: %ld %ld",
          p.status, p.count);
    pull_free(&p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    port = (int)strtol(argv[1], NULL, 10);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    load_posted();
    check_filter();
    check_empty_answers();
    check_generated();
    check_refusals();
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    printf("spl: %d checks passed, %d failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}

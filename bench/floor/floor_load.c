/* The floor's input: the very PullLogs bodies slsfwd pulls, fetched once from the emulator
 * (started with --no-auth, so no signing) before anything is timed. Not part of the measured
 * work. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "floor.h"

#define PULL_RAW_BYTES ((size_t)4 << 20) /* slsfwd's full batch (src/coord/fetch.c) */
#define MAX_COUNT      1000

struct reply {
    struct floor_buf body;
    char cursor[128];
    long raw;
    long count;
};

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
    struct reply *r = cls;
    floor_buf_reserve(&r->body, size * n);
    memcpy(r->body.ptr + r->body.len, data, size * n);
    r->body.len += size * n;
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
    struct reply *r = cls;
    size_t len = size * n;
    if (len > 14 && strncasecmp(data, "x-log-cursor: ", 14) == 0) {
        snprintf(r->cursor, sizeof(r->cursor), "%.*s", (int)strcspn(data + 14, "\r\n"), data + 14);
    } else if (len > 19 && strncasecmp(data, "x-log-bodyrawsize: ", 19) == 0) {
        r->raw = strtol(data + 19, NULL, 10);
    } else if (len > 13 && strncasecmp(data, "x-log-count: ", 13) == 0) {
        r->count = strtol(data + 13, NULL, 10);
    }
    return len;
}

static bool get(CURL *easy, struct curl_slist *headers, const char *url, struct reply *r)
{
    r->body.len = 0;
    r->cursor[0] = '\0';
    r->raw = r->count = -1;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
    CURLcode rc = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200) {
        fprintf(stderr, "floor: GET %s: %s, status %ld\n", url, curl_easy_strerror(rc), status);
        return false;
    }
    floor_buf_reserve(&r->body, 1); /* an empty body may not have allocated yet */
    r->body.ptr[r->body.len] = '\0';
    return true;
}

static bool add_body(struct floor_bodies *out, const struct reply *r)
{
    if (r->raw < 0) {
        fprintf(stderr, "floor: a pull without x-log-bodyrawsize\n");
        return false;
    }
    if ((out->n & (out->n - 1)) == 0) { /* 0, 1, 2, 4, ...: double */
        out->items = realloc(out->items, (out->n ? out->n * 2 : 1) * sizeof(*out->items));
    }
    struct floor_body *b = out->items ? &out->items[out->n++] : NULL;
    if (!b || !(b->lz4 = malloc(r->body.len + FLOOR_SLACK))) {
        fprintf(stderr, "floor: out of memory\n");
        return false;
    }
    memcpy(b->lz4, r->body.ptr, r->body.len);
    b->lz4_len = r->body.len;
    b->raw_len = (size_t)r->raw;
    out->raw_bytes += b->raw_len;
    out->lz4_bytes += b->lz4_len;
    return true;
}

static bool pull_shard(CURL *easy,
                       struct curl_slist *headers,
                       const char *base,
                       int shard,
                       struct floor_bodies *out,
                       struct reply *r)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s/shards/%d?type=cursor&from=begin", base, shard);
    if (!get(easy, headers, url, r)) {
        return false;
    }
    const char *c = strstr((const char *)r->body.ptr, "\"cursor\"");
    c = c ? strchr(c + 8, '"') : NULL;
    if (!c) {
        fprintf(stderr, "floor: no cursor in %s\n", (const char *)r->body.ptr);
        return false;
    }
    char cursor[128];
    snprintf(cursor, sizeof(cursor), "%.*s", (int)strcspn(c + 1, "\""), c + 1);
    long count = 10;
    for (;;) {
        char *escaped = curl_easy_escape(easy, cursor, 0);
        snprintf(url, sizeof(url), "%s/shards/%d?type=log&cursor=%s&count=%ld", base, shard,
                 escaped, count);
        curl_free(escaped);
        if (!get(easy, headers, url, r)) {
            return false;
        }
        if (r->count <= 0) {
            return true;
        }
        if (!add_body(out, r)) {
            return false;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->cursor);
        /* As slsfwd: as many LogGroups as make about 4 MiB raw. */
        long fit = (long)(PULL_RAW_BYTES / ((size_t)r->raw / (size_t)r->count + 1));
        count = fit < 1 ? 1 : fit > MAX_COUNT ? MAX_COUNT : fit;
    }
}

bool floor_load(const char *endpoint,
                const char *project,
                const char *logstore,
                struct floor_bodies *out)
{
    memset(out, 0, sizeof(*out));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *easy = curl_easy_init();
    char host[256], base[512], url[600];
    const char *hostport = strstr(endpoint, "://");
    hostport = hostport ? hostport + 3 : endpoint;
    snprintf(host, sizeof(host), "Host: %s.%s", project, hostport);
    struct curl_slist *headers = curl_slist_append(NULL, host);
    headers = curl_slist_append(headers, "Accept-Encoding: lz4");
    headers = curl_slist_append(headers, "x-log-apiversion: 0.6.0");
    snprintf(base, sizeof(base), "%s/logstores/%s", endpoint, logstore);
    struct reply r = {0};
    snprintf(url, sizeof(url), "%s/shards", base);
    bool ok = get(easy, headers, url, &r);
    /* The shard list: [{"shardID":0,...},...] */
    int shards[1024];
    int n_shards = 0;
    for (const char *p = ok ? (const char *)r.body.ptr : ""; (p = strstr(p, "\"shardID\""));) {
        p = strchr(p, ':');
        if (!p || n_shards == 1024) {
            break;
        }
        shards[n_shards++] = (int)strtol(p + 1, NULL, 10);
    }
    if (ok && n_shards == 0) {
        fprintf(stderr, "floor: no shards in %s\n", (const char *)r.body.ptr);
        ok = false;
    }
    for (int i = 0; ok && i < n_shards; i++) {
        ok = pull_shard(easy, headers, base, shards[i], out, &r);
    }
    free(r.body.ptr);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return ok;
}

void floor_bodies_free(struct floor_bodies *bodies)
{
    for (size_t i = 0; i < bodies->n; i++) {
        free(bodies->items[i].lz4);
    }
    free(bodies->items);
    memset(bodies, 0, sizeof(*bodies));
}

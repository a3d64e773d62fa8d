/* Helpers shared by the HEC sink tests: batches of numbered events, a recorder of the batches
 * the sink settled (delivered/undelivered), a test configuration, and a waiter. */
#ifndef SF_HEC_TEST_H
#define SF_HEC_TEST_H

#include "sf_test.h"

#include <pthread.h>
#include <unistd.h>

#include "http_server.h"
#include "sink/hec_int.h"
#include "util/clock.h"

#define REC_MAX 4096

/* What the sink handed back, in order; thread-safe. */
struct rec {
    pthread_mutex_t lock;
    struct sf_batch *delivered[REC_MAX];
    size_t n_delivered;
    struct sf_batch *undelivered[REC_MAX];
    size_t n_undelivered;
};

static inline void rec_init(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

/* The batches' back function: the sink settled its hold, the only one. */
static inline void rec_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    struct rec *r = ctx;
    pthread_mutex_lock(&r->lock);
    if (is_delivered) {
        r->delivered[r->n_delivered++] = batch;
    } else {
        r->undelivered[r->n_undelivered++] = batch;
    }
    pthread_mutex_unlock(&r->lock);
}

/* Gives |sink| the only hold on |batch|; |r| records how the sink settles it. */
static inline void rec_submit(struct sf_sink *sink, struct rec *r, struct sf_batch *batch)
{
    sf_batch_open(batch, rec_back, NULL, r);
    sf_sink_submit(sink, sf_batch_hold(batch, 0));
    sf_batch_unref(batch); /* the test's own reference */
}

static inline size_t rec_n_delivered(struct rec *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n_delivered;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* How often |batch| came back, through either callback. */
static inline size_t rec_times(struct rec *r, const struct sf_batch *batch)
{
    size_t n = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n_delivered; i++) {
        n += r->delivered[i] == batch;
    }
    for (size_t i = 0; i < r->n_undelivered; i++) {
        n += r->undelivered[i] == batch;
    }
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* A batch of |n| events numbered |first_id|.. : {"event":"e<id>","pad":"xx…"}\n, where the
 * padding makes each line about |line_len| bytes. Events whose id is in |marks| get |mark|
 * inside (for handlers that refuse some). */
static inline struct sf_batch *make_batch(int shard, size_t first_id, size_t n, size_t line_len)
{
    struct sf_batch *batch = sf_batch_new();
    batch->source = "proj/store";
    batch->shard_id = shard;
    snprintf(batch->cursor, sizeof(batch->cursor), "cursor-%d-%zu", shard, first_id);
    snprintf(batch->next_cursor, sizeof(batch->next_cursor), "cursor-%d-%zu", shard, first_id + n);
    batch->n_events = n;
    for (size_t i = 0; i < n; i++) {
        char line[64];
        int len = snprintf(line, sizeof(line), "{\"event\":\"e%zu\",\"pad\":\"", first_id + i);
        sf_buf_append(&batch->payload, line, (size_t)len);
        for (size_t p = (size_t)len + 3; p < line_len; p++) {
            sf_buf_append(&batch->payload, "x", 1);
        }
        sf_buf_append(&batch->payload, "\"}\n", 3);
    }
    return batch;
}

/* Replaces the padding of event |id| in |batch| with |tag| (same length or shorter). */
static inline void tag_event(struct sf_batch *batch, size_t id, const char *tag)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "\"e%zu\",\"pad\":\"", id);
    sf_buf_terminate(&batch->payload);
    char *p = strstr((char *)batch->payload.ptr, needle);
    assert_non_null(p);
    memcpy(p + strlen(needle), tag, strlen(tag));
}

static inline void free_batch(struct sf_batch *batch)
{
    sf_batch_free(batch);
}

/* The id of the event in |line| ("e123" → 123), or -1. */
static inline long line_id(const char *line)
{
    const char *p = strstr(line, "\"event\":\"e");
    return p ? strtol(p + 10, NULL, 10) : -1;
}

/* Calls |fn| for each non-blank line of |req|'s plain body, with its 0-based index. */
static inline void for_each_line(const struct hsv_request *req,
                                 void (*fn)(void *ctx, size_t i, const char *line),
                                 void *ctx)
{
    const char *p = (const char *)req->plain;
    size_t i = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            char buf[4096];
            snprintf(buf, sizeof(buf), "%.*s", (int)len, p);
            fn(ctx, i++, buf);
        }
        p += len + (nl ? 1 : 0);
    }
}

static inline struct sf_config_hec test_cfg(unsigned port, const char *dead_letter_path)
{
    static char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/services/collector/event", port);
    return (struct sf_config_hec){
        .url = url,
        .token = "test-token",
        .timeout_ms = 5000,
        .connect_timeout_ms = 2000,
        .ssl_verify = true,
        .max_body_bytes = 1000000,
        .max_events = 0,
        .linger_ms = 20,
        .gzip = false,
        .gzip_min_bytes = 1500,
        .max_in_flight = 4,
        .ack = false,
        .ack_poll_ms = 100,
        .ack_timeout_ms = 300000,
        .retry_max_ms = 300,
        .auth_retry_ms = 200,
        .health_check = false,
        .dead_letter_path = (char *)dead_letter_path,
    };
}

/* Polls |cond| every 5 ms for up to |timeout_ms|. */
static inline bool wait_for(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
    int64_t end = sf_now_ms() + timeout_ms;
    while (sf_now_ms() < end) {
        if (cond(arg)) {
            return true;
        }
        usleep(5000);
    }
    return cond(arg);
}

static inline struct sf_hec_sink *hec_of(struct sf_sink *sink)
{
    return sink->impl;
}

/* A fresh dead-letter path under /tmp (removed first). */
static inline const char *dl_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "/tmp/slsfwd-hec-test-%d-%s.ndjson", (int)getpid(), name);
    unlink(buf);
    return buf;
}

#endif

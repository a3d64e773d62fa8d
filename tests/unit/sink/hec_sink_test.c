/* The HEC sink end to end against a scripted HEC server on 127.0.0.1: batching, keep-alive and
 * concurrency, gzip on the wire, every reaction of docs/protocol/hec.md §Retry classes (retry with
 * Retry-After, 413 split, invalid-event-number, dead letters, pause on a refused token or a
 * redirect, 415), and stop with a deadline. Each test checks that every event was accepted
 * exactly once or dead-lettered, and that each batch came back exactly once. */
#include "hec_test.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "util/log.h"

#define MAX_IDS 20000

/* What the server accepted, event by event. */
struct accept_log {
    pthread_mutex_t lock;
    unsigned counts[MAX_IDS];
    int64_t arrivals[64]; /* when request i arrived */
    unsigned delay_ms;
    atomic_bool is_refusing; /* flipped by the test while the server's threads read it */
    unsigned status_when_refusing;
    const char *body_when_refusing;
    size_t first_bad; /* set by the handler: index of the first tagged line */
};

struct world {
    struct hsv_server *srv;
    struct rec rec;
    struct sf_sink *sink;
    struct accept_log acc;
    char dl[256];
    struct sf_batch *batches[64];
    size_t n_batches;
};

static void count_line(void *ctx, size_t i, const char *line)
{
    (void)i;
    struct accept_log *acc = ctx;
    long id = line_id(line);
    if (id >= 0 && id < MAX_IDS) {
        acc->counts[id]++;
    }
}

static void count_all(struct accept_log *acc, const struct hsv_request *req)
{
    pthread_mutex_lock(&acc->lock);
    for_each_line(req, count_line, acc);
    if (req->index < 64) {
        acc->arrivals[req->index] = sf_now_ms();
    }
    pthread_mutex_unlock(&acc->lock);
}

/* HEC's answer to a request it took whole: every event counted as accepted. */
static void
accept_all(struct accept_log *acc, const struct hsv_request *req, struct hsv_reply *reply)
{
    count_all(acc, req);
    reply->status = 200;
    reply->body = "{\"text\":\"Success\",\"code\":0}";
}

static void accept_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    struct accept_log *acc = ctx;
    if (atomic_load(&acc->is_refusing)) {
        reply->status = acc->status_when_refusing;
        reply->body = acc->body_when_refusing;
        return;
    }
    accept_all(acc, req, reply);
    reply->delay_ms = acc->delay_ms;
}

/* A server answering through |handler| (with &w->acc; NULL: the scripted replies the test
 * pushes) and the sink configuration for it, dead letters in a file named after |name|. */
static struct sf_config_hec world_init(struct world *w, const char *name, hsv_handler_fn handler)
{
    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->acc.lock, NULL);
    rec_init(&w->rec);
    w->srv = hsv_start(NULL, NULL, NULL);
    dl_path(w->dl, sizeof(w->dl), name);
    if (handler) {
        hsv_set_handler(w->srv, handler, &w->acc);
    }
    return test_cfg(hsv_port(w->srv), w->dl);
}

static void world_sink(struct world *w, const struct sf_config_hec *cfg)
{
    char err[256];
    SF_CHECK_ERR(sf_hec_sink_new(cfg, &w->sink, err, sizeof(err)), SF_OK);
    SF_CHECK_ERR(sf_sink_start(w->sink), SF_OK);
}

/* Submits |batch|; world_free checks that it came back exactly once. */
static void world_add(struct world *w, struct sf_batch *batch)
{
    w->batches[w->n_batches++] = batch;
    rec_submit(w->sink, &w->rec, batch);
}

static struct sf_batch *world_submit(struct world *w, size_t first_id, size_t n, size_t line_len)
{
    struct sf_batch *batch = make_batch((int)w->n_batches, first_id, n, line_len);
    world_add(w, batch);
    return batch;
}

static void world_free(struct world *w)
{
    sf_sink_free(w->sink);
    hsv_stop(w->srv);
    for (size_t i = 0; i < w->n_batches; i++) {
        assert_int_equal(rec_times(&w->rec, w->batches[i]), 1); /* exactly once, always */
        free_batch(w->batches[i]);
    }
    unlink(w->dl);
}

static struct world *waiting_world;
static size_t waiting_n;

static bool delivered_enough(void *arg)
{
    (void)arg;
    return rec_n_delivered(&waiting_world->rec) >= waiting_n;
}

static bool wait_delivered(struct world *w, size_t n, int timeout_ms)
{
    waiting_world = w;
    waiting_n = n;
    return wait_for(delivered_enough, NULL, timeout_ms);
}

static struct sf_hec_sink_stats stats_of(struct world *w)
{
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(w->sink, &s);
    return s;
}

/* The dead-letter file as parsed records; returns how many. */
static size_t read_dead_letters(const char *path, json_t **out, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    char line[65536];
    size_t n = 0;
    while (n < max && fgets(line, sizeof(line), f)) {
        json_error_t jerr;
        out[n] = json_loads(line, 0, &jerr);
        assert_non_null(out[n]);
        n++;
    }
    fclose(f);
    return n;
}

static void check_once(struct world *w, size_t first, size_t n, const size_t *skip, size_t n_skip)
{
    for (size_t id = first; id < first + n; id++) {
        bool is_skipped = false;
        for (size_t s = 0; s < n_skip; s++) {
            is_skipped |= skip[s] == id;
        }
        if (w->acc.counts[id] != (is_skipped ? 0u : 1u)) {
            fail_msg("event e%zu accepted %u times", id, w->acc.counts[id]);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */

static void delivers_every_event_once_over_keepalive_connections(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "keepalive", accept_handler);
    w.acc.delay_ms = 10;
    cfg.max_body_bytes = 16384;
    world_sink(&w, &cfg);
    for (size_t b = 0; b < 40; b++) {
        world_submit(&w, b * 250, 250, 100);
    }
    assert_true(wait_delivered(&w, 40, 15000));
    check_once(&w, 0, 10000, NULL, 0);
    size_t n_req = hsv_n_requests(w.srv);
    const char *channel = hsv_header(hsv_request(w.srv, 0), "X-Splunk-Request-Channel");
    assert_non_null(channel);
    assert_int_equal(strlen(channel), 36);
    for (size_t i = 0; i < n_req; i++) {
        const struct hsv_request *req = hsv_request(w.srv, i);
        assert_string_equal(req->method, "POST");
        assert_string_equal(req->path, "/services/collector/event");
        assert_string_equal(hsv_header(req, "Authorization"), "Splunk test-token");
        assert_string_equal(hsv_header(req, "Content-Type"), "application/json");
        assert_string_equal(hsv_header(req, "X-Splunk-Request-Channel"), channel);
        assert_null(hsv_header(req, "Expect"));
        assert_null(hsv_header(req, "Content-Encoding"));
        assert_true(req->body_len <= 16384);
        assert_int_equal(req->plain[req->plain_len - 1], '\n'); /* whole lines only */
    }
    assert_true(hsv_n_connections(w.srv) <= 4); /* reused, one per slot */
    assert_true(hsv_max_concurrent(w.srv) >= 2);
    assert_true(hsv_max_concurrent(w.srv) <= 4);
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_int_equal(s.requests_ok, n_req);
    assert_int_equal(s.events_confirmed, 10000);
    assert_int_equal(s.events_sent, 10000);
    assert_int_equal(s.batches_delivered, 40);
    assert_int_equal(s.bytes_raw, 10000 * 100);
    world_free(&w);
}

struct span_check {
    size_t max_lines;
    bool has_mixed;
};

static void packs_lines_of_several_batches_and_caps_events(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "span", accept_handler);
    cfg.max_events = 7;
    cfg.linger_ms = 200;
    cfg.max_in_flight = 1;
    world_sink(&w, &cfg);
    for (size_t b = 0; b < 5; b++) {
        world_submit(&w, b * 10, 10, 80);
    }
    assert_true(wait_delivered(&w, 5, 5000));
    check_once(&w, 0, 50, NULL, 0);
    bool has_mixed = false;
    for (size_t i = 0; i < hsv_n_requests(w.srv); i++) {
        const struct hsv_request *req = hsv_request(w.srv, i);
        assert_true(req->n_lines <= 7);
        long a = line_id((const char *)req->plain);
        long z = a + (long)req->n_lines - 1;
        has_mixed |= a / 10 != z / 10;
    }
    assert_true(has_mixed); /* a request held the tail of one batch and the head of the next */
    assert_int_equal(hsv_n_requests(w.srv), 8); /* ceil(50 / 7) */
    world_free(&w);
}

static void lingers_for_a_partial_request_then_sends_it(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "linger", accept_handler);
    cfg.linger_ms = 300;
    world_sink(&w, &cfg);
    int64_t t0 = sf_now_ms();
    world_submit(&w, 0, 3, 50);
    usleep(150 * 1000);
    assert_int_equal(hsv_n_requests(w.srv), 0);
    assert_true(wait_delivered(&w, 1, 2000));
    assert_true(w.acc.arrivals[0] - t0 >= 280);
    assert_int_equal(hsv_n_requests(w.srv), 1);
    world_free(&w);
}

static void flushes_a_partial_request_at_stop(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "flush", accept_handler);
    cfg.linger_ms = 60000;
    world_sink(&w, &cfg);
    world_submit(&w, 0, 3, 50);
    usleep(100 * 1000);
    assert_int_equal(hsv_n_requests(w.srv), 0);
    int64_t t0 = sf_now_ms();
    sf_sink_stop(w.sink, sf_now_ms() + 3000);
    assert_true(sf_now_ms() - t0 < 2000);
    assert_int_equal(rec_n_delivered(&w.rec), 1);
    assert_int_equal(w.rec.n_undelivered, 0);
    check_once(&w, 0, 3, NULL, 0);
    world_free(&w);
}

static void gzips_bodies_above_the_threshold(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "gzip", accept_handler);
    cfg.gzip = true;
    cfg.gzip_min_bytes = 1500;
    cfg.max_body_bytes = 65536;
    world_sink(&w, &cfg);
    world_submit(&w, 0, 2000, 120);
    assert_true(wait_delivered(&w, 1, 5000));
    world_submit(&w, 5000, 1, 100); /* below the threshold: plain */
    assert_true(wait_delivered(&w, 2, 5000));
    check_once(&w, 0, 2000, NULL, 0);
    assert_int_equal(w.acc.counts[5000], 1);
    size_t n_req = hsv_n_requests(w.srv);
    for (size_t i = 0; i + 1 < n_req; i++) {
        const struct hsv_request *req = hsv_request(w.srv, i);
        assert_string_equal(hsv_header(req, "Content-Encoding"), "gzip");
        assert_true(req->is_gzip_ok);
        assert_true(req->body_len < req->plain_len / 3);
        assert_true(req->plain_len <= 65536);
    }
    assert_null(hsv_header(hsv_request(w.srv, n_req - 1), "Content-Encoding"));
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_true(s.bytes_sent < s.bytes_raw / 3);
    assert_true(s.is_gzip_on);
    world_free(&w);
}

/* Request i gets the i-th scripted answer; from the sixth on, success. */
static void flaky_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    struct accept_log *acc = ctx;
    switch (req->index) {
    case 0:
        reply->status = 503;
        reply->body = "{\"text\":\"Server is busy\",\"code\":9,\"invalid-event-number\":0}";
        reply->headers[0][0] = "Retry-After";
        reply->headers[0][1] = "1";
        break;
    case 1:
        reply->status = 429;
        reply->body = "{\"text\":\"HEC queue is at capacity\",\"code\":26}";
        break;
    case 2:
        reply->status = 500;
        reply->body = "<html><body>Internal Server Error</body></html>";
        break;
    case 3:
    case 4: /* twice: curl silently retries once on a fresh connection */
        reply->drop = true;
        break;
    default:
        accept_all(acc, req, reply);
        return;
    }
    pthread_mutex_lock(&acc->lock);
    acc->arrivals[req->index] = sf_now_ms();
    pthread_mutex_unlock(&acc->lock);
}

static void retries_throttling_and_server_errors_then_delivers_once(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "retry", flaky_handler);
    world_sink(&w, &cfg);
    world_submit(&w, 0, 50, 100);
    assert_true(wait_delivered(&w, 1, 10000));
    check_once(&w, 0, 50, NULL, 0);
    assert_int_equal(hsv_n_requests(w.srv), 6); /* the same request each time */
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(hsv_request(w.srv, i)->n_lines, 50);
    }
    assert_true(w.acc.arrivals[1] - w.acc.arrivals[0] >= 950); /* Retry-After: 1 */
    struct sf_hec_sink_stats s = stats_of(&w);
    /* whether curl's own retry hid the first drop depends on connection reuse */
    assert_true(s.requests_transport_errors == 1 || s.requests_transport_errors == 2);
    assert_int_equal(s.requests_retried, 3 + s.requests_transport_errors);
    assert_int_equal(s.requests_throttled, 2);
    assert_int_equal(s.retries, s.requests_retried);
    assert_int_equal(s.requests_ok, 1);
    assert_int_equal(s.events_confirmed, 50);
    assert_int_equal(s.events_sent, 50 * (1 + s.requests_retried));
    world_free(&w);
}

/* 413 for more than 4 events, and for any body holding the giant event. */
static void small_limit_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    if (req->n_lines > 4 || strstr((const char *)req->plain, "BIGBIG")) {
        reply->status = 413;
        reply->body = "<html><head><title>413 Request Entity Too Large</title></head></html>";
        return;
    }
    accept_all(ctx, req, reply);
}

static void splits_on_413_down_to_a_dead_lettered_event(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "split", small_limit_handler);
    world_sink(&w, &cfg);
    struct sf_batch *batch = make_batch(3, 0, 16, 100);
    tag_event(batch, 9, "BIGBIG");
    world_add(&w, batch);
    assert_true(wait_delivered(&w, 1, 10000));
    size_t skip[] = {9};
    check_once(&w, 0, 16, skip, 1);
    json_t *recs[4];
    assert_int_equal(read_dead_letters(w.dl, recs, 4), 1);
    assert_int_equal(json_integer_value(json_object_get(recs[0], "status")), 413);
    assert_int_equal(json_integer_value(json_object_get(recs[0], "shard")), 3);
    json_t *event = json_object_get(recs[0], "event");
    assert_string_equal(json_string_value(json_object_get(event, "event")), "e9");
    json_decref(recs[0]);
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_true(s.requests_split >= 3);
    assert_true(s.max_body_bytes < 1000000);
    assert_int_equal(s.events_dead_lettered, 1);
    assert_int_equal(s.events_confirmed, 15);
    world_free(&w);
}

/* Splunk's partial acceptance (docs/protocol/hec.md §Partial acceptance): lines before the first
 * BADBAD are in, it is refused. */
static void partial_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    struct accept_log *acc = ctx;
    const char *p = (const char *)req->plain;
    size_t k = 0;
    const char *bad = strstr(p, "BADBAD");
    if (!bad) {
        accept_all(acc, req, reply);
        return;
    }
    pthread_mutex_lock(&acc->lock);
    for (const char *q = p; q < bad; q++) {
        if (*q == '\n') {
            long id = line_id(p);
            if (id >= 0) {
                acc->counts[id]++;
            }
            p = q + 1;
            k++;
        }
    }
    pthread_mutex_unlock(&acc->lock);
    snprintf(reply->buf, sizeof(reply->buf),
             "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":%zu}", k);
    reply->status = 400;
    reply->body = reply->buf;
}

static void cuts_a_request_at_the_invalid_event_number(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "invalid", partial_handler);
    cfg.max_in_flight = 1;
    world_sink(&w, &cfg);
    struct sf_batch *batch = make_batch(1, 0, 10, 100);
    tag_event(batch, 3, "BADBAD");
    tag_event(batch, 7, "BADBAD");
    world_add(&w, batch);
    assert_true(wait_delivered(&w, 1, 5000));
    size_t skip[] = {3, 7};
    check_once(&w, 0, 10, skip, 2);             /* 0..2 not resent, nothing duplicated */
    assert_int_equal(hsv_n_requests(w.srv), 3); /* 0..9, 4..9, 8..9 */
    json_t *recs[4];
    assert_int_equal(read_dead_letters(w.dl, recs, 4), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(json_integer_value(json_object_get(recs[i], "status")), 400);
        assert_int_equal(json_integer_value(json_object_get(recs[i], "code")), 6);
        assert_string_equal(json_string_value(json_object_get(recs[i], "text")),
                            "Invalid data format");
        assert_string_equal(json_string_value(json_object_get(recs[i], "source")), "proj/store");
        assert_int_equal(json_integer_value(json_object_get(recs[i], "shard")), 1);
        assert_string_equal(json_string_value(json_object_get(recs[i], "cursor")), "cursor-1-0");
        assert_true(json_integer_value(json_object_get(recs[i], "time_dead")) > 1700000000);
        json_t *event = json_object_get(recs[i], "event");
        assert_string_equal(json_string_value(json_object_get(event, "event")),
                            i == 0 ? "e3" : "e7");
        json_decref(recs[i]);
    }
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_int_equal(s.requests_partial, 2);
    assert_int_equal(s.events_dead_lettered, 2);
    assert_int_equal(s.events_confirmed, 8);
    world_free(&w);
}

/* A proxy or WAF in front of Splunk answering 400/403 with its own page, and a 4xx HEC does not
 * explain, are not HEC refusing the events: back off and send again; nothing is dead-lettered
 * (issue 10 §6). */
static void retries_requests_a_proxy_refused_without_dead_lettering(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "proxy", NULL);
    hsv_push(w.srv, &(struct hsv_reply){.status = 400, .body = "<html>400 Bad Request</html>"});
    hsv_push(w.srv, &(struct hsv_reply){.status = 403, .body = "<html>403 Forbidden</html>"});
    hsv_push(w.srv, &(struct hsv_reply){.status = 400, .body = "{\"text\":\"?\",\"code\":99}"});
    hsv_push(w.srv,
             &(struct hsv_reply){.status = 200, .body = "{\"text\":\"Success\",\"code\":0}"});
    world_sink(&w, &cfg);
    world_submit(&w, 0, 5, 100);
    assert_true(wait_delivered(&w, 1, 10000));
    json_t *recs[8];
    assert_int_equal(read_dead_letters(w.dl, recs, 8), 0);
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_int_equal(s.requests_rejected, 0);
    assert_int_equal(s.events_dead_lettered, 0);
    assert_int_equal(s.requests_retried, 3);
    assert_int_equal(s.events_confirmed, 5);
    assert_int_equal(hsv_n_requests(w.srv), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(hsv_request(w.srv, i)->n_lines, 5); /* the same request each time */
    }
    world_free(&w);
}

static void pauses_on_a_refused_token_until_it_is_accepted(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "pause", accept_handler);
    atomic_store(&w.acc.is_refusing, true);
    w.acc.status_when_refusing = 403;
    w.acc.body_when_refusing = "{\"text\":\"Invalid token\",\"code\":4}";
    world_sink(&w, &cfg);
    for (size_t b = 0; b < 3; b++) {
        world_submit(&w, b * 20, 20, 100);
    }
    usleep(1000 * 1000);
    assert_int_equal(rec_n_delivered(&w.rec), 0); /* nothing confirmed: checkpoints frozen */
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_true(s.is_paused);
    assert_int_equal(s.events_confirmed, 0);
    size_t n_probes = hsv_n_requests(w.srv);
    assert_true(n_probes >= 3 && n_probes <= 10); /* one probe per 200 ms, no storm */
    assert_int_equal(s.events_dead_lettered, 0);
    atomic_store(&w.acc.is_refusing, false); /* the admin re-enables the token */
    assert_true(wait_delivered(&w, 3, 3000));
    check_once(&w, 0, 60, NULL, 0);
    s = stats_of(&w);
    assert_false(s.is_paused);
    assert_true(s.requests_refused >= 3);
    world_free(&w);
}

static void pauses_on_a_redirect_without_following_it(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "redirect", NULL);
    hsv_push(w.srv, &(struct hsv_reply){.status = 303,
                                        .body = "<html>Splunk Web</html>",
                                        .headers = {{"Location", "/en-US/account/login"}}});
    world_sink(&w, &cfg);
    world_submit(&w, 0, 5, 100);
    usleep(600 * 1000);
    assert_int_equal(rec_n_delivered(&w.rec), 0);
    assert_true(stats_of(&w).is_paused);
    for (size_t i = 0; i < hsv_n_requests(w.srv); i++) {
        assert_string_equal(hsv_request(w.srv, i)->path, "/services/collector/event");
    }
    sf_sink_stop(w.sink, sf_now_ms() + 100);
    assert_int_equal(w.rec.n_undelivered, 1);
    world_free(&w);
}

static void hands_back_unconfirmed_batches_exactly_once_at_stop(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "stop", NULL);
    hsv_push(w.srv, &(struct hsv_reply){.status = 503, .body = "{\"code\":9}", .delay_ms = 50});
    world_sink(&w, &cfg);
    for (size_t b = 0; b < 3; b++) {
        world_submit(&w, b * 10, 10, 100);
    }
    usleep(300 * 1000);
    int64_t t0 = sf_now_ms();
    sf_sink_stop(w.sink, sf_now_ms() + 300);
    int64_t took = sf_now_ms() - t0;
    assert_true(took >= 250 && took < 1500);
    assert_int_equal(rec_n_delivered(&w.rec), 0);
    assert_int_equal(w.rec.n_undelivered, 3);
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_int_equal(s.batches_undelivered, 3);
    assert_int_equal(s.in_flight, 0);
    sf_sink_stop(w.sink, sf_now_ms() + 300); /* again: nothing twice */
    assert_int_equal(w.rec.n_undelivered, 3);
    world_free(&w);
}

static void retries_a_failed_dead_letter_write_until_it_succeeds(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "dlfail", partial_handler);
    char dir[256], path[300];
    snprintf(dir, sizeof(dir), "/tmp/slsfwd-hec-test-%d-dldir", (int)getpid());
    snprintf(path, sizeof(path), "%s/dead.ndjson", dir);
    unlink(path);
    rmdir(dir);
    cfg.dead_letter_path = path;
    cfg.max_in_flight = 1;
    world_sink(&w, &cfg);
    struct sf_batch *batch = make_batch(1, 0, 3, 100);
    tag_event(batch, 1, "BADBAD");
    world_add(&w, batch);
    usleep(600 * 1000);
    assert_int_equal(rec_n_delivered(&w.rec), 0); /* e1 is not on disk: not confirmed */
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_true(wait_delivered(&w, 1, 8000));
    json_t *recs[2];
    assert_int_equal(read_dead_letters(path, recs, 2), 1);
    json_decref(recs[0]);
    size_t skip[] = {1};
    check_once(&w, 0, 3, skip, 1);
    world_free(&w);
    unlink(path);
    rmdir(dir);
}

static void gzip415_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    if (hsv_header(req, "Content-Encoding")) {
        reply->status = 415;
        reply->body = "<html>Unsupported Media Type</html>";
        return;
    }
    accept_all(ctx, req, reply);
}

static void turns_gzip_off_when_the_encoding_is_refused(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "415", gzip415_handler);
    cfg.gzip = true;
    cfg.gzip_min_bytes = 0;
    world_sink(&w, &cfg);
    world_submit(&w, 0, 20, 100);
    assert_true(wait_delivered(&w, 1, 5000));
    check_once(&w, 0, 20, NULL, 0);
    assert_false(stats_of(&w).is_gzip_on);
    world_free(&w);
}

static void index_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    (void)ctx;
    (void)req;
    reply->status = 400;
    reply->body = "{\"text\":\"Incorrect index\",\"code\":7,\"invalid-event-number\":0}";
}

static void pauses_when_the_index_is_refused_for_every_event(void **state)
{
    (void)state;
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "index", index_handler);
    cfg.max_in_flight = 1;
    world_sink(&w, &cfg);
    world_submit(&w, 0, 10, 100);
    usleep(500 * 1000);
    struct sf_hec_sink_stats s = stats_of(&w);
    assert_true(s.is_paused);
    assert_int_equal(s.events_dead_lettered, 2); /* two strikes, then a pause, not 10 letters */
    sf_sink_stop(w.sink, sf_now_ms() + 100);
    assert_int_equal(w.rec.n_undelivered, 1);
    world_free(&w);
}

/* Every answer class once, with debug logging on; the token must appear nowhere. */
static void script_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    static const struct hsv_reply script[] = {
        {.status = 401, .body = "{\"text\":\"Token is required\",\"code\":2}"},
        {.status = 303, .body = "<html>moved</html>", .headers = {{"Location", "/x?t=1"}}},
        {.status = 503, .body = "{\"text\":\"Server is busy\",\"code\":9}"},
        {.drop = true},
        {.drop = true},
        {.status = 400, .body = "<html>Bad Request</html>"},
        {.status = 400,
         .body = "{\"text\":\"Invalid data format\",\"code\":6,"
                 "\"invalid-event-number\":0}"},
    };
    if (req->index < sizeof(script) / sizeof(script[0])) {
        *reply = script[req->index];
        return;
    }
    accept_all(ctx, req, reply);
}

static void never_logs_the_token(void **state)
{
    (void)state;
    char log_path[256];
    snprintf(log_path, sizeof(log_path), "/tmp/slsfwd-hec-test-%d-log.txt", (int)getpid());
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int saved = dup(STDERR_FILENO);
    dup2(log_fd, STDERR_FILENO);
    sf_log_set_debug_modules("all");
    struct world w;
    struct sf_config_hec cfg = world_init(&w, "token", script_handler);
    cfg.token = "s3cr3t-0000-4000-8000-t0ken";
    cfg.health_check = true;
    cfg.auth_retry_ms = 50;
    world_sink(&w, &cfg);
    world_submit(&w, 0, 5, 100);
    world_submit(&w, 5, 5, 100);
    bool is_done = wait_delivered(&w, 2, 8000);
    world_free(&w);
    sf_log_set_debug_modules(NULL);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(log_fd);
    assert_true(is_done);
    size_t len;
    uint8_t *text = sf_test_read_file(log_path, &len);
    assert_true(len > 1000); /* it did log: every failure, the pause, debug lines */
    assert_non_null(strstr((char *)text, "PAUSED"));
    assert_non_null(strstr((char *)text, "dead-lettered"));
    assert_non_null(strstr((char *)text, "will retry in"));
    assert_null(strstr((char *)text, "s3cr3t"));
    assert_null(strstr((char *)text, "t0ken"));
    test_free(text);
    unlink(log_path);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        /* first: the logger rate-limits repeats from one call site across tests */
        cmocka_unit_test(never_logs_the_token),
        cmocka_unit_test(delivers_every_event_once_over_keepalive_connections),
        cmocka_unit_test(packs_lines_of_several_batches_and_caps_events),
        cmocka_unit_test(lingers_for_a_partial_request_then_sends_it),
        cmocka_unit_test(flushes_a_partial_request_at_stop),
        cmocka_unit_test(gzips_bodies_above_the_threshold),
        cmocka_unit_test(retries_throttling_and_server_errors_then_delivers_once),
        cmocka_unit_test(splits_on_413_down_to_a_dead_lettered_event),
        cmocka_unit_test(cuts_a_request_at_the_invalid_event_number),
        cmocka_unit_test(retries_requests_a_proxy_refused_without_dead_lettering),
        cmocka_unit_test(pauses_on_a_refused_token_until_it_is_accepted),
        cmocka_unit_test(pauses_on_a_redirect_without_following_it),
        cmocka_unit_test(hands_back_unconfirmed_batches_exactly_once_at_stop),
        cmocka_unit_test(retries_a_failed_dead_letter_write_until_it_succeeds),
        cmocka_unit_test(turns_gzip_off_when_the_encoding_is_refused),
        cmocka_unit_test(pauses_when_the_index_is_refused_for_every_event),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

/* Indexer acknowledgement (docs/protocol/hec.md §Indexer acknowledgement) against a scripted
 * ack-enabled HEC: ids asked for in one query, batches delivered only on true, a lost ack resent
 * after the timeout, code 14 and a 200 without ackId falling back to trusting 200s (pending
 * requests resent), an ack query that fails being asked again, a channel spread over two indexers
 * by a non-sticky load balancer, a proxy's 404 on the ack endpoint. */
#include "hec_test.h"

#include <jansson.h>
#include <limits.h>

enum ack_mode {
    ACK_SECOND_QUERY, /* an id reads true the second time it is asked for */
    ACK_LOSE_FIRST,   /* id 0 never reads true (Splunk lost it); others at once */
    ACK_DISABLED,     /* the ack endpoint answers 400 code 14 */
    ACK_NO_ID,        /* data answers carry no ackId */
    ACK_FLAKY,        /* the first ack query gets a 503, then ids read true */
    ACK_TWO_INDEXERS, /* a load balancer without stickiness: data POSTs and ack queries take
                       * turns between indexers A and B, each with its own ids from 0 on the
                       * channel; A indexes at once, B INDEX_DELAY_MS after accepting */
    ACK_PROXY_ONCE,   /* the first ack query meets a proxy's HTML 404; ids read true once
                       * indexed, INDEX_DELAY_MS after accepting */
    ACK_STALE_ANSWER, /* the second request (Y) gets ackId 0 twice, the first
                       * time late, while the first ack query (asking for X's id 0) is slow
                       * and answers every id true; later queries never say true for 0 */
};

#define INDEX_DELAY_MS 1500
#define MAX_IDS        256

struct ack_server {
    pthread_mutex_t lock;
    enum ack_mode mode;
    uint64_t next_id;
    unsigned times_asked[256]; /* per ack id */
    size_t n_queries;
    char first_query[4096];
    size_t n_data;
    unsigned counts[4096]; /* accepted events */
    /* ACK_TWO_INDEXERS / ACK_PROXY_ONCE: what each indexer holds, and when an event was first
     * indexed anywhere (0: never) */
    uint64_t next_ids[2];
    int64_t ready_ms[2][MAX_IDS]; /* 0: no such id (or forgotten after true) */
    size_t n_routed;              /* data POSTs and ack queries so far, for the turns */
    int64_t indexed_ms[4096];
    int64_t accept_ready_ms; /* while counting a request's lines: when they count as indexed */
    size_t n_false_confirms; /* batches confirmed while ack was on with an event not indexed */
    long y_first;            /* ACK_STALE_ANSWER: Y's first event id; -1 until seen */
    struct sf_sink *sink;
};

static void count_line(void *ctx, size_t i, const char *line)
{
    (void)i;
    struct ack_server *as = ctx;
    long id = line_id(line);
    if (id >= 0 && id < 4096) {
        as->counts[id]++;
        if (!as->indexed_ms[id] || as->accept_ready_ms < as->indexed_ms[id]) {
            as->indexed_ms[id] = as->accept_ready_ms;
        }
    }
}

static void
answer_ack_query(struct ack_server *as, const struct hsv_request *req, struct hsv_reply *reply)
{
    char *body = reply->buf;
    size_t body_size = sizeof(reply->buf);
    json_error_t jerr;
    json_t *q = json_loadb((const char *)req->plain, req->plain_len, 0, &jerr);
    json_t *ids = json_object_get(q, "acks");
    assert_true(json_is_array(ids));
    if (as->n_queries++ == 0) {
        snprintf(as->first_query, sizeof(as->first_query), "%s", (const char *)req->plain);
    }
    if (as->mode == ACK_STALE_ANSWER) {
        bool is_first = as->n_queries == 1;
        size_t o = (size_t)snprintf(body, body_size, "{\"acks\":{");
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            json_int_t id = json_integer_value(v);
            o += (size_t)snprintf(body + o, body_size - o, "%s\"%lld\":%s", i ? "," : "",
                                  (long long)id, is_first || id != 0 ? "true" : "false");
        }
        snprintf(body + o, body_size - o, "}}");
        json_decref(q);
        reply->status = 200;
        reply->body = body;
        reply->delay_ms = is_first ? 1500 : 0;
        return;
    }
    if (as->mode == ACK_PROXY_ONCE && as->n_queries == 1) {
        reply->status = 404;
        reply->body = "<html><head><title>404 Not Found</title></head><body>nginx</body></html>";
        json_decref(q);
        return;
    }
    if (as->mode == ACK_DISABLED || (as->mode == ACK_FLAKY && as->n_queries == 1)) {
        reply->status = as->mode == ACK_DISABLED ? 400 : 503;
        reply->body = as->mode == ACK_DISABLED ? "{\"text\":\"ACK is disabled\",\"code\":14}"
                                               : "{\"text\":\"Server is busy\",\"code\":9}";
        json_decref(q);
        return;
    }
    size_t o = (size_t)snprintf(body, body_size, "{\"acks\":{");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        uint64_t id = (uint64_t)json_integer_value(v);
        unsigned times = id < 256 ? ++as->times_asked[id] : 1;
        bool is_true = as->mode == ACK_SECOND_QUERY ? times >= 2
                       : as->mode == ACK_LOSE_FIRST ? id != 0
                                                    : true;
        if (as->mode == ACK_TWO_INDEXERS || as->mode == ACK_PROXY_ONCE) {
            /* the indexer this query reaches answers for its own ids only, and forgets an id
             * once it said true (docs/protocol/hec.md §Indexer acknowledgement, item 5) */
            size_t ix = as->mode == ACK_TWO_INDEXERS ? as->n_routed++ % 2 : 0;
            int64_t *ready = id < MAX_IDS ? &as->ready_ms[ix][id] : NULL;
            is_true = ready && *ready && *ready <= sf_now_ms();
            if (is_true) {
                *ready = 0;
            }
        }
        o += (size_t)snprintf(body + o, body_size - o, "%s\"%llu\":%s", i ? "," : "",
                              (unsigned long long)id, is_true ? "true" : "false");
    }
    snprintf(body + o, body_size - o, "}}");
    json_decref(q);
    reply->status = 200;
    reply->body = body;
}

/* A data request taken whole, under |id|; |as->accept_ready_ms| says when it counts as indexed. */
static void accept_with_ack_id(struct ack_server *as,
                               const struct hsv_request *req,
                               struct hsv_reply *reply,
                               uint64_t id)
{
    for_each_line(req, count_line, as);
    reply->status = 200;
    snprintf(reply->buf, sizeof(reply->buf), "{\"text\":\"Success\",\"code\":0,\"ackId\":%llu}",
             (unsigned long long)id);
    reply->body = reply->buf;
}

static void ack_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    struct ack_server *as = ctx;
    pthread_mutex_lock(&as->lock);
    if (strcmp(req->path, "/services/collector/ack") == 0) {
        answer_ack_query(as, req, reply);
        pthread_mutex_unlock(&as->lock);
        return;
    }
    as->n_data++;
    int64_t now = sf_now_ms();
    as->accept_ready_ms = now;
    if (as->mode == ACK_TWO_INDEXERS || as->mode == ACK_PROXY_ONCE) {
        size_t ix = as->mode == ACK_TWO_INDEXERS ? as->n_routed++ % 2 : 0;
        uint64_t id = as->next_ids[ix]++;
        as->accept_ready_ms = ix == 0 && as->mode == ACK_TWO_INDEXERS ? now : now + INDEX_DELAY_MS;
        if (id < MAX_IDS) {
            as->ready_ms[ix][id] = as->accept_ready_ms;
        }
        accept_with_ack_id(as, req, reply, id);
        pthread_mutex_unlock(&as->lock);
        return;
    }
    if (as->mode == ACK_STALE_ANSWER) {
        long first = line_id((const char *)req->plain);
        unsigned sends = first >= 0 && first < 4096 ? as->counts[first] + 1 : 1;
        uint64_t id = 1000 + as->n_data;
        if (first > 0 && first < 40 && as->y_first < 0) {
            as->y_first = first; /* Y: the second request of the first wave */
        }
        bool is_y = first == as->y_first;
        if ((first == 0 && sends == 1) || (is_y && sends <= 2)) {
            id = 0;
        }
        reply->delay_ms = is_y && sends == 1 ? 700 : 0;
        accept_with_ack_id(as, req, reply, id);
        pthread_mutex_unlock(&as->lock);
        return;
    }
    if (as->mode == ACK_NO_ID) {
        for_each_line(req, count_line, as);
        reply->status = 200;
        reply->body = "{\"text\":\"Success\",\"code\":0}";
    } else {
        accept_with_ack_id(as, req, reply, as->next_id++);
    }
    pthread_mutex_unlock(&as->lock);
}

struct ack_world {
    struct hsv_server *srv;
    struct ack_server as;
    struct rec rec;
    struct sf_sink *sink;
    struct sf_batch *batches[8];
    size_t n_batches;
    char dl[256];
};

/* The batches' back function: while ack is on, every event of a confirmed batch must have been
 * indexed somewhere (never confirmed by another request's ack). */
static void checked_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    struct ack_world *w = ctx;
    rec_back(&w->rec, batch, is_delivered);
    if (!is_delivered) {
        return;
    }
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(w->as.sink, &s);
    if (!s.is_ack_on) {
        return; /* 200s are final now: nothing to check */
    }
    int64_t now = sf_now_ms();
    pthread_mutex_lock(&w->as.lock);
    for (size_t i = 0; i < batch->n_events; i++) {
        long id = 0;
        sscanf(batch->cursor, "cursor-%*d-%ld", &id);
        id += (long)i;
        if (id >= 0 && id < 4096 && (!w->as.indexed_ms[id] || w->as.indexed_ms[id] > now)) {
            w->as.n_false_confirms++;
            break;
        }
    }
    pthread_mutex_unlock(&w->as.lock);
}

static void ack_world_start(struct ack_world *w, enum ack_mode mode, int ack_timeout_ms)
{
    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->as.lock, NULL);
    w->as.mode = mode;
    w->as.y_first = -1;
    rec_init(&w->rec);
    w->srv = hsv_start(NULL, NULL, NULL);
    hsv_set_handler(w->srv, ack_handler, &w->as);
    struct sf_config_hec cfg = test_cfg(hsv_port(w->srv), dl_path(w->dl, sizeof(w->dl), "ack"));
    cfg.ack = true;
    cfg.ack_poll_ms = 150;
    cfg.ack_timeout_ms = ack_timeout_ms;
    cfg.max_body_bytes = 2500;
    if (mode == ACK_TWO_INDEXERS) {
        cfg.max_in_flight = 1; /* one request at a time: the turns are deterministic */
    }
    char err[256];
    SF_CHECK_ERR(sf_hec_sink_new(&cfg, &w->sink, err, sizeof(err)), SF_OK);
    w->as.sink = w->sink;
    SF_CHECK_ERR(sf_sink_start(w->sink), SF_OK);
    for (size_t b = 0; b < 3; b++) {
        w->batches[w->n_batches] = make_batch(1, b * 20, 20, 100);
        struct sf_batch *batch = w->batches[w->n_batches++];
        sf_batch_open(batch, checked_back, NULL, w);
        sf_sink_submit(w->sink, sf_batch_hold(batch, 0));
        sf_batch_unref(batch); /* the test's own reference */
    }
}

static void ack_world_free(struct ack_world *w)
{
    sf_sink_free(w->sink);
    hsv_stop(w->srv);
    for (size_t i = 0; i < w->n_batches; i++) {
        assert_int_equal(rec_times(&w->rec, w->batches[i]), 1);
        free_batch(w->batches[i]);
    }
    unlink(w->dl);
}

static struct rec *waiting_rec;

static bool all_three_delivered(void *arg)
{
    (void)arg;
    return rec_n_delivered(waiting_rec) == 3;
}

static struct ack_world *waiting_world;

static bool data_answered(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&waiting_world->as.lock);
    size_t n = 0;
    for (size_t i = 0; i < 60; i++) {
        n += waiting_world->as.counts[i];
    }
    pthread_mutex_unlock(&waiting_world->as.lock);
    return n >= 60;
}

static bool wait_all_delivered(struct ack_world *w, int timeout_ms)
{
    waiting_rec = &w->rec;
    return wait_for(all_three_delivered, NULL, timeout_ms);
}

static struct sf_hec_sink_stats stats(struct ack_world *w)
{
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(w->sink, &s);
    return s;
}

/* Each of the 60 events reached the server exactly once. */
static void assert_each_sent_once(struct ack_world *w)
{
    for (size_t id = 0; id < 60; id++) {
        assert_int_equal(w->as.counts[id], 1);
    }
}

/* How many times the server got the 60 events, each at least once and at most |max_times|. */
static size_t n_sent(struct ack_world *w, unsigned max_times)
{
    size_t n = 0;
    for (size_t id = 0; id < 60; id++) {
        assert_true(w->as.counts[id] >= 1 && w->as.counts[id] <= max_times);
        n += w->as.counts[id];
    }
    return n;
}

static void delivers_only_when_splunk_says_indexed(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_SECOND_QUERY, 300000);
    waiting_world = &w;
    assert_true(wait_for(data_answered, NULL, 3000));
    assert_int_equal(rec_n_delivered(&w.rec), 0); /* 200 is not enough in ack mode */
    assert_true(stats(&w).ack_pending >= 1 || w.as.n_queries > 0);
    assert_true(wait_all_delivered(&w, 5000));
    assert_each_sent_once(&w);
    /* one query asked for every pending id at once */
    char want[256];
    size_t o = (size_t)snprintf(want, sizeof(want), "{\"acks\":[");
    for (size_t i = 0; i < w.as.n_data; i++) {
        o += (size_t)snprintf(want + o, sizeof(want) - o, "%s%zu", i ? "," : "", i);
    }
    snprintf(want + o, sizeof(want) - o, "]}");
    assert_string_equal(w.as.first_query, want);
    assert_true(w.as.n_queries >= 2);
    for (size_t i = 0; i < hsv_n_requests(w.srv); i++) {
        const struct hsv_request *req = hsv_request(w.srv, i);
        assert_string_equal(hsv_header(req, "Authorization"), "Splunk test-token");
        assert_string_equal(hsv_header(req, "X-Splunk-Request-Channel"),
                            hsv_header(hsv_request(w.srv, 0), "X-Splunk-Request-Channel"));
    }
    struct sf_hec_sink_stats s = stats(&w);
    assert_true(s.is_ack_on);
    assert_int_equal(s.ack_pending, 0);
    assert_int_equal(s.events_confirmed, 60);
    ack_world_free(&w);
}

static void resends_a_request_whose_ack_never_comes(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_LOSE_FIRST, 600);
    assert_true(wait_all_delivered(&w, 5000));
    size_t n_twice = 0;
    for (size_t id = 0; id < 60; id++) {
        assert_true(w.as.counts[id] == 1 || w.as.counts[id] == 2);
        n_twice += w.as.counts[id] == 2;
    }
    assert_true(n_twice > 0); /* the lost request's events, sent again: at least once */
    assert_true(stats(&w).ack_timeouts >= 1);
    ack_world_free(&w);
}

static void turns_ack_off_when_splunk_says_it_is_disabled(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_DISABLED, 300000);
    assert_true(wait_all_delivered(&w, 5000));
    struct sf_hec_sink_stats s = stats(&w);
    assert_false(s.is_ack_on);
    assert_int_equal(s.ack_pending, 0);
    /* the requests that waited for their ack are not confirmed by the refusal: sent again,
     * every duplicate counted (issue 10 §6) */
    assert_true(s.ack_resent_events > 0);
    assert_int_equal(n_sent(&w, 2), 60 + s.ack_resent_events);
    ack_world_free(&w);
}

static void trusts_a_200_without_ack_id(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_NO_ID, 300000);
    assert_true(wait_all_delivered(&w, 3000));
    assert_int_equal(w.as.n_queries, 0);
    ack_world_free(&w);
}

static void asks_again_after_a_failed_ack_query(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_FLAKY, 300000);
    assert_true(wait_all_delivered(&w, 5000));
    assert_true(w.as.n_queries >= 2);
    assert_true(stats(&w).is_ack_on);
    ack_world_free(&w);
}

/* A non-sticky load balancer spreads the channel over two indexers, each counting ackIds from 0:
 * a repeated id proves nothing, so no request is confirmed by it (nor by any ack once the
 * channel is known to be spread); the ambiguous requests are sent again, counted. */
static void never_confirms_a_request_by_another_indexers_ack(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_TWO_INDEXERS, 300000);
    assert_true(wait_all_delivered(&w, 15000));
    struct sf_hec_sink_stats s = stats(&w);
    assert_int_equal(w.as.n_false_confirms, 0);
    assert_true(s.ack_id_repeats >= 1);
    assert_true(s.ack_resent_events >= 1);
    assert_int_equal(n_sent(&w, UINT_MAX), 60 + s.ack_resent_events);
    ack_world_free(&w);
}

/* One 4xx page from a proxy in front of the ack endpoint confirms nothing: the ids are asked for
 * again, and each request is delivered when its own ack says so. */
static void confirms_nothing_on_one_refused_ack_query(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_PROXY_ONCE, 300000);
    assert_true(wait_all_delivered(&w, 10000));
    struct sf_hec_sink_stats s = stats(&w);
    assert_int_equal(w.as.n_false_confirms, 0);
    assert_true(s.is_ack_on);
    assert_true(w.as.n_queries >= 2);
    assert_each_sent_once(&w);
    ack_world_free(&w);
}

/* An ack answer speaks only for the requests its query asked about: a request that took over
 * an id after the query went out (here Y resent after a repeated id, given id 0 again) is not
 * confirmed by a slow answer about the id's earlier holder (X). */
static void ignores_an_answer_about_an_ids_earlier_holder(void **state)
{
    (void)state;
    struct ack_world w;
    ack_world_start(&w, ACK_STALE_ANSWER, 3000);
    assert_true(wait_all_delivered(&w, 15000));
    pthread_mutex_lock(&w.as.lock);
    assert_true(w.as.y_first > 0);
    unsigned y_sends = w.as.counts[w.as.y_first];
    pthread_mutex_unlock(&w.as.lock);
    /* Y, Y again after the repeat (id 0: only the stale "true" could confirm it), and once
     * more after its ack timed out */
    assert_int_equal(y_sends, 3);
    assert_true(stats(&w).is_ack_on);
    ack_world_free(&w);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delivers_only_when_splunk_says_indexed),
        cmocka_unit_test(resends_a_request_whose_ack_never_comes),
        cmocka_unit_test(turns_ack_off_when_splunk_says_it_is_disabled),
        cmocka_unit_test(trusts_a_200_without_ack_id),
        cmocka_unit_test(asks_again_after_a_failed_ack_query),
        cmocka_unit_test(never_confirms_a_request_by_another_indexers_ack),
        cmocka_unit_test(confirms_nothing_on_one_refused_ack_query),
        cmocka_unit_test(ignores_an_answer_about_an_ids_earlier_holder),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

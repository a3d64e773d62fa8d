/* Indexer acknowledgement (spec siem-outputs §1.10) against a scripted ack-enabled HEC: ids
 * asked for in one query, batches delivered only on true, a lost ack resent after the
 * timeout, code 14 and a 200 without ackId falling back to trusting 200s, an ack query that
 * fails being asked again. */
#include "hec_test.h"

#include <jansson.h>

enum ack_mode {
    ACK_SECOND_QUERY, /* an id reads true the second time it is asked for */
    ACK_LOSE_FIRST,   /* id 0 never reads true (Splunk lost it); others at once */
    ACK_DISABLED,     /* the ack endpoint answers 400 code 14 */
    ACK_NO_ID,        /* data answers carry no ackId */
    ACK_FLAKY,        /* the first ack query gets a 503, then ids read true */
};

struct ack_server {
    pthread_mutex_t lock;
    enum ack_mode mode;
    uint64_t next_id;
    unsigned times_asked[256]; /* per ack id */
    size_t n_queries;
    char first_query[4096];
    size_t n_data;
    unsigned counts[4096]; /* accepted events */
};

static void count_line(void *ctx, size_t i, const char *line)
{
    (void)i;
    struct ack_server *as = ctx;
    long id = line_id(line);
    if (id >= 0 && id < 4096) {
        as->counts[id]++;
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
        o += (size_t)snprintf(body + o, body_size - o, "%s\"%llu\":%s", i ? "," : "",
                              (unsigned long long)id, is_true ? "true" : "false");
    }
    snprintf(body + o, body_size - o, "}}");
    json_decref(q);
    reply->status = 200;
    reply->body = body;
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
    for_each_line(req, count_line, as);
    reply->status = 200;
    if (as->mode == ACK_NO_ID) {
        reply->body = "{\"text\":\"Success\",\"code\":0}";
    } else {
        snprintf(reply->buf, sizeof(reply->buf), "{\"text\":\"Success\",\"code\":0,\"ackId\":%llu}",
                 (unsigned long long)as->next_id++);
        reply->body = reply->buf;
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

static void ack_world_start(struct ack_world *w, enum ack_mode mode, int ack_timeout_ms)
{
    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->as.lock, NULL);
    w->as.mode = mode;
    rec_init(&w->rec);
    w->srv = hsv_start(NULL, NULL, NULL);
    hsv_set_handler(w->srv, ack_handler, &w->as);
    struct sf_config_hec cfg = test_cfg(hsv_port(w->srv), dl_path(w->dl, sizeof(w->dl), "ack"));
    cfg.ack = true;
    cfg.ack_poll_ms = 150;
    cfg.ack_timeout_ms = ack_timeout_ms;
    cfg.max_body_bytes = 2500;
    char err[256];
    SF_CHECK_ERR(sf_hec_sink_new(&cfg, &w->sink, err, sizeof(err)), SF_OK);
    SF_CHECK_ERR(sf_sink_start(w->sink), SF_OK);
    for (size_t b = 0; b < 3; b++) {
        w->batches[w->n_batches] = make_batch(1, b * 20, 20, 100);
        rec_submit(w->sink, &w->rec, w->batches[w->n_batches++]);
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
    for (size_t id = 0; id < 60; id++) {
        assert_int_equal(w.as.counts[id], 1);
    }
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
    for (size_t id = 0; id < 60; id++) {
        assert_int_equal(w.as.counts[id], 1);
    }
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

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delivers_only_when_splunk_says_indexed),
        cmocka_unit_test(resends_a_request_whose_ack_never_comes),
        cmocka_unit_test(turns_ack_off_when_splunk_says_it_is_disabled),
        cmocka_unit_test(trusts_a_200_without_ack_id),
        cmocka_unit_test(asks_again_after_a_failed_ack_query),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

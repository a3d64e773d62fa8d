/* The HEC sink with several endpoints (output.hec.urls) against two scripted servers: an ack
 * answer of one endpoint never confirms a request sent to the other (both hand out ackId 0 on
 * their own channel); an endpoint whose ack channel is lost is taken out and what it had not
 * confirmed goes to the other; when every endpoint is out, requests wait without spinning and
 * go once one is back; a busy endpoint (503) is taken out and put back after a healthy probe. */
#include "hec_test.h"

#include <stdatomic.h>

/* One scripted endpoint: data gets 200 with its own ackIds from 0; ack queries are answered
 * true for every id it gave (|is_acking|) or false; |is_down| drops every connection;
 * |is_busy| answers 503 code 9 to data and 503 code 18 to health. */
struct ep_script {
    atomic_bool is_acking, is_down, is_busy;
    atomic_int next_ack_id;
    atomic_int n_data, n_ack, n_health;
};

static void ep_handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    struct ep_script *e = ctx;
    bool is_health = strstr(req->path, "/health") != NULL;
    bool is_ack = strstr(req->path, "/ack") != NULL;
    atomic_fetch_add(is_health ? &e->n_health : is_ack ? &e->n_ack : &e->n_data, 1);
    if (atomic_load(&e->is_down)) {
        reply->drop = true;
        return;
    }
    reply->status = 200;
    if (is_health) {
        if (atomic_load(&e->is_busy)) {
            reply->status = 503;
            reply->body = "{\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}";
        } else {
            reply->body = "{\"text\":\"HEC is healthy\",\"code\":17}";
        }
        return;
    }
    if (is_ack) {
        bool is_true = atomic_load(&e->is_acking);
        int n = atomic_load(&e->next_ack_id);
        size_t o = (size_t)snprintf(reply->buf, sizeof(reply->buf), "{\"acks\":{");
        for (int i = 0; i < n && o < sizeof(reply->buf) - 40; i++) {
            o += (size_t)snprintf(reply->buf + o, sizeof(reply->buf) - o, "%s\"%d\":%s",
                                  i ? "," : "", i, is_true ? "true" : "false");
        }
        snprintf(reply->buf + o, sizeof(reply->buf) - o, "}}");
        reply->body = reply->buf;
        return;
    }
    if (atomic_load(&e->is_busy)) {
        reply->status = 503;
        reply->body = "{\"text\":\"Server is busy\",\"code\":9,\"invalid-event-number\":0}";
        return;
    }
    snprintf(reply->buf, sizeof(reply->buf), "{\"text\":\"Success\",\"code\":0,\"ackId\":%d}",
             atomic_fetch_add(&e->next_ack_id, 1));
    reply->body = reply->buf;
}

struct two {
    struct hsv_server *srv[2];
    struct ep_script script[2];
    char url[2][128];
    char *urls[2];
    struct sf_sink *sink;
    struct rec rec;
    struct sf_batch *batches[4]; /* submitted; freed by two_stop once the sink is gone */
    size_t n_batches;
};

static void submit(struct two *t, struct sf_batch *batch)
{
    assert_true(t->n_batches < sizeof(t->batches) / sizeof(t->batches[0]));
    t->batches[t->n_batches++] = batch;
    rec_submit(t->sink, &t->rec, batch);
}

static void two_start(struct two *t, bool is_ack, int max_events)
{
    memset(t, 0, sizeof(*t));
    rec_init(&t->rec);
    for (int i = 0; i < 2; i++) {
        t->srv[i] = hsv_start(NULL, NULL, NULL);
        assert_non_null(t->srv[i]);
        hsv_set_handler(t->srv[i], ep_handler, &t->script[i]);
        snprintf(t->url[i], sizeof(t->url[i]), "http://127.0.0.1:%u/services/collector/event",
                 hsv_port(t->srv[i]));
        t->urls[i] = t->url[i];
    }
    char dl[128];
    struct sf_config_hec cfg = test_cfg(hsv_port(t->srv[0]), dl_path(dl, sizeof(dl), "eps"));
    cfg.url = t->urls[0];
    cfg.urls = t->urls;
    cfg.n_urls = 2;
    cfg.ack = is_ack;
    cfg.ack_poll_ms = 30;
    cfg.max_in_flight = 1;
    cfg.max_events = max_events;
    cfg.linger_ms = 5;
    cfg.retry_max_ms = 400; /* probes wait 0.5 s at first, at most 0.5 s here */
    cfg.timeout_ms = 2000;
    char errbuf[256];
    assert_int_equal(sf_hec_sink_new(&cfg, &t->sink, errbuf, sizeof(errbuf)), SF_OK);
    assert_int_equal(sf_sink_start(t->sink), SF_OK);
}

static void two_stop(struct two *t)
{
    sf_sink_stop(t->sink, sf_now_ms() + 2000);
    sf_sink_free(t->sink);
    hsv_stop(t->srv[0]);
    hsv_stop(t->srv[1]);
    for (size_t i = 0; i < t->n_batches; i++) {
        free_batch(t->batches[i]);
    }
}

static struct sf_hec_endpoint_stats ep_stats(struct two *t, size_t i)
{
    struct sf_hec_endpoint_stats s;
    sf_hec_sink_get_endpoint_stats(t->sink, i, &s);
    return s;
}

static bool one_delivered(void *arg)
{
    return rec_n_delivered(&((struct two *)arg)->rec) >= 1;
}

static bool a_is_out(void *arg)
{
    struct two *t = arg;
    return !ep_stats(t, 0).is_healthy;
}

static bool a_is_back(void *arg)
{
    struct two *t = arg;
    return ep_stats(t, 0).is_healthy;
}

/* Whether some data request to server |s| held event |id|. */
static bool server_got(struct two *t, int s, long id)
{
    for (size_t i = 0; i < hsv_n_requests(t->srv[s]); i++) {
        const struct hsv_request *req = hsv_request(t->srv[s], i);
        if (req->status == 200 && strstr(req->path, "/event") && req->plain) {
            char needle[32];
            snprintf(needle, sizeof(needle), "\"e%ld\"", id);
            if (strstr((const char *)req->plain, needle)) {
                return true;
            }
        }
    }
    return false;
}

static void an_ack_of_one_endpoint_never_confirms_the_others_request(void **state)
{
    (void)state;
    struct two t;
    two_start(&t, true, 1);
    /* A gives ackId 0 and answers false; B gives ackId 5 and answers true for every id from 0
     * up, 0 included: an answer about another channel's id 0 must not settle A's request. */
    atomic_store(&t.script[1].is_acking, true);
    atomic_store(&t.script[1].next_ack_id, 5);
    struct sf_hec_endpoint_stats a0 = ep_stats(&t, 0), b0 = ep_stats(&t, 1);
    assert_string_not_equal(a0.endpoint, b0.endpoint);
    submit(&t, make_batch(0, 0, 2, 64)); /* two requests: one per endpoint */
    int64_t end = sf_now_ms() + 5000;
    while (sf_now_ms() < end &&
           (atomic_load(&t.script[0].n_ack) < 3 || atomic_load(&t.script[1].n_ack) < 1)) {
        usleep(5000);
    }
    /* A was asked about its id 0 again and again; B's "0": true settled nothing of A's */
    assert_true(atomic_load(&t.script[0].n_ack) >= 3);
    assert_int_equal(atomic_load(&t.script[0].n_data), 1);
    assert_int_equal(atomic_load(&t.script[1].n_data), 1);
    usleep(150 * 1000);
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(t.sink, &s);
    assert_int_equal(s.events_confirmed, 1);
    assert_int_equal(rec_n_delivered(&t.rec), 0);
    assert_int_equal(ep_stats(&t, 0).ack_pending, 1);
    /* A's ack channel is lost: A is taken out, its request goes to B and is confirmed there */
    atomic_store(&t.script[0].is_down, true);
    assert_true(wait_for(a_is_out, &t, 5000));
    assert_true(wait_for(one_delivered, &t, 5000));
    struct sf_hec_endpoint_stats a = ep_stats(&t, 0);
    assert_int_equal(a.takeouts, 1);
    assert_int_equal(a.resends, 1);
    assert_int_equal(a.resent_events, 1);
    assert_int_equal(a.ack_pending, 0);
    assert_true(server_got(&t, 1, 0) && server_got(&t, 1, 1)); /* both events ended at B */
    assert_int_equal(atomic_load(&t.script[1].n_data), 2);
    /* A answers health again: put back */
    atomic_store(&t.script[0].is_down, false);
    assert_true(wait_for(a_is_back, &t, 5000));
    assert_true(ep_stats(&t, 0).probes >= 1);
    two_stop(&t);
}

static bool both_out(void *arg)
{
    struct two *t = arg;
    return !ep_stats(t, 0).is_healthy && !ep_stats(t, 1).is_healthy;
}

static void with_every_endpoint_out_requests_wait_then_go(void **state)
{
    (void)state;
    struct two t;
    two_start(&t, false, 0);
    atomic_store(&t.script[0].is_down, true);
    atomic_store(&t.script[1].is_down, true);
    submit(&t, make_batch(0, 0, 5, 64));
    assert_true(wait_for(both_out, &t, 5000));
    int n_before = atomic_load(&t.script[0].n_data) + atomic_load(&t.script[1].n_data) +
                   atomic_load(&t.script[0].n_health) + atomic_load(&t.script[1].n_health);
    usleep(1000 * 1000);
    int n_after = atomic_load(&t.script[0].n_data) + atomic_load(&t.script[1].n_data) +
                  atomic_load(&t.script[0].n_health) + atomic_load(&t.script[1].n_health);
    /* a second with both out: a few probes (0.25–0.5 s apart), no data, nothing lost */
    assert_true(n_after - n_before <= 10);
    assert_int_equal(rec_n_delivered(&t.rec), 0);
    assert_int_equal(t.rec.n_undelivered, 0);
    atomic_store(&t.script[1].is_down, false);
    assert_true(wait_for(one_delivered, &t, 5000));
    for (long id = 0; id < 5; id++) {
        assert_true(server_got(&t, 1, id));
    }
    assert_true(ep_stats(&t, 1).is_healthy);
    assert_false(ep_stats(&t, 0).is_healthy);
    assert_true(ep_stats(&t, 0).errors_transport + ep_stats(&t, 1).errors_transport >= 1);
    two_stop(&t);
}

static bool b_is_back(void *arg)
{
    struct two *t = arg;
    return ep_stats(t, 1).is_healthy && ep_stats(t, 1).probes >= 2;
}

static void a_busy_endpoint_is_taken_out_probed_and_put_back(void **state)
{
    (void)state;
    struct two t;
    two_start(&t, false, 1);
    atomic_store(&t.script[1].is_busy, true);
    submit(&t, make_batch(0, 0, 6, 64));
    assert_true(wait_for(one_delivered, &t, 5000)); /* A took everything */
    for (long id = 0; id < 6; id++) {
        assert_true(server_got(&t, 0, id));
    }
    struct sf_hec_endpoint_stats b = ep_stats(&t, 1);
    assert_int_equal(b.errors_throttled, 1); /* one 503, then out: no more requests to it */
    assert_int_equal(b.takeouts, 1);
    assert_false(b.is_healthy);
    /* probes see 503 code 18 and keep it out; healthy again: back in, and it gets requests */
    usleep(800 * 1000);
    assert_false(ep_stats(&t, 1).is_healthy);
    atomic_store(&t.script[1].is_busy, false);
    assert_true(wait_for(b_is_back, &t, 5000));
    int n_b = atomic_load(&t.script[1].n_data);
    submit(&t, make_batch(0, 100, 6, 64));
    int64_t end = sf_now_ms() + 5000;
    while (sf_now_ms() < end && rec_n_delivered(&t.rec) < 2) {
        usleep(5000);
    }
    assert_int_equal(rec_n_delivered(&t.rec), 2);
    assert_true(atomic_load(&t.script[1].n_data) > n_b);
    two_stop(&t);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_ack_of_one_endpoint_never_confirms_the_others_request),
        cmocka_unit_test(with_every_endpoint_out_requests_wait_then_go),
        cmocka_unit_test(a_busy_endpoint_is_taken_out_probed_and_put_back),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

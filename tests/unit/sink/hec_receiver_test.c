/* The HEC sink against tools/hec-receiver, an independent Splunk-HEC implementation (it shares
 * no HEC code with slsfwd): its strict checks (channel GUID, gzip, envelopes, ack protocol) and
 * its fault injection are the oracle. Events must all arrive — at least once where the
 * protocol allows duplicates (lost acks), exactly once otherwise — and every batch must come
 * back exactly once. */
#include "hec_test.h"

#include <jansson.h>

#include "spawn.h"

struct receiver {
    struct tool_proc proc;
    unsigned port;
    char out[256];
};

static void receiver_start(struct receiver *r, const char *const *extra)
{
    snprintf(r->out, sizeof(r->out), "/tmp/slsfwd-hec-recv-%d.ndjson", (int)getpid());
    unlink(r->out);
    const char *argv[32] = {HEC_RECEIVER_PATH,
                            "--listen",
                            "127.0.0.1:0",
                            "--token",
                            "11111111-2222-3333-4444-555555555555",
                            "--out",
                            r->out,
                            "--quiet"};
    size_t n = 8;
    for (size_t i = 0; extra && extra[i] && n < 31; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    assert_true(tool_spawn(argv, "hec-receiver", -1, &r->proc));
    r->port = (unsigned)r->proc.port;
}

static void receiver_stop(struct receiver *r)
{
    tool_stop(&r->proc);
    unlink(r->out);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* POST to the receiver's control plane. */
static void control(const struct receiver *r, const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/_receiver/%s", r->port, path);
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    assert_int_equal(curl_easy_perform(easy), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    curl_easy_cleanup(easy);
}

/* How often each event id was recorded by the receiver. */
static void recorded_counts(const struct receiver *r, unsigned *counts, size_t n_ids)
{
    memset(counts, 0, n_ids * sizeof(counts[0]));
    FILE *f = fopen(r->out, "r");
    assert_non_null(f);
    char line[8192];
    while (fgets(line, sizeof(line), f)) {
        long id = line_id(line);
        if (id >= 0 && (size_t)id < n_ids) {
            counts[id]++;
        }
    }
    fclose(f);
}

struct run {
    struct receiver r;
    struct rec rec;
    struct sf_sink *sink;
    struct sf_batch *batches[64];
    size_t n_batches;
    char dl[256];
};

static void run_sink(struct run *run, struct sf_config_hec *cfg, size_t n_batches, size_t per)
{
    char url[128], err[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/services/collector/event", run->r.port);
    cfg->url = url;
    cfg->token = "11111111-2222-3333-4444-555555555555";
    rec_init(&run->rec);
    SF_CHECK_ERR(sf_hec_sink_new(cfg, &run->sink, err, sizeof(err)), SF_OK);
    SF_CHECK_ERR(sf_sink_start(run->sink), SF_OK);
    for (size_t b = 0; b < n_batches; b++) {
        run->batches[run->n_batches] = make_batch((int)b, b * per, per, 150);
        rec_submit(run->sink, &run->rec, run->batches[run->n_batches++]);
    }
}

static bool wait_all(struct run *run, int timeout_ms)
{
    int64_t end = sf_now_ms() + timeout_ms;
    while (sf_now_ms() < end && rec_n_delivered(&run->rec) < run->n_batches) {
        usleep(10000);
    }
    return rec_n_delivered(&run->rec) == run->n_batches;
}

static void run_free(struct run *run)
{
    sf_sink_free(run->sink);
    for (size_t i = 0; i < run->n_batches; i++) {
        assert_int_equal(rec_times(&run->rec, run->batches[i]), 1);
        free_batch(run->batches[i]);
    }
    receiver_stop(&run->r);
    unlink(run->dl);
}

static void delivers_through_faults_with_gzip_and_indexer_ack(void **state)
{
    (void)state;
    struct run run = {0};
    const char *extra[] = {"--ack",
                           "--fault",
                           "type=503,rate=0.15",
                           "--fault",
                           "type=500,rate=0.05",
                           "--fault",
                           "type=reset,rate=0.05",
                           "--fault",
                           "type=lost_ack,rate=0.1",
                           "--fault",
                           "type=latency,ms=5",
                           "--fault",
                           "type=503,endpoint=ack,rate=0.2",
                           NULL};
    receiver_start(&run.r, extra);
    struct sf_config_hec cfg = test_cfg(0, dl_path(run.dl, sizeof(run.dl), "recv"));
    cfg.gzip = true;
    cfg.gzip_min_bytes = 0;
    cfg.ack = true;
    cfg.ack_poll_ms = 50;
    cfg.ack_timeout_ms = 800;
    cfg.max_body_bytes = 16384;
    cfg.retry_max_ms = 100;
    run_sink(&run, &cfg, 20, 200);
    assert_true(wait_all(&run, 30000));
    static unsigned counts[4000];
    recorded_counts(&run.r, counts, 4000);
    for (size_t id = 0; id < 4000; id++) {
        if (counts[id] == 0) {
            fail_msg("event e%zu never arrived", id);
        }
    }
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(run.sink, &s);
    assert_true(s.requests_retried > 0);
    assert_true(s.ack_timeouts > 0); /* lost acks: resent, duplicates allowed */
    assert_true(s.is_ack_on);
    assert_int_equal(s.events_dead_lettered, 0);
    run_free(&run);
}

static void pauses_while_the_token_is_disabled_and_resumes(void **state)
{
    (void)state;
    struct run run = {0};
    receiver_start(&run.r, NULL);
    control(&run.r, "tokens/token1/disable", NULL);
    struct sf_config_hec cfg = test_cfg(0, dl_path(run.dl, sizeof(run.dl), "recv"));
    cfg.auth_retry_ms = 100;
    run_sink(&run, &cfg, 5, 100);
    usleep(500 * 1000);
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(run.sink, &s);
    assert_true(s.is_paused);
    assert_int_equal(rec_n_delivered(&run.rec), 0);
    control(&run.r, "tokens/token1/enable", NULL);
    assert_true(wait_all(&run, 5000));
    static unsigned counts[500];
    recorded_counts(&run.r, counts, 500);
    for (size_t id = 0; id < 500; id++) {
        assert_int_equal(counts[id], 1);
    }
    run_free(&run);
}

static void learns_the_body_limit_from_413(void **state)
{
    (void)state;
    struct run run = {0};
    const char *extra[] = {"--max-content-length", "20000", NULL};
    receiver_start(&run.r, extra);
    struct sf_config_hec cfg = test_cfg(0, dl_path(run.dl, sizeof(run.dl), "recv"));
    run_sink(&run, &cfg, 4, 500); /* 75 KB batches, sent as one 300 KB request at first */
    assert_true(wait_all(&run, 10000));
    static unsigned counts[2000];
    recorded_counts(&run.r, counts, 2000);
    for (size_t id = 0; id < 2000; id++) {
        assert_int_equal(counts[id], 1);
    }
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(run.sink, &s);
    assert_true(s.requests_split > 0);
    assert_true(s.max_body_bytes <= 20000);
    run_free(&run);
}

static void dead_letters_what_the_receiver_refuses_and_sends_the_rest(void **state)
{
    (void)state;
    struct run run = {0};
    receiver_start(&run.r, NULL);
    struct sf_config_hec cfg = test_cfg(0, dl_path(run.dl, sizeof(run.dl), "recv"));
    cfg.gzip = true;
    cfg.gzip_min_bytes = 0;
    run_sink(&run, &cfg, 0, 0);
    struct sf_batch *batch = make_batch(4, 0, 6, 60);
    sf_buf_reset(&batch->payload); /* by hand: two envelopes Splunk refuses */
    sf_buf_append_cstr(&batch->payload, "{\"event\":\"e0\"}\n{\"event\":\"\",\"n\":\"e1\"}\n"
                                        "{\"event\":\"e2\"}\n{\"time\":-1,\"event\":\"e3\"}\n"
                                        "{\"event\":\"e4\"}\n{\"event\":\"e5\"}\n");
    run.batches[run.n_batches++] = batch;
    rec_submit(run.sink, &run.rec, batch);
    assert_true(wait_all(&run, 5000));
    static unsigned counts[6];
    recorded_counts(&run.r, counts, 6);
    assert_int_equal(counts[0] + counts[2] + counts[4] + counts[5], 4);
    assert_int_equal(counts[3], 0);
    FILE *f = fopen(run.dl, "r");
    assert_non_null(f);
    char line[4096];
    int codes[4], n = 0;
    while (n < 4 && fgets(line, sizeof(line), f)) {
        json_error_t jerr;
        json_t *rec = json_loads(line, 0, &jerr);
        codes[n++] = (int)json_integer_value(json_object_get(rec, "code"));
        json_decref(rec);
    }
    fclose(f);
    assert_int_equal(n, 2);
    assert_int_equal(codes[0], 13); /* blank event */
    assert_int_equal(codes[1], 6);  /* negative time */
    run_free(&run);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delivers_through_faults_with_gzip_and_indexer_ack),
        cmocka_unit_test(pauses_while_the_token_is_disabled_and_resumes),
        cmocka_unit_test(learns_the_body_limit_from_413),
        cmocka_unit_test(dead_letters_what_the_receiver_refuses_and_sends_the_rest),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}

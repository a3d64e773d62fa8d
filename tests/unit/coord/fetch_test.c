/* One fetch worker's pull against a scripted SLS on 127.0.0.1, with sls.query set: what goes
 * out, where the cursor and the checkpoint go when the statement kept nothing, and how the
 * next pull is paced (on what SLS scanned, as the SDKs pace). */
#include "sf_test.h"

#include "pull_fixture.h"
#include "util/clock.h"

#define QUERY "* | where cast(status as bigint) >= 400"

static int setup(void **state)
{
    struct pull_fixture *f = pull_fixture_new(QUERY);
    f->a = pull_fixture_add_shard(f, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    pull_fixture_free(*state);
    return 0;
}

/* A PullLogs answer that kept no LogGroup of the |scanned_groups| (|scanned_bytes|) read. */
static void push_filtered(struct pull_fixture *f,
                          const char *next_cursor,
                          const char *scanned_groups,
                          const char *scanned_bytes)
{
    struct hsv_reply reply = {.status = 200,
                              .headers = {{"x-log-cursor", next_cursor},
                                          {"x-log-count", "0"},
                                          {"x-log-bodyrawsize", "0"},
                                          {"x-log-rawdatacount", scanned_groups},
                                          {"x-log-rawdatasize", scanned_bytes},
                                          {"x-log-rawdatalines", "9000"},
                                          {"x-log-resultlines", "0"}}};
    hsv_push(f->ts, &reply);
}

/* Runs one pull as a worker does (lock held around it) and returns when it was made. The
 * scripted replies are queued up front: the server repeats its last one. */
static int64_t pull(struct pull_fixture *f)
{
    int64_t before = sf_now_ms();
    pthread_mutex_lock(&f->coord.lock);
    struct sf_batch *batch = sf_coord_fetch_pull(&f->worker, f->a);
    pthread_mutex_unlock(&f->coord.lock);
    assert_null(batch); /* nothing for the sinks: the statement kept nothing */
    return before;
}

/* docs/protocol/sls-consumer-group.md §End of shard / go-sdk PR #296: a pull whose logs were all
 * filtered out still moves the cursor; the move is committed like delivered data, so a restart does
 * not read it again. */
static void a_pull_that_keeps_nothing_moves_the_checkpoint(void **state)
{
    struct pull_fixture *f = *state;
    push_filtered(f, "c1", "16", "40000");
    struct hsv_reply committed = {.status = 200};
    hsv_push(f->ts, &committed);
    pull(f);

    const struct hsv_request *req = hsv_request(f->ts, 0);
    assert_string_equal(req->path, "/logstores/nginx-access/shards/0");
    assert_non_null(strstr(
        req->query, "&query=%2A%20%7C%20where%20cast%28status%20as%20bigint%29%20%3E%3D%20400"
                    "&pullMode=scan_on_stream"));
    assert_string_equal(f->a->cursor, "c1");
    assert_string_equal(f->a->deliverable, "c1");
    assert_int_equal(f->a->n_inflight, 0);
    assert_false(f->a->is_caught_up);
    assert_int_equal(f->source.stats.events_fetched, 0);

    sf_coord_checkpoint_tick(&f->source, sf_now_ms(), true);
    req = hsv_request(f->ts, 1);
    assert_non_null(req);
    assert_string_equal(req->path, "/logstores/nginx-access/consumergroups/siem");
    assert_non_null(strstr((const char *)req->body, "\"checkpoint\":\"c1\""));
    assert_string_equal(f->a->committed, "c1");
}

/* The same cursor back and nothing kept: caught up, nothing to commit. */
static void a_pull_that_does_not_move_is_caught_up(void **state)
{
    struct pull_fixture *f = *state;
    push_filtered(f, "c0", "0", "0");
    pull(f);
    assert_true(f->a->is_caught_up);
    assert_string_equal(f->a->deliverable, "c0");
    assert_int_equal(f->a->n_inflight, 0);
}

/* Pacing and the next count follow what SLS scanned (x-log-rawdatacount/-size), not the
 * LogGroups the statement kept: a statement that drops 99 % reads at full speed. */
static void pacing_follows_what_sls_scanned(void **state)
{
    struct pull_fixture *f = *state;
    push_filtered(f, "c1", "16", "40000");
    push_filtered(f, "c2", "20", "4194304");
    push_filtered(f, "c3", "3", "9000");
    push_filtered(f, "c4", "1000", "4194304");
    /* A full read (all 16 LogGroups asked for, none kept): pull again at once, ask for more. */
    int64_t before = pull(f);
    assert_true(f->a->next_pull_ms <= before + 50);
    assert_int_equal(f->a->pull_count, 32);

    /* 4 MiB scanned: at once, whatever the count. */
    before = pull(f);
    assert_true(f->a->next_pull_ms <= before + 50);
    assert_int_equal(f->a->pull_count, 64);

    /* Little scanned (a shard near its end): the SDKs' 500 ms. */
    before = pull(f);
    assert_true(f->a->next_pull_ms >= before + 450);
    assert_int_equal(f->a->pull_count, 128);

    /* Without a query the same answer paces on what arrived: nothing, so 500 ms. */
    f->cfg.query = NULL;
    before = pull(f);
    assert_true(f->a->next_pull_ms >= before + 450);
    assert_int_equal(f->a->pull_count, 128);
    assert_null(strstr(hsv_request(f->ts, 3)->query, "query="));
}

/* A statement SLS refuses: the shard waits 30 s before trying again and nothing moves. */
/* A batch of |bytes| payload from shard a, handed to one sink as worker_main does; returns the
 * sink's hold. */
static struct sf_batch_entry *give_to_one_sink(struct pull_fixture *f, size_t bytes)
{
    struct sf_batch *batch = sf_batch_new();
    SF_CHECK_ERR(sf_buf_reserve(&batch->payload, bytes), SF_OK);
    memset(batch->payload.ptr, 'x', bytes);
    batch->payload.len = bytes;
    batch->owner = f->a;
    snprintf(batch->next_cursor, sizeof(batch->next_cursor), "c1");
    pthread_mutex_lock(&f->coord.lock);
    f->coord.n_batches++; /* as batch_get counts a new one */
    assert_true(sf_coord_shard_track(f->a, batch));
    f->a->n_outstanding++;
    sf_coord_batch_enqueue(&f->coord, batch);
    pthread_mutex_unlock(&f->coord.lock);
    struct sf_batch_entry *entry = sf_batch_hold(batch, 0);
    sf_batch_untaken_drop(batch);
    return entry;
}

static bool has_room(struct pull_fixture *f)
{
    pthread_mutex_lock(&f->coord.lock);
    bool is_room = sf_coord_fetch_has_room(&f->coord);
    pthread_mutex_unlock(&f->coord.lock);
    return is_room;
}

/* Pulls pause while the sinks have a queue cap's worth of payload they have not taken yet, and
 * go on as soon as they take it (a HEC request built, syslog lines written), not only once the
 * SIEM confirmed it; a batch no sink marks taken leaves the queue when it comes back. */
static void pulls_pause_while_the_sinks_have_enough_to_take(void **state)
{
    struct pull_fixture *f = *state;
    size_t cap = sf_coord_memory_queue_cap(&f->coord);
    assert_true(has_room(f));
    struct sf_batch_entry *small = give_to_one_sink(f, cap / 2);
    assert_true(has_room(f));
    struct sf_batch_entry *big = give_to_one_sink(f, cap / 2);
    assert_false(has_room(f)); /* a cap's worth untaken */
    sf_batch_taken(small);
    assert_true(has_room(f));
    assert_int_equal(f->coord.queued_bytes, cap / 2);
    struct sf_batch *small_batch = small->batch;
    sf_batch_settle(small, SF_BATCH_DELIVERED);
    sf_batch_unref(small_batch); /* the worker's reference: back to the coord */
    assert_int_equal(f->coord.queued_bytes, cap / 2); /* already out of the queue */
    struct sf_batch *big_batch = big->batch;
    sf_batch_settle(big, SF_BATCH_DELIVERED); /* never marked taken */
    sf_batch_unref(big_batch);
    assert_int_equal(f->coord.queued_bytes, 0);
    assert_true(has_room(f));
    assert_int_equal(f->a->n_outstanding, 0);
}

static void a_refused_statement_holds_the_shard(void **state)
{
    struct pull_fixture *f = *state;
    const char *body = "{\"errorCode\":\"ParameterInvalid\",\"errorMessage\":\"invalid query\"}";
    struct hsv_reply reply = {.status = 400,
                              .headers = {{"Content-Type", "application/json"}},
                              .body = (const uint8_t *)body,
                              .body_len = strlen(body)};
    hsv_push(f->ts, &reply);
    int64_t before = sf_now_ms();
    pthread_mutex_lock(&f->coord.lock);
    assert_null(sf_coord_fetch_pull(&f->worker, f->a));
    pthread_mutex_unlock(&f->coord.lock);
    assert_true(f->a->next_pull_ms >= before + 30000);
    assert_string_equal(f->a->cursor, "c0");
    assert_string_equal(f->a->deliverable, "c0");
    assert_int_equal(f->source.stats.pull_errors, 1);
    assert_int_equal(f->a->state, SF_COORD_SHARD_RUNNING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_pull_that_keeps_nothing_moves_the_checkpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_pull_that_does_not_move_is_caught_up, setup, teardown),
        cmocka_unit_test_setup_teardown(pacing_follows_what_sls_scanned, setup, teardown),
        cmocka_unit_test_setup_teardown(a_refused_statement_holds_the_shard, setup, teardown),
        cmocka_unit_test_setup_teardown(pulls_pause_while_the_sinks_have_enough_to_take, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

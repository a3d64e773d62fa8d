/* Pacing of caught-up shards (issue 13): the wait after an empty pull grows 100 ms, doubling
 * to fetch_interval, then on to idle_fetch_interval while the shard stays empty; data brings
 * the shard back to immediate pulling and pulls the source's other long-idle shards at once.
 * Drives sf_coord_fetch_pull against a scripted SLS on 127.0.0.1, as a fetch worker does. */
#include "sf_test.h"

#include "pull_fixture.h"
#include "util/clock.h"

/* sls.query set, so a pull that keeps nothing still reads as what SLS scanned (fetch.c): a
 * "full" read needs no LogGroup body. */
#define QUERY "* | where status = '500'"

static int setup(void **state)
{
    struct pull_fixture *f = pull_fixture_new(QUERY);
    f->cfg.idle_fetch_interval_ms = 4000;
    f->a = pull_fixture_add_shard(f, 0);
    f->b = pull_fixture_add_shard(f, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    pull_fixture_free(*state);
    return 0;
}

/* Queues |n| answers: the cursor stays where it is (caught up), or moves to |next| after SLS
 * scanned |scanned| LogGroups (16 = as many as a fresh shard asks for: a full read). The
 * server answers in queue order and repeats the last, so a scenario queues all up front. */
static void push_answer(struct pull_fixture *f, int n, const char *next, const char *scanned)
{
    struct hsv_reply reply = {
        .status = 200,
        .headers = {{"x-log-cursor", next},
                    {"x-log-count", "0"},
                    {"x-log-bodyrawsize", "0"},
                    {"x-log-rawdatacount", scanned},
                    {"x-log-rawdatasize", strcmp(scanned, "0") ? "65536" : "0"},
                    {"x-log-rawdatalines", "0"},
                    {"x-log-resultlines", "0"}}};
    for (int i = 0; i < n; i++) {
        hsv_push(f->ts, &reply);
    }
}

/* One pull of |shard| as a worker makes it; returns the wait it was given before the next. */
static int64_t pull(struct pull_fixture *f, struct sf_coord_shard *shard)
{
    pthread_mutex_lock(&f->coord.lock);
    assert_null(sf_coord_fetch_pull(&f->worker, shard));
    int64_t wait = shard->next_pull_ms - sf_now_ms();
    pthread_mutex_unlock(&f->coord.lock);
    return wait;
}

/* Empty pulls: 100, 200, 400, 800 ms, fetch_interval (1 s), then 2 s and the 4 s bound, where
 * it stays. Data (a full read) makes the shard due at once. */
static void idle_wait_grows_to_the_bound_and_data_resets_it(void **state)
{
    struct pull_fixture *f = *state;
    push_answer(f, 9, "c0", "0");
    push_answer(f, 1, "c1", "16");
    push_answer(f, 1, "c1", "0");
    const int64_t expected[] = {100, 200, 400, 800, 1000, 2000, 4000, 4000, 4000};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        int64_t wait = pull(f, f->a);
        assert_true(f->a->is_caught_up);
        assert_int_equal(f->a->idle_delay_ms, expected[i]);
        assert_true(wait <= expected[i] && wait > expected[i] - 1000); /* from now, not before */
    }
    /* Data: due again at once, and the backoff starts over. */
    assert_true(pull(f, f->a) <= 0);
    assert_false(f->a->is_caught_up);
    assert_int_equal(f->a->idle_delay_ms, 0);
    assert_string_equal(f->a->cursor, "c1");
    pull(f, f->a);
    assert_int_equal(f->a->idle_delay_ms, 100);
}

/* A short read (few LogGroups: the shard's end) waits the SDKs' 500 ms; if the next pull
 * finds nothing the backoff goes on from there (1 s, 2 s, 4 s), not back at 100 ms: a shard
 * that just ran dry is not pulled five times in its first second of silence. */
static void after_a_short_read_the_backoff_goes_on_from_its_wait(void **state)
{
    struct pull_fixture *f = *state;
    push_answer(f, 1, "c1", "3"); /* 3 of the 16 LogGroups asked for */
    push_answer(f, 4, "c1", "0");
    int64_t wait = pull(f, f->a);
    assert_int_equal(f->a->idle_delay_ms, 500);
    assert_true(wait > 0 && wait <= 500);
    const int64_t expected[] = {1000, 2000, 4000, 4000};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        pull(f, f->a);
        assert_int_equal(f->a->idle_delay_ms, expected[i]);
    }
}

/* idle_fetch_interval below fetch_interval: fetch_interval is the bound (never less). */
static void the_bound_is_never_below_fetch_interval(void **state)
{
    struct pull_fixture *f = *state;
    f->cfg.fetch_interval_ms = 300;
    f->cfg.idle_fetch_interval_ms = 100;
    push_answer(f, 1, "c0", "0");
    const int64_t expected[] = {100, 200, 300, 300, 300};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        pull(f, f->a);
        assert_int_equal(f->a->idle_delay_ms, expected[i]);
    }
}

/* Data on a long-idle shard pulls the source's other long-idle shards now; they keep their
 * backoff (an empty pull sends them straight back to the bound). Once per idle_fetch_interval
 * per source. */
static void data_after_a_quiet_spell_wakes_the_idle_siblings(void **state)
{
    struct pull_fixture *f = *state;
    push_answer(f, 14, "c0", "0"); /* a and b, in turn */
    push_answer(f, 1, "c1", "16"); /* a */
    push_answer(f, 1, "c0", "0");  /* b */
    push_answer(f, 6, "c1", "0");  /* a */
    push_answer(f, 1, "c2", "16"); /* a */
    for (int i = 0; i < 7; i++) {
        pull(f, f->a);
        pull(f, f->b);
    }
    assert_int_equal(f->b->idle_delay_ms, 4000);
    int64_t now = sf_now_ms();
    assert_true(f->b->next_pull_ms > now + 2000);
    pull(f, f->a);
    assert_true(f->b->next_pull_ms <= sf_now_ms()); /* b is due now */
    assert_int_equal(f->b->idle_delay_ms, 4000);
    int64_t wait = pull(f, f->b); /* still empty: back to its 4 s at once */
    assert_int_equal(f->b->idle_delay_ms, 4000);
    assert_true(wait > 3000);

    /* a runs dry again and gets data once more within 4 s of the first wake: b is left be. */
    for (int i = 0; i < 6; i++) {
        pull(f, f->a);
    }
    assert_int_equal(f->a->idle_delay_ms, 2000);
    int64_t b_due = f->b->next_pull_ms;
    pull(f, f->a);
    assert_string_equal(f->a->cursor, "c2");
    assert_int_equal(f->b->next_pull_ms, b_due);
}

/* A shard that ran dry a moment ago (wait not yet past fetch_interval) wakes nobody when its
 * data comes back: a pause that short is ordinary. */
static void data_after_a_short_pause_wakes_nobody(void **state)
{
    struct pull_fixture *f = *state;
    push_answer(f, 10, "c0", "0");
    push_answer(f, 1, "c1", "16");
    for (int i = 0; i < 7; i++) {
        pull(f, f->b);
    }
    for (int i = 0; i < 3; i++) {
        pull(f, f->a);
    }
    assert_int_equal(f->a->idle_delay_ms, 400);
    int64_t b_due = f->b->next_pull_ms;
    pull(f, f->a);
    assert_string_equal(f->a->cursor, "c1");
    assert_int_equal(f->b->next_pull_ms, b_due);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(idle_wait_grows_to_the_bound_and_data_resets_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(after_a_short_read_the_backoff_goes_on_from_its_wait, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_bound_is_never_below_fetch_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(data_after_a_quiet_spell_wakes_the_idle_siblings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(data_after_a_short_pause_wakes_nobody, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

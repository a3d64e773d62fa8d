/* The checkpoint tracker: a shard's committable cursor only ever covers a confirmed prefix. */
#include "sf_test.h"

#include "coord/coord_int.h"

static struct sf_config_source config = {.name = "demo/nginx", .pull_count = 1000};
static struct sf_coord_source source = {.config = &config};

static struct sf_batch make_batch(const char *next)
{
    struct sf_batch batch;
    memset(&batch, 0, sizeof(batch));
    snprintf(batch.next_cursor, sizeof(batch.next_cursor), "%s", next);
    return batch;
}

static void out_of_order_confirmations_commit_only_the_contiguous_prefix(void **state)
{
    (void)state;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 3);
    snprintf(shard->deliverable, sizeof(shard->deliverable), "start");
    struct sf_batch b1 = make_batch("c1"), b2 = make_batch("c2"), b3 = make_batch("c3");
    assert_true(sf_coord_shard_track(shard, &b1));
    assert_true(sf_coord_shard_track(shard, &b2));
    assert_true(sf_coord_shard_track(shard, &b3));
    sf_coord_shard_confirm(shard, b3.seq);
    assert_string_equal(shard->deliverable, "start");
    sf_coord_shard_confirm(shard, b2.seq);
    assert_string_equal(shard->deliverable, "start");
    sf_coord_shard_confirm(shard, b1.seq);
    assert_string_equal(shard->deliverable, "c3");
    assert_int_equal(shard->n_inflight, 0);
    sf_coord_shard_free(shard);
}

static void the_window_is_bounded(void **state)
{
    (void)state;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 0);
    struct sf_batch batches[SF_COORD_PREFETCH + 1];
    for (int i = 0; i < SF_COORD_PREFETCH; i++) {
        batches[i] = make_batch("x");
        assert_true(sf_coord_shard_track(shard, &batches[i]));
    }
    batches[SF_COORD_PREFETCH] = make_batch("y");
    assert_false(sf_coord_shard_track(shard, &batches[SF_COORD_PREFETCH]));
    sf_coord_shard_free(shard);
}

static void an_undelivered_batch_freezes_the_checkpoint(void **state)
{
    (void)state;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 1);
    snprintf(shard->deliverable, sizeof(shard->deliverable), "start");
    struct sf_batch b1 = make_batch("c1"), b2 = make_batch("c2"), b3 = make_batch("c3");
    sf_coord_shard_track(shard, &b1);
    sf_coord_shard_track(shard, &b2);
    sf_coord_shard_track(shard, &b3);
    sf_coord_shard_confirm(shard, b1.seq);
    assert_string_equal(shard->deliverable, "c1");
    sf_coord_shard_forget(shard, b2.seq);  /* never confirmed (stop) */
    sf_coord_shard_confirm(shard, b3.seq); /* later data confirmed, but b2's is missing */
    assert_string_equal(shard->deliverable, "c1");
    assert_true(shard->has_gap);
    sf_coord_shard_free(shard);
}

/* Data that expired (InvalidCursor) is skipped: the checkpoint moves to the new cursor too,
 * but only in order, after every batch pulled before it is confirmed. */
static void a_skip_moves_the_checkpoint_in_order(void **state)
{
    (void)state;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 2);
    snprintf(shard->deliverable, sizeof(shard->deliverable), "start");
    assert_true(sf_coord_shard_skip(shard, "after-gap"));
    assert_string_equal(shard->deliverable, "after-gap");
    assert_int_equal(shard->n_inflight, 0);

    struct sf_batch b1 = make_batch("c1");
    assert_true(sf_coord_shard_track(shard, &b1));
    assert_true(sf_coord_shard_skip(shard, "after-second-gap"));
    assert_string_equal(shard->deliverable, "after-gap");
    sf_coord_shard_confirm(shard, b1.seq);
    assert_string_equal(shard->deliverable, "after-second-gap");
    assert_int_equal(shard->n_inflight, 0);
    sf_coord_shard_free(shard);
}

static void a_skip_needs_a_free_slot(void **state)
{
    (void)state;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 4);
    struct sf_batch batches[SF_COORD_PREFETCH];
    for (int i = 0; i < SF_COORD_PREFETCH; i++) {
        batches[i] = make_batch("x");
        assert_true(sf_coord_shard_track(shard, &batches[i]));
    }
    assert_false(sf_coord_shard_skip(shard, "y"));
    sf_coord_shard_free(shard);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(out_of_order_confirmations_commit_only_the_contiguous_prefix),
        cmocka_unit_test(the_window_is_bounded),
        cmocka_unit_test(an_undelivered_batch_freezes_the_checkpoint),
        cmocka_unit_test(a_skip_moves_the_checkpoint_in_order),
        cmocka_unit_test(a_skip_needs_a_free_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

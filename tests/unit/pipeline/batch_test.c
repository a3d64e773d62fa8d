/* The batch's references and settling (pipeline/batch.c): back to the coord exactly once,
 * after the last holder, as delivered only if every sink delivered it; each sink's entry has
 * its own link, so one batch sits in several queues at once. */
#include "sf_test.h"

#include <pthread.h>
#include <stdatomic.h>

#include "pipeline/batch.h"
#include "util/bqueue.h"

struct backs {
    int n;
    int n_delivered;
    struct sf_batch *last;
};

static void note_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    struct backs *b = ctx;
    b->n++;
    b->n_delivered += is_delivered ? 1 : 0;
    b->last = batch;
}

static void back_only_after_the_last_reference(void **state)
{
    (void)state;
    struct backs backs = {0};
    struct sf_batch *batch = sf_batch_new();
    sf_batch_open(batch, note_back, NULL, &backs);
    struct sf_batch_entry *a = sf_batch_hold(batch, 0);
    struct sf_batch_entry *b = sf_batch_hold(batch, 1);
    assert_ptr_equal(a->batch, batch);
    assert_ptr_not_equal(a, b);
    assert_true(sf_batch_is_held(batch));
    sf_batch_settle(a, SF_BATCH_DELIVERED); /* a fast sink, before the coord let go */
    sf_batch_unref(batch);
    assert_int_equal(backs.n, 0); /* the slower sink still holds it */
    assert_true(sf_batch_is_held(batch));
    sf_batch_settle(b, SF_BATCH_DELIVERED);
    assert_int_equal(backs.n, 1);
    assert_int_equal(backs.n_delivered, 1);
    assert_ptr_equal(backs.last, batch);
    assert_false(sf_batch_is_held(batch));
    sf_batch_free(batch);
}

struct backs_and_taken {
    struct backs backs; /* first: note_back reads the same context */
    int n_taken;
};

static void note_taken(void *ctx, struct sf_batch *batch)
{
    (void)batch;
    ((struct backs_and_taken *)ctx)->n_taken++;
}

/* The coord pulls again once the sinks took what it gave them (coord/fetch.c): |taken| runs
 * once every hold was marked taken and the opener dropped its mark, in whatever order, and not
 * at all in a round where a sink never marks its hold. */
static void taken_runs_once_every_hold_and_the_opener_are_done(void **state)
{
    (void)state;
    struct backs_and_taken ctx = {0};
    struct sf_batch *batch = sf_batch_new();

    sf_batch_open(batch, note_back, note_taken, &ctx);
    struct sf_batch_entry *a = sf_batch_hold(batch, 0);
    struct sf_batch_entry *b = sf_batch_hold(batch, 1);
    sf_batch_taken(a);
    sf_batch_untaken_drop(batch);
    assert_int_equal(ctx.n_taken, 0); /* sink 1 has not taken it */
    sf_batch_taken(b);
    assert_int_equal(ctx.n_taken, 1);
    sf_batch_settle(a, SF_BATCH_DELIVERED);
    sf_batch_settle(b, SF_BATCH_DELIVERED);
    sf_batch_unref(batch);
    assert_int_equal(ctx.backs.n, 1);

    /* Both sinks fast, before the opener handed out its last hold and dropped its mark. */
    sf_batch_reset(batch);
    sf_batch_open(batch, note_back, note_taken, &ctx);
    a = sf_batch_hold(batch, 0);
    sf_batch_taken(a);
    b = sf_batch_hold(batch, 1);
    sf_batch_taken(b);
    assert_int_equal(ctx.n_taken, 1);
    sf_batch_untaken_drop(batch);
    assert_int_equal(ctx.n_taken, 2);
    sf_batch_settle(b, SF_BATCH_DELIVERED);
    sf_batch_settle(a, SF_BATCH_DELIVERED);
    sf_batch_unref(batch);

    /* A sink that never marks: no call; the batch still comes back. */
    sf_batch_reset(batch);
    sf_batch_open(batch, note_back, note_taken, &ctx);
    a = sf_batch_hold(batch, 0);
    b = sf_batch_hold(batch, 1);
    sf_batch_taken(b);
    sf_batch_untaken_drop(batch);
    sf_batch_settle(a, SF_BATCH_DELIVERED);
    sf_batch_settle(b, SF_BATCH_DELIVERED);
    sf_batch_unref(batch);
    assert_int_equal(ctx.n_taken, 2);
    assert_int_equal(ctx.backs.n, 3);
    sf_batch_free(batch);
}

static void undelivered_by_one_sink_is_undelivered(void **state)
{
    (void)state;
    struct backs backs = {0};
    struct sf_batch *batch = sf_batch_new();
    for (int round = 0; round < 2; round++) { /* the second round: reuse after a reset */
        sf_batch_reset(batch);
        sf_batch_open(batch, note_back, NULL, &backs);
        struct sf_batch_entry *a = sf_batch_hold(batch, 0);
        struct sf_batch_entry *b = sf_batch_hold(batch, 2);
        sf_batch_unref(batch);
        sf_batch_settle(b, round == 0 ? SF_BATCH_UNDELIVERED : SF_BATCH_DELIVERED);
        sf_batch_settle(a, SF_BATCH_DELIVERED);
    }
    assert_int_equal(backs.n, 2);
    assert_int_equal(backs.n_delivered, 1); /* only the round every sink delivered */
    sf_batch_free(batch);
}

static void no_sink_means_back_at_the_coords_unref(void **state)
{
    (void)state;
    struct backs backs = {0};
    struct sf_batch *batch = sf_batch_new();
    sf_batch_open(batch, note_back, NULL, &backs);
    sf_batch_ref(batch);
    sf_batch_unref(batch);
    assert_int_equal(backs.n, 0);
    sf_batch_unref(batch);
    assert_int_equal(backs.n, 1);
    assert_int_equal(backs.n_delivered, 1);
    sf_batch_free(batch);
}

/* The defect this module fixes: one batch in two queues. Each queue keeps its own order and
 * every batch, whatever the other queue does with its entries. */
static void each_sink_queues_its_own_entry(void **state)
{
    (void)state;
    struct backs backs = {0};
    struct sf_bqueue q0, q1;
    sf_bqueue_init(&q0);
    sf_bqueue_init(&q1);
    enum { N = 5 };
    struct sf_batch *batches[N];
    for (int i = 0; i < N; i++) {
        batches[i] = sf_batch_new();
        batches[i]->seq = (uint64_t)i;
        sf_batch_open(batches[i], note_back, NULL, &backs);
        sf_bqueue_push(&q0, &sf_batch_hold(batches[i], 0)->link);
        sf_bqueue_push(&q1, &sf_batch_hold(batches[i], 1)->link);
        sf_batch_unref(batches[i]);
        if (i == 2) { /* one sink takes its queue while the other has not */
            int n = 0;
            for (struct sf_bqueue_node *node = sf_bqueue_pop_all(&q1, 0); node;) {
                struct sf_bqueue_node *next = node->next;
                node->next = NULL; /* as a sink moving entries into its window does */
                assert_int_equal(sf_batch_entry_of(node)->batch->seq, n++);
                sf_batch_settle(sf_batch_entry_of(node), SF_BATCH_DELIVERED);
                node = next;
            }
            assert_int_equal(n, 3);
        }
    }
    int n = 0;
    for (struct sf_bqueue_node *node = sf_bqueue_pop_all(&q0, 0); node;) {
        struct sf_bqueue_node *next = node->next;
        assert_int_equal(sf_batch_entry_of(node)->batch->seq, n++);
        sf_batch_settle(sf_batch_entry_of(node), SF_BATCH_DELIVERED);
        node = next;
    }
    assert_int_equal(n, N);
    assert_int_equal(backs.n, 3);
    n = 3;
    for (struct sf_bqueue_node *node = sf_bqueue_pop_all(&q1, 0); node;) {
        struct sf_bqueue_node *next = node->next;
        assert_int_equal(sf_batch_entry_of(node)->batch->seq, n++);
        sf_batch_settle(sf_batch_entry_of(node), SF_BATCH_DELIVERED);
        node = next;
    }
    assert_int_equal(n, N);
    assert_int_equal(backs.n, N);
    assert_int_equal(backs.n_delivered, N);
    for (int i = 0; i < N; i++) {
        sf_batch_free(batches[i]);
    }
    sf_bqueue_cleanup(&q0);
    sf_bqueue_cleanup(&q1);
}

/* ---- several sink threads settling the same batches, reused from a pool ---- */

enum { N_SINKS = 3, POOL = 16, ROUNDS = 20000 };

struct meta {
    atomic_uint settled; /* one bit per sink that settled it this round */
    atomic_uint taken;   /* world_taken calls this round */
};

struct world {
    struct sf_bqueue queues[N_SINKS];
    struct sf_batch *batches[POOL];
    struct meta metas[POOL];
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct sf_batch *free_list[POOL];
    int n_free;
    atomic_int n_backs, n_delivered, n_taken, errors;
};

/* Sink 1 refuses every 7th round; the others deliver everything. */
static bool is_refused(int slot, uint64_t seq)
{
    return slot == 1 && seq % 7 == 0;
}

static void world_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    struct world *w = ctx;
    struct meta *m = batch->owner;
    /* Every sink settled before the batch came back, and none holds it any more. */
    /* ... and |taken| ran before, once in even rounds, never in odd ones. */
    if (atomic_exchange(&m->settled, 0) != (1u << N_SINKS) - 1 || sf_batch_is_held(batch) ||
        is_delivered == is_refused(1, batch->seq) ||
        atomic_exchange(&m->taken, 0) != (batch->seq % 2 ? 0u : 1u)) {
        atomic_fetch_add(&w->errors, 1);
    }
    atomic_fetch_add(&w->n_backs, 1);
    atomic_fetch_add(&w->n_delivered, is_delivered ? 1 : 0);
    pthread_mutex_lock(&w->lock);
    w->free_list[w->n_free++] = batch;
    pthread_cond_signal(&w->freed);
    pthread_mutex_unlock(&w->lock);
}

/* Every sink marked the batch taken: sinks 0 and 2 always do, sink 1 only in even rounds, so
 * odd rounds never come here. world_back checks it came once, before the batch came back. */
static void world_taken(void *ctx, struct sf_batch *batch)
{
    struct world *w = ctx;
    struct meta *m = batch->owner;
    if (batch->seq % 2) {
        atomic_fetch_add(&w->errors, 1);
    }
    atomic_fetch_add(&m->taken, 1);
    atomic_fetch_add(&w->n_taken, 1);
}

struct sink_arg {
    struct world *w;
    int slot;
};

static void *sink_main(void *arg)
{
    struct sink_arg *a = arg;
    struct sf_bqueue_node *node;
    while ((node = sf_bqueue_pop_all(&a->w->queues[a->slot], -1))) {
        while (node) {
            struct sf_bqueue_node *next = node->next; /* before settling: then it is gone */
            struct sf_batch_entry *entry = sf_batch_entry_of(node);
            struct sf_batch *batch = entry->batch;
            struct meta *m = batch->owner;
            uint64_t seq = batch->seq; /* reading the batch while holding it */
            if (a->slot != 1 || seq % 2 == 0) {
                sf_batch_taken(entry);
            }
            if (atomic_fetch_or(&m->settled, 1u << a->slot) & (1u << a->slot)) {
                atomic_fetch_add(&a->w->errors, 1); /* twice in one round */
            }
            sf_batch_settle(entry,
                            is_refused(a->slot, seq) ? SF_BATCH_UNDELIVERED : SF_BATCH_DELIVERED);
            node = next;
        }
    }
    return NULL;
}

static void threads_settle_each_batch_once_and_it_comes_back_once(void **state)
{
    (void)state;
    struct world *w = test_calloc(1, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->freed, NULL);
    for (int i = 0; i < POOL; i++) {
        w->batches[i] = sf_batch_new();
        w->free_list[w->n_free++] = w->batches[i];
    }
    pthread_t threads[N_SINKS];
    struct sink_arg args[N_SINKS];
    for (int s = 0; s < N_SINKS; s++) {
        sf_bqueue_init(&w->queues[s]);
        args[s] = (struct sink_arg){.w = w, .slot = s};
        assert_int_equal(pthread_create(&threads[s], NULL, sink_main, &args[s]), 0);
    }
    for (uint64_t round = 0; round < ROUNDS; round++) {
        pthread_mutex_lock(&w->lock);
        while (w->n_free == 0) {
            pthread_cond_wait(&w->freed, &w->lock);
        }
        struct sf_batch *batch = w->free_list[--w->n_free];
        pthread_mutex_unlock(&w->lock);
        int index = 0;
        while (w->batches[index] != batch) {
            index++;
        }
        sf_batch_reset(batch); /* asserts nobody holds it */
        batch->owner = &w->metas[index];
        batch->seq = round;
        sf_batch_open(batch, world_back, world_taken, w);
        for (int s = 0; s < N_SINKS; s++) {
            sf_bqueue_push(&w->queues[s], &sf_batch_hold(batch, (unsigned)s)->link);
        }
        sf_batch_untaken_drop(batch);
        sf_batch_unref(batch);
    }
    for (int s = 0; s < N_SINKS; s++) {
        sf_bqueue_close(&w->queues[s]);
        pthread_join(threads[s], NULL);
        sf_bqueue_cleanup(&w->queues[s]);
    }
    assert_int_equal(atomic_load(&w->errors), 0);
    assert_int_equal(atomic_load(&w->n_backs), ROUNDS);
    assert_int_equal(atomic_load(&w->n_taken), (ROUNDS + 1) / 2);
    assert_int_equal(atomic_load(&w->n_delivered), ROUNDS - (ROUNDS + 6) / 7);
    assert_int_equal(w->n_free, POOL);
    for (int i = 0; i < POOL; i++) {
        sf_batch_free(w->batches[i]);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->freed);
    test_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(back_only_after_the_last_reference),
        cmocka_unit_test(taken_runs_once_every_hold_and_the_opener_are_done),
        cmocka_unit_test(undelivered_by_one_sink_is_undelivered),
        cmocka_unit_test(no_sink_means_back_at_the_coords_unref),
        cmocka_unit_test(each_sink_queues_its_own_entry),
        cmocka_unit_test(threads_settle_each_batch_once_and_it_comes_back_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
